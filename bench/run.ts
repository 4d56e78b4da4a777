/**
 * `npm run bench`: what the provider costs, against its floor measured in the same run.
 * Runs every benchmark of this folder in turn, prints a table and writes bench/results.json.
 * Timings are only ever ratios to a floor timed in alternation with them; the rest are
 * deterministic counts (asserted in test/deterministic-counts.test.ts).
 *
 * Run through vitest (bench/vitest.config.mts) only for its TypeScript loader: this file
 * asserts nothing, and the provider it times is the installed JavaScript (bench/installed.ts).
 * Every loop is bounded in count and in time; everything listens on 127.0.0.1 only.
 */
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { test } from "vitest";
import { type Standin, startStandin } from "../standin/server";
import { type PackedPlugin, packPlugin } from "../test/support/plugin-face";
import { COMPARISONS, measureApply, SITE_PASSWORD, SITE_USER } from "./apply";
import { measureCheckDiff } from "./check-diff";
import {
  type CliResult,
  COMMANDS,
  type CommandCounts,
  type CommandTimes,
  cliUnavailableReason,
  measureCli,
  slope,
} from "./cli";
import { Figures, growthTable, type Key, s1 } from "./figures";
import { assertInstalled, versions } from "./installed";
import { measurePluginFaceRss, measurePluginRss, type PluginRssResult } from "./plugin-rss";
import {
  eximTarget,
  measurePrecheck,
  measureSessions,
  type SmtpTarget,
  smtpServerTarget,
} from "./precheck";
import { measureProviderText } from "./provider-text";
import { nowMs, round } from "./stats";

/** Where the figures go; BENCH_RESULTS names another file (the N=1,000 growth run). */
const RESULTS = process.env.BENCH_RESULTS
  ? resolve(process.env.BENCH_RESULTS)
  : join(__dirname, "results.json");
/**
 * The N=1,000 growth does not fit in the 20 minutes of `npm run bench` on two cores (ten CLI
 * commands on 1,000 resources). It is a run of its own, bounded the same way:
 *   BENCH_ONLY=cli BENCH_CLI_SIZES=1000 BENCH_RESULTS=bench/growth-1000.json npm run bench
 * and the main run takes its times from that file for the slopes, saying so.
 */
const GROWTH_1000 = join(__dirname, "growth-1000.json");
const MINUTE = 60_000;

/**
 * For trying one part: BENCH_ONLY=apply,cli (sections: text, checkdiff, apply, precheck, rss,
 * cli) and BENCH_CLI_SIZES=50,1000. A partial run still writes bench/results.json.
 */
const ONLY = process.env.BENCH_ONLY?.split(",");
const runs = (part: string) => !ONLY || ONLY.includes(part);
const CLI_SIZES = process.env.BENCH_CLI_SIZES?.split(",").map(Number);

/**
 * The whole bench (set-up included, 1 to 3 minutes) stays under 20 minutes: bench/run.ts has
 * 17; sections that would not fit shrink or are omitted, and say so.
 */
const BUDGET_MS = Number(process.env.BENCH_BUDGET_MIN ?? 17) * MINUTE;

/** What every section writes to: the figures, the raw runs, and the time left. */
interface Bench {
  readonly figures: Figures;
  readonly details: Record<string, unknown>;
  /** What is left of BUDGET_MS for the whole bench. */
  readonly remainingMs: () => number;
}

/** Where the stand-ins keep their SQLite files: memory when available (no fsync noise). */
function dataDir(): string {
  return mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "bench-standin-"));
}

async function standin(extraSites: number): Promise<Standin & { dir: string }> {
  const dir = dataDir();
  const s = await startStandin({
    dataDir: dir,
    quiet: true,
    generation: "g3",
    extraSites,
    superuser: { username: SITE_USER, password: SITE_PASSWORD },
  });
  return Object.assign(s, { dir });
}

/** Stops a stand-in of `standin()` and removes its files. */
async function stopStandin(s: Standin & { dir: string }): Promise<void> {
  await s.close();
  rmSync(s.dir, { recursive: true, force: true });
}

function section(name: string): () => void {
  const started = Date.now();
  process.stdout.write(`bench: ${name}...\n`);
  return () => process.stdout.write(`bench: ${name} done in ${(Date.now() - started) / 1000} s\n`);
}

async function main(): Promise<void> {
  assertInstalled();
  const startedAt = new Date();
  const startedMs = Date.now();
  const loadBefore = loadavg();
  const bench: Bench = {
    figures: new Figures(),
    details: {},
    remainingMs: () => BUDGET_MS - (Date.now() - startedMs),
  };
  if (runs("text")) await textFigure(bench);
  if (runs("checkdiff")) await checkDiffFigure(bench);
  if (runs("apply")) await applyFigures(bench);
  if (runs("precheck")) await precheckFigures(bench);
  const rssFloorMiB = runs("rss") ? await rssFigures(bench) : undefined;

  const reason = runs("cli") ? cliUnavailableReason() : "not run (BENCH_ONLY)";
  let cli: Record<number, CliResult> = {};
  if (reason) bench.figures.omit([...CLI_KEYS[50], ...CLI_KEYS[200], ...SLOPE_KEYS], reason);
  else cli = await cliFigures(bench);

  // Issue 14, item 5: the plugin face's memory at 1,000 resources, over the no-op floor.
  if (runs("rss") && rssFloorMiB !== undefined) await faceRssFigure(bench, rssFloorMiB);
  else bench.figures.omit(["pluginFaceRssRatio1000"], "not run (BENCH_ONLY)");
  if (reason) bench.figures.omit(FACE_CLI_KEYS, reason);

  writeResults(bench, cli, startedAt, loadBefore);
  const growth = Object.keys(cli).length ? `\n${growthTable(cli)}` : "";
  process.stdout.write(`\n${bench.figures.table()}${growth}\nwritten: ${RESULTS}\n`);
}

// ---------------------------------------------------------------- in-process sections

async function textFigure({ figures, details }: Bench): Promise<void> {
  const done = section("provider text");
  const text = await measureProviderText();
  figures.record("providerTextBytes", text.bytes, "count (serialized from the installed package)");
  details.providerText = text.text;
  done();
}

async function checkDiffFigure({ figures, details }: Bench): Promise<void> {
  const done = section("check + diff");
  const checkDiff = await measureCheckDiff(10_000);
  figures.record(
    "checkDiffMicros",
    round(checkDiff.medianMicros, 1),
    `median of ${checkDiff.runs} runs, p90 ${round(checkDiff.p90Micros, 1)} µs, no network`,
  );
  details.checkDiff = checkDiff;
  done();
}

/**
 * Rounds of the apply comparisons per N, and what all of one N's comparisons may take: a
 * third of a minute per comparison at 50, half a minute at 200 (measureApply shares it out).
 * Per comparison, not per N: the read-first update added a fourth comparison without taking
 * time from the other three; the CLI sections after it shrink to what is left.
 */
const APPLY_PLAN = [
  [50, 41, COMPARISONS * (MINUTE / 3)],
  [200, 21, COMPARISONS * (MINUTE / 2)],
] as const;

async function applyFigures(bench: Bench): Promise<void> {
  const sites = await standin(200);
  try {
    for (const [n, rounds, budgetMs] of APPLY_PLAN) {
      await applyFiguresAt(bench, sites, n, rounds, budgetMs);
    }
    await sessionsFigure(bench, sites);
  } finally {
    await stopStandin(sites);
  }
}

/** The apply ratios at one N (and at 200, the request count of an update). */
async function applyFiguresAt(
  { figures, details }: Bench,
  sites: Standin,
  n: 50 | 200,
  rounds: number,
  budgetMs: number,
): Promise<void> {
  const done = section(`apply ${n}`);
  const apply = await measureApply(sites, n, { rounds, budgetMs });
  const at = `x${n} at concurrency ${apply.concurrency}`;
  const key = (k50: Key, k200: Key) => (n === 50 ? k50 : k200);
  figures.ratio(key("createRatio50", "createRatio200"), apply.create, `bare GET+POST+GET ${at}`);
  figures.ratio(key("updateRatio50", "updateRatio200"), apply.update, `bare POST+GET ${at}`);
  figures.ratio(
    key("updateRatioReadFirst50", "updateRatioReadFirst200"),
    apply.updateReadFirst,
    `bare GET+POST+GET ${at}`,
  );
  figures.ratio(
    key("coldUpdateRatio50", "coldUpdateRatio200"),
    apply.coldUpdate,
    `bare login+POST+GET ${at}`,
  );
  details[`apply${n}`] = apply;
  if (n === 200) {
    figures.record(
      "requestsPerResource",
      apply.counts.update.requestsPerResource,
      `update, requests other than logins; logins per site per run: ${apply.counts.update.loginsPerSite}; create: ${apply.counts.create.requestsPerResource}`,
    );
  }
  done();
}

async function sessionsFigure({ figures, details }: Bench, sites: Standin): Promise<void> {
  const done = section("SMTP sessions per configuration");
  const sessions = await measureSessions(sites, 50, 2);
  figures.record(
    "smtpSessionsPerConfig",
    sessions.sessionsPerConfig,
    `count: ${sessions.resources} resources created at once, ${sessions.configurations} relay logins, ${sessions.sessions} sessions`,
  );
  details.sessions = sessions;
  done();
}

async function precheckFigures({ figures, details }: Bench): Promise<void> {
  const done = section("precheck");
  const targets: Array<SmtpTarget> = [await smtpServerTarget()];
  const exim = await eximTarget();
  if (typeof exim === "string") details.precheckExim = `skipped: ${exim}`;
  else targets.push(exim);
  for (const target of targets) {
    try {
      const p = await measurePrecheck(target, { rounds: 61, budgetMs: 0.5 * MINUTE });
      const key = target === targets[0] ? "precheckRatio" : "precheckRatioExim";
      details[key] = { server: target.name, ...p };
      if (key === "precheckRatio") {
        figures.ratio(
          "precheckRatio",
          p,
          `bare SMTPConnection connect+STARTTLS+AUTH LOGIN+QUIT on ${target.name}`,
        );
      } else {
        figures.ratio(
          "precheckRatioExim",
          p,
          `no target; the same bare client on ${target.name} (greets at once)`,
        );
      }
    } finally {
      await target.close();
    }
  }
  done();
}

const RSS_RUNS = 1; // the peak barely moves between runs; time goes to the CLI rounds

/** The plugin's memory figures; returns the no-op floor's peak (MiB) for the face's ratio. */
async function rssFigures({ figures, details }: Bench): Promise<number> {
  const done = section("plugin memory, 1,000 resources");
  const rssSites = await standin(50);
  let floorMiB: number;
  try {
    const { floors, ours, modules } = await rssRuns(rssSites);
    const peak = (rs: PluginRssResult[]) => Math.max(...rs.map((r) => r.peakMiB));
    floorMiB = peak(floors);
    const oursMiB = peak(ours);
    figures.record(
      "pluginRssRatio1000",
      round(oursMiB / floorMiB),
      `same plugin, same 1,000 resources, no-op provider: ${round(floorMiB, 1)} MiB (ours ${round(oursMiB, 1)} MiB); highest peak of ${RSS_RUNS} run(s) each, alternated`,
    );
    figures.record(
      "pluginRssMB1000",
      round(oursMiB, 1),
      `peak RSS (VmHWM), MiB; idle after Configure: ${round(Math.max(...ours.map((r) => r.idleMiB)), 1)} (floor ${round(Math.max(...floors.map((r) => r.idleMiB)), 1)}); the no-op provider loading our modules, no work: ${round(modules.peakMiB, 1)}`,
    );
    details.pluginRss = { ours, noopFloor: floors, noopWithOurModules: modules };
  } finally {
    await stopStandin(rssSites);
  }
  done();
  return floorMiB;
}

/** The plugin's peaks: ours and the no-op floor alternated, then the modules' share. */
async function rssRuns(rssSites: Standin) {
  // Floor and ours alternate; the highest peak of each is kept.
  const floors: PluginRssResult[] = [];
  const ours: PluginRssResult[] = [];
  for (let i = 0; i < RSS_RUNS; i++) {
    if (i % 2 === 0) {
      floors.push(await measurePluginRss(rssSites, 1000, 50, true));
      ours.push(await measurePluginRss(rssSites, 1000, 50));
    } else {
      ours.push(await measurePluginRss(rssSites, 1000, 50));
      floors.push(await measurePluginRss(rssSites, 1000, 50, true));
    }
  }
  // Attribution: the no-op provider that loads our modules, no work.
  const modules = await measurePluginRss(rssSites, 1000, 50, "noopWithModules");
  return { floors, ours, modules };
}

// ---------------------------------------------------------------- the CLI sections

const CLI_KEYS = {
  50: ["previewRatio50", "upRatio50"],
  200: [
    "previewRatio200",
    "upRatio200",
    "previewSameRequests200",
    "upSameRequests200",
    "refreshGetsPerResource200",
    "refreshLoginsPerSite200",
  ],
  1000: [],
} as const satisfies Record<number, readonly Key[]>;
const SLOPE_KEYS = COMMANDS.map((c) => `slope${c[0]?.toUpperCase()}${c.slice(1)}` as Key);
const FACE_CLI_KEYS = [
  "pluginFacePreviewRatio50",
  "pluginFaceUpRatio50",
  "pluginFacePreviewRatio200",
  "pluginFaceUpRatio200",
] as const satisfies readonly Key[];

// Rounds of the interleaved ratios, and what each size may take at most.
// 200 first: its figures have the tightest targets; 50 gets what is left.
const CLI_PLAN = [
  [200, 5, 6 * MINUTE],
  [50, 5, 3 * MINUTE],
  [1000, 0, 45 * MINUTE],
] as const;

/** The plugin face, packed or why not. */
interface Face {
  readonly packed?: PackedPlugin;
  readonly reason?: string;
}

/** The CLI figures at every size of CLI_PLAN asked for, then the slopes over the sizes. */
async function cliFigures(bench: Bench): Promise<Record<number, CliResult>> {
  const cli: Record<number, CliResult> = {};
  const face = packFace();
  for (const [n, planned, budgetMs] of CLI_PLAN) {
    if (CLI_SIZES && !CLI_SIZES.includes(n)) continue;
    const rounds = planned && Number(process.env.BENCH_CLI_ROUNDS ?? planned);
    // N=1,000 runs once per command, in a run of its own (GROWTH_1000 above).
    if (n === 1000 && !CLI_SIZES?.includes(1000)) continue;
    await cliFiguresAt(bench, cli, face, n, rounds, budgetMs);
  }
  face.packed?.remove();
  growth1000FromFile(bench.details, cli);
  slopeFigures(bench.figures, cli);
  return cli;
}

/** The plugin face (issue 14, item 5), laid out as `pulumi plugin install` would. */
function packFace(): Face {
  const reason = pluginFaceUnavailableReason();
  if (reason) return { reason };
  try {
    return { packed: packPlugin("--link-node-modules") };
  } catch (error) {
    return { reason: `provider/plugin/pack.sh failed: ${(error as Error).message.split("\n")[0]}` };
  }
}

/** The CLI figures at one N, on a stand-in of its own; a failed run omits its figures. */
async function cliFiguresAt(
  bench: Bench,
  cli: Record<number, CliResult>,
  face: Face,
  n: 50 | 200 | 1000,
  rounds: number,
  budgetMs: number,
): Promise<void> {
  const { figures, details } = bench;
  const cliSites = await standin(n);
  const done = section(`pulumi CLI, ${n} resources`);
  try {
    // What is left of the whole bench's budget caps this size's (1 minute kept for the rest).
    const left = n === 1000 ? budgetMs : Math.min(budgetMs, bench.remainingMs() - 3 * MINUTE);
    // The once-each commands stop when the whole bench's time is up (1,000: its own run).
    const deadlineMs = nowMs() + (n === 1000 ? budgetMs : bench.remainingMs() - 0.5 * MINUTE);
    const result = await measureCli(cliSites, n, {
      deadlineMs,
      rounds,
      budgetMs: Math.max(left, 0),
      faceDir: face.packed?.dir,
    });
    cli[n] = result;
    details[`cli${n}`] = result;
    cliRatios(figures, n, result, face.reason);
    if (n === 200) requestCountFigures(figures, n, result);
  } catch (error) {
    const message = (error as Error).message;
    details[`cli${n}Error`] = message.slice(-4000);
    figures.omit(
      CLI_KEYS[n],
      `the CLI run failed (${message.split("\n")[0]}; details.cli${n}Error)`,
    );
  } finally {
    done();
    await stopStandin(cliSites);
  }
}

/**
 * The preview and up ratios at one N: ours, the secret floor's, the plugin face's. None
 * when the run had no interleaved rounds (growth only).
 */
function cliRatios(figures: Figures, n: number, result: CliResult, faceReason?: string): void {
  const { preview, up } = result;
  if (!preview || !up) return;
  const what = (cmd: string) => `pulumi ${cmd} of ${n} no-op dynamic resources`;
  const at = (k50: Key, k200: Key) => (n === 50 ? k50 : k200);
  figures.ratio(at("previewRatio50", "previewRatio200"), preview, what("preview"), s1);
  figures.ratio(at("upRatio50", "upRatio200"), up, what("up"), s1);
  if (result.previewOverSecretFloor && result.secretFloorOverFloor) {
    figures.ratio(
      at("previewRatioOverSecretFloor50", "previewRatioOverSecretFloor200"),
      result.previewOverSecretFloor,
      "no target; the same no-op stack with the relay password a secret input (the job's one secret)",
      s1,
    );
    figures.ratio(
      at("secretFloorRatio50", "secretFloorRatio200"),
      result.secretFloorOverFloor,
      "no target; what one secret input costs the engine: that floor over the no-op floor",
      s1,
    );
  }
  if (result.face) {
    const f = result.face;
    figures.ratio(
      at("pluginFacePreviewRatio50", "pluginFacePreviewRatio200"),
      f.preview,
      `${what("preview")} (same rounds)`,
      s1,
    );
    figures.ratio(
      at("pluginFaceUpRatio50", "pluginFaceUpRatio200"),
      f.up,
      `${what("up")} (same rounds)`,
      s1,
    );
  } else {
    figures.omit(
      n === 50
        ? ["pluginFacePreviewRatio50", "pluginFaceUpRatio50"]
        : ["pluginFacePreviewRatio200", "pluginFaceUpRatio200"],
      faceReason ??
        (result.faceError
          ? `its first up failed: ${result.faceError.split("\n")[0]} (details.cli${n}.faceError)`
          : "not measured"),
    );
  }
}

/** What the stand-in saw during the commands with nothing changed, and during refresh. */
function requestCountFigures(figures: Figures, n: number, result: CliResult): void {
  const c = result.counts;
  const all = (x: CommandCounts) => x.logins + x.gets + x.posts + x.other;
  const late = "skipped: the bench's time ran out before this command";
  if (c.previewSame)
    figures.record(
      "previewSameRequests200",
      all(c.previewSame),
      "count: DNN requests of a preview with nothing changed",
    );
  else figures.omit(["previewSameRequests200"], late);
  if (c.upSame)
    figures.record(
      "upSameRequests200",
      all(c.upSame),
      "count: DNN requests of an up with nothing changed",
    );
  else figures.omit(["upSameRequests200"], late);
  const r = c.refresh;
  if (r) {
    figures.record(
      "refreshGetsPerResource200",
      round((r.gets + r.posts + r.other) / n),
      `count: requests other than logins per resource in refresh (${r.gets} GETs)`,
    );
    figures.record(
      "refreshLoginsPerSite200",
      round(r.logins / n),
      `count: logins per site in refresh (${n} sites)`,
    );
  } else figures.omit(["refreshGetsPerResource200", "refreshLoginsPerSite200"], late);
}

/** The N=1,000 times of their own run (GROWTH_1000), when this run did not measure them. */
function growth1000FromFile(details: Record<string, unknown>, cli: Record<number, CliResult>) {
  if (cli[1000] || CLI_SIZES || !existsSync(GROWTH_1000)) return;
  const other = JSON.parse(readFileSync(GROWTH_1000, "utf8"));
  const at1000 = other.details?.cli1000 as CliResult | undefined;
  if (!at1000) return;
  cli[1000] = at1000;
  details.growth1000From = {
    file: "bench/growth-1000.json",
    startedAt: other.startedAt,
    loadAverage1mBefore: other.machine?.loadAverage1mBefore,
    seconds: other.seconds,
  };
}

/** Every command's slope (ms per resource) over the sizes measured, ours and the floor's. */
function slopeFigures(figures: Figures, cli: Record<number, CliResult>): void {
  const ns = Object.keys(cli).map(Number);
  for (const [i, c] of COMMANDS.entries()) {
    const key = SLOPE_KEYS[i] as Key;
    const have = ns.filter((n) => (cli[n] as CliResult).growth[c]);
    if (have.length < 2) {
      figures.omit([key], "fewer than two sizes measured");
      continue;
    }
    const at_ = (n: number) => (cli[n] as CliResult).growth[c] as CommandTimes;
    const floor = slope(have.map((n) => [n, at_(n).floorMs] as const));
    const ours = slope(have.map((n) => [n, at_(n).subjectMs] as const));
    figures.record(
      key,
      round(ours, 1),
      `ms per resource, least squares over N=${have.join(", ")}; floor ${round(floor, 1)} ms per resource`,
    );
  }
}

/** The plugin face's peak memory at 1,000 resources over the no-op floor of rssFigures. */
async function faceRssFigure({ figures, details }: Bench, rssFloorMiB: number): Promise<void> {
  const why = pluginFaceUnavailableReason();
  if (why) {
    figures.omit(["pluginFaceRssRatio1000"], why);
    return;
  }
  const done = section("plugin face memory, 1,000 resources");
  const faceSites = await standin(50);
  let packed: PackedPlugin | undefined;
  try {
    packed = packPlugin("--link-node-modules");
    const r = await measurePluginFaceRss(faceSites, 1000, 50, packed.dir);
    figures.record(
      "pluginFaceRssRatio1000",
      round(r.peakMiB / rssFloorMiB),
      `the no-op dynamic plugin of pluginRssRatio1000: ${round(rssFloorMiB, 1)} MiB (face ${round(r.peakMiB, 1)} MiB; idle after Configure ${round(r.idleMiB, 1)})`,
    );
    details.pluginFaceRss = r;
  } catch (error) {
    figures.omit(["pluginFaceRssRatio1000"], `failed: ${(error as Error).message.split("\n")[0]}`);
  } finally {
    packed?.remove();
    await stopStandin(faceSites);
    done();
  }
}

// ---------------------------------------------------------------- results

/** bench/results.json (or BENCH_RESULTS): figures, growth, machine, every raw run. */
function writeResults(
  { figures, details }: Bench,
  cli: Record<number, CliResult>,
  startedAt: Date,
  loadBefore: number[],
): void {
  const cpu = cpus();
  const output = {
    figures: figures.figures,
    omitted: figures.omitted,
    growth: Object.fromEntries(
      Object.entries(cli).map(([n, r]) => [
        n,
        { ...r.growth, counts: r.counts, firstUpMs: r.firstUpMs },
      ]),
    ),
    machine: {
      cpus: cpu.length,
      cpuModel: cpu[0]?.model ?? "unknown",
      memoryGiB: round(totalmem() / 2 ** 30, 1),
      kernel: release(),
      node: process.version,
      loadAverage1mBefore: round(loadBefore[0] ?? 0, 2),
      loadAverage1mAfter: round(loadavg()[0] ?? 0, 2),
    },
    versions: versions(),
    startedAt: startedAt.toISOString(),
    seconds: round((Date.now() - startedAt.getTime()) / 1000, 1),
    details,
  };
  writeFileSync(`${RESULTS}.tmp`, `${JSON.stringify(output, null, 2)}\n`);
  renameSync(`${RESULTS}.tmp`, RESULTS);
}

/** Why the plugin face's rows cannot be measured (issue 14, item 5), or undefined. */
function pluginFaceUnavailableReason(): string | undefined {
  const root = join(__dirname, "..");
  const needed = ["provider/plugin/pack.sh", "provider/plugin/pulumi-resource-dnn-smtp"];
  const missing = needed.filter((f) => !existsSync(join(root, f)));
  return missing.length === 0
    ? undefined
    : `the plugin face is not there: ${missing.join(", ")} missing`;
}

test("benchmarks", main, Number(process.env.BENCH_TIMEOUT_MIN ?? 20) * MINUTE);
