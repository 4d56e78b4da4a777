/**
 * The real Pulumi CLI (built from Go modules by scripts/pulumi-cli.sh) driving SmtpSettings
 * against the stand-in and a real SMTP relay: preview, up, refresh, replace, destroy, and
 * a scan for a marker password everywhere the run leaves traces.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Standin, startStandin } from "../standin/server";
import { createProject, type PulumiProject, pulumiSkipReason } from "./support/pulumi";
import { startSmtpServer, type TestSmtpServer } from "./support/smtp";

const MARKER = "Marker-Pa55word-7c1e";
const SITE_PASSWORD = "Site-Marker-3d9b";
const skip = pulumiSkipReason();

const PROGRAM = `
import * as pulumi from "@pulumi/pulumi";
import { SmtpSettings } from "pulumi-dnn-smtp";

const c = new pulumi.Config();
const shop = new SmtpSettings("shop", {
  site: { url: c.require("shopUrl") },
  scope: c.get("scope") === "global" ? "global" : "site",
  server: c.require("server"),
  authentication: "basic",
  username: "mailer",
  password: c.requireSecret("relayPassword"),
  connectionLimit: c.getNumber("connectionLimit") ?? 2,
  precheck: { level: c.get("precheckLevel") === "auth" ? "auth" : "none" },
  onDelete: c.get("scope") === "global" ? "retain" : "revert",
});
export const mode = shop.mode;
export const server = shop.server;
`;

/**
 * The SmtpSettings resources' inputs and outputs from `stack export`. Secrets are
 * re-encrypted with a new nonce on every save, so they are compared by presence only.
 */
async function settingsState(project: PulumiProject): Promise<unknown> {
  const resources: Array<{ type: string; inputs: unknown; outputs: unknown }> = (
    await project.exportStack()
  ).deployment.resources;
  const masked = JSON.stringify(
    resources
      .filter((r) => r.type.endsWith("dnn:SmtpSettings"))
      .map(({ inputs, outputs }) => ({ inputs, outputs })),
  );
  return JSON.parse(masked.replace(/"ciphertext":"[^"]*"/g, '"ciphertext":"…"'));
}

const writes = (s: Standin) =>
  s.requests.count((r) => r.method === "POST" && r.path.includes("UpdateSmtpSettings"));

describe.skipIf(!!skip)("the real Pulumi CLI", () => {
  let standin: Standin;
  let relay: TestSmtpServer;
  let project: PulumiProject;

  beforeAll(async () => {
    standin = await startStandin({
      quiet: true,
      generation: "g2",
      superuser: { username: "host", password: SITE_PASSWORD },
    });
    relay = await startSmtpServer({ users: { mailer: MARKER }, allowInsecureAuth: true });
    project = await createProject({
      name: "e2e-cli",
      program: PROGRAM,
      config: {
        "dnn:username": "host",
        "dnn:password": { secret: SITE_PASSWORD },
        shopUrl: standin.siteUrl("shop"),
        server: `127.0.0.1:${relay.port}`,
        relayPassword: { secret: MARKER },
      },
    });
  }, 120_000);

  afterAll(async () => {
    await project?.destroy();
    await relay?.close();
    await standin?.close();
  });

  test("up applies, and the stand-in's rows match", async () => {
    const result = await project.ok(["up", "--yes", "--skip-preview"]);
    expect(result.stdout).toMatch(/\+ 2 created|2 created/);
    expect(standin.dump().portals[1]).toMatchObject({
      SMTPmode: "p",
      SMTPServer: `127.0.0.1:${relay.port}`,
      SMTPUsername: "mailer",
      SMTPPassword: MARKER,
      SMTPAuthentication: "1",
    });
  }, 120_000);

  test("a second up changes nothing and writes nothing", async () => {
    standin.requests.clear();
    const result = await project.ok(["up", "--yes", "--skip-preview"]);
    expect(result.stdout).toMatch(/2 unchanged/);
    expect(writes(standin)).toBe(0);
  }, 120_000);

  test("preview --diff lists the changed fields, the password as [secret]", async () => {
    await project.ok(["config", "set", "connectionLimit", "5"]);
    standin.requests.clear();
    const limit = await project.ok(["preview", "--diff"]);
    expect(limit.stdout).toMatch(/~ connectionLimit\s*: 2 => 5/);
    expect(limit.stdout.match(/^\s*~ \w+\s*:/gm)).toHaveLength(1);
    expect(limit.stdout).toMatch(/^\s+password\s*: \[secret\]$/m);

    // A password-only change is an update too; the engine shows its value only as [secret].
    await project.ok(["config", "set", "connectionLimit", "2"]);
    await project.ok(["config", "set", "--secret", "relayPassword", `${MARKER}-2`]);
    const password = await project.ok(["preview", "--diff"]);
    expect(password.stdout).toMatch(/~ 1 to update/);
    expect(password.stdout).toMatch(/^\s+password\s*: \[secret\]$/m);
    expect(writes(standin)).toBe(0);

    await project.ok(["config", "set", "connectionLimit", "5"]);
    await project.ok(["up", "--yes", "--skip-preview"]);
    expect(standin.dump().portals[1]).toMatchObject({
      SMTPConnectionLimit: "5",
      SMTPPassword: `${MARKER}-2`,
    });
    await project.ok(["config", "set", "--secret", "relayPassword", MARKER]);
    await project.ok(["up", "--yes", "--skip-preview"]);
    expect(standin.dump().portals[1]?.SMTPPassword).toBe(MARKER);
  }, 180_000);

  test("a change made by hand: refresh reports it, up repairs it", async () => {
    standin.store.setPortalSetting(1, "SMTPServer", "by-hand.example.com", 1);
    standin.store.setPortalSetting(1, "SMTPmode", "h", 1);
    const refresh = await project.ok(["refresh", "--yes", "--skip-preview", "--diff"]);
    expect(refresh.stdout).toMatch(/server\s*: "127\.0\.0\.1:\d+" => "by-hand\.example\.com"/);
    expect(refresh.stdout).toMatch(/mode\s*: "p" => "h"/);
    const preview = await project.ok(["preview", "--diff"]);
    expect(preview.stdout).toMatch(/~ server\s*: "by-hand\.example\.com" => "127\.0\.0\.1:\d+"/);
    await project.ok(["up", "--yes", "--skip-preview"]);
    expect(standin.dump().portals[1]).toMatchObject({
      SMTPServer: `127.0.0.1:${relay.port}`,
      SMTPmode: "p",
    });
  }, 120_000);

  test("a failing precheck fails up with its message; rows and state stay as they were", async () => {
    await project.ok(["config", "set", "precheckLevel", "auth"]);
    await project.ok(["config", "set", "--secret", "relayPassword", "Wrong-Pa55word-x"]);
    const rowsBefore = JSON.stringify(standin.dump());
    const stateBefore = await settingsState(project);
    const result = await project.run(["up", "--yes", "--skip-preview"]);
    expect(result.code).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).toMatch(/rejected the credentials|535/);
    expect(`${result.stdout}${result.stderr}`).not.toContain("Wrong-Pa55word-x");
    expect(JSON.stringify(standin.dump())).toBe(rowsBefore);
    expect(await settingsState(project)).toEqual(stateBefore);
    await project.ok(["config", "set", "--secret", "relayPassword", MARKER]);
    await project.ok(["up", "--yes", "--skip-preview"]);
  }, 120_000);

  test("a URL spelled another way, with a relay password that fails its precheck, changes nothing", async () => {
    // The same DNN under another name: a move, which must prove the new settings first.
    const otherSpelling = standin.siteUrl("shop").replace("127.0.0.1", "localhost");
    await project.ok(["config", "set", "shopUrl", otherSpelling]);
    await project.ok(["config", "set", "precheckLevel", "auth"]);
    await project.ok(["config", "set", "--secret", "relayPassword", "Wrong-Pa55word-y"]);
    const preview = await project.ok(["preview", "--diff"]);
    expect(preview.stdout).not.toMatch(/replace/);
    const rowsBefore = JSON.stringify(standin.dump());
    const stateBefore = await settingsState(project);
    const failed = await project.run(["up", "--yes", "--skip-preview"]);
    expect(failed.code).not.toBe(0);
    expect(`${failed.stdout}${failed.stderr}`).toMatch(/PRECHECK_AUTH_REJECTED/);
    expect(JSON.stringify(standin.dump())).toBe(rowsBefore);
    expect(await settingsState(project)).toEqual(stateBefore);

    // With the right password the move completes; the old place is the same site, so it
    // is not reverted: the shop keeps its own settings.
    await project.ok(["config", "set", "--secret", "relayPassword", MARKER]);
    await project.ok(["up", "--yes", "--skip-preview"]);
    expect(standin.dump().portals[1]).toMatchObject({ SMTPmode: "p", SMTPPassword: MARKER });
    await project.ok(["config", "set", "shopUrl", standin.siteUrl("shop")]);
    await project.ok(["up", "--yes", "--skip-preview"]);
    expect(standin.dump().portals[1]?.SMTPmode).toBe("p");
    await project.ok(["config", "set", "precheckLevel", "none"]);
  }, 240_000);

  test("a scope change is an update that proves first; destroy follows onDelete", async () => {
    await project.ok(["config", "set", "scope", "global"]);
    await project.ok(["config", "set", "precheckLevel", "auth"]);
    await project.ok(["config", "set", "--secret", "relayPassword", "Wrong-Pa55word-z"]);
    const preview = await project.ok(["preview", "--diff"]);
    expect(preview.stdout).not.toMatch(/replace/);
    expect(preview.stdout).toMatch(/~ 1 to update/);
    const rowsBefore = JSON.stringify(standin.dump());
    expect((await project.run(["up", "--yes", "--skip-preview"])).code).not.toBe(0);
    expect(JSON.stringify(standin.dump())).toBe(rowsBefore);

    await project.ok(["config", "set", "--secret", "relayPassword", MARKER]);
    await project.ok(["up", "--yes", "--skip-preview"]);
    const dump = standin.dump();
    expect(dump.host).toMatchObject({
      SMTPServer: `127.0.0.1:${relay.port}`,
      SMTPPassword: MARKER,
    });
    // The old place (the shop's own settings) got onDelete "revert": it uses the global settings now.
    expect(dump.portals[1]?.SMTPmode).toBe("h");
    await project.ok(["destroy", "--yes", "--skip-preview"]);
    // Global scope, onDelete "retain": the values stay.
    expect(standin.dump().host.SMTPServer).toBe(`127.0.0.1:${relay.port}`);
  }, 240_000);

  test("the marker passwords appear nowhere: stack export, state files, outputs, logs", async () => {
    const exported = JSON.stringify(await project.exportStack());
    const traces = [exported, project.stateFilesText(), project.log()];
    for (const text of traces) {
      expect(text).not.toContain(MARKER);
      expect(text).not.toContain(SITE_PASSWORD);
    }
  }, 60_000);
});

const MANY_SITES = 20;
const MANY_PROGRAM = `
import * as pulumi from "@pulumi/pulumi";
import { SmtpSettings } from "pulumi-dnn-smtp";

const c = new pulumi.Config();
const base = c.require("dnnUrl");
for (let i = 1; i <= ${MANY_SITES}; i++) {
  new SmtpSettings(\`site\${i}\`, {
    site: { url: \`\${base}/site\${i}\` },
    scope: "site",
    server: \`relay\${i}.example.com:2525\`,
    authentication: "basic",
    username: \`site\${i}\`,
    password: c.requireSecret("relayPassword"),
    precheck: { level: "none" },
  });
}
`;

describe.skipIf(!!skip)(`${MANY_SITES} sites in one stack, applied in parallel`, () => {
  let standin: Standin;
  let project: PulumiProject;

  beforeAll(async () => {
    standin = await startStandin({
      quiet: true,
      extraSites: MANY_SITES,
      superuser: { username: "host", password: SITE_PASSWORD },
    });
    project = await createProject({
      name: "e2e-many",
      program: MANY_PROGRAM,
      config: {
        "dnn:username": "host",
        "dnn:password": { secret: SITE_PASSWORD },
        dnnUrl: standin.url,
        relayPassword: { secret: MARKER },
      },
    });
  }, 120_000);

  afterAll(async () => {
    await project?.destroy();
    await standin?.close();
  });

  test("every site holds its own settings, with one login per site", async () => {
    await project.ok(["up", "--yes", "--skip-preview", "--parallel", "20"]);
    const dump = standin.dump();
    for (let i = 1; i <= MANY_SITES; i++) {
      expect(dump.portals[i + 1], `site${i}`).toMatchObject({
        SMTPmode: "p",
        SMTPServer: `relay${i}.example.com:2525`,
        SMTPUsername: `site${i}`,
        SMTPPassword: MARKER,
      });
    }
    expect(standin.requests.count((r) => r.path.endsWith("/JwtAuth/mobile/login"))).toBe(
      MANY_SITES,
    );
    // The root and /shop sites were not touched.
    expect(dump.portals[0]?.SMTPmode ?? "h").toBe("h");
    expect(dump.portals[1]?.SMTPmode ?? "h").toBe("h");
    expect(project.log()).not.toContain(MARKER);
  }, 180_000);
});
