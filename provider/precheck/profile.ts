/**
 * The connection the chosen DNN mail provider will make, as nodemailer needs it: read from
 * the compatibility table (`compat.ts`), which also says what cannot work.
 */
import { DnnSmtpError } from "../errors";
import { parseServer, type ServerAddress, type SmtpSettingsModel } from "../settings";
import {
  incompatibilities,
  MAIL_PROVIDER_PROFILES,
  type MailProvider,
  transportOf,
} from "./compat";
import type { ResolvedPrecheckOptions } from "./options";

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

/**
 * The connection the provider will make, or a PRECHECK_TLS_MODE / PRECHECK_UNSUPPORTED
 * error for the combinations the table knows cannot work, found without any network.
 */
export function planConnection(
  settings: SmtpSettingsModel,
  options: ResolvedPrecheckOptions,
): ConnectionPlan {
  const address = parseServer(settings.server);
  if (typeof address === "string") {
    throw new DnnSmtpError("INVALID_SETTINGS", `server ${address}`, { field: "server" });
  }
  const provider = options.mailProvider;
  const { authentication } = settings;
  const [problem] = incompatibilities({
    mailProvider: provider,
    authentication,
    port: address.port,
    enableSsl: settings.enableSsl,
  }).filter((i) => i.certain);
  if (problem) {
    throw new DnnSmtpError(problem.code, `${problem.field}: ${problem.message}.`, {
      field: problem.field,
    });
  }
  const profile = MAIL_PROVIDER_PROFILES[provider];
  return {
    address,
    server: `${address.host}:${address.port}`,
    mailProvider: provider,
    ...transportOf(provider, address.port, settings.enableSsl),
    mechanisms: profile.mechanisms[authentication] ?? [],
    providerName: profile.name,
  };
}
