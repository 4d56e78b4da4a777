/**
 * `dnn-standin` for a person: --help, the new flags, --relay-ca end to end (a relay whose
 * certificate comes from a private CA), and the Node version check before node:sqlite.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { SMTPServer } from "smtp-server";
import ts from "typescript";
import { afterEach, describe, expect, it } from "vitest";
import { testCerts } from "../test/support/certs";
import { nodeVersionProblem, parseCliArgs, USAGE } from "./args.js";
import { call } from "./testing.js";

const certs = testCerts();
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});

// Runs the TypeScript source with Node's type stripping; the resolve hook maps "./x.js" to
// "./x.ts" (what tsc does for dist/standin/cli.js). `noSqlite` also makes node:sqlite
// unknown, as on a Node without it.
function hook(noSqlite: boolean): string {
  const sqlite = noSqlite
    ? 'if(s==="node:sqlite"){const e=new Error("No such built-in module: node:sqlite");e.code="ERR_UNKNOWN_BUILTIN_MODULE";throw e}'
    : "";
  return (
    'data:text/javascript,import{registerHooks}from"node:module";registerHooks({resolve(s,c,n){' +
    sqlite +
    'try{return n(s,c)}catch(e){if(s.startsWith(".")&&s.endsWith(".js"))return n(s.slice(0,-3)+".ts",c);throw e}}})'
  );
}

function runCli(args: string[], noSqlite = false): ChildProcess {
  const child = spawn(
    process.execPath,
    [
      "--no-warnings",
      "--experimental-strip-types",
      "--import",
      hook(noSqlite),
      "standin/cli.ts",
      ...args,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  cleanup.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  });
  return child;
}

async function finish(
  child: ChildProcess,
): Promise<{ code: number | null; out: string; err: string }> {
  let out = "";
  let err = "";
  child.stdout?.on("data", (d) => {
    out += String(d);
  });
  child.stderr?.on("data", (d) => {
    err += String(d);
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { code, out, err };
}

async function firstLine(child: ChildProcess): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no URL within 15 s")), 15_000);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once("line", (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    child.once("exit", (c) => reject(new Error(`exited ${c}`)));
  });
}

describe("dnn-standin --help", () => {
  it("prints every option, the default login, the sites and the page", async () => {
    const { code, out } = await finish(runCli(["--help"]));
    expect(code).toBe(0);
    for (const flag of [
      "--port",
      "--dnn-version",
      "--generation",
      "--data",
      "--superuser",
      "--admin ",
      "--admin-role-name",
      "--jwt ",
      "--jwt-force-ssl",
      "--api-tokens",
      "--relay-ca",
      "--extra-sites",
      "--quiet",
      "--help",
    ]) {
      expect(out).toContain(flag);
    }
    expect(out).toMatch(/default login host \/ dnnhost/);
    expect(out).toMatch(/administrator of the ROOT site \(\/\) only/);
    expect(out).toMatch(/\/shop\s+portal 1 "Shop"/);
    expect(out).toMatch(/The page at \/ /);
    expect(out).toContain("9.2, 9.4, 9.9, 9.11, 9.12, 9.13, 10.2");
    expect(out.trim()).toBe(USAGE.trim());
  });

  it("a bad flag value: exit 2 with the reason and the usage", async () => {
    const { code, err } = await finish(runCli(["--dnn-version", "9.1"]));
    expect(code).toBe(2);
    expect(err).toMatch(/unknown DNN version "9\.1".*modelled and tested: 9\.2/s);
    expect(err).toContain("--relay-ca FILE");
  });
});

describe("argument parsing", () => {
  it("maps the new flags to options", () => {
    expect(
      parseCliArgs([
        "--dnn-version",
        "9.11.1",
        "--admin-role-name",
        "Site Admins",
        "--jwt-force-ssl",
        "--extra-sites",
        "3",
      ]).options,
    ).toMatchObject({
      dnnVersion: "9.11.1",
      adminRoleName: "Site Admins",
      jwtForceSsl: true,
      extraSites: 3,
    });
    // Neither flag: the old default (g3 = 10.2); --generation still works.
    expect(parseCliArgs([]).options.generation).toBe("g3");
    expect(parseCliArgs(["--generation", "g2"]).options).toMatchObject({ generation: "g2" });
    expect(parseCliArgs(["--dnn-version", "9.2"]).options.generation).toBeUndefined();
    expect(parseCliArgs(["--help"]).help).toBe(true);
  });

  it("rejects what it cannot use", () => {
    expect(() => parseCliArgs(["--dnn-version", "11.0"])).toThrow(/modelled/);
    expect(() => parseCliArgs(["--generation", "g9"])).toThrow(/g1, g2 or g3/);
    expect(() => parseCliArgs(["--admin-role-name", " "])).toThrow(/empty/);
    expect(() => parseCliArgs(["--relay-ca", join(tmpdir(), "no-such-ca.pem")])).toThrow(
      /--relay-ca .*no-such-ca\.pem/,
    );
    const notPem = join(tmpdir(), `standin-not-pem-${process.pid}.txt`);
    writeFileSync(notPem, "hello");
    expect(() => parseCliArgs(["--relay-ca", notPem])).toThrow(/no PEM certificate/);
  });

  it("--relay-ca FILE becomes the CA of the stand-in's own SMTP connections", () => {
    const { options } = parseCliArgs(["--relay-ca", certs.caFile]);
    expect(String(options.smtpTls?.ca)).toBe(certs.ca);
  });
});

describe("Node version", () => {
  it("Node < 22 gets a sentence, not a crash", () => {
    expect(nodeVersionProblem("20.11.1")).toBe(
      "dnn-standin needs Node.js 22 or later (it uses node:sqlite); this is Node v20.11.1",
    );
    expect(nodeVersionProblem("v18.19.0")).toMatch(/this is Node v18\.19\.0$/);
    expect(nodeVersionProblem("22.13.0")).toBeUndefined();
    expect(nodeVersionProblem("24.1.0")).toBeUndefined();
  });

  // A Node older than 22 on this machine (e.g. the system's /usr/bin/node), if any.
  const oldNode = ["/usr/bin/node", "/usr/local/bin/node"].find((bin) => {
    try {
      const v = execFileSync(bin, ["-p", "process.versions.node"], { encoding: "utf8" });
      return Number(v.split(".")[0]) < 22;
    } catch {
      return false;
    }
  });

  it.skipIf(!oldNode)("the compiled bin on a real Node < 22 says so and exits 2", async () => {
    const dir = mkdtempSync(join(tmpdir(), "standin-oldnode-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, "package.json"), '{"type":"module"}');
    for (const name of ["cli", "node-check", "args", "versions"]) {
      const source = readFileSync(join("standin", `${name}.ts`), "utf8");
      const out = ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      });
      writeFileSync(join(dir, `${name}.js`), out.outputText);
    }
    const child = spawn(oldNode as string, [join(dir, "cli.js"), "--port", "0"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const { code, err } = await finish(child);
    const version = execFileSync(oldNode as string, ["-p", "process.versions.node"], {
      encoding: "utf8",
    }).trim();
    expect(code).toBe(2);
    expect(err.trim()).toBe(
      `dnn-standin needs Node.js 22 or later (it uses node:sqlite); this is Node v${version}`,
    );
  });

  it("without node:sqlite: --help still works, starting says why it cannot", async () => {
    const help = await finish(runCli(["--help"], true));
    expect(help.code).toBe(0);
    expect(help.out).toContain("--relay-ca");
    const run = await finish(runCli(["--port", "0"], true));
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/^dnn-standin: this Node \(v[\d.]+\) has no node:sqlite/);
    expect(run.err).not.toContain("at ");
  });
});

describe("--relay-ca end to end", () => {
  async function relay(): Promise<{ port: number; received: string[] }> {
    const received: string[] = [];
    const server = new SMTPServer({
      key: certs.localhost.key,
      cert: certs.localhost.cert,
      authOptional: true,
      logger: false,
      onData(stream, session, cb) {
        stream.resume();
        stream.on("end", () => {
          received.push(session.envelope.rcptTo.map((r) => r.address).join(","));
          cb();
        });
      },
    });
    server.on("error", () => {});
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return { port: (server.server.address() as AddressInfo).port, received };
  }

  async function testSmtp(url: string, port: number) {
    const login = await call<{ accessToken: string }>(`${url}/API/JwtAuth/mobile/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ u: "host", p: "dnnhost" }),
    });
    return call(`${url}/API/PersonaBar/ServerSettingsSmtpHost/SendTestEmail`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Authorization: `Bearer ${login.body.accessToken}`,
      },
      body: JSON.stringify({
        smtpServerMode: "h",
        smtpServer: `127.0.0.1:${port}`,
        smtpAuthentication: 0,
        enableSmtpSsl: true,
      }),
    });
  }

  it("Test SMTP Settings over STARTTLS trusts the private CA only when given", async () => {
    const mail = await relay();
    const withCa = runCli(["--quiet", "--dnn-version", "9.11", "--relay-ca", certs.caFile]);
    const ok = await testSmtp(await firstLine(withCa), mail.port);
    expect(ok.status).toBe(200);
    expect(mail.received).toEqual(["host@example.com"]); // 9.11, mode h: to the caller
    const withoutCa = runCli(["--quiet", "--dnn-version", "9.11"]);
    const bad = await testSmtp(await firstLine(withoutCa), mail.port);
    expect(bad.status).toBe(400);
    expect(String(bad.body.errMessage)).not.toBe("");
    expect(mail.received).toHaveLength(1);
  }, 40_000);
});
