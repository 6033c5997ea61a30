// Backup Now in the browser: click, watch every step complete live, reload mid-run and still
// follow it, and see the final state and the history.
import { test, expect } from "./fixtures";

test("an admin takes a backup and watches every step live", async ({ page }) => {
  await page.goto("/backups");
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByText("The plan:")).toBeVisible();

  await page.getByRole("button", { name: "Backup now" }).click();
  await expect(page).toHaveURL(/\/backups\/\d+$/);
  const id = page.url().split("/").pop();

  // The steps progress without a reload (server-sent events).
  await expect(page.locator('[data-step="preflight"]')).toHaveAttribute("data-step-state", "completed");
  await expect(page.locator('[data-step="wait_operate"]')).toHaveAttribute("data-step-state", "running");
  await expect(page.locator('[data-step="wait_operate"]')).toContainText("Operate:");
  await expect(page.locator("[data-connection]")).toHaveAttribute("data-connection", "open");

  // Reload mid-run: the page starts from the journal and follows the run again.
  await page.reload();
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
  await expect(page.locator("[data-run-state]")).toHaveText("running");

  // The set panel says what the run knows while it goes on: never MISSING for a part that is
  // still to be taken (the cluster's lists were read before the run made it).
  await expect(page.locator('table.parts tr[data-part="zeebe"]')).toBeVisible();
  await expect(page.locator("table.parts")).not.toContainText("MISSING");
  await expect(page.locator('table.parts tr[data-part="operate"]')).toContainText(/COMPLETED|IN_PROGRESS/);

  // Inside the pause window the timer runs.
  await expect(page.locator(".pause.live")).toContainText("paused for", { timeout: 30_000 });

  await expect(page.locator("[data-run-state]")).toHaveText("completed", { timeout: 45_000 });
  const states = await page.locator("[data-step-state]").evaluateAll((rows) =>
    rows.map((r) => r.getAttribute("data-step-state")),
  );
  expect(states.length).toBe(13);
  expect(states.every((s) => s === "completed")).toBeTruthy();
  await expect(page.locator(".pause.done")).toContainText("Exporting was paused for");

  // The history lists it.
  await page.getByRole("link", { name: "Backups" }).click();
  await expect(page.locator(`tr[data-backup-id="${id}"]`)).toContainText("completed");
});
