/**
 * The names the plugin and its schema share: the package, its resource tokens, the provider
 * configuration keys and the properties that are always secret. Keep them stable: the SDKs
 * are generated from the schema that uses them.
 */

export const PACKAGE = "dnn-smtp";
export const SMTP_SETTINGS_TOKEN = `${PACKAGE}:index:SmtpSettings`;
export const USE_GLOBAL_TOKEN = `${PACKAGE}:index:UseGlobalSmtpSettings`;

/** The provider configuration keys, in the order the schema lists them. Secrets marked. */
export const PROVIDER_CONFIG = {
  url: { type: "string" },
  username: { type: "string" },
  password: { type: "string", secret: true },
  apiToken: { type: "string", secret: true },
  caCert: { type: "string" },
  insecureSkipVerify: { type: "boolean" },
} as const;

/** Resource properties that are always secrets, in inputs, state and outputs. */
export const SECRET_PROPERTIES = ["password", "oauth", "sitePassword", "siteApiToken"] as const;

/** Provider configuration keys that are always secrets. */
export const SECRET_CONFIG = ["password", "apiToken"] as const;
