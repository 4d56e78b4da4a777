import { describe, expect, test } from "vitest";
import { validateSettings } from "../settings";
import {
  detectGeneration,
  fromWire,
  GetSmtpSettingsResponseSchema,
  keepAsStored,
  MASKED_PASSWORD,
  toWire,
} from "./wire";

const MARKER = "Marker-Pa55word-7c1e";

function settings(input: Record<string, unknown>) {
  const result = validateSettings(input);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.value;
}

const block = {
  smtpServer: "relay.example.com:587",
  smtpConnectionLimit: 4,
  smtpMaxIdleTime: 5000,
  smtpAuthentication: "1",
  enableSmtpSsl: true,
  smtpUserName: "mailer",
  smtpPassword: MASKED_PASSWORD,
};

describe("generation detection", () => {
  test("G1 has no hideCoreSettings", () => {
    expect(
      detectGeneration({ smtpServerMode: "h", host: block, site: block, portalName: "x" }),
    ).toBe("g1");
  });
  test("G2 adds hideCoreSettings", () => {
    expect(
      detectGeneration({ smtpServerMode: "h", host: block, site: block, hideCoreSettings: false }),
    ).toBe("g2");
  });
  test("G3 adds authProvider to the blocks", () => {
    const site = { ...block, authProvider: "" };
    expect(
      detectGeneration({ smtpServerMode: "h", host: site, site, hideCoreSettings: false }),
    ).toBe("g3");
  });
});

describe("reading a GetSmtpSettings block", () => {
  test("response casing smtpUserName maps to username; numbers and flags are typed", () => {
    const observed = fromWire(block, "g2");
    expect(observed).toMatchObject({
      server: "relay.example.com:587",
      connectionLimit: 4,
      maxIdleTime: 5000,
      authentication: "basic",
      username: "mailer",
      enableSsl: true,
      password: { state: "set" },
    });
  });
  test("G1 shows the password in clear, G2/G3 only set or unset", () => {
    expect(fromWire({ ...block, smtpPassword: MARKER }, "g1").password).toEqual({
      state: "clear",
      value: MARKER,
    });
    expect(fromWire(block, "g3").password).toEqual({ state: "set" });
    expect(fromWire({ ...block, smtpPassword: "" }, "g3").password).toEqual({ state: "unset" });
  });
  test("the host default authentication '' reads as anonymous; an unknown value stays visible", () => {
    expect(fromWire({ ...block, smtpAuthentication: "" }, "g2").authentication).toBe("anonymous");
    expect(fromWire({ ...block, smtpAuthentication: "7" }, "g2").authentication).toBe("7");
  });
  test("a stored server that cannot be parsed is kept as stored", () => {
    expect(fromWire({ ...block, smtpServer: "bad host:x" }, "g2").server).toBe("bad host:x");
    expect(fromWire({ ...block, smtpServer: "Relay.Example.com:25" }, "g2").server).toBe(
      "relay.example.com",
    );
  });
  test("the Admin controller's empty host block is accepted", () => {
    const parsed = GetSmtpSettingsResponseSchema.parse({
      smtpServerMode: "P",
      host: {},
      site: block,
      portalName: "Shop",
    });
    expect(parsed.host).toBeUndefined();
    expect(parsed.smtpServerMode).toBe("p");
  });
  test("a response of another shape is refused", () => {
    expect(GetSmtpSettingsResponseSchema.safeParse({ Message: "hi" }).success).toBe(false);
  });
});

describe("writing an UpdateSmtpSettings request", () => {
  const global = settings({
    scope: "global",
    server: "relay.example.com:587",
    connectionLimit: 3,
    authentication: "basic",
    username: "mailer",
    password: MARKER,
    enableSsl: true,
  });

  test("limits travel as strings, authentication as int, request casing smtpUsername", () => {
    const request = toWire(global, {
      generation: "g2",
      currentHost: { hostEmail: "host@example.com" },
    });
    expect(request).toEqual({
      smtpServerMode: "h",
      smtpServer: "relay.example.com:587",
      smtpConnectionLimit: "3",
      smtpMaxIdleTime: "100000",
      smtpAuthentication: 1,
      smtpUsername: "mailer",
      smtpPassword: MARKER,
      enableSmtpSsl: true,
      smtpHostEmail: "host@example.com",
      messageSchedulerBatchSize: 50,
    });
  });

  test("the password is always the real value, never the mask", () => {
    expect(toWire(global, { generation: "g3" }).smtpPassword).toBe(MARKER);
  });

  test("site scope sends mode p and no host-only keys", () => {
    const request = toWire(settings({ scope: "site", server: "s.example.com" }), {
      generation: "g2",
    });
    expect(request.smtpServerMode).toBe("p");
    expect(request).not.toHaveProperty("smtpHostEmail");
    expect(request).not.toHaveProperty("messageSchedulerBatchSize");
  });

  test("OAuth fields only on G3", () => {
    const oauth = settings({
      scope: "site",
      server: "smtp.office365.com:587",
      authentication: "oauth",
      oauth: { provider: "ExchangeOnline", settings: { TenantId: "t" } },
    });
    expect(toWire(oauth, { generation: "g3" })).toMatchObject({
      smtpAuthentication: 3,
      authProvider: "ExchangeOnline",
      authProviderSettings: { TenantId: "t" },
    });
    expect(toWire(oauth, { generation: "g2" })).not.toHaveProperty("authProvider");
  });
});

describe("writing back what is stored", () => {
  test("G2/G3 keep an unknown stored password with the mask, G1 with its clear value", () => {
    expect(keepAsStored(fromWire(block, "g2"), "h").smtpPassword).toBe(MASKED_PASSWORD);
    expect(keepAsStored(fromWire({ ...block, smtpPassword: MARKER }, "g1"), "p").smtpPassword).toBe(
      MARKER,
    );
    expect(keepAsStored(fromWire({ ...block, smtpPassword: "" }, "g3"), "p").smtpPassword).toBe("");
  });
});
