/**
 * A local DNN stand-in speaking the Persona Bar SMTP contract (docs/dnn-smtp-api.md):
 * an HTTP server on 127.0.0.1 with two sites (root `/` = portal 0 "My Website", child
 * `/shop` = portal 1 "Shop"), DNN-shaped SQLite tables, DNN's password encryption, JWT /
 * API-token / cookie authentication, real test mails, fault injection, and a web page.
 *
 * @example
 * const standin = await startStandin({ generation: "g2", superuser: { username: "host", password: "S3cret!pass" } });
 * const res = await fetch(`${standin.siteUrl("shop")}/API/JwtAuth/mobile/login`, { method: "POST", ... });
 * await standin.close();
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AdminDeps, handleAdmin, RequestLog, type RequestLogEntry } from "./admin.js";
import { type ApiTokenScopeName, Auth } from "./auth.js";
import {
  type FaultAction,
  type FaultSpec,
  Faults,
  HANG_LIMIT_MS,
  LOGIN_PAGE_HTML,
} from "./faults.js";
import { sendJson, sendText } from "./http.js";
import type { SmtpTlsOptions } from "./mailer.js";
import { OAuthProviders } from "./oauth.js";
import { renderPage } from "./page.js";
import {
  handleApi,
  isApiPath,
  notFound,
  parseApiPath,
  portalByAliasPath,
  type RouteDeps,
} from "./routes.js";
import type { Generation } from "./smtp.js";
import { ROOT_PORTAL_ID, Store, type StoreDump, type UserRow } from "./store.js";

export type { RequestLogEntry } from "./admin.js";
export type { FaultSpec, FaultState } from "./faults.js";
export type { Generation } from "./smtp.js";
export type { StoreDump } from "./store.js";

/** A user given on the command line or in options. */
export interface StandinUser {
  username: string;
  password: string;
  /** Default: `<username>@example.com` ("host@example.com" for the default superuser). */
  email?: string;
}

export interface StandinOptions {
  /** TCP port on 127.0.0.1; 0 (default) = any free port. */
  port?: number;
  /** API generation to speak: "g1" (9.2–9.10), "g2" (9.11), "g3" (9.13/10.x, default). */
  generation?: Generation;
  /** Folder of the SQLite file and web.config; default a new temp folder, removed at close. */
  dataDir?: string;
  /** Superuser (host). Default `host` / `dnnhost`, email host@example.com. */
  superuser?: StandinUser;
  /** Optional administrator of the root site (email default admin@example.com). */
  admin?: StandinUser;
  /** JWT authentication: "enabled" (default) or "disabled" (login answers `Bearer disabled`). */
  jwt?: "enabled" | "disabled";
  /** DNN 10 API tokens (off by default, as DNN ships). */
  apiTokens?: boolean;
  /** Injectable clock in ms (default Date.now); `advanceClock` adds an offset on top. */
  now?: () => number;
  /** TLS options SendTestEmail uses towards SMTP servers (e.g. a test CA). */
  smtpTls?: SmtpTlsOptions;
  /** Faults armed from the start (see faults.ts). */
  faults?: FaultSpec;
  /** No per-request log lines on stderr (default false). */
  quiet?: boolean;
  /**
   * Extra child sites `site1..siteN` beside `/` and `/shop`: portal ids 2..N+1, aliases
   * `/site1`..., names "Site 1"... (default 0). For benchmarks and tests that need N
   * distinct sites.
   */
  extraSites?: number;
}

/** Extra users for tests. role: "user" (default), "admin" (site Administrators) or "superuser". */
export interface AddUserSpec extends StandinUser {
  role?: "user" | "admin" | "superuser" | string;
  /** Site the user belongs to (default 0, the root site). */
  portalId?: number;
}

export interface Standin {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  readonly url: string;
  readonly port: number;
  readonly generation: Generation;
  readonly dataDir: string;
  /** Site URL by alias path: "" → root site (= url), "shop" → url + "/shop". */
  siteUrl(alias?: string): string;
  /** Stored HostSettings/PortalSettings rows, SMTPPassword decrypted (= GET /_standin/dump). */
  dump(): StoreDump;
  /** Programmatic fault control (= /_standin/faults). */
  readonly faults: Faults;
  /** Request log (method, path, status, timestamp); `requests.clear()` resets it. */
  readonly requests: RequestLog;
  /** Direct access to the database, for tests that need more than dump(). */
  readonly store: Store;
  /** Creates a DNN 10 API token (only User scope by a superuser may call the SMTP endpoints). */
  createApiToken(
    username: string,
    scope?: ApiTokenScopeName,
    portalId?: number,
  ): { token: string; apiTokenId: number };
  /** Adds (or updates) a user. */
  addUser(user: AddUserSpec): UserRow;
  /** Grants or withdraws an OAuth provider's consent; portalId -1 = host scope. */
  setOAuthAuthorized(provider: string, portalId: number, authorized: boolean): void;
  /** Moves the stand-in's clock forward; returns the new time (ms). */
  advanceClock(ms: number): number;
  /** The stand-in's current time (ms). */
  now(): number;
  close(): Promise<void>;
}

/** Default superuser, as documented for the team. */
export const DEFAULT_SUPERUSER: Required<StandinUser> = {
  username: "host",
  password: "dnnhost",
  email: "host@example.com",
};
/** Latency faults are capped so a mistaken value cannot stall a run. */
const MAX_LATENCY_MS = 60_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface Runtime {
  deps: RouteDeps;
  admin: AdminDeps;
  log: RequestLog;
  now: () => number;
  quiet: boolean;
  hung: Set<ServerResponse>;
}

/** Applies an injected fault: answers, resets, or holds the request. */
function applyFault(
  rt: Runtime,
  fault: FaultAction,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  if (fault.kind === "reset") {
    req.socket.resetAndDestroy();
  } else if (fault.kind === "hang") {
    rt.hung.add(res);
    const timer = setTimeout(() => res.destroy(), HANG_LIMIT_MS);
    res.on("close", () => {
      clearTimeout(timer);
      rt.hung.delete(res);
    });
  } else if (fault.kind === "fail503") {
    sendText(res, 503, "<h1>Service Unavailable</h1>", "text/html; charset=utf-8", {
      "Retry-After": String(fault.retryAfter),
    });
  } else if (fault.kind === "fail500") {
    sendJson(res, 500, { Message: "An error has occurred." });
  } else {
    sendText(res, 200, LOGIN_PAGE_HTML, "text/html; charset=utf-8");
  }
}

function servePage(rt: Runtime, pathname: string, res: ServerResponse): void {
  const segs = pathname.split("/").filter((s) => s !== "");
  const portal = segs.length > 1 ? undefined : portalByAliasPath(rt.deps.store, segs[0] ?? "");
  if (!portal) {
    notFound(res);
    return;
  }
  if (segs.length === 1 && !pathname.endsWith("/")) {
    res.writeHead(302, { Location: `${pathname}/` });
    res.end();
    return;
  }
  const base = portal.aliasPath ? `/${portal.aliasPath}` : "";
  sendText(res, 200, renderPage(base, portal.portalName), "text/html; charset=utf-8");
}

async function handle(rt: Runtime, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? "/";
  const pathname = url.split("?")[0] ?? "/";
  if (pathname.startsWith("/_standin/")) return handleAdmin(rt.admin, req, res);
  const entry: RequestLogEntry = {
    method: req.method ?? "GET",
    path: url,
    status: 0,
    timestamp: rt.now(),
  };
  rt.log.add(entry);
  res.on("close", () => {
    entry.status = res.headersSent ? res.statusCode : 0;
    if (!rt.quiet) process.stderr.write(`${entry.method} ${entry.path} ${entry.status}\n`);
  });
  const route = parseApiPath(pathname);
  if (route || isApiPath(pathname)) {
    const latency = Math.min(rt.deps.faults.latencyMs, MAX_LATENCY_MS);
    if (latency > 0) await sleep(latency);
    const fault = rt.deps.faults.take();
    if (fault) {
      entry.fault = fault.kind;
      return applyFault(rt, fault, req, res);
    }
  }
  if (route) {
    const portal = portalByAliasPath(rt.deps.store, route.prefix);
    if (portal) entry.portalId = portal.portalId;
    return handleApi(rt.deps, req, res, route);
  }
  if (req.method === "GET") return servePage(rt, pathname, res);
  notFound(res);
}

function addUserTo(store: Store, u: AddUserSpec): UserRow {
  const role = u.role ?? "user";
  return store.upsertUser({
    username: u.username,
    password: u.password,
    email: u.email ?? `${u.username}@example.com`,
    superuser: role === "superuser",
    portalId: u.portalId ?? ROOT_PORTAL_ID,
    admin: role === "admin",
  });
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Starts a stand-in; resolves once it listens. */
export async function startStandin(options: StandinOptions = {}): Promise<Standin> {
  const generation = options.generation ?? "g3";
  if (!["g1", "g2", "g3"].includes(generation)) throw new Error(`unknown generation ${generation}`);
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "dnn-standin-"));
  const baseClock = options.now ?? Date.now;
  let offset = 0;
  const now = () => baseClock() + offset;
  const store = new Store(dataDir, now, options.extraSites ?? 0);
  const superuser = {
    ...DEFAULT_SUPERUSER,
    ...options.superuser,
    email: options.superuser?.email ?? DEFAULT_SUPERUSER.email,
  };
  addUserTo(store, { ...superuser, role: "superuser" });
  if (options.admin) {
    addUserTo(store, {
      email: "admin@example.com",
      ...options.admin,
      role: "admin",
      portalId: ROOT_PORTAL_ID,
    });
  }
  const auth = new Auth(store, {
    jwtEnabled: options.jwt !== "disabled",
    apiTokensEnabled: options.apiTokens === true,
    now,
  });
  const faults = new Faults(() => auth.expireAllTokens());
  if (options.faults) faults.set(options.faults);
  let url = "";
  const oauth = new OAuthProviders(store, () => url);
  const log = new RequestLog();
  const advanceClock = (ms: number) => {
    offset += Math.max(0, ms);
    return now();
  };
  const addUser = (u: AddUserSpec) => addUserTo(store, u);
  const rt: Runtime = {
    deps: { store, auth, faults, oauth, generation, smtpTls: options.smtpTls ?? {} },
    admin: { store, auth, faults, oauth, log, advanceClock, addUser },
    log,
    now,
    quiet: options.quiet === true,
    hung: new Set(),
  };
  const server = createServer((req, res) => {
    handle(rt, req, res).catch((err) => {
      if (!res.headersSent)
        sendJson(res, 500, { Message: "An error has occurred.", ExceptionMessage: String(err) });
      else res.destroy();
    });
  });
  let port: number;
  try {
    port = await listen(server, options.port ?? 0);
  } catch (err) {
    store.close();
    if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  url = `http://127.0.0.1:${port}`;
  store.updateAliasHost(`127.0.0.1:${port}`);
  let closed = false;
  return {
    url,
    port,
    generation,
    dataDir,
    siteUrl: (alias = "") => (alias ? `${url}/${alias.replace(/^\/+|\/+$/g, "")}` : url),
    dump: () => store.dump(),
    faults,
    requests: log,
    store,
    createApiToken: (username, scope = "User", portalId = ROOT_PORTAL_ID) =>
      auth.createApiToken(username, scope, portalId),
    addUser,
    setOAuthAuthorized: (provider, portalId, authorized) =>
      oauth.setAuthorized(provider, portalId, authorized),
    advanceClock,
    now,
    async close() {
      if (closed) return;
      closed = true;
      for (const res of rt.hung) res.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      store.close();
      if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
