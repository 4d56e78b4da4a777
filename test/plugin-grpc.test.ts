/**
 * End to end without the Go engine: the serialized provider, loaded by the real plugin
 * process of @pulumi/pulumi, driven over gRPC exactly as the engine drives it, against
 * the stand-in over HTTP. The site's credentials arrive through Configure as a secret.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Standin, startStandin } from "../standin/server";
import {
  DIFF,
  examplesInstalled,
  type PluginClient,
  SECRET_SIG,
  SECRET_VALUE,
  serializedProvider,
  startPlugin,
} from "./support/plugin";

const MARKER = "Marker-Pa55word-7c1e";
const SITE_PASSWORD = "Site-Cred-5b2d";
const ready = examplesInstalled();

describe.skipIf(!ready)("the real dynamic-provider plugin over gRPC", () => {
  let standin: Standin;
  let plugin: PluginClient;
  let provider: string;

  beforeAll(async () => {
    standin = await startStandin({
      quiet: true,
      generation: "g2",
      superuser: { username: "host", password: SITE_PASSWORD },
    });
    provider = await serializedProvider();
    plugin = await startPlugin();
    await plugin.configure({
      "dnn:url": standin.siteUrl("shop"),
      "dnn:username": "host",
      "dnn:password": { [SECRET_SIG]: SECRET_VALUE, value: SITE_PASSWORD },
    });
  });
  afterAll(async () => {
    await plugin?.close();
    await standin?.close();
  });

  test("the provider text is a thin require shim under 1 KiB, free of credentials", () => {
    expect(Buffer.byteLength(provider)).toBeLessThan(1024);
    expect(provider).toContain('require("pulumi-dnn-smtp/dist/provider/dynamic-provider.js")');
    for (const secret of [MARKER, SITE_PASSWORD, "host"]) expect(provider).not.toContain(secret);
  });

  test("check, diff, create, read, update, delete with a secret password", async () => {
    const args = {
      __provider: provider,
      scope: "site",
      server: " Relay.Example.com:2525 ",
      authentication: "basic",
      username: "mailer",
      password: MARKER,
      precheck: { level: "none" },
    };

    const bad = await plugin.check({}, { ...args, connectionLimit: 0 });
    expect(bad.failures.map((f) => f.property)).toEqual(["connectionLimit"]);

    const { inputs, failures } = await plugin.check({}, args);
    expect(failures).toEqual([]);
    expect(inputs).toMatchObject({
      server: "relay.example.com:2525",
      onDelete: "revert",
      site: { url: standin.siteUrl("shop") },
    });
    // Undeclared tuning fields are the site's: not inputs, shown under `held`.
    expect(inputs).not.toHaveProperty("connectionLimit");

    const created = await plugin.create(inputs);
    expect(created.id).toBe(`${standin.siteUrl("shop")}#site`);
    expect(created.properties).toMatchObject({
      mode: "p",
      apiGeneration: "g2",
      portalName: "Shop",
      held: { connectionLimit: 2, maxIdleTime: 100000 },
      __provider: provider,
    });
    expect(standin.dump().portals[1]).toMatchObject({
      SMTPServer: "relay.example.com:2525",
      SMTPPassword: MARKER,
      SMTPmode: "p",
    });

    const same = await plugin.diff(created.id, created.properties, {
      ...inputs,
      __provider: `${provider}\n`,
    });
    expect(same.changes).toBe(DIFF.NONE);

    const changedInputs = (await plugin.check(inputs, { ...args, password: "Rotated-Pa55" }))
      .inputs;
    const changed = await plugin.diff(created.id, created.properties, changedInputs);
    expect(changed.changes).toBe(DIFF.SOME);
    const updated = await plugin.update(created.id, created.properties, changedInputs);
    expect(standin.dump().portals[1]?.SMTPPassword).toBe("Rotated-Pa55");

    standin.store.setPortalSetting(1, "SMTPServer", "by-hand.example.com", 1);
    const read = await plugin.read(created.id, updated.properties);
    expect(read.properties.server).toBe("by-hand.example.com");
    expect(read.inputs?.server).toBe("by-hand.example.com");
    expect((await plugin.diff(created.id, read.properties, changedInputs)).changes).toBe(DIFF.SOME);

    await plugin.delete(created.id, read.properties);
    expect(standin.dump().portals[1]?.SMTPmode).toBe("h");
  });

  test("a failure over gRPC names the problem and leaks no secret", async () => {
    const { inputs } = await plugin.check(
      {},
      {
        __provider: provider,
        scope: "site",
        server: "127.0.0.1:1",
        authentication: "basic",
        username: "mailer",
        password: MARKER,
        precheck: { level: "auth" },
      },
    );
    const before = JSON.stringify(standin.dump());
    const error = await plugin.create(inputs).catch((e: Error) => e);
    expect(String(error)).toMatch(/refused/i);
    expect(JSON.stringify(standin.dump())).toBe(before);
    expect(plugin.output()).not.toContain(MARKER);
    expect(plugin.output()).not.toContain(SITE_PASSWORD);
    expect(String(error)).not.toContain(MARKER);
  });
});
