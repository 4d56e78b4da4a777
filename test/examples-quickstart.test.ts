/**
 * examples/quickstart with the real Pulumi CLI, configured as its README says, against the
 * stand-in and two STARTTLS relays with a private CA: `pulumi up` proves both relays (the
 * global one with a test mail), writes global and /shop settings; a second `up` changes
 * nothing; no password reaches the state or the output in clear text.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Standin, startStandin } from "../standin/server";
import { testCerts } from "./support/certs";
import { EXAMPLES_DIR } from "./support/plugin";
import { createProject, type PulumiProject, pulumiSkipReason } from "./support/pulumi";
import { startSmtpServer, type TestSmtpServer } from "./support/smtp";

const SECRETS = {
  dnn: "Quickstart-Host-Pw-1",
  relay: "Quickstart-Relay-Pw-2",
  shopRelay: "Quickstart-Shop-Pw-3",
};
const skip = pulumiSkipReason();

describe.skipIf(skip)("examples/quickstart with the Pulumi CLI", () => {
  let standin: Standin;
  let relay: TestSmtpServer;
  let shopRelay: TestSmtpServer;
  let project: PulumiProject;
  /** What `up` and `stack output` printed (the config commands carry the secrets as arguments). */
  let printed = "";

  beforeAll(async () => {
    const certs = testCerts();
    standin = await startStandin({
      port: 0,
      generation: "g3",
      quiet: true,
      superuser: { username: "host", password: SECRETS.dnn },
    });
    relay = await startSmtpServer({
      tls: "starttls",
      users: { "dnn@example.com": SECRETS.relay },
      allowInsecureAuth: false,
    });
    shopRelay = await startSmtpServer({
      tls: "starttls",
      users: { "shop@example.com": SECRETS.shopRelay },
      allowInsecureAuth: false,
    });
    project = await createProject({
      name: "dnn-smtp-quickstart",
      program: readFileSync(join(EXAMPLES_DIR, "quickstart/index.ts"), "utf8"),
      // The README's `pulumi config set` lines, pointed at the local servers.
      config: {
        "dnn:url": standin.url,
        "dnn:username": "host",
        "dnn:password": { secret: SECRETS.dnn },
        relay: `localhost:${relay.port}`,
        relayUser: "dnn@example.com",
        relayPassword: { secret: SECRETS.relay },
        shopRelay: `localhost:${shopRelay.port}`,
        shopRelayUser: "shop@example.com",
        shopRelayPassword: { secret: SECRETS.shopRelay },
        hostEmail: "dnn@example.com",
        testRecipient: "ops@example.com",
      },
      env: { PULUMI_NODEJS_TRANSPILE_ONLY: "true" },
    });
    // A PEM starts with "-": as a flag's value it is not taken for a flag.
    await project.ok(["config", "set-all", "--plaintext", `relayCaCert=${certs.ca}`]);
  }, 120_000);

  afterAll(async () => {
    await project?.destroy();
    await Promise.all([standin?.close(), relay?.close(), shopRelay?.close()]);
  });

  test("pulumi up proves both relays, then writes the global and the shop settings", async () => {
    const up = await project.ok(["up", "--yes", "--skip-preview"]);
    printed += up.stdout + up.stderr;
    expect(up.stdout).toContain("3 created");

    const dump = standin.dump();
    expect(dump.host).toMatchObject({
      SMTPServer: `localhost:${relay.port}`,
      SMTPAuthentication: "1",
      SMTPUsername: "dnn@example.com",
      SMTPPassword: SECRETS.relay,
      SMTPEnableSSL: "Y",
      HostEmail: "dnn@example.com",
    });
    expect(dump.portals[1]).toMatchObject({
      SMTPmode: "p",
      SMTPServer: `localhost:${shopRelay.port}`,
      SMTPUsername: "shop@example.com",
      SMTPPassword: SECRETS.shopRelay,
    });
    // The global precheck level is "send": the test mail went through the global relay.
    expect(relay.mails().map((m) => m.to)).toEqual([["ops@example.com"]]);
    expect(shopRelay.logins()).toBe(1);

    const output = await project.ok(["stack", "output", "--json"]);
    printed += output.stdout + output.stderr;
    const outputs = JSON.parse(output.stdout);
    expect(outputs).toMatchObject({
      globalServer: `localhost:${relay.port}`,
      shopServer: `localhost:${shopRelay.port}`,
      shopMode: "p",
      dnnVersion: "g3",
    });
  }, 90_000);

  test("a second pulumi up changes nothing and sends no mail", async () => {
    const writes = () =>
      standin.requests.count((e) => e.method === "POST" && e.path.includes("UpdateSmtpSettings"));
    const before = writes();
    const up = await project.ok(["up", "--yes", "--expect-no-changes", "--skip-preview"]);
    printed += up.stdout + up.stderr;
    expect(up.stdout).toMatch(/3 unchanged/);
    expect(writes()).toBe(before);
    expect(relay.mails()).toHaveLength(1);
  }, 90_000);

  test("no password is in the state files or the CLI output in clear text", () => {
    const state = project.stateFilesText();
    expect(printed).toContain("precheck");
    for (const secret of Object.values(SECRETS)) {
      expect(state).not.toContain(secret);
      expect(printed).not.toContain(secret);
    }
  });
});
