// Single sign-on in a real browser: a signed-out user asks for a page, chooses "Sign in with
// Test IdP" on the sign-in page, the provider (idp/server.mjs) signs them in at once, and they
// land on the page they asked for, signed in with the role their claim grants. This is where
// the SameSite=Strict session cookie meets the provider's cross-site redirect: the console's
// small continue page must carry the browser on with a same-site navigation.
import { test, expect } from "./fixtures";

test.use({ storageState: { cookies: [], origins: [] } });

test("a user signs in with single sign-on and lands on the page they asked for", async ({ page }) => {
  await page.goto("/restores");
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.getByRole("link", { name: "Sign in with Test IdP" }).click();

  await expect(page).toHaveURL(/\/restores$/);
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
  await expect(page.locator(".user-name")).toHaveText("ada");
  await expect(page.locator(".user .role")).toHaveText("admin");

  // The session cookie is the console's usual one.
  const session = (await page.context().cookies()).find((c) => c.name === "cbc_session");
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe("Strict");
  // The sign-in's state cookie is gone.
  expect((await page.context().cookies()).some((c) => c.name === "cbc_oidc" && c.value !== "")).toBe(false);
});
