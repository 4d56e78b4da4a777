/**
 * examples/yaml-multi-environment: the committed stack files (secrets encrypted with the
 * example's passphrase) previewed with the real CLI and the dnn-smtp plugin against the
 * stand-in, dev applied with its relay logins proven by a real SMTP server (STARTTLS, a
 * private CA trusted through NODE_EXTRA_CA_CERTS) and applied again without changes; and the
 * CI workflow's structure. Only what points at real hosts is rewritten: the installation URL,
 * the shop URL and the relay addresses.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Standin, startStandin } from "../standin/server";
import { testCerts } from "./support/certs";
import {
  type PackedPlugin,
  packPlugin,
  type YamlProject,
  yamlCliBinDir,
  yamlProject,
} from "./support/plugin-face";
import { pulumiBinDir } from "./support/pulumi";
import { startSmtpServer, type TestSmtpServer } from "./support/smtp";

const EXAMPLE = join(__dirname, "../examples/yaml-multi-environment");
const EXAMPLE_PASSPHRASE = "dnn-smtp-example-passphrase";
const STACKS = ["dev", "staging", "prod"] as const;
const DNN_PASSWORD = "Dnn-Ci-Pw-6b1f";
const NS = "dnn-smtp-yaml-environments";

const bin = yamlCliBinDir(pulumiBinDir());
const skip = bin
  ? undefined
  : "the Pulumi CLI with pulumi-language-yaml is not available (scripts/pulumi-cli.sh builds both)";
if (skip && process.env.CI === "true") throw new Error(`CI=true and ${skip}`);
if (skip) console.warn(`skipped: ${skip}`);

describe("examples/yaml-multi-environment's CI workflow", () => {
  test("previews with a PR comment, applies on merge one stack after the other, installs the plugin", () => {
    const yaml = require("js-yaml");
    // biome-ignore lint/suspicious/noExplicitAny: a parsed YAML document
    const workflow: any = yaml.load(
      readFileSync(join(EXAMPLE, ".github/workflows/dnn-smtp-yaml.yml"), "utf8"),
    );
    expect(Object.keys(workflow.on)).toEqual(["pull_request", "push"]);
    const { preview, up } = workflow.jobs;
    expect(preview.strategy.matrix.stack).toEqual([...STACKS]);
    expect(up.strategy).toMatchObject({ "max-parallel": 1, "fail-fast": true });
    for (const job of [preview, up]) {
      const run = job.steps.map((s: { run?: string }) => s.run ?? "").join("\n");
      expect(run).toMatch(/pulumi plugin install resource dnn-smtp "\$DNN_SMTP_VERSION" --server/);
      const action = job.steps.at(-1);
      expect(action.uses).toBe("pulumi/actions@v6");
      expect(action.with).toMatchObject({ diff: true, refresh: true });
      expect(Object.keys(action.env)).toEqual(
        expect.arrayContaining(["DNN_PASSWORD", "PULUMI_CONFIG_PASSPHRASE"]),
      );
    }
    expect(preview.steps.at(-1).with).toMatchObject({ command: "preview", "comment-on-pr": true });
    expect(up.steps.at(-1).with.command).toBe("up");
    expect(workflow.env.DNN_SMTP_SERVER).toMatch(/^github:\/\/api\.github\.com\//);
  });
});

describe.skipIf(!!skip)("examples/yaml-multi-environment with the real CLI", () => {
  let packed: PackedPlugin;
  let standin: Standin;
  let relay: TestSmtpServer;
  let project: YamlProject;
  let scratch: string;
  const secrets: Record<string, Record<string, string>> = {};
  let env: Record<string, string>;
  /** Where the log starts to matter: before it, the test itself showed the secrets. */
  let logFrom = 0;

  const pulumi = (stack: string, args: string[]) => project.ok([...args, "--stack", stack], env);

  beforeAll(async () => {
    packed = packPlugin();
    scratch = mkdtempSync(join(tmpdir(), "yaml-multi-env-"));
    const caFile = join(scratch, "ca.pem");
    writeFileSync(caFile, testCerts().ca);
    env = { DNN_PASSWORD, NODE_EXTRA_CA_CERTS: caFile };
    project = yamlProject({
      example: EXAMPLE,
      bin: bin as string,
      pluginDir: packed.dir,
      passphrase: EXAMPLE_PASSPHRASE,
    });
    for (const stack of STACKS) {
      await project.ok(["stack", "init", stack]);
      // The committed secrets decrypt with the published passphrase.
      const shown = JSON.parse(
        (await pulumi(stack, ["config", "--show-secrets", "--json"])).stdout,
      );
      secrets[stack] = Object.fromEntries(
        Object.entries<{ value: string }>(shown).map(([k, v]) => [
          k.replace(`${NS}:`, ""),
          v.value,
        ]),
      );
    }
    logFrom = project.log().length;
    const users: Record<string, string> = {};
    for (const s of Object.values(secrets)) {
      users[s.relayUsername as string] = s.relayPassword as string;
      users[s.shopUsername as string] = s.shopPassword as string;
    }
    relay = await startSmtpServer({ tls: "starttls", users, allowInsecureAuth: false });
    standin = await startStandin({
      quiet: true,
      generation: "g3",
      superuser: { username: "pulumi-ci", password: DNN_PASSWORD },
    });
    for (const stack of STACKS) {
      await pulumi(stack, ["config", "set", "dnn-smtp:url", standin.url]);
      await pulumi(stack, ["config", "set", "shopUrl", standin.siteUrl("shop")]);
      await pulumi(stack, ["config", "set", "relayServer", `127.0.0.1:${relay.port}`]);
      await pulumi(stack, ["config", "set", "shopServer", `127.0.0.1:${relay.port}`]);
    }
  }, 180_000);

  afterAll(async () => {
    project?.remove();
    await relay?.close();
    await standin?.close();
    packed?.remove();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  test("every stack file keeps its passwords encrypted", () => {
    for (const stack of STACKS) {
      const text = readFileSync(join(EXAMPLE, `Pulumi.${stack}.yaml`), "utf8");
      expect(text).toMatch(/^encryptionsalt: v1:/m);
      expect(text.match(/Password:\n\s+secure: v1:/g)).toHaveLength(2);
      expect(text).not.toContain(secrets[stack]?.relayPassword);
      expect(text).not.toContain(secrets[stack]?.shopPassword);
      expect(text).not.toContain(DNN_PASSWORD);
    }
  });

  test("every stack previews its three resources, and nothing is written", async () => {
    for (const stack of STACKS) {
      const preview = await pulumi(stack, ["preview", "--diff"]);
      expect(preview.stdout, stack).toMatch(/\+ 4 to create/);
      expect(preview.stdout, stack).toMatch(/^\s+password\s*: \[secret\]$/m);
    }
    expect(standin.requests.count((r) => r.path.includes("UpdateSmtpSettings"))).toBe(0);
  }, 180_000);

  test("dev applies with its relay logins proven, then a second up changes nothing", async () => {
    const sessions = relay.sessions();
    const up = await pulumi("dev", ["up", "--yes", "--skip-preview"]);
    expect(up.stdout).toMatch(/\+ 4 created/);
    expect(relay.sessions()).toBeGreaterThanOrEqual(sessions + 2);
    const dump = standin.dump();
    expect(dump.host).toMatchObject({
      SMTPServer: `127.0.0.1:${relay.port}`,
      SMTPUsername: "dnn-dev@example.com",
      SMTPPassword: secrets.dev?.relayPassword,
      SMTPEnableSSL: "Y",
      HostEmail: "dnn-dev@example.com",
    });
    expect(dump.portals[1]).toMatchObject({
      SMTPmode: "p",
      SMTPUsername: "shop-dev@example.com",
      SMTPPassword: secrets.dev?.shopPassword,
    });
    const again = await pulumi("dev", ["up", "--yes", "--skip-preview", "--expect-no-changes"]);
    expect(again.stdout).toMatch(/4 unchanged/);
    const log = project.log().slice(logFrom) + project.stateFilesText();
    expect(log).toContain("pulumi up");
    for (const s of Object.values(secrets)) {
      expect(log).not.toContain(s.relayPassword);
      expect(log).not.toContain(s.shopPassword);
    }
    expect(log).not.toContain(DNN_PASSWORD);
  }, 180_000);
});
