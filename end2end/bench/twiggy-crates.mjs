// What weighs what in the browser bundle before it is split: `twiggy top --format csv` of the
// wasm with its names (stdin), shallow bytes summed per crate (the first path segment of each
// item; a generic instantiated for our types counts for the crate that defines the generic).
//   twiggy top -n 1000000 --format csv app.wasm | node end2end/bench/twiggy-crates.mjs
let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", () => {
  const totals = new Map();
  let all = 0;
  for (const line of input.split("\n").slice(1)) {
    // Name,ShallowSize,ShallowSizePercent,RetainedSize,RetainedSizePercent (names may hold commas)
    const m = line.match(/^(.*),(\d+),[\d.e-]+,\d*,[\d.e-]*\r?$/);
    if (!m) continue;
    let [, name, size] = m;
    name = name.replace(/^"|"$/g, "").replace(/""/g, '"');
    // Names and custom sections are stripped from what is served; exports and imports are
    // mostly wasm-bindgen's descriptors, which it removes.
    if (/function names|custom section|^(export|import) /.test(name)) continue;
    const bytes = Number(size);
    const bare = name.replace(/^[<&(\s]+|mut |dyn /g, "");
    const generic = /^(T|F|A|I|Fut) as /.test(bare);
    const crate = name.startsWith("data segment")
      ? "data (strings, tables)"
      : generic
      ? `${bare.match(/ as ([A-Za-z_0-9]+)/)?.[1] ?? "?"} (generic)`
      : (bare.match(/^([A-Za-z_][A-Za-z0-9_]*)/)?.[1] ?? "other");
    totals.set(crate, (totals.get(crate) ?? 0) + bytes);
    all += bytes;
  }
  const top = [...totals].sort((a, b) => b[1] - a[1]).slice(0, 15);
  const lines = ["| crate | KB | share |", "|---|---|---|"];
  for (const [crate, bytes] of top)
    lines.push(`| ${crate} | ${(bytes / 1024).toFixed(1)} | ${((100 * bytes) / all).toFixed(1)} % |`);
  lines.push(`| all code and data | ${(all / 1024).toFixed(1)} | 100 % |`);
  process.stdout.write(lines.join("\n") + "\n");
});
