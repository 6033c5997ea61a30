// Turns front.mjs's JSON (stdin) into BENCHMARKS.md's table: per page, the median (min–max)
// over the runs of the bytes transferred for JS + wasm + CSS and of the time to interactive,
// cold and warm, and the bytes a page adds when opened after the overview.
//   node end2end/bench/front-table.mjs < target/bench/front.json
let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", () => {
  const results = JSON.parse(input);
  const pages = [...new Set(results.map((r) => r.page))];
  const pick = (page, kind, key) =>
    results.filter((r) => r.page === page && r.kind === kind).map((r) => r[key]);
  const spread = (values, scale = 1, digits = 0) => {
    if (values.length === 0) return "—";
    const v = [...values].sort((a, b) => a - b).map((x) => x / scale);
    const mid = v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    const f = (x) => x.toFixed(digits);
    return `${f(mid)} (${f(v[0])}–${f(v[v.length - 1])})`;
  };
  const kb = (values) => spread(values, 1024, 1);
  const lines = [
    "| page | cold: JS + wasm + CSS (KB) | cold: everything (KB) | cold: interactive (ms) | warm: transferred (KB) | warm: interactive (ms) | added after the overview: JS + wasm + CSS (KB) |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const page of pages) {
    lines.push(
      `| ${page} | ${kb(pick(page, "cold", "assets"))} | ${kb(pick(page, "cold", "all"))} | ${spread(pick(page, "cold", "interactiveMs"))} | ${kb(pick(page, "warm", "all"))} | ${spread(pick(page, "warm", "interactiveMs"))} | ${kb(pick(page, "after overview", "assets"))} |`,
    );
  }
  process.stdout.write(lines.join("\n") + "\n");
});
