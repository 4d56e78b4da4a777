#!/usr/bin/env node
/**
 * `dnn-standin`: runs the DNN stand-in until SIGINT/SIGTERM. `dnn-standin --help` prints
 * every option (args.ts USAGE). The first stdout line is the base URL; logs go to stderr.
 *
 * The server (server.ts → store.ts) imports node:sqlite, which Node < 22 does not have, so
 * it is imported dynamically, AFTER the Node version check: an old Node gets a sentence
 * instead of "No such built-in module: node:sqlite".
 */
import { nodeVersionProblem, parseCliArgs, USAGE } from "./args.js";

function fail(message: string, withUsage: boolean): never {
  process.stderr.write(`dnn-standin: ${message}\n${withUsage ? `\n${USAGE}\n` : ""}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseCliArgs>;
  try {
    parsed = parseCliArgs(process.argv.slice(2));
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err), true);
  }
  if (parsed.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const problem = nodeVersionProblem(process.versions.node);
  if (problem) fail(problem, false);
  let server: typeof import("./server.js");
  try {
    server = await import("./server.js");
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ERR_UNKNOWN_BUILTIN_MODULE") {
      fail(
        `this Node (v${process.versions.node}) has no node:sqlite; use Node.js 22.13 or later ` +
          "(22.5–22.12 need --experimental-sqlite)",
        false,
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
  fail(err instanceof Error ? err.message : String(err), false);
});
