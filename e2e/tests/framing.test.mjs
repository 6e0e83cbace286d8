// Clickjacking: a page of another origin frames the sign-in and consent pages; the browser must
// refuse to render them there (X-Frame-Options: DENY, CSP frame-ancestors 'none').
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, describe, test } from "node:test";

import { openBrowser, screenshot, startServer } from "./harness.mjs";

describe("framing", () => {
  let server;
  let browser;
  let attacker;

  before(async () => {
    server = await startServer();
    browser = await openBrowser();
    // Another origin (another port), as an attacker's site would be.
    attacker = createServer((request, response) => {
      const target = new URL(request.url, "http://x").searchParams.get("frame");
      response.writeHead(200, { "content-type": "text/html" });
      response.end(`<!doctype html><h1>Win a prize</h1><iframe name="victim" src="${server.base}${target}" width="600" height="400"></iframe>`);
    });
    await new Promise((resolve) => attacker.listen(0, "127.0.0.1", resolve));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    attacker?.close();
  });

  test("the check can tell: /healthz, which sends no such headers, does render in the frame", async () => {
    const { page } = browser;
    await page.goto(`http://127.0.0.1:${attacker.address().port}/?frame=%2Fhealthz`);
    const frame = page.frame({ name: "victim" });
    await frame.waitForURL(`${server.base}/healthz`);
    assert.match(await frame.locator("body").innerText(), /ok/i);
  });

  for (const path of ["/signin", "/signup", "/connect/authorize?client_id=unknown"]) {
    test(`another origin cannot frame ${path}`, async () => {
      const { page } = browser;
      const framed = page.waitForResponse((r) => r.url().startsWith(server.base));
      await page.goto(`http://127.0.0.1:${attacker.address().port}/?frame=${encodeURIComponent(path)}`);
      const response = await framed;
      assert.equal(response.headers()["x-frame-options"], "DENY", "the page was requested and refused framing");
      await page.waitForTimeout(300);
      const frame = page.frame({ name: "victim" });
      assert.ok(frame, "the frame exists");
      // A refused frame shows the browser's own error page instead.
      assert.ok(!frame.url().startsWith(server.base), `${path} rendered inside another origin's frame`);
      assert.equal(await frame.locator('input[name="csrf_token"], .error').count(), 0);
      await screenshot(page, `framing${path.split("?")[0].replaceAll("/", "-")}`);
    });
  }
});
