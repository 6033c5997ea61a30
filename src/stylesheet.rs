//! The site's stylesheet URL, named as cargo-leptos named it: read by the HTML shell
//! (`crate::app`) and the sign-in pages (`crate::rest`), below both.

use leptos::prelude::LeptosOptions;
use std::sync::OnceLock;

/// The stylesheet's URL: with `hash-files`, the name cargo-leptos gave it (from the hash file
/// next to the binary, as Leptos reads it for the scripts); read once.
pub fn href(options: &LeptosOptions) -> String {
    static HREF: OnceLock<String> = OnceLock::new();
    HREF.get_or_init(|| {
        let mut name = options.output_name.to_string();
        if options.hash_files {
            let hash_file = std::env::current_exe()
                .ok()
                .and_then(|p| p.parent().map(|d| d.join(options.hash_file.as_ref())));
            let hashes = hash_file.and_then(|p| std::fs::read_to_string(p).ok());
            match hashes.as_deref().and_then(css_hash) {
                Some(hash) => name.push_str(&format!(".{hash}")),
                None => tracing::error!(
                    "file hashing is on (LEPTOS_HASH_FILES) but the hash file next to the binary names no stylesheet"
                ),
            }
        }
        format!("/{}/{name}.css", options.site_pkg_dir)
    })
    .clone()
}

/// The `css:` line of cargo-leptos' hash file.
fn css_hash(hashes: &str) -> Option<String> {
    hashes.lines().find_map(|line| {
        let (file, hash) = line.trim().split_once(':')?;
        (file == "css").then(|| hash.trim().to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stylesheet_hash_is_read_from_the_css_line() {
        assert_eq!(
            css_hash("js: aaa\nwasm: bbb\ncss: CcC-_9\n").as_deref(),
            Some("CcC-_9")
        );
        assert_eq!(css_hash("js: aaa\n"), None);
    }
}
