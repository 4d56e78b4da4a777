/**
 * Helpers for precheck tests: build validated settings and options the way the resource
 * does, capture a rejection as a DnnSmtpError, and `precheckTest`, the one fixture for
 * "a stand-in and SMTP servers, closed after the test" (with a fresh precheck cache).
 *
 * @example
 * precheckTest("wrong password", async ({ smtp }) => {
 *   const server = await smtp({ users: { u: "p" } });
 *   const s = settingsOf({ server: `127.0.0.1:${server.port}`, authentication: "basic", username: "u", password: "x" });
 *   const err = await rejection(runPrecheck(s, optionsOf(s, { level: "auth" })));
 *   expect(err.code).toBe("PRECHECK_AUTH_REJECTED");
 * });
 */
import { DnnSmtpError } from "../../provider/errors";
import {
  clearPrecheckCache,
  type ResolvedPrecheckOptions,
  validatePrecheckOptions,
} from "../../provider/precheck";
import {
  type SmtpSettingsInput,
  type SmtpSettingsModel,
  validateSettings,
} from "../../provider/settings";
import { type ServerFixtures, serverTest, starter } from "./fixtures";
import {
  type LineReply,
  startLineServer,
  startTcpPeer,
  type TestLineServer,
  type TestTcpPeer,
} from "./smtp";

/** Validated settings; scope "global" with hostEmail precheck@example.com unless given. */
export function settingsOf(
  input: Partial<SmtpSettingsInput> & { server: string },
): SmtpSettingsModel {
  const result = validateSettings({ scope: "global", hostEmail: "precheck@example.com", ...input });
  if (!result.ok) throw new Error(`test settings invalid: ${JSON.stringify(result.problems)}`);
  return result.value;
}

/** Resolved precheck options; short timeouts unless given, so failing tests fail fast. */
export function optionsOf(
  settings: SmtpSettingsModel,
  raw: Record<string, unknown> = {},
): ResolvedPrecheckOptions {
  const result = validatePrecheckOptions({ connectTimeoutMs: 3_000, ...raw }, settings);
  if (!result.ok)
    throw new Error(`test precheck options invalid: ${JSON.stringify(result.problems)}`);
  return result.value;
}

/** The DnnSmtpError a promise rejects with; fails the test when it resolves or throws something else. */
export async function rejection(promise: Promise<unknown>): Promise<DnnSmtpError> {
  try {
    const value = await promise;
    throw new Error(`expected a DnnSmtpError, got success: ${JSON.stringify(value)}`);
  } catch (err) {
    if (err instanceof DnnSmtpError) return err;
    throw err;
  }
}

/** The servers a precheck test may start: those of `serverTest` and raw peers. */
export interface PrecheckFixtures extends ServerFixtures {
  /** A raw TCP peer that stays silent or closes at once. */
  peer: (behaviour: "silent" | "close") => Promise<TestTcpPeer>;
  /** A raw SMTP peer answering line by line (an echoing server, say). */
  lineServer: (reply: LineReply) => Promise<TestLineServer>;
  /** Clears the precheck cache before each test (automatic). */
  freshCache: undefined;
}

/** `test` with the precheck fixtures: `precheckTest("...", async ({ smtp, standin }) => ...)`. */
export const precheckTest = serverTest.extend<Omit<PrecheckFixtures, keyof ServerFixtures>>({
  peer: starter(startTcpPeer),
  lineServer: starter(startLineServer),
  freshCache: [
    // biome-ignore lint/correctness/noEmptyPattern: vitest reads the fixtures a fixture needs from this pattern
    async ({}, use) => {
      clearPrecheckCache();
      await use(undefined);
    },
    { auto: true },
  ],
});
