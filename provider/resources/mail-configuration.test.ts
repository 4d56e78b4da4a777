/**
 * `DnnMailConfiguration` under Pulumi's mocks: which `SmtpSettings` children it registers,
 * with what inputs, parents, dependencies and secrets. Providers are never called under
 * mocks; the end-to-end run is in test/examples-multi-environment.test.ts.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import type * as PulumiSdk from "@pulumi/pulumi";
import { beforeAll, beforeEach, describe, expect, test } from "vitest";
import { EXAMPLES_DIR, examplesInstalled } from "../../test/support/plugin";
import type * as Component from "./mail-configuration";
import type { DnnMailConfigurationArgs } from "./mail-configuration";

// The package as users install it (examples/node_modules, built by the test set-up), with
// the one copy of @pulumi/pulumi it resolves: `smtp-settings.ts` requires its provider
// module at run time, which only exists compiled.
const ready = examplesInstalled();
const fromExamples = createRequire(join(EXAMPLES_DIR, "package.json"));
const pulumi: typeof PulumiSdk = ready ? fromExamples("@pulumi/pulumi") : ({} as typeof PulumiSdk);
const { DnnMailConfiguration }: typeof Component = ready
  ? fromExamples("pulumi-dnn-smtp/dist/provider/resources/mail-configuration")
  : ({} as typeof Component);
type DnnMailConfiguration = Component.DnnMailConfiguration;

interface Registered {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
}

let registered: Registered[] = [];
/** Resource name → the URNs its registration request depends on. */
const dependencies = new Map<string, string[]>();

beforeAll(async () => {
  if (!ready) return;
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        // The providers would report mode "p" for a site they wrote, "h" for one held on global.
        const mode = args.type.endsWith(":UseGlobalSmtpSettings")
          ? "h"
          : args.inputs.scope === "site"
            ? "p"
            : undefined;
        const state = mode ? { ...args.inputs, mode } : args.inputs;
        return { id: `${args.name}-id`, state };
      },
      call: (args) => args.inputs,
    },
    "mail-project",
    "prod",
    true,
  );
  // The mocks do not pass dependencies to `newResource`; read them off the requests.
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(
      req: { getName(): string; getDependenciesList(): string[] },
      cb: unknown,
    ): unknown;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    dependencies.set(req.getName(), req.getDependenciesList());
    return register(req, cb);
  };
});

beforeEach(() => {
  registered = [];
  if (ready) pulumi.runtime.setAllConfig({});
});

/** Resolves an output, secret or not, under mocks. */
function resolved<T>(output: PulumiSdk.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/** Waits until the registrations of the resources created so far have reached the mocks. */
async function settle(component: DnnMailConfiguration): Promise<void> {
  await resolved(component.urn);
  for (const child of [
    component.global,
    ...Object.values(component.sites),
    ...Object.values(component.globalSites),
  ])
    if (child) await resolved(child.id);
}

const relay = {
  server: "relay.example.com:587",
  authentication: "basic" as const,
  username: "dnn@example.com",
  password: "relay-secret",
  enableSsl: true,
};

const environment: DnnMailConfigurationArgs = {
  installation: { url: "https://dnn.example.com", username: "host" },
  global: { ...relay, hostEmail: "dnn@example.com" },
  sites: {
    shop: { url: "/shop", ...relay, server: "smtp.shop.example.com:587" },
    blog: { url: "https://dnn.example.com/blog", use: "global" },
  },
};

describe.skipIf(!ready)("DnnMailConfiguration", () => {
  test("creates the global settings and one resource per site with its own settings", async () => {
    const mail = new DnnMailConfiguration("prod", environment);
    await settle(mail);
    const smtp = registered.filter((r) => r.type === "pulumi-nodejs:dynamic/dnn:SmtpSettings");
    expect(smtp.map((r) => r.name)).toEqual(["prod-global", "prod-shop"]);
    expect(registered.map((r) => r.type)).toContain("dnn:index:DnnMailConfiguration");
    expect(smtp[0]?.inputs).toMatchObject({
      scope: "global",
      server: "relay.example.com:587",
      hostEmail: "dnn@example.com",
      site: { url: "https://dnn.example.com", username: "host" },
    });
    expect(smtp[1]?.inputs).toMatchObject({
      scope: "site",
      server: "smtp.shop.example.com:587",
      // A path is resolved under the installation URL.
      site: { url: "https://dnn.example.com/shop", username: "host" },
    });
    expect(smtp[1]?.inputs).not.toHaveProperty("use");
    expect(smtp[1]?.inputs).not.toHaveProperty("url");
    expect(Object.keys(mail.sites)).toEqual(["shop"]);
    expect(mail.sitesOnGlobal).toEqual(["blog"]);
    // A site on the global settings is held there by its own resource.
    const held = registered.filter(
      (r) => r.type === "pulumi-nodejs:dynamic/dnn:UseGlobalSmtpSettings",
    );
    expect(held.map((r) => r.name)).toEqual(["prod-blog"]);
    expect(held[0]?.inputs).toMatchObject({
      site: { url: "https://dnn.example.com/blog", username: "host" },
    });
  });

  test("children are parented to the component, sites depend on the global settings", async () => {
    const mail = new DnnMailConfiguration("prod", environment);
    await settle(mail);
    const shop = mail.sites.shop;
    expect(shop).toBeDefined();
    const urn = await resolved(shop?.urn as PulumiSdk.Output<string>);
    expect(urn).toBe(
      "urn:pulumi:prod::mail-project::dnn:index:DnnMailConfiguration$pulumi-nodejs:dynamic/dnn:SmtpSettings::prod-shop",
    );
    // What the engine is told: the site's registration lists the global resource's URN.
    const globalUrn = await resolved(mail.global?.urn as PulumiSdk.Output<string>);
    expect(dependencies.get("prod-shop")).toEqual([globalUrn]);
    expect(dependencies.get("prod-global")).toEqual([]);
    expect(registered.findIndex((r) => r.name === "prod-global")).toBeLessThan(
      registered.findIndex((r) => r.name === "prod-shop"),
    );
  });

  test("passwords reach the resources as secrets even when the config gave plain text", async () => {
    const mail = new DnnMailConfiguration("prod", environment);
    await settle(mail);
    const password = mail.global?.password as PulumiSdk.Output<string | undefined>;
    expect(await pulumi.isSecret(password)).toBe(true);
    expect(await pulumi.isSecret(mail.sites.shop?.password as PulumiSdk.Output<unknown>)).toBe(
      true,
    );
    expect(await resolved(password)).toBe("relay-secret");
  });

  test("siteModes lists what the providers reported for every declared site", async () => {
    const mail = new DnnMailConfiguration("prod", environment);
    await settle(mail);
    expect(await resolved(mail.siteModes)).toStrictEqual({ shop: "p", blog: "h" });
  });

  test("without global settings, sites stand alone; nothing at all is fine", async () => {
    const mail = new DnnMailConfiguration("dev", {
      installation: environment.installation,
      sites: environment.sites,
    });
    await settle(mail);
    expect(mail.global).toBeUndefined();
    const children = registered.filter((r) => r.type.includes("SmtpSettings")).map((r) => r.name);
    expect(children.sort()).toEqual(["dev-blog", "dev-shop"]);
    const empty = new DnnMailConfiguration("empty", {});
    await settle(empty);
    expect(Object.keys(empty.sites)).toEqual([]);
  });

  test("a site path resolves against dnn:url when no installation URL is given", async () => {
    pulumi.runtime.setAllConfig({ "dnn:url": "https://dnn.example.org/" });
    const mail = new DnnMailConfiguration("stage", {
      global: { server: "relay.example.org" },
      sites: { shop: { url: "/shop", server: "relay.example.org" } },
    });
    await settle(mail);
    expect(registered.find((r) => r.name === "stage-shop")?.inputs).toMatchObject({
      site: { url: "https://dnn.example.org/shop" },
    });
    // The global settings get no `site` at all: config and environment say where and who.
    expect(registered.find((r) => r.name === "stage-global")?.inputs).not.toHaveProperty("site");
  });

  test("mistakes in the structured config are named by their path", () => {
    const typed = (() => {
      try {
        new DnnMailConfiguration("typed", {
          sites: { shop: { url: "/shop", use: "x" as "global" } },
        });
      } catch (error) {
        return error as { code?: string; field?: string };
      }
    })();
    expect(typed).toMatchObject({ code: "INVALID_SETTINGS", field: "sites.shop.use" });
    const make = (sites: unknown) => () =>
      new DnnMailConfiguration("bad", {
        installation: { url: "https://dnn.example.com" },
        sites: sites as DnnMailConfigurationArgs["sites"],
      });
    expect(make({ shop: { url: "/shop", use: "globl" } })).toThrow(
      'DnnMailConfiguration: sites.shop.use: must be "own" or "global"; got "globl"',
    );
    expect(make({ shop: { server: "relay" } })).toThrow("sites.shop.url: is required");
    expect(make({ "my shop": { url: "/shop", use: "global" } })).toThrow("sites.my shop:");
    expect(
      make({
        a: { url: "/shop", use: "global" },
        b: { url: "https://dnn.example.com/shop/", use: "global" },
      }),
    ).toThrow("sites.b.url: is the same site as sites.a");
    expect(make({ shop: { url: "/shop", server: "relay", onDelete: "retain" } })).toThrow(
      "sites.shop.onDelete: is not taken",
    );
    const envUrl = process.env.DNN_URL;
    delete process.env.DNN_URL;
    try {
      expect(
        () =>
          new DnnMailConfiguration("nourl", { sites: { shop: { url: "/shop", use: "global" } } }),
      ).toThrow('sites.shop.url: is the path "/shop", but the installation URL is unknown');
    } finally {
      if (envUrl !== undefined) process.env.DNN_URL = envUrl;
    }
  });

  test("a misspelled key fails with its path and the closest valid name, and no stack trace", () => {
    const error = (() => {
      try {
        new DnnMailConfiguration("typo", {
          installation: { url: "https://dnn.example.com", usrname: "host" },
          global: { ...relay, enableSSL: true },
          sites: {
            main: { url: "/", ...relay, usename: "shop@example.com" },
            blog: { url: "/blog", use: "global", server: "relay" },
          },
          site: {},
        } as unknown as DnnMailConfigurationArgs);
      } catch (e) {
        return e as Error & { code?: string; field?: string };
      }
    })();
    expect(error?.code).toBe("INVALID_SETTINGS");
    expect(error?.field).toBe("site");
    const lines = error?.message.split("\n") ?? [];
    expect(lines[0]).toMatch(
      /^\[INVALID_SETTINGS\] DnnMailConfiguration: site: .*did you mean sites\?/,
    );
    expect(error?.message).toMatch(/installation\.usrname: .*did you mean username\?/);
    expect(error?.message).toMatch(/global\.enableSSL: .*did you mean enableSsl\?/);
    expect(error?.message).toMatch(/sites\.main\.usename: .*did you mean username\?/);
    // A site held on the global settings takes no settings of its own.
    expect(error?.message).toMatch(/sites\.blog\.server: is not a field of a site/);
    // What the CLI prints: the message only (RunError), no stack frames or colours.
    expect(error?.stack).toBe(error?.message);
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    expect(registered.filter((r) => r.type.includes("SmtpSettings"))).toEqual([]);
  });
});
