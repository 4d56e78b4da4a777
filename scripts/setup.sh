#!/usr/bin/env bash
# Sourced by test.sh, demo.sh and bench.sh: everything a fresh machine needs.
#   1. Node >= 22 on PATH (env.sh),
#   2. the npm dependencies (npm ci when the lock file changed),
#   3. Debian packages some suites need, when running as root on Debian,
#   4. the compiled package in dist/, installed into examples/node_modules.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$PROJECT_ROOT"

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi

# Debian packages used by the test suites: a browser for the stand-in page test,
# a second, independent SMTP implementation (exim4) and openssl for certificates
# and the crypto cross-check. Only installed when we may (root on Debian);
# elsewhere the suites that need them report themselves skipped.
# A script needing fewer (the demo) names them in SYSTEM_PACKAGES_NEEDED.
read -r -a SYSTEM_PACKAGES <<<"${SYSTEM_PACKAGES_NEEDED:-chromium exim4-daemon-heavy openssl python3-cryptography swaks}"
ensure_system_packages() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: apt-get install ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    # exim4 starts a system daemon on port 25 when installed; our tests run their own.
    if command -v service >/dev/null 2>&1; then service exim4 stop >/dev/null 2>&1 || true; fi
  else
    echo "setup: not root on Debian; suites needing ${missing[*]} will be skipped" >&2
  fi
}
if [ "${SKIP_SYSTEM_PACKAGES:-}" != 1 ]; then ensure_system_packages "${SYSTEM_PACKAGES[@]}"; fi

# The build (tsc), unless dist/ is newer than every source: scripts/prepare.mjs, npm's `prepare`
# script, which `npm ci` above and the examples' install below also run (each time cheaply).
npm run --silent prepare >&2

# The examples install the package from this checkout as a real copy (install-links),
# the way users get it from the registry; the copy is refreshed after every build.
(
  cd examples
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "setup: installing the examples' npm dependencies" >&2
    npm ci --no-audit --no-fund --loglevel=error >&2
  else
    rm -rf node_modules/pulumi-dnn-smtp
    npm install --no-audit --no-fund --loglevel=error >&2
  fi
)
