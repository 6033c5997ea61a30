// The front end as a user meets it (issue 19, item 3): for the first load of each page, in
// Debian's Chromium, the bytes transferred (JS + wasm + CSS, and everything) and the time until
// the page is interactive (the app marks `data-hydrated`), cold (empty cache) and warm (the
// same browser again). Also the bytes each page adds when it is opened after the overview (what
// a user pays for a page the first time). Prints JSON; scripts/bench.sh makes the table.
//   node end2end/bench/front.mjs http://127.0.0.1:3299 <admin password> <backup id> <restore id>
import { chromium } from "@playwright/test";

const [base, password, backupId, restoreId] = process.argv.slice(2);
const runs = Number(process.env.FRONT_RUNS ?? 3);
const pages = [
  ["overview", "/"],
  ["backups", "/backups"],
  ["backup set / run", `/backups/${backupId}`],
  ["restores", "/restores"],
  ["restore wizard", `/restore/${backupId}`],
  ["restore run", `/restores/${restoreId}`],
  ["audit log", "/audit"],
];

const launch = () =>
  chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
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
  });

/** A signed-in context (the session cookie only: its cache starts empty). */
async function signedIn(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
  await page.close();
  return context;
}

/** Opens `path` in a new tab of `context`: bytes transferred (from the network layer, as
 *  encoded on the wire) split into assets (JS, wasm, CSS) and all, and ms to interactive. */
async function load(context, path, { cold = false } = {}) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  // Signing in already opened a page: a cold load starts from an empty cache.
  if (cold) await cdp.send("Network.clearBrowserCache");
  const urls = new Map();
  let assets = 0;
  let all = 0;
  cdp.on("Network.responseReceived", (e) => urls.set(e.requestId, e.response.url));
  cdp.on("Network.loadingFinished", (e) => {
    const url = urls.get(e.requestId) ?? "";
    all += e.encodedDataLength;
    if (/\.(wasm|js|css)(\?|$)/.test(new URL(url, base).pathname)) assets += e.encodedDataLength;
  });
  const started = Date.now();
  await page.goto(`${base}${path}`);
  await page.locator('.app[data-hydrated="true"]').waitFor({ timeout: 60_000 });
  const interactiveMs = Date.now() - started;
  // Anything still on its way (a stylesheet after hydration) is counted too.
  await page.waitForLoadState("networkidle").catch(() => {});
  await page.close();
  return { assets, all, interactiveMs };
}

const results = [];
for (let run = 0; run < runs; run++) {
  const browser = await launch();
  for (const [name, path] of pages) {
    // The page as the first one opened (empty cache), then again (warm cache).
    let context = await signedIn(browser);
    const cold = await load(context, path, { cold: true });
    const warm = await load(context, path);
    results.push({ run, page: name, kind: "cold", ...cold });
    results.push({ run, page: name, kind: "warm", ...warm });
    await context.close();
    // What the page adds when opened after the overview (the page after sign-in).
    if (path !== "/") {
      context = await signedIn(browser);
      await load(context, "/", { cold: true });
      const after = await load(context, path);
      results.push({ run, page: name, kind: "after overview", ...after });
      await context.close();
    }
  }
  await browser.close();
}
process.stdout.write(JSON.stringify(results) + "\n");
