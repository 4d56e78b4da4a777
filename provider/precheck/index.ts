/**
 * Precheck: prove the SMTP settings work the way DNN will use them, before anything is
 * written. The resource validates `precheck` options in `check` (`validatePrecheckOptions`)
 * and calls `runPrecheck` before every create or update; a throw aborts the write.
 *
 * - Levels: "none", "connect" (TCP, greeting, EHLO, TLS as DNN does it), "auth" (the
 *   login must really succeed), "send" (a real test mail).
 * - Via: "local" (this machine, nodemailer driven step by step) or "dnn" (SendTestEmail,
 *   from the site's own network; always a real mail, to an address DNN chooses).
 * - Mail provider profiles: "core" (System.Net.Mail) and "mailkit": the compatibility
 *   table in `compat.ts`, turned into a connection in `profile.ts`.
 * - Once per configuration per process (per site and user for via "dnn"); concurrent
 *   identical requests share one session.
 */
import { DnnSmtpError } from "../errors";
import type { ServerAddress, SmtpSettingsModel } from "../settings";
import { once, precheckCacheKey } from "./cache";
import { checkOAuthAuthorized, precheckViaDnn } from "./dnn";
import { precheckLocal } from "./local";
import type { ResolvedPrecheckOptions } from "./options";
import { type ConnectionPlan, planConnection } from "./profile";
import { type Findings, reportOf, scrubbedError, secretsOf } from "./report";
import type { DnnPrecheckPort, PrecheckReport } from "./types";

export { clearPrecheckCache, type PrecheckCacheStats, precheckCacheStats } from "./cache";
export { classifyFailure, type PrecheckPhase } from "./classify";
export {
  defaultLevel,
  defaultMailProvider,
  IMPLICIT_TLS_PORT,
  type Incompatibility,
  incompatibilities,
  MAIL_PROVIDER_PROFILES,
  type MailProviderProfile,
  SUBMISSION_PORT,
  transportOf,
} from "./compat";
export { recipientNamed } from "./dnn";
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

/**
 * Who a DNN port acts as, for the cache key: its `origin` (site, user, controller), or,
 * for a port that does not say, the object itself. Different sites or users send from
 * different networks or to different people: they never share results.
 */
function dnnIdentity(port: DnnPrecheckPort | undefined): unknown {
  if (!port) return undefined;
  if (port.origin) return port.origin;
  let id = portIds.get(port);
  if (id === undefined) {
    id = nextPortId++;
    portIds.set(port, id);
  }
  return { object: id };
}

/** The report of level "none": nothing was tried. */
const skippedReport = (
  settings: SmtpSettingsModel,
  options: ResolvedPrecheckOptions,
): PrecheckReport => ({
  level: "none",
  via: options.via,
  mailProvider: options.mailProvider,
  server: settings.server,
  tls: "none",
  authenticated: false,
  warnings: [],
  summary: "precheck skipped (level none)",
  cached: false,
});

/** The configuration that decides a precheck's outcome, as the cache keys it. */
function cacheKeyOf(
  settings: SmtpSettingsModel,
  options: ResolvedPrecheckOptions,
  plan: ConnectionPlan,
  ports: PrecheckPorts,
  target: ServerAddress | undefined,
): string {
  const { scope, authentication, username, password, enableSsl, oauth } = settings;
  const usesDnn = options.via === "dnn" || authentication === "oauth";
  return precheckCacheKey({
    settings: { scope, server: plan.server, authentication, username, password, enableSsl, oauth },
    options,
    target,
    dnn: usesDnn ? dnnIdentity(ports.dnn) : undefined,
  });
}

/** Via "local", OAuth consent is read from DNN first (or accepted unverified). */
async function oauthConsentWarnings(
  settings: SmtpSettingsModel,
  options: ResolvedPrecheckOptions,
  dnn: DnnPrecheckPort | undefined,
): Promise<string[]> {
  if (settings.authentication !== "oauth" || options.level === "connect") return [];
  if (dnn) {
    await checkOAuthAuthorized(settings, dnn);
    return [];
  }
  if (!options.allowUnverifiedAuth) {
    throw new DnnSmtpError(
      "PRECHECK_AUTH_UNVERIFIED",
      "The OAuth consent cannot be checked without a DNN connection; give the DNN client to the precheck or set precheck.allowUnverifiedAuth.",
      { field: "precheck.allowUnverifiedAuth" },
    );
  }
  return [
    "The OAuth consent was not checked (no DNN connection); accepted because precheck.allowUnverifiedAuth is set.",
  ];
}

async function findingsOf(
  settings: SmtpSettingsModel,
  options: ResolvedPrecheckOptions,
  plan: ConnectionPlan,
  ports: PrecheckPorts,
  target: ServerAddress | undefined,
): Promise<Findings> {
  if (options.via === "dnn") {
    if (!ports.dnn) {
      throw new DnnSmtpError(
        "PRECHECK_UNSUPPORTED",
        `precheck.via "dnn" needs a DNN connection, and none was given; use precheck.via "local".`,
        { field: "precheck.via" },
      );
    }
    return precheckViaDnn(settings, options, plan, ports.dnn);
  }
  const consent = await oauthConsentWarnings(settings, options, ports.dnn);
  const local = await precheckLocal({ settings, options, plan, target });
  return { ...local, warnings: [...consent, ...local.warnings] };
}

/**
 * Runs the precheck. Resolves with what was proven, warnings included (print them);
 * throws DnnSmtpError with a PRECHECK_* code (or the DNN client's DNN_* code) and a
 * one-sentence message without secrets. Identical configurations run once per process
 * (via "dnn": once per site and user); later calls resolve with `cached: true`.
 *
 * @example
 * const opts = validatePrecheckOptions(args.precheck, settings);
 * if (!opts.ok) throw invalidSettings(opts.problems);
 * const report = await runPrecheck(settings, opts.value, { dnn: port });
 * for (const w of report.warnings) pulumi.log.warn(w);
 */
export async function runPrecheck(
  settings: SmtpSettingsModel,
  options: ResolvedPrecheckOptions,
  ports: PrecheckPorts = {},
): Promise<PrecheckReport> {
  if (options.level === "none") return skippedReport(settings, options);
  const plan = planConnection(settings, options);
  const target = options.via === "local" && ports.dial ? ports.dial(plan.address) : undefined;
  const key = cacheKeyOf(settings, options, plan, ports, target);
  const secrets = secretsOf(settings);
  return once(key, async () => {
    try {
      const findings = await findingsOf(settings, options, plan, ports, target);
      return { ...reportOf(findings, secrets), cached: false };
    } catch (error) {
      throw scrubbedError(error, secrets); // redaction last, whoever wrote the message
    }
  });
}
