/**
 * `UseGlobalSmtpSettings`: declares that a DNN site sends mail through the global (host)
 * settings, DNN's scope "Global" for that site (mode `h`).
 */
import * as pulumi from "@pulumi/pulumi";

import provider = require("../use-global-provider");

import type { ApiGeneration, SmtpMode, UseGlobalOnDelete } from "../model";
import { USE_GLOBAL_OUTPUT_KEYS } from "./output-keys";
import { SITE_SECRET_KEYS, type SiteArgs, siteProps } from "./site-props";
import { pauseStackTraces } from "./stack-traces";

export interface UseGlobalSmtpSettingsArgs {
  /** The site; may be omitted when stack config or the environment names it. */
  readonly site?: pulumi.Input<SiteArgs>;
  /**
   * What deleting the resource does. `retain` (default): the site stays on the global
   * settings. `restore`: if the site had its own settings before, it uses them again.
   */
  readonly onDelete?: pulumi.Input<UseGlobalOnDelete>;
}

/**
 * Holds one site on the global SMTP settings. `pulumi up` switches the site to them if it
 * uses its own (its own stored values stay, as DNN's UI leaves them); `pulumi refresh`
 * reports a site put back on its own settings by hand.
 *
 * @example
 * ```ts
 * new UseGlobalSmtpSettings("blog-mail", { site: { url: "https://example.com/blog" } });
 * ```
 */
export class UseGlobalSmtpSettings extends pulumi.dynamic.Resource {
  /** The site's mode as DNN reports it: `h` while it uses the global settings. */
  declare readonly mode: pulumi.Output<SmtpMode>;
  /** The mode the site had before this resource took it over. */
  declare readonly previousMode: pulumi.Output<SmtpMode>;
  declare readonly portalName: pulumi.Output<string>;
  declare readonly apiGeneration: pulumi.Output<ApiGeneration>;

  constructor(
    name: string,
    args: UseGlobalSmtpSettingsArgs = {},
    opts?: pulumi.CustomResourceOptions,
  ) {
    const props = {
      onDelete: args.onDelete,
      ...siteProps(args.site),
      // Output-only keys must be present for the outputs to exist.
      ...Object.fromEntries(USE_GLOBAL_OUTPUT_KEYS.map((k) => [k, undefined])),
    };
    const traces = pauseStackTraces();
    try {
      super(
        provider,
        name,
        props,
        {
          ...opts,
          additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...SITE_SECRET_KEYS],
        },
        "dnn",
        "UseGlobalSmtpSettings",
      );
    } catch (error) {
      throw traces.failed(error, new.target);
    } finally {
      traces.resume();
    }
  }
}
