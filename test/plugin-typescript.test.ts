/**
 * examples/plugin-typescript: a TypeScript program on the plugin face, run by the real CLI
 * and Node.js language host against the stand-in and a real SMTP relay: up through an
 * explicit provider, a password-only change that previews as `~ password`, import by id
 * (what the dynamic face cannot do), and no marker password in any trace.
 */
import { readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Standin, startStandin } from "../standin/server";
import { changedLines, upCreates } from "./support/cli-steps";
import { type PackedPlugin, packPlugin } from "./support/plugin-face";
import {
  createProject,
  type PulumiProject,
  pulumiBinDir,
  pulumiSkipReason,
} from "./support/pulumi";
import { startSmtpServer, type TestSmtpServer } from "./support/smtp";

const MARKER = "Marker-Pa55word-7c1e";
const SITE_PASSWORD = "Site-Marker-3d9b";
const skip = pulumiSkipReason();

describe.skipIf(!!skip)("examples/plugin-typescript with the real CLI", () => {
  let packed: PackedPlugin;
  let standin: Standin;
  let relay: TestSmtpServer;
  let project: PulumiProject;

  beforeAll(async () => {
    packed = packPlugin();
    standin = await startStandin({
      quiet: true,
      generation: "g3",
      superuser: { username: "host", password: SITE_PASSWORD },
    });
    relay = await startSmtpServer({
      users: { "shop@example.com": MARKER },
      allowInsecureAuth: true,
    });
    project = await createProject({
      name: "plugin-typescript",
      program: readFileSync(join(__dirname, "../examples/plugin-typescript/index.ts"), "utf8"),
      env: {
        // The plugin found on PATH, as `npm install -g pulumi-dnn-smtp` leaves it.
        PATH: [packed.dir, pulumiBinDir(), process.env.PATH].join(delimiter),
        PULUMI_NODEJS_TRANSPILE_ONLY: "true",
      },
      config: {
        dnnUrl: standin.url,
        dnnUsername: "host",
        dnnPassword: { secret: SITE_PASSWORD },
        shopUrl: standin.siteUrl("shop"),
        shopRelayServer: `127.0.0.1:${relay.port}`,
        shopRelayPassword: { secret: MARKER },
      },
    });
  }, 120_000);

  afterAll(async () => {
    await project?.destroy();
    await relay?.close();
    await standin?.close();
    packed?.remove();
  });

  test("up writes both scopes through the explicit provider, the shop's login proven", async () => {
    await upCreates(project, standin, relay, MARKER);
  }, 120_000);

  test("a password-only change previews as `~ password` and nothing else", async () => {
    await project.ok(["config", "set", "--secret", "--", "shopRelayPassword", `${MARKER}-2`]);
    const preview = await project.ok(["preview", "--diff"]);
    expect(changedLines(preview.stdout)).toEqual([
      expect.stringMatching(/^\s*~ password\s*: \[secret\] => \[secret\]$/),
    ]);
    await project.ok(["config", "set", "--secret", "--", "shopRelayPassword", MARKER]);
  }, 120_000);

  test("import by id adopts the site's settings into the stack", async () => {
    const imported = await project.ok([
      "import",
      "dnn-smtp:index:SmtpSettings",
      "adopted",
      `${standin.siteUrl("shop")}#site`,
      "--provider",
      `installation=${await providerUrn(project)}`,
      "--yes",
      "--generate-code=false",
    ]);
    expect(imported.stdout).toMatch(/= 1 imported/);
    const state = JSON.parse((await project.ok(["stack", "export"])).stdout);
    const adopted = state.deployment.resources.find((r: { urn: string }) =>
      r.urn.endsWith("::adopted"),
    );
    expect(adopted.id).toBe(`${standin.siteUrl("shop")}#site`);
    expect(adopted.outputs).toMatchObject({
      server: `127.0.0.1:${relay.port}`,
      username: "shop@example.com",
      portalName: "Shop",
    });
    expect(adopted.outputs).not.toHaveProperty("password");
    await project.ok(["state", "delete", adopted.urn, "--yes", "--force"]);
  }, 120_000);

  test("the marker passwords appear nowhere: stack export, state files, CLI output", async () => {
    const exported = JSON.stringify(await project.exportStack());
    for (const text of [exported, project.stateFilesText(), project.log()]) {
      expect(text).not.toContain(MARKER);
      expect(text).not.toContain(SITE_PASSWORD);
    }
  }, 60_000);
});

/** The URN of the program's explicit provider, for `pulumi import --provider name=urn`. */
async function providerUrn(project: PulumiProject): Promise<string> {
  const state = await project.exportStack();
  const provider = state.deployment.resources.find((r) => r.type === "pulumi:providers:dnn-smtp");
  if (!provider) throw new Error("the stack export has no dnn-smtp provider");
  return provider.urn;
}
