/**
 * `previewRatioN`, `upRatioN`: `pulumi preview` and `pulumi up` with the real CLI on a stack
 * of N SmtpSettings (site scope, one per site of the stand-in), divided by the same stack of
 * N no-op dynamic resources with the same arguments: the engine's own floor. Every timed
 * round changes one field of every resource, so preview shows N updates (check + diff) and
 * up applies N updates (for SmtpSettings: one POST and one read-back GET each, one login
 * per site). Wall time of the CLI process, which includes starting the language host, the
 * program (TypeScript), the plugin and the engine's state handling: the same on both sides.
 */
import type { Standin } from "../standin/server";
import { createProject, type PulumiProject, pulumiBinDir } from "../test/support/pulumi";
import { SITE_PASSWORD, SITE_USER } from "./apply";
import { type Comparison, interleave, nowMs } from "./stats";

/** Arguments shared by both programs; `relay<round % 2>` changes every round. */
const ARGS = `{
    site: { url: \`\${base}/site\${i}\` },
    scope: "site" as const,
    server: \`relay\${round % 2}.example.com:587\`,
    authentication: "basic" as const,
    username: "mailer@example.com",
    password: "Bench-Relay-Pa55",
    enableSsl: true,
    precheck: { level: "none" as const },
  }`;

const HEADER = `
import * as pulumi from "@pulumi/pulumi";
const base = process.env.BENCH_DNN_URL ?? "";
const n = Number(process.env.BENCH_N ?? "0");
const round = Number(process.env.BENCH_ROUND ?? "0");
`;

const SMTP_PROGRAM = `${HEADER}
import { SmtpSettings } from "pulumi-dnn-smtp";
for (let i = 1; i <= n; i++) new SmtpSettings(\`site\${i}\`, ${ARGS});
`;

const NOOP_PROGRAM = `${HEADER}
// The engine's floor: a dynamic resource whose provider does nothing.
const provider: pulumi.dynamic.ResourceProvider = {
  check: async (_olds, news) => ({ inputs: news }),
  diff: async () => ({ changes: true, replaces: [], deleteBeforeReplace: false }),
  create: async (inputs) => ({ id: String(inputs.site?.url ?? "noop"), outs: inputs }),
  update: async (_id, _olds, news) => ({ outs: news }),
};
class Noop extends pulumi.dynamic.Resource {
  constructor(name: string, props: Record<string, unknown>) {
    super(provider, name, props, undefined, "bench", "Noop");
  }
}
for (let i = 1; i <= n; i++) new Noop(\`site\${i}\`, ${ARGS});
`;

export interface CliResult {
  readonly n: number;
  readonly preview: Comparison;
  readonly up: Comparison;
  /** The first up of each stack (N creates), untimed for the ratio, for the reader. */
  readonly firstUpMs: { readonly smtp: number; readonly noop: number };
  /** Commands that failed once and were run again (untimed failures). */
  readonly retries: readonly string[];
}

/** Why the CLI figures cannot be measured here, or undefined when they can. */
export function cliUnavailableReason(): string | undefined {
  return pulumiBinDir()
    ? undefined
    : "the Pulumi CLI with its Node language host is not available (scripts/pulumi-cli.sh builds it where Go is installed)";
}

async function project(name: string, program: string, env: Record<string, string>) {
  return createProject({
    name,
    program,
    config: { "dnn:username": SITE_USER, "dnn:password": { secret: SITE_PASSWORD } },
    env,
  });
}

export async function measureCli(
  standin: Standin,
  n: number,
  options: { rounds: number; budgetMs: number },
): Promise<CliResult> {
  const env = { BENCH_DNN_URL: standin.url, BENCH_N: String(n) };
  const projects: PulumiProject[] = [];
  const retries: string[] = [];
  try {
    const smtp = await project(`bench-smtp-${n}`, SMTP_PROGRAM, env);
    projects.push(smtp);
    const noop = await project(`bench-noop-${n}`, NOOP_PROGRAM, env);
    projects.push(noop);
    // Times one command and checks that it touched every resource (a run that changed
    // nothing would be a cheap, meaningless figure).
    // A failed command is run once more (another process refreshing examples/node_modules
    // can break one run); the failed attempt is not timed, and it is counted.
    const timed = async (p: PulumiProject, args: string[], round: number) => {
      const env = { BENCH_ROUND: String(round) };
      let started = nowMs();
      let result = await p.run(args, env);
      if (result.code !== 0) {
        const said = `${result.stdout}\n${result.stderr}`.trim().split("\n");
        retries.push(
          `pulumi ${args.join(" ")} exited ${result.code}: ${said.slice(-3).join(" | ")}`,
        );
        started = nowMs();
        result = await p.ok(args, env);
      }
      const { stdout } = result;
      const elapsed = nowMs() - started;
      const verb = round === 0 ? "create" : "update";
      const count = new RegExp(`\\b(\\d+) (?:to ${verb}|${verb}d)\\b`).exec(stdout)?.[1];
      if (Number(count) < n)
        throw new Error(`pulumi ${args.join(" ")} did not ${verb} ${n} resources:\n${stdout}`);
      return elapsed;
    };
    const upArgs = ["up", "--yes", "--skip-preview"];
    const firstUpMs = { smtp: await timed(smtp, upArgs, 0), noop: await timed(noop, upArgs, 0) };
    const half = { rounds: options.rounds, warmup: 0, budgetMs: options.budgetMs / 2 };
    // The state holds value 0 (relay0): every preview of value 1 shows N updates.
    const preview = await interleave(
      () => timed(noop, ["preview"], 1),
      () => timed(smtp, ["preview"], 1),
      half,
    );
    // Round r applies value r + 1 to both stacks: relay0/relay1 alternate, N updates each.
    const up = await interleave(
      (r) => timed(noop, upArgs, r + 1),
      (r) => timed(smtp, upArgs, r + 1),
      half,
    );
    return { n, preview, up, firstUpMs, retries };
  } finally {
    for (const p of projects) await p.destroy();
  }
}
