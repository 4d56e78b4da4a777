/**
 * precheck.via "dnn" against the DNN stand-in, which really sends through SendTestEmail:
 * success, failure, OAuth consent, and one DNN call for many identical requests.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  clearPrecheckCache,
  type DnnPrecheckPort,
  type OAuthProviderInfo,
  runPrecheck,
  type SendTestEmailResponse,
  validatePrecheckOptions,
} from "../provider/precheck";
import { startStandin } from "../standin/server";
import { testCerts } from "./support/certs";
import { optionsOf, rejection, settingsOf } from "./support/precheck";
import { startSmtpServer, type TestSmtpServer } from "./support/smtp";

const SUPERUSER = { username: "host", password: "Host-Pass_123", email: "api-user@example.com" };
const SMTP_USER = "relay";
const SMTP_PASSWORD = "Relay-Secret_9";

/** A DnnPrecheckPort over plain fetch, as the real DNN client will provide it. */
async function fetchPort(url: string, counter: { calls: number }): Promise<DnnPrecheckPort> {
  const login = await fetch(`${url}/API/JwtAuth/mobile/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ u: SUPERUSER.username, p: SUPERUSER.password }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const call = async <T>(action: string, body?: unknown): Promise<T> => {
    counter.calls += 1;
    const res = await fetch(`${url}/API/PersonaBar/ServerSettingsSmtpHost/${action}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { Authorization: `Bearer ${accessToken}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await res.json()) as T;
  };
  return {
    sendTestEmail: (request) => call<SendTestEmailResponse>("SendTestEmail", request),
    getSmtpOAuthProviders: () =>
      call<{ host: OAuthProviderInfo[]; site: OAuthProviderInfo[] }>("GetSmtpOAuthProviders"),
  };
}

describe("precheck via dnn (stand-in)", () => {
  let standin: {
    url: string;
    close(): Promise<void>;
    setOAuthAuthorized(p: string, portalId: number, a: boolean): void;
  };
  let smtp: TestSmtpServer;
  let port: DnnPrecheckPort;
  const counter = { calls: 0 };
  const basic = (extra: Record<string, unknown> = {}) =>
    settingsOf({
      server: `localhost:${smtp.port}`,
      authentication: "basic",
      username: SMTP_USER,
      password: SMTP_PASSWORD,
      enableSsl: true,
      hostEmail: "host@example.com",
      ...extra,
    });

  beforeAll(async () => {
    smtp = await startSmtpServer({
      tls: "starttls",
      users: { [SMTP_USER]: SMTP_PASSWORD },
      tokens: { "mailer@example.com": "standin-oauth-ExchangeOnline--1" },
      authMethods: ["PLAIN", "LOGIN", "XOAUTH2"],
    });
    standin = await startStandin({
      port: 0,
      generation: "g3",
      superuser: SUPERUSER,
      smtpTls: { ca: testCerts().ca },
      quiet: true,
    });
    port = await fetchPort(standin.url, counter);
  });
  afterAll(async () => {
    await standin?.close();
    await smtp?.close();
  });
  beforeEach(() => {
    clearPrecheckCache();
    counter.calls = 0;
  });

  it("success: DNN sends a real mail to the API user's email", async () => {
    const before = smtp.mails().length;
    const s = basic();
    const options = optionsOf(s, { via: "dnn" });
    expect(options.level).toBe("send");
    const report = await runPrecheck(s, options, { dnn: port });
    expect(report).toMatchObject({
      via: "dnn",
      level: "send",
      tls: "starttls",
      server: `localhost:${smtp.port}`,
      cached: false,
    });
    expect(report.summary).toMatch(/^send ok via dnn: /);
    const mails = smtp.mails().slice(before);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.to).toEqual([SUPERUSER.email]);
    expect(mails[0]?.user).toBe(SMTP_USER);
  });

  it("failure: PRECHECK_DNN_SEND_FAILED with DNN's reason, never the password", async () => {
    const s = basic({ password: "Wrong-Secret_1" });
    const err = await rejection(runPrecheck(s, optionsOf(s, { via: "dnn" }), { dnn: port }));
    expect(err.code).toBe("PRECHECK_DNN_SEND_FAILED");
    expect(err.message).toMatch(
      /DNN could not send its test mail through localhost:\d+ .*it said: ".+"/,
    );
    expect(err.message).not.toContain("Wrong-Secret_1");
  });

  it("level connect via dnn still sends, and says so", async () => {
    const s = basic();
    const report = await runPrecheck(s, optionsOf(s, { via: "dnn", level: "connect" }), {
      dnn: port,
    });
    expect(report.warnings.join(" ")).toMatch(/sent a real test mail/);
  });

  it("many identical requests: one SendTestEmail", async () => {
    const s = basic();
    const reports = await Promise.all(
      Array.from({ length: 50 }, () => runPrecheck(s, optionsOf(s, { via: "dnn" }), { dnn: port })),
    );
    expect(reports.filter((r) => !r.cached)).toHaveLength(1);
    expect(counter.calls).toBe(1);
  });

  it("the password placeholder ***** is refused by the settings' validation", () => {
    expect(() => basic({ password: "*****" })).toThrow(/"field":"password"/);
  });

  it("OAuth: not authorized → consent URL; authorized → DNN sends with XOAUTH2", async () => {
    const s = settingsOf({
      server: `localhost:${smtp.port}`,
      authentication: "oauth",
      username: "mailer@example.com",
      oauth: { provider: "ExchangeOnline", settings: {} },
    });
    standin.setOAuthAuthorized("ExchangeOnline", -1, false);
    const err = await rejection(runPrecheck(s, optionsOf(s, { via: "dnn" }), { dnn: port }));
    expect(err.code).toBe("PRECHECK_OAUTH_UNAUTHORIZED");
    expect(err.message).toMatch(/open https?:\/\/\S+authorize\S* as a DNN administrator/);

    clearPrecheckCache();
    standin.setOAuthAuthorized("ExchangeOnline", -1, true);
    const report = await runPrecheck(s, optionsOf(s, { via: "dnn" }), { dnn: port });
    expect(report).toMatchObject({ via: "dnn", mailProvider: "mailkit", mechanism: "XOAUTH2" });
  });
});
