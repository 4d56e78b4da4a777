/**
 * `check` for both resources: every input is validated here, before any network call, and
 * each problem names its field. What `check` returns is what every later step trusts.
 */
import { siteBaseUrl } from "../dnn/client";
import { resolveSiteInputs, type SiteInputs } from "../dnn/connection";
import type { FieldProblem } from "../errors";
import { type ResolvedPrecheckOptions, validatePrecheckOptions } from "../precheck";
import { SETTINGS_FIELDS, validateSettings } from "../settings";
import { compact, isUnknown } from "./props";
import type { ResourceProps } from "./site";

/** What `check` answers: the inputs every later step receives, or the problems. */
export interface CheckResult {
  readonly inputs: Record<string, unknown>;
  readonly failures?: Array<{ property: string; reason: string }>;
}

export const ON_DELETE = ["retain", "revert", "restore"] as const;
/** `retain`: leave the values; `revert`: the site uses the global settings again; `restore`: write back what was there before. */
export type OnDelete = (typeof ON_DELETE)[number];

export const USE_GLOBAL_ON_DELETE = ["retain", "restore"] as const;
/** `retain` (default): the site stays on the global settings; `restore`: it gets back the mode it had. */
export type UseGlobalOnDelete = (typeof USE_GLOBAL_ON_DELETE)[number];

/** `onDelete` as declared, or its default: `revert` for site scope, `retain` for global. */
export function onDeleteOf(props: ResourceProps): unknown {
  return props.onDelete ?? (props.scope === "site" ? "revert" : "retain");
}

/** The settings model's fields of a resource's properties. */
export function modelOf(props: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(SETTINGS_FIELDS.map((f) => [f, props[f]]));
}

export async function checkSmtpSettings(
  _olds: ResourceProps,
  news: ResourceProps,
): Promise<CheckResult> {
  const unknown = new Set(Object.keys(news).filter((k) => isUnknown(news[k])));
  const problems: FieldProblem[] = [];

  const model = validateSettings(compact(modelOf(news)), unknown);
  if (!model.ok) problems.push(...model.problems);

  const { site, problems: siteProblems } = checkSite(news, unknown.has("site"));
  problems.push(...siteProblems);

  const scope = news.scope;
  const onDelete = onDeleteOf(news);
  if (!unknown.has("onDelete") && !ON_DELETE.includes(onDelete as OnDelete)) {
    problems.push({
      field: "onDelete",
      message: `must be one of ${ON_DELETE.join(", ")}; got ${JSON.stringify(onDelete)}`,
    });
  } else if (onDelete === "revert" && scope === "global") {
    problems.push({
      field: "onDelete",
      message: `"revert" applies to site scope (the site goes back to the global settings); use "retain" or "restore" for global`,
    });
  }

  let precheckOptions: ResolvedPrecheckOptions | undefined;
  if (model.ok && unknown.size === 0) {
    const result = validatePrecheckOptions(news.precheck ?? {}, model.value);
    if (result.ok) precheckOptions = result.value;
    else problems.push(...result.problems);
  }

  if (problems.length > 0) return { inputs: news, failures: failuresOf(problems) };
  if (!model.ok || unknown.size > 0) return { inputs: news };
  return {
    inputs: compact({
      ...news,
      ...model.value,
      site: compact(site),
      precheck: precheckOptions,
      onDelete,
    }),
  };
}

export async function checkUseGlobal(
  _olds: ResourceProps,
  news: ResourceProps,
): Promise<CheckResult> {
  const problems: FieldProblem[] = [];
  const { site, problems: siteProblems } = checkSite(news, isUnknown(news.site));
  problems.push(...siteProblems);
  const onDelete = news.onDelete ?? "retain";
  if (!isUnknown(onDelete) && !USE_GLOBAL_ON_DELETE.includes(onDelete as UseGlobalOnDelete)) {
    problems.push({
      field: "onDelete",
      message: `must be one of ${USE_GLOBAL_ON_DELETE.join(", ")}; got ${JSON.stringify(onDelete)}`,
    });
  }
  if (problems.length > 0) return { inputs: news, failures: failuresOf(problems) };
  return { inputs: compact({ ...news, site: compact(site), onDelete }) };
}

/** The site as `check` stores it (URL normalized), and what is wrong with it. */
export function checkSite(
  news: ResourceProps,
  siteUnknown: boolean,
): { site: SiteInputs; problems: FieldProblem[] } {
  const site = resolveSiteInputs(news.site);
  if (siteUnknown) return { site, problems: [] };
  if (!site.url) {
    return {
      site,
      problems: [
        {
          field: "site.url",
          message: "is required: set site.url, or the stack config dnn:url, or DNN_URL",
        },
      ],
    };
  }
  try {
    return { site: { ...site, url: siteBaseUrl(site.url).href }, problems: [] };
  } catch (error) {
    return {
      site,
      problems: [
        { field: "site.url", message: (error as Error).message.replace(/^site\.url /, "") },
      ],
    };
  }
}

/** Problems as the plugin reports them: one failure per field, the field named in the reason. */
export function failuresOf(
  problems: readonly FieldProblem[],
): Array<{ property: string; reason: string }> {
  return problems.map((p) => ({
    property: p.field.split(".")[0] ?? p.field,
    reason: `${p.field}: ${p.message}`,
  }));
}
