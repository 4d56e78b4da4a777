/**
 * The HTTP transport under the DNN client: keep-alive agents, a per-installation
 * concurrency limit, a timeout per request, and bounded retries with backoff and jitter.
 * It knows nothing about DNN; `dnn-client.ts` gives the answers their meaning.
 */
import * as http from "node:http";
import * as https from "node:https";
import * as tls from "node:tls";
import { DnnSmtpError } from "../errors";

/** Each request, connect included, must answer within this. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** Attempts per request, the first one included. */
export const MAX_ATTEMPTS = 4;
/** First backoff; it doubles per attempt, with up to 50% jitter. */
export const BACKOFF_BASE_MS = 250;
export const BACKOFF_MAX_MS = 4_000;
/** A `Retry-After` longer than this is not waited for: the error is reported instead. */
export const RETRY_AFTER_MAX_MS = 30_000;
/** Concurrent requests to one DNN installation (scheme, host and port). */
export const CONCURRENCY_PER_ORIGIN = 8;

export interface TlsOptions {
  /** PEM certificate(s) to trust in addition to the system store. */
  readonly caCert?: string;
  /** Turns certificate checks off. Only for test sites; a warning is logged. */
  readonly insecureSkipVerify?: boolean;
}

export interface TransportOptions extends TlsOptions {
  readonly timeoutMs?: number;
  readonly maxAttempts?: number;
  readonly backoffBaseMs?: number;
}

export interface HttpRequest {
  readonly method: "GET" | "POST";
  readonly url: URL;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
  /** Retry 5xx answers too (safe for reads and for writes that are idempotent). */
  readonly retryServerErrors?: boolean;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
}

/** Counts requests sent, per process: benchmarks and tests read it. */
export const requestCounter = { sent: 0 };

/** At most `limit` pieces of work at once; the rest wait their turn, first come first served. */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await work();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

const agents = new Map<string, http.Agent>();
const limits = new Map<string, Semaphore>();

function agentFor(url: URL, options: TlsOptions): http.Agent {
  const key = `${url.origin}|${options.caCert ?? ""}|${options.insecureSkipVerify ? 1 : 0}`;
  let agent = agents.get(key);
  if (!agent) {
    agent =
      url.protocol === "https:"
        ? new https.Agent({
            keepAlive: true,
            ca: options.caCert ? [...tls.rootCertificates, options.caCert] : undefined,
            rejectUnauthorized: !options.insecureSkipVerify,
          })
        : new http.Agent({ keepAlive: true });
    agents.set(key, agent);
  }
  return agent;
}

function limitFor(url: URL): Semaphore {
  let limit = limits.get(url.origin);
  if (!limit) {
    limit = new Semaphore(CONCURRENCY_PER_ORIGIN);
    limits.set(url.origin, limit);
  }
  return limit;
}

function describe(request: HttpRequest): string {
  return `${request.method} ${request.url.origin}${request.url.pathname}`;
}

function sendOnce(request: HttpRequest, options: TransportOptions): Promise<HttpResponse> {
  const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
  const body = request.body === undefined ? undefined : JSON.stringify(request.body);
  const lib = request.url.protocol === "https:" ? https : http;
  requestCounter.sent++;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      request.url,
      {
        method: request.method,
        agent: agentFor(request.url, options),
        headers: {
          accept: "application/json",
          ...(body === undefined
            ? {}
            : { "content-type": "application/json", "content-length": Buffer.byteLength(body) }),
          ...request.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    // One deadline for the whole exchange: a server that accepts and never answers is
    // as stuck as one that never accepts.
    const timer = setTimeout(() => {
      req.destroy(
        new DnnSmtpError(
          "DNN_TIMEOUT",
          `${describe(request)} got no answer within ${timeoutMs} ms; check that the site is up, or raise the site's timeout`,
          { transient: true, command: describe(request) },
        ),
      );
    }, timeoutMs);
    req.on("close", () => clearTimeout(timer));
    req.on("error", reject);
    req.end(body);
  });
}

// OpenSSL's verification failures (UNABLE_TO_VERIFY_LEAF_SIGNATURE, SELF_SIGNED_CERT_IN_CHAIN,
// CERT_HAS_EXPIRED, ...) and Node's own TLS errors: none gets better by retrying.
const TLS_VERIFY_CODES = /CERT|SIGNATURE|ISSUER|SELF_SIGNED|^ERR_TLS|^ERR_SSL/;

function unreachable(request: HttpRequest, error: NodeJS.ErrnoException): DnnSmtpError {
  const code = error.code ?? "";
  if (TLS_VERIFY_CODES.test(code)) {
    return new DnnSmtpError(
      "DNN_UNREACHABLE",
      `${describe(request)}: the site's TLS certificate is not trusted (${code}); pass site.caCert with its CA, or fix the certificate`,
      { cause: error, command: describe(request) },
    );
  }
  return new DnnSmtpError(
    "DNN_UNREACHABLE",
    `${describe(request)} failed (${code || error.message}); check the site URL and that DNN is running`,
    { transient: true, cause: error, command: describe(request) },
  );
}

function retryAfterMs(response: HttpResponse): number | undefined {
  const header = response.headers["retry-after"];
  if (typeof header !== "string") return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function backoff(attempt: number, base: number): number {
  const exp = Math.min(BACKOFF_MAX_MS, base * 2 ** (attempt - 1));
  return exp / 2 + Math.random() * (exp / 2);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Sends a request with the installation's concurrency limit, retrying connection errors,
 * 503 (honouring Retry-After) and, when allowed, other 5xx answers. Timeouts are not
 * retried: a hung server would otherwise hold `pulumi up` for minutes.
 */
export async function send(
  request: HttpRequest,
  options: TransportOptions = {},
): Promise<HttpResponse> {
  const maxAttempts = options.maxAttempts ?? MAX_ATTEMPTS;
  const base = options.backoffBaseMs ?? BACKOFF_BASE_MS;
  const limit = limitFor(request.url);
  for (let attempt = 1; ; attempt++) {
    const last = attempt >= maxAttempts;
    let response: HttpResponse;
    try {
      response = await limit.run(() => sendOnce(request, options));
    } catch (error) {
      if (error instanceof DnnSmtpError) throw error;
      const failure = unreachable(request, error as NodeJS.ErrnoException);
      if (last || !failure.transient) throw failure;
      await sleep(backoff(attempt, base));
      continue;
    }
    const retryable =
      response.status === 503 || (response.status >= 500 && request.retryServerErrors === true);
    if (!retryable || last) return response;
    const wait = response.status === 503 ? retryAfterMs(response) : undefined;
    if (wait !== undefined && wait > RETRY_AFTER_MAX_MS) return response;
    await sleep(wait ?? backoff(attempt, base));
  }
}
