/**
 * The precheck through DNN: SendTestEmail makes the site send a real mail with the given
 * settings from its own network (to an address DNN chooses: the calling user's email, or on
 * DNN 9.2–9.7 in host mode HostEmail), and GetSmtpOAuthProviders tells whether an OAuth
 * provider has been given consent.
 */
import { DnnSmtpError } from "../errors";
import { oneLine } from "../redact";
import { AUTHENTICATION_WIRE, type SmtpSettingsModel } from "../settings";
import { beforeDeadline } from "./deadline";
import type { ResolvedPrecheckOptions } from "./options";
import type { ConnectionPlan } from "./profile";
import { type Findings, type PrecheckSecrets, scrub, secretsOf } from "./report";
import type {
  DnnPrecheckPort,
  OAuthProviderInfo,
  PrecheckTls,
  SendTestEmailRequest,
  SendTestEmailResponse,
} from "./types";

/** How much of DNN's own error text a message quotes, in characters. */
const MAX_DNN_REASON = 300;

/** Fails unless DNN lists the settings' OAuth provider as authorized. */
export async function checkOAuthAuthorized(
  settings: SmtpSettingsModel,
  port: DnnPrecheckPort,
): Promise<OAuthProviderInfo> {
  const wanted = settings.oauth?.provider ?? "";
  const lists = await port.getSmtpOAuthProviders();
  const list = settings.scope === "global" ? lists.host : lists.site;
  const provider = list.find((p) => p.name.toLowerCase() === wanted.toLowerCase());
  if (!provider) {
    const known = list.map((p) => p.name).join(", ") || "none";
    throw new DnnSmtpError(
      "PRECHECK_UNSUPPORTED",
      `DNN offers no OAuth provider named ${JSON.stringify(wanted)} for ${settings.scope} settings (known: ${known}); set oauth.provider to one of them.`,
      { field: "oauth.provider" },
    );
  }
  if (!provider.isAuthorized) {
    throw new DnnSmtpError(
      "PRECHECK_OAUTH_UNAUTHORIZED",
      provider.authorizeUrl
        ? `The OAuth provider ${provider.name} has no consent yet, so DNN cannot send; open ${provider.authorizeUrl} as a DNN administrator, give consent, then run again.`
        : `The OAuth provider ${provider.name} has no consent yet, so DNN cannot send; authorize it in DNN's SMTP settings (Persona Bar), then run again.`,
      { field: "oauth" },
    );
  }
  return provider;
}

/** What DNN was told to do, for the report (DNN does not say what it saw). */
function configuredTls(plan: ConnectionPlan): PrecheckTls {
  if (plan.secure) return "implicit";
  if (plan.mailProvider === "core") return plan.requireTLS ? "starttls" : "none";
  return "starttls"; // MailKit: STARTTLS when offered
}

/** The SendTestEmail body: the settings to test, never the stored ones. */
function testEmailRequest(settings: SmtpSettingsModel): SendTestEmailRequest {
  return {
    smtpServerMode: settings.scope === "global" ? "h" : "p",
    smtpServer: settings.server,
    smtpAuthentication: AUTHENTICATION_WIRE[settings.authentication],
    smtpUsername: settings.username ?? "",
    smtpPassword: settings.password ?? "",
    enableSmtpSsl: settings.enableSsl,
    authProvider: settings.oauth?.provider,
  };
}

/**
 * The recipient DNN names in its confirmation, "Email sent successfully from {from} to
 * {to}" in English; undefined when the (localized) text does not read that way.
 */
export function recipientNamed(confirmation: string | undefined): string | undefined {
  const match = /\bfrom\s+(\S+@\S+?)\s+to\s+(\S+@[^\s.]+(?:\.[^\s.]+)*)\.?\s*$/i.exec(
    confirmation ?? "",
  );
  return match?.[2];
}

/** DNN's failure, quoted on one line and shortened, then redacted (last). */
function sendFailed(answer: SendTestEmailResponse, server: string, s: PrecheckSecrets) {
  const said = oneLine(
    answer.errMessage || answer.confirmationMessage || "no reason given",
    MAX_DNN_REASON,
  );
  return new DnnSmtpError(
    "PRECHECK_DNN_SEND_FAILED",
    scrub(
      `DNN could not send its test mail through ${server} from the site's network (it said: ${JSON.stringify(said)}); fix server, port, enableSsl or the credentials, as that message suggests.`,
      s,
    ),
    { transient: false },
  );
}

function viaDnnWarnings(options: ResolvedPrecheckOptions, settings: SmtpSettingsModel): string[] {
  const warnings: string[] = [];
  if (options.level === "connect" || options.level === "auth") {
    warnings.push(
      `DNN has no lighter test than SendTestEmail, so precheck.level "${options.level}" via "dnn" sent a real test mail.`,
    );
  }
  if (settings.authentication === "ntlm") {
    warnings.push(
      "DNN sent with NTLM as the Windows identity of the site's app pool; the user name given here was not used by DNN.",
    );
  }
  return warnings;
}

/** Runs the precheck through DNN; throws DnnSmtpError. */
export async function precheckViaDnn(
  settings: SmtpSettingsModel,
  options: ResolvedPrecheckOptions,
  plan: ConnectionPlan,
  port: DnnPrecheckPort,
): Promise<Findings> {
  const secrets = secretsOf(settings);
  if (settings.authentication === "oauth") await checkOAuthAuthorized(settings, port);
  const answer = await beforeDeadline(
    port.sendTestEmail(testEmailRequest(settings)),
    AbortSignal.timeout(options.timeoutMs),
    () =>
      new DnnSmtpError(
        "PRECHECK_TIMEOUT",
        `DNN did not report the test mail through ${plan.server} within ${options.timeoutMs} ms; raise precheck.timeoutMs (DNN's own SMTP timeout is 100 s) or check the server.`,
        { transient: true },
      ),
  );
  if (!answer.success) throw sendFailed(answer, plan.server, secrets);
  const recipient = recipientNamed(answer.confirmationMessage);
  return {
    level: options.level,
    via: "dnn",
    mailProvider: plan.mailProvider,
    server: plan.server,
    tls: configuredTls(plan),
    authenticated: false,
    mechanism: settings.authentication === "oauth" ? "XOAUTH2" : undefined,
    recipient,
    warnings: viaDnnWarnings(options, settings),
    proven: recipient
      ? `${plan.server}, DNN sent the test mail to ${recipient}`
      : `${plan.server}, DNN's test mail was sent (recipient as DNN chose)`,
  };
}
