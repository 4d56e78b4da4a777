import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "provider/**/*.test.ts",
      "standin/**/*.test.ts",
      "test/**/*.test.ts",
      "examples/**/*.test.ts",
    ],
    exclude: ["**/node_modules/**", "**/dist/**"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Integration suites start real servers; two cores, so keep parallelism modest.
    maxWorkers: 2,
  },
});
