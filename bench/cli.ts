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

import { delimiter, join } from "node:path";
import type { Standin } from "../standin/server";
import {
  createProject,
  PASSPHRASE,
  type PulumiProject,
  pulumiBinDir,
  type RunResult,
  spawnPulumi,
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
  const options = {
    bin: pulumiBinDir() as string,
    dir: p.dir,
    env: { ...process.env, ...longEnv, ...base },
    timeoutMs: 20 * 60_000,
  };
  return spawnPulumi(options, args, env);
}
/** The project's own extra environment (BENCH_DNN_URL, BENCH_N), set by measureCli. */
let longEnv: Record<string, string> = {};

/** The stacks of one size: ours, the no-op floor, and those only the ratios need. */
interface Stacks {
  readonly smtp: PulumiProject;
  readonly noop: PulumiProject;
  /** Only for the interleaved ratios (not the growth table). */
  readonly secretFloor?: PulumiProject;
  readonly face?: PulumiProject;
}

/** Creates the stacks, each listed in `projects` as soon as it exists (to be destroyed). */
async function createStacks(
  n: number,
  env: Record<string, string>,
  options: CliOptions,
  projects: PulumiProject[],
): Promise<Stacks> {
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
  const face =
    options.rounds > 0 && options.faceDir
      ? await project(
          `bench-face-${n}`,
          FACE_PROGRAM,
          { ...env, PATH: `${options.faceDir}${delimiter}${process.env.PATH}` },
          "dnn-smtp",
        )
      : undefined;
  if (face) projects.push(face);
  return { smtp, noop, secretFloor, face };
}

/** The CLI arguments of a command. */
function commandArgs(command: Command | "create"): string[] {
  return command === "refresh"
    ? ["refresh", "--yes", "--skip-preview"]
    : command.startsWith("preview")
      ? ["preview"]
      : ["up", "--yes", "--skip-preview"];
}

/** What the CLI prints when a command did its work to a resource (and the count before it). */
function touchedPattern(command: Command | "create"): RegExp {
  return command === "create"
    ? /\b(\d+) created\b/
    : command === "previewChanged"
      ? /\b(\d+) to update\b/
      : command === "upChanged"
        ? /\b(\d+) updated\b/
        : /\b(\d+) unchanged\b/;
}

/**
 * Runs `args`, timed. A failed command is run once more (another process refreshing
 * examples/node_modules can break one run); the failed attempt is not timed, and it is counted.
 */
async function runTimedWithRetry(
  run: (args: string[]) => Promise<RunResult>,
  args: string[],
  retries: string[],
): Promise<{ result: RunResult; elapsed: number }> {
  let started = nowMs();
  let result = await run(args);
  if (result.code !== 0) {
    const said = `${result.stdout}\n${result.stderr}`.trim().split("\n");
    retries.push(`pulumi ${args.join(" ")} exited ${result.code}: ${said.slice(-3).join(" | ")}`);
    started = nowMs();
    result = await run(args);
    if (result.code !== 0)
      throw new Error(
        `pulumi ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`,
      );
  }
  return { result, elapsed: nowMs() - started };
}

/** Runs commands on the stacks of N resources; remembers the value each stack's state holds. */
function commandRunner(n: number, retries: string[]) {
  // The value (round) each stack's state holds.
  const state = new Map<PulumiProject, number>();
  // Times one command and checks that it did what it should to every resource (a run that
  // changed nothing would be a cheap, meaningless figure).
  const timed = async (p: PulumiProject, command: Command | "create", round: number) => {
    const args = commandArgs(command);
    // The first up (untimed set-up) skips the engine's intermediate checkpoints: at 1,000
    // resources it would otherwise take longer than the test support's 5-minute limit.
    const extra = { BENCH_ROUND: String(round) };
    const env = command === "create" ? { ...extra, PULUMI_SKIP_CHECKPOINTS: "true" } : extra;
    const run = (a: string[]) => (n >= 1000 ? runLong(p, a, env, projectEnv(p)) : p.run(a, env));
    const { result, elapsed } = await runTimedWithRetry(run, args, retries);
    const { stdout } = result;
    const count = touchedPattern(command).exec(stdout)?.[1];
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
  return { timed, run };
}
type Runner = ReturnType<typeof commandRunner>;

/**
 * The first up of every stack (N creates; untimed for the ratios). The plugin face is
 * measured when it works; its failure costs only its own rows (`face` is then dropped).
 */
async function firstUps(
  stacks: Stacks,
  timed: Runner["timed"],
): Promise<{ firstUpMs: Record<string, number>; stacks: Stacks; faceError?: string }> {
  const { smtp, noop, secretFloor, face } = stacks;
  const firstUpMs: Record<string, number> = {
    smtp: await timed(smtp, "create", 0),
    noop: await timed(noop, "create", 0),
    ...(secretFloor ? { secretFloor: await timed(secretFloor, "create", 0) } : {}),
  };
  if (!face) return { firstUpMs, stacks };
  try {
    firstUpMs.face = await timed(face, "create", 0);
    return { firstUpMs, stacks };
  } catch (error) {
    const faceError = (error as Error).message.slice(-2000);
    return { firstUpMs, stacks: { ...stacks, face: undefined }, faceError };
  }
}

/** What our stack sends, counted on a run of its own: a command that records its counts. */
function countedOn(
  standin: Standin,
  run: Runner["run"],
  smtp: PulumiProject,
  counts: Partial<Record<Command, CommandCounts>>,
) {
  return async (command: Command): Promise<number> => {
    standin.requests.clear();
    const ms = await run(smtp, command);
    const seen = standin.requests.list();
    const logins = seen.filter((r) => r.path.includes(LOGIN_PATH)).length;
    const gets = seen.filter((r) => r.method === "GET").length;
    const posts = seen.filter((r) => r.method === "POST" && !r.path.includes(LOGIN_PATH)).length;
    counts[command] = { logins, gets, posts, other: seen.length - logins - gets - posts };
    return ms;
  };
}

type Ratios = Pick<
  CliResult,
  "preview" | "up" | "previewOverSecretFloor" | "secretFloorOverFloor" | "face"
>;

/** The changed preview and up, interleaved with the floor (A/B, then B/A): the ratios. */
async function interleavedRatios(
  { smtp, noop, secretFloor, face }: Stacks,
  run: Runner["run"],
  counted: (command: Command) => Promise<number>,
  counts: Partial<Record<Command, CommandCounts>>,
  options: CliOptions,
): Promise<Ratios> {
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
  const secretRuns = previews.runs.secretFloor;
  return {
    preview: previews.compare("ours"),
    up: ups.compare("ours"),
    ...(secretRuns
      ? {
          previewOverSecretFloor: compare(secretRuns, previews.runs.ours ?? []),
          secretFloorOverFloor: previews.compare("secretFloor"),
        }
      : {}),
    ...(face ? { face: { preview: previews.compare("face"), up: ups.compare("face") } } : {}),
  };
}

/** The commands the ratios did not time, once each, floor first, then ours (counted). */
async function onceEach(
  growth: Partial<Record<Command, CommandTimes>>,
  run: Runner["run"],
  counted: (command: Command) => Promise<number>,
  noop: PulumiProject,
  deadlineMs: number | undefined,
): Promise<Command[]> {
  const skipped: Command[] = [];
  for (const command of COMMANDS) {
    if (growth[command]) continue;
    if (deadlineMs !== undefined && nowMs() > deadlineMs) {
      skipped.push(command);
      continue;
    }
    const floorMs = await run(noop, command);
    const subjectMs = await counted(command);
    growth[command] = { floorMs, subjectMs, runs: 1 };
  }
  return skipped;
}

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
    const created = await createStacks(n, env, options, projects);
    const { timed, run } = commandRunner(n, retries);
    const { firstUpMs, stacks, faceError } = await firstUps(created, timed);
    const growth: Partial<Record<Command, CommandTimes>> = {};
    const counts: Partial<Record<Command, CommandCounts>> = {};
    const counted = countedOn(standin, run, stacks.smtp, counts);
    const ratios: Ratios =
      options.rounds > 0 ? await interleavedRatios(stacks, run, counted, counts, options) : {};
    if (ratios.preview) growth.previewChanged = times(ratios.preview);
    if (ratios.up) growth.upChanged = times(ratios.up);
    const skipped = await onceEach(growth, run, counted, stacks.noop, options.deadlineMs);
    return {
      n,
      preview: ratios.preview,
      up: ratios.up,
      previewOverSecretFloor: ratios.previewOverSecretFloor,
      secretFloorOverFloor: ratios.secretFloorOverFloor,
      face: ratios.face,
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
