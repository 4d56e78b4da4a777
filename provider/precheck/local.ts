/**
 * The precheck from this machine: drives nodemailer's SMTPConnection step by step (never
 * `verify()`, which reports success when the server hides AUTH) the way the chosen DNN
 * mail provider will: connect, greeting, EHLO, TLS, AUTH with the provider's mechanism,
 * and for level "send" MAIL FROM / RCPT TO / DATA.
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
import { DnnSmtpError, redact } from "../errors";
import type { ServerAddress, SmtpSettingsModel } from "../settings";
import { classifyFailure, type PrecheckPhase, type SmtpFailure } from "./classify";
import type { ResolvedPrecheckOptions } from "./options";
import type { ConnectionPlan } from "./profile";
import type { PrecheckReport, PrecheckTls } from "./types";

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

export type LocalReport = Omit<PrecheckReport, "cached">;

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

/** Secrets as they could appear on the wire or in a reply. */
function secretsOf(settings: SmtpSettingsModel): string[] {
  const out: string[] = [];
  if (settings.password) {
    out.push(settings.password, Buffer.from(settings.password).toString("base64"));
    if (settings.username) {
      out.push(
        Buffer.from(`\u0000${settings.username}\u0000${settings.password}`).toString("base64"),
      );
    }
  }
  for (const v of Object.values(settings.oauth?.settings ?? {})) if (v.length >= 4) out.push(v);
  return out;
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

/** Runs the local precheck; throws DnnSmtpError with a PRECHECK_* code. */
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

export async function precheckLocal(input: LocalPrecheckInput): Promise<LocalReport> {
  const { settings, options, plan } = input;
  const target = input.target ?? plan.address;
  const authentication = settings.authentication ?? "anonymous";
  const secrets = secretsOf(settings);
  const warnings: string[] = [];
  const secureContext = options.tls.ca === undefined ? undefined : secureContextFor(options.tls.ca);
  // SNI and certificate checks use the name DNN will use, even when the target differs.
  const servername = isIP(plan.address.host) ? undefined : plan.address.host;
  let certificateNames: string | undefined;
  const checkIdentity = (name: string, cert: PeerCertificate) => {
    const err = checkServerIdentity(name, cert);
    if (err) certificateNames = cert.subjectaltname || [cert.subject?.CN ?? ""].flat().join(", ");
    return err;
  };
  const conn = new SMTPConnection({
    host: target.host,
    port: target.port,
    secure: plan.secure, // always explicit: nodemailer would switch to implicit TLS on 465 by itself
    requireTLS: plan.requireTLS,
    ignoreTLS: plan.ignoreTLS,
    servername,
    name: hostname(),
    connectionTimeout: options.connectTimeoutMs,
    greetingTimeout: options.connectTimeoutMs,
    dnsTimeout: options.connectTimeoutMs,
    // Inactivity limit per command; a little longer, so the connect-phase timers report first.
    socketTimeout: options.connectTimeoutMs + SOCKET_GRACE_MS,
    socketCloseTimeout: QUIT_WAIT_MS,
    allowInternalNetworkInterfaces: true,
    tls: {
      secureContext,
      rejectUnauthorized: options.tls.rejectUnauthorized,
      servername,
      checkServerIdentity: checkIdentity,
    },
    logger: false,
    customAuth: { NTLM: ntlmProbe },
  });

  let phase: PrecheckPhase = "connect";
  let mechanism: string | undefined;
  let finished = false;
  let fail: (err: unknown) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  failed.catch(() => {}); // observed through step(); never "unhandled"
  conn.on("error", (err: unknown) => fail(err));
  conn.on("end", () => {
    if (!finished)
      fail(Object.assign(new Error("Connection closed unexpectedly"), { code: "ECONNECTION" }));
  });
  const deadline = setTimeout(
    () => fail(Object.assign(new Error("precheck deadline"), { code: DEADLINE })),
    options.timeoutMs,
  );
  const step = <T>(promise: Promise<T>): Promise<T> => Promise.race([promise, failed]);
  const unverified = (sentence: string) => {
    if (!options.allowUnverifiedAuth) {
      throw new DnnSmtpError("PRECHECK_AUTH_UNVERIFIED", redact(sentence, secrets), {
        field: "precheck.allowUnverifiedAuth",
      });
    }
    warnings.push(
      `${sentence.replace(/;[^;]*$/, "")}; accepted because precheck.allowUnverifiedAuth is set.`,
    );
  };

  try {
    await step(
      new Promise<void>((resolve, reject) =>
        conn.connect((err) => (err ? reject(err) : resolve())),
      ),
    );
    const ehlo = typeof conn.lastServerResponse === "string" ? conn.lastServerResponse : "";
    const offered = advertisedMechanisms(ehlo);
    const startTlsOffered = /^\d{3}[ -]STARTTLS\b/im.test(ehlo);
    const tls: PrecheckTls = plan.secure ? "implicit" : conn.secure ? "starttls" : "none";
    const usable = plan.mechanisms.filter((m) => offered.includes(m));

    if (tls === "none" && authentication === "basic") {
      warnings.push(
        plan.mailProvider === "core"
          ? `The user name and password would cross an unencrypted connection to ${plan.server}${startTlsOffered ? " although the server offers STARTTLS" : ""}; set enableSsl to true${startTlsOffered ? "" : " and use a port with STARTTLS"}.`
          : `The user name and password would cross an unencrypted connection to ${plan.server}, which offers no STARTTLS; use port 587 or 465.`,
      );
    }
    if (options.tls.rejectUnauthorized === false) {
      warnings.push(
        `The certificate of ${plan.server} was not verified (precheck.tls.rejectUnauthorized is false); DNN will verify it.`,
      );
    }

    const wantsAuth =
      (options.level === "auth" || options.level === "send") && authentication !== "anonymous";
    let authenticated = false;
    if (!wantsAuth && authentication !== "anonymous" && offered.length > 0 && usable.length === 0) {
      warnings.push(
        `${plan.server} offers AUTH ${offered.join(" ")} but ${plan.providerName} can only use ${plan.mechanisms.join(" or ")}; it would not log in.`,
      );
    }
    if (wantsAuth) {
      phase = "auth";
      const hint =
        startTlsOffered && plan.ignoreTLS
          ? " it offers STARTTLS: set enableSsl to true, as AUTH is often offered only after STARTTLS"
          : "";
      if (offered.length === 0) {
        unverified(
          `Credentials not verified: ${plan.server} offered no AUTH on this ${TLS_WORDS[tls]} connection, so a wrong password would go unnoticed;${hint || " fix the server's AUTH setup, or set precheck.allowUnverifiedAuth if it relays without login"}`,
        );
      } else if (usable.length === 0) {
        const sentence =
          authentication === "basic" && plan.mailProvider === "core"
            ? `${plan.server} offers AUTH ${offered.join(" ")} but ${plan.providerName} can only log in with LOGIN and would send without logging in; enable AUTH LOGIN on the server or use precheck.mailProvider "mailkit".`
            : `${plan.server} offers AUTH ${offered.join(" ")} but not ${plan.mechanisms.join(" or ")}, which ${plan.providerName} needs for authentication "${authentication}"; enable it on the server or choose another authentication.`;
        throw new DnnSmtpError("PRECHECK_AUTH_NOT_OFFERED", redact(sentence, secrets), {
          field: "authentication",
        });
      } else if (authentication === "basic") {
        mechanism = usable[0];
        await step(
          new Promise<void>((resolve, reject) =>
            conn.login(
              { user: settings.username, pass: settings.password, method: mechanism },
              (err) => (err ? reject(err) : resolve()),
            ),
          ),
        );
        authenticated = true;
      } else if (authentication === "ntlm") {
        mechanism = "NTLM";
        await step(
          new Promise<void>((resolve, reject) =>
            conn.login({ method: "NTLM", user: settings.username ?? "", pass: "" }, (err) =>
              err ? reject(err) : resolve(),
            ),
          ),
        );
        warnings.push(
          `${plan.server} offers AUTH NTLM, but DNN will authenticate as the Windows identity of the site's app pool, which cannot be proven from here; send a test mail from DNN to be sure.`,
        );
      } else {
        // OAuth: the token lives in DNN; its authorization is checked through DNN.
        mechanism = "XOAUTH2";
      }
    }

    let sentTo: string | undefined;
    if (options.level === "send") {
      phase = "send";
      const from = options.sender ?? options.recipient ?? "";
      const to = options.recipient ?? "";
      await step(
        new Promise<void>((resolve, reject) =>
          conn.send({ from, to: [to] }, testMessage(from, to, plan.server), (err) =>
            err ? reject(err) : resolve(),
          ),
        ),
      );
      sentTo = to;
    }

    finished = true;
    await Promise.race([
      new Promise<void>((resolve) => {
        conn.once("end", () => resolve());
        conn.quit();
      }),
      new Promise<void>((resolve) => setTimeout(resolve, QUIT_WAIT_MS).unref()),
    ]);

    const parts = [`${plan.server} ${TLS_WORDS[tls]}`];
    if (authenticated) parts.push(`AUTH ${mechanism} accepted`);
    else if (mechanism === "NTLM") parts.push("AUTH NTLM offered (app pool identity not provable)");
    else if (mechanism === "XOAUTH2") parts.push("AUTH XOAUTH2 offered");
    else if (wantsAuth) parts.push("credentials not verified");
    else if (offered.length > 0) parts.push(`AUTH offered: ${offered.join(" ")}`);
    if (sentTo) parts.push(`test mail to ${sentTo} accepted`);
    return {
      level: options.level,
      via: "local",
      mailProvider: plan.mailProvider,
      server: plan.server,
      tls,
      authenticated,
      mechanism,
      warnings,
      summary: `${options.level} ok via local: ${parts.join(", ")}`,
    };
  } catch (err) {
    if (err instanceof DnnSmtpError) throw err;
    const failure = err as SmtpFailure;
    if (failure.code === DEADLINE) {
      throw new DnnSmtpError(
        "PRECHECK_TIMEOUT",
        `The precheck of ${plan.server} did not finish within ${options.timeoutMs} ms (stuck at ${phase}); raise precheck.timeoutMs or check the server.`,
        { transient: true },
      );
    }
    throw classifyFailure(failure, {
      plan,
      phase,
      connectTimeoutMs: options.connectTimeoutMs,
      enableSsl: settings.enableSsl,
      username: settings.username,
      mechanism,
      certificateNames,
      secrets,
    });
  } finally {
    finished = true;
    clearTimeout(deadline);
    conn.close();
  }
}
