/**
 * The precheck from this machine: an `SmtpSession` drives nodemailer's SMTPConnection step
 * by step (never `verify()`, which reports success when the server hides AUTH) the way the
 * chosen DNN mail provider will: connect, greeting, EHLO, TLS, AUTH with the provider's
 * mechanism, and for level "send" MAIL FROM / RCPT TO / DATA, all under one deadline.
 */
import { randomBytes } from "node:crypto";
import { isIP } from "node:net";
import { hostname } from "node:os";
import {
  checkServerIdentity,
  createSecureContext,
  type PeerCertificate,
  rootCertificates,
  type SecureContext,
} from "node:tls";
import SMTPConnection from "nodemailer/lib/smtp-connection";
import { DnnSmtpError } from "../errors";
import type { ServerAddress, SmtpSettingsModel } from "../settings";
import { classifyFailure, type PrecheckPhase, type SmtpFailure } from "./classify";
import { aborted } from "./deadline";
import type { ResolvedPrecheckOptions } from "./options";
import type { ConnectionPlan } from "./profile";
import { type Findings, type PrecheckSecrets, scrub, secretsOf } from "./report";
import type { PrecheckTls } from "./types";

/** How long QUIT may take before the socket is simply closed, in milliseconds. */
const QUIT_WAIT_MS = 1_000;
/** Added to connectTimeoutMs for the per-command inactivity limit, in milliseconds. */
const SOCKET_GRACE_MS = 500;
/** nodemailer's name for our own deadline, so it is told apart from its timeouts. */
const DEADLINE = "EPRECHECKDEADLINE";

export interface LocalPrecheckInput {
  readonly settings: SmtpSettingsModel;
  readonly options: ResolvedPrecheckOptions;
  readonly plan: ConnectionPlan;
  /** Where to really connect, when it differs from the settings (tests map port 465 to a free port). */
  readonly target?: ServerAddress;
}

const TLS_WORDS: Readonly<Record<PrecheckTls, string>> = {
  none: "no TLS",
  starttls: "STARTTLS",
  implicit: "implicit TLS",
};

/** The SASL mechanisms an EHLO reply advertises, upper case, in the server's order. */
export function advertisedMechanisms(ehlo: string): string[] {
  const found: string[] = [];
  for (const raw of ehlo.split(/\r?\n/)) {
    const line = raw.replace(/^\d{3}[ -]/, "").trim();
    const match = /^AUTH[\s=](.*)$/i.exec(line);
    if (!match?.[1]) continue;
    for (const m of match[1].split(/[\s=]+/)) {
      const name = m.toUpperCase();
      if (name && !found.includes(name)) found.push(name);
    }
  }
  return found;
}

/** A short RFC 5322 test message. */
function testMessage(from: string, to: string, server: string): string {
  const id = randomBytes(8).toString("hex");
  return [
    `From: <${from}>`,
    `To: <${to}>`,
    `Subject: pulumi-dnn-smtp precheck ${id}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <precheck-${id}@pulumi-dnn-smtp>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    `This test mail was sent by pulumi-dnn-smtp to check the SMTP settings for ${server}`,
    "before they are written to DNN. No action is needed.",
    "",
  ].join("\r\n");
}

/**
 * Proves the server offers NTLM beyond its EHLO line: sends `AUTH NTLM`, expects a 334
 * challenge, then cancels with `*`. No credentials are involved.
 */
const ntlmProbe: SMTPConnection.CustomAuthenticationHandlers[string] = async (ctx) => {
  const reply = await ctx.sendCommand("AUTH NTLM");
  if (reply.status !== 334) {
    throw Object.assign(new Error(`AUTH NTLM was not accepted: ${reply.response}`), {
      response: reply.response,
    });
  }
  await ctx.sendCommand("*");
};

// A context built from the system's 100+ root certificates costs about 10 ms; one per extra
// CA serves every session of the run.
const secureContexts = new Map<string, SecureContext>();
function secureContextFor(ca: string): SecureContext {
  let context = secureContexts.get(ca);
  if (!context) {
    context = createSecureContext({ ca: [...rootCertificates, ca] });
    secureContexts.set(ca, context);
  }
  return context;
}

/** What the server said after EHLO (and STARTTLS, when it happened). */
interface Hello {
  readonly tls: PrecheckTls;
  /** AUTH mechanisms advertised on this connection. */
  readonly offered: readonly string[];
  /** Of those, the ones the provider can use, best first. */
  readonly usable: readonly string[];
  readonly startTlsOffered: boolean;
}

/**
 * One SMTP session as DNN's provider would hold it. Every step races the session's
 * failure (an error, an unexpected close, or the deadline) so none can hang.
 */
class SmtpSession {
  /** Where the session has got to, for the failure's sentence. */
  phase: PrecheckPhase = "connect";
  /** The names the server's certificate carries, when the name check failed. */
  certificateNames?: string;
  /** The AUTH mechanism last tried. */
  attempted?: string;
  private readonly conn: SMTPConnection;
  private readonly failed: Promise<never>;
  private ending = false;

  constructor(
    private readonly input: LocalPrecheckInput,
    deadline: AbortSignal,
  ) {
    this.conn = new SMTPConnection(this.connectionOptions());
    let fail: (err: unknown) => void = () => {};
    const failed = new Promise<never>((_, reject) => {
      fail = reject;
    });
    failed.catch(() => {}); // observed through step(); never "unhandled"
    this.conn.on("error", (err: unknown) => fail(err));
    this.conn.on("end", () => {
      if (!this.ending)
        fail(Object.assign(new Error("Connection closed unexpectedly"), { code: "ECONNECTION" }));
    });
    const late = () => Object.assign(new Error("precheck deadline"), { code: DEADLINE });
    this.failed = Promise.race([failed, aborted(deadline, late)]);
  }

  private connectionOptions(): SMTPConnection.Options {
    const { options, plan } = this.input;
    const target = this.input.target ?? plan.address;
    // SNI and certificate checks use the name DNN will use, even when the target differs.
    const servername = isIP(plan.address.host) ? undefined : plan.address.host;
    const t = options.connectTimeoutMs;
    return {
      host: target.host,
      port: target.port,
      secure: plan.secure, // always explicit: nodemailer would switch to implicit TLS on 465 by itself
      requireTLS: plan.requireTLS,
      ignoreTLS: plan.ignoreTLS,
      servername,
      name: hostname(),
      connectionTimeout: t,
      greetingTimeout: t,
      dnsTimeout: t,
      // Inactivity limit per command; a little longer, so the connect-phase timers report first.
      socketTimeout: t + SOCKET_GRACE_MS,
      socketCloseTimeout: QUIT_WAIT_MS,
      allowInternalNetworkInterfaces: true,
      tls: {
        secureContext: options.tls.ca === undefined ? undefined : secureContextFor(options.tls.ca),
        rejectUnauthorized: options.tls.rejectUnauthorized,
        servername,
        checkServerIdentity: (name: string, cert: PeerCertificate) => this.checkName(name, cert),
      },
      logger: false,
      customAuth: { NTLM: ntlmProbe },
    };
  }

  private checkName(name: string, cert: PeerCertificate) {
    const err = checkServerIdentity(name, cert);
    if (err)
      this.certificateNames = cert.subjectaltname || [cert.subject?.CN ?? ""].flat().join(", ");
    return err;
  }

  /** A callback-style SMTPConnection call as a promise that loses to the session's failure. */
  private step(call: (done: (err?: Error | null) => void) => void): Promise<void> {
    const work = new Promise<void>((resolve, reject) => call((e) => (e ? reject(e) : resolve())));
    return Promise.race([work, this.failed]);
  }

  /** TCP (and TLS), greeting, EHLO, STARTTLS as the provider does it. */
  async connect(): Promise<Hello> {
    await this.step((done) => this.conn.connect((err) => done(err)));
    const ehlo =
      typeof this.conn.lastServerResponse === "string" ? this.conn.lastServerResponse : "";
    const { plan } = this.input;
    const offered = advertisedMechanisms(ehlo);
    return {
      tls: plan.secure ? "implicit" : this.conn.secure ? "starttls" : "none",
      offered,
      usable: plan.mechanisms.filter((m) => offered.includes(m)),
      startTlsOffered: /^\d{3}[ -]STARTTLS\b/im.test(ehlo),
    };
  }

  login(credentials: SMTPConnection.Credentials & { method: string }): Promise<void> {
    this.phase = "auth";
    this.attempted = credentials.method;
    return this.step((done) => this.conn.login(credentials, done));
  }

  send(from: string, to: string): Promise<void> {
    this.phase = "send";
    const message = testMessage(from, to, this.input.plan.server);
    return this.step((done) => this.conn.send({ from, to: [to] }, message, (e) => done(e)));
  }

  /** QUIT, waiting at most QUIT_WAIT_MS for the server to close. */
  async quit(): Promise<void> {
    this.ending = true;
    await Promise.race([
      new Promise<void>((resolve) => {
        this.conn.once("end", () => resolve());
        this.conn.quit();
      }),
      new Promise<void>((resolve) => setTimeout(resolve, QUIT_WAIT_MS).unref()),
    ]);
  }

  close(): void {
    this.ending = true;
    this.conn.close();
  }
}

/** Warnings about how the connection was made, whatever the level. */
function connectionWarnings(hello: Hello, input: LocalPrecheckInput): string[] {
  const { settings, options, plan } = input;
  const warnings: string[] = [];
  if (hello.tls === "none" && settings.authentication === "basic") {
    const starttls = hello.startTlsOffered;
    warnings.push(
      plan.mailProvider === "core"
        ? `The user name and password would cross an unencrypted connection to ${plan.server}${starttls ? " although the server offers STARTTLS" : ""}; set enableSsl to true${starttls ? "" : " and use a port with STARTTLS"}.`
        : `The user name and password would cross an unencrypted connection to ${plan.server}, which offers no STARTTLS; use port 587 or 465.`,
    );
  }
  if (options.tls.rejectUnauthorized === false) {
    warnings.push(
      `The certificate of ${plan.server} was not verified (precheck.tls.rejectUnauthorized is false); DNN will verify it.`,
    );
  }
  return warnings;
}

/** What the AUTH step proved. */
interface AuthResult {
  readonly authenticated: boolean;
  readonly mechanism?: string;
  /** For the summary, e.g. "AUTH LOGIN accepted". */
  readonly words?: string;
}

/**
 * The AUTH step as the provider would take it, at levels "auth" and "send" only. Pushes
 * warnings; throws PRECHECK_AUTH_* when the credentials cannot be proven.
 */
async function authenticate(
  session: SmtpSession,
  hello: Hello,
  input: LocalPrecheckInput,
  warnings: string[],
  secrets: PrecheckSecrets,
): Promise<AuthResult> {
  const { settings, options, plan } = input;
  const { authentication } = settings;
  const wanted = options.level === "auth" || options.level === "send";
  if (authentication === "anonymous" || !wanted) {
    if (authentication !== "anonymous" && hello.offered.length > 0 && hello.usable.length === 0) {
      warnings.push(
        `${plan.server} offers AUTH ${hello.offered.join(" ")} but ${plan.providerName} can only use ${plan.mechanisms.join(" or ")}; it would not log in.`,
      );
    }
    return {
      authenticated: false,
      words: hello.offered.length > 0 ? `AUTH offered: ${hello.offered.join(" ")}` : undefined,
    };
  }
  session.phase = "auth";
  if (hello.offered.length === 0) {
    unverifiedAuth(hello, input, warnings, secrets);
    return { authenticated: false, words: "credentials not verified" };
  }
  const mechanism = hello.usable[0];
  if (!mechanism) throw notOffered(hello, input, secrets);
  if (authentication === "basic") {
    await session.login({
      user: settings.username ?? "",
      pass: settings.password ?? "",
      method: mechanism,
    });
    return { authenticated: true, mechanism, words: `AUTH ${mechanism} accepted` };
  }
  if (authentication === "ntlm") {
    await session.login({ method: "NTLM", user: settings.username ?? "", pass: "" });
    warnings.push(
      `${plan.server} offers AUTH NTLM, but DNN will authenticate as the Windows identity of the site's app pool, which cannot be proven from here; send a test mail from DNN to be sure.`,
    );
    return {
      authenticated: false,
      mechanism,
      words: "AUTH NTLM offered (app pool identity not provable)",
    };
  }
  // OAuth: the token lives in DNN; its authorization is checked through DNN.
  return { authenticated: false, mechanism, words: "AUTH XOAUTH2 offered" };
}

/** No AUTH advertised: fails, or with allowUnverifiedAuth passes with a warning. */
function unverifiedAuth(
  hello: Hello,
  input: LocalPrecheckInput,
  warnings: string[],
  secrets: PrecheckSecrets,
): void {
  const { options, plan } = input;
  const hint =
    hello.startTlsOffered && plan.ignoreTLS
      ? " it offers STARTTLS: set enableSsl to true, as AUTH is often offered only after STARTTLS"
      : " fix the server's AUTH setup, or set precheck.allowUnverifiedAuth if it relays without login";
  const finding = `Credentials not verified: ${plan.server} offered no AUTH on this ${TLS_WORDS[hello.tls]} connection, so a wrong password would go unnoticed`;
  if (!options.allowUnverifiedAuth) {
    throw new DnnSmtpError("PRECHECK_AUTH_UNVERIFIED", scrub(`${finding};${hint}`, secrets), {
      field: "precheck.allowUnverifiedAuth",
    });
  }
  warnings.push(`${finding}; accepted because precheck.allowUnverifiedAuth is set.`);
}

function notOffered(hello: Hello, input: LocalPrecheckInput, secrets: PrecheckSecrets) {
  const { settings, plan } = input;
  const { authentication } = settings;
  const offered = hello.offered.join(" ");
  const sentence =
    authentication === "basic" && plan.mailProvider === "core"
      ? `${plan.server} offers AUTH ${offered} but ${plan.providerName} can only log in with LOGIN and would send without logging in; enable AUTH LOGIN on the server or use precheck.mailProvider "mailkit".`
      : `${plan.server} offers AUTH ${offered} but not ${plan.mechanisms.join(" or ")}, which ${plan.providerName} needs for authentication "${authentication}"; enable it on the server or choose another authentication.`;
  return new DnnSmtpError("PRECHECK_AUTH_NOT_OFFERED", scrub(sentence, secrets), {
    field: "authentication",
  });
}

/** A nodemailer failure (or our deadline) as one DnnSmtpError; redaction happens in there. */
function failureOf(
  err: unknown,
  session: SmtpSession,
  input: LocalPrecheckInput,
  secrets: PrecheckSecrets,
): DnnSmtpError {
  if (err instanceof DnnSmtpError) return err;
  const { settings, options, plan } = input;
  const failure = err as SmtpFailure;
  if (failure.code === DEADLINE) {
    return new DnnSmtpError(
      "PRECHECK_TIMEOUT",
      `The precheck of ${plan.server} did not finish within ${options.timeoutMs} ms (stuck at ${session.phase}); raise precheck.timeoutMs or check the server.`,
      { transient: true },
    );
  }
  return classifyFailure(failure, {
    plan,
    phase: session.phase,
    connectTimeoutMs: options.connectTimeoutMs,
    enableSsl: settings.enableSsl,
    username: settings.username,
    mechanism: session.attempted,
    certificateNames: session.certificateNames,
    secrets,
  });
}

/** Runs the local precheck; throws DnnSmtpError with a PRECHECK_* code. */
export async function precheckLocal(input: LocalPrecheckInput): Promise<Findings> {
  const { settings, options, plan } = input;
  const secrets = secretsOf(settings);
  const session = new SmtpSession(input, AbortSignal.timeout(options.timeoutMs));
  try {
    const hello = await session.connect();
    const warnings = connectionWarnings(hello, input);
    const auth = await authenticate(session, hello, input, warnings, secrets);
    const recipient = options.level === "send" ? (options.recipient ?? "") : undefined;
    if (recipient !== undefined) await session.send(options.sender ?? recipient, recipient);
    await session.quit();
    const proven = [`${plan.server} ${TLS_WORDS[hello.tls]}`, auth.words];
    if (recipient !== undefined) proven.push(`test mail to ${recipient} accepted`);
    return {
      level: options.level,
      via: "local",
      mailProvider: plan.mailProvider,
      server: plan.server,
      tls: hello.tls,
      authenticated: auth.authenticated,
      mechanism: auth.mechanism,
      recipient,
      warnings,
      proven: proven.filter(Boolean).join(", "),
    };
  } catch (err) {
    throw failureOf(err, session, input, secrets);
  } finally {
    session.close();
  }
}
