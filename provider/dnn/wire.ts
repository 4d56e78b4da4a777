/**
 * Mapping between the settings model and DNN's Persona Bar DTOs, for every DNN version
 * from 9.2 to 10.x. Nothing here decides by a version label: what a request carries follows
 * from what the site's GetSmtpSettings answer shows (docs/dnn-versions.md lists the eras).
 *
 * - A value sent back to keep what is stored is exactly the value DNN showed, so `*****`
 *   goes back only where DNN itself showed `*****` (9.11+), and a clear-text password
 *   (9.2–9.10, also when `hideCoreSettings` is present) goes back verbatim.
 * - `smtpHostEmail` travels only when the site's answer has it (9.3+).
 * - `authProvider` travels whenever the site's answer has it (9.13+): with auth type 3, an
 *   update without it makes DNN overwrite the stored provider with an empty value.
 *
 * Response shapes are validated with zod, so a surprise from DNN is a clear error.
 */
import { z } from "zod";
import {
  AUTHENTICATION_WIRE,
  AUTHENTICATIONS,
  type Authentication,
  FIELDS,
  formatServer,
  parseServer,
  type Scope,
  type SmtpSettingsModel,
} from "../settings";
import type { SendTestEmailRequest, SendTestEmailResponse } from "./dto";

/** `h`: the site uses the global (host) settings; `p`: its own. */
export type SmtpMode = "h" | "p";
/** A coarse label of what the site's answers showed (`g1`: clear-text passwords, `g2`: masked, `g3`: OAuth). Informational: nothing is decided by it. */
export type ApiGeneration = "g1" | "g2" | "g3";

/** What DNN 9.11+ answers in place of a stored password, and accepts as "keep the stored one". */
export const MASKED_PASSWORD = "*****";

const text = z
  .string()
  .nullish()
  .transform((s) => s ?? "");
/** A key some DNN versions do not have: `undefined` when absent, so its absence stays visible. */
const versionedText = z
  .string()
  .nullish()
  .transform((s) => (s === undefined ? undefined : (s ?? "")));
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
  authProvider: versionedText,
});

const HostBlockSchema = SiteBlockSchema.extend({
  smtpHostEmail: versionedText,
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
/** One block of a GetSmtpSettings answer, as DNN showed it. */
export type WireBlock = z.output<typeof SiteBlockSchema> & {
  smtpHostEmail?: string;
  messageSchedulerBatchSize?: number;
};

export const UpdateSmtpSettingsResponseSchema = z.object({
  success: z.boolean(),
  providerChanged: z.boolean().optional(),
  errors: z.array(z.unknown()).optional(),
});

export type { SendTestEmailRequest, SendTestEmailResponse };

export const SendTestEmailResponseSchema = z.object({
  success: z.boolean(),
  errMessage: text,
  confirmationMessage: text,
}) satisfies z.ZodType<SendTestEmailResponse, unknown>;

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
export type OAuthProvidersResponse = z.output<typeof OAuthProvidersResponseSchema>;

/** What a site's answer shows it can do. Learned from each answer, never from a label. */
export interface SiteFeatures {
  /** The Host answer has `smtpHostEmail` (DNN 9.3+); unknown (undefined) from the Admin controller. */
  readonly hostEmail?: boolean;
  /** The blocks have `authProvider`: OAuth, auth type 3 (DNN 9.13+). */
  readonly oauth: boolean;
}

/** What one GetSmtpSettings answer shows the site can do. */
export function featuresOf(response: GetSmtpSettingsResponse): SiteFeatures {
  return {
    hostEmail: response.host ? response.host.smtpHostEmail !== undefined : undefined,
    oauth: response.site.authProvider !== undefined,
  };
}

/** A coarse label for the outputs and messages; decisions use `featuresOf` and the values shown. */
export function generationOf(response: GetSmtpSettingsResponse): ApiGeneration {
  if (featuresOf(response).oauth) return "g3";
  const passwords = [response.site.smtpPassword, response.host?.smtpPassword ?? ""];
  return passwords.includes(MASKED_PASSWORD) ? "g2" : "g1";
}

/**
 * A password as a client can know it: `clear` when DNN showed it (9.2–9.10), `masked` when
 * DNN showed `*****` for it (9.11+), `unset` when DNN showed none.
 */
export type ObservedPassword =
  | { readonly state: "clear"; readonly value: string }
  | { readonly state: "masked" }
  | { readonly state: "unset" };

/** The settings one scope of a site holds, in model terms, with the block DNN showed. */
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
  /** The block exactly as DNN showed it: what a request that keeps these settings sends back. */
  readonly shown: WireBlock;
}

function observedAuthentication(stored: string): Authentication | string {
  // The host default is "" and reads as anonymous, like DNN's mail code does.
  if (stored.trim() === "") return "anonymous";
  const found = AUTHENTICATIONS.find((a) => String(AUTHENTICATION_WIRE[a]) === stored.trim());
  return found ?? stored;
}

function observedPassword(shown: string): ObservedPassword {
  if (shown === "") return { state: "unset" };
  return shown === MASKED_PASSWORD ? { state: "masked" } : { state: "clear", value: shown };
}

/** Reads one block of a GetSmtpSettings answer into model terms. */
export function fromWire(block: WireBlock): ObservedSettings {
  const address = parseServer(block.smtpServer);
  return {
    // A stored server we could not parse is shown as stored, so drift stays visible.
    server: typeof address === "string" ? block.smtpServer : formatServer(address),
    connectionLimit: block.smtpConnectionLimit,
    maxIdleTime: block.smtpMaxIdleTime,
    authentication: observedAuthentication(block.smtpAuthentication),
    username: block.smtpUserName === "" ? undefined : block.smtpUserName,
    password: observedPassword(block.smtpPassword),
    enableSsl: block.enableSmtpSsl,
    hostEmail: block.smtpHostEmail ? block.smtpHostEmail : undefined,
    messageBatchSize: block.messageSchedulerBatchSize,
    oauthProvider: block.authProvider ? block.authProvider : undefined,
    shown: block,
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

/** The values one UpdateSmtpSettings request stores, before the site's features shape it. */
export interface WireValues {
  readonly smtpServer: string;
  readonly smtpConnectionLimit: string;
  readonly smtpMaxIdleTime: string;
  readonly smtpAuthentication: number;
  readonly smtpUsername: string;
  readonly smtpPassword: string;
  readonly enableSmtpSsl: boolean;
  readonly smtpHostEmail?: string;
  readonly messageSchedulerBatchSize?: number;
  readonly authProvider?: string;
  readonly authProviderSettings?: Record<string, string>;
}

/** DNN's request property of each model field, read from `FIELDS`. */
const KEY = Object.fromEntries(Object.entries(FIELDS).map(([f, d]) => [f, d.requestKey])) as {
  readonly [F in keyof typeof FIELDS]: (typeof FIELDS)[F]["requestKey"];
};

/**
 * The values that store `settings`. The password is always the declared value: `*****`
 * would let a changed server silently reuse the stored password. Fields the model leaves
 * undeclared (the tuning fields and `hostEmail`) take what the site holds (`found`).
 */
export function declaredValues(
  settings: SmtpSettingsModel,
  found: ObservedSettings | undefined,
): WireValues {
  const shown = found?.shown;
  const values: Record<string, unknown> = {
    [KEY.server]: settings.server,
    [KEY.connectionLimit]: String(settings.connectionLimit ?? shown?.smtpConnectionLimit ?? ""),
    [KEY.maxIdleTime]: String(settings.maxIdleTime ?? shown?.smtpMaxIdleTime ?? ""),
    [KEY.authentication]: AUTHENTICATION_WIRE[settings.authentication],
    [KEY.username]: settings.username ?? "",
    [KEY.password]: settings.password ?? "",
    [KEY.enableSsl]: settings.enableSsl,
    [KEY.hostEmail]: settings.hostEmail ?? shown?.smtpHostEmail,
    [KEY.messageBatchSize]: settings.messageBatchSize ?? shown?.messageSchedulerBatchSize,
    [KEY.oauth]: settings.oauth?.provider,
    authProviderSettings: settings.oauth?.settings,
  };
  return values as unknown as WireValues;
}

/**
 * The values that store a block again exactly as DNN showed it (a password included: `*****`
 * only when DNN showed `*****`). An OAuth configuration keeps its provider, and an empty
 * settings map changes none of the provider's settings (so its consent stays).
 */
export function shownValues(block: WireBlock): WireValues {
  const auth = Number.parseInt(block.smtpAuthentication, 10);
  return {
    smtpServer: block.smtpServer,
    smtpConnectionLimit: String(block.smtpConnectionLimit),
    smtpMaxIdleTime: String(block.smtpMaxIdleTime),
    smtpAuthentication: Number.isInteger(auth) ? auth : 0,
    smtpUsername: block.smtpUserName,
    smtpPassword: block.smtpPassword,
    enableSmtpSsl: block.enableSmtpSsl,
    smtpHostEmail: block.smtpHostEmail,
    messageSchedulerBatchSize: block.messageSchedulerBatchSize,
    authProvider: block.authProvider,
    authProviderSettings: {},
  };
}

/**
 * The one UpdateSmtpSettings request builder. Host-only keys travel in mode `h` only, and
 * only those the site's answer has; the OAuth keys travel whenever the site has OAuth.
 */
export function updateRequest(
  values: WireValues,
  mode: SmtpMode,
  features: SiteFeatures,
): UpdateSmtpSettingsRequest {
  const request: UpdateSmtpSettingsRequest = {
    smtpServerMode: mode,
    smtpServer: values.smtpServer,
    smtpConnectionLimit: values.smtpConnectionLimit,
    smtpMaxIdleTime: values.smtpMaxIdleTime,
    smtpAuthentication: values.smtpAuthentication,
    smtpUsername: values.smtpUsername,
    smtpPassword: values.smtpPassword,
    enableSmtpSsl: values.enableSmtpSsl,
  };
  if (mode === "h") {
    if (features.hostEmail && values.smtpHostEmail !== undefined)
      request.smtpHostEmail = values.smtpHostEmail;
    if (values.messageSchedulerBatchSize !== undefined)
      request.messageSchedulerBatchSize = values.messageSchedulerBatchSize;
  }
  if (features.oauth) {
    request.authProvider = values.authProvider ?? "";
    request.authProviderSettings = values.authProviderSettings ?? {};
  }
  return request;
}
