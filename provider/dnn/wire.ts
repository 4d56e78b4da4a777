/**
 * Mapping between the settings model and DNN's Persona Bar DTOs, for all three API
 * generations. Field names and stored forms come from `FIELDS` in settings.ts; response
 * shapes are validated here with zod so a surprise from DNN is a clear error.
 */
import { z } from "zod";
import {
  AUTHENTICATION_WIRE,
  AUTHENTICATIONS,
  type Authentication,
  formatServer,
  parseServer,
  type Scope,
  type SmtpSettingsModel,
} from "../settings";

/** G1: DNN 9.2–9.10, G2: 9.11, G3: 9.13 and 10.x. */
export type ApiGeneration = "g1" | "g2" | "g3";
/** `h`: the site uses the global (host) settings; `p`: its own. */
export type SmtpMode = "h" | "p";

/** What G2/G3 answer in place of a stored password. */
export const MASKED_PASSWORD = "*****";

const text = z
  .string()
  .nullish()
  .transform((s) => s ?? "");
const optionalText = z
  .string()
  .nullish()
  .transform((s) => s ?? undefined);
// DNN answers these as JSON numbers; tolerate numeric text from proxies or older builds.
const integer = z.union([z.number(), z.string()]).transform((v) => Number(v));
const flag = z.union([z.boolean(), z.string()]).transform((v) => v === true || v === "true");

const SiteBlockSchema = z.object({
  smtpServer: text,
  smtpConnectionLimit: integer,
  smtpMaxIdleTime: integer,
  smtpAuthentication: z.union([z.string(), z.number()]).transform((v) => String(v)),
  enableSmtpSsl: flag,
  smtpUserName: text,
  smtpPassword: text,
  authProvider: z.string().nullish(),
});

const HostBlockSchema = SiteBlockSchema.extend({
  smtpHostEmail: text,
  messageSchedulerBatchSize: integer,
});

/** GetSmtpSettings, as answered by the Host controller (the Admin one sends `host: {}`). */
export const GetSmtpSettingsResponseSchema = z.object({
  smtpServerMode: z.string().transform((m): SmtpMode => (m.toLowerCase() === "p" ? "p" : "h")),
  host: z.union([
    HostBlockSchema,
    z
      .object({})
      .strict()
      .transform(() => undefined),
  ]),
  site: SiteBlockSchema,
  portalName: text,
  hideCoreSettings: z.boolean().optional(),
});
export type GetSmtpSettingsResponse = z.output<typeof GetSmtpSettingsResponseSchema>;
export type WireBlock = z.output<typeof SiteBlockSchema> & {
  smtpHostEmail?: string;
  messageSchedulerBatchSize?: number;
};

export const UpdateSmtpSettingsResponseSchema = z.object({
  success: z.boolean(),
  providerChanged: z.boolean().optional(),
  errors: z.array(z.unknown()).optional(),
});

export const SendTestEmailResponseSchema = z.object({
  success: z.boolean(),
  errMessage: text,
  confirmationMessage: text,
});

const OAuthProviderSchema = z.object({
  name: z.string(),
  localizedName: optionalText,
  isAuthorized: z.boolean(),
  authorizeUrl: optionalText,
  settings: z
    .array(z.object({ name: z.string(), isSecure: z.boolean().optional() }).loose())
    .optional(),
});
export const OAuthProvidersResponseSchema = z.object({
  host: z.array(OAuthProviderSchema),
  site: z.array(OAuthProviderSchema),
});

/**
 * G1 has no `hideCoreSettings`; G3 adds `authProvider` to the blocks. That is all a client
 * can see, and it is enough.
 */
export function detectGeneration(raw: unknown): ApiGeneration {
  if (typeof raw !== "object" || raw === null) return "g1";
  const r = raw as Record<string, unknown>;
  const site = r.site as Record<string, unknown> | undefined;
  if (site && "authProvider" in site) return "g3";
  return "hideCoreSettings" in r ? "g2" : "g1";
}

/** A password as a client can know it: G1 shows it, G2/G3 only whether one is set. */
export type ObservedPassword =
  | { readonly state: "clear"; readonly value: string }
  | { readonly state: "set" }
  | { readonly state: "unset" };

/** The settings one scope of a site holds, in model terms. */
export interface ObservedSettings {
  readonly server: string;
  readonly connectionLimit: number;
  readonly maxIdleTime: number;
  readonly authentication: Authentication | string;
  readonly username?: string;
  readonly password: ObservedPassword;
  readonly enableSsl: boolean;
  readonly hostEmail?: string;
  readonly messageBatchSize?: number;
  readonly oauthProvider?: string;
}

function observedAuthentication(stored: string): Authentication | string {
  // The host default is "" and reads as anonymous, like DNN's mail code does.
  if (stored.trim() === "") return "anonymous";
  const found = AUTHENTICATIONS.find((a) => String(AUTHENTICATION_WIRE[a]) === stored.trim());
  return found ?? stored;
}

function observedPassword(wire: string, generation: ApiGeneration): ObservedPassword {
  if (generation === "g1")
    return wire === "" ? { state: "unset" } : { state: "clear", value: wire };
  return wire === "" ? { state: "unset" } : { state: "set" };
}

/** Reads one block of a GetSmtpSettings answer into model terms. */
export function fromWire(block: WireBlock, generation: ApiGeneration): ObservedSettings {
  const address = parseServer(block.smtpServer);
  return {
    // A stored server we could not parse is shown as stored, so drift stays visible.
    server: typeof address === "string" ? block.smtpServer : formatServer(address),
    connectionLimit: block.smtpConnectionLimit,
    maxIdleTime: block.smtpMaxIdleTime,
    authentication: observedAuthentication(block.smtpAuthentication),
    username: block.smtpUserName === "" ? undefined : block.smtpUserName,
    password: observedPassword(block.smtpPassword, generation),
    enableSsl: block.enableSmtpSsl,
    hostEmail:
      block.smtpHostEmail === undefined || block.smtpHostEmail === ""
        ? undefined
        : block.smtpHostEmail,
    messageBatchSize: block.messageSchedulerBatchSize,
    oauthProvider: block.authProvider ? block.authProvider : undefined,
  };
}

/** The block of a GetSmtpSettings answer that holds a scope's settings. */
export function blockFor(response: GetSmtpSettingsResponse, scope: Scope): WireBlock | undefined {
  return scope === "global" ? response.host : response.site;
}

/** The UpdateSmtpSettings request body. Limits travel as strings, authentication as int. */
export interface UpdateSmtpSettingsRequest {
  smtpServerMode: SmtpMode;
  smtpServer: string;
  smtpConnectionLimit: string;
  smtpMaxIdleTime: string;
  smtpAuthentication: number;
  smtpUsername: string;
  smtpPassword: string;
  enableSmtpSsl: boolean;
  smtpHostEmail?: string;
  messageSchedulerBatchSize?: number;
  authProvider?: string;
  authProviderSettings?: Record<string, string>;
}

export interface ToWireOptions {
  readonly generation: ApiGeneration;
  /** The host values DNN holds, written back unchanged when the model leaves them out. */
  readonly currentHost?: Pick<ObservedSettings, "hostEmail" | "messageBatchSize">;
}

/**
 * The request that stores `settings` in their scope. The password is always the real
 * value: sending `*****` would let a changed server silently reuse the stored password.
 */
export function toWire(
  settings: SmtpSettingsModel,
  options: ToWireOptions,
): UpdateSmtpSettingsRequest {
  const request: UpdateSmtpSettingsRequest = {
    smtpServerMode: settings.scope === "global" ? "h" : "p",
    smtpServer: settings.server,
    smtpConnectionLimit: String(settings.connectionLimit),
    smtpMaxIdleTime: String(settings.maxIdleTime),
    smtpAuthentication: AUTHENTICATION_WIRE[settings.authentication],
    smtpUsername: settings.username ?? "",
    smtpPassword: settings.password ?? "",
    enableSmtpSsl: settings.enableSsl,
  };
  if (settings.scope === "global") {
    request.smtpHostEmail = settings.hostEmail ?? options.currentHost?.hostEmail ?? "";
    request.messageSchedulerBatchSize =
      settings.messageBatchSize ?? options.currentHost?.messageBatchSize;
  }
  if (options.generation === "g3") {
    request.authProvider = settings.oauth?.provider ?? "";
    if (settings.oauth) request.authProviderSettings = settings.oauth.settings;
  }
  return request;
}

/**
 * A request that stores `observed` unchanged but with another mode. Used to undo DNN's
 * mode flip and to revert a site to the global settings. The password is the one thing a
 * G2/G3 client cannot read back, so there (and only there) `*****` keeps it as stored.
 */
export function keepAsStored(
  observed: ObservedSettings,
  mode: SmtpMode,
): UpdateSmtpSettingsRequest {
  const password =
    observed.password.state === "clear"
      ? observed.password.value
      : observed.password.state === "set"
        ? MASKED_PASSWORD
        : "";
  const auth = AUTHENTICATIONS.find((a) => a === observed.authentication);
  const request: UpdateSmtpSettingsRequest = {
    smtpServerMode: mode,
    smtpServer: observed.server,
    smtpConnectionLimit: String(observed.connectionLimit),
    smtpMaxIdleTime: String(observed.maxIdleTime),
    smtpAuthentication: auth ? AUTHENTICATION_WIRE[auth] : 0,
    smtpUsername: observed.username ?? "",
    smtpPassword: password,
    enableSmtpSsl: observed.enableSsl,
  };
  // Host-only keys travel only when the observed settings are the host's.
  if (observed.messageBatchSize !== undefined) {
    request.smtpHostEmail = observed.hostEmail ?? "";
    request.messageSchedulerBatchSize = observed.messageBatchSize;
  }
  return request;
}
