/** The server as a whole: persistence across restarts, request log, control endpoints, the bin. */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { parseCliArgs, parseUser } from "./args.js";
import { isLoopback } from "./http.js";
import { type Standin, startStandin } from "./server.js";
import { call, jwtLogin, smtpApi, updateRequest } from "./testing.js";

const running: Standin[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "standin-test-"));
  dirs.push(d);
  return d;
}

describe("persistence", () => {
  it("survives a restart with the same data folder: settings, GUID, machine key, users", async () => {
    const dataDir = tempDir();
    const a = await startStandin({ quiet: true, dataDir, generation: "g2" });
    const token = (await jwtLogin(a, "host", "dnnhost")).accessToken;
    await smtpApi(a, {
      action: "UpdateSmtpSettings",
      token,
      body: updateRequest({ smtpServer: "kept.example.com", smtpPassword: "K3pt" }),
    });
    await smtpApi(a, {
      alias: "shop",
      action: "UpdateSmtpSettings",
      token,
      body: updateRequest({ smtpServerMode: "p", smtpPassword: "Sh0p" }),
    });
    a.addUser({ username: "later", password: "L4ter!pw" });
    const guid = a.dump().host.GUID;
    await a.close();

    const b = await startStandin({ quiet: true, dataDir, generation: "g2" });
    running.push(b);
    expect(b.dump().host).toMatchObject({
      GUID: guid,
      SMTPServer: "kept.example.com",
      SMTPPassword: "K3pt",
    });
    expect(b.dump().portals[1]).toMatchObject({ SMTPmode: "p", SMTPPassword: "Sh0p" });
    const t2 = (await jwtLogin(b, "later", "L4ter!pw")).accessToken;
    expect(t2).toBeTruthy();
    const r = await smtpApi(b, {
      action: "GetSmtpSettings",
      token: (await jwtLogin(b, "host", "dnnhost")).accessToken,
    });
    expect(r.body.host).toMatchObject({ smtpServer: "kept.example.com", smtpPassword: "*****" });
  });

  it("seeds DNN-shaped tables", async () => {
    const s = await startStandin({ quiet: true });
    running.push(s);
    const tables = (
      s.store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{
        name: string;
      }>
    ).map((t) => t.name);
    expect(tables).toEqual(
      expect.arrayContaining([
        "HostSettings",
        "PortalSettings",
        "Portals",
        "PortalAlias",
        "Users",
        "Roles",
        "UserRoles",
        "UserPortals",
        "JsonWebTokens",
        "ApiTokens",
      ]),
    );
    const cols = (
      s.store.db.prepare("PRAGMA table_info(PortalSettings)").all() as Array<{ name: string }>
    ).map((c) => c.name);
    expect(cols).toEqual(
      expect.arrayContaining(["PortalID", "SettingName", "SettingValue", "CultureCode"]),
    );
    const aliases = s.store.db
      .prepare("SELECT PortalID, HTTPAlias FROM PortalAlias ORDER BY PortalID")
      .all();
    expect(aliases).toEqual([
      { PortalID: 0, HTTPAlias: `127.0.0.1:${s.port}` },
      { PortalID: 1, HTTPAlias: `127.0.0.1:${s.port}/shop` },
    ]);
    expect(s.store.decryptionKey).toMatch(/^[0-9A-F]{64}$/);
  });
});

describe("request log and control endpoints", () => {
  it("logs method, path, status, timestamp, the POST body; /_standin is not logged; DELETE clears", async () => {
    const s = await startStandin({ quiet: true, now: () => 1_000 });
    running.push(s);
    const token = (await jwtLogin(s, "host", "dnnhost")).accessToken;
    await smtpApi(s, { alias: "shop", action: "UpdateSmtpSettings", token, body: updateRequest() });
    const log = await call<Array<Record<string, unknown>>>(`${s.url}/_standin/requests`);
    expect(log.body).toEqual([
      {
        method: "POST",
        path: "/API/JwtAuth/mobile/login",
        status: 200,
        timestamp: 1_000,
        portalId: 0,
      },
      {
        method: "POST",
        path: "/shop/API/PersonaBar/ServerSettingsSmtpHost/UpdateSmtpSettings",
        status: 200,
        timestamp: 1_000,
        portalId: 1,
        // Persona Bar POST bodies are kept, so tests can audit what a client sent.
        body: updateRequest(),
      },
    ]);
    expect(
      s.requests.count((e) => e.method === "POST" && e.path.includes("UpdateSmtpSettings")),
    ).toBe(1);
    await call(`${s.url}/_standin/requests`, { method: "DELETE" });
    expect(s.requests.list()).toEqual([]);
  });

  it("GET /_standin/dump equals dump() and shows decrypted passwords", async () => {
    const s = await startStandin({ quiet: true });
    running.push(s);
    const token = (await jwtLogin(s, "host", "dnnhost")).accessToken;
    await smtpApi(s, {
      action: "UpdateSmtpSettings",
      token,
      body: updateRequest({ smtpPassword: "Cl3ar" }),
    });
    const dump = await call(`${s.url}/_standin/dump`);
    expect(dump.body).toEqual(JSON.parse(JSON.stringify(s.dump())));
    expect((dump.body.host as Record<string, string>).SMTPPassword).toBe("Cl3ar");
  });

  it("POST /_standin/users adds plain users and admins; /_standin/clock moves time", async () => {
    const s = await startStandin({ quiet: true, now: () => 5_000 });
    running.push(s);
    const added = await call(`${s.url}/_standin/users`, {
      method: "POST",
      body: JSON.stringify({
        username: "shopadmin",
        password: "Sh0p!adm",
        role: "admin",
        portalId: 1,
      }),
    });
    expect(added.status).toBe(200);
    const token = (await jwtLogin(s, "shopadmin", "Sh0p!adm", "shop")).accessToken;
    expect(
      (
        await smtpApi(s, {
          alias: "shop",
          controller: "ServerSettingsSmtpAdmin",
          action: "GetSmtpSettings",
          token,
        })
      ).status,
    ).toBe(200);
    const clock = await call(`${s.url}/_standin/clock`, {
      method: "POST",
      body: JSON.stringify({ advanceMs: 1_000 }),
    });
    expect(clock.body).toEqual({ now: 6_000 });
    expect((await call(`${s.url}/_standin/nope`)).status).toBe(404);
  });
});

describe("loopback guard and page routes", () => {
  it("control endpoints answer loopback clients only", () => {
    const req = (remoteAddress: string) =>
      ({ socket: { remoteAddress } }) as unknown as IncomingMessage;
    expect(isLoopback(req("127.0.0.1"))).toBe(true);
    expect(isLoopback(req("::1"))).toBe(true);
    expect(isLoopback(req("::ffff:127.0.0.1"))).toBe(true);
    expect(isLoopback(req("10.0.0.5"))).toBe(false);
  });

  it("serves the page at / and /shop/ (redirecting /shop), 404 elsewhere", async () => {
    const s = await startStandin({ quiet: true });
    running.push(s);
    expect((await call(`${s.url}/`)).text).toContain("My Website");
    const redirect = await fetch(`${s.url}/shop`, { redirect: "manual" });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get("location")).toBe("/shop/");
    expect((await call(`${s.url}/shop/`)).text).toContain("Shop");
    expect((await call(`${s.url}/nosuch/`)).status).toBe(404);
  });
});

describe("bin: dnn-standin", () => {
  it("parses NAME:PASSWORD with colons in the password", () => {
    expect(parseUser("host:S3:cret", "--superuser")).toEqual({
      username: "host",
      password: "S3:cret",
    });
    expect(() => parseUser("nocolon", "--superuser")).toThrow();
    expect(
      parseCliArgs(["--generation", "g1", "--admin", "a:b", "--jwt", "disabled"]).options,
    ).toMatchObject({
      port: 0,
      generation: "g1",
      admin: { username: "a", password: "b" },
      jwt: "disabled",
      apiTokens: false,
    });
    expect(() => parseCliArgs(["--generation", "g4"])).toThrow();
  });

  it("prints its base URL first, serves the contract, stops on SIGTERM", async () => {
    // Run the TypeScript source with Node's type stripping; a tiny resolve hook maps the
    // compiled-style "./x.js" imports to "./x.ts" (what tsc does for dist/standin/cli.js).
    const hook =
      'data:text/javascript,import{registerHooks}from"node:module";registerHooks({resolve(s,c,n){try{return n(s,c)}' +
      'catch(e){if(s.startsWith(".")&&s.endsWith(".js"))return n(s.slice(0,-3)+".ts",c);throw e}}})';
    const child = spawn(
      process.execPath,
      [
        "--no-warnings",
        "--experimental-strip-types",
        "--import",
        hook,
        "standin/cli.ts",
        "--port",
        "0",
        "--generation",
        "g2",
        "--superuser",
        "host:S3cret!pass",
        "--quiet",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
      const firstLine = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no URL within 15 s")), 15_000);
        createInterface({ input: child.stdout }).once("line", (line) => {
          clearTimeout(timer);
          resolve(line);
        });
        child.once("exit", (c) => reject(new Error(`exited ${c}`)));
      });
      expect(firstLine).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const login = await call<{ accessToken: string }>(`${firstLine}/API/JwtAuth/mobile/login`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ u: "host", p: "S3cret!pass" }),
      });
      expect(login.status).toBe(200);
      const r = await call(`${firstLine}/API/PersonaBar/ServerSettingsSmtpHost/GetSmtpSettings`, {
        headers: { Authorization: `Bearer ${login.body.accessToken}` },
      });
      expect(r.body.hideCoreSettings).toBe(false);
      expect("authProvider" in (r.body.host as object)).toBe(false);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    }
  }, 30_000);
});
