//! Source text: reading files, the byte ↔ line/column index, and the cheap prefilter.
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};

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

/// Text that stands in for files on disk while it is set: `--fix` and `--diff` check
/// their edits by scanning again before anything is written. Keyed by canonical path.
static OVERLAY: RwLock<Option<Overlay>> = RwLock::new(None);

/// The texts by canonical path, and the file names among them (a read of a file whose
/// name none has needs no canonical path of its own: most reads, in a large workspace).
struct Overlay {
    texts: HashMap<PathBuf, String>,
    names: std::collections::HashSet<std::ffi::OsString>,
}

/// Runs `work` with `files` (path → text) read in place of the files on disk.
pub fn with_overlay<R>(files: &HashMap<PathBuf, String>, work: impl FnOnce() -> R) -> R {
    let texts: HashMap<PathBuf, String> = (files.iter())
        .map(|(path, text)| (overlay_key(path), text.clone()))
        .collect();
    let names = (texts.keys().chain(files.keys()))
        .filter_map(|path| path.file_name().map(|n| n.to_os_string()))
        .collect();
    *OVERLAY.write().unwrap_or_else(|e| e.into_inner()) = Some(Overlay { texts, names });
    // Lifted however `work` ends, a panic included (the language server goes on).
    let _lift = OnDrop(|| *OVERLAY.write().unwrap_or_else(|e| e.into_inner()) = None);
    work()
}

/// Runs its closure when dropped.
struct OnDrop<F: FnMut()>(F);

impl<F: FnMut()> Drop for OnDrop<F> {
    fn drop(&mut self) {
        (self.0)()
    }
}

fn overlay_key(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// While set, every file read is noted with a hash of what it held (`None`: it could
/// not be read), so that a run's result is reused only while all of them are unchanged.
static READ_LOG: Mutex<Option<HashMap<PathBuf, Option<u64>>>> = Mutex::new(None);

/// Runs `work`, returning with its result every file it read and a hash of each.
pub fn logging_reads<R>(work: impl FnOnce() -> R) -> (R, HashMap<PathBuf, Option<u64>>) {
    *READ_LOG.lock().unwrap_or_else(|e| e.into_inner()) = Some(HashMap::new());
    let _stop = OnDrop(|| drop(READ_LOG.lock().unwrap_or_else(|e| e.into_inner()).take()));
    let result = work();
    let log = READ_LOG.lock().unwrap_or_else(|e| e.into_inner()).take();
    (result, log.unwrap_or_default())
}

/// The hash a read is logged with.
pub fn text_hash(text: &str) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    std::hash::Hash::hash(text, &mut hasher);
    std::hash::Hasher::finish(&hasher)
}

/// Reads a file as UTF-8 text (or the text standing in for it).
pub fn read_text(path: &Path) -> Result<String, LoadError> {
    let text = read_uncounted(path);
    let logging = READ_LOG.lock().is_ok_and(|log| log.is_some());
    if logging {
        let hash = text.as_ref().ok().map(|t| text_hash(t));
        if let Some(log) = READ_LOG.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
            log.insert(path.to_path_buf(), hash);
        }
    }
    text
}

fn read_uncounted(path: &Path) -> Result<String, LoadError> {
    let overlay = OVERLAY.read().unwrap_or_else(|e| e.into_inner());
    if let Some(overlay) = overlay.as_ref() {
        let named = path.file_name().is_some_and(|n| overlay.names.contains(n));
        if let Some(text) = named
            .then(|| overlay.texts.get(&overlay_key(path)))
            .flatten()
        {
            return Ok(text.clone());
        }
    }
    drop(overlay);
    decode(std::fs::read(path).map_err(LoadError::Io)?)
}

/// Replaces `path`'s content with what `write` writes, atomically: into a temporary
/// file beside it (synced, with the old file's permissions), then renamed over it, so
/// a reader or a concurrent run never sees half a file. The temporary file goes on
/// failure.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temp = dir.join(format!(".{name}.unblock-{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        write(&mut file)?;
        file.sync_all()?;
        if let Ok(metadata) = std::fs::metadata(path) {
            std::fs::set_permissions(&temp, metadata.permissions())?;
        }
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// A file's bytes as UTF-8 text.
pub fn decode(bytes: Vec<u8>) -> Result<String, LoadError> {
    String::from_utf8(bytes).map_err(|err| LoadError::NotUtf8 {
        valid_up_to: err.utf8_error().valid_up_to(),
    })
}

/// Where each line of `text` starts, by byte offset.
pub fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
        .collect()
}

/// Whether a file can contain executor context at all. Every executor context starts
/// at the keyword `async` followed by `fn`, `unsafe`, `move`, `{` or `|` (async fns,
/// blocks and closures), and a byte search is far cheaper than a parse: most files that
/// mention "async" do so in prose (`async-std`, "an async runtime"). A sync `main` that
/// drives a future with `block_on(run(args))` starts executor code too. A line that
/// starts with `//` is a comment (a doc example, most often), never code, wherever it
/// is: what it says does not count.
pub fn may_contain_async(text: &str) -> bool {
    let bytes = text.as_bytes();
    let in_code = |at: usize| {
        let line_start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
        let before = &bytes[line_start..at];
        let indent = before
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        // A `//` line inside a string or block comment may end it and go on with code.
        let ends_something =
            memchr::memchr(b'"', before).is_some() || memchr::memmem::find(before, b"*/").is_some();
        !before[indent..].starts_with(b"//") || ends_something
    };
    if memchr::memmem::find_iter(bytes, b"block_on").any(in_code) {
        return true;
    }
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
    memchr::memmem::find_iter(bytes, b"async").any(|at| {
        if !in_code(at) {
            return false;
        }
        // A byte-order mark right before is the start of the file, not an identifier.
        let after_bom = at == 3 && text.starts_with('\u{feff}');
        let whole_word = (at == 0 || after_bom || !is_ident(bytes[at - 1]))
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

/// The text handed to `syn`: byte-for-byte aligned with the file, with a BOM and a
/// shebang line blanked out (syn would strip them and shift every offset), and line doc
/// comments (`///`, `//!`) made plain comments by blanking their third character. syn
/// turns each doc line into a `#[doc = ".."]` attribute, escaping and unescaping its
/// text, which on a well-documented crate is a good part of the parse; no analysis
/// reads them except the `unblock:` lines, which stay doc comments.
pub fn parse_text(text: &str) -> std::borrow::Cow<'_, str> {
    let bom = text.starts_with('\u{feff}');
    let body = if bom { &text[3..] } else { text };
    let shebang_len = if body.starts_with("#!") && !body[2..].trim_start().starts_with('[') {
        body.find('\n').unwrap_or(body.len())
    } else {
        0
    };
    let docs = doc_comment_marks(text);
    if !bom && shebang_len == 0 && docs.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    let offset = if bom { 3 } else { 0 };
    let mut out = String::with_capacity(text.len());
    out.push_str(&" ".repeat(offset + shebang_len));
    out.push_str(&text[offset + shebang_len..]);
    let mut bytes = out.into_bytes();
    for at in docs {
        bytes[at] = b' ';
    }
    // Only ASCII bytes (`/` or `!`) were replaced by a space: still UTF-8.
    std::borrow::Cow::Owned(String::from_utf8(bytes).unwrap_or_else(|_| text.to_string()))
}

/// The offsets of the third character of each line doc comment (`///` not followed by
/// another `/`, or `//!`) that starts a line and does not say `unblock:`.
fn doc_comment_marks(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut marks = Vec::new();
    let mut line_start = 0;
    while line_start < bytes.len() {
        let line_end =
            memchr::memchr(b'\n', &bytes[line_start..]).map_or(bytes.len(), |i| line_start + i);
        let line = &bytes[line_start..line_end];
        let indent = line
            .iter()
            .take_while(|b| **b == b' ' || **b == b'\t')
            .count();
        let rest = &line[indent..];
        // `///*` inside a block comment opens a nested one: its third `/` stays.
        let doc =
            (rest.starts_with(b"///") && !rest.starts_with(b"////") && !rest.starts_with(b"///*"))
                || rest.starts_with(b"//!");
        if doc && memchr::memmem::find(rest, b"unblock:").is_none() {
            marks.push(line_start + indent + 2);
        }
        line_start = line_end + 1;
    }
    marks
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
        let line_starts = line_starts(&text);
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
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        text.trim_end_matches('\n').trim_end_matches('\r')
    }

    /// Line and column of a byte offset.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let mut start = self.line_starts[line];
        // A byte-order mark is not part of the first line, for rustc and editors alike.
        if start == 0 && self.text.starts_with('\u{feff}') && offset >= 3 {
            start = 3;
        }
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
    fn an_atomic_write_replaces_the_content_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.rs");
        std::fs::write(&path, "old").unwrap();
        write_atomically(&path, |out| out.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

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
            "fn main() { rt.block_on(run()) } // runs it",
            "/* a block comment counts */ async fn f() {}",
        ] {
            assert!(may_contain_async(code), "{code}");
        }
        for prose in [
            "// uses async-std",
            "/// an async runtime",
            "/// ```\n/// async fn example() {}\n/// ```\nfn f() {}",
            "    //! rt.block_on(async { run().await })\nfn g() {}",
            "let asyncfn = 1;",
            "fn my_async() {}",
            "async",
        ] {
            assert!(!may_contain_async(prose), "{prose}");
        }
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

    #[test]
    fn doc_comments_are_handed_to_syn_as_plain_comments() {
        let text = "//! Crate docs.\n/// Reads it.\n    ///indented\n//// a rule\n\
                    /// unblock: blocking\nfn f() { let s = \"/// not a doc\"; }\n";
        let parsed = parse_text(text);
        assert_eq!(parsed.len(), text.len());
        assert_eq!(
            parsed,
            "//  Crate docs.\n//  Reads it.\n    // indented\n//// a rule\n\
             /// unblock: blocking\nfn f() { let s = \"/// not a doc\"; }\n"
        );
        let file = syn::parse_file(&parsed).unwrap();
        let syn::Item::Fn(f) = &file.items[0] else {
            panic!("a fn");
        };
        // Only the `unblock:` line is still an attribute.
        assert_eq!(f.attrs.len(), 1);
        assert!(file.attrs.is_empty());
        // Items start where their own tokens do, as before: the offsets are the file's.
        assert_eq!(
            f.sig.ident.span().byte_range().start,
            text.find("f()").unwrap()
        );
        assert!(matches!(
            parse_text("fn f() {}\n"),
            std::borrow::Cow::Borrowed(_)
        ));
        // A nested block comment opened by `///*` stays opened.
        let nested = "/*\n///* nested\n*/\n*/\nfn main() {}\n";
        assert_eq!(parse_text(nested), nested);
        assert!(syn::parse_file(&parse_text(nested)).is_ok());
    }
}
