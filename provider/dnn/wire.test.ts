import { describe, expect, test } from "vitest";
import { validateSettings } from "../settings";
import {
  declaredValues,
  featuresOf,
  fromWire,
  GetSmtpSettingsResponseSchema,
  generationOf,
  MASKED_PASSWORD,
  shownValues,
  updateRequest,
  type WireBlock,
} from "./wire";

const MARKER = "Marker-Pa55word-7c1e";

function settings(input: Record<string, unknown>) {
  const result = validateSettings(input);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.value;
}

const block: WireBlock = {
  smtpServer: "relay.example.com:587",
  smtpConnectionLimit: 4,
  smtpMaxIdleTime: 5000,
  smtpAuthentication: "1",
  enableSmtpSsl: true,
  smtpUserName: "mailer",
  smtpPassword: MASKED_PASSWORD,
  authProvider: undefined,
};

/** A GetSmtpSettings answer as a DNN of each era shapes it (docs/dnn-versions.md). */
function answer(era: "9.2" | "9.4" | "9.9" | "9.11" | "10.2", password: string) {
  const clear = ["9.2", "9.4", "9.9"].includes(era);
  const site: Record<string, unknown> = {
    ...block,
    smtpPassword: clear ? password : password ? MASKED_PASSWORD : "",
  };
  const host: Record<string, unknown> = { ...site, messageSchedulerBatchSize: 50 };
  if (era !== "9.2") host.smtpHostEmail = "host@example.com";
  if (era === "10.2") {
    site.authProvider = "";
    host.authProvider = "";
  }
  const body: Record<string, unknown> = { smtpServerMode: "p", host, site, portalName: "x" };
  if (["9.9", "9.11", "10.2"].includes(era)) body.hideCoreSettings = false;
  return GetSmtpSettingsResponseSchema.parse(body);
}

describe("what an answer shows the site can do", () => {
  test("smtpHostEmail is absent on 9.2 only; authProvider tells OAuth", () => {
    expect(featuresOf(answer("9.2", MARKER))).toEqual({ hostEmail: false, oauth: false });
    expect(featuresOf(answer("9.4", MARKER))).toEqual({ hostEmail: true, oauth: false });
    expect(featuresOf(answer("10.2", MARKER))).toEqual({ hostEmail: true, oauth: true });
  });
  test("the Admin controller's answer says nothing about hostEmail", () => {
    const parsed = GetSmtpSettingsResponseSchema.parse({
      smtpServerMode: "P",
      host: {},
      site: block,
      portalName: "Shop",
    });
    expect(parsed.host).toBeUndefined();
    expect(parsed.smtpServerMode).toBe("p");
    expect(featuresOf(parsed).hostEmail).toBeUndefined();
  });
  test("hideCoreSettings with a clear-text password (9.8–9.10) is no masking", () => {
    const nine = answer("9.9", MARKER);
    expect(nine.hideCoreSettings).toBe(false);
    expect(fromWire(nine.site).password).toEqual({ state: "clear", value: MARKER });
    expect(generationOf(nine)).toBe("g1");
    expect(generationOf(answer("9.11", MARKER))).toBe("g2");
    expect(generationOf(answer("10.2", MARKER))).toBe("g3");
  });
  test("a response of another shape is refused", () => {
    expect(GetSmtpSettingsResponseSchema.safeParse({ Message: "hi" }).success).toBe(false);
  });
});

describe("reading a GetSmtpSettings block", () => {
  test("response casing smtpUserName maps to username; numbers and flags are typed", () => {
    expect(fromWire(block)).toMatchObject({
      server: "relay.example.com:587",
      connectionLimit: 4,
      maxIdleTime: 5000,
      authentication: "basic",
      username: "mailer",
      enableSsl: true,
      password: { state: "masked" },
    });
  });
  test("passwords: clear when shown, masked for *****, unset for none", () => {
    expect(fromWire({ ...block, smtpPassword: MARKER }).password).toEqual({
      state: "clear",
      value: MARKER,
    });
    expect(fromWire({ ...block, smtpPassword: "" }).password).toEqual({ state: "unset" });
  });
  test("authentication: host default '' reads anonymous; unknown values stay visible", () => {
    expect(fromWire({ ...block, smtpAuthentication: "" }).authentication).toBe("anonymous");
    expect(fromWire({ ...block, smtpAuthentication: "7" }).authentication).toBe("7");
  });
  test("servers are normalized when parseable, shown raw otherwise", () => {
    expect(fromWire({ ...block, smtpServer: "bad host:x" }).server).toBe("bad host:x");
    expect(fromWire({ ...block, smtpServer: "Relay.Example.com:25" }).server).toBe(
      "relay.example.com",
    );
  });
});

describe("keeping what is stored: exactly what DNN showed", () => {
  test("***** goes back only where DNN showed *****; a clear password goes back verbatim", () => {
    for (const era of ["9.2", "9.4", "9.9"] as const) {
      const a = answer(era, MARKER);
      expect(updateRequest(shownValues(a.site), "h", featuresOf(a)).smtpPassword).toBe(MARKER);
    }
    const masked = answer("9.11", MARKER);
    expect(updateRequest(shownValues(masked.site), "h", featuresOf(masked)).smtpPassword).toBe(
      MASKED_PASSWORD,
    );
    const none = answer("10.2", "");
    expect(updateRequest(shownValues(none.site), "p", featuresOf(none)).smtpPassword).toBe("");
  });
  test("an OAuth configuration keeps its provider and changes none of its settings", () => {
    const a = answer("10.2", "");
    const site = { ...a.site, smtpAuthentication: "3", authProvider: "ExchangeOnline" };
    expect(updateRequest(shownValues(site), "h", featuresOf(a))).toMatchObject({
      smtpAuthentication: 3,
      authProvider: "ExchangeOnline",
      authProviderSettings: {},
    });
  });
  test("the server string is kept as stored, port 25 included", () => {
    const a = answer("9.4", MARKER);
    const site = { ...a.site, smtpServer: "Relay.Example.com:25" };
    expect(updateRequest(shownValues(site), "h", featuresOf(a)).smtpServer).toBe(
      "Relay.Example.com:25",
    );
  });
  test("older sites get no OAuth keys; 9.2 gets no smtpHostEmail", () => {
    const old = answer("9.2", MARKER);
    const request = updateRequest(shownValues(old.host as WireBlock), "h", featuresOf(old));
    expect(request).not.toHaveProperty("authProvider");
    expect(request).not.toHaveProperty("smtpHostEmail");
    expect(request.messageSchedulerBatchSize).toBe(50);
  });
});

describe("writing declared settings", () => {
  const global = settings({
    scope: "global",
    server: "relay.example.com:587",
    connectionLimit: 3,
    authentication: "basic",
    username: "mailer",
    password: MARKER,
    enableSsl: true,
  });

  test("limits travel as strings, authentication as int; undeclared fields as the site holds them", () => {
    const a = answer("9.11", "old");
    const request = updateRequest(
      declaredValues(global, fromWire(a.host as WireBlock)),
      "h",
      featuresOf(a),
    );
    expect(request).toEqual({
      smtpServerMode: "h",
      smtpServer: "relay.example.com:587",
      smtpConnectionLimit: "3",
      smtpMaxIdleTime: "5000",
      smtpAuthentication: 1,
      smtpUsername: "mailer",
      smtpPassword: MARKER,
      enableSmtpSsl: true,
      smtpHostEmail: "host@example.com",
      messageSchedulerBatchSize: 50,
    });
  });

  test("the password is always the declared value, never the mask", () => {
    const a = answer("10.2", "old");
    expect(
      updateRequest(declaredValues(global, fromWire(a.host as WireBlock)), "h", featuresOf(a))
        .smtpPassword,
    ).toBe(MARKER);
  });

  test("site scope sends mode p and no host-only keys", () => {
    const a = answer("9.11", "");
    const request = updateRequest(
      declaredValues(settings({ scope: "site", server: "s.example.com" }), fromWire(a.site)),
      "p",
      featuresOf(a),
    );
    expect(request.smtpServerMode).toBe("p");
    expect(request).not.toHaveProperty("smtpHostEmail");
    expect(request).not.toHaveProperty("messageSchedulerBatchSize");
  });

  test("OAuth fields when the site has OAuth, none otherwise", () => {
    const oauth = settings({
      scope: "site",
      server: "smtp.office365.com:587",
      authentication: "oauth",
      oauth: { provider: "ExchangeOnline", settings: { TenantId: "t" } },
    });
    const a = answer("10.2", "");
    expect(updateRequest(declaredValues(oauth, undefined), "p", featuresOf(a))).toMatchObject({
      smtpAuthentication: 3,
      authProvider: "ExchangeOnline",
      authProviderSettings: { TenantId: "t" },
    });
    const old = answer("9.11", "");
    expect(
      updateRequest(declaredValues(oauth, undefined), "p", featuresOf(old)),
    ).not.toHaveProperty("authProvider");
  });
});
