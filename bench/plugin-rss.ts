/**
 * `pluginRssMB1000`: the peak resident memory (VmHWM) of the real dynamic-provider plugin
 * process of @pulumi/pulumi, loading the installed package from its `__provider` text, after
 * it served 1,000 site resources over gRPC as the engine would in two applies: check +
 * create for each, then check + diff + update for each. The floor is the same plugin serving
 * the same 1,000 resources through a no-op provider; the resident memory right after start
 * and Configure is reported too.
 *
 * The 1,000 resources spread over the stand-in's sites (resource i on site i mod S): the
 * stand-in looks up its portal list on every request, so 1,000 sites would make it, not the
 * plugin, the bottleneck of the run. The plugin keeps one session per site: a few hundred
 * bytes each.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Standin } from "../standin/server";
import {
  DIFF,
  EXAMPLES_DIR,
  type PluginClient,
  SECRET_SIG,
  SECRET_VALUE,
  serializedProvider,
  startPlugin,
} from "../test/support/plugin";
import { secret as faceSecret, startPluginFace } from "../test/support/plugin-face";
import { SITE_PASSWORD, SITE_USER, siteResourceArgs } from "./apply";
import { pool } from "./stats";

/** Requests the engine has in flight at once (`pulumi up --parallel` is larger; loopback is fast). */
export const ENGINE_PARALLELISM = 16;

/** The plugin process: the child of this process running `cmd/dynamic-provider`. */
function pluginPid(): number {
  return childPid("cmd/dynamic-provider");
}

/** The one child process of this process whose command line contains `marker`. */
function childPid(marker: string): number {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Field 4 is the parent pid; the command name (field 2) may hold spaces, so split after ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid !== process.pid) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (cmdline.includes(marker)) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  if (found.length !== 1) throw new Error(`expected one plugin process, found ${found.length}`);
  return found[0] as number;
}

/** A `/proc/<pid>/status` field in kB, as MiB. */
function statusMiB(pid: number, field: "VmHWM" | "VmRSS"): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
  if (!match?.[1]) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]) / 1024;
}

/**
 * The engine's floor: a dynamic provider that does nothing, serialized like ours (by value:
 * it is defined here, outside node_modules). Self-contained on purpose: the serializer
 * captures what a function refers to.
 */
const noopProvider = {
  check: async (_olds: Record<string, unknown>, news: Record<string, unknown>) => ({
    inputs: news,
  }),
  diff: async () => ({ changes: true, replaces: [], deleteBeforeReplace: false }),
  create: async (inputs: Record<string, unknown>) => ({
    id: String((inputs.site as { url?: string } | undefined)?.url ?? "noop"),
    outs: inputs,
  }),
  update: async (_id: string, _olds: Record<string, unknown>, news: Record<string, unknown>) => ({
    outs: news,
  }),
};

/**
 * For the attribution: the no-op provider that loads our provider's modules (the lifecycle,
 * zod, nodemailer, the DNN client) on its first call and then does nothing more. Its peak
 * over the no-op floor is what loading the code costs; ours over it, what the work costs.
 */
const noopWithModulesProvider = {
  ...noopProvider,
  check: async (_olds: Record<string, unknown>, news: Record<string, unknown>) => {
    require("pulumi-dnn-smtp/dist/provider/lifecycle/smtp-settings");
    require("pulumi-dnn-smtp/dist/provider/precheck");
    return { inputs: news };
  },
};

async function serializedNoop(withModules = false): Promise<string> {
  const pulumi = createRequire(join(EXAMPLES_DIR, "package.json"))("@pulumi/pulumi");
  const provider = withModules ? noopWithModulesProvider : noopProvider;
  const result = await pulumi.runtime.serializeFunction(() => provider, {
    allowSecrets: true,
  });
  return result.text as string;
}

export interface PluginRssResult {
  readonly resources: number;
  /** Distinct sites the resources were spread over. */
  readonly sites: number;
  /** Peak resident memory over the whole run, MiB. */
  readonly peakMiB: number;
  /** Resident memory after start and Configure, MiB. */
  readonly idleMiB: number;
  readonly seconds: number;
}

/** Which provider the plugin serves: ours, the no-op floor, or the no-op loading our modules. */
export type RssSubject = "ours" | "noop" | "noopWithModules";

/**
 * Runs `n` resources through a fresh plugin process, spread over sites site1..site`sites` of
 * `standin`; with a no-op subject, through the no-op provider instead (no request reaches
 * the stand-in).
 */
export async function measurePluginRss(
  standin: Standin,
  n: number,
  sites: number,
  subject: RssSubject | boolean = "ours",
): Promise<PluginRssResult> {
  const started = Date.now();
  const kind: RssSubject = subject === true ? "noop" : subject === false ? "ours" : subject;
  const provider =
    kind === "ours" ? await serializedProvider() : await serializedNoop(kind === "noopWithModules");
  let plugin: PluginClient | undefined;
  try {
    plugin = await startPlugin();
    const client = plugin;
    const pid = pluginPid();
    await client.configure({
      "dnn:username": SITE_USER,
      "dnn:password": { [SECRET_SIG]: SECRET_VALUE, value: SITE_PASSWORD },
    });
    const idleMiB = statusMiB(pid, "VmRSS");
    const args = (i: number, round: number) => {
      const { sitePassword: _fromConfig, ...rest } = siteResourceArgs(
        standin.siteUrl(`site${(i % sites) + 1}`),
        round,
      );
      return { __provider: provider, ...rest };
    };
    const indexes = Array.from({ length: n }, (_, i) => i);
    const created = await pool(indexes, ENGINE_PARALLELISM, async (i) => {
      const { inputs, failures } = await client.check({}, args(i, 0));
      if (failures.length) throw new Error(JSON.stringify(failures));
      const { id, properties } = await client.create(inputs);
      return { id, inputs, properties };
    });
    await pool(indexes, ENGINE_PARALLELISM, async (i) => {
      const before = created[i] as (typeof created)[number];
      const { inputs, failures } = await client.check(before.inputs, args(i, 1));
      if (failures.length) throw new Error(JSON.stringify(failures));
      const { changes } = await client.diff(before.id, before.properties, inputs);
      if (changes !== DIFF.SOME) throw new Error("the second apply changed nothing");
      await client.update(before.id, before.properties, inputs);
    });
    return {
      resources: n,
      sites,
      peakMiB: statusMiB(pid, "VmHWM"),
      idleMiB,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await plugin?.close();
  }
}

/**
 * `pluginFaceRssRatio1000` (issue 14, item 5): the same 1,000 resources through the plugin
 * face (provider/plugin/, started through its launcher as the engine starts it, the folder
 * packed by its pack.sh), driven over gRPC as the engine drives a schema provider: check +
 * create, then check + diff + update, 16 calls in flight. Its floor is the no-op dynamic
 * plugin of `measurePluginRss`.
 */
export async function measurePluginFaceRss(
  standin: Standin,
  n: number,
  sites: number,
  faceDir: string,
): Promise<PluginRssResult> {
  const started = Date.now();
  const face = await startPluginFace(faceDir);
  try {
    const pid = childPid("provider/plugin/main.js");
    await face.configure({ username: SITE_USER, password: faceSecret(SITE_PASSWORD) });
    const idleMiB = statusMiB(pid, "VmRSS");
    const urn = (i: number) => `urn:pulumi:dev::bench::dnn-smtp:index:SmtpSettings::site${i}`;
    const args = (i: number, round: number) => {
      const {
        sitePassword: _fromConfig,
        password,
        ...rest
      } = siteResourceArgs(standin.siteUrl(`site${(i % sites) + 1}`), round);
      return { ...rest, password: faceSecret(password) };
    };
    const indexes = Array.from({ length: n }, (_, i) => i);
    const created = await pool(indexes, ENGINE_PARALLELISM, async (i) => {
      const { inputs, failures } = await face.check(urn(i), {}, args(i, 0));
      if (failures.length) throw new Error(failures.join("; "));
      const { id, properties } = await face.create(urn(i), inputs);
      return { id, inputs, properties };
    });
    await pool(indexes, ENGINE_PARALLELISM, async (i) => {
      const before = created[i] as (typeof created)[number];
      const { inputs, failures } = await face.check(urn(i), before.inputs, args(i, 1));
      if (failures.length) throw new Error(failures.join("; "));
      const { changes } = await face.diff(urn(i), before.id, before.properties, inputs);
      if (changes !== DIFF.SOME) throw new Error("the second apply changed nothing");
      await face.update(urn(i), before.id, before.properties, inputs);
    });
    return {
      resources: n,
      sites,
      peakMiB: statusMiB(pid, "VmHWM"),
      idleMiB,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await face.close();
  }
}
