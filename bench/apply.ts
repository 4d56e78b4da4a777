/**
 * The apply figures and the request counts: N site resources applied against the stand-in
 * through the provider (the installed copy's lifecycle, exactly what the plugin runs, minus
 * gRPC), each divided by its own floor measured in the same run: the bare requests the job
 * needs, to the same endpoints of the same N sites, through a keep-alive agent with the
 * provider's concurrency (CONCURRENCY_PER_ORIGIN requests in flight).
 *
 * Three comparisons per N, each interleaved with its own floor runs (issue 14: the floor is
 * the job, not less):
 * - create: check + create per resource, sessions already open. The job: read the site
 *   (what it adopts), write, read back (the README promises the read-back): floor GET + POST
 *   + GET per site;
 * - update: check + diff + update per resource, sessions open. The job: write, read back:
 *   floor POST + GET;
 * - cold update: the same with no session, as in a new `pulumi up`: floor login + POST + GET.
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

// ---------------------------------------------------------------- the subject

interface ResourceState {
  id: string;
  inputs: Props;
  outs: Props;
}

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
  readonly counts: { readonly create: ApplyCounts; readonly update: ApplyCounts };
}

export interface ApplyOptions {
  readonly rounds: number;
  readonly budgetMs: number;
}

/** Runs the comparisons for N sites `site1..siteN` of `standin` (which must have them). */
export async function measureApply(
  standin: Standin,
  n: number,
  options: ApplyOptions,
): Promise<ApplyResult> {
  const { check, create, diff, update } = lifecycle();
  const { clearSessions } = dnnClient();
  const { requestCounter, CONCURRENCY_PER_ORIGIN } = providerHttp();
  const sites = Array.from({ length: n }, (_, i) => standin.siteUrl(`site${i + 1}`));
  const states: ResourceState[] = new Array(n);
  const bare = new BareClient(CONCURRENCY_PER_ORIGIN);

  const checked = async (olds: Props, news: Props): Promise<Props> => {
    const result = await check(olds, news);
    if (result.failures?.length) throw new Error(JSON.stringify(result.failures));
    return result.inputs as Props;
  };

  const createAll = async (round: number): Promise<number> => {
    const started = nowMs();
    await Promise.all(
      sites.map(async (site, i) => {
        const inputs = await checked({}, siteResourceArgs(site, round));
        const { id, outs } = await create(inputs);
        states[i] = { id, inputs, outs: outs as Props };
      }),
    );
    return nowMs() - started;
  };

  const updateAll = async (round: number): Promise<number> => {
    const started = nowMs();
    await Promise.all(
      sites.map(async (site, i) => {
        const state = states[i] as ResourceState;
        const inputs = await checked(state.inputs, siteResourceArgs(site, round));
        const { changes } = await diff(state.id, state.outs, inputs);
        if (!changes) throw new Error("the benchmark's update changed nothing");
        const { outs } = await update(state.id, state.outs, inputs);
        states[i] = { id: state.id, inputs, outs: outs as Props };
      }),
    );
    return nowMs() - started;
  };

  // Sessions of the floor, opened once (the provider keeps its own per site and user).
  let tokens = await Promise.all(sites.map((s) => bare.login(s)));
  // Each floor round writes its own server value, as the subject's rounds do.
  let floorRound = 0;
  const createFloor = async (): Promise<number> => {
    const round = floorRound++;
    const started = nowMs();
    await Promise.all(
      sites.map(async (s, i) => {
        const token = tokens[i] as string;
        await bare.get(s, token);
        await bare.post(s, token, round);
        await bare.get(s, token);
      }),
    );
    return nowMs() - started;
  };
  const updateFloor = async (): Promise<number> => {
    const round = floorRound++;
    const started = nowMs();
    await Promise.all(
      sites.map(async (s, i) => {
        await bare.post(s, tokens[i] as string, round);
        await bare.get(s, tokens[i] as string);
      }),
    );
    return nowMs() - started;
  };
  const coldFloor = async (): Promise<number> => {
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
  };

  try {
    // Rounds alternate the server value, so every create and update really writes.
    let round = 0;
    await createAll(round++); // sessions and states for everything below
    const rounds = { rounds: options.rounds, warmup: 1, budgetMs: options.budgetMs / 3 };
    const createCmp = await interleave(createFloor, () => createAll(round++), rounds);
    const updateCmp = await interleave(updateFloor, () => updateAll(round++), rounds);
    const coldCmp = await interleave(
      coldFloor,
      () => {
        clearSessions();
        return updateAll(round++);
      },
      rounds,
    );

    // Counted once more, untimed, each starting without sessions like a new run.
    const counted = async (work: () => Promise<unknown>): Promise<ApplyCounts> => {
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
    };
    const createCounts = await counted(() => createAll(round++));
    const updateCounts = await counted(() => updateAll(round++));

    return {
      n,
      concurrency: CONCURRENCY_PER_ORIGIN,
      create: createCmp,
      update: updateCmp,
      coldUpdate: coldCmp,
      counts: { create: createCounts, update: updateCounts },
    };
  } finally {
    bare.close();
  }
}
