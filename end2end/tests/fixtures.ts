// `api`: an API client that sends the admin token (the browser pages use the signed-in
// session that auth.setup.ts saved).
import { test as base, expect, type APIRequestContext } from "@playwright/test";
import { E2E_TOKEN } from "./secrets";

export const test = base.extend<{ api: APIRequestContext }>({
  api: async ({ playwright, baseURL }, use) => {
    const api = await playwright.request.newContext({
      baseURL,
      extraHTTPHeaders: { Authorization: `Bearer ${E2E_TOKEN}` },
    });
    await use(api);
    await api.dispose();
  },
});
export { expect };
export type { APIRequestContext };
