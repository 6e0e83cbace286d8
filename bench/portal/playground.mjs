// The Playground's load in headless Chromium over loopback: from navigation to GraphiQL mounted
// (its editor on the page), first with an empty cache, then again with the assets cached, ROUNDS
// times each (a fresh browser profile per cold load). Prints a Markdown table.
//   node bench/portal/playground.mjs BASE EMAIL PASSWORD
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

const require = createRequire(new URL("../../e2e/package.json", import.meta.url));
const { chromium } = require("playwright-core");
const [base, email, password] = process.argv.slice(2);
const rounds = Number(process.env.ROUNDS || 5);

async function signedIn() {
  const profile = await mkdtemp(join(tmpdir(), "ferrite-bench-profile-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${base}/signin`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/(apps|welcome)$/);
  return { page, close: async () => { await context.close(); await rm(profile, { recursive: true, force: true }); } };
}

async function load(page) {
  const started = performance.now();
  await page.goto(`${base}/playground`);
  await page.locator(".graphiql-query-editor").waitFor();
  return performance.now() - started;
}

const cold = [];
const warm = [];
for (let i = 0; i < rounds; i++) {
  const browser = await signedIn();
  try {
    cold.push(await load(browser.page));
    warm.push(await load(browser.page));
  } finally {
    await browser.close();
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log("| Playground, navigation to GraphiQL's editor | median ms | slowest ms |\n|---|---:|---:|");
for (const [name, xs] of [["empty cache", cold], ["assets cached", warm]]) {
  console.log(`| ${name} | ${median(xs).toFixed(0)} | ${Math.max(...xs).toFixed(0)} |`);
}
