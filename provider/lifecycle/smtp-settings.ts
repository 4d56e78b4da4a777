/**
 * What the SmtpSettings resource does in each step of Pulumi's lifecycle. The plugin
 * reaches these through the thin shim in `dynamic-provider.ts`. Every method has the same
 * beats: read the inputs into the model, stop on problems, call DNN, return the new state.
 *
 * DNN SMTP settings always exist, so they cannot be created or deleted: `create` adopts
 * what the site holds (remembering it for `onDelete: "restore"`), and `delete` retains,
 * reverts the site to the global settings, or restores the remembered values.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Controller, DnnClient } from "../dnn/client";
import { setStackConfig } from "../dnn/connection";
import {
  type ApiGeneration,
  keepAsStored,
  MASKED_PASSWORD,
  type ObservedSettings,
  type SmtpMode,
  toWire,
  type UpdateSmtpSettingsRequest,
} from "../dnn/wire";
import { DnnSmtpError, type FieldProblem } from "../errors";
import { type PrecheckReport, type ResolvedPrecheckOptions, runPrecheck } from "../precheck";
import {
  type Scope,
  SETTINGS_FIELDS,
  type SettingsField,
  type SmtpSettingsModel,
  validateSettings,
} from "../settings";
import { compact, isUnknown, same, UNKNOWN } from "./props";
import {
  clientFor,
  guarded,
  knownController,
  observedOf,
  type ResourceProps,
  type SiteView,
  view,
} from "./site";

export { checkSmtpSettings as check, ON_DELETE, type OnDelete } from "./check";
export { UNKNOWN };

import { modelOf, type OnDelete, onDeleteOf } from "./check";

/** The values a resource found before it first wrote, kept for `onDelete: "restore"`. No password. */
export interface PreviousSettings extends Omit<ObservedSettings, "password"> {
  readonly passwordSet: boolean;
  /** The mode of the site in the URL. */
  readonly mode: SmtpMode;
}

/** The resource's inputs, as `check` returns them. */
type Inputs = ResourceProps & {
  scope?: Scope;
  precheck?: ResolvedPrecheckOptions;
  onDelete?: OnDelete;
};

/** The resource's state: its inputs plus what was observed on the site. */
type State = Inputs & {
  portalName?: string;
  apiGeneration?: ApiGeneration;
  mode?: SmtpMode;
  precheckSummary?: string;
  previous?: PreviousSettings;
};

const OUTPUT_ONLY_KEYS = ["portalName", "apiGeneration", "mode", "precheckSummary", "previous"];
const DIFF_KEYS = [
  ...SETTINGS_FIELDS.filter((f) => f !== "scope"),
  "site",
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
  if (!result.ok) throw invalid(result.problems);
  return result.value;
}

function invalid(problems: readonly FieldProblem[]): DnnSmtpError {
  return new DnnSmtpError(
    "INVALID_SETTINGS",
    problems.map((p) => `${p.field}: ${p.message}`).join("\n"),
  );
}

/**
 * The site's settings in model terms. A G2/G3 site only says whether a password is set:
 * while it is set, the state's password stands for it; `*****` stands for one we never knew.
 */
function asModel(observed: ObservedSettings, scope: Scope, known: Inputs): Record<string, unknown> {
  const password =
    observed.password.state === "clear"
      ? observed.password.value
      : observed.password.state === "set"
        ? ((known.password as string | undefined) ?? MASKED_PASSWORD)
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

/** Fields whose desired value differs from the site's. Undeclared hostEmail is not managed. */
function differences(
  desired: Record<string, unknown>,
  actual: Record<string, unknown>,
): SettingsField[] {
  return SETTINGS_FIELDS.filter((f) => {
    if (f === "hostEmail" && desired.hostEmail === undefined) return false;
    return !same(desired[f], actual[f]);
  });
}

function previousOf(observed: ObservedSettings, mode: SmtpMode): PreviousSettings {
  const { password, ...rest } = observed;
  return compact({ ...rest, passwordSet: password.state !== "unset", mode });
}

function idOf(props: Inputs): string {
  // `check` stored the URL normalized.
  return `${props.site?.url}#${props.scope}`;
}

function requireSupported(settings: SmtpSettingsModel, generation: ApiGeneration): void {
  if (settings.authentication === "oauth" && generation !== "g3") {
    throw new DnnSmtpError(
      "DNN_UNSUPPORTED",
      `authentication "oauth" needs DNN 9.13 or later; this site's API is ${generation.toUpperCase()}: use "basic" or upgrade DNN`,
      { field: "authentication" },
    );
  }
}

async function precheck(
  props: Inputs,
  settings: SmtpSettingsModel,
  client: DnnClient,
  controller: Controller,
): Promise<PrecheckReport> {
  const options = props.precheck as ResolvedPrecheckOptions;
  return runPrecheck(settings, options, {
    dnn: {
      // The Admin controller tests the stored host settings in mode h; mode p makes it test what we send.
      sendTestEmail: (request) =>
        client.sendTestEmail(
          controller === "admin" ? { ...request, smtpServerMode: "p" } : request,
          controller,
        ),
      getSmtpOAuthProviders: () => client.getSmtpOAuthProviders(controller),
    },
  });
}

/**
 * Writes settings in their scope. A host-scope write through DNN also sets the URL's site
 * to mode `h`; when that site had its own settings, they are put back at once.
 */
async function write(
  client: DnnClient,
  scope: Scope,
  request: UpdateSmtpSettingsRequest,
  before: SiteView,
): Promise<void> {
  await client.updateSmtpSettings(request, scope === "global" ? "host" : before.controller);
  if (
    scope === "global" &&
    before.response.smtpServerMode === "p" &&
    request.smtpServerMode === "h"
  ) {
    await client.updateSmtpSettings(keepAsStored(observedOf(before, "site"), "p"), "admin");
  }
}

/** Reads back after a write and fails when DNN holds anything else. */
async function verify(
  client: DnnClient,
  props: Inputs,
  settings: SmtpSettingsModel,
  expectedMode: SmtpMode,
): Promise<SiteView> {
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
    hostEmail: settings.hostEmail ?? (settings.scope === "global" ? observed.hostEmail : undefined),
    portalName: after.response.portalName,
    apiGeneration: after.generation,
    mode: after.response.smtpServerMode,
    ...extra,
  });
}

function summaryOf(report: PrecheckReport | undefined): string {
  return report ? report.summary : "skipped: no change to the SMTP connection";
}

// ---------------------------------------------------------------- lifecycle

export async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  setStackConfig(req.config);
}

export async function diff(
  _id: string,
  olds: State,
  news: Inputs,
): Promise<pulumi.dynamic.DiffResult> {
  const replaces: string[] = [];
  if (olds.scope !== news.scope) replaces.push("scope");
  if (isUnknown(news.site) || olds.site?.url !== news.site?.url) replaces.push("site");
  const changed = DIFF_KEYS.filter((k) => {
    if (k === "hostEmail" && news.hostEmail === undefined) return false;
    if (k === "site")
      return !same({ ...olds.site, url: undefined }, { ...news.site, url: undefined });
    return isUnknown(news[k]) || !same(olds[k], news[k]);
  });
  // A site switched back to the global settings by hand is drift too.
  if (news.scope === "site" && olds.mode !== undefined && olds.mode !== "p") changed.push("mode");
  return {
    changes: changed.length > 0 || replaces.length > 0,
    replaces,
    // Old and new may point at the same site (say, another spelling of its URL): revert the
    // old one first, so the new settings are the ones left in place.
    deleteBeforeReplace: replaces.length > 0,
  };
}

export async function create(props: Inputs): Promise<pulumi.dynamic.CreateResult> {
  return guarded(props, async () => {
    const settings = settingsOf(props);
    const client = clientFor(props);
    const before = await view(client, settings.scope);
    const found = observedOf(before, settings.scope);
    requireSupported(settings, before.generation);
    const report = await precheck(props, settings, client, before.controller);
    const request = toWire(settings, { generation: before.generation, currentHost: found });
    await write(client, settings.scope, request, before);
    const expectedMode = settings.scope === "site" ? "p" : before.response.smtpServerMode;
    const after = await verify(client, props, settings, expectedMode);
    return {
      id: idOf(props),
      outs: outputs(props, settings, after, {
        precheckSummary: summaryOf(report),
        previous: previousOf(found, before.response.smtpServerMode),
      }),
    };
  });
}

export async function read(id: string, props: State): Promise<pulumi.dynamic.ReadResult> {
  return guarded(props, async () => {
    const scope = props.scope as Scope;
    const client = clientFor(props);
    const site = await view(client, scope);
    const observed = asModel(observedOf(site, scope), scope, props);
    const state = compact({
      ...props,
      ...Object.fromEntries(SETTINGS_FIELDS.map((f) => [f, observed[f]])),
      portalName: site.response.portalName,
      apiGeneration: site.generation,
      mode: site.response.smtpServerMode,
    });
    // Stored inputs follow the site, so the next preview shows drift field by field.
    const inputs = Object.fromEntries(
      Object.entries(state).filter(
        ([k]) =>
          !OUTPUT_ONLY_KEYS.includes(k) && (k !== "hostEmail" || props.hostEmail !== undefined),
      ),
    );
    return { id, props: state, inputs };
  });
}

export async function update(
  _id: string,
  olds: State,
  news: Inputs,
): Promise<pulumi.dynamic.UpdateResult> {
  return guarded(news, async () => {
    const settings = settingsOf(news);
    const client = clientFor(news);
    const connectionChanged = PRECHECK_KEYS.some((k) => !same(olds[k], news[k]));
    // Site scope writes everything it needs in one POST; host scope must first learn the
    // URL site's mode (DNN flips it) and the host values it does not manage.
    const before = settings.scope === "global" ? await view(client, "global") : undefined;
    const generation = before?.generation ?? olds.apiGeneration ?? "g3";
    const controller = before?.controller ?? knownController(client);
    requireSupported(settings, generation);
    const report = connectionChanged
      ? await precheck(news, settings, client, controller)
      : undefined;
    const found = before ? observedOf(before, "global") : undefined;
    const request = toWire(settings, { generation, currentHost: found });
    if (before) await write(client, "global", request, before);
    else await client.updateSmtpSettings(request, controller);
    const expectedMode = before ? before.response.smtpServerMode : "p";
    const after = await verify(client, news, settings, expectedMode);
    return {
      outs: outputs(news, settings, after, {
        precheckSummary: report
          ? summaryOf(report)
          : (olds.precheckSummary ?? summaryOf(undefined)),
        previous: olds.previous,
      }),
    };
  });
}

export async function remove(_id: string, props: State): Promise<void> {
  const onDelete = onDeleteOf(props);
  if (onDelete === "retain") return;
  await guarded(props, async () => {
    const scope = props.scope as Scope;
    const client = clientFor(props);
    const now = await view(client, scope);
    const current = observedOf(now, scope);
    if (onDelete === "revert") {
      // The site goes back to the global settings; its own values stay stored, as DNN's UI leaves them.
      if (now.response.smtpServerMode !== "h")
        await client.updateSmtpSettings(keepAsStored(current, "h"), "admin");
      return;
    }
    const previous = props.previous;
    if (!previous) {
      throw new DnnSmtpError(
        "DNN_WRITE_REJECTED",
        'onDelete is "restore" but the state holds no previous values (created by an older version?); set onDelete "retain" and run again',
      );
    }
    // The old password was never kept (it is a secret we did not own): the current one stays if one was set.
    const { passwordSet, mode, ...rest } = previous;
    const restored: ObservedSettings = {
      ...rest,
      password: passwordSet ? current.password : { state: "unset" },
    };
    const request = keepAsStored(restored, scope === "site" ? mode : "h");
    if (scope === "global") await write(client, "global", request, now);
    else await client.updateSmtpSettings(request, "admin");
  });
}
