#!/usr/bin/env bash
# Sets up what is missing, builds the console (release) and runs it.
# Without a configuration it runs against the embedded, clearly labelled Camunda simulator.
#   ./run.sh                         # simulated cluster on http://127.0.0.1:3000
#   ./run.sh --config cluster.toml   # a real cluster (or CONSOLE_CONFIG=cluster.toml ./run.sh)
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
export PATH="$PWD/end2end/node_modules/.bin:$PATH"   # binaryen's wasm-opt for the release bundle
printf '\033[1;34m==>\033[0m %s\n' "Building the console (cargo leptos build --release --split --precompress)" >&2
# --split: each page but the overview is its own wasm chunk; --precompress: .br and .gz beside
# every file of the bundle, served as the browser accepts.
cargo leptos build --release --split --precompress
export LEPTOS_OUTPUT_NAME=camunda-backup-console LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD
exec target/release/camunda-backup-console "$@"
