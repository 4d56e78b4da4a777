import { describe, expect, test } from "vitest";
import { MIN_PARTIAL, oneLine, REDACTED, redact, truncate } from "./redact";

const PASSWORD = 'Pa55 "w0rd"/é\\x!';
const USER = "relay-user";
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

/** The password's characters must not survive in any recognizable piece. */
function clean(text: string) {
  expect(text).not.toContain("w0rd");
  expect(text).not.toContain(b64(PASSWORD).slice(0, 12));
}

describe("redact", () => {
  test("every occurrence of every secret; empty and undefined ignored", () => {
    expect(redact("a S3cret b S3cret c tok", ["S3cret", "tok", undefined, ""])).toBe(
      "a [secret] b [secret] c [secret]",
    );
    expect(redact("nothing here", [])).toBe("nothing here");
  });

  test.each([
    ["as is", PASSWORD],
    ["JSON string escapes", JSON.stringify(PASSWORD).slice(1, -1)],
    ["JSON escaped twice", JSON.stringify(JSON.stringify(PASSWORD)).slice(1, -1)],
    [
      "\\u escapes of every character",
      Array.from(PASSWORD, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join(""),
    ],
    ["URL encoding", encodeURIComponent(PASSWORD)],
    [
      "URL encoding, upper and lower hex mixed",
      encodeURIComponent(PASSWORD).replace(/%../g, (m) => m.toLowerCase()),
    ],
    ["form encoding (+ for space)", new URLSearchParams({ p: PASSWORD }).toString().slice(2)],
    ["URL encoded twice", encodeURIComponent(encodeURIComponent(PASSWORD))],
    ["HTML character references", Array.from(PASSWORD, (c) => `&#${c.codePointAt(0)};`).join("")],
    ["whitespace collapsed differently", PASSWORD.replace(" ", "\n\t ")],
    ["base64 (AUTH LOGIN password)", b64(PASSWORD)],
    ["base64 of AUTH PLAIN \\0user\\0password", b64(`\0${USER}\0${PASSWORD}`)],
    ["base64 of AUTH PLAIN with an authzid", b64(`x\0${USER}\0${PASSWORD}`)],
    ["base64url", b64(`\0${USER}\0${PASSWORD}`).replace(/\+/g, "-").replace(/\//g, "_")],
    ["hex", Buffer.from(PASSWORD).toString("hex")],
  ])("recognizes the password %s", (_what, form) => {
    const out = redact(`535 you sent "${form}" and that is wrong.`, [PASSWORD]);
    expect(out).toContain(REDACTED);
    expect(out).not.toContain(form);
    clean(out);
    expect(out).toMatch(/^535 you sent "/);
    expect(out).toMatch(/" and that is wrong\.$/);
  });

  test("a secret cut by a length limit, before the truncation mark or at the very end", () => {
    const sentence = `the server said "${PASSWORD}${PASSWORD}"`;
    for (let max = 20; max < sentence.length; max++) {
      const cut = truncate(sentence, max);
      const out = redact(`${cut}; check it.`, [PASSWORD]);
      // Whatever is left of the cut password is shorter than MIN_PARTIAL characters.
      const tail = out.slice(0, out.lastIndexOf("..."));
      const left = /"(.*)$/.exec(tail)?.[1]?.replaceAll(REDACTED, "") ?? "";
      expect(left.length, out).toBeLessThan(MIN_PARTIAL);
    }
    expect(redact(`echo: ${b64(PASSWORD).slice(0, 10)}`, [PASSWORD])).toBe(`echo: ${REDACTED}`);
    expect(redact('…5 "w0rd"/é\\x! rest', [PASSWORD])).toBe(`…${REDACTED} rest`);
  });

  test("the base64 of a user is redacted, the plain user name stays", () => {
    const text = `user ${USER} sent ${b64(USER)} then ${b64(PASSWORD)}`;
    expect(redact(text, [PASSWORD], { users: [USER] })).toBe(
      `user ${USER} sent ${REDACTED} then ${REDACTED}`,
    );
  });

  test("text without the secret is left alone", () => {
    const text = 'smtp.example.com:587 rejected user "relay" with AUTH LOGIN; check username.';
    expect(redact(text, [PASSWORD, "Another-Secret-1"], { users: [USER] })).toBe(text);
  });

  test("oneLine collapses and truncates; redaction after it still finds the secret", () => {
    const reply = `535-bad\r\n535 ${PASSWORD.replace(" ", "  ")} ${"x".repeat(200)}`;
    const line = oneLine(reply, 40);
    expect(line.length).toBe(40);
    expect(line.endsWith("...")).toBe(true);
    clean(redact(line, [PASSWORD]));
  });
});
