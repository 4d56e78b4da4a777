/**
 * Where a resource's DNN site and credentials come from: explicit arguments first, then
 * the stack config (`dnn:url`, `dnn:username`, `dnn:password`, `dnn:apiToken`), then the
 * environment (`DNN_URL`, `DNN_USERNAME`, `DNN_PASSWORD`, `DNN_API_TOKEN`).
 */
import type { SiteConnection } from "./dnn-client";

/** The non-secret part of a site, as stored in the resource's inputs. */
export interface SiteInputs {
  readonly url?: string;
  readonly username?: string;
  readonly caCert?: string;
  readonly insecureSkipVerify?: boolean;
  readonly timeoutMs?: number;
}

/** The secret part, stored under its own secret keys. */
export interface SiteSecrets {
  readonly sitePassword?: string;
  readonly siteApiToken?: string;
}

type Source = Partial<Record<"url" | "username" | "password" | "apiToken", string>>;

let stackConfig: Source = {};

/** Called from the provider's `configure` with the whole stack config. */
export function setStackConfig(config: { get(key: string): string | undefined }): void {
  stackConfig = {
    url: config.get("dnn:url"),
    username: config.get("dnn:username"),
    password: config.get("dnn:password"),
    apiToken: config.get("dnn:apiToken"),
  };
}

function fromEnv(): Source {
  return {
    url: process.env.DNN_URL,
    username: process.env.DNN_USERNAME,
    password: process.env.DNN_PASSWORD,
    apiToken: process.env.DNN_API_TOKEN,
  };
}

const first = (...values: Array<string | undefined>) =>
  values.find((v) => v !== undefined && v !== "");

/** The site's URL and user name as resolved now (both non-secret). */
export function resolveSiteInputs(site: SiteInputs | undefined): SiteInputs {
  const env = fromEnv();
  return {
    ...site,
    url: first(site?.url, stackConfig.url, env.url),
    username: first(site?.username, stackConfig.username, env.username),
  };
}

/**
 * The full connection. Secrets given in the arguments win as a set: when the program
 * passes `site.password` or `site.apiToken`, no credential is taken from config or env.
 */
export function resolveConnection(
  site: SiteInputs | undefined,
  secrets: SiteSecrets,
): SiteConnection {
  const env = fromEnv();
  const inputs = resolveSiteInputs(site);
  const explicit = secrets.sitePassword !== undefined || secrets.siteApiToken !== undefined;
  return {
    url: inputs.url ?? "",
    username: inputs.username,
    password: explicit ? secrets.sitePassword : first(stackConfig.password, env.password),
    apiToken: explicit ? secrets.siteApiToken : first(stackConfig.apiToken, env.apiToken),
    caCert: inputs.caCert,
    insecureSkipVerify: inputs.insecureSkipVerify,
    timeoutMs: inputs.timeoutMs,
  };
}

/** Every credential value known to this process, so messages can be scrubbed of them. */
export function knownSiteSecrets(): string[] {
  const env = fromEnv();
  return [stackConfig.password, stackConfig.apiToken, env.password, env.apiToken].filter(
    (s): s is string => !!s,
  );
}
