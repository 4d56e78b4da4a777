/**
 * `npm run bench` runs bench/run.ts through vitest, for its TypeScript loader only: one
 * process, one file, no parallel workers (they would share the two cores with what is timed).
 * BENCH_FILE picks another entry of this folder (bench/attribute-preview.ts, for instance).
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [process.env.BENCH_FILE ?? "bench/run.ts"],
    pool: "forks",
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: Number(process.env.BENCH_TIMEOUT_MIN ?? 20) * 60_000,
    hookTimeout: 120_000,
  },
});
