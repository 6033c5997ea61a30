//! What changed between two JSON values, and applying it: how a journal event carries only
//! its change, so that a restore of a thousand indices does not store (and stream) its whole
//! plan with every event. In the spirit of JSON Merge Patch (RFC 7396), exact both ways:
//! - an object patches an object key by key: a value replaces or patches the key's (`null`
//!   sets `null`), and `"$unset": [keys]` removes keys;
//! - `{"$array": {"len": n, "set": {"i": patch}, "push": [values]}}` patches an array: truncate
//!   to `len`, patch the items at the given indices, append (the RFC can only replace arrays);
//! - anything else replaces the value.
//!
//! The views it patches have camel-case keys and never a JSON object where an array is
//! expected, so the `$` markers cannot be mistaken for data.

use serde_json::{Map, Value};

const ARRAY: &str = "$array";
const UNSET: &str = "$unset";

/// The patch that turns `old` into `new`; `None` when they are equal.
pub fn diff(old: &Value, new: &Value) -> Option<Value> {
    if old == new {
        return None;
    }
    Some(match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let mut out = Map::new();
            for (key, value) in b {
                match a.get(key) {
                    Some(before) => {
                        if let Some(p) = diff(before, value) {
                            out.insert(key.clone(), p);
                        }
                    }
                    None => {
                        out.insert(key.clone(), value.clone());
                    }
                }
            }
            let gone: Vec<Value> = a
                .keys()
                .filter(|k| !b.contains_key(*k))
                .map(|k| Value::from(k.as_str()))
                .collect();
            if !gone.is_empty() {
                out.insert(UNSET.into(), Value::Array(gone));
            }
            Value::Object(out)
        }
        (Value::Array(a), Value::Array(b)) => {
            let mut set = Map::new();
            for (i, (before, after)) in a.iter().zip(b).enumerate() {
                if let Some(p) = diff(before, after) {
                    set.insert(i.to_string(), p);
                }
            }
            let push: Vec<Value> = b.iter().skip(a.len()).cloned().collect();
            let mut spec = Map::new();
            spec.insert("len".into(), Value::from(a.len().min(b.len())));
            if !set.is_empty() {
                spec.insert("set".into(), Value::Object(set));
            }
            if !push.is_empty() {
                spec.insert("push".into(), Value::Array(push));
            }
            let patch = Value::Object(Map::from_iter([(ARRAY.to_owned(), Value::Object(spec))]));
            // A patch longer than the array itself is no gain: replace it.
            if patch.to_string().len() < new.to_string().len() {
                patch
            } else {
                new.clone()
            }
        }
        _ => new.clone(),
    })
}

/// Applies `patch` (from [`diff`]) to `target`.
pub fn apply(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Array(items), Value::Object(p)) if p.contains_key(ARRAY) => {
            let Some(spec) = p.get(ARRAY).and_then(Value::as_object) else {
                return;
            };
            if let Some(len) = spec.get("len").and_then(Value::as_u64) {
                items.truncate(usize::try_from(len).unwrap_or(usize::MAX));
            }
            if let Some(set) = spec.get("set").and_then(Value::as_object) {
                for (i, item) in set {
                    if let Some(slot) = i.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                        apply(slot, item);
                    }
                }
            }
            if let Some(push) = spec.get("push").and_then(Value::as_array) {
                items.extend(push.iter().cloned());
            }
        }
        (Value::Object(object), Value::Object(p)) => {
            for (key, value) in p {
                if key == UNSET {
                    for gone in value.as_array().into_iter().flatten() {
                        if let Some(k) = gone.as_str() {
                            object.remove(k);
                        }
                    }
                } else if let Some(slot) = object.get_mut(key) {
                    apply(slot, value);
                } else {
                    object.insert(key.clone(), value.clone());
                }
            }
        }
        (target, patch) => *target = patch.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round_trip(a: Value, b: Value) -> Option<Value> {
        let p = diff(&a, &b);
        let mut t = a;
        if let Some(p) = &p {
            apply(&mut t, p);
        }
        assert_eq!(t, b);
        p
    }

    #[test]
    fn an_appended_item_is_carried_alone() {
        let names: Vec<String> = (0..1000)
            .map(|i| format!("operate-index-{i:04}-8.3.0_"))
            .collect();
        let mut more = names.clone();
        more.push("operate-index-1000-8.3.0_".into());
        let p = round_trip(
            json!({"progress": {"deleted": names}, "state": "running"}),
            json!({"progress": {"deleted": more}, "state": "running"}),
        )
        .expect("a change");
        assert!(p.to_string().len() < 100, "{p}");
    }

    #[test]
    fn changed_items_keys_removals_and_nulls_round_trip() {
        round_trip(
            json!({"steps": [{"key": "a", "state": "pending", "detail": null}, {"key": "b", "state": "pending"}], "error": "x", "gone": 1}),
            json!({"steps": [{"key": "a", "state": "running", "detail": "3 of 9"}, {"key": "b", "state": "pending"}], "error": null, "new": [1, 2]}),
        );
        round_trip(json!({"a": [1, 2, 3]}), json!({"a": [1]}));
        round_trip(json!({"a": [1, 2, 3]}), json!({"a": []}));
        round_trip(json!({"a": {"b": 1}}), json!({"a": null}));
        round_trip(json!({"a": null}), json!({"a": {"b": 1}}));
        round_trip(json!([1, {"x": 1}]), json!([2, {"x": 2}, 3]));
        assert!(diff(&json!({"a": 1}), &json!({"a": 1})).is_none());
    }

    /// Random views and random edits of them: applying the diff always gives the new view.
    #[test]
    fn any_edit_round_trips() {
        let mut seed = 0x2545_F491_4F6C_DD1D_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        fn value(next: &mut dyn FnMut() -> u64, depth: u32) -> Value {
            match next() % if depth > 3 { 4 } else { 6 } {
                0 => Value::Null,
                1 => Value::from(next() % 5),
                2 => Value::from(format!("s{}", next() % 3)),
                3 => Value::Bool(next().is_multiple_of(2)),
                4 => Value::Array((0..next() % 4).map(|_| value(next, depth + 1)).collect()),
                _ => Value::Object(
                    (0..next() % 4)
                        .map(|_| (format!("k{}", next() % 4), value(next, depth + 1)))
                        .collect(),
                ),
            }
        }
        fn edit(v: &Value, next: &mut dyn FnMut() -> u64) -> Value {
            match v {
                Value::Object(m) => {
                    let mut m = m.clone();
                    for _ in 0..next() % 3 {
                        let key = format!("k{}", next() % 4);
                        match next() % 3 {
                            0 => {
                                m.remove(&key);
                            }
                            1 => {
                                m.insert(key, value(next, 2));
                            }
                            _ => {
                                if let Some(x) = m.get(&key).cloned() {
                                    m.insert(key, edit(&x, next));
                                }
                            }
                        }
                    }
                    Value::Object(m)
                }
                Value::Array(a) => {
                    let mut a = a.clone();
                    match next() % 3 {
                        0 => a.push(value(next, 2)),
                        1 => {
                            a.truncate(a.len() / 2);
                        }
                        _ => {
                            if !a.is_empty() {
                                let i = usize::try_from(next()).unwrap_or(0) % a.len();
                                a[i] = edit(&a[i], next);
                            }
                        }
                    }
                    Value::Array(a)
                }
                _ => value(next, 2),
            }
        }
        for _ in 0..2000 {
            let a = value(&mut next, 0);
            let b = edit(&a, &mut next);
            round_trip(a, b);
        }
    }
}
