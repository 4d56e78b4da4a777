/**
 * Secrets as the engine sends them to a provider that accepts secrets: a value wrapped in
 * an object carrying a signature key. The lifecycle works on plain values, so the plugin
 * unwraps what comes in and wraps what goes out: every key that came in secret, and the
 * keys that are always secret (passwords, tokens, OAuth settings), whatever came in.
 */

/** The signature key of a special value in a property struct, and its value for a secret. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export type Props = Record<string, unknown>;

function isSecret(value: unknown): value is { value: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG
  );
}

function unwrapDeep(value: unknown, found: { secret: boolean }): unknown {
  if (isSecret(value)) {
    found.secret = true;
    return unwrapDeep(value.value, found);
  }
  if (Array.isArray(value)) return value.map((v) => unwrapDeep(v, found));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapDeep(v, found)]));
  }
  return value;
}

/**
 * Plain properties, and the top-level keys that held a secret anywhere inside. A key whose
 * value is an object with one secret field becomes secret as a whole when it goes back.
 */
export function unwrapSecrets(props: Props): { plain: Props; secretKeys: Set<string> } {
  const secretKeys = new Set<string>();
  const plain: Props = {};
  for (const [key, value] of Object.entries(props)) {
    const found = { secret: false };
    plain[key] = unwrapDeep(value, found);
    if (found.secret) secretKeys.add(key);
  }
  return { plain, secretKeys };
}

/** Wraps the given top-level keys (those present) as secrets. */
export function wrapSecrets(props: Props, keys: Iterable<string>): Props {
  const result: Props = { ...props };
  for (const key of keys) {
    if (result[key] === undefined || result[key] === null) continue;
    result[key] = { [SIG_KEY]: SECRET_SIG, value: result[key] };
  }
  return result;
}
