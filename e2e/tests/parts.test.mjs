// The catalogue in the portal, in real headless Chromium against the real binary: two imports a
// moment apart (the stock changes), then sign in → Parts → search "LM358" → narrow by a facet →
// open the part's page with its specs, offers and stock history drawn as SVG.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { importCsv, openBrowser, screenshot, signUp, startServer } from "./harness.mjs";

const HEADER = "mpn,manufacturer,description,category,seller,sku,stock,moq,currency,price_breaks,spec:Case/Package\n";
const feed = (stock) => HEADER +
  `LM358DR,Texas Instruments,Dual op amp,Integrated Circuits > Amplifiers,Acme,A-1,${stock},1,USD,1:0.45;1000:0.12,SOIC-8\n` +
  "LM358N,onsemi,Dual op amp,Integrated Circuits > Amplifiers,Acme,A-2,40,1,USD,1:0.30,DIP-8\n";

describe("the catalogue in the portal", () => {
  let server;
  let ada;

  before(async () => {
    server = await startServer();
    ada = await openBrowser();
    for (const stock of [5000, 1200]) await importCsv(server, "acme", feed(stock), `feed-${stock}.csv`);
  });

  after(async () => {
    await ada?.close();
    await server?.stop();
  });

  test("a person searches the catalogue and opens a part's page", async () => {
    const { page } = ada;
    await signUp(page, server.base, "ada@example.com", "Acme Electronics");

    await page.getByRole("link", { name: "Parts", exact: true }).click();
    await page.getByRole("heading", { name: "Parts" }).waitFor();
    // The server takes the imports in by itself within seconds: search until it has.
    const hits = page.locator("p.hits");
    for (let tries = 0; ; tries++) {
      await page.getByLabel("Search parts").fill("LM358");
      await page.getByRole("button", { name: "Search" }).click();
      await hits.waitFor();
      if (/of 2 parts/.test(await hits.innerText())) break;
      assert.ok(tries < 30, `the imports never showed: ${await hits.innerText()}`);
      await page.waitForTimeout(500);
    }
    await screenshot(page, "30-part-search");

    await page.locator(".facet").filter({ hasText: "Manufacturer" }).getByRole("link", { name: "Texas Instruments" }).click();
    await page.waitForURL(/manufacturer=/);
    assert.match(await hits.innerText(), /1–1 of 1 parts/);
    await page.getByRole("link", { name: "LM358DR" }).click();

    await page.waitForURL(/\/part\/lm358dr-texas-instruments-\d+$/);
    await page.getByRole("heading", { name: /LM358DR/ }).waitFor();
    assert.equal(await page.locator("table.specs").getByRole("row", { name: /Case\/Package/ }).locator("td").innerText(), "SOIC-8");
    assert.equal(await page.locator("strong.stock").innerText(), "1,200");
    const stock = page.getByRole("img", { name: "Stock history of A-1" });
    assert.equal(await stock.locator("polyline").count(), 1, "the stock history is drawn");
    assert.match(await page.locator("figure.line-chart figcaption").first().innerText(), /most 5,000/);
    await screenshot(page, "31-part-page");
  });
});
