/**
 * The output-only keys of the resource classes. A dynamic resource has an output only if
 * its key is seeded in the properties, so the classes seed these (undefined); `check`
 * accepts exactly these besides the arguments, and `read` leaves them out of the inputs.
 * No imports: the lifecycle reads this list without loading the classes.
 */

/** The output-only keys of `SmtpSettings`. */
export const SMTP_SETTINGS_OUTPUT_KEYS = [
  "portalName",
  "apiGeneration",
  "mode",
  "precheckSummary",
  "previous",
  "held",
  "oauthAuthorized",
  "authorizeUrl",
] as const;

/** The output-only keys of `UseGlobalSmtpSettings`. */
export const USE_GLOBAL_OUTPUT_KEYS = [
  "mode",
  "previousMode",
  "portalName",
  "apiGeneration",
] as const;
