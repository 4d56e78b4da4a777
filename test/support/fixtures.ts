/**
 * The one fixture for "servers started by a test, closed after it": `serverTest` hands a
 * test starters for the DNN stand-in and an SMTP server, and closes everything they started
 * (in reverse order) when the test ends, passed or failed.
 *
 * @example
 * serverTest("writes", async ({ standin }) => {
 *   const s = await standin({ dnnVersion: "9.11" });
 *   ...
 * });
 */
import { test } from "vitest";
import { clearSessions } from "../../provider/dnn/client";
import { type Standin, type StandinOptions, startStandin } from "../../standin/server";
import { type SmtpServerOptions, startSmtpServer, type TestSmtpServer } from "./smtp";

/** A fixture that hands the test a starter and closes every server it started, in reverse. */
export function starter<A extends unknown[], T extends { close(): Promise<void> }>(
  start: (...args: A) => Promise<T>,
) {
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads the fixtures a fixture needs from this pattern
  return async ({}, use: (fn: (...args: A) => Promise<T>) => Promise<void>) => {
    const started: T[] = [];
    try {
      await use(async (...args: A) => {
        const server = await start(...args);
        started.push(server);
        return server;
      });
    } finally {
      await Promise.all(started.reverse().map((s) => s.close()));
    }
  };
}

export interface ServerFixtures {
  /** The DNN stand-in on loopback, quiet unless told otherwise. */
  standin: (options?: StandinOptions) => Promise<Standin>;
  /** `smtp-server` on loopback (see startSmtpServer). */
  smtp: (options?: SmtpServerOptions) => Promise<TestSmtpServer>;
  /** Forgets the DNN client's sessions after each test (automatic): logins are counted per test. */
  freshSessions: undefined;
}

/** `test` with the server fixtures. */
export const serverTest = test.extend<ServerFixtures>({
  standin: starter((options: StandinOptions = {}) => startStandin({ quiet: true, ...options })),
  smtp: starter(startSmtpServer),
  freshSessions: [
    // biome-ignore lint/correctness/noEmptyPattern: vitest reads the fixtures a fixture needs from this pattern
    async ({}, use) => {
      await use(undefined);
      clearSessions();
    },
    { auto: true },
  ],
});
