// Signing in, as an admin does: a page asked for before signing in leads to the sign-in page,
// which has "Username" and "Password" fields and a "Sign in" button, and returns to the page
// asked for. The session is saved for the other tests.
import { test as setup, expect } from "@playwright/test";
import { ADMIN_PASSWORD } from "./secrets";

setup("an admin signs in and lands on the page they asked for", async ({ page }) => {
  await page.goto("/backups?verdict=restorable");
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("Wrong username or password.");

  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/backups\?verdict=restorable$/);
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
  await expect(page.locator(".user-name")).toHaveText("admin");
  await expect(page.locator(".user .role")).toHaveText("admin");
  await expect(page.getByRole("link", { name: "Audit" })).toBeVisible();
  await page.context().storageState({ path: ".auth/admin.json" });
});
