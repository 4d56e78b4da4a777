/**
 * Runs the real Pulumi CLI on throwaway projects, offline: a local file backend, a
 * passphrase secrets provider, no update checks, no plugin downloads. Projects live under
 * `examples/.e2e/` so that their programs and the dynamic-provider plugin resolve
 * `@pulumi/pulumi` and `pulumi-dnn-smtp` from `examples/node_modules` (one copy of each).
 */
import { spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { EXAMPLES_DIR } from "./plugin";

export const PASSPHRASE = "e2e-test-passphrase";
/** The CLI version scripts/pulumi-cli.sh builds. */
export const PULUMI_VERSION = process.env.PULUMI_CLI_VERSION ?? "v3.274.1";

function cacheDir(): string {
  return (
    process.env.PROJECT_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "pulumi-dnn-smtp")
  );
}

/** The folder holding `pulumi` and its launchers, or undefined when the CLI is not available. */
export function pulumiBinDir(): string | undefined {
  const candidates = [
    process.env.PULUMI_BIN_DIR,
    join(cacheDir(), `pulumi-${PULUMI_VERSION}`, "bin"),
    ...(process.env.PATH ?? "").split(delimiter),
  ];
  return candidates.find(
    (dir) =>
      dir && existsSync(join(dir, "pulumi")) && existsSync(join(dir, "pulumi-language-nodejs")),
  );
}

/** Why the CLI suites cannot run here, or undefined when they can. Under CI=true that is an error. */
export function pulumiSkipReason(): string | undefined {
  const reason = pulumiBinDir()
    ? undefined
    : "the Pulumi CLI is not available (scripts/pulumi-cli.sh builds it where Go is installed)";
  if (reason && process.env.CI === "true") throw new Error(`CI=true and ${reason}`);
  if (reason) console.warn(`skipped: ${reason}`);
  return reason;
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ProjectOptions {
  /** A name for the project folder and the Pulumi project. */
  readonly name: string;
  /** The program, `index.ts`. */
  readonly program: string;
  /** Stack config: plain values, or `{ secret }` for `config set --secret`. Keys may be namespaced (`dnn:url`). */
  readonly config?: Readonly<Record<string, string | { secret: string }>>;
  /** Extra environment for every command (e.g. DNN_PASSWORD). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface PulumiProject {
  readonly dir: string;
  readonly stateDir: string;
  /** Runs `pulumi <args>` in the project, non-interactively, and never throws on exit codes. */
  run(args: readonly string[], env?: Readonly<Record<string, string>>): Promise<RunResult>;
  /** Like `run`, but throws with the output when the exit code is not 0. */
  ok(args: readonly string[], env?: Readonly<Record<string, string>>): Promise<RunResult>;
  /** Replaces the program. */
  writeProgram(source: string): void;
  /** `pulumi stack export` (secrets stay encrypted). */
  exportStack(): Promise<Record<string, any>>;
  /** Every file of the backend's state folder, concatenated. */
  stateFilesText(): string;
  /** Every command's output so far. */
  log(): string;
  destroy(): Promise<void>;
}

const TIMEOUT_MS = 300_000;

/** A command line for the log, the value of `config set --secret` masked. */
function shown(args: readonly string[]): string {
  const secretAt = args.indexOf("--secret");
  if (secretAt < 0 || args[0] !== "config") return args.join(" ");
  return [...args.slice(0, -1), "[secret]"].join(" ");
}

/** Creates a project with a `dev` stack and its config. */
export async function createProject(options: ProjectOptions): Promise<PulumiProject> {
  const bin = pulumiBinDir();
  if (!bin) throw new Error("the Pulumi CLI is not available");
  const base = join(EXAMPLES_DIR, ".e2e");
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, `${options.name}-`));
  const stateDir = join(dir, ".state");
  mkdirSync(stateDir);
  writeFileSync(
    join(dir, "Pulumi.yaml"),
    `name: ${options.name}\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n`,
  );
  writeFileSync(join(dir, "index.ts"), options.program);
  let log = "";
  const env = {
    ...process.env,
    PATH: `${bin}${delimiter}${process.env.PATH}`,
    PULUMI_HOME: join(dir, ".pulumi-home"),
    PULUMI_BACKEND_URL: `file://${stateDir}`,
    PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
    ...options.env,
  };

  const run = (
    args: readonly string[],
    extra: Readonly<Record<string, string>> = {},
  ): Promise<RunResult> =>
    new Promise((resolve, reject) => {
      const child = spawn(join(bin, "pulumi"), ["--non-interactive", ...args], {
        cwd: dir,
        env: { ...env, ...extra },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => {
        stdout += d;
      });
      child.stderr.on("data", (d) => {
        stderr += d;
      });
      const timer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT_MS);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        log += `$ pulumi ${shown(args)}\n${stdout}${stderr}\n`;
        resolve({ code: code ?? -1, stdout, stderr });
      });
    });

  const ok = async (args: readonly string[], extra?: Readonly<Record<string, string>>) => {
    const result = await run(args, extra);
    if (result.code !== 0)
      throw new Error(
        `pulumi ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`,
      );
    return result;
  };

  try {
    await ok(["stack", "init", "dev"]);
    for (const [key, value] of Object.entries(options.config ?? {})) {
      // "--" ends the flags: a value may start with dashes (a PEM certificate).
      if (typeof value === "string") await ok(["config", "set", "--", key, value]);
      else await ok(["config", "set", "--secret", "--", key, value.secret]);
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const filesText = (folder: string): string =>
    readdirSync(folder)
      .map((name) => join(folder, name))
      .map((path) =>
        statSync(path).isDirectory() ? filesText(path) : readFileSync(path, "latin1"),
      )
      .join("\n");

  return {
    dir,
    stateDir,
    run,
    ok,
    writeProgram: (source) => writeFileSync(join(dir, "index.ts"), source),
    exportStack: async () => JSON.parse((await ok(["stack", "export"])).stdout),
    stateFilesText: () => filesText(stateDir),
    log: () => log,
    destroy: async () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
