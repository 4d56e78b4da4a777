/**
 * Stacks created by earlier versions keep their provider text in the state and call the
 * module paths it names. This drives the real plugin with the texts the previous layout
 * wrote (installed package: one `require` of dynamic-provider.js; linked checkout: the
 * shim's methods by value, each requiring `dist/provider/lifecycle` or
 * `dist/provider/use-global-lifecycle`) and checks that such a resource still diffs
 * without a replacement, updates, refreshes and deletes against the stand-in.
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

const SITE_PASSWORD = "Legacy-Site-Pw-41d2";

/** What an installed package of the previous layout stored (bench/results.json of that release). */
const BY_REFERENCE = `exports.handler = __f0;
const provider = require("pulumi-dnn-smtp/dist/provider/dynamic-provider.js");

function __f0() {
  return (function() {
    with({ this: undefined, arguments: undefined }) {

return () => provider;

    }
  }).apply(undefined, undefined).apply(this, arguments);
}
`;

/** The shape a by-value capture of the previous shim had: methods requiring the old paths. */
function byValue(module: "lifecycle" | "use-global-lifecycle"): string {
  const m = `require("pulumi-dnn-smtp/dist/provider/${module}")`;
  return `exports.handler = __f0;
const provider = {
  configure: (req) => require("pulumi-dnn-smtp/dist/provider/lifecycle").configure(req),
  check: (olds, news) => ${m}.check(olds, news),
  diff: (id, olds, news) => ${m}.diff(id, olds, news),
  create: (inputs) => ${m}.create(inputs),
  read: (id, props) => ${m}.read(id, props),
  update: (id, olds, news) => ${m}.update(id, olds, news),
  delete: (id, props) => ${m}.remove(id, props),
};
function __f0() {
  return provider;
}
`;
}

const ready = examplesInstalled();

describe.skipIf(!ready)("state written by the previous layout", () => {
  let standin: Standin;
  let plugin: PluginClient;

  beforeAll(async () => {
    standin = await startStandin({
      quiet: true,
      superuser: { username: "host", password: SITE_PASSWORD },
    });
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

  test("the current package still stores the same by-reference text", async () => {
    expect(await serializedProvider()).toBe(BY_REFERENCE);
  });

  test.each([
    ["installed package", BY_REFERENCE],
    ["linked checkout", byValue("lifecycle")],
  ])("SmtpSettings from a %s updates, refreshes and deletes", async (_how, text) => {
    const args = (server: string) => ({
      __provider: text,
      scope: "site",
      server,
      precheck: { level: "none" },
    });
    const first = await plugin.check({}, args("legacy-a.example.com"));
    expect(first.failures).toEqual([]);
    const created = await plugin.create(first.inputs);
    expect(standin.dump().portals[1]?.SMTPServer).toBe("legacy-a.example.com");

    const next = await plugin.check(first.inputs, args("legacy-b.example.com"));
    const diff = await plugin.diff(created.id, created.properties, next.inputs);
    expect(diff.changes).toBe(DIFF.SOME);
    expect(diff.replaces).toEqual([]);
    const updated = await plugin.update(created.id, created.properties, next.inputs);
    expect(updated.properties.server).toBe("legacy-b.example.com");
    expect(standin.dump().portals[1]?.SMTPServer).toBe("legacy-b.example.com");

    const read = await plugin.read(created.id, updated.properties);
    expect(read.properties.server).toBe("legacy-b.example.com");
    await plugin.delete(created.id, updated.properties);
    expect(standin.dump().portals[1]?.SMTPmode).toBe("h");
  });

  test("UseGlobalSmtpSettings from a linked checkout still holds and refreshes", async () => {
    const text = byValue("use-global-lifecycle");
    standin.store.setPortalSetting(1, "SMTPmode", "p", 1);
    const checked = await plugin.check({}, { __provider: text });
    expect(checked.failures).toEqual([]);
    const created = await plugin.create(checked.inputs);
    expect(standin.dump().portals[1]?.SMTPmode).toBe("h");
    const read = await plugin.read(created.id, created.properties);
    expect(read.properties.mode).toBe("h");
  });
});
