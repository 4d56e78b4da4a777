/**
 * Entry point of the `dnn-smtp` resource plugin, run by the launcher
 * `pulumi-resource-dnn-smtp`. The engine passes its own address and flags such as
 * `--logtostderr`; we serve and print our port.
 */

// Before anything loads @pulumi/pulumi: `pulumi.log.warn` (the lifecycle's warnings) reaches
// the engine through this address, and so shows in `pulumi up`'s output, not on our stderr.
const engineAddress = process.argv.slice(2).find((arg) => !arg.startsWith("-"));
if (engineAddress && !process.env.PULUMI_NODEJS_ENGINE) {
  process.env.PULUMI_NODEJS_ENGINE = engineAddress;
}

// Required after the line above on purpose (an import would be hoisted before it).
const { serve } = require("./server") as typeof import("./server");

serve().catch((error: unknown) => {
  console.error(`dnn-smtp plugin: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
