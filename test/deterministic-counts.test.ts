/**
 * The benchmarks' deterministic figures, asserted (bench/ times things; timings are never
 * asserted): the size of the stored provider text, HTTP requests per resource and logins
 * per site in a run, and SMTP sessions per relay configuration. Same scenarios as
 * bench/apply.ts and bench/precheck.ts, smaller N. The DNN requests of CLI commands (a
 * no-op preview or up: none; a refresh: one GET per resource, one login per site) are
 * asserted with the real CLI in request-counts.test.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { clearSessions } from "../provider/dnn/client";
import * as lifecycle from "../provider/lifecycle/smtp-settings";
import { clearPrecheckCache } from "../provider/precheck";
import { type Standin, startStandin } from "../standin/server";
import { testCerts } from "./support/certs";
import { examplesInstalled, serializedProvider } from "./support/plugin";
import { startSmtpServer, type TestSmtpServer } from "./support/smtp";

const N = 20;
const SITE_PASSWORD = "Count-Site-Pa55";
const RELAY_PASSWORD = "Count-Relay-Pa55";
const LOGIN = "/API/JwtAuth/mobile/login";

type Props = Record<string, unknown>;

let standin: Standin;
beforeAll(async () => {
  standin = await startStandin({
    quiet: true,
    extraSites: N,
    superuser: { username: "host", password: SITE_PASSWORD },
  });
});
afterAll(() => standin?.close());
afterEach(() => {
  clearSessions();
  clearPrecheckCache();
});

const sites = () => Array.from({ length: N }, (_, i) => standin.siteUrl(`site${i + 1}`));

function args(site: string, server: string, extra: Props = {}): Props {
  return {
    site: { url: site, username: "host" },
    sitePassword: SITE_PASSWORD,
    scope: "site",
    server,
    authentication: "basic",
    username: "mailer",
    password: RELAY_PASSWORD,
    enableSsl: true,
    precheck: { level: "none" },
    ...extra,
  };
}

async function checked(olds: Props, news: Props): Promise<Props> {
  const result = await lifecycle.check(olds, news);
  if (result.failures?.length) throw new Error(JSON.stringify(result.failures));
  return result.inputs as Props;
}

/** Requests the stand-in saw during `work`: logins, and everything else. */
async function counted(work: () => Promise<unknown>): Promise<{ logins: number; other: number }> {
  standin.requests.clear();
  await work();
  const logins = standin.requests.count((r) => r.path.includes(LOGIN));
  return { logins, other: standin.requests.count() - logins };
}

describe.skipIf(!examplesInstalled())("the stored provider text", () => {
  test("is at most 1 KiB (providerTextBytes)", async () => {
    expect(Buffer.byteLength(await serializedProvider())).toBeLessThanOrEqual(1024);
  });
});

describe("HTTP requests per resource (requestsPerResource)", () => {
  test("create and update: 3 per resource (read, write, read back); one login per site per run", async () => {
    const states: Array<{ id: string; inputs: Props; outs: Props }> = [];
    const created = await counted(() =>
      Promise.all(
        sites().map(async (site, i) => {
          const inputs = await checked({}, args(site, "relay0.example.com:587"));
          const { id, outs } = await lifecycle.create(inputs);
          states[i] = { id, inputs, outs: outs as Props };
        }),
      ),
    );
    expect(created).toEqual({ logins: N, other: 3 * N });

    const update = (server: string) =>
      Promise.all(
        sites().map(async (site, i) => {
          const state = states[i] as (typeof states)[number];
          const inputs = await checked(state.inputs, args(site, server));
          expect((await lifecycle.diff(state.id, state.outs, inputs)).changes).toBe(true);
          const { outs } = await lifecycle.update(state.id, state.outs, inputs);
          states[i] = { id: state.id, inputs, outs: outs as Props };
        }),
      );
    // The same run: sessions are open.
    expect(await counted(() => update("relay1.example.com:587"))).toEqual({
      logins: 0,
      other: 3 * N,
    });
    // A new run (a new plugin process): one login per site, then the same three requests.
    clearSessions();
    expect(await counted(() => update("relay0.example.com:587"))).toEqual({
      logins: N,
      other: 3 * N,
    });
  });

  test("preview (check and diff) sends nothing", async () => {
    const inputs = await checked({}, args(standin.siteUrl("site1"), "relay0.example.com:587"));
    const seen = await counted(async () => {
      const news = await checked(inputs, args(standin.siteUrl("site1"), "relay1.example.com:587"));
      await lifecycle.diff("id", inputs, news);
    });
    expect(seen).toEqual({ logins: 0, other: 0 });
  });
});

describe("SMTP sessions per configuration (smtpSessionsPerConfig)", () => {
  let relay: TestSmtpServer;
  beforeAll(async () => {
    relay = await startSmtpServer({
      tls: "starttls",
      allowInsecureAuth: false,
      users: { "relay-a": RELAY_PASSWORD, "relay-b": RELAY_PASSWORD },
    });
  });
  afterAll(() => relay?.close());

  test("N sites created at once over two relay logins: two SMTP sessions", async () => {
    const ca = testCerts().ca;
    await Promise.all(
      sites().map(async (site, i) => {
        const inputs = await checked(
          {},
          args(site, `127.0.0.1:${relay.port}`, {
            username: i % 2 === 0 ? "relay-a" : "relay-b",
            precheck: { level: "auth", tls: { ca } },
          }),
        );
        const { outs } = await lifecycle.create(inputs);
        expect(outs.precheckSummary).toMatch(/AUTH LOGIN accepted/);
      }),
    );
    expect(relay.sessions()).toBe(2);
    expect(relay.logins()).toBe(2);
  });
});
