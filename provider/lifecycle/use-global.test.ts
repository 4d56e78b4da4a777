/** UseGlobalSmtpSettings against the stand-in over HTTP. */
import { describe, expect } from "vitest";
import { type Standin, startStandin } from "../../standin/server";
import { serverTest, starter } from "../../test/support/fixtures";
import * as useGlobal from "./use-global";

const SITE_PASSWORD = "Site-Pa55-9f3a";
/** The stand-in fixture with this suite's superuser, by DNN generation. */
const it = serverTest.extend<{ standin: (generation?: "g1" | "g2" | "g3") => Promise<Standin> }>({
  standin: starter((generation: "g1" | "g2" | "g3" = "g3") =>
    startStandin({
      quiet: true,
      generation,
      superuser: { username: "host", password: SITE_PASSWORD },
    }),
  ),
});

/** The shop on its own settings, as a person would have left it. */
function shopOnOwnSettings(s: Standin): void {
  for (const [key, value] of Object.entries({
    SMTPmode: "p",
    SMTPServer: "own.example.com:2525",
    SMTPUsername: "shop",
  })) {
    s.store.setPortalSetting(1, key, value, 1);
  }
  s.store.setPortalEncrypted(1, "SMTPPassword", "Own-Pa55", 1);
}

async function checked(props: Record<string, unknown>) {
  const result = await useGlobal.check({}, props);
  if (result.failures?.length) throw new Error(JSON.stringify(result.failures));
  return result.inputs as Record<string, unknown>;
}

const args = (s: Standin, extra: Record<string, unknown> = {}) => ({
  site: { url: s.siteUrl("shop"), username: "host" },
  sitePassword: SITE_PASSWORD,
  ...extra,
});

describe.each(["g1", "g2", "g3"] as const)("on %s", (generation) => {
  it("create switches a site on its own settings to the global ones and keeps its values", async ({
    standin,
  }) => {
    const s = await standin(generation);
    shopOnOwnSettings(s);
    const { id, outs } = await useGlobal.create(await checked(args(s)));
    expect(id).toBe(`${s.siteUrl("shop")}#use-global`);
    expect(outs).toMatchObject({
      mode: "h",
      previousMode: "p",
      portalName: "Shop",
      apiGeneration: generation,
    });
    expect(s.dump().portals[1]).toMatchObject({
      SMTPmode: "h",
      SMTPServer: "own.example.com:2525",
      SMTPUsername: "shop",
      SMTPPassword: "Own-Pa55",
    });
  });
});

it("a site already on the global settings is not written to", async ({ standin }) => {
  const s = await standin();
  s.requests.clear();
  const { outs } = await useGlobal.create(await checked(args(s)));
  expect(outs.mode).toBe("h");
  expect(
    s.requests.count((r) => r.method === "POST" && r.path.includes("UpdateSmtpSettings")),
  ).toBe(0);
});

it("refresh reports a site put on its own settings by hand; update puts it back", async ({
  standin,
}) => {
  const s = await standin();
  const inputs = await checked(args(s));
  const { id, outs } = await useGlobal.create(inputs);
  shopOnOwnSettings(s);
  const fresh = await useGlobal.read(id, outs);
  expect(fresh.props?.mode).toBe("p");
  expect((await useGlobal.diff(id, fresh.props, inputs)).changes).toBe(true);
  await useGlobal.update(id, fresh.props, inputs);
  expect(s.dump().portals[1]?.SMTPmode).toBe("h");
});

it("delete retains by default; restore gives the site its own settings back", async ({
  standin,
}) => {
  const s = await standin();
  shopOnOwnSettings(s);
  const kept = await useGlobal.create(await checked(args(s)));
  await useGlobal.remove(kept.id, kept.outs);
  expect(s.dump().portals[1]?.SMTPmode).toBe("h");

  const restoring = { ...kept.outs, onDelete: "restore" as const };
  await useGlobal.remove(kept.id, restoring);
  expect(s.dump().portals[1]).toMatchObject({
    SMTPmode: "p",
    SMTPServer: "own.example.com:2525",
    SMTPPassword: "Own-Pa55",
  });
});

it("check names the site URL and onDelete problems", async () => {
  const result = await useGlobal.check({}, { site: { url: "ftp://x" }, onDelete: "revert" });
  expect(result.failures?.map((f) => f.property).sort()).toEqual(["onDelete", "site"]);
});
