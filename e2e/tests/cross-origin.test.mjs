// A single-page app on another origin (another port) gets a client-credentials token from
// /connect/token and runs a query against /graphql with fetch, as stock-locator-tool and the
// Blazor demo do in the browser; with `cors.allowed_origins` restricted, the browser refuses.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, describe, test } from "node:test";

import { ferriteCommand, openBrowser, screenshot, startServer } from "./harness.mjs";

/** A supply app on `server`'s data: { client_id, client_secret }. */
async function supplyApp(server) {
  await ferriteCommand(server.dataDir, ["admin", "user", "create", "--email", "spa@example.com", "--password-stdin"],
    "correct horse battery\n");
  await ferriteCommand(server.dataDir, ["admin", "org", "create", "--name", "Spa", "--owner", "spa@example.com"]);
  const created = await ferriteCommand(server.dataDir,
    ["admin", "app", "create", "--org", "Spa", "--name", "stock locator", "--scopes", "supply", "--json"]);
  return JSON.parse(created);
}

/** What the page's script does: token, then query; the data, or the error the browser gave. */
async function tokenThenQuery(page, base, app) {
  return page.evaluate(async ({ base, app }) => {
    try {
      const form = new URLSearchParams({
        grant_type: "client_credentials", client_id: app.client_id, client_secret: app.client_secret,
      });
      const issued = await (await fetch(`${base}/connect/token`, { method: "POST", body: form })).json();
      const answer = await fetch(`${base}/graphql/`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${issued.access_token}` },
        body: JSON.stringify({ query: "{ supSearchMpn(q: \"LM358\") { hits } }" }),
      });
      return { status: answer.status, body: await answer.json(), remaining: answer.headers.get("x-part-remaining") };
    } catch (err) {
      return { error: String(err) };
    }
  }, { base, app });
}

describe("cross-origin", () => {
  let site;
  let browser;
  const servers = [];

  before(async () => {
    browser = await openBrowser();
    site = createServer((_, response) => {
      response.writeHead(200, { "content-type": "text/html" });
      response.end("<!doctype html><title>BOM tool</title><h1>A page of another origin</h1>");
    });
    await new Promise((resolve) => site.listen(0, "127.0.0.1", resolve));
  });

  after(async () => {
    await browser?.close();
    for (const server of servers) await server.stop();
    site?.close();
  });

  const siteUrl = () => `http://127.0.0.1:${site.address().port}/`;

  test("by default a page of another origin gets a token and reads the answer", async () => {
    const server = await startServer();
    servers.push(server);
    const app = await supplyApp(server);
    const { page } = browser;
    await page.goto(siteUrl());
    const result = await tokenThenQuery(page, server.base, app);
    assert.equal(result.error, undefined, `the browser refused: ${result.error}`);
    assert.equal(result.status, 200);
    assert.deepEqual(result.body.errors, undefined, JSON.stringify(result.body));
    assert.equal(result.body.data.supSearchMpn.hits, 0, "the empty catalogue answers");
    await screenshot(page, "cross-origin-allowed");
  });

  test("with origins restricted, the browser refuses a page of an origin not listed", async () => {
    const server = await startServer({ FERRITE_CORS__ALLOWED_ORIGINS: '["https://allowed.example"]' });
    servers.push(server);
    const app = await supplyApp(server);
    const { page } = browser;
    await page.goto(siteUrl());
    const result = await tokenThenQuery(page, server.base, app);
    assert.match(result.error ?? "", /TypeError|Failed to fetch/, `the page read ${JSON.stringify(result)}`);
    // The same calls from outside a browser are served: the refusal is the browser's, by CORS.
    const form = new URLSearchParams({ grant_type: "client_credentials", client_id: app.client_id, client_secret: app.client_secret });
    const issued = await (await fetch(`${server.base}/connect/token`, { method: "POST", body: form })).json();
    assert.ok(issued.access_token, JSON.stringify(issued));
  });
});
