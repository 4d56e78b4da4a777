/**
 * Issue 16 item 11: a project made by `pulumi new typescript` (strict, no `skipLibCheck`,
 * no `esModuleInterop`, module commonjs, target es2020) must type-check with this package
 * installed: its public declaration files may not pull in zod's (63 TS1259 errors).
 *
 * The package is packed with `npm pack` (from the build in dist/, as `npm test` leaves it),
 * the tarball unpacked into a fresh project's node_modules as npm installs it, its
 * dependencies and `@pulumi/pulumi` linked from this checkout (no registry needed), and
 * test/types/new-user-program.ts compiled there importing "pulumi-dnn-smtp".
 *
 * The template installs TypeScript 5 (`typescript ^5`): 5.9 compiles the template as is.
 * TypeScript 6 refuses its `"moduleResolution": "node"` (TS5107, deprecated) unless
 * `"ignoreDeprecations": "6.0"` is set; both ways out are tested: that flag, and
 * `"moduleResolution": "bundler"`, which TypeScript 6 accepts with module commonjs. (TS 6
 * also always has `esModuleInterop` on, so only TS 5 shows zod's TS1259 errors.)
 */
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

const ROOT = resolve(__dirname, "..");
/** TypeScript 6 (this repository's) and 5.9 (what `pulumi new` installs: `typescript ^5`, here from examples/). */
const TSC_6 = join(ROOT, "node_modules/typescript/bin/tsc");
const TSC_5 = join(ROOT, "examples/node_modules/typescript/bin/tsc");
const built = existsSync(join(ROOT, "dist/provider/index.d.ts"));
if (!built && process.env.CI === "true")
  throw new Error("dist/ is missing: run `npm run build` (npm test builds first)");

/** The tsconfig `pulumi new typescript` writes (templates/typescript/tsconfig.json). */
const PULUMI_NEW_TSCONFIG = {
  compilerOptions: {
    strict: true,
    outDir: "bin",
    target: "es2020",
    module: "commonjs",
    moduleResolution: "node",
    sourceMap: true,
    experimentalDecorators: true,
    pretty: false,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
    forceConsistentCasingInFileNames: true,
  },
  files: ["index.ts"],
};

const DEPENDENCIES = ["@pulumi/pulumi", "@types/node", "zod", "nodemailer"];

let project = "";

beforeAll(() => {
  if (!built) return;
  project = mkdtempSync(join(tmpdir(), "pulumi-dnn-smtp-new-user-"));
  const packed = execFileSync("npm", ["pack", "--silent", "--pack-destination", project], {
    cwd: ROOT,
    encoding: "utf8",
  })
    .trim()
    .split("\n")
    .pop();
  const modules = join(project, "node_modules");
  mkdirSync(modules);
  execFileSync("tar", ["-xzf", join(project, packed ?? ""), "-C", modules]);
  renameSync(join(modules, "package"), join(modules, "pulumi-dnn-smtp"));
  for (const dependency of DEPENDENCIES) {
    const target = join(ROOT, "node_modules", dependency);
    mkdirSync(dirname(join(modules, dependency)), { recursive: true });
    symlinkSync(target, join(modules, dependency), "dir");
  }
  const program = readFileSync(join(ROOT, "test/types/new-user-program.ts"), "utf8").replace(
    'from "../../provider";',
    'from "pulumi-dnn-smtp";',
  );
  expect(program).toContain('from "pulumi-dnn-smtp";');
  writeFileSync(join(project, "index.ts"), program);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "mail", main: "index.ts" }));
}, 120_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

/** Runs tsc in the project with a tsconfig; resolves with its output and exit code. */
function tsc(
  compiler: string,
  compilerOptions: Record<string, unknown>,
): { code: number; output: string } {
  const tsconfig = {
    ...PULUMI_NEW_TSCONFIG,
    compilerOptions: { ...PULUMI_NEW_TSCONFIG.compilerOptions, ...compilerOptions },
  };
  writeFileSync(join(project, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
  try {
    const output = execFileSync(process.execPath, [compiler, "-p", project, "--noEmit"], {
      cwd: project,
      encoding: "utf8",
    });
    return { code: 0, output };
  } catch (error) {
    const e = error as { status?: number; stdout?: string; stderr?: string };
    return { code: e.status ?? 1, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

describe.skipIf(!built)("a `pulumi new typescript` project with the packed package", () => {
  test("no public declaration file reaches zod", () => {
    const seen = new Set<string>();
    const zod: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(
        /(?:import|export)[^;]*?from\s+"([^"]+)"|import\("([^"]+)"\)/g,
      )) {
        const spec = m[1] ?? m[2] ?? "";
        if (spec.startsWith("."))
          visit(resolve(dirname(file), `${spec.replace(/\.js$/, "")}.d.ts`));
        else if (spec === "zod" || spec.startsWith("zod/")) zod.push(file.slice(project.length));
      }
    };
    visit(join(project, "node_modules/pulumi-dnn-smtp/dist/provider/index.d.ts"));
    expect(seen.size).toBeGreaterThan(3);
    expect(zod).toEqual([]);
  });

  test.skipIf(!existsSync(TSC_5))(
    "TypeScript 5.9 passes with the template as is",
    () => {
      const { code, output } = tsc(TSC_5, {});
      expect(output).toBe("");
      expect(code).toBe(0);
    },
    120_000,
  );

  test('TypeScript 6 passes with the template plus "ignoreDeprecations": "6.0"', () => {
    const { code, output } = tsc(TSC_6, { ignoreDeprecations: "6.0" });
    expect(output).toBe("");
    expect(code).toBe(0);
  }, 120_000);

  test('TypeScript 6 passes with "moduleResolution": "bundler" (no deprecated option)', () => {
    const { code, output } = tsc(TSC_6, { moduleResolution: "bundler" });
    expect(output).toBe("");
    expect(code).toBe(0);
  }, 120_000);

  test("the template's moduleResolution node alone is refused by TypeScript 6 itself", () => {
    const { output } = tsc(TSC_6, {});
    expect(output).toContain("TS5107");
  }, 120_000);
});
