/** Command-line parsing of `dnn-standin` (kept apart from cli.ts so it can be tested without starting a server). */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { StandinOptions, StandinUser } from "./server.js";
import {
  DEFAULT_DNN_VERSION,
  GENERATION_VERSIONS,
  type Generation,
  MODELLED_VERSIONS,
  parseDnnVersion,
} from "./versions.js";

/** Full usage, printed by --help (and after a usage error). */
export const USAGE = `usage: dnn-standin [options]

A local stand-in for a DNN (DotNetNuke) site that speaks the Persona Bar SMTP API
(ServerSettingsSmtpHost / ServerSettingsSmtpAdmin), JWT login, and serves a web page.
The first stdout line is the base URL (e.g. http://127.0.0.1:41234); logs go to stderr.
Stops on Ctrl-C (SIGINT) or SIGTERM. Needs Node.js 22 or later (node:sqlite).

Sites:
  /            portal 0 "My Website" (site@example.com)
  /shop        portal 1 "Shop" (shop@example.com)
  /site1..N    with --extra-sites N
  The page at / (and /shop/) is the Persona Bar's SMTP Server tab: log in there to read,
  save and test the settings in a browser.

Options:
  --port N                  TCP port on 127.0.0.1 (default 0 = any free port)
  --dnn-version X.Y[.Z]     DNN version to imitate (default ${DEFAULT_DNN_VERSION}); 9.2 … 9.13 or 10.0 … 10.2.
                            Modelled and tested: ${MODELLED_VERSIONS.join(", ")}; releases in
                            between behave as their era (docs/dnn-versions.md)
  --generation g1|g2|g3     old alias: g1 = ${GENERATION_VERSIONS.g1}, g2 = ${GENERATION_VERSIONS.g2}, g3 = ${GENERATION_VERSIONS.g3} (--dnn-version wins)
  --data DIR                keep the database and web.config in DIR (default: a temp folder,
                            removed on exit); a restart with the same DIR keeps every setting
  --superuser NAME:PASSWORD the superuser (host); default login host / dnnhost
                            (email host@example.com)
  --admin NAME:PASSWORD     also create an administrator of the ROOT site (/) only
                            (email admin@example.com); not of /shop
  --admin-role-name NAME    the sites' administrator role (DNN's AdministratorRoleName,
                            default "Administrators"); the Admin controller admits its members
  --jwt enabled|disabled    JWT login (default enabled; disabled: login answers Bearer disabled)
  --jwt-force-ssl           JWT as DNN registers it with forceSSL: over this plain-HTTP
                            server bearer JWTs are never authenticated (401), while login
                            and extendtoken still succeed
  --api-tokens              enable DNN 10 API tokens (DNN 10.x only; ignored on 9.x)
  --relay-ca FILE           PEM CA certificate(s) to trust for the stand-in's own SMTP
                            connections (SendTestEmail, "Test SMTP Settings"), e.g. a relay
                            with a private CA
  --extra-sites N           also serve /site1 … /siteN (portals 2 … N+1)
  --quiet                   no per-request log lines on stderr
  --help                    this text

Control endpoints for tests (loopback only): GET /_standin/dump, /_standin/requests,
/_standin/faults, POST /_standin/users, /_standin/api-tokens, /_standin/oauth, /_standin/clock.`;

/** Parses NAME:PASSWORD (the password may itself contain colons). */
export function parseUser(value: string | undefined, flag: string): StandinUser | undefined {
  if (value === undefined) return undefined;
  const colon = value.indexOf(":");
  if (colon <= 0) throw new Error(`${flag} expects NAME:PASSWORD`);
  return { username: value.slice(0, colon), password: value.slice(colon + 1) };
}

function readCa(file: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (err) {
    throw new Error(`--relay-ca ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!pem.toString("utf8").includes("-----BEGIN CERTIFICATE-----"))
    throw new Error(`--relay-ca ${file}: no PEM certificate in the file`);
  return pem;
}

/** The flags as `node:util` parses them, defaults applied; nothing checked yet. */
function readFlags(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string", default: "0" },
      "dnn-version": { type: "string" },
      generation: { type: "string" },
      data: { type: "string" },
      superuser: { type: "string" },
      admin: { type: "string" },
      "admin-role-name": { type: "string" },
      jwt: { type: "string", default: "enabled" },
      "jwt-force-ssl": { type: "boolean", default: false },
      "api-tokens": { type: "boolean", default: false },
      "relay-ca": { type: "string" },
      "extra-sites": { type: "string" },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  return values;
}

/** Checks the flags' values in turn and throws at the first bad one; the numbers and users parsed. */
function checkFlags(values: ReturnType<typeof readFlags>) {
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`bad --port ${values.port}`);
  const version = values["dnn-version"];
  if (version !== undefined) parseDnnVersion(version); // throws the list of versions
  const generation = values.generation;
  if (generation !== undefined && !(generation in GENERATION_VERSIONS)) {
    throw new Error(`bad --generation ${generation} (g1, g2 or g3; or use --dnn-version)`);
  }
  if (values.jwt !== "enabled" && values.jwt !== "disabled")
    throw new Error(`bad --jwt ${values.jwt}`);
  const jwt: NonNullable<StandinOptions["jwt"]> = values.jwt;
  const extraSites = values["extra-sites"] === undefined ? 0 : Number(values["extra-sites"]);
  if (!Number.isInteger(extraSites) || extraSites < 0)
    throw new Error(`bad --extra-sites ${values["extra-sites"]}`);
  const superuser = parseUser(values.superuser, "--superuser");
  const admin = parseUser(values.admin, "--admin");
  const roleName = values["admin-role-name"];
  if (roleName !== undefined && roleName.trim() === "")
    throw new Error("--admin-role-name must not be empty");
  return {
    port,
    version,
    generation,
    data: values.data,
    superuser,
    admin,
    roleName,
    jwt,
    jwtForceSsl: values["jwt-force-ssl"],
    apiTokens: values["api-tokens"],
    relayCa: values["relay-ca"],
    extraSites,
    quiet: values.quiet,
  };
}

/** The stand-in options the checked flags ask for; flags left out stay out of the options. */
function optionsOf(flags: ReturnType<typeof checkFlags>): StandinOptions {
  const { port, version, generation, superuser, admin, roleName, relayCa, extraSites } = flags;
  return {
    port,
    // Keep the old default: with neither flag the stand-in speaks g3 = 10.2.
    ...(version === undefined && generation === undefined ? { generation: "g3" } : {}),
    ...(generation !== undefined ? { generation: generation as Generation } : {}),
    ...(version !== undefined ? { dnnVersion: version } : {}),
    ...(flags.data ? { dataDir: flags.data } : {}),
    ...(superuser ? { superuser } : {}),
    ...(admin ? { admin } : {}),
    ...(roleName !== undefined ? { adminRoleName: roleName } : {}),
    jwt: flags.jwt,
    ...(flags.jwtForceSsl ? { jwtForceSsl: true } : {}),
    apiTokens: flags.apiTokens,
    ...(relayCa !== undefined ? { smtpTls: { ca: readCa(relayCa) } } : {}),
    ...(extraSites > 0 ? { extraSites } : {}),
    quiet: flags.quiet,
  };
}

/** Turns argv (without node and script) into stand-in options; `help` when --help was given. */
export function parseCliArgs(argv: string[]): { help: boolean; options: StandinOptions } {
  const values = readFlags(argv);
  if (values.help) return { help: true, options: {} };
  return { help: false, options: optionsOf(checkFlags(values)) };
}

export { nodeVersionProblem } from "./node-check.js";
