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
   * The number of rounds is odd, so this is the ratio of one round: `floorMs`/`subjectMs`.
   */
  readonly ratio: number;
  /** The floor run of the round the ratio comes from, milliseconds. */
  readonly floorMs: number;
  /** The subject run of the round the ratio comes from, milliseconds. */
  readonly subjectMs: number;
  /** Which round that is (0-based, in `floorRuns`/`subjectRuns`). */
  readonly medianRound: number;
  /** Median of all floor runs and of all subject runs, for the reader (not a ratio's pair). */
  readonly floorMedianMs: number;
  readonly subjectMedianMs: number;
  /** Every round's ratio, in order. */
  readonly roundRatios: readonly number[];
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
  /** Stop adding rounds after this long (at least `minRounds` always run; always an odd number). */
  readonly budgetMs?: number;
  /** Rounds that run whatever the budget (odd; default 3). */
  readonly minRounds?: number;
}

const MIN_ROUNDS = 3;

/** The index of the median of an odd number of values (the lower middle one otherwise). */
export function medianIndex(values: readonly number[]): number {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  return (order[Math.floor((order.length - 1) / 2)] as readonly [number, number])[1];
}

/** A comparison from its runs: the ratio is the median round's own ratio. */
export function compare(floorRuns: readonly number[], subjectRuns: readonly number[]): Comparison {
  const roundRatios = subjectRuns.map((s, i) => s / (floorRuns[i] as number));
  const medianRound = medianIndex(roundRatios);
  return {
    ratio: roundRatios[medianRound] as number,
    floorMs: floorRuns[medianRound] as number,
    subjectMs: subjectRuns[medianRound] as number,
    medianRound,
    floorMedianMs: median(floorRuns),
    subjectMedianMs: median(subjectRuns),
    roundRatios,
    floorRuns,
    subjectRuns,
  };
}

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
  const rounds = options.rounds % 2 === 1 ? options.rounds : options.rounds + 1;
  for (let r = 0; r < rounds; r++) {
    // Out of time: stop, but only after an odd number of rounds (the ratio is one round's).
    if (r >= MIN_ROUNDS && r % 2 === 1 && nowMs() > deadline) break;
    if (r % 2 === 0) {
      floorRuns.push(await floor(r));
      subjectRuns.push(await subject(r));
    } else {
      subjectRuns.push(await subject(r));
      floorRuns.push(await floor(r));
    }
  }
  return compare(floorRuns, subjectRuns);
}

/**
 * Like `interleave`, for several subjects against one floor: each round runs the floor and
 * every subject once, the floor first in even rounds and last in odd ones (the subjects'
 * order reversed too), and each subject's ratio is over that round's floor run. Untimed
 * warm-up none; bounded in count and time like `interleave`.
 */
export async function interleaveMany<K extends string>(
  floor: (round: number) => Promise<number>,
  subjects: Readonly<Partial<Record<K, (round: number) => Promise<number>>>>,
  options: InterleaveOptions,
): Promise<{
  floorRuns: number[];
  runs: Partial<Record<K, number[]>>;
  compare: (k: K) => Comparison;
}> {
  const keys = (Object.keys(subjects) as K[]).filter((k) => subjects[k] !== undefined);
  const floorRuns: number[] = [];
  const runs: Partial<Record<K, number[]>> = {};
  for (const k of keys) runs[k] = [];
  const deadline = nowMs() + (options.budgetMs ?? Number.POSITIVE_INFINITY);
  const rounds = options.rounds % 2 === 1 ? options.rounds : options.rounds + 1;
  const minRounds = options.minRounds ?? MIN_ROUNDS;
  for (let r = 0; r < rounds; r++) {
    if (r >= minRounds && r % 2 === 1 && nowMs() > deadline) break;
    const order = r % 2 === 0 ? keys : [...keys].reverse();
    if (r % 2 === 0) floorRuns.push(await floor(r));
    for (const k of order) {
      const work = subjects[k] as (round: number) => Promise<number>;
      (runs[k] as number[]).push(await work(r));
    }
    if (r % 2 === 1) floorRuns.push(await floor(r));
  }
  return { floorRuns, runs, compare: (k) => compare(floorRuns, runs[k] ?? []) };
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
