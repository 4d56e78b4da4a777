/**
 * Where a resource's DNN site and credentials come from: explicit arguments first, then
 * the stack config (`dnn:url`, `dnn:username`, `dnn:password`, `dnn:apiToken`), then the
 * environment (`DNN_URL`, `DNN_USERNAME`, `DNN_PASSWORD`, `DNN_API_TOKEN`).
 */
/** How to reach the DNN site. Every field may also come from stack config or the environment. */
export interface SiteArgs {
  /**
   * The site's URL, child-site path included: `https://example.com` or
   * `https://example.com/shop`. Default: config `dnn:url`, then env `DNN_URL`.
   */
  readonly url?: string;
  /** A superuser, or for site scope an administrator of the site. Default: `dnn:username`, `DNN_USERNAME`. */
  readonly username?: string;
  /** The user's password; stored as a secret. Default: `dnn:password`, `DNN_PASSWORD`. */
  readonly password?: string;
  /** A DNN 10 User-scope API token of a superuser, instead of a login. Default: `dnn:apiToken`, `DNN_API_TOKEN`. */
  readonly apiToken?: string;
  /** A PEM CA certificate to trust for the site's HTTPS (private CAs). */
  readonly caCert?: string;
  /** Turns HTTPS certificate checks off. Test sites only; a warning is printed. Default false. */
  readonly insecureSkipVerify?: boolean;
  /** Timeout of each request to DNN, in milliseconds. Default 30000. */
  readonly timeoutMs?: number;
}

/** A site with every source resolved: what the DNN client connects with. */
export type SiteConnection = Omit<SiteArgs, "url"> & { readonly url: string };

/** The non-secret part of a site, as stored in the resource's inputs. */
export type SiteInputs = Omit<SiteArgs, "password" | "apiToken">;

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
