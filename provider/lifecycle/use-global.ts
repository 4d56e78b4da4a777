/**
 * What the UseGlobalSmtpSettings resource does in each lifecycle step: it holds one site on
 * the global settings (DNN mode `h`). The site's own stored values are left alone, as DNN's
 * UI leaves them when a host switches a site to "Global".
 */
import type * as pulumi from "@pulumi/pulumi";
import type { DnnClient } from "../dnn/client";
import { type ApiGeneration, keepAsStored, type SmtpMode } from "../dnn/wire";
import { DnnSmtpError } from "../errors";
import { compact, isUnknown, same } from "./props";
import { clientFor, guarded, observedOf, type ResourceProps, view } from "./site";

export { checkUseGlobal as check, USE_GLOBAL_ON_DELETE, type UseGlobalOnDelete } from "./check";

import type { UseGlobalOnDelete } from "./check";

type Inputs = ResourceProps & { onDelete?: UseGlobalOnDelete };
type State = Inputs & {
  mode?: SmtpMode;
  previousMode?: SmtpMode;
  portalName?: string;
  apiGeneration?: ApiGeneration;
};

/** Puts the site in mode `h` unless it is already; returns what DNN then reports. */
async function holdOnGlobal(client: DnnClient) {
  const before = await view(client, "site");
  if (before.response.smtpServerMode !== "h") {
    // The Admin controller writes the mode and the site's keys only; the keys go back as stored.
    await client.updateSmtpSettings(keepAsStored(observedOf(before, "site"), "h"), "admin");
  }
  const after = await view(client, "site");
  if (after.response.smtpServerMode !== "h") {
    throw new DnnSmtpError(
      "DNN_VERIFY_MISMATCH",
      `after switching ${client.base.href} to the global settings, DNN still reports mode "${after.response.smtpServerMode}"; run \`pulumi refresh\` and try again`,
    );
  }
  return { before, after };
}

function outputs(
  props: Inputs,
  after: Awaited<ReturnType<typeof holdOnGlobal>>["after"],
  extra: Partial<State>,
): State {
  return compact({
    ...props,
    mode: after.response.smtpServerMode,
    portalName: after.response.portalName,
    apiGeneration: after.generation,
    ...extra,
  });
}

export async function diff(
  _id: string,
  olds: State,
  news: Inputs,
): Promise<pulumi.dynamic.DiffResult> {
  const replaces = isUnknown(news.site) || olds.site?.url !== news.site?.url ? ["site"] : [];
  const changed = ["site", "sitePassword", "siteApiToken", "onDelete"].filter(
    (k) => isUnknown(news[k]) || !same(olds[k], news[k]),
  );
  // A site put on its own settings by hand is the drift this resource exists for.
  if (olds.mode !== undefined && olds.mode !== "h") changed.push("mode");
  return {
    changes: changed.length > 0 || replaces.length > 0,
    replaces,
    deleteBeforeReplace: replaces.length > 0,
  };
}

export async function create(props: Inputs): Promise<pulumi.dynamic.CreateResult> {
  return guarded(props, async () => {
    const { before, after } = await holdOnGlobal(clientFor(props));
    return {
      id: `${props.site?.url}#use-global`,
      outs: outputs(props, after, { previousMode: before.response.smtpServerMode }),
    };
  });
}

export async function read(id: string, props: State): Promise<pulumi.dynamic.ReadResult> {
  return guarded(props, async () => {
    const now = await view(clientFor(props), "site");
    return { id, props: outputs(props, now, {}) };
  });
}

export async function update(
  _id: string,
  olds: State,
  news: Inputs,
): Promise<pulumi.dynamic.UpdateResult> {
  return guarded(news, async () => {
    const { after } = await holdOnGlobal(clientFor(news));
    return { outs: outputs(news, after, { previousMode: olds.previousMode }) };
  });
}

export async function remove(_id: string, props: State): Promise<void> {
  if (props.onDelete !== "restore" || props.previousMode !== "p") return;
  await guarded(props, async () => {
    const client = clientFor(props);
    const now = await view(client, "site");
    if (now.response.smtpServerMode === "h") {
      await client.updateSmtpSettings(keepAsStored(observedOf(now, "site"), "p"), "admin");
    }
  });
}
