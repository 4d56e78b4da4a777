#!/usr/bin/env bash
# The README's test command (`npm test`): set-up, the Pulumi CLI (built from Go modules on
# the first run, then reused), lint, type-check, every test.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
source "$PROJECT_ROOT/scripts/pulumi-cli.sh" >/dev/null || echo "test: no Pulumi CLI; its suites will say they were skipped" >&2
npx biome check .
npx tsc -p tsconfig.json --noEmit
# The examples are checked with their own TypeScript, the one their programs run with.
(cd examples && npx tsc -p tsconfig.json)
npx vitest run "$@"
