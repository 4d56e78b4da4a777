/**
 * The plugin face of the package: what each ResourceProvider call of the engine does, in
 * plain JavaScript values (structs as `toJavaScript()` gives them, secrets in the engine's
 * envelope). It only translates: secrets are unwrapped on the way in and wrapped on the way
 * out, the provider configuration becomes the config the lifecycle reads, import ids become
 * the properties a read needs, and the lifecycle's diff becomes a detailed diff. The work is
 * the lifecycle's (`provider/lifecycle`, `provider/use-global-lifecycle`), shared with the
 * dynamic face.
 */
import type * as pulumi from "@pulumi/pulumi";
import * as smtpLifecycle from "../lifecycle";
import { isUnknown, UNKNOWN } from "../lifecycle/props";
import { SMTP_SETTINGS_OUTPUT_KEYS, USE_GLOBAL_OUTPUT_KEYS } from "../resources/output-keys";
import * as useGlobalLifecycle from "../use-global-lifecycle";
import { asStackConfig, type ProviderConfig, readConfig } from "./config";
import { SECRET_CONFIG, SECRET_PROPERTIES, SMTP_SETTINGS_TOKEN, USE_GLOBAL_TOKEN } from "./names";
import { type Props, unwrapSecrets, wrapSecrets } from "./secrets";

/** The lifecycle of one resource type: the functions both faces call. */
interface Lifecycle {
  check(olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult>;
  diff(
    id: string,
    olds: Props,
    news: Props,
  ): Promise<pulumi.dynamic.DiffResult & { changedKeys?: string[] }>;
  create(inputs: Props): Promise<pulumi.dynamic.CreateResult>;
  read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult>;
  update(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult>;
  remove(id: string, props: Props): Promise<void>;
}

interface ResourceType {
  readonly lifecycle: Lifecycle;
  /** The properties a read needs, from an import id; throws on a malformed id. */
  importSeed(id: string): Props;
}

const IMPORT_ID_HELP: Record<string, string> = {
  [SMTP_SETTINGS_TOKEN]:
    "`<site url>#global` or `<site url>#site`, e.g. https://example.com/shop#site",
  [USE_GLOBAL_TOKEN]: "`<site url>#use-global`, e.g. https://example.com/blog#use-global",
};

function splitId(
  token: string,
  id: string,
  tails: readonly string[],
): { url: string; tail: string } {
  const at = id.lastIndexOf("#");
  const url = at > 0 ? id.slice(0, at) : "";
  const tail = at > 0 ? id.slice(at + 1) : "";
  if (!url || !tails.includes(tail)) {
    throw new Error(
      `cannot import ${JSON.stringify(id)}: the id of ${token} is ${IMPORT_ID_HELP[token]}`,
    );
  }
  return { url, tail };
}

const TYPES: Record<string, ResourceType> = {
  [SMTP_SETTINGS_TOKEN]: {
    lifecycle: smtpLifecycle as unknown as Lifecycle,
    importSeed(id) {
      const { url, tail } = splitId(SMTP_SETTINGS_TOKEN, id, ["global", "site"]);
      return { site: { url }, scope: tail };
    },
  },
  [USE_GLOBAL_TOKEN]: {
    lifecycle: useGlobalLifecycle as unknown as Lifecycle,
    importSeed(id) {
      const { url } = splitId(USE_GLOBAL_TOKEN, id, ["use-global"]);
      return { site: { url } };
    },
  },
};

/** The resource type of a URN: the last `::` part, after any parent types (`$`). */
export function typeOfUrn(urn: string): string {
  const qualified = urn.split("::")[2] ?? "";
  return qualified.split("$").pop() ?? "";
}

function resourceType(urn: string): ResourceType {
  const type = TYPES[typeOfUrn(urn)];
  if (!type) throw new Error(`dnn-smtp: unknown resource type ${typeOfUrn(urn)} (${urn})`);
  return type;
}

export interface CheckFailure {
  readonly property: string;
  readonly reason: string;
}

/** A property's change, as the engine's PropertyDiff kinds name it. */
export type DiffKind =
  | "add"
  | "addReplace"
  | "delete"
  | "deleteReplace"
  | "update"
  | "updateReplace";

/** One entry of a detailed diff: its kind, and whether it compares inputs (else the state). */
export interface PropertyChange {
  readonly kind: DiffKind;
  readonly inputDiff: boolean;
}

export interface DetailedDiffResult {
  readonly changes: boolean;
  readonly replaces: string[];
  readonly deleteBeforeReplace: boolean;
  /**
   * Property path (`password`, `site.url`) → its change; undefined when the lifecycle could
   * not name the changed properties.
   */
  readonly detailedDiff?: Record<string, PropertyChange>;
}

/** The keys of a site the provider configuration may supply when the resource does not. */
const SITE_DEFAULTS = ["caCert", "insecureSkipVerify"] as const;

/**
 * One provider instance: its configuration, and the resource calls. The engine runs one
 * plugin process per provider (default or explicit), so one instance per process.
 */
export class DnnSmtpProvider {
  private config: ProviderConfig = {};

  // ------------------------------------------------------------ configuration

  /** CheckConfig: validates the configuration; the credentials go back as secrets. */
  checkConfig(news: Props): { inputs: Props; failures: CheckFailure[] } {
    const { plain, secretKeys } = unwrapSecrets(news);
    const { problems } = readConfig(plain);
    // The engine prints the property before the reason.
    const failures = problems.map((p) => ({ property: p.field, reason: p.message }));
    return { inputs: wrapSecrets(plain, new Set([...secretKeys, ...SECRET_CONFIG])), failures };
  }

  /** Configure: remembers the configuration for every later call of this process. */
  async configure(args: Props, variables: Record<string, string> = {}): Promise<void> {
    const { plain } = unwrapSecrets(args);
    const { config, problems } = readConfig(plain, variables);
    if (problems.length > 0) {
      throw new Error(problems.map((p) => `dnn-smtp provider ${p.field}: ${p.message}`).join("\n"));
    }
    this.config = config;
    await smtpLifecycle.configure({
      config: asStackConfig(config),
    } as pulumi.dynamic.ConfigureRequest);
  }

  // ------------------------------------------------------------ resources

  async check(
    urn: string,
    olds: Props,
    news: Props,
  ): Promise<{ inputs: Props; failures: CheckFailure[] }> {
    const { lifecycle } = resourceType(urn);
    const o = unwrapSecrets(olds);
    const n = unwrapSecrets(news);
    // During preview the provider's URL may not be known yet (an output of another
    // resource): a resource that takes its site from it has an unknown site too.
    const site = n.plain.site as Props | undefined;
    if (isUnknown(this.config.url) && (site?.url === undefined || site.url === "")) {
      n.plain.site = UNKNOWN;
    }
    const result = await lifecycle.check(o.plain, n.plain);
    return {
      inputs: this.secretsOut(result.inputs ?? n.plain, n.secretKeys),
      failures: [...(result.failures ?? [])],
    };
  }

  async diff(urn: string, id: string, olds: Props, news: Props): Promise<DetailedDiffResult> {
    const { lifecycle } = resourceType(urn);
    const o = unwrapSecrets(olds).plain;
    const n = unwrapSecrets(news).plain;
    const result = await lifecycle.diff(id, o, n);
    const replaces = [...(result.replaces ?? [])];
    const changes = result.changes === true;
    const keys = result.changedKeys ?? [];
    const named = new Set([...keys, ...replaces]);
    // When the lifecycle saw a change no property names (it cannot happen today, but a
    // wrong "no changes" must never hide one), let the engine show its own diff.
    const detailedDiff =
      changes && named.size === 0
        ? undefined
        : Object.fromEntries([...named].map((key) => [key, kindOf(key, o, n, replaces)]));
    return {
      changes,
      replaces,
      deleteBeforeReplace: result.deleteBeforeReplace === true,
      detailedDiff: changes ? detailedDiff : {},
    };
  }

  async create(urn: string, props: Props): Promise<{ id: string; properties: Props }> {
    const { lifecycle } = resourceType(urn);
    const { plain, secretKeys } = unwrapSecrets(props);
    const result = await lifecycle.create(this.withSiteDefaults(plain));
    return {
      id: result.id,
      properties: this.secretsOut(this.withoutSiteDefaults(result.outs ?? {}, plain), secretKeys),
    };
  }

  /**
   * Read: refresh (the state's properties given) or import (only an id: `<site url>#<scope>`
   * or `<site url>#use-global`). An import never copies the SMTP password, not even where
   * DNN answers it in clear (DNN 9.2-9.10): the imported state and inputs have none, so no
   * password lands in generated code or CLI output; the program declares the real one and
   * the next `up` writes it.
   */
  async read(
    urn: string,
    id: string,
    props: Props,
    inputs: Props,
  ): Promise<{ id: string; properties: Props; inputs?: Props }> {
    const type = resourceType(urn);
    const importing = Object.keys(props).length === 0;
    const { plain, secretKeys } = unwrapSecrets(importing ? type.importSeed(id) : props);
    const oldInputs = unwrapSecrets(inputs);
    const result = await type.lifecycle.read(id, this.withSiteDefaults(plain));
    if (!result.id) return { id: "", properties: {} };
    let state = this.withoutSiteDefaults(result.props ?? {}, plain);
    let newInputs: Props | undefined = result.inputs
      ? this.withoutSiteDefaults(result.inputs, plain)
      : undefined;
    if (importing) {
      // The inputs as the program would declare them: check fills the defaults. When the
      // site needs a password, check names it as missing; the engine shows that as a
      // warning and the generated code has to be completed with the real secret.
      const seed = withoutPassword(newInputs ?? pickInputs(state));
      const checked = await type.lifecycle.check({}, seed);
      newInputs =
        checked.failures && checked.failures.length > 0 ? seed : (checked.inputs as Props);
      state = withoutPassword({ ...state, ...newInputs });
    }
    const keys = new Set([...secretKeys, ...oldInputs.secretKeys]);
    return {
      id: result.id,
      properties: this.secretsOut(state, keys),
      // Without inputs from the lifecycle, the stored ones stay (an engine that sent none
      // keeps its own).
      inputs: newInputs
        ? this.secretsOut(newInputs, keys)
        : Object.keys(oldInputs.plain).length > 0
          ? this.secretsOut(oldInputs.plain, oldInputs.secretKeys)
          : undefined,
    };
  }

  async update(urn: string, id: string, olds: Props, news: Props): Promise<{ properties: Props }> {
    const { lifecycle } = resourceType(urn);
    const o = unwrapSecrets(olds);
    const n = unwrapSecrets(news);
    const result = await lifecycle.update(
      id,
      this.withSiteDefaults(o.plain),
      this.withSiteDefaults(n.plain),
    );
    return {
      properties: this.secretsOut(
        this.withoutSiteDefaults(result.outs ?? {}, n.plain),
        n.secretKeys,
      ),
    };
  }

  async delete(urn: string, id: string, props: Props): Promise<void> {
    const { lifecycle } = resourceType(urn);
    await lifecycle.remove(id, this.withSiteDefaults(unwrapSecrets(props).plain));
  }

  // ------------------------------------------------------------ helpers

  /** Secrets going back to the engine: what came in secret, and what always is. */
  private secretsOut(props: Props, secretKeys: Iterable<string>): Props {
    return wrapSecrets(props, new Set([...secretKeys, ...SECRET_PROPERTIES]));
  }

  /** The site with the provider's caCert / insecureSkipVerify where the resource names none. */
  private withSiteDefaults(props: Props): Props {
    const site = (props.site ?? {}) as Props;
    const added = Object.fromEntries(
      SITE_DEFAULTS.filter((k) => site[k] === undefined && this.config[k] !== undefined).map(
        (k) => [k, this.config[k]],
      ),
    );
    return Object.keys(added).length === 0 ? props : { ...props, site: { ...site, ...added } };
  }

  /** Keeps the provider's site defaults out of the state: they belong to the provider. */
  private withoutSiteDefaults(props: Props, original: Props): Props {
    if (props.site === undefined || typeof props.site !== "object") return props;
    const declared = (original.site ?? {}) as Props;
    const site = { ...(props.site as Props) };
    for (const k of SITE_DEFAULTS) if (declared[k] === undefined) delete site[k];
    return { ...props, site };
  }
}

/** Output-only keys of both resources: never inputs. */
const OUTPUT_ONLY = new Set<string>([...SMTP_SETTINGS_OUTPUT_KEYS, ...USE_GLOBAL_OUTPUT_KEYS]);

/** The value at a property path such as `site.url`. */
function valueAt(props: Props, path: string): unknown {
  let value: unknown = props;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Props)[part];
  }
  return value;
}

/**
 * The kind of one changed property. Keys the lifecycle reports for a change of the site
 * itself rather than of an input (`mode`: the site left its settings by hand; `repair`: a
 * write to finish) are updates of the state, not input diffs.
 */
function kindOf(
  key: string,
  olds: Props,
  news: Props,
  replaces: readonly string[],
): PropertyChange {
  const replace = replaces.includes(key) || replaces.includes(key.split(".")[0] ?? key);
  const root = key.split(".")[0] ?? key;
  if (OUTPUT_ONLY.has(root) || root === "repair") {
    return { kind: replace ? "updateReplace" : "update", inputDiff: false };
  }
  const before = valueAt(olds, key);
  const after = valueAt(news, key);
  const kind: DiffKind =
    before === undefined && after !== undefined
      ? replace
        ? "addReplace"
        : "add"
      : after === undefined && before !== undefined
        ? replace
          ? "deleteReplace"
          : "delete"
        : replace
          ? "updateReplace"
          : "update";
  return { kind, inputDiff: true };
}

function pickInputs(state: Props): Props {
  return Object.fromEntries(Object.entries(state).filter(([k]) => !OUTPUT_ONLY.has(k)));
}

function withoutPassword(props: Props): Props {
  const { password: _password, ...rest } = props;
  return rest;
}

/** Which input properties differ, when the lifecycle does not say (older lifecycle). */
