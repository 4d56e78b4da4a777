#!/usr/bin/env bash
# Lays out the `dnn-smtp` resource plugin as `pulumi plugin install` expects it, and packs it.
#
#   bash provider/plugin/pack.sh OUT_DIR [--link-node-modules | --copy-node-modules]
#
# OUT_DIR/plugin/ gets: the launcher `pulumi-resource-dnn-smtp`, the compiled JavaScript
# (dist/), package.json, the schema (provider/plugin/schema.json) and node_modules with the
# production dependencies (`npm install --omit=dev`; @pulumi/pulumi comes as the peer
# dependency). With --copy-node-modules, the same dependencies are copied from this
# checkout's node_modules instead (offline; tests install that tarball). With
# --link-node-modules, node_modules is a symlink to this checkout's (tests: fastest; the
# folder works in place, but `pulumi plugin install` refuses such a tarball).
# OUT_DIR/pulumi-resource-dnn-smtp-v<version>-<os>-<arch>.tar.gz is the plugin tarball:
#   pulumi plugin install resource dnn-smtp <version> --file <that tarball>
# No PulumiPlugin.yaml goes in: with one, the engine would run the folder through a Node
# language host instead of the launcher (see the README, "Use from C#, Python, Go, YAML").
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:?usage: pack.sh OUT_DIR [--link-node-modules]}"
link="${2:-}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
dir="$out/plugin"
rm -rf "$dir"
mkdir -p "$dir/provider/plugin"

version="$(node -p "require('$root/package.json').version")"
(cd "$root" && npx tsc -p tsconfig.build.json --outDir "$dir/dist") >&2 || {
  # tsc emits even with type errors elsewhere; only a missing entry point is fatal.
  [ -f "$dir/dist/provider/plugin/main.js" ] || exit 1
  echo "pack: tsc reported errors (see above); the plugin's entry point was emitted" >&2
}
find "$dir/dist" -name '*.test.*' -delete
# The plugin's package.json: the package's, without dev dependencies and scripts, and with
# @pulumi/pulumi (a peer dependency of the library, the plugin's gRPC stubs) as a dependency
# at the version this checkout builds with.
node -e '
  const [src, dst, pulumiVersion] = process.argv.slice(1);
  const pkg = require(src);
  delete pkg.devDependencies;
  delete pkg.scripts;
  delete pkg.peerDependencies;
  pkg.dependencies = { ...pkg.dependencies, "@pulumi/pulumi": pulumiVersion };
  require("fs").writeFileSync(dst, JSON.stringify(pkg, null, 2) + "\n");
' "$root/package.json" "$dir/package.json" \
  "$(node -p "require('$root/node_modules/@pulumi/pulumi/package.json').version")"
cp "$root/provider/plugin/schema.json" "$dir/provider/plugin/"
cp "$root/provider/plugin/pulumi-resource-dnn-smtp" "$dir/"
chmod +x "$dir/pulumi-resource-dnn-smtp"
if [ "$link" = "--link-node-modules" ]; then
  ln -s "$root/node_modules" "$dir/node_modules"
elif [ "$link" = "--copy-node-modules" ]; then
  # The dependency closure of the plugin's package.json, resolved the way Node resolves it
  # from the checkout, copied to the same place under the plugin's node_modules.
  node -e '
    const fs = require("fs"), path = require("path");
    const [root, dir] = process.argv.slice(1);
    const seen = new Set();
    const visit = (name, from) => {
      let pkgJson;
      try {
        pkgJson = require.resolve(`${name}/package.json`, { paths: [from] });
      } catch {
        // exports without ./package.json: walk up from the main entry
        let d = path.dirname(require.resolve(name, { paths: [from] }));
        while (!fs.existsSync(path.join(d, "package.json"))) d = path.dirname(d);
        pkgJson = path.join(d, "package.json");
      }
      const pkgDir = path.dirname(pkgJson);
      if (seen.has(pkgDir)) return;
      seen.add(pkgDir);
      const pkg = JSON.parse(fs.readFileSync(pkgJson, "utf8"));
      for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
        try { visit(dep, pkgDir); } catch { /* optional dependency not installed */ }
      }
    };
    const top = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    for (const dep of Object.keys(top.dependencies)) visit(dep, root);
    for (const pkgDir of seen) {
      const rel = path.relative(root, pkgDir);
      fs.cpSync(pkgDir, path.join(dir, rel), { recursive: true, dereference: true,
        filter: (src) => !src.slice(pkgDir.length).includes("/node_modules/") });
    }
    console.error(`pack: copied ${seen.size} packages from ${root}/node_modules`);
  ' "$root" "$dir"
else
  (cd "$dir" && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error) >&2
fi

os="$(uname -s | tr '[:upper:]' '[:lower:]')"
case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64 | arm64) arch=arm64 ;; *) arch="$(uname -m)" ;; esac
tarball="$out/pulumi-resource-dnn-smtp-v$version-$os-$arch.tar.gz"
tar -czf "$tarball" -C "$dir" .
echo "$tarball"
