/**
 * Warnings a person should read although the step succeeded. Inside the engine's plugin a
 * provider has no engine connection for `pulumi.log`: the engine relays the plugin's stderr
 * into `pulumi up`'s output (under the stack, so each warning names its resource). The
 * durable copy is in the outputs (`precheckSummary`, `oauthAuthorized`).
 */
export function warn(message: string): void {
  console.error(`warning: ${message}`);
}
