//! Rendering of Elasticsearch `_cat` tables: `h` column selection, `v` header line,
//! `format=json` (every cell a string, absent cells `null`) or aligned plain text.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::{json_resp, raw, Req};

/// Columns to show: the `h` parameter, else `defaults`.
pub(crate) fn columns(r: &Req, defaults: &[&str]) -> Vec<String> {
    match r.q("h") {
        Some(h) if !h.is_empty() => h.split(',').map(|c| c.trim().to_string()).collect(),
        _ => defaults.iter().map(|s| s.to_string()).collect(),
    }
}

/// Renders `rows` (one cell per column, `None` = no value) as JSON or text.
pub(crate) fn render(r: &Req, columns: &[String], rows: &[Vec<Option<String>>]) -> Response {
    if r.q("format") == Some("json") {
        let arr: Vec<Value> = rows
            .iter()
            .map(|row| {
                let obj: Map<String, Value> = columns
                    .iter()
                    .zip(row)
                    .map(|(c, v)| (c.clone(), json!(v)))
                    .collect();
                Value::Object(obj)
            })
            .collect();
        return json_resp(StatusCode::OK, &Value::Array(arr));
    }
    let mut table: Vec<Vec<String>> = Vec::new();
    if r.flag("v") {
        table.push(columns.to_vec());
    }
    table.extend(
        rows.iter()
            .map(|row| row.iter().map(|v| v.clone().unwrap_or_default()).collect()),
    );
    let widths: Vec<usize> = (0..columns.len())
        .map(|c| {
            table
                .iter()
                .map(|row| row.get(c).map_or(0, String::len))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut text = String::new();
    for row in &table {
        let line: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{v:<w$}", w = widths[i]))
            .collect();
        text.push_str(line.join(" ").trim_end());
        text.push('\n');
    }
    raw(StatusCode::OK, "text/plain; charset=UTF-8", text)
}

/// ES `TimeValue` text: `52ms`, `1.2s`, `3m`.
pub(crate) fn time_value(ms: u64) -> String {
    let one_decimal = |v: f64, unit: &str| {
        let s = format!("{v:.1}");
        format!("{}{unit}", s.strip_suffix(".0").unwrap_or(&s))
    };
    match ms {
        0..=999 => format!("{ms}ms"),
        1000..=59_999 => one_decimal(ms as f64 / 1000.0, "s"),
        60_000..=3_599_999 => one_decimal(ms as f64 / 60_000.0, "m"),
        _ => one_decimal(ms as f64 / 3_600_000.0, "h"),
    }
}

/// ES `ByteSizeValue` text: `512b`, `10.2kb`, `1.5mb`.
pub(crate) fn byte_size(bytes: u64) -> String {
    let one_decimal = |v: f64, unit: &str| {
        let s = format!("{v:.1}");
        format!("{}{unit}", s.strip_suffix(".0").unwrap_or(&s))
    };
    const KB: u64 = 1024;
    match bytes {
        0..=1023 => format!("{bytes}b"),
        1024..=1_048_575 => one_decimal(bytes as f64 / KB as f64, "kb"),
        1_048_576..=1_073_741_823 => one_decimal(bytes as f64 / (KB * KB) as f64, "mb"),
        _ => one_decimal(bytes as f64 / (KB * KB * KB) as f64, "gb"),
    }
}

/// Percent text with one decimal, as ES prints recovery progress: `42.5%`.
pub(crate) fn percent(p: f64) -> String {
    format!("{p:.1}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_formatted_like_elasticsearch() {
        assert_eq!(time_value(52), "52ms");
        assert_eq!(time_value(1000), "1s");
        assert_eq!(time_value(1200), "1.2s");
        assert_eq!(byte_size(512), "512b");
        assert_eq!(byte_size(20480), "20kb");
        assert_eq!(byte_size(20890), "20.4kb");
        assert_eq!(percent(100.0), "100.0%");
    }
}
