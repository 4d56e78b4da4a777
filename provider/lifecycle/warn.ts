/**
 * Warnings a person should read although the step succeeded. Inside the engine's plugin a
 * provider has no engine connection for `pulumi.log`: the engine relays the plugin's stderr
 * into `pulumi up`'s output (under the stack, so each warning names its resource). The
 * durable copy is in the outputs (`precheckSummary`, `oauthAuthorized`). Scrubbed of the
 * resource's secrets, like every error: a site's answer (an authorize URL, say) may carry one.
 */
import { type ResourceProps, scrubbed } from "./site";

export function warn(props: ResourceProps, message: string): void {
  console.error(`warning: ${scrubbed(props, message)}`);
}
