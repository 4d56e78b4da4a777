/**
 * Installing the package from git, as README's "Install" says: `npm install git+<url>` of this
 * repository's HEAD commit into a fresh project (outside the repository) must give a built
 * package (npm runs its `prepare` script), loadable with `require`.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, test } from "vitest";

const ROOT = resolve(__dirname, "..");
const INSTALL_TIMEOUT_MS = 300_000;

/** Runs a command; resolves with its output, rejects with it on a non-zero exit or timeout. */
function run(command: string, args: readonly string[], cwd: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, CI: "true" } });
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), INSTALL_TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise(output);
      else reject(new Error(`${command} ${args.join(" ")} exited ${code}\n${output}`));
    });
  });
}

/** The files of a folder, recursively, relative to it; nested node_modules left out. */
function filesUnder(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : filesUnder(dir, path);
    return [path];
  });
}

describe("npm install git+file://<this repository>#<HEAD>", () => {
  const project = mkdtempSync(join(tmpdir(), "pulumi-dnn-smtp-install-"));
  const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
  const installed = join(project, "node_modules", "pulumi-dnn-smtp");

  afterAll(() => {
    rmSync(project, { recursive: true, force: true });
  });

  test(
    "installs a built package that require() loads",
    async () => {
      // npm 12 and later run a git dependency's prepare only when the project allows it (the
      // key of a git dependency is its URL), and fetch git dependencies only with --allow-git;
      // npm 11 runs it anyway and warns.
      writeFileSync(
        join(project, "package.json"),
        JSON.stringify(
          { name: "install-check", private: true, allowScripts: { [`git+file://${ROOT}`]: true } },
          null,
          2,
        ),
      );
      // The npm cache of this machine is used first (the repository's npm ci filled it).
      await run(
        "npm",
        [
          "install",
          "--no-audit",
          "--no-fund",
          "--prefer-offline",
          "--loglevel=error",
          "--allow-git=all",
          `git+file://${ROOT}#${head}`,
        ],
        project,
      );

      const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
      expect(manifest.name).toBe("pulumi-dnn-smtp");
      for (const file of ["dist/provider/index.js", "dist/provider/index.d.ts"])
        expect(existsSync(join(installed, file)), file).toBe(true);
      // what `files` leaves out stays out: sources, tests, scripts, the build's stamp
      const shipped = filesUnder(installed);
      expect(shipped.filter((f) => /(?<!\.d)\.ts$/.test(f))).toEqual([]);
      for (const path of ["test", "scripts", "node_modules/typescript", "dist/.prepared"])
        expect(existsSync(join(installed, path)), path).toBe(false);
      // @pulumi/pulumi, the peer dependency, is installed beside it by npm
      expect(existsSync(join(project, "node_modules/@pulumi/pulumi/package.json"))).toBe(true);

      const exported = await run(
        process.execPath,
        [
          "-e",
          `const m = require("pulumi-dnn-smtp");
           if (typeof m.SmtpSettings !== "function") throw new Error("no SmtpSettings export");
           console.log(JSON.stringify(Object.keys(m).sort()));`,
        ],
        project,
      );
      expect(JSON.parse(exported.trim().split("\n").pop() ?? "[]")).toContain("SmtpSettings");
    },
    INSTALL_TIMEOUT_MS + 30_000,
  );
});
