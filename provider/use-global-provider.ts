/**
 * The object Pulumi serializes into every UseGlobalSmtpSettings resource's `__provider`.
 * A thin shim for the same reasons as `dynamic-provider.ts` (read its comment): methods
 * require the implementation when they run, with the module name spelled out each time.
 */
import type * as pulumi from "@pulumi/pulumi";

type Props = Record<string, unknown>;

const provider = {
  configure: (req: pulumi.dynamic.ConfigureRequest) =>
    require("pulumi-dnn-smtp/dist/provider/lifecycle").configure(req),
  check: (olds: Props, news: Props) =>
    require("pulumi-dnn-smtp/dist/provider/use-global-lifecycle").check(olds, news),
  diff: (id: string, olds: Props, news: Props) =>
    require("pulumi-dnn-smtp/dist/provider/use-global-lifecycle").diff(id, olds, news),
  create: (inputs: Props) =>
    require("pulumi-dnn-smtp/dist/provider/use-global-lifecycle").create(inputs),
  read: (id: string, props: Props) =>
    require("pulumi-dnn-smtp/dist/provider/use-global-lifecycle").read(id, props),
  update: (id: string, olds: Props, news: Props) =>
    require("pulumi-dnn-smtp/dist/provider/use-global-lifecycle").update(id, olds, news),
  delete: (id: string, props: Props) =>
    require("pulumi-dnn-smtp/dist/provider/use-global-lifecycle").remove(id, props),
} satisfies pulumi.dynamic.ResourceProvider;

export = provider;
