/**
 * Contract section 5 over real HTTP: JWT login / extendtoken / logout with an injectable
 * clock, JWT switched off, DNN 10 API tokens, and the page's cookie + anti-forgery pair.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type Standin, type StandinOptions, startStandin } from "./server.js";
import { call, jwtLogin, smtpApi, updateRequest } from "./testing.js";

const running: Standin[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function standin(options: StandinOptions = {}): Promise<Standin> {
  const s = await startStandin({
    quiet: true,
    admin: { username: "admin", password: "Adm1n!pass" },
    ...options,
  });
  running.push(s);
  return s;
}

const MINUTE = 60_000;

function login(s: Standin, body: unknown, alias = "") {
  return call(`${s.siteUrl(alias)}/API/JwtAuth/mobile/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

function extend(s: Standin, accessToken: string | undefined, rtoken: string) {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
  return call(`${s.url}/API/JwtAuth/mobile/extendtoken`, {
    method: "POST",
    headers,
    body: JSON.stringify({ rtoken }),
  });
}

describe("JWT login", () => {
  it("answers {userId, displayName, accessToken, renewalToken}", async () => {
    const s = await standin();
    const r = await login(s, { u: "host", p: "dnnhost" });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual([
      "accessToken",
      "displayName",
      "renewalToken",
      "userId",
    ]);
    expect(String(r.body.accessToken).split(".")).toHaveLength(3);
  });

  it("bad credentials: 401 with WWW-Authenticate: Bearer bad-credentials", async () => {
    const s = await standin();
    for (const body of [
      { u: "host", p: "wrong" },
      { u: "nobody", p: "x" },
    ]) {
      const r = await login(s, body);
      expect(r.status).toBe(401);
      expect(r.headers.get("www-authenticate")).toBe("Bearer bad-credentials");
    }
  });

  it("a site administrator cannot log in on a site where the user does not exist", async () => {
    const s = await standin();
    expect((await login(s, { u: "admin", p: "Adm1n!pass" })).status).toBe(200);
    const r = await login(s, { u: "admin", p: "Adm1n!pass" }, "shop");
    expect(r.headers.get("www-authenticate")).toBe("Bearer bad-credentials");
  });

  it("JWT disabled: login says Bearer disabled and bearer tokens authenticate nobody", async () => {
    const s = await standin({ jwt: "disabled" });
    const r = await login(s, { u: "host", p: "dnnhost" });
    expect(r.status).toBe(401);
    expect(r.headers.get("www-authenticate")).toBe("Bearer disabled");
  });
});

describe("JWT lifetime with an injectable clock", () => {
  it("an access token lives 60 minutes", async () => {
    let now = Date.UTC(2026, 0, 1);
    const s = await standin({ now: () => now });
    const { accessToken } = await jwtLogin(s, "host", "dnnhost");
    now += 59 * MINUTE;
    expect((await smtpApi(s, { action: "GetSmtpSettings", token: accessToken })).status).toBe(200);
    now += 2 * MINUTE;
    const r = await smtpApi(s, { action: "GetSmtpSettings", token: accessToken });
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ Message: "Authorization has been denied for this request." });
  });

  it("extendtoken renews with the expired token; the old token then stops working", async () => {
    const s = await standin();
    const first = await jwtLogin(s, "host", "dnnhost");
    s.advanceClock(61 * MINUTE);
    const r = await extend(s, first.accessToken, first.renewalToken);
    expect(r.status).toBe(200);
    expect(r.body.renewalToken).toBe(first.renewalToken);
    const fresh = String(r.body.accessToken);
    expect(fresh).not.toBe(first.accessToken);
    expect((await smtpApi(s, { action: "GetSmtpSettings", token: fresh })).status).toBe(200);
    expect((await smtpApi(s, { action: "GetSmtpSettings", token: first.accessToken })).status).toBe(
      401,
    );
  });

  it("renewal failures carry DNN's reasons", async () => {
    const s = await standin();
    const t = await jwtLogin(s, "host", "dnnhost");
    const reason = async (token: string | undefined, rtoken: string) =>
      (await extend(s, token, rtoken)).headers.get("www-authenticate");
    expect(await reason(undefined, t.renewalToken)).toBe("Bearer bad-credentials");
    expect(await reason("not-a-jwt", t.renewalToken)).toBe("Bearer bad-jwt");
    expect(await reason(t.accessToken, "wrong")).toBe("Bearer bad-token");
    s.advanceClock(14 * 24 * 60 * MINUTE + MINUTE);
    expect(await reason(t.accessToken, t.renewalToken)).toBe("Bearer not-more-renewal");
  });

  it("logout deletes the token: it no longer authenticates and cannot be renewed", async () => {
    const s = await standin();
    const t = await jwtLogin(s, "host", "dnnhost");
    const r = await call(`${s.url}/API/JwtAuth/mobile/logout`, {
      headers: { Authorization: `Bearer ${t.accessToken}` },
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ success: true });
    expect((await smtpApi(s, { action: "GetSmtpSettings", token: t.accessToken })).status).toBe(
      401,
    );
    expect((await extend(s, t.accessToken, t.renewalToken)).headers.get("www-authenticate")).toBe(
      "Bearer not-found",
    );
    expect((await call(`${s.url}/API/JwtAuth/mobile/logout`)).status).toBe(401);
  });

  it("tokens survive in the database: a restart with the same data keeps them valid", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "standin-jwt-"));
    try {
      const a = await startStandin({ quiet: true, dataDir: dir });
      const t = await jwtLogin(a, "host", "dnnhost");
      await a.close();
      const b = await standin({ dataDir: dir });
      expect((await smtpApi(b, { action: "GetSmtpSettings", token: t.accessToken })).status).toBe(
        200,
      );
    } finally {
      await Promise.all(running.splice(0).map((s) => s.close()));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("DNN 10 API tokens", () => {
  it("are refused while the feature is off (DNN's default)", async () => {
    const s = await standin();
    const { token } = s.createApiToken("host");
    expect((await smtpApi(s, { action: "GetSmtpSettings", token })).status).toBe(401);
  });

  it("a User-scope token created by a superuser acts as that superuser, on every site", async () => {
    const s = await standin({ apiTokens: true });
    const created = await call<{ token: string }>(`${s.url}/_standin/api-tokens`, {
      method: "POST",
      body: JSON.stringify({ username: "host", scope: "User" }),
    });
    const token = created.body.token;
    expect((await smtpApi(s, { action: "GetSmtpSettings", token })).status).toBe(200);
    expect(
      (
        await smtpApi(s, {
          alias: "shop",
          action: "UpdateSmtpSettings",
          token,
          body: updateRequest(),
        })
      ).status,
    ).toBe(200);
  });

  it("Host- and Portal-scope tokens are refused by both controllers", async () => {
    const s = await standin({ apiTokens: true });
    for (const token of [
      s.createApiToken("host", "Host").token,
      s.createApiToken("host", "Portal").token,
    ]) {
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
    }
  });

  it("a site administrator's own User-scope token passes the Admin controller, not the Host one", async () => {
    const s = await standin({ apiTokens: true });
    const token = s.createApiToken("admin", "User").token;
    expect((await smtpApi(s, { action: "GetSmtpSettings", token })).status).toBe(401);
    const admin = await smtpApi(s, {
      controller: "ServerSettingsSmtpAdmin",
      action: "GetSmtpSettings",
      token,
    });
    expect(admin.status).toBe(200);
    const update = await smtpApi(s, {
      controller: "ServerSettingsSmtpAdmin",
      action: "UpdateSmtpSettings",
      token,
      body: updateRequest({ smtpServerMode: "p", smtpServer: "admin.example.com" }),
    });
    expect(update.status).toBe(200);
    expect(s.dump().portals[0]?.SMTPServer).toBe("admin.example.com");
    // Not a user of /shop: the token finds no user there.
    expect(
      (
        await smtpApi(s, {
          alias: "shop",
          controller: "ServerSettingsSmtpAdmin",
          action: "GetSmtpSettings",
          token,
        })
      ).status,
    ).toBe(401);
  });

  it("a registered user's User-scope token is refused (no administrator role)", async () => {
    const s = await standin({ apiTokens: true });
    s.addUser({ username: "bob", password: "B0b!pass" });
    const token = s.createApiToken("bob", "User").token;
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

  it("are never accepted on DNN 9.x (the feature does not exist)", async () => {
    const s = await standin({ apiTokens: true, dnnVersion: "9.13" });
    const { token } = s.createApiToken("host");
    expect((await smtpApi(s, { action: "GetSmtpSettings", token })).status).toBe(401);
  });
});

describe("cookie + anti-forgery (the browser way)", () => {
  async function cookieLogin(s: Standin, username: string, password: string) {
    const res = await fetch(`${s.url}/_standin/page/login`, {
      method: "POST",
      body: JSON.stringify({ username, password }),
    });
    const cookies = res.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const { antiForgery } = (await res.json()) as { antiForgery: string };
    return { cookies, antiForgery };
  }

  it("GET needs the cookie; POST also needs the RequestVerificationToken header", async () => {
    const s = await standin();
    const { cookies, antiForgery } = await cookieLogin(s, "host", "dnnhost");
    const url = `${s.url}/API/PersonaBar/ServerSettingsSmtpHost`;
    expect((await call(`${url}/GetSmtpSettings`, { headers: { Cookie: cookies } })).status).toBe(
      200,
    );
    const post = (headers: Record<string, string>) =>
      call(`${url}/UpdateSmtpSettings`, {
        method: "POST",
        headers: { Cookie: cookies, "Content-Type": "application/json", ...headers },
        body: JSON.stringify(updateRequest()),
      });
    expect((await post({})).status).toBe(401);
    expect((await post({ RequestVerificationToken: "forged" })).status).toBe(401);
    expect((await post({ RequestVerificationToken: antiForgery })).status).toBe(200);
  });

  it("wrong page password → 401", async () => {
    const s = await standin();
    const r = await call(`${s.url}/_standin/page/login`, {
      method: "POST",
      body: JSON.stringify({ username: "host", password: "x" }),
    });
    expect(r.status).toBe(401);
  });
});
