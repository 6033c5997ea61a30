// A Camunda 8.10 cluster in the browser (the third console, on a simulated 8.10 orchestration
// cluster whose /v2 REST API demands credentials): the overview names the detected profile,
// Backup Now runs the 8.8-order procedure over /v2 live, the history shows the set, and the
// restore wizard walks the in-cluster runbook to the end — only Optimize is stopped, the
// console switches the cluster to recovery mode and restores Zeebe inside it.
import { test, expect } from "@playwright/test";
import { ADMIN_PASSWORD } from "./secrets";

const port810 = Number(process.env.E2E_PORT_810 ?? 3189);

test.use({ baseURL: `http://127.0.0.1:${port810}`, storageState: { cookies: [], origins: [] } });

test("on an 8.10 cluster an admin backs up over /v2 and restores inside the running cluster", async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");

  // The overview: the 8.10 profile, detected from the orchestration cluster's version.
  const profile = page.locator("[data-profile]");
  await expect(profile).toHaveAttribute("data-profile", "8.10", { timeout: 30_000 });
  await expect(profile).toContainText("8.10.0");

  // Backup Now: the 8.8-order plan over the /v2 API, every step live to the end.
  await page.goto("/backups");
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
  await page.getByRole("button", { name: "Backup now" }).click();
  await expect(page).toHaveURL(/\/backups\/\d+$/);
  const id = page.url().split("/").pop() ?? "";
  await expect(page.locator("[data-run-state]")).toHaveText("completed", { timeout: 90_000 });
  await expect(page.locator('[data-step="pause_exporting"]')).toHaveAttribute("data-step-state", "completed");
  await expect(page.locator('[data-step="trigger_webapps"]')).toHaveAttribute("data-step-state", "completed");
  await expect(page.locator('[data-step="resume_exporting"]')).toHaveAttribute("data-step-state", "completed");

  // The history: the set is restorable.
  await page.getByRole("link", { name: "Backups" }).click();
  await expect(page.locator(`tr[data-backup-id="${id}"]`)).toHaveAttribute("data-verdict", "restorable", { timeout: 30_000 });

  // The restore wizard: the in-cluster runbook, its permissions and recovery mode checked.
  await page.goto(`/restore/${id}`);
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
  await expect(page.locator('[data-check="profile"]')).toHaveAttribute("data-state", "pass", { timeout: 30_000 });
  await expect(page.locator('[data-check="restore_api"]')).toHaveAttribute("data-state", "pass");
  await expect(page.locator('[data-check="recovery_mode"]')).toHaveAttribute("data-state", "pass");
  const info = await (await page.request.get("/api/v1/console")).json();
  await page.getByLabel("Cluster name to confirm").fill(info.clusterName ?? info.cluster_name);
  await page.getByRole("button", { name: "Start the restore" }).click();
  await expect(page).toHaveURL(/\/restores\/\d+$/, { timeout: 30_000 });
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
  const steps = await page.locator("[data-step]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-step")));
  expect(steps).toEqual([
    "stop_apps",
    "enter_recovery",
    "delete_indices",
    "restore_webapps",
    "restore_records",
    "restore_zeebe_in_cluster",
    "start_apps",
    "post_checks",
  ]);
  for (const key of ["stop_apps", "start_apps"]) {
    const step = page.locator(`[data-step="${key}"]`);
    await expect(step).toHaveAttribute("data-state", "waiting", { timeout: 120_000 });
    await step.getByRole("button", { name: "Do it on the simulator" }).click();
    await expect(step.locator("[data-sim-log]")).toBeVisible({ timeout: 30_000 });
    for (const box of await step.locator("input[type=checkbox]").all()) {
      await box.check();
    }
    await step.getByRole("button", { name: "I have done this" }).click();
    await expect(step).toHaveAttribute("data-state", "completed", { timeout: 120_000 });
    if (key === "stop_apps") {
      // The console's own steps run by themselves, live, in the runbook's order.
      await expect(page.locator('[data-step="enter_recovery"]')).toHaveAttribute("data-state", "completed", { timeout: 60_000 });
      await expect(page.locator('[data-step="restore_zeebe_in_cluster"]')).toHaveAttribute("data-state", "completed", { timeout: 120_000 });
      await expect(page.locator('[data-step="restore_zeebe_in_cluster"]')).toContainText("PROCESSING");
    }
  }
  await expect(page.locator("[data-restore-state]")).toHaveAttribute("data-restore-state", "completed", { timeout: 60_000 });
  await expect(page.locator('[data-check="exporting"]')).toHaveAttribute("data-state", "pass");
});
