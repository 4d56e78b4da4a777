/**
 * Contract tests (docs/dnn-smtp-api.md sections 1-4) over real HTTP: GetSmtpSettings,
 * UpdateSmtpSettings and GetSmtpOAuthProviders × generations × roles, routing and sites.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Generation, type Standin, startStandin } from "./server.js";
import { call, jwtLogin, smtpApi, updateRequest } from "./testing.js";

const running: Standin[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function standin(generation: Generation = "g3"): Promise<Standin> {
  const s = await startStandin({
    generation,
    quiet: true,
    admin: { username: "admin", password: "Adm1n!pass" },
  });
  running.push(s);
  s.addUser({ username: "plain", password: "Pl4in!pass" });
  return s;
}

async function hostToken(s: Standin, alias = ""): Promise<string> {
  return (await jwtLogin(s, "host", "dnnhost", alias)).accessToken;
}

const HOST_KEYS_G1 = [
  "smtpServer",
  "smtpConnectionLimit",
  "smtpMaxIdleTime",
  "smtpAuthentication",
  "enableSmtpSsl",
  "smtpUserName",
  "smtpPassword",
  "smtpHostEmail",
  "messageSchedulerBatchSize",
];
const SITE_KEYS_G1 = [
  "smtpServer",
  "smtpConnectionLimit",
  "smtpMaxIdleTime",
  "smtpAuthentication",
  "enableSmtpSsl",
  "smtpUserName",
  "smtpPassword",
];

describe("GetSmtpSettings response shape per generation", () => {
  it.each([
    ["g1", [...HOST_KEYS_G1], [...SITE_KEYS_G1], ["smtpServerMode", "host", "site", "portalName"]],
    [
      "g2",
      [...HOST_KEYS_G1],
      [...SITE_KEYS_G1],
      ["smtpServerMode", "host", "site", "portalName", "hideCoreSettings"],
    ],
    [
      "g3",
      [...HOST_KEYS_G1, "authProvider"],
      [...SITE_KEYS_G1, "authProvider"],
      ["smtpServerMode", "host", "site", "portalName", "hideCoreSettings"],
    ],
  ] as const)("%s: exact camelCase keys", async (generation, hostKeys, siteKeys, topKeys) => {
    const s = await standin(generation);
    const r = await smtpApi(s, { action: "GetSmtpSettings", token: await hostToken(s) });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual([...topKeys].sort());
    expect(Object.keys(r.body.host as object).sort()).toEqual([...hostKeys].sort());
    expect(Object.keys(r.body.site as object).sort()).toEqual([...siteKeys].sort());
  });

  it("fresh install: defaults and types as DNN reads them", async () => {
    const s = await standin("g3");
    const r = await smtpApi(s, { action: "GetSmtpSettings", token: await hostToken(s) });
    expect(r.body).toEqual({
      smtpServerMode: "h",
      host: {
        smtpServer: "",
        smtpConnectionLimit: 2,
        smtpMaxIdleTime: 100000,
        smtpAuthentication: "0",
        enableSmtpSsl: false,
        smtpUserName: "",
        smtpPassword: "",
        smtpHostEmail: "host@example.com",
        messageSchedulerBatchSize: 50,
        authProvider: "",
      },
      site: {
        smtpServer: "",
        smtpConnectionLimit: 2,
        smtpMaxIdleTime: 100000,
        smtpAuthentication: "0",
        enableSmtpSsl: false,
        smtpUserName: "",
        smtpPassword: "",
        authProvider: "",
      },
      portalName: "My Website",
      hideCoreSettings: false,
    });
  });

  it("hideCoreSettings comes from the default mail provider's web.config attribute", async () => {
    const s = await standin("g2");
    const path = join(s.dataDir, "web.config");
    writeFileSync(
      path,
      readFileSync(path, "utf8").replace(
        /(<add name="CoreMailProvider"[^>]*)hideCoreSettings="false"/,
        '$1hideCoreSettings="true"',
      ),
    );
    const r = await smtpApi(s, { action: "GetSmtpSettings", token: await hostToken(s) });
    expect(r.body.hideCoreSettings).toBe(true);
  });

  it("the site is chosen by the URL: /shop answers for portal Shop", async () => {
    const s = await standin();
    const r = await smtpApi(s, {
      alias: "shop",
      action: "GetSmtpSettings",
      token: await hostToken(s),
    });
    expect(r.body.portalName).toBe("Shop");
  });

  it("integers: host falls back to the default, site reads -1 when unparsable", async () => {
    const s = await standin();
    const token = await hostToken(s);
    await smtpApi(s, {
      action: "UpdateSmtpSettings",
      token,
      body: updateRequest({ smtpConnectionLimit: "abc", smtpMaxIdleTime: "" }),
    });
    await smtpApi(s, {
      action: "UpdateSmtpSettings",
      token,
      body: updateRequest({ smtpServerMode: "p", smtpConnectionLimit: "abc", smtpMaxIdleTime: "" }),
    });
    const r = await smtpApi(s, { action: "GetSmtpSettings", token });
    const host = r.body.host as Record<string, unknown>;
    const site = r.body.site as Record<string, unknown>;
    expect([host.smtpConnectionLimit, host.smtpMaxIdleTime]).toEqual([2, 100000]);
    expect([site.smtpConnectionLimit, site.smtpMaxIdleTime]).toEqual([-1, 100000]);
    // No server-side validation: stored verbatim.
    expect(s.dump().host.SMTPConnectionLimit).toBe("abc");
    expect(s.dump().portals[0]?.SMTPConnectionLimit).toBe("abc");
  });

  it("booleans: host accepts Y*/TRUE, the site strictly Y", async () => {
    const s = await standin();
    s.store.setHostSetting("SMTPEnableSSL", "yes", -1);
    s.store.setPortalSetting(0, "SMTPEnableSSL", "y", -1);
    const r = await smtpApi(s, { action: "GetSmtpSettings", token: await hostToken(s) });
    expect((r.body.host as Record<string, unknown>).enableSmtpSsl).toBe(true);
    expect((r.body.site as Record<string, unknown>).enableSmtpSsl).toBe(false);
    s.store.setHostSetting("SMTPEnableSSL", "true", -1);
    const r2 = await smtpApi(s, { action: "GetSmtpSettings", token: await hostToken(s) });
    expect((r2.body.host as Record<string, unknown>).enableSmtpSsl).toBe(true);
  });
});

describe("passwords per generation", () => {
  it.each([
    ["g1", "S3cret", "Site!pw"],
    ["g2", "*****", "*****"],
    ["g3", "*****", "*****"],
  ] as const)("%s: GET shows %s", async (generation, hostShown, siteShown) => {
    const s = await standin(generation);
    const token = await hostToken(s);
    await smtpApi(s, {
      action: "UpdateSmtpSettings",
      token,
      body: updateRequest({ smtpPassword: "S3cret" }),
    });
    await smtpApi(s, {
      action: "UpdateSmtpSettings",
      token,
      body: updateRequest({ smtpServerMode: "p", smtpPassword: "Site!pw" }),
    });
    const r = await smtpApi(s, { action: "GetSmtpSettings", token });
    expect((r.body.host as Record<string, unknown>).smtpPassword).toBe(hostShown);
    expect((r.body.site as Record<string, unknown>).smtpPassword).toBe(siteShown);
    const admin = await smtpApi(s, {
      controller: "ServerSettingsSmtpAdmin",
      action: "GetSmtpSettings",
      token: (await jwtLogin(s, "admin", "Adm1n!pass")).accessToken,
    });
    expect((admin.body.site as Record<string, unknown>).smtpPassword).toBe(siteShown);
  });

  it.each(["g2", "g3"] as const)(
    "%s: ***** keeps the stored password even when server and user change",
    async (generation) => {
      const s = await standin(generation);
      const token = await hostToken(s);
      await smtpApi(s, {
        action: "UpdateSmtpSettings",
        token,
        body: updateRequest({ smtpPassword: "Keep!me" }),
      });
      await smtpApi(s, {
        action: "UpdateSmtpSettings",
        token,
        body: updateRequest({
          smtpPassword: "*****",
          smtpServer: "other.example.com",
          smtpUsername: "someone",
        }),
      });
      expect(s.dump().host.SMTPPassword).toBe("Keep!me");
      expect(s.dump().host.SMTPServer).toBe("other.example.com");
      // Site scope and the Admin controller keep the site's password the same way.
      await smtpApi(s, {
        action: "UpdateSmtpSettings",
        token,
        body: updateRequest({ smtpServerMode: "p", smtpPassword: "Site!pw" }),
      });
      await smtpApi(s, {
        controller: "ServerSettingsSmtpAdmin",
        action: "UpdateSmtpSettings",
        token,
        body: updateRequest({ smtpServerMode: "p", smtpPassword: "*****" }),
      });
      expect(s.dump().portals[0]?.SMTPPassword).toBe("Site!pw");
    },
  );

  it("g1: ***** has no meaning and is stored as the password", async () => {
    const s = await standin("g1");
    const token = await hostToken(s);
    await smtpApi(s, {
      action: "UpdateSmtpSettings",
      token,
      body: updateRequest({ smtpPassword: "*****" }),
    });
    expect(s.dump().host.SMTPPassword).toBe("*****");
  });

  it("an empty password is stored (encrypted) and reads back as empty", async () => {
    const s = await standin("g2");
    const token = await hostToken(s);
    await smtpApi(s, {
      action: "UpdateSmtpSettings",
      token,
      body: updateRequest({ smtpPassword: "x" }),
    });
    await smtpApi(s, {
      action: "UpdateSmtpSettings",
      token,
      body: updateRequest({ smtpPassword: "" }),
    });
    expect(s.dump().host.SMTPPassword).toBe("");
    const r = await smtpApi(s, { action: "GetSmtpSettings", token });
    expect((r.body.host as Record<string, unknown>).smtpPassword).toBe("");
  });
});

describe("UpdateSmtpSettings (Host controller)", () => {
  it.each([
    ["g1", { success: true }],
    ["g2", { success: true }],
    ["g3", { success: true, providerChanged: false }],
  ] as const)("%s answers %j", async (generation, expected) => {
    const s = await standin(generation);
    const r = await smtpApi(s, {
      action: "UpdateSmtpSettings",
      token: await hostToken(s),
      body: updateRequest(),
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual(expected);
  });

  it("mode h writes every host key, verbatim, and a GET right after sees them", async () => {
    const s = await standin();
    const token = await hostToken(s);
    const body = updateRequest({
      smtpServer: "mail.example.org:2525",
      smtpConnectionLimit: "7",
      smtpMaxIdleTime: "5000",
      smtpAuthentication: 1,
      smtpUsername: "relay",
      smtpPassword: "R3lay!",
      smtpHostEmail: "ops@example.org",
      enableSmtpSsl: false,
      messageSchedulerBatchSize: 20,
    });
    await smtpApi(s, { action: "UpdateSmtpSettings", token, body });
    const host = s.dump().host;
    expect(host).toMatchObject({
      SMTPServer: "mail.example.org:2525",
      SMTPConnectionLimit: "7",
      SMTPMaxIdleTime: "5000",
      SMTPAuthentication: "1",
      SMTPUsername: "relay",
      SMTPPassword: "R3lay!",
      HostEmail: "ops@example.org",
      SMTPEnableSSL: "N",
      MessageSchedulerBatchSize: "20",
    });
    const stored = s.dump().HostSettings.find((r) => r.SettingName === "SMTPPassword");
    expect(stored?.StoredValue).not.toBe("R3lay!"); // encrypted at rest
    const r = await smtpApi(s, { action: "GetSmtpSettings", token });
    expect(r.body.host).toMatchObject({
      smtpServer: "mail.example.org:2525",
      smtpConnectionLimit: 7,
      smtpHostEmail: "ops@example.org",
    });
    expect(r.body.smtpServerMode).toBe("h");
  });

  it("mode p writes the site keys of the site in the URL only", async () => {
    const s = await standin();
    const token = await hostToken(s);
    await smtpApi(s, {
      alias: "shop",
      action: "UpdateSmtpSettings",
      token,
      body: updateRequest({
        smtpServerMode: "p",
        smtpServer: "shop-mail:25",
        smtpPassword: "Sh0p",
      }),
    });
    const d = s.dump();
    expect(d.portals[1]).toMatchObject({
      SMTPmode: "p",
      SMTPServer: "shop-mail:25",
      SMTPPassword: "Sh0p",
      SMTPEnableSSL: "Y",
      SMTPAuthentication: "1",
    });
    expect(d.portals[0]).toEqual({});
    expect(d.host.SMTPServer).toBe("");
    const row = d.PortalSettings.find((r) => r.PortalID === 1 && r.SettingName === "SMTPServer");
    expect(row?.CultureCode).toBeNull();
  });

  it("the SMTPmode trap: a host write through a site in mode p switches it to h", async () => {
    const s = await standin();
    const token = await hostToken(s);
    await smtpApi(s, {
      alias: "shop",
      action: "UpdateSmtpSettings",
      token,
      body: updateRequest({ smtpServerMode: "p", smtpServer: "shop-mail" }),
    });
    expect(s.dump().portals[1]?.SMTPmode).toBe("p");
    await smtpApi(s, {
      alias: "shop",
      action: "UpdateSmtpSettings",
      token,
      body: updateRequest({ smtpServerMode: "h", smtpServer: "global-mail" }),
    });
    const d = s.dump();
    expect(d.portals[1]?.SMTPmode).toBe("h");
    expect(d.portals[1]?.SMTPServer).toBe("shop-mail"); // site keys untouched
    expect(d.host.SMTPServer).toBe("global-mail");
    // Writing host settings through the root site writes the ROOT's mode only.
    await smtpApi(s, {
      alias: "shop",
      action: "UpdateSmtpSettings",
      token,
      body: updateRequest({ smtpServerMode: "p", smtpServer: "shop-mail" }),
    });
    await smtpApi(s, {
      action: "UpdateSmtpSettings",
      token,
      body: updateRequest({ smtpServerMode: "h" }),
    });
    expect(s.dump().portals[1]?.SMTPmode).toBe("p");
    expect(s.dump().portals[0]?.SMTPmode).toBe("h");
  });

  it("binds property names case-insensitively and converts like Json.NET", async () => {
    const s = await standin();
    const token = await hostToken(s);
    await smtpApi(s, {
      action: "UpdateSmtpSettings",
      token,
      body: {
        SMTPSERVERMODE: "h",
        SmtpServer: "case.example.com",
        smtpconnectionlimit: 3,
        SmtpMaxIdleTime: "9",
        SmtpAuthentication: "1",
        SMTPUSERNAME: "u",
        smtpPASSWORD: "p",
        SmtpHostEmail: "c@example.com",
        EnableSmtpSsl: "true",
        MessageSchedulerBatchSize: "12",
      },
    });
    expect(s.dump().host).toMatchObject({
      SMTPServer: "case.example.com",
      SMTPConnectionLimit: "3",
      SMTPMaxIdleTime: "9",
      SMTPAuthentication: "1",
      SMTPUsername: "u",
      SMTPPassword: "p",
      HostEmail: "c@example.com",
      SMTPEnableSSL: "Y",
      MessageSchedulerBatchSize: "12",
    });
  });

  it("mode is compared case-sensitively: H writes the site keys", async () => {
    const s = await standin();
    const token = await hostToken(s);
    await smtpApi(s, {
      action: "UpdateSmtpSettings",
      token,
      body: updateRequest({ smtpServerMode: "H", smtpServer: "upper" }),
    });
    expect(s.dump().portals[0]).toMatchObject({ SMTPmode: "H", SMTPServer: "upper" });
    expect(s.dump().host.SMTPServer).toBe("");
  });

  it("a missing body is a 500 with a Web API error body", async () => {
    const s = await standin();
    const r = await call(`${s.url}/API/PersonaBar/ServerSettingsSmtpHost/UpdateSmtpSettings`, {
      method: "POST",
      headers: { Authorization: `Bearer ${await hostToken(s)}` },
    });
    expect(r.status).toBe(500);
    expect(r.body.Message).toBe("An error has occurred.");
  });
});

describe("UpdateSmtpSettings (Admin controller)", () => {
  it("always writes site settings, even in mode h, and sets the site's SMTPmode", async () => {
    const s = await standin();
    const token = (await jwtLogin(s, "admin", "Adm1n!pass")).accessToken;
    const r = await smtpApi(s, {
      controller: "ServerSettingsSmtpAdmin",
      action: "UpdateSmtpSettings",
      token,
      body: updateRequest({
        smtpServerMode: "h",
        smtpServer: "admin-mail",
        smtpHostEmail: "x@example.com",
      }),
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ success: true, providerChanged: false });
    const d = s.dump();
    expect(d.portals[0]).toMatchObject({ SMTPmode: "h", SMTPServer: "admin-mail" });
    expect(d.host.SMTPServer).toBe("");
    expect(d.host.HostEmail).toBe("host@example.com");
  });

  it("GET returns host: {} and the site block", async () => {
    const s = await standin("g2");
    const token = (await jwtLogin(s, "admin", "Adm1n!pass")).accessToken;
    const r = await smtpApi(s, {
      controller: "ServerSettingsSmtpAdmin",
      action: "GetSmtpSettings",
      token,
    });
    expect(r.body.host).toEqual({});
    expect(Object.keys(r.body.site as object).sort()).toEqual([...SITE_KEYS_G1].sort());
    expect(r.body.hideCoreSettings).toBe(false);
  });
});

describe("permissions", () => {
  const DENIED = { Message: "Authorization has been denied for this request." };

  it("anonymous callers get 401 on every action of both controllers", async () => {
    const s = await standin();
    for (const controller of ["ServerSettingsSmtpHost", "ServerSettingsSmtpAdmin"] as const) {
      const get = await smtpApi(s, { controller, action: "GetSmtpSettings" });
      const post = await smtpApi(s, {
        controller,
        action: "UpdateSmtpSettings",
        body: updateRequest(),
      });
      const oauth = await smtpApi(s, { controller, action: "GetSmtpOAuthProviders" });
      for (const r of [get, post, oauth]) {
        expect(r.status).toBe(401);
        expect(r.body).toEqual(DENIED);
      }
    }
    expect(s.dump().portals[0]).toEqual({});
  });

  it("a plain user is refused by both controllers", async () => {
    const s = await standin();
    const token = (await jwtLogin(s, "plain", "Pl4in!pass")).accessToken;
    expect((await smtpApi(s, { action: "GetSmtpSettings", token })).status).toBe(401);
    expect(
      (
        await smtpApi(s, {
          controller: "ServerSettingsSmtpAdmin",
          action: "GetSmtpSettings",
          token,
        })
      ).status,
    ).toBe(401);
  });

  it("a site administrator: Admin controller yes, Host controller no, other sites no", async () => {
    const s = await standin();
    const token = (await jwtLogin(s, "admin", "Adm1n!pass")).accessToken;
    expect((await smtpApi(s, { action: "GetSmtpSettings", token })).status).toBe(401);
    expect(
      (await smtpApi(s, { action: "UpdateSmtpSettings", token, body: updateRequest() })).status,
    ).toBe(401);
    expect(s.dump().host.SMTPServer).toBe("");
    expect(
      (
        await smtpApi(s, {
          controller: "ServerSettingsSmtpAdmin",
          action: "GetSmtpSettings",
          token,
        })
      ).status,
    ).toBe(200);
    // The admin's token does not work on /shop, where the user does not exist.
    const shop = await smtpApi(s, {
      alias: "shop",
      controller: "ServerSettingsSmtpAdmin",
      action: "GetSmtpSettings",
      token,
    });
    expect(shop.status).toBe(401);
  });

  it("a superuser's token from any site works on every site and both controllers", async () => {
    const s = await standin();
    const token = await hostToken(s, "shop");
    for (const alias of ["", "shop"]) {
      for (const controller of ["ServerSettingsSmtpHost", "ServerSettingsSmtpAdmin"] as const) {
        expect(
          (await smtpApi(s, { alias, controller, action: "GetSmtpSettings", token })).status,
        ).toBe(200);
      }
    }
  });
});

describe("GetSmtpOAuthProviders", () => {
  it.each(["g1", "g2"] as const)("%s: does not exist (404)", async (generation) => {
    const s = await standin(generation);
    const r = await smtpApi(s, { action: "GetSmtpOAuthProviders", token: await hostToken(s) });
    expect(r.status).toBe(404);
    expect(r.body.Message).toMatch(/No HTTP resource was found/);
  });

  it("g3: host and site lists; the Admin controller's host list is empty", async () => {
    const s = await standin("g3");
    const token = await hostToken(s);
    const r = await smtpApi(s, { action: "GetSmtpOAuthProviders", token });
    expect(r.status).toBe(200);
    const host = r.body.host as Array<Record<string, unknown>>;
    expect(host.map((p) => p.name)).toEqual(["ExchangeOnline", "GoogleMail"]);
    expect(Object.keys(host[0] ?? {}).sort()).toEqual([
      "authorizeUrl",
      "isAuthorized",
      "localizedName",
      "name",
      "settings",
    ]);
    const setting = ((host[0]?.settings ?? []) as Array<Record<string, unknown>>)[0] ?? {};
    expect(Object.keys(setting).sort()).toEqual([
      "help",
      "isRequired",
      "isSecure",
      "label",
      "name",
      "value",
    ]);
    expect(host[0]?.isAuthorized).toBe(false);
    const admin = await smtpApi(s, {
      controller: "ServerSettingsSmtpAdmin",
      action: "GetSmtpOAuthProviders",
      token,
    });
    expect(admin.body.host).toEqual([]);
    expect((admin.body.site as unknown[]).length).toBe(2);
  });

  it("g3: consent through authorizeUrl flips isAuthorized (scope by portal)", async () => {
    const s = await standin("g3");
    const token = await hostToken(s);
    const before = await smtpApi(s, { action: "GetSmtpOAuthProviders", token });
    const url = (before.body.site as Array<Record<string, unknown>>)[0]?.authorizeUrl as string;
    expect((await call(url)).status).toBe(200);
    const after = await smtpApi(s, { action: "GetSmtpOAuthProviders", token });
    expect((after.body.site as Array<Record<string, unknown>>)[0]?.isAuthorized).toBe(true);
    expect((after.body.host as Array<Record<string, unknown>>)[0]?.isAuthorized).toBe(false);
    s.setOAuthAuthorized("GoogleMail", -1, true);
    const host = await smtpApi(s, { action: "GetSmtpOAuthProviders", token });
    expect((host.body.host as Array<Record<string, unknown>>)[1]?.isAuthorized).toBe(true);
  });
});

describe("UpdateSmtpSettings with OAuth (auth type 3)", () => {
  const oauthBody = (extra: Record<string, unknown> = {}) =>
    updateRequest({
      smtpAuthentication: 3,
      authProvider: "ExchangeOnline",
      authProviderSettings: { TenantId: "t", ClientId: "c", ClientSecret: "s3cret" },
      ...extra,
    });

  it("g3: stores the provider and its settings (secure ones encrypted), reports providerChanged", async () => {
    const s = await standin("g3");
    const token = await hostToken(s);
    const r = await smtpApi(s, { action: "UpdateSmtpSettings", token, body: oauthBody() });
    expect(r.body).toEqual({ success: true, providerChanged: true });
    const d = s.dump();
    expect(d.host.SMTPAuthProvider).toBe("ExchangeOnline");
    expect(d.host.SMTPAuthentication).toBe("3");
    const secret = d.HostSettings.find(
      (x) => x.SettingName === "SMTPOAuth_ExchangeOnline_ClientSecret",
    );
    expect(secret?.StoredValue).not.toBe("s3cret");
    expect(s.store.mailProvider).toBe("MailKitMailProvider");
    const providers = await smtpApi(s, { action: "GetSmtpOAuthProviders", token });
    const exo = (
      providers.body.host as Array<{ settings: Array<{ name: string; value: string }> }>
    )[0];
    expect(exo?.settings.find((x) => x.name === "ClientSecret")?.value).toBe("s3cret");
    const again = await smtpApi(s, { action: "UpdateSmtpSettings", token, body: oauthBody() });
    expect(again.body).toEqual({ success: true, providerChanged: false });
    const get = await smtpApi(s, { action: "GetSmtpSettings", token });
    expect((get.body.host as Record<string, unknown>).authProvider).toBe("ExchangeOnline");
  });

  it("g3: provider errors answer 200 {success:false, errors}", async () => {
    const s = await standin("g3");
    const r = await smtpApi(s, {
      action: "UpdateSmtpSettings",
      token: await hostToken(s),
      body: oauthBody({ smtpServerMode: "p", authProviderSettings: { TenantId: "t" } }),
    });
    expect(r.status).toBe(200);
    expect(r.body.success).toBe(false);
    expect(r.body.errors).toEqual(["Client ID is required.", "Client Secret is required."]);
    expect(s.dump().portals[0]?.SMTPAuthProvider).toBe("ExchangeOnline");
  });

  it.each(["g1", "g2"] as const)(
    "%s: auth type 3 is stored as a number, nothing else happens",
    async (generation) => {
      const s = await standin(generation);
      const r = await smtpApi(s, {
        action: "UpdateSmtpSettings",
        token: await hostToken(s),
        body: oauthBody(),
      });
      expect(r.body).toEqual({ success: true });
      expect(s.dump().host.SMTPAuthentication).toBe("3");
      expect(s.dump().host.SMTPAuthProvider).toBeUndefined();
    },
  );
});

describe("routing", () => {
  it("answers on /API/PersonaBar and /DesktopModules/PersonaBar/API, names case-insensitive", async () => {
    const s = await standin();
    const token = await hostToken(s);
    const headers = { Authorization: `Bearer ${token}` };
    for (const path of [
      "/API/PersonaBar/ServerSettingsSmtpHost/GetSmtpSettings",
      "/DesktopModules/PersonaBar/API/ServerSettingsSmtpHost/GetSmtpSettings",
      "/api/personabar/serversettingssmtphost/getsmtpsettings",
      "/shop/DesktopModules/PersonaBar/API/ServerSettingsSmtpHost/GetSmtpSettings",
      "/SHOP/API/PersonaBar/ServerSettingsSmtpHost/GetSmtpSettings",
    ]) {
      const r = await call(`${s.url}${path}`, { headers });
      expect(r.status, path).toBe(200);
    }
  });

  it("an unknown alias path is DNN's null-alias 500", async () => {
    const s = await standin();
    const r = await call(`${s.url}/nosuch/API/PersonaBar/ServerSettingsSmtpHost/GetSmtpSettings`);
    expect(r.status).toBe(500);
    expect(r.body).toMatchObject({
      Message: "An error has occurred.",
      ExceptionType: "System.NullReferenceException",
    });
  });

  it("unknown controller/action → 404, wrong verb → 405", async () => {
    const s = await standin();
    const token = await hostToken(s);
    expect(
      (await smtpApi(s, { controller: "Nope" as never, action: "GetSmtpSettings", token })).status,
    ).toBe(404);
    expect((await smtpApi(s, { action: "Nope", token })).status).toBe(404);
    const r = await smtpApi(s, { action: "GetSmtpSettings", token, body: {} });
    expect(r.status).toBe(405);
    expect(r.body).toEqual({
      Message: "The requested resource does not support http method 'POST'.",
    });
    expect((await smtpApi(s, { action: "UpdateSmtpSettings", token })).status).toBe(405);
  });
});
