/**
 * `check` for both resources: every input is validated here, before any network call, and
 * each problem names its field. What `check` returns is what every later step trusts.
 */
import { siteBaseUrl } from "../dnn/client";
import { resolveSite, type SiteInputs, type SiteSources } from "../dnn/connection";
import { DnnSmtpError, type FieldProblem } from "../errors";
import { ON_DELETE, type OnDelete, USE_GLOBAL_ON_DELETE, type UseGlobalOnDelete } from "../model";
import { type ResolvedPrecheckOptions, validatePrecheckOptions } from "../precheck";
import { SMTP_SETTINGS_OUTPUT_KEYS, USE_GLOBAL_OUTPUT_KEYS } from "../resources/output-keys";
import {
  invisibleProblem,
  MAX_TEXT_LENGTH,
  SETTINGS_FIELDS,
  shortKey,
  showValue,
  unknownKeyMessage,
  validateSettings,
} from "../settings";
import { compact, isUnknown, UNKNOWN } from "./props";
import type { ResourceProps } from "./site";

/** What `check` answers: the inputs every later step receives, or the problems. */
export interface CheckResult {
  readonly inputs: Record<string, unknown>;
  readonly failures?: Array<{ property: string; reason: string }>;
}

/** Added to every resource's inputs by the engine: the serialized provider. */
const ENGINE_KEYS = ["__provider"];
/** Where the resource classes put the site's credentials (secret inputs). */
const SITE_SECRET_KEYS = ["sitePassword", "siteApiToken"];
/** What SmtpSettings takes from a program (the names a typo is matched against). */
export const SMTP_SETTINGS_ARGS: readonly string[] = [
  ...SETTINGS_FIELDS,
  "site",
  "precheck",
  "onDelete",
];
/** Output-only keys of SmtpSettings (the class seeds them so the outputs exist). */
export const SMTP_SETTINGS_OUTPUTS: readonly string[] = SMTP_SETTINGS_OUTPUT_KEYS;
/** What UseGlobalSmtpSettings takes from a program. */
export const USE_GLOBAL_ARGS: readonly string[] = ["site", "onDelete"];
/** Output-only keys of UseGlobalSmtpSettings. */
export const USE_GLOBAL_OUTPUTS: readonly string[] = USE_GLOBAL_OUTPUT_KEYS;

/** What `site` takes. `password` and `apiToken` only reach here from a program that bypasses the classes. */
export const SITE_KEYS: readonly string[] = [
  "url",
  "username",
  "password",
  "apiToken",
  "caCert",
  "insecureSkipVerify",
  "timeoutMs",
];
/** Longest accepted site URL. */
export const MAX_URL_LENGTH = 2048;
/** Longest accepted `site.caCert` (a PEM bundle of a few hundred CAs fits). */
export const MAX_CA_CERT_LENGTH = 262_144;
/** Longest accepted DNN API token. */
export const MAX_API_TOKEN_LENGTH = 4096;
/** Shortest and longest `site.timeoutMs`, in milliseconds. */
export const MIN_SITE_TIMEOUT_MS = 100;
export const MAX_SITE_TIMEOUT_MS = 600_000;

// The onDelete values are public vocabulary: declared in model.ts (no zod there).
export { ON_DELETE, type OnDelete, USE_GLOBAL_ON_DELETE, type UseGlobalOnDelete } from "../model";

/** `onDelete` as declared, or its default: `revert` for site scope, `retain` for global. */
export function onDeleteOf(props: ResourceProps): unknown {
  return props.onDelete ?? (props.scope === "site" ? "revert" : "retain");
}

/** The settings model's fields of a resource's properties. */
export function modelOf(props: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(SETTINGS_FIELDS.map((f) => [f, props[f]]));
}

export async function checkSmtpSettings(
  _olds: ResourceProps,
  news: ResourceProps,
): Promise<CheckResult> {
  const unknown = new Set(Object.keys(news).filter((k) => isUnknown(news[k])));
  const problems: FieldProblem[] = unknownKeys(
    news,
    SMTP_SETTINGS_ARGS,
    SMTP_SETTINGS_OUTPUTS,
    "SmtpSettings",
  );
  problems.push(...secretProblems(news));

  const model = validateSettings(compact(modelOf(news)), unknown);
  if (!model.ok) problems.push(...model.problems);

  const { site, problems: siteProblems } = checkSite(news);
  problems.push(...siteProblems);

  const scope = news.scope;
  const onDelete = onDeleteOf(news);
  if (!unknown.has("onDelete") && !ON_DELETE.includes(onDelete as OnDelete)) {
    problems.push({
      field: "onDelete",
      message: `must be one of ${ON_DELETE.join(", ")}; got ${showValue(onDelete)}`,
    });
  } else if (onDelete === "revert" && scope === "global") {
    problems.push({
      field: "onDelete",
      message: `"revert" applies to site scope (the site goes back to the global settings); use "retain" or "restore" for global`,
    });
  }

  let precheckOptions: ResolvedPrecheckOptions | undefined;
  if (model.ok && unknown.size === 0) {
    const result = validatePrecheckOptions(news.precheck ?? {}, model.value);
    if (result.ok) precheckOptions = result.value;
    else problems.push(...result.problems);
  }

  if (problems.length > 0) return { inputs: news, failures: failuresOf(problems) };
  if (!model.ok || unknown.size > 0) return { inputs: news };
  return {
    inputs: compact({
      ...news,
      ...model.value,
      site: compact(site),
      precheck: precheckOptions,
      onDelete,
    }),
  };
}

export async function checkUseGlobal(
  _olds: ResourceProps,
  news: ResourceProps,
): Promise<CheckResult> {
  const problems = unknownKeys(news, USE_GLOBAL_ARGS, USE_GLOBAL_OUTPUTS, "UseGlobalSmtpSettings");
  problems.push(...secretProblems(news));
  const { site, problems: siteProblems } = checkSite(news);
  problems.push(...siteProblems);
  const onDelete = news.onDelete ?? "retain";
  if (!isUnknown(onDelete) && !USE_GLOBAL_ON_DELETE.includes(onDelete as UseGlobalOnDelete)) {
    problems.push({
      field: "onDelete",
      message: `must be one of ${USE_GLOBAL_ON_DELETE.join(", ")}; got ${showValue(onDelete)}`,
    });
  }
  if (problems.length > 0) return { inputs: news, failures: failuresOf(problems) };
  return { inputs: compact({ ...news, site: compact(site), onDelete }) };
}

/** Top-level keys no one declared: a typo, or a value (a password?) that must not sit in the state. */
function unknownKeys(
  news: ResourceProps,
  args: readonly string[],
  outputs: readonly string[],
  resource: string,
): FieldProblem[] {
  const known = new Set([...args, ...outputs, ...SITE_SECRET_KEYS, ...ENGINE_KEYS]);
  return Object.keys(news)
    .filter((k) => !known.has(k))
    .map((k) => ({
      field: shortKey(k),
      message: unknownKeyMessage(k, args, `an argument of ${resource}`),
    }));
}

/** The site credentials the classes store as secret inputs: texts of bounded length. */
function secretProblems(news: ResourceProps): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const check = (key: "sitePassword" | "siteApiToken", field: string, max: number) => {
    const v = news[key];
    if (v === undefined || v === UNKNOWN) return;
    // Secrets are never shown, not even shortened.
    if (typeof v !== "string") problems.push({ field, message: "must be a text" });
    else if (v.length > max)
      problems.push({ field, message: `must be at most ${max} characters; got ${v.length}` });
    else if (CONTROL_CHARS.test(v))
      problems.push({
        field,
        message: "must not contain control characters (CR, LF, NUL, tab...)",
      });
    else if (invisibleProblem(v))
      problems.push({
        field,
        message: "must not contain invisible or direction-changing characters",
      });
  };
  check("sitePassword", "site.password", MAX_TEXT_LENGTH);
  check("siteApiToken", "site.apiToken", MAX_API_TOKEN_LENGTH);
  return problems;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

/** A URL for a message: credentials in it (`user:password@`) are never shown. */
export function showUrl(raw: string): string {
  return showValue(raw.replace(/^([a-z][a-z0-9+.-]*:\/*)[^/?#]*@/i, "$1[credentials]@"));
}

/** ` (from stack config dnn:url)` when a value did not come from the arguments. */
function from(source: string | undefined): string {
  return source && !source.startsWith("argument") ? ` (from ${source})` : "";
}

/** Problems with a site URL, before anything is sent to it; or its normalized form. */
function checkUrl(raw: unknown, source: string | undefined): { url?: string; problem?: string } {
  const where = from(source);
  if (typeof raw !== "string")
    return {
      problem: `${where ? `${where.trim()} ` : ""}must be a text such as https://example.com; got ${typeof raw}`,
    };
  if (raw.length > MAX_URL_LENGTH)
    return { problem: `must be at most ${MAX_URL_LENGTH} characters${where}; got ${raw.length}` };
  // WHATWG URL parsing silently drops tabs and newlines: the request would go elsewhere.
  if (CONTROL_CHARS.test(raw))
    return {
      problem: `must not contain control characters (CR, LF, tab, NUL...)${where}: URL parsing would drop them and send requests to another path`,
    };
  const invisible = invisibleProblem(raw);
  if (invisible) return { problem: `${invisible}${where}` };
  const text = raw.trim();
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return {
      problem: `${showUrl(text)}${where} is not a URL; use e.g. https://example.com or https://example.com/shop`,
    };
  }
  if (parsed.username || parsed.password)
    return {
      problem: `must not contain credentials (user:password@)${where}; use site.username and site.password (a secret), or the stack config dnn:username and dnn:password`,
    };
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    return {
      problem: `must start with https:// (or http:// for a local test site)${where}; got ${showValue(parsed.protocol)}`,
    };
  try {
    return { url: siteBaseUrl(text).href };
  } catch (error) {
    return { problem: error instanceof DnnSmtpError ? error.sentence : String(error) };
  }
}

/** A plain text field of the site: bounded, no control or invisible characters. */
function checkSiteText(value: unknown, max: number, source?: string): string | undefined {
  const where = from(source);
  if (typeof value !== "string") return `must be a text${where}; got ${typeof value}`;
  if (value.length > max) return `must be at most ${max} characters${where}; got ${value.length}`;
  if (CONTROL_CHARS.test(value))
    return `must not contain control characters (CR, LF, NUL, tab...)${where}`;
  const invisible = invisibleProblem(value);
  return invisible ? `${invisible}${where}` : undefined;
}

/** A site field's value parsed, or why it is refused. */
type SiteValueCheck = (v: unknown) => { value?: unknown; problem?: string };

/** A credential: a bounded text without control, invisible or direction-changing characters. */
const credential =
  (max: number): SiteValueCheck =>
  (v) => {
    if (typeof v !== "string") return { problem: "must be a text" };
    if (v.length > max) return { problem: `must be at most ${max} characters; got ${v.length}` };
    if (CONTROL_CHARS.test(v) || invisibleProblem(v))
      return { problem: "must not contain control, invisible or direction-changing characters" };
    return {};
  };

/** The site fields besides url and username, each parsed on its own (given as arguments). */
const SITE_VALUE_CHECKS: Readonly<Record<string, SiteValueCheck>> = {
  password: credential(MAX_TEXT_LENGTH),
  apiToken: credential(MAX_API_TOKEN_LENGTH),
  caCert: (v) => {
    if (typeof v !== "string")
      return { problem: `must be PEM text (-----BEGIN CERTIFICATE-----...); got ${typeof v}` };
    if (v.length > MAX_CA_CERT_LENGTH)
      return { problem: `must be at most ${MAX_CA_CERT_LENGTH} characters; got ${v.length}` };
    if (!/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(v))
      return {
        problem:
          "must be PEM text with at least one -----BEGIN CERTIFICATE----- ... -----END CERTIFICATE----- block",
      };
    return {};
  },
  insecureSkipVerify: (v) => {
    if (v === true || v === "true") return { value: true };
    if (v === false || v === "false") return { value: false };
    return { problem: `must be true or false (or the text "true"/"false"); got ${showValue(v)}` };
  },
  timeoutMs: (v) => {
    const n =
      typeof v === "number"
        ? v
        : typeof v === "string" && /^\d{1,9}$/.test(v)
          ? Number(v)
          : Number.NaN;
    if (!Number.isInteger(n) || n < MIN_SITE_TIMEOUT_MS || n > MAX_SITE_TIMEOUT_MS)
      return {
        problem: `must be a whole number of milliseconds from ${MIN_SITE_TIMEOUT_MS} to ${MAX_SITE_TIMEOUT_MS}; got ${showValue(v)}`,
      };
    return { value: n };
  },
};

/**
 * The site as `check` stores it (URL normalized, booleans and numbers parsed), and what is
 * wrong with it. Values from stack config or the environment are checked too, and a
 * problem with one names where it came from. Values not known yet (preview) are skipped.
 */
export function checkSite(news: ResourceProps): {
  site: SiteInputs;
  problems: FieldProblem[];
  sources: SiteSources;
} {
  const raw = news.site as unknown;
  if (raw === UNKNOWN) return { site: news.site ?? {}, problems: [], sources: {} };
  const problems: FieldProblem[] = [];
  const add = (field: string, message: string) =>
    problems.push({ field: `site.${field}`, message });
  if (raw !== undefined && (typeof raw !== "object" || raw === null || Array.isArray(raw))) {
    problems.push({
      field: "site",
      message: `must be an object { url, username, caCert, insecureSkipVerify, timeoutMs }; got ${Array.isArray(raw) ? "an array" : typeof raw}`,
    });
    return { site: {}, problems, sources: {} };
  }
  const given = (raw ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!SITE_KEYS.includes(key))
      add(shortKey(key), unknownKeyMessage(key, SITE_KEYS, "a site field"));
  }
  const known = (k: string) => given[k] !== undefined && !isUnknown(given[k]);
  const { inputs, sources } = resolveSite(given as SiteInputs);
  const site: Record<string, unknown> = { ...inputs };

  if (!isUnknown(given.url)) {
    if (inputs.url === undefined || inputs.url === "") {
      add("url", "is required: set site.url, or the stack config dnn:url, or DNN_URL");
    } else {
      const { url, problem } = checkUrl(inputs.url, sources.url);
      if (problem) add("url", problem);
      else site.url = url;
    }
  }
  if (!isUnknown(given.username) && inputs.username !== undefined) {
    const problem = checkSiteText(inputs.username, MAX_TEXT_LENGTH, sources.username);
    if (problem) add("username", problem);
  }
  for (const [key, parse] of Object.entries(SITE_VALUE_CHECKS)) {
    if (!known(key)) continue;
    const { value, problem } = parse(given[key]);
    if (problem) add(key, problem);
    else if (value !== undefined) site[key] = value;
  }
  return { site: site as SiteInputs, problems, sources };
}

/**
 * Problems as the engine's CheckFailures: one per field, under its top-level property. The
 * engine prints `property <property> value ... has a problem: <reason>`, so the reason names
 * the field only when it is nested below the property (`site.url: ...` under `site`).
 */
export function failuresOf(
  problems: readonly FieldProblem[],
): Array<{ property: string; reason: string }> {
  return problems.map((p) => {
    const property = p.field.split(".")[0] ?? p.field;
    return { property, reason: p.field === property ? p.message : `${p.field}: ${p.message}` };
  });
}
