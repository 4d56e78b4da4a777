// The main job (`npm run demo`): the quickstart applied by the real Pulumi CLI to the
// local DNN stand-in, with two local SMTP relays (STARTTLS + AUTH) that catch every mail.
//
// State lives in the project cache, so a second run finds nothing to change. Ports are
// fixed because the site URL is part of each resource's identity (override with
// DEMO_DNN_PORT / DEMO_SMTP_PORT). `--serve` keeps the stand-in up to look at its page.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const require = createRequire(join(root, "package.json"));
const { SMTPServer } = require("smtp-server");
const { startStandin } = require(join(root, "dist/standin/server.js"));

const cache = join(process.env.PROJECT_CACHE, "demo");
const dnnPort = Number(process.env.DEMO_DNN_PORT ?? 18080);
const smtpPort = Number(process.env.DEMO_SMTP_PORT ?? 18025);
const serve = process.argv.includes("--serve");
const DEMO = {
  superuser: { username: "host", password: "demo-host-password", email: "host@example.com" },
  relays: {
    global: { port: smtpPort, user: "dnn-global", password: "demo-global-relay" },
    shop: { port: smtpPort + 1, user: "dnn-shop", password: "demo-shop-relay" },
  },
};

function step(text) {
  process.stdout.write(`\n== ${text}\n`);
}

/** A private CA and a localhost certificate for the relays, made once with openssl. */
function certificates() {
  const dir = join(cache, "tls");
  mkdirSync(dir, { recursive: true });
  const files = {
    ca: join(dir, "ca.pem"),
    key: join(dir, "localhost.key"),
    cert: join(dir, "localhost.pem"),
  };
  if (!existsSync(files.cert)) {
    const run = (...args) =>
      execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
    run(
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "3650",
      "-subj",
      "/CN=pulumi-dnn-smtp demo CA",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
    );
    run(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      "/CN=localhost",
      "-keyout",
      "localhost.key",
      "-out",
      "localhost.csr",
    );
    writeFileSync(join(dir, "san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
    run(
      "x509",
      "-req",
      "-in",
      "localhost.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "3650",
      "-extfile",
      "san.ext",
      "-out",
      "localhost.pem",
    );
  }
  return Object.fromEntries(Object.entries(files).map(([k, f]) => [k, readFileSync(f, "utf8")]));
}

/** An SMTP relay with STARTTLS and AUTH that keeps every mail it is given. */
async function startRelay(name, relay, tls, caught) {
  const server = new SMTPServer({
    name: `${name}-relay.local`,
    key: tls.key,
    cert: tls.cert,
    authMethods: ["PLAIN", "LOGIN"],
    onAuth(auth, _session, done) {
      const ok = auth.username === relay.user && auth.password === relay.password;
      done(
        ok ? null : Object.assign(new Error("Invalid credentials"), { responseCode: 535 }),
        ok ? { user: auth.username } : undefined,
      );
    },
    onData(stream, session, done) {
      let text = "";
      stream.on("data", (chunk) => {
        if (text.length < 100_000) text += chunk;
      });
      stream.on("end", () => {
        caught.push({
          relay: name,
          from: session.envelope.mailFrom?.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          text,
        });
        done();
      });
    },
  });
  server.on("error", () => {});
  await new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(relay.port, "127.0.0.1", ok);
  });
  return server;
}

function pulumiEnv() {
  return {
    ...process.env,
    PULUMI_HOME: join(cache, "pulumi-home"),
    PULUMI_BACKEND_URL: `file://${join(cache, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: "demo-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  };
}

function pulumi(args, options = {}) {
  return new Promise((ok, fail) => {
    const child = spawn("pulumi", ["--non-interactive", ...args], {
      cwd: root,
      env: pulumiEnv(),
      stdio: options.capture ? ["ignore", "pipe", "inherit"] : "inherit",
    });
    let out = "";
    child.stdout?.on("data", (d) => {
      out += d;
    });
    child.on("error", fail);
    child.on("exit", (code) =>
      code === 0 ? ok(out) : fail(new Error(`pulumi ${args[0]} exited ${code}`)),
    );
  });
}

/** Writes the stack's config once; a run that stopped half-way starts the file afresh. */
async function configureStack(configFile, standin, tls) {
  if (existsSync(configFile)) return;
  const partial = `${configFile}.partial.yaml`;
  rmSync(partial, { force: true });
  const set = (key, value, secret = false) =>
    pulumi(
      [
        "config",
        "set",
        "--config-file",
        partial,
        ...(secret ? ["--secret"] : []),
        "--",
        key,
        value,
      ],
      { capture: true },
    );
  await set("dnn:url", standin.url);
  await set("dnn:username", DEMO.superuser.username);
  await set("dnn:password", DEMO.superuser.password, true);
  await set("relay", `localhost:${DEMO.relays.global.port}`);
  await set("relayUser", DEMO.relays.global.user);
  await set("relayPassword", DEMO.relays.global.password, true);
  await set("shopRelay", `localhost:${DEMO.relays.shop.port}`);
  await set("shopRelayUser", DEMO.relays.shop.user);
  await set("shopRelayPassword", DEMO.relays.shop.password, true);
  await set("hostEmail", "dnn@example.com");
  await set("testRecipient", "ops@example.com");
  await set("relayCaCert", tls.ca);
  renameSync(partial, configFile);
}

/** The stand-in and both relays, on loopback, with the demo's certificates. */
async function startServers(tls, caught) {
  step("Starting the DNN stand-in and two SMTP relays (loopback only)");
  const standin = await startStandin({
    port: dnnPort,
    dataDir: join(cache, "dnn"),
    superuser: DEMO.superuser,
    smtpTls: { ca: tls.ca },
    quiet: true,
  });
  const relays = [
    await startRelay("global", DEMO.relays.global, tls, caught),
    await startRelay("shop", DEMO.relays.shop, tls, caught),
  ];
  console.log(
    `DNN stand-in  ${standin.url}  (page: ${standin.url}/, shop site: ${standin.siteUrl("shop")})`,
  );
  console.log(
    `relays        localhost:${DEMO.relays.global.port} (global), localhost:${DEMO.relays.shop.port} (shop), STARTTLS + AUTH`,
  );
  return { standin, relays };
}

/** One line per scope of what DNN stores, read from the stand-in's own data. */
function showStored(standin, writes) {
  step("What DNN holds now");
  const dump = standin.dump();
  const show = (label, s) => {
    if (s.SMTPmode === "h" && !s.SMTPServer)
      return console.log(`${label.padEnd(14)} mode=h (uses the global settings)`);
    const mode = s.SMTPmode ? `mode=${s.SMTPmode} ` : "";
    console.log(
      `${label.padEnd(14)} ${mode}server=${s.SMTPServer} auth=${s.SMTPAuthentication} user=${s.SMTPUsername} ssl=${s.SMTPEnableSSL} password=${s.SMTPPassword ? "(set)" : "(none)"}`,
    );
  };
  show("global (host)", dump.host);
  show("root site", { SMTPmode: "h", ...dump.portals[0] });
  show("shop site", { SMTPmode: "h", ...dump.portals[1] });
  console.log(
    writes === 0
      ? "No settings were written: nothing to change."
      : `${writes} settings write(s) sent to DNN.`,
  );
}

function showCaught(caught) {
  step("Mail caught by the relays during this run");
  if (caught.length === 0)
    console.log("none (the precheck only sends a test mail when settings change)");
  for (const m of caught) {
    const subject = /^Subject: (.*)$/m.exec(m.text)?.[1] ?? "";
    console.log(`[${m.relay} relay] from ${m.from} to ${m.to.join(", ")}: ${subject}`);
  }
}

async function main() {
  mkdirSync(join(cache, "state"), { recursive: true });
  const tls = certificates();
  const caught = [];
  const { standin, relays } = await startServers(tls, caught);
  try {
    const configFile = join(cache, "Pulumi.demo.yaml");
    await pulumi(["stack", "select", "--create", "demo"], { capture: true });
    await configureStack(configFile, standin, tls);
    standin.requests.clear();

    step("pulumi up (the quickstart in examples/quickstart)");
    await pulumi(["up", "--yes", "--diff", "--config-file", configFile, "--stack", "demo"]);
    const writes = standin.requests.count(
      (r) => r.method === "POST" && r.path.includes("UpdateSmtpSettings"),
    );
    showStored(standin, writes);
    showCaught(caught);

    step("Stack outputs");
    await pulumi(["stack", "output", "--stack", "demo"]);
    // Demo credentials of a throwaway local site: printed so a person can log in to the page.
    const login = `log in as ${DEMO.superuser.username} / ${DEMO.superuser.password}`;
    console.log(
      `\nThe stand-in's page: ${standin.url}/ (${login}) ${serve ? "(serving until Ctrl-C)" : "(run `npm run demo -- --serve` to keep it up)"}`,
    );
    if (serve) await new Promise((ok) => process.once("SIGINT", ok));
  } finally {
    await Promise.all(relays.map((r) => new Promise((ok) => r.close(ok))));
    await standin.close();
  }
}

main().catch((error) => {
  console.error(`demo failed: ${error.message}`);
  process.exit(1);
});
