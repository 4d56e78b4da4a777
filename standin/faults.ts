/**
 * Fault injection for reliability tests, switchable per run through `startStandin({faults})`,
 * `standin.faults.set(...)` or `POST /_standin/faults` (loopback only).
 *
 * Every count applies to the next N *API* requests (paths containing `/API/`: Persona Bar
 * and JwtAuth, both route styles); the page, `/_standin/*` and static paths are never hit.
 * When several are armed, one request consumes one fault in this order:
 * reset → hang → fail503 → fail500 → html. `latencyMs` delays every API request while set
 * (0 turns it off) and is applied before any other fault. `expireTokens: true` expires every
 * stored JWT access token immediately (renewal still works, as after 60 minutes).
 * `POST /_standin/faults` with `{}`/`DELETE` clears everything.
 */

/** Longest time a "hang" fault holds a request before dropping it, so tests stay bounded. */
export const HANG_LIMIT_MS = 120_000;

export interface FaultSpec {
  /** Added delay for every API request, in milliseconds (0 = off). */
  latencyMs?: number;
  /** The next N API requests answer 500 with a Web API error body. */
  fail500?: number;
  /** The next `count` API requests answer 503 with `Retry-After: retryAfter` (seconds, default 1). */
  fail503?: { count: number; retryAfter?: number };
  /** The next N API requests have their connection reset (socket destroyed, no answer). */
  reset?: number;
  /** The next N API requests never get an answer (dropped after HANG_LIMIT_MS or at close). */
  hang?: number;
  /** The next N API requests get DNN's HTML login page (200 text/html) instead of JSON. */
  html?: number;
  /** Expire every JWT access token now. */
  expireTokens?: boolean;
  /**
   * Aim the armed faults: only requests whose path contains this text (case-insensitive,
   * e.g. "UpdateSmtpSettings") are counted or suffer; "" or absent = every API request.
   */
  match?: string;
  /** Let this many (matching) API requests pass before the armed faults start. */
  skip?: number;
}

export type FaultAction =
  | { kind: "reset" }
  | { kind: "hang" }
  | { kind: "fail503"; retryAfter: number }
  | { kind: "fail500" }
  | { kind: "html" };

export interface FaultState {
  latencyMs: number;
  fail500: number;
  fail503: number;
  retryAfter: number;
  reset: number;
  hang: number;
  html: number;
  match: string;
  skip: number;
}

function count(n: unknown): number {
  const v = Number(n);
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : 0;
}

export class Faults {
  #state: FaultState = emptyState();
  readonly #onExpireTokens: () => void;

  constructor(onExpireTokens: () => void) {
    this.#onExpireTokens = onExpireTokens;
  }

  /** Arms the given faults; fields not given keep their current value. */
  set(spec: FaultSpec): FaultState {
    const s = this.#state;
    if (spec.latencyMs !== undefined) s.latencyMs = count(spec.latencyMs);
    if (spec.fail500 !== undefined) s.fail500 = count(spec.fail500);
    if (spec.fail503 !== undefined) {
      s.fail503 = count(spec.fail503.count);
      s.retryAfter = count(spec.fail503.retryAfter ?? 1);
    }
    if (spec.reset !== undefined) s.reset = count(spec.reset);
    if (spec.hang !== undefined) s.hang = count(spec.hang);
    if (spec.html !== undefined) s.html = count(spec.html);
    if (spec.match !== undefined) s.match = spec.match.toLowerCase();
    if (spec.skip !== undefined) s.skip = count(spec.skip);
    if (spec.expireTokens) this.#onExpireTokens();
    return this.state();
  }

  clear(): void {
    this.#state = emptyState();
  }

  state(): FaultState {
    return { ...this.#state };
  }

  get latencyMs(): number {
    return this.#state.latencyMs;
  }

  /** Consumes the fault the next API request (at `path`) must suffer, if any. */
  take(path = ""): FaultAction | undefined {
    const s = this.#state;
    if (s.match !== "" && !path.toLowerCase().includes(s.match)) return undefined;
    if (s.skip > 0 && (s.reset || s.hang || s.fail503 || s.fail500 || s.html)) {
      s.skip--;
      return undefined;
    }
    if (s.reset > 0) {
      s.reset--;
      return { kind: "reset" };
    }
    if (s.hang > 0) {
      s.hang--;
      return { kind: "hang" };
    }
    if (s.fail503 > 0) {
      s.fail503--;
      return { kind: "fail503", retryAfter: s.retryAfter };
    }
    if (s.fail500 > 0) {
      s.fail500--;
      return { kind: "fail500" };
    }
    if (s.html > 0) {
      s.html--;
      return { kind: "html" };
    }
    return undefined;
  }
}

function emptyState(): FaultState {
  return {
    latencyMs: 0,
    fail500: 0,
    fail503: 0,
    retryAfter: 1,
    reset: 0,
    hang: 0,
    html: 0,
    match: "",
    skip: 0,
  };
}

/** What DNN shows an unauthenticated browser: its login page, as HTML. */
export const LOGIN_PAGE_HTML = `<!DOCTYPE html>
<html><head><title>User Log In</title></head>
<body><form method="post" action="/Login?returnurl=%2f">
<input type="hidden" name="__RequestVerificationToken" value="standin" />
<label>Username</label><input name="dnn$ctr$Login$Login_DNN$txtUsername" />
<label>Password</label><input type="password" name="dnn$ctr$Login$Login_DNN$txtPassword" />
<a id="dnn_ctr_Login_Login_DNN_cmdLogin" href="#">Login</a>
</form></body></html>`;
