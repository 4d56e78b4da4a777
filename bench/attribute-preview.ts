/**
 * Where a `pulumi preview` of N SmtpSettings spends the time the no-op floor does not
 * (issue 14, item 2). Not part of `npm run bench`; run it alone:
 *
 *   BENCH_FILE=bench/attribute-preview.ts npx vitest run --config bench/vitest.config.mts
 *   (ATTRIBUTE_N=200 by default, ATTRIBUTE_ROUNDS=3)
 *
 * Two ways, both written to bench/attribution.json:
 * 1. Variants timed in alternation (each a stack of N resources, each preview shows N
 *    updates): the no-op floor; ours; the no-op provider with the props our SmtpSettings
 *    class builds in the program (secrets, site applies, additionalSecretOutputs); our
 *    provider with plain props (no secret, no apply). What the variants add to the floor
 *    splits the cost between the program's resource class and the plugin.
 * 2. CPU time per process of one preview of each variant: every Node process (program,
 *    plugin) reports its own `process.cpuUsage()` through a preload (NODE_OPTIONS), and
 *    `/usr/bin/time` gives the whole tree's; the engine's is the rest.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { test } from "vitest";
import { startStandin } from "../standin/server";
import {
  createProject,
  PASSPHRASE,
  type PulumiProject,
  pulumiBinDir,
} from "../test/support/pulumi";
import { SITE_PASSWORD, SITE_USER } from "./apply";
import { ARGS, HEADER, NOOP_PROVIDER } from "./cli";
import { median, nowMs, round } from "./stats";

const N = Number(process.env.ATTRIBUTE_N ?? 200);
const ROUNDS = Number(process.env.ATTRIBUTE_ROUNDS ?? 3);

/** The variants: the same N resources with the same arguments, four ways. */
const RESOURCE = `
class R extends pulumi.dynamic.Resource {
  constructor(p: pulumi.dynamic.ResourceProvider, name: string, props: any, opts?: pulumi.CustomResourceOptions) {
    super(p, name, props, opts, "bench", "Noop");
  }
}
`;
const VARIANTS = {
  noop: `${HEADER}${NOOP_PROVIDER}${RESOURCE}
for (let i = 1; i <= n; i++) new R(provider, \`site\${i}\`, ${ARGS});
`,
  ours: `${HEADER}
import { SmtpSettings } from "pulumi-dnn-smtp";
for (let i = 1; i <= n; i++) new SmtpSettings(\`site\${i}\`, ${ARGS});
`,
  // The program side of SmtpSettings (its constructor as it was in the attribution runs of
  // 30 November, 05:32 to 06:05 UTC; BENCHMARKS.md says what changed since) over the no-op
  // provider.
  noopWithOurProps: `${HEADER}${NOOP_PROVIDER}${RESOURCE}
import { SITE_SECRET_KEYS, siteProps } from "pulumi-dnn-smtp/dist/provider/resources/site-props";
for (let i = 1; i <= n; i++) {
  const args: Record<string, any> = ${ARGS};
  const props = {
    ...args,
    password: args.password === undefined ? undefined : pulumi.secret(args.password),
    oauth: args.oauth === undefined ? undefined : pulumi.secret(args.oauth),
    site: undefined,
    ...siteProps(args.site),
    hostEmail: args.hostEmail,
    portalName: undefined,
    apiGeneration: undefined,
    mode: undefined,
    precheckSummary: undefined,
    previous: undefined,
  };
  new R(provider, \`site\${i}\`, props,
    { additionalSecretOutputs: ["password", "oauth", ...SITE_SECRET_KEYS] });
}
`,
  // The floor with one secret input (the relay password), nothing else of ours.
  noopSecretOnly: `${HEADER}${NOOP_PROVIDER}${RESOURCE}
for (let i = 1; i <= n; i++) {
  const args = ${ARGS};
  new R(provider, \`site\${i}\`, { ...args, password: pulumi.secret(args.password) });
}
`,
  // Ours as the recommended fix would make it: the SmtpSettings props without the
  // site's applies (a plain site: its fields picked at once, its secrets wrapped directly),
  // and without seeding the internal output \`previous\`.
  oursNoApplies: `${HEADER}${RESOURCE}
const ours: pulumi.dynamic.ResourceProvider = require("pulumi-dnn-smtp/dist/provider/dynamic-provider");
for (let i = 1; i <= n; i++) {
  const args: Record<string, any> = ${ARGS};
  const { password: sitePassword, apiToken: siteApiToken, ...site } = args.site;
  const props = {
    ...args,
    password: pulumi.secret(args.password),
    site,
    ...(sitePassword === undefined ? {} : { sitePassword: pulumi.secret(sitePassword) }),
    ...(siteApiToken === undefined ? {} : { siteApiToken: pulumi.secret(siteApiToken) }),
    hostEmail: args.hostEmail,
    portalName: undefined,
    apiGeneration: undefined,
    mode: undefined,
    precheckSummary: undefined,
  };
  new R(ours, \`site\${i}\`, props, { additionalSecretOutputs: ["password", "oauth", "sitePassword", "siteApiToken"] });
}
`,
  // Our provider (the plugin side) with plain props: no secret, no apply in the program.
  oursPlainProps: `${HEADER}${RESOURCE}
const ours: pulumi.dynamic.ResourceProvider = require("pulumi-dnn-smtp/dist/provider/dynamic-provider");
for (let i = 1; i <= n; i++) {
  const props = { ...${ARGS}, portalName: undefined, apiGeneration: undefined, mode: undefined, precheckSummary: undefined, previous: undefined };
  new R(ours, \`site\${i}\`, props);
}
`,
} as const;
type Variant = keyof typeof VARIANTS;

/** Preloaded into every Node process of the tree: reports its CPU time as it goes and at exit. */
const PRELOAD = `
const fs = require("node:fs");
const dir = process.env.ATTRIBUTE_CPU_DIR;
const role = process.argv.some((a) => a.includes("dynamic-provider")) ? "plugin"
  : process.argv.some((a) => a.includes("cmd/run")) ? "program" : "other:" + process.argv.slice(1, 3).join(" ");
const write = () => {
  const u = process.cpuUsage();
  try { fs.writeFileSync(dir + "/" + process.pid + ".json", JSON.stringify({ role, userMs: u.user / 1000, systemMs: u.system / 1000, maxRssKiB: process.resourceUsage().maxRSS })); } catch {}
};
setInterval(write, 100).unref();
process.on("exit", write);
for (const s of ["SIGTERM", "SIGINT"]) process.on(s, () => { write(); process.exit(0); });
`;

interface CpuSplit {
  readonly wallMs: number;
  /** The whole tree (CLI, engine, language host, program, plugin), from /usr/bin/time. */
  readonly treeCpuMs: number;
  readonly programCpuMs: number;
  readonly pluginCpuMs: number;
  /** The rest: the engine (Go), the language host, the launcher. */
  readonly engineCpuMs: number;
}

/** The environment of a preview under the preload (and V8's CPU profiler when profiling). */
function previewEnv(
  project: PulumiProject,
  extraEnv: Record<string, string>,
  cpuDir: string,
  profileDir?: string,
): NodeJS.ProcessEnv {
  const bin = pulumiBinDir() as string;
  const preload = join(cpuDir, "preload.cjs");
  writeFileSync(preload, PRELOAD);
  return {
    ...process.env,
    PATH: `${bin}${delimiter}${process.env.PATH}`,
    PULUMI_HOME: join(project.dir, ".pulumi-home"),
    PULUMI_BACKEND_URL: `file://${project.stateDir}`,
    PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    ...extraEnv,
    NODE_OPTIONS: `--require ${preload}${profileDir ? ` --cpu-prof --cpu-prof-dir=${profileDir}` : ""}`,
    ATTRIBUTE_CPU_DIR: cpuDir,
  };
}

/** `pulumi preview` under /usr/bin/time, which prints the whole tree's CPU as `TREE user sys`. */
function previewUnderTime(
  project: PulumiProject,
  env: NodeJS.ProcessEnv,
  profileDir?: string,
): Promise<{ code: number; stderr: string; stdout: string }> {
  const bin = pulumiBinDir() as string;
  return new Promise((resolve, reject) => {
    const child = spawn(
      "/usr/bin/time",
      [
        "-f",
        "TREE %U %S",
        join(bin, "pulumi"),
        "--non-interactive",
        "preview",
        ...(profileDir ? ["--profiling", join(profileDir, "engine")] : []),
      ],
      { cwd: project.dir, env },
    );
    let stderr = "";
    let stdout = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (c) => resolve({ code: c ?? -1, stderr, stdout }));
  });
}

/** The CPU time the program's and the plugin's processes reported through the preload. */
function nodeCpuOf(cpuDir: string): { programCpuMs: number; pluginCpuMs: number } {
  let programCpuMs = 0;
  let pluginCpuMs = 0;
  for (const f of readdirSync(cpuDir).filter((f) => f.endsWith(".json"))) {
    const r = JSON.parse(readFileSync(join(cpuDir, f), "utf8"));
    const ms = r.userMs + r.systemMs;
    if (r.role === "plugin") pluginCpuMs += ms;
    else if (r.role === "program") programCpuMs += ms;
  }
  return { programCpuMs, pluginCpuMs };
}

/** One `pulumi preview` of a project under /usr/bin/time with the preload; CPU per process. */
async function cpuSplit(
  project: PulumiProject,
  extraEnv: Record<string, string>,
  profileDir?: string,
): Promise<CpuSplit> {
  const cpuDir = mkdtempSync(join(tmpdir(), "attribute-cpu-"));
  const env = previewEnv(project, extraEnv, cpuDir, profileDir);
  const started = nowMs();
  const { code, stderr, stdout } = await previewUnderTime(project, env, profileDir);
  const wallMs = nowMs() - started;
  if (code !== 0) throw new Error(`preview failed: ${stdout}\n${stderr}`);
  const tree = /TREE ([\d.]+) ([\d.]+)/.exec(stderr);
  const treeCpuMs = (Number(tree?.[1]) + Number(tree?.[2])) * 1000;
  const { programCpuMs, pluginCpuMs } = nodeCpuOf(cpuDir);
  rmSync(cpuDir, { recursive: true, force: true });
  return {
    wallMs,
    treeCpuMs,
    programCpuMs,
    pluginCpuMs,
    engineCpuMs: treeCpuMs - programCpuMs - pluginCpuMs,
  };
}

const roundSplit = (c: CpuSplit) =>
  Object.fromEntries(Object.entries(c).map(([k, v]) => [k, round(v as number, 0)]));

interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }>;
  samples: number[];
  timeDeltas: number[];
}

/** Self time of a V8 CPU profile grouped by file (package), and the top functions, ms. */
function summarize(path: string): {
  role: string;
  activeMs: number;
  byFile: Record<string, number>;
  top: Record<string, number>;
} {
  const p = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (const [i, id] of p.samples.entries()) {
    self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  }
  const byFile: Record<string, number> = {};
  const top: Record<string, number> = {};
  let activeMs = 0;
  let role = "other";
  for (const [id, ms] of self) {
    const n = byId.get(id);
    if (!n) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    if (url.includes("cmd/dynamic-provider")) role = "plugin";
    if (url.includes("cmd/run")) role = "program";
    if (functionName === "(idle)" || functionName === "(program)") continue;
    activeMs += ms;
    const file = url.replace(/^.*node_modules\//, "").replace(/^file:\/\//, "") || functionName;
    byFile[file] = (byFile[file] ?? 0) + ms;
    const fn = `${functionName || "(anonymous)"} ${file}:${lineNumber}`;
    top[fn] = (top[fn] ?? 0) + ms;
  }
  const best = (o: Record<string, number>, k: number) =>
    Object.fromEntries(
      Object.entries(o)
        .sort((a, b) => b[1] - a[1])
        .slice(0, k)
        .map(([x, ms]) => [x, round(ms, 0)]),
    );
  return { role, activeMs: round(activeMs, 0), byFile: best(byFile, 25), top: best(top, 25) };
}

/** One preview with V8 CPU profiles of the Node processes and the CLI's own Go profile. */
async function profile(project: PulumiProject, env: Record<string, string>, name: string) {
  const dir = join(tmpdir(), "attribute-profiles", name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const split = await cpuSplit(project, env, dir);
  const node = readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => summarize(join(dir, f)));
  return { split: roundSplit(split), node, dir };
}

/** One project per variant, each brought up once (N creates), listed in `projects`. */
async function createVariants(
  standinUrl: string,
  projects: Record<Variant, PulumiProject>,
): Promise<void> {
  const env = { BENCH_DNN_URL: standinUrl, BENCH_N: String(N) };
  for (const v of Object.keys(VARIANTS) as Variant[]) {
    projects[v] = await createProject({
      name: `attr-${v}-${N}`,
      program: VARIANTS[v],
      config: { "dnn:username": SITE_USER, "dnn:password": { secret: SITE_PASSWORD } },
      env,
    });
    await projects[v].ok(["up", "--yes", "--skip-preview"], { BENCH_ROUND: "0" });
  }
}

/** ROUNDS previews of every variant, in alternation; each preview shows N updates. */
async function timeRounds(
  projects: Record<Variant, PulumiProject>,
  runEnv: Record<string, string>,
): Promise<Record<Variant, CpuSplit[]>> {
  const names = Object.keys(VARIANTS) as Variant[];
  const runs = Object.fromEntries(names.map((v) => [v, [] as CpuSplit[]])) as Record<
    Variant,
    CpuSplit[]
  >;
  for (let r = 0; r < ROUNDS; r++) {
    // Rotate the order so no variant always runs first.
    const order = names.map((_, i) => names[(i + r) % names.length] as Variant);
    for (const v of order) runs[v].push(await cpuSplit(projects[v], runEnv));
    process.stdout.write(
      `round ${r}: ${names.map((v) => `${v} ${JSON.stringify(roundSplit(runs[v][r] as CpuSplit))}`).join("\n  ")}\n`,
    );
  }
  return runs;
}

/** Every variant's medians, and what each adds to the no-op floor per resource (ms). */
function summarizeRuns(runs: Record<Variant, CpuSplit[]>) {
  const names = Object.keys(VARIANTS) as Variant[];
  const fields = ["wallMs", "treeCpuMs", "programCpuMs", "pluginCpuMs", "engineCpuMs"] as const;
  const medians = Object.fromEntries(
    names.map((v) => [
      v,
      Object.fromEntries(fields.map((f) => [f, round(median(runs[v].map((x) => x[f])), 0)])),
    ]),
  ) as unknown as Record<Variant, CpuSplit>;
  // Beyond the floor, per resource, in milliseconds.
  const perResource = Object.fromEntries(
    names.map((v) => [
      v,
      Object.fromEntries(fields.map((f) => [f, round((medians[v][f] - medians.noop[f]) / N, 2)])),
    ]),
  );
  return { medians, perResource };
}

/** With ATTRIBUTE_PROFILE set: one profiled preview of the floor, the secret floor and ours. */
async function profilesIfAsked(
  projects: Record<Variant, PulumiProject>,
  runEnv: Record<string, string>,
): Promise<Record<string, unknown> | undefined> {
  if (!process.env.ATTRIBUTE_PROFILE) return undefined;
  const profiles: Record<string, unknown> = {};
  for (const v of ["noop", "noopSecretOnly", "ours"] as const)
    profiles[v] = await profile(projects[v], runEnv, v);
  return profiles;
}

async function main(): Promise<void> {
  if (!pulumiBinDir()) throw new Error("no Pulumi CLI");
  const load = loadavg()[0];
  const dir = mkdtempSync(join("/dev/shm", "attribute-standin-"));
  const standin = await startStandin({
    dataDir: dir,
    quiet: true,
    generation: "g3",
    extraSites: N,
    superuser: { username: SITE_USER, password: SITE_PASSWORD },
  });
  const projects = {} as Record<Variant, PulumiProject>;
  try {
    await createVariants(standin.url, projects);
    const runEnv = { BENCH_DNN_URL: standin.url, BENCH_N: String(N), BENCH_ROUND: "1" };
    const runs = await timeRounds(projects, runEnv);
    const { medians, perResource } = summarizeRuns(runs);
    const profiles = await profilesIfAsked(projects, runEnv);
    const out = {
      n: N,
      rounds: ROUNDS,
      loadAverageBefore: load,
      loadAverageAfter: loadavg()[0],
      medians,
      perResource,
      runs,
      profiles,
      at: new Date().toISOString(),
    };
    writeFileSync(join(__dirname, "attribution.json"), `${JSON.stringify(out, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify({ medians, perResource, profiles }, null, 2)}\n`);
  } finally {
    for (const p of Object.values(projects)) await p.destroy();
    await standin.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test("attribute the preview's cost", main, 30 * 60_000);
