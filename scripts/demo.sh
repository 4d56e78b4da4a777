#!/usr/bin/env bash
# The README's main job (`npm run demo`): set-up, the Pulumi CLI (built from Go modules on
# the first run), then the quickstart against the local DNN stand-in.
export SYSTEM_PACKAGES_NEEDED="openssl"
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
source "$PROJECT_ROOT/scripts/pulumi-cli.sh"
node "$PROJECT_ROOT/scripts/demo.mjs" "$@"
