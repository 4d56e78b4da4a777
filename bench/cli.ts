/**
 * The CLI figures: `pulumi preview`, `pulumi up` and `pulumi refresh` with the real CLI on a
 * stack of N SmtpSettings (site scope, one per site of the stand-in), each against the same
 * stack of N no-op dynamic resources with the same arguments: the engine's own floor.
 *
 * - `previewRatioN`, `upRatioN`: every timed round changes one field of every resource, so
 *   preview shows N updates (check + diff) and up applies N updates (for SmtpSettings: one
 *   POST and one read-back GET each, one login per site). Rounds interleave floor and
 *   subject (A/B, then B/A).
 * - growth (issue 14, item 3): the same stacks at 50, 200 and 1,000 resources, five
 *   commands each: preview and up with one field changed on every resource, preview and up
 *   with nothing changed, and refresh. Each command's time on both stacks; the slopes per
 *   resource come from these (bench/run.ts). The stand-in counts what each command sent.
 *
 * Wall time of the CLI process, which includes starting the language host, the program
 * (TypeScript), the plugin and the engine's state handling: the same on both sides.
 */

import { spawn } from "node:child_process";
import { delimiter, join } from "node:path";
import type { Standin } from "../standin/server";
import {
  createProject,
  PASSPHRASE,
  type PulumiProject,
  pulumiBinDir,
  type RunResult,
} from "../test/support/pulumi";
import { SITE_PASSWORD, SITE_USER } from "./apply";
import { type Comparison, compare, interleaveMany, nowMs } from "./stats";

/** Arguments shared by both programs; `relay<round % 2>` changes every round. */
export const ARGS = `{
    site: { url: \`\${base}/site\${i}\` },
    scope: "site" as const,
    server: \`relay\${round % 2}.example.com:587\`,
    authentication: "basic" as const,
    username: "mailer@example.com",
    password: "Bench-Relay-Pa55",
    enableSsl: true,
    precheck: { level: "none" as const },
  }`;

export const HEADER = `
import * as pulumi from "@pulumi/pulumi";
const base = process.env.BENCH_DNN_URL ?? "";
const n = Number(process.env.BENCH_N ?? "0");
const round = Number(process.env.BENCH_ROUND ?? "0");
`;

const SMTP_PROGRAM = `${HEADER}
import { SmtpSettings } from "pulumi-dnn-smtp";
for (let i = 1; i <= n; i++) new SmtpSettings(\`site\${i}\`, ${ARGS});
`;

/**
 * The engine's floor: a dynamic provider that does nothing beyond telling a change from
 * none (so that a preview or up with nothing changed shows N unchanged, as ours does).
 */
export const NOOP_PROVIDER = `
const provider: pulumi.dynamic.ResourceProvider = {
  check: async (_olds, news) => ({ inputs: news }),
  diff: async (_id, olds, news) => ({
    changes: Object.keys(news).some((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k])),
    replaces: [],
    deleteBeforeReplace: false,
  }),
  create: async (inputs) => ({ id: String(inputs.site?.url ?? "noop"), outs: inputs }),
  update: async (_id, _olds, news) => ({ outs: news }),
};
`;

const NOOP_PROGRAM = `${HEADER}${NOOP_PROVIDER}
class Noop extends pulumi.dynamic.Resource {
  constructor(name: string, props: Record<string, unknown>) {
    super(provider, name, props, undefined, "bench", "Noop");
  }
}
for (let i = 1; i <= n; i++) new Noop(\`site\${i}\`, ${ARGS});
`;

/**
 * The floor with the one secret the job has: the no-op provider, the relay password a
 * secret input as SmtpSettings makes it (the README promises it is always a secret). What
 * the engine does for a secret (it encrypts it into every snapshot it serializes) is in
 * this floor; what our resource class, provider and state add is not.
 */
const NOOP_SECRET_PROGRAM = `${HEADER}${NOOP_PROVIDER}
class Noop extends pulumi.dynamic.Resource {
  constructor(name: string, props: Record<string, unknown>) {
    super(provider, name, props, undefined, "bench", "Noop");
  }
}
for (let i = 1; i <= n; i++) {
  const args = ${ARGS};
  new Noop(\`site\${i}\`, { ...args, password: pulumi.secret(args.password) });
}
`;

/**
 * The plugin face (provider/plugin/, the \`dnn-smtp\` resource plugin), from the same Node
 * program: its resource token, the same arguments; the site credentials from the provider's
 * config (\`dnn-smtp:username\`, \`dnn-smtp:password\`).
 */
const FACE_PROGRAM = `${HEADER}
class Face extends pulumi.CustomResource {
  constructor(name: string, props: pulumi.Inputs) {
    super("dnn-smtp:index:SmtpSettings", name, props);
  }
}
for (let i = 1; i <= n; i++) {
  const args = ${ARGS};
  new Face(\`site\${i}\`, { ...args, password: pulumi.secret(args.password) });
}
`;

/** The commands timed for the growth table. */
export const COMMANDS = [
  "previewChanged",
  "upChanged",
  "previewSame",
  "upSame",
  "refresh",
] as const;
export type Command = (typeof COMMANDS)[number];

/** One command on both stacks: milliseconds (the median of the runs when there are several). */
export interface CommandTimes {
  readonly floorMs: number;
  readonly subjectMs: number;
  readonly runs: number;
}

/** Requests the stand-in saw during one command on our stack. */
export interface CommandCounts {
  readonly logins: number;
  readonly gets: number;
  readonly posts: number;
  readonly other: number;
}

export interface CliResult {
  readonly n: number;
  /** Interleaved rounds, one field changed (absent in a growth-only run). */
  readonly preview?: Comparison;
  readonly up?: Comparison;
  /** Ours over the floor with the job's one secret (same rounds as `preview`). */
  readonly previewOverSecretFloor?: Comparison;
  /** The secret floor over the no-op floor: what the secret alone costs the engine. */
  readonly secretFloorOverFloor?: Comparison;
  /** The plugin face over the no-op floor (same rounds), when it was measured. */
  readonly face?: { readonly preview: Comparison; readonly up: Comparison };
  /** Why the plugin face was not measured although asked for. */
  readonly faceError?: string;
  /** Every command's time on both stacks. */
  readonly growth: Partial<Record<Command, CommandTimes>>;
  /** What each command sent to the stand-in, for our stack. */
  readonly counts: Partial<Record<Command, CommandCounts>>;
  /** Commands left out because the bench's time ran out. */
  readonly skipped: readonly Command[];
  /** The first up of each stack (N creates), untimed for the ratio, for the reader. */
  readonly firstUpMs: Readonly<Record<string, number>>;
  /** Commands that failed once and were run again (untimed failures). */
  readonly retries: readonly string[];
}

export interface CliOptions {
  /** Interleaved rounds of the changed preview and up; 0: one run of each (growth only). */
  readonly rounds: number;
  readonly budgetMs: number;
  /** After this (`nowMs()`), the once-each commands are skipped and listed as such. */
  readonly deadlineMs?: number;
  /** The plugin face's folder (its launcher `pulumi-resource-dnn-smtp`), to measure it too. */
  readonly faceDir?: string;
}

/** Why the CLI figures cannot be measured here, or undefined when they can. */
export function cliUnavailableReason(): string | undefined {
  return pulumiBinDir()
    ? undefined
    : "the Pulumi CLI with its Node language host is not available (scripts/pulumi-cli.sh builds it where Go is installed)";
}

async function project(
  name: string,
  program: string,
  env: Record<string, string>,
  namespace = "dnn",
) {
  return createProject({
    name,
    program,
    config: {
      [`${namespace}:username`]: SITE_USER,
      [`${namespace}:password`]: { secret: SITE_PASSWORD },
    },
    env,
  });
}

const LOGIN_PATH = "/API/JwtAuth/mobile/login";

/**
 * The environment test/support/pulumi.ts gives a project's commands, for `runLong`: the
 * support's runner kills a command after 5 minutes, which an up of 1,000 resources on a
 * loaded machine exceeds.
 */
function projectEnv(p: PulumiProject): Record<string, string> {
  const bin = pulumiBinDir() as string;
  return {
    PATH: `${bin}${delimiter}${process.env.PATH}`,
    PULUMI_HOME: join(p.dir, ".pulumi-home"),
    PULUMI_BACKEND_URL: `file://${p.stateDir}`,
    PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
  };
}

/** Like `PulumiProject.run`, with a 20-minute limit. */
function runLong(
  p: PulumiProject,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  base: Readonly<Record<string, string>>,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const bin = pulumiBinDir() as string;
    const child = spawn(join(bin, "pulumi"), ["--non-interactive", ...args], {
      cwd: p.dir,
      env: { ...process.env, ...longEnv, ...base, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 20 * 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
/** The project's own extra environment (BENCH_DNN_URL, BENCH_N), set by measureCli. */
let longEnv: Record<string, string> = {};

export async function measureCli(
  standin: Standin,
  n: number,
  options: CliOptions,
): Promise<CliResult> {
  const env = { BENCH_DNN_URL: standin.url, BENCH_N: String(n) };
  longEnv = env;
  const projects: PulumiProject[] = [];
  const retries: string[] = [];
  try {
    const smtp = await project(`bench-smtp-${n}`, SMTP_PROGRAM, env);
    projects.push(smtp);
    const noop = await project(`bench-noop-${n}`, NOOP_PROGRAM, env);
    projects.push(noop);
    // Only for the interleaved ratios (not the growth table).
    const secretFloor =
      options.rounds > 0
        ? await project(`bench-noop-secret-${n}`, NOOP_SECRET_PROGRAM, env)
        : undefined;
    if (secretFloor) projects.push(secretFloor);
    let face =
      options.rounds > 0 && options.faceDir
        ? await project(
            `bench-face-${n}`,
            FACE_PROGRAM,
            { ...env, PATH: `${options.faceDir}${delimiter}${process.env.PATH}` },
            "dnn-smtp",
          )
        : undefined;
    if (face) projects.push(face);
    // The value (round) each stack's state holds.
    const state = new Map<PulumiProject, number>();
    // Times one command and checks that it did what it should to every resource (a run that
    // changed nothing would be a cheap, meaningless figure).
    // A failed command is run once more (another process refreshing examples/node_modules
    // can break one run); the failed attempt is not timed, and it is counted.
    const timed = async (p: PulumiProject, command: Command | "create", round: number) => {
      const args =
        command === "refresh"
          ? ["refresh", "--yes", "--skip-preview"]
          : command.startsWith("preview")
            ? ["preview"]
            : ["up", "--yes", "--skip-preview"];
      // The first up (untimed set-up) skips the engine's intermediate checkpoints: at 1,000
      // resources it would otherwise take longer than the test support's 5-minute limit.
      const extra = { BENCH_ROUND: String(round) };
      const env = command === "create" ? { ...extra, PULUMI_SKIP_CHECKPOINTS: "true" } : extra;
      const run = (a: string[]) => (n >= 1000 ? runLong(p, a, env, projectEnv(p)) : p.run(a, env));
      let started = nowMs();
      let result = await run(args);
      if (result.code !== 0) {
        const said = `${result.stdout}\n${result.stderr}`.trim().split("\n");
        retries.push(
          `pulumi ${args.join(" ")} exited ${result.code}: ${said.slice(-3).join(" | ")}`,
        );
        started = nowMs();
        result = await run(args);
        if (result.code !== 0)
          throw new Error(
            `pulumi ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`,
          );
      }
      const elapsed = nowMs() - started;
      const { stdout } = result;
      const expect =
        command === "create"
          ? /\b(\d+) created\b/
          : command === "previewChanged"
            ? /\b(\d+) to update\b/
            : command === "upChanged"
              ? /\b(\d+) updated\b/
              : /\b(\d+) unchanged\b/;
      const count = expect.exec(stdout)?.[1];
      if (Number(count) < n)
        throw new Error(
          `pulumi ${args.join(" ")} (${command}) did not touch ${n} resources:\n${stdout}`,
        );
      if (command === "create" || command === "upChanged") state.set(p, round);
      return elapsed;
    };
    const roundFor = (p: PulumiProject, command: Command) =>
      (state.get(p) ?? 0) + (command.endsWith("Changed") ? 1 : 0);
    const run = (p: PulumiProject, command: Command) => timed(p, command, roundFor(p, command));

    const firstUpMs: Record<string, number> = {
      smtp: await timed(smtp, "create", 0),
      noop: await timed(noop, "create", 0),
      ...(secretFloor ? { secretFloor: await timed(secretFloor, "create", 0) } : {}),
    };
    // The plugin face is measured when it works; its failure costs only its own rows.
    let faceError: string | undefined;
    if (face) {
      try {
        firstUpMs.face = await timed(face, "create", 0);
      } catch (error) {
        faceError = (error as Error).message.slice(-2000);
        face = undefined;
      }
    }

    const growth: Partial<Record<Command, CommandTimes>> = {};
    const counts: Partial<Record<Command, CommandCounts>> = {};
    const skipped: Command[] = [];
    // What our stack sends, counted on a run of its own.
    const counted = async (command: Command): Promise<number> => {
      standin.requests.clear();
      const ms = await run(smtp, command);
      const seen = standin.requests.list();
      const logins = seen.filter((r) => r.path.includes(LOGIN_PATH)).length;
      const gets = seen.filter((r) => r.method === "GET").length;
      const posts = seen.filter((r) => r.method === "POST" && !r.path.includes(LOGIN_PATH)).length;
      counts[command] = { logins, gets, posts, other: seen.length - logins - gets - posts };
      return ms;
    };

    let preview: Comparison | undefined;
    let up: Comparison | undefined;
    let previewOverSecretFloor: Comparison | undefined;
    let secretFloorOverFloor: Comparison | undefined;
    let faceResult: CliResult["face"];
    if (options.rounds > 0) {
      // Out of budget after one round: a ratio of one round, which the table says.
      const half = { rounds: options.rounds, budgetMs: options.budgetMs / 2, minRounds: 1 };
      const ours = (command: Command) => () =>
        counts[command] ? run(smtp, command) : counted(command);
      // The state holds value r: every preview of r + 1 shows N updates.
      const previews = await interleaveMany(
        () => run(noop, "previewChanged"),
        {
          ours: ours("previewChanged"),
          ...(secretFloor ? { secretFloor: () => run(secretFloor, "previewChanged") } : {}),
          ...(face ? { face: () => run(face, "previewChanged") } : {}),
        },
        half,
      );
      // Each round applies the next value to every stack: N updates each.
      const ups = await interleaveMany(
        () => run(noop, "upChanged"),
        {
          ours: ours("upChanged"),
          ...(face ? { face: () => run(face, "upChanged") } : {}),
        },
        half,
      );
      preview = previews.compare("ours");
      up = ups.compare("ours");
      const secretRuns = previews.runs.secretFloor;
      if (secretRuns) {
        previewOverSecretFloor = compare(secretRuns, previews.runs.ours ?? []);
        secretFloorOverFloor = previews.compare("secretFloor");
      }
      if (face) faceResult = { preview: previews.compare("face"), up: ups.compare("face") };
      growth.previewChanged = times(preview);
      growth.upChanged = times(up);
    }
    // The rest once each, floor first, then ours (counted).
    for (const command of COMMANDS) {
      if (growth[command]) continue;
      if (options.deadlineMs !== undefined && nowMs() > options.deadlineMs) {
        skipped.push(command);
        continue;
      }
      const floorMs = await run(noop, command);
      const subjectMs = await counted(command);
      growth[command] = { floorMs, subjectMs, runs: 1 };
    }
    return {
      n,
      preview,
      up,
      previewOverSecretFloor,
      secretFloorOverFloor,
      face: faceResult,
      faceError,
      growth,
      skipped,
      counts,
      firstUpMs,
      retries,
    };
  } finally {
    for (const p of projects) await p.destroy();
  }
}

/** The growth table's entry of an interleaved comparison: the medians of all its runs. */
function times(c: Comparison): CommandTimes {
  return { floorMs: c.floorMedianMs, subjectMs: c.subjectMedianMs, runs: c.floorRuns.length };
}

/** Least-squares slope of y over x: milliseconds per resource. */
export function slope(points: ReadonlyArray<readonly [number, number]>): number {
  const mx = points.reduce((a, [x]) => a + x, 0) / points.length;
  const my = points.reduce((a, [, y]) => a + y, 0) / points.length;
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}
