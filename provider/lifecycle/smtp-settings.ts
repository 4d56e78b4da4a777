/**
 * What the SmtpSettings resource does in each step of Pulumi's lifecycle. The plugin
 * reaches these through the thin shim in `dynamic-provider.ts`; the provider plugin face
 * (provider/plugin) calls the same functions. Every step has the same beats: read the
 * inputs into the model, read the site, prove, write, read back, return the new state.
 *
 * DNN SMTP settings always exist, so they cannot be created or deleted: `create` adopts
 * what the site holds (remembering it for `onDelete: "restore"`), and `delete` retains,
 * reverts the site to the global settings, or restores the remembered values.
 *
 * Rules every path keeps:
 * - Nothing is written before the precheck of what will be written passed (moves included).
 * - What is sent to keep a stored value is exactly what DNN showed (wire.ts).
 * - A write of several requests either completes, or fails with an error that says what
 *   was written and leaves a `repair` record in the state, which the next update completes.
 */
import type { DnnClient } from "../dnn/client";
import { setStackConfig } from "../dnn/connection";
import {
  type ApiGeneration,
  declaredValues,
  type ObservedSettings,
  type SmtpMode,
  shownValues,
  updateRequest,
  type WireValues,
} from "../dnn/wire";
import { DnnSmtpError, invalidSettings } from "../errors";
import { HELD_FIELDS, type HeldSettings, type PreviousSettingsOutput } from "../model";
import { type PrecheckReport, type ResolvedPrecheckOptions, runPrecheck } from "../precheck";
import { SMTP_SETTINGS_OUTPUT_KEYS } from "../resources/output-keys";
import {
  AUTHENTICATION_WIRE,
  type Authentication,
  type Scope,
  SETTINGS_FIELDS,
  type SettingsField,
  type SmtpSettingsModel,
  validateSettings,
} from "../settings";
import { modelOf, type OnDelete, onDeleteOf } from "./check";
import { compact, isUnknown, same, UNKNOWN } from "./props";
import {
  clientFor,
  keepSite,
  observedOf,
  partialWrite,
  type ResourceProps,
  type SiteView,
  scrubbed,
  view,
} from "./site";
import { differingKeys, idOf, lifecycleOf } from "./skeleton";
import { warn } from "./warn";

export { checkSmtpSettings as check, ON_DELETE, type OnDelete } from "./check";
export { UNKNOWN };

/** The values a resource found before it first wrote, kept for `onDelete: "restore"`. No password. */
export type PreviousSettings = PreviousSettingsOutput;

export type { HeldSettings };

/**
 * A write that stopped part-way, recorded in the state so the next update completes it:
 * `siteMode` is the mode the site in the URL must get back (a global write flips it to `h`);
 * `leave` is the old place of a move, whose `onDelete` is still to be applied.
 */
export interface Repair {
  readonly siteMode?: SmtpMode;
  readonly leave?: Pick<State, "site" | "scope" | "onDelete" | "previous" | "mode">;
}

/** The resource's inputs, as `check` returns them. */
export type Inputs = ResourceProps & {
  scope?: Scope;
  precheck?: ResolvedPrecheckOptions;
  onDelete?: OnDelete;
};

/** The resource's state: its inputs plus what was observed on the site. */
export type State = Inputs & {
  portalName?: string;
  apiGeneration?: ApiGeneration;
  mode?: SmtpMode;
  precheckSummary?: string;
  previous?: PreviousSettings;
  held?: HeldSettings;
  oauthAuthorized?: boolean;
  authorizeUrl?: string;
  repair?: Repair;
};

/** Outputs that are not inputs: `read` leaves them out of the inputs it returns. */
const OUTPUT_ONLY_KEYS: readonly string[] = [...SMTP_SETTINGS_OUTPUT_KEYS, "repair"];
const DIFF_KEYS: readonly string[] = [
  ...SETTINGS_FIELDS.filter((f) => f !== "scope"),
  "sitePassword",
  "siteApiToken",
  "precheck",
  "onDelete",
];
/** A change to these means the SMTP connection itself changed: prove it again. */
const PRECHECK_KEYS: readonly string[] = [
  "server",
  "authentication",
  "username",
  "password",
  "enableSsl",
  "oauth",
  "precheck",
];

// ---------------------------------------------------------------- helpers

function settingsOf(props: Inputs): SmtpSettingsModel {
  const result = validateSettings(compact(modelOf(props)));
  if (!result.ok) throw invalidSettings(result.problems);
  return result.value;
}

/** Where a resource lives: its id, `<site url>#<scope>`. */
function placeOf(props: Inputs): string {
  return idOf(props, String(props.scope));
}

/**
 * The site's settings in model terms. A masked password (9.11+) only says one is set: the
 * state's password stands for it; an unset one is absent, so a declared password shows drift.
 */
function asModel(observed: ObservedSettings, scope: Scope, known: Inputs): Record<string, unknown> {
  const password =
    observed.password.state === "clear"
      ? observed.password.value
      : observed.password.state === "masked"
        ? ((known.password as string | undefined) ?? observed.shown.smtpPassword)
        : undefined;
  const knownOauth = known.oauth as SmtpSettingsModel["oauth"];
  const oauth = observed.oauthProvider
    ? {
        provider: observed.oauthProvider,
        settings: knownOauth?.provider === observed.oauthProvider ? knownOauth.settings : {},
      }
    : undefined;
  return compact({
    scope,
    server: observed.server,
    connectionLimit: observed.connectionLimit,
    maxIdleTime: observed.maxIdleTime,
    messageBatchSize: scope === "global" ? observed.messageBatchSize : undefined,
    authentication: observed.authentication,
    username: observed.username,
    password,
    enableSsl: observed.enableSsl,
    hostEmail: scope === "global" ? observed.hostEmail : undefined,
    oauth,
  });
}

/** Whether a field is declared: undeclared tuning fields are the site's. */
function declared(field: string, props: Record<string, unknown>): boolean {
  const held: readonly string[] = HELD_FIELDS;
  return !held.includes(field) || props[field] !== undefined;
}

/** Declared fields whose desired value differs from the site's. */
function differences(
  desired: Record<string, unknown>,
  actual: Record<string, unknown>,
): SettingsField[] {
  return SETTINGS_FIELDS.filter((f) => declared(f, desired) && !same(desired[f], actual[f]));
}

function previousOf(observed: ObservedSettings, mode: SmtpMode): PreviousSettings {
  const { password, shown: _shown, ...rest } = observed;
  return compact({ ...rest, passwordSet: password.state !== "unset", mode });
}

function heldOf(settings: SmtpSettingsModel, observed: ObservedSettings): HeldSettings {
  const global = settings.scope === "global";
  return compact({
    connectionLimit: settings.connectionLimit === undefined ? observed.connectionLimit : undefined,
    maxIdleTime: settings.maxIdleTime === undefined ? observed.maxIdleTime : undefined,
    messageBatchSize:
      global && settings.messageBatchSize === undefined ? observed.messageBatchSize : undefined,
    hostEmail: global && settings.hostEmail === undefined ? observed.hostEmail : undefined,
  });
}

/** Refuses, before anything is written, what this site's answer shows it cannot store. */
function requireSupported(settings: SmtpSettingsModel, site: SiteView, url: string): void {
  if (settings.authentication === "oauth" && !site.features.oauth) {
    throw new DnnSmtpError(
      "DNN_UNSUPPORTED",
      `authentication "oauth" needs DNN 9.13 or later; the DNN at ${url} shows no OAuth settings: use "basic" or upgrade DNN`,
      { field: "authentication" },
    );
  }
  if (settings.hostEmail !== undefined && site.features.hostEmail === false) {
    throw new DnnSmtpError(
      "DNN_UNSUPPORTED",
      `hostEmail cannot be written through the API of the DNN at ${url} (DNN 9.2 has no smtpHostEmail; 9.3 added it): remove hostEmail and set the host email in Host Settings, or upgrade DNN`,
      { field: "hostEmail" },
    );
  }
}

async function precheck(
  props: Inputs,
  settings: SmtpSettingsModel,
  client: DnnClient,
  site: SiteView,
): Promise<PrecheckReport> {
  const options = props.precheck as ResolvedPrecheckOptions;
  const controller = site.controller;
  const report = await runPrecheck(settings, options, {
    dnn: {
      // The Admin controller tests the stored host settings in mode h; mode p makes it test what we send.
      sendTestEmail: (request) =>
        client.sendTestEmail(
          controller === "admin" ? { ...request, smtpServerMode: "p" } : request,
          controller,
        ),
      getSmtpOAuthProviders: () => client.getSmtpOAuthProviders(controller),
      origin: {
        site: client.base.href,
        // A token identifies its user; it only enters the HMAC-ed cache key, never the state.
        user: client.site.username ?? `token:${client.site.apiToken ?? ""}`,
        controller,
      },
    },
  });
  for (const w of report.warnings) warn(props, `${placeOf(props)}: ${w}`);
  return report;
}

/**
 * The mode the site in the URL must have after a global write. DNN's host-scope write flips
 * it to `h`; it must keep the mode it had. A `repair` record from an interrupted write says
 * which; so does the state's mode when the host already holds what is about to be written
 * (then the `h` now seen is that interrupted write's own doing).
 */
function urlSiteModeToKeep(
  olds: State | undefined,
  before: SiteView,
  values: WireValues,
): SmtpMode {
  if (olds?.repair?.siteMode) return olds.repair.siteMode;
  const seen = before.response.smtpServerMode;
  const host = before.response.host;
  if (olds?.mode === "p" && seen === "h" && host) {
    const again = updateRequest(values, "h", before.features);
    const now = updateRequest(shownValues(host), "h", before.features);
    if (same({ ...again, smtpPassword: undefined }, { ...now, smtpPassword: undefined }))
      return "p";
  }
  return seen;
}

interface WritePlan {
  readonly client: DnnClient;
  readonly props: Inputs;
  readonly scope: Scope;
  readonly before: SiteView;
  readonly values: WireValues;
  /** After a global write, the mode the URL's site must have. */
  readonly siteMode: SmtpMode;
  /** What the state records if the write stops part-way. */
  readonly record: () => Record<string, unknown>;
}

/**
 * Writes settings in their scope. Site scope: one request. Global scope: one request, and
 * when the URL's site had its own settings, a second one that puts its mode back (DNN flips
 * it), built from a fresh read so a value written meanwhile is kept, not a stale one.
 */
async function write(plan: WritePlan): Promise<{ providerChanged: boolean }> {
  const { client, before } = plan;
  if (plan.scope === "site") {
    return client.updateSmtpSettings(
      updateRequest(plan.values, "p", before.features),
      before.controller,
    );
  }
  const written = await client.updateSmtpSettings(
    updateRequest(plan.values, "h", before.features),
    "host",
  );
  if (plan.siteMode === "p") {
    try {
      const now = await view(client, "global");
      if (now.response.smtpServerMode !== "p") await keepSite(client, now, "p");
    } catch (error) {
      throw partialWrite(
        (reason) =>
          `the global settings were saved, but putting ${client.base.href} back on its own settings (DNN switches the site in the URL to the global ones on every global write) failed: ${reason}. That site now uses the global settings; run \`pulumi up\` again: it completes this step first`,
        { id: placeOf(plan.props), properties: { ...plan.record(), repair: { siteMode: "p" } } },
        error,
      );
    }
  }
  return written;
}

/** Reads back after a write and fails when DNN holds anything else. */
async function verify(
  plan: WritePlan,
  settings: SmtpSettingsModel,
  expectedMode: SmtpMode,
): Promise<SiteView> {
  const { client, props } = plan;
  const after = await view(client, settings.scope);
  const actual = asModel(observedOf(after, settings.scope), settings.scope, props);
  const wrong: string[] = differences(settings, actual);
  if (after.response.smtpServerMode !== expectedMode) wrong.push("mode");
  if (wrong.length > 0) {
    throw new DnnSmtpError(
      "DNN_VERIFY_MISMATCH",
      `after saving, DNN holds other values for: ${wrong.join(", ")}; another change may have raced this one, or a proxy or cache sits in front of the site; run \`pulumi refresh\` and try again`,
    );
  }
  return after;
}

/** OAuth's consent, as DNN lists it after a write: a changed provider setting can cost it. */
async function oauthStatus(
  client: DnnClient,
  props: Inputs,
  settings: SmtpSettingsModel,
  site: SiteView,
): Promise<Pick<State, "oauthAuthorized" | "authorizeUrl">> {
  if (settings.authentication !== "oauth" || !settings.oauth) return {};
  const lists = await client.getSmtpOAuthProviders(site.controller);
  const list = settings.scope === "global" ? lists.host : lists.site;
  const provider = list.find((p) => p.name === settings.oauth?.provider);
  return compact({
    oauthAuthorized: provider?.isAuthorized ?? false,
    // A plain output: scrubbed, in case a site's answer carries a secret in it.
    authorizeUrl: provider?.authorizeUrl ? scrubbed(props, provider.authorizeUrl) : undefined,
  });
}

function outputs(
  props: Inputs,
  settings: SmtpSettingsModel,
  after: SiteView,
  extra: Partial<State>,
): State {
  const observed = observedOf(after, settings.scope);
  return compact({
    ...props,
    ...settings,
    held: heldOf(settings, observed),
    portalName: after.response.portalName,
    apiGeneration: after.generation,
    mode: after.response.smtpServerMode,
    repair: undefined,
    ...extra,
  });
}

function summaryOf(report: PrecheckReport | undefined): string {
  return report ? report.summary : "skipped: no change to the SMTP connection";
}

/** Proves (when asked), writes, reads back: the beats create, update and moves share. */
async function proveAndWrite(args: {
  client: DnnClient;
  props: Inputs;
  settings: SmtpSettingsModel;
  before: SiteView;
  prove: boolean;
  olds?: State;
  previous: PreviousSettings | undefined;
  summary?: string;
}): Promise<State> {
  const { client, props, settings, before } = args;
  const found = observedOf(before, settings.scope);
  requireSupported(settings, before, client.base.href);
  const report = args.prove ? await precheck(props, settings, client, before) : undefined;
  const values = declaredValues(settings, found);
  const siteMode = settings.scope === "site" ? "p" : urlSiteModeToKeep(args.olds, before, values);
  const precheckSummary = report ? summaryOf(report) : (args.summary ?? summaryOf(undefined));
  const plan: WritePlan = {
    client,
    props,
    scope: settings.scope,
    before,
    values,
    siteMode,
    record: () =>
      compact({
        ...props,
        ...settings,
        mode: "h",
        precheckSummary,
        previous: args.previous,
      }),
  };
  const { providerChanged } = await write(plan);
  const after = await verify(plan, settings, siteMode);
  const oauth = await oauthStatus(client, props, settings, after);
  if (oauth.oauthAuthorized === false) {
    warn(
      props,
      `${placeOf(props)}: the OAuth provider ${settings.oauth?.provider} is not authorized${providerChanged ? " (saving its settings withdrew the consent)" : ""}; mail stays unsent until an administrator gives consent at ${oauth.authorizeUrl ?? "the SMTP settings page"}`,
    );
  }
  return outputs(props, settings, after, {
    precheckSummary,
    previous: args.previous,
    ...oauth,
  });
}

// ---------------------------------------------------------------- lifecycle

export async function configure(req: { config: { get(key: string): string | undefined } }) {
  setStackConfig(req.config);
}

/** The properties that change. A URL or scope change is a move, an update like any other. */
function changedKeys(olds: State, news: Inputs): string[] {
  const changed = differingKeys(
    DIFF_KEYS.filter((k) => isUnknown(news[k]) || declared(k, news)),
    olds,
    news,
    isUnknown,
  );
  if (
    isUnknown(news.site) ||
    !same({ ...olds.site, url: undefined }, { ...news.site, url: undefined })
  )
    changed.push("site");
  if (!isUnknown(news.site) && olds.site?.url !== news.site?.url) changed.push("site.url");
  if (olds.scope !== news.scope) changed.push("scope");
  // A site switched back to the global settings by hand is drift too.
  if (news.scope === "site" && olds.mode !== undefined && olds.mode !== "p") changed.push("mode");
  if (olds.repair) changed.push("repair");
  return changed;
}

async function createOn(client: DnnClient, props: Inputs): Promise<State> {
  const settings = settingsOf(props);
  const before = await view(client, settings.scope);
  return proveAndWrite({
    client,
    props,
    settings,
    before,
    prove: true,
    previous: previousOf(observedOf(before, settings.scope), before.response.smtpServerMode),
  });
}

async function readOn(client: DnnClient, props: State): Promise<State> {
  const scope = props.scope as Scope;
  const site = await view(client, scope);
  const seen = observedOf(site, scope);
  const observed = asModel(seen, scope, props);
  const settings = props as unknown as SmtpSettingsModel;
  const oauth =
    props.authentication === "oauth" && observed.authentication === "oauth"
      ? await oauthStatus(client, props, { ...settings, ...observed } as SmtpSettingsModel, site)
      : {};
  return compact({
    ...props,
    ...Object.fromEntries(
      SETTINGS_FIELDS.filter((f) => declared(f, props)).map((f) => [f, observed[f]]),
    ),
    held: heldOf(settings, seen),
    portalName: site.response.portalName,
    apiGeneration: site.generation,
    mode: site.response.smtpServerMode,
    ...oauth,
  }) as State;
}

/**
 * Always reads first: what the site can store and what it holds are learned afresh. A move
 * (another URL or scope) proves and writes the new place, then leaves the old one.
 */
async function updateOn(client: DnnClient, olds: State, news: Inputs): Promise<State> {
  const moved = placeOf(olds) !== placeOf(news);
  const settings = settingsOf(news);
  const before = await view(client, settings.scope);
  const connectionChanged = moved || PRECHECK_KEYS.some((k) => !same(olds[k], news[k]));
  const outs = await proveAndWrite({
    client,
    props: news,
    settings,
    before,
    prove: connectionChanged,
    olds: moved ? undefined : olds,
    previous: moved
      ? previousOf(observedOf(before, settings.scope), before.response.smtpServerMode)
      : olds.previous,
    summary: olds.precheckSummary,
  });
  const pending = olds.repair?.leave;
  if (moved) await leaveOldPlace(olds, outs, client);
  else if (pending) await leaveOldPlace({ ...news, ...pending } as State, outs, client);
  return outs;
}

const lifecycle = lifecycleOf<Inputs, State>({
  idSuffix: (props) => String(props.scope),
  outputOnlyKeys: OUTPUT_ONLY_KEYS,
  changedKeys,
  create: createOn,
  read: readOn,
  update: updateOn,
  remove: (client, state) => applyOnDelete(client, state),
});

export const { diff, create, read, update, remove } = lifecycle;

/**
 * After a move, `onDelete` applies to the old place, unless the old place turns out to be
 * the new one under another spelling of its URL (the same site name and the same values).
 */
async function leaveOldPlace(olds: State, outs: State, newClient: DnnClient): Promise<void> {
  const oldScope = olds.scope as Scope;
  try {
    const oldClient = clientFor(olds);
    if (oldScope === outs.scope && oldClient.base.href !== newClient.base.href) {
      const there = await view(oldClient, oldScope);
      const here = await view(newClient, oldScope);
      const sameSite =
        there.response.portalName === here.response.portalName &&
        there.response.smtpServerMode === here.response.smtpServerMode &&
        same(observedOf(there, oldScope).shown, observedOf(here, oldScope).shown);
      if (sameSite) return;
    }
    await applyOnDelete(oldClient, olds);
  } catch (error) {
    throw partialWrite(
      (reason) =>
        `the settings were saved at ${placeOf(outs)}, but applying onDelete "${onDeleteOf(olds)}" to the old place ${placeOf(olds)} failed: ${reason}; run \`pulumi up\` again to finish, or set it by hand`,
      { id: placeOf(outs), properties: { ...outs, repair: { leave: leaveRecord(olds) } } },
      error,
    );
  }
}

/** What a later update needs to leave an old place: no credentials (those come from the inputs). */
function leaveRecord(olds: State): NonNullable<Repair["leave"]> {
  return compact({
    site: olds.site,
    scope: olds.scope,
    onDelete: olds.onDelete,
    previous: olds.previous,
    mode: olds.mode,
  });
}

/** `revert` puts the site back on the global settings; `restore` writes back what was found. */
async function applyOnDelete(client: DnnClient, props: State): Promise<void> {
  const onDelete = onDeleteOf(props);
  if (onDelete === "retain") return;
  const scope = props.scope as Scope;
  const now = await view(client, scope);
  if (onDelete === "revert") {
    // The site goes back to the global settings; its own values stay stored, as DNN's UI leaves them.
    if (now.response.smtpServerMode !== "h") await keepSite(client, now, "h");
    return;
  }
  const previous = props.previous;
  if (!previous) {
    throw new DnnSmtpError(
      "DNN_WRITE_REJECTED",
      'onDelete is "restore" but the state holds no previous values (created by an older version?); set onDelete "retain" and run again',
    );
  }
  const current = observedOf(now, scope);
  const values = restoredValues(previous, current, props);
  if (scope === "site") {
    await client.updateSmtpSettings(updateRequest(values, previous.mode, now.features), "admin");
    return;
  }
  const plan: WritePlan = {
    client,
    props,
    scope: "global",
    before: now,
    values,
    siteMode: urlSiteModeToKeep(props, now, values),
    record: () => ({ ...props }),
  };
  await write(plan);
}

/**
 * The values found before the first write. A password is never paired with a server or user
 * it was not stored for: the stored one is kept only when server and user are the same as
 * when it was found; otherwise none is written, and the user is told to set it by hand.
 */
function restoredValues(
  previous: PreviousSettings,
  current: ObservedSettings,
  props: State,
): WireValues {
  const samePair =
    previous.server === current.server && (previous.username ?? "") === (current.username ?? "");
  const password = previous.passwordSet && samePair ? current.shown.smtpPassword : "";
  if (previous.passwordSet && !samePair) {
    warn(
      props,
      `${placeOf(props)}: restored ${previous.server} without a password: the one stored before was never read, and the current one belongs to ${current.server}; set the password for ${previous.server} by hand`,
    );
  }
  const auth =
    AUTHENTICATION_WIRE[previous.authentication as Authentication] ??
    Number.parseInt(previous.authentication, 10);
  return {
    smtpServer: previous.server,
    smtpConnectionLimit: String(previous.connectionLimit),
    smtpMaxIdleTime: String(previous.maxIdleTime),
    smtpAuthentication: Number.isInteger(auth) ? auth : 0,
    smtpUsername: previous.username ?? "",
    smtpPassword: password,
    enableSmtpSsl: previous.enableSsl,
    smtpHostEmail: previous.hostEmail ?? "",
    messageSchedulerBatchSize: previous.messageBatchSize,
    authProvider: previous.oauthProvider ?? "",
    authProviderSettings: {},
  };
}
