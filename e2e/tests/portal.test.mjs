// The portal as a person uses it, in real headless Chromium against the real binary:
// sign up → create a Supply app → read its secret → get a token with it from /connect/token →
// choose a plan → allocate parts → see the limit on the usage page; and a second person who
// cannot reach the first one's app by its URL.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { openBrowser, screenshot, startServer } from "./harness.mjs";

const PASSWORD = "correct horse battery";

/** On the sign-in page (where sign-up leads), signs in with the test password. */
async function signIn(page, email) {
  await page.waitForURL(/\/signin\?/);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
}

describe("the developer portal", () => {
  let server;
  let ada;
  const app = {};

  before(async () => {
    server = await startServer();
    ada = await openBrowser();
  });

  after(async () => {
    await ada?.close();
    await server?.stop();
  });

  test("a visitor signs up, lands on the first steps and reaches Apps with the evaluation app", async () => {
    const { page } = ada;
    await page.goto(`${server.base}/`);
    assert.match(page.url(), /\/signin\?next=/, "signed out, / leads to sign-in");
    await screenshot(page, "01-sign-in");
    await page.getByRole("link", { name: "Create an account" }).click();
    await page.getByLabel("Email").fill("ada@example.com");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByLabel("Organization").fill("Acme Electronics");
    await screenshot(page, "02-sign-up");
    await page.getByRole("button", { name: "Create account" }).click();
    // Sign-up answers alike for new and taken emails: the person then signs in.
    await page.waitForURL(/\/signin\?/);
    assert.match(await page.getByRole("status").innerText(), /sign in with the password you chose/);
    await signIn(page, "ada@example.com");
    await page.waitForURL(/\/welcome$/);
    await assert.doesNotReject(page.getByRole("heading", { name: "First steps" }).waitFor());
    const clientId = (await page.locator("#client-id").innerText()).trim();
    await page.getByRole("button", { name: "Show a client secret" }).click();
    await page.waitForURL(/\/welcome$/);
    const secret = (await page.locator("#client-secret").innerText()).trim();
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    assert.ok((await page.locator("#curl").innerText()).includes(`-u '${clientId}:${secret}'`), "the curl is ready");
    await screenshot(page, "03-first-steps");
    await page.reload();
    assert.equal(await page.locator("#client-secret").count(), 0, "shown once");
    await page.getByRole("link", { name: "Apps", exact: true }).click();
    await assert.doesNotReject(page.getByRole("heading", { name: "Apps" }).waitFor());
    assert.ok(await page.getByRole("cell", { name: /Evaluation/ }).count() > 0);
    assert.match(await page.locator("table.apps").innerText(), /0 \/ 1,000/);
    await screenshot(page, "03-apps");
  });

  test("they create a Supply app and read its secret once", async () => {
    const { page } = ada;
    await page.getByRole("link", { name: "Create App" }).click();
    await page.getByLabel("Name").fill("BOM tool");
    await page.getByLabel("Description").fill("Prices our bills of materials");
    assert.ok(await page.getByRole("checkbox", { name: /Supply/ }).isChecked(), "Supply is the default");
    await page.getByRole("button", { name: "Create App" }).click();
    await page.getByRole("heading", { name: "BOM tool" }).waitFor();
    app.clientId = (await page.locator("#client-id").innerText()).trim();
    app.secret = (await page.locator("#client-secret").innerText()).trim();
    app.url = `${server.base}${new URL(page.url()).pathname}`;
    assert.match(app.url, /\/apps\/[0-9a-f-]{36}$/);
    assert.match(app.clientId, /^[0-9a-f-]{36}$/);
    assert.equal(app.secret.length, 43);
    assert.match(await page.getByRole("status").first().innerText(), /shown only this once/);
    await screenshot(page, "04-app-created");
    await page.reload();
    assert.equal(await page.locator("#client-secret").count(), 0, "masked after a reload");
    assert.ok(!(await page.content()).includes(app.secret));
  });

  test("the secret gets a token from /connect/token", async () => {
    const response = await fetch(`${server.base}/connect/token`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`${app.clientId}:${app.secret}`).toString("base64")}`,
      },
      body: "grant_type=client_credentials",
    });
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.token_type, "Bearer");
    assert.equal(body.scope, "supply.domain");
    assert.equal(body.access_token.split(".").length, 3, "a JWT");
  });

  test("they choose the Standard plan and allocate parts to the app", async () => {
    const { page } = ada;
    // The new app has no parts yet, and its page says so and where to give it some.
    assert.match(await page.getByRole("status").innerText(), /This app has no parts yet/);
    await page.getByRole("link", { name: "Plans" }).click();
    assert.match(await page.getByRole("heading", { level: 2 }).first().innerText(), /Evaluation/);
    await page.getByRole("button", { name: "Upgrade to Standard" }).click();
    await page.getByRole("heading", { name: "Current plan: Standard" }).waitFor();
    const limit = page.getByLabel("BOM tool");
    await limit.fill("2500");
    await page.getByRole("button", { name: "Save limits" }).click();
    assert.match(await page.getByRole("alert").innerText(), /exceeds the plan by 500 parts/);
    await screenshot(page, "05-limits-refused");
    await page.getByLabel("BOM tool").fill("1500");
    await page.getByRole("button", { name: "Save limits" }).click();
    assert.match(await page.getByRole("status").innerText(), /part limits were saved/);
    assert.match(await page.locator("#limits").innerText(), /500 are unallocated/);
    await screenshot(page, "06-plans");
  });

  test("the usage page shows the app's limit", async () => {
    const { page } = ada;
    await page.getByRole("link", { name: "Usage" }).click();
    const card = page.locator("section.usage-card", { hasText: "BOM tool" });
    assert.match(await card.locator(".usage-line").innerText(), /0 of 1,500 parts used/);
    assert.match(await card.innerText(), /resets on 1 /);
    assert.equal(await card.locator("svg").count(), 1);
    await screenshot(page, "07-usage");
  });

  test("the playground opens GraphiQL with a token of the app", async () => {
    const { page } = ada;
    await page.getByRole("link", { name: "Playground" }).click();
    await page.locator(".graphiql-container").waitFor();
    const token = await page.locator("#graphiql").getAttribute("data-token");
    assert.equal(token.split(".").length, 3);
    assert.match(await page.locator("#graphiql").innerText(), /Bearer/, "the token is in the headers editor");
    await screenshot(page, "08-playground");
  });

  test("the playground is full width and keeps the query when it runs as another app", async () => {
    const { page } = ada;
    await page.getByRole("link", { name: "Playground" }).click();
    await page.locator(".graphiql-container").waitFor();
    // On a wide screen the editor takes the page's width, not the 64rem text column's.
    await page.setViewportSize({ width: 1600, height: 900 });
    const box = await page.locator("#graphiql").boundingBox();
    assert.ok(box.width > 64 * 16, `the editor spans the page (${box.width}px)`);
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.locator(".graphiql-query-editor .CodeMirror").first().click();
    await page.keyboard.press("Control+End");
    await page.keyboard.type("\n# kept across apps\n");
    assert.match(await page.locator(".graphiql-query-editor").innerText(), /kept across apps/, "typed into the editor");
    // GraphiQL reports edits after a short pause; a person takes longer to reach the app list.
    await page.waitForFunction(() => window.sessionStorage.getItem("ferrite-playground-query")?.includes("kept across apps"));
    const other = await page.locator("#app option:not([selected])").first().getAttribute("value");
    assert.ok(other, "another app to run as");
    await page.selectOption("#app", other);
    await page.waitForURL(new RegExp(`app=${other}`));
    await page.locator(".graphiql-container").waitFor();
    assert.match(await page.locator(".graphiql-query-editor").innerText(), /kept across apps/);
    assert.equal(await page.locator("#app").inputValue(), other);
  });

  test("on a phone the pages stay readable", async () => {
    const phone = await ada.context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${server.base}/apps`);
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no sideways scrolling (${overflow}px)`);
    await screenshot(phone, "09-apps-phone");
    await phone.goto(app.url);
    await screenshot(phone, "10-app-phone");
    await phone.close();
  });

  test("a second person cannot reach the first one's app by its URL", async () => {
    const bob = await openBrowser();
    try {
      const { page } = bob;
      await page.goto(`${server.base}/signup`);
      await page.getByLabel("Email").fill("bob@example.com");
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Create account" }).click();
      await signIn(page, "bob@example.com");
      await page.waitForURL(/\/welcome$/);
      const response = await page.goto(app.url);
      assert.equal(response.status(), 404);
      const text = await page.locator("body").innerText();
      assert.match(text, /Not found/);
      assert.ok(!text.includes("BOM tool") && !text.includes(app.clientId));
      await screenshot(page, "11-other-person-404");
      await page.goto(`${server.base}/apps`);
      assert.ok(!(await page.content()).includes("BOM tool"));
    } finally {
      await bob.close();
    }
  });
});
