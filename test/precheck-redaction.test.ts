/**
 * Redaction against hostile servers: SMTP servers (and a DNN) that ECHO the credentials they
 * received, as is, in base64, JSON-escaped, URL-encoded, or cut by the precheck's own length
 * limit. Neither the precheck's error (message, and the cause it chains) nor its summary and
 * warnings may carry any recognizable piece of the password.
 */
import { describe, expect } from "vitest";
import { DnnSmtpError } from "../provider/errors";
import { clearPrecheckCache, type DnnPrecheckPort, runPrecheck } from "../provider/precheck";
import { precheckTest as it, optionsOf, rejection, settingsOf } from "./support/precheck";

const USER = "relay-user";
/** Quote, backslash, slash, space and a non-ASCII letter: every escape has work to do. */
const PASSWORD = 'Sekr3t"Pa\\ss/wörd 42';
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

/** Every form of the password a reply could carry; none may show in what the precheck says. */
const MARKERS = [
  PASSWORD,
  JSON.stringify(PASSWORD).slice(1, -1),
  encodeURIComponent(PASSWORD),
  b64(PASSWORD).replace(/=+$/, ""),
  b64(`\0${USER}\0${PASSWORD}`).slice(8, -4), // the part of AUTH PLAIN that is the password
  b64(USER).replace(/=+$/, ""),
  "Sekr3t", // any start of the password long enough to mean something
  "wörd 42",
];

/** Every text of an error or report, `cause` included. */
function textsOf(value: unknown): string {
  if (value instanceof Error) {
    const e = value as Error & { response?: string };
    return [e.message, e.response ?? "", textsOf(e.cause)].join("\n");
  }
  if (value && typeof value === "object") return JSON.stringify(value);
  return String(value ?? "");
}

function expectNoMarker(value: unknown) {
  const text = textsOf(value);
  for (const marker of MARKERS)
    expect(text, `leaks ${JSON.stringify(marker)}`).not.toContain(marker);
}

const basic = (port: number, extra: Record<string, unknown> = {}) =>
  settingsOf({
    server: `127.0.0.1:${port}`,
    authentication: "basic",
    username: USER,
    password: PASSWORD,
    ...extra,
  });

describe("an SMTP server that echoes the credentials when it rejects them", () => {
  it.for([
    ["as is", (pass: string) => pass],
    ["JSON-escaped", (pass: string) => JSON.stringify({ pass })],
    ["in base64", (pass: string) => b64(pass)],
    ["as AUTH PLAIN base64", (pass: string) => b64(`\0${USER}\0${pass}`)],
    ["URL-encoded", (pass: string) => encodeURIComponent(pass)],
    ["JSON-escaped twice", (pass: string) => JSON.stringify(JSON.stringify(pass))],
  ] as const)("smtp-server's onAuth rejects with the password %s", async ([, form], { smtp }) => {
    let echoed = 0;
    const server = await smtp({
      tls: "none",
      authMethods: ["PLAIN", "LOGIN"],
      serverOptions: {
        onAuth(auth, _session, callback) {
          echoed += 1;
          const error = new Error(
            `Bad credentials for ${auth.username}: ${form(auth.password ?? "")}`,
          );
          callback(Object.assign(error, { responseCode: 535 }));
        },
      },
    });
    for (const mailProvider of ["core", "mailkit"] as const) {
      const settings = basic(server.port);
      const err = await rejection(
        runPrecheck(settings, optionsOf(settings, { mailProvider, level: "auth" })),
      );
      expect(err.code).toBe("PRECHECK_AUTH_REJECTED");
      expect(err.message).toContain("[secret]"); // the echo reached the message, redacted
      expectNoMarker(err);
    }
    expect(echoed).toBe(2); // the fault fired: once with LOGIN (core), once with PLAIN (mailkit)
  });

  it("a raw server echoing every line, cut by the length limit at every point of the password", async ({
    lineServer,
  }) => {
    let pad = 0;
    const server = await lineServer((line) => {
      if (/^EHLO/i.test(line)) return "250-echo\r\n250 AUTH LOGIN PLAIN";
      if (/^AUTH LOGIN$/i.test(line)) return "334 VXNlcm5hbWU6";
      if (line === b64(USER)) return "334 UGFzc3dvcmQ6";
      // The password's line, decoded, after `pad` characters: the quote cuts it somewhere.
      const decoded = Buffer.from(line, "base64").toString("utf8");
      return `535 ${"x".repeat(pad)} you sent ${line} = ${decoded} = ${JSON.stringify(decoded)}`;
    });
    const settings = basic(server.port);
    const cuts = new Set<string>();
    let sessions = 0;
    for (pad = 120; pad < 160; pad += 3) {
      sessions += 1;
      const err = await rejection(
        runPrecheck(settings, optionsOf(settings, { level: "auth", connectTimeoutMs: 2_000 })),
      );
      expect(err).toBeInstanceOf(DnnSmtpError);
      expect(err.code).toBe("PRECHECK_AUTH_REJECTED");
      expect(err.message).toMatch(/\.\.\."/); // the reply was cut
      cuts.add(err.message);
      expectNoMarker(err);
      clearPrecheckCache(); // the same configuration again: a new session, not the cached failure
    }
    expect(cuts.size).toBeGreaterThan(5);
    // The fault fired: the server did receive the password's base64 from every session.
    expect(server.lines().filter((l) => l === b64(PASSWORD)).length).toBe(sessions);
  });

  it("an echoing server that lets the login pass: the summary and warnings carry no secret", async ({
    smtp,
  }) => {
    const server = await smtp({
      tls: "none",
      users: { [USER]: PASSWORD },
      serverOptions: { banner: `${PASSWORD} ${b64(PASSWORD)}` },
    });
    const settings = basic(server.port);
    const report = await runPrecheck(settings, optionsOf(settings, { level: "auth" }));
    expect(report.authenticated).toBe(true);
    expect(report.warnings.join(" ")).toMatch(/unencrypted connection/);
    expectNoMarker(report);
  });
});

describe("a DNN that echoes the password", () => {
  const port = (answer: { success: boolean; errMessage: string; confirmationMessage: string }) =>
    ({
      sendTestEmail: async () => answer,
      getSmtpOAuthProviders: async () => ({ host: [], site: [] }),
    }) satisfies DnnPrecheckPort;

  it("in SendTestEmail's error, JSON-escaped and cut: the error carries none of it", async () => {
    const settings = basic(587, { server: "relay.example.com:587", enableSsl: true });
    const errMessage = `Auth failed: ${JSON.stringify({ password: PASSWORD })} ${"y".repeat(280)} ${PASSWORD}`;
    const err = await rejection(
      runPrecheck(settings, optionsOf(settings, { via: "dnn" }), {
        dnn: port({ success: false, errMessage, confirmationMessage: "" }),
      }),
    );
    expect(err.code).toBe("PRECHECK_DNN_SEND_FAILED");
    expect(err.message).toContain("[secret]");
    expectNoMarker(err);
  });

  it("in the confirmation: the summary carries none of it", async () => {
    const settings = basic(587, { server: "relay.example.com:587", enableSsl: true });
    const report = await runPrecheck(settings, optionsOf(settings, { via: "dnn" }), {
      dnn: port({
        success: true,
        errMessage: "",
        confirmationMessage: `Email sent successfully from ${PASSWORD} to ${b64(PASSWORD)}@example.com`,
      }),
    });
    expect(report.summary).toMatch(/^send ok via dnn: /);
    expectNoMarker(report);
  });

  it("in a DNN client error (an HTTP 500 quoting the request): code kept, text redacted", async () => {
    const settings = basic(587, { server: "relay.example.com:587", enableSsl: true });
    const failing: DnnPrecheckPort = {
      sendTestEmail: async () => {
        throw new DnnSmtpError(
          "DNN_HTTP_ERROR",
          `SendTestEmail answered 500: {"smtpPassword":${JSON.stringify(PASSWORD)}}`,
          { transient: true, responseCode: 500 },
        );
      },
      getSmtpOAuthProviders: async () => ({ host: [], site: [] }),
    };
    const err = await rejection(
      runPrecheck(settings, optionsOf(settings, { via: "dnn" }), { dnn: failing }),
    );
    expect(err).toMatchObject({ code: "DNN_HTTP_ERROR", transient: true, responseCode: 500 });
    expect(err.message).toContain("[secret]");
    expectNoMarker(err);
  });

  it("an OAuth consent URL that carries a secret setting: redacted", async () => {
    const clientSecret = "oauth-client-secret-77";
    const settings = settingsOf({
      server: "smtp.office365.com:587",
      authentication: "oauth",
      username: "mailer@example.com",
      oauth: { provider: "ExchangeOnline", settings: { ClientSecret: clientSecret } },
    });
    const consent: DnnPrecheckPort = {
      sendTestEmail: async () => ({ success: true, errMessage: "", confirmationMessage: "" }),
      getSmtpOAuthProviders: async () => ({
        host: [
          {
            name: "ExchangeOnline",
            isAuthorized: false,
            authorizeUrl: `https://login.example.com/authorize?client_secret=${encodeURIComponent(clientSecret)}`,
          },
        ],
        site: [],
      }),
    };
    const err = await rejection(runPrecheck(settings, optionsOf(settings), { dnn: consent }));
    expect(err.code).toBe("PRECHECK_OAUTH_UNAUTHORIZED");
    expect(err.message).toContain("client_secret=[secret]");
    expect(err.message).not.toContain(clientSecret);
  });
});
