/**
 * Every failure this package reports carries one of these stable codes, so programs and
 * people can tell them apart without parsing sentences. The list is pinned by a test:
 * add codes, never rename or reuse one.
 */
export const ERROR_CODES = {
  /** A setting failed validation in `check`; nothing was sent anywhere. */
  INVALID_SETTINGS: "Invalid settings.",
  /** The site URL or DNN credentials are missing or unusable. */
  SITE_CONFIG: "Site connection settings are missing or invalid.",
  /** DNN refused the user name and password (JWT `bad-credentials`). */
  DNN_BAD_CREDENTIALS: "DNN rejected the credentials.",
  /** The site has JWT authentication switched off (JWT `disabled`). */
  DNN_JWT_DISABLED: "JWT authentication is disabled on the site.",
  /** The account is neither a superuser nor an administrator of the site. */
  DNN_FORBIDDEN: "The account may not manage these settings.",
  /** No DNN site answers at that URL (unknown portal alias). */
  DNN_UNKNOWN_SITE: "No DNN site at that URL.",
  /** An HTML page (usually a login page) came back where JSON was expected. */
  DNN_NOT_JSON: "DNN answered with HTML instead of JSON.",
  /** The JSON did not have the shape of the DNN API. */
  DNN_BAD_RESPONSE: "Unexpected response from DNN.",
  /** DNN answered with an error status after all retries. */
  DNN_HTTP_ERROR: "DNN answered with an error.",
  /** A request took longer than the per-request timeout. */
  DNN_TIMEOUT: "DNN did not answer in time.",
  /** The site could not be reached at all (refused, reset, DNS). */
  DNN_UNREACHABLE: "DNN could not be reached.",
  /** DNN accepted the request but reported `success: false`. */
  DNN_WRITE_REJECTED: "DNN refused to save the settings.",
  /** After a write, DNN reads back other values than the ones written. */
  DNN_VERIFY_MISMATCH: "DNN holds other values than the ones written.",
  /** The feature needs a newer DNN API generation. */
  DNN_UNSUPPORTED: "Not supported by this DNN version.",
  /** A write of several requests stopped part-way; the message says what was already written. */
  DNN_PARTIAL_WRITE: "Only part of a multi-step write reached DNN.",
  /** The site authenticates JWT bearers over HTTPS only (`forceSSL`), and site.url is plain HTTP. */
  DNN_JWT_HTTPS_ONLY: "The site accepts JWT over HTTPS only.",
  /** The site answered 503 (maintenance, app pool restart, overload). */
  DNN_UNAVAILABLE: "The DNN site is temporarily unavailable.",
  /** The site changed under a write (another writer); nothing more was written. */
  DNN_CONFLICT: "The site's settings changed during the write.",

  PRECHECK_DNS: "The SMTP host name does not resolve.",
  PRECHECK_REFUSED: "The SMTP server refused the connection.",
  PRECHECK_TIMEOUT: "The SMTP server did not answer in time.",
  PRECHECK_CONNECTION: "The SMTP connection failed.",
  PRECHECK_TLS_UNTRUSTED: "The SMTP server's certificate is not trusted.",
  PRECHECK_TLS_NAME: "The SMTP server's certificate does not match its name.",
  PRECHECK_TLS_MODE: "Wrong TLS mode for this port.",
  PRECHECK_STARTTLS_MISSING: "The SMTP server does not offer STARTTLS.",
  PRECHECK_AUTH_REJECTED: "The SMTP server rejected the credentials.",
  PRECHECK_AUTH_NOT_OFFERED: "The SMTP server offers no usable authentication.",
  PRECHECK_AUTH_UNVERIFIED: "The credentials could not be verified.",
  PRECHECK_GREETING: "The SMTP server refused the session at greeting.",
  PRECHECK_REJECTED: "The SMTP server rejected the test mail.",
  PRECHECK_OAUTH_UNAUTHORIZED: "The OAuth provider is not authorized.",
  PRECHECK_UNSUPPORTED: "This combination cannot work with the chosen DNN mail provider.",
  PRECHECK_DNN_SEND_FAILED: "DNN could not send the test mail.",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One field's problem, as reported by `check`. */
export interface FieldProblem {
  /** The user-facing field name, e.g. `server` or `precheck.level`. */
  readonly field: string;
  /** A sentence saying what is wrong and what is accepted. Never contains a secret. */
  readonly message: string;
}

export interface DnnSmtpErrorDetails {
  /** Whether trying again later may succeed (timeouts, 5xx) or not (bad credentials). */
  readonly transient?: boolean;
  /** The field at fault, when there is one. */
  readonly field?: string;
  /** HTTP status or SMTP response code, when there is one. */
  readonly responseCode?: number;
  /** The SMTP command or HTTP request that failed, when there is one. */
  readonly command?: string;
  readonly cause?: unknown;
}

/**
 * The error type of this package: a stable `code` and a sentence a person can act on.
 * `message` starts with the code in brackets (`[PRECHECK_AUTH_REJECTED] the SMTP server
 * rejected...`) because the Pulumi CLI prints only the message; `sentence` is the bare
 * sentence. A message that already carries its own code is not prefixed twice, so an error
 * rebuilt from another one's `message` (to redact it, say) keeps one prefix.
 */
export class DnnSmtpError extends Error {
  readonly code: ErrorCode;
  /** The message without the `[CODE] ` prefix. */
  readonly sentence: string;
  readonly transient: boolean;
  readonly field?: string;
  readonly responseCode?: number;
  readonly command?: string;

  constructor(code: ErrorCode, message: string, details: DnnSmtpErrorDetails = {}) {
    const sentence = withoutCode(code, message);
    super(
      `[${code}] ${sentence}`,
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.name = "DnnSmtpError";
    this.code = code;
    this.sentence = sentence;
    this.transient = details.transient ?? false;
    this.field = details.field;
    this.responseCode = details.responseCode;
    this.command = details.command;
  }
}

/** `message` without a leading `[code] ` (the error's own code only). */
function withoutCode(code: ErrorCode, message: string): string {
  const prefix = `[${code}] `;
  let out = message;
  while (out.startsWith(prefix)) out = out.slice(prefix.length);
  return out;
}

/**
 * The one error for settings that fail validation: code `INVALID_SETTINGS`, one line per
 * problem (`field: sentence`), the first problem's field as `field`. Nothing was sent.
 *
 * @example
 * const r = validateSettings(raw);
 * if (!r.ok) throw invalidSettings(r.problems);
 */
export function invalidSettings(problems: readonly FieldProblem[]): DnnSmtpError {
  return new DnnSmtpError(
    "INVALID_SETTINGS",
    problems.map((p) => `${p.field}: ${p.message}`).join("\n"),
    { field: problems[0]?.field },
  );
}

export { redact } from "./redact";
