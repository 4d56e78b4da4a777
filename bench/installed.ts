/**
 * The package as users install it: the real copy in `examples/node_modules/pulumi-dnn-smtp`
 * (scripts/setup.sh refreshes it after every build), loaded with Node's own `require`,
 * never through the test runner's transform. What the benchmarks time is the compiled
 * JavaScript the plugin runs. Types come from the sources.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { EXAMPLES_DIR } from "../test/support/plugin";

export const INSTALLED_DIR = join(EXAMPLES_DIR, "node_modules/pulumi-dnn-smtp");
const fromExamples = createRequire(join(EXAMPLES_DIR, "package.json"));
const fromPackage = createRequire(join(INSTALLED_DIR, "package.json"));

export function assertInstalled(): void {
  if (!existsSync(join(INSTALLED_DIR, "dist/provider/lifecycle.js"))) {
    throw new Error(
      `${INSTALLED_DIR} is missing: run \`npm run bench\`, whose set-up builds and installs it`,
    );
  }
}

const load = <T>(module: string): T => fromExamples(`pulumi-dnn-smtp/dist/provider/${module}`);

export const lifecycle = () =>
  load<typeof import("../provider/lifecycle/smtp-settings")>("lifecycle/smtp-settings");
export const http = () => load<typeof import("../provider/dnn/http")>("dnn/http");
export const dnnClient = () => load<typeof import("../provider/dnn/client")>("dnn/client");
export const precheck = () => load<typeof import("../provider/precheck")>("precheck");
export const settings = () => load<typeof import("../provider/settings")>("settings");

type SmtpConnectionClass = typeof import("nodemailer/lib/smtp-connection").default;

/** nodemailer's SMTPConnection, the very copy the installed precheck uses. */
export function smtpConnectionClass(): SmtpConnectionClass {
  const module = fromPackage("nodemailer/lib/smtp-connection");
  return (module.default ?? module) as SmtpConnectionClass;
}

/** The version of the installed package and of the @pulumi/pulumi the examples resolve. */
export function versions(): { package: string; pulumi: string } {
  const pkg = fromExamples("pulumi-dnn-smtp/package.json") as { version: string };
  const pulumiDir = dirname(fromExamples.resolve("@pulumi/pulumi/package.json"));
  const pulumi = fromExamples(join(pulumiDir, "package.json")) as { version: string };
  return { package: pkg.version, pulumi: pulumi.version };
}
