/**
 * examples/multi-environment with the real Pulumi CLI: the example's program and its three
 * stack files (secrets encrypted with the example's passphrase) applied to three stand-ins,
 * one per environment and each speaking another DNN API generation, with a real STARTTLS
 * relay behind the prechecks. Only what points at real hosts is rewritten: `dnn:url` and
 * the relay servers. Then: a second `up` on each changes nothing; a pull request's change
 * (the dev shop back on the global settings) shows in `preview --diff` and applies.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Standin, startStandin } from "../standin/server";
import { jwtLogin, smtpApi, updateRequest } from "../standin/testing";
import { testCerts } from "./support/certs";
import { EXAMPLES_DIR } from "./support/plugin";
import { createProject, type PulumiProject, pulumiSkipReason } from "./support/pulumi";
import { startSmtpServer, type TestSmtpServer } from "./support/smtp";

const EXAMPLE = join(EXAMPLES_DIR, "multi-environment");
/** Published in the example's README: the stack files' secrets are encrypted with it. */
const EXAMPLE_PASSPHRASE = "dnn-smtp-example-passphrase";
const STACKS = ["dev", "staging", "prod"] as const;
type Stack = (typeof STACKS)[number];
const GENERATIONS = { dev: "g3", staging: "g2", prod: "g1" } as const;
const DNN_USER = "pulumi-ci";
const dnnPassword = (stack: Stack) => `${stack}-Dnn-Password-9`;

interface SiteConfig {
  url: string;
  use?: string;
  server?: string;
  username?: string;
  password?: string;
}
interface MailConfig {
  global: { server: string; username: string; password: string };
  sites: Record<string, SiteConfig>;
}

describe("examples/multi-environment's CI workflow", () => {
  const fromExamples = createRequire(join(EXAMPLES_DIR, "package.json"));
  const yamlInstalled = existsSync(join(EXAMPLES_DIR, "node_modules/js-yaml"));
  if (!yamlInstalled && process.env.CI === "true")
    throw new Error("examples/node_modules is missing: run the README's test command");

  test.skipIf(!yamlInstalled)(
    "previews with a PR comment on pull requests, applies on merge, per environment, with secrets from the store",
    () => {
      const yaml = fromExamples("js-yaml");
      const text = readFileSync(join(EXAMPLE, ".github/workflows/dnn-smtp.yml"), "utf8");
      // biome-ignore lint/suspicious/noExplicitAny: a parsed YAML document
      const workflow: any = yaml.load(text);
      expect(Object.keys(workflow.on)).toEqual(["pull_request", "push"]);
      expect(workflow.on.push.branches).toEqual(["main"]);
      expect(workflow.permissions["pull-requests"]).toBe("write");

      // GitHub expressions, `${{ ... }}` (spelled with "$" + "{{": not JavaScript templates).
      const gh = (expression: string) => `$\{{ ${expression} }}`;
      const { preview, up } = workflow.jobs;
      for (const job of [preview, up]) {
        expect(job.strategy.matrix.stack).toEqual([...STACKS]);
        expect(job.environment).toBe(gh("matrix.stack"));
        const step = job.steps.find((s: { uses?: string }) => s.uses?.startsWith("pulumi/"));
        expect(step.uses).toBe("pulumi/actions@v6");
        expect(step.with["stack-name"]).toBe(gh("matrix.stack"));
        expect(step.with["work-dir"]).toBe(gh("env.WORK_DIR"));
        expect(step.with.policyPacks).toBe(gh("env.POLICY_PACK"));
        // Every credential comes from the secret store.
        for (const [name, value] of Object.entries(step.env))
          expect(value, name).toBe(gh(`secrets.${name}`));
        expect(Object.keys(step.env)).toContain("DNN_PASSWORD");
      }
      expect(preview.if).toBe("github.event_name == 'pull_request'");
      const previewStep = preview.steps.at(-1);
      expect(previewStep.with).toMatchObject({
        command: "preview",
        diff: true,
        "comment-on-pr": true,
      });
      expect(up.if).toContain("github.event_name == 'push'");
      expect(up.steps.at(-1).with.command).toBe("up");
      expect(up.strategy["max-parallel"]).toBe(1);
      expect(workflow.env.WORK_DIR).toBe("examples/multi-environment");
      expect(existsSync(join(EXAMPLES_DIR, "..", workflow.env.NPM_DIR, "package.json"))).toBe(true);
      // The policy pack path is where the package ships it.
      expect(workflow.env.POLICY_PACK).toBe("examples/node_modules/pulumi-dnn-smtp/policy-pack");
      expect(text).not.toMatch(/PASSWORD:\s*[^$\s]/);
    },
  );
});

const skip = pulumiSkipReason();

describe.skipIf(skip)("examples/multi-environment with the Pulumi CLI", () => {
  const standins = {} as Record<Stack, Standin>;
  const mail = {} as Record<Stack, MailConfig>;
  let relay: TestSmtpServer;
  let project: PulumiProject;
  let scratch: string;

  const pulumi = (stack: Stack, args: string[]) =>
    project.ok([...args, "--stack", stack], { DNN_PASSWORD: dnnPassword(stack) });

  beforeAll(async () => {
    const certs = testCerts();
    scratch = mkdtempSync(join(tmpdir(), "multi-env-"));
    const caFile = join(scratch, "ca.pem");
    writeFileSync(caFile, certs.ca);

    project = await createProject({
      name: "dnn-smtp-environments",
      program: readFileSync(join(EXAMPLE, "index.ts"), "utf8"),
      // The relays' private CA is trusted the way an operator would: NODE_EXTRA_CA_CERTS.
      // Types are checked by `tsc -p examples`; here ts-node only transpiles (seconds per run).
      env: {
        PULUMI_CONFIG_PASSPHRASE: EXAMPLE_PASSPHRASE,
        NODE_EXTRA_CA_CERTS: caFile,
        PULUMI_NODEJS_TRANSPILE_ONLY: "true",
      },
    });
    for (const file of ["Pulumi.yaml", ...STACKS.map((s) => `Pulumi.${s}.yaml`)])
      writeFileSync(join(project.dir, file), readFileSync(join(EXAMPLE, file)));
    for (const stack of ["staging", "prod"]) await project.ok(["stack", "init", stack]);

    // The committed secrets decrypt with the published passphrase.
    for (const stack of STACKS) {
      const shown = JSON.parse(
        (await pulumi(stack, ["config", "--show-secrets", "--json"])).stdout,
      );
      mail[stack] = shown["dnn-smtp-environments:mail"].objectValue;
    }
    const users: Record<string, string> = {};
    for (const stack of STACKS) {
      const m = mail[stack];
      users[m.global.username] = m.global.password;
      for (const site of Object.values(m.sites))
        if (site.username && site.password) users[site.username] = site.password;
    }
    relay = await startSmtpServer({ tls: "starttls", users, allowInsecureAuth: false });

    for (const stack of STACKS) {
      standins[stack] = await startStandin({
        port: 0,
        generation: GENERATIONS[stack],
        superuser: { username: DNN_USER, password: dnnPassword(stack) },
        quiet: true,
      });
      const relayAddress = `127.0.0.1:${relay.port}`;
      await pulumi(stack, ["config", "set", "dnn:url", standins[stack].url]);
      await pulumi(stack, ["config", "set", "--path", "mail.global.server", relayAddress]);
      for (const [key, site] of Object.entries(mail[stack].sites))
        if (site.use !== "global")
          await pulumi(stack, [
            "config",
            "set",
            "--path",
            `mail.sites.${key}.server`,
            relayAddress,
          ]);
    }

    // prod is an installation in use: the shop already sends through an old relay of its own.
    const prod = standins.prod;
    const { accessToken } = await jwtLogin(prod, DNN_USER, dnnPassword("prod"));
    const seeded = await smtpApi(prod, {
      alias: "shop",
      action: "UpdateSmtpSettings",
      token: accessToken,
      body: updateRequest({
        smtpServerMode: "p",
        smtpServer: "old-relay.example.com",
        smtpAuthentication: 0,
        smtpUsername: "",
        smtpPassword: "",
        enableSmtpSsl: false,
      }),
    });
    expect(seeded.status).toBe(200);
  }, 180_000);

  afterAll(async () => {
    for (const s of Object.values(standins)) await s.close();
    await relay?.close();
    await project?.destroy();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  test("every stack file keeps its relay passwords encrypted", () => {
    for (const stack of STACKS) {
      const text = readFileSync(join(EXAMPLE, `Pulumi.${stack}.yaml`), "utf8");
      expect(text).toMatch(/^encryptionsalt: v1:/m);
      for (const m of text.matchAll(/^(\s*)password:(.*)$/gm)) expect(m[2]?.trim()).toBe("");
      expect(text.match(/password:\n\s+secure: v1:/g)?.length).toBeGreaterThan(0);
      for (const secret of Object.values(mail[stack].sites).map((s) => s.password))
        if (secret) expect(text).not.toContain(secret);
      expect(text).not.toContain(mail[stack].global.password);
    }
  });

  test("pulumi up applies each environment to its own DNN", async () => {
    // The three environments are independent: apply them side by side.
    await Promise.all(STACKS.map((stack) => pulumi(stack, ["up", "--yes", "--skip-preview"])));

    for (const stack of STACKS) {
      const dump = standins[stack].dump();
      const m = mail[stack];
      expect(dump.host).toMatchObject({
        SMTPServer: `127.0.0.1:${relay.port}`,
        SMTPUsername: m.global.username,
        SMTPPassword: m.global.password,
        SMTPEnableSSL: "Y",
      });
      const shop = m.sites.shop as SiteConfig;
      const shopSettings = dump.portals[1] ?? {};
      if (shop.use === "global") {
        expect(shopSettings.SMTPmode ?? "h").toBe("h");
      } else {
        expect(shopSettings).toMatchObject({
          SMTPmode: "p",
          SMTPServer: `127.0.0.1:${relay.port}`,
          SMTPUsername: shop.username,
          SMTPPassword: shop.password,
        });
      }
      // The root site was declared `use: global` and is left on the global settings.
      expect(dump.portals[0]?.SMTPmode ?? "h").toBe("h");
    }
    // prod's settings were set at 8 connections / batch 100 by its stack file.
    expect(standins.prod.dump().host).toMatchObject({
      SMTPConnectionLimit: "8",
      MessageSchedulerBatchSize: "100",
    });
    // Every relay login was proven before DNN was written.
    expect(relay.logins()).toBeGreaterThanOrEqual(5);
  }, 120_000);

  test("a second pulumi up on each stack changes nothing", async () => {
    const writes = (stack: Stack) =>
      standins[stack].requests.count(
        (e) => e.method === "POST" && e.path.includes("UpdateSmtpSettings"),
      );
    const before = STACKS.map(writes);
    const results = await Promise.all(
      STACKS.map((stack) =>
        pulumi(stack, ["up", "--yes", "--expect-no-changes", "--skip-preview"]),
      ),
    );
    for (const result of results) {
      expect(result.stdout).not.toMatch(
        /\d+ to (update|create|delete)|\d+ (updated|created|deleted)/,
      );
      expect(result.stdout).toMatch(/\d+ unchanged/);
    }
    expect(STACKS.map(writes)).toEqual(before);
  }, 120_000);

  test("a pull request moving the dev shop to the global settings previews and applies", async () => {
    // The change a pull request makes to Pulumi.dev.yaml: `shop: { url: /shop, use: global }`.
    await pulumi("dev", ["config", "rm", "--path", "mail.sites.shop"]);
    await pulumi("dev", ["config", "set", "--path", "mail.sites.shop.url", "/shop"]);
    await pulumi("dev", ["config", "set", "--path", "mail.sites.shop.use", "global"]);

    const preview = await pulumi("dev", ["preview", "--diff"]);
    expect(preview.stdout).toMatch(
      /- pulumi-nodejs:dynamic\/dnn:SmtpSettings: \(delete\)[^\]]*\][^\]]*::dev-shop\]/,
    );
    // The column width follows the longest key shown.
    expect(preview.stdout).toMatch(/onDelete\s+: "revert"/);
    expect(preview.stdout).toContain("1 to delete");
    // ...and a resource that holds the site on the global settings from now on.
    expect(preview.stdout).toMatch(
      /\+ pulumi-nodejs:dynamic\/dnn:UseGlobalSmtpSettings: \(create\)/,
    );
    expect(preview.stdout).toContain("1 to create");
    expect(standins.dev.dump().portals[1]?.SMTPmode).toBe("p");

    await pulumi("dev", ["up", "--yes", "--skip-preview"]);
    // Deleting the site's resource reverted the site to the global settings.
    expect(standins.dev.dump().portals[1]?.SMTPmode).toBe("h");
    const outputs = JSON.parse((await pulumi("dev", ["stack", "output", "--json"])).stdout);
    expect(outputs.sitesOnGlobal).toEqual(["main", "shop"]);
  }, 120_000);

  test("a site declared use: global and given its own settings by hand is put back", async () => {
    standins.dev.store.setPortalSetting(0, "SMTPServer", "by-hand.example.com", 1);
    standins.dev.store.setPortalSetting(0, "SMTPmode", "p", 1);
    const preview = await pulumi("dev", ["preview", "--refresh", "--diff"]);
    expect(preview.stdout).toMatch(
      /~ pulumi-nodejs:dynamic\/dnn:UseGlobalSmtpSettings: \(update\)[^\]]*\][^\]]*::dev-main\]/,
    );
    await pulumi("dev", ["up", "--yes", "--skip-preview", "--refresh"]);
    expect(standins.dev.dump().portals[0]).toMatchObject({
      SMTPmode: "h",
      SMTPServer: "by-hand.example.com",
    });
  }, 120_000);

  test("the relay passwords never reach the state or the logs in clear text", () => {
    const state = project.stateFilesText();
    const log = project.log();
    for (const stack of STACKS) {
      for (const secret of [
        mail[stack].global.password,
        ...Object.values(mail[stack].sites).map((s) => s.password),
        dnnPassword(stack),
      ]) {
        if (!secret) continue;
        expect(state).not.toContain(secret);
        // `config --show-secrets` printed them on purpose; nothing else did.
        expect(log.split(secret).length - 1).toBeLessThanOrEqual(
          log.split("--show-secrets").length - 1,
        );
      }
    }
  });
});
