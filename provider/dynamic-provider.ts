/**
 * The object Pulumi serializes into every SmtpSettings resource's `__provider`.
 *
 * Keep it a thin shim. Loaded from an installed package, this module's exports are
 * captured as one `require("pulumi-dnn-smtp/dist/provider/dynamic-provider")` line
 * (a few hundred bytes, free of credentials, stable across versions). Each method
 * requires the implementation when it runs, so even when the object is captured by value
 * (a linked checkout) only these one-line bodies are stored, never the code or any data
 * they reach. Do not import `./lifecycle` at the top of this file: the serializer would
 * then capture the whole implementation into the state.
 */
import type * as pulumi from "@pulumi/pulumi";

type Props = Record<string, unknown>;

// The module name is spelled out in each method: the serializer keeps a literal
// require() call as it is, while a shared variable would be captured as well.
const provider = {
  configure: (req: pulumi.dynamic.ConfigureRequest) =>
    require("pulumi-dnn-smtp/dist/provider/lifecycle").configure(req),
  check: (olds: Props, news: Props) =>
    require("pulumi-dnn-smtp/dist/provider/lifecycle").check(olds, news),
  diff: (id: string, olds: Props, news: Props) =>
    require("pulumi-dnn-smtp/dist/provider/lifecycle").diff(id, olds, news),
  create: (inputs: Props) => require("pulumi-dnn-smtp/dist/provider/lifecycle").create(inputs),
  read: (id: string, props: Props) =>
    require("pulumi-dnn-smtp/dist/provider/lifecycle").read(id, props),
  update: (id: string, olds: Props, news: Props) =>
    require("pulumi-dnn-smtp/dist/provider/lifecycle").update(id, olds, news),
  delete: (id: string, props: Props) =>
    require("pulumi-dnn-smtp/dist/provider/lifecycle").remove(id, props),
} satisfies pulumi.dynamic.ResourceProvider;

export = provider;
