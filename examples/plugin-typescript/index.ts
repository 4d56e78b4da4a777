/**
 * The plugin face from TypeScript: the same SMTP settings as examples/quickstart, served by
 * the resource plugin `dnn-smtp` instead of the package's dynamic resources. Choose it when a
 * TypeScript program wants what only the plugin gives: `pulumi import` of what an
 * installation holds, a field-level diff (`~ password` alone), explicit providers per
 * installation. The generated SDK (`pulumi package add dnn-smtp`) gives the same classes;
 * this example declares the two it uses by hand, with the package's argument types.
 */
import * as pulumi from "@pulumi/pulumi";
import type { SmtpSettingsArgs } from "pulumi-dnn-smtp";

/** The plugin's `site`: the URL and user; the credentials are the provider's or `sitePassword`. */
interface PluginSite {
  readonly url?: string;
  readonly username?: string;
  readonly caCert?: string;
  readonly insecureSkipVerify?: boolean;
  readonly timeoutMs?: number;
}

type PluginSmtpSettingsArgs = Omit<SmtpSettingsArgs, "site"> & {
  readonly site?: pulumi.Input<PluginSite>;
  readonly sitePassword?: pulumi.Input<string>;
};

/** `dnn-smtp:index:SmtpSettings`, the plugin's resource (see the package README). */
class SmtpSettings extends pulumi.CustomResource {
  declare readonly server: pulumi.Output<string>;
  declare readonly mode: pulumi.Output<string>;
  declare readonly portalName: pulumi.Output<string>;
  declare readonly apiGeneration: pulumi.Output<string>;
  declare readonly precheckSummary: pulumi.Output<string>;

  constructor(name: string, args: PluginSmtpSettingsArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "dnn-smtp:index:SmtpSettings",
      name,
      // Output-only properties are declared (undefined) so that they come back.
      {
        ...args,
        mode: undefined,
        portalName: undefined,
        apiGeneration: undefined,
        precheckSummary: undefined,
      },
      // The plugin marks password and oauth secret in its state; the SDK does this too.
      { ...opts, additionalSecretOutputs: ["password", "oauth", "sitePassword"] },
    );
  }
}

/** `pulumi:providers:dnn-smtp`: one DNN installation and its superuser. */
class Provider extends pulumi.ProviderResource {
  constructor(
    name: string,
    args: {
      url: pulumi.Input<string>;
      username?: pulumi.Input<string>;
      password?: pulumi.Input<string>;
    },
    opts?: pulumi.ResourceOptions,
  ) {
    super(
      "dnn-smtp",
      name,
      { ...args, password: args.password && pulumi.secret(args.password) },
      opts,
    );
  }
}

const config = new pulumi.Config();

// The installation: an explicit provider, its password a secret from the stack config.
const installation = new Provider("installation", {
  url: config.require("dnnUrl"),
  username: config.require("dnnUsername"),
  password: config.requireSecret("dnnPassword"),
});

// Global scope: every site in mode "h" uses these.
const global = new SmtpSettings(
  "global",
  {
    scope: "global",
    server: config.get("relayServer") ?? "relay.example.com:587",
    connectionLimit: 4,
    maxIdleTime: 100_000,
    messageBatchSize: 50,
    precheck: { level: "none" },
  },
  { provider: installation },
);

// Site scope: the shop uses its own relay, proven before DNN is written.
const shop = new SmtpSettings(
  "shop",
  {
    site: { url: config.require("shopUrl") },
    scope: "site",
    server: config.require("shopRelayServer"),
    authentication: "basic",
    username: "shop@example.com",
    password: config.requireSecret("shopRelayPassword"),
    connectionLimit: 2,
    maxIdleTime: 100_000,
    precheck: { level: config.get("precheckLevel") === "none" ? "none" : "auth" },
  },
  { provider: installation },
);

export const apiGeneration = global.apiGeneration;
export const shopMode = shop.mode;
export const shopPrecheck = shop.precheckSummary;
