/**
 * Which DNN version the stand-in imitates, and THE table of behaviour switches per version.
 * docs/dnn-versions.md holds the same table with the DNN source each row was read in; keep
 * both in step. Pure data and parsing: no server imports, so the CLI can use it before
 * node:sqlite is loaded.
 *
 * A version is "major.minor" or "major.minor.patch" of a released DNN line (9.2 … 9.13,
 * 10.0 … 10.2). Every such release maps to its behaviour era through the table; the
 * versions in MODELLED_VERSIONS are the ones the stand-in's own tests cover (one per era,
 * plus 9.12 for the SendTestEmail `*****` fix and 10.2, the newest).
 */

/** Versions covered by the stand-in's tests: one per era, plus 9.12 and the newest. */
export const MODELLED_VERSIONS = ["9.2", "9.4", "9.9", "9.11", "9.12", "9.13", "10.2"] as const;
export type ModelledVersion = (typeof MODELLED_VERSIONS)[number];

/** The version the stand-in speaks when none is given (the old default generation g3). */
export const DEFAULT_DNN_VERSION = "10.2";

/** Released minor lines per major version that the table covers. */
const KNOWN_MINORS: Record<number, [number, number]> = { 9: [2, 13], 10: [0, 2] };

/** The old coarse labels, kept as aliases. */
export type Generation = "g1" | "g2" | "g3";
export const GENERATION_VERSIONS: Record<Generation, string> = {
  g1: "9.4",
  g2: "9.11",
  g3: "10.2",
};

export type Era = "E1" | "E2" | "E3" | "E4" | "E5";

export interface DnnVersion {
  /** As given (e.g. "9.11" or "9.11.1"). */
  readonly text: string;
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/** One behaviour switch: on for versions `from` ≤ v < `until`. */
export interface BehaviourRow {
  /** Short description of what is different when the switch is on. */
  readonly behaviour: string;
  /** First version with the behaviour (inclusive), "major.minor.patch". */
  readonly from: string;
  /** First version without it again (exclusive), when it ended. */
  readonly until?: string;
  /** Where in DNN's source it was read (file and tag / pull request). */
  readonly source: string;
}

const AE = "dnnsoftware/Dnn.AdminExperience";
const HOST_CTRL = "ServerSettingsSmtpHostController.cs";
const ADMIN_CTRL = "ServerSettingsSmtpAdminController.cs";

/**
 * THE behaviour table. Keys are the switch names the stand-in's code tests with `has()`.
 * Keep docs/dnn-versions.md in step.
 */
export const BEHAVIOURS = {
  hostEmailInApi: {
    behaviour:
      "Host GET has `smtpHostEmail`; Host UpdateSmtpSettings (mode h) writes HostEmail from `smtpHostEmail`. Before: no such key, HostEmail untouched by updates",
    from: "9.3.0",
    source: `${AE} tag v1.6.1 (9.2) vs v2.0.1 (9.3): ${HOST_CTRL}, Dto/UpdateSMTPSettingsRequest.cs (AE PR 39)`,
  },
  hideCoreSettings: {
    behaviour:
      "GET answers `hideCoreSettings` (the default mail provider's web.config attribute); passwords still clear text until 9.11",
    from: "9.8.0",
    source:
      "Dnn.Platform PR 3969 (mail provider abstraction, merged 2020-08, first in 9.8.0); controllers' GetSmtpSettings `hideCoreSettings = ProviderConfiguration…` (strong inference for the exact release, see docs)",
  },
  maskedPasswords: {
    behaviour:
      'GET answers "*****" for a set password, "" for none (GetSmtpPassword(portalId, true))',
    from: "9.11.0",
    source: `Dnn.Platform ${HOST_CTRL} / ${ADMIN_CTRL} 9.11 (ObfuscateString); UI change PR 5152; issue 5391 (9.11.0)`,
  },
  keepObfuscatedOnUpdate: {
    behaviour:
      'UpdateSmtpSettings: a password of exactly "*****" keeps the stored one (host or site, by mode). Before: stored as the five characters',
    from: "9.11.0",
    source: `Dnn.Platform ${HOST_CTRL} / ${ADMIN_CTRL} 9.11: \`if (request.SmtpPassword == ObfuscateString)\` in UpdateSmtpSettings`,
  },
  adminTestMailToCaller: {
    behaviour:
      "Admin SendTestEmail: from = mode h ? HostEmail : site email, to = the caller. Before: from HostEmail, to = mode h ? HostEmail : caller",
    from: "9.5.0",
    source: `Dnn.Platform PR 3237 (merged 2019-11-14, first in 9.5.0); ${AE} tag v3.0.0 (9.4) ${ADMIN_CTRL} still old`,
  },
  hostTestMailToCaller: {
    behaviour:
      "Host SendTestEmail: from = mode h ? HostEmail : site email, to = the caller. Before: from HostEmail, to = mode h ? HostEmail : caller",
    from: "9.8.0",
    source: `Dnn.Platform PRs 3812 / 4089 (merged 2020-09, first in 9.8.0; 9.7.x were patch releases); ${AE} v3.0.0 ${HOST_CTRL} old logic`,
  },
  testMailSwapsObfuscated: {
    behaviour:
      'SendTestEmail replaces "*****": Host controller with the HOST password (even in mode p), Admin controller with the site password. Before: "*****" is sent as the password',
    from: "9.11.1",
    source: `Dnn.Platform PR 5445 (merged 2022-12-18, closes issue 5391 "9.11 forgets SMTP password"); 9.11.0 ${HOST_CTRL} has no swap in SendTestEmail`,
  },
  oauth: {
    behaviour:
      "Auth type 3 (OAuth): `authProvider` in GET blocks, `authProvider`/`authProviderSettings` on update (stored SMTPAuthProvider overwritten when different, absent → empty), `{success, providerChanged}` / `{success:false, errors}`, GetSmtpOAuthProviders, SendTestEmail passes the provider",
    from: "9.13.0",
    source: `Dnn.Platform PR 5460 (SMTP OAuth); ${HOST_CTRL} / ${ADMIN_CTRL} (ISmtpOAuthController); Providers/SmtpOAuthProviders/ExchangeOnlineAuthProvider, GoogleMailAuthProvider`,
  },
  apiTokens: {
    behaviour:
      "DNN 10 API tokens (`Authorization: Bearer`): User scope acts as its creator (any user of the site); Host/Portal scope sets no user (401 here)",
    from: "10.0.0",
    source:
      "Dnn.Platform DotNetNuke.Web Api/Auth ApiTokenAuthMessageHandler.cs (`case ApiTokenScope.User: UserController.GetUserById(portalId, apiToken.CreatedByUserId)`)",
  },
} as const satisfies Record<string, BehaviourRow>;

export type Behaviour = keyof typeof BEHAVIOURS;

/** The resolved switches of one version. */
export type Features = Readonly<Record<Behaviour, boolean>>;

function triple(text: string): [number, number, number] {
  const [a = 0, b = 0, c = 0] = text.split(".").map(Number);
  return [a, b, c];
}

function compare(v: DnnVersion, text: string): number {
  const [a, b, c] = triple(text);
  return v.major - a || v.minor - b || v.patch - c;
}

/** Whether a behaviour is on for a version. */
export function has(v: DnnVersion, behaviour: Behaviour): boolean {
  const row: BehaviourRow = BEHAVIOURS[behaviour];
  return compare(v, row.from) >= 0 && (row.until === undefined || compare(v, row.until) < 0);
}

export function featuresOf(v: DnnVersion): Features {
  return Object.fromEntries(
    (Object.keys(BEHAVIOURS) as Behaviour[]).map((b) => [b, has(v, b)]),
  ) as Record<Behaviour, boolean>;
}

/** The behaviour era of a version (docs/dnn-smtp-api.md section 4). */
export function eraOf(v: DnnVersion): Era {
  if (has(v, "oauth")) return "E5";
  if (has(v, "maskedPasswords")) return "E4";
  if (has(v, "hideCoreSettings")) return "E3";
  if (has(v, "hostEmailInApi")) return "E2";
  return "E1";
}

/** The old coarse label of a version: E1–E3 → g1, E4 → g2, E5 → g3. */
export function generationOf(v: DnnVersion): Generation {
  const era = eraOf(v);
  return era === "E5" ? "g3" : era === "E4" ? "g2" : "g1";
}

function unknownVersion(text: string): Error {
  return new Error(
    `unknown DNN version "${text}": give major.minor[.patch] of DNN 9.2 … 9.13 or 10.0 … 10.2 ` +
      `(modelled and tested: ${MODELLED_VERSIONS.join(", ")}; releases in between behave as their era)`,
  );
}

/** Parses "9.11", "9.11.1", "10.2"…; throws a clear error for anything the table does not cover. */
export function parseDnnVersion(text: string): DnnVersion {
  const m = /^\s*(\d+)\.(\d+)(?:\.(\d+))?\s*$/.exec(text);
  if (!m) throw unknownVersion(text);
  const major = Number(m[1]);
  const minor = Number(m[2]);
  const patch = m[3] === undefined ? 0 : Number(m[3]);
  const range = KNOWN_MINORS[major];
  if (!range || minor < range[0] || minor > range[1]) throw unknownVersion(text);
  return { text: text.trim(), major, minor, patch };
}

/**
 * The version to speak from the options: `dnnVersion` wins; else the `generation` alias;
 * else the default (10.2). Throws on an unknown version or generation.
 */
export function resolveDnnVersion(opts: { dnnVersion?: string; generation?: string }): DnnVersion {
  if (opts.dnnVersion !== undefined) return parseDnnVersion(opts.dnnVersion);
  if (opts.generation !== undefined) {
    const mapped = GENERATION_VERSIONS[opts.generation as Generation];
    if (!mapped) {
      throw new Error(
        `unknown generation ${opts.generation} (g1 = 9.4, g2 = 9.11, g3 = 10.2; or use dnnVersion)`,
      );
    }
    return parseDnnVersion(mapped);
  }
  return parseDnnVersion(DEFAULT_DNN_VERSION);
}
