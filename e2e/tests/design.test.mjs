// Design data in the portal, in real headless Chromium against the real binary: sign up → Designs
// → the default workspace → upload a KiCad export → the project's BOM table; and a bad file,
// refused on the form with the line at fault.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { openBrowser, screenshot, signUp, startServer } from "./harness.mjs";

const KICAD = `<?xml version="1.0" encoding="UTF-8"?>
<export version="D"><components>
  <comp ref="R1"><value>10k</value><footprint>R_0603</footprint>
    <fields><field name="manf">Yageo</field><field name="manf#">RC0603FR-0710KL</field></fields></comp>
  <comp ref="R2"><value>10k</value><footprint>R_0603</footprint>
    <fields><field name="manf">Yageo</field><field name="manf#">RC0603FR-0710KL</field></fields></comp>
  <comp ref="U1"><value>LM358</value><fields><field name="MPN">LM358DR</field></fields></comp>
  <comp ref="J1"><value>CONN_01x02</value><footprint>PinHeader_1x02</footprint></comp>
</components></export>`;

describe("design data in the portal", () => {
  let server;
  let ada;

  before(async () => {
    server = await startServer();
    ada = await openBrowser();
  });

  after(async () => {
    await ada?.close();
    await server?.stop();
  });

  test("a person uploads a KiCad export and reads its BOM", async () => {
    const { page } = ada;
    await signUp(page, server.base, "ada@example.com", "Acme Electronics");

    await page.getByRole("link", { name: "Designs" }).click();
    await page.getByRole("heading", { name: "Designs" }).waitFor();
    await page.getByRole("link", { name: "Acme Electronics" }).click();
    await page.waitForURL(/\/workspaces\/acme-electronics$/);

    await page.getByLabel("Project name").fill("Blinky");
    await page.getByLabel("Design file").setInputFiles({
      name: "broken.csv", mimeType: "text/csv", buffer: Buffer.from("References,Qty,MPN\nR1,two,X\n"),
    });
    await page.getByRole("button", { name: "Upload" }).click();
    const error = page.getByRole("alert");
    await error.waitFor();
    assert.match(await error.innerText(), /line 2: the quantity `two` in column `Qty` is not a whole number/);
    assert.equal(await page.getByLabel("Project name").inputValue(), "Blinky", "what was typed is kept");

    await page.getByLabel("Design file").setInputFiles({
      name: "blinky.xml", mimeType: "application/xml", buffer: Buffer.from(KICAD),
    });
    await page.getByRole("button", { name: "Upload" }).click();
    await page.waitForURL(/\/workspaces\/acme-electronics\/projects\/[0-9a-f-]{36}$/);
    await page.getByRole("heading", { name: "Blinky" }).waitFor();
    const rows = page.locator("table.bom tbody tr");
    assert.equal(await rows.count(), 3, "R1 and R2 share an MPN: one line");
    const resistors = rows.filter({ hasText: "RC0603FR-0710KL" });
    assert.match(await resistors.innerText(), /R1, R2/);
    assert.equal((await resistors.locator("td.qty").innerText()).trim(), "2");
    assert.match(await resistors.locator(".tag.match").innerText(), /Not in catalogue/, "this server has no catalogue");
    assert.match(await rows.filter({ hasText: "J1" }).locator(".tag.match").innerText(), /No MPN/);
    assert.match(await page.locator("#bom-summary").innerText(), /3 lines, 0 matched/);
    await screenshot(page, "20-bom");

    await page.getByRole("link", { name: "Acme Electronics" }).click();
    assert.ok(await page.getByRole("link", { name: "Blinky" }).count() === 1, "listed in its workspace");
  });
});
