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

/** A resource of `pulumi stack export`: the fields the tests read. */
export interface ExportedResource {
  readonly urn: string;
  readonly type: string;
  /** Absent on a component resource (the stack). */
  readonly id?: string;
  /** Absent when the resource has none (the engine omits an empty map). */
  readonly inputs: Record<string, unknown> | undefined;
  readonly outputs: Record<string, unknown> | undefined;
  readonly initErrors?: string[];
}

/** What `pulumi stack export` prints: a version 3 deployment. */
export interface StackExport {
  readonly version: number;
  readonly deployment: {
    readonly resources: ExportedResource[];
    readonly [key: string]: unknown;
  };
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
  exportStack(): Promise<StackExport>;
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

/** Every file under `folder`, concatenated. */
export function filesText(folder: string): string {
  return readdirSync(folder)
    .map((name) => join(folder, name))
    .map((path) => (statSync(path).isDirectory() ? filesText(path) : readFileSync(path, "latin1")))
    .join("\n");
}

/**
 * The environment of a throwaway project's commands: `path` as PATH, its own PULUMI_HOME, a
 * local file backend in `stateDir`, a passphrase, no update checks, downloads or prompts.
 */
export function offlineEnv(
  path: string,
  dir: string,
  stateDir: string,
  passphrase: string,
): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: path,
    PULUMI_HOME: join(dir, ".pulumi-home"),
    PULUMI_BACKEND_URL: `file://${stateDir}`,
    PULUMI_CONFIG_PASSPHRASE: passphrase,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
  };
}

export interface CliOptions {
  /** The folder holding `pulumi`. */
  readonly bin: string;
  /** Where the commands run. */
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  /** A command still running after this long is killed. */
  readonly timeoutMs: number;
  /** A command line for the log. */
  readonly shown: (args: readonly string[]) => string;
  /** A command line for the error of `ok`. */
  readonly failed: (args: readonly string[]) => string;
}

/** A project's commands: `run` and `ok` of PulumiProject, and the log they write. */
export interface ProjectCli {
  run(args: readonly string[], env?: Readonly<Record<string, string>>): Promise<RunResult>;
  ok(args: readonly string[], env?: Readonly<Record<string, string>>): Promise<RunResult>;
  log(): string;
}

/** Runs `pulumi <args>` in the project, non-interactively, and never throws on exit codes. */
export function spawnPulumi(
  options: Pick<CliOptions, "bin" | "dir" | "env" | "timeoutMs">,
  args: readonly string[],
  extra: Readonly<Record<string, string>>,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(options.bin, "pulumi"), ["--non-interactive", ...args], {
      cwd: options.dir,
      env: { ...options.env, ...extra },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** The commands of a project, each logged with its output. */
export function projectCli(options: CliOptions): ProjectCli {
  let log = "";
  const run = async (args: readonly string[], extra: Readonly<Record<string, string>> = {}) => {
    const result = await spawnPulumi(options, args, extra);
    log += `$ pulumi ${options.shown(args)}\n${result.stdout}${result.stderr}\n`;
    return result;
  };
  const ok = async (args: readonly string[], extra?: Readonly<Record<string, string>>) => {
    const result = await run(args, extra);
    if (result.code !== 0)
      throw new Error(
        `pulumi ${options.failed(args)} exited ${result.code}\n${result.stdout}\n${result.stderr}`,
      );
    return result;
  };
  return { run, ok, log: () => log };
}

/** A new folder under examples/.e2e with the project file, the program and a state folder. */
function writeProjectDir(options: ProjectOptions): string {
  const base = join(EXAMPLES_DIR, ".e2e");
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, `${options.name}-`));
  mkdirSync(join(dir, ".state"));
  writeFileSync(
    join(dir, "Pulumi.yaml"),
    `name: ${options.name}\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n`,
  );
  writeFileSync(join(dir, "index.ts"), options.program);
  return dir;
}

/** `stack init dev` and the stack's config; the project folder is removed when one fails. */
async function initStack(cli: ProjectCli, dir: string, options: ProjectOptions): Promise<void> {
  try {
    await cli.ok(["stack", "init", "dev"]);
    for (const [key, value] of Object.entries(options.config ?? {})) {
      // "--" ends the flags: a value may start with dashes (a PEM certificate).
      if (typeof value === "string") await cli.ok(["config", "set", "--", key, value]);
      else await cli.ok(["config", "set", "--secret", "--", key, value.secret]);
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Creates a project with a `dev` stack and its config. */
export async function createProject(options: ProjectOptions): Promise<PulumiProject> {
  const bin = pulumiBinDir();
  if (!bin) throw new Error("the Pulumi CLI is not available");
  const dir = writeProjectDir(options);
  const stateDir = join(dir, ".state");
  const cli = projectCli({
    bin,
    dir,
    env: {
      ...offlineEnv(`${bin}${delimiter}${process.env.PATH}`, dir, stateDir, PASSPHRASE),
      ...options.env,
    },
    timeoutMs: TIMEOUT_MS,
    shown,
    failed: (args) => args.join(" "),
  });
  await initStack(cli, dir, options);
  return {
    dir,
    stateDir,
    run: cli.run,
    ok: cli.ok,
    writeProgram: (source) => writeFileSync(join(dir, "index.ts"), source),
    exportStack: async () => JSON.parse((await cli.ok(["stack", "export"])).stdout),
    stateFilesText: () => filesText(stateDir),
    log: cli.log,
    destroy: async () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
