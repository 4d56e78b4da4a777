// npm's `prepare` script: builds dist/ (tsc -p tsconfig.build.json), so that the package works
// however it is installed.
//   - `npm install git+https://...`: npm clones the repository, installs its devDependencies,
//     runs prepare, then packs the `files` of package.json: without it there would be no dist/.
//   - `npm pack` / `npm publish`: the tarball holds a fresh build.
//   - `npm ci` / `npm install` in this repository, and the examples' install of the checkout
//     (npm install-links runs the folder's prepare): cheap, because nothing is rebuilt when
//     dist/.prepared is newer than every input (sources, tsconfig, package files).
// Without TypeScript (`npm ci --omit=dev`) it says so and leaves dist/ as it is.
// `node scripts/prepare.mjs --force` builds whatever the stamp says.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const stamp = join(root, "dist", ".prepared");
const say = (text) => process.stderr.write(`prepare: ${text}\n`);

/** The newest modification time among the build's inputs, in milliseconds. */
function newestInput() {
  let newest = 0;
  const visit = (path) => {
    if (!existsSync(path)) return;
    const st = statSync(path);
    if (st.isDirectory()) {
      for (const name of readdirSync(path)) if (name !== "node_modules") visit(join(path, name));
    } else newest = Math.max(newest, st.mtimeMs);
  };
  for (const input of [
    "provider",
    "standin",
    "tsconfig.json",
    "tsconfig.build.json",
    "package.json",
    "package-lock.json",
  ])
    visit(join(root, input));
  return newest;
}

const upToDate = () =>
  existsSync(stamp) &&
  existsSync(join(root, "dist/provider/index.js")) &&
  statSync(stamp).mtimeMs >= newestInput();

if (!process.argv.includes("--force") && upToDate()) process.exit(0);

let tsc;
try {
  tsc = createRequire(join(root, "package.json")).resolve("typescript/bin/tsc");
} catch {
  say("typescript is not installed (devDependencies omitted?): dist/ not built");
  process.exit(0);
}

// The stamp gets the time the build started (less a second of timestamp slack): a file saved
// while tsc runs is newer, and the next prepare builds again.
const started = (Date.now() - 1000) / 1000;
const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
  cwd: root,
  stdio: "inherit",
});
if (result.status !== 0) {
  say(`tsc -p tsconfig.build.json failed (${result.error?.message ?? `exit ${result.status}`})`);
  process.exit(result.status || 1);
}
mkdirSync(join(root, "dist"), { recursive: true });
writeFileSync(stamp, "dist/ built by scripts/prepare.mjs; newer than every input = up to date\n");
utimesSync(stamp, started, started);
