/**
 * The gRPC ResourceProvider service of the `dnn-smtp` plugin, written against the stubs
 * `@pulumi/pulumi` ships. `@pulumi/pulumi/provider`'s own server (`provider.main`) is not
 * used: it answers CheckConfig as unimplemented, ignores the provider configuration in
 * Configure, passes secrets to the provider in their envelope and sends no detailed diff,
 * and this plugin needs all four.
 *
 * grpc-js and google-protobuf are loaded from the `@pulumi/pulumi` package's own folder, so
 * that messages and structs come from the same copies the stubs use.
 */
// biome-ignore-all lint/suspicious/noExplicitAny: the protobuf stubs of @pulumi/pulumi are untyped JavaScript
import { createRequire } from "node:module";
import { schemaText, VERSION } from "./package-info";
import {
  type CheckFailure,
  type DetailedDiffResult,
  type DiffKind,
  DnnSmtpProvider,
} from "./resource-provider";
import type { Props } from "./secrets";

const fromPulumi = createRequire(require.resolve("@pulumi/pulumi/proto/provider_pb"));
const grpc = fromPulumi("@grpc/grpc-js");
const structpb = fromPulumi("google-protobuf/google/protobuf/struct_pb");
const emptypb = fromPulumi("google-protobuf/google/protobuf/empty_pb");
const provpb = fromPulumi("./provider_pb");
const provgrpc = fromPulumi("./provider_grpc_pb");
const pluginpb = fromPulumi("./plugin_pb");

type Callback = (error: unknown, response?: unknown) => void;
type Call = { request: any };

const toJs = (struct: any): Props => (struct ? struct.toJavaScript() : {});
const toStruct = (value: Props) => structpb.Struct.fromJavaScript(value);

const KIND: Record<DiffKind, number> = {
  add: provpb.PropertyDiff.Kind.ADD,
  addReplace: provpb.PropertyDiff.Kind.ADD_REPLACE,
  delete: provpb.PropertyDiff.Kind.DELETE,
  deleteReplace: provpb.PropertyDiff.Kind.DELETE_REPLACE,
  update: provpb.PropertyDiff.Kind.UPDATE,
  updateReplace: provpb.PropertyDiff.Kind.UPDATE_REPLACE,
};

/** An error as the engine shows it: the message only (the lifecycle scrubbed it of secrets). */
function grpcError(error: unknown) {
  const message = error instanceof Error ? error.message : String(error);
  return { code: grpc.status.UNKNOWN, details: message, message };
}

/** Wraps an async handler: its result or its error goes to the callback. */
function unary(handler: (request: any) => Promise<unknown>) {
  return (call: Call, callback: Callback) => {
    handler(call.request).then(
      (response) => callback(null, response),
      (error) => callback(grpcError(error)),
    );
  };
}

/** The engine's CheckFailures, as the core and the provider's configuration report them. */
function failuresOf(failures: ReadonlyArray<{ property: string; reason: string }>) {
  return failures.map((f) => {
    const failure = new provpb.CheckFailure();
    failure.setProperty(f.property);
    failure.setReason(f.reason);
    return failure;
  });
}

/** The CheckResponse of CheckConfig and Check: the inputs to use, or what is wrong with them. */
function checkResponse(inputs: Props, failures: readonly CheckFailure[]) {
  const response = new provpb.CheckResponse();
  response.setInputs(toStruct(inputs));
  response.setFailuresList(failuresOf(failures));
  return response;
}

/** The service implementation over one provider instance. */
export function serviceFor(provider: DnnSmtpProvider) {
  return {
    ...pluginMethods(),
    ...configurationMethods(provider),
    ...checkAndDiffMethods(provider),
    ...crudMethods(provider),
    cancel: unary(async () => new emptypb.Empty()),
    attach: unary(async () => new emptypb.Empty()),
  };
}

/** GetPluginInfo and GetSchema: what the plugin is, the same for every provider. */
function pluginMethods() {
  return {
    getPluginInfo: unary(async () => {
      const info = new pluginpb.PluginInfo();
      info.setVersion(VERSION);
      return info;
    }),
    getSchema: unary(async (req) => {
      if (req.getVersion() !== 0) throw new Error(`unsupported schema version ${req.getVersion()}`);
      const response = new provpb.GetSchemaResponse();
      response.setSchema(schemaText());
      return response;
    }),
  };
}

/** CheckConfig and Configure: the provider's configuration. */
function configurationMethods(provider: DnnSmtpProvider) {
  return {
    checkConfig: unary(async (req) => {
      const { inputs, failures } = provider.checkConfig(toJs(req.getNews()));
      return checkResponse(inputs, failures);
    }),
    configure: unary(async (req) => {
      const variables: Record<string, string> = {};
      for (const [k, v] of req.getVariablesMap().entries()) variables[k] = v;
      await provider.configure(toJs(req.getArgs()), variables);
      const response = new provpb.ConfigureResponse();
      response.setAcceptsecrets(true);
      response.setSupportspreview(false);
      response.setAcceptresources(false);
      response.setAcceptoutputs(false);
      return response;
    }),
  };
}

/** Check and Diff: a resource's inputs, and what applying them would change. */
function checkAndDiffMethods(provider: DnnSmtpProvider) {
  return {
    check: unary(async (req) => {
      const { inputs, failures } = await provider.check(
        req.getUrn(),
        toJs(req.getOlds()),
        toJs(req.getNews()),
      );
      return checkResponse(inputs, failures);
    }),
    diff: unary(async (req) =>
      diffResponse(
        await provider.diff(req.getUrn(), req.getId(), toJs(req.getOlds()), toJs(req.getNews())),
      ),
    ),
  };
}

/** A DiffResponse, with the detailed diff by property path when the provider gave one. */
function diffResponse(result: DetailedDiffResult) {
  const response = new provpb.DiffResponse();
  response.setChanges(
    result.changes
      ? provpb.DiffResponse.DiffChanges.DIFF_SOME
      : provpb.DiffResponse.DiffChanges.DIFF_NONE,
  );
  response.setReplacesList(result.replaces);
  response.setDeletebeforereplace(result.deleteBeforeReplace);
  if (result.detailedDiff) {
    response.setHasdetaileddiff(true);
    response.setDiffsList([
      ...new Set(Object.keys(result.detailedDiff).map((k) => k.split(".")[0] as string)),
    ]);
    const map = response.getDetaileddiffMap();
    for (const [key, change] of Object.entries(result.detailedDiff)) {
      const diff = new provpb.PropertyDiff();
      diff.setKind(KIND[change.kind]);
      diff.setInputdiff(change.inputDiff);
      map.set(key, diff);
    }
  }
  return response;
}

/** Create, Read (refresh and import), Update, Delete. */
function crudMethods(provider: DnnSmtpProvider) {
  return {
    create: unary(async (req) => {
      const result = await provider.create(req.getUrn(), toJs(req.getProperties()));
      const response = new provpb.CreateResponse();
      response.setId(result.id);
      response.setProperties(toStruct(result.properties));
      return response;
    }),
    read: unary(async (req) => {
      const result = await provider.read(
        req.getUrn(),
        req.getId(),
        toJs(req.getProperties()),
        toJs(req.getInputs()),
      );
      const response = new provpb.ReadResponse();
      response.setId(result.id);
      response.setProperties(toStruct(result.properties));
      if (result.inputs) response.setInputs(toStruct(result.inputs));
      return response;
    }),
    update: unary(async (req) => {
      const result = await provider.update(
        req.getUrn(),
        req.getId(),
        toJs(req.getOlds()),
        toJs(req.getNews()),
      );
      const response = new provpb.UpdateResponse();
      response.setProperties(toStruct(result.properties));
      return response;
    }),
    delete: unary(async (req) => {
      await provider.delete(req.getUrn(), req.getId(), toJs(req.getProperties()));
      return new emptypb.Empty();
    }),
  };
}

/**
 * Serves the plugin on 127.0.0.1 (a free port) and prints the port as the first line of
 * stdout, as the engine expects. Resolves with the server (closed by the engine killing us).
 */
export async function serve(): Promise<{ port: number; shutdown(): void }> {
  const server = new grpc.Server({
    "grpc.max_receive_message_length": 400 * 1024 * 1024,
    "grpc.max_send_message_length": 400 * 1024 * 1024,
  });
  server.addService(provgrpc.ResourceProviderService, serviceFor(new DnnSmtpProvider()));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      "127.0.0.1:0",
      grpc.ServerCredentials.createInsecure(),
      (e: Error, p: number) => (e ? reject(e) : resolve(p)),
    ),
  );
  process.stdout.write(`${port}\n`);
  return { port, shutdown: () => server.forceShutdown() };
}
