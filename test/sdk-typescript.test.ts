/**
 * examples/sdk-typescript: a TypeScript program on the GENERATED TypeScript SDK
 * (sdk/nodejs, `@pulumi-dnn-smtp/dnn-smtp`, compiled into the project by
 * `scripts/sdk.sh --install-nodejs`), served by the `dnn-smtp` plugin (packed, on PATH), run
 * by the real CLI and our Node.js language host against the stand-in and a real SMTP relay:
 * preview, up, a no-op up, refresh with drift, import by id, destroy; then a scan of the
 * stack exports, state files, CLI output, schema and SDK folders for the marker passwords.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Standin, startStandin } from "../standin/server";
import {
  destroyRevertsShop,
  previewCreates,
  refreshRepairsServer,
  upChangesNothing,
  upCreates,
} from "./support/cli-steps";
import { type PackedPlugin, packPlugin } from "./support/plugin-face";
import {
  createProject,
  type PulumiProject,
  pulumiBinDir,
  pulumiSkipReason,
} from "./support/pulumi";
import { startSmtpServer, type TestSmtpServer } from "./support/smtp";

const ROOT = join(__dirname, "..");
const MARKER = "Sdk-Marker-Pa55word-4f2a";
const SITE_PASSWORD = "Sdk-Site-Marker-9e07";
const skip = pulumiSkipReason();

/** Every file under `dir`, concatenated; dependencies installed there (node_modules) left out. */
function filesText(dir: string): string {
  return readdirSync(dir)
    .filter((name) => name !== "node_modules")
    .map((name) => join(dir, name))
    .map((path) => (statSync(path).isDirectory() ? filesText(path) : readFileSync(path, "latin1")))
    .join("\n");
}

describe.skipIf(!!skip)(
  "examples/sdk-typescript: the generated TypeScript SDK with the real CLI",
  () => {
    let packed: PackedPlugin;
    let standin: Standin;
    let relay: TestSmtpServer;
    let project: PulumiProject;
    const traces: string[] = [];

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
        name: "sdk-typescript",
        program: readFileSync(join(ROOT, "examples/sdk-typescript/index.ts"), "utf8"),
        env: {
          // The plugin found on PATH, as `npm install -g pulumi-dnn-smtp` leaves it.
          PATH: [packed.dir, pulumiBinDir(), process.env.PATH].join(delimiter),
          PULUMI_NODEJS_TRANSPILE_ONLY: "true",
        },
        config: {
          "dnn-smtp:url": standin.url,
          "dnn-smtp:username": "host",
          "dnn-smtp:password": { secret: SITE_PASSWORD },
          shopUrl: standin.siteUrl("shop"),
          shopRelayServer: `127.0.0.1:${relay.port}`,
          shopRelayPassword: { secret: MARKER },
        },
      });
      // The SDK as `npm install <checkout>/sdk/nodejs` would leave it, compiled in the project.
      execFileSync("bash", [join(ROOT, "scripts/sdk.sh"), "--install-nodejs", project.dir], {
        stdio: ["ignore", "ignore", "pipe"],
      });
    }, 180_000);

    afterAll(async () => {
      await project?.destroy();
      await relay?.close();
      await standin?.close();
      packed?.remove();
    });

    test("the plugin serves the schema the SDKs are generated from (pulumi package get-schema)", async () => {
      const served = await project.ok([
        "package",
        "get-schema",
        join(packed.dir, "pulumi-resource-dnn-smtp"),
      ]);
      const committed = JSON.parse(readFileSync(join(ROOT, "provider/plugin/schema.json"), "utf8"));
      expect(JSON.parse(served.stdout)).toEqual(committed);
    }, 60_000);

    test("preview lists the creates through the SDK's classes, the password as [secret], writes nothing", async () => {
      await previewCreates(project, standin);
    }, 120_000);

    test("up proves the shop's relay login, writes DNN, the outputs come back through the SDK", async () => {
      const up = await upCreates(project, standin, relay, MARKER);
      expect(up.stdout).toMatch(/shopMode\s*: "p"/);
      const outputs = JSON.parse((await project.ok(["stack", "output", "--json"])).stdout);
      expect(outputs).toMatchObject({ shopMode: "p", shopServer: `127.0.0.1:${relay.port}` });
    }, 120_000);

    test("a second up changes nothing and writes nothing", async () => {
      await upChangesNothing(project, standin);
    }, 120_000);

    test("refresh reports a change made by hand, preview shows it field by field, up repairs it", async () => {
      await refreshRepairsServer(project, standin, relay);
    }, 180_000);

    test("pulumi import reads the shop's settings by id into another stack, without the password", async () => {
      await project.ok(["stack", "init", "adopt"]);
      await project.ok(["config", "set", "--", "dnn-smtp:url", standin.url]);
      await project.ok(["config", "set", "--", "dnn-smtp:username", "host"]);
      await project.ok(["config", "set", "--secret", "--", "dnn-smtp:password", SITE_PASSWORD]);
      const imported = await project.ok([
        "import",
        "dnn-smtp:index:SmtpSettings",
        "shop",
        `${standin.siteUrl("shop")}#site`,
        "--yes",
        "--generate-code=false",
      ]);
      expect(imported.stdout).toMatch(/= 1 imported/);
      const state = JSON.parse((await project.ok(["stack", "export"])).stdout);
      traces.push(JSON.stringify(state));
      const shop = state.deployment.resources.find((r: { urn: string }) =>
        r.urn.endsWith("::shop"),
      );
      expect(shop.id).toBe(`${standin.siteUrl("shop")}#site`);
      expect(shop.outputs).toMatchObject({
        server: `127.0.0.1:${relay.port}`,
        username: "shop@example.com",
      });
      expect(shop.outputs).not.toHaveProperty("password");
      await project.ok(["stack", "rm", "adopt", "--yes", "--force"]);
      await project.ok(["stack", "select", "dev"]);
    }, 180_000);

    test("destroy follows onDelete: the shop goes back to the global settings, global values stay", async () => {
      traces.push(JSON.stringify(await project.exportStack()));
      await destroyRevertsShop(project, standin);
      traces.push(JSON.stringify(await project.exportStack()));
    }, 120_000);

    test("the marker passwords appear nowhere: exports, state files, CLI output, schema, SDKs", () => {
      const texts = [
        ...traces,
        project.stateFilesText(),
        project.log(),
        readFileSync(join(ROOT, "provider/plugin/schema.json"), "utf8"),
        filesText(join(ROOT, "sdk")),
        filesText(join(project.dir, "node_modules/@pulumi-dnn-smtp/dnn-smtp")),
      ];
      for (const text of texts) {
        expect(text).not.toContain(MARKER);
        expect(text).not.toContain(SITE_PASSWORD);
      }
      expect(traces.length).toBe(3);
    });
  },
);
