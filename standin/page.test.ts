/**
 * The web page in a real browser: Debian's chromium driven by playwright-core.
 * Skipped (with a message) only when /usr/bin/chromium is missing outside CI; under CI=true
 * a missing browser fails the suite.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Standin, startStandin } from "./server.js";
import { jwtLogin, smtpApi } from "./testing.js";

const CHROMIUM = "/usr/bin/chromium";
const haveBrowser = existsSync(CHROMIUM);
const mustRun = process.env.CI === "true";
if (!haveBrowser && !mustRun) {
  console.warn(`page.test.ts: skipped, ${CHROMIUM} is not installed (apt-get install chromium)`);
}

/** Waits until the page's status line matches (the page reports every action there). */
async function statusMatches(page: Page, pattern: RegExp): Promise<void> {
  await expect.poll(() => page.textContent("#status"), { timeout: 10_000 }).toMatch(pattern);
}

describe.skipIf(!haveBrowser && !mustRun)("stand-in web page (chromium)", () => {
  let browser: Browser;
  let standin: Standin;

  beforeAll(async () => {
    if (!haveBrowser)
      throw new Error(`${CHROMIUM} is missing and CI=true: the browser test must run`);
    standin = await startStandin({ quiet: true, generation: "g3" });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      timeout: 30_000,
    });
  });

  afterAll(async () => {
    await browser?.close();
    await standin?.close();
  });

  it("log in, change a field, save, reload, see it; the API shows the change", async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${standin.url}/`);
    await page.fill("#login-username", "host");
    await page.fill("#login-password", "dnnhost");
    await page.click("#login-button");
    await page.waitForSelector("#settings:not(.hidden)");
    expect(await page.isChecked("#scope-h")).toBe(true);
    await page.fill("#smtpServer", "drift.example.com:2525");
    await page.fill("#smtpHostEmail", "drift@example.com");
    await page.click("#save");
    await statusMatches(page, /^Saved\.$/);

    await page.reload();
    await page.waitForSelector("#settings:not(.hidden)");
    await expect.poll(() => page.inputValue("#smtpServer")).toBe("drift.example.com:2525");

    const token = (await jwtLogin(standin, "host", "dnnhost")).accessToken;
    const r = await smtpApi(standin, { action: "GetSmtpSettings", token });
    expect(r.body.host).toMatchObject({
      smtpServer: "drift.example.com:2525",
      smtpHostEmail: "drift@example.com",
    });
    await page.close();
  });

  it("on /shop/, the site scope writes the child site's settings; Test SMTP Settings reports the result", async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${standin.url}/shop`);
    await page.waitForSelector("#login-button:visible, #settings:not(.hidden)");
    if (await page.isVisible("#login-button")) {
      await page.fill("#login-username", "host");
      await page.fill("#login-password", "dnnhost");
      await page.click("#login-button");
    }
    await page.waitForSelector("#settings:not(.hidden)");
    await page.check("#scope-p");
    await page.fill("#smtpServer", "shop-mail.example.com");
    await page.fill("#smtpConnectionLimit", "x");
    await page.click("#save");
    await statusMatches(page, /whole number/);
    expect(standin.dump().portals[1]?.SMTPServer).toBeUndefined(); // the UI validated, nothing sent
    await page.fill("#smtpConnectionLimit", "4");
    await page.click("#save");
    await statusMatches(page, /^Saved\.$/);
    expect(standin.dump().portals[1]).toMatchObject({
      SMTPmode: "p",
      SMTPServer: "shop-mail.example.com",
      SMTPConnectionLimit: "4",
    });
    expect(standin.dump().portals[0]?.SMTPmode).toBe("h"); // only the root saved before

    await page.fill("#smtpServer", "127.0.0.1:1");
    await page.click("#test");
    await statusMatches(page, /Test failed/);
    await page.close();
  });
});
