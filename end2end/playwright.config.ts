// Playwright drives Debian's Chromium (/usr/bin/chromium) against the real console binary,
// which starts its embedded Camunda simulator because no [cluster] is configured.
import { defineConfig } from "@playwright/test";
import { ADMIN_PASSWORD, E2E_OIDC_SECRET } from "./tests/secrets";

const port = Number(process.env.E2E_PORT ?? 3187);
const idpPort = Number(process.env.E2E_IDP_PORT ?? 3190);
const issuer = `http://127.0.0.1:${idpPort}/realms/camunda`;
const binary = process.env.E2E_CONSOLE_BINARY ?? "../target/debug/camunda-backup-console";
// The second console, on a simulated Camunda 8.8 cluster (tests/profile-8.8.spec.ts).
const port88 = Number(process.env.E2E_PORT_88 ?? 3188);
// The third, on a simulated Camunda 8.10 cluster with its /v2 API (tests/profile-8.10.spec.ts).
const port810 = Number(process.env.E2E_PORT_810 ?? 3189);
const consoleEnv = {
  CONSOLE_PROBE_INTERVAL_SECS: "1",
  CONSOLE_ADMIN_PASSWORD: ADMIN_PASSWORD,
  LEPTOS_OUTPUT_NAME: "camunda-backup-console",
  LEPTOS_SITE_ROOT: "../target/site",
  LEPTOS_SITE_PKG_DIR: "pkg",
  LEPTOS_ENV: "PROD",
  RUST_LOG: "info",
};

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts/ },
    {
      name: "console",
      testMatch: /.*\.spec\.ts/,
      dependencies: ["setup"],
      use: { storageState: ".auth/admin.json" },
    },
  ],
  webServer: [
    {
      // The test identity provider for single sign-on (tests/sso.spec.ts).
      command: "node idp/server.mjs",
      url: `${issuer}/.well-known/openid-configuration`,
      timeout: 20_000,
      reuseExistingServer: false,
      stdout: "pipe",
      env: { E2E_IDP_PORT: String(idpPort), E2E_OIDC_SECRET },
    },
    {
      // The console, on its embedded simulator.
      command: binary,
      url: `http://127.0.0.1:${port}/api/v1/health`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "pipe",
      stderr: "pipe",
      env: {
        ...consoleEnv,
        CONSOLE_LISTEN: `127.0.0.1:${port}`,
        CONSOLE_DATABASE_URL: `sqlite://${process.env.E2E_DB ?? "/tmp/console-e2e.db"}?mode=rwc`,
        CONSOLE_CONFIG: "console-e2e.toml",
        CONSOLE_AUTH__OIDC__ISSUER: issuer,
        CONSOLE_AUTH__OIDC__REDIRECT_URL: `http://127.0.0.1:${port}/auth/oidc/callback`,
        CONSOLE_AUTH__OIDC__CLIENT_SECRET: E2E_OIDC_SECRET,
      },
    },
    {
      // A second console, on its embedded simulator answering as Camunda 8.8.
      command: binary,
      url: `http://127.0.0.1:${port88}/api/v1/health`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "pipe",
      stderr: "pipe",
      env: {
        ...consoleEnv,
        CONSOLE_LISTEN: `127.0.0.1:${port88}`,
        CONSOLE_DATABASE_URL: `sqlite://${process.env.E2E_DB_88 ?? "/tmp/console-e2e-88.db"}?mode=rwc`,
        CONSOLE_CONFIG: "console-e2e-88.toml",
      },
    },
    {
      // A third console, on its embedded simulator answering as Camunda 8.10 (/v2 REST API).
      command: binary,
      url: `http://127.0.0.1:${port810}/api/v1/health`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "pipe",
      stderr: "pipe",
      env: {
        ...consoleEnv,
        CONSOLE_LISTEN: `127.0.0.1:${port810}`,
        CONSOLE_DATABASE_URL: `sqlite://${process.env.E2E_DB_810 ?? "/tmp/console-e2e-810.db"}?mode=rwc`,
        CONSOLE_CONFIG: "console-e2e-810.toml",
      },
    },
  ],
});
