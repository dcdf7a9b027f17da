//! `--diff`: the fixes as a unified diff, as `git diff` prints one (`a/` and `b/`
//! prefixes, three lines of context).
use similar::TextDiff;

use super::FixedFile;

/// The unified diff of one fixed file, with `display` as its path in the headers.
pub fn unified(file: &FixedFile) -> String {
    let diff = TextDiff::from_lines(&file.original, &file.fixed);
    let mut out = diff
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("a/{}", file.display),
            &format!("b/{}", file.display),
        )
        .to_string();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_line_with_context() {
        let file = FixedFile {
            display: "src/lib.rs".into(),
            original: "a\nb\nc\n".into(),
            fixed: "a\nB\nc\n".into(),
            fixes: 1,
        };
        assert_eq!(
            unified(&file),
            "--- a/src/lib.rs\n+++ b/src/lib.rs\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
        );
    }
}
