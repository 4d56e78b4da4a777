/**
 * Who gets in, over real HTTP: the site's configured administrator role
 * (AdministratorRoleName), JWT limited to HTTPS (forceSSL), and API tokens beside it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { DENIED } from "./http.js";
import { type Standin, type StandinOptions, startStandin } from "./server.js";
import { call, jwtLogin, smtpApi, updateRequest } from "./testing.js";

const running: Standin[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function start(options: StandinOptions = {}): Promise<Standin> {
  const s = await startStandin({ quiet: true, ...options });
  running.push(s);
  return s;
}

async function adminGet(s: Standin, username: string, password: string, alias = "") {
  const token = (await jwtLogin(s, username, password, alias)).accessToken;
  return smtpApi(s, {
    alias,
    controller: "ServerSettingsSmtpAdmin",
    action: "GetSmtpSettings",
    token,
  });
}

describe("administrator role name (AdministratorRoleName)", () => {
  it('default "Administrators": members pass the Admin controller, registered users do not', async () => {
    const s = await start({ admin: { username: "admin", password: "Adm1n!pass" } });
    s.addUser({ username: "bob", password: "B0b!pass" });
    expect(s.store.adminRoleName(0)).toBe("Administrators");
    expect((await adminGet(s, "admin", "Adm1n!pass")).status).toBe(200);
    expect((await adminGet(s, "bob", "B0b!pass")).status).toBe(401);
  });

  it("a configured role name: its members pass, members of a role called Administrators do not", async () => {
    const s = await start({
      adminRoleName: "Site Admins",
      admin: { username: "admin", password: "Adm1n!pass" },
    });
    s.addUser({ username: "legacy", password: "L3gacy!pass", role: "Administrators" });
    s.addUser({ username: "named", password: "N4med!pass", role: "Site Admins" });
    expect((await adminGet(s, "admin", "Adm1n!pass")).status).toBe(200);
    expect((await adminGet(s, "named", "N4med!pass")).status).toBe(200);
    expect((await adminGet(s, "legacy", "L3gacy!pass")).status).toBe(401);
    // Superusers pass whatever the role name.
    expect((await adminGet(s, "host", "dnnhost")).status).toBe(200);
    // The Host controller stays superusers-only.
    const token = (await jwtLogin(s, "admin", "Adm1n!pass")).accessToken;
    expect((await smtpApi(s, { action: "GetSmtpSettings", token })).status).toBe(401);
  });

  it("per site: a map by portal id; setAdminRoleName changes it at run time", async () => {
    const s = await start({ adminRoleName: { 1: "Shop Admins" } });
    expect(s.store.adminRoleName(0)).toBe("Administrators");
    expect(s.store.adminRoleName(1)).toBe("Shop Admins");
    s.addUser({ username: "shopadmin", password: "Sh0p!pass", role: "admin", portalId: 1 });
    s.addUser({ username: "rootadmin", password: "R00t!pass", role: "admin", portalId: 0 });
    expect((await adminGet(s, "shopadmin", "Sh0p!pass", "shop")).status).toBe(200);
    expect((await adminGet(s, "rootadmin", "R00t!pass")).status).toBe(200);
    s.setAdminRoleName(0, "Webmasters");
    expect((await adminGet(s, "rootadmin", "R00t!pass")).status).toBe(401);
    s.addUser({ username: "rootadmin", password: "R00t!pass", role: "admin", portalId: 0 });
    expect((await adminGet(s, "rootadmin", "R00t!pass")).status).toBe(200);
    await expect(start({ adminRoleName: { 7: "X" } })).rejects.toThrow(/no portal 7/);
  });

  it("a site administrator's User-scope API token follows the same role (DNN 10)", async () => {
    const s = await start({
      apiTokens: true,
      adminRoleName: "Site Admins",
      admin: { username: "admin", password: "Adm1n!pass" },
    });
    s.addUser({ username: "legacy", password: "L3gacy!pass", role: "Administrators" });
    const get = (token: string, controller: "ServerSettingsSmtpHost" | "ServerSettingsSmtpAdmin") =>
      smtpApi(s, { controller, action: "GetSmtpSettings", token });
    const own = s.createApiToken("admin", "User").token;
    expect((await get(own, "ServerSettingsSmtpAdmin")).status).toBe(200);
    expect((await get(own, "ServerSettingsSmtpHost")).status).toBe(401);
    const legacy = s.createApiToken("legacy", "User").token;
    expect((await get(legacy, "ServerSettingsSmtpAdmin")).status).toBe(401);
    for (const scope of ["Portal", "Host"] as const) {
      const t = s.createApiToken("admin", scope).token;
      expect((await get(t, "ServerSettingsSmtpAdmin")).status).toBe(401);
    }
  });
});

describe("JWT with forceSSL (jwtForceSsl)", () => {
  it("login and extendtoken succeed, the bearer is never authenticated over HTTP", async () => {
    const s = await start({ jwtForceSsl: true, apiTokens: true });
    const login = await jwtLogin(s, "host", "dnnhost");
    const r = await smtpApi(s, { action: "GetSmtpSettings", token: login.accessToken });
    expect(r.status).toBe(401);
    expect(r.body).toEqual(DENIED);
    const update = await smtpApi(s, {
      action: "UpdateSmtpSettings",
      token: login.accessToken,
      body: updateRequest(),
    });
    expect(update.status).toBe(401);
    const renew = await call<{ accessToken: string }>(`${s.url}/API/JwtAuth/mobile/extendtoken`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Authorization: `Bearer ${login.accessToken}`,
      },
      body: JSON.stringify({ rtoken: login.renewalToken }),
    });
    expect(renew.status).toBe(200);
    const again = await smtpApi(s, { action: "GetSmtpSettings", token: renew.body.accessToken });
    expect(again.status).toBe(401);
    // DNN looks at the request URI, not at a proxy's header.
    const proxied = await call(`${s.url}/API/PersonaBar/ServerSettingsSmtpHost/GetSmtpSettings`, {
      headers: { Authorization: `Bearer ${renew.body.accessToken}`, "X-Forwarded-Proto": "https" },
    });
    expect(proxied.status).toBe(401);
    // API tokens are another handler: not limited by JWT's forceSSL.
    const { token } = s.createApiToken("host", "User");
    expect((await smtpApi(s, { action: "GetSmtpSettings", token })).status).toBe(200);
    expect(s.dump().host.SMTPServer).toBe("");
  });

  it("is off by default: JWT works over plain HTTP", async () => {
    const s = await start();
    const { accessToken } = await jwtLogin(s, "host", "dnnhost");
    expect((await smtpApi(s, { action: "GetSmtpSettings", token: accessToken })).status).toBe(200);
  });
});
