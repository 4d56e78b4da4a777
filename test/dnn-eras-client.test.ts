/**
 * What the client and lifecycle tell a person when a site differs from the simple case
 * (issue 11, points 4, 5, 7, 8, and issue 12's 503): each case against the stand-in over
 * real HTTP, with the stand-in's request log proving what was (not) sent.
 */
import { describe, expect } from "vitest";
import { DnnClient } from "../provider/dnn/client";
import * as lifecycle from "../provider/lifecycle/smtp-settings";
import type { StandinOptions } from "../standin/server";
import { type ServerFixtures, serverTest } from "./support/fixtures";

const SITE_PASSWORD = "Eras-Site-Cred-1d9c";

type Props = Record<string, unknown>;

/** A stand-in whose superuser is the one these tests log in as. */
function site(standin: ServerFixtures["standin"], options: StandinOptions = {}) {
  return standin({ superuser: { username: "host", password: SITE_PASSWORD }, ...options });
}

function client(url: string, username = "host", password = SITE_PASSWORD): DnnClient {
  return new DnnClient({ url, username, password, timeoutMs: 5000, sources: {} });
}

async function checked(props: Props): Promise<Props> {
  const result = await lifecycle.check({}, props);
  if (result.failures?.length) throw new Error(JSON.stringify(result.failures));
  return result.inputs as Props;
}

describe("sites that answer differently", () => {
  serverTest(
    "JWT limited to HTTPS (forceSSL): its own code and sentence, not 'needs a superuser'",
    async ({ standin }) => {
      const s = await site(standin, { jwtForceSsl: true });
      const error = await client(s.url)
        .getSmtpSettings()
        .catch((e) => e);
      expect(error.code).toBe("DNN_JWT_HTTPS_ONLY");
      expect(error.message).toMatch(/HTTPS only/);
      expect(error.message).toMatch(/https:\/\//);
      expect(error.message).not.toMatch(/superuser/);
    },
  );

  serverTest(
    "a path that is no site alias: no retries, and a sentence that names the URL",
    async ({ standin }) => {
      const s = await site(standin);
      const error = await client(`${s.url}/nosuchsite`)
        .getSmtpSettings()
        .catch((e) => e);
      expect(error.code).toBe("DNN_UNKNOWN_SITE");
      expect(error.message).toMatch(/no DNN site answers at .*\/nosuchsite/);
      expect(error.message).toMatch(/aliases/);
      // One request to the unknown path (the login), one probe of the root: no retries.
      expect(s.requests.count((r) => r.path.startsWith("/nosuchsite/"))).toBe(1);
    },
  );

  serverTest(
    "a child site that fails with 500 is still retried (it is a site: the root says nothing)",
    async ({ standin }) => {
      const s = await site(standin);
      const c = client(s.siteUrl("shop"));
      await c.getSmtpSettings();
      s.faults.set({ fail500: 1 });
      await expect(c.getSmtpSettings()).resolves.toBeDefined();
      expect(s.requests.count((r) => r.fault === "fail500")).toBe(1);
    },
  );

  serverTest(
    "503 with Retry-After: the site is unavailable, and when to retry",
    async ({ standin }) => {
      const s = await site(standin);
      s.faults.set({ fail503: { count: 4, retryAfter: 120 } });
      const error = await client(s.url)
        .getSmtpSettings()
        .catch((e) => e);
      expect(s.requests.count((r) => r.fault === "fail503")).toBe(1);
      expect(error.code).toBe("DNN_UNAVAILABLE");
      expect(error.message).toMatch(/temporarily unavailable \(503\)/);
      expect(error.message).toMatch(/retry after 120 s/);
      expect(error.message).not.toMatch(/HTML page/);
    },
  );

  serverTest(
    "the Admin controller admits the site's configured administrator role",
    async ({ standin }) => {
      const s = await site(standin, { adminRoleName: { 1: "Shop Managers" } });
      s.addUser({ username: "manager", password: "Manager-Pw-1", role: "admin", portalId: 1 });
      const inputs = await checked({
        site: { url: s.siteUrl("shop"), username: "manager" },
        sitePassword: "Manager-Pw-1",
        scope: "site",
        server: "relay.example.com:2525",
        precheck: { level: "none" },
      });
      await lifecycle.create(inputs);
      expect(s.dump().portals[1]).toMatchObject({ SMTPServer: "relay.example.com:2525" });

      s.addUser({ username: "plain", password: "Plain-Pw-1", portalId: 1 });
      const error = await client(s.siteUrl("shop"), "plain", "Plain-Pw-1")
        .getSmtpSettings("admin")
        .catch((e) => e);
      expect(error.code).toBe("DNN_FORBIDDEN");
      expect(error.message).toMatch(/administrator role/);
      expect(error.message).not.toMatch(/"Administrators"/);
    },
  );

  serverTest(
    "a site administrator's own User-scope API token manages site scope (DNN 10)",
    async ({ standin }) => {
      const s = await site(standin, { apiTokens: true, dnnVersion: "10.2" });
      s.addUser({ username: "shopadmin", password: "Shop-Admin-Pw-1", role: "admin", portalId: 1 });
      const { token } = s.createApiToken("shopadmin", "User", 1);
      const inputs = await checked({
        site: { url: s.siteUrl("shop") },
        siteApiToken: token,
        scope: "site",
        server: "relay.example.com:2525",
        precheck: { level: "none" },
      });
      await lifecycle.create(inputs);
      expect(s.dump().portals[1]?.SMTPServer).toBe("relay.example.com:2525");
      expect(s.requests.count((r) => r.path.includes("ServerSettingsSmtpAdmin"))).toBeGreaterThan(
        0,
      );
    },
  );

  serverTest(
    "update learns what the site can do afresh: a state from before an upgrade does not block OAuth",
    async ({ standin }) => {
      const s = await site(standin, { dnnVersion: "10.2" });
      const where = {
        site: { url: s.siteUrl("shop"), username: "host" },
        sitePassword: SITE_PASSWORD,
      };
      const before = await checked({
        ...where,
        scope: "site",
        server: "relay.example.com:2525",
        precheck: { level: "none" },
      });
      const { id, outs } = await lifecycle.create(before);
      // The state says the site was 9.11 when it was created.
      const olds = { ...outs, apiGeneration: "g2" as const };
      const oauth = await checked({
        ...where,
        scope: "site",
        server: "smtp.office365.com:587",
        authentication: "oauth",
        username: "shop@example.com",
        enableSsl: true,
        oauth: {
          provider: "ExchangeOnline",
          settings: { TenantId: "t", ClientId: "c", ClientSecret: "cs" },
        },
        precheck: { level: "none" },
      });
      const { outs: after } = await lifecycle.update(id, olds, oauth);
      expect(after.apiGeneration).toBe("g3");
      expect(s.dump().portals[1]).toMatchObject({
        SMTPAuthentication: "3",
        SMTPAuthProvider: "ExchangeOnline",
      });
    },
  );
});
