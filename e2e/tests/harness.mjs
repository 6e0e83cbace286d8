// The real ferrite binary on a free loopback port with a fresh data directory, and headless
// Debian chromium driven by playwright-core, each browser with a fresh profile.
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const repo = resolve(here, "../..");
export const artifacts = resolve(here, "../artifacts");
const ferriteBin = process.env.FERRITE_BIN || join(repo, "target/debug/ferrite");
const chromiumBin = process.env.CHROMIUM || "/usr/bin/chromium";
const chromiumArgs = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("FERRITE_")));

/** Starts `ferrite serve` with extra `FERRITE_*` settings in `settings`; resolves with
 * { base, dataDir, stop } once it logs its address. */
export async function startServer(settings = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), "ferrite-e2e-"));
  const child = spawn(ferriteBin, ["serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir], {
    env: { ...cleanEnv(), FERRITE_LOG: "warn,ferrite=info", ...settings },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const log = [];
  const base = await new Promise((resolveBase, reject) => {
    const timer = setTimeout(() => reject(new Error(`ferrite did not start:\n${log.join("")}`)), 60_000);
    child.on("error", (err) => { clearTimeout(timer); reject(new Error(`cannot run ${ferriteBin}: ${err.message}`)); });
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`ferrite exited (${code}):\n${log.join("")}`)); });
    child.stderr.on("data", (chunk) => {
      log.push(chunk.toString());
      const match = /address=(127\.0\.0\.1:\d+)/.exec(log.join(""));
      if (match) { clearTimeout(timer); resolveBase(`http://${match[1]}`); }
    });
  });
  return {
    base,
    dataDir,
    log: () => log.join(""),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs `ferrite ARGS --data-dir DIR` (admin commands on a running server's data) and resolves
 * with its stdout; `stdin` is written to it. */
export function ferriteCommand(dataDir, args, stdin = "") {
  return new Promise((resolveOut, reject) => {
    const child = spawn(ferriteBin, [...args, "--data-dir", dataDir], { env: cleanEnv() });
    const out = [];
    const err = [];
    child.stdout.on("data", (chunk) => out.push(chunk));
    child.stderr.on("data", (chunk) => err.push(chunk));
    child.on("error", reject);
    child.on("exit", (code) => code === 0
      ? resolveOut(Buffer.concat(out).toString())
      : reject(new Error(`ferrite ${args.join(" ")} exited ${code}: ${Buffer.concat(err)}`)));
    child.stdin.end(stdin);
  });
}

/** Imports `csv` into the running `server`'s catalogue as a snapshot of feed `feed`, as
 * `ferrite import csv` does (the server takes it in by itself within seconds). */
export async function importCsv(server, feed, csv, name = `${feed}-${Date.now()}.csv`) {
  const file = join(server.dataDir, name);
  await writeFile(file, csv);
  await ferriteCommand(server.dataDir, ["import", "csv", file, "--feed", feed]);
}

/** A browser with a fresh profile (so a person's cookies are their own); close() removes it. */
export async function openBrowser(options = {}) {
  const profile = await mkdtemp(join(tmpdir(), "ferrite-e2e-profile-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumBin,
    headless: true,
    args: chromiumArgs,
    viewport: { width: 1280, height: 860 },
    ...options,
  });
  context.setDefaultTimeout(20_000);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page, name) {
  await mkdir(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

export const PASSWORD = "correct horse battery";

/** Signs `email` up with a new organization `org` on `base`, then signs in: ends on First steps. */
export async function signUp(page, base, email, org) {
  await page.goto(`${base}/signup`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByLabel("Organization").fill(org);
  await page.getByRole("button", { name: "Create account" }).click();
  // Sign-up leads to sign-in (it answers alike for new and taken emails).
  await page.waitForURL(/\/signin\?/);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/welcome$/);
}
