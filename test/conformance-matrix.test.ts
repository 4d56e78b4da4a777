/**
 * The conformance matrix: every modelled DNN version × every operation of both resources,
 * through the lifecycle and the real client, against the stand-in speaking that version.
 * After each operation the stored rows are compared with the rows before it:
 * - only the intended keys changed;
 * - every stored password decrypts to the intended or the previous value, never `*****`;
 * - a configured OAuth provider is kept (and its consent with it);
 * - the modes are as intended.
 */
import { describe, expect } from "vitest";
import * as lifecycle from "../provider/lifecycle/smtp-settings";
import * as useGlobal from "../provider/lifecycle/use-global";
import type { Standin } from "../standin/server";
import { type ServerFixtures, serverTest } from "./support/fixtures";

const VERSIONS = ["9.2", "9.4", "9.9", "9.11", "9.13", "10.2"] as const;
const OAUTH_VERSIONS = new Set(["9.13", "10.2"]);
const SITE_PASSWORD = "Matrix-Site-Cred-3f1a";
const ROOT_PW = "Root-Own-Pw-81c2";
const SHOP_PW = "Shop-Own-Pw-55d0";
const HOST_PW = "Host-Old-Pw-9e4b";
const NEW_PW = "New-Relay-Pw-70aa";

type Props = Record<string, unknown>;
type Rows = Record<string, string>;

/** A stand-in of one version, with hand-made settings everywhere: host, root site (own), shop (own). */
async function site(
  standin: ServerFixtures["standin"],
  dnnVersion: string,
  oauth = false,
): Promise<Standin> {
  const s = await standin({ dnnVersion, superuser: { username: "host", password: SITE_PASSWORD } });
  const set = (portalId: number, values: Rows) => {
    for (const [k, v] of Object.entries(values)) {
      if (k === "SMTPPassword") s.store.setPortalEncrypted(portalId, k, v, 1);
      else s.store.setPortalSetting(portalId, k, v, 1);
    }
  };
  s.store.setHostSetting("SMTPServer", "old-host.example.com:587", 1);
  s.store.setHostSetting("SMTPAuthentication", "1", 1);
  s.store.setHostSetting("SMTPUsername", "host-user", 1);
  s.store.setHostEncrypted("SMTPPassword", HOST_PW, 1);
  s.store.setHostSetting("SMTPConnectionLimit", "5", 1);
  // Every key, as DNN's own page saves them.
  const own = { SMTPMaxIdleTime: "100000", SMTPEnableSSL: "N" };
  set(0, {
    ...own,
    SMTPmode: "p",
    SMTPServer: "root-own.example.com:25",
    SMTPAuthentication: "1",
    SMTPUsername: "root-user",
    SMTPPassword: ROOT_PW,
    SMTPConnectionLimit: "6",
  });
  set(1, {
    ...own,
    SMTPmode: "p",
    SMTPServer: "shop-own.example.com:2525",
    SMTPAuthentication: "1",
    SMTPUsername: "shop-user",
    SMTPPassword: SHOP_PW,
    SMTPConnectionLimit: "7",
  });
  if (oauth) {
    // The root site sends through Exchange Online, consented.
    set(0, { SMTPAuthentication: "3", SMTPAuthProvider: "ExchangeOnline", SMTPPassword: "" });
    s.store.setPortalSetting(0, "SMTPOAuth_ExchangeOnline_TenantId", "tenant-1", 1);
    s.store.setPortalSetting(0, "SMTPOAuth_ExchangeOnline_ClientId", "client-1", 1);
    s.store.setPortalEncrypted(0, "SMTPOAuth_ExchangeOnline_ClientSecret", "oauth-secret", 1);
    s.setOAuthAuthorized("ExchangeOnline", 0, true);
  }
  return s;
}

/** Every stored row of interest, flattened: host.X, p0.X, p1.X. */
function rows(s: Standin): Rows {
  const dump = s.dump();
  const out: Rows = {};
  for (const [k, v] of Object.entries(dump.host)) out[`host.${k}`] = v;
  for (const [id, settings] of Object.entries(dump.portals))
    for (const [k, v] of Object.entries(settings)) out[`p${id}.${k}`] = v;
  return out;
}

/** The keys whose stored value differs. */
function changed(before: Rows, after: Rows): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => (before[k] ?? "") !== (after[k] ?? "")).sort();
}

/** Versions whose GetSmtpSettings shows `*****` for a stored password. */
const MASKING = new Set(["9.11", "9.12", "9.13", "10.2"]);

/**
 * Every UpdateSmtpSettings body the provider sent during an operation: `*****` only to a
 * version that shows `*****`, for a scope that held a password (so DNN showed `*****`).
 */
function auditBodies(s: Standin, since: number, before: Rows): number {
  const updates = s.requests
    .list()
    .slice(since)
    .filter((r) => r.method === "POST" && r.path.includes("/UpdateSmtpSettings") && r.body);
  for (const r of updates) {
    const body = r.body as Record<string, unknown>;
    const host = r.path.includes("ServerSettingsSmtpHost") && body.smtpServerMode === "h";
    const scope = host ? "host" : `p${r.portalId}`;
    if (body.smtpPassword === "*****") {
      expect(MASKING.has(s.dnnVersion), `***** sent to DNN ${s.dnnVersion}`).toBe(true);
      expect(
        before[`${scope}.SMTPPassword`] ?? "",
        `***** sent for ${scope}, which held none`,
      ).not.toBe("");
    }
  }
  return updates.length;
}

/** Runs an operation and returns the rows before and after, with the checks every operation shares. */
async function observe(s: Standin, work: () => Promise<unknown>) {
  const before = rows(s);
  const since = s.requests.list().length;
  await work();
  const after = rows(s);
  for (const [k, v] of Object.entries(after)) {
    if (k.endsWith("SMTPPassword")) expect(v, `${k} must never be the mask`).not.toBe("*****");
  }
  const requestBodies = auditBodies(s, since, before);
  return { before, after, changed: changed(before, after), requestBodies };
}

function siteArgs(s: Standin, alias: string): Props {
  return {
    site: { url: s.siteUrl(alias), username: "host", timeoutMs: 5000 },
    sitePassword: SITE_PASSWORD,
  };
}

async function checked(check: typeof lifecycle.check, props: Props): Promise<Props> {
  const result = await check({}, props);
  if (result.failures?.length) throw new Error(JSON.stringify(result.failures));
  return result.inputs as Props;
}

const shopArgs = (s: Standin, server: string, extra: Props = {}) => ({
  ...siteArgs(s, "shop"),
  scope: "site",
  server,
  authentication: "basic",
  username: "new-user",
  password: NEW_PW,
  precheck: { level: "none" },
  ...extra,
});

const globalArgs = (s: Standin, extra: Props = {}) => ({
  ...siteArgs(s, ""),
  scope: "global",
  server: "new-relay.example.com:587",
  authentication: "basic",
  username: "relay-user",
  password: NEW_PW,
  enableSsl: true,
  precheck: { level: "none" },
  ...extra,
});

describe.each(VERSIONS)("DNN %s", (version) => {
  serverTest(
    "create site: only the shop's keys change; undeclared limits are kept",
    async ({ standin }) => {
      const s = await site(standin, version);
      const inputs = await checked(lifecycle.check, shopArgs(s, "relay.example.com:2525"));
      const { changed: keys, after } = await observe(s, () => lifecycle.create(inputs));
      expect(keys.every((k) => k.startsWith("p1."))).toBe(true);
      expect(after["p1.SMTPPassword"]).toBe(NEW_PW);
      expect(after["p1.SMTPConnectionLimit"]).toBe("7");
      expect(after["p1.SMTPmode"]).toBe("p");
    },
  );

  serverTest(
    "create global through a root site with its own settings: the root site keeps them and its mode",
    async ({ standin }) => {
      const s = await site(standin, version);
      const inputs = await checked(lifecycle.check, globalArgs(s));
      const { changed: keys, after } = await observe(s, () => lifecycle.create(inputs));
      expect(keys.every((k) => k.startsWith("host."))).toBe(true);
      expect(after["host.SMTPPassword"]).toBe(NEW_PW);
      expect(after["host.SMTPConnectionLimit"]).toBe("5");
      expect(after["p0.SMTPmode"]).toBe("p");
      expect(after["p0.SMTPPassword"]).toBe(ROOT_PW);
      expect(after["p0.SMTPServer"]).toBe("root-own.example.com:25");
    },
  );

  serverTest(
    "a declared hostEmail: written where the API has it, refused before any write on 9.2",
    async ({ standin }) => {
      const s = await site(standin, version);
      const inputs = await checked(
        lifecycle.check,
        globalArgs(s, { hostEmail: "ops@example.com" }),
      );
      if (version === "9.2") {
        const before = rows(s);
        await expect(lifecycle.create(inputs)).rejects.toThrow(/DNN_UNSUPPORTED.*hostEmail/s);
        expect(rows(s)).toEqual(before);
        return;
      }
      await lifecycle.create(inputs);
      expect(s.dump().host.HostEmail).toBe("ops@example.com");
    },
  );

  serverTest("update and refresh with drift", async ({ standin }) => {
    const s = await site(standin, version);
    const inputs = await checked(lifecycle.check, shopArgs(s, "relay.example.com:2525"));
    const { id, outs } = await lifecycle.create(inputs);
    const next = await checked(lifecycle.check, shopArgs(s, "relay2.example.com:2525"));
    const { changed: keys } = await observe(s, () => lifecycle.update(id, outs, next));
    expect(keys).toEqual(["p1.SMTPServer"]);

    s.store.setPortalSetting(1, "SMTPServer", "by-hand.example.com", 1);
    const refreshed = await lifecycle.read(id, outs);
    expect(refreshed.props.server).toBe("by-hand.example.com");
    expect((await lifecycle.diff(id, refreshed.props, next)).changes).toBe(true);
  });

  serverTest.for(["retain", "revert", "restore"] as const)(
    "delete with %s",
    async (onDelete, { standin }) => {
      const s = await site(standin, version);
      const inputs = await checked(
        lifecycle.check,
        shopArgs(s, "relay.example.com:2525", { onDelete }),
      );
      const { id, outs } = await lifecycle.create(inputs);
      const { changed: keys, after } = await observe(s, () => lifecycle.remove(id, outs));
      if (onDelete === "retain") expect(keys).toEqual([]);
      if (onDelete === "revert") {
        expect(keys).toEqual(["p1.SMTPmode"]);
        expect(after["p1.SMTPPassword"]).toBe(NEW_PW);
        // The revert sent back exactly what the site showed for the password.
        const sent = s.requests.list().findLast((r) => r.path.includes("/UpdateSmtpSettings"));
        expect(sent?.body?.smtpPassword).toBe(MASKING.has(version) ? "*****" : NEW_PW);
      }
      if (onDelete === "restore") {
        expect(after["p1.SMTPServer"]).toBe("shop-own.example.com:2525");
        expect(after["p1.SMTPUsername"]).toBe("shop-user");
        // The password stored before was for that server and user, and never read: none is
        // written rather than the new relay's password for the old server.
        expect(after["p1.SMTPPassword"]).toBe("");
        expect(after["p1.SMTPmode"]).toBe("p");
      }
    },
  );

  serverTest(
    "restore of global settings puts back the host values, not the root site's mode",
    async ({ standin }) => {
      const s = await site(standin, version);
      const inputs = await checked(lifecycle.check, globalArgs(s, { onDelete: "restore" }));
      const { id, outs } = await lifecycle.create(inputs);
      const { changed: keys, after } = await observe(s, () => lifecycle.remove(id, outs));
      expect(keys.every((k) => k.startsWith("host."))).toBe(true);
      expect(after["host.SMTPServer"]).toBe("old-host.example.com:587");
      expect(after["p0.SMTPmode"]).toBe("p");
      expect(after["p0.SMTPPassword"]).toBe(ROOT_PW);
    },
  );

  serverTest(
    "UseGlobalSmtpSettings holds a site on the global settings and leaves its own values exactly",
    async ({ standin }) => {
      const s = await site(standin, version);
      const inputs = await checked(useGlobal.check, siteArgs(s, ""));
      const { changed: keys, after } = await observe(s, () => useGlobal.create(inputs));
      expect(keys).toEqual(["p0.SMTPmode"]);
      expect(after["p0.SMTPmode"]).toBe("h");
      expect(after["p0.SMTPPassword"]).toBe(ROOT_PW);
      // Stored as "host:25", kept as "host:25" (not rewritten as "host").
      expect(after["p0.SMTPServer"]).toBe("root-own.example.com:25");
    },
  );

  serverTest.runIf(OAUTH_VERSIONS.has(version))(
    "OAuth: a global write through an OAuth site keeps its provider and consent",
    async ({ standin }) => {
      const s = await site(standin, version, true);
      const inputs = await checked(lifecycle.check, globalArgs(s));
      const { changed: keys, after } = await observe(s, () => lifecycle.create(inputs));
      expect(keys.every((k) => k.startsWith("host."))).toBe(true);
      expect(after["p0.SMTPAuthProvider"]).toBe("ExchangeOnline");
      expect(after["p0.SMTPAuthentication"]).toBe("3");
      expect(s.dump().oauth["0"]?.ExchangeOnline?.authorized).toBe(true);
    },
  );

  serverTest.runIf(OAUTH_VERSIONS.has(version))(
    "OAuth: holding an OAuth site on the global settings keeps its provider",
    async ({ standin }) => {
      const s = await site(standin, version, true);
      const inputs = await checked(useGlobal.check, siteArgs(s, ""));
      const { changed: keys, after } = await observe(s, () => useGlobal.create(inputs));
      expect(keys).toEqual(["p0.SMTPmode"]);
      expect(after["p0.SMTPAuthProvider"]).toBe("ExchangeOnline");
      expect(s.dump().oauth["0"]?.ExchangeOnline?.authorized).toBe(true);
    },
  );

  serverTest.runIf(OAUTH_VERSIONS.has(version))(
    "OAuth: create and update a site's OAuth settings; consent is reported, not assumed",
    async ({ standin }) => {
      const s = await site(standin, version);
      const oauthArgs = (clientId: string) => ({
        ...siteArgs(s, "shop"),
        scope: "site",
        server: "smtp.office365.com:587",
        authentication: "oauth",
        username: "shop@example.com",
        enableSsl: true,
        oauth: {
          provider: "ExchangeOnline",
          settings: { TenantId: "t-1", ClientId: clientId, ClientSecret: "cs-1" },
        },
        precheck: { level: "none" },
      });
      const inputs = await checked(lifecycle.check, oauthArgs("client-1"));
      const { id, outs } = await lifecycle.create(inputs);
      expect(s.dump().portals[1]?.SMTPAuthProvider).toBe("ExchangeOnline");
      expect(outs).toMatchObject({ oauthAuthorized: false });
      expect(String(outs.authorizeUrl)).toContain("ExchangeOnline");

      s.setOAuthAuthorized("ExchangeOnline", 1, true);
      const same = await lifecycle.update(id, outs, inputs);
      expect(same.outs.oauthAuthorized).toBe(true);

      // A changed client id makes the provider drop its consent: the output says so.
      const next = await checked(lifecycle.check, oauthArgs("client-2"));
      const changedOauth = await lifecycle.update(id, same.outs, next);
      expect(changedOauth.outs.oauthAuthorized).toBe(false);
      const refreshed = await lifecycle.read(id, changedOauth.outs);
      expect(refreshed.props.oauthAuthorized).toBe(false);
    },
  );

  serverTest.runIf(!OAUTH_VERSIONS.has(version))(
    "OAuth is refused before any write where the site has none",
    async ({ standin }) => {
      const s = await site(standin, version);
      const inputs = await checked(lifecycle.check, {
        ...siteArgs(s, "shop"),
        scope: "site",
        server: "smtp.office365.com:587",
        authentication: "oauth",
        oauth: { provider: "ExchangeOnline", settings: {} },
        precheck: { level: "none" },
      });
      const before = rows(s);
      await expect(lifecycle.create(inputs)).rejects.toThrow(/DNN_UNSUPPORTED.*9\.13/s);
      expect(rows(s)).toEqual(before);
    },
  );
});
