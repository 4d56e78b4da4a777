/**
 * Drives the real dynamic-provider plugin of `@pulumi/pulumi` over gRPC, as the engine
 * does, without the Go engine. Everything is loaded from `examples/node_modules`, where
 * the package is installed as a real copy (npm install-links), the way users install it.
 */
// biome-ignore-all lint/suspicious/noExplicitAny: the protobuf stubs of @pulumi/pulumi are untyped JavaScript
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";

export const EXAMPLES_DIR = resolve(__dirname, "../../examples");
const fromExamples = createRequire(join(EXAMPLES_DIR, "package.json"));

/** The envelope the engine wraps a secret config value in (only Configure sees one). */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
export const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/**
 * Whether the package is installed in examples/node_modules (the README's test command
 * installs it). The one guard for suites that need it: they skip without it, except under
 * CI, where a missing install is a failure.
 */
export function examplesInstalled(): boolean {
  const ready = existsSync(
    join(EXAMPLES_DIR, "node_modules/pulumi-dnn-smtp/dist/provider/dynamic-provider.js"),
  );
  if (!ready && process.env.CI === "true")
    throw new Error(
      "examples/node_modules is missing: run the README's test command, which installs it",
    );
  return ready;
}

/** The `__provider` text Pulumi stores for an SmtpSettings resource. */
export async function serializedProvider(): Promise<string> {
  const pulumi = fromExamples("@pulumi/pulumi");
  const provider = fromExamples("pulumi-dnn-smtp/dist/provider/dynamic-provider");
  const result = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  return result.text;
}

type Struct = Record<string, unknown>;
type Call = (request: unknown, callback: (error: Error | null, response: any) => void) => void;

export interface PluginClient {
  configure(config: Record<string, unknown>): Promise<void>;
  check(
    olds: Struct,
    news: Struct,
  ): Promise<{ inputs: Struct; failures: Array<{ property: string; reason: string }> }>;
  diff(
    id: string,
    olds: Struct,
    news: Struct,
  ): Promise<{ changes: number; replaces: string[]; deleteBeforeReplace: boolean }>;
  create(props: Struct): Promise<{ id: string; properties: Struct }>;
  read(id: string, props: Struct): Promise<{ id: string; properties: Struct; inputs?: Struct }>;
  update(id: string, olds: Struct, news: Struct): Promise<{ properties: Struct }>;
  delete(id: string, props: Struct): Promise<void>;
  /** Everything the plugin printed on stdout and stderr. */
  output(): string;
  close(): Promise<void>;
}

/** Starts the plugin process with `cwd` = examples (its provider text resolves from there). */
export async function startPlugin(env: NodeJS.ProcessEnv = {}): Promise<PluginClient> {
  const pulumiDir = resolve(fromExamples.resolve("@pulumi/pulumi/package.json"), "..");
  const grpc = fromExamples(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] }));
  const structpb = fromExamples(
    require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [pulumiDir] }),
  );
  const services = fromExamples("@pulumi/pulumi/proto/provider_grpc_pb");
  const messages = fromExamples("@pulumi/pulumi/proto/provider_pb");
  const entry = join(pulumiDir, "cmd/dynamic-provider/index.js");

  const child: ChildProcess = spawn(process.execPath, [entry, "127.0.0.1:1"], {
    cwd: EXAMPLES_DIR,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stderr?.on("data", (d) => {
    output += d;
  });
  if (!child.stdout) throw new Error("plugin has no stdout");
  const lines = createInterface({ input: child.stdout });
  const port = await new Promise<string>((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`plugin did not start: ${output}`)), 20_000);
    lines.once("line", (line) => {
      clearTimeout(timer);
      resolvePort(line.trim());
    });
    child.once("exit", (code) => reject(new Error(`plugin exited ${code}: ${output}`)));
  });
  lines.on("line", (line) => {
    output += `${line}\n`;
  });
  const client = new services.ResourceProviderClient(
    `127.0.0.1:${port}`,
    grpc.credentials.createInsecure(),
  );

  const toStruct = (value: Struct) => structpb.Struct.fromJavaScript(value);
  const call = <T>(method: string, request: unknown): Promise<T> =>
    new Promise((ok, fail) =>
      (client[method] as Call).call(client, request, (e, r) => (e ? fail(e) : ok(r))),
    );

  return {
    async configure(config) {
      const req = new messages.ConfigureRequest();
      req.setArgs(toStruct(config as Struct));
      await call("configure", req);
    },
    async check(olds, news) {
      const req = new messages.CheckRequest();
      req.setOlds(toStruct(olds));
      req.setNews(toStruct(news));
      const res = await call<any>("check", req);
      return {
        inputs: res.getInputs()?.toJavaScript() ?? {},
        failures: res
          .getFailuresList()
          .map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })),
      };
    },
    async diff(id, olds, news) {
      const req = new messages.DiffRequest();
      req.setId(id);
      req.setOlds(toStruct(olds));
      req.setNews(toStruct(news));
      const res = await call<any>("diff", req);
      return {
        changes: res.getChanges(),
        replaces: res.getReplacesList(),
        deleteBeforeReplace: res.getDeletebeforereplace(),
      };
    },
    async create(props) {
      const req = new messages.CreateRequest();
      req.setProperties(toStruct(props));
      const res = await call<any>("create", req);
      return { id: res.getId(), properties: res.getProperties().toJavaScript() };
    },
    async read(id, props) {
      const req = new messages.ReadRequest();
      req.setId(id);
      req.setProperties(toStruct(props));
      const res = await call<any>("read", req);
      return {
        id: res.getId(),
        properties: res.getProperties()?.toJavaScript() ?? {},
        inputs: res.getInputs()?.toJavaScript(),
      };
    },
    async update(id, olds, news) {
      const req = new messages.UpdateRequest();
      req.setId(id);
      req.setOlds(toStruct(olds));
      req.setNews(toStruct(news));
      const res = await call<any>("update", req);
      return { properties: res.getProperties().toJavaScript() };
    },
    async delete(id, props) {
      const req = new messages.DeleteRequest();
      req.setId(id);
      req.setProperties(toStruct(props));
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
