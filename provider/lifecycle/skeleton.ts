/**
 * The lifecycle skeleton both resources share: ids, the diff's shape, what `read` returns as
 * inputs, secrets scrubbed from every error, and writes to one site serialized within the
 * process. A resource supplies only its own beats (a `ResourceSpec`); the result has the
 * shape of the SDK's `ResourceProvider<Inputs, State>`, which the shims check at compile time.
 */
import type { DnnClient } from "../dnn/client";
import { same } from "./props";
import { clientFor, guarded, type ResourceProps, withSites } from "./site";

/** The diff every face reads: the dynamic shim passes the first three on; the plugin uses `changedKeys`. */
export interface DiffOutcome {
  readonly changes: boolean;
  readonly replaces: string[];
  readonly deleteBeforeReplace: boolean;
  /** The properties that change, for a field-level diff (the plugin face's DetailedDiff). */
  readonly changedKeys: string[];
}

/** One resource's own beats. Each receives the DNN client of its inputs' site. */
export interface ResourceSpec<I extends ResourceProps, S extends I> {
  /** The id is `<site url>#<suffix>`: the scope, or `use-global`. */
  readonly idSuffix: (inputs: I) => string;
  /** Outputs that are not inputs: `read` leaves them out of the inputs it returns. */
  readonly outputOnlyKeys: readonly string[];
  /** The properties that change from the state `olds` to the inputs `news` (no network). */
  readonly changedKeys: (olds: S, news: I) => string[];
  readonly create: (client: DnnClient, inputs: I) => Promise<S>;
  readonly read: (client: DnnClient, state: S) => Promise<S>;
  readonly update: (client: DnnClient, olds: S, news: I) => Promise<S>;
  /** `onDelete` as the resource understands it; nothing to do for `retain`. */
  readonly remove: (client: DnnClient, state: S) => Promise<void>;
}

/** `<site url>#<suffix>`; `check` stored the URL normalized. */
export function idOf(props: ResourceProps, suffix: string): string {
  return `${props.site?.url}#${suffix}`;
}

/** Keys whose values differ, an unknown (preview) value counting as a change. */
export function differingKeys(
  keys: readonly string[],
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  isUnknown: (v: unknown) => boolean,
): string[] {
  return keys.filter((k) => isUnknown(news[k]) || !same(olds[k], news[k]));
}

/** The lifecycle steps of a resource, built from its spec. */
export function lifecycleOf<I extends ResourceProps, S extends I>(spec: ResourceSpec<I, S>) {
  const siteOf = (props: ResourceProps) => String(props.site?.url);
  return {
    async diff(_id: string, olds: S, news: I): Promise<DiffOutcome> {
      const changedKeys = [...new Set(spec.changedKeys(olds, news))];
      // Never a replace: a replace would change the old place before the new one is proven.
      return {
        changes: changedKeys.length > 0,
        replaces: [],
        deleteBeforeReplace: false,
        changedKeys,
      };
    },
    async create(inputs: I): Promise<{ id: string; outs: S }> {
      return guarded(inputs, () =>
        withSites([siteOf(inputs)], async () => ({
          id: idOf(inputs, spec.idSuffix(inputs)),
          outs: await spec.create(clientFor(inputs), inputs),
        })),
      );
    },
    async read(
      id: string,
      state: S,
    ): Promise<{ id: string; props: S; inputs: Record<string, unknown> }> {
      return guarded(state, async () => {
        const props = await spec.read(clientFor(state), state);
        // Stored inputs follow the site, so the next preview shows drift field by field.
        const inputs = Object.fromEntries(
          Object.entries(props).filter(([k]) => !spec.outputOnlyKeys.includes(k)),
        );
        return { id, props, inputs };
      });
    },
    async update(_id: string, olds: S, news: I): Promise<{ outs: S }> {
      return guarded(news, () =>
        withSites([siteOf(news), siteOf(olds)], async () => ({
          outs: await spec.update(clientFor(news), olds, news),
        })),
      );
    },
    async remove(_id: string, state: S): Promise<void> {
      await guarded(state, () =>
        withSites([siteOf(state)], () => spec.remove(clientFor(state), state)),
      );
    },
  };
}
