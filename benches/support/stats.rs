//! What the benchmark binaries share: `median (min–max)` of a series.

/// `median (min–max)` of `v`, each with `decimals` digits (`n/a` when empty).
pub fn spread(mut v: Vec<f64>, decimals: usize) -> String {
    if v.is_empty() {
        return "n/a".into();
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    format!(
        "{median:.decimals$} ({:.decimals$}–{:.decimals$})",
        v[0],
        v[n - 1]
    )
}
