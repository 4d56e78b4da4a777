/**
 * The DNN client: logs in once per site and user per process, renews tokens, and speaks
 * the Persona Bar SMTP endpoints of both controllers. Every answer is validated and every
 * failure becomes a `DnnSmtpError` whose message names what to change.
 */
import type { z } from "zod";
import { DnnSmtpError, redact } from "../errors";
import type { SiteConnection } from "./connection";
import { type HttpResponse, send, type TransportOptions } from "./http";
import {
  type ApiGeneration,
  detectGeneration,
  type GetSmtpSettingsResponse,
  GetSmtpSettingsResponseSchema,
  OAuthProvidersResponseSchema,
  SendTestEmailResponseSchema,
  type UpdateSmtpSettingsRequest,
  UpdateSmtpSettingsResponseSchema,
} from "./wire";

/** `host`: ServerSettingsSmtpHost (superusers); `admin`: ServerSettingsSmtpAdmin. */
export type Controller = "host" | "admin";

interface Session {
  accessToken: string;
  renewalToken?: string;
}

// One login per site and user per process, shared by every resource of the run.
const sessions = new Map<string, Promise<Session>>();

/** Forgets every session (tests use it to count logins). */
export function clearSessions(): void {
  sessions.clear();
}

/** Normalizes a site URL: no trailing slash, no query. Throws a clear error when invalid. */
export function siteBaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DnnSmtpError(
      "SITE_CONFIG",
      `site.url ${JSON.stringify(raw)} is not a URL; use e.g. https://example.com or https://example.com/shop`,
      { field: "site.url" },
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new DnnSmtpError(
      "SITE_CONFIG",
      `site.url must start with https:// (or http:// for a local test site); got ${url.protocol}`,
      { field: "site.url" },
    );
  }
  if (url.username || url.password) {
    throw new DnnSmtpError(
      "SITE_CONFIG",
      "site.url must not contain credentials; use site.username and site.password",
      { field: "site.url" },
    );
  }
  url.search = "";
  url.hash = "";
  url.pathname = url.pathname.replace(/\/+$/, "");
  return url;
}

function looksLikeHtml(response: HttpResponse): boolean {
  const type = String(response.headers["content-type"] ?? "");
  return type.includes("text/html") || /^\s*</.test(response.text);
}

function bearerReason(response: HttpResponse): string | undefined {
  const header = response.headers["www-authenticate"];
  const value = Array.isArray(header) ? header.join(",") : header;
  return value?.match(/Bearer\s+([\w-]+)/i)?.[1];
}

export class DnnClient {
  readonly base: URL;
  private readonly transport: TransportOptions;
  private readonly secrets: string[];

  constructor(readonly site: SiteConnection) {
    this.base = siteBaseUrl(site.url);
    if (!site.apiToken && !(site.username && site.password)) {
      throw new DnnSmtpError(
        "SITE_CONFIG",
        "no DNN credentials: set site.username and site.password (JWT), or site.apiToken (DNN 10), or the dnn:username / dnn:password config, or DNN_USERNAME / DNN_PASSWORD",
        { field: "site" },
      );
    }
    if (site.insecureSkipVerify) {
      console.warn(
        `warning: TLS certificate checks are off for ${this.base.origin} (site.insecureSkipVerify)`,
      );
    }
    this.transport = {
      caCert: site.caCert,
      insecureSkipVerify: site.insecureSkipVerify,
      timeoutMs: site.timeoutMs,
    };
    this.secrets = [site.password, site.apiToken].filter((s): s is string => !!s);
  }

  private url(path: string): URL {
    // The root site's pathname is "/": joining it as-is would give "//API", a host name.
    return new URL(`${this.base.pathname.replace(/\/+$/, "")}/${path}`, this.base.origin);
  }

  private sessionKey(): string {
    return `${this.base.href}|${this.site.username}`;
  }

  private fail(
    code: ConstructorParameters<typeof DnnSmtpError>[0],
    message: string,
    extra: { responseCode?: number; command?: string; transient?: boolean } = {},
  ): DnnSmtpError {
    return new DnnSmtpError(code, redact(message, this.secrets), extra);
  }

  private async jwt(
    action: "login" | "extendtoken",
    body: unknown,
    bearer?: string,
  ): Promise<Session> {
    const command = `POST ${this.url(`API/JwtAuth/mobile/${action}`).pathname}`;
    const response = await send(
      {
        method: "POST",
        url: this.url(`API/JwtAuth/mobile/${action}`),
        body,
        headers: bearer ? { authorization: `Bearer ${bearer}` } : undefined,
        retryServerErrors: true,
      },
      this.transport,
    );
    if (response.status === 200 && !looksLikeHtml(response)) {
      const json = this.parse(response, command);
      const token = (json as { accessToken?: unknown }).accessToken;
      const renewal = (json as { renewalToken?: unknown }).renewalToken;
      if (typeof token !== "string" || token === "")
        throw this.fail("DNN_BAD_RESPONSE", `${command}: the answer has no accessToken`, {
          command,
        });
      return {
        accessToken: token,
        renewalToken: typeof renewal === "string" ? renewal : undefined,
      };
    }
    const reason = bearerReason(response);
    const where = this.base.href;
    if (reason === "disabled")
      throw this.fail(
        "DNN_JWT_DISABLED",
        `JWT authentication is disabled on ${where}: enable the JWTAuth handler in web.config, or use site.apiToken (DNN 10)`,
        { responseCode: 401, command },
      );
    if (reason === "no-portal")
      throw this.fail(
        "DNN_UNKNOWN_SITE",
        `no DNN site answers at ${where} (JWT said no-portal): check site.url against the site's aliases`,
        { responseCode: 401, command },
      );
    if (reason === "bad-credentials")
      throw this.fail(
        "DNN_BAD_CREDENTIALS",
        `DNN rejected the user name or password of ${JSON.stringify(this.site.username)} at ${where}: check site.username and site.password`,
        { responseCode: 401, command },
      );
    return this.unexpected(response, command);
  }

  private login(): Promise<Session> {
    return this.jwt("login", { u: this.site.username, p: this.site.password });
  }

  private session(): Promise<Session> {
    if (this.site.apiToken) return Promise.resolve({ accessToken: this.site.apiToken });
    const key = this.sessionKey();
    let session = sessions.get(key);
    if (!session) {
      session = this.login();
      sessions.set(key, session);
      session.catch(() => sessions.delete(key));
    }
    return session;
  }

  /** After a 401: renew with the renewal token, or log in again when that fails. */
  private async renew(stale: Session): Promise<Session> {
    const key = this.sessionKey();
    const current = sessions.get(key);
    // Another resource may have renewed already; use its session.
    if (current && (await current.catch(() => undefined)) !== stale) return current;
    const renewed = (async () => {
      if (stale.renewalToken) {
        try {
          return await this.jwt("extendtoken", { rtoken: stale.renewalToken }, stale.accessToken);
        } catch {
          // Renewal tokens expire too (14 days); a fresh login is the way out.
        }
      }
      return this.login();
    })();
    sessions.set(key, renewed);
    renewed.catch(() => sessions.delete(key));
    return renewed;
  }

  private parse(response: HttpResponse, command: string): unknown {
    try {
      return JSON.parse(response.text);
    } catch {
      throw this.fail(
        "DNN_BAD_RESPONSE",
        `${command}: DNN answered ${response.status} with a body that is not JSON`,
        { responseCode: response.status, command },
      );
    }
  }

  private unexpected(response: HttpResponse, command: string): never {
    if (looksLikeHtml(response)) {
      throw this.fail(
        "DNN_NOT_JSON",
        `${command}: DNN answered with an HTML page (status ${response.status}), usually a login or error page: check site.url points at the DNN site itself and that the account may use the Persona Bar API`,
        { responseCode: response.status, command },
      );
    }
    if (response.status === 404) {
      throw this.fail(
        "DNN_UNKNOWN_SITE",
        `${command}: not found (404): check site.url (the site's alias, child-site path included) and that the DNN version has the Persona Bar SMTP API (9.2+)`,
        { responseCode: 404, command },
      );
    }
    let detail = "";
    try {
      const message = (JSON.parse(response.text) as { Message?: unknown }).Message;
      if (typeof message === "string") detail = `: ${message.slice(0, 300)}`;
    } catch {
      // No JSON message to show.
    }
    throw this.fail("DNN_HTTP_ERROR", `${command}: DNN answered ${response.status}${detail}`, {
      responseCode: response.status,
      command,
      transient: response.status >= 500,
    });
  }

  private forbidden(command: string, controller: Controller): DnnSmtpError {
    const who = this.site.apiToken ? "the API token" : `user ${JSON.stringify(this.site.username)}`;
    const needs =
      controller === "host" ? "a superuser (host)" : "a superuser or an administrator of this site";
    const hint = this.site.apiToken
      ? "; API tokens must be User-scope tokens created by a superuser, with API tokens enabled"
      : "";
    return this.fail(
      "DNN_FORBIDDEN",
      `${command}: DNN denied ${who}: these settings need ${needs}${hint}`,
      { responseCode: 401, command },
    );
  }

  /** Calls a Persona Bar action, renewing the session once on 401. */
  private async call<S extends z.ZodType>(
    controller: Controller,
    action: string,
    schema: S,
    body?: unknown,
    okStatuses: number[] = [200],
  ): Promise<{ status: number; data: z.output<S>; raw: unknown }> {
    const name = controller === "host" ? "ServerSettingsSmtpHost" : "ServerSettingsSmtpAdmin";
    const url = this.url(`API/PersonaBar/${name}/${action}`);
    const method = body === undefined ? "GET" : "POST";
    const command = `${method} ${url.pathname}`;
    let session = await this.session();
    for (let attempt = 1; attempt <= 2; attempt++) {
      const response = await send(
        {
          method,
          url,
          body,
          headers: { authorization: `Bearer ${session.accessToken}` },
          retryServerErrors: true,
        },
        this.transport,
      );
      if (response.status === 401 && !looksLikeHtml(response)) {
        if (attempt === 2 || this.site.apiToken) throw this.forbidden(command, controller);
        session = await this.renew(session);
        continue;
      }
      if (!okStatuses.includes(response.status) || looksLikeHtml(response))
        this.unexpected(response, command);
      const raw = this.parse(response, command);
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        const where = parsed.error.issues.map((i) => i.path.join(".") || "(body)").join(", ");
        throw this.fail(
          "DNN_BAD_RESPONSE",
          `${command}: the answer does not have the shape of the DNN API (at ${where}); is this a DNN 9.2+ site?`,
          { responseCode: response.status, command },
        );
      }
      return { status: response.status, data: parsed.data, raw };
    }
    throw this.forbidden(command, controller);
  }

  /** GetSmtpSettings, and the API generation it reveals. */
  async getSmtpSettings(
    controller: Controller = "host",
  ): Promise<{ settings: GetSmtpSettingsResponse; generation: ApiGeneration }> {
    const { data, raw } = await this.call(
      controller,
      "GetSmtpSettings",
      GetSmtpSettingsResponseSchema,
    );
    let generation = detectGeneration(raw);
    // The Admin controller never sends hideCoreSettings; a masked password still tells G2.
    if (controller === "admin" && generation === "g1" && data.site.smtpPassword === "*****")
      generation = "g2";
    return { settings: data, generation };
  }

  /** UpdateSmtpSettings; throws when DNN answers `success: false`. */
  async updateSmtpSettings(
    request: UpdateSmtpSettingsRequest,
    controller: Controller = "host",
  ): Promise<{ providerChanged: boolean }> {
    const { data } = await this.call(
      controller,
      "UpdateSmtpSettings",
      UpdateSmtpSettingsResponseSchema,
      request,
    );
    if (!data.success) {
      const errors = (data.errors ?? [])
        .map((e) => (typeof e === "string" ? e : JSON.stringify(e)))
        .join("; ");
      throw this.fail(
        "DNN_WRITE_REJECTED",
        `DNN refused to save the SMTP settings${errors ? `: ${errors}` : ""}`,
        { command: "UpdateSmtpSettings" },
      );
    }
    return { providerChanged: data.providerChanged ?? false };
  }

  /** SendTestEmail: DNN sends a mail with the given settings to the calling user. */
  async sendTestEmail(request: Parameters<DnnSendTestEmail>[0], controller: Controller = "host") {
    const { data } = await this.call(
      controller,
      "SendTestEmail",
      SendTestEmailResponseSchema,
      request,
      [200, 400],
    );
    return data;
  }

  /** GetSmtpOAuthProviders (G3 only). */
  async getSmtpOAuthProviders(controller: Controller = "host") {
    const { data } = await this.call(
      controller,
      "GetSmtpOAuthProviders",
      OAuthProvidersResponseSchema,
    );
    return data;
  }
}

type DnnSendTestEmail = (request: {
  smtpServerMode: "h" | "p";
  smtpServer: string;
  smtpAuthentication: number;
  smtpUsername: string;
  smtpPassword: string;
  enableSmtpSsl: boolean;
  authProvider?: string;
}) => unknown;
