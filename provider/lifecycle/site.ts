/**
 * What every resource of this package does with its DNN site: resolve the connection,
 * read the settings through the right controller, check the site inputs, and scrub
 * secrets from whatever it throws.
 */
import { type Controller, DnnClient } from "../dnn/client";
import { knownSiteSecrets, resolveConnection, type SiteInputs } from "../dnn/connection";
import {
  type ApiGeneration,
  blockFor,
  featuresOf,
  fromWire,
  type GetSmtpSettingsResponse,
  generationOf,
  type ObservedSettings,
  type SiteFeatures,
  type SmtpMode,
  shownValues,
  updateRequest,
} from "../dnn/wire";
import { DnnSmtpError, redact } from "../errors";
import type { Scope } from "../settings";

/** The properties every resource of this package has. */
export type ResourceProps = Record<string, unknown> & {
  site?: SiteInputs;
  sitePassword?: string;
  siteApiToken?: string;
};

/** Every secret a resource knows of, to scrub from what it throws. */
function secretsOf(props: ResourceProps): string[] {
  const oauth = props.oauth as { settings?: Record<string, string> } | undefined;
  return [
    props.password as string | undefined,
    props.sitePassword,
    props.siteApiToken,
    ...Object.values(oauth?.settings ?? {}),
    ...knownSiteSecrets(),
  ].filter((s): s is string => typeof s === "string" && s.length >= 3);
}

/** A text scrubbed of every secret the resource knows of: for warnings, which reach logs. */
export function scrubbed(props: ResourceProps, text: string): string {
  return redact(text, secretsOf(props));
}

/** Runs work, and makes sure no secret survives in what it throws: messages reach logs. */
export async function guarded<T>(props: ResourceProps, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const secrets = secretsOf(props);
    const e = error instanceof Error ? error : new Error(String(error));
    const message = redact(e.message, secrets);
    const clean =
      e instanceof DnnSmtpError
        ? new DnnSmtpError(e.code, message, {
            transient: e.transient,
            field: e.field,
            responseCode: e.responseCode,
            command: e.command,
          })
        : new Error(message);
    // The stack repeats the message; the plugin prints it on failure.
    clean.stack = `${clean.name}: ${message}`;
    // A write that stopped part-way carries the state to record (see partialWrite).
    const partial = error as Partial<PartialWrite>;
    if (partial.id !== undefined && partial.properties !== undefined) {
      Object.assign(clean, { id: partial.id, properties: partial.properties, reasons: [message] });
    }
    throw clean;
  }
}

/**
 * What the dynamic-provider plugin records when a create or update fails after writing:
 * the resource is kept with these properties and an initialization error, and the engine
 * updates it on the next `pulumi up`, whose update finds the repair to do in `properties`.
 */
export interface PartialWrite {
  readonly id: string;
  readonly properties: Record<string, unknown>;
}

/** Why a step failed, in a sentence fit to embed: the inner error's sentence and its code. */
export function reasonOf(error: unknown): string {
  if (error instanceof DnnSmtpError) return `${error.sentence} (${error.code})`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * The error of a write that stopped part-way. `message(reason)` says what was already
 * written; `reason` is why the next step failed.
 */
export function partialWrite(
  message: (reason: string) => string,
  record: PartialWrite,
  cause: unknown,
): DnnSmtpError & PartialWrite {
  const transient = cause instanceof DnnSmtpError && cause.transient;
  return Object.assign(
    new DnnSmtpError("DNN_PARTIAL_WRITE", message(reasonOf(cause)), { transient, cause }),
    record,
  );
}

/** The DNN client for a resource's site, credentials resolved from args, config or env. */
export function clientFor(props: ResourceProps): DnnClient {
  return new DnnClient(
    resolveConnection(props.site, {
      sitePassword: props.sitePassword,
      siteApiToken: props.siteApiToken,
    }),
  );
}

// Site administrators cannot use the Host controller; remember who fell back to Admin.
const adminOnly = new Set<string>();

/** One GetSmtpSettings answer, what it shows the site can do, and the controller that gave it. */
export interface SiteView {
  readonly response: GetSmtpSettingsResponse;
  readonly features: SiteFeatures;
  readonly generation: ApiGeneration;
  readonly controller: Controller;
}

async function viewThrough(client: DnnClient, controller: Controller): Promise<SiteView> {
  const response = await client.getSmtpSettings(controller);
  return {
    response,
    features: featuresOf(response),
    generation: generationOf(response),
    controller,
  };
}

/** Reads the site's settings; for site scope, administrators fall back to the Admin controller. */
export async function view(client: DnnClient, scope: Scope): Promise<SiteView> {
  const key = `${client.base.href}|${client.site.username}`;
  if (scope === "site" && adminOnly.has(key)) return viewThrough(client, "admin");
  try {
    return await viewThrough(client, "host");
  } catch (error) {
    if (scope !== "site" || !(error instanceof DnnSmtpError) || error.code !== "DNN_FORBIDDEN")
      throw error;
    adminOnly.add(key);
    return viewThrough(client, "admin");
  }
}

/** The settings of one scope from a view. */
export function observedOf(site: SiteView, scope: Scope): ObservedSettings {
  const block = blockFor(site.response, scope);
  if (!block) {
    throw new DnnSmtpError(
      "DNN_FORBIDDEN",
      "global settings need a superuser (host) account; site administrators can manage site scope only",
      { field: "site.username" },
    );
  }
  return fromWire(block);
}

/**
 * Stores a block again exactly as DNN showed it, with another mode: how a site is switched
 * between its own and the global settings without changing any stored value. The Admin
 * controller writes the site's keys only, whoever calls it.
 */
export async function keepSite(client: DnnClient, site: SiteView, mode: SmtpMode): Promise<void> {
  const request = updateRequest(shownValues(site.response.site), mode, site.features);
  await client.updateSmtpSettings(request, "admin");
}

// Writes to one site wait for each other within this process: two resources on the same
// site (the global settings written through the root site, and the root site's own) would
// otherwise interleave a read and a mode fix-up with the other's write.
const siteQueues = new Map<string, Promise<unknown>>();

/** Runs `work` when no other work holds any of these sites (keys taken in one order, so no deadlock). */
export async function withSites<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
  const sorted = [...new Set(keys)].sort();
  const previous = sorted.map((k) => siteQueues.get(k) ?? Promise.resolve());
  let release = () => {};
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  for (const k of sorted) siteQueues.set(k, mine);
  try {
    await Promise.all(previous.map((p) => p.catch(() => undefined)));
    return await work();
  } finally {
    release();
    for (const k of sorted) if (siteQueues.get(k) === mine) siteQueues.delete(k);
  }
}
