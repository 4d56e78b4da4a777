/**
 * The SMTP settings model: the single source of truth for every field a user declares.
 * The zod schema holds every field's accepted values; `FIELDS` names, per field, the key DNN
 * stores it under (`dnnKey`, documentation), the key of the UpdateSmtpSettings request
 * (`requestKey`, which `wire.ts` reads) and the scopes that take it (the scope rule below).
 */
import { z } from "zod";
import type { FieldProblem } from "./errors";
import {
  AUTHENTICATIONS,
  type Authentication,
  DEFAULT_SMTP_PORT,
  SCOPES,
  type Scope,
  type SettingsField,
  type SmtpSettingsModel,
} from "./model";

// The plain vocabulary lives in model.ts (no zod in the public declaration files).
export {
  AUTHENTICATIONS,
  type Authentication,
  DEFAULT_CONNECTION_LIMIT,
  DEFAULT_MAX_IDLE_TIME_MS,
  DEFAULT_MESSAGE_BATCH_SIZE,
  DEFAULT_SMTP_PORT,
  type FieldInfo,
  SCOPES,
  type Scope,
  type SettingsField,
  type SmtpSettingsInput,
  type SmtpSettingsModel,
} from "./model";
/** DNN parses the numeric settings as .NET `int`. */
export const INT32_MAX = 2_147_483_647;
/** Longest text accepted for a host name, user name, password or email. */
export const MAX_TEXT_LENGTH = 256;
/** Longest OAuth setting name (DNN's are short identifiers such as `ClientId`). */
export const MAX_OAUTH_KEY_LENGTH = 64;
/** Longest OAuth setting value (client secrets, tenant ids, scopes). */
export const MAX_OAUTH_VALUE_LENGTH = 4096;
/** Most OAuth settings one provider takes. */
export const MAX_OAUTH_SETTINGS = 32;
/** The password DNN 9.11+ reads as "keep the stored password" (and older versions store as is). */
export const PASSWORD_PLACEHOLDER = "*****";

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
/**
 * Characters that do not show, or that change the direction text is shown in: zero-width
 * spaces and joiners, bidi marks, embeddings, overrides and isolates, the BOM, the line
 * and paragraph separators, soft hyphen, word joiner and invisible operators. A host or
 * user name holding one looks right in a diff and is another name to DNN.
 */
export const INVISIBLE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x00ad, 0x00ad], // soft hyphen
  [0x034f, 0x034f], // combining grapheme joiner
  [0x061c, 0x061c], // Arabic letter mark
  [0x115f, 0x1160], // Hangul fillers
  [0x17b4, 0x17b5], // Khmer inherent vowels
  [0x180b, 0x180f], // Mongolian variation selectors and vowel separator
  [0x200b, 0x200f], // zero-width space, non-joiner, joiner, LRM, RLM
  [0x2028, 0x202e], // line and paragraph separators, bidi embeddings and overrides
  [0x2060, 0x206f], // word joiner, invisible operators, bidi isolates
  [0x3164, 0x3164], // Hangul filler
  [0xfe00, 0xfe0f], // variation selectors
  [0xfeff, 0xfeff], // byte order mark
  [0xffa0, 0xffa0], // halfwidth Hangul filler
  [0xfff9, 0xfffb], // interlinear annotations
];

/** Names a refused invisible character: `U+200B at position 4`. */
export function invisibleCharacter(s: string): string | undefined {
  let position = 0;
  for (const ch of s) {
    position++;
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0xad) continue;
    if (INVISIBLE_RANGES.some(([from, to]) => cp >= from && cp <= to)) {
      return `U+${cp.toString(16).toUpperCase().padStart(4, "0")} at position ${position}`;
    }
  }
  return undefined;
}

/** The sentence for a text holding an invisible character, or undefined. */
export function invisibleProblem(s: string): string | undefined {
  const which = invisibleCharacter(s);
  return which
    ? `must not contain invisible or direction-changing characters (found ${which}); retype the value`
    : undefined;
}

/** Levenshtein distance, for "did you mean" suggestions. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] ?? 0;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(above + 1, (row[j - 1] ?? 0) + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return row[b.length] ?? 0;
}

/** The accepted name closest to a mistyped one (case-insensitive edit distance), if any is close. */
export function closestName(key: string, names: readonly string[]): string | undefined {
  // No name is that long: a huge key is not a typo, and would cost time to compare.
  if (key.length > 64) return undefined;
  const k = key.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = editDistance(k, name.toLowerCase());
    if (!best || distance < best.distance) best = { name, distance };
  }
  if (!best) return undefined;
  // Close enough to be a typo: a third of the name, at least 2 edits.
  const limit = Math.max(2, Math.floor(best.name.length / 3));
  if (best.distance <= limit) return best.name;
  // Or a valid name with a prefix or suffix: smtpPassword, siteUsername.
  const inside = names
    .filter((n) => n.length >= 4 && k.includes(n.toLowerCase()))
    .sort((a, b) => b.length - a.length);
  return inside[0];
}

/** A key as a message shows it: at most 40 characters. */
export function shortKey(key: string): string {
  return key.length > 40 ? `${key.slice(0, 37)}...` : key;
}

/** The sentence for a key that is not accepted: names the closest valid one, lists all. */
export function unknownKeyMessage(key: string, names: readonly string[], what: string): string {
  const closest = closestName(key, names);
  const shown = shortKey(key);
  const hint = closest ? `did you mean ${closest}? ` : "";
  return `is not ${what} (unknown key ${JSON.stringify(shown)}); ${hint}accepted: ${names.join(", ")}`;
}

/** true/false, or the exact texts "true"/"false" (stack config gives text); nothing else. */
export function strictBoolean() {
  return z.union([z.boolean(), z.enum(["true", "false"])], {
    error: (issue) =>
      `must be true or false (or the text "true"/"false"); got ${showValue(issue.input)}`,
  });
}
/** The boolean a `strictBoolean()` value stands for. */
export const booleanOf = (v: boolean | "true" | "false"): boolean => v === true || v === "true";
const HOST_LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const EMAIL = /^[^\s@"<>(),;:]+@[^\s@"<>(),;:]+\.[^\s@"<>(),;:]+$/;

/** Shows a non-secret value in a message: quoted, control characters visible, shortened. */
export function showValue(value: unknown): string {
  if (typeof value === "string")
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  let shown: string;
  try {
    shown = JSON.stringify(value) ?? String(value);
  } catch {
    shown = String(value);
  }
  return shown.length > 60 ? `${shown.slice(0, 57)}...` : shown;
}

/**
 * A text field: refuses over-long texts, control characters and invisible or
 * direction-changing characters, then trims surrounding whitespace (unless `trim: false`).
 */
function text(what: string, options: { trim?: boolean; max?: number } = {}) {
  const max = options.max ?? MAX_TEXT_LENGTH;
  return z
    .string({ error: `must be a text (${what})` })
    .superRefine((s, ctx) => {
      const fail = (message: string) => ctx.addIssue({ code: "custom", message, abort: true });
      // Length first: a megabyte-long value is not scanned further.
      if (s.trim().length > max)
        return fail(`must be at most ${max} characters (${what}); got ${s.length}`);
      if (CONTROL_CHARS.test(s))
        return fail("must not contain control characters (CR, LF, NUL, tab...)");
      const invisible = invisibleProblem(s);
      if (invisible) return fail(invisible);
    })
    .transform((s) => (options.trim === false ? s : s.trim()));
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

const OAUTH_KEY = /^[A-Za-z][A-Za-z0-9_.:-]*$/;

const oauthSchema = z
  .object(
    {
      provider: text("OAuth provider name", { max: MAX_OAUTH_KEY_LENGTH }).refine(
        (s) => s.length > 0,
        { error: "must name the OAuth provider, e.g. ExchangeOnline or GoogleMail" },
      ),
      settings: z
        .record(
          z.string().refine((k) => k.length <= MAX_OAUTH_KEY_LENGTH && OAUTH_KEY.test(k), {
            error: `setting names take letters, digits, _ . : - (starting with a letter), at most ${MAX_OAUTH_KEY_LENGTH} characters`,
          }),
          text("OAuth setting value", { trim: false, max: MAX_OAUTH_VALUE_LENGTH }),
          { error: "must be an object of setting names to texts" },
        )
        .refine((r) => Object.keys(r).length <= MAX_OAUTH_SETTINGS, {
          error: `must hold at most ${MAX_OAUTH_SETTINGS} settings`,
        })
        .default({}),
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
    /** Concurrent connections to the SMTP server, at least 1. Left as the site holds it when omitted (DNN's default is 2). DNN key `SMTPConnectionLimit`. */
    connectionLimit: wholeNumber(
      1,
      " (0 passes DNN's form, but .NET's connection pool rejects it)",
    ).optional(),
    /** Milliseconds a pooled connection may stay idle. Left as the site holds it when omitted (DNN's default is 100000). DNN key `SMTPMaxIdleTime`. */
    maxIdleTime: wholeNumber(0, " milliseconds").optional(),
    /** Global scope only: messages the scheduler sends per run. Left as the site holds it when omitted (DNN's default is 50). DNN key `MessageSchedulerBatchSize`. */
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
    password: optionalText("SMTP password", { trim: false }).refine(
      (s) => s !== PASSWORD_PLACEHOLDER,
      {
        error: `must not be "${PASSWORD_PLACEHOLDER}": DNN 9.11 and later read it as "keep the stored password" (so a new server would silently get the old one) and older versions store the five characters; give the real password`,
      },
    ),
    /** Use TLS. With DNN's core mail provider this means STARTTLS (not port 465). Default false. DNN key `SMTPEnableSSL`. */
    enableSsl: strictBoolean()
      .optional()
      .transform((v) => (v === undefined ? false : booleanOf(v))),
    /** Global scope only: the sender of host mails. Left as the site holds it when omitted. DNN key `HostEmail`. */
    hostEmail: emailSchema.optional(),
    /** For `oauth`: the provider (e.g. `ExchangeOnline`, `GoogleMail`) and its settings; a secret. DNN key `SMTPAuthProvider`. */
    oauth: oauthSchema.optional(),
  })
  .strict();

/** The input side of the schema; `model.test.ts` proves it is `SmtpSettingsInput`. */
export type SettingsSchemaInput = z.input<typeof SettingsSchema>;
/** The output side of the schema; `model.test.ts` proves it is `SmtpSettingsModel`. */
export type SettingsSchemaOutput = z.output<typeof SettingsSchema>;

/** Per field: DNN's stored key, the request key `wire.ts` writes, and the scopes that take it. */
export const FIELDS = {
  scope: { dnnKey: "SMTPmode", requestKey: "smtpServerMode", scopes: ["site"] },
  server: { dnnKey: "SMTPServer", requestKey: "smtpServer", scopes: SCOPES },
  connectionLimit: {
    dnnKey: "SMTPConnectionLimit",
    requestKey: "smtpConnectionLimit",
    scopes: SCOPES,
  },
  maxIdleTime: { dnnKey: "SMTPMaxIdleTime", requestKey: "smtpMaxIdleTime", scopes: SCOPES },
  messageBatchSize: {
    dnnKey: "MessageSchedulerBatchSize",
    requestKey: "messageSchedulerBatchSize",
    scopes: ["global"],
  },
  authentication: {
    dnnKey: "SMTPAuthentication",
    requestKey: "smtpAuthentication",
    scopes: SCOPES,
  },
  username: { dnnKey: "SMTPUsername", requestKey: "smtpUsername", scopes: SCOPES },
  password: { dnnKey: "SMTPPassword", requestKey: "smtpPassword", scopes: SCOPES },
  enableSsl: { dnnKey: "SMTPEnableSSL", requestKey: "enableSmtpSsl", scopes: SCOPES },
  hostEmail: { dnnKey: "HostEmail", requestKey: "smtpHostEmail", scopes: ["global"] },
  oauth: { dnnKey: "SMTPAuthProvider", requestKey: "authProvider", scopes: SCOPES },
} as const satisfies Record<
  SettingsField,
  { readonly dnnKey: string; readonly requestKey: string; readonly scopes: readonly Scope[] }
>;

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
      const scopes: readonly Scope[] = FIELDS[f].scopes;
      if (scopes.includes("site") || f === "scope" || s[f] === undefined) continue;
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
    const where = issue.path.length ? `${issue.path.join(".")}.` : "";
    const accepted = where === "oauth." ? ["provider", "settings"] : SETTINGS_FIELDS;
    const key = issue.keys[0] ?? "";
    return {
      field: `${where}${shortKey(key)}`,
      message: unknownKeyMessage(key, accepted, "a setting"),
    };
  }
  const field = issue.path.map((p) => shortKey(String(p))).join(".") || "(settings)";
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
  return { ok: true, value };
}
