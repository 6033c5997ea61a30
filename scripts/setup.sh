#!/usr/bin/env bash
# Installs what the console needs and is missing, saying what it does:
#   the wasm32 Rust target, cargo-leptos, wasm-bindgen-cli (the lockfile's version), the npm
#   packages of end2end/ (Playwright, binaryen's wasm-opt) and, with --browser, Debian's Chromium
#   and Python's venv module (schemathesis and kubernetes-validate, from PyPI, are installed by scripts/schemathesis.sh
#   and scripts/check-manifests.sh);
#   with --bench, all that and twiggy (scripts/bench.sh).
# Safe to run again: every step checks first.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
TWIGGY_VERSION=0.8.0
want_browser=false
want_bench=false
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=true ;;
    --bench) want_browser=true; want_bench=true ;;
    *) printf 'unknown option %s (--browser, --bench)\n' "$arg" >&2; exit 2 ;;
  esac
done

say() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

for tool in cargo rustup node npm; do
  command -v "$tool" >/dev/null || die "$tool is not installed; install Rust with rustup and Node.js 20 first"
done

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "Adding the wasm32-unknown-unknown Rust target (rustup)"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  say "Installing cargo-leptos $CARGO_LEPTOS_VERSION from crates.io (about 8 minutes on 2 cores)"
  CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
fi

wasm_bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
[[ -n "$wasm_bindgen_version" ]] || die "wasm-bindgen not found in Cargo.lock"
if ! wasm-bindgen --version 2>/dev/null | grep -q "$wasm_bindgen_version"; then
  say "Installing wasm-bindgen-cli $wasm_bindgen_version (must equal Cargo.lock's wasm-bindgen; about 2 minutes)"
  cargo install wasm-bindgen-cli --version "$wasm_bindgen_version" --locked \
    || cargo install wasm-bindgen-cli --version "$wasm_bindgen_version"
fi

if $want_bench && ! twiggy --version 2>/dev/null | grep -q "$TWIGGY_VERSION"; then
  say "Installing twiggy $TWIGGY_VERSION (what weighs what in the browser bundle; about 2 minutes)"
  cargo install twiggy --version "$TWIGGY_VERSION" --locked
fi

if [[ ! -f end2end/node_modules/.package-lock.json ]] || [[ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]]; then
  say "Installing npm packages in end2end/ (Playwright test runner, binaryen's wasm-opt)"
  (cd end2end && npm ci --no-audit --no-fund)
fi

if $want_browser && [[ ! -x /usr/bin/chromium ]]; then
  say "Installing Chromium and ChromeDriver from Debian's packages (apt-get)"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y --no-install-recommends chromium chromium-driver
fi
if $want_browser && ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
  say "Installing Python 3 with venv from Debian's packages (apt-get), for schemathesis"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y --no-install-recommends python3 python3-venv
fi
say "Set-up complete"
