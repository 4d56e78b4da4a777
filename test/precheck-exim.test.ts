/**
 * The core cases again against a second, independent SMTP implementation: Debian's exim4
 * (exim4-daemon-heavy) on loopback, with a STARTTLS port, an implicit-TLS port, AUTH
 * PLAIN/LOGIN and NTLM through exim's `spa` authenticator.
 */

import SMTPConnection from "nodemailer/lib/smtp-connection";
import ntlmAuth from "nodemailer-ntlm-auth";
import { describe, expect } from "vitest";
import { runPrecheck } from "../provider/precheck";
import type { ServerAddress } from "../provider/settings";
import { testCerts } from "./support/certs";
import {
  EXIM_REJECTED_RECIPIENT,
  EXIM_REJECTED_SENDER,
  type EximServer,
  eximSkipReason,
  startExim,
} from "./support/exim";
import { optionsOf, precheckTest, rejection, settingsOf } from "./support/precheck";

const skip = eximSkipReason();

/** The fixtures plus `exim`: one exim4 daemon for the file, stopped after its last test. */
const it = precheckTest.extend<{ exim: EximServer }>({
  exim: [
    // biome-ignore lint/correctness/noEmptyPattern: vitest reads the fixtures a fixture needs from this pattern
    async ({}, use) => {
      const exim = await startExim();
      try {
        await use(exim);
      } finally {
        await exim.close();
      }
    },
    { scope: "file" },
  ],
});

const trust = () => ({ tls: { ca: testCerts().ca } });
const basic = (exim: EximServer, port: number, extra: Record<string, unknown> = {}) =>
  settingsOf({
    server: `localhost:${port}`,
    authentication: "basic",
    username: exim.user,
    password: exim.password,
    ...extra,
  });
/** "localhost:465" in the settings is exim's implicit-TLS port; the rest go to 127.0.0.1. */
const dial = (exim: EximServer) => ({
  dial: (a: ServerAddress) => ({
    host: "127.0.0.1",
    port: a.port === 465 ? exim.tlsPort : a.port,
  }),
});
/** exim writes its log after the session: wait for it, bounded. */
async function eventually(check: () => boolean, ms = 3_000) {
  const until = Date.now() + ms;
  while (!check() && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
  return check();
}

describe.skipIf(skip)("precheck against exim4", () => {
  it("core, STARTTLS port with enableSsl: AUTH LOGIN accepted", async ({ exim }) => {
    const s = basic(exim, exim.starttlsPort, { enableSsl: true });
    const report = await runPrecheck(s, optionsOf(s, trust()), dial(exim));
    expect(report).toMatchObject({ tls: "starttls", authenticated: true, mechanism: "LOGIN" });
    expect(report.warnings).toEqual([]);
  });

  it("wrong password: PRECHECK_AUTH_REJECTED 535", async ({ exim }) => {
    const s = basic(exim, exim.starttlsPort, { enableSsl: true, password: "not-the-password" });
    const err = await rejection(runPrecheck(s, optionsOf(s, trust()), dial(exim)));
    expect(err.code).toBe("PRECHECK_AUTH_REJECTED");
    expect(err.responseCode).toBe(535);
    expect(err.message).not.toContain("not-the-password");
  });

  it("untrusted certificate (no precheck.tls.ca): PRECHECK_TLS_UNTRUSTED", async ({ exim }) => {
    const s = basic(exim, exim.starttlsPort, { enableSsl: true });
    const err = await rejection(runPrecheck(s, optionsOf(s), dial(exim)));
    expect(err.code).toBe("PRECHECK_TLS_UNTRUSTED");
  });

  it("core with enableSsl off: plain session, credentials warning", async ({ exim }) => {
    const s = basic(exim, exim.starttlsPort);
    const report = await runPrecheck(s, optionsOf(s), dial(exim));
    expect(report.tls).toBe("none");
    expect(report.authenticated).toBe(true);
    expect(report.warnings.join(" ")).toMatch(/unencrypted connection/);
  });

  it("mailkit on 465: implicit TLS, AUTH PLAIN accepted", async ({ exim }) => {
    const s = basic(exim, 465);
    const report = await runPrecheck(
      s,
      optionsOf(s, { mailProvider: "mailkit", ...trust() }),
      dial(exim),
    );
    expect(report).toMatchObject({
      tls: "implicit",
      authenticated: true,
      mechanism: "PLAIN",
      server: "localhost:465",
    });
  });

  it("core on 465 without enableSsl: no greeting, PRECHECK_TLS_MODE suggesting 587", async ({
    exim,
  }) => {
    const s = basic(exim, 465);
    const err = await rejection(
      runPrecheck(s, optionsOf(s, { connectTimeoutMs: 300 }), dial(exim)),
    );
    expect(err.code).toBe("PRECHECK_TLS_MODE");
    expect(err.message).toMatch(/587/);
  });

  it("mailkit on 465 against the STARTTLS port: PRECHECK_TLS_MODE", async ({ exim }) => {
    const s = basic(exim, 465);
    const err = await rejection(
      runPrecheck(s, optionsOf(s, { mailProvider: "mailkit" }), {
        dial: () => ({ host: "127.0.0.1", port: exim.starttlsPort }),
      }),
    );
    expect(err.code).toBe("PRECHECK_TLS_MODE");
  });

  it("send: exim accepts the test mail", async ({ exim }) => {
    const before = exim.mails();
    const s = basic(exim, exim.starttlsPort, { enableSsl: true });
    const report = await runPrecheck(
      s,
      optionsOf(s, { level: "send", recipient: "ops@example.com", ...trust() }),
      dial(exim),
    );
    expect(report.summary).toMatch(/test mail to ops@example.com accepted$/);
    expect(await eventually(() => exim.mails() === before + 1)).toBe(true);
  });

  it.for([
    ["MAIL FROM", { sender: EXIM_REJECTED_SENDER, recipient: "ops@example.com" }],
    ["RCPT TO", { recipient: EXIM_REJECTED_RECIPIENT }],
  ] as const)("rejection at %s: PRECHECK_REJECTED 550", async ([command, extra], { exim }) => {
    const s = basic(exim, exim.starttlsPort, { enableSsl: true });
    const err = await rejection(
      runPrecheck(s, optionsOf(s, { level: "send", ...extra, ...trust() }), dial(exim)),
    );
    expect(err.code).toBe("PRECHECK_REJECTED");
    expect(err.command).toBe(command);
    expect(err.responseCode).toBe(550);
  });

  it("anonymous relay attempt: rejected at RCPT TO with exim's reason", async ({ exim }) => {
    const s = settingsOf({ server: `localhost:${exim.starttlsPort}`, enableSsl: true });
    const err = await rejection(
      runPrecheck(
        s,
        optionsOf(s, { level: "send", recipient: "ops@example.com", ...trust() }),
        dial(exim),
      ),
    );
    expect(err.code).toBe("PRECHECK_REJECTED");
    expect(err.message).toMatch(/RCPT TO .*relay not permitted/);
  });

  it("NTLM (spa): the server offers it; the report says the app pool identity cannot be proven", async ({
    exim,
  }) => {
    const s = settingsOf({
      server: `localhost:${exim.starttlsPort}`,
      authentication: "ntlm",
      enableSsl: true,
    });
    const report = await runPrecheck(s, optionsOf(s, { level: "auth", ...trust() }), dial(exim));
    expect(report).toMatchObject({ mechanism: "NTLM", authenticated: false, tls: "starttls" });
    expect(report.warnings.join(" ")).toMatch(
      /Windows identity of the site's app pool, which cannot be proven/,
    );
  });

  it("NTLM (spa) really authenticates with nodemailer-ntlm-auth: the test server is genuine", async ({
    exim,
  }) => {
    const login = (pass: string) =>
      new Promise<boolean>((resolve, reject) => {
        const conn = new SMTPConnection({
          host: "127.0.0.1",
          port: exim.starttlsPort,
          ignoreTLS: true,
          connectionTimeout: 3_000,
          customAuth: { NTLM: ntlmAuth },
        });
        conn.on("error", reject);
        conn.connect(() =>
          conn.login({ method: "NTLM", user: exim.user, pass }, (err) => {
            conn.close();
            resolve(!err);
          }),
        );
      });
    expect(await login(exim.password)).toBe(true);
    expect(await login("wrong-password")).toBe(false);
  });

  it("many identical prechecks: one session at exim", async ({ exim }) => {
    await eventually(() => false, 100); // let earlier sessions reach the log
    const before = exim.sessions();
    const s = basic(exim, exim.starttlsPort, { enableSsl: true });
    const reports = await Promise.all(
      Array.from({ length: 20 }, () => runPrecheck(s, optionsOf(s, trust()), dial(exim))),
    );
    expect(reports.filter((r) => !r.cached)).toHaveLength(1);
    await eventually(() => exim.sessions() > before);
    await eventually(() => false, 200);
    expect(exim.sessions() - before).toBe(1);
  });
});
