/**
 * Hostile inputs (issue 12, class 4): every field × values meant to slip through, each
 * refused by `check` with its field named, before any network call. The site URL points
 * at a local TCP server that counts connections: after the whole table it has seen none.
 */
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { setStackConfig } from "../provider/dnn/connection";
import { checkSmtpSettings, checkUseGlobal } from "../provider/lifecycle/check";

let server: Server;
let connections = 0;
let url = "";
const savedEnv: Record<string, string | undefined> = {};
const ENV = ["DNN_URL", "DNN_USERNAME", "DNN_PASSWORD", "DNN_API_TOKEN"];

beforeAll(async () => {
  for (const k of ENV) {
    savedEnv[k] = process.env[k];
    delete process.env[k];
  }
  setStackConfig({ get: () => undefined });
  server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  url = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  for (const k of ENV) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
});

const MEGABYTE = "a".repeat(1_048_576);
const SECRET_IN_URL = "hunter2-in-the-url";

/** Texts that must never pass as a name, address or user name. */
const HOSTILE_TEXTS: Array<[string, (valid: string) => unknown]> = [
  ["zero-width space", (v) => `${v.slice(0, 3)}\u200b${v.slice(3)}`],
  ["right-to-left override", (v) => `\u202e${v}`],
  ["byte order mark", (v) => `\ufeff${v}`],
  ["line separator U+2028", (v) => `${v}\u2028`],
  ["zero-width joiner", (v) => `${v}\u200d`],
  ["CR LF", (v) => `${v}\r\nRCPT TO:<x@evil.example>`],
  ["tab", (v) => `${v.slice(0, 2)}\t${v.slice(2)}`],
  ["NUL", (v) => `${v}\u0000`],
  ["a megabyte", () => MEGABYTE],
  ["a number", () => 42],
  ["an object", () => ({ value: "x" })],
  ["an array", () => ["a", "b"]],
];

/** Values that are not a boolean: only true/false (and the exact texts "true"/"false") are. */
const HOSTILE_BOOLEANS: unknown[] = ["False", "TRUE", "yes", "no", "0", "1", 0, 1, "", {}, " true"];

/** Values that are not a whole number in range. */
const HOSTILE_NUMBERS = (min: number): unknown[] => [
  min - 1,
  -1,
  1e10,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  "abc",
  "1e3",
  true,
  { n: 1 },
];

type Case = {
  readonly name: string;
  readonly field: string;
  readonly input: Record<string, unknown>;
  readonly resource?: "SmtpSettings" | "UseGlobalSmtpSettings";
  /** Extra check of the failure text. */
  readonly reason?: RegExp;
};

const cases: Case[] = [];

function basic(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    site: { url, username: "host" },
    sitePassword: "site-pass",
    scope: "global",
    server: "smtp.example.com:587",
    authentication: "basic",
    username: "mailer@example.com",
    password: "relay-pass",
    enableSsl: true,
    hostEmail: "dnn@example.com",
    ...overrides,
  };
}

function oauth(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    site: { url, username: "host" },
    sitePassword: "site-pass",
    scope: "site",
    server: "smtp.office365.com:587",
    authentication: "oauth",
    username: "mailer@example.com",
    enableSsl: true,
    oauth: { provider: "ExchangeOnline", settings: { ClientId: "abc", TenantId: "tenant" } },
    ...overrides,
  };
}

// Text fields of the settings, under a valid basic (or OAuth) configuration.
const TEXT_FIELDS: Array<[string, string, (v: unknown) => Record<string, unknown>]> = [
  ["server", "smtp.example.com", (v) => basic({ server: v })],
  ["username", "mailer@example.com", (v) => basic({ username: v })],
  ["hostEmail", "dnn@example.com", (v) => basic({ hostEmail: v })],
  [
    "oauth.provider",
    "ExchangeOnline",
    (v) => oauth({ oauth: { provider: v, settings: { ClientId: "abc" } } }),
  ],
  ["site.username", "host", (v) => basic({ site: { url, username: v } })],
  [
    "precheck.recipient",
    "ops@example.com",
    (v) => basic({ precheck: { level: "auth", recipient: v } }),
  ],
];
for (const [field, valid, make] of TEXT_FIELDS) {
  for (const [what, hostile] of HOSTILE_TEXTS) {
    cases.push({ name: `${field}: ${what}`, field, input: make(hostile(valid)) });
  }
}

// Secrets: bounded, no control characters; never shown.
for (const [what, value] of [
  ["a megabyte", MEGABYTE],
  ["CR LF", "pass\r\nword"],
  ["NUL", "pass\u0000"],
  ["a number", 1234],
] as const) {
  cases.push({ name: `password: ${what}`, field: "password", input: basic({ password: value }) });
  cases.push({
    name: `site.password: ${what}`,
    field: "site.password",
    input: basic({ sitePassword: value }),
  });
  cases.push({
    name: `oauth.settings.ClientSecret: ${what}`,
    field: "oauth.settings.ClientSecret",
    input: oauth({
      oauth: { provider: "ExchangeOnline", settings: { ClientSecret: value } },
    }),
  });
}
cases.push({
  name: "password: the placeholder *****",
  field: "password",
  input: basic({ password: "*****" }),
  reason: /keep the stored password/,
});
cases.push({
  name: "oauth.settings: a megabyte-long setting name",
  field: "oauth.settings",
  input: oauth({ oauth: { provider: "ExchangeOnline", settings: { [MEGABYTE]: "x" } } }),
});
cases.push({
  name: "oauth.settings: a setting name with a newline",
  field: "oauth.settings",
  input: oauth({ oauth: { provider: "ExchangeOnline", settings: { "Client\nId": "x" } } }),
});
cases.push({
  name: "oauth.settings: 100 settings",
  field: "oauth.settings",
  input: oauth({
    oauth: {
      provider: "ExchangeOnline",
      settings: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`K${i}`, "v"])),
    },
  }),
});

// Booleans.
for (const value of HOSTILE_BOOLEANS) {
  cases.push({
    name: `enableSsl: ${JSON.stringify(value)}`,
    field: "enableSsl",
    input: basic({ enableSsl: value }),
  });
  cases.push({
    name: `site.insecureSkipVerify: ${JSON.stringify(value)}`,
    field: "site.insecureSkipVerify",
    input: basic({ site: { url, username: "host", insecureSkipVerify: value } }),
  });
}

// Numbers.
for (const [field, min, make] of [
  ["connectionLimit", 1, (v: unknown) => basic({ connectionLimit: v })],
  ["maxIdleTime", 0, (v: unknown) => basic({ maxIdleTime: v })],
  ["messageBatchSize", 1, (v: unknown) => basic({ messageBatchSize: v })],
  ["site.timeoutMs", 100, (v: unknown) => basic({ site: { url, timeoutMs: v } })],
  ["precheck.timeoutMs", 100, (v: unknown) => basic({ precheck: { timeoutMs: v } })],
] as const) {
  for (const value of HOSTILE_NUMBERS(min)) {
    // -1 is listed twice for a minimum of 0.
    if (min === 0 && value === -1 && cases.some((c) => c.name === `${field}: -1`)) continue;
    cases.push({ name: `${field}: ${String(value)}`, field, input: make(value) });
  }
}
cases.push({
  name: "site.timeoutMs: 0",
  field: "site.timeoutMs",
  input: basic({ site: { url, timeoutMs: 0 } }),
});

// Enumerations.
for (const [field, values, make] of [
  ["scope", ["Global", "", "host", 1], (v: unknown) => basic({ scope: v })],
  ["authentication", ["Basic", "none", "login", 3], (v: unknown) => basic({ authentication: v })],
  ["onDelete", ["delete", "", 1, "Retain"], (v: unknown) => basic({ scope: "site", onDelete: v })],
  ["precheck.level", ["full", "AUTH", 2], (v: unknown) => basic({ precheck: { level: v } })],
] as const) {
  for (const value of values) {
    cases.push({ name: `${field}: ${JSON.stringify(value)}`, field, input: make(value) });
  }
}

// The site URL.
for (const [what, value] of [
  ["a tab in the host", `http://127.0.0.1\t.evil.example:1/`],
  ["a newline in the path", `${url}/sh\nop`],
  ["a CR before the scheme", `\r${url}`],
  ["a zero-width space", `${url}/\u200bshop`],
  ["a right-to-left override", `${url}/\u202epohs`],
  ["not a URL", "example dot com"],
  ["ftp", "ftp://example.com/"],
  ["javascript", "javascript:alert(1)"],
  ["a megabyte", `${url}/${MEGABYTE}`],
  ["a number", 8080],
  ["an object", { href: url }],
  ["credentials", `http://admin:${SECRET_IN_URL}@127.0.0.1:1/`],
  ["credentials in a URL that does not parse", `http://admin:${SECRET_IN_URL}@exa mple.com:x/`],
] as const) {
  cases.push({
    name: `site.url: ${what}`,
    field: "site.url",
    input: basic({ site: { url: value, username: "host" } }),
  });
}

// The site itself.
for (const [what, value] of [
  ["a text", url],
  ["an array", [url]],
  ["a number", 1],
] as const) {
  cases.push({ name: `site: ${what}`, field: "site", input: basic({ site: value }) });
}

// The CA certificate.
for (const [what, value] of [
  ["a number", 42],
  ["not PEM", "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"],
  ["a BEGIN without END", "-----BEGIN CERTIFICATE-----\nMIIB"],
  ["a megabyte", `-----BEGIN CERTIFICATE-----\n${MEGABYTE}\n-----END CERTIFICATE-----`],
  ["an object", { pem: "x" }],
] as const) {
  cases.push({
    name: `site.caCert: ${what}`,
    field: "site.caCert",
    input: basic({ site: { url, caCert: value } }),
  });
}

// Unknown keys, everywhere, with the closest valid name.
for (const [key, input, suggestion] of [
  ["connectonLimit", basic({ connectonLimit: 4 }), "connectionLimit"],
  ["smtpPassword", basic({ smtpPassword: "in clear text" }), "password"],
  ["enableSSL", basic({ enableSSL: true }), "enableSsl"],
  ["usrname", basic({ usrname: "x" }), "username"],
  ["hostemail", basic({ hostemail: "a@example.com" }), "hostEmail"],
  ["serverr", basic({ serverr: "x" }), "server"],
  ["site.usrname", basic({ site: { url, usrname: "host" } }), "username"],
  ["site.timeout", basic({ site: { url, timeout: 5 } }), "timeoutMs"],
  [
    "site.insecureSkipVerfy",
    basic({ site: { url, insecureSkipVerfy: true } }),
    "insecureSkipVerify",
  ],
  ["oauth.provder", oauth({ oauth: { provder: "ExchangeOnline", settings: {} } }), "provider"],
  ["precheck.levl", basic({ precheck: { levl: "auth" } }), "level"],
] as const) {
  cases.push({
    name: `unknown key ${key}`,
    field: key,
    input,
    reason: new RegExp(`did you mean ${suggestion}\\?`),
  });
}
cases.push({
  name: "unknown key a megabyte long",
  field: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...",
  input: basic({ [MEGABYTE]: 1 }),
});
cases.push({
  name: "onDelete a megabyte long",
  field: "onDelete",
  input: basic({ scope: "site", onDelete: MEGABYTE }),
});
cases.push({
  name: "site.insecureSkipVerify: a megabyte inside an object",
  field: "site.insecureSkipVerify",
  input: basic({ site: { url, insecureSkipVerify: { a: MEGABYTE } } }),
});
cases.push({
  name: "unknown key with no close name",
  field: "favouriteColour",
  input: basic({ favouriteColour: "blue" }),
  reason: /accepted: scope, server/,
});

// UseGlobalSmtpSettings: its own keys, and the same site checks.
for (const [field, input] of [
  ["onDelet", { site: { url }, onDelet: "restore" }],
  ["onDelete", { site: { url }, onDelete: "revert" }],
  ["site.url", { site: { url: `${url}/\u200bblog` } }],
  ["site.insecureSkipVerify", { site: { url, insecureSkipVerify: "false " } }],
  ["site.timeoutMs", { site: { url, timeoutMs: -1 } }],
  ["site.caCert", { site: { url, caCert: 7 } }],
  ["site.usrname", { site: { url, usrname: "x" } }],
  ["scope", { site: { url }, scope: "site" }],
] as const) {
  cases.push({
    name: `UseGlobalSmtpSettings ${field}`,
    field,
    input: input as Record<string, unknown>,
    resource: "UseGlobalSmtpSettings",
  });
}

/** The field a failure names: its property, or the nested path its reason starts with. */
function namedField(f: { readonly property: string; readonly reason: string }): string {
  return f.reason.startsWith(`${f.property}.`)
    ? f.reason.slice(0, f.reason.indexOf(": "))
    : f.property;
}

describe("check refuses hostile inputs, naming the field, without any network call", () => {
  test("the table holds at least 150 hostile inputs", () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  test.each(cases)("$name", async ({ field, input, resource, reason }) => {
    const check = resource === "UseGlobalSmtpSettings" ? checkUseGlobal : checkSmtpSettings;
    const result = await check({}, structuredClone(input));
    const failures = result.failures ?? [];
    const reasons = failures.map((f) => f.reason);
    const named = failures.map(namedField);
    expect(named.some((n) => n === field || n.startsWith(`${field}.`))).toBe(true);
    const mine = failures.find((f) => namedField(f).startsWith(field))?.reason ?? "";
    if (reason) expect(mine).toMatch(reason);
    // The engine prints the property before the reason: a reason does not name it again.
    for (const f of failures) expect(f.reason.startsWith(`${f.property}:`)).toBe(false);
    // Short, and free of secrets: no megabyte echoed back, no password from a URL.
    for (const r of reasons) {
      expect(r.length).toBeLessThan(1000);
      expect(r).not.toContain(SECRET_IN_URL);
      expect(r).not.toContain("relay-pass");
      expect(r).not.toContain("site-pass");
    }
  });

  test("nothing reached the network", () => {
    expect(connections).toBe(0);
  });
});

describe("what check accepts, it normalizes", () => {
  test('site.insecureSkipVerify "false" (text) keeps certificate checks on', async () => {
    const result = await checkSmtpSettings(
      {},
      basic({ site: { url, insecureSkipVerify: "false", timeoutMs: "5000" } }),
    );
    expect(result.failures).toBeUndefined();
    expect(result.inputs.site).toMatchObject({ insecureSkipVerify: false, timeoutMs: 5000 });
  });

  test('enableSsl "true" (text from stack config) is true', async () => {
    const result = await checkSmtpSettings({}, basic({ enableSsl: "true" }));
    expect(result.failures).toBeUndefined();
    expect(result.inputs.enableSsl).toBe(true);
  });

  test("the keys the classes and the engine add are accepted", async () => {
    const result = await checkSmtpSettings(
      {},
      basic({
        __provider: "exports.handler = ...",
        siteApiToken: undefined,
        portalName: undefined,
        apiGeneration: undefined,
        mode: undefined,
        precheckSummary: undefined,
        previous: undefined,
      }),
    );
    expect(result.failures).toBeUndefined();
  });

  test("a bad URL from the stack config names the config key", async () => {
    setStackConfig({ get: (key) => (key === "dnn:url" ? `${url}/\u200b` : undefined) });
    try {
      const { site: _site, ...rest } = basic();
      const result = await checkSmtpSettings({}, rest);
      expect(result.failures?.[0]?.reason).toMatch(
        /^site\.url: .*invisible.*\(from stack config dnn:url\)/,
      );
    } finally {
      setStackConfig({ get: () => undefined });
    }
  });

  test("nothing reached the network here either", () => {
    expect(connections).toBe(0);
  });
});
