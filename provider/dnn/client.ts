/**
 * The DNN client: logs in once per site and user per process, renews tokens, and speaks
 * the Persona Bar SMTP endpoints of both controllers. Every answer is validated and every
 * failure becomes a `DnnSmtpError` whose message names what to change.
 */
import type { z } from "zod";
import { DnnSmtpError, redact } from "../errors";
import type { SiteConnection } from "./connection";
import { type HttpRequest, type HttpResponse, send, type TransportOptions } from "./http";
import {
  type GetSmtpSettingsResponse,
  GetSmtpSettingsResponseSchema,
  type OAuthProvidersResponse,
  OAuthProvidersResponseSchema,
  type SendTestEmailRequest,
  type SendTestEmailResponse,
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
// Sites that have answered below 500 once: a later 500 is a failure, not an unknown alias.
const knownSites = new Set<string>();

/** Forgets every session and known site (tests use it to count logins). */
export function clearSessions(): void {
  sessions.clear();
  knownSites.clear();
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
    const response = await this.request({
      method: "POST",
      url: this.url(`API/JwtAuth/mobile/${action}`),
      body,
      headers: bearer ? { authorization: `Bearer ${bearer}` } : undefined,
    });
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
        `DNN rejected the user name or password of ${JSON.stringify(this.site.username)} at ${where}: check ${this.sourceOf("username")} and ${this.sourceOf("password")}`,
        { responseCode: 401, command },
      );
    return this.unexpected(response, command);
  }

  /** Where a credential came from, as the user set it: argument, stack config key or environment variable. */
  private sourceOf(field: "url" | "username" | "password" | "apiToken"): string {
    return this.site.sources?.[field] ?? `site.${field}`;
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
    if (response.status === 503) {
      const after = response.headers["retry-after"];
      const when =
        typeof after === "string" && after !== ""
          ? ` (it asks to retry after ${/^\d+$/.test(after) ? `${after} s` : after})`
          : "";
      throw this.fail(
        "DNN_UNAVAILABLE",
        `${command}: the site is temporarily unavailable (503)${when}: it may be restarting or in maintenance; run \`pulumi up\` again later`,
        { responseCode: 503, command, transient: true },
      );
    }
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
      // Redacted before it is shortened: a cut could leave part of a secret unrecognized.
      if (typeof message === "string") detail = `: ${redact(message, this.secrets).slice(0, 300)}`;
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
    const who = this.site.apiToken
      ? `the API token (${this.sourceOf("apiToken")})`
      : `user ${JSON.stringify(this.site.username)} (${this.sourceOf("username")})`;
    const needs =
      controller === "host"
        ? "a superuser (host)"
        : "a superuser or a member of the site's administrator role (the role named in the site's settings, usually Administrators)";
    const hint = this.site.apiToken
      ? controller === "host"
        ? "; API tokens must be User-scope tokens of a superuser, with API tokens enabled (DNN 10)"
        : "; API tokens must be User-scope tokens of a superuser or of an administrator of this site, with API tokens enabled (DNN 10)"
      : "";
    return this.fail(
      "DNN_FORBIDDEN",
      `${command}: DNN denied ${who}: these settings need ${needs}${hint}`,
      { responseCode: 401, command },
    );
  }

  /**
   * Sends a request to the site. The first request to a child-site URL is not retried on a
   * 500: DNN answers 500 for a path that is no site alias (it dereferences a null alias), and
   * a healthy root site then tells "no such site" from "the site is failing".
   */
  private async request(request: HttpRequest): Promise<HttpResponse> {
    const probe = !knownSites.has(this.base.href) && this.base.pathname.replace(/\/+$/, "") !== "";
    const response = await send({ ...request, retryServerErrors: !probe }, this.transport);
    if (response.status < 500) knownSites.add(this.base.href);
    if (!probe || response.status !== 500) return response;
    if (await this.rootAnswers()) {
      throw this.fail(
        "DNN_UNKNOWN_SITE",
        `no DNN site answers at ${this.base.href}: the installation at ${this.base.origin} is up, but ${JSON.stringify(this.base.pathname)} is none of its site aliases; check ${this.sourceOf("url")} and the site's aliases`,
        { responseCode: 500, command: `${request.method} ${request.url.pathname}` },
      );
    }
    return send({ ...request, retryServerErrors: true }, this.transport);
  }

  /** Whether the installation's root site routes API requests (a GET of the login action answers 405). */
  private async rootAnswers(): Promise<boolean> {
    try {
      const root = await send(
        { method: "GET", url: new URL("/API/JwtAuth/mobile/login", this.base.origin) },
        { ...this.transport, maxAttempts: 1 },
      );
      return root.status < 500 && !looksLikeHtml(root);
    } catch {
      return false;
    }
  }

  /**
   * After 401, a renewed token and 401 again over plain HTTP: DNN's JWT handler may accept
   * bearers over HTTPS only (`forceSSL`, its default). The logout action needs nothing but
   * an authenticated bearer, so its answer tells the two causes apart.
   */
  private async jwtRefusedOverHttp(session: Session): Promise<boolean> {
    if (this.site.apiToken || this.base.protocol !== "http:") return false;
    const response = await send(
      {
        method: "GET",
        url: this.url("API/JwtAuth/mobile/logout"),
        headers: { authorization: `Bearer ${session.accessToken}` },
      },
      { ...this.transport, maxAttempts: 1 },
    );
    // Logged out on success: the next call logs in afresh.
    sessions.delete(this.sessionKey());
    return response.status === 401;
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
    for (let attempt = 1; ; attempt++) {
      const response = await this.request({
        method,
        url,
        body,
        headers: { authorization: `Bearer ${session.accessToken}` },
      });
      if (response.status === 401 && !looksLikeHtml(response)) {
        if (attempt === 1 && !this.site.apiToken) {
          session = await this.renew(session);
          continue;
        }
        if (await this.jwtRefusedOverHttp(session)) {
          throw this.fail(
            "DNN_JWT_HTTPS_ONLY",
            `${command}: the site logs ${JSON.stringify(this.site.username)} in but accepts the JWT over HTTPS only (forceSSL, DNN's default): use an https:// address in ${this.sourceOf("url")}`,
            { responseCode: 401, command },
          );
        }
        throw this.forbidden(command, controller);
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
  }

  /** GetSmtpSettings: the settings of the URL's site, and of the host for the Host controller. */
  async getSmtpSettings(controller: Controller = "host"): Promise<GetSmtpSettingsResponse> {
    const { data } = await this.call(controller, "GetSmtpSettings", GetSmtpSettingsResponseSchema);
    return data;
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

  /** SendTestEmail: DNN sends a mail with the given settings (recipient and sender as the DNN version chooses). */
  async sendTestEmail(
    request: SendTestEmailRequest,
    controller: Controller = "host",
  ): Promise<SendTestEmailResponse> {
    const { data } = await this.call(
      controller,
      "SendTestEmail",
      SendTestEmailResponseSchema,
      request,
      [200, 400],
    );
    return data;
  }

  /** GetSmtpOAuthProviders (DNN 9.13+). */
  async getSmtpOAuthProviders(controller: Controller = "host"): Promise<OAuthProvidersResponse> {
    const { data } = await this.call(
      controller,
      "GetSmtpOAuthProviders",
      OAuthProvidersResponseSchema,
    );
    return data;
  }
}
