/**
 * How a resource stores its site among its properties: the non-secret part readable (the
 * URL shows in diffs), the credentials under their own secret keys, absent ones absent.
 */
import * as pulumi from "@pulumi/pulumi";
import type { SiteArgs } from "../dnn/connection";

/** The secret keys a site adds to a resource; list them in `additionalSecretOutputs`. */
export const SITE_SECRET_KEYS = ["sitePassword", "siteApiToken"] as const;

/** A secret when there is a value; nothing at all otherwise (no `[secret]` shown for nothing). */
function secretOrNothing(value: string | undefined): pulumi.Output<string> | undefined {
  return value === undefined ? undefined : pulumi.secret(value);
}

export function siteProps(args: pulumi.Input<SiteArgs> | undefined) {
  if (args === undefined) return {};
  const site = pulumi.output(args);
  return {
    // Picking the non-secret fields is what makes unsecret safe here.
    site: pulumi.unsecret(site.apply(({ password: _p, apiToken: _t, ...rest }) => rest)),
    sitePassword: site.apply((s) => secretOrNothing(s.password)),
    siteApiToken: site.apply((s) => secretOrNothing(s.apiToken)),
  };
}
