/**
 * The `dnn-smtp` resource plugin (the plugin face), laid out as `pulumi plugin install`
 * would install it (provider/plugin/pack.sh, node_modules linked), started through its
 * launcher and driven over gRPC the way the engine drives it.
 */
// biome-ignore-all lint/suspicious/noExplicitAny: the protobuf stubs of @pulumi/pulumi are untyped JavaScript
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startProviderPlugin, type UnaryCall } from "./plugin";
import { filesText, offlineEnv, projectCli } from "./pulumi";

const ROOT = resolve(__dirname, "../..");
const fromPulumi = (m: string) =>
  require(require.resolve(m, { paths: [resolve(ROOT, "node_modules/@pulumi/pulumi")] }));

/** The secret envelope of the engine. */
export const SIG = "4dabf18193072939515e22adb298388d";
export const SECRET = "1b47061264138c4ac30d75fd1eb44270";
export const secret = (value: unknown) => ({ [SIG]: SECRET, value });
export const isSecret = (value: unknown): boolean =>
  typeof value === "object" && value !== null && (value as any)[SIG] === SECRET;

export const SMTP_URN = "urn:pulumi:dev::p::dnn-smtp:index:SmtpSettings::shop";
export const GLOBAL_URN = "urn:pulumi:dev::p::dnn-smtp:index:UseGlobalSmtpSettings::blog";

export interface PackedPlugin {
  /** The folder holding the launcher `pulumi-resource-dnn-smtp` (put it on PATH for the CLI). */
  readonly dir: string;
  readonly tarball: string;
  readonly version: string;
  remove(): void;
}

/**
 * Runs provider/plugin/pack.sh into a fresh temporary folder. `PLUGIN_PACK_ROOT` may name
 * another checkout to pack from (e.g. a `git archive HEAD` copy with node_modules linked,
 * when the shared working tree is in the middle of someone's edit).
 */
export function packPlugin(
  nodeModules: "--link-node-modules" | "--copy-node-modules" = "--link-node-modules",
): PackedPlugin {
  const out = mkdtempSync(join(tmpdir(), "dnn-smtp-plugin-"));
  const from = process.env.PLUGIN_PACK_ROOT ?? ROOT;
  const tarball = execFileSync("bash", [join(from, "provider/plugin/pack.sh"), out, nodeModules], {
    cwd: from,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  })
    .trim()
    .split("\n")
    .pop() as string;
  const version = require(join(ROOT, "package.json")).version as string;
  return {
    dir: join(out, "plugin"),
    tarball,
    version,
    remove: () => rmSync(out, { recursive: true, force: true }),
  };
}

type Struct = Record<string, unknown>;

export interface PropertyDiffView {
  kind: string;
  inputDiff: boolean;
}

export interface PluginFace {
  pluginInfo(): Promise<string>;
  schema(): Promise<any>;
  checkConfig(news: Struct): Promise<{ inputs: Struct; failures: string[] }>;
  configure(args: Struct): Promise<{ acceptSecrets: boolean; supportsPreview: boolean }>;
  check(urn: string, olds: Struct, news: Struct): Promise<{ inputs: Struct; failures: string[] }>;
  diff(
    urn: string,
    id: string,
    olds: Struct,
    news: Struct,
  ): Promise<{
    changes: number;
    replaces: string[];
    deleteBeforeReplace: boolean;
    hasDetailedDiff: boolean;
    detailedDiff: Record<string, PropertyDiffView>;
  }>;
  create(urn: string, props: Struct): Promise<{ id: string; properties: Struct }>;
  read(
    urn: string,
    id: string,
    props: Struct,
    inputs?: Struct,
  ): Promise<{ id: string; properties: Struct; inputs?: Struct }>;
  update(urn: string, id: string, olds: Struct, news: Struct): Promise<{ properties: Struct }>;
  delete(urn: string, id: string, props: Struct): Promise<void>;
  output(): string;
  close(): Promise<void>;
}

/** The protobuf modules of the `@pulumi/pulumi` the repository itself depends on. */
function rootProtos() {
  const grpc = fromPulumi("@grpc/grpc-js");
  const structpb = fromPulumi("google-protobuf/google/protobuf/struct_pb");
  const emptypb = fromPulumi("google-protobuf/google/protobuf/empty_pb");
  const services = fromPulumi("@pulumi/pulumi/proto/provider_grpc_pb");
  const messages = fromPulumi("@pulumi/pulumi/proto/provider_pb");
  return {
    grpc,
    structpb,
    emptypb,
    services,
    messages,
    /** PropertyDiff.Kind names by number. */
    kinds: Object.fromEntries(
      Object.entries(messages.PropertyDiff.Kind).map(([k, v]) => [v as number, k]),
    ),
  };
}

/** What the request builders need: the modules, a Struct maker and the client's calls. */
interface Rpc {
  readonly messages: any;
  readonly emptypb: any;
  readonly kinds: Record<number, string>;
  readonly struct: (v: Struct) => unknown;
  readonly call: UnaryCall;
}

const failures = (res: any) =>
  res.getFailuresList().map((f: any) => `${f.getProperty()}: ${f.getReason()}`);

/** Starts the plugin through its launcher, as the engine does (one argument: the engine address). */
export async function startPluginFace(
  pluginDir: string,
  env: NodeJS.ProcessEnv = {},
): Promise<PluginFace> {
  const protos = rootProtos();
  const launcher = join(pluginDir, "pulumi-resource-dnn-smtp");
  const plugin = await startProviderPlugin(
    protos,
    { command: launcher, args: [], cwd: tmpdir() },
    env,
  );
  const rpc: Rpc = {
    messages: protos.messages,
    emptypb: protos.emptypb,
    kinds: protos.kinds,
    struct: (v) => protos.structpb.Struct.fromJavaScript(v),
    call: plugin.call,
  };
  return {
    ...providerMethods(rpc),
    ...planMethods(rpc),
    ...writeMethods(rpc),
    output: plugin.output,
    close: plugin.close,
  };
}

/** The provider's own calls: its version, its schema, its configuration. */
function providerMethods({
  messages,
  emptypb,
  struct,
  call,
}: Rpc): Pick<PluginFace, "pluginInfo" | "schema" | "checkConfig" | "configure"> {
  return {
    async pluginInfo() {
      return (await call("getPluginInfo", new emptypb.Empty())).getVersion();
    },
    async schema() {
      const req = new messages.GetSchemaRequest();
      return JSON.parse((await call("getSchema", req)).getSchema());
    },
    async checkConfig(news) {
      const req = new messages.CheckRequest();
      req.setUrn("urn:pulumi:dev::p::pulumi:providers:dnn-smtp::default");
      req.setOlds(struct({}));
      req.setNews(struct(news));
      const res = await call("checkConfig", req);
      return { inputs: res.getInputs().toJavaScript(), failures: failures(res) };
    },
    async configure(args) {
      const req = new messages.ConfigureRequest();
      req.setArgs(struct(args));
      req.setAcceptsecrets(true);
      const res = await call("configure", req);
      return { acceptSecrets: res.getAcceptsecrets(), supportsPreview: res.getSupportspreview() };
    },
  };
}

/** Check and Diff: what the engine asks of a resource before it writes. */
function planMethods({ messages, kinds, struct, call }: Rpc): Pick<PluginFace, "check" | "diff"> {
  return {
    async check(urn, olds, news) {
      const req = new messages.CheckRequest();
      req.setUrn(urn);
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      const res = await call("check", req);
      return { inputs: res.getInputs()?.toJavaScript() ?? {}, failures: failures(res) };
    },
    async diff(urn, id, olds, news) {
      const req = new messages.DiffRequest();
      req.setUrn(urn);
      req.setId(id);
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      const res = await call("diff", req);
      const detailedDiff: Record<string, PropertyDiffView> = {};
      res.getDetaileddiffMap().forEach((v: any, k: string) => {
        detailedDiff[k] = { kind: kinds[v.getKind()] as string, inputDiff: v.getInputdiff() };
      });
      return {
        changes: res.getChanges(),
        replaces: res.getReplacesList(),
        deleteBeforeReplace: res.getDeletebeforereplace(),
        hasDetailedDiff: res.getHasdetaileddiff(),
        detailedDiff,
      };
    },
  };
}

/** Create, Read, Update and Delete of a resource. */
function writeMethods({
  messages,
  struct,
  call,
}: Rpc): Pick<PluginFace, "create" | "read" | "update" | "delete"> {
  return {
    async create(urn, props) {
      const req = new messages.CreateRequest();
      req.setUrn(urn);
      req.setProperties(struct(props));
      const res = await call("create", req);
      return { id: res.getId(), properties: res.getProperties().toJavaScript() };
    },
    async read(urn, id, props, inputs = {}) {
      const req = new messages.ReadRequest();
      req.setUrn(urn);
      req.setId(id);
      req.setProperties(struct(props));
      req.setInputs(struct(inputs));
      const res = await call("read", req);
      return {
        id: res.getId(),
        properties: res.getProperties()?.toJavaScript() ?? {},
        inputs: res.getInputs()?.toJavaScript(),
      };
    },
    async update(urn, id, olds, news) {
      const req = new messages.UpdateRequest();
      req.setUrn(urn);
      req.setId(id);
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      const res = await call("update", req);
      return { properties: res.getProperties().toJavaScript() };
    },
    async delete(urn, id, props) {
      const req = new messages.DeleteRequest();
      req.setUrn(urn);
      req.setId(id);
      req.setProperties(struct(props));
      await call("delete", req);
    },
  };
}

/** DiffResponse.DiffChanges values. */
export const DIFF = { UNKNOWN: 0, NONE: 1, SOME: 2 } as const;

// ---------------------------------------------------------------- the real CLI on YAML programs

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface YamlProject {
  readonly dir: string;
  readonly stateDir: string;
  run(args: readonly string[], env?: Record<string, string>): Promise<CliResult>;
  ok(args: readonly string[], env?: Record<string, string>): Promise<CliResult>;
  /** Every file of the state backend, concatenated. */
  stateFilesText(): string;
  /** Every command line and its output so far (secret config values masked on the command line). */
  log(): string;
  remove(): void;
}

/** The folder with `pulumi` and `pulumi-language-yaml`, or undefined. */
export function yamlCliBinDir(nodeCliBinDir: string | undefined): string | undefined {
  const candidates = [nodeCliBinDir, ...(process.env.PATH ?? "").split(":")];
  return candidates.find(
    (d) => d && existsSync(join(d, "pulumi")) && existsSync(join(d, "pulumi-language-yaml")),
  );
}

/** A command line for the log and errors, the value after `--secret` masked. */
const shown = (args: readonly string[]) =>
  args.includes("--secret") ? [...args.slice(0, -1), "[secret]"].join(" ") : args.join(" ");

/**
 * A throwaway project: the given example folder's files copied into a temporary folder, a
 * local file backend, a passphrase, no plugin downloads; the plugin installed in the
 * project's own PULUMI_HOME, or found on PATH (`pluginDir` first), the way `npm install -g`
 * would put it there.
 */
export function yamlProject(options: {
  readonly example: string;
  readonly bin: string;
  /** A plugin folder to put on PATH; without it the plugin must be installed (`pulumi plugin install`). */
  readonly pluginDir?: string;
  readonly passphrase: string;
}): YamlProject {
  const dir = mkdtempSync(join(tmpdir(), "dnn-smtp-yaml-"));
  cpSync(options.example, dir, { recursive: true });
  const stateDir = join(dir, ".state");
  mkdirSync(stateDir);
  const path = [options.pluginDir, options.bin, process.env.PATH].filter(Boolean).join(":");
  const cli = projectCli({
    bin: options.bin,
    dir,
    env: offlineEnv(path, dir, stateDir, options.passphrase),
    timeoutMs: 180_000,
    shown,
    failed: shown,
  });
  return {
    dir,
    stateDir,
    run: cli.run,
    ok: cli.ok,
    stateFilesText: () => filesText(stateDir),
    log: cli.log,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
