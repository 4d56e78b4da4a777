/**
 * The CLI steps the plugin suites share: examples/yaml (test/plugin-cli.test.ts) and
 * examples/sdk-typescript (test/sdk-typescript.test.ts) declare the same resources (the
 * global settings, the shop's own settings on a relay with a login, the root site on the
 * global ones), so preview, up, a no-op up, refresh and destroy must look the same through
 * either. Each step makes its assertions and returns the CLI's result for the suite's own.
 */
import { expect } from "vitest";
import type { Standin } from "../../standin/server";
import type { TestSmtpServer } from "./smtp";

/** A YamlProject or a PulumiProject: what the steps run. */
export interface CliProject {
  ok(args: readonly string[]): Promise<{ readonly stdout: string }>;
}

/** The settings writes the stand-in has answered. */
export const writes = (s: Standin) =>
  s.requests.count((r) => r.method === "POST" && r.path.includes("UpdateSmtpSettings"));

/** The property lines of a `--diff` output that say a value changes (`~ name: ...`). */
export const changedLines = (out: string) => out.match(/^\s*~ \w+\s*:.*$/gm) ?? [];

/** `preview --diff` lists the creates, the password as [secret], and writes nothing. */
export async function previewCreates(project: CliProject, standin: Standin) {
  const preview = await project.ok(["preview", "--diff"]);
  expect(preview.stdout).toMatch(/\+ 4 to create/);
  expect(preview.stdout).toMatch(/\+ dnn-smtp:index:SmtpSettings: \(create\)/);
  expect(preview.stdout).toMatch(/\+ dnn-smtp:index:UseGlobalSmtpSettings: \(create\)/);
  expect(preview.stdout).toMatch(/^\s+password\s*: \[secret\]$/m);
  expect(writes(standin)).toBe(0);
  return preview;
}

/** `up` proves the shop's relay login (`relayPassword`) and writes the global and shop rows. */
export async function upCreates(
  project: CliProject,
  standin: Standin,
  relay: TestSmtpServer,
  relayPassword: string,
) {
  const up = await project.ok(["up", "--yes", "--skip-preview"]);
  expect(up.stdout).toMatch(/\+ 4 created/);
  expect(up.stdout).toMatch(/shopPrecheck\s*: ".*auth/i);
  expect(relay.sessions()).toBeGreaterThan(0);
  const dump = standin.dump();
  expect(dump.host).toMatchObject({
    SMTPServer: "relay.example.com:587",
    SMTPConnectionLimit: "4",
  });
  expect(dump.portals[1]).toMatchObject({
    SMTPmode: "p",
    SMTPServer: `127.0.0.1:${relay.port}`,
    SMTPUsername: "shop@example.com",
    SMTPPassword: relayPassword,
  });
  return up;
}

/** A second `up` changes nothing and writes nothing. */
export async function upChangesNothing(project: CliProject, standin: Standin) {
  standin.requests.clear();
  const up = await project.ok(["up", "--yes", "--skip-preview", "--expect-no-changes"]);
  expect(up.stdout).toMatch(/4 unchanged/);
  expect(writes(standin)).toBe(0);
  return up;
}

/**
 * The shop's server changed by hand: `refresh` reports it, `preview` shows that one field,
 * `up` puts the relay back.
 */
export async function refreshRepairsServer(
  project: CliProject,
  standin: Standin,
  relay: TestSmtpServer,
) {
  standin.store.setPortalSetting(1, "SMTPServer", "by-hand.example.com", 1);
  const refresh = await project.ok(["refresh", "--yes", "--skip-preview", "--diff"]);
  expect(refresh.stdout).toMatch(/server\s*: "127\.0\.0\.1:\d+" => "by-hand\.example\.com"/);
  const preview = await project.ok(["preview", "--diff"]);
  expect(changedLines(preview.stdout)).toEqual([
    expect.stringMatching(/~ server\s*: "by-hand\.example\.com" => "127\.0\.0\.1:\d+"/),
  ]);
  await project.ok(["up", "--yes", "--skip-preview"]);
  expect(standin.dump().portals[1]?.SMTPServer).toBe(`127.0.0.1:${relay.port}`);
}

/** `destroy` follows onDelete: the shop goes back to the global settings, global values stay. */
export async function destroyRevertsShop(project: CliProject, standin: Standin) {
  await project.ok(["destroy", "--yes", "--skip-preview"]);
  const dump = standin.dump();
  expect(dump.portals[1]?.SMTPmode).toBe("h");
  expect(dump.host.SMTPServer).toBe("relay.example.com:587");
}
