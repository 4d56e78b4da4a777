/**
 * The resource classes construct with stack traces off (stack-traces.ts), under Pulumi's
 * mocks with the package as users install it: the limit is 0 while the SDK's constructor
 * runs (seen from a transformation, which the SDK calls inside it), put back afterwards and
 * after a failure, left alone when PULUMI_DEBUG_PROMISE_LEAKS asks for the SDK's traces,
 * and an error from the SDK's constructor still says where the resource was declared.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import type * as PulumiSdk from "@pulumi/pulumi";
import { afterEach, beforeAll, describe, expect, test } from "vitest";
import { EXAMPLES_DIR, examplesInstalled } from "../../test/support/plugin";
import type * as Classes from "../index";

const ready = examplesInstalled();
const fromExamples = createRequire(join(EXAMPLES_DIR, "package.json"));
const pulumi: typeof PulumiSdk = ready ? fromExamples("@pulumi/pulumi") : ({} as typeof PulumiSdk);
const { SmtpSettings, UseGlobalSmtpSettings }: typeof Classes = ready
  ? fromExamples("pulumi-dnn-smtp")
  : ({} as typeof Classes);

beforeAll(async () => {
  if (!ready) return;
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
      call: (a) => a.inputs,
    },
    "traces-project",
    "dev",
    true,
  );
});

const LIMIT = 17; // not V8's default, so that "put back" cannot pass by chance
const saved = Error.stackTraceLimit;
afterEach(() => {
  Error.stackTraceLimit = saved;
  delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
});

const smtpArgs = {
  site: { url: "https://dnn.example.com", username: "host", password: "pw" },
  scope: "site" as const,
  server: "relay.example.com:587",
  precheck: { level: "none" as const },
};

/** Constructs one of the classes, returning the stack-trace limit seen inside the SDK's constructor. */
function limitDuringConstruction(kind: "smtp" | "useGlobal", name: string): number | undefined {
  let seen: number | undefined;
  const transformations = [
    () => {
      seen = Error.stackTraceLimit;
      return undefined;
    },
  ];
  if (kind === "smtp") new SmtpSettings(name, smtpArgs, { transformations });
  else new UseGlobalSmtpSettings(name, { site: smtpArgs.site }, { transformations });
  return seen;
}

describe.skipIf(!ready)("resource classes construct without the SDK's promise stack traces", () => {
  test.each(["smtp", "useGlobal"] as const)("%s: off inside the SDK, put back after", (kind) => {
    Error.stackTraceLimit = LIMIT;
    expect(limitDuringConstruction(kind, `off-${kind}`)).toBe(0);
    expect(Error.stackTraceLimit).toBe(LIMIT);
  });

  test("PULUMI_DEBUG_PROMISE_LEAKS keeps the traces the SDK prints for a leak", () => {
    Error.stackTraceLimit = LIMIT;
    process.env.PULUMI_DEBUG_PROMISE_LEAKS = "1";
    expect(limitDuringConstruction("smtp", "kept")).toBe(LIMIT);
    expect(Error.stackTraceLimit).toBe(LIMIT);
  });

  test("an error of the SDK's constructor is thrown with the stack of the code that declared the resource", () => {
    Error.stackTraceLimit = LIMIT;
    let thrown: unknown;
    try {
      // Not a resource: the SDK's constructor refuses it before registering anything.
      new SmtpSettings("bad-parent", smtpArgs, { parent: {} as PulumiSdk.Resource });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).message).toMatch(/parent is not a valid Resource/);
    expect((thrown as Error).stack).toContain("stack-traces.test.ts");
    expect(Error.stackTraceLimit).toBe(LIMIT);
  });
});
