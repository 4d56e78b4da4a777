/**
 * Warnings a person should read although the step succeeded. Inside the engine's plugin,
 * `pulumi.log.warn` puts them in `pulumi up`'s output under the resource; elsewhere (tests,
 * scripts) they go to stderr. Required when used: the lifecycle must load without the SDK
 * having an engine connection.
 */
export function warn(message: string): void {
  try {
    const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    pulumi.log.warn(message);
  } catch {
    console.warn(`warning: ${message}`);
  }
}
