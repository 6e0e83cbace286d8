// The whole walk of a newcomer (issue 19's "done when"), in real headless Chromium against the
// real binary: sign up → first steps → search "LM358" → a part page with offers and a history
// chart → upload a BOM → a build quantity → totals and a short line → CSV and XLSX exports read
// back → the Playground keeps its query across apps; then the same pages on a phone. A real BOM
// from ../shared/data/boms is uploaded too when it is there. Screenshots go to e2e/artifacts/.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";

import { importCsv, openBrowser, repo, screenshot, signUp, startServer } from "./harness.mjs";

const HEADER = "mpn,manufacturer,description,category,seller,sku,stock,moq,order_multiple,currency,price_breaks\n";
const feed = (opAmps) => HEADER +
  `LM358DR,Texas Instruments,Dual op amp,Integrated Circuits > Amplifiers,Acme,A-1,${opAmps},1,,USD,1:0.45;100:0.20\n` +
  `LM358DR,Texas Instruments,Dual op amp,Integrated Circuits > Amplifiers,Bolt,B-1,60,1,,EUR,1:0.40\n` +
  "RC0603FR-0710KL,Yageo,10k resistor,Passives > Resistors,Acme,A-2,50000,100,100,USD,100:0.002\n";

const BOM = "References,Qty,Manufacturer,MPN\nU1,1,Texas Instruments,LM358DR\n\"R1,R2,R3,R4\",4,Yageo,RC0603FR-0710KL\nJ1,1,,NO-SUCH-PART\n";

const realBom = join(repo, "../shared/data/boms/kicad/acquire-PWM.xml");

/** The cells of an XLSX's rows, read with Python's standard zip and XML modules. */
async function xlsxText(file) {
  const script = `
import sys, zipfile, xml.etree.ElementTree as ET
ns = {"s": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
book = zipfile.ZipFile(sys.argv[1])
shared = [si.findtext(".//s:t", "", ns) for si in ET.fromstring(book.read("xl/sharedStrings.xml")).findall("s:si", ns)]
for row in ET.fromstring(book.read("xl/worksheets/sheet1.xml")).iter("{%s}row" % ns["s"]):
    cells = []
    for c in row.findall("s:c", ns):
        v = c.findtext("s:v", "", ns)
        cells.append(shared[int(v)] if c.get("t") == "s" else v)
    print("\\t".join(cells))
`;
  const { stdout } = await promisify(execFile)("python3", ["-c", script, file]);
  return stdout.trim().split("\n").map((line) => line.split("\t"));
}

describe("a newcomer's walk through the portal", () => {
  let server;
  let ada;
  const evaluation = {};

  before(async () => {
    server = await startServer();
    ada = await openBrowser({ acceptDownloads: true });
    for (const stock of [500, 30]) await importCsv(server, "acme", feed(stock), `feed-${stock}.csv`);
  });

  after(async () => {
    await ada?.close();
    await server?.stop();
  });

  test("sign up, first steps, search, a part page", async () => {
    const { page } = ada;
    await signUp(page, server.base, "ada@example.com", "Acme Electronics");
    await page.getByRole("heading", { name: "First steps" }).waitFor();
    await page.getByRole("button", { name: "Show a client secret" }).click();
    await page.locator("#client-secret").waitFor();
    evaluation.clientId = (await page.locator("#client-id").innerText()).trim();
    evaluation.secret = (await page.locator("#client-secret").innerText()).trim();
    await screenshot(page, "walk-01-first-steps");

    await page.getByRole("link", { name: "Parts", exact: true }).click();
    // The server takes both imports in by itself within seconds (30 + 60 in stock then): search
    // until it has.
    for (let tries = 0; ; tries++) {
      await page.getByLabel("Search parts").fill("LM358");
      await page.getByRole("button", { name: "Search" }).click();
      await page.locator("p.hits").waitFor();
      const stock = page.locator("tr.part-hit td.stock");
      if ((await stock.count()) > 0 && (await stock.first().innerText()).trim() === "90") break;
      assert.ok(tries < 40, `the imports never showed: ${await page.locator("p.hits").innerText()}`);
      await page.waitForTimeout(500);
    }
    await screenshot(page, "walk-02-search");
    await page.getByRole("link", { name: "LM358DR" }).click();
    await page.waitForURL(/\/part\/lm358dr-texas-instruments-\d+$/);
    const offers = page.locator(".offer");
    assert.equal(await offers.count(), 2, "Acme's and Bolt's");
    assert.match(await offers.first().innerText(), /Stock 30/);
    assert.ok(await page.locator("figure.line-chart svg polyline").count() >= 2, "stock and price history");
    await screenshot(page, "walk-03-part");
  });

  test("queries show on the usage page, refused ones too", async () => {
    const { page } = ada;
    const token = async (secret) => fetch(`${server.base}/connect/token`, {
      method: "POST",
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: evaluation.clientId, client_secret: secret }),
    });
    const issued = await (await token(evaluation.secret)).json();
    assert.ok(issued.access_token, JSON.stringify(issued));
    const answer = await fetch(`${server.base}/graphql`, {
      method: "POST",
      headers: { authorization: `Bearer ${issued.access_token}`, "content-type": "application/json" },
      body: JSON.stringify({ query: '{ supSearchMpn(q: "LM358", limit: 2) { hits results { part { mpn } } } }' }),
    });
    assert.equal((await answer.json()).data.supSearchMpn.hits, 1);
    assert.equal((await token("not-the-secret")).status, 401, "a wrong secret is refused");
    await page.getByRole("link", { name: "Usage", exact: true }).click();
    const card = page.locator("section.usage-card").first();
    assert.match(await card.locator("h2").innerText(), /Evaluation/);
    assert.equal((await card.locator("dd.answered").innerText()).trim(), "1");
    assert.equal((await card.locator("dd.refused-auth").innerText()).trim(), "1");
    assert.match(await card.locator(".usage-line").innerText(), /^1 of 1,000 parts used/);
    await screenshot(page, "walk-04-usage");
  });

  test("a BOM for 40 boards: totals, a short line, exports read back", async () => {
    const { page } = ada;
    await page.getByRole("link", { name: "Designs" }).click();
    await page.getByRole("link", { name: "Acme Electronics" }).click();
    await page.getByLabel("Project name").fill("Amp");
    await page.getByLabel("Design file").setInputFiles({ name: "amp.csv", mimeType: "text/csv", buffer: Buffer.from(BOM) });
    await page.getByRole("button", { name: "Upload" }).click();
    await page.waitForURL(/\/projects\/[0-9a-f-]{36}$/);
    await page.getByLabel("Boards to build").fill("40");
    await page.getByRole("button", { name: "Price it" }).click();
    await page.waitForURL(/build=40/);
    // 40 op amps: Acme has 30, Bolt 60 (in euros) — Bolt's order covers it.
    const opAmps = page.locator("tr.bom-line", { hasText: "LM358DR" });
    assert.match(await opAmps.locator(".availability").innerText(), /Enough/);
    assert.match(await opAmps.locator("td.seller").innerText(), /Bolt/);
    // 160 resistors from reels by the hundred: 200 ordered.
    const resistors = page.locator("tr.bom-line", { hasText: "RC0603FR-0710KL" });
    assert.equal((await resistors.locator("td.order").innerText()).trim(), "200");
    await page.getByLabel("Boards to build").fill("100");
    await page.getByRole("button", { name: "Price it" }).click();
    await page.waitForURL(/build=100/);
    const short = page.locator("tr.bom-line.short");
    assert.match(await short.locator(".availability").innerText(), /Short by 40/, "Bolt's 60 of 100");
    assert.equal(await short.evaluate((row) => getComputedStyle(row.querySelector(".availability")).color), "rgb(138, 83, 0)");
    assert.match(await page.locator("tr.alternates").innerText(), /Acme A-1: 30/, "the rest from Acme");
    const totals = await page.locator("#bom-totals").innerText();
    assert.match(totals, /Build total [\d.]+ USD for 100 boards/);
    await screenshot(page, "walk-05-bom");

    const download = async (name) => {
      const [file] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name, exact: true }).click()]);
      const path = join(server.dataDir, file.suggestedFilename());
      await file.saveAs(path);
      return path;
    };
    const csv = (await readFile(await download("CSV"), "utf8")).trim().split("\n");
    assert.match(csv[0], /^Designators,Quantity per board,Quantity needed/);
    assert.ok(csv.some((line) => line.startsWith("U1,1,100,") && line.includes("Short by 40")), csv.join("\n"));
    const xlsx = await download("XLSX");
    assert.equal((await readFile(xlsx)).subarray(0, 2).toString(), "PK", "a zip, as XLSX files are");
    const rows = await xlsxText(xlsx).catch((err) => {
      if (err.code !== "ENOENT") throw err;
      console.log("# python3 is not installed: the XLSX's cells are not read back here (the Rust tests read them)");
      return null;
    });
    if (rows) {
      assert.equal(rows[0][0], "Designators");
      assert.ok(rows.some((row) => row[0] === "U1" && row.includes("Short by 40")), JSON.stringify(rows));
      assert.ok(rows.some((row) => row[0] === "Build total (100 boards)"));
    }

    if (existsSync(realBom)) {
      await page.getByRole("link", { name: "Acme Electronics" }).click();
      await page.getByLabel("Project name").fill("acquire-PWM");
      await page.getByLabel("Design file").setInputFiles(realBom);
      await page.getByRole("button", { name: "Upload" }).click();
      await page.waitForURL(/\/projects\/[0-9a-f-]{36}$/);
      assert.match(await page.locator("#bom-summary").innerText(), /\d+ lines, \d+ matched/);
      await screenshot(page, "walk-05-real-bom");
    } else {
      console.log(`# ${realBom} is not here: the real BOM's upload is skipped`);
    }
  });

  test("the Playground keeps its query when it runs as another app", async () => {
    const { page } = ada;
    await page.getByRole("link", { name: "Apps", exact: true }).click();
    await page.getByRole("link", { name: "Create App" }).click();
    await page.getByLabel("Name").fill("Second");
    await page.getByRole("button", { name: "Create App" }).click();
    await page.getByRole("heading", { name: "Second" }).waitFor();
    await page.getByRole("link", { name: "Playground" }).click();
    await page.locator(".graphiql-query-editor .CodeMirror").first().click();
    await page.keyboard.press("Control+End");
    await page.keyboard.type("\n# kept across apps\n");
    await page.waitForFunction(() => window.sessionStorage.getItem("ferrite-playground-query")?.includes("kept across apps"));
    const other = await page.locator("#app option:not([selected])").first().getAttribute("value");
    await page.selectOption("#app", other);
    await page.waitForURL(new RegExp(`app=${other}`));
    await page.locator(".graphiql-container").waitFor();
    assert.match(await page.locator(".graphiql-query-editor").innerText(), /kept across apps/);
    await screenshot(page, "walk-06-playground");
    // GET /graphql is the same GraphiQL, for a token pasted into Headers.
    await page.goto(`${server.base}/graphql`);
    await page.locator(".graphiql-container").waitFor();
    assert.match(await page.locator("#graphiql").innerText(), /Bearer/);
    await screenshot(page, "walk-07-graphql");
  });

  test("on a phone the navigation folds and nothing is cut off", async () => {
    const phone = await openBrowser({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    try {
      const { page } = phone;
      await signUp(page, server.base, "bob@example.com", "Bolt");
      const menu = page.getByRole("button", { name: "Menu" });
      assert.ok(await menu.isVisible(), "a Menu button");
      assert.ok(!(await page.getByRole("link", { name: "Usage" }).isVisible()), "the navigation is folded");
      await screenshot(page, "walk-08-phone-first-steps");
      await menu.click();
      assert.equal(await menu.getAttribute("aria-expanded"), "true");
      await page.getByRole("link", { name: "Parts", exact: true }).click();
      await page.getByLabel("Search parts").fill("LM358");
      await page.getByRole("button", { name: "Search" }).click();
      await page.locator("tr.part-hit").first().waitFor();
      for (const path of ["/parts?q=LM358", "/welcome", "/apps", "/usage", "/workspaces/bolt"]) {
        await page.goto(`${server.base}${path}`);
        const overflow = await page.evaluate(() => {
          const wide = document.documentElement.scrollWidth > window.innerWidth + 1;
          const cut = [...document.querySelectorAll("button, .button")]
            .filter((b) => b.offsetParent !== null)
            .filter((b) => { const r = b.getBoundingClientRect(); return r.left < 0 || r.right > window.innerWidth + 1; })
            .map((b) => b.textContent.trim());
          return { wide, cut };
        });
        assert.deepEqual(overflow, { wide: false, cut: [] }, path);
        await screenshot(page, `walk-09-phone${path.replace(/[/?=]/g, "-")}`);
      }
    } finally {
      await phone.close();
    }
  });
});
