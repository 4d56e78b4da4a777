/**
 * Entry point of the `dnn-smtp` resource plugin, run by the launcher
 * `pulumi-resource-dnn-smtp`. The engine passes its own address (unused: this provider
 * never calls back) and flags such as `--logtostderr`; we serve and print our port.
 */
import { serve } from "./server";

serve().catch((error) => {
  console.error(`dnn-smtp plugin: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
