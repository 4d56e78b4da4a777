/**
 * The apply figures and the request counts: N site resources applied against the stand-in
 * through the provider (the installed copy's lifecycle, exactly what the plugin runs, minus
 * gRPC), each divided by its own floor measured in the same run: the bare requests the job
 * needs, to the same endpoints of the same N sites, through a keep-alive agent with the
 * provider's concurrency (CONCURRENCY_PER_ORIGIN requests in flight).
 *
 * Four comparisons per N, each interleaved with its own floor runs (issue 14: the floor is
 * the job, not less):
 * - create: check + create per resource, sessions already open. The job: read the site
 *   (what it adopts), write, read back (the README promises the read-back): floor GET + POST
 *   + GET per site;
 * - update: check + diff + update per resource, sessions open. The job: write, read back:
 *   floor POST + GET (the floor the benchmark issue named);
 * - cold update: the same with no session, as in a new `pulumi up`: floor login + POST + GET;
 * - update read first: the same update over floor GET + POST + GET. An update always reads
 *   the site first (the DNN version can change by an upgrade between runs, the stored
 *   password and the OAuth configuration go back exactly as the site shows them, undeclared
 *   tuning fields are kept as the site holds them), so that is its job's floor.
 * The precheck is "none" here: it has its own figure.
 */
import * as http from "node:http";
import { Semaphore } from "../provider/dnn/http";
import type { Standin } from "../standin/server";
import { dnnClient, lifecycle, http as providerHttp } from "./installed";
import { type Comparison, interleave, nowMs } from "./stats";

export const SITE_USER = "host";
export const SITE_PASSWORD = "Bench-Site-Pa55";
const RELAY_PASSWORD = "Bench-Relay-Pa55";
const LOGIN_PATH = "/API/JwtAuth/mobile/login";
const SMTP_API = "/API/PersonaBar/ServerSettingsSmtpHost";

type Props = Record<string, unknown>;

/** The program's arguments of one site resource; `round` picks the server, so every round writes. */
export function siteResourceArgs(siteUrl: string, round: number): Props {
  return {
    site: { url: siteUrl, username: SITE_USER, timeoutMs: 30_000 },
    sitePassword: SITE_PASSWORD,
    scope: "site",
    server: `relay${Math.abs(round) % 2}.example.com:587`,
    authentication: "basic",
    username: "mailer@example.com",
    password: RELAY_PASSWORD,
    enableSsl: true,
    precheck: { level: "none" },
  };
}

// ---------------------------------------------------------------- the floor

/** A bare HTTP client: no validation, no retries, no model; just the requests. */
class BareClient {
  private readonly agent = new http.Agent({ keepAlive: true });
  private readonly limit: Semaphore;
  constructor(concurrency: number) {
    // The same limit the provider applies per installation.
    this.limit = new Semaphore(concurrency);
  }

  private request(url: string, method: "GET" | "POST", token?: string, body?: unknown) {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return this.limit.run(
      () =>
        new Promise<string>((resolve, reject) => {
          const req = http.request(
            url,
            {
              method,
              agent: this.agent,
              headers: {
                accept: "application/json",
                ...(token ? { authorization: `Bearer ${token}` } : {}),
                ...(payload === undefined
                  ? {}
                  : {
                      "content-type": "application/json",
                      "content-length": Buffer.byteLength(payload),
                    }),
              },
              timeout: 30_000,
            },
            (res) => {
              const chunks: Buffer[] = [];
              res.on("data", (c: Buffer) => chunks.push(c));
              res.on("end", () => {
                const text = Buffer.concat(chunks).toString("utf8");
                if (res.statusCode === 200) resolve(text);
                else reject(new Error(`${method} ${url}: ${res.statusCode} ${text.slice(0, 200)}`));
              });
              res.on("error", reject);
            },
          );
          req.on("timeout", () => req.destroy(new Error(`${method} ${url}: timeout`)));
          req.on("error", reject);
          req.end(payload);
        }),
    );
  }

  async login(siteUrl: string): Promise<string> {
    const text = await this.request(`${siteUrl}${LOGIN_PATH}`, "POST", undefined, {
      u: SITE_USER,
      p: SITE_PASSWORD,
    });
    return (JSON.parse(text) as { accessToken: string }).accessToken;
  }

  /** GetSmtpSettings: what a create adopts, and every read-back. */
  async get(siteUrl: string, token: string): Promise<void> {
    await this.request(`${siteUrl}${SMTP_API}/GetSmtpSettings`, "GET", token);
  }

  /** UpdateSmtpSettings with the body the provider sends for these arguments. */
  async post(siteUrl: string, token: string, round: number): Promise<void> {
    await this.request(`${siteUrl}${SMTP_API}/UpdateSmtpSettings`, "POST", token, {
      smtpServerMode: "p",
      smtpServer: `relay${Math.abs(round) % 2}.example.com:587`,
      smtpConnectionLimit: "2",
      smtpMaxIdleTime: "100000",
      smtpAuthentication: 1,
      smtpUsername: "mailer@example.com",
      smtpPassword: RELAY_PASSWORD,
      enableSmtpSsl: true,
      authProvider: "",
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

// ---------------------------------------------------------------- the floor's rounds

/** The floor's three jobs over N sites, each round writing its own server value. */
interface Floor {
  /** GET + POST + GET per site: create's job, and an update's that reads first. */
  readonly getPostGet: () => Promise<number>;
  /** POST + GET per site: the update's floor the benchmark issue named. */
  readonly postGet: () => Promise<number>;
  /** login + POST + GET per site: a cold update's (new sessions, kept for the next rounds). */
  readonly loginPostGet: () => Promise<number>;
}

/** Opens the floor's sessions, once (the provider keeps its own per site and user). */
async function floorOf(bare: BareClient, sites: readonly string[]): Promise<Floor> {
  let tokens = await Promise.all(sites.map((s) => bare.login(s)));
  // Each floor round writes its own server value, as the subject's rounds do.
  let floorRound = 0;
  const timedOverSites = async (work: (site: string, i: number) => Promise<unknown>) => {
    const started = nowMs();
    await Promise.all(sites.map(work));
    return nowMs() - started;
  };
  return {
    getPostGet: () => {
      const round = floorRound++;
      return timedOverSites(async (s, i) => {
        const token = tokens[i] as string;
        await bare.get(s, token);
        await bare.post(s, token, round);
        await bare.get(s, token);
      });
    },
    postGet: () => {
      const round = floorRound++;
      return timedOverSites(async (s, i) => {
        await bare.post(s, tokens[i] as string, round);
        await bare.get(s, tokens[i] as string);
      });
    },
    loginPostGet: async () => {
      const round = floorRound++;
      const started = nowMs();
      tokens = await Promise.all(
        sites.map(async (s) => {
          const token = await bare.login(s);
          await bare.post(s, token, round);
          await bare.get(s, token);
          return token;
        }),
      );
      return nowMs() - started;
    },
  };
}

// ---------------------------------------------------------------- the subject

interface ResourceState {
  id: string;
  inputs: Props;
  outs: Props;
}

/** The provider's side: N site resources, created or updated all at once, timed. */
interface Subject {
  readonly createAll: () => Promise<number>;
  readonly updateAll: () => Promise<number>;
}

/** The subject over `sites`, through the installed lifecycle (what the plugin runs). */
function subjectOf(sites: readonly string[]): Subject {
  const { check, create, diff, update } = lifecycle();
  const checked = async (olds: Props, news: Props): Promise<Props> => {
    const result = await check(olds, news);
    if (result.failures?.length) throw new Error(JSON.stringify(result.failures));
    return result.inputs as Props;
  };
  const states: ResourceState[] = new Array(sites.length);
  // Rounds alternate the server value, so every create and update really writes.
  let round = 0;
  const createAll = async (): Promise<number> => {
    const value = round++;
    const started = nowMs();
    await Promise.all(
      sites.map(async (site, i) => {
        const inputs = await checked({}, siteResourceArgs(site, value));
        const { id, outs } = await create(inputs);
        states[i] = { id, inputs, outs: outs as Props };
      }),
    );
    return nowMs() - started;
  };
  const updateAll = async (): Promise<number> => {
    const value = round++;
    const started = nowMs();
    await Promise.all(
      sites.map(async (site, i) => {
        const state = states[i] as ResourceState;
        const inputs = await checked(state.inputs, siteResourceArgs(site, value));
        const { changes } = await diff(state.id, state.outs, inputs);
        if (!changes) throw new Error("the benchmark's update changed nothing");
        const { outs } = await update(state.id, state.outs, inputs);
        states[i] = { id: state.id, inputs, outs: outs as Props };
      }),
    );
    return nowMs() - started;
  };
  return { createAll, updateAll };
}

// ---------------------------------------------------------------- the comparisons

export interface ApplyCounts {
  /** Requests other than logins per resource. */
  readonly requestsPerResource: number;
  /** Logins per site, in a run that starts without sessions. */
  readonly loginsPerSite: number;
  /** Requests the provider's transport counted, logins included, per resource. */
  readonly transportRequestsPerResource: number;
}

export interface ApplyResult {
  readonly n: number;
  readonly concurrency: number;
  /** Over bare GET + POST + GET per site. */
  readonly create: Comparison;
  /** Over bare POST + GET per site; cold: login + POST + GET. */
  readonly update: Comparison;
  readonly coldUpdate: Comparison;
  /** The same update over bare GET + POST + GET per site: its job, since it reads first. */
  readonly updateReadFirst: Comparison;
  readonly counts: { readonly create: ApplyCounts; readonly update: ApplyCounts };
}

export interface ApplyOptions {
  readonly rounds: number;
  /** For all the comparisons of this N; each gets an equal share (COMPARISONS). */
  readonly budgetMs: number;
}

/** How many comparisons share `ApplyOptions.budgetMs`. */
export const COMPARISONS = 4;

type Timed = Pick<ApplyResult, "create" | "update" | "coldUpdate" | "updateReadFirst">;

/** The four comparisons, in this order, each interleaved with its own floor. */
async function compareAll(floor: Floor, subject: Subject, options: ApplyOptions): Promise<Timed> {
  const { clearSessions } = dnnClient();
  const rounds = {
    rounds: options.rounds,
    warmup: 1,
    budgetMs: options.budgetMs / COMPARISONS,
  };
  const create = await interleave(floor.getPostGet, subject.createAll, rounds);
  const update = await interleave(floor.postGet, subject.updateAll, rounds);
  const coldUpdate = await interleave(
    floor.loginPostGet,
    () => {
      clearSessions();
      return subject.updateAll();
    },
    rounds,
  );
  // Last, so the three comparisons above run exactly as they did before it existed.
  const updateReadFirst = await interleave(floor.getPostGet, subject.updateAll, rounds);
  return { create, update, coldUpdate, updateReadFirst };
}

/** Requests of `work` seen by the stand-in, starting without sessions like a new run. */
async function counted(
  standin: Standin,
  n: number,
  work: () => Promise<unknown>,
): Promise<ApplyCounts> {
  const { clearSessions } = dnnClient();
  const { requestCounter } = providerHttp();
  clearSessions();
  standin.requests.clear();
  const sentBefore = requestCounter.sent;
  await work();
  const logins = standin.requests.count((r) => r.path.includes(LOGIN_PATH));
  const all = standin.requests.count();
  return {
    requestsPerResource: (all - logins) / n,
    loginsPerSite: logins / n,
    transportRequestsPerResource: (requestCounter.sent - sentBefore) / n,
  };
}

/** Runs the comparisons for N sites `site1..siteN` of `standin` (which must have them). */
export async function measureApply(
  standin: Standin,
  n: number,
  options: ApplyOptions,
): Promise<ApplyResult> {
  const { CONCURRENCY_PER_ORIGIN } = providerHttp();
  const sites = Array.from({ length: n }, (_, i) => standin.siteUrl(`site${i + 1}`));
  const subject = subjectOf(sites);
  const bare = new BareClient(CONCURRENCY_PER_ORIGIN);
  const floor = await floorOf(bare, sites);
  try {
    await subject.createAll(); // sessions and states for everything below
    const timed = await compareAll(floor, subject, options);
    // Counted once more, untimed, each starting without sessions like a new run.
    const createCounts = await counted(standin, n, subject.createAll);
    const updateCounts = await counted(standin, n, subject.updateAll);
    return {
      n,
      concurrency: CONCURRENCY_PER_ORIGIN,
      ...timed,
      counts: { create: createCounts, update: updateCounts },
    };
  } finally {
    bare.close();
  }
}
