/**
 * The provider configuration of the `dnn-smtp` plugin: which DNN site (or installation) its
 * resources manage and with which credentials. An explicit provider per site or installation
 * works because the engine starts one plugin process per provider: the configuration lives
 * in this process and reaches the lifecycle as the config it already understands (`dnn:*`).
 */

import type { SiteValues } from "../dnn/connection";
import type { FieldProblem } from "../errors";
import { isUnknown } from "../lifecycle/props";
import { PROVIDER_CONFIG } from "./names";

export type ProviderConfigKey = keyof typeof PROVIDER_CONFIG;

/** The provider's configuration: the site fields, less the per-resource timeout. */
export type ProviderConfig = Omit<SiteValues, "timeoutMs">;

/** Where the engine puts a key in the deprecated `variables` map: `dnn-smtp:config:url`. */
const VARIABLE_PREFIX = "dnn-smtp:config:";

/**
 * Reads the configuration from Configure/CheckConfig arguments (plain values, secrets
 * already unwrapped), falling back to the `variables` map older engines send.
 */
export function readConfig(
  args: Record<string, unknown>,
  variables: ReadonlyMap<string, string> | Record<string, string> = {},
): { config: ProviderConfig; problems: FieldProblem[] } {
  const vars = variables instanceof Map ? Object.fromEntries(variables) : variables;
  const problems: FieldProblem[] = [];
  const config: Record<string, unknown> = {};
  for (const key of Object.keys(PROVIDER_CONFIG) as ProviderConfigKey[]) {
    let value = args[key] ?? (vars as Record<string, string>)[`${VARIABLE_PREFIX}${key}`];
    if (value === undefined || value === null || value === "") continue;
    if (isUnknown(value)) {
      config[key] = value; // preview: checked when known
      continue;
    }
    if (PROVIDER_CONFIG[key].type === "boolean") {
      if (value === "true" || value === "false") value = value === "true";
      if (typeof value !== "boolean") {
        problems.push({
          field: key,
          message: `must be true or false; got ${JSON.stringify(value)}`,
        });
        continue;
      }
    } else if (typeof value !== "string") {
      problems.push({ field: key, message: "must be a text" });
      continue;
    }
    config[key] = value;
  }
  if (typeof config.url === "string" && !isUnknown(config.url)) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(config.url);
    } catch {
      // reported below
    }
    if (!parsed || (parsed.protocol !== "https:" && parsed.protocol !== "http:")) {
      problems.push({
        field: "url",
        message: `must be the site's http(s) URL, e.g. https://example.com or https://example.com/shop; got ${JSON.stringify(config.url)}`,
      });
    }
  }
  if (
    typeof config.caCert === "string" &&
    !isUnknown(config.caCert) &&
    !config.caCert.includes("-----BEGIN CERTIFICATE-----")
  ) {
    problems.push({
      field: "caCert",
      message: "must be PEM text with at least one -----BEGIN CERTIFICATE----- block",
    });
  }
  return { config: config as ProviderConfig, problems };
}

/**
 * The configuration as the lifecycle's `configure` reads it: stack config keys `dnn:*`.
 * A value not known yet (preview) counts as not set.
 */
export function asStackConfig(config: ProviderConfig): { get(key: string): string | undefined } {
  const keys: Record<string, string | undefined> = {
    "dnn:url": config.url,
    "dnn:username": config.username,
    "dnn:password": config.password,
    "dnn:apiToken": config.apiToken,
  };
  return { get: (key) => (isUnknown(keys[key]) ? undefined : keys[key]) };
}
