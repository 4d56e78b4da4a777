import { describe, expect, it } from "vitest";
import { DnnSmtpError } from "../errors";
import { noImplicitTlsPortWithCore } from "../policy/policies";
import { AUTHENTICATIONS, validateSettings } from "../settings";
import {
  defaultLevel,
  defaultMailProvider,
  incompatibilities,
  MAIL_PROVIDER_PROFILES,
  MAIL_PROVIDERS,
  transportOf,
} from "./compat";
import { validatePrecheckOptions } from "./options";
import { planConnection } from "./profile";

describe("the compatibility table", () => {
  it("pins what each DNN mail provider does", () => {
    expect(MAIL_PROVIDER_PROFILES.core.mechanisms).toEqual({
      anonymous: [],
      basic: ["LOGIN"],
      ntlm: ["NTLM"],
      oauth: null,
    });
    expect(MAIL_PROVIDER_PROFILES.mailkit.mechanisms).toEqual({
      anonymous: [],
      basic: ["PLAIN", "LOGIN", "CRAM-MD5"],
      ntlm: null,
      oauth: ["XOAUTH2"],
    });
    expect(transportOf("core", 465, true)).toEqual({
      secure: false,
      requireTLS: true,
      ignoreTLS: false,
    });
    expect(transportOf("core", 587, false)).toEqual({
      secure: false,
      requireTLS: false,
      ignoreTLS: true,
    });
    expect(transportOf("mailkit", 465, false).secure).toBe(true);
    expect(transportOf("mailkit", 587, true)).toEqual({
      secure: false,
      requireTLS: false,
      ignoreTLS: false,
    });
    expect(defaultMailProvider("oauth")).toBe("mailkit");
    expect(defaultMailProvider(undefined)).toBe("core");
    expect(defaultLevel("basic", "local")).toBe("auth");
    expect(defaultLevel("ntlm", "local")).toBe("connect");
    expect(defaultLevel(undefined, "dnn")).toBe("send");
  });

  // Every combination: validation, the connection plan and the policy read the same verdicts.
  const combinations = MAIL_PROVIDERS.flatMap((mailProvider) =>
    AUTHENTICATIONS.flatMap((authentication) =>
      [25, 465, 587].flatMap((port) =>
        [false, true].map((enableSsl) => ({ mailProvider, authentication, port, enableSsl })),
      ),
    ),
  );

  it.each(combinations)(
    "$mailProvider $authentication port $port enableSsl $enableSsl: validation, plan and policy agree",
    (c) => {
      const credentials =
        c.authentication === "basic"
          ? { username: "u", password: "p" }
          : c.authentication === "oauth"
            ? { username: "u@example.com", oauth: { provider: "GoogleMail" } }
            : {};
      const parsed = validateSettings({
        scope: "global",
        server: `smtp.example.com:${c.port}`,
        authentication: c.authentication,
        enableSsl: c.enableSsl,
        ...credentials,
      });
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
      const settings = parsed.value;
      const verdicts = incompatibilities(c);
      const certain = verdicts.filter((v) => v.certain);

      const checked = validatePrecheckOptions(
        { mailProvider: c.mailProvider, level: "connect" },
        settings,
      );
      const problems = checked.ok ? [] : checked.problems;
      expect(problems.map((p) => [p.field, p.message])).toEqual(
        certain.map((v) => [v.field, v.message]),
      );

      const resolved = validatePrecheckOptions(
        { mailProvider: c.mailProvider, level: "none" },
        settings,
      );
      if (!resolved.ok) throw new Error("level none reports nothing");
      const options = { ...resolved.value, level: "connect" as const };
      if (certain[0]) {
        const thrown = (() => {
          try {
            planConnection(settings, options);
          } catch (e) {
            return e;
          }
        })();
        expect(thrown).toBeInstanceOf(DnnSmtpError);
        expect((thrown as DnnSmtpError).code).toBe(certain[0].code);
      } else {
        const plan = planConnection(settings, options);
        expect(plan.mechanisms).toEqual(
          MAIL_PROVIDER_PROFILES[c.mailProvider].mechanisms[c.authentication] ?? [],
        );
        expect({
          secure: plan.secure,
          requireTLS: plan.requireTLS,
          ignoreTLS: plan.ignoreTLS,
        }).toEqual(transportOf(c.mailProvider, c.port, c.enableSsl));
      }

      // The policy refuses the port rule whether certain or not (an organisation's guardrail).
      const props = {
        server: `smtp.example.com:${c.port}`,
        authentication: c.authentication,
        enableSsl: c.enableSsl,
        precheck: { mailProvider: c.mailProvider },
      };
      expect(noImplicitTlsPortWithCore({ props }).map((v) => v.field)).toEqual(
        verdicts.filter((v) => v.code === "PRECHECK_TLS_MODE").map((v) => v.field),
      );
    },
  );
});
