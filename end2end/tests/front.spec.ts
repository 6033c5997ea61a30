// The browser bundle as the browser meets it: the overview loads no other page's code, a page's
// code arrives the first time it is opened (and only then), the bundle is cached for a year
// under its content-hashed name and sent compressed.
import { test, expect } from "./fixtures";
import type { Page } from "@playwright/test";

/** Names of the wasm files the page fetches from now on. */
function wasmRequests(page: Page): string[] {
  const names: string[] = [];
  page.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (path.endsWith(".wasm")) names.push(path.split("/").pop() ?? path);
  });
  return names;
}

const pageChunks = (names: string[]) => names.filter((n) => n.startsWith("split_")).map((n) => n.split(".")[0]);

test("the overview loads without the other pages' code, and each page's code comes when it is opened", async ({
  page,
}) => {
  const fetched = wasmRequests(page);
  const main = page.waitForResponse((r) => /\/pkg\/camunda-backup-console\.[\w-]+\.wasm$/.test(r.url()));
  await page.goto("/");
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
  await page.waitForLoadState("networkidle");
  expect(pageChunks(fetched)).toEqual([]);

  // The main bundle: content-hashed name, cached for a year, compressed on the wire.
  const headers = (await main).headers();
  expect(headers["cache-control"]).toBe("public, max-age=31536000, immutable");
  expect(["br", "gzip"]).toContain(headers["content-encoding"]);
  expect(headers["vary"]?.toLowerCase()).toContain("accept-encoding");

  // Moving to Backups in the app fetches that page's code, not the main bundle again.
  fetched.length = 0;
  await page.getByRole("navigation").getByRole("link", { name: "Backups" }).click();
  await expect(page).toHaveURL(/\/backups$/);
  await expect(page.getByRole("heading", { name: "Backups", level: 1 })).toBeVisible();
  await expect(page.getByRole("button", { name: "Backup now" })).toBeEnabled();
  await page.waitForLoadState("networkidle");
  expect(pageChunks(fetched)).toEqual([expect.stringMatching(/^split___backups_route_view_/)]);
  expect(fetched.filter((n) => n.startsWith("camunda-backup-console."))).toEqual([]);

  // Restores next; going back to Backups fetches nothing (its code is already here).
  fetched.length = 0;
  await page.getByRole("navigation").getByRole("link", { name: "Restores" }).click();
  await expect(page).toHaveURL(/\/restores$/);
  await page.waitForLoadState("networkidle");
  expect(pageChunks(fetched)).toEqual([expect.stringMatching(/^split___restores_route_view_/)]);
  fetched.length = 0;
  await page.getByRole("navigation").getByRole("link", { name: "Backups" }).click();
  await expect(page.getByRole("heading", { name: "Backups", level: 1 })).toBeVisible();
  await page.waitForLoadState("networkidle");
  expect(fetched).toEqual([]);
});
