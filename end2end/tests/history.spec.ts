// The backup history in the browser: one row per set with the restorable badge, the newest
// restorable backup at the top, deletion behind typing the id, and pages that do not scroll
// sideways on a 390 px phone.
import { test, expect, type APIRequestContext } from "./fixtures";

async function takeBackup(request: APIRequestContext): Promise<string> {
  const started = await request.post("/api/v1/backups", { data: {} });
  expect(started.status()).toBe(202);
  const id = String((await started.json()).backupId);
  await expect
    .poll(async () => (await (await request.get(`/api/v1/backups/${id}`)).json()).state, { timeout: 60_000 })
    .toBe("completed");
  return id;
}

test("the history lists sets, marks the restorable ones, and deletes one after the id is typed", async ({
  page,
  api: request,
}) => {
  const older = await takeBackup(request);
  const newer = await takeBackup(request);

  await page.goto("/backups");
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
  const newerRow = page.locator(`tr[data-backup-id="${newer}"]`);
  await expect(newerRow.locator('[data-restorable="true"]')).toBeVisible({ timeout: 30_000 });
  await expect(newerRow.locator('[data-part="zeebeRecords"]')).toHaveText("COMPLETED");
  await expect(page.locator("[data-newest-restorable]")).toHaveAttribute("data-newest-restorable", newer);

  // Delete the older set from its page: the button waits for the exact id.
  await page.goto(`/backups/${older}`);
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
  await page.getByText("Delete this backup set").click();
  const button = page.getByRole("button", { name: "Delete backup set" });
  await expect(button).toBeDisabled();
  await page.getByLabel("Backup id to confirm").fill("1");
  await expect(button).toBeDisabled();
  await page.getByLabel("Backup id to confirm").fill(older);
  await expect(button).toBeEnabled();
  await button.click();
  await expect(page.locator("[data-deleted]")).toHaveAttribute("data-deleted", "true", { timeout: 30_000 });
  await expect(page.locator("[data-deleted]")).toContainText("Every part is deleted.");

  // The row now says what is left: only the console's journal knows it.
  await page.goto("/backups");
  const olderRow = page.locator(`tr[data-backup-id="${older}"]`);
  await expect(olderRow.locator('[data-restorable="false"]')).toBeVisible();
  await expect(olderRow.locator('[data-part="zeebe"]')).toHaveText("MISSING");
  await expect(olderRow).toContainText("only the console's journal knows this backup");
  // The chart marks it too.
  const duration = page.locator('figure[data-metric="duration"]');
  await expect(duration.locator(`svg circle[data-backup-id="${older}"]`)).toHaveClass(/bad/);
  await expect(duration.locator(`svg circle[data-backup-id="${newer}"]`)).toHaveClass(/ok/);
});

test("every page fits a 390 px phone screen without sideways scrolling", async ({ page, api: request }) => {
  const id = await takeBackup(request);
  await page.setViewportSize({ width: 390, height: 844 });
  for (const path of ["/", "/backups", `/backups/${id}`, "/restores", `/restore/${id}`]) {
    await page.goto(path);
    await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${path} scrolls sideways by ${overflow}px`).toBeLessThanOrEqual(0);
  }
});
