/**
 * The two Persona Bar SMTP controllers, ServerSettingsSmtpHost and ServerSettingsSmtpAdmin,
 * as the DNN version in `ctx.features` has them. Every difference between versions is a
 * switch of the table in versions.ts (docs/dnn-versions.md lists the DNN source of each):
 *
 * - hostEmailInApi (9.3+): `smtpHostEmail` in the Host GET, HostEmail written by updates.
 * - hideCoreSettings (9.8+): the GET's `hideCoreSettings`.
 * - maskedPasswords / keepObfuscatedOnUpdate (9.11+): `*****`/"" in GET; `*****` on update
 *   keeps the stored password (before: stored as the five characters).
 * - adminTestMailToCaller (9.5+) / hostTestMailToCaller (9.8+): SendTestEmail addressing.
 * - testMailSwapsObfuscated (9.11.1+): SendTestEmail replaces `*****` (Host: the HOST
 *   password even in mode p, DNN's bug; Admin: the site password).
 * - oauth (9.13+): authProvider, auth type 3 with provider settings, providerChanged /
 *   errors, GetSmtpOAuthProviders.
 *
 * Admin controller, all versions: GET returns `host: {}`; update always writes site keys
 * (and SMTPmode); SendTestEmail in mode h uses the STORED host settings, not the request.
 * Nothing is validated server-side: limits and idle time are stored verbatim.
 */
import type { Caller } from "./auth.js";
import { nullReference } from "./http.js";
import { type SmtpTlsOptions, sendTestMail } from "./mailer.js";
import { HOST_SCOPE, type OAuthProviders } from "./oauth.js";
import type { Portal, Store } from "./store.js";
import type { Features } from "./versions.js";

export type { Generation } from "./versions.js";
export type ControllerKind = "host" | "admin";

/** The value DNN shows for a set password and accepts as "keep the stored one" (9.11+). */
export const OBFUSCATED = "*****";
/** Localized texts the controllers answer with (Servers resource file, en-US). */
export const EMAIL_SENT_MESSAGE = (from: string, to: string) =>
  `Email sent successfully from ${from} to ${to}`;
export const ERROR_SENDING_TEST_EMAIL = "There has been an error trying to send the test email.";

export interface SmtpContext {
  store: Store;
  /** The behaviour switches of the DNN version spoken (versions.ts). */
  features: Features;
  portal: Portal;
  caller: Caller;
  oauth: OAuthProviders;
  smtpTls: SmtpTlsOptions;
}

export interface ActionResult {
  status: number;
  body: unknown;
}

// ---- reading settings the way DNN's helpers do ------------------------------------------

const INT_PATTERN = /^\s*[+-]?\d+\s*$/;

function toInt32(text: string): number | undefined {
  if (!INT_PATTERN.test(text)) return undefined;
  const n = Number(text);
  return n >= -2147483648 && n <= 2147483647 ? n : undefined;
}

/** HostController.GetInteger: default when missing or unparsable. */
function hostInt(store: Store, name: string, fallback: number): number {
  return toInt32(store.getHostSetting(name) ?? "") ?? fallback;
}

/** HostController.GetBoolean: starts with Y or equals TRUE (any case); default when empty. */
function hostBool(store: Store, name: string): boolean {
  const v = (store.getHostSetting(name) ?? "").trim();
  if (v === "") return false;
  return v.toUpperCase().startsWith("Y") || v.toUpperCase() === "TRUE";
}

/** PortalController.GetPortalSetting: default when missing or empty. */
function siteString(store: Store, portalId: number, name: string, fallback: string): string {
  const v = store.getPortalSetting(portalId, name);
  return v === undefined || v === "" ? fallback : v;
}

/** GetPortalSettingAsInteger: default when empty, -1 (Null.NullInteger) when unparsable. */
function siteInt(store: Store, portalId: number, name: string, fallback: number): number {
  const v = store.getPortalSetting(portalId, name);
  if (v === undefined || v === "") return fallback;
  return toInt32(v) ?? -1;
}

/**
 * GetHostSmtpPassword: decrypts; when the stored value does not decrypt (a failed upgrade
 * left it in clear text) DNN re-encrypts it and returns it as-is.
 */
function hostPassword(store: Store): string {
  try {
    return store.getHostEncrypted("SMTPPassword");
  } catch {
    const current = store.getHostSetting("SMTPPassword") ?? "";
    if (current !== "") store.setHostEncrypted("SMTPPassword", current, -1);
    return current;
  }
}

function sitePassword(store: Store, portalId: number): string {
  return store.getPortalEncrypted(portalId, "SMTPPassword");
}

function shown(password: string, features: Features): string {
  if (!features.maskedPasswords) return password;
  return password === "" ? "" : OBFUSCATED;
}

// ---- GetSmtpSettings -----------------------------------------------------------------------

function hostBlock(ctx: SmtpContext): Record<string, unknown> {
  const { store, features } = ctx;
  const block: Record<string, unknown> = {
    smtpServer: store.getHostSetting("SMTPServer") ?? "",
    smtpConnectionLimit: hostInt(store, "SMTPConnectionLimit", 2),
    smtpMaxIdleTime: hostInt(store, "SMTPMaxIdleTime", 100000),
    smtpAuthentication: store.getHostSetting("SMTPAuthentication") ?? "",
    enableSmtpSsl: hostBool(store, "SMTPEnableSSL"),
    smtpUserName: store.getHostSetting("SMTPUsername") ?? "",
    smtpPassword: shown(hostPassword(store), features),
    ...(features.hostEmailInApi ? { smtpHostEmail: store.getHostSetting("HostEmail") ?? "" } : {}),
    messageSchedulerBatchSize: hostInt(store, "MessageSchedulerBatchSize", 50),
  };
  if (features.oauth) block.authProvider = store.getHostSetting("SMTPAuthProvider") ?? "";
  return block;
}

function siteBlock(ctx: SmtpContext): Record<string, unknown> {
  const { store, features } = ctx;
  const id = ctx.portal.portalId;
  const block: Record<string, unknown> = {
    smtpServer: siteString(store, id, "SMTPServer", ""),
    smtpConnectionLimit: siteInt(store, id, "SMTPConnectionLimit", 2),
    smtpMaxIdleTime: siteInt(store, id, "SMTPMaxIdleTime", 100000),
    smtpAuthentication: siteString(store, id, "SMTPAuthentication", "0"),
    enableSmtpSsl: (store.getPortalSetting(id, "SMTPEnableSSL") ?? "") === "Y",
    smtpUserName: siteString(store, id, "SMTPUsername", ""),
    smtpPassword: shown(sitePassword(store, id), features),
  };
  if (features.oauth) block.authProvider = siteString(store, id, "SMTPAuthProvider", "");
  return block;
}

export function getSmtpSettings(ctx: SmtpContext, kind: ControllerKind): ActionResult {
  const body: Record<string, unknown> = {
    smtpServerMode: siteString(ctx.store, ctx.portal.portalId, "SMTPmode", "h"),
    host: kind === "host" ? hostBlock(ctx) : {},
    site: siteBlock(ctx),
    portalName: ctx.portal.portalName,
  };
  if (ctx.features.hideCoreSettings) {
    // The default mail provider's hideCoreSettings attribute in web.config.
    body.hideCoreSettings = ctx.store.hideCoreSettings;
  }
  return { status: 200, body };
}

// ---- request binding (Newtonsoft-like, case-insensitive) -----------------------------------

/** A JSON request body with case-insensitive property lookup and Newtonsoft conversions. */
export class RequestDto {
  readonly #values: Map<string, unknown>;

  constructor(json: Record<string, unknown>) {
    this.#values = new Map(Object.entries(json).map(([k, v]) => [k.toLowerCase(), v]));
  }

  /** A string property: numbers and booleans convert as .NET would; absent → null. */
  str(name: string): string | null {
    const v = this.#values.get(name.toLowerCase());
    if (v === undefined || v === null) return null;
    if (typeof v === "boolean") return v ? "True" : "False";
    if (typeof v === "string" || typeof v === "number") return String(v);
    return null; // objects/arrays fail to bind: the property keeps its default
  }

  /** An int property: integers or integer strings; anything else keeps the default 0. */
  int(name: string): number {
    const v = this.#values.get(name.toLowerCase());
    if (typeof v === "number" && Number.isInteger(v)) return v;
    if (typeof v === "string") return toInt32(v) ?? 0;
    return 0;
  }

  /** A bool property: true/false, "true"/"false", or a number (non-zero = true). */
  bool(name: string): boolean {
    const v = this.#values.get(name.toLowerCase());
    if (typeof v === "boolean") return v;
    if (typeof v === "number") return v !== 0;
    if (typeof v === "string") return v.trim().toLowerCase() === "true";
    return false;
  }

  /**
   * A string map property (authProviderSettings); null when absent, null or not an object
   * (Newtonsoft leaves the IDictionary property null). Keys keep their case: the bound
   * Dictionary<string, string> compares keys ordinally.
   */
  map(name: string): Record<string, string> | null {
    const v = this.#values.get(name.toLowerCase());
    if (!v || typeof v !== "object" || Array.isArray(v)) return null;
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, x == null ? "" : String(x)]),
    );
  }
}

// ---- UpdateSmtpSettings ----------------------------------------------------------------------

interface OAuthOutcome {
  providerChanged: boolean;
  errors: string[];
}

/**
 * The OAuth branch of UpdateSmtpSettings (9.13+, auth type 3), host (-1) or site scope.
 * SMTPAuthProvider is overwritten whenever it differs from the request's (absent → "").
 * A known provider then gets `authProviderSettings`: its UpdateSettings calls
 * `settings.ContainsKey` on the map, so an absent/null map throws NullReferenceException
 * (500) AFTER the SMTP keys and SMTPAuthProvider were written, as in DNN.
 */
function updateOAuth(ctx: SmtpContext, req: RequestDto, scopeId: number): OAuthOutcome {
  const { store } = ctx;
  const userId = ctx.caller.user.userId;
  // EnsureMailProviderSupportOAuth: MailKit becomes web.config's default mail provider.
  store.mailProvider = "MailKitMailProvider";
  const requested = req.str("authProvider") ?? "";
  const current =
    scopeId === HOST_SCOPE
      ? (store.getHostSetting("SMTPAuthProvider") ?? "")
      : siteString(store, scopeId, "SMTPAuthProvider", "");
  let providerChanged = false;
  if (current !== requested) {
    if (scopeId === HOST_SCOPE) store.setHostSetting("SMTPAuthProvider", requested, userId);
    else store.setPortalSetting(scopeId, "SMTPAuthProvider", requested, userId);
    providerChanged = true;
  }
  if (!ctx.oauth.has(requested)) return { providerChanged, errors: [] };
  const settings = req.map("authProviderSettings");
  if (settings === null) throw nullReference();
  // As in DNN, the provider's answer replaces the flag computed above.
  const result = ctx.oauth.updateSettings(requested, scopeId, settings, userId);
  return { providerChanged: result.changed, errors: result.errors };
}

function writeHostKeys(ctx: SmtpContext, req: RequestDto, password: string): void {
  const { store } = ctx;
  const uid = ctx.caller.user.userId;
  store.setHostSetting("SMTPServer", req.str("smtpServer") ?? "", uid);
  store.setHostSetting("SMTPConnectionLimit", req.str("smtpConnectionLimit") ?? "", uid);
  store.setHostSetting("SMTPMaxIdleTime", req.str("smtpMaxIdleTime") ?? "", uid);
  store.setHostSetting("SMTPAuthentication", String(req.int("smtpAuthentication")), uid);
  store.setHostSetting("SMTPUsername", req.str("smtpUsername") ?? "", uid);
  store.setHostEncrypted("SMTPPassword", password, uid);
  // 9.2's request DTO has no SmtpHostEmail: HostEmail is not touched.
  if (ctx.features.hostEmailInApi)
    store.setHostSetting("HostEmail", req.str("smtpHostEmail") ?? "", uid);
  store.setHostSetting("SMTPEnableSSL", req.bool("enableSmtpSsl") ? "Y" : "N", uid);
  store.setHostSetting(
    "MessageSchedulerBatchSize",
    String(req.int("messageSchedulerBatchSize")),
    uid,
  );
}

function writeSiteKeys(ctx: SmtpContext, req: RequestDto, password: string): void {
  const { store } = ctx;
  const uid = ctx.caller.user.userId;
  const id = ctx.portal.portalId;
  store.setPortalSetting(id, "SMTPServer", req.str("smtpServer") ?? "", uid);
  store.setPortalSetting(id, "SMTPConnectionLimit", req.str("smtpConnectionLimit") ?? "", uid);
  store.setPortalSetting(id, "SMTPMaxIdleTime", req.str("smtpMaxIdleTime") ?? "", uid);
  store.setPortalSetting(id, "SMTPAuthentication", String(req.int("smtpAuthentication")), uid);
  store.setPortalSetting(id, "SMTPUsername", req.str("smtpUsername") ?? "", uid);
  store.setPortalEncrypted(id, "SMTPPassword", password, uid);
  store.setPortalSetting(id, "SMTPEnableSSL", req.bool("enableSmtpSsl") ? "Y" : "N", uid);
}

/** Resolves `*****` (9.11+) to the stored password of the given scope; before, it is a password. */
function keptPassword(ctx: SmtpContext, req: RequestDto, scope: "host" | "site"): string {
  const sent = req.str("smtpPassword") ?? "";
  if (!ctx.features.keepObfuscatedOnUpdate || sent !== OBFUSCATED) return sent;
  return scope === "host" ? hostPassword(ctx.store) : sitePassword(ctx.store, ctx.portal.portalId);
}

export function updateSmtpSettings(
  ctx: SmtpContext,
  kind: ControllerKind,
  req: RequestDto,
): ActionResult {
  const mode = req.str("smtpServerMode");
  const portalId = ctx.portal.portalId;
  // Step 1, always: the site in the URL takes the request's mode (the SMTPmode trap).
  ctx.store.setPortalSetting(portalId, "SMTPmode", mode ?? "", ctx.caller.user.userId);
  const hostScope = kind === "host" && mode === "h";
  let oauth: OAuthOutcome = { providerChanged: false, errors: [] };
  if (hostScope) {
    writeHostKeys(ctx, req, keptPassword(ctx, req, "host"));
  } else {
    writeSiteKeys(ctx, req, keptPassword(ctx, req, "site"));
  }
  if (ctx.features.oauth && req.int("smtpAuthentication") === 3) {
    oauth = updateOAuth(ctx, req, hostScope ? HOST_SCOPE : portalId);
  }
  if (!ctx.features.oauth) return { status: 200, body: { success: true } };
  if (oauth.errors.length > 0)
    return { status: 200, body: { success: false, errors: oauth.errors } };
  return { status: 200, body: { success: true, providerChanged: oauth.providerChanged } };
}

// ---- SendTestEmail -----------------------------------------------------------------------------

interface MailSettings {
  server: string;
  authentication: string;
  username: string;
  password: string;
  enableSsl: boolean;
  authProvider: string;
}

function requestMailSettings(req: RequestDto, password: string): MailSettings {
  return {
    server: req.str("smtpServer") ?? "",
    authentication: String(req.int("smtpAuthentication")),
    username: req.str("smtpUsername") ?? "",
    password,
    enableSsl: req.bool("enableSmtpSsl"),
    authProvider: req.str("authProvider") ?? "",
  };
}

function storedHostMailSettings(store: Store): MailSettings {
  return {
    server: store.getHostSetting("SMTPServer") ?? "",
    authentication: store.getHostSetting("SMTPAuthentication") ?? "",
    username: store.getHostSetting("SMTPUsername") ?? "",
    password: store.getHostEncrypted("SMTPPassword"),
    enableSsl: hostBool(store, "SMTPEnableSSL"),
    authProvider: store.getHostSetting("SMTPAuthProvider") ?? "",
  };
}

interface Envelope {
  from: string;
  to: string;
  settings: MailSettings;
  /** Whether a failure still answers with the "sent" confirmation (the Admin controller does). */
  confirmAlways: boolean;
}

function hostEnvelope(ctx: SmtpContext, req: RequestDto): Envelope {
  const { store, features } = ctx;
  const hostMode = req.str("smtpServerMode") === "h";
  const hostEmail = store.getHostSetting("HostEmail") ?? "";
  const sent = req.str("smtpPassword") ?? "";
  // 9.11.1+ replaces ***** by the HOST password whatever the mode (DNN's bug).
  const password =
    features.testMailSwapsObfuscated && sent === OBFUSCATED ? hostPassword(store) : sent;
  const settings = requestMailSettings(req, password);
  if (!features.hostTestMailToCaller) {
    // Before 9.8: from HostEmail; mode h mails HostEmail itself, otherwise the caller.
    return {
      from: hostEmail,
      to: hostMode ? hostEmail : ctx.caller.user.email,
      settings,
      confirmAlways: false,
    };
  }
  return {
    from: hostMode ? hostEmail : ctx.portal.email,
    to: ctx.caller.user.email,
    settings,
    confirmAlways: false,
  };
}

function adminEnvelope(ctx: SmtpContext, req: RequestDto): Envelope {
  const { store, features } = ctx;
  const hostMode = req.str("smtpServerMode") === "h";
  const hostEmail = store.getHostSetting("HostEmail") ?? "";
  const sent = req.str("smtpPassword") ?? "";
  const password =
    features.testMailSwapsObfuscated && sent === OBFUSCATED
      ? sitePassword(store, ctx.portal.portalId)
      : sent;
  const settings = hostMode ? storedHostMailSettings(store) : requestMailSettings(req, password);
  if (!features.adminTestMailToCaller) {
    // Before 9.5: from HostEmail; mode h mails HostEmail itself, otherwise the caller.
    return {
      from: hostEmail,
      to: hostMode ? hostEmail : ctx.caller.user.email,
      settings,
      confirmAlways: true,
    };
  }
  return {
    from: hostMode ? hostEmail : ctx.portal.email,
    to: ctx.caller.user.email,
    settings,
    confirmAlways: true,
  };
}

export async function sendTestEmail(
  ctx: SmtpContext,
  kind: ControllerKind,
  req: RequestDto,
): Promise<ActionResult> {
  const env = kind === "host" ? hostEnvelope(ctx, req) : adminEnvelope(ctx, req);
  const s = env.settings;
  const oauthScope = req.str("smtpServerMode") === "h" ? HOST_SCOPE : ctx.portal.portalId;
  const useOAuth = ctx.features.oauth && s.authentication === "3";
  const errMessage = await sendTestMail(
    {
      server: s.server,
      authentication: s.authentication,
      username: s.username,
      password: s.password,
      enableSsl: s.enableSsl,
      from: env.from,
      to: env.to,
      subject: `${ctx.portal.portalName} SMTP Configuration Test`,
      provider: useOAuth ? "MailKitMailProvider" : ctx.store.mailProvider,
      ...(useOAuth
        ? { oauthAccessToken: ctx.oauth.accessToken(s.authProvider, oauthScope) ?? "" }
        : {}),
    },
    ctx.smtpTls,
  );
  const success = errMessage === "";
  const confirmationMessage =
    success || env.confirmAlways ? EMAIL_SENT_MESSAGE(env.from, env.to) : ERROR_SENDING_TEST_EMAIL;
  return { status: success ? 200 : 400, body: { success, errMessage, confirmationMessage } };
}

// ---- GetSmtpOAuthProviders (9.13+) ---------------------------------------------------------------

export function getSmtpOAuthProviders(ctx: SmtpContext, kind: ControllerKind): ActionResult {
  const site = ctx.oauth.view(ctx.portal.portalId);
  const host = kind === "host" ? ctx.oauth.view(HOST_SCOPE) : [];
  return { status: 200, body: { host, site } };
}
