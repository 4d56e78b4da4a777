/**
 * The precheck through DNN: SendTestEmail makes the site send a real mail with the given
 * settings from its own network (to the API user's email), and GetSmtpOAuthProviders tells
 * whether an OAuth provider has been given consent.
 */

import { DnnSmtpError, redact } from "../errors";
import { AUTHENTICATION_WIRE, type SmtpSettingsModel } from "../settings";
import { PASSWORD_PLACEHOLDER, type ResolvedPrecheckOptions } from "./options";
import type { ConnectionPlan } from "./profile";
import type { DnnPrecheckPort, OAuthProviderInfo, PrecheckReport, PrecheckTls } from "./types";

export type DnnReport = Omit<PrecheckReport, "cached">;

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
function configuredTls(plan: ConnectionPlan, settings: SmtpSettingsModel): PrecheckTls {
  if (plan.secure) return "implicit";
  if (plan.mailProvider === "core") return settings.enableSsl ? "starttls" : "none";
  return "starttls"; // MailKit: STARTTLS when offered
}

/** Runs the precheck through DNN; throws DnnSmtpError. */
export async function precheckViaDnn(
  settings: SmtpSettingsModel,
  options: ResolvedPrecheckOptions,
  plan: ConnectionPlan,
  port: DnnPrecheckPort,
): Promise<DnnReport> {
  const authentication = settings.authentication ?? "anonymous";
  const secrets = [settings.password, ...Object.values(settings.oauth?.settings ?? {})];
  if (settings.password === PASSWORD_PLACEHOLDER) {
    throw new DnnSmtpError(
      "PRECHECK_UNSUPPORTED",
      `The password "${PASSWORD_PLACEHOLDER}" is DNN's placeholder and SendTestEmail would test the stored host password instead; give the real password.`,
      { field: "password" },
    );
  }
  const warnings: string[] = [];
  if (options.level === "connect" || options.level === "auth") {
    warnings.push(
      `DNN has no lighter test than SendTestEmail, so precheck.level "${options.level}" via "dnn" sent a real test mail.`,
    );
  }
  if (authentication === "oauth") await checkOAuthAuthorized(settings, port);

  const deadline = new Promise<never>((_, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new DnnSmtpError(
            "PRECHECK_TIMEOUT",
            `DNN did not report the test mail through ${plan.server} within ${options.timeoutMs} ms; raise precheck.timeoutMs (DNN's own SMTP timeout is 100 s) or check the server.`,
            { transient: true },
          ),
        ),
      options.timeoutMs,
    );
    timer.unref();
  });
  deadline.catch(() => {});
  const answer = await Promise.race([
    port.sendTestEmail({
      smtpServerMode: settings.scope === "global" ? "h" : "p",
      smtpServer: settings.server,
      smtpAuthentication: AUTHENTICATION_WIRE[authentication],
      smtpUsername: settings.username ?? "",
      smtpPassword: settings.password ?? "",
      enableSmtpSsl: settings.enableSsl,
      authProvider: settings.oauth?.provider,
    }),
    deadline,
  ]);
  if (!answer.success) {
    const said = (answer.errMessage || answer.confirmationMessage || "no reason given")
      .replace(/\s+/g, " ")
      .trim();
    throw new DnnSmtpError(
      "PRECHECK_DNN_SEND_FAILED",
      redact(
        `DNN could not send its test mail through ${plan.server} from the site's network (it said: ${JSON.stringify(said.slice(0, 300))}); fix server, port, enableSsl or the credentials, as that message suggests.`,
        secrets,
      ),
      { transient: false },
    );
  }
  if (authentication === "ntlm") {
    warnings.push(
      "DNN sent with NTLM as the Windows identity of the site's app pool; the user name given here was not used by DNN.",
    );
  }
  return {
    level: options.level,
    via: "dnn",
    mailProvider: plan.mailProvider,
    server: plan.server,
    tls: configuredTls(plan, settings),
    authenticated: false,
    mechanism: authentication === "oauth" ? "XOAUTH2" : undefined,
    warnings,
    summary: `${options.level} ok via dnn: ${plan.server}, DNN sent the test mail to the API user's email`,
  };
}
