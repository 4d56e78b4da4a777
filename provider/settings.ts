/**
 * The SMTP settings model: the single source of truth for every field a user declares.
 * zod schema → TypeScript types (below) → wire mapping (`wire.ts`, driven by `FIELDS`).
 */
import { z } from "zod";
import type { FieldProblem } from "./errors";

/** DNN sends to port 25 when the server string has no port. */
export const DEFAULT_SMTP_PORT = 25;
/** DNN's default `SMTPConnectionLimit`. */
export const DEFAULT_CONNECTION_LIMIT = 2;
/** DNN's default `SMTPMaxIdleTime`, in milliseconds. */
export const DEFAULT_MAX_IDLE_TIME_MS = 100_000;
/** DNN's default `MessageSchedulerBatchSize` (global scope only). */
export const DEFAULT_MESSAGE_BATCH_SIZE = 50;
/** DNN parses the numeric settings as .NET `int`. */
export const INT32_MAX = 2_147_483_647;
/** Longest text accepted for a host name, user name, password or email. */
export const MAX_TEXT_LENGTH = 256;

export const SCOPES = ["global", "site"] as const;
export type Scope = (typeof SCOPES)[number];

export const AUTHENTICATIONS = ["anonymous", "basic", "ntlm", "oauth"] as const;
export type Authentication = (typeof AUTHENTICATIONS)[number];

/** `SMTPAuthentication` as DNN stores it and as UpdateSmtpSettings takes it. */
export const AUTHENTICATION_WIRE: Readonly<Record<Authentication, number>> = {
  anonymous: 0,
  basic: 1,
  ntlm: 2,
  oauth: 3,
};

// CR, LF, NUL and the other C0/C1 controls would let a value inject SMTP commands or
// HTTP headers once DNN uses it, so every text refuses them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;
const HOST_LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const EMAIL = /^[^\s@"<>(),;:]+@[^\s@"<>(),;:]+\.[^\s@"<>(),;:]+$/;

/** Shows a non-secret value in a message: quoted, control characters visible, shortened. */
export function showValue(value: unknown): string {
  if (typeof value !== "string") return JSON.stringify(value) ?? String(value);
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
}

/** A text field: refuses control characters, then trims surrounding whitespace. */
function text(what: string, options: { trim?: boolean } = {}) {
  return z
    .string({ error: `must be a text (${what})` })
    .refine((s) => !CONTROL_CHARS.test(s), {
      error: "must not contain control characters (CR, LF, NUL, tab...)",
    })
    .transform((s) => (options.trim === false ? s : s.trim()))
    .refine((s) => s.length <= MAX_TEXT_LENGTH, {
      error: `must be at most ${MAX_TEXT_LENGTH} characters`,
    });
}

/** A whole number, given as a number or as a text of digits (stack config often has text). */
function wholeNumber(min: number, why: string) {
  const accepted = `a whole number from ${min} to ${INT32_MAX}${why}`;
  return z.union([z.number(), z.string()], { error: `must be ${accepted}` }).transform((v, ctx) => {
    const n = typeof v === "number" ? v : /^\s*\d+\s*$/.test(v) ? Number(v) : Number.NaN;
    if (!Number.isInteger(n) || n < min || n > INT32_MAX) {
      ctx.addIssue({ code: "custom", message: `must be ${accepted}; got ${showValue(v)}` });
      return z.NEVER;
    }
    return n;
  });
}

export interface ServerAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * Parses `host` or `host:port` the way DNN will use it. DNN checks the server string
 * against `^[^:]+(:[0-9]{1,5})?$` before sending, so IPv6 literals can never work there:
 * they are refused here with that reason. Returns a sentence on failure.
 */
export function parseServer(raw: string): ServerAddress | string {
  const s = raw.trim().toLowerCase();
  if (s.length === 0) return "must not be empty; give a host name such as smtp.example.com";
  if (s.startsWith("[") || (s.match(/:/g)?.length ?? 0) > 1) {
    return "IPv6 addresses are not accepted: DNN only sends to `host` or `host:port` without colons in the host; use a host name";
  }
  const [host = "", portText] = s.split(":");
  if (portText !== undefined && !/^\d{1,5}$/.test(portText)) {
    return `port must be a number from 1 to 65535; got ${showValue(portText)}`;
  }
  const port = portText === undefined ? DEFAULT_SMTP_PORT : Number(portText);
  if (port < 1 || port > 65535) return `port must be from 1 to 65535; got ${port}`;
  const name = host.endsWith(".") ? host.slice(0, -1) : host;
  const validName =
    IPV4.test(name) ||
    (name.length <= 253 &&
      !/^[\d.]+$/.test(name) &&
      name.split(".").every((l) => HOST_LABEL.test(l)));
  if (!validName) {
    return `${showValue(host)} is not a host name or IPv4 address; use e.g. smtp.example.com or smtp.example.com:587`;
  }
  return { host: name, port };
}

/** The canonical server string DNN stores: `host` for port 25, else `host:port`. */
export function formatServer(address: ServerAddress): string {
  return address.port === DEFAULT_SMTP_PORT ? address.host : `${address.host}:${address.port}`;
}

const serverSchema = text("host or host:port").transform((s, ctx) => {
  const parsed = parseServer(s);
  if (typeof parsed === "string") {
    ctx.addIssue({ code: "custom", message: parsed });
    return z.NEVER;
  }
  return formatServer(parsed);
});

/** An email address: no control characters, trimmed, at most 256 characters. */
export const emailSchema = text("an email address").refine((s) => EMAIL.test(s), {
  error: "must be an email address such as mail@example.com",
});

/** Empty text means "not set", the way DNN treats an empty user name or password. */
const optionalText = (what: string, options?: { trim?: boolean }) =>
  text(what, options)
    .optional()
    .transform((s) => (s === undefined || s === "" ? undefined : s));

const oauthSchema = z
  .object(
    {
      provider: text("OAuth provider name").refine((s) => s.length > 0, {
        error: "must name the OAuth provider, e.g. ExchangeOnline or GoogleMail",
      }),
      settings: z.record(z.string(), text("OAuth setting value", { trim: false })).default({}),
    },
    { error: "must be an object { provider, settings }" },
  )
  .strict();

/**
 * The fields a user declares. Every field's accepted values live here and only here.
 * Optional fields without a default are left as the site holds them.
 */
export const SettingsSchema = z
  .object({
    /** `"global"`: the host settings every site uses in mode `h`; `"site"`: one site's own settings (mode `p`). */
    scope: z.enum(SCOPES, { error: `must be one of ${SCOPES.join(", ")}` }),
    /** `host` or `host:port`; no port means 25. DNN key `SMTPServer`. */
    server: serverSchema,
    /** Concurrent connections to the SMTP server, at least 1. Default 2. DNN key `SMTPConnectionLimit`. */
    connectionLimit: wholeNumber(1, " (0 passes DNN's form, but .NET's connection pool rejects it)")
      .optional()
      .transform((v) => v ?? DEFAULT_CONNECTION_LIMIT),
    /** Milliseconds a pooled connection may stay idle. Default 100000. DNN key `SMTPMaxIdleTime`. */
    maxIdleTime: wholeNumber(0, " milliseconds")
      .optional()
      .transform((v) => v ?? DEFAULT_MAX_IDLE_TIME_MS),
    /** Global scope only: messages the scheduler sends per run. Default 50. DNN key `MessageSchedulerBatchSize`. */
    messageBatchSize: wholeNumber(1, "").optional(),
    /** `anonymous` (default), `basic` (user name + password), `ntlm` (app pool identity), `oauth` (DNN 9.13+). DNN key `SMTPAuthentication`. */
    authentication: z
      .enum(AUTHENTICATIONS, { error: `must be one of ${AUTHENTICATIONS.join(", ")}` })
      .optional()
      .transform((v) => v ?? "anonymous"),
    /** SMTP user name; required for `basic`. DNN key `SMTPUsername`. */
    username: optionalText("SMTP user name"),
    /** SMTP password; required for `basic`; always stored as a secret. DNN key `SMTPPassword` (encrypted). */
    // Passwords keep their surrounding spaces: they may be part of the secret.
    password: optionalText("SMTP password", { trim: false }),
    /** Use TLS. With DNN's core mail provider this means STARTTLS (not port 465). Default false. DNN key `SMTPEnableSSL`. */
    enableSsl: z
      .boolean({ error: "must be true or false" })
      .optional()
      .transform((v) => v ?? false),
    /** Global scope only: the sender of host mails. Left as the site holds it when omitted. DNN key `HostEmail`. */
    hostEmail: emailSchema.optional(),
    /** For `oauth`: the provider (e.g. `ExchangeOnline`, `GoogleMail`) and its settings; a secret. DNN key `SMTPAuthProvider`. */
    oauth: oauthSchema.optional(),
  })
  .strict();

/** What a user may write: the input side of the schema. */
export type SmtpSettingsInput = z.input<typeof SettingsSchema>;
/** Validated, normalized settings. */
export type SmtpSettingsModel = z.output<typeof SettingsSchema>;
/** The names of the model's fields. */
export type SettingsField = keyof SmtpSettingsModel;

/** How each field is stored by DNN, per scope; `wire.ts` maps through this table. */
export const FIELDS: Readonly<
  Record<SettingsField, { readonly dnnKey: string; readonly scopes: readonly Scope[] }>
> = {
  scope: { dnnKey: "SMTPmode", scopes: ["site"] },
  server: { dnnKey: "SMTPServer", scopes: SCOPES },
  connectionLimit: { dnnKey: "SMTPConnectionLimit", scopes: SCOPES },
  maxIdleTime: { dnnKey: "SMTPMaxIdleTime", scopes: SCOPES },
  messageBatchSize: { dnnKey: "MessageSchedulerBatchSize", scopes: ["global"] },
  authentication: { dnnKey: "SMTPAuthentication", scopes: SCOPES },
  username: { dnnKey: "SMTPUsername", scopes: SCOPES },
  password: { dnnKey: "SMTPPassword", scopes: SCOPES },
  enableSsl: { dnnKey: "SMTPEnableSSL", scopes: SCOPES },
  hostEmail: { dnnKey: "HostEmail", scopes: ["global"] },
  oauth: { dnnKey: "SMTPAuthProvider", scopes: SCOPES },
};

export const SETTINGS_FIELDS = Object.keys(FIELDS) as SettingsField[];

export type ValidationResult =
  | { readonly ok: true; readonly value: SmtpSettingsModel }
  | { readonly ok: false; readonly problems: readonly FieldProblem[] };

/** Rules that tie fields together, checked once every field is valid on its own. */
function crossFieldProblems(s: SmtpSettingsModel): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  if (s.scope === "site") {
    for (const f of SETTINGS_FIELDS) {
      if (FIELDS[f].scopes.includes("site") || f === "scope" || s[f] === undefined) continue;
      add(f, `applies to scope "global" only; remove it from a "site" scope resource`);
    }
  }
  switch (s.authentication) {
    case "basic":
      if (!s.username) add("username", `is required when authentication is "basic"`);
      if (!s.password) add("password", `is required when authentication is "basic"`);
      break;
    case "anonymous":
      if (s.username)
        add(
          "username",
          `must be empty when authentication is "anonymous"; set authentication "basic" to log in`,
        );
      if (s.password)
        add(
          "password",
          `must be empty when authentication is "anonymous"; set authentication "basic" to log in`,
        );
      break;
    case "ntlm":
      if (s.password)
        add(
          "password",
          `must be empty when authentication is "ntlm": DNN authenticates with the app pool's Windows identity`,
        );
      break;
    case "oauth":
      if (!s.oauth)
        add("oauth", `is required when authentication is "oauth": give { provider, settings }`);
      if (s.password)
        add(
          "password",
          `must be empty when authentication is "oauth": the token comes from the OAuth provider`,
        );
      break;
  }
  if (s.oauth && s.authentication !== "oauth") {
    add(
      "oauth",
      `is only used when authentication is "oauth"; remove it or set authentication "oauth"`,
    );
  }
  return problems;
}

/** One problem per field, in the order the fields are declared. */
function onePerField(problems: FieldProblem[]): FieldProblem[] {
  const seen = new Map<string, FieldProblem>();
  for (const p of problems) if (!seen.has(p.field)) seen.set(p.field, p);
  const order = (f: string) => {
    const i = SETTINGS_FIELDS.indexOf(f.split(".")[0] as SettingsField);
    return i < 0 ? SETTINGS_FIELDS.length : i;
  };
  return [...seen.values()].sort((a, b) => order(a.field) - order(b.field));
}

function issueToProblem(issue: z.core.$ZodIssue): FieldProblem {
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.join(", ");
    const where = issue.path.length ? `${issue.path.join(".")}.` : "";
    const accepted = where === "oauth." ? "provider, settings" : SETTINGS_FIELDS.join(", ");
    return {
      field: `${where}${issue.keys[0]}`,
      message: `is not a setting (unknown: ${keys}); accepted: ${accepted}`,
    };
  }
  const field = issue.path.map(String).join(".") || "(settings)";
  const missing = issue.input === undefined && issue.code !== "custom";
  return { field, message: missing ? `is required; it ${issue.message}` : issue.message };
}

/**
 * Validates user settings. `unknownFields` lists fields whose values are not known yet
 * (during `pulumi preview`): their own checks and every rule involving them are skipped.
 */
export function validateSettings(
  raw: unknown,
  unknownFields: ReadonlySet<string> = new Set(),
): ValidationResult {
  const result = SettingsSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues
      .map(issueToProblem)
      .filter((p) => !unknownFields.has(p.field.split(".")[0] ?? ""));
    if (problems.length > 0) return { ok: false, problems: onePerField(problems) };
  }
  if (unknownFields.size > 0 || !result.success) {
    // Some values are unknown: field checks passed for the known ones, which is all we can say.
    return { ok: true, value: raw as SmtpSettingsModel };
  }
  const cross = crossFieldProblems(result.data);
  if (cross.length > 0) return { ok: false, problems: onePerField(cross) };
  const value = result.data;
  if (value.scope === "global" && value.messageBatchSize === undefined) {
    return { ok: true, value: { ...value, messageBatchSize: DEFAULT_MESSAGE_BATCH_SIZE } };
  }
  return { ok: true, value };
}
