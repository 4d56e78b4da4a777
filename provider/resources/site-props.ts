/**
 * How a resource stores its site among its properties: the non-secret part readable (the
 * URL shows in diffs), the credentials under their own secret keys, absent ones absent.
 */
import * as pulumi from "@pulumi/pulumi";

/**
 * How to reach the DNN site. Every field takes a plain value or a `pulumi.Input` (for
 * example `config.requireSecret("adminPw")`); `url`, `username`, `password` and `apiToken`
 * may also come from the stack config or the environment.
 */
export interface SiteArgs {
  /**
   * The site's URL, child-site path included: `https://example.com` or
   * `https://example.com/shop`. Default: config `dnn:url`, then env `DNN_URL`.
   */
  readonly url?: pulumi.Input<string>;
  /** A superuser, or for site scope an administrator of the site. Default: `dnn:username`, `DNN_USERNAME`. */
  readonly username?: pulumi.Input<string>;
  /** The user's password; stored as a secret. Default: `dnn:password`, `DNN_PASSWORD`. */
  readonly password?: pulumi.Input<string>;
  /** A DNN 10 User-scope API token of a superuser, instead of a login. Default: `dnn:apiToken`, `DNN_API_TOKEN`. */
  readonly apiToken?: pulumi.Input<string>;
  /** A PEM CA certificate to trust for the site's HTTPS (private CAs). */
  readonly caCert?: pulumi.Input<string>;
  /** Turns HTTPS certificate checks off. Test sites only; a warning is printed. Default false. */
  readonly insecureSkipVerify?: pulumi.Input<boolean>;
  /** Timeout of each request to DNN, in milliseconds (100 to 600000). Default 30000. */
  readonly timeoutMs?: pulumi.Input<number>;
}

/** The fields of `SiteArgs`. */
export const SITE_FIELDS: readonly string[] = [
  "url",
  "username",
  "password",
  "apiToken",
  "caCert",
  "insecureSkipVerify",
  "timeoutMs",
] satisfies ReadonlyArray<keyof SiteArgs>;

/** The secret keys a site adds to a resource; list them in `additionalSecretOutputs`. */
export const SITE_SECRET_KEYS = ["sitePassword", "siteApiToken"] as const;

/** A secret when there is a value; nothing at all otherwise (no `[secret]` shown for nothing). */
function secretOrNothing(value: string | undefined): pulumi.Output<string> | undefined {
  return value === undefined ? undefined : pulumi.secret(value);
}

/** A credential given (a value or an Output) as a secret, or nothing when there is none. */
function secretInput(value: pulumi.Input<string> | undefined) {
  return value === undefined ? undefined : pulumi.output(value).apply(secretOrNothing);
}

export function siteProps(args: pulumi.Input<SiteArgs> | undefined) {
  if (args === undefined) return {};
  if (!pulumi.Output.isInstance(args) && !(args instanceof Promise)) {
    // A plain object (the usual case) splits without lifting the whole site into an
    // Output: each extra apply costs every resource of a large stack in preview.
    const { password, apiToken, ...rest } = args as SiteArgs;
    return { site: rest, sitePassword: secretInput(password), siteApiToken: secretInput(apiToken) };
  }
  const site = pulumi.output(args);
  return {
    // Picking the non-secret fields is what makes unsecret safe here.
    site: pulumi.unsecret(site.apply(({ password: _p, apiToken: _t, ...rest }) => rest)),
    sitePassword: site.apply((s) => secretOrNothing(s.password)),
    siteApiToken: site.apply((s) => secretOrNothing(s.apiToken)),
  };
}
