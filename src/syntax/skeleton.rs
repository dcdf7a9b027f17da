//! A file's text with its fn bodies emptied, for the passes that read only what items
//! declare (struct fields, aliases, fn signatures): the bodies hold most of a file's
//! tokens, and a parse of the rest costs a fraction of a whole one.
use std::ops::Range;

use super::lexer::{Lexer, Token};

/// `text` with the inside of every fn body blanked: each byte a space, line breaks kept,
/// so that every offset and line stays where it was. `None` when there is no body to
/// empty, or when the braces do not balance (the caller parses the text as it is).
pub fn without_fn_bodies(text: &str) -> Option<String> {
    let bodies = fn_bodies(text)?;
    if bodies.is_empty() {
        return None;
    }
    let mut bytes = text.as_bytes().to_vec();
    for body in bodies {
        for byte in &mut bytes[body] {
            if *byte != b'\n' {
                *byte = b' ';
            }
        }
    }
    // Whole bodies became ASCII spaces: no character was cut in two.
    String::from_utf8(bytes).ok()
}

/// The insides of the outermost fn bodies, in order; `None` if a body never closes.
fn fn_bodies(text: &str) -> Option<Vec<Range<usize>>> {
    let mut tokens = Lexer::new(text).peekable();
    let mut bodies = Vec::new();
    while let Some((_, token)) = tokens.next() {
        // An item's `fn name`, not a pointer type's `fn(u8)` nor a macro's `fn $name`.
        let named = matches!(tokens.peek(), Some((_, Token::Ident(_))));
        if token != Token::Ident("fn") || !named {
            continue;
        }
        // The signature runs to the body's `{`, or to the `;` of a fn without one.
        // Brackets are counted so that `[u8; { N }]` stays in the signature; angles are
        // not (`->` would close one).
        let mut depth = 0usize;
        let mut open = None;
        for (at, token) in tokens.by_ref() {
            match token {
                Token::Punct(b'(' | b'[') => depth += 1,
                Token::Punct(b')' | b']') => depth = depth.saturating_sub(1),
                Token::Punct(b'{') if depth == 0 => {
                    open = Some(at);
                    break;
                }
                Token::Punct(b';') if depth == 0 => break,
                _ => {}
            }
        }
        let Some(open) = open else { continue };
        let mut level = 1usize;
        let close = tokens.by_ref().find_map(|(at, token)| {
            match token {
                Token::Punct(b'{') => level += 1,
                Token::Punct(b'}') => level -= 1,
                _ => {}
            }
            (level == 0).then_some(at)
        })?;
        bodies.push(open + 1..close);
    }
    Some(bodies)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empties_bodies_and_keeps_what_items_declare() {
        let text = r#"
            struct S { file: std::fs::File }
            fn open(p: &str) -> std::fs::File { let s = "}"; /* } */ std::fs::File::open(p).unwrap() }
            impl S {
                fn new() -> S { S { file: open("x") } }
                fn len(&self) -> [u8; { 2 }] { [0, 0] }
            }
            trait T { fn declared(&self); fn provided(&self) { let c = '}'; } }
            type Callback = fn(u8) -> u8;
            macro_rules! m { ($n:ident) => { fn $n() { } }; }
        "#;
        let out = without_fn_bodies(text).unwrap();
        assert_eq!(out.len(), text.len());
        assert_eq!(out.lines().count(), text.lines().count());
        for kept in [
            "struct S { file: std::fs::File }",
            "fn open(p: &str) -> std::fs::File {",
            "fn len(&self) -> [u8; { 2 }] {",
            "fn declared(&self);",
            "type Callback = fn(u8) -> u8;",
            "fn $n() { }",
        ] {
            assert!(out.contains(kept), "{kept} in\n{out}");
        }
        for gone in ["unwrap", "S { file: open", "[0, 0]", "let c"] {
            assert!(!out.contains(gone), "{gone} in\n{out}");
        }
        let file = syn::parse_file(&out).expect("the skeleton parses");
        assert_eq!(file.items.len(), syn::parse_file(text).unwrap().items.len());
    }

    #[test]
    fn leaves_alone_what_it_cannot_read() {
        assert_eq!(without_fn_bodies("struct S;"), None);
        assert_eq!(without_fn_bodies("fn open() { if x {"), None);
        assert_eq!(without_fn_bodies("fn declared();"), None);
    }

    #[test]
    fn keeps_multibyte_text_whole() {
        let text = "fn f() { let s = \"héllo → wörld\"; }\nstruct É;";
        let out = without_fn_bodies(text).unwrap();
        assert_eq!(out.len(), text.len());
        assert!(out.ends_with("struct É;"));
    }
}
