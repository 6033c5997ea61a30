// The audit log as an admin reads it: a backup started with the API token appears with who
// did it and how, the filters narrow the list, and the export downloads JSON lines.
import { test, expect } from "./fixtures";

test("the audit log shows who started a backup, filters, and exports JSON lines", async ({ page, api }) => {
  const started = await api.post("/api/v1/backups", { data: {} });
  expect(started.status()).toBe(202);
  const { backupId } = await started.json();
  // Let it finish first: the next test starts its own backup.
  await expect
    .poll(async () => (await (await api.get(`/api/v1/backups/${backupId}`)).json()).state, { timeout: 45_000 })
    .toBe("completed");

  await page.goto("/audit");
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
  const row = page.locator("table.audit tr", { hasText: `backup ${backupId}` }).first();
  await expect(row).toContainText("backup.start");
  await expect(row).toContainText("e2e");
  await expect(row).toContainText("token");
  await expect(row).toHaveAttribute("data-outcome", "ok");
  // The browser's own sign-in is there too.
  await expect(page.locator("table.audit")).toContainText("auth.sign_in");

  // Filter on the action: only backup starts are left.
  await page.getByLabel("Action").fill("backup.start");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/action=backup\.start/);
  await expect(page.locator("table.audit")).not.toContainText("auth.sign_in");
  await expect(page.locator("table.audit")).toContainText(`backup ${backupId}`);

  // Export as JSON lines: one JSON object per line, the backup start among them.
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export as JSON lines" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe("audit.jsonl");
  const text = await (await file.createReadStream()).toArray();
  const lines = Buffer.concat(text).toString("utf8").trim().split("\n").map((l) => JSON.parse(l));
  // Started without an id: the entry's detail names the id the console chose.
  expect(lines.map((e) => `${e.action}: ${e.detail}`)).toContain(`backup.start: started backup ${backupId}`);

});
