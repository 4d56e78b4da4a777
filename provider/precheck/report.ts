/**
 * How a precheck's findings become its report: the summary line (with the warnings), and
 * redaction applied last to every text a report or an error carries.
 */
import { DnnSmtpError } from "../errors";
import { redact } from "../redact";
import type { SmtpSettingsModel } from "../settings";
import type { PrecheckReport } from "./types";

/** What must never appear in a precheck's text, and the user names whose base64 must not. */
export interface PrecheckSecrets {
  readonly secrets: readonly string[];
  readonly users: readonly string[];
}

/** Shortest OAuth setting value treated as secret (shorter ones are flags, not keys). */
const MIN_OAUTH_SECRET = 4;

/** The password and OAuth settings; the user name for its base64 (AUTH LOGIN material). */
export function secretsOf(settings: SmtpSettingsModel): PrecheckSecrets {
  const oauth = Object.values(settings.oauth?.settings ?? {}).filter(
    (v) => v.length >= MIN_OAUTH_SECRET,
  );
  return {
    secrets: [settings.password, ...oauth].filter((s): s is string => !!s),
    users: settings.username ? [settings.username] : [],
  };
}

/** `redact` with a precheck's secrets: call it on the final text, after all formatting. */
export function scrub(text: string, s: PrecheckSecrets): string {
  return redact(text, s.secrets, { users: s.users });
}

/** What a precheck found, before its summary is written. */
export type Findings = Omit<PrecheckReport, "summary" | "cached"> & {
  /** What was proven, after `"<level> ok via <via>: "`. */
  readonly proven: string;
};

/**
 * The report: the summary is `"<level> ok via <via>: <proven>"` followed by each warning
 * (`"; warning: ..."`), so whoever prints only the summary still shows them. Redacted last.
 *
 * @example
 * // "auth ok via local: smtp.example.com:587 no TLS, AUTH LOGIN accepted; warning: The user name and password would cross..."
 */
export function reportOf(findings: Findings, s: PrecheckSecrets): Omit<PrecheckReport, "cached"> {
  const { proven, ...rest } = findings;
  const warnings = findings.warnings.map((w) => scrub(w, s));
  const head = `${findings.level} ok via ${findings.via}: ${proven}`;
  const summary = scrub([head, ...warnings.map((w) => `warning: ${w}`)].join("; "), s);
  return { ...rest, warnings, summary };
}

/**
 * The error with its text redacted, the last step before it leaves the precheck: whatever
 * threw it (our classifiers, the DNN client quoting a response, a port's own failure), the
 * SMTP credentials do not survive in its message. A rebuilt error keeps code, transience,
 * field and protocol context; its cause is kept only when nothing had to be redacted.
 */
export function scrubbedError(error: unknown, s: PrecheckSecrets): Error {
  if (error instanceof DnnSmtpError) {
    const sentence = scrub(error.sentence, s);
    if (sentence === error.sentence) return error;
    const clean = new DnnSmtpError(error.code, sentence, {
      transient: error.transient,
      field: error.field,
      responseCode: error.responseCode,
      command: error.command,
    });
    clean.stack = `${clean.name}: ${clean.message}`;
    return clean;
  }
  const e = error instanceof Error ? error : new Error(String(error));
  const message = scrub(e.message, s);
  if (message === e.message) return e;
  const clean = new Error(message);
  clean.stack = `${clean.name}: ${message}`;
  return clean;
}
