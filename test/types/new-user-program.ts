/**
 * A program as a new user writes it, type-checked by `tsc` (never run). It compiles against
 * the package's source here (`npx tsc -p tsconfig.json`), and test/new-user-cli.test.ts
 * compiles the same code, importing "pulumi-dnn-smtp", against the packed package with
 * `pulumi new`'s tsconfig.
 * Issue 16 item 5: every `site` field takes a `pulumi.Input`, e.g. a secret from config.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  DnnMailConfiguration,
  type DnnMailConfigurationArgs,
  DnnSmtpError,
  ERROR_CODES,
  FIELDS,
  type PrecheckArgs,
  type PreviousSettingsOutput,
  type SiteArgs,
  SmtpSettings,
  type SmtpSettingsArgs,
  UseGlobalSmtpSettings,
  validateSettings,
} from "../../provider";

const config = new pulumi.Config();

// Every site field as an Output: a secret password, numbers and booleans from config.
const site: SiteArgs = {
  url: config.require("dnnUrl"),
  username: pulumi.output("host"),
  password: config.requireSecret("adminPw"),
  apiToken: config.getSecret("apiToken"),
  caCert: pulumi.output("-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----"),
  insecureSkipVerify: config.requireBoolean("insecure"),
  timeoutMs: config.requireNumber("timeoutMs"),
};

const precheck: PrecheckArgs = { level: "send", recipient: "ops@example.com" };

const args: SmtpSettingsArgs = {
  site,
  scope: "site",
  server: "smtp.example.com:587",
  authentication: "basic",
  username: "shop@example.com",
  password: config.requireSecret("relayPassword"),
  enableSsl: true,
  precheck,
  onDelete: "revert",
};
const mail = new SmtpSettings("shop-mail", args);

// The site inline, its password a secret straight from config.
new UseGlobalSmtpSettings("blog-mail", {
  site: { url: "https://example.com/blog", password: config.requireSecret("adminPw") },
});

new DnnMailConfiguration(pulumi.getStack(), config.requireObject<DnnMailConfigurationArgs>("mail"));

new SmtpSettings("typo", {
  scope: "global",
  server: "relay.example.com",
  // @ts-expect-error a misspelled field is a compile error too
  connectonLimit: 4,
});

export const previous: pulumi.Output<PreviousSettingsOutput | undefined> = mail.previous;
export const server: pulumi.Output<string> = mail.server;
export const fieldCount: number = Object.keys(FIELDS).length + Object.keys(ERROR_CODES).length;

const checked = validateSettings({ scope: "global", server: "relay.example.com" });
export const problems: string[] = checked.ok ? [] : checked.problems.map((p) => p.field);

export function isInvalid(error: unknown): boolean {
  return error instanceof DnnSmtpError && error.code === "INVALID_SETTINGS";
}
