/**
 * Request routing, as DNN's Web API does it:
 *
 * - Routes `{prefix0}/API/{module}/{controller}/{action}` and the older
 *   `{prefix0}/DesktopModules/{module}/API/{controller}/{action}`, with 1 or 0 prefix
 *   segments (DNN maps one route per alias depth; names match case-insensitively).
 * - The portal is chosen by the URL like DnnContextMessageHandler: the path up to `API` /
 *   `DesktopModules` is the alias. Aliases are matched by PATH ONLY (host-agnostic: the port
 *   is dynamic): no prefix → root site (portal 0), `shop` → portal 1. An unknown prefix
 *   (`/nosuch/API/...`) makes DNN dereference a null alias: 500 NullReferenceException.
 * - Then controller (404), action (404), verb (405), authorisation (401), action.
 *
 * Fault injection runs first for every API-shaped path (it stands for the network/proxy).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { logEntryOf } from "./admin.js";
import type { Auth, Caller } from "./auth.js";
import type { Faults } from "./faults.js";
import {
  DENIED,
  exceptionBody,
  methodNotAllowed,
  noResource,
  nullReference,
  parseJsonObject,
  readBody,
  sendJson,
  sendText,
} from "./http.js";
import type { SmtpTlsOptions } from "./mailer.js";
import type { OAuthProviders } from "./oauth.js";
import {
  type ActionResult,
  type ControllerKind,
  getSmtpOAuthProviders,
  getSmtpSettings,
  RequestDto,
  type SmtpContext,
  sendTestEmail,
  updateSmtpSettings,
} from "./smtp.js";
import type { Portal, Store } from "./store.js";
import type { Features } from "./versions.js";

export interface RouteDeps {
  store: Store;
  auth: Auth;
  faults: Faults;
  oauth: OAuthProviders;
  /** Behaviour switches of the DNN version spoken (versions.ts). */
  features: Features;
  smtpTls: SmtpTlsOptions;
}

export interface ApiRoute {
  /** Alias path segment ("" = none). */
  prefix: string;
  module: string;
  controller: string;
  action: string;
}

/** Splits an API path into its route values, or undefined when it is not an API route. */
export function parseApiPath(pathname: string): ApiRoute | undefined {
  let segs: string[];
  try {
    segs = pathname
      .split("/")
      .filter((s) => s !== "")
      .map(decodeURIComponent);
  } catch {
    return undefined;
  }
  // DNN orders routes by prefix count, longest first.
  for (const p of [1, 0]) {
    const prefix = p === 1 ? (segs[0] ?? "") : "";
    const rest = segs.slice(p);
    const [a, b, c, d, e] = rest;
    if (rest.length === 4 && a?.toLowerCase() === "api" && b && c && d) {
      return { prefix, module: b, controller: c, action: d };
    }
    if (
      rest.length === 5 &&
      a?.toLowerCase() === "desktopmodules" &&
      c?.toLowerCase() === "api" &&
      b &&
      d &&
      e
    ) {
      return { prefix, module: b, controller: d, action: e };
    }
  }
  return undefined;
}

/** True when a path looks like an API call (for fault injection and logging). */
export function isApiPath(pathname: string): boolean {
  return /\/(api|desktopmodules)\//i.test(pathname);
}

export function portalByAliasPath(store: Store, prefix: string): Portal | undefined {
  return store.portals().find((p) => p.aliasPath === prefix.toLowerCase());
}

const CONTROLLERS: Record<string, ControllerKind> = {
  serversettingssmtphost: "host",
  serversettingssmtpadmin: "admin",
};

type ActionName =
  | "GetSmtpSettings"
  | "UpdateSmtpSettings"
  | "SendTestEmail"
  | "GetSmtpOAuthProviders";
const ACTIONS: Record<string, { name: ActionName; verb: "GET" | "POST"; oauthOnly: boolean }> = {
  getsmtpsettings: { name: "GetSmtpSettings", verb: "GET", oauthOnly: false },
  updatesmtpsettings: { name: "UpdateSmtpSettings", verb: "POST", oauthOnly: false },
  sendtestemail: { name: "SendTestEmail", verb: "POST", oauthOnly: false },
  getsmtpoauthproviders: { name: "GetSmtpOAuthProviders", verb: "GET", oauthOnly: true },
};

function fullUrl(req: IncomingMessage): string {
  return `http://${req.headers.host ?? "127.0.0.1"}${req.url ?? "/"}`;
}

/**
 * MenuPermissionAttribute: Host scope = superusers; Admin scope = superusers or members of
 * the site's configured administrator role (PortalSettings.AdministratorRoleName).
 */
function permitted(deps: RouteDeps, kind: ControllerKind, caller: Caller, portal: Portal): boolean {
  if (caller.user.isSuperUser) return true;
  return (
    kind === "admin" &&
    deps.store.isInRole(
      caller.user.userId,
      portal.portalId,
      deps.store.adminRoleName(portal.portalId),
    )
  );
}

async function runSmtpAction(
  ctx: SmtpContext,
  kind: ControllerKind,
  action: ActionName,
  body: Record<string, unknown> | null,
): Promise<ActionResult> {
  if (action === "GetSmtpSettings") return getSmtpSettings(ctx, kind);
  if (action === "GetSmtpOAuthProviders") return getSmtpOAuthProviders(ctx, kind);
  // A missing or unreadable body binds a null request: DNN dereferences it (500).
  if (body === null) throw nullReference();
  const dto = new RequestDto(body);
  if (action === "UpdateSmtpSettings") return updateSmtpSettings(ctx, kind, dto);
  return sendTestEmail(ctx, kind, dto);
}

async function handlePersonaBar(
  deps: RouteDeps,
  req: IncomingMessage,
  res: ServerResponse,
  route: ApiRoute,
  portal: Portal,
): Promise<void> {
  const method = req.method ?? "GET";
  const kind = CONTROLLERS[route.controller.toLowerCase()];
  if (!kind) {
    sendJson(
      res,
      404,
      noResource(
        fullUrl(req),
        `No type was found that matches the controller named '${route.controller}'.`,
      ),
    );
    return;
  }
  const action = ACTIONS[route.action.toLowerCase()];
  if (!action || (action.oauthOnly && !deps.features.oauth)) {
    sendJson(
      res,
      404,
      noResource(
        fullUrl(req),
        `No action was found on the controller '${route.controller}' that matches the request.`,
      ),
    );
    return;
  }
  if (method !== action.verb) {
    sendJson(res, 405, methodNotAllowed(method));
    return;
  }
  const caller = deps.auth.authenticate(req.headers, portal.portalId, method === "POST");
  if (!caller || !permitted(deps, kind, caller, portal)) {
    sendJson(res, 401, DENIED);
    return;
  }
  const body = method === "POST" ? parseJsonObject(await readBody(req)) : null;
  const entry = logEntryOf.get(req);
  if (entry && body) entry.body = body;
  const ctx: SmtpContext = {
    store: deps.store,
    features: deps.features,
    portal,
    caller,
    oauth: deps.oauth,
    smtpTls: deps.smtpTls,
  };
  const result = await runSmtpAction(ctx, kind, action.name, body);
  sendJson(res, result.status, result.body);
}

/** 401 with DNN's non-standard challenge `WWW-Authenticate: Bearer <reason>`, empty body. */
function jwtFailure(res: ServerResponse, reason: string): void {
  res.writeHead(401, { "WWW-Authenticate": `Bearer ${reason}`, "Content-Length": 0 });
  res.end();
}

function issuerOf(req: IncomingMessage, portal: Portal): string {
  const host = req.headers.host ?? "127.0.0.1";
  return portal.aliasPath ? `${host}/${portal.aliasPath}` : host;
}

async function handleJwt(
  deps: RouteDeps,
  req: IncomingMessage,
  res: ServerResponse,
  route: ApiRoute,
  portal: Portal,
): Promise<void> {
  const method = req.method ?? "GET";
  const url = fullUrl(req);
  if (route.controller.toLowerCase() !== "mobile") {
    sendJson(
      res,
      404,
      noResource(url, `No type was found that matches the controller named '${route.controller}'.`),
    );
    return;
  }
  const verbs: Record<string, string> = { login: "POST", extendtoken: "POST", logout: "GET" };
  const verb = verbs[route.action.toLowerCase()];
  if (!verb) {
    sendJson(
      res,
      404,
      noResource(url, `No action was found on the controller 'Mobile' that matches the request.`),
    );
    return;
  }
  if (method !== verb) {
    sendJson(res, 405, methodNotAllowed(method));
    return;
  }
  const action = route.action.toLowerCase();
  if (action === "logout") {
    // [DnnAuthorize(AuthTypes = "JWT")]: only a JWT-authenticated caller may log out.
    const caller = deps.auth.authenticate(req.headers, portal.portalId, false);
    if (caller?.via !== "jwt" || !deps.auth.logout(req.headers)) {
      sendJson(res, 401, DENIED);
      return;
    }
    sendJson(res, 200, { success: true });
    return;
  }
  const body = parseJsonObject(await readBody(req));
  const dto = body ? new RequestDto(body) : null;
  const result =
    action === "login"
      ? loginResult(deps, dto, portal, issuerOf(req, portal))
      : renewResult(deps, req, dto, portal, issuerOf(req, portal));
  if ("error" in result) jwtFailure(res, result.error);
  else sendJson(res, 200, result);
}

function loginResult(deps: RouteDeps, dto: RequestDto | null, portal: Portal, issuer: string) {
  if (!deps.auth.jwtEnabled) return { error: "disabled" };
  if (!dto) throw nullReference(); // loginData.Username on a null LoginData
  return deps.auth.login(dto.str("u") ?? "", dto.str("p") ?? "", portal.portalId, issuer);
}

function renewResult(
  deps: RouteDeps,
  req: IncomingMessage,
  dto: RequestDto | null,
  portal: Portal,
  issuer: string,
) {
  if (!dto) throw nullReference(); // rtoken.RenewalToken on a null RenewalDto
  return deps.auth.renew(req.headers, dto.str("rtoken") ?? "", portal.portalId, issuer);
}

/** Handles an API route (already parsed): portal resolution, then the module's controller. */
export async function handleApi(
  deps: RouteDeps,
  req: IncomingMessage,
  res: ServerResponse,
  route: ApiRoute,
): Promise<void> {
  try {
    const portal = portalByAliasPath(deps.store, route.prefix);
    if (!portal) throw nullReference(); // DnnContextMessageHandler: alias.PortalID on null
    const module = route.module.toLowerCase();
    if (module === "personabar") await handlePersonaBar(deps, req, res, route, portal);
    else if (module === "jwtauth") await handleJwt(deps, req, res, route, portal);
    else
      sendJson(
        res,
        404,
        noResource(
          fullUrl(req),
          "No route providing a controller name was found to match request URI.",
        ),
      );
  } catch (err) {
    if (!res.headersSent) sendJson(res, 500, exceptionBody(err));
    else res.destroy();
  }
}

export function notFound(res: ServerResponse): void {
  sendText(res, 404, "The resource cannot be found.");
}
