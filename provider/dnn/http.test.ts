/** The transport against real HTTP(S) servers on loopback. */
import {
  createServer as createHttp,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttps } from "node:https";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import { testCerts } from "../../test/support/certs";
import { DnnSmtpError } from "../errors";
import { CONCURRENCY_PER_ORIGIN, send } from "./http";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function serve(handler: Handler, tls = false): Promise<URL> {
  const certs = testCerts();
  const server = tls
    ? createHttps({ key: certs.localhost.key, cert: certs.localhost.cert }, handler)
    : createHttp(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  server.closeAllConnections?.();
  return new URL(`${tls ? "https" : "http"}://localhost:${port}/`);
}

const fast = { backoffBaseMs: 5 };

describe("retries", () => {
  test("503 with Retry-After is waited for, then the answer is returned", async () => {
    let calls = 0;
    const url = await serve((_req, res) => {
      calls++;
      if (calls === 1) res.writeHead(503, { "retry-after": "1" }).end();
      else res.end("{}");
    });
    const started = Date.now();
    const response = await send({ method: "GET", url }, fast);
    expect(response.status).toBe(200);
    expect(calls).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  test("500s are retried only when allowed, and at most MAX_ATTEMPTS times", async () => {
    let calls = 0;
    const url = await serve((_req, res) => {
      calls++;
      res.writeHead(500).end("{}");
    });
    expect((await send({ method: "GET", url }, fast)).status).toBe(500);
    expect(calls).toBe(1);
    expect(
      (await send({ method: "GET", url, retryServerErrors: true }, { ...fast, maxAttempts: 3 }))
        .status,
    ).toBe(500);
    expect(calls).toBe(4);
  });

  test("a reset connection is retried; a refused one ends with a clear error", async () => {
    let calls = 0;
    const url = await serve((req, res) => {
      calls++;
      if (calls === 1) req.socket.destroy();
      else res.end("{}");
    });
    expect((await send({ method: "GET", url }, fast)).status).toBe(200);

    const closed = new URL(url);
    closed.port = "1";
    const error = await send({ method: "GET", url: closed }, { ...fast, maxAttempts: 2 }).catch(
      (e: DnnSmtpError) => e,
    );
    expect(error).toBeInstanceOf(DnnSmtpError);
    expect((error as DnnSmtpError).code).toBe("DNN_UNREACHABLE");
    expect((error as DnnSmtpError).message).toMatch(/ECONNREFUSED/);
  });

  test("an answer that never comes is a timeout, not retried", async () => {
    let calls = 0;
    const url = await serve(() => {
      calls++;
    });
    const error = await send({ method: "GET", url }, { timeoutMs: 300 }).catch(
      (e: DnnSmtpError) => e,
    );
    expect((error as DnnSmtpError).code).toBe("DNN_TIMEOUT");
    expect(calls).toBe(1);
  });
});

describe("connections", () => {
  test(`at most ${CONCURRENCY_PER_ORIGIN} requests in flight to one installation, over reused sockets`, async () => {
    let active = 0;
    let peak = 0;
    const sockets = new Set<unknown>();
    const url = await serve((req, res) => {
      sockets.add(req.socket);
      active++;
      peak = Math.max(peak, active);
      setTimeout(() => {
        active--;
        res.end("{}");
      }, 20);
    });
    await Promise.all(Array.from({ length: 40 }, () => send({ method: "GET", url })));
    expect(peak).toBe(CONCURRENCY_PER_ORIGIN);
    expect(sockets.size).toBeLessThanOrEqual(CONCURRENCY_PER_ORIGIN);
  });
});

describe("TLS", () => {
  const ok: Handler = (_req, res) => res.end("{}");

  test("an untrusted certificate is refused with a hint, trusted with caCert", async () => {
    const url = await serve(ok, true);
    const error = await send({ method: "GET", url }, fast).catch((e: DnnSmtpError) => e);
    expect((error as DnnSmtpError).message).toMatch(/not trusted.*site\.caCert/);
    expect((await send({ method: "GET", url }, { caCert: testCerts().ca })).status).toBe(200);
  });

  test("insecureSkipVerify turns the check off", async () => {
    const url = await serve(ok, true);
    expect((await send({ method: "GET", url }, { insecureSkipVerify: true })).status).toBe(200);
  });
});
