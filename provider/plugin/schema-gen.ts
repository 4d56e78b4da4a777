/**
 * Generates the Pulumi package schema of the `dnn-smtp` plugin from the project's own
 * sources, so that no description is written twice: every text is the doc comment of the
 * declaration the dynamic face already documents (the settings model in `settings.ts`, the
 * precheck options, `SiteArgs`, the resource classes and their argument types). Only the
 * Pulumi types, and the few texts the plugin alone has, are written here.
 *
 * Declarations are found by name in the TypeScript sources under `provider/` (not by file
 * path), so moving a declaration to another file does not break the generator.
 * Run by `npm run schema`; `test/plugin-schema.test.ts` checks the committed
 * `provider/plugin/schema.json` equals what this generates.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import ts from "typescript";
import { HELD_FIELDS } from "../model";
import { SETTINGS_FIELDS } from "../settings";
import { PACKAGE, PROVIDER_CONFIG, SMTP_SETTINGS_TOKEN, USE_GLOBAL_TOKEN } from "./names";

export { PROVIDER_CONFIG, SECRET_PROPERTIES } from "./names";

const SITE_TYPE = `${PACKAGE}:index:Site`;
const OAUTH_TYPE = `${PACKAGE}:index:OAuth`;
const PRECHECK_TYPE = `${PACKAGE}:index:Precheck`;
const PRECHECK_TLS_TYPE = `${PACKAGE}:index:PrecheckTls`;
const HELD_TYPE = `${PACKAGE}:index:HeldSettings`;
const PREVIOUS_TYPE = `${PACKAGE}:index:PreviousSettings`;

type Spec = {
  type?: string;
  $ref?: string;
  secret?: boolean;
  additionalProperties?: Spec;
  description?: string;
};
type Property = Spec & { description: string };
type Properties = Record<string, Property>;

// ---------------------------------------------------------------- reading doc comments

/** The checkout: the nearest folder above this module with this project's package.json, else the cwd. */
export function projectRoot(): string {
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    try {
      if (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name === "pulumi-dnn-smtp")
        return dir;
    } catch {
      // no package.json here
    }
  }
  return process.cwd();
}

function sourceFiles(root: string): ts.SourceFile[] {
  const files: ts.SourceFile[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "plugin" && entry.name !== "node_modules") walk(path);
      } else if (
        entry.name.endsWith(".ts") &&
        !entry.name.endsWith(".test.ts") &&
        !entry.name.endsWith(".d.ts")
      ) {
        files.push(
          ts.createSourceFile(
            relative(root, path),
            readFileSync(path, "utf8"),
            ts.ScriptTarget.Latest,
            true,
          ),
        );
      }
    }
  };
  walk(join(root, "provider"));
  return files;
}

/** The doc comment of a node, `@example` and other tags left out, lines joined by the text's own breaks. */
function docOf(node: ts.Node): string | undefined {
  const docs = ts.getJSDocCommentsAndTags(node).filter((d): d is ts.JSDoc => ts.isJSDoc(d));
  const last = docs[docs.length - 1];
  const text = last ? ts.getTextOfJSDocComment(last.comment) : undefined;
  return (
    text
      ?.split(/\n\s*\n/)
      // Lines of a paragraph join into one; list items keep their own lines.
      .map((paragraph) => paragraph.replace(/[ \t]*\n[ \t]*(?!- )/g, " ").trim())
      .join("\n\n")
  );
}

class Sources {
  private readonly files: ts.SourceFile[];
  constructor(root: string) {
    this.files = sourceFiles(root);
  }

  /** The one declaration of this name (const, interface, type alias or class; or of one kind). */
  declaration(name: string, kind?: (node: ts.Node) => boolean): ts.Node {
    const found: ts.Node[] = [];
    const visit = (node: ts.Node) => {
      if (
        (ts.isVariableDeclaration(node) ||
          ts.isInterfaceDeclaration(node) ||
          ts.isTypeAliasDeclaration(node) ||
          ts.isClassDeclaration(node)) &&
        node.name &&
        ts.isIdentifier(node.name) &&
        node.name.text === name &&
        (!kind || kind(node))
      )
        found.push(node);
      ts.forEachChild(node, visit);
    };
    for (const file of this.files) visit(file);
    if (found.length !== 1) {
      throw new Error(
        `schema: expected one declaration named ${name} under provider/, found ${found.length}`,
      );
    }
    return found[0] as ts.Node;
  }

  /** The doc comment of a declaration; a class or type alias documents itself. */
  docOfDeclaration(name: string, kind?: (node: ts.Node) => boolean): string {
    const node = this.declaration(name, kind);
    const target = ts.isVariableDeclaration(node) ? node.parent.parent : node;
    return required(docOf(target), name);
  }

  /** Doc comments of the members of an interface, type literal (also in intersections) or class. */
  memberDocs(name: string, kind?: (node: ts.Node) => boolean): Record<string, string> {
    const docs: Record<string, string> = {};
    const visit = (node: ts.Node) => {
      if (
        (ts.isPropertySignature(node) || ts.isPropertyDeclaration(node)) &&
        ts.isIdentifier(node.name)
      ) {
        const doc = docOf(node);
        if (doc) docs[node.name.text] = doc;
        return;
      }
      if (ts.isClassDeclaration(node) || ts.isInterfaceDeclaration(node)) {
        for (const member of node.members) visit(member);
        return;
      }
      if (ts.isTypeAliasDeclaration(node)) return visit(node.type);
      if (ts.isIntersectionTypeNode(node)) return node.types.forEach(visit);
      if (ts.isTypeLiteralNode(node)) return node.members.forEach(visit);
    };
    visit(this.declaration(name, kind));
    return docs;
  }

  /**
   * Doc comments of the properties of the first `z.object({...})` in a const's initializer;
   * with `path`, of the object nested under those property names.
   */
  zodObjectDocs(name: string, path: readonly string[] = []): Record<string, string> {
    const declaration = this.declaration(name);
    if (!ts.isVariableDeclaration(declaration) || !declaration.initializer)
      throw new Error(`schema: ${name} is not a const with an initializer`);
    let object = firstObjectArgument(declaration.initializer);
    for (const key of path) {
      const property = object?.properties.find(
        (p): p is ts.PropertyAssignment =>
          ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === key,
      );
      object = property ? firstObjectArgument(property.initializer) : undefined;
    }
    if (!object) throw new Error(`schema: no z.object({...}) in ${[name, ...path].join(".")}`);
    const docs: Record<string, string> = {};
    for (const property of object.properties) {
      if (!ts.isPropertyAssignment(property) || !ts.isIdentifier(property.name)) continue;
      const doc = docOf(property);
      if (doc) docs[property.name.text] = doc;
    }
    return docs;
  }
}

/** The object literal passed to the first `.object(...)` call inside an expression. */
function firstObjectArgument(expression: ts.Node): ts.ObjectLiteralExpression | undefined {
  let result: ts.ObjectLiteralExpression | undefined;
  const visit = (node: ts.Node) => {
    if (result) return;
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === "object" &&
      node.arguments[0] &&
      ts.isObjectLiteralExpression(node.arguments[0])
    ) {
      result = node.arguments[0];
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(expression);
  return result;
}

function required<T>(value: T | undefined, what: string): T {
  if (!value) throw new Error(`schema: ${what} is missing`);
  return value;
}

/** Site texts speak of stack config `dnn:*`; for the plugin that is the provider's configuration. */
function forPlugin(text: string): string {
  return text
    .replace(/(?:stack )?(?:config )?`dnn:(\w+)`/g, "the provider's `$1`")
    .replace(/stack config/g, "the provider's configuration");
}

// ---------------------------------------------------------------- the schema

function pick(docs: Record<string, string>, key: string, what: string): string {
  return required(docs[key], `${what}.${key}`);
}

/** The doc comments of the declarations most sections are written from, read once. */
type Docs = {
  readonly src: Sources;
  readonly settings: Record<string, string>;
  readonly precheck: Record<string, string>;
  readonly tls: Record<string, string>;
  readonly site: Record<string, string>;
  readonly smtpArgs: Record<string, string>;
  readonly smtpClass: Record<string, string>;
  readonly globalArgs: Record<string, string>;
  readonly globalClass: Record<string, string>;
};

function readDocs(src: Sources): Docs {
  return {
    src,
    settings: src.zodObjectDocs("SettingsSchema"),
    precheck: src.zodObjectDocs("PrecheckOptionsSchema"),
    tls: src.zodObjectDocs("PrecheckOptionsSchema", ["tls"]),
    site: src.memberDocs("SiteArgs"),
    smtpArgs: src.memberDocs("SmtpSettingsArgs"),
    smtpClass: src.memberDocs("SmtpSettings", ts.isClassDeclaration),
    globalArgs: src.memberDocs("UseGlobalSmtpSettingsArgs"),
    globalClass: src.memberDocs("UseGlobalSmtpSettings"),
  };
}

/** Builds the package schema. `version` is the package version (package.json). */
export function generateSchema(version: string, root = projectRoot()): Record<string, unknown> {
  const src = new Sources(root);
  const packageJson = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const docs = readDocs(src);
  const smtpInputs = smtpSettingsInputs(docs);
  const smtpOutputs = smtpSettingsOutputs(docs, smtpInputs);
  const heldType = heldProperties(docs);
  const previousType = previousProperties(docs);
  const globalInputs = useGlobalInputs(docs);
  const globalOutputs = useGlobalOutputs(docs, globalInputs, smtpOutputs);
  const config = configProperties(docs);
  return {
    ...packageMetadata(version, packageJson),
    language: LANGUAGE,
    config: { variables: config },
    provider: providerSection(config),
    types: objectTypes(docs, heldType, previousType),
    resources: {
      [SMTP_SETTINGS_TOKEN]: smtpSettingsResource(docs, smtpInputs, smtpOutputs),
      [USE_GLOBAL_TOKEN]: useGlobalResource(docs, globalInputs, globalOutputs),
    },
  };
}

// ---------------------------------------------------------------- package and provider

/** The package's own fields: its name, texts and links, as the registry shows them. */
function packageMetadata(
  version: string,
  packageJson: { homepage?: string; repository?: { url?: string } },
): Record<string, unknown> {
  return {
    name: PACKAGE,
    displayName: "DNN SMTP",
    version,
    description:
      "DNN (DotNetNuke) SMTP settings as code: preview, a precheck that proves the settings, apply through DNN's Persona Bar API, drift detection.",
    keywords: ["pulumi", "dnn", "dotnetnuke", "smtp", "category/utility", "kind/native"],
    license: "MIT",
    homepage: packageJson.homepage,
    repository: String(packageJson.repository?.url ?? "").replace(/^git\+/, ""),
    publisher: "pulumi-dnn-smtp",
    // supportPack: the SDK carries the package version, as `pulumi package gen-sdk` and the
    // committed sdk/ (scripts/sdkgen) both generate it.
    meta: { moduleFormat: "(.*)", supportPack: true },
  };
}

/** What each language's SDK is named and where it lives. */
const LANGUAGE = {
  csharp: { rootNamespace: "Pulumi", packageReferences: { Pulumi: "3.*" } },
  go: {
    importBasePath: "github.com/pulumi-dnn-smtp/pulumi-dnn-smtp/sdk/go/dnnsmtp",
    generateResourceContainerTypes: true,
  },
  nodejs: { packageName: "@pulumi-dnn-smtp/dnn-smtp" },
  python: { packageName: "pulumi_dnn_smtp" },
};

/** The provider resource: its inputs and outputs are the configuration. */
function providerSection(config: Properties): Record<string, unknown> {
  return {
    description: `The DNN installation, or site, this provider's resources manage and the credentials of a superuser (or, for site scope, a site administrator). Every value may be left out when the resources name their site themselves or the environment variables DNN_URL, DNN_USERNAME, DNN_PASSWORD, DNN_API_TOKEN are set.`,
    inputProperties: config,
    properties: config,
  };
}

/** The provider's configuration variables, described as `SiteArgs` describes them. */
function configProperties(docs: Docs): Properties {
  return Object.fromEntries(
    Object.entries(PROVIDER_CONFIG).map(([key, spec]) => [
      key,
      { ...spec, description: configDoc(docs, key as keyof typeof PROVIDER_CONFIG) },
    ]),
  );
}

/** A `SiteArgs` text without its stack-config default, with the plugin's default and precedence. */
function configDoc(docs: Docs, key: keyof typeof PROVIDER_CONFIG): string {
  const text = pick(docs.site, key, "SiteArgs").replace(/\s*Default: [^.]*`dnn:\w+`[^.]*\./, "");
  const env = {
    url: "DNN_URL",
    username: "DNN_USERNAME",
    password: "DNN_PASSWORD",
    apiToken: "DNN_API_TOKEN",
  }[key as string];
  const fallback = env ? ` Default: the environment variable \`${env}\`.` : "";
  const perResource =
    key === "url" || key === "username" || key === "caCert" || key === "insecureSkipVerify"
      ? ` A resource's own \`site.${key}\` wins over this.`
      : ` A resource's own \`site${key === "password" ? "Password" : "ApiToken"}\` wins over this.`;
  return `${text}${fallback}${perResource}`;
}

// ---------------------------------------------------------------- the SmtpSettings resource

const SETTING_TYPES: Record<(typeof SETTINGS_FIELDS)[number], Spec> = {
  scope: { type: "string" },
  server: { type: "string" },
  connectionLimit: { type: "integer" },
  maxIdleTime: { type: "integer" },
  messageBatchSize: { type: "integer" },
  authentication: { type: "string" },
  username: { type: "string" },
  password: { type: "string", secret: true },
  enableSsl: { type: "boolean" },
  hostEmail: { type: "string" },
  oauth: { $ref: `#/types/${OAUTH_TYPE}`, secret: true },
};

/** The outputs of SmtpSettings that are no inputs. */
const SMTP_OUTPUT_TYPES: Record<string, Spec> = {
  held: { $ref: `#/types/${HELD_TYPE}` },
  oauthAuthorized: { type: "boolean" },
  authorizeUrl: { type: "string" },
  portalName: { type: "string" },
  apiGeneration: { type: "string" },
  mode: { type: "string" },
  precheckSummary: { type: "string" },
  previous: { $ref: `#/types/${PREVIOUS_TYPE}` },
};

function smtpSettingsResource(
  docs: Docs,
  inputs: Properties,
  outputs: Properties,
): Record<string, unknown> {
  return {
    description: `${docs.src.docOfDeclaration("SmtpSettings", ts.isClassDeclaration)}\n\nImport with the id \`<site url>#<scope>\`, e.g. \`pulumi import ${SMTP_SETTINGS_TOKEN} shop 'https://example.com/shop#site'\` (scope \`global\` or \`site\`).`,
    inputProperties: inputs,
    requiredInputs: ["scope", "server"],
    properties: outputs,
    required: [
      "scope",
      "server",
      "connectionLimit",
      "maxIdleTime",
      "authentication",
      "enableSsl",
      "site",
      "onDelete",
      "portalName",
      "apiGeneration",
      "mode",
      "precheckSummary",
    ],
  };
}

/** The settings model's fields, described by the settings schema. */
function settingProperties(docs: Docs): Properties {
  return Object.fromEntries(
    SETTINGS_FIELDS.map((f) => [
      f,
      { ...SETTING_TYPES[f], description: pick(docs.settings, f, "settings") },
    ]),
  );
}

/** The site properties every resource has: the site, and its credentials as their own secrets. */
function siteProperties(docs: Docs, siteDoc: string): Properties {
  return {
    site: { $ref: `#/types/${SITE_TYPE}`, description: forPlugin(siteDoc) },
    sitePassword: {
      type: "string",
      secret: true,
      description: forPlugin(pick(docs.site, "password", "SiteArgs")),
    },
    siteApiToken: {
      type: "string",
      secret: true,
      description: forPlugin(pick(docs.site, "apiToken", "SiteArgs")),
    },
  };
}

function smtpSettingsInputs(docs: Docs): Properties {
  const { smtpArgs } = docs;
  return {
    ...settingProperties(docs),
    ...siteProperties(docs, pick(smtpArgs, "site", "SmtpSettingsArgs")),
    precheck: {
      $ref: `#/types/${PRECHECK_TYPE}`,
      description: pick(smtpArgs, "precheck", "SmtpSettingsArgs"),
    },
    onDelete: { type: "string", description: pick(smtpArgs, "onDelete", "SmtpSettingsArgs") },
  };
}

/**
 * Outputs: the inputs, described as the resource class describes its outputs where it
 * does (e.g. a tuning field left undeclared), and the outputs that are no inputs.
 */
function smtpSettingsOutputs(docs: Docs, inputs: Properties): Properties {
  return {
    ...Object.fromEntries(
      Object.entries(inputs).map(([key, p]) => [
        key,
        {
          ...p,
          description: outputDoc(docs.smtpClass[key], p.description),
        },
      ]),
    ),
    ...Object.fromEntries(
      Object.entries(SMTP_OUTPUT_TYPES).map(([key, spec]) => [
        key,
        { ...spec, description: pick(docs.smtpClass, key, "SmtpSettings") },
      ]),
    ),
  };
}

/** A one-word class note ("Secret.") says less than the argument's own text. */
function outputDoc(classDoc: string | undefined, inputDoc: string): string {
  return classDoc && classDoc.split(" ").length >= 4 ? classDoc : inputDoc;
}

// ---------------------------------------------------------------- the UseGlobalSmtpSettings resource

function useGlobalResource(
  docs: Docs,
  inputs: Properties,
  outputs: Properties,
): Record<string, unknown> {
  return {
    description: `${docs.src.docOfDeclaration("UseGlobalSmtpSettings")}\n\nImport with the id \`<site url>#use-global\`, e.g. \`pulumi import ${USE_GLOBAL_TOKEN} blog 'https://example.com/blog#use-global'\`.`,
    inputProperties: inputs,
    properties: outputs,
    required: ["site", "onDelete", "mode", "portalName", "apiGeneration"],
  };
}

function useGlobalInputs(docs: Docs): Properties {
  return {
    ...siteProperties(docs, pick(docs.globalArgs, "site", "UseGlobalSmtpSettingsArgs")),
    onDelete: {
      type: "string",
      description: pick(docs.globalArgs, "onDelete", "UseGlobalSmtpSettingsArgs"),
    },
  };
}

/** The inputs, the mode before and after, and the site facts SmtpSettings reports too. */
function useGlobalOutputs(docs: Docs, inputs: Properties, smtpOutputs: Properties): Properties {
  return {
    ...inputs,
    mode: { type: "string", description: pick(docs.globalClass, "mode", "UseGlobalSmtpSettings") },
    previousMode: {
      type: "string",
      description: pick(docs.globalClass, "previousMode", "UseGlobalSmtpSettings"),
    },
    portalName: smtpOutputs.portalName as Property,
    apiGeneration: smtpOutputs.apiGeneration as Property,
  };
}

// ---------------------------------------------------------------- the types

function objectTypes(
  docs: Docs,
  heldType: Properties,
  previousType: Properties,
): Record<string, unknown> {
  return {
    [SITE_TYPE]: {
      type: "object",
      // SiteArgs' own text speaks of TypeScript inputs; the plugin's site differs too: its
      // credentials are the resource's sitePassword / siteApiToken.
      description:
        "The DNN site a resource manages, when it is not the provider's `url` (a child site such as `https://example.com/shop`, say), and how to reach it. The credentials are the resource's `sitePassword` or `siteApiToken`, else the provider's.",
      properties: siteTypeProperties(docs),
    },
    [OAUTH_TYPE]: oauthType(docs),
    [PRECHECK_TYPE]: {
      type: "object",
      description: docs.src.docOfDeclaration("PrecheckOptionsSchema"),
      properties: precheckProperties(docs),
    },
    [HELD_TYPE]: {
      type: "object",
      description: docs.src.docOfDeclaration("HeldSettings"),
      properties: heldType,
    },
    [PREVIOUS_TYPE]: {
      type: "object",
      description: pick(docs.smtpClass, "previous", "SmtpSettings"),
      properties: previousType,
    },
    [PRECHECK_TLS_TYPE]: precheckTlsType(docs),
  };
}

function siteTypeProperties(docs: Docs): Properties {
  return Object.fromEntries(
    (["url", "username", "caCert", "insecureSkipVerify", "timeoutMs"] as const).map((key) => [
      key,
      {
        type: key === "insecureSkipVerify" ? "boolean" : key === "timeoutMs" ? "integer" : "string",
        description: forPlugin(pick(docs.site, key, "SiteArgs")),
      },
    ]),
  );
}

function oauthType(docs: Docs): Record<string, unknown> {
  return {
    type: "object",
    description: pick(docs.settings, "oauth", "settings"),
    properties: {
      provider: {
        type: "string",
        description:
          "The OAuth provider DNN uses to get a token, as DNN names it, e.g. `ExchangeOnline` or `GoogleMail`.",
      },
      settings: {
        type: "object",
        additionalProperties: { type: "string" },
        description:
          "The provider's settings as DNN names them (client id, client secret, tenant...); secret as a whole.",
      },
    },
    required: ["provider"],
  };
}

const PRECHECK_TYPES: Record<string, Spec> = {
  level: { type: "string" },
  via: { type: "string" },
  mailProvider: { type: "string" },
  recipient: { type: "string" },
  sender: { type: "string" },
  allowUnverifiedAuth: { type: "boolean" },
  connectTimeoutMs: { type: "integer" },
  timeoutMs: { type: "integer" },
  tls: { $ref: `#/types/${PRECHECK_TLS_TYPE}` },
};

/** The precheck options, in the order the precheck schema declares them. */
function precheckProperties(docs: Docs): Properties {
  return Object.fromEntries(
    Object.keys(docs.precheck).map((key) => [
      key,
      {
        ...required(PRECHECK_TYPES[key], `a Pulumi type for precheck.${key}`),
        description: pick(docs.precheck, key, "precheck"),
      },
    ]),
  );
}

function precheckTlsType(docs: Docs): Record<string, unknown> {
  const { tls } = docs;
  return {
    type: "object",
    description: pick(docs.precheck, "tls", "precheck"),
    // The nested fields carry no doc comments of their own in the source.
    properties: {
      ca: {
        type: "string",
        description:
          tls.ca ??
          "Extra CA certificates (PEM text) to trust for the SMTP server's TLS. Default: the system's trusted CAs.",
      },
      rejectUnauthorized: {
        type: "boolean",
        description:
          tls.rejectUnauthorized ??
          "Whether the SMTP server's certificate must verify. Default true; false only for test relays.",
      },
    },
  };
}

/** A settings field's text for an output type: its own where it says more, else the settings'. */
function settingDoc(docs: Docs, key: string, own: Record<string, string>, what: string): string {
  return outputDoc(
    own[key],
    required(docs.settings[key] ?? own[key], `${what}.${key} description`),
  );
}

/** The fields of `held`: what DNN holds for the tuning fields a resource leaves undeclared. */
function heldProperties(docs: Docs): Properties {
  const heldDocs = docs.src.memberDocs("HeldSettings");
  return Object.fromEntries(
    HELD_FIELDS.map((key) => [
      key,
      {
        ...(SETTING_TYPES[key] as Spec),
        description: settingDoc(docs, key, heldDocs, "HeldSettings"),
      },
    ]),
  );
}

const PREVIOUS_TYPES: Record<string, Spec> = {
  server: { type: "string" },
  connectionLimit: { type: "integer" },
  maxIdleTime: { type: "integer" },
  authentication: { type: "string" },
  username: { type: "string" },
  enableSsl: { type: "boolean" },
  hostEmail: { type: "string" },
  messageBatchSize: { type: "integer" },
  oauthProvider: { type: "string" },
  passwordSet: { type: "boolean" },
  mode: { type: "string" },
};

function previousProperties(docs: Docs): Properties {
  const previousDocs = docs.src.memberDocs("PreviousSettingsOutput");
  return Object.fromEntries(
    Object.entries(PREVIOUS_TYPES).map(([key, spec]) => [
      key,
      {
        ...spec,
        description:
          key === "oauthProvider"
            ? (previousDocs[key] ??
              "The OAuth provider the site named, if any (DNN key `SMTPAuthProvider`).")
            : settingDoc(docs, key, previousDocs, "PreviousSettingsOutput"),
      },
    ]),
  );
}
