/**
 * The package's public vocabulary as plain TypeScript: the argument and output types users
 * see, and the constants they are made of. This module imports nothing, so the declaration
 * files a program compiles against never pull in zod's (whose types need `esModuleInterop`
 * and a recent compiler). The zod schemas that validate these shapes live in `settings.ts`
 * and `precheck/options.ts`; `model.test.ts` proves at compile time that each interface
 * here and its schema agree both ways.
 */

/** DNN sends to port 25 when the server string has no port. */
export const DEFAULT_SMTP_PORT = 25;
/** DNN's default `SMTPConnectionLimit`. */
export const DEFAULT_CONNECTION_LIMIT = 2;
/** DNN's default `SMTPMaxIdleTime`, in milliseconds. */
export const DEFAULT_MAX_IDLE_TIME_MS = 100_000;
/** DNN's default `MessageSchedulerBatchSize` (global scope only). */
export const DEFAULT_MESSAGE_BATCH_SIZE = 50;

export const SCOPES = ["global", "site"] as const;
/** `"global"`: the host settings every site uses in mode `h`; `"site"`: one site's own settings (mode `p`). */
export type Scope = (typeof SCOPES)[number];

export const AUTHENTICATIONS = ["anonymous", "basic", "ntlm", "oauth"] as const;
/** `anonymous`, `basic` (user name + password), `ntlm` (app pool identity), `oauth` (DNN 9.13+). */
export type Authentication = (typeof AUTHENTICATIONS)[number];

export const ON_DELETE = ["retain", "revert", "restore"] as const;
/** `retain`: leave the values; `revert`: the site uses the global settings again; `restore`: write back what was there before. */
export type OnDelete = (typeof ON_DELETE)[number];

export const USE_GLOBAL_ON_DELETE = ["retain", "restore"] as const;
/** `retain` (default): the site stays on the global settings; `restore`: it gets back the mode it had. */
export type UseGlobalOnDelete = (typeof USE_GLOBAL_ON_DELETE)[number];

/** DNN's Persona Bar API generation: `g1` (DNN 9.2–9.10), `g2` (9.11), `g3` (9.13, 10.x). */
export type ApiGeneration = "g1" | "g2" | "g3";
/** `h`: the site uses the global (host) settings; `p`: its own. */
export type SmtpMode = "h" | "p";

/** The OAuth provider of `authentication: "oauth"` and its settings. */
export interface OAuthArgs {
  /** The provider's name as DNN knows it, e.g. `ExchangeOnline` or `GoogleMail`. */
  readonly provider: string;
  /** The provider's settings by name (`ClientId`, `ClientSecret`, `TenantId`...). Default none. */
  readonly settings?: Readonly<Record<string, string>>;
}

/**
 * The SMTP settings a user declares: the plain values of `SmtpSettingsArgs`. Numbers and
 * booleans may also be given as text (stack config is text): digits, `"true"`, `"false"`.
 */
export type SmtpSettingsInput = {
  /** `"global"`: the host settings every site uses in mode `h`; `"site"`: one site's own settings (mode `p`). */
  readonly scope: Scope;
  /** `host` or `host:port`; no port means 25. DNN key `SMTPServer`. */
  readonly server: string;
  /** Concurrent connections to the SMTP server, at least 1. Left as the site holds it when omitted (DNN's default is 2). DNN key `SMTPConnectionLimit`. */
  readonly connectionLimit?: number | string;
  /** Milliseconds a pooled connection may stay idle. Left as the site holds it when omitted (DNN's default is 100000). DNN key `SMTPMaxIdleTime`. */
  readonly maxIdleTime?: number | string;
  /** Global scope only: messages the scheduler sends per run. Left as the site holds it when omitted (DNN's default is 50). DNN key `MessageSchedulerBatchSize`. */
  readonly messageBatchSize?: number | string;
  /** `anonymous` (default), `basic` (user name + password), `ntlm` (app pool identity), `oauth` (DNN 9.13+). DNN key `SMTPAuthentication`. */
  readonly authentication?: Authentication;
  /** SMTP user name; required for `basic`. DNN key `SMTPUsername`. */
  readonly username?: string;
  /** SMTP password; required for `basic`; always stored as a secret. Never `*****`. DNN key `SMTPPassword` (encrypted). */
  readonly password?: string;
  /** Use TLS. With DNN's core mail provider this means STARTTLS (not port 465). Default false. DNN key `SMTPEnableSSL`. */
  readonly enableSsl?: boolean | "true" | "false";
  /** Global scope only: the sender of host mails. Left as the site holds it when omitted. DNN key `HostEmail`. */
  readonly hostEmail?: string;
  /** For `oauth`: the provider (e.g. `ExchangeOnline`, `GoogleMail`) and its settings; a secret. DNN key `SMTPAuthProvider`. */
  readonly oauth?: OAuthArgs;
};

/** Validated, normalized settings: what `validateSettings` returns. */
export type SmtpSettingsModel = {
  readonly scope: Scope;
  /** The canonical server string: `host` for port 25, else `host:port`. */
  readonly server: string;
  readonly connectionLimit?: number;
  readonly maxIdleTime?: number;
  readonly messageBatchSize?: number;
  readonly authentication: Authentication;
  /** Absent (`undefined`) when not declared or empty. */
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly enableSsl: boolean;
  readonly hostEmail?: string;
  readonly oauth?: {
    readonly provider: string;
    readonly settings: Readonly<Record<string, string>>;
  };
};

/** The names of the model's fields. */
export type SettingsField = keyof SmtpSettingsModel;

/** How DNN stores one field: see `FIELDS`. */
export interface FieldInfo {
  /** The key DNN stores the value under (HostSettings / PortalSettings). */
  readonly dnnKey: string;
  /** The key of the UpdateSmtpSettings request. */
  readonly requestKey: string;
  /** The scopes that take the field. */
  readonly scopes: readonly Scope[];
}

/**
 * How the settings are proven before they are written. Every field is optional; the
 * defaults depend on the settings (see the README's precheck section).
 */
export interface PrecheckArgs {
  /** How far to go: "none", "connect", "auth" or "send" (a real test mail). Default `auth` with credentials, else `connect`. */
  readonly level?: "none" | "connect" | "auth" | "send";
  /** "local": from the machine running Pulumi; "dnn": through DNN's SendTestEmail. Default "local". */
  readonly via?: "local" | "dnn";
  /** The DNN mail provider whose behaviour is tested: "core" (System.Net.Mail) or "mailkit". Default "core", "mailkit" for OAuth. */
  readonly mailProvider?: "core" | "mailkit";
  /** Where level "send" sends its test mail (via "local"). */
  readonly recipient?: string;
  /** The MAIL FROM address of the test mail; default `hostEmail`, else `recipient`. */
  readonly sender?: string;
  /** Accept a server that never offers AUTH, with a warning, instead of failing. Default false. */
  readonly allowUnverifiedAuth?: boolean | "true" | "false";
  /** Milliseconds for DNS, TCP connect, greeting and STARTTLS together (default 10000). */
  readonly connectTimeoutMs?: number;
  /** Milliseconds for the whole precheck (default 30000). */
  readonly timeoutMs?: number;
  /** TLS trust for via "local": extra CA certificates (PEM) and whether to verify at all. */
  readonly tls?: {
    /** PEM text with at least one certificate. Default: the system's trusted CAs. */
    readonly ca?: string;
    /** Verify the server's certificate. Default true. */
    readonly rejectUnauthorized?: boolean | "true" | "false";
  };
}

/** What DNN holds for the tuning fields a resource leaves undeclared (so leaves as they are). */
export interface HeldSettings {
  readonly connectionLimit?: number;
  readonly maxIdleTime?: number;
  /** Global scope only. */
  readonly messageBatchSize?: number;
  /** Global scope only. */
  readonly hostEmail?: string;
}

/**
 * The fields a resource may leave undeclared: DNN keeps what it holds for them, and the
 * resource reports those values in `held`.
 */
export const HELD_FIELDS = [
  "connectionLimit",
  "maxIdleTime",
  "messageBatchSize",
  "hostEmail",
] as const satisfies readonly (keyof HeldSettings & SettingsField)[];

/**
 * What an `SmtpSettings` resource found on the site before it first wrote (output
 * `previous`), kept for `onDelete: "restore"`. No password: only whether one was set.
 */
export interface PreviousSettingsOutput {
  readonly server: string;
  readonly connectionLimit: number;
  readonly maxIdleTime: number;
  /** As DNN stored it; a value this package does not know is kept as DNN's text. */
  readonly authentication: Authentication | string;
  readonly username?: string;
  readonly enableSsl: boolean;
  readonly hostEmail?: string;
  readonly messageBatchSize?: number;
  readonly oauthProvider?: string;
  /** Whether a password was stored. */
  readonly passwordSet: boolean;
  /** The mode of the site in the URL. */
  readonly mode: SmtpMode;
}
