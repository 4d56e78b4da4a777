#!/usr/bin/env node
/**
 * `dnn-standin`: runs the DNN stand-in until SIGINT/SIGTERM.
 * The first stdout line is the base URL (e.g. http://127.0.0.1:41234); logs go to stderr.
 *
 *   dnn-standin [--port 0] [--generation g1|g2|g3] [--data DIR]
 *               [--superuser NAME:PASSWORD] [--admin NAME:PASSWORD]
 *               [--jwt enabled|disabled] [--api-tokens] [--quiet]
 */
import { parseCliArgs, USAGE } from "./args.js";
import { startStandin } from "./server.js";

async function main(): Promise<void> {
  const { help, options } = parseCliArgs(process.argv.slice(2));
  if (help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const standin = await startStandin(options);
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
  process.stderr.write(
    `dnn-standin: ${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`,
  );
  process.exit(2);
});
