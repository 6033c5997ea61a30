//! The dependencies of `src/` run one way (ARCHITECTURE.md, "Layers"): every `crate::…` a
//! module names is on its own floor or one below, and the server functions (`api`) and the
//! JSON API (`rest`) never name each other. An import that breaks this fails the test, naming
//! the file, the line and both floors.

use std::path::{Path, PathBuf};

/// The floor of a top-level module, bottom (0) to top.
fn floor(module: &str) -> Option<u8> {
    Some(match module {
        "domain" => 0,
        "camunda" | "store" | "config" | "profile" | "stylesheet" | "clock" => 1,
        "engine" | "restore" | "history" | "audit" | "auth" | "overview" | "scheduler"
        | "retention" | "alerts" | "replica" => 2,
        "state" | "metrics" => 3,
        "actions" => 4,
        "wire" | "web" => 5,
        "api" | "rest" => 6,
        "app" | "ui" | "router" | "startup" | "lib" | "main" => 7,
        _ => return None,
    })
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file under `src/` belongs to (`history` for
/// `src/history/delete.rs`, `audit` for `src/audit.rs`).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).expect("under src");
    let first = rel.components().next().expect("a component");
    first
        .as_os_str()
        .to_string_lossy()
        .trim_end_matches(".rs")
        .to_owned()
}

#[test]
fn no_module_imports_one_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 50, "only {} files found", files.len());
    let mut upward = Vec::new();
    for file in &files {
        let module = module_of(&src, file);
        let Some(own) = floor(&module) else {
            upward.push(format!(
                "{}: module `{module}` has no floor in this test",
                file.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).expect("readable");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for (at, _) in code.match_indices("crate::") {
                let name: String = code[at + "crate::".len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                let Some(theirs) = floor(&name) else {
                    upward.push(format!(
                        "{}:{}: `crate::{name}` has no floor in this test",
                        file.display(),
                        n + 1
                    ));
                    continue;
                };
                // The server functions and the JSON API share the wire error and never each other.
                let siblings = matches!(
                    (module.as_str(), name.as_str()),
                    ("api", "rest") | ("rest", "api")
                );
                if siblings {
                    upward.push(format!(
                        "{}:{}: `{module}` imports `crate::{name}`: the server functions and the JSON API meet in `crate::wire`",
                        file.display(),
                        n + 1
                    ));
                }
                if theirs > own {
                    upward.push(format!(
                        "{}:{}: `{module}` (floor {own}) imports `crate::{name}` (floor {theirs})",
                        file.display(),
                        n + 1
                    ));
                }
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports that run upward:\n{}",
        upward.join("\n")
    );
}
