#!/usr/bin/env bash
# npm run bench: what the provider costs, against floors measured in the same run.
# Prints a table and writes bench/results.json; BENCHMARKS.md explains every figure.
# Everything runs on 127.0.0.1; every loop is bounded in count and time (about 10-15 minutes
# on two cores). The CLI figures need the Pulumi CLI: without it they are omitted, with the
# reason in results.json.
# Of the Debian packages the tests use, the benchmarks need openssl (test certificates) and
# exim4 (a second SMTP server for the precheck figure; skipped with a note when missing).
export SYSTEM_PACKAGES_NEEDED="${SYSTEM_PACKAGES_NEEDED:-openssl exim4-daemon-heavy}"
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
# shellcheck source=/dev/null
source "$PROJECT_ROOT/scripts/pulumi-cli.sh" ||
  echo "bench: the Pulumi CLI is not available; the preview and up figures will be omitted" >&2

cd "$PROJECT_ROOT"
exec npx vitest run --config bench/vitest.config.mts --reporter=dot "$@"
