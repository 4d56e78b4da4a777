/**
 * Issue 16 items 2 and 8 through the real Pulumi CLI: a misspelled key fails `pulumi
 * preview` with the key's path and the closest valid name (as examples/multi-environment
 * promises), the error code in the text, and no Node stack trace or colour codes. Nothing
 * listens at the site URL: a refusal needs no network.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createProject, type PulumiProject, pulumiSkipReason } from "./support/pulumi";

const skip = pulumiSkipReason();

const PROGRAM = `
import * as pulumi from "@pulumi/pulumi";
import { DnnMailConfiguration, type DnnMailConfigurationArgs, SmtpSettings } from "pulumi-dnn-smtp";

const config = new pulumi.Config();
if (config.get("what") === "component") {
  new DnnMailConfiguration("dev", config.requireObject<DnnMailConfigurationArgs>("mail"));
} else {
  // From JavaScript, or through a cast: nothing stops the typo at compile time.
  const args = {
    site: { url: "http://127.0.0.1:9" },
    scope: "global",
    server: "relay.example.com:587",
    connectonLimit: 4,
  } as unknown as ConstructorParameters<typeof SmtpSettings>[1];
  new SmtpSettings("mail", args);
}
`;

const MAIL = {
  installation: { url: "http://127.0.0.1:9", username: "host" },
  global: { server: "relay.example.com:587", enableSSL: true },
  sites: { main: { url: "/", server: "relay.example.com:587", usename: "shop" } },
};

/** A Node stack frame, or an ANSI colour code. */
const STACK_FRAME = /^\s+at .*:\d+:\d+\)?$/m;
const ANSI = "\u001b[";

describe.skipIf(!!skip)("a misspelled key, through the real CLI", () => {
  let project: PulumiProject;

  beforeAll(async () => {
    project = await createProject({
      name: "typo-cli",
      program: PROGRAM,
      config: { "dnn:password": { secret: "not-used" }, mail: JSON.stringify(MAIL) },
    });
  }, 120_000);

  afterAll(async () => {
    await project?.destroy();
  });

  test("in the component's stack config: preview names each path and the closest key", async () => {
    await project.ok(["config", "set", "what", "component"]);
    const result = await project.run(["preview", "--color", "never"]);
    const output = `${result.stdout}${result.stderr}`;
    expect(result.code, output).not.toBe(0);
    expect(output).toContain("[INVALID_SETTINGS] DnnMailConfiguration:");
    expect(output).toMatch(/global\.enableSSL: .*did you mean enableSsl\?/);
    expect(output).toMatch(/sites\.main\.usename: .*did you mean username\?/);
    expect(output).not.toMatch(STACK_FRAME);
    expect(output).not.toContain(ANSI);
    expect(output).not.toContain("not-used");
  }, 300_000);

  test("from JavaScript: check refuses connectonLimit, naming connectionLimit", async () => {
    await project.ok(["config", "set", "what", "resource"]);
    const result = await project.run(["preview", "--color", "never"]);
    const output = `${result.stdout}${result.stderr}`;
    expect(result.code, output).not.toBe(0);
    expect(output).toMatch(
      /property connectonLimit value .* has a problem: is not an argument of SmtpSettings.*did you mean connectionLimit\?/,
    );
    expect(output).not.toMatch(STACK_FRAME);
  }, 300_000);
});
