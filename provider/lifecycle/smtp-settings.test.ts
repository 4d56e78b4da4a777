/**
 * The resource's lifecycle against the real stand-in over HTTP, for every API generation.
 * Each test starts its own stand-in, so stored rows and request logs are its own.
 */
import { describe, expect } from "vitest";
import { type Standin, type StandinOptions, startStandin } from "../../standin/server";
import { type ServerFixtures, serverTest, starter } from "../../test/support/fixtures";
import { startSmtpServer } from "../../test/support/smtp";
import type { DnnSmtpError } from "../errors";
import * as lifecycle from "./smtp-settings";

const MARKER = "Marker-Pa55word-7c1e";
const SITE_PASSWORD = "Site-Pa55-9f3a";
const GENERATIONS = ["g1", "g2", "g3"] as const;

/** The server fixtures with this suite's superuser and relay account. */
const it = serverTest.extend<Pick<ServerFixtures, "standin" | "smtp">>({
  standin: starter((options: StandinOptions = {}) =>
    startStandin({
      quiet: true,
      superuser: { username: "host", password: SITE_PASSWORD },
      ...options,
    }),
  ),
  smtp: starter(() => startSmtpServer({ users: { mailer: MARKER }, allowInsecureAuth: true })),
});

type Props = Record<string, unknown>;

/** Changes stored site settings by hand, as a person or another tool would. */
function setByHand(s: Standin, portalId: number, values: Record<string, string>): void {
  for (const [key, value] of Object.entries(values)) {
    if (key === "SMTPPassword") s.store.setPortalEncrypted(portalId, key, value, 1);
    else s.store.setPortalSetting(portalId, key, value, 1);
  }
}

/** Runs `check` as the engine does and returns the inputs it produced; fails on problems. */
async function checked(props: Props): Promise<Props> {
  const result = await lifecycle.check({}, props);
  if (result.failures?.length) throw new Error(JSON.stringify(result.failures));
  return result.inputs as Props;
}

function siteArgs(s: Standin, alias = "", extra: Props = {}): Props {
  return {
    site: { url: s.siteUrl(alias), username: "host", timeoutMs: 3000 },
    sitePassword: SITE_PASSWORD,
    ...extra,
  };
}

const shopSettings = (server: string) => ({
  scope: "site",
  server,
  authentication: "basic",
  username: "mailer",
  password: MARKER,
  connectionLimit: 3,
  maxIdleTime: 20000,
  precheck: { level: "none" },
});

describe("check", () => {
  it("reports one failure per field, names it, and calls nobody", async ({ standin }) => {
    const s = await standin();
    const result = await lifecycle.check(
      {},
      { ...siteArgs(s), scope: "site", server: "bad host", connectionLimit: 0, password: MARKER },
    );
    // Each under its property; the engine prints the property, so the reason does not repeat it.
    expect(result.failures).toEqual([
      { property: "server", reason: expect.not.stringMatching(/^server/) },
      { property: "connectionLimit", reason: expect.not.stringMatching(/^connectionLimit/) },
    ]);
    expect(JSON.stringify(result.failures)).not.toContain(MARKER);
    expect(s.requests.count()).toBe(0);
  });

  it("requires a site URL from args, config or env", async () => {
    const result = await lifecycle.check({}, { scope: "global", server: "smtp.example.com" });
    expect(result.failures?.[0]?.reason).toMatch(/^site\.url: is required/);
  });

  it("copes with unknown values during preview", async () => {
    const result = await lifecycle.check(
      {},
      {
        site: { url: "http://127.0.0.1:1" },
        scope: "site",
        server: lifecycle.UNKNOWN,
        password: lifecycle.UNKNOWN,
      },
    );
    expect(result.failures ?? []).toEqual([]);
  });

  it("refuses revert on global scope and defaults onDelete by scope", async () => {
    const bad = await lifecycle.check(
      {},
      {
        site: { url: "http://x.example" },
        scope: "global",
        server: "a.example.com",
        onDelete: "revert",
      },
    );
    expect(bad.failures?.[0]).toEqual({
      property: "onDelete",
      reason: expect.not.stringMatching(/^onDelete/),
    });
    expect(
      (
        await checked({
          site: { url: "http://x.example" },
          scope: "global",
          server: "a.example.com",
        })
      ).onDelete,
    ).toBe("retain");
    expect(
      (await checked({ site: { url: "http://x.example" }, scope: "site", server: "a.example.com" }))
        .onDelete,
    ).toBe("revert");
  });
});

describe("diff", () => {
  const base: Parameters<typeof lifecycle.diff>[1] = {
    site: { url: "http://x.example/" },
    scope: "site",
    server: "a.example.com",
    password: MARKER,
    mode: "p",
    __provider: "one",
  };

  it("no change for __provider alone", async () => {
    expect(await lifecycle.diff("id", base, { ...base, __provider: "two" })).toMatchObject({
      changes: false,
      replaces: [],
    });
  });
  it("a password change is a change", async () => {
    expect((await lifecycle.diff("id", base, { ...base, password: "other" })).changes).toBe(true);
  });
  it("scope and site URL changes are moves (updates), never replaces", async () => {
    const scope = await lifecycle.diff("id", base, { ...base, scope: "global" });
    expect(scope).toMatchObject({ changes: true, replaces: [], deleteBeforeReplace: false });
    expect(scope.changedKeys).toContain("scope");
    const url = await lifecycle.diff("id", base, { ...base, site: { url: "http://y.example/" } });
    expect(url).toMatchObject({ changes: true, replaces: [] });
    expect(url.changedKeys).toContain("site.url");
  });
  it("a site switched to the global settings by hand is drift", async () => {
    expect((await lifecycle.diff("id", { ...base, mode: "h" }, base)).changes).toBe(true);
  });
  it("an unknown value is a change", async () => {
    expect((await lifecycle.diff("id", base, { ...base, server: lifecycle.UNKNOWN })).changes).toBe(
      true,
    );
  });
});

describe.each(GENERATIONS)("create, read, update, delete on %s", (generation) => {
  it("site scope: writes, verifies, remembers what was there, reverts on delete", async ({
    standin,
  }) => {
    const s = await standin({ generation });
    const inputs = await checked({
      ...siteArgs(s, "shop"),
      ...shopSettings("relay.example.com:2525"),
    });
    const { id, outs } = await lifecycle.create(inputs);
    expect(id).toBe(`${s.siteUrl("shop")}#site`);
    expect(outs).toMatchObject({
      server: "relay.example.com:2525",
      mode: "p",
      apiGeneration: generation,
      portalName: "Shop",
    });
    expect(outs.previous).toMatchObject({ mode: "h" });
    const stored = s.dump().portals[1] ?? {};
    expect(stored).toMatchObject({
      SMTPmode: "p",
      SMTPServer: "relay.example.com:2525",
      SMTPConnectionLimit: "3",
      SMTPMaxIdleTime: "20000",
      SMTPAuthentication: "1",
      SMTPUsername: "mailer",
      SMTPPassword: MARKER,
      SMTPEnableSSL: "N",
    });

    // Refresh with nothing changed reports nothing.
    const fresh = await lifecycle.read(id, outs);
    expect((await lifecycle.diff(id, fresh.props, inputs)).changes).toBe(false);

    await lifecycle.remove(id, outs);
    expect(s.dump().portals[1]?.SMTPmode).toBe("h");
  });

  it("global scope through a site with its own settings leaves that site's mode alone", async ({
    standin,
  }) => {
    const s = await standin({ generation });
    const site = await lifecycle.create(
      await checked({ ...siteArgs(s), ...shopSettings("own.example.com") }),
    );
    expect(s.dump().portals[0]?.SMTPmode).toBe("p");
    const inputs = await checked({
      ...siteArgs(s),
      scope: "global",
      server: "relay.example.com:587",
      hostEmail: "ops@example.com",
      messageBatchSize: 20,
      precheck: { level: "none" },
    });
    const { outs } = await lifecycle.create(inputs);
    const dump = s.dump();
    expect(dump.host).toMatchObject({
      SMTPServer: "relay.example.com:587",
      HostEmail: "ops@example.com",
      MessageSchedulerBatchSize: "20",
      SMTPAuthentication: "0",
    });
    expect(dump.portals[0]).toMatchObject({
      SMTPmode: "p",
      SMTPServer: "own.example.com",
      SMTPPassword: MARKER,
    });
    expect(outs.mode).toBe("p");
    expect(site.outs.mode).toBe("p");
  });

  it("refresh reports drift of every field, and update repairs it", async ({ standin }) => {
    const s = await standin({ generation });
    const inputs = await checked({
      ...siteArgs(s, "shop"),
      ...shopSettings("relay.example.com:2525"),
    });
    const { id, outs } = await lifecycle.create(inputs);
    const drifted = {
      SMTPServer: "hand.example.com",
      SMTPConnectionLimit: "9",
      SMTPMaxIdleTime: "1",
      SMTPAuthentication: "0",
      SMTPUsername: "",
      SMTPPassword: "",
      SMTPEnableSSL: "Y",
      SMTPmode: "h",
    };
    setByHand(s, 1, drifted);

    const refreshed = await lifecycle.read(id, outs);
    expect(refreshed.props).toMatchObject({
      server: "hand.example.com",
      connectionLimit: 9,
      maxIdleTime: 1,
      authentication: "anonymous",
      enableSsl: true,
      mode: "h",
    });
    expect(refreshed.props?.username).toBeUndefined();
    expect(refreshed.props?.password).toBeUndefined();
    expect(refreshed.inputs).toMatchObject({ server: "hand.example.com" });
    expect((await lifecycle.diff(id, refreshed.props, inputs)).changes).toBe(true);

    s.requests.clear();
    const updated = await lifecycle.update(id, refreshed.props, inputs);
    expect(updated.outs).toMatchObject({ server: "relay.example.com:2525", mode: "p" });
    expect(s.dump().portals[1]).toMatchObject(await storedShop());
    // A read first (what the site can store and holds, learned afresh), one write, one read-back.
    expect(s.requests.count((r) => r.path.includes("/API/PersonaBar/"))).toBe(3);

    async function storedShop() {
      return {
        SMTPServer: "relay.example.com:2525",
        SMTPPassword: MARKER,
        SMTPmode: "p",
        SMTPEnableSSL: "N",
      };
    }
  });

  it("restore writes back the values found at create", async ({ standin }) => {
    const s = await standin({ generation });
    setByHand(s, 1, {
      SMTPServer: "before.example.com:26",
      SMTPConnectionLimit: "7",
      SMTPmode: "p",
    });
    const inputs = await checked({
      ...siteArgs(s, "shop"),
      ...shopSettings("relay.example.com"),
      onDelete: "restore",
    });
    const { id, outs } = await lifecycle.create(inputs);
    expect(s.dump().portals[1]?.SMTPServer).toBe("relay.example.com");
    await lifecycle.remove(id, outs);
    expect(s.dump().portals[1]).toMatchObject({
      SMTPServer: "before.example.com:26",
      SMTPConnectionLimit: "7",
      SMTPmode: "p",
    });
  });
});

describe("passwords on G2/G3", () => {
  it("a changed server never reuses the stored password: the real one is sent", async ({
    standin,
  }) => {
    const s = await standin({ generation: "g2" });
    const first = await checked({ ...siteArgs(s, "shop"), ...shopSettings("one.example.com") });
    const { id, outs } = await lifecycle.create(first);
    const second = await checked({
      ...siteArgs(s, "shop"),
      ...shopSettings("two.example.com"),
      password: "Other-Pa55",
    });
    await lifecycle.update(id, outs, second);
    expect(s.dump().portals[1]).toMatchObject({
      SMTPServer: "two.example.com",
      SMTPPassword: "Other-Pa55",
    });
  });

  it("refresh keeps the state's password while the site shows one set", async ({ standin }) => {
    const s = await standin({ generation: "g3" });
    const inputs = await checked({ ...siteArgs(s, "shop"), ...shopSettings("one.example.com") });
    const { id, outs } = await lifecycle.create(inputs);
    const fresh = await lifecycle.read(id, outs);
    expect(fresh.props?.password).toBe(MARKER);
  });
});

describe("authentication to DNN", () => {
  it("a DNN 10 API token works without a login", async ({ standin }) => {
    const s = await standin({ apiTokens: true });
    const { token } = s.createApiToken("host", "User");
    const inputs = await checked({
      site: { url: s.siteUrl("shop") },
      siteApiToken: token,
      ...shopSettings("relay.example.com"),
    });
    await lifecycle.create(inputs);
    expect(s.dump().portals[1]?.SMTPServer).toBe("relay.example.com");
    expect(s.requests.count((r) => r.path.includes("JwtAuth"))).toBe(0);
  });

  it("a site administrator manages site scope through the Admin controller", async ({
    standin,
  }) => {
    const s = await standin({ admin: { username: "siteadmin", password: "Adm1n-Pa55" } });
    const inputs = await checked({
      site: { url: s.siteUrl(), username: "siteadmin" },
      sitePassword: "Adm1n-Pa55",
      ...shopSettings("relay.example.com"),
    });
    await lifecycle.create(inputs);
    expect(s.dump().portals[0]?.SMTPServer).toBe("relay.example.com");
  });

  it("wrong credentials, JWT disabled, and a plain user each get their own code", async ({
    standin,
  }) => {
    const s = await standin();
    const wrong = await checked({
      site: { url: s.siteUrl(), username: "host" },
      sitePassword: "nope",
      ...shopSettings("relay.example.com"),
    });
    await expect(lifecycle.create(wrong)).rejects.toMatchObject({ code: "DNN_BAD_CREDENTIALS" });
    const off = await standin({ jwt: "disabled" });
    await expect(
      lifecycle.create(await checked({ ...siteArgs(off), ...shopSettings("relay.example.com") })),
    ).rejects.toMatchObject({ code: "DNN_JWT_DISABLED" });
    s.addUser({ username: "plain", password: "Pl4in-Pa55" });
    const plain = await checked({
      site: { url: s.siteUrl(), username: "plain" },
      sitePassword: "Pl4in-Pa55",
      ...shopSettings("relay.example.com"),
    });
    await expect(lifecycle.create(plain)).rejects.toMatchObject({ code: "DNN_FORBIDDEN" });
  });
});

describe("faults", () => {
  async function attempt(
    standin: ServerFixtures["standin"],
    spec: Parameters<Standin["faults"]["set"]>[0],
    generation: "g2" | "g3" = "g3",
  ) {
    const s = await standin({ generation });
    const inputs = await checked({ ...siteArgs(s, "shop"), ...shopSettings("relay.example.com") });
    // Log in first, so the fault hits the settings calls.
    await lifecycle.read("x", { ...inputs, scope: "site" });
    const before = JSON.stringify(s.dump());
    s.faults.set(spec);
    try {
      await lifecycle.create(inputs);
      return { s, error: undefined, before };
    } catch (error) {
      return { s, error: error as DnnSmtpError, before };
    }
  }

  it("two 500s then success", async ({ standin }) => {
    const { s, error } = await attempt(standin, { fail500: 2 });
    expect(error).toBeUndefined();
    expect(s.requests.count((r) => r.fault === "fail500")).toBe(2);
    expect(s.dump().portals[1]?.SMTPServer).toBe("relay.example.com");
  });

  it("503 with Retry-After is honoured", async ({ standin }) => {
    const started = Date.now();
    const { s, error } = await attempt(standin, { fail503: { count: 1, retryAfter: 1 } });
    expect(error).toBeUndefined();
    expect(s.requests.count((r) => r.fault === "fail503")).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it("a hung response is a clear timeout, and nothing is written", async ({ standin }) => {
    const { s, error, before } = await attempt(standin, { hang: 1 });
    expect(error?.code).toBe("DNN_TIMEOUT");
    expect(error?.message).toMatch(/no answer within 3000 ms/);
    expect(JSON.stringify(s.dump())).toBe(before);
  });

  it("an expired token is renewed", async ({ standin }) => {
    const { error, s } = await attempt(standin, { expireTokens: true });
    expect(error).toBeUndefined();
    expect(s.requests.count((r) => r.path.endsWith("/extendtoken"))).toBe(1);
  });

  it("an HTML login page is a clear error, and nothing is written", async ({ standin }) => {
    const { s, error, before } = await attempt(standin, { html: 1 });
    expect(error?.code).toBe("DNN_NOT_JSON");
    expect(JSON.stringify(s.dump())).toBe(before);
  });

  it("connection resets are retried", async ({ standin }) => {
    const { s, error } = await attempt(standin, { reset: 2 });
    expect(error).toBeUndefined();
    expect(s.requests.count((r) => r.fault === "reset")).toBe(2);
  });
});

describe("precheck before writing", () => {
  it("a failed precheck writes nothing and the message has no password", async ({
    standin,
    smtp,
  }) => {
    const s = await standin();
    const relay = await smtp();
    const inputs = await checked({
      ...siteArgs(s, "shop"),
      ...shopSettings(`127.0.0.1:${relay.port}`),
      password: "Wrong-Pa55word",
      precheck: { level: "auth", allowUnverifiedAuth: false },
    });
    const before = JSON.stringify(s.dump());
    const error = await lifecycle.create(inputs).catch((e: DnnSmtpError) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as DnnSmtpError).code).toBe("PRECHECK_AUTH_REJECTED");
    expect((error as Error).message).not.toContain("Wrong-Pa55word");
    expect((error as Error).stack).not.toContain("Wrong-Pa55word");
    expect(JSON.stringify(s.dump())).toBe(before);
  });

  it("via dnn: DNN's own SendTestEmail proves the settings, from the site's side", async ({
    standin,
    smtp,
  }) => {
    const s = await standin();
    const relay = await smtp();
    const inputs = await checked({
      ...siteArgs(s, "shop"),
      ...shopSettings(`127.0.0.1:${relay.port}`),
      precheck: { level: "send", via: "dnn" },
    });
    const { outs } = await lifecycle.create(inputs);
    expect(outs.precheckSummary).toMatch(/via dnn/);
    expect(relay.mails().map((m) => m.to)).toEqual([["host@example.com"]]);

    const wrong = await checked({
      ...inputs,
      password: "Wrong-Pa55word",
      server: `127.0.0.1:${relay.port}`,
    });
    const before = JSON.stringify(s.dump());
    const error = await lifecycle.update("id", outs, wrong).catch((e: DnnSmtpError) => e);
    expect((error as DnnSmtpError).code).toBe("PRECHECK_DNN_SEND_FAILED");
    expect((error as Error).message).not.toContain("Wrong-Pa55word");
    expect(JSON.stringify(s.dump())).toBe(before);
  });

  it("a passing precheck is summarised in the outputs", async ({ standin, smtp }) => {
    const s = await standin();
    const relay = await smtp();
    const inputs = await checked({
      ...siteArgs(s, "shop"),
      ...shopSettings(`127.0.0.1:${relay.port}`),
      precheck: { level: "auth" },
    });
    const { outs } = await lifecycle.create(inputs);
    expect(outs.precheckSummary).toMatch(/auth/);
    expect(relay.sessions()).toBe(1);
  });
});
