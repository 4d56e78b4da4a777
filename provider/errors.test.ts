import { expect, test } from "vitest";
import { DnnSmtpError, ERROR_CODES, invalidSettings, redact } from "./errors";

test("the list of error codes is pinned: codes may be added (here too), never renamed", () => {
  expect(Object.keys(ERROR_CODES)).toEqual([
    "INVALID_SETTINGS",
    "SITE_CONFIG",
    "DNN_BAD_CREDENTIALS",
    "DNN_JWT_DISABLED",
    "DNN_FORBIDDEN",
    "DNN_UNKNOWN_SITE",
    "DNN_NOT_JSON",
    "DNN_BAD_RESPONSE",
    "DNN_HTTP_ERROR",
    "DNN_TIMEOUT",
    "DNN_UNREACHABLE",
    "DNN_WRITE_REJECTED",
    "DNN_VERIFY_MISMATCH",
    "DNN_UNSUPPORTED",
    "DNN_PARTIAL_WRITE",
    "DNN_JWT_HTTPS_ONLY",
    "DNN_UNAVAILABLE",
    "DNN_CONFLICT",
    "PRECHECK_DNS",
    "PRECHECK_REFUSED",
    "PRECHECK_TIMEOUT",
    "PRECHECK_CONNECTION",
    "PRECHECK_TLS_UNTRUSTED",
    "PRECHECK_TLS_NAME",
    "PRECHECK_TLS_MODE",
    "PRECHECK_STARTTLS_MISSING",
    "PRECHECK_AUTH_REJECTED",
    "PRECHECK_AUTH_NOT_OFFERED",
    "PRECHECK_AUTH_UNVERIFIED",
    "PRECHECK_GREETING",
    "PRECHECK_REJECTED",
    "PRECHECK_OAUTH_UNAUTHORIZED",
    "PRECHECK_UNSUPPORTED",
    "PRECHECK_DNN_SEND_FAILED",
  ]);
});

test("errors carry a code, transience and a cause", () => {
  const cause = new Error("socket hang up");
  const error = new DnnSmtpError("DNN_TIMEOUT", "no answer", { transient: true, cause });
  expect(error).toBeInstanceOf(Error);
  expect(error.code).toBe("DNN_TIMEOUT");
  expect(error.transient).toBe(true);
  expect(error.cause).toBe(cause);
});

test("the message starts with the code, once; the bare sentence stays apart", () => {
  const error = new DnnSmtpError("PRECHECK_AUTH_REJECTED", "the SMTP server rejected the login");
  expect(error.message).toBe("[PRECHECK_AUTH_REJECTED] the SMTP server rejected the login");
  expect(error.sentence).toBe("the SMTP server rejected the login");
  // Rebuilt from its own message (as redaction does): still one prefix.
  const again = new DnnSmtpError(error.code, error.message);
  expect(again.message).toBe(error.message);
  expect(String(again)).toBe(
    "DnnSmtpError: [PRECHECK_AUTH_REJECTED] the SMTP server rejected the login",
  );
});

test("invalidSettings lists one line per field under INVALID_SETTINGS", () => {
  const error = invalidSettings([
    { field: "server", message: "must not be empty" },
    { field: "connectionLimit", message: "must be a whole number" },
  ]);
  expect(error).toBeInstanceOf(DnnSmtpError);
  expect(error.code).toBe("INVALID_SETTINGS");
  expect(error.field).toBe("server");
  expect(error.message).toBe(
    "[INVALID_SETTINGS] server: must not be empty\nconnectionLimit: must be a whole number",
  );
});

test("redact removes every occurrence of every secret", () => {
  expect(redact("a S3cret b S3cret c tok", ["S3cret", "tok", undefined, ""])).toBe(
    "a [secret] b [secret] c [secret]",
  );
});
