/**
 * `precheckRatio`: the `auth` precheck (the installed copy's runPrecheck: connect, EHLO,
 * STARTTLS, AUTH LOGIN as DNN's core provider does it, QUIT) divided by a bare nodemailer
 * SMTPConnection doing connect + STARTTLS + AUTH LOGIN + QUIT against the same server in the
 * same run. The precheck cache is cleared before every timed precheck: a cached answer
 * would make the ratio meaningless.
 *
 * `smtpSessionsPerConfig`: N site resources created concurrently, sharing K relay
 * configurations, open K SMTP sessions: sessions at the server divided by K.
 */
import type { Standin } from "../standin/server";
import { testCerts } from "../test/support/certs";
import { eximSkipReason, startExim } from "../test/support/exim";
import { startSmtpServer, type TestSmtpServer } from "../test/support/smtp";
import { SITE_PASSWORD, SITE_USER } from "./apply";
import { lifecycle, precheck, settings, smtpConnectionClass } from "./installed";
import { type Comparison, interleave, nowMs } from "./stats";

const RELAY_USER = "relay-user";
const RELAY_PASSWORD = "Relay-Pa55-7e21";

async function relay(users: Record<string, string>): Promise<TestSmtpServer> {
  return startSmtpServer({ tls: "starttls", users, allowInsecureAuth: false });
}

/** An SMTP server with STARTTLS and one login, certificate signed by `testCerts().ca`. */
export interface SmtpTarget {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  close(): Promise<void>;
}

/** `smtp-server` from the test support (it waits 100 ms before its greeting: early-talker check). */
export async function smtpServerTarget(): Promise<SmtpTarget> {
  const server = await relay({ [RELAY_USER]: RELAY_PASSWORD });
  return {
    name: "smtp-server (test support)",
    host: server.host,
    port: server.port,
    user: RELAY_USER,
    password: RELAY_PASSWORD,
    close: () => server.close(),
  };
}

/** exim4, when installed: greets at once, so the floor is the protocol and TLS alone. */
export async function eximTarget(): Promise<SmtpTarget | string> {
  const skip = eximSkipReason();
  if (skip) return skip;
  const exim = await startExim({ user: RELAY_USER, password: RELAY_PASSWORD });
  return {
    name: "exim4",
    host: exim.host,
    port: exim.starttlsPort,
    user: exim.user,
    password: exim.password,
    close: () => exim.close(),
  };
}

/** A bare client: the least an SMTP client does to prove a login, and a polite QUIT. */
async function bareLogin(server: SmtpTarget, ca: string): Promise<void> {
  const SMTPConnection = smtpConnectionClass();
  const conn = new SMTPConnection({
    host: server.host,
    port: server.port,
    secure: false,
    requireTLS: true,
    tls: { ca },
    logger: false,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      conn.once("error", reject);
      conn.connect(() => resolve());
    });
    await new Promise<void>((resolve, reject) =>
      conn.login({ user: server.user, pass: server.password, method: "LOGIN" }, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
    await new Promise<void>((resolve) => {
      conn.once("end", () => resolve());
      conn.quit();
    });
  } finally {
    conn.close();
  }
}

export interface PrecheckRatioResult extends Comparison {
  /** What the precheck reported, to show it really logged in. */
  readonly summary: string;
}

/** Times the precheck against the bare client, both against `server` (left running). */
export async function measurePrecheck(
  server: SmtpTarget,
  options: { rounds: number; budgetMs: number },
): Promise<PrecheckRatioResult> {
  const certs = testCerts();
  const { runPrecheck, validatePrecheckOptions, clearPrecheckCache } = precheck();
  const model = settings().validateSettings({
    scope: "site",
    server: `${server.host}:${server.port}`,
    authentication: "basic",
    username: server.user,
    password: server.password,
    enableSsl: true,
  });
  if (!model.ok) throw new Error(JSON.stringify(model.problems));
  const resolved = validatePrecheckOptions({ level: "auth", tls: { ca: certs.ca } }, model.value);
  if (!resolved.ok) throw new Error(JSON.stringify(resolved.problems));
  let summary = "";
  const comparison = await interleave(
    async () => {
      const started = nowMs();
      await bareLogin(server, certs.ca);
      return nowMs() - started;
    },
    async () => {
      clearPrecheckCache();
      const started = nowMs();
      const report = await runPrecheck(model.value, resolved.value);
      const elapsed = nowMs() - started;
      if (!report.authenticated || report.cached) throw new Error(`precheck: ${report.summary}`);
      summary = report.summary;
      return elapsed;
    },
    { rounds: options.rounds, warmup: 5, budgetMs: options.budgetMs },
  );
  return { ...comparison, summary };
}

export interface SessionsResult {
  readonly resources: number;
  readonly configurations: number;
  readonly sessions: number;
  readonly sessionsPerConfig: number;
}

/**
 * Creates `n` site resources of `standin` (sites site1..siteN) with the `auth` precheck,
 * all at once, spread over `configurations` relay logins on one server.
 */
export async function measureSessions(
  standin: Standin,
  n: number,
  configurations: number,
): Promise<SessionsResult> {
  const certs = testCerts();
  const users = Object.fromEntries(
    Array.from({ length: configurations }, (_, k) => [`${RELAY_USER}-${k}`, RELAY_PASSWORD]),
  );
  const server = await relay(users);
  const { check, create } = lifecycle();
  precheck().clearPrecheckCache();
  try {
    await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const args: Record<string, unknown> = {
          site: { url: standin.siteUrl(`site${i + 1}`), username: SITE_USER },
          sitePassword: SITE_PASSWORD,
          scope: "site",
          server: `${server.host}:${server.port}`,
          authentication: "basic",
          username: `${RELAY_USER}-${i % configurations}`,
          password: RELAY_PASSWORD,
          enableSsl: true,
          precheck: { level: "auth", tls: { ca: certs.ca } },
        };
        const result = await check({}, args);
        if (result.failures?.length) throw new Error(JSON.stringify(result.failures));
        await create(result.inputs as Record<string, unknown>);
      }),
    );
    const sessions = server.sessions();
    return { resources: n, configurations, sessions, sessionsPerConfig: sessions / configurations };
  } finally {
    await server.close();
  }
}
