/**
 * A multi-step write that stops part-way, through the real engine: `pulumi up` fails with
 * DNN_PARTIAL_WRITE and the engine keeps the resource with an initialization error (the
 * dynamic plugin's ErrorResourceInitFailed), so the next `pulumi up` updates it and
 * completes the interrupted step, even though the program did not change.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Standin, startStandin } from "../standin/server";
import { createProject, type PulumiProject, pulumiSkipReason } from "./support/pulumi";

const SITE_PASSWORD = "Partial-Site-Cred-0b6e";
const RELAY_PW = "Partial-Relay-Pw-5c21";
const ROOT_PW = "Partial-Root-Pw-77f3";
const skip = pulumiSkipReason();

const PROGRAM = `
import * as pulumi from "@pulumi/pulumi";
import { SmtpSettings } from "pulumi-dnn-smtp";

const c = new pulumi.Config();
new SmtpSettings("global", {
  scope: "global",
  server: "relay.example.com:587",
  authentication: "basic",
  username: "relay-user",
  password: c.requireSecret("relayPassword"),
  enableSsl: true,
  precheck: { level: "none" },
});
`;

describe.skipIf(!!skip)("a global write interrupted after the host keys were written", () => {
  let standin: Standin;
  let project: PulumiProject;

  beforeAll(async () => {
    standin = await startStandin({
      quiet: true,
      superuser: { username: "host", password: SITE_PASSWORD },
    });
    // The root site, through which the global settings are written, has its own settings.
    for (const [k, v] of Object.entries({
      SMTPmode: "p",
      SMTPServer: "root-own.example.com",
      SMTPAuthentication: "1",
      SMTPUsername: "root-user",
      SMTPConnectionLimit: "2",
      SMTPMaxIdleTime: "100000",
      SMTPEnableSSL: "N",
    }))
      standin.store.setPortalSetting(0, k, v, 1);
    standin.store.setPortalEncrypted(0, "SMTPPassword", ROOT_PW, 1);
    project = await createProject({
      name: "partial-write",
      program: PROGRAM,
      config: {
        "dnn:url": standin.url,
        "dnn:username": "host",
        "dnn:password": { secret: SITE_PASSWORD },
        relayPassword: { secret: RELAY_PW },
      },
    });
  }, 120_000);

  afterAll(async () => {
    await project?.destroy();
    await standin?.close();
  });

  test("up fails saying what was written; the next up, unchanged program, repairs", async () => {
    // Putting the root site's mode back fails, every retry.
    standin.faults.set({ fail500: 4, match: "SmtpAdmin/UpdateSmtpSettings" });
    const failed = await project.run(["up", "--yes", "--skip-preview"]);
    expect(failed.code).not.toBe(0);
    const output = `${failed.stdout}${failed.stderr}`;
    expect(output).toMatch(/DNN_PARTIAL_WRITE/);
    expect(output).toMatch(/global settings were saved/);
    expect(standin.requests.count((r) => r.fault === "fail500")).toBe(4);
    expect(standin.dump().portals[0]?.SMTPmode).toBe("h");

    // The engine recorded the resource, with its initialization error and the repair record.
    const resources: Array<{
      type: string;
      initErrors?: string[];
      outputs?: { repair?: unknown };
    }> = (await project.exportStack()).deployment.resources;
    const global = resources.find((r) => r.type.endsWith("dnn:SmtpSettings"));
    expect(global?.initErrors?.join("\n")).toMatch(/DNN_PARTIAL_WRITE/);
    expect(global?.outputs?.repair).toEqual({ siteMode: "p" });

    const repaired = await project.ok(["up", "--yes", "--skip-preview"]);
    expect(repaired.stdout).toMatch(/1 updated|updated/);
    expect(standin.dump().portals[0]).toMatchObject({ SMTPmode: "p", SMTPPassword: ROOT_PW });
    expect(standin.dump().host.SMTPPassword).toBe(RELAY_PW);

    const after: Array<{ type: string; initErrors?: string[] }> = (await project.exportStack())
      .deployment.resources;
    expect(after.find((r) => r.type.endsWith("dnn:SmtpSettings"))?.initErrors ?? []).toEqual([]);
    const third = await project.ok(["up", "--yes", "--skip-preview"]);
    expect(third.stdout).toMatch(/unchanged/);
    for (const text of [JSON.stringify(await project.exportStack()), project.log()]) {
      for (const secret of [SITE_PASSWORD, RELAY_PW, ROOT_PW]) expect(text).not.toContain(secret);
    }
  }, 240_000);
});
