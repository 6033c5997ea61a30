// Backups that happen without anyone clicking, as an admin meets them in the browser: the
// sample schedule (off) on the simulated default, a 6-field cron added in the form (its next
// 5 times shown before saving) firing a real run, the retention preview before saving, and a
// webhook receiver in this test getting a signed backup.failed.
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test, expect } from "./fixtures";
import { PHONE, expectFitsPhone } from "./phone";
import { E2E_HOOK_PATH, E2E_HOOK_SECRET } from "./secrets";

test("a 6-field cron added on the Schedules page fires a real run named for it", async ({ page, api }) => {
  await page.goto("/schedules");
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByRole("heading", { name: "Schedules", exact: true })).toBeVisible();
  // The simulated default comes with a sample, switched off.
  const sample = page.locator('tr[data-schedule="Nightly (sample)"]');
  await expect(sample).toContainText("0 2 * * *");
  await expect(sample.locator('[data-label="On"]')).toHaveText("off");

  const form = page.getByRole("region", { name: "Schedule form" });
  await form.getByLabel("Name", { exact: true }).fill("every 5 s");
  // A bad expression is named before anything is saved.
  await form.getByLabel("Cron").fill("61 * * * *");
  await expect(form.locator("[data-cron-error]")).toContainText("Minute field `61`");
  await form.getByLabel("Cron").fill("*/5 * * * * *");
  await expect(form.locator("[data-next-runs] li")).toHaveCount(5);
  await form.getByRole("button", { name: "Add schedule" }).click();
  await expect(form.getByRole("status")).toContainText("Saved “every 5 s”");
  const row = page.locator('tr[data-schedule="every 5 s"]');
  await expect(row.locator('[data-label="On"]')).toHaveText("on");

  // Within seconds it fires: a real run whose startedBy names the schedule.
  await expect
    .poll(async () => {
      const list = await (await api.get("/api/v1/schedules")).json();
      const s = list.items.find((i: { name: string }) => i.name === "every 5 s");
      return s?.lastRun?.backupId ?? null;
    }, { timeout: 30_000 })
    .not.toBeNull();
  const list = await (await api.get("/api/v1/schedules")).json();
  const mine = list.items.find((i: { name: string }) => i.name === "every 5 s");
  // Switched off in the page before it fires again.
  await row.getByRole("button", { name: "Switch off" }).click();
  await expect(row.locator('[data-label="On"]')).toHaveText("off");
  const backupId = mine.lastRun.backupId;
  await expect
    .poll(async () => (await (await api.get(`/api/v1/backups/${backupId}`)).json()).state, { timeout: 45_000 })
    .toBe("completed");
  const run = await (await api.get(`/api/v1/backups/${backupId}`)).json();
  expect(run.startedBy).toBe('schedule "every 5 s"');

  // The row links the run it started.
  await page.reload();
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
  await expect(row.getByRole("link", { name: `backup ${backupId}` })).toBeVisible();

  // Delete it, typing its name.
  await row.getByText("Delete…").click();
  await row.getByLabel("Schedule name to confirm").fill("every 5 s");
  await row.getByRole("button", { name: "Delete schedule" }).click();
  await expect(page.locator('tr[data-schedule="every 5 s"]')).toHaveCount(0);
});

test("the retention preview names what a policy would delete and why each other set is kept", async ({ page }) => {
  await page.goto("/schedules");
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
  const card = page.getByRole("region", { name: "Retention policy" });
  await expect(card.locator("[data-retention-state]")).toContainText("Not saved yet: off.");
  await card.getByLabel("Keep the newest restorable sets").fill("1");
  await card.getByLabel("Keep the newest restorable sets").blur();
  await card.getByLabel("Keep restorable sets younger than (days)").fill("0");
  await card.getByLabel("Keep restorable sets younger than (days)").blur();
  await card.getByLabel("Keep the newest of each of the last days").fill("0");
  await card.getByLabel("Keep the newest of each of the last days").blur();
  const preview = card.locator('[data-preview="With the values above"]');
  // Earlier tests took several sets: with keepLast = 1 the older restorable ones would go.
  await expect(preview.locator("[data-retention-delete]")).not.toHaveAttribute("data-retention-delete", "0");
  await preview.getByText(/Keeps \d+ set\(s\)/).click();
  await expect(preview).toContainText("The newest restorable set: never deleted.");
  // Saving needs the acknowledgement; this test does not save (later tests use the sets).
  await expect(card.getByRole("button", { name: "Save policy" })).toBeDisabled();
  // The Backups page says retention is off.
  await page.goto("/backups");
  await expect(page.locator("[data-retention-note]")).toContainText("Retention is off");
});

test("a webhook receiver gets a signed backup.failed; Send test reports its outcome", async ({ page, api }) => {
  const secret = E2E_HOOK_SECRET;
  const got: { event: string; signature: string; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      got.push({
        event: String(req.headers["x-console-event"] ?? ""),
        signature: String(req.headers["x-console-signature"] ?? ""),
        body: Buffer.concat(chunks).toString("utf8"),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const port = (server.address() as AddressInfo).port;
  try {
    await page.goto("/schedules");
    await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
    const alerts = page.getByRole("region", { name: "Alerts" });
    await alerts.getByLabel("Name", { exact: true }).fill("e2e receiver");
    await alerts.getByLabel("URL", { exact: true }).fill(`http://127.0.0.1:${port}/hook/${E2E_HOOK_PATH}`);
    await alerts.getByLabel(/^Secret/).fill(secret);
    await alerts.getByRole("button", { name: "Add webhook" }).click();
    const row = alerts.locator('tr[data-webhook="e2e receiver"]');
    await expect(row).toContainText(`http://127.0.0.1:${port}/…`);
    // The URL's path and the secret are not in the page.
    expect(await page.content()).not.toContain(E2E_HOOK_PATH);
    expect(await page.content()).not.toContain(secret);

    await row.getByRole("button", { name: "Send test" }).click();
    await expect(alerts.locator("[data-test-delivery]")).toHaveAttribute("data-test-delivery", "delivered");
    expect(got.at(-1)?.event).toBe("test");

    // Make Operate fail the next backup (the simulator's admin API), then start one.
    const info = await (await api.get("/api/v1/console")).json();
    const admin: string = info.simulatorAdminUrl ?? info.simulator_admin_url;
    const fault = await api.post(`${admin}/admin/faults`, {
      // A 400 is definitive (a 5xx would be retried within the unavailable budget).
      data: { component: "operate", operation: "take_backup", kind: "status", status: 400, body: '{"message":"disk full"}', times: 1 },
    });
    expect(fault.ok()).toBeTruthy();
    const started = await api.post("/api/v1/backups", { data: {} });
    expect(started.status()).toBe(202);
    const { backupId } = await started.json();
    await expect
      .poll(async () => (await (await api.get(`/api/v1/backups/${backupId}`)).json()).state, { timeout: 45_000 })
      .toBe("failed");
    await expect.poll(() => got.filter((g) => g.event === "backup.failed").length, { timeout: 15_000 }).toBe(1);
    const failed = got.find((g) => g.event === "backup.failed")!;
    const expected = "sha256=" + createHmac("sha256", secret).update(failed.body).digest("hex");
    expect(failed.signature).toBe(expected);
    const body = JSON.parse(failed.body);
    expect(body.data.backupId).toBe(backupId);
    expect(body.summary).toContain("disk full");

    // The delivery log in the page.
    await page.reload();
    await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
    await row.getByText("Delivery log").click();
    await expect(row.locator("ul.deliveries")).toContainText("backup.failed — delivered after 1 attempt(s)");

    // Remove the hook, typing its name.
    await row.getByText("Delete…").click();
    await row.getByLabel("Webhook name to confirm").fill("e2e receiver");
    await row.getByRole("button", { name: "Delete webhook" }).click();
    await expect(alerts.locator('tr[data-webhook="e2e receiver"]')).toHaveCount(0);
  } finally {
    server.close();
  }
});

test("the Schedules page fits a phone", async ({ page }) => {
  await page.setViewportSize(PHONE);
  await page.goto("/schedules");
  await expectFitsPhone(page, "/schedules");
});
