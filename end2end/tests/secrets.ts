// The end-to-end console's secrets: its admin password (CONSOLE_ADMIN_PASSWORD) and its admin
// API token (its SHA-256 is in console-e2e.toml). test.sh greps the run's log for both.
export const ADMIN_PASSWORD = "e2e-admin-password-4471";
export const E2E_TOKEN = "e2e-admin-api-token-5d1c8e";
