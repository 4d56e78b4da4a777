/** Command-line parsing of `dnn-standin` (kept apart from cli.ts so it can be tested without starting a server). */
import { parseArgs } from "node:util";
import type { Generation, StandinOptions, StandinUser } from "./server.js";

export const USAGE =
  "usage: dnn-standin [--port N] [--generation g1|g2|g3] [--data DIR] [--superuser NAME:PASSWORD] " +
  "[--admin NAME:PASSWORD] [--jwt enabled|disabled] [--api-tokens] [--quiet]";

/** Parses NAME:PASSWORD (the password may itself contain colons). */
export function parseUser(value: string | undefined, flag: string): StandinUser | undefined {
  if (value === undefined) return undefined;
  const colon = value.indexOf(":");
  if (colon <= 0) throw new Error(`${flag} expects NAME:PASSWORD`);
  return { username: value.slice(0, colon), password: value.slice(colon + 1) };
}

/** Turns argv (without node and script) into stand-in options; `help` when --help was given. */
export function parseCliArgs(argv: string[]): { help: boolean; options: StandinOptions } {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string", default: "0" },
      generation: { type: "string", default: "g3" },
      data: { type: "string" },
      superuser: { type: "string" },
      admin: { type: "string" },
      jwt: { type: "string", default: "enabled" },
      "api-tokens": { type: "boolean", default: false },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`bad --port ${values.port}`);
  if (!["g1", "g2", "g3"].includes(values.generation)) {
    throw new Error(`bad --generation ${values.generation}`);
  }
  if (values.jwt !== "enabled" && values.jwt !== "disabled")
    throw new Error(`bad --jwt ${values.jwt}`);
  const superuser = parseUser(values.superuser, "--superuser");
  const admin = parseUser(values.admin, "--admin");
  return {
    help: values.help,
    options: {
      port,
      generation: values.generation as Generation,
      ...(values.data ? { dataDir: values.data } : {}),
      ...(superuser ? { superuser } : {}),
      ...(admin ? { admin } : {}),
      jwt: values.jwt,
      apiTokens: values["api-tokens"],
      quiet: values.quiet,
    },
  };
}
