#!/usr/bin/env bash
# The benchmark suite (issue 11), one command: release builds, then every figure, with its
# median and spread over several runs, written to BENCHMARKS.md (machine, date, commit) and the
# chart to docs/benchmarks/pause-window.svg. It reports; nothing here fails on a target.
#   scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --bench
export PATH="$PWD/end2end/node_modules/.bin:$PATH"   # binaryen's wasm-opt for the release bundle
step() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
mkdir -p target/bench docs/benchmarks

step "release build of the console (cargo leptos build --release --split --precompress)"
cargo leptos build --release --split --precompress

step "pause window, critical path, load and the curl baseline (benches/suite.rs)"
cargo bench --bench suite --features ssr

step "1 000 watchers of one run (benches/watchers.rs)"
cargo bench --bench watchers --features ssr

step "a restore of a set of 1 000 indices (benches/restore_scale.rs)"
cargo bench --bench restore_scale --features ssr

step "schedules, retention and alerts (benches/automation.rs)"
cargo bench --bench automation --features ssr

step "failover: the leader killed inside the pause window (benches/failover.rs, PostgreSQL from scripts/postgres.sh)"
pg_dir=$(mktemp -d /tmp/console-pg.XXXXXX)
trap 'scripts/postgres.sh stop "$pg_dir"; rm -rf "$pg_dir"' EXIT
scripts/postgres.sh start "$pg_dir"
(
  # shellcheck disable=SC1091
  . "$pg_dir/env"
  export TEST_REQUIRE_POSTGRES=1
  cargo bench --bench failover --features ssr
)

step "a long history (benches/history_scale.rs), 3 runs"
for run in 1 2 3; do
  cargo bench --bench history_scale --features ssr | tee "target/bench/history-$run.txt"
done
# Each run prints `label  p50 X ms  p99 Y ms (n = 30)`; the table has, per label, the median
# (min–max) of the three runs' p50 and of their p99.
awk '
  function spread(list,   v, n, i, j, t) {
    n = split(list, v, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
    return sprintf("%s (%s–%s)", (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2, v[1], v[n])
  }
  FNR == 1 && NR == 1 { print $0 "; 3 runs of the bench, 30 rounds each."; print ""; print "| | p50 (ms) | p99 (ms) |"; print "|---|---|---|" }
  /:$/ { section = $0; sub(/:$/, "", section); sub(/ \(.*$/, "", section) }
  / p50 / {
    i = index($0, " p50 "); label = substr($0, 1, i - 1); sub(/ +$/, "", label); label = section ": " label
    split(substr($0, i), f, " +")
    if (!(label in p50)) order[++n] = label
    p50[label] = p50[label] " " f[3]; p99[label] = p99[label] " " f[6]
  }
  END { for (k = 1; k <= n; k++) printf "| %s | %s | %s |\n", order[k], spread(p50[order[k]]), spread(p99[order[k]]) }
' target/bench/history-1.txt target/bench/history-2.txt target/bench/history-3.txt > target/bench/history.md

step "the front end in Chromium: bytes and time to interactive per page (end2end/bench/front.mjs)"
front_dir=$(mktemp -d)
front_port=3299
token=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
cat >"$front_dir/console.toml" <<EOF
simulate = true
[[auth.api_tokens]]
name = "bench"
role = "admin"
token_sha256 = "$(printf %s "$token" | sha256sum | cut -d' ' -f1)"
EOF
LEPTOS_OUTPUT_NAME=camunda-backup-console LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD \
  CONSOLE_CONFIG="$front_dir/console.toml" CONSOLE_LISTEN="127.0.0.1:$front_port" \
  CONSOLE_DATABASE_URL="sqlite://$front_dir/console.db?mode=rwc" \
  CONSOLE_ADMIN_PASSWORD=bench-admin-password RUST_LOG=warn \
  target/release/camunda-backup-console >"$front_dir/log" 2>&1 &
front_pid=$!
until curl -sf "http://127.0.0.1:$front_port/api/v1/health" >/dev/null 2>&1; do
  kill -0 "$front_pid" 2>/dev/null || { cat "$front_dir/log" >&2; exit 1; }
  sleep 0.1
done
api() { curl -sf -H "Authorization: Bearer $token" -H 'content-type: application/json' "http://127.0.0.1:$front_port$1" "${@:2}"; }
field() { node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s)[process.argv[1]]))' "$1"; }
# A finished backup and a restore of it (left waiting at its first operator step), so that the
# set, run and restore pages show real data.
backup=$(api /api/v1/backups -X POST -d '{}' | field backupId)
until [[ $(api "/api/v1/backups/$backup" | field state) == completed ]]; do sleep 1; done
cluster=$(api /api/v1/cluster | field cluster_name)
restore=$(api /api/v1/restores -X POST -d "{\"backupId\": $backup, \"confirm\": \"$cluster\"}" | field restoreId)
FRONT_RUNS=3 node end2end/bench/front.mjs "http://127.0.0.1:$front_port" bench-admin-password "$backup" "$restore" \
  > target/bench/front.json
kill "$front_pid"; wait "$front_pid" 2>/dev/null || true
rm -rf "$front_dir"
node end2end/bench/front-table.mjs < target/bench/front.json > target/bench/front.md
twiggy top -n 1000000 --format csv target/front/wasm32-unknown-unknown/wasm-release/camunda_backup_console.wasm \
  | node end2end/bench/twiggy-crates.mjs > target/bench/crates.md

step "footprint"
pkg=target/site/pkg
# The bundle's files carry content hashes in their names (hash-files).
main_wasm=$(ls $pkg/camunda-backup-console.*.wasm)
main_js=$(ls $pkg/camunda-backup-console.*.js)
main_css=$(ls $pkg/camunda-backup-console.*.css)
bin=target/release/camunda-backup-console
size() { stat -c %s "$1"; }
gz() { gzip -9 -c "$1" | wc -c; }
kb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1024 }'; }
# `median (min–max)` of the numbers on stdin.
spread() { sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%s (%s–%s)", m, v[1], v[NR] }'; }

ready_ms=()
rss_kb=()
for run in 1 2 3; do
  dir=$(mktemp -d)
  port=$((3290 + run))
  start=$(date +%s%N)
  LEPTOS_OUTPUT_NAME=camunda-backup-console LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD \
    CONSOLE_LISTEN="127.0.0.1:$port" CONSOLE_DATABASE_URL="sqlite://$dir/console.db?mode=rwc" \
    CONSOLE_ADMIN_PASSWORD=bench-admin-password RUST_LOG=warn \
    "$bin" >"$dir/log" 2>&1 &
  pid=$!
  until curl -sf "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { cat "$dir/log" >&2; exit 1; }
    sleep 0.01
  done
  ready_ms+=($(( ($(date +%s%N) - start) / 1000000 )))
  sleep 10   # idle: the overview's prober and the history refresher keep running
  rss_kb+=("$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
done

commit=$(git rev-parse --short HEAD)
dirty=$(git diff --quiet HEAD -- src crates benches Cargo.toml Cargo.lock || echo " (with uncommitted changes)")
cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
mem=$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)

{
  echo "# Benchmarks"
  echo
  echo "Written by \`scripts/bench.sh\` (release builds) on $(date -u +%Y-%m-%d), commit \`$commit\`$dirty;"
  echo "machine: $(nproc) cores ($cpu), $mem, $(uname -sr). Figures are \`median (min–max)\`."
  echo "The suite reports; no test fails on these numbers. Targets are issue 11's."
  echo
  echo "## Exporting paused, the whole backup against its critical path, load on the cluster, and a curl script side by side"
  echo
  echo "Targets: window ≤ 100 ms above the parallel floor; wall time ÷ critical path ≤ 1.05."
  echo
  cat target/bench/suite.md
  echo
  echo "## Many watchers: 1 000 subscribers to one run (\`benches/watchers.rs\`)"
  echo
  cat target/bench/watchers.md
  echo
  echo "## A long history: 10 000 sets (\`benches/history_scale.rs\`)"
  echo
  echo "Target: the first page, a filtered page and the server-rendered page under 50 ms."
  echo
  cat target/bench/history.md
  echo
  echo "## Restoring a set of 1 000 indices (\`benches/restore_scale.rs\`)"
  echo
  cat target/bench/restore.md
  echo
  echo "## Schedules, retention and alerts (\`benches/automation.rs\`)"
  echo
  cat target/bench/automation.md
  echo
  echo "## Failover: the leader killed inside the pause window (\`benches/failover.rs\`)"
  echo
  cat target/bench/failover.md
  echo
  echo "Reading: the takeover is the lease running out. The leader renews every third of the lease and the"
  echo "written lease is one follower poll (1 s) short of \`leader_lease_secs\`, so a successor leads 9–14 s after a"
  echo "kill, depending on when the last renewal was. Exporting is resumed right after (recovery's first action);"
  echo "the run's end waits for the 20 s records snapshot Elasticsearch keeps taking after the leader died."
  echo
  echo "## The front end in Chromium (\`end2end/bench/front.mjs\`)"
  echo
  echo "Targets (issue 19): the overview, the page after sign-in, interactive after ≤ 350 KB of JS + wasm + CSS on"
  echo "the wire on a first visit; every other page adds ≤ 150 KB the first time it is opened. Bytes are"
  echo "Chromium's encoded (on the wire) sizes; interactive = the app has hydrated (\`data-hydrated\`),"
  echo "from navigation start, on this machine over loopback. Cold: empty cache; warm: the same page"
  echo "again; added after the overview: a cold overview, then this page. 3 runs."
  echo
  cat target/bench/front.md
  echo
  echo "What weighs what in the browser build before wasm-opt and splitting (twiggy, shallow bytes per crate;"
  echo "generics instantiated for the app's types count for the crate that defines them):"
  echo
  cat target/bench/crates.md
  echo
  echo "## Footprint"
  echo
  echo "| | raw | gzip -9 | brotli (served) |"
  echo "|---|---|---|---|"
  echo "| main wasm (\`$(basename "$main_wasm")\`: runtime, shell, overview) | $(kb "$(size "$main_wasm")") KB | $(kb "$(gz "$main_wasm")") KB | $(kb "$(size "$main_wasm.br")") KB |"
  for page in $pkg/split_*.wasm; do
    echo "| page chunk \`$(basename "$page" | sed 's/^split___\([a-z]*\)_route_view_.*/\1/')\` | $(kb "$(size "$page")") KB | $(kb "$(gz "$page")") KB | $(kb "$(size "$page.br")") KB |"
  done
  shared=0; shared_br=0
  for chunk in $pkg/chunk_*.wasm; do shared=$((shared + $(size "$chunk"))); shared_br=$((shared_br + $(size "$chunk.br"))); done
  echo "| $(ls $pkg/chunk_*.wasm | wc -l) chunks of code shared by pages | $(kb "$shared") KB | | $(kb "$shared_br") KB |"
  echo "| JS glue (\`$(basename "$main_js")\`) | $(kb "$(size "$main_js")") KB | $(kb "$(gz "$main_js")") KB | $(kb "$(size "$main_js.br")") KB |"
  echo "| CSS | $(kb "$(size "$main_css")") KB | $(kb "$(gz "$main_css")") KB | $(kb "$(size "$main_css.br")") KB |"
  echo "| server binary (\`$bin\`, not stripped) | $(kb "$(size $bin)") KB | |"
  echo
  echo "Start to ready (process launch → \`GET /api/v1/health\` answers 200), 3 starts: $(printf '%s\n' "${ready_ms[@]}" | spread) ms."
  echo "Idle RSS 10 s after ready: $(printf '%s\n' "${rss_kb[@]}" | spread) KB. Both include the embedded simulator, which runs in the console's process when no cluster is configured."
} > BENCHMARKS.md
step "wrote BENCHMARKS.md and docs/benchmarks/pause-window.svg"
