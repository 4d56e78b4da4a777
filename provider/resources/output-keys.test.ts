/**
 * The keys the resource classes seed for their outputs are exactly the ones `check`
 * accepts besides the arguments: a new output added to a class and not to check (or the
 * other way round) fails here, not in a user's `pulumi preview` as an "unknown key".
 */
import { expect, test } from "vitest";
import { SMTP_SETTINGS_OUTPUTS, USE_GLOBAL_OUTPUTS } from "../lifecycle/check";
import { SMTP_SETTINGS_OUTPUT_KEYS, USE_GLOBAL_OUTPUT_KEYS } from "./output-keys";

test("SmtpSettings: the class's output keys are check's", () => {
  expect([...SMTP_SETTINGS_OUTPUT_KEYS].sort()).toEqual([...SMTP_SETTINGS_OUTPUTS].sort());
});

test("UseGlobalSmtpSettings: the class's output keys are check's", () => {
  expect([...USE_GLOBAL_OUTPUT_KEYS].sort()).toEqual([...USE_GLOBAL_OUTPUTS].sort());
});
