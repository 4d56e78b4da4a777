/** Fault injection over real HTTP: each armed fault hits the next N API requests only. */
import { afterEach, describe, expect, it } from "vitest";
import { Faults } from "./faults.js";
import { type Standin, startStandin } from "./server.js";
import { call, jwtLogin, smtpApi } from "./testing.js";

const running: Standin[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function standin(): Promise<{ s: Standin; token: string }> {
  const s = await startStandin({ quiet: true });
  running.push(s);
  return { s, token: (await jwtLogin(s, "host", "dnnhost")).accessToken };
}

const get = (s: Standin, token: string) => smtpApi(s, { action: "GetSmtpSettings", token });

describe("fault injection", () => {
  it("fail500: N answers of 500, then normal service", async () => {
    const { s, token } = await standin();
    s.faults.set({ fail500: 2 });
    expect((await get(s, token)).status).toBe(500);
    const second = await get(s, token);
    expect(second.status).toBe(500);
    expect(second.body).toEqual({ Message: "An error has occurred." });
    expect((await get(s, token)).status).toBe(200);
  });

  it("fail503 carries Retry-After", async () => {
    const { s, token } = await standin();
    const armed = await call(`${s.url}/_standin/faults`, {
      method: "POST",
      body: JSON.stringify({ fail503: { count: 1, retryAfter: 7 } }),
    });
    expect(armed.body.fail503).toBe(1);
    const r = await get(s, token);
    expect(r.status).toBe(503);
    expect(r.headers.get("retry-after")).toBe("7");
    expect((await get(s, token)).status).toBe(200);
  });

  it("reset: the connection is dropped", async () => {
    const { s, token } = await standin();
    s.faults.set({ reset: 1 });
    await expect(get(s, token)).rejects.toThrow();
    expect((await get(s, token)).status).toBe(200);
  });

  it("hang: no answer ever comes (the client must time out)", async () => {
    const { s, token } = await standin();
    s.faults.set({ hang: 1 });
    const started = Date.now();
    await expect(
      fetch(`${s.url}/API/PersonaBar/ServerSettingsSmtpHost/GetSmtpSettings`, {
        headers: { Authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(300),
      }),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect((await get(s, token)).status).toBe(200);
  });

  it("html: DNN's login page instead of JSON", async () => {
    const { s, token } = await standin();
    s.faults.set({ html: 1 });
    const r = await get(s, token);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/text\/html/);
    expect(r.text).toMatch(/<html/);
  });

  it("latency delays every API request until turned off", async () => {
    const { s, token } = await standin();
    s.faults.set({ latencyMs: 200 });
    const t0 = Date.now();
    await get(s, token);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    s.faults.set({ latencyMs: 0 });
    const t1 = Date.now();
    await get(s, token);
    expect(Date.now() - t1).toBeLessThan(150);
  });

  it("expireTokens: the access token fails, renewal still works", async () => {
    const { s } = await standin();
    const t = await jwtLogin(s, "host", "dnnhost");
    await call(`${s.url}/_standin/faults`, {
      method: "POST",
      body: JSON.stringify({ expireTokens: true }),
    });
    expect((await get(s, t.accessToken)).status).toBe(401);
    const r = await call(`${s.url}/API/JwtAuth/mobile/extendtoken`, {
      method: "POST",
      headers: { Authorization: `Bearer ${t.accessToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ rtoken: t.renewalToken }),
    });
    expect(r.status).toBe(200);
  });

  it("faults skip the page and /_standin, hit JwtAuth too, and are logged", async () => {
    const { s } = await standin();
    s.requests.clear();
    s.faults.set({ fail500: 1 });
    expect((await call(`${s.url}/`)).status).toBe(200);
    expect((await call(`${s.url}/_standin/faults`)).status).toBe(200);
    const login = await call(`${s.url}/API/JwtAuth/mobile/login`, { method: "POST", body: "{}" });
    expect(login.status).toBe(500);
    expect(s.requests.list().map((e) => [e.path, e.status, e.fault])).toEqual([
      ["/", 200, undefined],
      ["/API/JwtAuth/mobile/login", 500, "fail500"],
    ]);
    await call(`${s.url}/_standin/faults`, { method: "DELETE" });
    expect(s.faults.state().fail500).toBe(0);
  });

  it("one request consumes one fault, in the documented order", () => {
    const f = new Faults(() => {});
    f.set({ html: 1, fail500: 1, fail503: { count: 1 }, reset: 1, hang: 1 });
    const order = [f.take(), f.take(), f.take(), f.take(), f.take(), f.take()].map((a) => a?.kind);
    expect(order).toEqual(["reset", "hang", "fail503", "fail500", "html", undefined]);
  });
});
