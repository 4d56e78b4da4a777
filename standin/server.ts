/**
 * A local DNN stand-in speaking the Persona Bar SMTP contract (docs/dnn-smtp-api.md):
 * an HTTP server on 127.0.0.1 with two sites (root `/` = portal 0 "My Website", child
 * `/shop` = portal 1 "Shop"), DNN-shaped SQLite tables, DNN's password encryption, JWT /
 * API-token / cookie authentication, real test mails, fault injection, and a web page.
 *
 * Which DNN version it imitates is `dnnVersion` ("9.2" … "10.2"; versions.ts holds the table
 * of behaviour switches per version); `generation` g1/g2/g3 is kept as an alias.
 *
 * @example
 * const standin = await startStandin({ dnnVersion: "9.11", superuser: { username: "host", password: "S3cret!pass" } });
 * const res = await fetch(`${standin.siteUrl("shop")}/API/JwtAuth/mobile/login`, { method: "POST", ... });
 * await standin.close();
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type AdminDeps,
  handleAdmin,
  logEntryOf,
  RequestLog,
  type RequestLogEntry,
} from "./admin.js";
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
import { OAuthProviders, type OAuthSnapshot } from "./oauth.js";
import { renderPage } from "./page.js";
import {
  handleApi,
  isApiPath,
  notFound,
  parseApiPath,
  portalByAliasPath,
  type RouteDeps,
} from "./routes.js";
import { ROOT_PORTAL_ID, Store, type StoreDump, type UserRow } from "./store.js";
import {
  type DnnVersion,
  type Era,
  eraOf,
  type Features,
  featuresOf,
  type Generation,
  generationOf,
  resolveDnnVersion,
} from "./versions.js";

export type { RequestLogEntry } from "./admin.js";
export type { FaultSpec, FaultState } from "./faults.js";
export type { OAuthSnapshot } from "./oauth.js";
export type { StoreDump } from "./store.js";
export type { Era, Features, Generation } from "./versions.js";
export { MODELLED_VERSIONS } from "./versions.js";

/**
 * What `dump()` and `GET /_standin/dump` answer: every HostSettings/PortalSettings row
 * (SMTPPassword and OAuth client secrets decrypted, SMTPAuthProvider and the OAuth rows
 * included), plus the OAuth providers' state per scope and the web.config mail provider.
 */
export interface StandinDump extends StoreDump {
  /** OAuth providers per scope: key "host" (portal -1) and each portal id as a string. */
  oauth: Record<string, Record<string, OAuthSnapshot>>;
  /** web.config's default mail provider (MailKit once OAuth was chosen on 9.13+). */
  mailProvider: string;
  /** The DNN version spoken. */
  dnnVersion: string;
}

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
  /**
   * DNN version to imitate, "major.minor[.patch]" of 9.2 … 9.13 or 10.0 … 10.2 (default
   * "10.2"). Behaviour per version: versions.ts / docs/dnn-versions.md. Wins over `generation`.
   */
  dnnVersion?: string;
  /** Old alias of `dnnVersion`: "g1" = 9.4, "g2" = 9.11, "g3" = 10.2. */
  generation?: Generation;
  /** Folder of the SQLite file and web.config; default a new temp folder, removed at close. */
  dataDir?: string;
  /** Superuser (host). Default `host` / `dnnhost`, email host@example.com. */
  superuser?: StandinUser;
  /** Optional administrator of the root site (email default admin@example.com). */
  admin?: StandinUser;
  /** JWT authentication: "enabled" (default) or "disabled" (login answers `Bearer disabled`). */
  jwt?: "enabled" | "disabled";
  /**
   * JWT registered with `forceSSL` (DNN's usual registration): the stand-in is plain HTTP,
   * so bearer JWTs are never authenticated (Persona Bar 401), while login and extendtoken
   * still succeed. Default false (JWT accepted over HTTP).
   */
  jwtForceSsl?: boolean;
  /** DNN 10 API tokens (off by default, as DNN ships; never accepted on 9.x). */
  apiTokens?: boolean;
  /**
   * The administrator role (DNN's AdministratorRoleName) the Admin controller admits: one
   * name for every site, or per portal id (`{ 0: "Site Admins", 1: "Shop Admins" }`).
   * Default "Administrators". `admin` users are put in it.
   */
  adminRoleName?: string | Record<number, string>;
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

/**
 * Extra users for tests. role: "user" (default), "admin" (the site's administrator role,
 * see `adminRoleName`), "superuser", or any other text = a role of that name (created).
 */
export interface AddUserSpec extends StandinUser {
  role?: "user" | "admin" | "superuser" | string;
  /** Site the user belongs to (default 0, the root site). */
  portalId?: number;
}

export interface Standin {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** The DNN version spoken, as given (e.g. "9.11", "10.2"). */
  readonly dnnVersion: string;
  /** Its behaviour era, E1 … E5 (docs/dnn-smtp-api.md section 4). */
  readonly era: Era;
  /** The old coarse label derived from the version: E1–E3 → g1, E4 → g2, E5 → g3. */
  readonly generation: Generation;
  /** The behaviour switches of that version (versions.ts). */
  readonly features: Features;
  readonly dataDir: string;
  /** Site URL by alias path: "" → root site (= url), "shop" → url + "/shop". */
  siteUrl(alias?: string): string;
  /** Stored rows (secrets decrypted), OAuth state, mail provider (= GET /_standin/dump). */
  dump(): StandinDump;
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
  /** Sets a site's administrator role name (created when missing). */
  setAdminRoleName(portalId: number, roleName: string): void;
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
  logEntryOf.set(req, entry);
  res.on("close", () => {
    entry.status = res.headersSent ? res.statusCode : 0;
    if (!rt.quiet) process.stderr.write(`${entry.method} ${entry.path} ${entry.status}\n`);
  });
  const route = parseApiPath(pathname);
  if (route || isApiPath(pathname)) {
    const latency = Math.min(rt.deps.faults.latencyMs, MAX_LATENCY_MS);
    if (latency > 0) await sleep(latency);
    const fault = rt.deps.faults.take(pathname);
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
  const named = !["user", "admin", "superuser"].includes(role);
  return store.upsertUser({
    username: u.username,
    password: u.password,
    email: u.email ?? `${u.username}@example.com`,
    superuser: role === "superuser",
    portalId: u.portalId ?? ROOT_PORTAL_ID,
    admin: role === "admin",
    ...(named ? { roles: [role] } : {}),
  });
}

function applyAdminRoleNames(store: Store, option: StandinOptions["adminRoleName"]): void {
  if (option === undefined) return;
  if (typeof option === "string") {
    for (const p of store.portals()) store.setAdminRoleName(p.portalId, option);
    return;
  }
  for (const [id, name] of Object.entries(option)) {
    const portalId = Number(id);
    if (!store.portal(portalId)) throw new Error(`adminRoleName: no portal ${id}`);
    store.setAdminRoleName(portalId, name);
  }
}

function dumpOf(store: Store, oauth: OAuthProviders, version: DnnVersion): StandinDump {
  const scopes: Record<string, Record<string, OAuthSnapshot>> = { host: oauth.snapshot(-1) };
  for (const p of store.portals()) scopes[String(p.portalId)] = oauth.snapshot(p.portalId);
  return {
    ...store.dump(),
    oauth: scopes,
    mailProvider: store.mailProvider,
    dnnVersion: version.text,
  };
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

/** The store with its users and role names; its folder is removed again when seeding fails. */
function openStore(options: StandinOptions, now: () => number) {
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "dnn-standin-"));
  const store = new Store(dataDir, now, options.extraSites ?? 0);
  const discard = () => {
    store.close();
    if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    applyAdminRoleNames(store, options.adminRoleName);
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
  } catch (err) {
    discard();
    throw err;
  }
  return { store, dataDir, discard };
}

/** Closes the server (hung requests first) and the store. */
async function shutdown(server: Server, rt: Runtime, discard: () => void): Promise<void> {
  for (const res of rt.hung) res.destroy();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  discard();
}

/** The stand-in's clock: `base` (the injected clock or Date.now) plus what `advanceClock` added. */
function clockOf(base: () => number) {
  let offset = 0;
  const now = () => base() + offset;
  const advanceClock = (ms: number) => {
    offset += Math.max(0, ms);
    return now();
  };
  return { now, advanceClock };
}

type Clock = ReturnType<typeof clockOf>;

/**
 * Authentication, faults, OAuth and the request log over the store, wired into what the
 * routes and the control endpoints need. `urlOf` is read late: the URL is known only once
 * the server listens.
 */
function wire(
  options: StandinOptions,
  version: DnnVersion,
  store: Store,
  clock: Clock,
  urlOf: () => string,
) {
  const { now, advanceClock } = clock;
  const features = featuresOf(version);
  const auth = new Auth(store, {
    jwtEnabled: options.jwt !== "disabled",
    jwtForceSsl: options.jwtForceSsl === true,
    apiTokensEnabled: options.apiTokens === true && features.apiTokens,
    now,
  });
  const faults = new Faults(() => auth.expireAllTokens());
  if (options.faults) faults.set(options.faults);
  const oauth = new OAuthProviders(store, urlOf);
  const log = new RequestLog();
  const addUser = (u: AddUserSpec) => addUserTo(store, u);
  const dump = () => dumpOf(store, oauth, version);
  const rt: Runtime = {
    deps: { store, auth, faults, oauth, features, smtpTls: options.smtpTls ?? {} },
    admin: { store, auth, faults, oauth, log, advanceClock, addUser, dump },
    log,
    now,
    quiet: options.quiet === true,
    hung: new Set(),
  };
  return { rt, features, auth, faults, oauth, addUser, dump };
}

/** The HTTP server: an error escaping a handler answers 500, or drops the connection once headers went out. */
function serverOf(rt: Runtime): Server {
  return createServer((req, res) => {
    handle(rt, req, res).catch((err) => {
      if (!res.headersSent)
        sendJson(res, 500, { Message: "An error has occurred.", ExceptionMessage: String(err) });
      else res.destroy();
    });
  });
}

/** Listens on 127.0.0.1; when that fails, the store (and its own folder) is discarded first. */
async function listenOrDiscard(server: Server, port: number, discard: () => void): Promise<number> {
  try {
    return await listen(server, port);
  } catch (err) {
    discard();
    throw err;
  }
}

/** The handle a caller holds: the running parts, and a `close` that shuts down once however often it is called. */
function handleOf(s: {
  url: string;
  port: number;
  version: DnnVersion;
  dataDir: string;
  clock: Clock;
  wired: ReturnType<typeof wire>;
  server: Server;
  discard: () => void;
}): Standin {
  const { url, version, wired } = s;
  const { store, auth, oauth } = wired.rt.deps;
  let closing: Promise<void> | undefined;
  return {
    url,
    port: s.port,
    dnnVersion: version.text,
    era: eraOf(version),
    generation: generationOf(version),
    features: wired.features,
    dataDir: s.dataDir,
    siteUrl: (alias = "") => (alias ? `${url}/${alias.replace(/^\/+|\/+$/g, "")}` : url),
    dump: wired.dump,
    faults: wired.faults,
    requests: wired.rt.log,
    store,
    createApiToken: (username, scope = "User", portalId = ROOT_PORTAL_ID) =>
      auth.createApiToken(username, scope, portalId),
    addUser: wired.addUser,
    setAdminRoleName: (portalId, roleName) => store.setAdminRoleName(portalId, roleName),
    setOAuthAuthorized: (provider, portalId, authorized) =>
      oauth.setAuthorized(provider, portalId, authorized),
    advanceClock: s.clock.advanceClock,
    now: s.clock.now,
    close: () => {
      closing ??= shutdown(s.server, wired.rt, s.discard);
      return closing;
    },
  };
}

/** Starts a stand-in; resolves once it listens. */
export async function startStandin(options: StandinOptions = {}): Promise<Standin> {
  const version = resolveDnnVersion(options);
  const clock = clockOf(options.now ?? Date.now);
  const { store, dataDir, discard } = openStore(options, clock.now);
  let url = "";
  const wired = wire(options, version, store, clock, () => url);
  const server = serverOf(wired.rt);
  const port = await listenOrDiscard(server, options.port ?? 0, discard);
  url = `http://127.0.0.1:${port}`;
  store.updateAliasHost(`127.0.0.1:${port}`);
  return handleOf({ url, port, version, dataDir, clock, wired, server, discard });
}
