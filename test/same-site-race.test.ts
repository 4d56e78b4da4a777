/**
 * Two resources on the same site, without `dependsOn` (as the README's quick start writes
 * them): the global settings written through the root site, and the root site's own
 * settings. The engine runs their creates and updates in parallel in one plugin process.
 * Whatever the interleaving, the root site must end with its new server and password and
 * mode `p`, and the host with the global ones (issue 12, class 2).
 */
import { describe, expect } from "vitest";
import * as lifecycle from "../provider/lifecycle/smtp-settings";
import { serverTest } from "./support/fixtures";

const SITE_PASSWORD = "Race-Site-Cred-6a1f";
const TRIALS = 10;

type Props = Record<string, unknown>;

async function checked(props: Props): Promise<Props> {
  const result = await lifecycle.check({}, props);
  if (result.failures?.length) throw new Error(JSON.stringify(result.failures));
  return result.inputs as Props;
}

describe("a global and a site resource on the root site, in parallel", () => {
  serverTest(
    `${TRIALS} trials of create, then of update: every one ends as declared`,
    async ({ standin }) => {
      for (let trial = 0; trial < TRIALS; trial++) {
        const s = await standin({ superuser: { username: "host", password: SITE_PASSWORD } });
        // The root site starts on its own old settings.
        s.store.setPortalSetting(0, "SMTPmode", "p", 1);
        s.store.setPortalSetting(0, "SMTPServer", "old-root.example.com", 1);
        s.store.setPortalSetting(0, "SMTPAuthentication", "1", 1);
        s.store.setPortalSetting(0, "SMTPUsername", "old-user", 1);
        s.store.setPortalEncrypted(0, "SMTPPassword", "Old-Root-Pw", 1);

        const site = { url: s.url, username: "host", timeoutMs: 5000 };
        const common = {
          site,
          sitePassword: SITE_PASSWORD,
          authentication: "basic",
          precheck: { level: "none" },
        };
        const globalArgs = (n: number) =>
          checked({
            ...common,
            scope: "global",
            server: `relay-${n}.example.com:587`,
            username: "relay",
            password: `Relay-Pw-${n}`,
          });
        const rootArgs = (n: number) =>
          checked({
            ...common,
            scope: "site",
            server: `root-${n}.example.com:2525`,
            username: "root",
            password: `Root-Pw-${n}`,
          });

        const [g, r] = await Promise.all([
          globalArgs(1).then(lifecycle.create),
          rootArgs(1).then(lifecycle.create),
        ]);
        expect(s.dump().portals[0]).toMatchObject({
          SMTPmode: "p",
          SMTPServer: "root-1.example.com:2525",
          SMTPPassword: "Root-Pw-1",
        });
        expect(s.dump().host).toMatchObject({
          SMTPServer: "relay-1.example.com:587",
          SMTPPassword: "Relay-Pw-1",
        });

        const [g2, r2] = await Promise.all([globalArgs(2), rootArgs(2)]);
        await Promise.all([lifecycle.update(g.id, g.outs, g2), lifecycle.update(r.id, r.outs, r2)]);
        expect(s.dump().portals[0]).toMatchObject({
          SMTPmode: "p",
          SMTPServer: "root-2.example.com:2525",
          SMTPPassword: "Root-Pw-2",
        });
        expect(s.dump().host).toMatchObject({
          SMTPServer: "relay-2.example.com:587",
          SMTPPassword: "Relay-Pw-2",
        });
      }
    },
    60_000,
  );
});
