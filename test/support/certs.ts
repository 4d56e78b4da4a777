/**
 * Throwaway TLS certificates for tests, made with the `openssl` CLI once per day and shared
 * by every test file and worker (cached in a dated folder in the OS temp folder).
 *
 * - `ca`: a test certificate authority; trust it with `tls: { ca: certs.ca }`.
 * - `localhost`: signed by `ca`, CN=localhost, SAN DNS:localhost and IP:127.0.0.1.
 * - `wrongName`: signed by `ca`, for `wrong-name.example` only: a name mismatch on loopback.
 * - `selfSigned`: CN=localhost but signed by itself: untrusted unless trusted explicitly.
 *
 * Trust these with `tls.ca`, never by turning verification off.
 *
 * @example
 * const certs = testCerts();
 * const server = await startSmtpServer({ tls: "starttls", cert: certs.localhost });
 * await runPrecheck(settings, { ...options, tls: { ca: certs.ca } });
 */
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** How long the generated certificates are valid: a folder is used on one day only. */
const VALID_DAYS = 2;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Bump when the set of files changes, so an old cache folder is not reused. */
const LAYOUT = "v1";

export interface TestCert {
  /** The certificate, PEM. */
  readonly cert: string;
  /** The unencrypted private key, PEM. */
  readonly key: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** The DNS name the certificate is issued for. */
  readonly name: string;
}

export interface TestCerts {
  /** The folder holding every file; readable by other users (exim runs as Debian-exim). */
  readonly dir: string;
  /** The test CA certificate, PEM: the trust anchor for `localhost` and `wrongName`. */
  readonly ca: string;
  readonly caFile: string;
  readonly localhost: TestCert;
  readonly wrongName: TestCert;
  readonly selfSigned: TestCert;
}

/** Whether the `openssl` CLI can be run here. */
export function hasOpenssl(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore", timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"], timeout: 60_000 });
}

function generate(dir: string): void {
  const key = ["-newkey", "rsa:2048", "-nodes", "-days", String(VALID_DAYS)];
  const leaf = ["-addext", "basicConstraints=critical,CA:FALSE"];
  openssl(
    [
      "req",
      "-x509",
      ...key,
      "-subj",
      "/CN=pulumi-dnn-smtp test CA",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
    ],
    dir,
  );
  openssl(
    ["req", "-x509", ...key, "-CA", "ca.pem", "-CAkey", "ca.key", "-subj", "/CN=localhost"]
      .concat(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", ...leaf])
      .concat(["-keyout", "localhost.key", "-out", "localhost.pem"]),
    dir,
  );
  openssl(
    ["req", "-x509", ...key, "-CA", "ca.pem", "-CAkey", "ca.key", "-subj", "/CN=wrong-name.example"]
      .concat(["-addext", "subjectAltName=DNS:wrong-name.example", ...leaf])
      .concat(["-keyout", "wrong-name.key", "-out", "wrong-name.pem"]),
    dir,
  );
  openssl(
    ["req", "-x509", ...key, "-subj", "/CN=localhost"]
      .concat(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
      .concat(["-keyout", "self-signed.key", "-out", "self-signed.pem"]),
    dir,
  );
  // Throwaway keys for loopback tests: world-readable so an MTA running under its own
  // user (exim as Debian-exim) can load them.
  for (const f of ["ca", "localhost", "wrong-name", "self-signed"]) {
    chmodSync(join(dir, `${f}.key`), 0o644);
    chmodSync(join(dir, `${f}.pem`), 0o644);
  }
}

function load(dir: string, base: string, name: string): TestCert {
  const certFile = join(dir, `${base}.pem`);
  const keyFile = join(dir, `${base}.key`);
  return {
    cert: readFileSync(certFile, "utf8"),
    key: readFileSync(keyFile, "utf8"),
    certFile,
    keyFile,
    name,
  };
}

let cached: TestCerts | undefined;

/** Removes cache folders of earlier days, best effort: nothing of this run uses them. */
function removeOldFolders(prefix: string, keep: string): void {
  for (const entry of readdirSync(tmpdir())) {
    const path = join(tmpdir(), entry);
    if (!entry.startsWith(prefix) || path === keep) continue;
    try {
      if (Date.now() - statSync(path).mtimeMs > 3 * DAY_MS)
        rmSync(path, { recursive: true, force: true });
    } catch {
      // Gone already, or not ours: leave it.
    }
  }
}

/**
 * The test certificates, generated on first use. The folder name carries the day, so a
 * folder is never older than a day and is never replaced while in use. Workers racing to
 * create it each build their own copy and rename it into place; the loser's is discarded.
 */
export function testCerts(): TestCerts {
  if (cached) return cached;
  const uid = typeof process.getuid === "function" ? process.getuid() : 0;
  const prefix = `pulumi-dnn-smtp-certs-${LAYOUT}-${uid}-`;
  const dir = join(tmpdir(), `${prefix}${new Date().toISOString().slice(0, 10)}`);
  if (!existsSync(join(dir, "self-signed.pem"))) {
    const work = `${dir}.${process.pid}.tmp`;
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true, mode: 0o755 });
    chmodSync(work, 0o755);
    generate(work);
    try {
      renameSync(work, dir);
    } catch {
      // Another worker renamed its folder first: use that one.
      rmSync(work, { recursive: true, force: true });
    }
    removeOldFolders(prefix, dir);
  }
  cached = {
    dir,
    ca: readFileSync(join(dir, "ca.pem"), "utf8"),
    caFile: join(dir, "ca.pem"),
    localhost: load(dir, "localhost", "localhost"),
    wrongName: load(dir, "wrong-name", "wrong-name.example"),
    selfSigned: load(dir, "self-signed", "localhost"),
  };
  return cached;
}
