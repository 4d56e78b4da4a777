/**
 * The rules of the `policy-pack/` (Pulumi CrossGuard) as pure functions: each takes what the
 * policy engine shows of one resource (`SmtpSettings`, and for the secrets rule also
 * `UseGlobalSmtpSettings`, which holds site credentials) and returns its violations, each
 * naming the field. `policy-pack/index.js` wraps them in `@pulumi/policy`'s `PolicyPack`;
 * keeping them here lets them be unit-tested and reused without the policy library.
 *
 * What the engine shows a policy (`@pulumi/policy` 1.21; shown by a probe pack driven over
 * gRPC as the engine drives it, test/examples-policy-pack.test.ts):
 * - `props` are the resource's inputs after the provider's `check`, with every secret
 *   **unwrapped to its plain value**: a policy cannot tell a secret from a plain value.
 *   What it can see is `opts.additionalSecretOutputs`, the list of properties the engine
 *   keeps encrypted in state and outputs; `SmtpSettings` lists its secret fields there.
 * - Values unknown during `pulumi preview` throw when read; the library then reports an
 *   advisory "can't run policy during preview" instead of a violation.
 */
import {
  defaultLevel,
  defaultMailProvider,
  incompatibilities,
  MAIL_PROVIDERS,
  type MailProvider,
  PRECHECK_LEVELS,
  PRECHECK_VIAS,
  type PrecheckLevel,
  type PrecheckVia,
} from "../precheck/compat";
import { AUTHENTICATIONS, type Authentication, parseServer } from "../settings";

/** The type token of `SmtpSettings` (a dynamic resource of module `dnn`). */
export const SMTP_SETTINGS_TYPE = "pulumi-nodejs:dynamic/dnn:SmtpSettings";
/** The type token of `UseGlobalSmtpSettings`: it holds site credentials too. */
export const USE_GLOBAL_SMTP_SETTINGS_TYPE = "pulumi-nodejs:dynamic/dnn:UseGlobalSmtpSettings";
/** Every resource type the pack checks. */
export const CHECKED_TYPES: readonly string[] = [SMTP_SETTINGS_TYPE, USE_GLOBAL_SMTP_SETTINGS_TYPE];
/** Stack names the `production-precheck` rule treats as production, unless configured. */
export const DEFAULT_PRODUCTION_STACKS: readonly string[] = ["prod", "production"];
/** The lowest precheck level a production stack may use. */
export const MIN_PRODUCTION_PRECHECK: PrecheckLevel = "auth";
/** The inputs that hold secrets; each must be listed in `additionalSecretOutputs`. */
export const SECRET_FIELDS = ["password", "oauth", "sitePassword", "siteApiToken"] as const;

/** One broken rule: the field it is about and a sentence saying what to change. */
export interface PolicyViolation {
  readonly field: string;
  readonly message: string;
}

/** What a rule is given: the policy engine's view of one resource. */
export interface PolicySubject {
  /** The resource's inputs as the policy engine shows them (secrets unwrapped). */
  readonly props: Readonly<Record<string, unknown>>;
  /** `opts.additionalSecretOutputs` of the resource. */
  readonly additionalSecretOutputs?: readonly string[];
  /** The stack name (see `stackOfUrn`). */
  readonly stack?: string;
}

/** Configuration of the pack's rules (`--policy-pack-config`). */
export interface PolicyConfig {
  /** Stack names that are production; case-insensitive. Default `["prod", "production"]`. */
  readonly productionStacks?: readonly string[];
}

export interface PolicyRule {
  readonly name: string;
  readonly description: string;
  /** The resource types the rule is about (type tokens). */
  readonly resourceTypes: readonly string[];
  check(subject: PolicySubject, config?: PolicyConfig): PolicyViolation[];
}

/** `urn:pulumi:<stack>::<project>::<type>::<name>` → `<stack>`. */
export function stackOfUrn(urn: string): string {
  const match = /^urn:pulumi:([^:]+)::/.exec(urn);
  return match?.[1] ?? "";
}

const oneOf = <T extends string>(values: readonly T[], value: unknown): value is T =>
  typeof value === "string" && (values as readonly string[]).includes(value);

const authOf = (props: PolicySubject["props"]): Authentication =>
  oneOf(AUTHENTICATIONS, props.authentication) ? props.authentication : "anonymous";

const precheckOf = (props: PolicySubject["props"]): Record<string, unknown> =>
  props.precheck && typeof props.precheck === "object"
    ? (props.precheck as Record<string, unknown>)
    : {};

/** The mail provider the precheck models: as declared, else the package's default. */
function mailProviderOf(props: PolicySubject["props"]): MailProvider {
  const declared = precheckOf(props).mailProvider;
  return oneOf(MAIL_PROVIDERS, declared) ? declared : defaultMailProvider(authOf(props));
}

/** The precheck level: as declared, else the package's default (the compatibility table's). */
export function effectivePrecheckLevel(props: PolicySubject["props"]): PrecheckLevel {
  const { level, via } = precheckOf(props);
  if (oneOf(PRECHECK_LEVELS, level)) return level;
  const declaredVia: PrecheckVia = oneOf(PRECHECK_VIAS, via) ? via : "local";
  return defaultLevel(authOf(props), declaredVia);
}

/** `basic` sends the password with AUTH LOGIN: only over TLS. */
export function basicAuthNeedsSsl({ props }: PolicySubject): PolicyViolation[] {
  if (authOf(props) !== "basic" || props.enableSsl === true) return [];
  return [
    {
      field: "enableSsl",
      message:
        'must be true when authentication is "basic": the relay password would cross the network in clear text (AUTH LOGIN is only base64); set enableSsl: true and use a relay port with STARTTLS (587)',
    },
  ];
}

/**
 * The engine must keep every secret field encrypted. The policy engine shows secrets
 * unwrapped, so whether the *program* passed a secret cannot be seen here; what can be seen
 * is whether the resource marks the field secret for state and outputs, which
 * `SmtpSettings` and `UseGlobalSmtpSettings` always do. This catches resources registered another way (a raw
 * `pulumi.dynamic.Resource` over this package's provider, or a wrapper that drops the
 * option).
 */
export function secretsAreMarked({
  props,
  additionalSecretOutputs = [],
}: PolicySubject): PolicyViolation[] {
  const violations: PolicyViolation[] = [];
  for (const field of SECRET_FIELDS) {
    const value = props[field];
    if (value === undefined || value === null || value === "") continue;
    if (additionalSecretOutputs.includes(field)) continue;
    violations.push({
      field,
      message: `must be a secret: the resource does not mark ${field} secret (additionalSecretOutputs), so it would be stored in clear text in the state; declare it with pulumi-dnn-smtp's SmtpSettings class and pass it with config.requireSecret`,
    });
  }
  const site = props.site;
  if (site && typeof site === "object") {
    for (const key of ["password", "apiToken"]) {
      if ((site as Record<string, unknown>)[key] !== undefined) {
        violations.push({
          field: `site.${key}`,
          message: `must be a secret: it sits inside the plain site input, stored in clear text; declare the resource with pulumi-dnn-smtp's SmtpSettings class, which moves it to a secret input`,
        });
      }
    }
  }
  return violations;
}

/**
 * DNN's core mail provider (System.Net.Mail) cannot speak implicit TLS, which port 465
 * expects: mail would hang at the greeting. Refused even when the precheck is off, and
 * with or without enableSsl (the table's verdict, certain or not).
 */
export function noImplicitTlsPortWithCore({ props }: PolicySubject): PolicyViolation[] {
  if (typeof props.server !== "string") return [];
  const address = parseServer(props.server);
  if (typeof address === "string") return [];
  return incompatibilities({ mailProvider: mailProviderOf(props), port: address.port })
    .filter((i) => i.code === "PRECHECK_TLS_MODE")
    .map(({ field, message }) => ({ field, message }));
}

function isProduction(stack: string | undefined, config: PolicyConfig | undefined): boolean {
  if (!stack) return false;
  const names = config?.productionStacks ?? DEFAULT_PRODUCTION_STACKS;
  return names.some((n) => n.toLowerCase() === stack.toLowerCase());
}

/** A production stack proves every relay login before DNN is written. */
export function productionPrecheck(
  { props, stack }: PolicySubject,
  config?: PolicyConfig,
): PolicyViolation[] {
  if (!isProduction(stack, config)) return [];
  const level = effectivePrecheckLevel(props);
  const rank = (l: PrecheckLevel) => PRECHECK_LEVELS.indexOf(l);
  if (rank(level) >= rank(MIN_PRODUCTION_PRECHECK)) return [];
  return [
    {
      field: "precheck.level",
      message: `must be "${MIN_PRODUCTION_PRECHECK}" or "send" on production stack "${stack}" (it is "${level}"): the relay login must be proven before DNN is written; an anonymous relay needs "send"`,
    },
  ];
}

/** The pack's rules, in the order they are reported. */
export const POLICIES: readonly PolicyRule[] = [
  {
    name: "dnn-smtp-basic-auth-needs-ssl",
    description: 'SMTP authentication "basic" requires enableSsl (STARTTLS).',
    resourceTypes: [SMTP_SETTINGS_TYPE],
    check: basicAuthNeedsSsl,
  },
  {
    name: "dnn-smtp-password-is-secret",
    description: "SMTP passwords, OAuth settings and site credentials are kept as secrets.",
    resourceTypes: CHECKED_TYPES,
    check: secretsAreMarked,
  },
  {
    name: "dnn-smtp-no-465-with-core-provider",
    description: "Port 465 (implicit TLS) is refused with DNN's core mail provider.",
    resourceTypes: [SMTP_SETTINGS_TYPE],
    check: noImplicitTlsPortWithCore,
  },
  {
    name: "dnn-smtp-production-precheck",
    description: `Production stacks prove the relay login: precheck level "${MIN_PRODUCTION_PRECHECK}" or "send".`,
    resourceTypes: [SMTP_SETTINGS_TYPE],
    check: productionPrecheck,
  },
];

/** Every violation of every rule about `type`, each with its rule's name. */
export function checkResource(
  type: string,
  subject: PolicySubject,
  config?: PolicyConfig,
): Array<PolicyViolation & { readonly policy: string }> {
  return POLICIES.filter((rule) => rule.resourceTypes.includes(type)).flatMap((rule) =>
    rule.check(subject, config).map((v) => ({ policy: rule.name, ...v })),
  );
}

/** Every violation of every rule, for an `SmtpSettings` resource. */
export function checkSmtpSettings(
  subject: PolicySubject,
  config?: PolicyConfig,
): Array<PolicyViolation & { readonly policy: string }> {
  return checkResource(SMTP_SETTINGS_TYPE, subject, config);
}
