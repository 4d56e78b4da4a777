#!/usr/bin/env node
/**
 * `dnn-standin`: runs the DNN stand-in until SIGINT/SIGTERM. `dnn-standin --help` prints
 * every option (args.ts USAGE). The first stdout line is the base URL; logs go to stderr.
 *
 * Only node-check.ts (no imports) is loaded statically: the Node version is checked first,
 * then the argument parser and the server (server.ts → store.ts → node:sqlite, which Node
 * < 22 does not have) are imported dynamically, so an old Node gets a sentence instead of
 * "No such built-in module: node:sqlite".
 */
import { nodeVersionProblem } from "./node-check.js";

function fail(message: string, usage?: string): never {
  process.stderr.write(`${message}\n${usage ? `\n${usage}\n` : ""}`);
  process.exit(2);
}

async function main(): Promise<void> {
  const problem = nodeVersionProblem(process.versions.node);
  if (problem) fail(problem);
  const { parseCliArgs, USAGE } = await import("./args.js");
  let parsed: ReturnType<typeof parseCliArgs>;
  try {
    parsed = parseCliArgs(process.argv.slice(2));
  } catch (err) {
    fail(`dnn-standin: ${err instanceof Error ? err.message : String(err)}`, USAGE);
  }
  if (parsed.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  let server: typeof import("./server.js");
  try {
    server = await import("./server.js");
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_UNKNOWN_BUILTIN_MODULE") {
      fail(
        `dnn-standin: this Node (v${process.versions.node}) has no node:sqlite; use Node.js 22.13 ` +
          "or later (22.5–22.12 need --experimental-sqlite)",
      );
    }
    throw err;
  }
  const standin = await server.startStandin(parsed.options);
  process.stdout.write(`${standin.url}\n`);
  const stop = () => {
    standin.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((err: unknown) => {
  fail(`dnn-standin: ${err instanceof Error ? err.message : String(err)}`);
});
