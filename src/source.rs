//! Source text: reading files, the byte ↔ line/column index, and the cheap prefilter.
use std::path::{Path, PathBuf};

/// Why a file's text could not be had.
#[derive(Debug)]
pub enum LoadError {
    Io(std::io::Error),
    NotUtf8 { valid_up_to: usize },
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Io(err) => write!(f, "could not read the file: {err}"),
            LoadError::NotUtf8 { valid_up_to } => {
                write!(
                    f,
                    "the file is not valid UTF-8 (first bad byte at offset {valid_up_to})"
                )
            }
        }
    }
}

/// Reads a file as UTF-8 text.
pub fn read_text(path: &Path) -> Result<String, LoadError> {
    let bytes = std::fs::read(path).map_err(LoadError::Io)?;
    String::from_utf8(bytes).map_err(|err| LoadError::NotUtf8 {
        valid_up_to: err.utf8_error().valid_up_to(),
    })
}

/// Whether a file can contain executor context at all. Every executor context starts
/// at the keyword `async` followed by `fn`, `unsafe`, `move`, `{` or `|` (async fns,
/// blocks and closures), and a byte search is far cheaper than a parse: most files that
/// mention "async" do so in prose (`async-std`, "an async runtime").
pub fn may_contain_async(text: &str) -> bool {
    let bytes = text.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
    memchr::memmem::find_iter(bytes, b"async").any(|at| {
        let whole_word = (at == 0 || !is_ident(bytes[at - 1]))
            && bytes.get(at + 5).is_none_or(|&b| !is_ident(b));
        if !whole_word {
            return false;
        }
        let rest = &bytes[at + 5..];
        let rest = &rest[rest.iter().take_while(|b| b.is_ascii_whitespace()).count()..];
        let keyword = |word: &[u8]| {
            rest.starts_with(word) && rest.get(word.len()).is_none_or(|&b| !is_ident(b))
        };
        rest.first().is_some_and(|&b| b == b'{' || b == b'|')
            || keyword(b"fn")
            || keyword(b"move")
            || keyword(b"unsafe")
    })
}

/// How deep brackets nest in `text`, counted on raw bytes (brackets in strings and
/// comments included, so it can only overestimate).
pub fn max_nesting(text: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for byte in text.bytes() {
        match byte {
            b'(' | b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// The text handed to `syn`: byte-for-byte aligned with the file, with a BOM and a
/// shebang line blanked out (syn would strip them and shift every offset).
pub fn parse_text(text: &str) -> std::borrow::Cow<'_, str> {
    let bom = text.starts_with('\u{feff}');
    let body = if bom { &text[3..] } else { text };
    let shebang_len = if body.starts_with("#!") && !body[2..].trim_start().starts_with('[') {
        body.find('\n').unwrap_or(body.len())
    } else {
        0
    };
    if !bom && shebang_len == 0 {
        return std::borrow::Cow::Borrowed(text);
    }
    let offset = if bom { 3 } else { 0 };
    let mut out = String::with_capacity(text.len());
    out.push_str(&" ".repeat(offset + shebang_len));
    out.push_str(&text[offset + shebang_len..]);
    std::borrow::Cow::Owned(out)
}

/// A file the scan looked at, with its line index.
#[derive(Debug)]
pub struct SourceFile {
    /// Path as the file system knows it.
    pub path: PathBuf,
    /// Path as diagnostics show it (relative to the working directory when possible).
    pub display: String,
    pub text: String,
    line_starts: Vec<usize>,
}

/// A 1-based line and a 1-based column counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl SourceFile {
    pub fn new(path: PathBuf, display: String, text: String) -> SourceFile {
        let line_starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .collect();
        SourceFile {
            path,
            display,
            text,
            line_starts,
        }
    }

    /// The text of 1-based line `line`, without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        let text = self.text.get(start..end).unwrap_or_default();
        text.trim_end_matches('\n').trim_end_matches('\r')
    }

    /// Line and column of a byte offset.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let start = self.line_starts[line];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        LineCol {
            line: line + 1,
            column: column + 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_chars_and_survive_crlf() {
        let file = SourceFile::new("a.rs".into(), "a.rs".into(), "ab\r\né x\n".into());
        assert_eq!(file.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(file.line_col(4), LineCol { line: 2, column: 1 });
        // `x` is byte 7 (é is two bytes) and the third character of line 2.
        assert_eq!(file.line_col(7), LineCol { line: 2, column: 3 });
    }

    #[test]
    fn prefilter_keeps_every_executor_context() {
        for code in [
            "async fn f() {}",
            "pub(crate) async unsafe fn f() {}",
            "let x = async move { 1 };",
            "let x = async{1};",
            "let f = async |x| x;",
            "let f = async move |x| x;",
            "fn f() { async\n    {} }",
        ] {
            assert!(may_contain_async(code), "{code}");
        }
        for prose in [
            "// uses async-std",
            "/// an async runtime",
            "let asyncfn = 1;",
            "fn my_async() {}",
            "async",
        ] {
            assert!(!may_contain_async(prose), "{prose}");
        }
    }

    #[test]
    fn nesting_depth() {
        assert_eq!(max_nesting("fn f() { g((1)) }"), 3);
        assert_eq!(max_nesting(")))"), 0);
    }

    #[test]
    fn parse_text_keeps_offsets() {
        let text = "\u{feff}#!/usr/bin/env run\nfn main() {}\n";
        let parsed = parse_text(text);
        assert_eq!(parsed.len(), text.len());
        assert_eq!(parsed.find("fn main"), text.find("fn main"));
        assert!(syn::parse_file(&parsed).is_ok());
        // An inner attribute is not a shebang.
        assert_eq!(parse_text("#![allow(x)]\n"), "#![allow(x)]\n");
    }
}
