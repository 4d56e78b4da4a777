/**
 * Helpers for tests that talk to a stand-in over real HTTP (fetch). No test framework
 * imports here, so other suites can use them too.
 */
import type { Standin } from "./server.js";

export type Controller = "ServerSettingsSmtpHost" | "ServerSettingsSmtpAdmin";

export interface Reply<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** Sends a request and reads the body as JSON when it is JSON. */
export async function call<T = Record<string, unknown>>(
  url: string,
  init: RequestInit = {},
): Promise<Reply<T>> {
  const res = await fetch(url, { ...init, signal: init.signal ?? AbortSignal.timeout(20_000) });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return { status: res.status, headers: res.headers, body: body as T, text };
}

/** Logs in through JWT on a site; returns the access and renewal tokens. */
export async function jwtLogin(
  standin: Standin,
  username: string,
  password: string,
  alias = "",
): Promise<{ accessToken: string; renewalToken: string; userId: number }> {
  const r = await call<{ accessToken: string; renewalToken: string; userId: number }>(
    `${standin.siteUrl(alias)}/API/JwtAuth/mobile/login`,
    {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ u: username, p: password }),
    },
  );
  if (r.status !== 200)
    throw new Error(`login ${username} failed: ${r.status} ${r.headers.get("www-authenticate")}`);
  return r.body;
}

/** Calls a Persona Bar SMTP action on a site. GET when `body` is undefined, else POST JSON. */
export function smtpApi(
  standin: Standin,
  opts: { alias?: string; controller?: Controller; action: string; token?: string; body?: unknown },
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  const init: RequestInit = { headers };
  if (opts.body !== undefined) {
    init.method = "POST";
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(opts.body);
  }
  const controller = opts.controller ?? "ServerSettingsSmtpHost";
  return call(
    `${standin.siteUrl(opts.alias ?? "")}/API/PersonaBar/${controller}/${opts.action}`,
    init,
  );
}

/** A complete UpdateSmtpSettings request with overrides. */
export function updateRequest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    smtpServerMode: "h",
    smtpServer: "smtp.example.com:587",
    smtpConnectionLimit: "2",
    smtpMaxIdleTime: "100000",
    smtpAuthentication: 1,
    smtpUsername: "mailer",
    smtpPassword: "P4ss",
    smtpHostEmail: "host@example.com",
    enableSmtpSsl: true,
    messageSchedulerBatchSize: 50,
    ...overrides,
  };
}
