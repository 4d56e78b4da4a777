/**
 * Helpers for the plain property objects the dynamic-provider plugin passes around:
 * unknown values during preview, structs without undefined, and equality as a diff sees it.
 */
import { canonicalJson } from "../canonical";

/** What `pulumi preview` passes for a value that is not known yet. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Whether a value, or anything inside it, is not known yet (preview). */
export function isUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(isUnknown);
  if (value && typeof value === "object") return Object.values(value).some(isUnknown);
  return false;
}

/** Drops undefined values: protobuf structs cannot carry them. */
export function compact<T extends Record<string, unknown>>(object: T): T {
  const entries = Object.entries(object)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => [k, isPlainObject(v) ? compact(v) : v]);
  return Object.fromEntries(entries) as T;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype
  );
}

/** "" and null read as absent, and an object with nothing left in it is absent too. */
function emptied(v: unknown): unknown {
  if (v === "" || v === null) return undefined;
  if (Array.isArray(v)) return v.map(emptied);
  if (v && typeof v === "object") {
    const entries = Object.entries(v)
      .map(([k, x]) => [k, emptied(x)] as const)
      .filter(([, x]) => x !== undefined);
    return entries.length ? Object.fromEntries(entries) : undefined;
  }
  return v;
}

/** Order-independent equality, with "" and absent meaning the same. */
export function same(a: unknown, b: unknown): boolean {
  return canonicalJson(emptied(a)) === canonicalJson(emptied(b));
}
