/**
 * Who is calling: DNN's JWT module (Dnn.AuthServices.Jwt), DNN 10 API tokens, and the
 * forms-auth cookie + anti-forgery pair the stand-in's own web page uses.
 *
 * JWT as in JwtController: access tokens live 60 minutes, renewal tokens 14 days; a token
 * is valid only while its SHA-384 hash, expiry and user are in the JsonWebTokens table, and
 * the user is then loaded for the site in the URL (a superuser's token works on every site,
 * a site administrator's only where that user exists). DNN checks the token's own
 * `nbf`/`exp` with no leeway on `exp` (`nbf` is issued 5 minutes in the past).
 *
 * DNN normally registers JWT with `forceSSL="true"`: AuthMessageHandlerBase.NeedsAuthentication
 * then skips JWT on a request whose URI is not https, so the bearer is simply not
 * authenticated (Persona Bar: 401), while login and extendtoken (anonymous actions that read
 * the token themselves) still work. The stand-in serves plain HTTP on loopback, so by default
 * it accepts JWT over HTTP; with `jwtForceSsl` it refuses every JWT bearer (no request to it
 * is https; `X-Forwarded-Proto` is ignored, as DNN looks at the request URI, so JWT behind a
 * TLS-ending proxy fails the same way).
 */
import { createHash, createHmac, randomBytes, randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { Store, UserRow } from "./store.js";

/** Access token lifetime (JwtController.DefaultSessionTokenTtlMinutes = 60). */
export const ACCESS_TOKEN_TTL_MS = 60 * 60_000;
/** Renewal token lifetime (DefaultRenewalTokenTtlMinutes = 20160, 14 days). */
export const RENEWAL_TOKEN_TTL_MS = 14 * 24 * 60 * 60_000;
/** `nbf` is set this far in the past (JwtController.ClockSkew = 5 minutes). */
export const CLOCK_SKEW_MS = 5 * 60_000;
/** DNN 10 ApiTokenScope values. */
export const API_TOKEN_SCOPE = { User: 0, Portal: 1, Host: 2 } as const;
export type ApiTokenScopeName = keyof typeof API_TOKEN_SCOPE;

/** The Role claim type DNN writes next to the legacy "role" claim. */
const ROLE_CLAIM = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role";

export type AuthVia = "jwt" | "apitoken" | "cookie";

export interface Caller {
  user: UserRow;
  via: AuthVia;
  /** Bearer-authenticated requests skip the anti-forgery check (DNN does the same). */
  bearer: boolean;
}

/** A JWT login/renew failure: 401 with `WWW-Authenticate: Bearer <reason>`. */
export interface JwtFailure {
  error: string;
}

export interface LoginResult {
  userId: number;
  displayName: string;
  accessToken: string;
  renewalToken: string;
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString("base64url");
}

/** DNN's GetHashedStr: SHA-384, Base64 without padding. */
export function hashToken(data: string): string {
  return createHash("sha384").update(data, "utf8").digest("base64").replace(/=+$/, "");
}

interface JwtParts {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

function decodeJwt(raw: string): JwtParts | undefined {
  const parts = raw.split(".");
  if (parts.length < 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0] ?? "", "base64url").toString("utf8"));
    const payload = JSON.parse(Buffer.from(parts[1] ?? "", "base64url").toString("utf8"));
    if (typeof header !== "object" || typeof payload !== "object") return undefined;
    return { header, payload };
  } catch {
    return undefined;
  }
}

function bearerOf(headers: IncomingHttpHeaders): string | undefined {
  const value = headers.authorization;
  if (!value) return undefined;
  const match = /^bearer\s+(\S+)\s*$/i.exec(value);
  return match?.[1];
}

function cookieOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  for (const part of (headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name)
      return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** Forms-auth cookie name (DNN's default). */
export const AUTH_COOKIE = ".DOTNETNUKE";
/** Anti-forgery cookie; the page echoes its value in the `RequestVerificationToken` header. */
export const ANTIFORGERY_COOKIE = "__RequestVerificationToken";

export interface AuthOptions {
  jwtEnabled: boolean;
  /** JWT registered with forceSSL: bearer JWTs are never authenticated over (plain) HTTP. */
  jwtForceSsl?: boolean;
  apiTokensEnabled: boolean;
  now: () => number;
}

export class Auth {
  readonly #store: Store;
  readonly #options: AuthOptions;
  /** Cookie sessions of the web page: session id → user id (memory only, like a login). */
  readonly #sessions = new Map<string, { userId: number; antiForgery: string }>();

  constructor(store: Store, options: AuthOptions) {
    this.#store = store;
    this.#options = options;
  }

  get jwtEnabled(): boolean {
    return this.#options.jwtEnabled;
  }

  /** Loads a user for a site the way UserController.GetUserById(portalId, id) would. */
  #userForPortal(userId: number, portalId: number): UserRow | undefined {
    const user = this.#store.userById(userId);
    return user && this.#store.userOnPortal(user, portalId) ? user : undefined;
  }

  // ---- request authentication ------------------------------------------------------

  /**
   * Identifies the caller of an API request on `portalId`, or undefined (anonymous).
   * `isPost` enables the anti-forgery check for cookie authentication.
   */
  authenticate(
    headers: IncomingHttpHeaders,
    portalId: number,
    isPost: boolean,
  ): Caller | undefined {
    const bearer = bearerOf(headers);
    if (bearer) {
      const viaJwt = this.#validateJwt(bearer, portalId);
      if (viaJwt) return { user: viaJwt, via: "jwt", bearer: true };
      const viaToken = this.#validateApiToken(bearer, portalId);
      if (viaToken) return { user: viaToken, via: "apitoken", bearer: true };
    }
    return this.#validateCookie(headers, portalId, isPost);
  }

  #validateJwt(raw: string, portalId: number): UserRow | undefined {
    if (!this.#options.jwtEnabled || this.#options.jwtForceSsl) return undefined;
    const jwt = decodeJwt(raw);
    // DNN first checks that the header names the JWT scheme, then nbf/exp, then the DB row.
    if (!jwt || String(jwt.header.typ ?? "").toUpperCase() !== "JWT") return undefined;
    const now = this.#options.now();
    const nbf = Number(jwt.payload.nbf) * 1000;
    const exp = Number(jwt.payload.exp) * 1000;
    if (!(now >= nbf && now <= exp)) return undefined;
    const persisted = this.#store.getToken(String(jwt.payload.sid ?? ""));
    if (!persisted) return undefined;
    if (now > persisted.tokenExpiry || now > persisted.renewalExpiry) return undefined;
    if (persisted.tokenHash !== hashToken(raw)) return undefined;
    return this.#userForPortal(persisted.userId, portalId);
  }

  /**
   * DNN 10 API tokens (ApiTokenAuthMessageHandler): a User-scope token acts as its creator,
   * loaded for the site in the URL (any user: a superuser passes both controllers, a site
   * administrator the Admin controller of their site). Host/Portal-scope tokens set no user,
   * so the SMTP controllers answer 401. Never accepted before DNN 10 (the feature is absent).
   */
  #validateApiToken(raw: string, portalId: number): UserRow | undefined {
    if (!this.#options.apiTokensEnabled) return undefined;
    const row = this.#store.apiTokenByHash(hashToken(raw));
    if (!row || row.isRevoked || row.expiresOn <= this.#options.now()) return undefined;
    if (row.scope !== API_TOKEN_SCOPE.User) return undefined;
    return this.#userForPortal(row.createdByUserId, portalId);
  }

  #validateCookie(
    headers: IncomingHttpHeaders,
    portalId: number,
    isPost: boolean,
  ): Caller | undefined {
    const sessionId = cookieOf(headers, AUTH_COOKIE);
    const session = sessionId ? this.#sessions.get(sessionId) : undefined;
    if (!session) return undefined;
    if (isPost) {
      // ValidateAntiForgeryToken: header must match the anti-forgery cookie.
      const header = headers.requestverificationtoken;
      const cookie = cookieOf(headers, ANTIFORGERY_COOKIE);
      if (!header || header !== cookie || header !== session.antiForgery) return undefined;
    }
    const user = this.#userForPortal(session.userId, portalId);
    return user ? { user, via: "cookie", bearer: false } : undefined;
  }

  // ---- JWT endpoints ----------------------------------------------------------------

  #issue(user: UserRow, tokenId: string, expiry: number, portalId: number, issuer: string): string {
    const portalGuid = this.#store.portal(portalId)?.guid ?? "";
    // JwtController.ObtainSecret: session id, portal GUID ("N" format), password change date.
    const secret = [tokenId, portalGuid.replaceAll("-", ""), user.lastPasswordChangeDate].join(".");
    const roles = user.isSuperUser ? ["Superusers"] : this.#store.rolesOf(user.userId, portalId);
    const now = this.#options.now();
    const header = { alg: "HS256", typ: "JWT" };
    const payload = {
      sid: tokenId,
      [ROLE_CLAIM]: roles,
      role: roles,
      nbf: Math.floor((now - CLOCK_SKEW_MS) / 1000),
      exp: Math.floor(expiry / 1000),
      iat: Math.floor(now / 1000),
      iss: issuer,
    };
    const body = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
    const signature = createHmac("sha256", secret).update(body).digest("base64url");
    return `${body}.${signature}`;
  }

  /** POST {site}/API/JwtAuth/mobile/login. */
  login(
    username: string,
    password: string,
    portalId: number,
    issuer: string,
  ): LoginResult | JwtFailure {
    if (!this.#options.jwtEnabled) return { error: "disabled" };
    if (!this.#store.portal(portalId)) return { error: "no-portal" };
    const user = this.#store.verifyPassword(username, password);
    if (!user || !this.#store.userOnPortal(user, portalId)) return { error: "bad-credentials" };
    const now = this.#options.now();
    // Session id as DNN builds it: ticks in hex + half a GUID.
    const tokenId = now.toString(16).padStart(16, "0") + randomUUID().replaceAll("-", "").slice(16);
    const renewalToken = createHash("sha384")
      .update(randomBytes(16))
      .digest("base64")
      .replace(/=+$/, "");
    const tokenExpiry = now + ACCESS_TOKEN_TTL_MS;
    const accessToken = this.#issue(user, tokenId, tokenExpiry, portalId, issuer);
    this.#store.addToken({
      tokenId,
      userId: user.userId,
      tokenExpiry,
      renewalExpiry: now + RENEWAL_TOKEN_TTL_MS,
      tokenHash: hashToken(accessToken),
      renewalHash: hashToken(renewalToken),
    });
    return { userId: user.userId, displayName: user.displayName, accessToken, renewalToken };
  }

  /** POST {site}/API/JwtAuth/mobile/extendtoken: the (possibly expired) token + rtoken. */
  renew(
    headers: IncomingHttpHeaders,
    renewalToken: string,
    portalId: number,
    issuer: string,
  ): LoginResult | JwtFailure {
    if (!this.#options.jwtEnabled) return { error: "disabled" };
    const raw = bearerOf(headers);
    if (!raw) return { error: "bad-credentials" };
    const jwt = decodeJwt(raw);
    if (!jwt) return { error: "bad-jwt" };
    const sid = jwt.payload.sid;
    if (typeof sid !== "string" || sid === "") return { error: "bad-claims" };
    const persisted = this.#store.getToken(sid);
    if (!persisted) return { error: "not-found" };
    const now = this.#options.now();
    if (persisted.renewalExpiry <= now) return { error: "not-more-renewal" };
    if (persisted.renewalHash !== hashToken(renewalToken)) return { error: "bad-token" };
    if (persisted.tokenHash !== hashToken(raw)) return { error: "bad-token" };
    const user = this.#userForPortal(persisted.userId, portalId);
    if (!user) return { error: "not-found" };
    const tokenExpiry = Math.min(now + ACCESS_TOKEN_TTL_MS, persisted.renewalExpiry);
    const accessToken = this.#issue(user, persisted.tokenId, tokenExpiry, portalId, issuer);
    this.#store.updateToken({ ...persisted, tokenExpiry, tokenHash: hashToken(accessToken) });
    return { userId: user.userId, displayName: user.displayName, accessToken, renewalToken };
  }

  /** GET {site}/API/JwtAuth/mobile/logout: deletes the presented token's row. */
  logout(headers: IncomingHttpHeaders): boolean {
    const raw = bearerOf(headers);
    const sid = raw ? decodeJwt(raw)?.payload.sid : undefined;
    if (typeof sid !== "string" || sid === "") return false;
    this.#store.deleteToken(sid);
    return true;
  }

  // ---- API tokens and page sessions -------------------------------------------------

  /** Creates a DNN 10 API token for `username`; returns the secret once. */
  createApiToken(
    username: string,
    scope: ApiTokenScopeName = "User",
    portalId = 0,
    ttlMs = 30 * 24 * 60 * 60_000,
  ): { token: string; apiTokenId: number } {
    const user = this.#store.userByName(username);
    if (!user) throw new Error(`no user ${username}`);
    const token = randomBytes(32).toString("base64url");
    const apiTokenId = this.#store.addApiToken({
      tokenHash: hashToken(token),
      scope: API_TOKEN_SCOPE[scope],
      portalId,
      createdByUserId: user.userId,
      expiresOn: this.#options.now() + ttlMs,
    });
    return { token, apiTokenId };
  }

  /** Page login: checks the password and opens a cookie session. */
  openSession(
    username: string,
    password: string,
  ): { sessionId: string; antiForgery: string } | undefined {
    const user = this.#store.verifyPassword(username, password);
    if (!user) return undefined;
    const sessionId = randomBytes(24).toString("hex");
    const antiForgery = randomBytes(24).toString("base64url");
    this.#sessions.set(sessionId, { userId: user.userId, antiForgery });
    return { sessionId, antiForgery };
  }

  closeSession(headers: IncomingHttpHeaders): void {
    const id = cookieOf(headers, AUTH_COOKIE);
    if (id) this.#sessions.delete(id);
  }

  /** Forced token expiry (fault injection): every stored access token is now expired. */
  expireAllTokens(): void {
    this.#store.expireAllTokens(this.#options.now() - 1);
  }
}
