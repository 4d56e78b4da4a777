/**
 * Round trips through a DNN that stores for real: model → UpdateSmtpSettings DTO →
 * stored keys (read from the stand-in's tables, passwords decrypted) → GetSmtpSettings
 * response → model, for every modelled DNN version and both scopes.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DnnClient } from "../provider/dnn/client";
import {
  blockFor,
  declaredValues,
  featuresOf,
  fromWire,
  updateRequest,
} from "../provider/dnn/wire";
import { FIELDS, type SmtpSettingsModel, validateSettings } from "../provider/settings";
import { type Standin, startStandin } from "../standin/server";

const MARKER = "Marker-Pa55word-7c1e";
const SITE_PASSWORD = "Site-Cred-5b2d";

function model(input: Record<string, unknown>): SmtpSettingsModel {
  const result = validateSettings(input);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.value;
}

const cases: Array<[string, SmtpSettingsModel, Record<string, string>]> = [
  [
    "global, basic over STARTTLS",
    model({
      scope: "global",
      server: "relay.example.com:587",
      connectionLimit: 4,
      maxIdleTime: 5000,
      messageBatchSize: 25,
      authentication: "basic",
      username: "mailer",
      password: MARKER,
      enableSsl: true,
      hostEmail: "ops@example.com",
    }),
    {
      SMTPServer: "relay.example.com:587",
      SMTPConnectionLimit: "4",
      SMTPMaxIdleTime: "5000",
      MessageSchedulerBatchSize: "25",
      SMTPAuthentication: "1",
      SMTPUsername: "mailer",
      SMTPPassword: MARKER,
      SMTPEnableSSL: "Y",
      HostEmail: "ops@example.com",
    },
  ],
  [
    "site, anonymous on port 25",
    model({ scope: "site", server: "mx.example.com" }),
    {
      SMTPmode: "p",
      SMTPServer: "mx.example.com",
      SMTPConnectionLimit: "2",
      SMTPMaxIdleTime: "100000",
      SMTPAuthentication: "0",
      SMTPUsername: "",
      SMTPPassword: "",
      SMTPEnableSSL: "N",
    },
  ],
  [
    "site, NTLM with a user name",
    model({
      scope: "site",
      server: "exchange.corp.example:25",
      authentication: "ntlm",
      username: "CORP\\svc-dnn",
    }),
    {
      SMTPmode: "p",
      SMTPServer: "exchange.corp.example",
      SMTPAuthentication: "2",
      SMTPUsername: "CORP\\svc-dnn",
      SMTPPassword: "",
    },
  ],
];

const VERSIONS = ["9.2", "9.4", "9.9", "9.11", "9.13", "10.2"] as const;
/** Versions whose GetSmtpSettings shows passwords in clear text (hideCoreSettings or not). */
const CLEAR_TEXT = new Set(["9.2", "9.4", "9.9"]);

describe.each(VERSIONS)("round trips on DNN %s", (dnnVersion) => {
  let standin: Standin;
  let client: DnnClient;

  beforeAll(async () => {
    standin = await startStandin({
      quiet: true,
      dnnVersion,
      superuser: { username: "host", password: SITE_PASSWORD },
    });
    client = new DnnClient({
      url: standin.siteUrl("shop"),
      username: "host",
      password: SITE_PASSWORD,
      sources: {},
    });
  });
  afterAll(() => standin.close());

  test.each(cases)("%s", async (_name, settings, storedKeys) => {
    const before = await client.getSmtpSettings();
    const features = featuresOf(before);
    const found = blockFor(before, settings.scope);
    // 9.2 has no HostEmail in its API: the provider refuses a declared hostEmail there.
    const declared =
      features.hostEmail === false ? { ...settings, hostEmail: undefined } : settings;
    const mode = settings.scope === "global" ? "h" : "p";
    await client.updateSmtpSettings(
      updateRequest(declaredValues(declared, found && fromWire(found)), mode, features),
    );

    const dump = standin.dump();
    const stored = settings.scope === "global" ? dump.host : (dump.portals[1] ?? {});
    const expected = { ...storedKeys };
    if (features.hostEmail === false) delete expected.HostEmail;
    expect(stored).toMatchObject(expected);

    const response = await client.getSmtpSettings();
    const block = blockFor(response, settings.scope);
    if (!block) throw new Error("no block for the scope");
    const back = fromWire(block);
    expect(back).toMatchObject({
      server: settings.server,
      authentication: settings.authentication,
      username: settings.username,
      enableSsl: settings.enableSsl,
    });
    for (const f of ["connectionLimit", "maxIdleTime"] as const)
      if (settings[f] !== undefined) expect(back[f]).toBe(settings[f]);
    if (settings.scope === "global") {
      expect(back.messageBatchSize).toBe(settings.messageBatchSize);
      expect(back.hostEmail).toBe(features.hostEmail ? settings.hostEmail : undefined);
    }
    const expectedPassword = !settings.password
      ? { state: "unset" }
      : CLEAR_TEXT.has(dnnVersion)
        ? { state: "clear", value: settings.password }
        : { state: "masked" };
    expect(back.password).toEqual(expectedPassword);
  });

  test("every model field maps to a DNN key the stand-in stores", () => {
    const keys = new Set([
      ...Object.keys(standin.dump().host),
      ...Object.keys(standin.dump().portals[1] ?? {}),
    ]);
    for (const [field, { dnnKey }] of Object.entries(FIELDS)) {
      // SMTPAuthProvider is stored only with OAuth: the OAuth round trip below covers it.
      if (field === "oauth") continue;
      // 9.2's API never writes HostEmail.
      if (field === "hostEmail" && dnnVersion === "9.2") continue;
      expect(keys.has(dnnKey), `${field} → ${dnnKey}`).toBe(true);
    }
  });
});

describe("OAuth round trip (DNN 9.13+: older versions have no OAuth)", () => {
  let standin: Standin;
  let client: DnnClient;

  beforeAll(async () => {
    standin = await startStandin({
      quiet: true,
      dnnVersion: "10.2",
      superuser: { username: "host", password: SITE_PASSWORD },
    });
    client = new DnnClient({
      url: standin.siteUrl("shop"),
      username: "host",
      password: SITE_PASSWORD,
      sources: {},
    });
  });
  afterAll(() => standin.close());

  test("OAuth: provider and auth type 3", async () => {
    const oauth = model({
      scope: "site",
      server: "smtp.office365.com:587",
      authentication: "oauth",
      username: "shop@example.com",
      enableSsl: true,
      oauth: {
        provider: "ExchangeOnline",
        settings: { TenantId: "tenant-1", ClientId: "client-1", ClientSecret: MARKER },
      },
    });
    const before = await client.getSmtpSettings();
    await client.updateSmtpSettings(
      updateRequest(declaredValues(oauth, fromWire(before.site)), "p", featuresOf(before)),
    );
    expect(standin.dump().portals[1]).toMatchObject({
      SMTPAuthentication: "3",
      SMTPAuthProvider: "ExchangeOnline",
    });
    const response = await client.getSmtpSettings();
    expect(fromWire(response.site)).toMatchObject({
      authentication: "oauth",
      oauthProvider: "ExchangeOnline",
    });
  });
});
