/**
 * pulumi-dnn-smtp: DNN (DotNetNuke) SMTP settings as Pulumi resources.
 *
 * @example
 * ```ts
 * import { SmtpSettings } from "pulumi-dnn-smtp";
 * new SmtpSettings("global-mail", { scope: "global", server: "relay.example.com:587", enableSsl: true });
 * ```
 */

// The public declaration files import no zod: everything here comes from modules whose
// declarations are plain TypeScript (model.ts, errors.ts, resources/, policy/), and the two
// values from settings.ts are re-declared with plain types (test/new-user-cli.test.ts
// compiles a program against the packed package with `pulumi new`'s tsconfig).
import type { FieldProblem } from "./errors";
import type { FieldInfo, SettingsField, SmtpSettingsModel } from "./model";
import * as settings from "./settings";

export { DnnSmtpError, ERROR_CODES, type ErrorCode, type FieldProblem } from "./errors";
export {
  type ApiGeneration,
  AUTHENTICATIONS,
  type Authentication,
  DEFAULT_CONNECTION_LIMIT,
  DEFAULT_MAX_IDLE_TIME_MS,
  DEFAULT_MESSAGE_BATCH_SIZE,
  DEFAULT_SMTP_PORT,
  type FieldInfo,
  type HeldSettings,
  type OAuthArgs,
  ON_DELETE,
  type OnDelete,
  type PrecheckArgs,
  type PreviousSettingsOutput,
  SCOPES,
  type Scope,
  type SettingsField,
  type SmtpMode,
  type SmtpSettingsInput,
  type SmtpSettingsModel,
  USE_GLOBAL_ON_DELETE,
  type UseGlobalOnDelete,
} from "./model";
export {
  checkSmtpSettings,
  DEFAULT_PRODUCTION_STACKS,
  POLICIES,
  type PolicyConfig,
  type PolicyRule,
  type PolicySubject,
  type PolicyViolation,
  SMTP_SETTINGS_TYPE,
} from "./policy/policies";
export {
  DnnMailConfiguration,
  type DnnMailConfigurationArgs,
  type GlobalSiteMailArgs,
  type OwnSiteMailArgs,
  type ScopeSettingsArgs,
  SITE_USES,
  type SiteMailArgs,
} from "./resources/mail-configuration";
export type { SiteArgs } from "./resources/site-props";
export { SmtpSettings, type SmtpSettingsArgs } from "./resources/smtp-settings";
export {
  UseGlobalSmtpSettings,
  type UseGlobalSmtpSettingsArgs,
} from "./resources/use-global-settings";

/** Per settings field: the key DNN stores it under, the request key, and the scopes that take it. */
export const FIELDS: Readonly<Record<SettingsField, FieldInfo>> = settings.FIELDS;

/** What `validateSettings` answers: the normalized settings, or one problem per field. */
export type ValidationResult =
  | { readonly ok: true; readonly value: SmtpSettingsModel }
  | { readonly ok: false; readonly problems: readonly FieldProblem[] };

/**
 * Validates settings as `check` does, without any network call.
 *
 * @example
 * const r = validateSettings({ scope: "global", server: "relay.example.com:587" });
 * if (!r.ok) console.error(r.problems);
 */
export const validateSettings: (raw: unknown) => ValidationResult = (raw) =>
  settings.validateSettings(raw);
