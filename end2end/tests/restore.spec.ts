// The restore wizard in the browser, against the embedded simulator: choose a set, read the
// checks and the plan, type the cluster name, then follow the restore live — doing each
// operator step on the simulator and confirming it — until the post-restore checks pass.
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

test("the wizard walks a restore from choosing a set to the post-restore checks", async ({ page, api: request }) => {
  test.setTimeout(180_000);
  const id = await takeBackup(request);
  const info = await (await request.get("/api/v1/console")).json();
  const cluster: string = info.clusterName ?? info.cluster_name;

  // Choose the set.
  await page.goto("/restores");
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
  await page.locator(`[data-restore-backup="${id}"]`).click();
  await expect(page).toHaveURL(new RegExp(`/restore/${id}$`));

  // Checks and plan.
  await expect(page.locator('[data-check="snapshots"]')).toHaveAttribute("data-state", "pass", { timeout: 30_000 });
  await expect(page.locator('[data-check="versions"]')).toHaveAttribute("data-state", "pass");
  await expect(page.locator('[data-step="restore_zeebe"][data-kind="you"]')).toBeVisible();
  await expect(page.locator('[data-list="restore"] li')).toHaveCount(15);
  await expect(page.getByRole("link", { name: "Download the runbook (text)" })).toBeVisible();

  // Start: only with the cluster's name typed.
  const start = page.getByRole("button", { name: "Start the restore" });
  await expect(start).toBeDisabled();
  await page.getByLabel("Cluster name to confirm").fill("not-the-name");
  await expect(start).toBeDisabled();
  await page.getByLabel("Cluster name to confirm").fill(cluster);
  await expect(start).toBeEnabled();
  await start.click();
  await expect(page).toHaveURL(/\/restores\/\d+$/, { timeout: 30_000 });
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");

  // Each operator step: done on the simulator, then confirmed.
  for (const key of ["stop_apps", "restore_zeebe", "start_apps"]) {
    const step = page.locator(`[data-step="${key}"]`);
    await expect(step).toHaveAttribute("data-state", "waiting", { timeout: 60_000 });
    await step.getByRole("button", { name: "Do it on the simulator" }).click();
    await expect(step.locator("[data-sim-log]")).toBeVisible({ timeout: 30_000 });
    if (key === "restore_zeebe") {
      await expect(step.locator("[data-sim-log]")).toContainText(`Successfully restored broker from backup ${id}`);
      const confirm = step.getByRole("button", { name: "I have done this" });
      await expect(confirm).toBeDisabled();
      for (const box of await step.locator("input[type=checkbox]").all()) {
        await box.check();
      }
    }
    await step.getByRole("button", { name: "I have done this" }).click();
    await expect(step).toHaveAttribute("data-state", "completed", { timeout: 60_000 });
  }

  // Post-restore checks and the outcome, live.
  await expect(page.locator("[data-restore-state]")).toHaveAttribute("data-restore-state", "completed", { timeout: 60_000 });
  await expect(page.locator('[data-outcome="completed"]')).toContainText("Time to restore");
  await expect(page.locator('[data-check="exporting"]')).toHaveAttribute("data-state", "pass");

  // Kept in the restore history.
  await page.goto("/restores");
  await expect(page.locator("table.restores tbody tr").first()).toContainText("completed");
});

test("a set that is not restorable shows why, and the wizard will not start it", async ({ page, api: request }) => {
  const id = await takeBackup(request);
  const info = await (await request.get("/api/v1/console")).json();
  const cluster: string = info.clusterName ?? info.cluster_name;
  const admin: string = info.simulatorAdminUrl ?? info.simulator_admin_url;
  const urls = await (await request.get(`${admin}/admin/urls`)).json();
  // The records snapshot of the set is gone from the repository.
  const gone = await request.delete(`${urls.elasticsearch}/_snapshot/camunda/camunda_zeebe_records_backup_${id}`);
  expect(gone.ok()).toBeTruthy();

  await page.goto(`/restore/${id}`);
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
  await expect(page.locator('[data-check="set"]')).toHaveAttribute("data-state", "fail", { timeout: 30_000 });
  await expect(page.locator('[data-check="set"]')).toContainText("not restorable");
  await expect(page.locator('[data-check="snapshots"]')).toContainText(`camunda_zeebe_records_backup_${id}`);
  await expect(page.locator('[data-ready="false"]')).toBeVisible();
  await page.getByLabel("Cluster name to confirm").fill(cluster);
  await expect(page.getByRole("button", { name: "Start the restore" })).toBeDisabled();
});
