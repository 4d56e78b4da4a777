/**
 * The CLI's DNN request counts at 200 sites (issue 14, item 3), asserted with the real
 * Pulumi CLI, the real dynamic-provider plugin and the stand-in's request log: a preview or
 * an up with nothing changed sends no request to DNN; a refresh sends one GET per resource
 * and one login per site. bench/cli.ts times the same commands (the growth table of
 * BENCHMARKS.md); timings are never asserted. Takes one to two minutes (five CLI commands on
 * 200 resources).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type RequestLogEntry, type Standin, startStandin } from "../standin/server";
import { examplesInstalled } from "./support/plugin";
import { createProject, type PulumiProject, pulumiSkipReason } from "./support/pulumi";

const N = 200;
const SITE_USER = "host";
const SITE_PASSWORD = "Counts-Site-Pa55";
const LOGIN = "/API/JwtAuth/mobile/login";

// One SmtpSettings per site, as bench/cli.ts declares them.
const PROGRAM = `
import { SmtpSettings } from "pulumi-dnn-smtp";
const base = process.env.COUNTS_DNN_URL ?? "";
for (let i = 1; i <= ${N}; i++) {
  new SmtpSettings(\`site\${i}\`, {
    site: { url: \`\${base}/site\${i}\` },
    scope: "site",
    server: "relay0.example.com:587",
    authentication: "basic",
    username: "mailer@example.com",
    password: "Counts-Relay-Pa55",
    enableSsl: true,
    precheck: { level: "none" },
  });
}
`;

const skip = !examplesInstalled() || pulumiSkipReason() !== undefined;

describe.skipIf(skip)(`DNN requests of CLI commands on ${N} sites`, () => {
  let standin: Standin;
  let project: PulumiProject;

  /** What the stand-in saw during one command, by kind. */
  async function requestsOf(args: string[]): Promise<{
    logins: number;
    gets: number;
    other: number;
    stdout: string;
  }> {
    standin.requests.clear();
    const { stdout } = await project.ok(args);
    const seen: RequestLogEntry[] = standin.requests.list();
    const logins = seen.filter((r) => r.path.includes(LOGIN)).length;
    const gets = seen.filter((r) => r.method === "GET").length;
    return { logins, gets, other: seen.length - logins - gets, stdout };
  }

  const unchanged = (stdout: string) => Number(/\b(\d+) unchanged\b/.exec(stdout)?.[1] ?? 0);

  beforeAll(async () => {
    standin = await startStandin({
      quiet: true,
      extraSites: N,
      superuser: { username: SITE_USER, password: SITE_PASSWORD },
    });
    project = await createProject({
      name: "request-counts",
      program: PROGRAM,
      config: { "dnn:username": SITE_USER, "dnn:password": { secret: SITE_PASSWORD } },
      env: { COUNTS_DNN_URL: standin.url },
    });
    // Create: one login per site, then GET, POST and read-back GET per resource.
    const created = await requestsOf(["up", "--yes", "--skip-preview"]);
    expect(created).toMatchObject({ logins: N, gets: 2 * N, other: N });
  }, 600_000);

  afterAll(async () => {
    await project?.destroy();
    await standin?.close();
  });

  test("a preview with nothing changed sends no request", async () => {
    const seen = await requestsOf(["preview"]);
    expect(unchanged(seen.stdout)).toBeGreaterThanOrEqual(N);
    expect(seen).toMatchObject({ logins: 0, gets: 0, other: 0 });
  }, 300_000);

  test("an up with nothing changed sends no request", async () => {
    const seen = await requestsOf(["up", "--yes", "--skip-preview"]);
    expect(unchanged(seen.stdout)).toBeGreaterThanOrEqual(N);
    expect(seen).toMatchObject({ logins: 0, gets: 0, other: 0 });
  }, 300_000);

  test("a refresh sends one GET per resource and one login per site", async () => {
    const seen = await requestsOf(["refresh", "--yes", "--skip-preview"]);
    expect(unchanged(seen.stdout)).toBeGreaterThanOrEqual(N);
    expect(seen).toMatchObject({ logins: N, gets: N, other: 0 });
  }, 300_000);
});
