/**
 * The plugin face with the real Pulumi CLI and its YAML language host, offline, against the
 * stand-in and a real SMTP relay: the Pulumi YAML program of `examples/yaml` through
 * preview, up, a no-op up, a password-only change (`~ password`), refresh with drift,
 * import by id, destroy; and a scan for the marker passwords in every trace.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Standin, startStandin } from "../standin/server";
import {
  changedLines,
  destroyRevertsShop,
  previewCreates,
  refreshRepairsServer,
  upChangesNothing,
  upCreates,
} from "./support/cli-steps";
import {
  type PackedPlugin,
  packPlugin,
  type YamlProject,
  yamlCliBinDir,
  yamlProject,
} from "./support/plugin-face";
import { pulumiBinDir } from "./support/pulumi";
import { startSmtpServer, type TestSmtpServer } from "./support/smtp";

const MARKER = "Marker-Pa55word-7c1e";
const ROTATED = "Marker-Pa55word-7c1e-rotated";
const SITE_PASSWORD = "Site-Marker-3d9b";
const PASSPHRASE = "plugin-cli-test-passphrase";
const EXAMPLE = join(__dirname, "../examples/yaml");
const SCHEMA = JSON.parse(readFileSync(join(__dirname, "../provider/plugin/schema.json"), "utf8"));

const bin = yamlCliBinDir(pulumiBinDir());
const skip = bin
  ? undefined
  : "the Pulumi CLI with pulumi-language-yaml is not available (scripts/pulumi-cli.sh builds both)";
if (skip && process.env.CI === "true") throw new Error(`CI=true and ${skip}`);
if (skip) console.warn(`skipped: ${skip}`);

describe.skipIf(!!skip)("the dnn-smtp plugin from Pulumi YAML, with the real CLI", () => {
  let packed: PackedPlugin;
  let standin: Standin;
  let relay: TestSmtpServer;
  let project: YamlProject;
  const traces: string[] = [];

  beforeAll(async () => {
    // The documented install: the plugin tarball, `pulumi plugin install ... --file`.
    packed = packPlugin("--copy-node-modules");
    standin = await startStandin({
      quiet: true,
      generation: "g2",
      superuser: { username: "host", password: SITE_PASSWORD },
    });
    relay = await startSmtpServer({
      users: { "shop@example.com": MARKER },
      allowInsecureAuth: true,
    });
    project = yamlProject({ example: EXAMPLE, bin: bin as string, passphrase: PASSPHRASE });
    await project.ok([
      "plugin",
      "install",
      "resource",
      "dnn-smtp",
      packed.version,
      "--file",
      packed.tarball,
    ]);
    await project.ok(["stack", "init", "dev"]);
    for (const [key, value] of Object.entries({
      "dnn-smtp:url": standin.url,
      "dnn-smtp:username": "host",
      shopUrl: standin.siteUrl("shop"),
      shopRelayServer: `127.0.0.1:${relay.port}`,
    }))
      await project.ok(["config", "set", "--", key, value]);
    await project.ok(["config", "set", "--secret", "--", "dnn-smtp:password", SITE_PASSWORD]);
    await project.ok(["config", "set", "--secret", "--", "shopRelayPassword", MARKER]);
  }, 120_000);

  afterAll(async () => {
    project?.remove();
    await relay?.close();
    await standin?.close();
    packed?.remove();
  });

  test("the installed plugin is listed and serves the committed schema", async () => {
    const list = await project.ok(["plugin", "ls"]);
    expect(list.stdout).toMatch(new RegExp(`dnn-smtp\\s+resource\\s+${packed.version}`));
    const result = await project.ok(["package", "get-schema", `dnn-smtp@${packed.version}`]);
    expect(JSON.parse(result.stdout)).toEqual(SCHEMA);
  }, 60_000);

  test("preview lists the creates, the password as [secret], and writes nothing", async () => {
    await previewCreates(project, standin);
  }, 120_000);

  test("up proves the shop's relay login, writes DNN, and the rows match", async () => {
    const up = await upCreates(project, standin, relay, MARKER);
    // The precheck's warning (a login over plain SMTP) reaches the engine, under the resource's diagnostics.
    expect(up.stdout).toMatch(/warning: .*would cross an unencrypted connection/);
    const dump = standin.dump();
    expect(dump.portals[1]).toMatchObject({ SMTPAuthentication: "1" });
    expect(dump.portals[0]?.SMTPmode ?? "h").toBe("h");
  }, 120_000);

  test("a second up changes nothing and writes nothing", async () => {
    await upChangesNothing(project, standin);
  }, 120_000);

  test("a password-only change previews as `~ password` and nothing else", async () => {
    await project.ok(["config", "set", "--secret", "--", "shopRelayPassword", ROTATED]);
    const preview = await project.ok(["preview", "--diff"]);
    expect(preview.stdout).toMatch(/~ 1 to update/);
    expect(changedLines(preview.stdout)).toEqual([
      expect.stringMatching(/^\s*~ password\s*: \[secret\] => \[secret\]$/),
    ]);
    await project.ok(["config", "set", "--secret", "--", "shopRelayPassword", MARKER]);
  }, 120_000);

  test("refresh reports a change made by hand, preview shows it field by field, up repairs it", async () => {
    await refreshRepairsServer(project, standin, relay);

    // The shop put back on the global settings by hand: a change of the state's `mode`.
    standin.store.setPortalSetting(1, "SMTPmode", "h", 1);
    await project.ok(["refresh", "--yes", "--skip-preview"]);
    const modePreview = await project.ok(["preview", "--diff"]);
    // `mode` is an output, not an input: the engine shows the state's value going away.
    expect(modePreview.stdout).toMatch(/~ 1 to update/);
    expect(modePreview.stdout).toMatch(/^\s*- mode\s*: "h"$/m);
    await project.ok(["up", "--yes", "--skip-preview"]);
    expect(standin.dump().portals[1]?.SMTPmode).toBe("p");
  }, 180_000);

  test("pulumi import reads the site's settings by id into a stack, without the password", async () => {
    await project.ok(["stack", "init", "adopt"]);
    for (const [key, value] of Object.entries({
      "dnn-smtp:url": standin.url,
      "dnn-smtp:username": "host",
      shopUrl: standin.siteUrl("shop"),
    }))
      await project.ok(["config", "set", "--", key, value]);
    await project.ok(["config", "set", "--secret", "--", "dnn-smtp:password", SITE_PASSWORD]);
    await project.ok(["config", "set", "--secret", "--", "shopRelayPassword", MARKER]);
    const out = join(project.dir, "imported.yaml");
    const imported = await project.ok([
      "import",
      "dnn-smtp:index:SmtpSettings",
      "shop",
      `${standin.siteUrl("shop")}#site`,
      "--yes",
      "--out",
      out,
    ]);
    expect(imported.stdout).toMatch(/= 1 imported/);
    const code = readFileSync(out, "utf8");
    traces.push(code);
    expect(code).toContain(`server: 127.0.0.1:${relay.port}`);
    expect(code).toContain("username: shop@example.com");
    expect(code).not.toMatch(/password/);
    const root = await project.ok([
      "import",
      "dnn-smtp:index:UseGlobalSmtpSettings",
      "root",
      `${standin.url}/#use-global`,
      "--yes",
    ]);
    expect(root.stdout).toMatch(/= 1 imported/);
    const state = JSON.parse((await project.ok(["stack", "export"])).stdout);
    traces.push(JSON.stringify(state));
    const ids = state.deployment.resources.map((r: { id?: string }) => r.id).filter(Boolean);
    expect(ids).toEqual(
      expect.arrayContaining([`${standin.siteUrl("shop")}#site`, `${standin.url}/#use-global`]),
    );
    await project.ok(["stack", "rm", "adopt", "--yes", "--force"]);
    await project.ok(["stack", "select", "dev"]);
  }, 180_000);

  test("destroy follows onDelete: the shop goes back to the global settings, global values stay", async () => {
    traces.push(JSON.stringify(JSON.parse((await project.ok(["stack", "export"])).stdout)));
    await destroyRevertsShop(project, standin);
  }, 120_000);

  test("the marker passwords appear nowhere: stack exports, state files, generated code, CLI output", () => {
    for (const text of [...traces, project.stateFilesText(), project.log()]) {
      expect(text).not.toContain(MARKER);
      expect(text).not.toContain(SITE_PASSWORD);
    }
    expect(traces.length).toBe(3);
    expect(project.log()).toMatch(/pulumi import dnn-smtp:index:SmtpSettings/);
  });
});

const TWO_INSTALLATIONS = `name: dnn-smtp-two-installations
runtime: yaml
config:
  otherUrl:
    type: string
  otherPassword:
    type: string
resources:
  # The main installation through the default provider (stack config dnn-smtp:*), the other
  # through an explicit provider; its password is a plain string here, on purpose.
  other:
    type: pulumi:providers:dnn-smtp
    properties:
      url: \${otherUrl}
      username: root
      password: \${otherPassword}
  mainGlobal:
    type: dnn-smtp:index:SmtpSettings
    properties:
      scope: global
      server: relay.main.example.com
      connectionLimit: 2
      maxIdleTime: 100000
      messageBatchSize: 50
      precheck:
        level: none
  otherGlobal:
    type: dnn-smtp:index:SmtpSettings
    properties:
      scope: global
      server: relay.other.example.com
      connectionLimit: 3
      maxIdleTime: 100000
      messageBatchSize: 50
      precheck:
        level: none
    options:
      provider: \${other}
`;

describe.skipIf(!!skip)("explicit providers: two installations in one YAML program", () => {
  let packed: PackedPlugin;
  let main: Standin;
  let other: Standin;
  let project: YamlProject;
  let folder: string;
  const OTHER_PASSWORD = "Other-Marker-51ce";

  beforeAll(async () => {
    packed = packPlugin();
    main = await startStandin({
      quiet: true,
      generation: "g3",
      superuser: { username: "host", password: SITE_PASSWORD },
    });
    other = await startStandin({
      quiet: true,
      generation: "g1",
      superuser: { username: "root", password: OTHER_PASSWORD },
    });
    folder = mkdtempSync(join(tmpdir(), "two-installations-"));
    writeFileSync(join(folder, "Pulumi.yaml"), TWO_INSTALLATIONS);
    project = yamlProject({
      example: folder,
      bin: bin as string,
      pluginDir: packed.dir,
      passphrase: PASSPHRASE,
    });
    await project.ok(["stack", "init", "dev"]);
    await project.ok(["config", "set", "dnn-smtp:url", main.url]);
    await project.ok(["config", "set", "dnn-smtp:username", "host"]);
    await project.ok(["config", "set", "--secret", "--", "dnn-smtp:password", SITE_PASSWORD]);
    await project.ok(["config", "set", "otherUrl", other.url]);
    // Deliberately not --secret: the plugin must still store it as a secret.
    await project.ok(["config", "set", "otherPassword", OTHER_PASSWORD]);
  }, 120_000);

  afterAll(async () => {
    project?.remove();
    await main?.close();
    await other?.close();
    packed?.remove();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  test("each provider writes its own installation; the provider's password is stored as a secret", async () => {
    await project.ok(["up", "--yes", "--skip-preview"]);
    expect(main.dump().host.SMTPServer).toBe("relay.main.example.com");
    expect(other.dump().host).toMatchObject({
      SMTPServer: "relay.other.example.com",
      SMTPConnectionLimit: "3",
    });
    const state = (await project.ok(["stack", "export"])).stdout;
    // The explicit provider by its name: the default provider is in the state too, and the
    // order in which the engine saved the two is not fixed.
    const provider = JSON.parse(state).deployment.resources.find(
      (r: { type: string; urn: string }) =>
        r.type === "pulumi:providers:dnn-smtp" && r.urn.endsWith("::other"),
    );
    expect(provider.inputs.password).toMatchObject({ ciphertext: expect.any(String) });
    expect(provider.inputs.url).toBe(other.url);
    expect(state).not.toContain(OTHER_PASSWORD);
    expect(state).not.toContain(SITE_PASSWORD);
    // The backend's checkpoint file also keeps the stack's config, where this test set the
    // password in plain text on purpose; its resources must hold it encrypted only.
    const checkpoint = JSON.parse(
      readFileSync(
        join(project.stateDir, ".pulumi/stacks/dnn-smtp-two-installations/dev.json"),
        "utf8",
      ),
    );
    const resources = JSON.stringify(checkpoint.checkpoint.latest.resources);
    expect(resources).toContain("pulumi:providers:dnn-smtp");
    expect(resources).not.toContain(OTHER_PASSWORD);
    expect(resources).not.toContain(SITE_PASSWORD);
  }, 120_000);

  test("a bad provider URL fails preview, naming the setting", async () => {
    await project.ok(["config", "set", "otherUrl", "ftp://other.example.com"]);
    const preview = await project.run(["preview"]);
    expect(preview.code).not.toBe(0);
    expect(`${preview.stdout}${preview.stderr}`).toMatch(
      /property url .*has a problem: must be the site's http\(s\) URL/,
    );
    await project.ok(["config", "set", "otherUrl", other.url]);
    await project.ok(["destroy", "--yes", "--skip-preview"]);
  }, 120_000);
});
