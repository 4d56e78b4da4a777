/**
 * The local precheck against real SMTP servers (`smtp-server` on loopback): every row of
 * the error table in the team's SMTP precheck notes, the hidden-AUTH false success, both DNN
 * mail-provider profiles and every level.
 */
import nodemailer from "nodemailer";
import { describe, expect } from "vitest";
import type { DnnSmtpError } from "../provider/errors";
import { type DnnPrecheckPort, runPrecheck, validatePrecheckOptions } from "../provider/precheck";
import type { ServerAddress } from "../provider/settings";
import { testCerts } from "./support/certs";
import { optionsOf, precheckTest, rejection, settingsOf } from "./support/precheck";
import { closedPort, type SmtpServerOptions, type TestSmtpServer } from "./support/smtp";

const USER = "alice";
const PASSWORD = "Pa55-word!secret";
const certs = testCerts();
const trust = { tls: { ca: certs.ca } };

/** The fixtures, plus `server`: an smtp-server that accepts USER / PASSWORD. */
const it = precheckTest.extend<{
  server: (options?: SmtpServerOptions) => Promise<TestSmtpServer>;
}>({
  server: async ({ smtp }, use) => {
    await use((options = {}) => smtp({ users: { [USER]: PASSWORD }, ...options }));
  },
});
/** Settings logging in as USER; `password` overrides. */
function basic(port: number, extra: Record<string, unknown> = {}) {
  return settingsOf({
    server: `127.0.0.1:${port}`,
    authentication: "basic",
    username: USER,
    password: PASSWORD,
    ...extra,
  });
}
/** Connects "localhost:<settingsPort>" to the loopback test server instead. */
const dialTo = (port: number) => ({
  dial: (a: ServerAddress) => ({ host: "127.0.0.1", port: a.port === 465 ? port : a.port }),
});
function expectNoSecret(err: DnnSmtpError) {
  expect(err.message).not.toContain(PASSWORD);
  expect(err.message).not.toContain(Buffer.from(PASSWORD).toString("base64"));
}

describe("error table (SMTP precheck notes)", () => {
  it("wrong password: PRECHECK_AUTH_REJECTED with 535 and the mechanism", async ({ server }) => {
    const s = await server({ tls: "starttls" });
    const settings = basic(s.port, { password: "wrong-password", enableSsl: true });
    const err = await rejection(runPrecheck(settings, optionsOf(settings, trust)));
    expect(err.code).toBe("PRECHECK_AUTH_REJECTED");
    expect(err.responseCode).toBe(535);
    expect(err.command).toBe("AUTH LOGIN");
    expect(err.transient).toBe(false);
    expect(err.message).toMatch(
      /rejected user "alice" with AUTH LOGIN .*check username and password\.$/,
    );
    expect(err.message).not.toContain("wrong-password");
  });

  it("nothing listening: PRECHECK_REFUSED", async () => {
    const settings = settingsOf({ server: `127.0.0.1:${await closedPort()}` });
    const err = await rejection(runPrecheck(settings, optionsOf(settings)));
    expect(err.code).toBe("PRECHECK_REFUSED");
    expect(err.transient).toBe(true);
    expect(err.message).toMatch(/connection refused.*check the port/);
  });

  it("name does not resolve: PRECHECK_DNS", async () => {
    const settings = settingsOf({ server: "no-such-host.invalid:587" });
    const err = await rejection(runPrecheck(settings, optionsOf(settings)));
    expect(err.code).toBe("PRECHECK_DNS");
    expect(err.message).toContain("no-such-host.invalid");
  });

  it("self-signed certificate (implicit TLS, MailKit on 465): PRECHECK_TLS_UNTRUSTED", async ({
    server,
  }) => {
    const s = await server({ tls: "implicit", cert: certs.selfSigned });
    const settings = settingsOf({ server: "localhost:465" });
    const err = await rejection(
      runPrecheck(settings, optionsOf(settings, { mailProvider: "mailkit" }), dialTo(s.port)),
    );
    expect(err.code).toBe("PRECHECK_TLS_UNTRUSTED");
    expect(err.message).toMatch(/not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\).*precheck\.tls\.ca/);
  });

  it("certificate from an unknown CA after STARTTLS: PRECHECK_TLS_UNTRUSTED", async ({
    server,
  }) => {
    const s = await server({ tls: "starttls" });
    const settings = basic(s.port, { enableSsl: true });
    const err = await rejection(runPrecheck(settings, optionsOf(settings)));
    expect(err.code).toBe("PRECHECK_TLS_UNTRUSTED");
    expect(s.logins()).toBe(0);
  });

  it("certificate name mismatch: PRECHECK_TLS_NAME naming the certificate's names", async ({
    server,
  }) => {
    const s = await server({ tls: "starttls", cert: certs.wrongName });
    const settings = basic(s.port, { enableSsl: true });
    const err = await rejection(runPrecheck(settings, optionsOf(settings, trust)));
    expect(err.code).toBe("PRECHECK_TLS_NAME");
    expect(err.message).toContain("wrong-name.example");
  });

  it("implicit TLS against a STARTTLS port (MailKit, port 465): PRECHECK_TLS_MODE", async ({
    server,
  }) => {
    const s = await server({ tls: "starttls" });
    const settings = settingsOf({ server: "localhost:465" });
    const err = await rejection(
      runPrecheck(
        settings,
        optionsOf(settings, { mailProvider: "mailkit", ...trust }),
        dialTo(s.port),
      ),
    );
    expect(err.code).toBe("PRECHECK_TLS_MODE");
    expect(err.message).toMatch(/does not speak implicit TLS.*587/);
  });

  it("plain connect against an implicit-TLS port 465 (core): PRECHECK_TLS_MODE suggesting 587", async ({
    server,
  }) => {
    const s = await server({ tls: "implicit" });
    const settings = settingsOf({ server: "localhost:465" });
    const err = await rejection(
      runPrecheck(settings, optionsOf(settings, { connectTimeoutMs: 500 }), dialTo(s.port)),
    );
    expect(err.code).toBe("PRECHECK_TLS_MODE");
    expect(err.message).toMatch(
      /sent no greeting within 500 ms: port 465 expects implicit TLS.*use port 587 with enableSsl/,
    );
  });

  it("STARTTLS refused while enableSsl is on (core): PRECHECK_STARTTLS_MISSING", async ({
    server,
  }) => {
    const s = await server({ tls: "none" });
    const settings = basic(s.port, { enableSsl: true });
    const err = await rejection(runPrecheck(settings, optionsOf(settings)));
    expect(err.code).toBe("PRECHECK_STARTTLS_MISSING");
    expect(err.command).toBe("STARTTLS");
    expect(err.message).toMatch(/does not accept STARTTLS .* while enableSsl is on/);
    expect(s.logins()).toBe(0);
  });

  it("server closes at once: PRECHECK_CONNECTION", async ({ peer }) => {
    const tcp = await peer("close");
    const settings = settingsOf({ server: `127.0.0.1:${tcp.port}` });
    const err = await rejection(runPrecheck(settings, optionsOf(settings)));
    expect(err.code).toBe("PRECHECK_CONNECTION");
    expect(err.message).toMatch(/closed the connection during the greeting/);
  });

  it("greeting 421: PRECHECK_GREETING, transient, with the reply", async ({ server }) => {
    const s = await server({ refuseAtGreeting: { code: 421, message: "too busy, try later" } });
    const settings = settingsOf({ server: `127.0.0.1:${s.port}` });
    const err = await rejection(runPrecheck(settings, optionsOf(settings)));
    expect(err.code).toBe("PRECHECK_GREETING");
    expect(err.responseCode).toBe(421);
    expect(err.transient).toBe(true);
    expect(err.message).toContain("too busy, try later");
  });

  it("AUTH only after TLS while enableSsl is off: PRECHECK_AUTH_REJECTED telling to enable SSL", async ({
    server,
  }) => {
    const s = await server({ tls: "starttls", allowInsecureAuth: false });
    const settings = basic(s.port);
    const err = await rejection(runPrecheck(settings, optionsOf(settings)));
    expect(err.code).toBe("PRECHECK_AUTH_REJECTED");
    expect(err.responseCode).toBe(538);
    expect(err.message).toMatch(/unencrypted connection.*set enableSsl to true/);
    expectNoSecret(err);
  });

  it("NTLM not offered: PRECHECK_AUTH_NOT_OFFERED", async ({ server }) => {
    const s = await server({ tls: "none" });
    const settings = settingsOf({
      server: `127.0.0.1:${s.port}`,
      authentication: "ntlm",
      username: "CORP\\web",
    });
    const err = await rejection(runPrecheck(settings, optionsOf(settings, { level: "auth" })));
    expect(err.code).toBe("PRECHECK_AUTH_NOT_OFFERED");
    expect(err.message).toMatch(/offers AUTH PLAIN LOGIN but not NTLM/);
  });

  it("NTLM advertised but refused when tried: PRECHECK_AUTH_NOT_OFFERED with 504", async ({
    server,
  }) => {
    const s = await server({ tls: "none", authMethods: ["PLAIN", "NTLM"] });
    const settings = settingsOf({
      server: `127.0.0.1:${s.port}`,
      authentication: "ntlm",
      username: "CORP\\web",
    });
    const err = await rejection(runPrecheck(settings, optionsOf(settings, { level: "auth" })));
    expect(err.code).toBe("PRECHECK_AUTH_NOT_OFFERED");
    expect(err.command).toBe("AUTH NTLM");
  });

  it.for([
    ["mail", "MAIL FROM", 550],
    ["rcpt", "RCPT TO", 550],
    ["data", "DATA", 554],
  ] as const)(
    "rejection at %s: PRECHECK_REJECTED with the command",
    async ([at, command, code], { server }) => {
      const s = await server({
        tls: "none",
        reject: { [at]: { code, message: `no thanks at ${command}` } },
      });
      const settings = basic(s.port);
      const err = await rejection(
        runPrecheck(settings, optionsOf(settings, { level: "send", recipient: "ops@example.com" })),
      );
      expect(err.code).toBe("PRECHECK_REJECTED");
      expect(err.command).toBe(command);
      expect(err.responseCode).toBe(code);
      expect(err.message).toContain(`at ${command} with "${code} no thanks at ${command}"`);
      expect(s.mails()).toHaveLength(0);
    },
  );

  it("a temporary rejection (451 at RCPT) is transient", async ({ server }) => {
    const s = await server({ tls: "none", reject: { rcpt: { code: 451, message: "greylisted" } } });
    const settings = basic(s.port);
    const err = await rejection(
      runPrecheck(settings, optionsOf(settings, { level: "send", recipient: "ops@example.com" })),
    );
    expect(err.code).toBe("PRECHECK_REJECTED");
    expect(err.transient).toBe(true);
  });
});

describe("timeouts by phase", () => {
  it("a silent peer: PRECHECK_TIMEOUT waiting for the greeting, after connectTimeoutMs", async ({
    peer,
  }) => {
    const tcp = await peer("silent");
    const settings = settingsOf({ server: `127.0.0.1:${tcp.port}` });
    const started = Date.now();
    const err = await rejection(
      runPrecheck(settings, optionsOf(settings, { connectTimeoutMs: 400 })),
    );
    const elapsed = Date.now() - started;
    expect(err.code).toBe("PRECHECK_TIMEOUT");
    expect(err.transient).toBe(true);
    expect(err.message).toMatch(/sent no greeting within 400 ms/);
    expect(elapsed).toBeGreaterThanOrEqual(350); // it did wait for the greeting
    expect(tcp.sessions()).toBe(1);
  });

  it("a greeting slower than connectTimeoutMs times out; a faster one passes", async ({
    server,
  }) => {
    const slow = await server({ greetingDelayMs: 500 });
    const settings = settingsOf({ server: `127.0.0.1:${slow.port}` });
    const err = await rejection(
      runPrecheck(settings, optionsOf(settings, { connectTimeoutMs: 200 })),
    );
    expect(err.code).toBe("PRECHECK_TIMEOUT");
    expect(err.message).toMatch(/sent no greeting within 200 ms/);
    const fine = await runPrecheck(settings, optionsOf(settings, { connectTimeoutMs: 1_500 }));
    expect(fine.summary).toMatch(/^connect ok via local/);
    expect(slow.sessions()).toBe(2); // both waited for the same slow greeting
  });

  it("the whole precheck is bounded by timeoutMs (a server stalling at DATA)", async ({
    server,
  }) => {
    const s = await server({
      tls: "none",
      serverOptions: {
        onData(stream) {
          stream.resume(); // accept the bytes, never answer
        },
      },
    });
    const settings = basic(s.port);
    const err = await rejection(
      runPrecheck(
        settings,
        optionsOf(settings, {
          level: "send",
          recipient: "ops@example.com",
          // The per-command inactivity limit is connectTimeoutMs + 500: the deadline fires first.
          connectTimeoutMs: 800,
          timeoutMs: 800,
        }),
      ),
    );
    expect(err.code).toBe("PRECHECK_TIMEOUT");
    expect(err.message).toMatch(/did not finish within 800 ms \(stuck at send\)/);
    expect(s.logins()).toBe(1); // it got as far as DATA
    expect(s.mails()).toHaveLength(0);
  });
});

describe("hidden AUTH: nodemailer verify() false success", () => {
  it("verify() says yes with a wrong password; the precheck says credentials not verified", async ({
    server,
  }) => {
    const s = await server({ tls: "none", hideAuth: true });
    const transport = nodemailer.createTransport({
      host: "127.0.0.1",
      port: s.port,
      secure: false,
      ignoreTLS: true,
      auth: { user: USER, pass: "definitely-wrong" },
    });
    await expect(transport.verify()).resolves.toBe(true); // the false success
    transport.close();

    const settings = basic(s.port, { password: "definitely-wrong" });
    const err = await rejection(runPrecheck(settings, optionsOf(settings)));
    expect(err.code).toBe("PRECHECK_AUTH_UNVERIFIED");
    expect(err.message).toMatch(
      /^\[PRECHECK_AUTH_UNVERIFIED\] Credentials not verified: .* offered no AUTH/,
    );
    expect(err.message).not.toContain("definitely-wrong");
  });

  it("allowUnverifiedAuth passes with a warning and authenticated false", async ({ server }) => {
    const s = await server({ tls: "none", hideAuth: true });
    const settings = basic(s.port);
    const report = await runPrecheck(settings, optionsOf(settings, { allowUnverifiedAuth: true }));
    expect(report.authenticated).toBe(false);
    expect(report.summary).toContain("credentials not verified");
    expect(report.warnings.join("\n")).toMatch(/precheck\.allowUnverifiedAuth/);
    // The fault fired: AUTH was hidden, so nothing logged in, and the summary carries the warning.
    expect(s.logins()).toBe(0);
    expect(report.summary).toMatch(/; warning: Credentials not verified: .* offered no AUTH/);
  });

  it("AUTH hidden before STARTTLS with enableSsl off: the message says to set enableSsl", async ({
    server,
  }) => {
    const s = await server({
      tls: "starttls",
      serverOptions: {
        onConnect(session, callback) {
          session.disabledCommands = ["AUTH"]; // no AUTH on this connection until TLS
          callback();
        },
      },
    });
    const settings = basic(s.port);
    const err = await rejection(runPrecheck(settings, optionsOf(settings)));
    expect(err.code).toBe("PRECHECK_AUTH_UNVERIFIED");
    expect(err.message).toMatch(/offers STARTTLS: set enableSsl to true/);
  });
});

describe("core profile (System.Net.Mail)", () => {
  it("enableSsl: STARTTLS required, AUTH LOGIN even when PLAIN is offered first", async ({
    server,
  }) => {
    const s = await server({ tls: "starttls", authMethods: ["PLAIN", "LOGIN"] });
    const settings = basic(s.port, { enableSsl: true });
    const report = await runPrecheck(settings, optionsOf(settings, trust));
    expect(report).toMatchObject({
      level: "auth",
      via: "local",
      mailProvider: "core",
      tls: "starttls",
      authenticated: true,
      mechanism: "LOGIN",
      cached: false,
    });
    expect(report.summary).toBe(
      `auth ok via local: 127.0.0.1:${s.port} STARTTLS, AUTH LOGIN accepted`,
    );
    expect(report.warnings).toEqual([]);
    expect(s.logins()).toBe(1);
  });

  it("enableSsl off: STARTTLS never attempted, and a warning about clear-text credentials", async ({
    server,
  }) => {
    const s = await server({ tls: "starttls" });
    const settings = basic(s.port);
    const report = await runPrecheck(settings, optionsOf(settings));
    expect(report.tls).toBe("none");
    expect(report.authenticated).toBe(true);
    expect(report.warnings.join("\n")).toMatch(
      /unencrypted connection .* although the server offers STARTTLS; set enableSsl to true/,
    );
  });

  it("a server with AUTH PLAIN only: PRECHECK_AUTH_NOT_OFFERED (System.Net.Mail has no PLAIN)", async ({
    server,
  }) => {
    const s = await server({ tls: "none", authMethods: ["PLAIN"] });
    const settings = basic(s.port);
    const err = await rejection(runPrecheck(settings, optionsOf(settings)));
    expect(err.code).toBe("PRECHECK_AUTH_NOT_OFFERED");
    expect(err.message).toMatch(/can only log in with LOGIN .*precheck\.mailProvider "mailkit"/);
    expect(s.sessions()).toBe(1);
  });

  it("port 465 with enableSsl: PRECHECK_TLS_MODE before any connection", async ({ server }) => {
    const s = await server({ tls: "implicit" });
    const settings = basic(465, { enableSsl: true, server: "localhost:465" });
    // Validation already reports it on `server`; runPrecheck refuses it too.
    const checked = validatePrecheckOptions({}, settings);
    expect(checked.ok ? [] : checked.problems.map((p) => p.field)).toEqual(["server"]);
    const options = optionsOf(basic(587, { enableSsl: true }), trust);
    const err = await rejection(runPrecheck(settings, options, dialTo(s.port)));
    expect(err.code).toBe("PRECHECK_TLS_MODE");
    expect(err.field).toBe("server");
    expect(err.message).toMatch(/use port 587 with enableSsl/);
    expect(s.sessions()).toBe(0);
  });
});

describe("mailkit profile", () => {
  it("port 465: implicit TLS, best mechanism offered (PLAIN)", async ({ server }) => {
    const s = await server({ tls: "implicit", authMethods: ["PLAIN"] });
    const settings = basic(465, { server: "localhost:465" });
    const report = await runPrecheck(
      settings,
      optionsOf(settings, { mailProvider: "mailkit", ...trust }),
      dialTo(s.port),
    );
    expect(report).toMatchObject({
      tls: "implicit",
      authenticated: true,
      mechanism: "PLAIN",
      mailProvider: "mailkit",
      server: "localhost:465",
    });
  });

  it("other ports: STARTTLS when offered, whatever enableSsl says", async ({ server }) => {
    const s = await server({ tls: "starttls" });
    const settings = basic(s.port, { enableSsl: false });
    const report = await runPrecheck(
      settings,
      optionsOf(settings, { mailProvider: "mailkit", ...trust }),
    );
    expect(report.tls).toBe("starttls");
    expect(report.warnings).toEqual([]);
  });

  it("other ports without STARTTLS: plain, with a warning", async ({ server }) => {
    const s = await server({ tls: "none" });
    const settings = basic(s.port, { enableSsl: true });
    const report = await runPrecheck(settings, optionsOf(settings, { mailProvider: "mailkit" }));
    expect(report.tls).toBe("none");
    expect(report.warnings.join("\n")).toMatch(/offers no STARTTLS/);
  });

  it("NTLM: PRECHECK_UNSUPPORTED without touching the network", async ({ server }) => {
    const s = await server({ tls: "none" });
    const settings = settingsOf({ server: `127.0.0.1:${s.port}`, authentication: "ntlm" });
    const options = {
      ...optionsOf(settings, { level: "connect" }),
      mailProvider: "mailkit" as const,
    };
    const err = await rejection(runPrecheck(settings, options));
    expect(err.code).toBe("PRECHECK_UNSUPPORTED");
    expect(s.sessions()).toBe(0);
  });
});

describe("OAuth (XOAUTH2 offered, consent read from DNN)", () => {
  const oauthSettings = (port: number) =>
    settingsOf({
      server: `127.0.0.1:${port}`,
      authentication: "oauth",
      username: "mailer@example.com",
      oauth: { provider: "ExchangeOnline", settings: { ClientSecret: "client-secret-value" } },
    });
  const port = (isAuthorized: boolean): DnnPrecheckPort => ({
    sendTestEmail: () => Promise.reject(new Error("not used")),
    getSmtpOAuthProviders: async () => ({
      host: [
        {
          name: "ExchangeOnline",
          isAuthorized,
          authorizeUrl: "https://dnn.example.com/oauth/consent?p=ExchangeOnline",
        },
      ],
      site: [],
    }),
  });

  it("not authorized: PRECHECK_OAUTH_UNAUTHORIZED with the consent URL, before any SMTP session", async ({
    server,
  }) => {
    const s = await server({ tls: "starttls", authMethods: ["XOAUTH2"] });
    const settings = oauthSettings(s.port);
    const err = await rejection(
      runPrecheck(settings, optionsOf(settings, trust), { dnn: port(false) }),
    );
    expect(err.code).toBe("PRECHECK_OAUTH_UNAUTHORIZED");
    expect(err.message).toContain("https://dnn.example.com/oauth/consent?p=ExchangeOnline");
    expect(s.sessions()).toBe(0);
  });

  it("authorized and XOAUTH2 offered: ok, mechanism XOAUTH2 (the token stays in DNN)", async ({
    server,
  }) => {
    const s = await server({ tls: "starttls", authMethods: ["XOAUTH2"] });
    const settings = oauthSettings(s.port);
    const report = await runPrecheck(settings, optionsOf(settings, trust), { dnn: port(true) });
    expect(report).toMatchObject({
      mailProvider: "mailkit",
      tls: "starttls",
      mechanism: "XOAUTH2",
      authenticated: false,
    });
  });

  it("authorized but XOAUTH2 not offered: PRECHECK_AUTH_NOT_OFFERED", async ({ server }) => {
    const s = await server({ tls: "starttls" });
    const settings = oauthSettings(s.port);
    const err = await rejection(
      runPrecheck(settings, optionsOf(settings, trust), { dnn: port(true) }),
    );
    expect(err.code).toBe("PRECHECK_AUTH_NOT_OFFERED");
    expect(err.message).not.toContain("client-secret-value");
  });
});

describe("levels", () => {
  it("none: no session at all", async ({ server }) => {
    const s = await server();
    const settings = basic(s.port);
    const report = await runPrecheck(settings, optionsOf(settings, { level: "none" }));
    expect(report.summary).toBe("precheck skipped (level none)");
    expect(s.sessions()).toBe(0);
  });

  it("connect: greeting and EHLO, no login", async ({ server }) => {
    const s = await server({ tls: "starttls" });
    const settings = basic(s.port, { enableSsl: true });
    const report = await runPrecheck(settings, optionsOf(settings, { level: "connect", ...trust }));
    expect(report).toMatchObject({ level: "connect", tls: "starttls", authenticated: false });
    expect(report.summary).toContain("AUTH offered: PLAIN LOGIN");
    expect(s.sessions()).toBe(1);
    expect(s.logins()).toBe(0);
  });

  it("auth is the default with credentials; connect without", async ({ server }) => {
    const s = await server({ tls: "none" });
    const withCredentials = basic(s.port);
    expect(optionsOf(withCredentials).level).toBe("auth");
    const anonymous = settingsOf({ server: `127.0.0.1:${s.port}` });
    expect(optionsOf(anonymous).level).toBe("connect");
    expect((await runPrecheck(anonymous, optionsOf(anonymous))).level).toBe("connect");
  });

  it("send: a real mail from hostEmail to precheck.recipient, after AUTH", async ({ server }) => {
    const s = await server({ tls: "starttls" });
    const settings = basic(s.port, { enableSsl: true, hostEmail: "dnn-host@example.com" });
    const report = await runPrecheck(
      settings,
      optionsOf(settings, { level: "send", recipient: "ops@example.com", ...trust }),
    );
    expect(report.summary).toBe(
      `send ok via local: 127.0.0.1:${s.port} STARTTLS, AUTH LOGIN accepted, test mail to ops@example.com accepted`,
    );
    const mails = s.mails();
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({
      from: "dnn-host@example.com",
      to: ["ops@example.com"],
      user: USER,
    });
    expect(mails[0]?.data).toMatch(/Subject: pulumi-dnn-smtp precheck/);
  });

  it("send with an explicit sender, anonymous relay", async ({ smtp }) => {
    const s = await smtp({ tls: "none" });
    const settings = settingsOf({ server: `127.0.0.1:${s.port}` });
    const report = await runPrecheck(
      settings,
      optionsOf(settings, {
        level: "send",
        recipient: "ops@example.com",
        sender: "noreply@example.com",
      }),
    );
    expect(report.authenticated).toBe(false);
    expect(s.mails()[0]?.from).toBe("noreply@example.com");
  });
});
