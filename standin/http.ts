/** Small HTTP helpers: JSON answers in ASP.NET Web API's shapes, bounded body reading. */
import type { IncomingMessage, ServerResponse } from "node:http";

/** Largest request body accepted, in bytes. */
export const MAX_BODY_BYTES = 1_000_000;

/** Web API's 401 body for an unauthenticated or unauthorised caller. */
export const DENIED = { Message: "Authorization has been denied for this request." };

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-cache",
    ...headers,
  });
  res.end(text);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  contentType = "text/plain; charset=utf-8",
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    "Content-Type": contentType,
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Web API's answer to an exception (local requests get the details, as IncludeErrorDetailPolicy.LocalOnly). */
export function exceptionBody(err: unknown): Record<string, unknown> {
  const e = err instanceof Error ? err : new Error(String(err));
  return {
    Message: "An error has occurred.",
    ExceptionMessage: e.message,
    ExceptionType: e instanceof DotNetException ? e.type : "System.Exception",
    StackTrace: null,
  };
}

/** An error standing for the .NET exception DNN would throw, with its type name. */
export class DotNetException extends Error {
  readonly type: string;
  constructor(type: string, message: string) {
    super(message);
    this.type = type;
  }
}

/** What DNN throws when the alias in the URL is unknown or a POST body is missing. */
export function nullReference(): DotNetException {
  return new DotNetException(
    "System.NullReferenceException",
    "Object reference not set to an instance of an object.",
  );
}

export function noResource(url: string, detail: string): Record<string, string> {
  return {
    Message: `No HTTP resource was found that matches the request URI '${url}'.`,
    MessageDetail: detail,
  };
}

export function methodNotAllowed(method: string): Record<string, string> {
  return { Message: `The requested resource does not support http method '${method}'.` };
}

/** Reads the whole body (bounded); rejects when it exceeds MAX_BODY_BYTES. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new Error("request body too large");
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Parses a JSON object body; null for anything else (Web API then binds a null request). */
export function parseJsonObject(text: string): Record<string, unknown> | null {
  if (text.trim() === "") return null;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

export function isLoopback(req: IncomingMessage): boolean {
  return LOOPBACK.has(req.socket.remoteAddress ?? "");
}
