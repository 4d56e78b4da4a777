/**
 * Quickstart: the global SMTP settings of a DNN installation, plus the /shop site with its
 * own relay. `pulumi up` proves each relay works (the global one by sending a test mail),
 * writes the settings through DNN's Persona Bar API and reads them back.
 *
 * Stack config:
 *   dnn:url, dnn:username, dnn:password (secret)   the DNN root site and a superuser
 *   relay, relayUser, relayPassword (secret)        the global relay, `host:port`
 *   shopRelay, shopRelayUser, shopRelayPassword     the /shop site's own relay
 *   hostEmail, testRecipient                        sender of host mails; who gets the test mail
 *   relayCaCert (optional)                          PEM of a private CA the relays use
 */
import * as pulumi from "@pulumi/pulumi";
import { SmtpSettings } from "pulumi-dnn-smtp";

const config = new pulumi.Config();
const dnnUrl = new pulumi.Config("dnn").require("url");
const tls = { ca: config.get("relayCaCert") };

// Global scope: every site in mode "h" sends through this relay. `site` is omitted, so the
// dnn:url / dnn:username / dnn:password config says where and who.
const global = new SmtpSettings("global", {
  scope: "global",
  server: config.require("relay"),
  authentication: "basic",
  username: config.require("relayUser"),
  password: config.requireSecret("relayPassword"),
  enableSsl: true,
  hostEmail: config.require("hostEmail"),
  precheck: { level: "send", recipient: config.require("testRecipient"), tls },
});

// Site scope: the shop sends through its own relay (its mode becomes "p").
const shop = new SmtpSettings(
  "shop",
  {
    site: { url: `${dnnUrl}/shop` },
    scope: "site",
    server: config.require("shopRelay"),
    authentication: "basic",
    username: config.require("shopRelayUser"),
    password: config.requireSecret("shopRelayPassword"),
    enableSsl: true,
    precheck: { tls },
  },
  { dependsOn: global },
);

export const globalServer = global.server;
export const shopServer = shop.server;
export const shopMode = shop.mode;
export const dnnVersion = global.apiGeneration;
export const precheck = { global: global.precheckSummary, shop: shop.precheckSummary };
