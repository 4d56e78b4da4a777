/**
 * Small helpers for precheck tests: build validated settings and options the way the
 * resource does, and capture a rejection as a DnnSmtpError.
 *
 * @example
 * const s = settingsOf({ server: `127.0.0.1:${server.port}`, authentication: "basic", username: "u", password: "p" });
 * const err = await rejection(runPrecheck(s, optionsOf(s, { level: "auth" })));
 * expect(err.code).toBe("PRECHECK_AUTH_REJECTED");
 */
import { DnnSmtpError } from "../../provider/errors";
import { type ResolvedPrecheckOptions, validatePrecheckOptions } from "../../provider/precheck";
import {
  type SmtpSettingsInput,
  type SmtpSettingsModel,
  validateSettings,
} from "../../provider/settings";

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
