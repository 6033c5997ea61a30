// The backup history in the browser: one row per set with the restorable badge, the newest
// restorable backup at the top, deletion behind typing the id, the charts' values on hover and
// focus, and every page usable on a 390 px phone.
import { test, expect, type APIRequestContext } from "./fixtures";
import { PHONE, expectFitsPhone } from "./phone";

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

  // The table comes first, right under the summary; the charts follow, with a value axis in
  // units, and each dot tells its value on keyboard focus (and on hover).
  await expect(page.locator("section.summary + .table-scroll > table.history")).toHaveCount(1);
  const tableTop = (await page.locator("table.history").boundingBox())?.y ?? Infinity;
  expect((await duration.boundingBox())?.y ?? 0).toBeGreaterThan(tableTop);
  await expect(duration.locator("text.tick").filter({ hasText: /^0 s$/ })).toHaveCount(1);
  const dot = duration.locator("g.pt").filter({ has: page.locator(`circle[data-backup-id="${newer}"]`) });
  const tip = dot.locator("text.tip");
  await expect(tip).toBeHidden();
  await dot.focus();
  await expect(tip).toBeVisible();
  await expect(tip).toHaveText(new RegExp(`^${newer}: [\\d.:]+( ms| s)?$`));
  await page.mouse.move(0, 0);
  await page.locator("h1").click();
  await expect(tip).toBeHidden();
  await dot.locator("circle").hover();
  await expect(tip).toBeVisible();
});

test("every page reads on a 390 px phone: no sideways scrolling, every cell on the screen, no squeezed rows", async ({
  page,
  api: request,
}) => {
  const id = await takeBackup(request);
  await page.setViewportSize(PHONE);
  for (const path of ["/", "/backups", `/backups/${id}`, "/restores", `/restore/${id}`, "/audit"]) {
    await page.goto(path);
    await expectFitsPhone(page, path);
  }
  // The tables stack: the step table's duration and detail, and the set's parts, are shown
  // under their column's name.
  await page.goto(`/backups/${id}`);
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
  const step = page.locator('tr[data-step="wait_zeebe"]');
  for (const column of ["Duration", "Detail"]) {
    const cell = step.locator(`td[data-label="${column}"]`);
    await cell.scrollIntoViewIfNeeded();
    await expect(cell).toBeInViewport();
    await expect(cell).not.toBeEmpty();
  }
  const box = await step.locator('td[data-label="Duration"]').boundingBox();
  expect(box && box.x + box.width).toBeLessThanOrEqual(PHONE.width);
});
