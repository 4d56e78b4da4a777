/**
 * `checkDiffMicros`: what `pulumi preview` costs the provider per resource. Preview runs
 * only `check` and `diff` (the dynamic-provider plugin does not support preview of create or
 * update), with no network. Timed one resource at a time, median over many runs.
 */
import { lifecycle } from "./installed";
import { median, nowMs } from "./stats";

export interface CheckDiffResult {
  /** Median microseconds of one `check` followed by one `diff`. */
  readonly medianMicros: number;
  /** 90th percentile, microseconds (for the reader; not a target). */
  readonly p90Micros: number;
  readonly runs: number;
}

const WARMUP = 2_000;

/** A site resource as a program declares it, with one changed field (a typical PR). */
function resourceInputs(server: string): Record<string, unknown> {
  return {
    site: { url: "https://dnn.example.com/shop", username: "host", timeoutMs: 10_000 },
    sitePassword: "Site-Pa55-9f3a",
    scope: "site",
    server,
    authentication: "basic",
    username: "mailer@example.com",
    password: "Relay-Pa55-3c7d",
    enableSsl: true,
    connectionLimit: 4,
    maxIdleTime: 60_000,
    precheck: { level: "auth", mailProvider: "core" },
    onDelete: "revert",
  };
}

export async function measureCheckDiff(runs: number): Promise<CheckDiffResult> {
  const { check, diff } = lifecycle();
  const previous = await check({}, resourceInputs("relay.example.com:587"));
  if (previous.failures?.length) throw new Error(JSON.stringify(previous.failures));
  const olds = previous.inputs as Record<string, unknown>;
  // The state the previous apply left: the inputs plus what was observed on the site.
  const state = {
    ...olds,
    portalName: "Shop",
    apiGeneration: "g3" as const,
    mode: "p" as const,
    precheckSummary: "auth ok via local: relay.example.com:587 STARTTLS, AUTH LOGIN accepted",
  };
  const news = resourceInputs("relay2.example.com:587");
  const id = "https://dnn.example.com/shop#site";
  const samples: number[] = [];
  for (let i = 0; i < WARMUP + runs; i++) {
    const started = nowMs();
    const checked = await check(olds, news);
    const result = await diff(id, state, checked.inputs as Record<string, unknown>);
    const elapsed = nowMs() - started;
    if (!result.changes) throw new Error("diff saw no change; the benchmark input is wrong");
    if (i >= WARMUP) samples.push(elapsed * 1000);
  }
  samples.sort((a, b) => a - b);
  return {
    medianMicros: median(samples),
    p90Micros: samples[Math.floor(samples.length * 0.9)] as number,
    runs,
  };
}
