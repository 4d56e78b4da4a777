/**
 * The committed schema of the `dnn-smtp` plugin (`provider/plugin/schema.json`, from which
 * the SDKs are generated) is the one the sources generate, documents every property, and
 * marks every credential secret.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { generateSchema, PROVIDER_CONFIG, SECRET_PROPERTIES } from "../provider/plugin/schema-gen";
import {
  SMTP_SETTINGS_OUTPUT_KEYS,
  USE_GLOBAL_OUTPUT_KEYS,
} from "../provider/resources/output-keys";
import { SETTINGS_FIELDS } from "../provider/settings";

const ROOT = join(__dirname, "..");
const committed = JSON.parse(readFileSync(join(ROOT, "provider/plugin/schema.json"), "utf8"));
const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version;

type Props = Record<string, { description?: string; secret?: boolean }>;
type Holder = { description?: string; properties: Props; inputProperties?: Props };

describe("the plugin's schema", () => {
  test("the committed schema.json is what `npm run schema` generates from the sources", () => {
    expect(
      committed,
      "provider/plugin/schema.json is stale (a doc comment or field changed): run `npm run schema`, then `npm run sdk`",
    ).toEqual(generateSchema(version, ROOT));
    expect(committed.version).toBe(version);
  });

  test("every property, config key and type has a description", () => {
    const holders: Array<[string, Props]> = [
      ["config", committed.config.variables],
      ["provider", committed.provider.inputProperties],
    ];
    for (const [token, r] of Object.entries<Holder>(committed.resources)) {
      expect(r.description, token).toMatch(/\w{10}/);
      holders.push(
        [`${token} inputs`, r.inputProperties ?? {}],
        [`${token} outputs`, r.properties],
      );
    }
    for (const [token, t] of Object.entries<Holder>(committed.types)) {
      expect(t.description, token).toMatch(/\w{10}/);
      expect(Object.keys(t.properties).length, token).toBeGreaterThan(1);
      holders.push([token, t.properties]);
    }
    let count = 0;
    for (const [where, props] of holders) {
      for (const [name, p] of Object.entries(props)) {
        expect(p.description, `${where}.${name}`).toMatch(/\w+ \w+/);
        count++;
      }
    }
    expect(count).toBeGreaterThan(60);
  });

  test("resources carry every settings field; credentials and OAuth settings are secrets", () => {
    const smtp = committed.resources["dnn-smtp:index:SmtpSettings"];
    expect(Object.keys(smtp.inputProperties)).toEqual(
      expect.arrayContaining([...SETTINGS_FIELDS, "site", "sitePassword", "siteApiToken"]),
    );
    for (const key of SECRET_PROPERTIES) {
      expect(smtp.inputProperties[key].secret, key).toBe(true);
      expect(smtp.properties[key].secret, key).toBe(true);
    }
    const secrets = Object.entries(PROVIDER_CONFIG)
      .filter(([, spec]) => "secret" in spec)
      .map(([k]) => k);
    expect(secrets).toEqual(["password", "apiToken"]);
    for (const key of secrets) {
      expect(committed.config.variables[key].secret).toBe(true);
      expect(committed.provider.inputProperties[key].secret).toBe(true);
    }
    expect(
      committed.resources["dnn-smtp:index:UseGlobalSmtpSettings"].inputProperties.sitePassword
        .secret,
    ).toBe(true);
    // Every output the resource classes declare, and no other, besides the inputs.
    const outputsOnly = (r: { properties: object; inputProperties: object }) =>
      Object.keys(r.properties)
        .filter((k) => !(k in r.inputProperties))
        .sort();
    expect(outputsOnly(smtp)).toEqual([...SMTP_SETTINGS_OUTPUT_KEYS].sort());
    expect(outputsOnly(committed.resources["dnn-smtp:index:UseGlobalSmtpSettings"])).toEqual(
      [...USE_GLOBAL_OUTPUT_KEYS].sort(),
    );
    // The texts are the dynamic face's doc comments, reworded for the provider configuration.
    expect(smtp.inputProperties.server.description).toContain("DNN key `SMTPServer`");
    expect(smtp.inputProperties.sitePassword.description).toContain("the provider's `password`");
    expect(JSON.stringify(committed)).not.toMatch(/`dnn:/);
  });
});
