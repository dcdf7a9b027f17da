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

/// Whether a file can contain executor context at all: every executor context
/// starts at an `async` keyword, and a byte search is far cheaper than a parse.
pub fn may_contain_async(text: &str) -> bool {
    memchr::memmem::find(text.as_bytes(), b"async").is_some()
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

    pub fn line_starts(&self) -> &[usize] {
        &self.line_starts
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
