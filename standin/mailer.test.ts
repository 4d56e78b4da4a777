/**
 * SendTestEmail (contract sections 3 and 7) with real mail: an smtp-server on port 0
 * (STARTTLS with a throwaway certificate trusted through `smtpTls.ca`, AUTH LOGIN/PLAIN).
 */
import type { AddressInfo } from "node:net";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
import { afterEach, describe, expect, it } from "vitest";
import { testCerts } from "../test/support/certs";
import { SMTP_CONFIGURATION_PROBLEM } from "./mailer.js";
import { type Generation, startStandin } from "./server.js";
import { ERROR_SENDING_TEST_EMAIL } from "./smtp.js";
import { jwtLogin, smtpApi, updateRequest } from "./testing.js";

interface Received {
  from: string;
  to: string[];
  secure: boolean;
  auth?: { method: string; username: string; password: string };
}

interface Sink {
  port: number;
  mails: Received[];
  close(): Promise<void>;
}

// The team's throwaway certificates: a test CA and a localhost certificate it signed.
const certs = testCerts();
const { cert, key } = certs.localhost;

const PASSWORDS: Record<string, string> = { mailer: "P4ss", hostuser: "H0st!pw" };

async function sink(options: Partial<SMTPServerOptions> = {}): Promise<Sink> {
  const mails: Received[] = [];
  const server = new SMTPServer({
    key,
    cert,
    authOptional: true,
    authMethods: ["PLAIN", "LOGIN", "XOAUTH2"],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      const ok =
        auth.method === "XOAUTH2"
          ? Boolean(auth.accessToken)
          : PASSWORDS[auth.username ?? ""] === auth.password;
      if (!ok) return cb(new Error("Invalid username or password"));
      cb(null, {
        user: { method: auth.method, username: auth.username ?? "", password: auth.password ?? "" },
      });
    },
    onData(stream, session, cb) {
      stream.resume();
      stream.on("end", () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          secure: session.secure,
          ...(session.user ? { auth: session.user as Received["auth"] & object } : {}),
        });
        cb();
      });
    },
    ...options,
  });
  server.on("error", () => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

async function setup(generation: Generation = "g3", sinkOptions: Partial<SMTPServerOptions> = {}) {
  const mail = await sink(sinkOptions);
  const s = await startStandin({
    generation,
    quiet: true,
    superuser: { username: "host", password: "dnnhost", email: "root@example.com" },
    admin: { username: "admin", password: "Adm1n!pass" },
    smtpTls: { ca: certs.ca },
  });
  cleanup.push(
    () => s.close(),
    () => mail.close(),
  );
  const host = (await jwtLogin(s, "host", "dnnhost")).accessToken;
  return { s, mail, host, server: `127.0.0.1:${mail.port}` };
}

function testRequest(server: string, extra: Record<string, unknown> = {}) {
  return {
    smtpServerMode: "h",
    smtpServer: server,
    smtpAuthentication: 1,
    smtpUsername: "mailer",
    smtpPassword: "P4ss",
    enableSmtpSsl: true,
    ...extra,
  };
}

describe("SendTestEmail, Host controller", () => {
  it("mode h: sends from HostEmail to the caller through the submitted settings (STARTTLS + LOGIN), saves nothing", async () => {
    const { s, mail, host, server } = await setup();
    const before = s.dump();
    const r = await smtpApi(s, { action: "SendTestEmail", token: host, body: testRequest(server) });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      success: true,
      errMessage: "",
      confirmationMessage: "Email sent successfully from host@example.com to root@example.com",
    });
    expect(mail.mails).toHaveLength(1);
    expect(mail.mails[0]).toMatchObject({
      from: "host@example.com",
      to: ["root@example.com"],
      secure: true,
      auth: { method: "LOGIN", username: "mailer", password: "P4ss" },
    });
    expect(s.dump()).toEqual(before);
  });

  it("mode p: sends from the site's email (the site in the URL)", async () => {
    const { s, mail, host, server } = await setup();
    const r = await smtpApi(s, {
      alias: "shop",
      action: "SendTestEmail",
      token: host,
      body: testRequest(server, { smtpServerMode: "p" }),
    });
    expect(r.status).toBe(200);
    expect(mail.mails[0]?.from).toBe("shop@example.com");
  });

  it("failure: 400 {success:false, errMessage, confirmationMessage}", async () => {
    const { s, host, server } = await setup();
    const r = await smtpApi(s, {
      action: "SendTestEmail",
      token: host,
      body: testRequest(server, { smtpPassword: "wrong" }),
    });
    expect(r.status).toBe(400);
    expect(r.body.success).toBe(false);
    expect(String(r.body.errMessage)).toMatch(/Invalid username or password|535/);
    expect(r.body.confirmationMessage).toBe(ERROR_SENDING_TEST_EMAIL);
  });

  it("EnableSSL means STARTTLS required; off means never attempted", async () => {
    const noTls = await setup("g3", { disabledCommands: ["STARTTLS"] });
    const r = await smtpApi(noTls.s, {
      action: "SendTestEmail",
      token: noTls.host,
      body: testRequest(noTls.server),
    });
    expect(r.status).toBe(400);
    const plain = await setup();
    const ok = await smtpApi(plain.s, {
      action: "SendTestEmail",
      token: plain.host,
      body: testRequest(plain.server, { enableSmtpSsl: false }),
    });
    expect(ok.status).toBe(200);
    expect(plain.mail.mails[0]?.secure).toBe(false);
  });

  it("basic auth sends credentials only when both user name and password are set", async () => {
    const { s, mail, host, server } = await setup();
    const r = await smtpApi(s, {
      action: "SendTestEmail",
      token: host,
      body: testRequest(server, { smtpPassword: "" }),
    });
    expect(r.status).toBe(200);
    expect(mail.mails[0]?.auth).toBeUndefined();
  });

  it("invalid server strings fail before connecting", async () => {
    const { s, host } = await setup();
    for (const smtpServer of ["a:b:c", "host:70000", "host:0", ""]) {
      const r = await smtpApi(s, {
        action: "SendTestEmail",
        token: host,
        body: testRequest(smtpServer),
      });
      expect(r.status, smtpServer).toBe(400);
      expect(r.body.errMessage).toBe(SMTP_CONFIGURATION_PROBLEM);
    }
  });

  it("g3: ***** is replaced by the HOST password even in mode p (DNN's bug)", async () => {
    const { s, mail, host, server } = await setup("g3");
    await smtpApi(s, {
      action: "UpdateSmtpSettings",
      token: host,
      body: updateRequest({ smtpUsername: "hostuser", smtpPassword: "H0st!pw" }),
    });
    await smtpApi(s, {
      action: "UpdateSmtpSettings",
      token: host,
      body: updateRequest({ smtpServerMode: "p", smtpPassword: "Site!pw" }),
    });
    const r = await smtpApi(s, {
      action: "SendTestEmail",
      token: host,
      body: testRequest(server, {
        smtpServerMode: "p",
        smtpUsername: "hostuser",
        smtpPassword: "*****",
      }),
    });
    expect(r.status).toBe(200);
    expect(mail.mails[0]?.auth?.password).toBe("H0st!pw");
  });

  it("g2: ***** is sent as the password itself", async () => {
    const { s, host, server } = await setup("g2");
    await smtpApi(s, {
      action: "UpdateSmtpSettings",
      token: host,
      body: updateRequest({ smtpPassword: "P4ss" }),
    });
    const r = await smtpApi(s, {
      action: "SendTestEmail",
      token: host,
      body: testRequest(server, { smtpPassword: "*****" }),
    });
    expect(r.status).toBe(400);
  });

  it("g1: mode h sends from HostEmail to HostEmail", async () => {
    const { s, mail, host, server } = await setup("g1");
    const r = await smtpApi(s, { action: "SendTestEmail", token: host, body: testRequest(server) });
    expect(r.status).toBe(200);
    expect(mail.mails[0]).toMatchObject({ from: "host@example.com", to: ["host@example.com"] });
  });

  it("anonymous callers get 401 and no mail", async () => {
    const { s, mail, server } = await setup();
    expect((await smtpApi(s, { action: "SendTestEmail", body: testRequest(server) })).status).toBe(
      401,
    );
    expect(mail.mails).toHaveLength(0);
  });
});

describe("SendTestEmail, Admin controller", () => {
  it("mode h tests the STORED host settings, not the request", async () => {
    const { s, mail, host, server } = await setup();
    await smtpApi(s, {
      action: "UpdateSmtpSettings",
      token: host,
      body: updateRequest({
        smtpServer: server,
        smtpUsername: "hostuser",
        smtpPassword: "H0st!pw",
        enableSmtpSsl: true,
      }),
    });
    const admin = (await jwtLogin(s, "admin", "Adm1n!pass")).accessToken;
    const r = await smtpApi(s, {
      controller: "ServerSettingsSmtpAdmin",
      action: "SendTestEmail",
      token: admin,
      body: testRequest("unused.invalid:25", { smtpPassword: "ignored" }),
    });
    expect(r.status).toBe(200);
    expect(mail.mails[0]).toMatchObject({
      from: "host@example.com",
      to: ["admin@example.com"],
      auth: { username: "hostuser" },
    });
  });

  it("mode p: the request's settings, ***** = the site's password; failures still confirm", async () => {
    const { s, mail, host, server } = await setup();
    await smtpApi(s, {
      action: "UpdateSmtpSettings",
      token: host,
      body: updateRequest({ smtpServerMode: "p", smtpPassword: "P4ss" }),
    });
    const admin = (await jwtLogin(s, "admin", "Adm1n!pass")).accessToken;
    const ok = await smtpApi(s, {
      controller: "ServerSettingsSmtpAdmin",
      action: "SendTestEmail",
      token: admin,
      body: testRequest(server, { smtpServerMode: "p", smtpPassword: "*****" }),
    });
    expect(ok.status).toBe(200);
    expect(mail.mails[0]).toMatchObject({ from: "site@example.com", auth: { password: "P4ss" } });
    const bad = await smtpApi(s, {
      controller: "ServerSettingsSmtpAdmin",
      action: "SendTestEmail",
      token: admin,
      body: testRequest(server, { smtpServerMode: "p", smtpPassword: "wrong" }),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.confirmationMessage).toBe(
      "Email sent successfully from site@example.com to admin@example.com",
    );
  });
});

describe("SendTestEmail with OAuth (g3)", () => {
  it("sends with XOAUTH2 once the provider is authorized", async () => {
    const { s, mail, host, server } = await setup("g3");
    const body = testRequest(server, {
      smtpAuthentication: 3,
      authProvider: "ExchangeOnline",
      enableSmtpSsl: false,
    });
    s.setOAuthAuthorized("ExchangeOnline", -1, true);
    const r = await smtpApi(s, { action: "SendTestEmail", token: host, body });
    expect(r.status).toBe(200);
    expect(mail.mails[0]?.auth?.method).toBe("XOAUTH2");
  });
});
