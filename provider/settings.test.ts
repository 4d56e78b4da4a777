import { describe, expect, test } from "vitest";
import {
  closestName,
  formatServer,
  invisibleCharacter,
  parseServer,
  SETTINGS_FIELDS,
  validateSettings,
} from "./settings";

const MARKER = "Marker-Pa55word-7c1e";
const global = { scope: "global", server: "smtp.example.com" } as const;
const site = { scope: "site", server: "smtp.example.com" } as const;
const basic = { authentication: "basic", username: "mailer", password: MARKER } as const;

// [description, input, field the error must name, words the message must contain]
const invalid: Array<[string, Record<string, unknown>, string, string]> = [
  ["scope missing", { server: "smtp.example.com" }, "scope", "required"],
  ["scope unknown", { scope: "portal", server: "a.example.com" }, "scope", "global, site"],
  ["scope not text", { scope: 1, server: "a.example.com" }, "scope", "global, site"],
  ["server missing", { scope: "global" }, "server", "required"],
  ["server empty", { ...global, server: "" }, "server", "must not be empty"],
  ["server blank", { ...global, server: "   " }, "server", "must not be empty"],
  ["server a number", { ...global, server: 25 }, "server", "text"],
  [
    "server with CRLF",
    { ...global, server: "smtp.example.com\r\nRCPT TO:<x>" },
    "server",
    "control characters",
  ],
  [
    "server with NUL",
    { ...global, server: "smtp\u0000.example.com" },
    "server",
    "control characters",
  ],
  ["server with tab", { ...global, server: "smtp.example.com\t" }, "server", "control characters"],
  ["server port 0", { ...global, server: "smtp.example.com:0" }, "server", "1 to 65535"],
  ["server port too big", { ...global, server: "smtp.example.com:65536" }, "server", "1 to 65535"],
  ["server port not a number", { ...global, server: "smtp.example.com:smtp" }, "server", "port"],
  ["server port empty", { ...global, server: "smtp.example.com:" }, "server", "port"],
  ["server IPv6 literal", { ...global, server: "[::1]:25" }, "server", "IPv6"],
  ["server bare IPv6", { ...global, server: "::1" }, "server", "IPv6"],
  ["server with space", { ...global, server: "smtp example.com" }, "server", "host name"],
  ["server with scheme", { ...global, server: "smtp://smtp.example.com" }, "server", "port"],
  ["server with path", { ...global, server: "smtp.example.com/x" }, "server", "host name"],
  ["server bad IPv4", { ...global, server: "300.1.1.1" }, "server", "host name"],
  [
    "server label too long",
    { ...global, server: `${"a".repeat(64)}.example.com` },
    "server",
    "host name",
  ],
  ["connectionLimit 0", { ...global, connectionLimit: 0 }, "connectionLimit", "connection pool"],
  [
    "connectionLimit negative",
    { ...global, connectionLimit: -1 },
    "connectionLimit",
    "whole number",
  ],
  [
    "connectionLimit fraction",
    { ...global, connectionLimit: 1.5 },
    "connectionLimit",
    "whole number",
  ],
  [
    "connectionLimit text",
    { ...global, connectionLimit: "two" },
    "connectionLimit",
    "whole number",
  ],
  [
    "connectionLimit over int32",
    { ...global, connectionLimit: 2 ** 31 },
    "connectionLimit",
    "2147483647",
  ],
  ["maxIdleTime negative", { ...global, maxIdleTime: -5 }, "maxIdleTime", "from 0"],
  ["maxIdleTime NaN", { ...global, maxIdleTime: Number.NaN }, "maxIdleTime", "whole number"],
  ["maxIdleTime boolean", { ...global, maxIdleTime: true }, "maxIdleTime", "whole number"],
  ["messageBatchSize 0", { ...global, messageBatchSize: 0 }, "messageBatchSize", "from 1"],
  ["messageBatchSize on site", { ...site, messageBatchSize: 10 }, "messageBatchSize", "global"],
  ["hostEmail on site", { ...site, hostEmail: "a@example.com" }, "hostEmail", "global"],
  ["hostEmail not an email", { ...global, hostEmail: "nobody" }, "hostEmail", "email address"],
  [
    "hostEmail with LF",
    { ...global, hostEmail: "a@example.com\nBcc: x@y.z" },
    "hostEmail",
    "control characters",
  ],
  [
    "authentication unknown",
    { ...global, authentication: "digest" },
    "authentication",
    "anonymous, basic, ntlm, oauth",
  ],
  ["authentication as wire int", { ...global, authentication: 1 }, "authentication", "anonymous"],
  [
    "basic without username",
    { ...global, authentication: "basic", password: MARKER },
    "username",
    "required",
  ],
  [
    "basic without password",
    { ...global, authentication: "basic", username: "u" },
    "password",
    "required",
  ],
  ["anonymous with username", { ...global, username: "u" }, "username", "anonymous"],
  ["anonymous with password", { ...global, password: MARKER }, "password", "anonymous"],
  [
    "ntlm with password",
    { ...global, authentication: "ntlm", password: MARKER },
    "password",
    "Windows identity",
  ],
  ["oauth without provider", { ...global, authentication: "oauth" }, "oauth", "required"],
  [
    "oauth with password",
    { ...global, authentication: "oauth", oauth: { provider: "GoogleMail" }, password: MARKER },
    "password",
    "OAuth",
  ],
  [
    "oauth block on basic",
    { ...global, ...basic, oauth: { provider: "GoogleMail" } },
    "oauth",
    "only used",
  ],
  [
    "oauth provider empty",
    { ...global, authentication: "oauth", oauth: { provider: " " } },
    "oauth.provider",
    "OAuth provider",
  ],
  [
    "oauth unknown key",
    { ...global, authentication: "oauth", oauth: { provider: "X", tenant: "t" } },
    "oauth.tenant",
    "provider, settings",
  ],
  [
    "username with CR",
    { ...global, ...basic, username: "u\rMAIL FROM:<x>" },
    "username",
    "control characters",
  ],
  [
    "password with LF",
    { ...global, ...basic, password: `${MARKER}\n` },
    "password",
    "control characters",
  ],
  ["password too long", { ...global, ...basic, password: "p".repeat(300) }, "password", "256"],
  ["enableSsl as text", { ...global, enableSsl: "yes" }, "enableSsl", "true or false"],
  ["enableSsl as Y", { ...global, enableSsl: "Y" }, "enableSsl", "true or false"],
  ["unknown field", { ...global, smtpServer: "x" }, "smtpServer", "not a setting"],
  ["misspelt field", { ...global, enableSSL: true }, "enableSSL", "not a setting"],
];

// [description, input, expected subset of the normalized value]
const valid: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
  [
    "bare host implies port 25; undeclared tuning fields stay the site's",
    global,
    {
      server: "smtp.example.com",
      connectionLimit: undefined,
      maxIdleTime: undefined,
      messageBatchSize: undefined,
      authentication: "anonymous",
      enableSsl: false,
    },
  ],
  [
    "explicit port 25 is the same as none",
    { ...global, server: "smtp.example.com:25" },
    { server: "smtp.example.com" },
  ],
  [
    "surrounding whitespace trimmed",
    { ...global, server: "  smtp.example.com:587 " },
    { server: "smtp.example.com:587" },
  ],
  [
    "host name lower-cased",
    { ...global, server: "SMTP.Example.COM" },
    { server: "smtp.example.com" },
  ],
  [
    "trailing dot dropped",
    { ...global, server: "smtp.example.com.:2525" },
    { server: "smtp.example.com:2525" },
  ],
  ["IPv4 address", { ...global, server: "127.0.0.1:1025" }, { server: "127.0.0.1:1025" }],
  ["single-label host", { ...global, server: "localhost" }, { server: "localhost" }],
  ["port 1 and 65535", { ...global, server: "relay:65535" }, { server: "relay:65535" }],
  [
    "limits given as text",
    { ...global, connectionLimit: " 5 ", maxIdleTime: "0" },
    { connectionLimit: 5, maxIdleTime: 0 },
  ],
  [
    "int32 max accepted",
    { ...global, connectionLimit: 2147483647 },
    { connectionLimit: 2147483647 },
  ],
  ["site scope has no batch size", site, { scope: "site", messageBatchSize: undefined }],
  [
    "basic keeps password spaces",
    { ...global, ...basic, password: ` ${MARKER} ` },
    { password: ` ${MARKER} `, username: "mailer" },
  ],
  [
    "empty username and password mean none",
    { ...global, username: "", password: "" },
    { username: undefined, password: undefined },
  ],
  [
    "ntlm with a user name",
    { ...global, authentication: "ntlm", username: "DOMAIN\\svc" },
    { authentication: "ntlm" },
  ],
  [
    "oauth with settings",
    {
      ...global,
      authentication: "oauth",
      oauth: { provider: "ExchangeOnline", settings: { TenantId: "t" } },
    },
    { oauth: { provider: "ExchangeOnline", settings: { TenantId: "t" } } },
  ],
  [
    "oauth settings default to empty",
    {
      ...site,
      authentication: "oauth",
      username: "me@example.com",
      oauth: { provider: "GoogleMail" },
    },
    { oauth: { provider: "GoogleMail", settings: {} } },
  ],
  [
    "hostEmail trimmed",
    { ...global, hostEmail: " host@example.com " },
    { hostEmail: "host@example.com" },
  ],
  ["unicode password", { ...global, ...basic, password: "pässwörd-€" }, { password: "pässwörd-€" }],
];

describe("validateSettings rejects bad input, naming the field", () => {
  test("the table is large enough", () => expect(invalid.length).toBeGreaterThanOrEqual(40));

  test.each(invalid)("%s", (_name, input, field, words) => {
    const result = validateSettings(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const problem = result.problems.find((p) => p.field === field);
    expect(problem, JSON.stringify(result.problems)).toBeDefined();
    expect(problem?.message).toContain(words);
    // One problem per field, and never the password in a message.
    expect(new Set(result.problems.map((p) => p.field)).size).toBe(result.problems.length);
    expect(JSON.stringify(result.problems)).not.toContain(MARKER);
  });
});

describe("validateSettings accepts and normalizes edge inputs", () => {
  test("the table is large enough", () => expect(valid.length).toBeGreaterThanOrEqual(15));

  test.each(valid)("%s", (_name, input, expected) => {
    const result = validateSettings(input);
    expect(result.ok, JSON.stringify(result)).toBe(true);
    if (!result.ok) return;
    for (const [key, value] of Object.entries(expected)) {
      expect(result.value[key as keyof typeof result.value]).toEqual(value);
    }
  });
});

describe("unknown values during preview", () => {
  const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

  test("an unknown field is not judged", () => {
    expect(
      validateSettings({ ...global, ...basic, password: UNKNOWN }, new Set(["password"])).ok,
    ).toBe(true);
  });

  test("known fields are still checked", () => {
    const result = validateSettings(
      { ...global, server: "bad host", password: UNKNOWN },
      new Set(["password"]),
    );
    expect(result.ok).toBe(false);
  });
});

describe("server strings", () => {
  test("format is the inverse of parse for DNN's canonical form", () => {
    for (const s of ["a.example.com", "a.example.com:587", "10.0.0.1:2525"]) {
      const parsed = parseServer(s);
      expect(typeof parsed).toBe("object");
      if (typeof parsed === "object") expect(formatServer(parsed)).toBe(s);
    }
  });
});

describe("names and characters in messages", () => {
  test.each([
    ["connectonLimit", "connectionLimit"],
    ["enableSSL", "enableSsl"],
    ["usename", "username"],
    ["smtpPassword", "password"],
    ["hostemail", "hostEmail"],
  ])("%s: did you mean %s?", (key, expected) => {
    expect(closestName(key, SETTINGS_FIELDS)).toBe(expected);
  });

  test("no suggestion for a name nothing resembles, or a huge key", () => {
    expect(closestName("favouriteColour", SETTINGS_FIELDS)).toBeUndefined();
    expect(closestName("x".repeat(100_000), SETTINGS_FIELDS)).toBeUndefined();
  });

  test("an invisible character is named by code point and position", () => {
    expect(invisibleCharacter("smtp\u200b.example.com")).toBe("U+200B at position 5");
    expect(invisibleCharacter("\u202eexample")).toBe("U+202E at position 1");
    expect(invisibleCharacter("mail@exämple.com")).toBeUndefined();
  });

  test('"*****" is never a password, and booleans are strict', () => {
    const base = {
      scope: "global",
      server: "relay.example.com",
      authentication: "basic",
      username: "u",
    };
    const masked = validateSettings({ ...base, password: "*****" });
    expect(masked.ok ? [] : masked.problems.map((p) => p.field)).toEqual(["password"]);
    const text = validateSettings({ ...base, password: "p", enableSsl: "true" });
    expect(text.ok && text.value.enableSsl).toBe(true);
    const loose = validateSettings({ ...base, password: "p", enableSsl: "yes" });
    expect(loose.ok).toBe(false);
  });
});
