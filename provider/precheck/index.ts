/**
 * Precheck: prove the SMTP settings work the way DNN will use them, before anything is
 * written. The resource validates `precheck` options in `check` (`validatePrecheckOptions`)
 * and calls `runPrecheck` before every create or update; a throw aborts the write.
 *
 * - Levels: "none", "connect" (TCP, greeting, EHLO, TLS as DNN does it), "auth" (the
 *   login must really succeed), "send" (a real test mail).
 * - Via: "local" (this machine, nodemailer driven step by step) or "dnn" (SendTestEmail,
 *   from the site's own network; always a real mail to the API user's email).
 * - Mail provider profiles: "core" (System.Net.Mail) and "mailkit"; see `profile.ts`.
 * - Once per configuration per process, concurrent identical requests share one session.
 */
import { DnnSmtpError } from "../errors";
import type { ServerAddress, SmtpSettingsModel } from "../settings";
import { once, precheckCacheKey } from "./cache";
import { checkOAuthAuthorized, precheckViaDnn } from "./dnn";
import { precheckLocal } from "./local";
import type { ResolvedPrecheckOptions } from "./options";
import { planConnection } from "./profile";
import type { DnnPrecheckPort, PrecheckReport } from "./types";

export { clearPrecheckCache, type PrecheckCacheStats, precheckCacheStats } from "./cache";
export { classifyFailure, type PrecheckPhase } from "./classify";
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_TIMEOUT_MS,
  MAIL_PROVIDERS,
  type MailProvider,
  PRECHECK_LEVELS,
  PRECHECK_VIAS,
  type PrecheckLevel,
  type PrecheckOptionsInput,
  PrecheckOptionsSchema,
  type PrecheckValidationResult,
  type PrecheckVia,
  type ResolvedPrecheckOptions,
  validatePrecheckOptions,
} from "./options";
export { type ConnectionPlan, planConnection } from "./profile";
export type {
  DnnPrecheckPort,
  OAuthProviderInfo,
  PrecheckReport,
  PrecheckTls,
  SendTestEmailRequest,
  SendTestEmailResponse,
} from "./types";

/** What `runPrecheck` may use besides the network. */
export interface PrecheckPorts {
  /** The DNN client: needed for via "dnn", and for OAuth consent checks via "local". */
  readonly dnn?: DnnPrecheckPort;
  /**
   * Where to really connect for an address, when it differs (tests: a settings port 465
   * served by a loopback server on a free port). Certificates are still checked against
   * the settings' host name.
   */
  readonly dial?: (address: ServerAddress) => ServerAddress;
}

const portIds = new WeakMap<object, number>();
let nextPortId = 1;
/** Different DNN clients (sites) send from different networks: they never share results. */
function portId(port: object | undefined): number | undefined {
  if (!port) return undefined;
  let id = portIds.get(port);
  if (id === undefined) {
    id = nextPortId++;
    portIds.set(port, id);
  }
  return id;
}

/**
 * Runs the precheck. Resolves with what was proven; throws DnnSmtpError with a PRECHECK_*
 * code (or the DNN client's DNN_* code) and a one-sentence message without secrets.
 * Identical configurations run once per process; later calls resolve with `cached: true`.
 *
 * @example
 * const opts = validatePrecheckOptions(args.precheck, settings);
 * if (!opts.ok) throw new SettingsValidationError(opts.problems);
 * const report = await runPrecheck(settings, opts.value, { dnn: client });
 * log.info(report.summary);
 */
export async function runPrecheck(
  settings: SmtpSettingsModel,
  options: ResolvedPrecheckOptions,
  ports: PrecheckPorts = {},
): Promise<PrecheckReport> {
  if (options.level === "none") {
    return {
      level: "none",
      via: options.via,
      mailProvider: options.mailProvider,
      server: settings.server,
      tls: "none",
      authenticated: false,
      warnings: [],
      summary: "precheck skipped (level none)",
      cached: false,
    };
  }
  const plan = planConnection(settings, options);
  const target = options.via === "local" && ports.dial ? ports.dial(plan.address) : undefined;
  const dnn = ports.dnn;
  if (options.via === "dnn" && !dnn) {
    throw new DnnSmtpError(
      "PRECHECK_UNSUPPORTED",
      `precheck.via "dnn" needs a DNN connection, and none was given; use precheck.via "local".`,
      {
        field: "precheck.via",
      },
    );
  }
  const key = precheckCacheKey({
    settings: {
      scope: settings.scope,
      server: plan.server,
      authentication: settings.authentication,
      username: settings.username,
      password: settings.password,
      enableSsl: settings.enableSsl,
      oauth: settings.oauth,
    },
    options,
    target,
    dnn: options.via === "dnn" || settings.authentication === "oauth" ? portId(dnn) : undefined,
  });
  return once(key, async () => {
    if (options.via === "dnn" && dnn)
      return { ...(await precheckViaDnn(settings, options, plan, dnn)), cached: false };
    const oauthWarnings: string[] = [];
    if (settings.authentication === "oauth" && options.level !== "connect") {
      if (dnn) await checkOAuthAuthorized(settings, dnn);
      else if (options.allowUnverifiedAuth) {
        oauthWarnings.push(
          "The OAuth consent was not checked (no DNN connection); accepted because precheck.allowUnverifiedAuth is set.",
        );
      } else {
        throw new DnnSmtpError(
          "PRECHECK_AUTH_UNVERIFIED",
          "The OAuth consent cannot be checked without a DNN connection; give the DNN client to the precheck or set precheck.allowUnverifiedAuth.",
          { field: "precheck.allowUnverifiedAuth" },
        );
      }
    }
    const report = await precheckLocal({ settings, options, plan, target });
    return { ...report, warnings: [...oauthWarnings, ...report.warnings], cached: false };
  });
}
