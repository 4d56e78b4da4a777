/**
 * Multi-environment GitOps: one program for every DNN installation (stacks dev, staging,
 * prod). Everything that differs between environments is data in the stack's config file,
 * `Pulumi.<stack>.yaml`: the installation URL, the global SMTP settings, and each site's
 * settings (its own, or `use: global`), relay passwords encrypted as secrets. A pull request
 * changes that file; CI previews the diff and, once merged, runs `pulumi up`.
 *
 * Stack config:
 *   dnn:url, dnn:username     the installation (root site) and the user Pulumi logs in as
 *   mail                      { global, sites }: see DnnMailConfigurationArgs
 * Environment (from the CI's secret store):
 *   DNN_PASSWORD              that user's password
 *   PULUMI_CONFIG_PASSPHRASE  decrypts the secrets in the stack file
 */
import * as pulumi from "@pulumi/pulumi";
import { DnnMailConfiguration, type DnnMailConfigurationArgs } from "pulumi-dnn-smtp";

const config = new pulumi.Config();
const mail = new DnnMailConfiguration(
  pulumi.getStack(),
  config.requireObject<DnnMailConfigurationArgs>("mail"),
);

export const globalServer = mail.global?.server;
export const sitesOnGlobal = mail.sitesOnGlobal;
export const siteModes = mail.siteModes;
export const precheck = mail.global?.precheckSummary;
