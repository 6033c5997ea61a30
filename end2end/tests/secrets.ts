// The end-to-end console's secrets: its admin password (CONSOLE_ADMIN_PASSWORD), its admin
// API token (its SHA-256 is in console-e2e.toml) and its OpenID Connect client secret. test.sh
// greps the run's log for each.
export const ADMIN_PASSWORD = "e2e-admin-password-4471";
export const E2E_TOKEN = "e2e-admin-api-token-5d1c8e";
// The client secret the console and the test identity provider (idp/server.mjs) share.
export const E2E_OIDC_SECRET = "e2e-oidc-client-secret-9b2f";
// A webhook's signing secret and the secret part of its URL (tests/schedules.spec.ts): never in
// the pages, the API's answers or the console's log.
export const E2E_HOOK_SECRET = "e2e-webhook-secret-0123456789";
export const E2E_HOOK_PATH = "hook-path-t0ken-7c1e";
