/**
 * pulumi-dnn-smtp: DNN (DotNetNuke) SMTP settings as Pulumi resources.
 *
 * @example
 * ```ts
 * import { SmtpSettings } from "pulumi-dnn-smtp";
 * new SmtpSettings("global-mail", { scope: "global", server: "relay.example.com:587", enableSsl: true });
 * ```
 */

export type { ApiGeneration, SmtpMode } from "./dnn/wire";
export { DnnSmtpError, ERROR_CODES, type ErrorCode, type FieldProblem } from "./errors";
export { ON_DELETE, type OnDelete } from "./lifecycle/smtp-settings";
export { USE_GLOBAL_ON_DELETE, type UseGlobalOnDelete } from "./lifecycle/use-global";
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
export {
  type PrecheckArgs,
  type SiteArgs,
  SmtpSettings,
  type SmtpSettingsArgs,
} from "./resources/smtp-settings";
export {
  UseGlobalSmtpSettings,
  type UseGlobalSmtpSettingsArgs,
} from "./resources/use-global-settings";
export {
  AUTHENTICATIONS,
  type Authentication,
  DEFAULT_CONNECTION_LIMIT,
  DEFAULT_MAX_IDLE_TIME_MS,
  DEFAULT_MESSAGE_BATCH_SIZE,
  DEFAULT_SMTP_PORT,
  FIELDS,
  SCOPES,
  type Scope,
  SettingsSchema,
  type SmtpSettingsInput,
  type SmtpSettingsModel,
  validateSettings,
} from "./settings";
