/**
 * The `precheck` options: what a user may declare, the defaults that depend on the SMTP
 * settings, and the checks that need no network.
 */
import { z } from "zod";
import type { FieldProblem } from "../errors";
import {
  booleanOf,
  emailSchema,
  parseServer,
  type SmtpSettingsModel,
  strictBoolean,
  unknownKeyMessage,
} from "../settings";
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_VIA,
  defaultLevel,
  defaultMailProvider,
  incompatibilities,
  MAIL_PROVIDERS,
  type MailProvider,
  PRECHECK_LEVELS,
  PRECHECK_VIAS,
  type PrecheckLevel,
  type PrecheckVia,
} from "./compat";

export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_TIMEOUT_MS,
  MAIL_PROVIDERS,
  type MailProvider,
  PRECHECK_LEVELS,
  PRECHECK_VIAS,
  type PrecheckLevel,
  type PrecheckVia,
};

/** Shortest accepted timeout, in milliseconds. */
export const MIN_TIMEOUT_MS = 100;
/** Longest accepted timeout, in milliseconds (10 minutes). */
export const MAX_TIMEOUT_MS = 600_000;
/** Longest accepted `precheck.tls.ca`, in characters (as `site.caCert`). */
export const MAX_CA_LENGTH = 262_144;

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

// The doc comment below is the plugin schema's description of `precheck` (npm run schema):
// user-facing text. The defaults it states are computed by compat.ts (defaultLevel,
// defaultMailProvider, DEFAULT_VIA, the DEFAULT_*_MS constants).
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
    allowUnverifiedAuth: strictBoolean().optional(),
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
            .max(MAX_CA_LENGTH, { error: `must be at most ${MAX_CA_LENGTH} characters` })
            .refine((s) => s.includes("-----BEGIN CERTIFICATE-----"), {
              error: "must be PEM text with at least one -----BEGIN CERTIFICATE----- block",
            })
            .optional(),
          rejectUnauthorized: strictBoolean().optional(),
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

const OPTION_NAMES = Object.keys(PrecheckOptionsSchema.shape);
const TLS_OPTION_NAMES = ["ca", "rejectUnauthorized"];

function issueToProblem(issue: z.core.$ZodIssue): FieldProblem {
  const path = ["precheck", ...issue.path.map(String)].join(".");
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0] ?? "";
    const names = path === "precheck.tls" ? TLS_OPTION_NAMES : OPTION_NAMES;
    return { field: `${path}.${key}`, message: unknownKeyMessage(key, names, "a precheck option") };
  }
  if (issue.path.length === 0) {
    return {
      field: "precheck",
      message: `must be an object with the options ${OPTION_NAMES.join(", ")}`,
    };
  }
  return { field: path, message: issue.message };
}

type Problems = FieldProblem[];

/** Timeouts that contradict each other, and a level the authentication cannot reach. */
function levelProblems(o: ResolvedPrecheckOptions, s: Partial<SmtpSettingsModel>): Problems {
  const auth = s.authentication ?? "anonymous";
  const problems: Problems = [];
  if (o.timeoutMs < o.connectTimeoutMs) {
    problems.push({
      field: "precheck.timeoutMs",
      message: `must be at least precheck.connectTimeoutMs (${o.connectTimeoutMs} ms)`,
    });
  }
  if (o.level === "auth" && auth === "anonymous") {
    problems.push({
      field: "precheck.level",
      message: `"auth" needs authentication "basic", "ntlm" or "oauth"; use "connect" or "send" for anonymous relays`,
    });
  }
  return problems;
}

/** What a test mail from this machine needs, and what it cannot do. */
function localSendProblems(o: ResolvedPrecheckOptions, s: Partial<SmtpSettingsModel>): Problems {
  if (o.via !== "local" || o.level !== "send") return [];
  const auth = s.authentication ?? "anonymous";
  const problems: Problems = [];
  if (!o.recipient) {
    problems.push({
      field: "precheck.recipient",
      message: `is required when precheck.level is "send": give the address that receives the test mail`,
    });
  }
  if (auth === "ntlm" || auth === "oauth") {
    const why =
      auth === "ntlm" ? "DNN uses the app pool's Windows identity" : "the token is held by DNN";
    problems.push({
      field: "precheck.level",
      message: `"send" via "local" cannot log in with authentication "${auth}" (${why}); use "auth", or precheck.via "dnn"`,
    });
  }
  return problems;
}

/** Options DNN's SendTestEmail has no use for. (`*****` as password is refused by the settings.) */
function viaDnnProblems(o: ResolvedPrecheckOptions): Problems {
  if (o.via !== "dnn") return [];
  const unused = (field: string, why: string) => ({
    field,
    message: `is not used with precheck.via "dnn": ${why}; remove it`,
  });
  const problems: Problems = [];
  if (o.recipient)
    problems.push(
      unused(
        "precheck.recipient",
        "DNN mails an address it chooses (usually the API user's email)",
      ),
    );
  if (o.sender) problems.push(unused("precheck.sender", "DNN sends from the host or site email"));
  if (o.tls.ca !== undefined || !o.tls.rejectUnauthorized)
    problems.push(unused("precheck.tls", "the site trusts its own certificate store"));
  return problems;
}

/** The compatibility table's verdicts that are certain without connecting. */
function providerProblems(o: ResolvedPrecheckOptions, s: Partial<SmtpSettingsModel>): Problems {
  const address = typeof s.server === "string" ? parseServer(s.server) : undefined;
  return incompatibilities({
    mailProvider: o.mailProvider,
    authentication: s.authentication,
    port: typeof address === "object" ? address.port : undefined,
    enableSsl: s.enableSsl,
  })
    .filter((i) => i.certain)
    .map(({ field, message }) => ({ field, message }));
}

/**
 * Problems that need no network: combinations DNN cannot send with (the compatibility
 * table's, e.g. core + port 465 + `enableSsl`, reported on `server`), and options that do
 * not fit the chosen level or `via`. Nothing is reported for level "none".
 */
function crossProblems(o: ResolvedPrecheckOptions, s: Partial<SmtpSettingsModel>): Problems {
  if (o.level === "none") return [];
  return [
    ...levelProblems(o, s),
    ...localSendProblems(o, s),
    ...viaDnnProblems(o),
    ...providerProblems(o, s),
  ];
}

/** The options with every default applied (see PrecheckOptionsSchema). */
function resolve(
  input: z.output<typeof PrecheckOptionsSchema>,
  settings: Partial<SmtpSettingsModel>,
): ResolvedPrecheckOptions {
  const via = input.via ?? DEFAULT_VIA;
  const level = input.level ?? defaultLevel(settings.authentication, via);
  const localSend = via === "local" && level === "send";
  return {
    level,
    via,
    mailProvider: input.mailProvider ?? defaultMailProvider(settings.authentication),
    recipient: input.recipient,
    sender: input.sender ?? (localSend ? (settings.hostEmail ?? input.recipient) : undefined),
    allowUnverifiedAuth: booleanOf(input.allowUnverifiedAuth ?? false),
    connectTimeoutMs: input.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    timeoutMs: input.timeoutMs ?? Math.max(DEFAULT_TIMEOUT_MS, input.connectTimeoutMs ?? 0),
    tls: {
      ca: input.tls?.ca,
      rejectUnauthorized: booleanOf(input.tls?.rejectUnauthorized ?? true),
    },
  };
}

/** Zod's issues as one problem per field. */
function parseProblems(error: z.ZodError): Problems {
  const seen = new Set<string>();
  return error.issues.map(issueToProblem).filter((p) => {
    if (seen.has(p.field)) return false;
    seen.add(p.field);
    return true;
  });
}

/**
 * Validates the `precheck` options against the settings they will test and applies the
 * defaults. `raw` may be undefined (every default). `settings` may be partial during
 * preview; rules involving an unknown setting are skipped.
 *
 * @example
 * const r = validatePrecheckOptions({ level: "send" }, settings);
 * if (!r.ok) throw invalidSettings(r.problems);
 */
export function validatePrecheckOptions(
  raw: unknown,
  settings: Partial<SmtpSettingsModel>,
): PrecheckValidationResult {
  const parsed = PrecheckOptionsSchema.safeParse(raw ?? {});
  if (!parsed.success) return { ok: false, problems: parseProblems(parsed.error) };
  const value = resolve(parsed.data, settings);
  // A sender given by the user is checked as such; a defaulted one is not reported.
  const problems = crossProblems({ ...value, sender: parsed.data.sender }, settings);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value };
}
