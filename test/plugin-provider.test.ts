/**
 * The `dnn-smtp` resource plugin, packed as `pulumi plugin install` installs it, started by
 * its launcher and driven over gRPC as the engine drives it, against the stand-in over
 * HTTP: schema and version, provider configuration (two providers, two installations),
 * the lifecycle with secrets, the detailed diff, import by id, and no secret in clear.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Standin, startStandin } from "../standin/server";
import {
  DIFF,
  GLOBAL_URN,
  isSecret,
  type PackedPlugin,
  type PluginFace,
  packPlugin,
  SMTP_URN,
  secret,
  startPluginFace,
} from "./support/plugin-face";

const MARKER = "Marker-Pa55word-7c1e";
const SITE_PASSWORD = "Site-Cred-5b2d";
const OTHER_PASSWORD = "Other-Cred-9f3a";
const schemaFile = JSON.parse(
  readFileSync(join(__dirname, "../provider/plugin/schema.json"), "utf8"),
);

type Struct = Record<string, unknown>;
const plain = (v: unknown) => (isSecret(v) ? (v as { value: unknown }).value : v);

describe("the dnn-smtp plugin over gRPC", () => {
  let packed: PackedPlugin;
  let standin: Standin;
  let other: Standin;
  let plugin: PluginFace;

  beforeAll(async () => {
    packed = packPlugin();
    standin = await startStandin({
      quiet: true,
      generation: "g2",
      superuser: { username: "host", password: SITE_PASSWORD },
    });
    other = await startStandin({
      quiet: true,
      generation: "g3",
      superuser: { username: "root", password: OTHER_PASSWORD },
    });
    plugin = await startPluginFace(packed.dir);
  }, 120_000);

  afterAll(async () => {
    await plugin?.close();
    await standin?.close();
    await other?.close();
    packed?.remove();
  });

  test("reports the package version and serves the committed schema", async () => {
    expect(await plugin.pluginInfo()).toBe(packed.version);
    expect(await plugin.schema()).toEqual({ ...schemaFile, version: packed.version });
  });

  test("CheckConfig names a bad URL and returns the credentials as secrets", async () => {
    const bad = await plugin.checkConfig({ url: "ftp://example.com", insecureSkipVerify: "maybe" });
    expect(bad.failures).toEqual([
      expect.stringMatching(/^insecureSkipVerify: .*true or false/),
      expect.stringMatching(/^url: .*http\(s\) URL/),
    ]);
    const good = await plugin.checkConfig({
      url: standin.url,
      username: "host",
      password: SITE_PASSWORD,
    });
    expect(good.failures).toEqual([]);
    expect(isSecret(good.inputs.password)).toBe(true);
    expect(good.inputs.url).toBe(standin.url);
  });

  test("a provider URL not known yet (preview) leaves the resources' site unknown, not wrong", async () => {
    const preview = await startPluginFace(packed.dir);
    try {
      const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
      await preview.configure({ url: unknown, username: "host", password: secret(SITE_PASSWORD) });
      const args = { scope: "global", server: "relay.example.com", precheck: { level: "none" } };
      const { inputs, failures } = await preview.check(SMTP_URN, {}, args);
      expect(failures).toEqual([]);
      expect(inputs.site).toBe(unknown);
    } finally {
      await preview.close();
    }
  });

  test("the lifecycle with secrets: check, create, diff in detail, update, refresh, delete", async () => {
    const configured = await plugin.configure({
      url: standin.siteUrl("shop"),
      username: "host",
      password: secret(SITE_PASSWORD),
    });
    expect(configured).toEqual({ acceptSecrets: true, supportsPreview: false });
    const args: Struct = {
      scope: "site",
      server: " Relay.Example.com:2525 ",
      authentication: "basic",
      username: "mailer",
      password: secret(MARKER),
      precheck: { level: "none" },
    };

    const bad = await plugin.check(SMTP_URN, {}, { ...args, connectionLimit: 0 });
    // The property, then its reason; the reason does not name the field a second time.
    expect(bad.failures).toEqual([
      expect.stringMatching(/^connectionLimit: (?!connectionLimit)\S/),
    ]);

    const { inputs, failures } = await plugin.check(SMTP_URN, {}, args);
    expect(failures).toEqual([]);
    expect(inputs).toMatchObject({
      server: "relay.example.com:2525",
      onDelete: "revert",
      site: { url: standin.siteUrl("shop"), username: "host" },
    });
    expect(isSecret(inputs.password)).toBe(true);

    const created = await plugin.create(SMTP_URN, inputs);
    expect(created.id).toBe(`${standin.siteUrl("shop")}#site`);
    expect(created.properties).toMatchObject({
      mode: "p",
      apiGeneration: "g2",
      portalName: "Shop",
    });
    expect(plain(created.properties.password)).toBe(MARKER);
    expect(isSecret(created.properties.password)).toBe(true);
    expect(JSON.stringify(created.properties)).not.toContain(SITE_PASSWORD);
    expect(standin.dump().portals[1]).toMatchObject({
      SMTPServer: "relay.example.com:2525",
      SMTPPassword: MARKER,
      SMTPmode: "p",
    });

    const same = await plugin.diff(SMTP_URN, created.id, created.properties, inputs);
    expect(same.changes).toBe(DIFF.NONE);

    // A password-only change: one property, `password`, an update in place.
    const rotated = (
      await plugin.check(SMTP_URN, inputs, { ...args, password: secret(`${MARKER}-2`) })
    ).inputs;
    const passwordDiff = await plugin.diff(SMTP_URN, created.id, created.properties, rotated);
    expect(passwordDiff).toMatchObject({ changes: DIFF.SOME, replaces: [], hasDetailedDiff: true });
    expect(passwordDiff.detailedDiff).toEqual({ password: { kind: "UPDATE", inputDiff: true } });

    // Two fields at once; and another site: an update of `site.url` (the lifecycle moves
    // settings in place rather than replacing them).
    const more = (
      await plugin.check(SMTP_URN, inputs, { ...args, connectionLimit: 4, enableSsl: true })
    ).inputs;
    const moreDiff = await plugin.diff(SMTP_URN, created.id, created.properties, more);
    expect(Object.keys(moreDiff.detailedDiff).sort()).toEqual(["connectionLimit", "enableSsl"]);
    const moved = (await plugin.check(SMTP_URN, inputs, { ...args, site: { url: standin.url } }))
      .inputs;
    const movedDiff = await plugin.diff(SMTP_URN, created.id, created.properties, moved);
    expect(movedDiff.replaces).toEqual([]);
    expect(movedDiff.detailedDiff["site.url"]).toEqual({ kind: "UPDATE", inputDiff: true });

    const updated = await plugin.update(SMTP_URN, created.id, created.properties, rotated);
    expect(standin.dump().portals[1]?.SMTPPassword).toBe(`${MARKER}-2`);
    expect(isSecret(updated.properties.password)).toBe(true);

    standin.store.setPortalSetting(1, "SMTPServer", "by-hand.example.com", 1);
    const read = await plugin.read(SMTP_URN, created.id, updated.properties, rotated);
    expect(read.properties.server).toBe("by-hand.example.com");
    expect(read.inputs?.server).toBe("by-hand.example.com");
    expect(isSecret(read.properties.password)).toBe(true);
    expect(isSecret(read.inputs?.password)).toBe(true);
    const drift = await plugin.diff(SMTP_URN, created.id, read.properties, rotated);
    expect(drift.detailedDiff).toEqual({ server: { kind: "UPDATE", inputDiff: true } });

    await plugin.delete(SMTP_URN, created.id, read.properties);
    expect(standin.dump().portals[1]?.SMTPmode).toBe("h");
  });

  test("import by id reads the site; the password never comes back", async () => {
    standin.store.setPortalSetting(1, "SMTPmode", "p", 1);
    const id = `${standin.siteUrl("shop")}#site`;
    const imported = await plugin.read(SMTP_URN, id, {});
    expect(imported.id).toBe(id);
    expect(imported.inputs).toMatchObject({
      scope: "site",
      server: "by-hand.example.com",
      authentication: "basic",
      username: "mailer",
      site: { url: standin.siteUrl("shop") },
    });
    expect(imported.properties).toMatchObject({ portalName: "Shop", mode: "p" });
    expect(imported.inputs).not.toHaveProperty("password");
    expect(imported.properties).not.toHaveProperty("password");
    // What the engine does next: check the imported inputs. The missing password is the one
    // failure (a warning of `pulumi import`): the generated code must be given the secret.
    const checked = await plugin.check(SMTP_URN, {}, imported.inputs as Struct);
    expect(checked.failures).toEqual([
      expect.stringMatching(/^password: (?!password)\S.*required/),
    ]);

    const blog = await plugin.read(GLOBAL_URN, `${standin.url}/#use-global`, {});
    expect(blog.inputs).toMatchObject({ onDelete: "retain", site: { url: `${standin.url}/` } });
    expect(blog.properties).toMatchObject({ mode: "h", portalName: expect.any(String) });
    const blogChecked = await plugin.check(GLOBAL_URN, {}, blog.inputs as Struct);
    expect(blogChecked.failures).toEqual([]);
    expect(
      (await plugin.diff(GLOBAL_URN, blog.id, blog.properties, blogChecked.inputs)).changes,
    ).toBe(DIFF.NONE);

    const wrong = await plugin.read(SMTP_URN, standin.siteUrl("shop"), {}).catch((e: Error) => e);
    expect(String(wrong)).toMatch(/<site url>#global` or `<site url>#site`/);
    expect(plugin.output()).not.toContain(MARKER);
    expect(plugin.output()).not.toContain(SITE_PASSWORD);
  });

  test("OAuth settings go in and come back as one secret; a global import needs no password", async () => {
    const g3 = await startPluginFace(packed.dir);
    try {
      await g3.configure({ url: other.url, username: "root", password: secret(OTHER_PASSWORD) });
      const args = {
        scope: "site",
        site: { url: other.siteUrl("shop") },
        server: "smtp.office365.com:587",
        authentication: "oauth",
        enableSsl: true,
        oauth: {
          provider: "ExchangeOnline",
          settings: { TenantId: "tenant-1", ClientId: "client-1", ClientSecret: MARKER },
        },
        precheck: { level: "none" },
      };
      const { inputs, failures } = await g3.check(SMTP_URN, {}, args);
      expect(failures).toEqual([]);
      expect(isSecret(inputs.oauth)).toBe(true);
      const created = await g3.create(SMTP_URN, inputs);
      expect(isSecret(created.properties.oauth)).toBe(true);
      expect(plain(created.properties.oauth)).toMatchObject({ provider: "ExchangeOnline" });
      // Outside the secret envelope, the client secret appears nowhere.
      const { oauth: _oauth, ...rest } = created.properties;
      expect(JSON.stringify(rest)).not.toContain(MARKER);
      const read = await g3.read(SMTP_URN, created.id, created.properties, inputs);
      expect(isSecret(read.properties.oauth)).toBe(true);
      expect(isSecret(read.inputs?.oauth)).toBe(true);

      other.store.setHostSetting("SMTPServer", "relay.found.example.com", 1);
      const global = await g3.read(SMTP_URN, `${other.url}#global`, {});
      expect(global.inputs).toMatchObject({
        scope: "global",
        server: "relay.found.example.com",
        authentication: "anonymous",
      });
      const checked = await g3.check(SMTP_URN, {}, global.inputs as Struct);
      expect(checked.failures).toEqual([]);
      expect(g3.output()).not.toContain(MARKER);
    } finally {
      await g3.close();
    }
  });

  test("two providers, two installations: each plugin process writes with its own configuration", async () => {
    const second = await startPluginFace(packed.dir);
    try {
      await second.configure({
        url: other.url,
        username: "root",
        password: secret(OTHER_PASSWORD),
      });
      const args = {
        scope: "global",
        server: "relay.other.example.com",
        precheck: { level: "none" },
      };
      const [a, b] = await Promise.all([
        plugin.check(SMTP_URN, {}, args),
        second.check(SMTP_URN, {}, { ...args, server: "relay.second.example.com" }),
      ]);
      await Promise.all([plugin.create(SMTP_URN, a.inputs), second.create(SMTP_URN, b.inputs)]);
      expect(standin.dump().host.SMTPServer).toBe("relay.other.example.com");
      expect(other.dump().host.SMTPServer).toBe("relay.second.example.com");
      expect(second.output()).not.toContain(OTHER_PASSWORD);
    } finally {
      await second.close();
    }
  });
});
