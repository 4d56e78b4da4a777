/**
 * What the UseGlobalSmtpSettings resource does in each lifecycle step: it holds one site on
 * the global settings (DNN mode `h`). The site's own stored values are left exactly as DNN
 * shows them, as DNN's UI leaves them when a host switches a site to "Global".
 */
import type { DnnClient } from "../dnn/client";
import type { ApiGeneration, SmtpMode } from "../dnn/wire";
import { DnnSmtpError } from "../errors";
import { USE_GLOBAL_OUTPUT_KEYS } from "../resources/output-keys";
import type { UseGlobalOnDelete } from "./check";
import { compact, isUnknown, same } from "./props";
import { clientFor, keepSite, partialWrite, type ResourceProps, type SiteView, view } from "./site";
import { differingKeys, idOf, lifecycleOf } from "./skeleton";

export { checkUseGlobal as check, USE_GLOBAL_ON_DELETE, type UseGlobalOnDelete } from "./check";

export type Inputs = ResourceProps & { onDelete?: UseGlobalOnDelete };
export type State = Inputs & {
  mode?: SmtpMode;
  previousMode?: SmtpMode;
  portalName?: string;
  apiGeneration?: ApiGeneration;
  /** A move that stopped part-way: the old site still to be released (see `release`). */
  repair?: { readonly release: Pick<State, "site" | "onDelete" | "previousMode"> };
};

const ID_SUFFIX = "use-global";
const OUTPUT_ONLY_KEYS: readonly string[] = [...USE_GLOBAL_OUTPUT_KEYS, "repair"];

/** Puts the site in mode `h` unless it is already; returns what DNN showed before and after. */
async function holdOnGlobal(client: DnnClient): Promise<{ before: SiteView; after: SiteView }> {
  const before = await view(client, "site");
  if (before.response.smtpServerMode !== "h") await keepSite(client, before, "h");
  const after = await view(client, "site");
  if (after.response.smtpServerMode !== "h") {
    throw new DnnSmtpError(
      "DNN_VERIFY_MISMATCH",
      `after switching ${client.base.href} to the global settings, DNN still reports mode "${after.response.smtpServerMode}"; run \`pulumi refresh\` and try again`,
    );
  }
  return { before, after };
}

function outputs(props: Inputs, after: SiteView, extra: Partial<State>): State {
  return compact({
    ...props,
    mode: after.response.smtpServerMode,
    portalName: after.response.portalName,
    apiGeneration: after.generation,
    ...extra,
  });
}

/** `restore` gives the site back its own settings when it had them before; `retain` leaves it. */
async function release(client: DnnClient, state: State): Promise<void> {
  if (state.onDelete !== "restore" || state.previousMode !== "p") return;
  const now = await view(client, "site");
  if (now.response.smtpServerMode === "h") await keepSite(client, now, "p");
}

/** After a move, releases the old site unless it is the new one under another URL. */
async function leave(old: State, outs: State, after: SiteView): Promise<void> {
  try {
    const oldClient = clientFor(old);
    const there = await view(oldClient, "site");
    const sameSite =
      there.response.portalName === after.response.portalName &&
      same(there.response.site, after.response.site);
    if (!sameSite) await release(oldClient, old);
  } catch (error) {
    throw partialWrite(
      (reason) =>
        `${outs.site?.url} now uses the global settings, but applying onDelete "${old.onDelete}" to ${old.site?.url} failed: ${reason}; run \`pulumi up\` again, or set it by hand`,
      {
        id: idOf(outs, ID_SUFFIX),
        properties: {
          ...outs,
          repair: {
            release: compact({
              site: old.site,
              onDelete: old.onDelete,
              previousMode: old.previousMode,
            }),
          },
        },
      },
      error,
    );
  }
}

const lifecycle = lifecycleOf<Inputs, State>({
  idSuffix: () => ID_SUFFIX,
  outputOnlyKeys: OUTPUT_ONLY_KEYS,
  changedKeys(olds, news) {
    const changed = differingKeys(
      ["sitePassword", "siteApiToken", "onDelete"],
      olds,
      news,
      isUnknown,
    );
    if (isUnknown(news.site) || !same(olds.site, news.site)) changed.push("site");
    // A site put on its own settings by hand is the drift this resource exists for.
    if (olds.mode !== undefined && olds.mode !== "h") changed.push("mode");
    if (olds.repair) changed.push("repair");
    return changed;
  },
  async create(client, props) {
    const { before, after } = await holdOnGlobal(client);
    return outputs(props, after, { previousMode: before.response.smtpServerMode });
  },
  async read(client, props) {
    return outputs(props, await view(client, "site"), {});
  },
  /** A URL change holds the new site first, then releases the old one (another site, or the same under another name). */
  async update(client, olds, news) {
    const moved = olds.site?.url !== news.site?.url;
    const { before, after } = await holdOnGlobal(client);
    const outs = outputs(news, after, {
      previousMode: moved ? before.response.smtpServerMode : olds.previousMode,
    });
    const old = moved
      ? olds
      : olds.repair
        ? ({ ...news, ...olds.repair.release } as State)
        : undefined;
    if (old) await leave(old, outs, after);
    return outs;
  },
  remove: release,
});

export const { diff, create, read, update, remove } = lifecycle;
