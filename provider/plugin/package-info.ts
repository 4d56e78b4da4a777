/**
 * What the plugin says about itself: its version (package.json) and its schema (the
 * committed `provider/plugin/schema.json`). Both are read from the package folder, found by
 * walking up from this module, so the same code works from the checkout, from an installed
 * npm package and from the plugin tarball.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

export const PACKAGE_NAME = "pulumi-dnn-smtp";

function packageRoot(): string {
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    try {
      if (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name === PACKAGE_NAME)
        return dir;
    } catch {
      // no package.json here: keep walking up
    }
  }
  throw new Error(`dnn-smtp plugin: no ${PACKAGE_NAME} package.json above ${__dirname}`);
}

const root = packageRoot();

/** The package version, reported to the engine as the plugin version. */
export const VERSION: string = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;

/** The schema text, with the version the engine sees in GetPluginInfo. */
export function schemaText(): string {
  const schema = JSON.parse(readFileSync(join(root, "provider", "plugin", "schema.json"), "utf8"));
  return JSON.stringify({ ...schema, version: VERSION });
}
