/**
 * The stand-in's own control endpoints under `/_standin/`, answered only to loopback
 * clients (403 otherwise). Not part of DNN; for tests, demos and inspection.
 *
 *   GET    /_standin/dump            = Standin.dump(): settings rows (secrets decrypted), OAuth state,
 *                                    mail provider, DNN version
 *   GET    /_standin/requests        request log [{method, path, status, timestamp, portalId?, fault?}]
 *   DELETE /_standin/requests        clears the log
 *   GET    /_standin/faults          armed faults
 *   POST   /_standin/faults          arms faults (see faults.ts: latencyMs, fail500, fail503,
 *                                    reset, hang, html, expireTokens); `{}` changes nothing
 *   DELETE /_standin/faults          disarms everything
 *   POST   /_standin/api-tokens      {username, scope?: User|Portal|Host, portalId?, ttlMs?} → {token, apiTokenId}
 *   POST   /_standin/users           {username, password, email?, role?: user|admin|superuser|<role name>,
 *                                    portalId?} → user ("admin" = the site's administrator role)
 *   POST   /_standin/clock           {advanceMs} → {now}: moves the stand-in's clock forward
 *   POST   /_standin/oauth           {provider, portalId (-1 = host), authorized} → provider consent
 *   GET    /_standin/oauth/authorize ?provider=&portalId=  the "consent page": marks it authorized
 *   POST   /_standin/page/login      {username, password}: cookie login for the web page
 *   POST   /_standin/page/logout
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ANTIFORGERY_COOKIE, type ApiTokenScopeName, AUTH_COOKIE, type Auth } from "./auth.js";
import type { FaultSpec, Faults } from "./faults.js";
import { isLoopback, parseJsonObject, readBody, sendJson, sendText } from "./http.js";
import { HOST_SCOPE, type OAuthProviders } from "./oauth.js";
import type { Store } from "./store.js";

export interface RequestLogEntry {
  method: string;
  /** Path and query as requested. */
  path: string;
  /** HTTP status answered; 0 when the connection was reset or the request hung. */
  status: number;
  /** Stand-in clock time (ms) when the request arrived. */
  timestamp: number;
  /** Portal chosen by the URL, for API requests on a known alias. */
  portalId?: number;
  /** Injected fault, when one hit this request. */
  fault?: string;
  /**
   * The JSON body of a Persona Bar POST as received (passwords included: the log lives in
   * the stand-in's memory only), so tests can audit every request body a client sent.
   */
  body?: Record<string, unknown>;
}

/** The log entry of each request being handled, for the route that reads its body. */
export const logEntryOf = new WeakMap<object, RequestLogEntry>();

/** The request log, oldest first. Requests to `/_standin/` are not logged. */
export class RequestLog {
  #entries: RequestLogEntry[] = [];

  add(entry: RequestLogEntry): void {
    this.#entries.push(entry);
  }

  /** A copy of the entries. */
  list(): RequestLogEntry[] {
    return this.#entries.map((e) => ({ ...e }));
  }

  clear(): void {
    this.#entries = [];
  }

  /** Number of entries matching `filter` (all when omitted). */
  count(filter: (e: RequestLogEntry) => boolean = () => true): number {
    return this.#entries.filter(filter).length;
  }
}

export interface AdminDeps {
  store: Store;
  auth: Auth;
  faults: Faults;
  oauth: OAuthProviders;
  log: RequestLog;
  advanceClock: (ms: number) => number;
  /** The full inspection dump (server.ts dumpOf). */
  dump: () => unknown;
  addUser: (u: {
    username: string;
    password: string;
    email?: string;
    role?: string;
    portalId?: number;
  }) => unknown;
}

type Json = Record<string, unknown>;
type Handler = (deps: AdminDeps, body: Json, req: IncomingMessage, res: ServerResponse) => void;

function num(v: unknown, fallback: number): number {
  const n = Number(v);
  return v === undefined || v === null || !Number.isFinite(n) ? fallback : n;
}

/** Page login: opens a cookie session (forms-auth cookie + readable anti-forgery cookie). */
function pageLogin(d: AdminDeps, b: Json, res: ServerResponse): void {
  const session = d.auth.openSession(String(b.username ?? ""), String(b.password ?? ""));
  if (!session) {
    sendJson(res, 401, { Message: "Login failed." });
    return;
  }
  res.setHeader("Set-Cookie", [
    `${AUTH_COOKIE}=${session.sessionId}; Path=/; HttpOnly; SameSite=Strict`,
    `${ANTIFORGERY_COOKIE}=${session.antiForgery}; Path=/; SameSite=Strict`,
  ]);
  sendJson(res, 200, { success: true, antiForgery: session.antiForgery });
}

const handlers: Record<string, Handler> = {
  "GET /_standin/dump": (d, _b, _q, res) => sendJson(res, 200, d.dump()),
  "GET /_standin/requests": (d, _b, _q, res) => sendJson(res, 200, d.log.list()),
  "DELETE /_standin/requests": (d, _b, _q, res) => {
    d.log.clear();
    sendJson(res, 200, { success: true });
  },
  "GET /_standin/faults": (d, _b, _q, res) => sendJson(res, 200, d.faults.state()),
  "POST /_standin/faults": (d, b, _q, res) => sendJson(res, 200, d.faults.set(b as FaultSpec)),
  "DELETE /_standin/faults": (d, _b, _q, res) => {
    d.faults.clear();
    sendJson(res, 200, d.faults.state());
  },
  "POST /_standin/api-tokens": (d, b, _q, res) => {
    const scope = (typeof b.scope === "string" ? b.scope : "User") as ApiTokenScopeName;
    const created = d.auth.createApiToken(
      String(b.username ?? ""),
      scope,
      num(b.portalId, 0),
      num(b.ttlMs, 30 * 86_400_000),
    );
    sendJson(res, 200, created);
  },
  "POST /_standin/users": (d, b, _q, res) => {
    const user = d.addUser({
      username: String(b.username ?? ""),
      password: String(b.password ?? ""),
      ...(typeof b.email === "string" ? { email: b.email } : {}),
      ...(typeof b.role === "string" ? { role: b.role } : {}),
      portalId: num(b.portalId, 0),
    });
    sendJson(res, 200, user);
  },
  "POST /_standin/clock": (d, b, _q, res) =>
    sendJson(res, 200, { now: d.advanceClock(num(b.advanceMs, 0)) }),
  "POST /_standin/oauth": (d, b, _q, res) => {
    d.oauth.setAuthorized(
      String(b.provider ?? ""),
      num(b.portalId, HOST_SCOPE),
      b.authorized !== false,
    );
    sendJson(res, 200, { success: true });
  },
  "GET /_standin/oauth/authorize": (d, _b, req, res) => {
    const q = new URL(req.url ?? "/", "http://x").searchParams;
    d.oauth.setAuthorized(q.get("provider") ?? "", num(q.get("portalId"), HOST_SCOPE), true);
    sendText(
      res,
      200,
      "<!DOCTYPE html><p>Authorized. You can close this window.</p>",
      "text/html; charset=utf-8",
    );
  },
  "POST /_standin/page/login": (d, b, _q, res) => pageLogin(d, b, res),
  "POST /_standin/page/logout": (d, _b, req, res) => {
    d.auth.closeSession(req.headers);
    res.setHeader("Set-Cookie", [
      `${AUTH_COOKIE}=; Path=/; Max-Age=0`,
      `${ANTIFORGERY_COOKIE}=; Path=/; Max-Age=0`,
    ]);
    sendJson(res, 200, { success: true });
  },
};

/** Answers a `/_standin/...` request. */
export async function handleAdmin(
  deps: AdminDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (!isLoopback(req)) {
    sendJson(res, 403, {
      Message: "The stand-in's control endpoints answer loopback clients only.",
    });
    return;
  }
  const pathname = new URL(req.url ?? "/", "http://x").pathname.replace(/\/+$/, "");
  const key = `${req.method ?? "GET"} ${pathname}`;
  const handler = handlers[key];
  if (!handler) {
    sendJson(res, 404, { Message: `No stand-in endpoint ${key}.` });
    return;
  }
  try {
    const body = req.method === "POST" ? (parseJsonObject(await readBody(req)) ?? {}) : {};
    handler(deps, body, req, res);
  } catch (err) {
    sendJson(res, 400, { Message: err instanceof Error ? err.message : String(err) });
  }
}
