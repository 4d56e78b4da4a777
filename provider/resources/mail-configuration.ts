/**
 * `DnnMailConfiguration`: one environment's whole SMTP configuration (the global settings
 * plus each site's) as one component, so a per-environment program stays a few lines and
 * the environment's configuration can live in its stack config as one structured value.
 *
 * A site declared `use: "global"` gets a `UseGlobalSmtpSettings` child, which holds it on
 * the global settings (and reports it when someone gives it its own by hand). A site
 * switched from its own settings to `use: "global"` loses its `SmtpSettings` child (whose
 * delete reverts the site to the global settings) and gains the other.
 */
import * as pulumi from "@pulumi/pulumi";
import { DnnSmtpError, type FieldProblem } from "../errors";
import { SETTINGS_FIELDS, shortKey, unknownKeyMessage } from "../settings";
import { SITE_FIELDS, type SiteArgs } from "./site-props";
import { SmtpSettings, type SmtpSettingsArgs } from "./smtp-settings";
import { UseGlobalSmtpSettings } from "./use-global-settings";

/** Settings of one scope, without the scope and site (the component sets those). */
export type ScopeSettingsArgs = Omit<SmtpSettingsArgs, "scope" | "site">;

/** A site that uses its own SMTP settings (DNN mode `p`). */
export type OwnSiteMailArgs = { readonly url: string; readonly use?: "own" } & Omit<
  ScopeSettingsArgs,
  "onDelete"
>;

/** A site that uses the global settings (DNN mode `h`), held there by a `UseGlobalSmtpSettings`. */
export interface GlobalSiteMailArgs {
  readonly url: string;
  readonly use: "global";
}

/**
 * A site of the environment: its own settings, or `use: "global"`. `url` is absolute
 * (`https://example.com/shop`) or a path (`/shop`) under the installation's URL.
 */
export type SiteMailArgs = OwnSiteMailArgs | GlobalSiteMailArgs;

/** The accepted values of a site's `use`. Default `"own"`. */
export const SITE_USES = ["own", "global"] as const;

export interface DnnMailConfigurationArgs {
  /**
   * The installation: URL of the site through which global settings are written (usually
   * the root site) and the credentials used for every site. Each field defaults as for
   * `SmtpSettings`: stack config `dnn:*`, then the environment `DNN_*`.
   */
  readonly installation?: SiteArgs;
  /** The global (host) settings; omit to leave them unmanaged. */
  readonly global?: ScopeSettingsArgs;
  /**
   * Sites by a short name (letters, digits, `-`, `_`; used in resource names). A site with
   * `use: "global"` is held on the global settings; any other site gets its own settings.
   */
  readonly sites?: Readonly<Record<string, SiteMailArgs>>;
}

const SITE_KEY = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

/** The keys of the component's arguments, and of each part (the names typos are matched against). */
const ARGS_KEYS = ["installation", "global", "sites"];
const SCOPE_KEYS = [...SETTINGS_FIELDS.filter((f) => f !== "scope"), "precheck", "onDelete"];
const OWN_SITE_KEYS = ["url", "use", ...SCOPE_KEYS.filter((k) => k !== "onDelete")];
const GLOBAL_SITE_KEYS = ["url", "use"];

/**
 * Mistakes in the environment's configuration, named by their paths (`sites.shop.use`).
 * The error carries Pulumi's RunError mark and a stack that is only the message: the
 * CLI then prints the sentence, not a Node stack trace.
 */
function configurationError(problems: readonly FieldProblem[]): DnnSmtpError {
  const lines = problems.map((p) => `${p.field}: ${p.message}`);
  const error = new DnnSmtpError(
    "INVALID_SETTINGS",
    `DnnMailConfiguration: ${lines.join("\nDnnMailConfiguration: ")}`,
    { field: problems[0]?.field },
  );
  error.stack = error.message;
  // What `pulumi.RunError.isInstance` looks for (it works across copies of the SDK).
  Object.defineProperty(error, "__pulumiRunError", { value: true });
  return error;
}

function problem(field: string, message: string): DnnSmtpError {
  return configurationError([{ field, message }]);
}

/** A plain object whose keys can be checked (not an Output, whose keys are not known yet). */
function plainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !pulumi.Output.isInstance(value)
  );
}

/** Keys of `value` not in `accepted`, each named with the closest accepted one. */
function unknownKeys(
  path: string,
  value: unknown,
  accepted: readonly string[],
  what: string,
): FieldProblem[] {
  if (!plainObject(value)) return [];
  return Object.keys(value)
    .filter((k) => !accepted.includes(k))
    .map((k) => ({
      field: `${path}${shortKey(k)}`,
      message: unknownKeyMessage(k, accepted, what),
    }));
}

/** Every key of the configuration that is not a known one (typos fail before anything runs). */
function configurationKeyProblems(args: DnnMailConfigurationArgs): FieldProblem[] {
  const problems = unknownKeys("", args, ARGS_KEYS, "an argument of DnnMailConfiguration");
  problems.push(...unknownKeys("installation.", args.installation, SITE_FIELDS, "a site field"));
  problems.push(...unknownKeys("global.", args.global, SCOPE_KEYS, "a setting of global"));
  if (plainObject(args.global)) {
    for (const set of ["scope", "site"])
      if (set in args.global)
        problems.push({
          field: `global.${set}`,
          message:
            set === "scope"
              ? 'is set by the component ("global"); remove it'
              : "is set by the component from installation; remove it",
        });
  }
  if (plainObject(args.sites)) {
    for (const [key, site] of Object.entries(args.sites as Record<string, unknown>)) {
      const accepted =
        plainObject(site) && site.use === "global" ? GLOBAL_SITE_KEYS : OWN_SITE_KEYS;
      // onDelete is refused below with its own reason.
      problems.push(
        ...unknownKeys(`sites.${key}.`, site, [...accepted, "onDelete"], "a field of a site"),
      );
    }
  }
  return problems;
}

/** The installation URL as the resources will resolve it: args, then `dnn:url`, then `DNN_URL`. */
function installationUrl(installation: SiteArgs): pulumi.Input<string> | undefined {
  return installation.url ?? new pulumi.Config("dnn").get("url") ?? process.env.DNN_URL;
}

/** `/shop` → `<installation URL>/shop`; absolute URLs stay as they are. */
function siteUrl(key: string, url: unknown, installation: SiteArgs): pulumi.Input<string> {
  if (typeof url !== "string" || url.trim() === "")
    throw problem(`sites.${key}.url`, "is required: the site's URL, or a path such as /shop");
  if (!url.startsWith("/")) return url;
  const base = installationUrl(installation);
  if (!base)
    throw problem(
      `sites.${key}.url`,
      `is the path ${JSON.stringify(url)}, but the installation URL is unknown: set installation.url, the stack config dnn:url, or DNN_URL`,
    );
  return typeof base === "string"
    ? `${base.replace(/\/+$/, "")}${url}`
    : pulumi.output(base).apply((b) => `${b.replace(/\/+$/, "")}${url}`);
}

/** A site of the configuration, checked: its URL resolved, its use, its own settings. */
interface DeclaredSite {
  readonly key: string;
  readonly url: pulumi.Input<string>;
  readonly use: "own" | "global";
  readonly settings: Omit<OwnSiteMailArgs, "url" | "use">;
}

/** The configuration's sites, each checked; a problem throws, naming the key. */
function declaredSites(
  sites: Readonly<Record<string, SiteMailArgs>>,
  installation: NonNullable<DnnMailConfigurationArgs["installation"]>,
): DeclaredSite[] {
  const seen = new Map<string, string>();
  return Object.entries(sites).map(([key, site]) => {
    if (!SITE_KEY.test(key))
      throw problem(`sites.${key}`, "site names take letters, digits, - and _ (at most 63)");
    const use = site.use ?? "own";
    if (!(SITE_USES as readonly string[]).includes(use))
      throw problem(`sites.${key}.use`, `must be "own" or "global"; got ${JSON.stringify(use)}`);
    const url = siteUrl(key, site.url, installation);
    // A path under an installation URL that is not known yet compares as the path.
    const normalized = (typeof url === "string" ? url : String(site.url))
      .toLowerCase()
      .replace(/\/+$/, "");
    const twin = seen.get(normalized);
    if (twin)
      throw problem(
        `sites.${key}.url`,
        `is the same site as sites.${twin} (${url}); declare each site once`,
      );
    seen.set(normalized, key);
    const { url: _url, use: _use, ...settings } = site as OwnSiteMailArgs;
    if (use === "own" && "onDelete" in settings)
      throw problem(
        `sites.${key}.onDelete`,
        'is not taken: a site removed from the configuration (or switched to use "global") goes back to the global settings',
      );
    return { key, url, use: use as "own" | "global", settings };
  });
}

/**
 * Creates the `SmtpSettings` resources of one environment as children of one component:
 * `<name>-global` for the global settings and `<name>-<site>` for each site with its own
 * settings, written after the global ones.
 *
 * @example
 * ```ts
 * const config = new pulumi.Config();
 * new DnnMailConfiguration(pulumi.getStack(), config.requireObject<DnnMailConfigurationArgs>("mail"));
 * ```
 */
export class DnnMailConfiguration extends pulumi.ComponentResource {
  /** The global settings resource, when `global` was given. */
  readonly global?: SmtpSettings;
  /** One resource per site with its own settings, by the names given in `sites`. */
  readonly sites: Readonly<Record<string, SmtpSettings>>;
  /** The names of the sites declared `use: "global"`. */
  readonly sitesOnGlobal: readonly string[];
  /** One resource per site declared `use: "global"`, by the names given in `sites`. */
  readonly globalSites: Readonly<Record<string, UseGlobalSmtpSettings>>;
  /** The mode DNN reports for each declared site after the update: `p` own settings, `h` global. */
  readonly siteModes: pulumi.Output<Record<string, string>>;

  constructor(
    name: string,
    args: DnnMailConfigurationArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("dnn:index:DnnMailConfiguration", name, {}, opts);
    const keyProblems = configurationKeyProblems(args);
    if (keyProblems.length > 0) throw configurationError(keyProblems);
    const installation = args.installation ?? {};
    if (args.global) {
      this.global = new SmtpSettings(
        `${name}-global`,
        // Without `installation`, `site` stays unset: every connection detail then comes
        // from the stack config or the environment, as for a plain SmtpSettings.
        { ...args.global, scope: "global", site: args.installation },
        { parent: this },
      );
    }

    const sites: Record<string, SmtpSettings> = {};
    const globalSites: Record<string, UseGlobalSmtpSettings> = {};
    // Global settings first. The provider serializes writes to one site anyway; the order
    // also makes the preview and the failures read in the order DNN sees them.
    const afterGlobal = { parent: this, dependsOn: this.global ? [this.global] : [] };
    for (const site of declaredSites(args.sites ?? {}, installation)) {
      const where = { ...installation, url: site.url };
      if (site.use === "global") {
        globalSites[site.key] = new UseGlobalSmtpSettings(
          `${name}-${site.key}`,
          { site: where },
          afterGlobal,
        );
      } else {
        sites[site.key] = new SmtpSettings(
          `${name}-${site.key}`,
          { ...site.settings, scope: "site", site: where },
          afterGlobal,
        );
      }
    }
    const onGlobal = Object.keys(globalSites);
    this.sites = sites;
    this.globalSites = globalSites;
    this.sitesOnGlobal = onGlobal;
    const modes: Record<string, pulumi.Output<string>> = {};
    for (const [key, resource] of [...Object.entries(sites), ...Object.entries(globalSites)]) {
      modes[key] = resource.mode;
    }
    this.siteModes = pulumi.output(modes);
    this.registerOutputs({
      global: this.global,
      sites,
      globalSites,
      sitesOnGlobal: onGlobal,
      siteModes: this.siteModes,
    });
  }
}
