//! The light lexer that the module-tree and item scanners share: enough of Rust's
//! tokens to skip comments, strings and char literals, at a fraction of a parse.

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Token<'t> {
    Ident(&'t str),
    Str(&'t str),
    Punct(u8),
}

/// Whether `word` occurs in `text` with no identifier character on either side.
pub(crate) fn has_word(text: &str, word: &[u8]) -> bool {
    word_at(text, word).next().is_some()
}

/// Where `word` occurs in `text` with no identifier character on either side.
pub(crate) fn word_at<'t>(text: &'t str, word: &'t [u8]) -> impl Iterator<Item = usize> + 't {
    let bytes = text.as_bytes();
    let is_ident = |b: &u8| is_ident_continue(*b);
    memchr::memmem::find_iter(bytes, word).filter(move |&at| {
        let before = at.checked_sub(1).map(|i| &bytes[i]);
        !before.is_some_and(is_ident) && !bytes.get(at + word.len()).is_some_and(is_ident)
    })
}

pub(crate) fn is_ident_start(b: u8) -> bool {
    b == b'_' || b.is_ascii_alphabetic() || b >= 0x80
}

pub(crate) fn is_ident_continue(b: u8) -> bool {
    b == b'_' || b.is_ascii_alphanumeric() || b >= 0x80
}

/// Identifiers, string contents and single punctuation bytes, each with the byte offset
/// it starts at; everything else (numbers, comments, char literals, lifetimes) is
/// skipped. Never fails: unterminated literals and comments run to the end of the text.
pub(crate) struct Lexer<'t> {
    text: &'t str,
    at: usize,
}

impl<'t> Lexer<'t> {
    pub(crate) fn new(text: &'t str) -> Lexer<'t> {
        Lexer { text, at: 0 }
    }
}

impl<'t> Iterator for Lexer<'t> {
    type Item = (usize, Token<'t>);

    fn next(&mut self) -> Option<(usize, Token<'t>)> {
        let (text, bytes) = (self.text, self.text.as_bytes());
        let mut i = self.at;
        let found = loop {
            let Some(&b) = bytes.get(i) else {
                break None;
            };
            let start = i;
            if b.is_ascii_whitespace() {
                i += 1;
            } else if b == b'/' && bytes.get(i + 1) == Some(&b'/') {
                i = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
            } else if b == b'/' && bytes.get(i + 1) == Some(&b'*') {
                i = skip_block_comment(bytes, i);
            } else if b == b'"' {
                let end = skip_string(bytes, i + 1);
                i = end;
                break Some((
                    start,
                    Token::Str(slice(text, start + 1, end.saturating_sub(1))),
                ));
            } else if b == b'\'' {
                i = skip_quote(bytes, i);
            } else if is_ident_start(b) {
                while i < bytes.len() && is_ident_continue(bytes[i]) {
                    i += 1;
                }
                let word = &text[start..i];
                let next = bytes.get(i).copied();
                match (word, next) {
                    ("r" | "br" | "cr", Some(b'"' | b'#')) => {
                        let hashes = bytes[i..].iter().take_while(|&&c| c == b'#').count();
                        if bytes.get(i + hashes) == Some(&b'"') {
                            let (content, end) = raw_string(text, i + hashes + 1, hashes);
                            i = end;
                            break Some((start, Token::Str(content)));
                        } else if word == "r" && hashes == 1 {
                            // A raw identifier: `r#type`.
                            i += 1;
                            while i < bytes.len() && is_ident_continue(bytes[i]) {
                                i += 1;
                            }
                            break Some((start, Token::Ident(&text[start..i])));
                        }
                        break Some((start, Token::Ident(word)));
                    }
                    ("b" | "c", Some(b'"')) => {
                        let end = skip_string(bytes, i + 1);
                        let content = slice(text, i + 1, end.saturating_sub(1));
                        i = end;
                        break Some((start, Token::Str(content)));
                    }
                    ("b", Some(b'\'')) => i = skip_quote(bytes, i),
                    _ => break Some((start, Token::Ident(word))),
                }
            } else if b.is_ascii_digit() {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
            } else {
                i += 1;
                break Some((start, Token::Punct(b)));
            }
        };
        self.at = i;
        found
    }
}

/// The tokens of `text`, as `Lexer` finds them, without their offsets.
pub(crate) fn lex(text: &str) -> Vec<Token<'_>> {
    Lexer::new(text).map(|(_, token)| token).collect()
}

/// `text[start..end]`, or empty when the bounds are not character boundaries.
fn slice(text: &str, start: usize, end: usize) -> &str {
    text.get(start..end.max(start)).unwrap_or_default()
}

fn skip_block_comment(bytes: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < bytes.len() {
        if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
            depth += 1;
            i += 2;
        } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    bytes.len()
}

/// From just after an opening `"`: the index just after the closing one.
fn skip_string(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// From just after `r#.."`: the content and the index after the closing `"#..`.
fn raw_string(text: &str, start: usize, hashes: usize) -> (&str, usize) {
    let bytes = text.as_bytes();
    let mut i = start;
    while let Some(n) = memchr::memchr(b'"', &bytes[i..]) {
        let quote = i + n;
        let closing = bytes[quote + 1..]
            .iter()
            .take_while(|&&c| c == b'#')
            .count();
        if closing >= hashes {
            return (slice(text, start, quote), quote + 1 + hashes);
        }
        i = quote + 1;
    }
    (slice(text, start, bytes.len()), bytes.len())
}

/// A char literal (`'x'`, `'\n'`, `'\u{1F600}'`) or a lifetime (`'a`), from its quote.
fn skip_quote(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    if bytes.get(i) == Some(&b'\'') {
        return i + 1;
    }
    if bytes.get(i) == Some(&b'\\') {
        i += 2;
        while i < bytes.len() && bytes[i] != b'\'' && bytes[i] != b'\n' {
            i += 1;
        }
        return (i + 1).min(bytes.len());
    }
    // One character, then a quote: a char literal. Otherwise a lifetime or label.
    let width = match bytes.get(i) {
        Some(&b) if b < 0x80 => 1,
        Some(&b) if b >= 0xF0 => 4,
        Some(&b) if b >= 0xE0 => 3,
        Some(_) => 2,
        None => return bytes.len(),
    };
    if bytes.get(i + width) == Some(&b'\'') {
        return i + width + 1;
    }
    i
}
