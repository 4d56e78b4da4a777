#!/usr/bin/env bash
# Makes the real Pulumi CLI available (outside the repository, in the project cache).
#
# Usage
#   bash scripts/pulumi-cli.sh            builds/locates the CLI; progress goes to stderr and the
#                                         LAST stdout line is the bin directory
#   source scripts/pulumi-cli.sh          same, then exports PULUMI_BIN_DIR, prepends it to PATH and
#                                         defines `pulumi_offline_env` (see below)
#   source scripts/pulumi-cli.sh --offline   also runs `pulumi_offline_env`
#
# Order of preference
#   1. a `pulumi` already on PATH is used as it is (set PULUMI_CLI_FORCE_BUILD=1 to ignore it);
#   2. with Go: builds `pulumi` (github.com/pulumi/pulumi/pkg/v3/cmd/pulumi) at $PULUMI_CLI_VERSION
#      (default v3.274.1; when that fails to build, newer versions served by the Go proxy are tried,
#      newest first) through a wrapper module generated in
#      $PROJECT_CACHE/pulumi-<version>/src (never in the repo), into $PROJECT_CACHE/pulumi-<version>/bin.
#      Beside it go:
#        - pulumi-language-nodejs: the upstream module
#          github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 is NOT served by the Go
#          proxy reachable here, so the wrapper carries a small language host of our own (below) that
#          speaks the same gRPC protocol (sdk/v3/proto/go) and starts
#          `node [nodeargs] @pulumi/pulumi/cmd/run ...` exactly as the SDK expects (runtime options
#          `typescript`, `tsconfig`, `nodeargs` of Pulumi.yaml are honoured);
#        - pulumi-resource-pulumi-nodejs: the dynamic-provider launcher, same as the one shipped in
#          the @pulumi/pulumi npm package (node on @pulumi/pulumi/cmd/dynamic-provider resolved from
#          the program directory, arguments passed through);
#        - pulumi-resource-random, best effort (github.com/pulumi/pulumi-random/provider/v4), only
#          when that module can be fetched (PULUMI_CLI_SKIP_RANDOM=1 skips the attempt).
#      Later runs reuse the binaries (and the Go caches under $PROJECT_CACHE/go).
#   3. otherwise prints how to install Pulumi and fails.
#
# Offline use (local file backend, no network): `pulumi_offline_env [state-dir]` exports
#   PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
#   and, unless already set, PULUMI_HOME=<dir>/home PULUMI_BACKEND_URL=file://<dir>/state
#   PULUMI_CONFIG_PASSPHRASE=... is left to the caller. PULUMI_IGNORE_AMBIENT_PLUGINS must stay unset:
#   it disables the PATH lookup through which the plugins in the bin directory are found.
#
# Environment knobs: PULUMI_CLI_VERSION, PULUMI_CLI_FORCE_BUILD=1, PULUMI_CLI_SKIP_RANDOM=1,
#   PULUMI_RANDOM_VERSION (default: newest served), PULUMI_CLI_GO_PARALLEL (go build -p, default 2).

_pulumi_cli_script="${BASH_SOURCE[0]}"

# --------------------------------------------------------------------------------------------
# Offline environment for the CLI.
pulumi_offline_env() {
  local dir="${1:-${PULUMI_OFFLINE_DIR:-${PROJECT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-dnn-smtp}/pulumi-offline}}"
  mkdir -p "$dir/home" "$dir/state"
  export PULUMI_SKIP_UPDATE_CHECK=true
  export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
  export PULUMI_HOME="${PULUMI_HOME:-$dir/home}"
  export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$dir/state}"
}

# --------------------------------------------------------------------------------------------
# Everything below runs in a subshell with strict options; it prints the bin dir last on stdout.
_pulumi_cli_main() (
  set -euo pipefail
  log() { echo "pulumi-cli: $*" >&2; }

  root="$(cd "$(dirname "$_pulumi_cli_script")/.." && pwd)"
  if [ -z "${PROJECT_CACHE:-}" ] || ! command -v node >/dev/null 2>&1; then
    # shellcheck source=/dev/null
    source "$root/scripts/env.sh" >&2
  fi
  cache="$PROJECT_CACHE"

  # 1. pulumi already on PATH
  # (one of our own builds found through PATH goes through the reuse check below instead)
  if [ "${PULUMI_CLI_FORCE_BUILD:-0}" != 1 ] && command -v pulumi >/dev/null 2>&1 &&
    [[ "$(command -v pulumi)" != "$cache"/pulumi-v*/bin/pulumi ]]; then
    bin="$(dirname "$(command -v pulumi)")"
    log "using pulumi on PATH: $bin/pulumi ($("$bin/pulumi" version 2>/dev/null || echo '?'))"
    echo "$bin"
    return 0
  fi

  want="${PULUMI_CLI_VERSION:-v3.274.1}"

  bin_ok() { # $1 = bin dir
    [ -x "$1/pulumi" ] && [ -x "$1/pulumi-language-nodejs" ] && [ -x "$1/pulumi-resource-pulumi-nodejs" ] &&
      "$1/pulumi" version >/dev/null 2>&1 &&
      [ "$(cat "$1/.langhost.sha256" 2>/dev/null)" = "$(_pcli_langhost_source | sha256sum | cut -d' ' -f1)" ]
  }

  # Go caches under the project cache (reused by later runs)
  export GOPATH="${PULUMI_CLI_GOPATH:-$cache/go/path}"
  export GOMODCACHE="${PULUMI_CLI_GOMODCACHE:-$cache/go/mod}"
  export GOCACHE="${PULUMI_CLI_GOCACHE:-$cache/go/build}"
  export GOFLAGS="-mod=mod -buildvcs=false"
  export GOTOOLCHAIN=local
  export GOWORK=off
  gopar="${PULUMI_CLI_GO_PARALLEL:-2}"
  mkdir -p "$GOPATH" "$GOMODCACHE" "$GOCACHE"

  # A version that built before wins (unless it is the one asked for and built: checked first).
  candidates=("$want")
  for d in "$cache"/pulumi-v*/bin; do
    [ -d "$d" ] || continue
    v="$(basename "$(dirname "$d")")"; v="${v#pulumi-}"
    [ "$v" = "$want" ] || candidates+=("$v")
  done
  for v in "${candidates[@]}"; do
    if bin_ok "$cache/pulumi-$v/bin"; then
      log "reusing $cache/pulumi-$v/bin ($("$cache/pulumi-$v/bin/pulumi" version))"
      _pcli_maybe_build_random "$cache/pulumi-$v/bin"
      echo "$cache/pulumi-$v/bin"
      return 0
    fi
  done

  # 3. nothing to build with
  if ! command -v go >/dev/null 2>&1; then
    cat >&2 <<'EOF'
pulumi-cli: no `pulumi` on PATH and no Go toolchain to build it.
  Install the Pulumi CLI (https://www.pulumi.com/docs/iac/download-install/), e.g.
    curl -fsSL https://get.pulumi.com | sh        # then add ~/.pulumi/bin to PATH
  or install Go >= 1.26 (https://go.dev/dl/) and run this script again to build it from the
  Go modules github.com/pulumi/pulumi/pkg/v3 and sdk/v3.
EOF
    return 1
  fi

  # 2. build with Go: the wanted version first, then newer ones served by the proxy, newest first.
  tries=("$want")
  if newer="$(cd "$cache" && go list -m -versions github.com/pulumi/pulumi/pkg/v3 2>/dev/null)"; then
    for v in $(echo "$newer" | tr ' ' '\n' | grep '^v3\.' | sort -V -r | head -3); do
      [ "$(printf '%s\n%s\n' "$v" "$want" | sort -V | tail -1)" = "$v" ] && [ "$v" != "$want" ] && tries+=("$v")
    done
  fi
  for v in "${tries[@]}"; do
    if _pcli_build_cli "$v"; then
      _pcli_maybe_build_random "$cache/pulumi-$v/bin"
      echo "$cache/pulumi-$v/bin"
      return 0
    fi
    log "building pulumi $v failed (log: $cache/pulumi-$v/build.log)"
  done
  log "could not build the Pulumi CLI from Go modules (tried: ${tries[*]})"
  return 1
)

# --------------------------------------------------------------------------------------------
# _pcli_build_cli VERSION: wrapper module in $cache/pulumi-VERSION/src, binaries in .../bin
_pcli_build_cli() {
  local v="$1" top="$cache/pulumi-$1" src bin logf sdkmod
  src="$top/src"; bin="$top/bin"; logf="$top/build.log"
  mkdir -p "$src/cmd/pulumi-language-nodejs" "$bin"
  : >"$logf"
  log "building pulumi $v in $src (Go caches in $cache/go; log $logf)"

  # The replaces pkg/v3 needs, read from its real go.mod at that version: sdk/v3 => ../sdk is
  # replaced by requiring sdk/v3 at the same version; every other replace is repeated.
  local pkgmod
  pkgmod="$(cd "$src" && go mod download -json "github.com/pulumi/pulumi/pkg/v3@$v" 2>>"$logf" |
    sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')" || true
  if [ -z "$pkgmod" ] || [ ! -f "$pkgmod" ]; then
    log "github.com/pulumi/pulumi/pkg/v3@$v is not available from the Go proxy"
    return 1
  fi
  local gover replaces
  gover="$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$pkgmod" | head -1)"
  replaces="$(grep -E '^replace ' "$pkgmod" | grep -v 'github.com/pulumi/pulumi/sdk/v3 =>' || true)"
  log "replaces carried over from pkg/v3@$v go.mod: ${replaces:-none}"

  cat >"$src/go.mod" <<EOF
// Generated by scripts/pulumi-cli.sh: builds the Pulumi CLI $v from Go modules.
module pulumi-dnn-smtp.local/pulumi-cli

go ${gover:-1.26}

require (
	github.com/pulumi/pulumi/pkg/v3 $v
	github.com/pulumi/pulumi/sdk/v3 $v
)

$replaces
EOF
  _pcli_langhost_source >"$src/cmd/pulumi-language-nodejs/main.go"

  local ldflags="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$v"
  if ! (
    cd "$src" &&
      go get "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$v" "github.com/pulumi/pulumi/sdk/v3@$v" \
        github.com/google/shlex google.golang.org/grpc google.golang.org/protobuf &&
      { { [ -x "$bin/pulumi" ] && "$bin/pulumi" version >/dev/null 2>&1; } ||
        { go build -p "$gopar" -trimpath -ldflags "$ldflags" -o "$bin/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi &&
          mv "$bin/pulumi.tmp" "$bin/pulumi"; }; } &&
      go build -p "$gopar" -trimpath -ldflags "$ldflags" -o "$bin/pulumi-language-nodejs" ./cmd/pulumi-language-nodejs
  ) >>"$logf" 2>&1; then
    tail -20 "$logf" >&2
    return 1
  fi

  _pcli_write_launcher "$bin/pulumi-resource-pulumi-nodejs"
  _pcli_langhost_source | sha256sum | cut -d' ' -f1 >"$bin/.langhost.sha256"
  log "built $("$bin/pulumi" version) into $bin"
}

# --------------------------------------------------------------------------------------------
# The dynamic-provider launcher. Mirrors node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs
# (which the npm package ships but does not install on PATH): resolve the plugin from the
# program directory (the cwd the engine starts plugins in) and pass all arguments through.
_pcli_write_launcher() {
  cat >"$1" <<'EOF'
#!/bin/sh
# pulumi-resource-pulumi-nodejs: Pulumi dynamic-provider plugin launcher (generated by
# scripts/pulumi-cli.sh, same behaviour as the script shipped in the @pulumi/pulumi npm package).
PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH=$(node -e "console.log(require.resolve('@pulumi/pulumi/cmd/dynamic-provider', { paths: [process.cwd()] }))")
if [ -n "$PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH" ]; then
    exec node "$PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH" "$@"
fi
echo "pulumi-resource-pulumi-nodejs: cannot resolve @pulumi/pulumi/cmd/dynamic-provider from $(pwd)" >&2
exit 1
EOF
  chmod +x "$1"
}

# --------------------------------------------------------------------------------------------
# pulumi-resource-random, best effort. The module github.com/pulumi/pulumi-random/provider/v4 has
# its own replace directives and a local ./shim module; we fetch its source through the module
# cache and build it there with a generated go.work that adds the shim.
_pcli_maybe_build_random() {
  local bin="$1" rv logf top
  [ "${PULUMI_CLI_SKIP_RANDOM:-0}" = 1 ] && return 0
  command -v go >/dev/null 2>&1 || return 0
  [ -x "$bin/pulumi-resource-random" ] && return 0
  top="$cache/pulumi-random"; logf="$top/build.log"; mkdir -p "$top"
  if [ -f "$top/unavailable" ] && [ -z "${PULUMI_RANDOM_VERSION:-}" ]; then
    log "pulumi-resource-random: skipped ($(cat "$top/unavailable"); delete that file to retry)"
    return 0
  fi
  rv="${PULUMI_RANDOM_VERSION:-latest}"
  log "pulumi-resource-random: trying github.com/pulumi/pulumi-random/provider/v4@$rv (log $logf)"
  local json dir
  if ! json="$(cd "$top" && go mod download -json "github.com/pulumi/pulumi-random/provider/v4@$rv" 2>>"$logf")" ||
    grep -q '"Error"' <<<"$json"; then
    echo "$json" >>"$logf"
    log "pulumi-resource-random: module not available from the Go proxy; not built (details in $logf)"
    sed -n 's/.*"Error": "\(.*\)",\{0,1\}$/\1/p' <<<"$json" | head -1 >"$top/unavailable"
    [ -s "$top/unavailable" ] || echo "go mod download failed" >"$top/unavailable"
    return 0
  fi
  dir="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' <<<"$json")"
  rv="$(sed -n 's/^[[:space:]]*"Version": "\(.*\)",$/\1/p' <<<"$json")"
  local work="$top/$rv"
  rm -rf "$work"; mkdir -p "$work"; cp -r "$dir/." "$work/"; chmod -R u+w "$work"
  (
    cd "$work" &&
    { [ ! -f shim/go.mod ] || GOWORK= go work init . ./shim; } &&
    GOWORK="$work/go.work" go build -p "$gopar" -trimpath \
      -ldflags "-X github.com/pulumi/pulumi-random/provider/v4/pkg/version.Version=${rv#v}" \
      -o "$bin/pulumi-resource-random" ./cmd/pulumi-resource-random
  ) >>"$logf" 2>&1 && log "pulumi-resource-random $rv built" ||
    log "pulumi-resource-random $rv: build failed (see $logf)"
  return 0
}

# --------------------------------------------------------------------------------------------
# Minimal Node.js language host (our own code; upstream's module is not on the Go proxy here).
_pcli_langhost_source() {
  cat <<'GOEOF'
// Command pulumi-language-nodejs: a minimal Pulumi language host for Node.js programs, generated
// by scripts/pulumi-cli.sh of pulumi-dnn-smtp. It implements the LanguageRuntime gRPC service of
// github.com/pulumi/pulumi/sdk/v3: GetPluginInfo, GetRequiredPackages (node_modules packages whose
// package.json has "pulumi": {"resource": true}), Run (node [nodeargs] @pulumi/pulumi/cmd/run with
// the flags and PULUMI_CONFIG* variables the SDK reads), RunPlugin (policy packs through
// @pulumi/pulumi/cmd/run-policy-pack, other Node plugins through cmd/run-plugin), About; other
// methods answer Unimplemented.
// Runtime options from Pulumi.yaml: typescript (bool, default true), tsconfig (string),
// nodeargs (string, shell-split).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/google/shlex"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// Exit code of @pulumi/pulumi/cmd/run meaning "an actionable message was already shown".
const exitCodeBail = 32

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
	tracing       string
}

func main() {
	h := &host{}
	var rest []string
	args := os.Args[1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-tracing" || a == "--tracing":
			if i+1 < len(args) {
				h.tracing = args[i+1]
				i++
			}
		case strings.HasPrefix(a, "-tracing=") || strings.HasPrefix(a, "--tracing="):
			h.tracing = a[strings.Index(a, "=")+1:]
		case strings.HasPrefix(a, "-"):
			// other flags (e.g. -root, -logtostderr, -v=N) are accepted and ignored
		default:
			rest = append(rest, a)
		}
	}
	if len(rest) > 0 {
		h.engineAddress = rest[len(rest)-1]
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: could not start server: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(1)
	}
}

func (h *host) Handshake(ctx context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(ctx context.Context, _ *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

type options struct {
	typescript bool
	tsconfig   string
	nodeargs   []string
}

func parseOptions(info *pulumirpc.ProgramInfo) (options, error) {
	o := options{typescript: true}
	if info == nil || info.GetOptions() == nil {
		return o, nil
	}
	m := info.GetOptions().AsMap()
	if v, ok := m["typescript"]; ok {
		b, ok := v.(bool)
		if !ok {
			return o, errors.New("typescript option must be a boolean")
		}
		o.typescript = b
	}
	if v, ok := m["tsconfig"]; ok {
		s, ok := v.(string)
		if !ok {
			return o, errors.New("tsconfig option must be a string")
		}
		o.tsconfig = s
	}
	if v, ok := m["nodeargs"]; ok {
		s, ok := v.(string)
		if !ok {
			return o, errors.New("nodeargs option must be a string")
		}
		args, err := shlex.Split(s)
		if err != nil {
			return o, fmt.Errorf("nodeargs: %w", err)
		}
		o.nodeargs = args
	}
	return o, nil
}

func programDir(req *pulumirpc.RunRequest) string {
	if d := req.GetInfo().GetProgramDirectory(); d != "" {
		return d
	}
	return req.GetPwd()
}

// resolveModule resolves a module specifier (e.g. "@pulumi/pulumi/cmd/run") from dir with node.
func resolveModule(nodeBin, spec, dir string) (string, error) {
	cmd := exec.Command(nodeBin, "-e",
		"console.log(require.resolve(process.argv[1], { paths: [process.cwd()] }))", spec)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("cannot resolve %s from %s (is @pulumi/pulumi installed?): %s",
				spec, dir, strings.TrimSpace(string(ee.Stderr)))
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not find node on the $PATH: " + err.Error()}, nil
	}
	dir := programDir(req)
	runSpec := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH")
	if runSpec == "" {
		runSpec = "@pulumi/pulumi/cmd/run"
	}
	runPath, err := resolveModule(nodeBin, runSpec, dir)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	opts, err := parseOptions(req.GetInfo())
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	// Config: the SDK reads PULUMI_CONFIG as {"<ns>:config:<name>": value} (old key format, which
	// every SDK version understands) and PULUMI_CONFIG_SECRET_KEYS as a JSON array.
	cfg := map[string]string{}
	for k, v := range req.GetConfig() {
		key, err := config.ParseKey(k)
		if err != nil {
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("bad config key %q: %v", k, err)}, nil
		}
		cfg[key.Namespace()+":config:"+key.Name()] = v
	}
	cfgJSON, _ := json.Marshal(cfg)
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretJSON, _ := json.Marshal(secretKeys)

	env := append(os.Environ(), "PULUMI_CONFIG="+string(cfgJSON), "PULUMI_CONFIG_SECRET_KEYS="+string(secretJSON))
	if opts.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if opts.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfig)
	}

	args := append([]string{}, opts.nodeargs...)
	args = append(args, runPath)
	add := func(k, v string) {
		if v != "" {
			args = append(args, "--"+k, v)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", h.engineAddress)
	add("organization", req.GetOrganization())
	add("project", req.GetProject())
	add("root-directory", req.GetInfo().GetRootDirectory())
	add("stack", req.GetStack())
	add("pwd", dir)
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	add("tracing", h.tracing)
	entry := req.GetInfo().GetEntryPoint()
	if entry == "" {
		entry = req.GetProgram() //nolint:staticcheck
	}
	if entry == "" {
		entry = "."
	}
	args = append(args, entry)
	args = append(args, req.GetArgs()...)

	cmd := exec.CommandContext(ctx, nodeBin, args...)
	cmd.Dir = dir
	cmd.Env = env
	// Wrap the writers so node cannot change the blocking mode of our own stdout/stderr.
	cmd.Stdout = struct{ *os.File }{os.Stdout}
	cmd.Stderr = struct{ *os.File }{os.Stderr}
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ee.ExitCode() == exitCodeBail {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{
				Error: fmt.Sprintf("Program exited with non-zero exit code: %d", ee.ExitCode()),
			}, nil
		}
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("Problem executing program (could not run language executor): %v", err),
		}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// streamWriter sends what a plugin prints back to the engine, one message per write.
type streamWriter struct {
	mu   *sync.Mutex
	send func(chunk []byte) error
}

func (w streamWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.send(append([]byte(nil), p...)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// RunPlugin runs a plugin written in Node.js: for kind "analyzer" (a policy pack) the SDK's
// cmd/run-policy-pack, otherwise cmd/run-plugin, with the engine's arguments and then the
// plugin's folder, as the SDK's entry points expect. Output is streamed; the exit code ends it.
func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return fmt.Errorf("could not find node on the $PATH: %w", err)
	}
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetPwd()
	}
	spec := "@pulumi/pulumi/cmd/run-plugin"
	if req.GetKind() == "analyzer" {
		spec = "@pulumi/pulumi/cmd/run-policy-pack"
	}
	runPath, err := resolveModule(nodeBin, spec, dir)
	if err != nil {
		return err
	}
	opts, err := parseOptions(req.GetInfo())
	if err != nil {
		return err
	}
	args := append([]string{}, opts.nodeargs...)
	args = append(args, runPath)
	args = append(args, req.GetArgs()...)
	args = append(args, dir)

	env := append(os.Environ(), req.GetEnv()...)
	if opts.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	var mu sync.Mutex
	cmd := exec.CommandContext(server.Context(), nodeBin, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout = streamWriter{&mu, func(b []byte) error {
		return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}})
	}}
	cmd.Stderr = streamWriter{&mu, func(b []byte) error {
		return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}})
	}}
	code := int32(0)
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return fmt.Errorf("could not run %s: %w", spec, err)
		}
		code = int32(ee.ExitCode())
	}
	mu.Lock()
	defer mu.Unlock()
	return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: code}})
}

type packageJSON struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Pulumi  struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

// GetRequiredPackages lists the resource plugins of the packages installed in the program's
// node_modules (top level and scoped, following symlinks) whose package.json says
// "pulumi": {"resource": true}. Same rule as upstream: name from pulumi.name or the package name
// without the @pulumi/ scope, version from pulumi.version or the package version.
func (h *host) GetRequiredPackages(ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	resp := &pulumirpc.GetRequiredPackagesResponse{}
	if os.Getenv("PULUMI_LANGUAGE_NODEJS_NO_REQUIRED_PACKAGES") == "true" {
		return resp, nil
	}
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		return resp, nil
	}
	seen := map[string]bool{}
	var pkgDirs []string
	for d := dir; ; d = filepath.Dir(d) {
		nm := filepath.Join(d, "node_modules")
		if entries, err := os.ReadDir(nm); err == nil {
			for _, e := range entries {
				p := filepath.Join(nm, e.Name())
				if strings.HasPrefix(e.Name(), "@") {
					if sub, err := os.ReadDir(p); err == nil {
						for _, s := range sub {
							pkgDirs = append(pkgDirs, filepath.Join(p, s.Name()))
						}
					}
				} else if !strings.HasPrefix(e.Name(), ".") {
					pkgDirs = append(pkgDirs, p)
				}
			}
			break // like Node, the nearest node_modules wins; upstream scans only the program tree
		}
		if filepath.Dir(d) == d || req.GetInfo().GetRootDirectory() == d {
			break
		}
	}
	for _, p := range pkgDirs {
		b, err := os.ReadFile(filepath.Join(p, "package.json"))
		if err != nil {
			continue
		}
		var info packageJSON
		if json.Unmarshal(b, &info) != nil || !info.Pulumi.Resource {
			continue
		}
		name := info.Pulumi.Name
		if name == "" {
			name = strings.TrimPrefix(info.Name, "@pulumi/")
		}
		v := info.Pulumi.Version
		if v == "" {
			v = info.Version
		}
		if name == "" || seen[name+"@"+v] {
			continue
		}
		seen[name+"@"+v] = true
		resp.Packages = append(resp.Packages, &pulumirpc.PackageDependency{
			Name: name, Kind: "resource", Version: v, Server: info.Pulumi.Server,
		})
	}
	return resp, nil
}

func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find node on the $PATH: %w", err)
	}
	out, err := exec.Command(nodeBin, "--version").Output()
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{
		Executable: nodeBin,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
	}, nil
}
GOEOF
}

# --------------------------------------------------------------------------------------------
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  # executed
  _pulumi_cli_main "$@"
  exit $?
else
  # sourced: run in a child bash (strict options stay there), then export the result
  _pulumi_cli_rc=0
  _pulumi_cli_out="$(bash "${BASH_SOURCE[0]}" "$@")" || _pulumi_cli_rc=$?
  if [ "$_pulumi_cli_rc" = 0 ]; then
    PULUMI_BIN_DIR="$(printf '%s\n' "$_pulumi_cli_out" | tail -n 1)"
    export PULUMI_BIN_DIR
    case ":$PATH:" in *":$PULUMI_BIN_DIR:"*) ;; *) export PATH="$PULUMI_BIN_DIR:$PATH" ;; esac
    # node for the language host and the launcher: the project's Node >= 22
    if [ -z "${PROJECT_CACHE:-}" ] || [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -lt 22 ]; then
      _pulumi_cli_opts="$(set +o)"
      # shellcheck source=/dev/null
      source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/env.sh" >&2
      eval "$_pulumi_cli_opts"
      unset _pulumi_cli_opts
    fi
    for _pulumi_cli_arg in "$@"; do
      [ "$_pulumi_cli_arg" = "--offline" ] && pulumi_offline_env
    done
    unset _pulumi_cli_out _pulumi_cli_arg
  else
    unset _pulumi_cli_out
    echo "pulumi-cli: Pulumi CLI not available" >&2
    return "$_pulumi_cli_rc"
  fi
fi
