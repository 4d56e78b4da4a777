/**
 * The behaviour table (versions.ts, docs/dnn-versions.md) over real HTTP, per modelled DNN
 * version: GET shape, password masking, `*****` on update, HostEmail on 9.2, update
 * answers, OAuth provider overwrite and settings, SendTestEmail addressing and `*****`.
 * Expectations are written out per version here, not derived from the table.
 */
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterEach, describe, expect, it } from "vitest";
import { testCerts } from "../test/support/certs";
import { type Standin, type StandinOptions, startStandin } from "./server.js";
import { jwtLogin, smtpApi, updateRequest } from "./testing.js";
import {
  BEHAVIOURS,
  eraOf,
  featuresOf,
  generationOf,
  MODELLED_VERSIONS,
  parseDnnVersion,
  resolveDnnVersion,
} from "./versions.js";

const running: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function start(dnnVersion: string, options: StandinOptions = {}): Promise<Standin> {
  const s = await startStandin({
    dnnVersion,
    quiet: true,
    superuser: { username: "host", password: "dnnhost", email: "root@example.com" },
    admin: { username: "admin", password: "Adm1n!pass" },
    ...options,
  });
  running.push(s);
  return s;
}

async function tokens(s: Standin): Promise<{ host: string; admin: string }> {
  const host = (await jwtLogin(s, "host", "dnnhost")).accessToken;
  const admin = (await jwtLogin(s, "admin", "Adm1n!pass")).accessToken;
  return { host, admin };
}

describe("version parsing and the generation aliases", () => {
  it("accepts every modelled version, patch levels and in-between releases", () => {
    for (const v of MODELLED_VERSIONS) expect(parseDnnVersion(v).text).toBe(v);
    expect(parseDnnVersion("9.11.1")).toMatchObject({ major: 9, minor: 11, patch: 1 });
    expect(eraOf(parseDnnVersion("9.10"))).toBe("E3");
    expect(eraOf(parseDnnVersion("9.3"))).toBe("E2");
    expect(eraOf(parseDnnVersion("10.0"))).toBe("E5");
  });

  it.each(["9.1", "9.14", "8.0", "11.0", "10.3", "nine", "9", ""])(
    "rejects %j with the list of modelled versions",
    (v) => {
      expect(() => parseDnnVersion(v)).toThrow(/9\.2, 9\.4, 9\.9, 9\.11, 9\.12, 9\.13, 10\.2/);
    },
  );

  it("eras and old labels per modelled version", () => {
    const eras = MODELLED_VERSIONS.map((v) => eraOf(parseDnnVersion(v)));
    expect(eras).toEqual(["E1", "E2", "E3", "E4", "E4", "E5", "E5"]);
    const labels = MODELLED_VERSIONS.map((v) => generationOf(parseDnnVersion(v)));
    expect(labels).toEqual(["g1", "g1", "g1", "g2", "g2", "g3", "g3"]);
  });

  it("generation g1/g2/g3 are aliases of 9.4/9.11/10.2; dnnVersion wins; default 10.2", async () => {
    expect(resolveDnnVersion({ generation: "g1" }).text).toBe("9.4");
    expect(resolveDnnVersion({ generation: "g2" }).text).toBe("9.11");
    expect(resolveDnnVersion({ generation: "g3" }).text).toBe("10.2");
    expect(resolveDnnVersion({}).text).toBe("10.2");
    expect(resolveDnnVersion({ dnnVersion: "9.2", generation: "g3" }).text).toBe("9.2");
    expect(() => resolveDnnVersion({ generation: "g4" })).toThrow(/g1 = 9\.4/);
    const s = await startStandin({ quiet: true, generation: "g1" });
    running.push(s);
    expect([s.dnnVersion, s.generation, s.era]).toEqual(["9.4", "g1", "E2"]);
    const d = await startStandin({ quiet: true });
    running.push(d);
    expect([d.dnnVersion, d.generation, d.era]).toEqual(["10.2", "g3", "E5"]);
    await expect(startStandin({ quiet: true, dnnVersion: "9.1" })).rejects.toThrow(/modelled/);
  });

  it("every table row names its DNN source and a parsable first version", () => {
    for (const row of Object.values(BEHAVIOURS)) {
      expect(row.source.length).toBeGreaterThan(10);
      expect(row.from).toMatch(/^\d+\.\d+\.\d+$/);
    }
    expect(featuresOf(parseDnnVersion("9.11"))).toMatchObject({
      maskedPasswords: true,
      testMailSwapsObfuscated: false,
    });
    expect(featuresOf(parseDnnVersion("9.11.1")).testMailSwapsObfuscated).toBe(true);
  });
});

const BASE_HOST = [
  "smtpServer",
  "smtpConnectionLimit",
  "smtpMaxIdleTime",
  "smtpAuthentication",
  "enableSmtpSsl",
  "smtpUserName",
  "smtpPassword",
  "messageSchedulerBatchSize",
];
const BASE_SITE = [
  "smtpServer",
  "smtpConnectionLimit",
  "smtpMaxIdleTime",
  "smtpAuthentication",
  "enableSmtpSsl",
  "smtpUserName",
  "smtpPassword",
];
const BASE_TOP = ["smtpServerMode", "host", "site", "portalName"];

// version, smtpHostEmail, hideCoreSettings, authProvider, masked passwords
const SHAPES: Array<[string, boolean, boolean, boolean, boolean]> = [
  ["9.2", false, false, false, false],
  ["9.4", true, false, false, false],
  ["9.9", true, true, false, false],
  ["9.11", true, true, false, true],
  ["9.12", true, true, false, true],
  ["9.13", true, true, true, true],
  ["10.2", true, true, true, true],
];

describe("GetSmtpSettings per version", () => {
  it.each(SHAPES)(
    "%s: smtpHostEmail %s, hideCoreSettings %s, authProvider %s",
    async (version, hostEmail, hide, authProvider) => {
      const s = await start(version);
      const { host, admin } = await tokens(s);
      const r = await smtpApi(s, { action: "GetSmtpSettings", token: host });
      expect(r.status).toBe(200);
      const hostKeys = [
        ...BASE_HOST,
        ...(hostEmail ? ["smtpHostEmail"] : []),
        ...(authProvider ? ["authProvider"] : []),
      ];
      const siteKeys = [...BASE_SITE, ...(authProvider ? ["authProvider"] : [])];
      const top = [...BASE_TOP, ...(hide ? ["hideCoreSettings"] : [])];
      expect(Object.keys(r.body).sort()).toEqual(top.sort());
      expect(Object.keys(r.body.host as object).sort()).toEqual(hostKeys.sort());
      expect(Object.keys(r.body.site as object).sort()).toEqual(siteKeys.sort());
      const a = await smtpApi(s, {
        controller: "ServerSettingsSmtpAdmin",
        action: "GetSmtpSettings",
        token: admin,
      });
      expect(a.status).toBe(200);
      expect(a.body.host).toEqual({});
      expect(Object.keys(a.body).sort()).toEqual(top.sort());
      expect(Object.keys(a.body.site as object).sort()).toEqual(siteKeys.sort());
    },
  );

  it.each(SHAPES)("%s: passwords shown (masked: %5$s)", async (version, ...flags) => {
    const masked = flags[3];
    const s = await start(version);
    const { host } = await tokens(s);
    await smtpApi(s, {
      action: "UpdateSmtpSettings",
      token: host,
      body: updateRequest({ smtpPassword: "H0st!pw" }),
    });
    await smtpApi(s, {
      action: "UpdateSmtpSettings",
      token: host,
      body: updateRequest({ smtpServerMode: "p", smtpPassword: "S1te!pw" }),
    });
    const r = await smtpApi(s, { action: "GetSmtpSettings", token: host });
    expect((r.body.host as Record<string, unknown>).smtpPassword).toBe(
      masked ? "*****" : "H0st!pw",
    );
    expect((r.body.site as Record<string, unknown>).smtpPassword).toBe(
      masked ? "*****" : "S1te!pw",
    );
    // A site with no password: "" everywhere.
    const shop = await smtpApi(s, { alias: "shop", action: "GetSmtpSettings", token: host });
    expect((shop.body.site as Record<string, unknown>).smtpPassword).toBe("");
  });
});

// version, `*****` keeps the stored password, update answer
const UPDATES: Array<[string, boolean, Record<string, unknown>]> = [
  ["9.2", false, { success: true }],
  ["9.4", false, { success: true }],
  ["9.9", false, { success: true }],
  ["9.11", true, { success: true }],
  ["9.12", true, { success: true }],
  ["9.13", true, { success: true, providerChanged: false }],
  ["10.2", true, { success: true, providerChanged: false }],
];

describe("UpdateSmtpSettings per version", () => {
  it.each(UPDATES)(
    "%s: ***** keeps the stored password: %s; answers %j",
    async (version, keeps, answer) => {
      const s = await start(version);
      const { host, admin } = await tokens(s);
      const first = await smtpApi(s, {
        action: "UpdateSmtpSettings",
        token: host,
        body: updateRequest({ smtpPassword: "H0st!pw" }),
      });
      expect(first.body).toEqual(answer);
      await smtpApi(s, {
        action: "UpdateSmtpSettings",
        token: host,
        body: updateRequest({ smtpServer: "other.example.com", smtpPassword: "*****" }),
      });
      expect(s.dump().host.SMTPPassword).toBe(keeps ? "H0st!pw" : "*****");
      expect(s.dump().host.SMTPServer).toBe("other.example.com");
      // Site scope through the Admin controller.
      await smtpApi(s, {
        controller: "ServerSettingsSmtpAdmin",
        action: "UpdateSmtpSettings",
        token: admin,
        body: updateRequest({ smtpServerMode: "p", smtpPassword: "S1te!pw" }),
      });
      const again = await smtpApi(s, {
        controller: "ServerSettingsSmtpAdmin",
        action: "UpdateSmtpSettings",
        token: admin,
        body: updateRequest({ smtpServerMode: "p", smtpPassword: "*****" }),
      });
      expect(again.body).toEqual(answer);
      expect(s.dump().portals[0]?.SMTPPassword).toBe(keeps ? "S1te!pw" : "*****");
    },
  );

  it.each([
    ["9.2", false],
    ["9.4", true],
    ["10.2", true],
  ] as const)("%s: HostEmail written by a host update: %s", async (version, written) => {
    const s = await start(version);
    const { host } = await tokens(s);
    const before = s.dump();
    expect(before.host.HostEmail).toBe("host@example.com");
    const r = await smtpApi(s, {
      action: "UpdateSmtpSettings",
      token: host,
      body: updateRequest({ smtpHostEmail: "new@example.com" }),
    });
    expect(r.status).toBe(200);
    expect(s.dump().host.HostEmail).toBe(written ? "new@example.com" : "host@example.com");
    // Only the intended keys changed (no HostEmail row touched on 9.2).
    const changed = Object.keys(s.dump().host).filter((k) => s.dump().host[k] !== before.host[k]);
    expect(changed.includes("HostEmail")).toBe(written);
  });

  it.each(["9.2", "9.9", "9.12"])(
    "%s: GetSmtpOAuthProviders does not exist; auth type 3 is just a number",
    async (version) => {
      const s = await start(version);
      const { host } = await tokens(s);
      expect((await smtpApi(s, { action: "GetSmtpOAuthProviders", token: host })).status).toBe(404);
      const r = await smtpApi(s, {
        action: "UpdateSmtpSettings",
        token: host,
        body: updateRequest({ smtpAuthentication: 3, authProvider: "ExchangeOnline" }),
      });
      expect(r.body).toEqual({ success: true });
      expect(s.dump().host.SMTPAuthProvider).toBeUndefined();
    },
  );
});

describe.each(["9.13", "10.2"])("OAuth on %s", (version) => {
  const settings = { TenantId: "t1", ClientId: "c1", ClientSecret: "s3cret" };
  const oauthBody = (extra: Record<string, unknown> = {}) =>
    updateRequest({
      smtpAuthentication: 3,
      authProvider: "ExchangeOnline",
      authProviderSettings: settings,
      ...extra,
    });

  it("an update that omits authProvider overwrites the stored provider with ''", async () => {
    const s = await start(version);
    const { host } = await tokens(s);
    await smtpApi(s, { action: "UpdateSmtpSettings", token: host, body: oauthBody() });
    expect(s.dump().host.SMTPAuthProvider).toBe("ExchangeOnline");
    const body = oauthBody();
    delete body.authProvider;
    const r = await smtpApi(s, { action: "UpdateSmtpSettings", token: host, body });
    expect(r.body).toEqual({ success: true, providerChanged: true });
    expect(s.dump().host.SMTPAuthProvider).toBe("");
    const get = await smtpApi(s, { action: "GetSmtpSettings", token: host });
    expect((get.body.host as Record<string, unknown>).authProvider).toBe("");
    // The provider's own settings stay where they were.
    expect(s.dump().oauth.host?.ExchangeOnline?.settings).toEqual(settings);
  });

  it("site scope: a different provider replaces the stored one", async () => {
    const s = await start(version);
    const { admin } = await tokens(s);
    const call = (extra: Record<string, unknown>) =>
      smtpApi(s, {
        controller: "ServerSettingsSmtpAdmin",
        action: "UpdateSmtpSettings",
        token: admin,
        body: oauthBody({ smtpServerMode: "p", ...extra }),
      });
    await call({});
    expect(s.dump().portals[0]?.SMTPAuthProvider).toBe("ExchangeOnline");
    const r = await call({
      authProvider: "GoogleMail",
      authProviderSettings: { ClientId: "g", ClientSecret: "gs" },
    });
    expect(r.body).toEqual({ success: true, providerChanged: true });
    expect(s.dump().portals[0]?.SMTPAuthProvider).toBe("GoogleMail");
    expect(s.dump().oauth["0"]?.GoogleMail?.settings).toEqual({
      ClientId: "g",
      ClientSecret: "gs",
    });
  });

  it.each([
    ["absent", undefined],
    ["null", null],
  ])(
    "authProviderSettings %s: 500, after SMTP keys and provider were written",
    async (_n, value) => {
      const s = await start(version);
      const { host } = await tokens(s);
      const body = oauthBody({ smtpServer: "written.example.com", authProviderSettings: value });
      if (value === undefined) delete body.authProviderSettings;
      const r = await smtpApi(s, { action: "UpdateSmtpSettings", token: host, body });
      expect(r.status).toBe(500);
      expect(String(r.body.ExceptionMessage ?? r.body.Message)).toMatch(/Object reference|error/);
      expect(s.dump().host.SMTPServer).toBe("written.example.com");
      expect(s.dump().host.SMTPAuthProvider).toBe("ExchangeOnline");
    },
  );

  it("keys absent from the map keep their values; a change withdraws the consent", async () => {
    const s = await start(version);
    const { host } = await tokens(s);
    await smtpApi(s, { action: "UpdateSmtpSettings", token: host, body: oauthBody() });
    s.setOAuthAuthorized("ExchangeOnline", -1, true);
    // Same values: nothing changed, consent kept.
    const same = await smtpApi(s, { action: "UpdateSmtpSettings", token: host, body: oauthBody() });
    expect(same.body).toEqual({ success: true, providerChanged: false });
    expect(s.dump().oauth.host?.ExchangeOnline?.authorized).toBe(true);
    // Only ClientId given: the others are kept, the consent is dropped.
    const r = await smtpApi(s, {
      action: "UpdateSmtpSettings",
      token: host,
      body: oauthBody({ authProviderSettings: { ClientId: "c2" } }),
    });
    expect(r.body).toEqual({ success: true, providerChanged: true });
    expect(s.dump().oauth.host?.ExchangeOnline).toEqual({
      settings: { TenantId: "t1", ClientId: "c2", ClientSecret: "s3cret" },
      authorized: false,
    });
    // Keys match exactly (Dictionary<string, string>): another case is not the setting.
    await smtpApi(s, {
      action: "UpdateSmtpSettings",
      token: host,
      body: oauthBody({ authProviderSettings: { clientid: "c3" } }),
    });
    expect(s.dump().oauth.host?.ExchangeOnline?.settings.ClientId).toBe("c2");
  });

  it("dump() shows SMTPAuthProvider, the OAuth rows (secret decrypted) and the mail provider", async () => {
    const s = await start(version);
    const { host } = await tokens(s);
    expect(s.dump().mailProvider).toBe("CoreMailProvider");
    await smtpApi(s, { action: "UpdateSmtpSettings", token: host, body: oauthBody() });
    const d = s.dump();
    expect(d.dnnVersion).toBe(version);
    expect(d.mailProvider).toBe("MailKitMailProvider");
    expect(d.host.SMTPAuthProvider).toBe("ExchangeOnline");
    expect(d.host.SMTPOAuth_ExchangeOnline_ClientSecret).toBe("s3cret");
    const row = d.HostSettings.find(
      (x) => x.SettingName === "SMTPOAuth_ExchangeOnline_ClientSecret",
    );
    expect(row?.StoredValue).not.toBe("s3cret");
    expect(Object.keys(d.oauth).sort()).toEqual(["0", "1", "host"]);
    // The control endpoint answers the same dump.
    const viaHttp = await fetch(`${s.url}/_standin/dump`).then((r) => r.json());
    expect(viaHttp).toEqual(JSON.parse(JSON.stringify(s.dump())));
  });
});

// ---- SendTestEmail addressing and `*****` per version ---------------------------------

interface Received {
  from: string;
  to: string[];
  password?: string;
}

const PASSWORDS: Record<string, string> = {
  mailer: "P4ss",
  hostuser: "H0st!pw",
  siteuser: "S1te!pw",
};
const certs = testCerts();

async function sink(): Promise<{ port: number; mails: Received[] }> {
  const mails: Received[] = [];
  const server = new SMTPServer({
    key: certs.localhost.key,
    cert: certs.localhost.cert,
    authOptional: true,
    authMethods: ["PLAIN", "LOGIN"],
    logger: false,
    onAuth(auth, _session, cb) {
      if (PASSWORDS[auth.username ?? ""] !== auth.password) return cb(new Error("Invalid login"));
      cb(null, { user: auth.password });
    },
    onData(stream, session, cb) {
      stream.resume();
      stream.on("end", () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          ...(typeof session.user === "string" ? { password: session.user } : {}),
        });
        cb();
      });
    },
  });
  server.on("error", () => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  running.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
  return { port: (server.server.address() as AddressInfo).port, mails };
}

async function mailSetup(version: string) {
  const mail = await sink();
  const s = await start(version, { smtpTls: { ca: certs.ca } });
  const t = await tokens(s);
  const server = `127.0.0.1:${mail.port}`;
  const test = (controller: "host" | "admin", extra: Record<string, unknown>) =>
    smtpApi(s, {
      controller: controller === "host" ? "ServerSettingsSmtpHost" : "ServerSettingsSmtpAdmin",
      action: "SendTestEmail",
      token: controller === "host" ? t.host : t.admin,
      body: {
        smtpServerMode: "h",
        smtpServer: server,
        smtpAuthentication: 1,
        smtpUsername: "mailer",
        smtpPassword: "P4ss",
        enableSmtpSsl: true,
        ...extra,
      },
    });
  return { s, mail, t, server, test };
}

// version, Host mode h [from, to], Host mode p [from, to], Admin mode p [from, to]
const HOST = "host@example.com";
const SITE = "site@example.com";
const ROOT = "root@example.com";
const ADMIN = "admin@example.com";
const ADDRESSING: Array<[string, string[], string[], string[]]> = [
  ["9.2", [HOST, HOST], [HOST, ROOT], [HOST, ADMIN]],
  ["9.4", [HOST, HOST], [HOST, ROOT], [HOST, ADMIN]],
  ["9.5", [HOST, HOST], [HOST, ROOT], [SITE, ADMIN]],
  ["9.7", [HOST, HOST], [HOST, ROOT], [SITE, ADMIN]],
  ["9.9", [HOST, ROOT], [SITE, ROOT], [SITE, ADMIN]],
  ["9.11", [HOST, ROOT], [SITE, ROOT], [SITE, ADMIN]],
  ["10.2", [HOST, ROOT], [SITE, ROOT], [SITE, ADMIN]],
];

describe("SendTestEmail addressing per version", () => {
  it.each(ADDRESSING)(
    "%s: Host h %j, Host p %j, Admin p %j",
    async (version, hostH, hostP, adminP) => {
      const { mail, test } = await mailSetup(version);
      expect((await test("host", {})).status).toBe(200);
      expect((await test("host", { smtpServerMode: "p" })).status).toBe(200);
      expect((await test("admin", { smtpServerMode: "p" })).status).toBe(200);
      expect(mail.mails.map((m) => [m.from, m.to[0]])).toEqual([hostH, hostP, adminP]);
    },
  );

  it("9.2: Admin mode h tests the stored host settings and mails HostEmail", async () => {
    const { mail, t, s, server, test } = await mailSetup("9.2");
    await smtpApi(s, {
      action: "UpdateSmtpSettings",
      token: t.host,
      body: updateRequest({
        smtpServer: server,
        smtpUsername: "hostuser",
        smtpPassword: "H0st!pw",
      }),
    });
    const r = await test("admin", { smtpServer: "unused.invalid:25", smtpPassword: "x" });
    expect(r.status).toBe(200);
    expect(mail.mails[0]).toMatchObject({ from: HOST, to: [HOST], password: "H0st!pw" });
    expect(r.body.confirmationMessage).toBe(`Email sent successfully from ${HOST} to ${HOST}`);
  });
});

// version, Host `*****` (mode p) uses the host password, Admin `*****` uses the site password
const SWAPS: Array<[string, boolean]> = [
  ["9.9", false],
  ["9.11", false],
  ["9.11.1", true],
  ["9.12", true],
  ["9.13", true],
  ["10.2", true],
];

describe("SendTestEmail with ***** per version", () => {
  it.each(SWAPS)("%s: ***** replaced by a stored password: %s", async (version, swaps) => {
    const { s, mail, t, server, test } = await mailSetup(version);
    await smtpApi(s, {
      action: "UpdateSmtpSettings",
      token: t.host,
      body: updateRequest({
        smtpServer: server,
        smtpUsername: "hostuser",
        smtpPassword: "H0st!pw",
      }),
    });
    await smtpApi(s, {
      action: "UpdateSmtpSettings",
      token: t.host,
      body: updateRequest({
        smtpServerMode: "p",
        smtpServer: server,
        smtpUsername: "siteuser",
        smtpPassword: "S1te!pw",
      }),
    });
    // Host controller, mode p, user "hostuser": the HOST password is swapped in (DNN's bug).
    const h = await test("host", {
      smtpServerMode: "p",
      smtpUsername: "hostuser",
      smtpPassword: "*****",
    });
    expect(h.status).toBe(swaps ? 200 : 400);
    // Admin controller, mode p: the site's password.
    const a = await test("admin", {
      smtpServerMode: "p",
      smtpUsername: "siteuser",
      smtpPassword: "*****",
    });
    expect(a.status).toBe(swaps ? 200 : 400);
    expect(mail.mails.map((m) => m.password)).toEqual(swaps ? ["H0st!pw", "S1te!pw"] : []);
  });
});
