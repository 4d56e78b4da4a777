#!/usr/bin/env bash
# The dnn-smtp SDKs (sdk/nodejs, sdk/python, sdk/go, sdk/dotnet), generated from the committed
# schema provider/plugin/schema.json by scripts/sdkgen (Go programs on the code generators of
# github.com/pulumi/pulumi/pkg/v3: `pulumi package gen-sdk` needs the upstream language hosts,
# which are not available here).
#
# Usage
#   bash scripts/sdk.sh                  (npm run sdk) regenerates sdk/ from the schema
#   bash scripts/sdk.sh --check          gofmt and go vet of scripts/sdkgen, then regenerates
#                                        into a temporary folder and fails, naming the files,
#                                        when sdk/ differs (a schema change without `npm run sdk`)
#   bash scripts/sdk.sh --install-example
#                                        compiles sdk/nodejs into
#                                        examples/sdk-typescript/node_modules/@pulumi-dnn-smtp/dnn-smtp
#                                        (what `npm install ../../sdk/nodejs` does, but with the
#                                        examples' one @pulumi/pulumi and TypeScript, no network)
#   bash scripts/sdk.sh --install-nodejs DIR
#                                        the same into DIR/node_modules/@pulumi-dnn-smtp/dnn-smtp
# Options combine (`--check --install-example`, as npm test runs it).
#
# The generators are built once per source version (a hash of scripts/sdkgen) into
# $PROJECT_CACHE/sdkgen/<hash>/, with the Go caches of scripts/pulumi-cli.sh ($PROJECT_CACHE/go):
# a few seconds when those are warm. Without Go, --check is skipped with a message (an error under
# CI=true); --install-* needs no Go.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

SDK_DIR="$PROJECT_ROOT/sdk"
SCHEMA="$PROJECT_ROOT/provider/plugin/schema.json"
SDKGEN_DIR="$PROJECT_ROOT/scripts/sdkgen"
LANGUAGES=(nodejs python go dotnet)
NODE_PACKAGE="@pulumi-dnn-smtp/dnn-smtp"

log() { echo "sdk: $*" >&2; }

go_env() {
  export GOPATH="${PULUMI_CLI_GOPATH:-$PROJECT_CACHE/go/path}"
  export GOMODCACHE="${PULUMI_CLI_GOMODCACHE:-$PROJECT_CACHE/go/mod}"
  export GOCACHE="${PULUMI_CLI_GOCACHE:-$PROJECT_CACHE/go/build}"
  export GOFLAGS="-mod=readonly -buildvcs=false"
  export GOTOOLCHAIN=local GOWORK=off
}

# Prints the folder holding sdkgen and sdkgen-dotnet, built from the current source.
generators() {
  local hash bin started=$SECONDS
  hash="$(cd "$SDKGEN_DIR" && find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) |
    LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)"
  bin="$PROJECT_CACHE/sdkgen/$hash"
  if [ ! -x "$bin/sdkgen" ] || [ ! -x "$bin/sdkgen-dotnet" ]; then
    go_env
    mkdir -p "$bin"
    log "building the SDK generators (scripts/sdkgen) into $bin"
    (cd "$SDKGEN_DIR" && go build -p 2 -trimpath -o "$bin/sdkgen.tmp" . && mv "$bin/sdkgen.tmp" "$bin/sdkgen") >&2
    (cd "$SDKGEN_DIR/dotnet" && go build -p 2 -trimpath -o "$bin/sdkgen-dotnet.tmp" . &&
      mv "$bin/sdkgen-dotnet.tmp" "$bin/sdkgen-dotnet") >&2
    log "generators built in $((SECONDS - started))s"
  fi
  echo "$bin"
}

# generate OUT: every language into OUT/<language>
generate() {
  local bin out="$1"
  bin="$(generators)"
  "$bin/sdkgen" -schema "$SCHEMA" -out "$out" -lang nodejs,python,go 2>/dev/null
  "$bin/sdkgen-dotnet" -schema "$SCHEMA" -out "$out" 2>/dev/null
}

have_go() {
  command -v go >/dev/null 2>&1 && return 0
  if [ "${CI:-}" = true ]; then
    log "CI=true and no Go toolchain: cannot generate the SDKs"
    exit 1
  fi
  return 1
}

check() {
  local tmp started=$SECONDS
  if ! have_go; then
    log "no Go toolchain: the check that sdk/ is what the schema generates is skipped"
    return 0
  fi
  # the generators' own source: gofmt-clean and go vet
  local unformatted
  unformatted="$(gofmt -l "$SDKGEN_DIR")"
  if [ -n "$unformatted" ]; then
    log "gofmt: not formatted (run gofmt -w on them): $unformatted"
    return 1
  fi
  (go_env && cd "$SDKGEN_DIR" && go vet -trimpath . && cd dotnet && go vet -trimpath .)
  tmp="$(mktemp -d)"
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" RETURN
  generate "$tmp"
  local lang differ=0
  for lang in "${LANGUAGES[@]}"; do
    # build output and installed dependencies are not part of the SDK (.gitignore of each SDK)
    if ! diff -r -q -x node_modules -x bin -x __pycache__ -x '*.egg-info' -x build \
      "$tmp/$lang" "$SDK_DIR/$lang" >&2; then
      differ=1
    fi
  done
  if [ "$differ" = 1 ]; then
    log "sdk/ is not what provider/plugin/schema.json generates: run \`npm run sdk\` and commit sdk/"
    return 1
  fi
  log "sdk/ matches the schema (${LANGUAGES[*]}; $((SECONDS - started))s)"
}

# install_nodejs DIR: compiles sdk/nodejs into DIR/node_modules/@pulumi-dnn-smtp/dnn-smtp with the
# TypeScript found from DIR (the examples' own), as its postinstall script would.
install_nodejs() {
  local dir dest tsc started=$SECONDS
  mkdir -p "$1"
  dir="$(cd "$1" && pwd)"
  dest="$dir/node_modules/$NODE_PACKAGE"
  # the project's TypeScript, else the repository's; @pulumi/pulumi must resolve from DIR
  tsc="$(cd "$dir" && node -p 'require.resolve("typescript/bin/tsc", { paths: [".", process.argv[1]] })' "$PROJECT_ROOT")"
  rm -rf "$dest"
  mkdir -p "$dest"
  cp -r "$SDK_DIR/nodejs/." "$dest/"
  (cd "$dest" && node "$tsc" --types node && cp package.json bin/package.json)
  log "$NODE_PACKAGE compiled into ${dest#"$PROJECT_ROOT/"} ($((SECONDS - started))s)"
}

if [ $# = 0 ]; then
  have_go || {
    log "Go is needed to generate the SDKs (https://go.dev/dl/)"
    exit 1
  }
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  generate "$tmp"
  for lang in "${LANGUAGES[@]}"; do
    rm -rf "${SDK_DIR:?}/$lang"
    mkdir -p "$SDK_DIR"
    cp -r "$tmp/$lang" "$SDK_DIR/$lang"
  done
  log "generated sdk/{$(IFS=,; echo "${LANGUAGES[*]}")} from provider/plugin/schema.json"
  exit 0
fi

while [ $# -gt 0 ]; do
  case "$1" in
  --check) check ;;
  --install-example) install_nodejs "$PROJECT_ROOT/examples/sdk-typescript" ;;
  --install-nodejs)
    install_nodejs "${2:?--install-nodejs needs a folder}"
    shift
    ;;
  *)
    echo "usage: bash scripts/sdk.sh [--check] [--install-example] [--install-nodejs DIR]" >&2
    exit 2
    ;;
  esac
  shift
done
