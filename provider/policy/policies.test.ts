import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import {
  basicAuthNeedsSsl,
  checkResource,
  checkSmtpSettings,
  effectivePrecheckLevel,
  noImplicitTlsPortWithCore,
  POLICIES,
  productionPrecheck,
  SECRET_FIELDS,
  secretsAreMarked,
  stackOfUrn,
  USE_GLOBAL_SMTP_SETTINGS_TYPE,
} from "./policies";

/** What `SmtpSettings` sends: secrets listed in additionalSecretOutputs. */
const MARKED = [...SECRET_FIELDS];
const safe = {
  props: {
    scope: "global",
    server: "relay.example.com:587",
    authentication: "basic",
    username: "dnn@example.com",
    password: "s3cret",
    enableSsl: true,
    precheck: { level: "auth", mailProvider: "core" },
  },
  additionalSecretOutputs: MARKED,
  stack: "prod",
};

describe("the policy rules", () => {
  test("a safe production configuration passes every rule", () => {
    expect(checkSmtpSettings(safe)).toEqual([]);
  });

  test("the rule names are pinned (teams require them by name)", () => {
    expect(POLICIES.map((p) => p.name)).toEqual([
      "dnn-smtp-basic-auth-needs-ssl",
      "dnn-smtp-password-is-secret",
      "dnn-smtp-no-465-with-core-provider",
      "dnn-smtp-production-precheck",
    ]);
  });

  test("basic auth without SSL names enableSsl; absent enableSsl counts as false", () => {
    const withoutSsl = { ...safe, props: { ...safe.props, enableSsl: false } };
    expect(basicAuthNeedsSsl(withoutSsl)).toEqual([
      { field: "enableSsl", message: expect.stringContaining('authentication is "basic"') },
    ]);
    const { enableSsl: _e, ...rest } = safe.props;
    expect(basicAuthNeedsSsl({ props: rest })).toHaveLength(1);
    expect(basicAuthNeedsSsl({ props: { ...rest, authentication: "anonymous" } })).toEqual([]);
    expect(basicAuthNeedsSsl({ props: { server: "relay", authentication: "ntlm" } })).toEqual([]);
  });

  test("secret fields not marked secret are named, each one", () => {
    expect(secretsAreMarked({ props: safe.props, additionalSecretOutputs: [] })).toEqual([
      { field: "password", message: expect.stringMatching(/^must be a secret/) },
    ]);
    const withAll = {
      ...safe.props,
      oauth: { provider: "GoogleMail", settings: {} },
      sitePassword: "x",
      siteApiToken: "y",
    };
    expect(
      secretsAreMarked({ props: withAll, additionalSecretOutputs: ["password"] }).map(
        (v) => v.field,
      ),
    ).toEqual(["oauth", "sitePassword", "siteApiToken"]);
    expect(secretsAreMarked({ props: withAll, additionalSecretOutputs: MARKED })).toEqual([]);
  });

  test("credentials inside the plain site input are refused", () => {
    const props = { ...safe.props, site: { url: "https://example.com", password: "p" } };
    expect(secretsAreMarked({ props, additionalSecretOutputs: MARKED })).toEqual([
      { field: "site.password", message: expect.stringMatching(/^must be a secret/) },
    ]);
  });

  test("UseGlobalSmtpSettings: its site credentials must be marked secret too; no SMTP rule applies", () => {
    const props = {
      site: { url: "https://example.com/blog", username: "admin" },
      sitePassword: "Site-Pw-1",
      onDelete: "retain",
    };
    const check = (marked: string[], stack = "prod") =>
      checkResource(USE_GLOBAL_SMTP_SETTINGS_TYPE, {
        props,
        additionalSecretOutputs: marked,
        stack,
      }).map((v) => `${v.policy} ${v.field}`);
    expect(check([])).toEqual(["dnn-smtp-password-is-secret sitePassword"]);
    expect(check(["sitePassword", "siteApiToken"])).toEqual([]);
    // Credentials inside the plain site input (a raw registration) are refused as well.
    const raw = { props: { site: { url: "https://example.com/blog", password: "p" } } };
    expect(checkResource(USE_GLOBAL_SMTP_SETTINGS_TYPE, raw).map((v) => v.field)).toEqual([
      "site.password",
    ]);
    expect(checkResource("pulumi-nodejs:dynamic/other:Thing", raw)).toEqual([]);
  });

  test("no password, nothing to mark", () => {
    const props = { scope: "global", server: "relay", authentication: "anonymous", password: "" };
    expect(secretsAreMarked({ props })).toEqual([]);
  });

  test("port 465 with the core provider is refused, declared or by default", () => {
    const on465 = { ...safe, props: { ...safe.props, server: "relay.example.com:465" } };
    expect(noImplicitTlsPortWithCore(on465)).toEqual([
      { field: "server", message: expect.stringContaining("port 465") },
    ]);
    const { precheck: _p, ...noPrecheck } = on465.props;
    expect(noImplicitTlsPortWithCore({ props: noPrecheck })).toHaveLength(1);
    // Even with precheck level none, which the resource's own check lets through.
    expect(
      noImplicitTlsPortWithCore({ props: { ...noPrecheck, precheck: { level: "none" } } }),
    ).toHaveLength(1);
    const mailkit = { ...noPrecheck, precheck: { mailProvider: "mailkit" } };
    expect(noImplicitTlsPortWithCore({ props: mailkit })).toEqual([]);
    // OAuth defaults to MailKit.
    expect(
      noImplicitTlsPortWithCore({ props: { ...noPrecheck, authentication: "oauth" } }),
    ).toEqual([]);
    expect(noImplicitTlsPortWithCore({ props: { server: "relay.example.com" } })).toEqual([]);
    expect(noImplicitTlsPortWithCore({ props: { server: "not a host:465" } })).toEqual([]);
  });

  test("production stacks need precheck auth or send", () => {
    const connect = { ...safe, props: { ...safe.props, precheck: { level: "connect" } } };
    expect(productionPrecheck(connect)).toEqual([
      { field: "precheck.level", message: expect.stringContaining('production stack "prod"') },
    ]);
    expect(
      productionPrecheck({ ...connect, props: { ...connect.props, precheck: { level: "none" } } }),
    ).toHaveLength(1);
    expect(productionPrecheck({ ...connect, stack: "staging" })).toEqual([]);
    expect(productionPrecheck({ ...connect, stack: "PROD" })).toHaveLength(1);
    expect(
      productionPrecheck({ ...connect, stack: "live" }, { productionStacks: ["live"] }),
    ).toHaveLength(1);
    expect(productionPrecheck(connect, { productionStacks: ["live"] })).toEqual([]);
    const send = { ...safe, props: { ...safe.props, precheck: { level: "send" } } };
    expect(productionPrecheck(send)).toEqual([]);
  });

  test("the default precheck level follows the package: auth with credentials, else connect", () => {
    expect(effectivePrecheckLevel({ authentication: "basic" })).toBe("auth");
    expect(effectivePrecheckLevel({ authentication: "oauth" })).toBe("auth");
    expect(effectivePrecheckLevel({})).toBe("connect");
    expect(effectivePrecheckLevel({ authentication: "ntlm" })).toBe("connect");
    expect(effectivePrecheckLevel({ precheck: { via: "dnn" } })).toBe("send");
    // An anonymous production relay by default is only "connect": refused.
    expect(
      productionPrecheck({ props: { authentication: "anonymous" }, stack: "prod" }),
    ).toHaveLength(1);
  });

  test("the stack comes from the URN", () => {
    expect(
      stackOfUrn(
        "urn:pulumi:prod::envs::dnn:index:DnnMailConfiguration$pulumi-nodejs:dynamic/dnn:SmtpSettings::prod-global",
      ),
    ).toBe("prod");
    expect(stackOfUrn("nonsense")).toBe("");
  });

  test("every violation names its rule and field", () => {
    const unsafe = {
      props: {
        ...safe.props,
        server: "relay.example.com:465",
        enableSsl: false,
        precheck: { level: "connect" },
      },
      additionalSecretOutputs: [],
      stack: "prod",
    };
    expect(checkSmtpSettings(unsafe).map((v) => `${v.policy} ${v.field}`)).toEqual([
      "dnn-smtp-basic-auth-needs-ssl enableSsl",
      "dnn-smtp-password-is-secret password",
      "dnn-smtp-no-465-with-core-provider server",
      "dnn-smtp-production-precheck precheck.level",
    ]);
  });

  test("the shipped pack carries the package's version (@pulumi/policy reads it from there)", () => {
    const root = join(__dirname, "../..");
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    const pack = JSON.parse(readFileSync(join(root, "policy-pack/package.json"), "utf8"));
    expect(pack.version).toBe(pkg.version);
    expect(pkg.files).toContain("policy-pack");
  });
});
