/**
 * precheck.via "dnn" against the DNN stand-in, which really sends through SendTestEmail:
 * success, failure, OAuth consent, the recipient DNN names per version, and one DNN call
 * for identical requests of one site and user, also through the lifecycle's `create`.
 */
import { describe, expect } from "vitest";
import * as lifecycle from "../provider/lifecycle/smtp-settings";
import {
  clearPrecheckCache,
  type DnnPrecheckPort,
  type OAuthProviderInfo,
  recipientNamed,
  runPrecheck,
  type SendTestEmailResponse,
} from "../provider/precheck";
import type { Standin } from "../standin/server";
import { testCerts } from "./support/certs";
import {
  optionsOf,
  type PrecheckFixtures,
  precheckTest,
  rejection,
  settingsOf,
} from "./support/precheck";
import type { TestSmtpServer } from "./support/smtp";

const SUPERUSER = { username: "host", password: "Host-Pass_123", email: "api-user@example.com" };
const SMTP_USER = "relay";
const SMTP_PASSWORD = "Relay-Secret_9";
const OAUTH_USER = "mailer@example.com";

/** A DnnPrecheckPort over plain fetch, as the real DNN client provides it; counts its calls. */
async function fetchPort(url: string): Promise<DnnPrecheckPort & { calls: number }> {
  const login = await fetch(`${url}/API/JwtAuth/mobile/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ u: SUPERUSER.username, p: SUPERUSER.password }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const port = {
    calls: 0,
    sendTestEmail: (request: unknown) => call<SendTestEmailResponse>("SendTestEmail", request),
    getSmtpOAuthProviders: () =>
      call<{ host: OAuthProviderInfo[]; site: OAuthProviderInfo[] }>("GetSmtpOAuthProviders"),
  };
  async function call<T>(action: string, body?: unknown): Promise<T> {
    port.calls += 1;
    const res = await fetch(`${url}/API/PersonaBar/ServerSettingsSmtpHost/${action}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { Authorization: `Bearer ${accessToken}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await res.json()) as T;
  }
  return port;
}

interface DnnSetup {
  readonly relay: TestSmtpServer;
  readonly dnn: Standin;
  readonly port: DnnPrecheckPort & { calls: number };
  /** Settings that log in to the relay; `extra` overrides. */
  basic(extra?: Record<string, unknown>): ReturnType<typeof settingsOf>;
}

/** The fixtures plus `setup`: a relay, a stand-in of a DNN version that trusts it, a port. */
const it = precheckTest.extend<{ setup: (dnnVersion?: string) => Promise<DnnSetup> }>({
  setup: async ({ smtp, standin }: PrecheckFixtures, use) => {
    await use(async (dnnVersion = "10.2") => {
      const relay = await smtp({
        tls: "starttls",
        users: { [SMTP_USER]: SMTP_PASSWORD },
        tokens: { [OAUTH_USER]: "standin-oauth-ExchangeOnline--1" },
        authMethods: ["PLAIN", "LOGIN", "XOAUTH2"],
      });
      const dnn = await standin({
        dnnVersion,
        superuser: SUPERUSER,
        smtpTls: { ca: testCerts().ca },
      });
      const basic = (extra: Record<string, unknown> = {}) =>
        settingsOf({
          server: `localhost:${relay.port}`,
          authentication: "basic",
          username: SMTP_USER,
          password: SMTP_PASSWORD,
          enableSsl: true,
          hostEmail: "host@example.com",
          ...extra,
        });
      return { relay, dnn, port: await fetchPort(dnn.url), basic };
    });
  },
});

describe("precheck via dnn (stand-in)", () => {
  it("success: DNN sends a real mail, and the report names the recipient DNN named", async ({
    setup,
  }) => {
    const { relay, port, basic } = await setup();
    const s = basic();
    const options = optionsOf(s, { via: "dnn" });
    expect(options.level).toBe("send");
    const report = await runPrecheck(s, options, { dnn: port });
    expect(report).toMatchObject({
      via: "dnn",
      level: "send",
      tls: "starttls",
      server: `localhost:${relay.port}`,
      recipient: SUPERUSER.email,
      cached: false,
    });
    expect(report.summary).toBe(
      `send ok via dnn: localhost:${relay.port}, DNN sent the test mail to ${SUPERUSER.email}`,
    );
    expect(relay.mails()).toHaveLength(1);
    expect(relay.mails()[0]).toMatchObject({ to: [SUPERUSER.email], user: SMTP_USER });
  });

  it.for([
    // 9.2–9.7: the Host controller in mode h mails HostEmail itself.
    ["9.4", "global", "host@example.com"],
    ["9.4", "site", SUPERUSER.email],
    // Later: the calling user, whatever the mode.
    ["10.2", "global", SUPERUSER.email],
    ["10.2", "site", SUPERUSER.email],
  ] as const)(
    "DNN %s, %s settings: the summary names where DNN really sent (%s)",
    async ([version, scope, recipient], { setup }) => {
      const { relay, port, basic } = await setup(version);
      const s = basic({ scope, hostEmail: scope === "global" ? "host@example.com" : undefined });
      const report = await runPrecheck(s, optionsOf(s, { via: "dnn" }), { dnn: port });
      expect(relay.mails().map((m) => m.to)).toEqual([[recipient]]);
      expect(report.recipient).toBe(recipient);
      expect(report.summary).toMatch(new RegExp(`DNN sent the test mail to ${recipient}$`));
    },
  );

  it("a confirmation DNN words otherwise (localized): the summary does not guess", async () => {
    const s = settingsOf({ server: "relay.example.com:587" });
    const port: DnnPrecheckPort = {
      sendTestEmail: async () => ({
        success: true,
        errMessage: "",
        confirmationMessage: "E-Mail erfolgreich von host@example.com an ops@example.com gesendet",
      }),
      getSmtpOAuthProviders: async () => ({ host: [], site: [] }),
    };
    const report = await runPrecheck(s, optionsOf(s, { via: "dnn" }), { dnn: port });
    expect(report.recipient).toBeUndefined();
    expect(report.summary).toBe(
      "send ok via dnn: relay.example.com:587, DNN's test mail was sent (recipient as DNN chose)",
    );
    expect(recipientNamed("Email sent successfully from a@example.com to b@example.org.")).toBe(
      "b@example.org",
    );
  });

  it("failure: PRECHECK_DNN_SEND_FAILED with DNN's reason, never the password", async ({
    setup,
  }) => {
    const { relay, port, basic } = await setup();
    const s = basic({ password: "Wrong-Secret_1" });
    const err = await rejection(runPrecheck(s, optionsOf(s, { via: "dnn" }), { dnn: port }));
    expect(err.code).toBe("PRECHECK_DNN_SEND_FAILED");
    expect(err.message).toMatch(
      /DNN could not send its test mail through localhost:\d+ .*it said: ".+"/,
    );
    expect(err.message).not.toContain("Wrong-Secret_1");
    expect(relay.sessions()).toBe(1); // the fault fired: DNN did try the relay
  });

  it("level connect via dnn still sends, and says so in the warnings and the summary", async ({
    setup,
  }) => {
    const { relay, port, basic } = await setup();
    const s = basic();
    const report = await runPrecheck(s, optionsOf(s, { via: "dnn", level: "connect" }), {
      dnn: port,
    });
    expect(report.warnings.join(" ")).toMatch(/sent a real test mail/);
    expect(report.summary).toMatch(/; warning: DNN has no lighter test than SendTestEmail/);
    expect(relay.mails()).toHaveLength(1);
  });

  it("many identical requests of one site and user: one SendTestEmail, even through different port objects", async ({
    setup,
  }) => {
    const { relay, dnn, basic } = await setup();
    const origin = { site: `${dnn.url}/`, user: SUPERUSER.username };
    // The lifecycle builds a new port for every resource: identity must not matter.
    const ports = await Promise.all(
      Array.from({ length: 5 }, async () => ({ ...(await fetchPort(dnn.url)), origin })),
    );
    const s = basic();
    const reports = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        runPrecheck(s, optionsOf(s, { via: "dnn" }), { dnn: ports[i % ports.length] }),
      ),
    );
    expect(reports.filter((r) => !r.cached)).toHaveLength(1);
    expect(relay.mails()).toHaveLength(1);
    // Another user of the same site is another sender's view: it sends its own mail.
    const other = { ...(await fetchPort(dnn.url)), origin: { ...origin, user: "someone-else" } };
    await runPrecheck(s, optionsOf(s, { via: "dnn" }), { dnn: other });
    expect(relay.mails()).toHaveLength(2);
  });

  it("OAuth: not authorized → consent URL; authorized → DNN sends with XOAUTH2", async ({
    setup,
  }) => {
    const { relay, dnn, port } = await setup();
    const s = settingsOf({
      server: `localhost:${relay.port}`,
      authentication: "oauth",
      username: OAUTH_USER,
      oauth: { provider: "ExchangeOnline", settings: {} },
    });
    dnn.setOAuthAuthorized("ExchangeOnline", -1, false);
    const err = await rejection(runPrecheck(s, optionsOf(s, { via: "dnn" }), { dnn: port }));
    expect(err.code).toBe("PRECHECK_OAUTH_UNAUTHORIZED");
    expect(err.message).toMatch(/open https?:\/\/\S+authorize\S* as a DNN administrator/);
    expect(relay.sessions()).toBe(0);

    clearPrecheckCache();
    dnn.setOAuthAuthorized("ExchangeOnline", -1, true);
    const report = await runPrecheck(s, optionsOf(s, { via: "dnn" }), { dnn: port });
    expect(report).toMatchObject({ via: "dnn", mailProvider: "mailkit", mechanism: "XOAUTH2" });
    expect(relay.mails()).toHaveLength(1);
  });
});

describe("through the lifecycle", () => {
  /** What `check` makes of a site-scope resource that prechecks via DNN. */
  async function inputsFor(dnn: Standin, relayPort: number): Promise<Record<string, unknown>> {
    const result = await lifecycle.check(
      {},
      {
        site: { url: dnn.siteUrl(), username: SUPERUSER.username, timeoutMs: 3000 },
        sitePassword: SUPERUSER.password,
        scope: "site",
        server: `localhost:${relayPort}`,
        authentication: "basic",
        username: SMTP_USER,
        password: SMTP_PASSWORD,
        enableSsl: true,
        precheck: { via: "dnn" },
      },
    );
    if (result.failures?.length) throw new Error(JSON.stringify(result.failures));
    return result.inputs as Record<string, unknown>;
  }

  it("two identical via-dnn resources of one site: one test mail at the relay", async ({
    setup,
  }) => {
    const { relay, dnn } = await setup();
    const first = await lifecycle.create(await inputsFor(dnn, relay.port));
    const second = await lifecycle.create(await inputsFor(dnn, relay.port));
    expect(relay.mails()).toHaveLength(1);
    expect(first.outs.precheckSummary).toMatch(/^send ok via dnn: .*DNN sent the test mail to/);
    expect(second.outs.precheckSummary).toBe(first.outs.precheckSummary);
  });
});
