/**
 * The hand-written public types of model.ts against the zod schemas that validate them:
 * each must be assignable to the other (checked by `tsc`, which compiles the tests), so
 * neither can drift. The run-time tests check the constants the same way.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, expectTypeOf, test } from "vitest";
import type { ApiGeneration as WireApiGeneration, SmtpMode as WireSmtpMode } from "./dnn/wire";
import type { PreviousSettings } from "./lifecycle/smtp-settings";
import type {
  ApiGeneration,
  FieldInfo,
  PrecheckArgs,
  PreviousSettingsOutput,
  SettingsField,
  SmtpMode,
  SmtpSettingsInput,
  SmtpSettingsModel,
} from "./model";
import * as model from "./model";
import type { PrecheckOptionsInput } from "./precheck";
import { FIELDS, type SettingsSchemaInput, type SettingsSchemaOutput } from "./settings";

/** Compiles only when A and B are assignable both ways. */
function agree<A, B>(_proof: [A] extends [B] ? ([B] extends [A] ? true : never) : never): void {}

test("SmtpSettingsInput is the settings schema's input, both ways", () => {
  agree<SmtpSettingsInput, SettingsSchemaInput>(true);
  expectTypeOf<keyof SmtpSettingsInput>().toEqualTypeOf<keyof SettingsSchemaInput>();
});

test("SmtpSettingsModel is the settings schema's output, both ways", () => {
  agree<SmtpSettingsModel, SettingsSchemaOutput>(true);
  expectTypeOf<keyof SmtpSettingsModel>().toEqualTypeOf<keyof SettingsSchemaOutput>();
});

test("PrecheckArgs is the precheck schema's input, both ways", () => {
  agree<PrecheckArgs, PrecheckOptionsInput>(true);
  expectTypeOf<keyof PrecheckArgs>().toEqualTypeOf<keyof PrecheckOptionsInput>();
});

test("the output `previous` has the lifecycle's PreviousSettings shape", () => {
  agree<PreviousSettingsOutput, PreviousSettings>(true);
});

test("API generation and mode are the wire's", () => {
  expectTypeOf<ApiGeneration>().toEqualTypeOf<WireApiGeneration>();
  expectTypeOf<SmtpMode>().toEqualTypeOf<WireSmtpMode>();
});

test("FIELDS covers every model field with its DNN key, request key and scopes", () => {
  const fields: Readonly<Record<SettingsField, FieldInfo>> = FIELDS;
  expect(Object.keys(fields).sort()).toEqual(
    [
      "scope",
      "server",
      "connectionLimit",
      "maxIdleTime",
      "messageBatchSize",
      "authentication",
      "username",
      "password",
      "enableSsl",
      "hostEmail",
      "oauth",
    ].sort(),
  );
});

test("model.ts imports nothing: its declarations stay free of zod", () => {
  const text = readFileSync(join(__dirname, "model.ts"), "utf8");
  expect(text).not.toMatch(/^\s*import\b/m);
  expect(model.SCOPES).toEqual(["global", "site"]);
});
