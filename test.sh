#!/usr/bin/env bash
# Sets up what is missing (including Debian's Chromium) and runs every check and test:
# rustfmt, clippy (ssr and wasm hydrate), unit + integration + contract tests, Playwright
# end-to-end tests in headless Chromium against the real binary, and schemathesis against the
# console's OpenAPI document, and the Kubernetes manifests against the Kubernetes schemas.
# A PostgreSQL from Debian's packages (installed if missing) runs in a temporary directory for
# the store's PostgreSQL tests.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh --browser
step() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }

step "rustfmt"
cargo fmt --all -- --check
step "clippy (server build, ssr)"
cargo clippy --workspace --all-targets --features camunda-backup-console/ssr -- -D warnings
step "clippy (browser build, hydrate, wasm32)"
cargo clippy -p camunda-backup-console --lib --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings
step "PostgreSQL from Debian's packages in a temporary directory, TLS and a password (scripts/postgres.sh)"
pg_dir=$(mktemp -d /tmp/console-pg.XXXXXX)
trap 'scripts/postgres.sh stop "$pg_dir"; rm -rf "$pg_dir"' EXIT
scripts/postgres.sh start "$pg_dir"
# shellcheck disable=SC1091
. "$pg_dir/env"
# The PostgreSQL tests fail (not skip) if the server is missing.
export TEST_REQUIRE_POSTGRES=1
step "unit, integration and contract tests (the store's on SQLite and on PostgreSQL)"
cargo test --workspace --features camunda-backup-console/ssr
# The end-to-end tests run the binary and bundle cargo-leptos builds. (A binary once built by
# `cargo test` rendered markup the bundle failed to hydrate: cargo-leptos added
# `--cfg erase_components` to its own debug builds only. The flag now comes from
# .cargo/config.toml for every build, so both build the same views and share artifacts.)
step "building server and browser bundle for the end-to-end tests (cargo leptos build --split)"
cargo leptos build --split
step "Kubernetes manifests: the Kubernetes schemas (kubernetes-validate) and the console's check-config"
scripts/check-manifests.sh target/debug/camunda-backup-console
step "Playwright end-to-end tests (headless Debian Chromium)"
rm -f /tmp/console-e2e.db* /tmp/console-e2e-88.db* /tmp/console-e2e-810.db*
rm -rf end2end/.auth
(cd end2end && E2E_CONSOLE_BINARY=../target/debug/camunda-backup-console npx playwright test) 2>&1 \
  | tee target/e2e.log
step "no secret in the end-to-end run's output (the console's own log included)"
for secret in $(sed -n 's/^export const [A-Z0-9_]* = "\(.*\)";$/\1/p' end2end/tests/secrets.ts); do
  if grep -qF -- "$secret" target/e2e.log; then
    echo "a secret of the end-to-end console appears in its output (target/e2e.log)" >&2
    exit 1
  fi
done
grep -q "signs in and lands on the page" target/e2e.log || { echo "the sign-in test did not run" >&2; exit 1; }
step "schemathesis: the running console against its published OpenAPI document (no 5xx, nothing outside the schema)"
scripts/schemathesis.sh target/debug/camunda-backup-console
