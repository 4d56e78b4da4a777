/**
 * `DnnMailConfiguration`: one environment's whole SMTP configuration (the global settings
 * plus each site's) as one component, so a per-environment program stays a few lines.
 */
import * as pulumi from "@pulumi/pulumi";
import { type SiteArgs, SmtpSettings, type SmtpSettingsArgs } from "./smtp-settings";

/** Settings of one scope, without the scope and site (the component sets those). */
export type ScopeSettingsArgs = Omit<SmtpSettingsArgs, "scope" | "site">;

/** A site of the environment: its own settings, or `"global"` to use the global ones. */
export type SiteMailArgs = { readonly url: string } & (
  | ({ readonly use?: "own" } & Omit<ScopeSettingsArgs, "onDelete">)
  | { readonly use: "global" }
);

export interface DnnMailConfigurationArgs {
  /**
   * The installation: URL of the site through which global settings are written (usually
   * the root site) and the credentials used for every site. Defaults as for `SmtpSettings`.
   */
  readonly installation?: SiteArgs;
  /** The global (host) settings; omit to leave them unmanaged. */
  readonly global?: ScopeSettingsArgs;
  /**
   * Sites by a short name (used in resource names). A site with `use: "global"` is kept on
   * the global settings; any other site gets its own settings.
   */
  readonly sites?: Readonly<Record<string, SiteMailArgs>>;
}

/**
 * Creates the `SmtpSettings` resources of one environment as children of one component.
 *
 * @example
 * ```ts
 * const cfg = new pulumi.Config();
 * new DnnMailConfiguration("prod", cfg.requireObject<DnnMailConfigurationArgs>("mail"));
 * ```
 */
export class DnnMailConfiguration extends pulumi.ComponentResource {
  /** The global settings resource, when `global` was given. */
  readonly global?: SmtpSettings;
  /** One resource per site, by the names given in `sites`. */
  readonly sites: Readonly<Record<string, SmtpSettings>>;

  constructor(
    name: string,
    args: DnnMailConfigurationArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("dnn:index:DnnMailConfiguration", name, {}, opts);
    const installation = args.installation ?? {};
    if (args.global) {
      this.global = new SmtpSettings(
        `${name}-global`,
        { ...args.global, scope: "global", site: installation },
        { parent: this },
      );
    }
    const sites: Record<string, SmtpSettings> = {};
    for (const [key, site] of Object.entries(args.sites ?? {})) {
      if (site.use === "global") continue;
      const { url, use: _use, ...settings } = site;
      sites[key] = new SmtpSettings(
        `${name}-${key}`,
        { ...settings, scope: "site", site: { ...installation, url } },
        // Global settings first: a site write must not race the host write.
        { parent: this, dependsOn: this.global ? [this.global] : [] },
      );
    }
    this.sites = sites;
    this.registerOutputs({ global: this.global, sites });
  }
}
