/** The `extraSites` option: child sites `site1..siteN` beside `/` and `/shop`. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Standin, startStandin } from "./server.js";
import { jwtLogin, smtpApi, updateRequest } from "./testing.js";

const running: Standin[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function standin(options: Parameters<typeof startStandin>[0]): Promise<Standin> {
  const s = await startStandin({ quiet: true, ...options });
  running.push(s);
  return s;
}

describe("extraSites", () => {
  it("adds site1..siteN with portal ids 2..N+1, each its own site", async () => {
    const s = await standin({ extraSites: 3 });
    expect(s.store.portals().map((p) => [p.portalId, p.aliasPath, p.portalName])).toEqual([
      [0, "", "My Website"],
      [1, "shop", "Shop"],
      [2, "site1", "Site 1"],
      [3, "site2", "Site 2"],
      [4, "site3", "Site 3"],
    ]);
    const { accessToken } = await jwtLogin(s, "host", "dnnhost", "site3");
    const written = await smtpApi(s, {
      alias: "site3",
      action: "UpdateSmtpSettings",
      token: accessToken,
      body: updateRequest({ smtpServerMode: "p", smtpServer: "three.example.com" }),
    });
    expect(written.status).toBe(200);
    expect(s.dump().portals[4]).toMatchObject({ SMTPmode: "p", SMTPServer: "three.example.com" });
    expect(s.dump().portals[2]?.SMTPServer).toBeUndefined();
    const read = await smtpApi(s, {
      alias: "site3",
      action: "GetSmtpSettings",
      token: accessToken,
    });
    expect(read.body).toMatchObject({ portalName: "Site 3" });
  });

  it("defaults to none, and a restart with more adds only the missing ones", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "standin-extra-"));
    dirs.push(dataDir);
    const plain = await standin({ dataDir });
    expect(plain.store.portals()).toHaveLength(2);
    await plain.close();
    const more = await standin({ dataDir, extraSites: 2 });
    expect(more.store.portals().map((p) => p.aliasPath)).toEqual(["", "shop", "site1", "site2"]);
  });

  it("refuses a count that is not a whole number", async () => {
    await expect(startStandin({ quiet: true, extraSites: -1 })).rejects.toThrow(/extraSites/);
    await expect(startStandin({ quiet: true, extraSites: 1.5 })).rejects.toThrow(/extraSites/);
  });
});
