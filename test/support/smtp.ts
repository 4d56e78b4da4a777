/**
 * Real SMTP servers for tests, on 127.0.0.1 and a free port: `smtp-server` configured to
 * behave like the servers DNN meets (plain, STARTTLS, implicit TLS, AUTH hidden, 421 at
 * greeting, slow greeting, rejections at MAIL/RCPT/DATA), plus raw TCP peers for what no
 * SMTP server does on purpose (silence, closing at once) and a port nothing listens on.
 *
 * Every server counts its sessions (TCP connections) and keeps the mails it accepted.
 *
 * @example
 * const server = await startSmtpServer({ tls: "starttls", users: { alice: "s3cret" } });
 * try {
 *   // ... connect to server.host:server.port ...
 *   expect(server.sessions()).toBe(1);
 * } finally {
 *   await server.close();
 * }
 */
import { createServer, type Server, type Socket } from "node:net";
import {
  SMTPServer,
  type SMTPServerAuthentication,
  type SMTPServerDataStream,
  type SMTPServerOptions,
  type SMTPServerSession,
} from "smtp-server";
import { type TestCert, testCerts } from "./certs";

/** A reply the server gives instead of accepting a command. */
export interface SmtpReply {
  readonly code: number;
  readonly message: string;
}

export interface SmtpServerOptions {
  /**
   * "none": plain SMTP, STARTTLS not offered; "starttls": STARTTLS offered (required for
   * AUTH unless `allowInsecureAuth`); "implicit": TLS from the first byte (port 465 style).
   * Default "none".
   */
  readonly tls?: "none" | "starttls" | "implicit";
  /** The certificate for TLS; default `testCerts().localhost` (trust `testCerts().ca`). */
  readonly cert?: TestCert;
  /** Accepted logins, user name → password (PLAIN, LOGIN, CRAM-MD5). */
  readonly users?: Readonly<Record<string, string>>;
  /** Accepted XOAUTH2 logins, user name → access token. */
  readonly tokens?: Readonly<Record<string, string>>;
  /** Mechanisms advertised after `AUTH`; default ["PLAIN", "LOGIN"]. */
  readonly authMethods?: readonly string[];
  /**
   * Never advertise AUTH and accept mail from anyone: the server on which nodemailer's
   * `verify()` reports success with a wrong password.
   */
  readonly hideAuth?: boolean;
  /** Accept AUTH before STARTTLS on a "starttls" server. Default true. */
  readonly allowInsecureAuth?: boolean;
  /** Require AUTH before MAIL FROM when `users` or `tokens` are given. Default true. */
  readonly authRequired?: boolean;
  /** Greet with this reply (e.g. 421) and close, instead of 220. */
  readonly refuseAtGreeting?: SmtpReply;
  /** Wait this long before the greeting (bounded by `close()`). */
  readonly greetingDelayMs?: number;
  /** Refuse every MAIL FROM, RCPT TO or DATA with these replies. */
  readonly reject?: {
    readonly mail?: SmtpReply;
    readonly rcpt?: SmtpReply;
    readonly data?: SmtpReply;
  };
  /** Extra `smtp-server` options, applied last. */
  readonly serverOptions?: Partial<SMTPServerOptions>;
}

/** A mail the server accepted. */
export interface ReceivedMail {
  readonly from: string;
  readonly to: readonly string[];
  /** The authenticated user, if any. */
  readonly user?: string;
  /** The message as received (headers and body), at most `MAX_CAPTURED_BYTES`. */
  readonly data: string;
}

export interface TestSmtpServer {
  readonly host: string;
  readonly port: number;
  /** Connections opened so far, refused ones included. */
  sessions(): number;
  /** Successful logins so far. */
  logins(): number;
  mails(): readonly ReceivedMail[];
  /** Closes the server and every open connection. */
  close(): Promise<void>;
}

/** Mails larger than this are cut when captured. */
export const MAX_CAPTURED_BYTES = 1_000_000;
export const LOOPBACK = "127.0.0.1";

function smtpError(reply: SmtpReply): Error & { responseCode: number } {
  return Object.assign(new Error(reply.message), { responseCode: reply.code });
}

/** What a server has seen so far; its handlers add to it, its `TestSmtpServer` reads it. */
interface Seen {
  sessions: number;
  logins: number;
  readonly mails: ReceivedMail[];
  /** Pending delayed greetings, cleared by `close()`. */
  readonly timers: Set<NodeJS.Timeout>;
}

/** The `smtp-server` settings for `options`: TLS mode, certificate, what is advertised. */
function settingsOf(options: SmtpServerOptions): SMTPServerOptions {
  const tls = options.tls ?? "none";
  const cert = tls === "none" ? undefined : (options.cert ?? testCerts().localhost);
  const users = options.users ?? {};
  const tokens = options.tokens ?? {};
  const hasLogins = Object.keys(users).length + Object.keys(tokens).length > 0;
  const disabled: string[] = [];
  if (tls !== "starttls") disabled.push("STARTTLS");
  if (options.hideAuth) disabled.push("AUTH");
  return {
    secure: tls === "implicit",
    key: cert?.key,
    cert: cert?.cert,
    name: "localhost",
    banner: "test server",
    logger: false,
    disableReverseLookup: true,
    disabledCommands: disabled,
    authMethods: [...(options.authMethods ?? ["PLAIN", "LOGIN"])],
    allowInsecureAuth: options.allowInsecureAuth ?? true,
    authOptional: options.hideAuth || !hasLogins || options.authRequired === false,
    closeTimeout: 200,
    socketTimeout: 30_000,
  };
}

/** Counts the session, then greets: refused, after `greetingDelayMs`, or at once. */
function greet(options: SmtpServerOptions, seen: Seen, callback: (err?: Error | null) => void) {
  seen.sessions += 1;
  if (options.refuseAtGreeting) return callback(smtpError(options.refuseAtGreeting));
  if (!options.greetingDelayMs) return callback();
  const timer = setTimeout(() => {
    seen.timers.delete(timer);
    callback();
  }, options.greetingDelayMs);
  seen.timers.add(timer);
}

/** Whether the login matches `users` (PLAIN, LOGIN, CRAM-MD5) or `tokens` (XOAUTH2). */
function loginMatches(
  auth: SMTPServerAuthentication,
  users: Readonly<Record<string, string>>,
  tokens: Readonly<Record<string, string>>,
): boolean {
  const user = auth.username ?? "";
  if (auth.method === "XOAUTH2") return user in tokens && tokens[user] === auth.accessToken;
  if (auth.method === "CRAM-MD5")
    return user in users && auth.validatePassword?.(users[user] ?? "") === true;
  return user in users && users[user] === auth.password;
}

/** Keeps the mail (its first `MAX_CAPTURED_BYTES`) unless DATA is to be refused. */
function captureMail(
  options: SmtpServerOptions,
  seen: Seen,
  stream: SMTPServerDataStream,
  session: SMTPServerSession,
  callback: (err?: Error | null) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  stream.on("data", (chunk: Buffer) => {
    if (size < MAX_CAPTURED_BYTES) chunks.push(chunk);
    size += chunk.length;
  });
  stream.on("end", () => {
    if (options.reject?.data) return callback(smtpError(options.reject.data));
    seen.mails.push({
      from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
      to: session.envelope.rcptTo.map((r) => r.address),
      user: typeof session.user === "string" ? session.user : undefined,
      data: Buffer.concat(chunks).toString("utf8").slice(0, MAX_CAPTURED_BYTES),
    });
    callback();
  });
}

/** The session handlers: greeting, AUTH, MAIL FROM, RCPT TO and DATA as `options` asks. */
function handlersOf(options: SmtpServerOptions, seen: Seen): SMTPServerOptions {
  const users = options.users ?? {};
  const tokens = options.tokens ?? {};
  return {
    onConnect(_session, callback) {
      greet(options, seen, callback);
    },
    onAuth(auth, _session, callback) {
      if (!loginMatches(auth, users, tokens)) {
        return callback(
          Object.assign(new Error("Invalid username or password"), { responseCode: 535 }),
        );
      }
      seen.logins += 1;
      callback(null, { user: auth.username ?? "" });
    },
    onMailFrom(_address, _session, callback) {
      callback(options.reject?.mail ? smtpError(options.reject.mail) : undefined);
    },
    onRcptTo(_address, _session, callback) {
      callback(options.reject?.rcpt ? smtpError(options.reject.rcpt) : undefined);
    },
    onData(stream, session, callback) {
      captureMail(options, seen, stream, session, callback);
    },
  };
}

/** Listens on 127.0.0.1, port 0; resolves with the port given. */
async function listenOnLoopback(server: SMTPServer): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(0, LOOPBACK, () => {
      server.server.off("error", reject);
      resolve();
    });
  });
  const address = server.server.address();
  if (address === null || typeof address === "string")
    throw new Error("smtp-server did not get a port");
  return address.port;
}

/** Starts `smtp-server` on 127.0.0.1, port 0. */
export async function startSmtpServer(options: SmtpServerOptions = {}): Promise<TestSmtpServer> {
  const seen: Seen = { sessions: 0, logins: 0, mails: [], timers: new Set() };
  const server = new SMTPServer({
    ...settingsOf(options),
    ...handlersOf(options, seen),
    ...options.serverOptions,
  });
  // Without this, a client dropping during the TLS handshake crashes the test process.
  server.on("error", () => {});
  const port = await listenOnLoopback(server);
  return {
    host: LOOPBACK,
    port,
    sessions: () => seen.sessions,
    logins: () => seen.logins,
    mails: () => [...seen.mails],
    close: async () => {
      for (const t of seen.timers) clearTimeout(t);
      seen.timers.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface TestTcpPeer {
  readonly host: string;
  readonly port: number;
  sessions(): number;
  close(): Promise<void>;
}

/**
 * A TCP peer that is not an SMTP server: `"silent"` accepts and never says a word (a
 * greeting timeout, or an implicit-TLS port seen by a plain client); `"close"` accepts and
 * closes at once.
 */
export async function startTcpPeer(behaviour: "silent" | "close"): Promise<TestTcpPeer> {
  const sockets = new Set<Socket>();
  let sessions = 0;
  const server: Server = createServer((socket) => {
    sessions += 1;
    socket.on("error", () => {});
    if (behaviour === "close") {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("error", () => {});
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  const address = server.address();
  if (address === null || typeof address === "string")
    throw new Error("TCP peer did not get a port");
  return {
    host: LOOPBACK,
    port: address.port,
    sessions: () => sessions,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port nothing listens on (taken from the OS, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no free port");
  return address.port;
}

/** A free loopback port (taken from the OS, then released), for servers that need a number up front. */
export const freePort = closedPort;

/** What a scripted line server answers to one line it received. */
export type LineReply = (line: string, index: number) => string | undefined;

export interface TestLineServer {
  readonly host: string;
  readonly port: number;
  /** Every line received, in order, over all sessions. */
  lines(): readonly string[];
  sessions(): number;
  close(): Promise<void>;
}

/**
 * A raw `net` SMTP peer that answers each line with `reply` (one reply per line; undefined
 * = say nothing): for servers no SMTP implementation imitates on purpose, such as one that
 * ECHOES what it received (credentials included) in its replies. Greets with `220`.
 *
 * @example
 * // Accept EHLO with AUTH LOGIN, then echo everything back in a 535.
 * const echo = await startLineServer((line) =>
 *   /^EHLO/i.test(line) ? "250-echo\r\n250 AUTH LOGIN" : `535 you said ${line}`);
 */
export async function startLineServer(reply: LineReply): Promise<TestLineServer> {
  const sockets = new Set<Socket>();
  const received: string[] = [];
  let sessions = 0;
  const server: Server = createServer((socket) => {
    sessions += 1;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    socket.write("220 line server ESMTP\r\n");
    let buffer = "";
    socket.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      for (let end = buffer.indexOf("\r\n"); end >= 0; end = buffer.indexOf("\r\n")) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        received.push(line);
        const answer = reply(line, received.length - 1);
        if (answer !== undefined) socket.write(`${answer}\r\n`);
        if (/^QUIT$/i.test(line)) socket.end();
      }
    });
  });
  server.on("error", () => {});
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  const address = server.address();
  if (address === null || typeof address === "string")
    throw new Error("line server did not get a port");
  return {
    host: LOOPBACK,
    port: address.port,
    lines: () => [...received],
    sessions: () => sessions,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
