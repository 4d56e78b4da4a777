/**
 * Multi-step writes under faults (issue 12, class 1). A global write through a site that
 * uses its own settings is five requests: read, write the host keys (DNN flips the site to
 * mode h), read again, put the site's mode back, read back. A fault at every step, and a
 * kill -9 of the stand-in in the middle, must end with either nothing written, or an error
 * that says what was written and a state record the next update completes.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, test } from "vitest";
import { clearSessions } from "../provider/dnn/client";
import * as lifecycle from "../provider/lifecycle/smtp-settings";
import type { Standin } from "../standin/server";
import { serverTest } from "./support/fixtures";

const SITE_PASSWORD = "Faults-Site-Cred-2c7e";
const ROOT_PW = "Root-Own-Pw-4b19";
const NEW_PW = "New-Relay-Pw-8d03";

type Props = Record<string, unknown>;

const running: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});

/** Gives the root site its own settings (mode p), as a person would in DNN's page. */
function rootOnOwnSettings(s: Pick<Standin, "store">): void {
  for (const [k, v] of Object.entries({
    SMTPmode: "p",
    SMTPServer: "root-own.example.com:2525",
    SMTPConnectionLimit: "2",
    SMTPMaxIdleTime: "100000",
    SMTPAuthentication: "1",
    SMTPUsername: "root-user",
    SMTPEnableSSL: "N",
  }))
    s.store.setPortalSetting(0, k, v, 1);
  s.store.setPortalEncrypted(0, "SMTPPassword", ROOT_PW, 1);
}

async function globalInputs(url: string, extra: Props = {}): Promise<Props> {
  const result = await lifecycle.check(
    {},
    {
      site: { url, username: "host", timeoutMs: 3000 },
      sitePassword: SITE_PASSWORD,
      scope: "global",
      server: "relay.example.com:587",
      authentication: "basic",
      username: "relay-user",
      password: NEW_PW,
      enableSsl: true,
      precheck: { level: "none" },
      ...extra,
    },
  );
  if (result.failures?.length) throw new Error(JSON.stringify(result.failures));
  return result.inputs as Props;
}

/** The steps of a global write through a site in mode p, as the fault to aim at each. */
const STEPS = [
  { step: "read", match: "SmtpHost/GetSmtpSettings", skip: 0, written: "nothing" },
  { step: "write host keys", match: "SmtpHost/UpdateSmtpSettings", skip: 0, written: "nothing" },
  { step: "read again", match: "SmtpHost/GetSmtpSettings", skip: 1, written: "host" },
  { step: "put the mode back", match: "SmtpAdmin/UpdateSmtpSettings", skip: 0, written: "host" },
  { step: "read back", match: "SmtpHost/GetSmtpSettings", skip: 2, written: "all" },
] as const;

describe("a fault at every step of a global write through a site with its own settings", () => {
  serverTest.for(STEPS)("fault at '$step'", async ({ match, skip, written }, { standin }) => {
    const s = await standin({ superuser: { username: "host", password: SITE_PASSWORD } });
    rootOnOwnSettings(s);
    const inputs = await globalInputs(s.url);
    const before = s.dump();
    s.faults.set({ fail500: 4, match, skip });

    const error = (await lifecycle.create(inputs).catch((e) => e)) as Error & {
      code?: string;
      id?: string;
      properties?: Props;
    };
    expect(error).toBeInstanceOf(Error);
    // The fault fired on the step it was aimed at.
    expect(s.requests.count((r) => r.fault === "fail500" && r.path.includes(match))).toBe(4);
    const after = s.dump();
    expect(JSON.stringify(after)).not.toContain('"*****"');
    expect(after.portals[0]?.SMTPPassword).toBe(ROOT_PW);

    if (written === "nothing") {
      expect(after.host).toEqual(before.host);
      expect(after.portals).toEqual(before.portals);
      expect(error.properties).toBeUndefined();
      return;
    }
    expect(after.host.SMTPServer).toBe("relay.example.com:587");
    expect(after.host.SMTPPassword).toBe(NEW_PW);
    if (written === "all") {
      // Only the read-back failed: everything is in place, the next run just writes again.
      expect(after.portals[0]?.SMTPmode).toBe("p");
      expect(error.code).toBe("DNN_HTTP_ERROR");
      return;
    }
    // Part-way: the error says what was written, and the state records the repair.
    expect(error.code).toBe("DNN_PARTIAL_WRITE");
    expect(error.message).toMatch(/global settings were saved/);
    expect(error.message).toMatch(/run `pulumi up` again/);
    expect(after.portals[0]?.SMTPmode).toBe("h");
    expect(error.id).toBe(`${(inputs.site as { url: string }).url}#global`);
    expect(error.properties?.repair).toEqual({ siteMode: "p" });
    // The state record is the resource's outputs (secret keys marked by the engine); the
    // message, which reaches logs, names no secret.
    for (const secret of [SITE_PASSWORD, NEW_PW, ROOT_PW])
      expect(error.message).not.toContain(secret);

    // The next `pulumi up`: the engine updates a resource with an initialization error.
    const olds = error.properties as Props;
    expect((await lifecycle.diff(String(error.id), olds, inputs)).changes).toBe(true);
    const { outs } = await lifecycle.update(String(error.id), olds, inputs);
    expect(outs.repair).toBeUndefined();
    expect(s.dump().portals[0]).toMatchObject({ SMTPmode: "p", SMTPPassword: ROOT_PW });
    expect(s.dump().portals[0]?.SMTPServer).toBe("root-own.example.com:2525");
  });

  serverTest(
    "a delete that restores global settings part-way is completed by the next delete",
    async ({ standin }) => {
      const s = await standin({ superuser: { username: "host", password: SITE_PASSWORD } });
      rootOnOwnSettings(s);
      const inputs = await globalInputs(s.url, { onDelete: "restore" });
      const { id, outs } = await lifecycle.create(inputs);
      s.faults.set({ fail500: 4, match: "SmtpAdmin/UpdateSmtpSettings" });
      const error = (await lifecycle.remove(id, outs).catch((e) => e)) as Error & { code?: string };
      expect(error.code).toBe("DNN_PARTIAL_WRITE");
      expect(s.dump().portals[0]?.SMTPmode).toBe("h");
      // The resource stays in the state as it was; the next destroy runs delete again.
      await lifecycle.remove(id, outs);
      expect(s.dump().portals[0]).toMatchObject({ SMTPmode: "p", SMTPPassword: ROOT_PW });
      expect(s.dump().host.SMTPPassword).not.toBe("*****");
    },
  );
});

/** The stand-in as its own process, so it can be killed with SIGKILL and started again on its data. */
class StandinProcess {
  child?: ChildProcess;
  url = "";
  readonly dataDir = mkdtempSync(join(tmpdir(), "standin-kill-"));

  async start(port = 0): Promise<void> {
    const cli = resolve(__dirname, "../dist/standin/cli.js");
    const child = spawn(
      process.execPath,
      [
        cli,
        "--port",
        String(port),
        "--data",
        this.dataDir,
        "--superuser",
        `host:${SITE_PASSWORD}`,
        "--quiet",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    this.child = child;
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    this.url = await new Promise<string>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error("stand-in did not start")), 15_000);
      lines.once("line", (line) => {
        clearTimeout(timer);
        ok(line.trim().replace(/\/$/, ""));
      });
      child.once("exit", (code) => fail(new Error(`stand-in exited ${code}`)));
    });
  }

  kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((ok) => {
      child.once("exit", () => ok());
      child.kill("SIGKILL");
    });
  }

  async admin(path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.url}/_standin/${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return res.json();
  }

  async close(): Promise<void> {
    await this.kill();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("kill -9 of the stand-in between the two writes", () => {
  test("the write fails saying what was written; the next update, on the restarted site, repairs", async () => {
    const dnn = new StandinProcess();
    running.push(dnn);
    await dnn.start();
    const port = Number(new URL(dnn.url).port);
    // The root site gets its own settings through DNN's API, as the page would save them.
    const login = (await fetch(`${dnn.url}/API/JwtAuth/mobile/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ u: "host", p: SITE_PASSWORD }),
    }).then((r) => r.json())) as { accessToken: string };
    const own = await fetch(
      `${dnn.url}/API/PersonaBar/ServerSettingsSmtpAdmin/UpdateSmtpSettings`,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${login.accessToken}`,
        },
        body: JSON.stringify({
          smtpServerMode: "p",
          smtpServer: "root-own.example.com:2525",
          smtpConnectionLimit: "2",
          smtpMaxIdleTime: "100000",
          smtpAuthentication: 1,
          smtpUsername: "root-user",
          smtpPassword: ROOT_PW,
          enableSmtpSsl: false,
        }),
      },
    );
    expect(own.status).toBe(200);

    clearSessions();
    const inputs = await globalInputs(dnn.url);
    // The fix-up request hangs; while it hangs, the process is killed.
    await dnn.admin("faults", { hang: 1, match: "SmtpAdmin/UpdateSmtpSettings" });
    const pending = lifecycle.create(inputs).catch((e) => e);
    await until("the fix-up request to arrive", async () => {
      const log = (await dnn.admin("requests")) as Array<{ path: string; fault?: string }>;
      return log.some((r) => r.fault === "hang" && r.path.includes("SmtpAdmin/UpdateSmtpSettings"));
    });
    await dnn.kill();
    const error = (await pending) as Error & { code?: string; id?: string; properties?: Props };
    expect(error.code).toBe("DNN_PARTIAL_WRITE");
    expect(error.message).toMatch(/global settings were saved/);
    expect(error.properties?.repair).toEqual({ siteMode: "p" });

    await dnn.start(port);
    const dump = (await dnn.admin("dump")) as { portals: Record<string, Record<string, string>> };
    expect(dump.portals["0"]?.SMTPmode).toBe("h");

    const { outs } = await lifecycle.update(String(error.id), error.properties as Props, inputs);
    expect(outs.repair).toBeUndefined();
    const repaired = (await dnn.admin("dump")) as {
      host: Record<string, string>;
      portals: Record<string, Record<string, string>>;
    };
    expect(repaired.portals["0"]).toMatchObject({ SMTPmode: "p", SMTPPassword: ROOT_PW });
    expect(repaired.host.SMTPPassword).toBe(NEW_PW);
  }, 60_000);
});
