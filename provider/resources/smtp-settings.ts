/**
 * `SmtpSettings`: the SMTP settings of one DNN scope (global, or one site) as a Pulumi
 * resource. The public face of the package; the work happens in `lifecycle.ts`.
 */
import * as pulumi from "@pulumi/pulumi";

import provider = require("../dynamic-provider");

import type {
  ApiGeneration,
  Authentication,
  HeldSettings,
  OnDelete,
  PrecheckArgs,
  PreviousSettingsOutput,
  Scope,
  SmtpMode,
  SmtpSettingsInput,
} from "../model";
import { SMTP_SETTINGS_OUTPUT_KEYS } from "./output-keys";
import { SITE_SECRET_KEYS, type SiteArgs, siteProps } from "./site-props";
import { pauseStackTraces } from "./stack-traces";

export type { PrecheckArgs, SiteArgs };

/**
 * The arguments of `SmtpSettings`: the settings model's fields (each a `pulumi.Input`,
 * documented on `SmtpSettingsInput`), plus where and how.
 */
export type SmtpSettingsArgs = {
  readonly [K in keyof SmtpSettingsInput]: pulumi.Input<SmtpSettingsInput[K]>;
} & {
  /** The DNN site; may be omitted when stack config or the environment names it. */
  readonly site?: pulumi.Input<SiteArgs>;
  /** The connection test run before writing. Default: `auth` level when credentials are given, else `connect`. */
  readonly precheck?: pulumi.Input<PrecheckArgs>;
  /**
   * What deleting the resource does: DNN settings cannot be deleted. `revert` (site scope
   * default): the site uses the global settings again. `retain` (global default): values
   * stay. `restore`: the values found before the first write are written back (a password
   * cannot be restored: the current one stays).
   */
  readonly onDelete?: pulumi.Input<OnDelete>;
};

/**
 * The SMTP settings of one DNN scope: the global (host) settings of an installation, or the
 * own settings of one site. `pulumi up` proves the settings with a precheck, writes them
 * through DNN's Persona Bar API and reads them back; `pulumi refresh` reports changes made
 * by hand. The password is always a secret.
 *
 * @example
 * ```ts
 * new SmtpSettings("shop-mail", {
 *   site: { url: "https://example.com/shop" },
 *   scope: "site",
 *   server: "smtp.example.com:587",
 *   authentication: "basic",
 *   username: "shop@example.com",
 *   password: config.requireSecret("smtpPassword"),
 *   enableSsl: true,
 * });
 * ```
 */
export class SmtpSettings extends pulumi.dynamic.Resource {
  declare readonly scope: pulumi.Output<Scope>;
  /** The server as DNN stores it: `host` (port 25) or `host:port`. */
  declare readonly server: pulumi.Output<string>;
  /** As declared; undeclared, the site keeps its own value, shown in `held`. */
  declare readonly connectionLimit: pulumi.Output<number | undefined>;
  /** As declared; undeclared, the site keeps its own value, shown in `held`. */
  declare readonly maxIdleTime: pulumi.Output<number | undefined>;
  /** As declared (global scope); undeclared, the site keeps its own value, shown in `held`. */
  declare readonly messageBatchSize: pulumi.Output<number | undefined>;
  declare readonly authentication: pulumi.Output<Authentication>;
  declare readonly username: pulumi.Output<string | undefined>;
  /** Secret. */
  declare readonly password: pulumi.Output<string | undefined>;
  declare readonly enableSsl: pulumi.Output<boolean>;
  /** As declared (global scope); undeclared, DNN's own value is shown in `held`. */
  declare readonly hostEmail: pulumi.Output<string | undefined>;
  /**
   * What DNN holds for the tuning fields this resource leaves undeclared (and so leaves as
   * they are): `connectionLimit`, `maxIdleTime`, and for global scope `messageBatchSize`, `hostEmail`.
   */
  declare readonly held: pulumi.Output<HeldSettings>;
  /** With `authentication: "oauth"`: whether DNN lists the provider as authorized (consent given). */
  declare readonly oauthAuthorized: pulumi.Output<boolean | undefined>;
  /** With `authentication: "oauth"`: where an administrator gives the provider its consent. */
  declare readonly authorizeUrl: pulumi.Output<string | undefined>;
  /** The DNN site's name. */
  declare readonly portalName: pulumi.Output<string>;
  /**
   * A coarse label of what the site's answers showed: `g1` clear-text passwords (DNN
   * 9.2–9.10), `g2` masked passwords (9.11–9.12), `g3` OAuth (9.13, 10.x). Informational:
   * the provider decides from each answer, never from this label.
   */
  declare readonly apiGeneration: pulumi.Output<ApiGeneration>;
  /** The mode of the site in the URL: `p` its own settings, `h` the global ones. */
  declare readonly mode: pulumi.Output<SmtpMode>;
  /** One line saying what the precheck proved. */
  declare readonly precheckSummary: pulumi.Output<string>;
  /**
   * What the site held before this resource first wrote to it (found by `create`, which
   * adopts the existing settings): the values `onDelete: "restore"` writes back. Never a
   * password, only `passwordSet`. Stays as found on later updates.
   */
  declare readonly previous: pulumi.Output<PreviousSettingsOutput | undefined>;

  constructor(name: string, args: SmtpSettingsArgs, opts?: pulumi.CustomResourceOptions) {
    const props = {
      ...args,
      password: args.password === undefined ? undefined : pulumi.secret(args.password),
      // OAuth settings carry client secrets.
      oauth: args.oauth === undefined ? undefined : pulumi.secret(args.oauth),
      site: undefined,
      ...siteProps(args.site),
      hostEmail: args.hostEmail,
      // Output-only keys must be present for the outputs to exist.
      ...Object.fromEntries(SMTP_SETTINGS_OUTPUT_KEYS.map((k) => [k, undefined])),
    };
    const traces = pauseStackTraces();
    try {
      super(
        provider,
        name,
        props,
        {
          ...opts,
          additionalSecretOutputs: [
            ...(opts?.additionalSecretOutputs ?? []),
            "password",
            "oauth",
            ...SITE_SECRET_KEYS,
          ],
        },
        "dnn",
        "SmtpSettings",
      );
    } catch (error) {
      throw traces.failed(error, new.target);
    } finally {
      traces.resume();
    }
  }
}
