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
  fromWire,
  type GetSmtpSettingsResponse,
  type ObservedSettings,
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
    throw clean;
  }
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

/** The controller that answered this client before: "admin" for a site administrator. */
export function knownController(client: DnnClient): Controller {
  return adminOnly.has(`${client.base.href}|${client.site.username}`) ? "admin" : "host";
}

/** One GetSmtpSettings answer, with the API generation and controller that gave it. */
export interface SiteView {
  readonly response: GetSmtpSettingsResponse;
  readonly generation: ApiGeneration;
  readonly controller: Controller;
}

/** Reads the site's settings; for site scope, administrators fall back to the Admin controller. */
export async function view(client: DnnClient, scope: Scope): Promise<SiteView> {
  const key = `${client.base.href}|${client.site.username}`;
  if (scope === "site" && adminOnly.has(key)) {
    const r = await client.getSmtpSettings("admin");
    return { response: r.settings, generation: r.generation, controller: "admin" };
  }
  try {
    const r = await client.getSmtpSettings("host");
    return { response: r.settings, generation: r.generation, controller: "host" };
  } catch (error) {
    if (scope !== "site" || !(error instanceof DnnSmtpError) || error.code !== "DNN_FORBIDDEN")
      throw error;
    adminOnly.add(key);
    const r = await client.getSmtpSettings("admin");
    return { response: r.settings, generation: r.generation, controller: "admin" };
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
  return fromWire(block, site.generation);
}
