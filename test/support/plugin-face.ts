/**
 * The `dnn-smtp` resource plugin (the plugin face), laid out as `pulumi plugin install`
 * would install it (provider/plugin/pack.sh, node_modules linked), started through its
 * launcher and driven over gRPC the way the engine drives it.
 */
// biome-ignore-all lint/suspicious/noExplicitAny: the protobuf stubs of @pulumi/pulumi are untyped JavaScript
import { execFileSync, spawn } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";

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

/** Starts the plugin through its launcher, as the engine does (one argument: the engine address). */
export async function startPluginFace(
  pluginDir: string,
  env: NodeJS.ProcessEnv = {},
): Promise<PluginFace> {
  const grpc = fromPulumi("@grpc/grpc-js");
  const structpb = fromPulumi("google-protobuf/google/protobuf/struct_pb");
  const emptypb = fromPulumi("google-protobuf/google/protobuf/empty_pb");
  const services = fromPulumi("@pulumi/pulumi/proto/provider_grpc_pb");
  const messages = fromPulumi("@pulumi/pulumi/proto/provider_pb");
  const kinds = Object.fromEntries(
    Object.entries(messages.PropertyDiff.Kind).map(([k, v]) => [v as number, k]),
  );

  const child = spawn(join(pluginDir, "pulumi-resource-dnn-smtp"), ["127.0.0.1:1"], {
    cwd: tmpdir(),
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stderr.on("data", (d) => {
    output += d;
  });
  const lines = createInterface({ input: child.stdout });
  const port = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`plugin did not start: ${output}`)), 20_000);
    lines.once("line", (line) => {
      clearTimeout(timer);
      ok(line.trim());
    });
    child.once("exit", (code) => fail(new Error(`plugin exited ${code}: ${output}`)));
  });
  lines.on("line", (line) => {
    output += `${line}\n`;
  });
  const client = new services.ResourceProviderClient(
    `127.0.0.1:${port}`,
    grpc.credentials.createInsecure(),
  );
  const call = <T = any>(method: string, request: unknown): Promise<T> =>
    new Promise((ok, fail) =>
      client[method](request, (e: Error | null, r: T) => (e ? fail(e) : ok(r))),
    );
  const struct = (v: Struct) => structpb.Struct.fromJavaScript(v);
  const failures = (res: any) =>
    res.getFailuresList().map((f: any) => `${f.getProperty()}: ${f.getReason()}`);

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
    output: () => output,
    async close() {
      client.close();
      child.kill();
      await new Promise((r) => (child.exitCode === null ? child.once("exit", r) : r(undefined)));
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
  let log = "";
  const env = {
    ...process.env,
    PATH: [options.pluginDir, options.bin, process.env.PATH].filter(Boolean).join(":"),
    PULUMI_HOME: join(dir, ".pulumi-home"),
    PULUMI_BACKEND_URL: `file://${stateDir}`,
    PULUMI_CONFIG_PASSPHRASE: options.passphrase,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
  };
  const shown = (args: readonly string[]) =>
    args.includes("--secret") ? [...args.slice(0, -1), "[secret]"].join(" ") : args.join(" ");
  const run = (args: readonly string[], extra: Record<string, string> = {}) =>
    new Promise<CliResult>((ok, fail) => {
      const child = spawn(join(options.bin, "pulumi"), ["--non-interactive", ...args], {
        cwd: dir,
        env: { ...env, ...extra },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => {
        stdout += d;
      });
      child.stderr.on("data", (d) => {
        stderr += d;
      });
      const timer = setTimeout(() => child.kill("SIGKILL"), 180_000);
      child.on("error", fail);
      child.on("close", (code) => {
        clearTimeout(timer);
        log += `$ pulumi ${shown(args)}\n${stdout}${stderr}\n`;
        ok({ code: code ?? -1, stdout, stderr });
      });
    });
  const ok = async (args: readonly string[], extra?: Record<string, string>) => {
    const result = await run(args, extra);
    if (result.code !== 0)
      throw new Error(
        `pulumi ${shown(args)} exited ${result.code}\n${result.stdout}\n${result.stderr}`,
      );
    return result;
  };
  const filesText = (folder: string): string =>
    readdirSync(folder)
      .map((name) => join(folder, name))
      .map((path) =>
        statSync(path).isDirectory() ? filesText(path) : readFileSync(path, "latin1"),
      )
      .join("\n");
  return {
    dir,
    stateDir,
    run,
    ok,
    stateFilesText: () => filesText(stateDir),
    log: () => log,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
