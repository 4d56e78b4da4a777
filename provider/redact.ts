/**
 * Redaction: no secret survives in a text that leaves this package (error messages,
 * summaries, warnings, logs), even when a hostile or chatty server echoes what it was sent.
 *
 * Run it LAST, on the final text, after every other transformation (whitespace collapsing,
 * truncation, quoting, JSON escaping): a transformation after redaction can rebuild or hide
 * a secret. It recognizes a secret in the forms a reply can carry it:
 * - as is, and with every character in any of its escapes: JSON/JavaScript (`\"`, `\\`,
 *   `\u0041`, `\x41`, escapes nested to any depth), URL encoding (`%41`, `%2541`, `+` for a
 *   space, UTF-8 bytes), HTML character references (`&#65;`, `&#x41;`, `&quot;`), and any
 *   run of whitespace where the secret has whitespace (formatters collapse it);
 * - in base64 (standard or URL alphabet), at any offset inside a longer base64 text: the
 *   password alone (AUTH LOGIN), `\0user\0password` (AUTH PLAIN) or any other framing;
 * - in hexadecimal;
 * - cut: a piece of at least `MIN_PARTIAL` characters of any of these forms that ends at a
 *   truncation mark (`...`, `…`) or at the end of the text (a prefix), or starts at the
 *   beginning of the text or right after a mark (a suffix).
 *
 * User names are not secret (messages name them), but their base64 is AUTH LOGIN material:
 * pass them as `users` to redact that form only.
 */

/** What a secret is replaced with. */
export const REDACTED = "[secret]";
/** The mark `truncate` ends a shortened text with; redaction also recognizes `…`. */
export const TRUNCATION_MARK = "...";
/** The shortest cut piece of a secret's form that is still redacted, in characters. */
export const MIN_PARTIAL = 3;

/** Options of `redact`. */
export interface RedactOptions {
  /** User names whose base64 (AUTH LOGIN material) is redacted; the plain names stay. */
  readonly users?: ReadonlyArray<string | undefined>;
}

const MARKS = String.raw`(?:\.\.\.|…)`;
const HEX = "0123456789abcdef";
const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  '"': "quot",
  "&": "amp",
  "<": "lt",
  ">": "gt",
  "'": "apos",
};

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** A hex number matching either case: "2f" → "2[fF]". */
function hexPattern(value: number, width: number): string {
  return [...value.toString(16).padStart(width, "0")]
    .map((d) => (HEX.includes(d) && /[a-f]/.test(d) ? `[${d}${d.toUpperCase()}]` : d))
    .join("");
}

/** Every way one character may be written in a reply. */
function charPattern(char: string): string {
  if (/\s/.test(char)) {
    // Formatters collapse or re-encode whitespace: any run of any of its forms.
    return String.raw`(?:\s|\+|%(?:25)?(?:20|09|0[aAdD])|\\+[ntr]|\\+u00(?:20|09|0[aAdD])|&#(?:32|9|10|13);)+`;
  }
  const code = char.codePointAt(0) ?? 0;
  const forms = [String.raw`\\*${escapeRegExp(char)}`];
  const units = char.length === 2 ? [char.charCodeAt(0), char.charCodeAt(1)] : [code];
  forms.push(units.map((u) => String.raw`\\+u${hexPattern(u, 4)}`).join(""));
  forms.push(String.raw`\\+u\{0*${hexPattern(code, 1)}\}`);
  if (code < 256) forms.push(String.raw`\\+x${hexPattern(code, 2)}`);
  const bytes = [...Buffer.from(char, "utf8")];
  forms.push(bytes.map((b) => `%(?:25)?${hexPattern(b, 2)}`).join(""));
  forms.push(`&#0*${code};`, `&#[xX]0*${hexPattern(code, 1)};`);
  const named = NAMED_ENTITIES[char];
  if (named) forms.push(`&${named};`);
  return `(?:${forms.join("|")})`;
}

/** A base64 character, in either alphabet, possibly URL-encoded. */
function base64CharPattern(char: string): string {
  if (char === "+") return String.raw`(?:\+|-|%(?:25)?2[bB])`;
  if (char === "/") return String.raw`(?:\/|_|%(?:25)?2[fF]|\\+\/)`;
  return char;
}

/**
 * The base64 characters that depend on the secret's bytes only, for each of the three
 * offsets the secret may start at inside a longer base64 text.
 */
function base64Cores(secret: string): string[] {
  const bytes = Buffer.from(secret, "utf8");
  const cores: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes])
      .toString("base64")
      .replace(/=+$/, "");
    const first = Math.ceil((8 * offset) / 6);
    const end = Math.floor((8 * (offset + bytes.length)) / 6);
    const core = encoded.slice(first, end);
    if (core.length >= MIN_PARTIAL) cores.push(core);
  }
  return cores;
}

/** A form of a secret as a list of per-character patterns. */
type Form = readonly string[];

/** A base64 core; where the encoding ends there, its last mixed character and padding go too. */
function base64Form(core: string): Form {
  const chars = Array.from(core, base64CharPattern);
  const last = chars.pop() ?? "";
  return [...chars, `${last}(?:[A-Za-z0-9+/_-]?={1,2})?`];
}

function formsOf(secret: string): Form[] {
  const chars = Array.from(secret);
  const forms: Form[] = [];
  // Whitespace runs become one pattern (a formatter may have collapsed them).
  const literal: string[] = [];
  for (const c of chars) {
    const p = charPattern(c);
    if (/\s/.test(c) && literal.at(-1) === p) continue;
    literal.push(p);
  }
  forms.push(literal);
  for (const core of base64Cores(secret)) forms.push(base64Form(core));
  const hex = Buffer.from(secret, "utf8").toString("hex");
  forms.push(Array.from(hex, (d) => (/[a-f]/.test(d) ? `[${d}${d.toUpperCase()}]` : d)));
  return forms;
}

function userForms(user: string): Form[] {
  return base64Cores(user).map(base64Form);
}

/** `p1p2p3(?:p4(?:p5)?)?`: the form cut after at least MIN_PARTIAL characters. */
function prefixPattern(form: Form): string {
  const head = form.slice(0, MIN_PARTIAL).join("");
  let tail = "";
  for (let i = form.length - 2; i >= MIN_PARTIAL; i--) tail = `(?:${form[i]}${tail})?`;
  return head + tail;
}

/** `(?:(?:p1)?p2)?p3p4p5`: the form missing its start, at least MIN_PARTIAL characters left. */
function suffixPattern(form: Form): string {
  const keep = form.slice(-MIN_PARTIAL).join("");
  let head = "";
  for (let i = 1; i < form.length - MIN_PARTIAL; i++) head = `(?:${head}${form[i]})?`;
  return head + keep;
}

// Patterns are built per call and never kept: they hold the secret.
function redactForms(text: string, forms: readonly Form[]): string {
  const whole = new RegExp(forms.map((f) => f.join("")).join("|"), "g");
  const out = text.replace(whole, REDACTED);
  const cuttable = forms.filter((f) => f.length > MIN_PARTIAL);
  if (cuttable.length === 0) return out;
  const prefixes = cuttable.map(prefixPattern).join("|");
  const suffixes = cuttable.map(suffixPattern).join("|");
  const cut = new RegExp(`(?:${prefixes})(?=${MARKS}|$)|(?<=^|${MARKS})(?:${suffixes})`, "g");
  return out.replace(cut, REDACTED);
}

/**
 * The text with every secret, in every form listed above, replaced by `[secret]`. Empty
 * and undefined secrets are ignored. Run it last, on the final text.
 *
 * @example
 * redact('535 bad password "Pa\\"ss" (UGEic3M=)...', ['Pa"ss']); // '535 bad password "[secret]" ([secret]=)...'
 */
export function redact(
  text: string,
  secrets: ReadonlyArray<string | undefined>,
  options: RedactOptions = {},
): string {
  let out = text;
  // Longest first, so a secret containing another is replaced whole.
  const unique = [...new Set(secrets.filter((s): s is string => !!s))].sort(
    (a, b) => b.length - a.length,
  );
  for (const secret of unique) out = redactForms(out, formsOf(secret));
  for (const user of new Set(options.users ?? [])) {
    if (user) out = redactForms(out, userForms(user));
  }
  return out;
}

/**
 * The text shortened to at most `max` characters, ending with `...` when cut. Redact the
 * final text after it: a cut secret is still recognized before the mark.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - TRUNCATION_MARK.length))}${TRUNCATION_MARK}`;
}

/** The text on one line, runs of whitespace collapsed, then `truncate`d. */
export function oneLine(text: string, max: number): string {
  return truncate(text.replace(/\s+/g, " ").trim(), max);
}
