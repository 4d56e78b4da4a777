#!/usr/bin/env bash
# The README's test command (`npm test`): set-up, lint, type-check, every test.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
npx biome check .
npx tsc -p tsconfig.json --noEmit
npx vitest run "$@"
