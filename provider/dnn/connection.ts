/**
 * Where a resource's DNN site and credentials come from: explicit arguments first, then
 * the stack config (`dnn:url`, `dnn:username`, `dnn:password`, `dnn:apiToken`), then the
 * environment (`DNN_URL`, `DNN_USERNAME`, `DNN_PASSWORD`, `DNN_API_TOKEN`).
 */
/**
 * How to reach the DNN site, as the provider sees it (plain values). The resource classes
 * take the same fields as `pulumi.Input`s (`SiteArgs` in resources/site-props.ts).
 */
export interface SiteValues {
  readonly url?: string;
  readonly username?: string;
  readonly password?: string;
  readonly apiToken?: string;
  readonly caCert?: string;
  readonly insecureSkipVerify?: boolean;
  readonly timeoutMs?: number;
}

/** The site fields that may come from stack config or the environment. */
export type SourcedField = "url" | "username" | "password" | "apiToken";

const CONFIG_KEYS: Readonly<Record<SourcedField, string>> = {
  url: "dnn:url",
  username: "dnn:username",
  password: "dnn:password",
  apiToken: "dnn:apiToken",
};
const ENV_KEYS: Readonly<Record<SourcedField, string>> = {
  url: "DNN_URL",
  username: "DNN_USERNAME",
  password: "DNN_PASSWORD",
  apiToken: "DNN_API_TOKEN",
};

/**
 * Where a value came from, in the words a message uses: `argument site.password`,
 * `stack config dnn:password` or `environment variable DNN_PASSWORD`.
 */
export type ValueSource =
  | `argument site.${SourcedField}`
  | "stack config dnn:url"
  | "stack config dnn:username"
  | "stack config dnn:password"
  | "stack config dnn:apiToken"
  | "environment variable DNN_URL"
  | "environment variable DNN_USERNAME"
  | "environment variable DNN_PASSWORD"
  | "environment variable DNN_API_TOKEN";

/** The source of each resolved value; a field that resolved to nothing has none. */
export type SiteSources = { readonly [K in SourcedField]?: ValueSource };

/** A site with every source resolved: what the DNN client connects with. */
export type SiteConnection = Omit<SiteValues, "url"> & {
  readonly url: string;
  /**
   * Where `url`, `username`, `password` and `apiToken` came from, for messages (e.g.
   * `stack config dnn:password`). Set by `resolveConnection`; absent on hand-made connections.
   */
  readonly sources?: SiteSources;
};

/** The non-secret part of a site, as stored in the resource's inputs. */
export type SiteInputs = Omit<SiteValues, "password" | "apiToken">;

/** The secret part, stored under its own secret keys. */
export interface SiteSecrets {
  readonly sitePassword?: string;
  readonly siteApiToken?: string;
}

type Source = Partial<Record<SourcedField, string>>;

let stackConfig: Source = {};

/** Called from the provider's `configure` with the whole stack config. */
export function setStackConfig(config: { get(key: string): string | undefined }): void {
  stackConfig = {
    url: config.get(CONFIG_KEYS.url),
    username: config.get(CONFIG_KEYS.username),
    password: config.get(CONFIG_KEYS.password),
    apiToken: config.get(CONFIG_KEYS.apiToken),
  };
}

function fromEnv(): Source {
  return {
    url: process.env[ENV_KEYS.url],
    username: process.env[ENV_KEYS.username],
    password: process.env[ENV_KEYS.password],
    apiToken: process.env[ENV_KEYS.apiToken],
  };
}

const present = (v: string | undefined): v is string => v !== undefined && v !== "";

/** The first non-empty of argument, stack config, environment, and where it came from. */
function pick(
  field: SourcedField,
  argument: string | undefined,
  options: { config?: boolean } = {},
): { value?: string; source?: ValueSource } {
  if (present(argument)) return { value: argument, source: `argument site.${field}` };
  const config = options.config === false ? undefined : stackConfig[field];
  if (present(config))
    return { value: config, source: `stack config ${CONFIG_KEYS[field]}` as ValueSource };
  const env = options.config === false ? undefined : fromEnv()[field];
  if (present(env))
    return { value: env, source: `environment variable ${ENV_KEYS[field]}` as ValueSource };
  return {};
}

/** The site's URL and user name as resolved now (both non-secret), and their sources. */
export function resolveSite(site: SiteInputs | undefined): {
  inputs: SiteInputs;
  sources: SiteSources;
} {
  // A non-text argument (refused by check) is passed through, not replaced by config.
  const raw = (v: unknown) => (typeof v === "string" ? v : undefined);
  const url = pick("url", raw(site?.url));
  const username = pick("username", raw(site?.username));
  return {
    inputs: {
      ...site,
      url: site?.url !== undefined && typeof site.url !== "string" ? site.url : url.value,
      username:
        site?.username !== undefined && typeof site.username !== "string"
          ? site.username
          : username.value,
    },
    sources: { url: url.source, username: username.source },
  };
}

/** The site's URL and user name as resolved now (both non-secret). */
export function resolveSiteInputs(site: SiteInputs | undefined): SiteInputs {
  return resolveSite(site).inputs;
}

/**
 * The full connection. Secrets given in the arguments win as a set: when the program
 * passes `site.password` or `site.apiToken`, no credential is taken from config or env.
 */
export function resolveConnection(
  site: SiteInputs | undefined,
  secrets: SiteSecrets,
): SiteConnection {
  const { inputs, sources } = resolveSite(site);
  const explicit = secrets.sitePassword !== undefined || secrets.siteApiToken !== undefined;
  const password = explicit
    ? pick("password", secrets.sitePassword, { config: false })
    : pick("password", undefined);
  const apiToken = explicit
    ? pick("apiToken", secrets.siteApiToken, { config: false })
    : pick("apiToken", undefined);
  return {
    url: inputs.url ?? "",
    username: inputs.username,
    password: password.value,
    apiToken: apiToken.value,
    caCert: inputs.caCert,
    insecureSkipVerify: inputs.insecureSkipVerify,
    timeoutMs: inputs.timeoutMs,
    sources: compactSources({ ...sources, password: password.source, apiToken: apiToken.source }),
  };
}

function compactSources(sources: SiteSources): SiteSources {
  return Object.fromEntries(Object.entries(sources).filter(([, v]) => v !== undefined));
}

/** Every credential value known to this process, so messages can be scrubbed of them. */
export function knownSiteSecrets(): string[] {
  const env = fromEnv();
  return [stackConfig.password, stackConfig.apiToken, env.password, env.apiToken].filter(
    (s): s is string => !!s,
  );
}
