/**
 * `providerTextBytes`: the size of the `__provider` text Pulumi stores in both the inputs
 * and the outputs of every SmtpSettings resource, serialized from the installed copy the
 * way the engine does it. A count, not a timing.
 */
import { serializedProvider } from "../test/support/plugin";

/** The figure's target: at most this many bytes. */
export const PROVIDER_TEXT_TARGET_BYTES = 1024;

export async function measureProviderText(): Promise<{ bytes: number; text: string }> {
  const text = await serializedProvider();
  return { bytes: Buffer.byteLength(text, "utf8"), text };
}
