#!/usr/bin/env bash
# The README's test command (`npm test`): set-up, the Pulumi CLI (built from Go modules on
# the first run, then reused), lint (Go: gofmt, go vet and go test of the language host), type-check,
# every test.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
source "$PROJECT_ROOT/scripts/pulumi-cli.sh" >/dev/null || echo "test: no Pulumi CLI; its suites will say they were skipped" >&2
# Our language host's Go source (scripts/pulumi-cli/langhost): gofmt -l, go vet and go test,
# with the CLI build's Go caches (about a second once they are warm).
bash "$PROJECT_ROOT/scripts/pulumi-cli.sh" --check-langhost
npx biome check .
npx tsc -p tsconfig.json --noEmit
bash "$PROJECT_ROOT/scripts/sdk.sh" --check --install-example # sdk/ current; the TS SDK compiled for examples/sdk-typescript
# The examples are checked with their own TypeScript, the one their programs run with.
(cd examples && npx tsc -p tsconfig.json)
npx vitest run "$@"
