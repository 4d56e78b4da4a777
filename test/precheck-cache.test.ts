/**
 * Once per configuration: identical SMTP configurations are tested once per process, and
 * concurrent identical requests share one session (counted at the server).
 */
import { describe, expect } from "vitest";
import { clearPrecheckCache, precheckCacheStats, runPrecheck } from "../provider/precheck";
import { precheckCacheKey } from "../provider/precheck/cache";
import { optionsOf, precheckTest, rejection, settingsOf } from "./support/precheck";
import type { TestSmtpServer } from "./support/smtp";

const PASSWORD = "relay-Secret-42";

/** The fixtures plus `server`: a plain relay accepting relay / PASSWORD. */
const it = precheckTest.extend<{ server: TestSmtpServer }>({
  server: async ({ smtp }, use) => {
    await use(await smtp({ tls: "none", users: { relay: PASSWORD } }));
  },
});

const site = (server: TestSmtpServer, extra: Record<string, unknown> = {}) =>
  settingsOf({
    scope: "site",
    hostEmail: undefined,
    server: `127.0.0.1:${server.port}`,
    authentication: "basic",
    username: "relay",
    password: PASSWORD,
    ...extra,
  });

describe("precheck cache", () => {
  it("200 sites sharing one relay, concurrently: one SMTP session", async ({ server }) => {
    const sites = Array.from({ length: 200 }, () => site(server));
    const reports = await Promise.all(sites.map((s) => runPrecheck(s, optionsOf(s))));
    expect(server.sessions()).toBe(1);
    expect(server.logins()).toBe(1);
    expect(reports.filter((r) => !r.cached)).toHaveLength(1);
    expect(reports.every((r) => r.authenticated)).toBe(true);
    expect(precheckCacheStats()).toEqual({ misses: 1, joins: 199, hits: 0, size: 1 });
  });

  it("later identical requests are hits; a different password or level runs again", async ({
    server,
  }) => {
    const s = site(server);
    expect((await runPrecheck(s, optionsOf(s))).cached).toBe(false);
    expect((await runPrecheck(site(server), optionsOf(site(server)))).cached).toBe(true);
    expect(server.sessions()).toBe(1);
    const other = site(server, { password: "another-one" });
    await rejection(runPrecheck(other, optionsOf(other)));
    await runPrecheck(s, optionsOf(s, { level: "connect" }));
    expect(server.sessions()).toBe(3);
    expect(precheckCacheStats()).toMatchObject({ misses: 3, hits: 1 });
  });

  it("a failure is remembered too: the same error, no second session", async ({ server }) => {
    const bad = site(server, { password: "wrong" });
    const first = await rejection(runPrecheck(bad, optionsOf(bad)));
    const second = await rejection(
      runPrecheck(site(server, { password: "wrong" }), optionsOf(bad)),
    );
    expect(second.code).toBe("PRECHECK_AUTH_REJECTED");
    expect(second).toBe(first);
    expect(server.sessions()).toBe(1);
  });

  it("clearPrecheckCache forgets results", async ({ server }) => {
    const s = site(server);
    await runPrecheck(s, optionsOf(s));
    clearPrecheckCache();
    expect((await runPrecheck(s, optionsOf(s))).cached).toBe(false);
    expect(server.sessions()).toBe(2);
  });

  it("the key is an HMAC: hex, never the password, different for different passwords", () => {
    const a = precheckCacheKey({ password: PASSWORD, server: "x" });
    const b = precheckCacheKey({ server: "x", password: PASSWORD });
    const c = precheckCacheKey({ password: `${PASSWORD}!`, server: "x" });
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a).not.toContain(PASSWORD);
  });
});
