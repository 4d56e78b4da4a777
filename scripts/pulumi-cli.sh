#!/usr/bin/env bash
# Makes the real Pulumi CLI available (outside the repository, in the project cache).
#
# Usage
#   bash scripts/pulumi-cli.sh            builds/locates the CLI; progress goes to stderr and the
#                                         LAST stdout line is the bin directory
#   source scripts/pulumi-cli.sh          same, then exports PULUMI_BIN_DIR, prepends it to PATH and
#                                         defines `pulumi_offline_env` (see below)
#   source scripts/pulumi-cli.sh --offline   also runs `pulumi_offline_env`
#   bash scripts/pulumi-cli.sh --check-langhost
#                                         gofmt -l, go vet and go test of our language host's Go package
#                                         (npm test runs it; same Go caches as the build)
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
#          proxy reachable here, so we build a small language host of our own, the Go package
#          scripts/pulumi-cli/langhost (copied into the wrapper module as ./cmd/pulumi-language-nodejs):
#          it speaks the same gRPC protocol (sdk/v3/proto/go) and starts
#          `node [nodeargs] @pulumi/pulumi/cmd/run ...` exactly as the SDK expects (runtime options
#          `typescript`, `tsconfig`, `nodeargs` of Pulumi.yaml are honoured); the sha256 of its
#          source is kept in bin/.langhost.sha256 and a changed source rebuilds the host alone;
#        - pulumi-language-yaml: upstream's YAML language host, `go install
#          github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@$PULUMI_YAML_VERSION` (default
#          v1.25.0; its own module, no replaces), built when missing (PULUMI_CLI_SKIP_YAML=1 skips it);
#        - pulumi-resource-pulumi-nodejs: the dynamic-provider launcher, same as the one shipped in
#          the @pulumi/pulumi npm package (node on @pulumi/pulumi/cmd/dynamic-provider resolved from
#          the program directory, arguments passed through);
#        - pulumi-resource-random, best effort (github.com/pulumi/pulumi-random/provider/v4), only
#          when that module can be fetched (PULUMI_CLI_SKIP_RANDOM=1 skips the attempt).
#      Later runs reuse the binaries (and the Go caches under $PROJECT_CACHE/go); what is missing or
#      out of date (the language hosts) is built alone, without rebuilding `pulumi`.
#   3. otherwise prints how to install Pulumi and fails.
#
# Offline use (local file backend, no network): `pulumi_offline_env [state-dir]` exports
#   PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
#   and, unless already set, PULUMI_HOME=<dir>/home PULUMI_BACKEND_URL=file://<dir>/state
#   PULUMI_CONFIG_PASSPHRASE=... is left to the caller. PULUMI_IGNORE_AMBIENT_PLUGINS must stay unset:
#   it disables the PATH lookup through which the plugins in the bin directory are found.
#
# Environment knobs: PULUMI_CLI_VERSION, PULUMI_CLI_FORCE_BUILD=1, PULUMI_CLI_SKIP_RANDOM=1,
#   PULUMI_RANDOM_VERSION (default: newest served), PULUMI_YAML_VERSION (default v1.25.0),
#   PULUMI_CLI_SKIP_YAML=1, PULUMI_CLI_GO_PARALLEL (go build -p, default 2).

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
  langhost_dir="$root/scripts/pulumi-cli/langhost"

  cli_ok() { # $1 = bin dir: the CLI itself runs
    [ -x "$1/pulumi" ] && "$1/pulumi" version >/dev/null 2>&1
  }
  langhost_ok() { # $1 = bin dir: our Node.js host is built from the current source
    [ -x "$1/pulumi-language-nodejs" ] &&
      [ "$(cat "$1/.langhost.sha256" 2>/dev/null)" = "$(_pcli_langhost_hash)" ]
  }
  yaml_ok() { # $1 = bin dir: the YAML host, at the version asked for (kept in bin/.yaml.version)
    [ "${PULUMI_CLI_SKIP_YAML:-0}" = 1 ] || { [ -x "$1/pulumi-language-yaml" ] &&
      [ "$(cat "$1/.yaml.version" 2>/dev/null)" = "${PULUMI_YAML_VERSION:-v1.25.0}" ]; }
  }
  bin_ok() { # $1 = bin dir: everything there and current
    cli_ok "$1" && langhost_ok "$1" && yaml_ok "$1" && [ -x "$1/pulumi-resource-pulumi-nodejs" ]
  }

  _pcli_go_env
  gopar="${PULUMI_CLI_GO_PARALLEL:-2}"

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
    # binaries built before are still better than none, even if the host's source changed since
    for v in "${candidates[@]}"; do
      b="$cache/pulumi-$v/bin"
      if cli_ok "$b" && [ -x "$b/pulumi-language-nodejs" ] && [ -x "$b/pulumi-resource-pulumi-nodejs" ]; then
        log "no Go toolchain: using $b as built before (language host or YAML host not current)"
        echo "$b"
        return 0
      fi
    done
    cat >&2 <<'EOF'
pulumi-cli: no `pulumi` on PATH and no Go toolchain to build it.
  Install the Pulumi CLI (https://www.pulumi.com/docs/iac/download-install/), e.g.
    curl -fsSL https://get.pulumi.com | sh        # then add ~/.pulumi/bin to PATH
  or install Go >= 1.26 (https://go.dev/dl/) and run this script again to build it from the
  Go modules github.com/pulumi/pulumi/pkg/v3 and sdk/v3.
EOF
    return 1
  fi

  # 2a. a CLI built before: only what is missing or out of date is built (no CLI rebuild).
  # _pcli_build_cli returns 2 when our language host does not build: a fault of its source, which
  # another CLI version would not fix.
  for v in "${candidates[@]}"; do
    cli_ok "$cache/pulumi-$v/bin" && [ -f "$cache/pulumi-$v/src/go.mod" ] || continue
    rc=0; _pcli_build_cli "$v" || rc=$?
    [ "$rc" = 2 ] && return 1
    if [ "$rc" = 0 ]; then
      _pcli_maybe_build_random "$cache/pulumi-$v/bin"
      echo "$cache/pulumi-$v/bin"
      return 0
    fi
  done

  # 2b. build with Go: the wanted version first, then newer ones served by the proxy, newest first.
  tries=("$want")
  if newer="$(cd "$cache" && go list -m -versions github.com/pulumi/pulumi/pkg/v3 2>/dev/null)"; then
    for v in $(echo "$newer" | tr ' ' '\n' | grep '^v3\.' | sort -V -r | head -3); do
      [ "$(printf '%s\n%s\n' "$v" "$want" | sort -V | tail -1)" = "$v" ] && [ "$v" != "$want" ] && tries+=("$v")
    done
  fi
  for v in "${tries[@]}"; do
    rc=0; _pcli_build_cli "$v" || rc=$?
    [ "$rc" = 2 ] && return 1
    if [ "$rc" = 0 ]; then
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
# Go caches under the project cache (reused by later runs, shared by the build and the check).
_pcli_go_env() {
  export GOPATH="${PULUMI_CLI_GOPATH:-$cache/go/path}"
  export GOMODCACHE="${PULUMI_CLI_GOMODCACHE:-$cache/go/mod}"
  export GOCACHE="${PULUMI_CLI_GOCACHE:-$cache/go/build}"
  export GOFLAGS="-mod=mod -buildvcs=false"
  export GOTOOLCHAIN=local
  export GOWORK=off
  mkdir -p "$GOPATH" "$GOMODCACHE" "$GOCACHE"
}

# --------------------------------------------------------------------------------------------
# _pcli_build_cli VERSION: wrapper module in $cache/pulumi-VERSION/src, binaries in .../bin.
# Builds what is missing: the wrapper module and `pulumi` (unless a working one is there), our
# Node.js language host (when its source hash differs), the launcher, the YAML language host.
_pcli_build_cli() {
  local v="$1" top="$cache/pulumi-$1" src bin logf
  src="$top/src"; bin="$top/bin"; logf="$top/build.log"
  mkdir -p "$src/cmd/pulumi-language-nodejs" "$bin"
  local ldflags="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$v"

  if ! [ -f "$src/go.mod" ] || ! cli_ok "$bin"; then
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
    _pcli_copy_langhost "$src/cmd/pulumi-language-nodejs"

    if ! (
      cd "$src" &&
        go get "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$v" "github.com/pulumi/pulumi/sdk/v3@$v" \
          github.com/google/shlex google.golang.org/grpc google.golang.org/protobuf &&
        { cli_ok "$bin" ||
          { go build -p "$gopar" -trimpath -ldflags "$ldflags" -o "$bin/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi &&
            mv "$bin/pulumi.tmp" "$bin/pulumi"; }; }
    ) >>"$logf" 2>&1; then
      tail -20 "$logf" >&2
      return 1
    fi
    rm -f "$bin/.langhost.sha256" # the host goes with the wrapper module just written
  fi

  if ! langhost_ok "$bin"; then
    local started=$SECONDS
    echo "== $(date -u +%FT%TZ) pulumi-language-nodejs from $langhost_dir" >>"$logf"
    _pcli_copy_langhost "$src/cmd/pulumi-language-nodejs"
    # a temporary name of its own, then a rename: a host running meanwhile keeps its binary
    local tmp="$bin/pulumi-language-nodejs.tmp.$BASHPID"
    if ! (cd "$src" && go build -p "$gopar" -trimpath -ldflags "$ldflags" \
      -o "$tmp" ./cmd/pulumi-language-nodejs) >>"$logf" 2>&1; then
      rm -f "$tmp"
      tail -20 "$logf" >&2
      log "building the Node.js language host (scripts/pulumi-cli/langhost) failed (log: $logf)"
      return 2
    fi
    mv "$tmp" "$bin/pulumi-language-nodejs"
    _pcli_langhost_hash >"$bin/.langhost.sha256"
    log "pulumi-language-nodejs built from scripts/pulumi-cli/langhost in $((SECONDS - started))s"
  fi

  [ -x "$bin/pulumi-resource-pulumi-nodejs" ] || _pcli_write_launcher "$bin/pulumi-resource-pulumi-nodejs"
  _pcli_build_yaml "$bin"
  log "pulumi $("$bin/pulumi" version) and its plugins ready in $bin"
}

# _pcli_copy_langhost DIR: the host's source files into DIR (replacing the .go files there)
_pcli_copy_langhost() {
  local f
  mkdir -p "$1"
  rm -f "$1"/*.go
  while read -r f; do cp "$langhost_dir/$f" "$1/$f"; done < <(_pcli_langhost_files)
}

# --------------------------------------------------------------------------------------------
# pulumi-language-yaml (upstream's YAML language host), built when missing or of another version. Its module has no
# replace directives, so `go install module@version` builds it with its own go.mod; failing to
# build it leaves the CLI usable for Node.js programs (the next run tries again).
_pcli_build_yaml() {
  local bin="$1" yv="${PULUMI_YAML_VERSION:-v1.25.0}" logf="$cache/pulumi-yaml.log" started=$SECONDS
  yaml_ok "$bin" && return 0
  log "building pulumi-language-yaml $yv (github.com/pulumi/pulumi-yaml; log $logf)"
  echo "== $(date -u +%FT%TZ) github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@$yv into $bin" >>"$logf"
  if (
    cd "$cache" &&
      GOBIN="$bin" GOFLAGS="-buildvcs=false" go install -p "$gopar" -trimpath \
        -ldflags "-X github.com/pulumi/pulumi-yaml/pkg/version.Version=$yv" \
        "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@$yv"
  ) >>"$logf" 2>&1; then
    echo "$yv" >"$bin/.yaml.version"
    log "pulumi-language-yaml $yv built in $((SECONDS - started))s"
  else
    tail -5 "$logf" >&2
    log "pulumi-language-yaml $yv: build failed (see $logf); YAML programs will not run"
  fi
  return 0
}

# --------------------------------------------------------------------------------------------
# --check-langhost: gofmt -l (must print nothing), go vet and go test (its *_test.go files: the
# dependency listing on a made-up project) of scripts/pulumi-cli/langhost, with
# the build's Go caches (-trimpath as the build, so compiled dependencies are shared) and
# -mod=readonly (go.mod and go.sum must already be complete). Without Go: skipped, an error
# under CI=true.
_pcli_check_langhost() (
  set -euo pipefail
  log() { echo "pulumi-cli: $*" >&2; }
  root="$(cd "$(dirname "$_pulumi_cli_script")/.." && pwd)"
  if [ -z "${PROJECT_CACHE:-}" ]; then
    # shellcheck source=/dev/null
    source "$root/scripts/env.sh" >&2
  fi
  cache="$PROJECT_CACHE"
  langhost_dir="$root/scripts/pulumi-cli/langhost"
  if ! command -v go >/dev/null 2>&1; then
    if [ "${CI:-}" = true ]; then
      log "CI=true and no Go toolchain: cannot check $langhost_dir"
      return 1
    fi
    log "no Go toolchain: gofmt and go vet of $langhost_dir skipped"
    return 0
  fi
  _pcli_go_env
  export GOFLAGS="-mod=readonly -buildvcs=false -trimpath"
  local started=$SECONDS unformatted
  unformatted="$(gofmt -l "$langhost_dir")"
  if [ -n "$unformatted" ]; then
    log "gofmt: not formatted (run gofmt -w on them): $unformatted"
    return 1
  fi
  (cd "$langhost_dir" && go vet ./... && go test ./... >&2)
  log "langhost: gofmt, go vet and go test clean ($((SECONDS - started))s)"
)

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
# Our Node.js language host: the Go package in scripts/pulumi-cli/langhost (upstream's module is not
# on the Go proxy here). The wrapper module builds a copy of its .go files (tests excepted); the hash
# of those files is stored beside the binary, so that a changed source rebuilds the host alone.
_pcli_langhost_files() { # the host's source files, sorted, relative to its folder
  (cd "$langhost_dir" && find . -maxdepth 1 -name '*.go' ! -name '*_test.go' | sed 's|^\./||' | LC_ALL=C sort)
}
_pcli_langhost_hash() {
  (cd "$langhost_dir" && _pcli_langhost_files | xargs sha256sum | sha256sum | cut -d' ' -f1)
}

# --------------------------------------------------------------------------------------------
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  # executed
  if [ "${1:-}" = --check-langhost ]; then
    _pcli_check_langhost
    exit $?
  fi
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
