/**
 * How each DNN mail provider connects and logs in, as nodemailer connection options.
 * See docs/dnn-smtp-api.md section 7:
 * - core (System.Net.Mail): never implicit TLS; EnableSSL = STARTTLS required, otherwise
 *   STARTTLS never attempted; basic auth with LOGIN only.
 * - mailkit: implicit TLS on 465, otherwise STARTTLS when offered; NTLM refused; OAuth
 *   with XOAUTH2.
 */
import { DnnSmtpError } from "../errors";
import {
  type Authentication,
  parseServer,
  type ServerAddress,
  type SmtpSettingsModel,
} from "../settings";
import {
  IMPLICIT_TLS_PORT,
  type MailProvider,
  type ResolvedPrecheckOptions,
  SUBMISSION_PORT,
} from "./options";

/** What the chosen DNN mail provider will do on the wire. */
export interface ConnectionPlan {
  /** Where DNN connects (the settings' server). */
  readonly address: ServerAddress;
  /** `host:port`. */
  readonly server: string;
  readonly mailProvider: MailProvider;
  /** Implicit TLS from the first byte. */
  readonly secure: boolean;
  /** STARTTLS must succeed, or the provider will not send. */
  readonly requireTLS: boolean;
  /** STARTTLS is never attempted, even when offered. */
  readonly ignoreTLS: boolean;
  /** The AUTH mechanisms the provider can use for this authentication, best first. */
  readonly mechanisms: readonly string[];
  /** The provider, for sentences. */
  readonly providerName: string;
}

export const PROVIDER_NAMES: Readonly<Record<MailProvider, string>> = {
  core: "DNN's core mail provider (System.Net.Mail)",
  mailkit: "DNN's MailKit provider",
};

function mechanismsFor(provider: MailProvider, authentication: Authentication): string[] {
  switch (authentication) {
    case "anonymous":
      return [];
    case "ntlm":
      return ["NTLM"];
    case "oauth":
      return ["XOAUTH2"];
    case "basic":
      // System.Net.Mail has no PLAIN and no CRAM-MD5. MailKit takes the best the server
      // offers; nodemailer's own order is used for it.
      return provider === "core" ? ["LOGIN"] : ["PLAIN", "LOGIN", "CRAM-MD5"];
  }
}

/**
 * The connection the provider will make, or a PRECHECK_TLS_MODE / PRECHECK_UNSUPPORTED
 * error for combinations that cannot work, found without any network.
 */
export function planConnection(
  settings: SmtpSettingsModel,
  options: ResolvedPrecheckOptions,
): ConnectionPlan {
  const address = parseServer(settings.server);
  if (typeof address === "string") {
    throw new DnnSmtpError("INVALID_SETTINGS", `server ${address}`, { field: "server" });
  }
  const server = `${address.host}:${address.port}`;
  const provider = options.mailProvider;
  const providerName = PROVIDER_NAMES[provider];
  const authentication = settings.authentication ?? "anonymous";
  if (provider === "mailkit" && authentication === "ntlm") {
    throw new DnnSmtpError(
      "PRECHECK_UNSUPPORTED",
      `${providerName} refuses NTLM authentication, so DNN could not send through ${server}; use the core provider (precheck.mailProvider "core") or another authentication.`,
      { field: "precheck.mailProvider" },
    );
  }
  if (provider === "core" && authentication === "oauth") {
    throw new DnnSmtpError(
      "PRECHECK_UNSUPPORTED",
      `DNN sends OAuth mail with its MailKit provider, not with ${providerName}; set precheck.mailProvider "mailkit".`,
      { field: "precheck.mailProvider" },
    );
  }
  if (provider === "core" && settings.enableSsl && address.port === IMPLICIT_TLS_PORT) {
    throw new DnnSmtpError(
      "PRECHECK_TLS_MODE",
      `Port ${IMPLICIT_TLS_PORT} on ${address.host} expects implicit TLS, which ${providerName} cannot do (enableSsl means STARTTLS there, and it would wait forever for a greeting); use port ${SUBMISSION_PORT} with enableSsl.`,
      { field: "server" },
    );
  }
  const mechanisms = mechanismsFor(provider, authentication);
  if (provider === "core") {
    return {
      address,
      server,
      mailProvider: provider,
      secure: false,
      requireTLS: settings.enableSsl,
      ignoreTLS: !settings.enableSsl,
      mechanisms,
      providerName,
    };
  }
  const secure = address.port === IMPLICIT_TLS_PORT;
  return {
    address,
    server,
    mailProvider: provider,
    secure,
    requireTLS: false,
    ignoreTLS: false,
    mechanisms,
    providerName,
  };
}
