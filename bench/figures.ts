/**
 * The figures of `npm run bench`: their targets, the record of each (what bench/results.json
 * holds under `figures` and `omitted`) and the tables printed at the end.
 */
import { type CliResult, COMMANDS, type Command, type CommandTimes, slope } from "./cli";
import { type Comparison, round } from "./stats";

/**
 * Targets (issue 8, re-based in issue 14): `max` semantics, the figure must not exceed it.
 * Ratios are over a floor measured in the same run; counts are exact.
 */
export const TARGETS = {
  providerTextBytes: 1024,
  createRatio50: 1.15,
  createRatio200: 1.15,
  updateRatio50: 1.15,
  updateRatio200: 1.15,
  updateRatioReadFirst50: 1.15,
  updateRatioReadFirst200: 1.15,
  coldUpdateRatio50: 1.15,
  coldUpdateRatio200: 1.15,
  requestsPerResource: 2,
  smtpSessionsPerConfig: 1,
  precheckRatio: 1.2,
  pluginRssRatio1000: 1.1,
  previewRatio50: 1.3,
  previewRatio200: 1.15,
  upRatio50: 1.3,
  upRatio200: 1.3,
  previewSameRequests200: 0,
  upSameRequests200: 0,
  refreshGetsPerResource200: 1,
  refreshLoginsPerSite200: 1,
  pluginFacePreviewRatio50: 1.3,
  pluginFacePreviewRatio200: 1.15,
  pluginFaceUpRatio50: 1.3,
  pluginFaceUpRatio200: 1.3,
  pluginFaceRssRatio1000: 1.1,
} as const;
export type Key =
  | keyof typeof TARGETS
  | "checkDiffMicros"
  | "precheckRatioExim"
  | "pluginRssMB1000"
  | "previewRatioOverSecretFloor50"
  | "previewRatioOverSecretFloor200"
  | "secretFloorRatio50"
  | "secretFloorRatio200"
  | `slope${Capitalize<Command>}`;

/** One figure: its value, target, and what it was measured against. */
export interface Figure {
  readonly value: number;
  readonly target: number | null;
  readonly met: boolean | null;
  /** The floor, and for a ratio the pair of runs it comes from. */
  readonly basis: string;
  readonly floorMs?: number;
  readonly subjectMs?: number;
}

/** One table row: the figure, and what it was measured against. */
interface Row {
  readonly key: Key;
  readonly value: number | undefined;
  readonly floor: string;
}

export const ms = (value: number) => `${round(value, 1)} ms`;
export const s1 = (value: number) => `${round(value / 1000, 2)} s`;
/** A comparison as the table shows it: the pair the ratio comes from, and how many rounds. */
const vs = (c: Comparison, what: string, unit: (v: number) => string = ms) =>
  `${what}: ${unit(c.floorMs)} (ours ${unit(c.subjectMs)}), round ${c.medianRound + 1} of ${c.floorRuns.length}`;

const targetOf = (key: Key): number | undefined =>
  key in TARGETS ? TARGETS[key as keyof typeof TARGETS] : undefined;

/** The figures of one run, in the order they were recorded (the table's order too). */
export class Figures {
  private readonly rows: Row[] = [];
  readonly figures: Record<string, Figure> = {};
  readonly omitted: Record<string, string> = {};

  /** A figure (undefined: a row with no value), with its floor or basis. */
  record(
    key: Key,
    value: number | undefined,
    floor: string,
    pair?: { floorMs: number; subjectMs: number },
  ): void {
    this.rows.push({ key, value, floor });
    if (value === undefined) return;
    const target = targetOf(key);
    this.figures[key] = {
      value,
      target: target ?? null,
      met: target === undefined ? null : value <= target,
      basis: floor,
      ...(pair ? { floorMs: round(pair.floorMs, 1), subjectMs: round(pair.subjectMs, 1) } : {}),
    };
  }

  /** A ratio over its floor, with the pair of runs of the round it comes from. */
  ratio(key: Key, c: Comparison, what: string, unit?: (v: number) => string): void {
    this.record(key, round(c.ratio), vs(c, what, unit), c);
  }

  /** Figures not measured, and why (results.json's `omitted`). */
  omit(keys: readonly Key[], why: string): void {
    for (const key of keys) {
      this.omitted[key] = why;
      this.record(key, undefined, "omitted");
    }
  }

  /** The table printed at the end of the run. */
  table(): string {
    const lines = this.rows.map((r) => {
      const target = targetOf(r.key);
      const value = r.value === undefined ? "-" : String(r.value);
      const verdict =
        r.value === undefined
          ? "omitted"
          : target === undefined
            ? ""
            : r.value <= target
              ? "met"
              : "MISSED";
      return [r.key, value, target === undefined ? "" : `<= ${target}`, verdict, r.floor];
    });
    const header = ["figure", "value", "target", "", "floor / basis (same run)"];
    const widths = header.map((h, i) =>
      Math.max(h.length, ...lines.map((l) => String(l[i]).length)),
    );
    const fmt = (cells: readonly string[]) =>
      cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number))).join("  ");
    const out = [fmt(header), fmt(widths.map((w) => "-".repeat(w))), ...lines.map(fmt)];
    for (const [key, reason] of Object.entries(this.omitted)) out.push(`omitted ${key}: ${reason}`);
    return `${out.join("\n")}\n`;
  }
}

/** The growth table: every command's time at every N on both stacks, and the slopes. */
export function growthTable(cli: Record<number, CliResult>): string {
  const ns = Object.keys(cli).map(Number);
  const header = [
    "command",
    ...ns.map((n) => `N=${n} floor / ours`),
    "slope floor / ours (ms per resource)",
  ];
  const lines = COMMANDS.map((c) => {
    const at = ns.map((n) => {
      const g = (cli[n] as CliResult).growth[c];
      return g ? `${s1(g.floorMs)} / ${s1(g.subjectMs)}` : "skipped";
    });
    const have = ns.filter((n) => (cli[n] as CliResult).growth[c]);
    const at_ = (n: number) => (cli[n] as CliResult).growth[c] as CommandTimes;
    const fl = slope(have.map((n) => [n, at_(n).floorMs] as const));
    const ou = slope(have.map((n) => [n, at_(n).subjectMs] as const));
    return [c, ...at, have.length < 2 ? "-" : `${round(fl, 1)} / ${round(ou, 1)}`];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  const fmt = (cells: readonly string[]) =>
    cells.map((x, i) => x.padEnd(widths[i] as number)).join("  ");
  return `${[fmt(header), fmt(widths.map((w) => "-".repeat(w))), ...lines.map(fmt)].join("\n")}\n`;
}
