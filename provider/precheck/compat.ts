/**
 * THE compatibility table: what each DNN mail provider does with the SMTP settings (ports,
 * TLS, AUTH mechanisms), the combinations that cannot work, and the precheck's defaults.
 * Read by check-time validation (`options.ts`), by the connection plan (`profile.ts`) and
 * by the policy pack's rules (`policy/policies.ts`); nothing else restates these rules.
 *
 * Source: DNN's mail providers as described in dnn-smtp-api.md section 7 of the team docs:
 * - core (System.Net.Mail): never implicit TLS; `enableSsl` = STARTTLS required, otherwise
 *   STARTTLS never attempted; basic auth with LOGIN only; NTLM as the app pool's identity;
 *   no OAuth (DNN sends OAuth mail with MailKit).
 * - mailkit: implicit TLS on port 465, otherwise STARTTLS when offered (`enableSsl`
 *   ignored); basic auth with the best mechanism offered; NTLM refused; OAuth with XOAUTH2.
 */
import type { ErrorCode } from "../errors";
import type { Authentication } from "../model";

export const PRECHECK_LEVELS = ["none", "connect", "auth", "send"] as const;
/** How far the precheck goes; each level includes the ones before it. */
export type PrecheckLevel = (typeof PRECHECK_LEVELS)[number];

export const PRECHECK_VIAS = ["local", "dnn"] as const;
/** Where the precheck runs from: this machine, or the DNN site through SendTestEmail. */
export type PrecheckVia = (typeof PRECHECK_VIAS)[number];

export const MAIL_PROVIDERS = ["core", "mailkit"] as const;
/** Which DNN mail provider the precheck imitates. */
export type MailProvider = (typeof MAIL_PROVIDERS)[number];

/** The port where implicit TLS (SMTPS) is expected. */
export const IMPLICIT_TLS_PORT = 465;
/** The submission port, where STARTTLS is expected: the advice for core + 465. */
export const SUBMISSION_PORT = 587;

/** Default of `precheck.via`. */
export const DEFAULT_VIA: PrecheckVia = "local";
/** Default of `precheck.connectTimeoutMs`: DNS + TCP connect + greeting + STARTTLS, in ms. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Default of `precheck.timeoutMs`: the whole precheck, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** What one DNN mail provider does. */
export interface MailProviderProfile {
  /** The provider, for sentences. */
  readonly name: string;
  /**
   * The AUTH mechanisms it uses per authentication, best first (MailKit takes the best the
   * server offers; nodemailer's order stands for it). `null`: it cannot send with that
   * authentication, for the reason in `refuses`.
   */
  readonly mechanisms: Readonly<Record<Authentication, readonly string[] | null>>;
  /** Why an authentication with `mechanisms` null cannot work, and what to use instead. */
  readonly refuses: Readonly<Partial<Record<Authentication, string>>>;
  /** Whether it speaks implicit TLS on IMPLICIT_TLS_PORT. */
  readonly implicitTlsOn465: boolean;
  /** Whether `enableSsl` decides STARTTLS (required when on, never tried when off). */
  readonly enableSslIsStartTls: boolean;
}

export const MAIL_PROVIDER_PROFILES: Readonly<Record<MailProvider, MailProviderProfile>> = {
  core: {
    name: "DNN's core mail provider (System.Net.Mail)",
    // System.Net.Mail has no PLAIN and no CRAM-MD5.
    mechanisms: { anonymous: [], basic: ["LOGIN"], ntlm: ["NTLM"], oauth: null },
    refuses: {
      oauth: `"core" cannot send with authentication "oauth": DNN sends OAuth mail with its MailKit provider; use "mailkit"`,
    },
    implicitTlsOn465: false,
    enableSslIsStartTls: true,
  },
  mailkit: {
    name: "DNN's MailKit provider",
    mechanisms: {
      anonymous: [],
      basic: ["PLAIN", "LOGIN", "CRAM-MD5"],
      ntlm: null,
      oauth: ["XOAUTH2"],
    },
    refuses: {
      ntlm: `"mailkit" cannot send with authentication "ntlm" (DNN's MailKit provider refuses NTLM); use "core" or another authentication`,
    },
    implicitTlsOn465: true,
    enableSslIsStartTls: false,
  },
};

/** The default `precheck.mailProvider`: MailKit for OAuth (DNN switches to it), else core. */
export function defaultMailProvider(authentication: Authentication | undefined): MailProvider {
  return authentication === "oauth" ? "mailkit" : "core";
}

/**
 * The default `precheck.level`: "send" via "dnn" (DNN has no lighter test), "auth" when
 * there are credentials to prove (basic, oauth), else "connect".
 */
export function defaultLevel(
  authentication: Authentication | undefined,
  via: PrecheckVia,
): PrecheckLevel {
  if (via === "dnn") return "send";
  return authentication === "basic" || authentication === "oauth" ? "auth" : "connect";
}

/** How the provider protects a connection to `port`, as nodemailer options. */
export interface Transport {
  /** Implicit TLS from the first byte. */
  readonly secure: boolean;
  /** STARTTLS must succeed, or the provider will not send. */
  readonly requireTLS: boolean;
  /** STARTTLS is never attempted, even when offered. */
  readonly ignoreTLS: boolean;
}

export function transportOf(provider: MailProvider, port: number, enableSsl: boolean): Transport {
  const profile = MAIL_PROVIDER_PROFILES[provider];
  if (profile.enableSslIsStartTls)
    return { secure: false, requireTLS: enableSsl, ignoreTLS: !enableSsl };
  return {
    secure: profile.implicitTlsOn465 && port === IMPLICIT_TLS_PORT,
    requireTLS: false,
    ignoreTLS: false,
  };
}

/** A combination the provider cannot send with. */
export interface Incompatibility {
  readonly code: Extract<ErrorCode, "PRECHECK_UNSUPPORTED" | "PRECHECK_TLS_MODE">;
  /** The field to change. */
  readonly field: string;
  /** What is wrong and what to do, phrased after the field name. */
  readonly message: string;
  /**
   * Known without connecting. Core on port 465 is certain with `enableSsl` (a STARTTLS
   * client waits forever for an implicit-TLS greeting); without it, a plain server could
   * listen on 465, and only connecting tells.
   */
  readonly certain: boolean;
}

/** What is known of the settings; unknown parts (preview) are skipped. */
export interface Combination {
  readonly mailProvider: MailProvider;
  readonly authentication?: Authentication;
  readonly port?: number;
  readonly enableSsl?: boolean;
}

/** Every reason the provider cannot send with this combination. */
export function incompatibilities(c: Combination): Incompatibility[] {
  const profile = MAIL_PROVIDER_PROFILES[c.mailProvider];
  const found: Incompatibility[] = [];
  const refused = profile.refuses[c.authentication ?? "anonymous"];
  if (refused) {
    found.push({
      code: "PRECHECK_UNSUPPORTED",
      field: "precheck.mailProvider",
      message: refused,
      certain: true,
    });
  }
  if (!profile.implicitTlsOn465 && c.port === IMPLICIT_TLS_PORT) {
    found.push({
      code: "PRECHECK_TLS_MODE",
      field: "server",
      message: `port ${IMPLICIT_TLS_PORT} expects implicit TLS, which ${profile.name} cannot do: with enableSsl it uses STARTTLS and would wait forever for a greeting; use port ${SUBMISSION_PORT} with enableSsl, or precheck.mailProvider "mailkit" if the site runs DNN's MailKit provider`,
      certain: c.enableSsl === true,
    });
  }
  return found;
}
