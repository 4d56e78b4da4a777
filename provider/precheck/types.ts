/**
 * The shapes the precheck shares with its callers: the report and the DNN port.
 */
import type { MailProvider, PrecheckLevel, PrecheckVia } from "./options";

/** How the session was (or, via DNN, will be) protected. */
export type PrecheckTls = "none" | "starttls" | "implicit";

/** What a successful precheck proved. */
export interface PrecheckReport {
  readonly level: PrecheckLevel;
  readonly via: PrecheckVia;
  readonly mailProvider: MailProvider;
  /** `host:port` as DNN will connect. */
  readonly server: string;
  /** The protection seen (via "local") or configured (via "dnn"). */
  readonly tls: PrecheckTls;
  /** True only when the precheck saw the server accept the credentials. */
  readonly authenticated: boolean;
  /** The AUTH mechanism used or probed, e.g. "LOGIN", "NTLM", "XOAUTH2". */
  readonly mechanism?: string;
  /**
   * Where the test mail went (level "send"): `precheck.recipient` via "local"; via "dnn" the
   * address DNN's confirmation names, or undefined when DNN's text could not be read.
   */
  readonly recipient?: string;
  /**
   * Sentences worth reading even though the precheck passed (certificate not verified,
   * credentials over an unencrypted connection, ...). Also at the end of `summary`. Print
   * them: `pulumi up` shows a dynamic provider's `pulumi.log.warn`.
   */
  readonly warnings: readonly string[];
  /**
   * One line, e.g. "auth ok via local: smtp.example.com:587 STARTTLS, AUTH LOGIN accepted",
   * followed by "; warning: <sentence>" for each warning. Never contains a secret.
   */
  readonly summary: string;
  /** True when this result came from an earlier identical precheck of this process. */
  readonly cached: boolean;
}

/** An OAuth provider as DNN's GetSmtpOAuthProviders lists it. */
export interface OAuthProviderInfo {
  readonly name: string;
  readonly localizedName?: string | null;
  readonly isAuthorized: boolean;
  /** Where an administrator gives consent; DNN may send null when already authorized. */
  readonly authorizeUrl?: string | null;
  /** The provider's settings as DNN lists them (`value` of secure ones is decrypted). */
  readonly settings?: ReadonlyArray<{
    readonly name: string;
    readonly isSecure?: boolean;
    readonly [key: string]: unknown;
  }> | null;
}

import type { SendTestEmailRequest, SendTestEmailResponse } from "../dnn/dto";

export type { SendTestEmailRequest, SendTestEmailResponse };

/**
 * What the precheck needs from the DNN client for `via: "dnn"` and for OAuth. A failed
 * HTTP call should throw the client's own DnnSmtpError (DNN_* codes); a 400 from
 * SendTestEmail is an answer, not a failure: return its body.
 */
export interface DnnPrecheckPort {
  /**
   * Who this port acts as: the site URL, the DNN user (or a stand-in for an API token) and
   * the controller. Part of the precheck cache key (HMAC-ed, never stored): identical
   * via "dnn" prechecks of one site and user run once. Without it, results are shared only
   * by calls that pass the same port object.
   */
  readonly origin?: { readonly site: string; readonly user: string; readonly controller?: string };
  sendTestEmail(request: SendTestEmailRequest): Promise<SendTestEmailResponse>;
  getSmtpOAuthProviders(): Promise<{
    readonly host: readonly OAuthProviderInfo[];
    readonly site: readonly OAuthProviderInfo[];
  }>;
}
