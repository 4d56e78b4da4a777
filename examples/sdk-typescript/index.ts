/**
 * The plugin face from TypeScript through the generated SDK (sdk/nodejs, the npm package
 * `@pulumi-dnn-smtp/dnn-smtp`): the same installation as examples/yaml — global settings,
 * the shop's own relay, the root site on the global settings. The classes, their argument
 * types and docs come from the plugin's schema; the resources are served by the resource
 * plugin `dnn-smtp`, so `pulumi import` and field-level diffs work.
 *
 * The installation and its superuser are the default provider's stack config
 * (dnn-smtp:url, dnn-smtp:username, dnn-smtp:password as a secret).
 */

import * as pulumi from "@pulumi/pulumi";
import * as dnnsmtp from "@pulumi-dnn-smtp/dnn-smtp";

const config = new pulumi.Config();

// The global (host) settings every site in mode "h" uses; anonymous relay, no password.
const global = new dnnsmtp.SmtpSettings("global", {
  scope: "global",
  server: config.get("relayServer") ?? "relay.example.com:587",
  connectionLimit: 4,
  maxIdleTime: 100_000,
  messageBatchSize: 50,
  precheck: { level: "none" },
  onDelete: "retain",
});

// The shop's own settings: a relay with a login, proven before DNN is written.
const shop = new dnnsmtp.SmtpSettings("shop", {
  site: { url: config.require("shopUrl") },
  scope: "site",
  server: config.get("shopRelayServer") ?? "smtp.shop.example.com:587",
  authentication: "basic",
  username: "shop@example.com",
  password: config.requireSecret("shopRelayPassword"),
  connectionLimit: 2,
  maxIdleTime: 100_000,
  precheck: { level: config.get("precheckLevel") ?? "auth" },
});

// The root site sends through the global settings.
const root = new dnnsmtp.UseGlobalSmtpSettings(
  "root",
  { onDelete: "retain" },
  { dependsOn: [global] },
);

export const apiGeneration = global.apiGeneration;
export const shopMode = shop.mode;
export const shopServer = shop.server;
export const shopPrecheck = shop.precheckSummary;
export const rootMode = root.mode;
