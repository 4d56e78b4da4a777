/**
 * Turns a nodemailer failure into one DnnSmtpError with a PRECHECK_* code and one sentence
 * saying what happened and what to change. Classification follows the team's SMTP precheck
 * notes: `code`, then `originalCode`, `responseCode`, `timeoutType`, `command`.
 *
 * The server's reply is quoted shortened and on one line; the finished sentence is redacted
 * last, and the error's `cause` is a redacted copy of nodemailer's error (which holds the
 * reply, and a hostile server may echo the credentials in it).
 */
import { DnnSmtpError, type ErrorCode } from "../errors";
import { oneLine } from "../redact";
import { IMPLICIT_TLS_PORT, SUBMISSION_PORT } from "./compat";
import type { ConnectionPlan } from "./profile";
import { type PrecheckSecrets, scrub } from "./report";

/** Where in the session a failure happened. */
export type PrecheckPhase = "connect" | "auth" | "send";

/** The fields of a nodemailer error the classification reads. */
export interface SmtpFailure {
  readonly code?: string;
  readonly originalCode?: string;
  readonly responseCode?: number;
  readonly response?: string;
  readonly command?: string;
  readonly timeoutType?: string;
  readonly message?: string;
}

export interface FailureContext {
  readonly plan: ConnectionPlan;
  readonly phase: PrecheckPhase;
  readonly connectTimeoutMs: number;
  readonly enableSsl: boolean;
  readonly username?: string;
  readonly mechanism?: string;
  /** The names the server's certificate carries, when a name check failed. */
  readonly certificateNames?: string;
  /** What must never appear in a message (password, tokens, the user's base64). */
  readonly secrets: PrecheckSecrets;
}

/** OpenSSL verification results that mean "not signed by anything trusted". */
const UNTRUSTED = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_UNTRUSTED",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_SIGNATURE_FAILURE",
  "INVALID_CA",
]);
/** Errors that mean the peer does not speak TLS where TLS was started. */
const NOT_TLS = new Set([
  "ERR_SSL_WRONG_VERSION_NUMBER",
  "ERR_SSL_PACKET_LENGTH_TOO_LONG",
  "ERR_SSL_HTTP_REQUEST",
]);
const TIMEOUT_PHASES: Readonly<Record<string, string>> = {
  CONNECT_TIMEOUT: "connecting (DNS and TCP)",
  GREETING_TIMEOUT: "waiting for the greeting",
  UPGRADE_TIMEOUT: "the STARTTLS handshake",
};
const PHASE_WORDS: Readonly<Record<PrecheckPhase, string>> = {
  connect: "the greeting and EHLO",
  auth: "AUTH",
  send: "the test mail",
};

/** How much of a server's reply a sentence quotes, in characters. */
const MAX_QUOTED_REPLY = 160;

/** The server's reply, shortened and on one line, for a sentence (redact the sentence after). */
export function quoteReply(response: string | undefined): string {
  if (!response) return "";
  return `"${oneLine(response, MAX_QUOTED_REPLY)}"`;
}

/** nodemailer's error with every text redacted: what `cause` may carry. */
function scrubbedCause(err: SmtpFailure, secrets: PrecheckSecrets): Error {
  const { code, originalCode, responseCode, command, timeoutType } = err;
  return Object.assign(new Error(scrub(err.message ?? "", secrets)), {
    code,
    originalCode,
    responseCode,
    command,
    timeoutType,
    response: err.response === undefined ? undefined : scrub(err.response, secrets),
  });
}

function isTransientReply(code: number | undefined): boolean {
  return code !== undefined && code >= 400 && code < 500;
}

type Make = (code: ErrorCode, sentence: string, transient: boolean) => DnnSmtpError;
type Classifier = (err: SmtpFailure, ctx: FailureContext, make: Make) => DnnSmtpError;

/** The classifier per nodemailer `code`; anything else is a connection failure. */
const BY_CODE: Readonly<Record<string, Classifier>> = {
  EDNS: classifyDns,
  ETIMEDOUT: classifyTimeout,
  EAUTH: classifyAuth,
  EENVELOPE: classifyRejection,
  EMESSAGE: classifyRejection,
  EPROTOCOL: classifySession,
  ECONNECTION: classifySession,
  ETLS: classifyStartTls,
  ESOCKET: classifySocket,
};

/**
 * One sentence per situation; the codes are the ERROR_CODES table's. The sentence is
 * redacted last, and `cause` is nodemailer's error, redacted.
 */
export function classifyFailure(err: SmtpFailure, ctx: FailureContext): DnnSmtpError {
  const make: Make = (code, sentence, transient) =>
    new DnnSmtpError(code, scrub(sentence, ctx.secrets), {
      transient,
      responseCode: err.responseCode,
      command: err.command,
      cause: scrubbedCause(err, ctx.secrets),
    });
  return (BY_CODE[err.code ?? ""] ?? classifyOther)(err, ctx, make);
}

function classifyDns(err: SmtpFailure, ctx: FailureContext, make: Make): DnnSmtpError {
  const host = ctx.plan.address.host;
  const original = err.originalCode ?? "";
  const retry = original === "EAI_AGAIN" || original === "ETIMEOUT";
  return make(
    "PRECHECK_DNS",
    retry
      ? `The name ${host} could not be resolved right now (${original}); check the DNS servers of this machine and try again.`
      : `The SMTP host name ${host} does not resolve (${original || "not found"}); check the spelling of server or use the server's IP address.`,
    retry,
  );
}

/** Refused at greeting or EHLO, a peer that does not speak SMTP, or a close mid-session. */
function classifySession(err: SmtpFailure, ctx: FailureContext, make: Make): DnnSmtpError {
  const where = ctx.plan.server;
  const reply = quoteReply(err.response);
  const atGreeting = err.command === "CONN" || err.command === "EHLO" || err.command === "HELO";
  if (err.responseCode !== undefined && atGreeting) {
    return make(
      "PRECHECK_GREETING",
      err.responseCode === 421
        ? `${where} refused the session with ${reply} (421: busy or not accepting this client); try again later, or ask the mail admin to allow this machine.`
        : `${where} refused the session at ${err.command === "CONN" ? "greeting" : err.command} with ${reply}; ask the mail admin to allow connections from this machine.`,
      err.responseCode === 421 || isTransientReply(err.responseCode),
    );
  }
  if (err.code === "EPROTOCOL") {
    return make(
      "PRECHECK_CONNECTION",
      `${where} answered ${reply || "something"} where SMTP was expected during ${PHASE_WORDS[ctx.phase]}; check that server names an SMTP server.`,
      false,
    );
  }
  return make(
    "PRECHECK_CONNECTION",
    `${where} closed the connection during ${PHASE_WORDS[ctx.phase]}${reply ? ` with ${reply}` : ""}; check that server and port name an SMTP service that accepts this machine.`,
    true,
  );
}

function classifyStartTls(err: SmtpFailure, ctx: FailureContext, make: Make): DnnSmtpError {
  if (err.command !== "STARTTLS" || err.responseCode === undefined)
    return classifyTlsHandshake(err, ctx, make);
  const { plan } = ctx;
  const reply = quoteReply(err.response);
  return make(
    "PRECHECK_STARTTLS_MISSING",
    plan.requireTLS
      ? `${plan.server} does not accept STARTTLS (${reply}) while enableSsl is on, and ${plan.providerName} will not send without it; enable STARTTLS on the server, or use a port that offers it (usually ${SUBMISSION_PORT}).`
      : `${plan.server} offered STARTTLS but refused it (${reply}), so ${plan.providerName} would fail too; fix TLS on the server.`,
    isTransientReply(err.responseCode),
  );
}

/** Socket errors: refused, reset, unreachable; anything else happened in the TLS handshake. */
function classifySocket(err: SmtpFailure, ctx: FailureContext, make: Make): DnnSmtpError {
  const where = ctx.plan.server;
  const original = err.originalCode ?? "";
  if (original === "ECONNREFUSED") {
    return make(
      "PRECHECK_REFUSED",
      `Nothing accepts connections at ${where} (connection refused); check the port in server and that the SMTP service runs.`,
      true,
    );
  }
  if (original === "ECONNRESET" || original === "EPIPE") {
    return make(
      "PRECHECK_CONNECTION",
      `${where} reset the connection during ${PHASE_WORDS[ctx.phase]}; check that the port speaks SMTP and that no firewall cuts the session.`,
      true,
    );
  }
  if (original === "EHOSTUNREACH" || original === "ENETUNREACH") {
    return make(
      "PRECHECK_CONNECTION",
      `${where} cannot be reached from this machine (${original}); check the address and the network route, or use precheck.via "dnn".`,
      true,
    );
  }
  return classifyTlsHandshake(err, ctx, make);
}

function classifyOther(err: SmtpFailure, ctx: FailureContext, make: Make): DnnSmtpError {
  return make(
    "PRECHECK_CONNECTION",
    `The SMTP session with ${ctx.plan.server} failed during ${PHASE_WORDS[ctx.phase]} (${err.code ?? "error"}: ${(err.message ?? "").split("\n")[0]}); check server, port and enableSsl.`,
    true,
  );
}

function classifyTimeout(err: SmtpFailure, ctx: FailureContext, make: Make): DnnSmtpError {
  const { plan } = ctx;
  const where = plan.server;
  const type = err.timeoutType ?? "";
  if (type === "GREETING_TIMEOUT" && !plan.secure && plan.address.port === IMPLICIT_TLS_PORT) {
    return make(
      "PRECHECK_TLS_MODE",
      `${where} sent no greeting within ${ctx.connectTimeoutMs} ms: port ${IMPLICIT_TLS_PORT} expects implicit TLS, which ${plan.providerName} cannot do; use port ${SUBMISSION_PORT} with enableSsl (STARTTLS).`,
      false,
    );
  }
  if (type === "GREETING_TIMEOUT") {
    return make(
      "PRECHECK_TIMEOUT",
      `${where} accepted the connection but sent no greeting within ${ctx.connectTimeoutMs} ms; if that port expects implicit TLS use ${plan.mailProvider === "core" ? `port ${SUBMISSION_PORT} with enableSsl` : `port ${IMPLICIT_TLS_PORT} or ${SUBMISSION_PORT}`}, otherwise raise precheck.connectTimeoutMs.`,
      true,
    );
  }
  const phase = TIMEOUT_PHASES[type];
  if (phase) {
    return make(
      "PRECHECK_TIMEOUT",
      `${where} did not answer within ${ctx.connectTimeoutMs} ms while ${phase}; check host, port and firewalls, or raise precheck.connectTimeoutMs.`,
      true,
    );
  }
  return make(
    "PRECHECK_TIMEOUT",
    `${where} stopped answering during ${PHASE_WORDS[ctx.phase]} (no reply within ${ctx.connectTimeoutMs} ms); try again later or raise precheck.connectTimeoutMs.`,
    true,
  );
}

function classifyTlsHandshake(err: SmtpFailure, ctx: FailureContext, make: Make): DnnSmtpError {
  const { plan } = ctx;
  const where = plan.server;
  const original = err.originalCode ?? "";
  const text = err.message ?? "";
  if (
    original === "ERR_TLS_CERT_ALTNAME_INVALID" ||
    /does not match certificate's altnames/i.test(text)
  ) {
    const names = (ctx.certificateNames ?? /altnames: (.*)$/m.exec(text)?.[1])
      ?.replace(/\b(?:DNS|IP Address):/g, "")
      .trim();
    return make(
      "PRECHECK_TLS_NAME",
      `The certificate of ${where} is not issued for ${plan.address.host}${names ? ` (it names ${names})` : ""}; put a name the certificate carries in server, or fix the certificate.`,
      false,
    );
  }
  if (
    UNTRUSTED.has(original) ||
    /self[- ]signed|verify the first certificate|issuer certificate|certificate has expired/i.test(
      text,
    )
  ) {
    return make(
      "PRECHECK_TLS_UNTRUSTED",
      `The certificate of ${where} is not trusted (${original || text.split(";")[0]}); install one from a trusted CA on the server (DNN must trust it too), or give its CA in precheck.tls.ca.`,
      false,
    );
  }
  if (NOT_TLS.has(original) || /wrong version number|packet length too long/i.test(text)) {
    return make(
      "PRECHECK_TLS_MODE",
      plan.secure
        ? `${where} does not speak implicit TLS (it answered in plain text), yet ${plan.providerName} starts TLS at once on port ${IMPLICIT_TLS_PORT}; use port ${SUBMISSION_PORT} (STARTTLS) or the server's implicit-TLS port.`
        : `${where} did not speak TLS after STARTTLS; fix TLS on the server or use another port.`,
      false,
    );
  }
  return make(
    "PRECHECK_CONNECTION",
    `The TLS handshake with ${where} failed (${original || err.code}: ${text.split("\n")[0]}); check the server's TLS setup and enableSsl.`,
    false,
  );
}

function classifyAuth(err: SmtpFailure, ctx: FailureContext, make: Make): DnnSmtpError {
  const where = ctx.plan.server;
  const mechanism = ctx.mechanism ?? err.command?.replace(/^AUTH /, "") ?? "AUTH";
  const reply = quoteReply(err.response);
  const user = ctx.username ? ` user ${JSON.stringify(ctx.username)}` : "";
  const code = err.responseCode;
  if (code === 504 || code === 502) {
    return make(
      "PRECHECK_AUTH_NOT_OFFERED",
      `${where} does not support AUTH ${mechanism} (${reply}), which ${ctx.plan.providerName} needs; enable it on the server or choose another authentication.`,
      false,
    );
  }
  if (code === 530 || code === 538) {
    return make(
      "PRECHECK_AUTH_REJECTED",
      `${where} refused AUTH ${mechanism} on an unencrypted connection (${reply}); set enableSsl to true so DNN uses STARTTLS first.`,
      false,
    );
  }
  if (code !== undefined && code >= 400 && code < 500) {
    return make(
      "PRECHECK_AUTH_REJECTED",
      `${where} could not check${user}'s credentials with AUTH ${mechanism} right now (${reply}); try again later.`,
      true,
    );
  }
  return make(
    "PRECHECK_AUTH_REJECTED",
    `${where} rejected${user} with AUTH ${mechanism}${reply ? ` (${reply})` : ""}; check username and password.`,
    false,
  );
}

function classifyRejection(err: SmtpFailure, ctx: FailureContext, make: Make): DnnSmtpError {
  const where = ctx.plan.server;
  const reply = quoteReply(err.response);
  const command =
    err.command === "MAIL FROM" || err.command === "RCPT TO" || err.command === "DATA"
      ? err.command
      : undefined;
  const at = command ?? PHASE_WORDS[ctx.phase];
  const transient = isTransientReply(err.responseCode);
  const advice =
    command === "MAIL FROM"
      ? "use a sender the server accepts (precheck.sender, or hostEmail) and check the credentials allow it"
      : command === "RCPT TO"
        ? "check precheck.recipient, and that the server relays for this sender and login"
        : "check the server's content and size rules";
  return make(
    "PRECHECK_REJECTED",
    `${where} rejected the test mail at ${at}${reply ? ` with ${reply}` : ""}; ${transient ? "try again later, or " : ""}${advice}.`,
    transient,
  );
}
