import { describe, expect, it } from "vitest";
import { validateSettings } from "../settings";
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, validatePrecheckOptions } from "./options";

const settings = (input: Record<string, unknown>) => {
  const r = validateSettings({ scope: "global", server: "smtp.example.com:587", ...input });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.value;
};
const basic = settings({ authentication: "basic", username: "u", password: "p", enableSsl: true });
const fields = (raw: unknown, s = basic) => {
  const r = validatePrecheckOptions(raw, s);
  return r.ok ? [] : r.problems.map((p) => `${p.field}: ${p.message}`);
};

describe("validatePrecheckOptions", () => {
  it("applies the defaults that follow from the settings", () => {
    const r = validatePrecheckOptions(undefined, basic);
    expect(r).toEqual({
      ok: true,
      value: {
        level: "auth",
        via: "local",
        mailProvider: "core",
        recipient: undefined,
        sender: undefined,
        allowUnverifiedAuth: false,
        connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
        timeoutMs: DEFAULT_TIMEOUT_MS,
        tls: { ca: undefined, rejectUnauthorized: true },
      },
    });
    const anonymous = validatePrecheckOptions({}, settings({}));
    expect(anonymous.ok && anonymous.value.level).toBe("connect");
    const oauth = validatePrecheckOptions(
      {},
      settings({ authentication: "oauth", oauth: { provider: "GoogleMail" } }),
    );
    expect(oauth.ok && [oauth.value.level, oauth.value.mailProvider]).toEqual(["auth", "mailkit"]);
  });

  it("names the field as precheck.<name> and says what is accepted", () => {
    expect(fields({ level: "full" })).toEqual([
      `precheck.level: must be one of "none", "connect", "auth", "send"`,
    ]);
    expect(fields({ levle: "auth" })[0]).toMatch(
      /^precheck.levle: is not a precheck option .*accepted: level, via/,
    );
    expect(fields({ connectTimeoutMs: 5 })[0]).toMatch(
      /^precheck.connectTimeoutMs: must be at least 100/,
    );
    expect(fields({ tls: { ca: "nope" } })[0]).toMatch(/^precheck.tls.ca: must be PEM/);
    expect(fields({ recipient: "not-an-email" })[0]).toMatch(
      /^precheck.recipient: must be an email/,
    );
  });

  it("cross checks", () => {
    expect(fields({ level: "send" })).toEqual([
      `precheck.recipient: is required when precheck.level is "send": give the address that receives the test mail`,
    ]);
    expect(fields({ level: "auth" }, settings({}))[0]).toMatch(
      /^precheck.level: "auth" needs authentication/,
    );
    expect(fields({ via: "dnn", recipient: "a@example.com" })[0]).toMatch(
      /^precheck.recipient: is not used with precheck.via "dnn"/,
    );
    expect(fields({ mailProvider: "mailkit" }, settings({ authentication: "ntlm" }))[0]).toMatch(
      /^precheck.mailProvider: "mailkit" cannot send with authentication "ntlm"/,
    );
    expect(
      fields(
        {},
        settings({
          server: "smtp.example.com:465",
          authentication: "basic",
          username: "u",
          password: "p",
          enableSsl: true,
        }),
      ),
    ).toEqual([
      `server: port 465 expects implicit TLS, which DNN's core mail provider (System.Net.Mail) cannot do: with enableSsl it uses STARTTLS and would wait forever for a greeting; use port 587 with enableSsl, or precheck.mailProvider "mailkit" if the site runs DNN's MailKit provider`,
    ]);
    expect(
      fields({ level: "none" }, settings({ server: "smtp.example.com:465", enableSsl: true })),
    ).toEqual([]);
    expect(fields({ connectTimeoutMs: 20_000, timeoutMs: 10_000 })[0]).toMatch(
      /^precheck.timeoutMs: must be at least precheck.connectTimeoutMs/,
    );
  });

  it("sender defaults to hostEmail, then recipient", () => {
    const withHost = validatePrecheckOptions(
      { level: "send", recipient: "ops@example.com" },
      { ...basic, hostEmail: "host@example.com" },
    );
    expect(withHost.ok && withHost.value.sender).toBe("host@example.com");
    const without = validatePrecheckOptions({ level: "send", recipient: "ops@example.com" }, basic);
    expect(without.ok && without.value.sender).toBe("ops@example.com");
  });

  it("takes stack config's texts for booleans, suggests the closest option name, and bounds tls.ca", () => {
    const texts = validatePrecheckOptions(
      { allowUnverifiedAuth: "true", tls: { rejectUnauthorized: "false" } },
      basic,
    );
    expect(
      texts.ok && [texts.value.allowUnverifiedAuth, texts.value.tls.rejectUnauthorized],
    ).toEqual([true, false]);
    expect(fields({ allowUnverifiedAuth: "yes" })[0]).toMatch(
      /^precheck.allowUnverifiedAuth: must be true or false/,
    );
    expect(fields({ levle: "auth" })[0]).toMatch(/did you mean level\?/);
    expect(fields({ tls: { rejectUnauthorised: false } })[0]).toMatch(
      /^precheck.tls.rejectUnauthorised: .*did you mean rejectUnauthorized\?/,
    );
    const huge = `-----BEGIN CERTIFICATE-----\n${"A".repeat(300_000)}\n-----END CERTIFICATE-----`;
    expect(fields({ tls: { ca: huge } })[0]).toMatch(
      /^precheck.tls.ca: must be at most 262144 characters/,
    );
  });
});
