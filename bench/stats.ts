/**
 * Timing and statistics helpers. Every figure the benchmarks publish is a ratio to a floor
 * measured in the same run, or a deterministic count: these machines are noisy.
 */

/** Milliseconds since an arbitrary origin, sub-microsecond resolution. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Runs `work` once and returns how long it took, in milliseconds. */
export async function timeMs(work: () => Promise<unknown>): Promise<number> {
  const started = nowMs();
  await work();
  return nowMs() - started;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of nothing");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Rounds for display and for results.json (figures are not more precise than this). */
export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** A floor and a subject measured in alternation, and their ratio. */
export interface Comparison {
  /**
   * The median of the rounds' ratios (each round's subject over the floor run next to it):
   * load from other processes comes and goes, and falls on both runs of a round alike.
   */
  readonly ratio: number;
  /** Median floor time, milliseconds. */
  readonly floorMs: number;
  /** Median subject time, milliseconds. */
  readonly subjectMs: number;
  /** Every timed floor run, milliseconds, in order. */
  readonly floorRuns: readonly number[];
  /** Every timed subject run, milliseconds, in order. */
  readonly subjectRuns: readonly number[];
}

export interface InterleaveOptions {
  /** Timed rounds; each round runs the floor once and the subject once. */
  readonly rounds: number;
  /** Untimed rounds first (JIT, keep-alive sockets, caches of the server). */
  readonly warmup?: number;
  /** Stop adding rounds after this long (at least 3 timed rounds always run). */
  readonly budgetMs?: number;
}

const MIN_ROUNDS = 3;

/**
 * Runs floor and subject in alternation, A/B then B/A, so drift of the machine (other
 * processes, thermal, GC) falls on both alike. `floor` and `subject` time themselves (they
 * may prepare untimed work first) and return milliseconds. Bounded in count and time.
 */
export async function interleave(
  floor: (round: number) => Promise<number>,
  subject: (round: number) => Promise<number>,
  options: InterleaveOptions,
): Promise<Comparison> {
  const warmup = options.warmup ?? 1;
  for (let i = 0; i < warmup; i++) {
    await floor(-1 - i);
    await subject(-1 - i);
  }
  const floorRuns: number[] = [];
  const subjectRuns: number[] = [];
  const deadline = nowMs() + (options.budgetMs ?? Number.POSITIVE_INFINITY);
  for (let r = 0; r < options.rounds; r++) {
    if (r >= MIN_ROUNDS && nowMs() > deadline) break;
    if (r % 2 === 0) {
      floorRuns.push(await floor(r));
      subjectRuns.push(await subject(r));
    } else {
      subjectRuns.push(await subject(r));
      floorRuns.push(await floor(r));
    }
  }
  const ratio = median(subjectRuns.map((s, i) => s / (floorRuns[i] as number)));
  return {
    ratio,
    floorMs: median(floorRuns),
    subjectMs: median(subjectRuns),
    floorRuns,
    subjectRuns,
  };
}

/** Runs `work` for every item with at most `size` in flight; resolves when all are done. */
export async function pool<T, R>(
  items: readonly T[],
  size: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return results;
}
