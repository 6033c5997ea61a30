// The overview page: hydration works, every component answers, and a component stopped
// through the simulator's admin API is reported as not answering.
import { request } from "@playwright/test";
import { test, expect } from "./fixtures";

test.describe("cluster overview", () => {
  test("shows every component answering and notices when one stops", async ({ page, api }) => {
    await page.goto("/");

    // The simulated-cluster banner is on the page.
    await expect(page.getByRole("status").filter({ hasText: "Simulated cluster" })).toBeVisible();

    // Hydration: the app marks itself live, and the page refreshes itself (the time changes).
    await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
    const checked = page.locator("p.checked");
    await expect(checked).toBeVisible();
    const first = await checked.getAttribute("data-checked-at");
    await expect(checked).not.toHaveAttribute("data-checked-at", first ?? "");

    // Every component answers.
    for (const name of ["Zeebe gateway", "Operate", "Tasklist", "Optimize", "Elasticsearch"]) {
      await expect(page.locator(`tr[data-component="${name}"]`)).toHaveAttribute("data-answering", "true");
    }
    await expect(page.locator('tr[data-component="Zeebe broker"]')).toHaveCount(3);
    // The version profile in force, and why (the simulator runs 8.7.3).
    const profile = page.locator("[data-profile]");
    await expect(profile).toHaveAttribute("data-profile", "8.2–8.7");
    await expect(profile).toHaveAttribute("data-profile-source", "detected");
    await expect(profile).toContainText("Zeebe reports version 8.7.3");
    await expect(page.locator("[data-exporting]")).toHaveText("EXPORTING");
    await expect(page.locator("[data-repo-exists]")).toHaveText("yes");

    // Stop Operate through the simulator's admin API; the page says so without a reload.
    const info = await (await api.get("/api/v1/console")).json();
    expect(info.simulated).toBe(true);
    const admin = await request.newContext({ baseURL: info.simulator_admin_url });
    const stopped = await admin.post("/admin/components/operate/stop");
    expect(stopped.ok()).toBeTruthy();
    try {
      const operate = page.locator('tr[data-component="Operate"]');
      await expect(operate).toHaveAttribute("data-answering", "false");
      await expect(operate).toContainText("Not answering");
      await expect(operate).toContainText("could not be reached");
      await expect(page.locator("p.checked")).toContainText("1 component(s) report a problem");
    } finally {
      await admin.post("/admin/components/operate/start");
    }
    await expect(page.locator('tr[data-component="Operate"]')).toHaveAttribute("data-answering", "true");
  });
});
