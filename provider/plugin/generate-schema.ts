/**
 * `npm run schema`: writes `provider/plugin/schema.json`, the package schema of the
 * `dnn-smtp` plugin, from the sources (see `schema-gen.ts`). Commit the result; the SDKs
 * are generated from it and a test checks it is current.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateSchema, projectRoot } from "./schema-gen";

const root = projectRoot();
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const target = join(root, "provider", "plugin", "schema.json");
writeFileSync(target, `${JSON.stringify(generateSchema(version, root), null, 2)}\n`);
// In the repository's formatting, so that the lint (biome) passes on the generated file.
execFileSync("npx", ["biome", "format", "--write", target], { cwd: root, stdio: "ignore" });
console.log(`wrote ${target}`);
