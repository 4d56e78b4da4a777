/**
 * The `precheck` options: what a user may declare, the defaults that depend on the SMTP
 * settings, and the checks that need no network.
 */
import { z } from "zod";
import { MASKED_PASSWORD } from "../dnn/wire";
import type { FieldProblem } from "../errors";
import { emailSchema, parseServer, type SmtpSettingsModel } from "../settings";

export const PRECHECK_LEVELS = ["none", "connect", "auth", "send"] as const;
/** How far the precheck goes; each level includes the ones before it. */
export type PrecheckLevel = (typeof PRECHECK_LEVELS)[number];

export const PRECHECK_VIAS = ["local", "dnn"] as const;
/** Where the precheck runs from: this machine, or the DNN site through SendTestEmail. */
export type PrecheckVia = (typeof PRECHECK_VIAS)[number];

export const MAIL_PROVIDERS = ["core", "mailkit"] as const;
/** Which DNN mail provider the precheck imitates. */
export type MailProvider = (typeof MAIL_PROVIDERS)[number];

/** Default of `precheck.connectTimeoutMs`: DNS + TCP connect + greeting + STARTTLS, in ms. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Default of `precheck.timeoutMs`: the whole precheck, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Shortest accepted timeout, in milliseconds. */
export const MIN_TIMEOUT_MS = 100;
/** Longest accepted timeout, in milliseconds (10 minutes). */
export const MAX_TIMEOUT_MS = 600_000;
/** The port where implicit TLS (SMTPS) is expected, and the one to use for STARTTLS instead. */
export const IMPLICIT_TLS_PORT = 465;
export const SUBMISSION_PORT = 587;
/** DNN's placeholder for "keep the stored password": never valid in a test mail request. */
export const PASSWORD_PLACEHOLDER = MASKED_PASSWORD;

const timeout = z
  .number({
    error: `must be a whole number of milliseconds from ${MIN_TIMEOUT_MS} to ${MAX_TIMEOUT_MS}`,
  })
  .int({
    error: `must be a whole number of milliseconds from ${MIN_TIMEOUT_MS} to ${MAX_TIMEOUT_MS}`,
  })
  .min(MIN_TIMEOUT_MS, { error: `must be at least ${MIN_TIMEOUT_MS} milliseconds` })
  .max(MAX_TIMEOUT_MS, { error: `must be at most ${MAX_TIMEOUT_MS} milliseconds` });

const oneOf = (values: readonly string[]) =>
  `must be one of ${values.map((v) => `"${v}"`).join(", ")}`;

/**
 * What a user may write under `precheck`. Every field is optional; the defaults depend on
 * the SMTP settings and are applied by `validatePrecheckOptions`:
 * - `level`: `"auth"` when authentication is basic or oauth, `"send"` when `via` is
 *   `"dnn"`, else `"connect"`;
 * - `via`: `"local"`;
 * - `mailProvider`: `"mailkit"` when authentication is oauth, else `"core"`;
 * - `sender`: `hostEmail`, else `recipient` (level `"send"`, via `"local"` only);
 * - `allowUnverifiedAuth`: false;
 * - `connectTimeoutMs`: 10000 (`DEFAULT_CONNECT_TIMEOUT_MS`), `timeoutMs`: 30000
 *   (`DEFAULT_TIMEOUT_MS`);
 * - `tls.rejectUnauthorized`: true; `tls.ca`: the system's trusted CAs.
 *
 * @example
 * PrecheckOptionsSchema.parse({ level: "send", recipient: "ops@example.com" });
 */
export const PrecheckOptionsSchema = z
  .object({
    /** How far to go: "none", "connect", "auth" or "send" (a real test mail). */
    level: z.enum(PRECHECK_LEVELS, { error: oneOf(PRECHECK_LEVELS) }).optional(),
    /** "local": from the machine running Pulumi; "dnn": through DNN's SendTestEmail. */
    via: z.enum(PRECHECK_VIAS, { error: oneOf(PRECHECK_VIAS) }).optional(),
    /** The DNN mail provider whose behaviour is tested: "core" (System.Net.Mail) or "mailkit". */
    mailProvider: z.enum(MAIL_PROVIDERS, { error: oneOf(MAIL_PROVIDERS) }).optional(),
    /** Where level "send" sends its test mail (via "local"). */
    recipient: emailSchema.optional(),
    /** The MAIL FROM address of the test mail; default `hostEmail`, else `recipient`. */
    sender: emailSchema.optional(),
    /** Accept a server that never offers AUTH, with a warning, instead of failing. */
    allowUnverifiedAuth: z.boolean({ error: "must be true or false" }).optional(),
    /** Milliseconds for DNS, TCP connect, greeting and STARTTLS together (default 10000). */
    connectTimeoutMs: timeout.optional(),
    /** Milliseconds for the whole precheck (default 30000). */
    timeoutMs: timeout.optional(),
    /** TLS trust for via "local": extra CA certificates (PEM) and whether to verify at all. */
    tls: z
      .object(
        {
          ca: z
            .string({ error: "must be PEM text with at least one certificate" })
            .refine((s) => s.includes("-----BEGIN CERTIFICATE-----"), {
              error: "must be PEM text with at least one -----BEGIN CERTIFICATE----- block",
            })
            .optional(),
          rejectUnauthorized: z.boolean({ error: "must be true or false" }).optional(),
        },
        { error: "must be an object { ca?, rejectUnauthorized? }" },
      )
      .strict()
      .optional(),
  })
  .strict();

/** What a user may write under `precheck`. */
export type PrecheckOptionsInput = z.input<typeof PrecheckOptionsSchema>;

/** The options with every default applied; what `runPrecheck` takes. */
export interface ResolvedPrecheckOptions {
  readonly level: PrecheckLevel;
  readonly via: PrecheckVia;
  readonly mailProvider: MailProvider;
  readonly recipient?: string;
  readonly sender?: string;
  readonly allowUnverifiedAuth: boolean;
  readonly connectTimeoutMs: number;
  readonly timeoutMs: number;
  readonly tls: { readonly ca?: string; readonly rejectUnauthorized: boolean };
}

export type PrecheckValidationResult =
  | { readonly ok: true; readonly value: ResolvedPrecheckOptions }
  | { readonly ok: false; readonly problems: readonly FieldProblem[] };

const ACCEPTED = Object.keys(PrecheckOptionsSchema.shape).join(", ");

function issueToProblem(issue: z.core.$ZodIssue): FieldProblem {
  const path = ["precheck", ...issue.path.map(String)].join(".");
  if (issue.code === "unrecognized_keys") {
    const accepted = path === "precheck.tls" ? "ca, rejectUnauthorized" : ACCEPTED;
    return {
      field: `${path}.${issue.keys[0]}`,
      message: `is not a precheck option (unknown: ${issue.keys.join(", ")}); accepted: ${accepted}`,
    };
  }
  if (issue.path.length === 0) {
    return { field: "precheck", message: `must be an object with the options ${ACCEPTED}` };
  }
  return { field: path, message: issue.message };
}

/** Level, via and provider defaults, which follow from the settings. */
function defaults(settings: Partial<SmtpSettingsModel>, via: PrecheckVia) {
  const auth = settings.authentication ?? "anonymous";
  const level: PrecheckLevel =
    via === "dnn" ? "send" : auth === "basic" || auth === "oauth" ? "auth" : "connect";
  const mailProvider: MailProvider = auth === "oauth" ? "mailkit" : "core";
  return { level, mailProvider };
}

/**
 * Problems that need no network: combinations DNN cannot send with, and options that do
 * not fit the chosen level or `via`.
 *
 * Core provider + port 465 + `enableSsl` is reported here, on field `server`, because it
 * is certain without connecting (System.Net.Mail would wait for a greeting that an
 * implicit-TLS port never sends). It is only reported when a precheck runs (level is not
 * "none"); `runPrecheck` throws PRECHECK_TLS_MODE for it too.
 */
function crossProblems(o: ResolvedPrecheckOptions, s: Partial<SmtpSettingsModel>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  const auth = s.authentication ?? "anonymous";
  if (o.level === "none") return problems;
  if (o.timeoutMs < o.connectTimeoutMs) {
    add(
      "precheck.timeoutMs",
      `must be at least precheck.connectTimeoutMs (${o.connectTimeoutMs} ms)`,
    );
  }
  if (o.level === "auth" && auth === "anonymous") {
    add(
      "precheck.level",
      `"auth" needs authentication "basic", "ntlm" or "oauth"; use "connect" or "send" for anonymous relays`,
    );
  }
  if (o.via === "local" && o.level === "send" && !o.recipient) {
    add(
      "precheck.recipient",
      `is required when precheck.level is "send": give the address that receives the test mail`,
    );
  }
  if (o.via === "local" && o.level === "send" && (auth === "ntlm" || auth === "oauth")) {
    add(
      "precheck.level",
      `"send" via "local" cannot log in with authentication "${auth}" (${auth === "ntlm" ? "DNN uses the app pool's Windows identity" : "the token is held by DNN"}); use "auth", or precheck.via "dnn"`,
    );
  }
  if (o.via === "dnn") {
    if (o.recipient) {
      add(
        "precheck.recipient",
        `is not used with precheck.via "dnn": DNN sends the test mail to the API user's email; remove it`,
      );
    }
    if (o.sender) {
      add(
        "precheck.sender",
        `is not used with precheck.via "dnn": DNN sends from the host or site email; remove it`,
      );
    }
    if (o.tls.ca !== undefined || !o.tls.rejectUnauthorized) {
      add(
        "precheck.tls",
        `is not used with precheck.via "dnn": the site trusts its own certificate store; remove it`,
      );
    }
    if (s.password === PASSWORD_PLACEHOLDER) {
      add(
        "password",
        `"${PASSWORD_PLACEHOLDER}" is DNN's placeholder for the stored password and cannot be tested via "dnn"; give the real password`,
      );
    }
  }
  if (o.mailProvider === "mailkit" && auth === "ntlm") {
    add(
      "precheck.mailProvider",
      `"mailkit" cannot send with authentication "ntlm" (DNN's MailKit provider refuses NTLM); use "core" or another authentication`,
    );
  }
  if (o.mailProvider === "core" && auth === "oauth") {
    add(
      "precheck.mailProvider",
      `"core" cannot send with authentication "oauth": DNN sends OAuth mail with its MailKit provider; use "mailkit"`,
    );
  }
  const address = typeof s.server === "string" ? parseServer(s.server) : undefined;
  if (
    o.mailProvider === "core" &&
    s.enableSsl === true &&
    typeof address === "object" &&
    address.port === IMPLICIT_TLS_PORT
  ) {
    add(
      "server",
      `port ${IMPLICIT_TLS_PORT} expects implicit TLS, which DNN's core mail provider (System.Net.Mail) cannot do: with enableSsl it uses STARTTLS; use port ${SUBMISSION_PORT}`,
    );
  }
  return problems;
}

/**
 * Validates the `precheck` options against the settings they will test and applies the
 * defaults. `raw` may be undefined (every default). `settings` may be partial during
 * preview; rules involving an unknown setting are skipped.
 *
 * @example
 * const r = validatePrecheckOptions({ level: "send" }, settings);
 * if (!r.ok) throw new SettingsValidationError(r.problems);
 */
export function validatePrecheckOptions(
  raw: unknown,
  settings: Partial<SmtpSettingsModel>,
): PrecheckValidationResult {
  const parsed = PrecheckOptionsSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const seen = new Set<string>();
    const problems = parsed.error.issues.map(issueToProblem).filter((p) => {
      if (seen.has(p.field)) return false;
      seen.add(p.field);
      return true;
    });
    return { ok: false, problems };
  }
  const input = parsed.data;
  const via = input.via ?? "local";
  const d = defaults(settings, via);
  const level = input.level ?? d.level;
  const value: ResolvedPrecheckOptions = {
    level,
    via,
    mailProvider: input.mailProvider ?? d.mailProvider,
    recipient: input.recipient,
    sender:
      input.sender ??
      (via === "local" && level === "send" ? (settings.hostEmail ?? input.recipient) : undefined),
    allowUnverifiedAuth: input.allowUnverifiedAuth ?? false,
    connectTimeoutMs: input.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    timeoutMs: input.timeoutMs ?? Math.max(DEFAULT_TIMEOUT_MS, input.connectTimeoutMs ?? 0),
    tls: { ca: input.tls?.ca, rejectUnauthorized: input.tls?.rejectUnauthorized ?? true },
  };
  // A sender given by the user is checked as such; a defaulted one is not reported.
  const problems = crossProblems({ ...value, sender: input.sender }, settings);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value };
}
