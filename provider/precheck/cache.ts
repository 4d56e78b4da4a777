/**
 * "Once per configuration": identical prechecks share one result per process (one
 * Pulumi run), and concurrent identical requests share one in-flight promise, so 200
 * sites on one relay make one SMTP session.
 *
 * The key is an HMAC-SHA256 of the configuration with a random key made when this module
 * loads: the password is never kept, and the key cannot be recomputed outside the process.
 * Failures are kept too: in one run, the same configuration would fail the same way, and
 * retrying a timeout for every site would multiply the wait.
 */
import { createHmac, randomBytes } from "node:crypto";
import { canonicalJson } from "../canonical";
import type { PrecheckReport } from "./types";

const HMAC_KEY = randomBytes(32);

/** Counts for tests and logs. */
export interface PrecheckCacheStats {
  /** Prechecks that ran (each opened its own session or DNN call). */
  readonly misses: number;
  /** Requests answered from an earlier, settled precheck. */
  readonly hits: number;
  /** Requests that joined a precheck still in flight. */
  readonly joins: number;
  /** Configurations remembered. */
  readonly size: number;
}

interface Entry {
  readonly promise: Promise<PrecheckReport>;
  settled: boolean;
}

const entries = new Map<string, Entry>();
let counts = { misses: 0, hits: 0, joins: 0 };

/** The cache key of a configuration: an HMAC, never the values themselves. */
export function precheckCacheKey(configuration: unknown): string {
  return createHmac("sha256", HMAC_KEY).update(canonicalJson(configuration)).digest("hex");
}

/**
 * Runs `run` once per key; later and concurrent callers get the same outcome with
 * `cached: true`.
 */
export function once(key: string, run: () => Promise<PrecheckReport>): Promise<PrecheckReport> {
  const entry = entries.get(key);
  if (entry) {
    if (entry.settled) counts.hits += 1;
    else counts.joins += 1;
    return entry.promise.then((report) => ({ ...report, cached: true }));
  }
  counts.misses += 1;
  const fresh: Entry = { promise: run(), settled: false };
  entries.set(key, fresh);
  const settle = () => {
    fresh.settled = true;
  };
  // Marks the entry settled; the catch also keeps a stored failure from being "unhandled".
  fresh.promise.then(settle, settle);
  return fresh.promise;
}

/** Forgets every result and resets the counts (tests, or a long-lived process). */
export function clearPrecheckCache(): void {
  entries.clear();
  counts = { misses: 0, hits: 0, joins: 0 };
}

/** How often the cache answered; `misses` is the number of prechecks actually run. */
export function precheckCacheStats(): PrecheckCacheStats {
  return { ...counts, size: entries.size };
}
