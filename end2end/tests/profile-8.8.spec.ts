// A Camunda 8.8 cluster in the browser (the second console, on a simulated 8.8 orchestration
// cluster): the overview names the detected profile, Backup Now runs the 8.8 procedure (soft
// pause first, the web apps through backupHistory, the runtime backup) live, the history shows
// the set with its web-app part, and the restore wizard walks the 8.8 runbook to the end.
import { test, expect } from "@playwright/test";
import { ADMIN_PASSWORD } from "./secrets";

const port88 = Number(process.env.E2E_PORT_88 ?? 3188);

test.use({ baseURL: `http://127.0.0.1:${port88}`, storageState: { cookies: [], origins: [] } });

test("on an 8.8 cluster an admin backs up and restores through the 8.8 procedure", async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");

  // The overview: the 8.8 profile, detected from the orchestration cluster's version.
  const profile = page.locator("[data-profile]");
  await expect(profile).toHaveAttribute("data-profile", "8.8", { timeout: 30_000 });
  await expect(profile).toHaveAttribute("data-profile-source", "detected");
  await expect(profile).toContainText("8.8.2");

  // Backup Now: the 8.8 plan, every step live to the end.
  await page.goto("/backups");
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
  await page.getByText("The plan:").click();
  await expect(page.locator(".plan li").nth(1)).toHaveText("Pause Zeebe exporting");
  await page.getByRole("button", { name: "Backup now" }).click();
  await expect(page).toHaveURL(/\/backups\/\d+$/);
  const id = page.url().split("/").pop() ?? "";
  await expect(page.locator('[data-step="trigger_webapps"]')).toHaveAttribute("data-step-state", "completed", { timeout: 30_000 });
  await expect(page.locator("[data-run-state]")).toHaveText("completed", { timeout: 60_000 });
  const steps = await page.locator("[data-step]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-step")));
  expect(steps).toEqual([
    "preflight",
    "pause_exporting",
    "trigger_webapps",
    "trigger_optimize",
    "wait_webapps",
    "wait_optimize",
    "snapshot_records",
    "trigger_zeebe",
    "wait_records_snapshot",
    "wait_zeebe",
    "resume_exporting",
  ]);
  await expect(page.locator('[data-step="wait_webapps"]')).toContainText("of");

  // The history: the set is restorable, with its web-app part.
  await page.getByRole("link", { name: "Backups" }).click();
  await expect(page.locator(`tr[data-backup-id="${id}"]`)).toHaveAttribute("data-verdict", "restorable", { timeout: 30_000 });
  await expect(page.locator("table.history thead")).toContainText("Web apps");

  // The restore wizard, on the 8.8 runbook.
  await page.goto(`/restore/${id}`);
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
  await expect(page.locator('[data-check="profile"]')).toHaveAttribute("data-state", "pass", { timeout: 30_000 });
  await expect(page.locator('[data-check="profile"]')).toContainText("Camunda 8.8");
  await expect(page.locator('[data-check="versions"]')).toHaveAttribute("data-state", "pass");
  await expect(page.locator('[data-list="restore"]')).toContainText(`camunda_webapps_${id}_8.8.2_part_1_of_`);
  const info = await (await page.request.get("/api/v1/console")).json();
  await page.getByLabel("Cluster name to confirm").fill(info.clusterName ?? info.cluster_name);
  await page.getByRole("button", { name: "Start the restore" }).click();
  await expect(page).toHaveURL(/\/restores\/\d+$/, { timeout: 30_000 });
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
  for (const key of ["stop_apps", "restore_zeebe", "start_apps"]) {
    const step = page.locator(`[data-step="${key}"]`);
    await expect(step).toHaveAttribute("data-state", "waiting", { timeout: 60_000 });
    if (key === "restore_zeebe") {
      await expect(step).toContainText("SPRING_PROFILES_ACTIVE=restore");
    }
    await step.getByRole("button", { name: "Do it on the simulator" }).click();
    await expect(step.locator("[data-sim-log]")).toBeVisible({ timeout: 30_000 });
    for (const box of await step.locator("input[type=checkbox]").all()) {
      await box.check();
    }
    await step.getByRole("button", { name: "I have done this" }).click();
    await expect(step).toHaveAttribute("data-state", "completed", { timeout: 60_000 });
  }
  await expect(page.locator("[data-restore-state]")).toHaveAttribute("data-restore-state", "completed", { timeout: 60_000 });
  await expect(page.locator('[data-check="exporting"]')).toHaveAttribute("data-state", "pass");
});
