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

/**
 * A child process serving gRPC, started the way the engine starts a plugin or a policy pack:
 * it prints the port it listens on as its first line on stdout.
 */
export interface GrpcChild {
  readonly child: ChildProcess;
  readonly port: string;
  /** What it printed on stderr, and on stdout after the port when `keepStdout` was set. */
  output(): string;
}

export interface GrpcChildOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** The whole environment; the parent's when left out. */
  readonly env?: NodeJS.ProcessEnv;
  /** What it is, for the errors ("plugin", "policy pack"). */
  readonly name: string;
  readonly startTimeoutMs: number;
  /** Whether the stdout lines after the port go to `output()` too. */
  readonly keepStdout: boolean;
}

/** Starts the child and waits for its port; fails when it exits first or is too slow. */
async function startGrpcChild(options: GrpcChildOptions): Promise<GrpcChild> {
  const { name } = options;
  const child: ChildProcess = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stderr?.on("data", (d) => {
    output += d;
  });
  if (!child.stdout) throw new Error(`${name} has no stdout`);
  const lines = createInterface({ input: child.stdout });
  const port = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`${name} did not start: ${output}`)),
      options.startTimeoutMs,
    );
    lines.once("line", (line) => {
      clearTimeout(timer);
      ok(line.trim());
    });
    child.once("exit", (code) => fail(new Error(`${name} exited ${code}: ${output}`)));
  });
  if (options.keepStdout)
    lines.on("line", (line) => {
      output += `${line}\n`;
    });
  return { child, port, output: () => output };
}

/** A gRPC client's unary methods as promises: `call("check", request)`. */
export type UnaryCall = <T = any>(method: string, request: unknown) => Promise<T>;

/** A child's gRPC service, connected. */
export interface GrpcService {
  readonly call: UnaryCall;
  /** What the child printed (see GrpcChild). */
  output(): string;
  /** Closes the client and kills the child; resolves once it has exited. */
  close(): Promise<void>;
}

/** Starts the child (startGrpcChild) and connects a `Client` of grpc-js to its port. */
export async function startGrpcService(
  options: GrpcChildOptions & {
    readonly grpc: any;
    readonly Client: new (address: string, credentials: unknown) => any;
  },
): Promise<GrpcService> {
  const { child, port, output } = await startGrpcChild(options);
  const client = new options.Client(`127.0.0.1:${port}`, options.grpc.credentials.createInsecure());
  return {
    call: <T>(method: string, request: unknown): Promise<T> =>
      new Promise((ok, fail) =>
        (client[method] as Call).call(client, request, (e, r) => (e ? fail(e) : ok(r))),
      ),
    output,
    async close() {
      client.close();
      child.kill();
      await new Promise((r) => (child.exitCode === null ? child.once("exit", r) : r(undefined)));
    },
  };
}

/**
 * The protobuf modules of the `@pulumi/pulumi` installed in examples/node_modules, for one of
 * its services (`provider`, `analyzer`).
 */
export function examplesProtos(service: "provider" | "analyzer") {
  const pulumiDir = resolve(fromExamples.resolve("@pulumi/pulumi/package.json"), "..");
  return {
    pulumiDir,
    grpc: fromExamples(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] })),
    structpb: fromExamples(
      require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [pulumiDir] }),
    ),
    services: fromExamples(`@pulumi/pulumi/proto/${service}_grpc_pb`),
    messages: fromExamples(`@pulumi/pulumi/proto/${service}_pb`),
  };
}

/** What the request builders need: the messages, a Struct maker and the client's calls. */
interface Rpc {
  readonly messages: any;
  readonly toStruct: (value: Struct) => unknown;
  readonly call: UnaryCall;
}

/**
 * Starts a resource provider plugin as the engine does (its last argument the engine's
 * address) and connects to it; `env` is added to this process's environment.
 */
export function startProviderPlugin(
  protos: { readonly grpc: any; readonly services: any },
  launch: { readonly command: string; readonly args: readonly string[]; readonly cwd: string },
  env: NodeJS.ProcessEnv,
): Promise<GrpcService> {
  return startGrpcService({
    ...launch,
    args: [...launch.args, "127.0.0.1:1"],
    env: { ...process.env, ...env },
    name: "plugin",
    startTimeoutMs: 20_000,
    keepStdout: true,
    grpc: protos.grpc,
    Client: protos.services.ResourceProviderClient,
  });
}

/** Starts the plugin process with `cwd` = examples (its provider text resolves from there). */
export async function startPlugin(env: NodeJS.ProcessEnv = {}): Promise<PluginClient> {
  const protos = examplesProtos("provider");
  const entry = join(protos.pulumiDir, "cmd/dynamic-provider/index.js");
  const plugin = await startProviderPlugin(
    protos,
    { command: process.execPath, args: [entry], cwd: EXAMPLES_DIR },
    env,
  );
  const rpc: Rpc = {
    messages: protos.messages,
    toStruct: (value) => protos.structpb.Struct.fromJavaScript(value),
    call: plugin.call,
  };
  return { ...planMethods(rpc), ...writeMethods(rpc), output: plugin.output, close: plugin.close };
}

/** Configure, Check and Diff: what the engine asks before it writes. */
function planMethods({
  messages,
  toStruct,
  call,
}: Rpc): Pick<PluginClient, "configure" | "check" | "diff"> {
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
  };
}

/** Create, Read, Update and Delete. */
function writeMethods({
  messages,
  toStruct,
  call,
}: Rpc): Pick<PluginClient, "create" | "read" | "update" | "delete"> {
  return {
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
  };
}

/** DiffResponse.DiffChanges values. */
export const DIFF = { UNKNOWN: 0, NONE: 1, SOME: 2 } as const;
