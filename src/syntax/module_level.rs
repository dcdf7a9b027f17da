//! A file's own module level, found by the module-tree lexer instead of a parse: its
//! `use` and `extern crate` items and the names of its other items. Enough to know
//! what a child module gets through `use super::*`, at a fraction of a parse (a parent
//! is often a `mod.rs` that is mostly documentation).
use super::lexer::{lex, Token};

/// Keywords that name the item after them.
const NAMING: [&str; 9] = [
    "fn", "struct", "enum", "union", "trait", "type", "mod", "static", "const",
];

/// Source text equivalent, for name resolution, to `text`'s module level: each `use`
/// and `extern crate` item as written, and a `struct Name;` for each other named item.
pub fn module_level_source(text: &str) -> String {
    let tokens = lex(text);
    let mut out = String::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < tokens.len() {
        match tokens[i] {
            Token::Punct(b'{') => depth += 1,
            Token::Punct(b'}') => depth = depth.saturating_sub(1),
            // An attribute's brackets hold words that are no items (`#[cfg(test)]`).
            Token::Punct(b'#') if depth == 0 => {
                let open = 1 + usize::from(tokens.get(i + 1) == Some(&Token::Punct(b'!')));
                if tokens.get(i + open) == Some(&Token::Punct(b'[')) {
                    i = after_group(&tokens, i + open, b'[', b']');
                    continue;
                }
            }
            Token::Ident("use") if depth == 0 => {
                i = copy_item(&tokens, i, &mut out);
                continue;
            }
            Token::Ident("extern")
                if depth == 0 && tokens.get(i + 1) == Some(&Token::Ident("crate")) =>
            {
                i = copy_item(&tokens, i, &mut out);
                continue;
            }
            // `<const N: usize>` names a generic parameter, no item.
            Token::Ident(keyword)
                if depth == 0
                    && NAMING.contains(&keyword)
                    && !matches!(
                        i.checked_sub(1).map(|p| &tokens[p]),
                        Some(Token::Punct(b'<' | b','))
                    ) =>
            {
                let mut next = i + 1;
                if keyword == "static" && tokens.get(next) == Some(&Token::Ident("mut")) {
                    next += 1;
                }
                if let Some(Token::Ident(name)) = tokens.get(next) {
                    let qualifier = matches!(*name, "fn" | "unsafe" | "async" | "extern" | "_");
                    if !qualifier {
                        out.push_str(&format!("struct {name};\n"));
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// From the opening `open` at `start`: the index after its matching `close`.
fn after_group(tokens: &[Token<'_>], start: usize, open: u8, close: u8) -> usize {
    let mut level = 0usize;
    for (j, token) in tokens.iter().enumerate().skip(start) {
        match token {
            Token::Punct(b) if *b == open => level += 1,
            Token::Punct(b) if *b == close => {
                level -= 1;
                if level == 0 {
                    return j + 1;
                }
            }
            _ => {}
        }
    }
    tokens.len()
}

/// Copies the item starting at `start` up to its `;` (outside braces) into `out`;
/// returns the index after it.
fn copy_item(tokens: &[Token<'_>], start: usize, out: &mut String) -> usize {
    let mut level = 0usize;
    let mut previous_was_word = false;
    for (j, token) in tokens.iter().enumerate().skip(start) {
        match token {
            Token::Ident(word) => {
                if previous_was_word {
                    out.push(' ');
                }
                out.push_str(word);
            }
            Token::Punct(b) => out.push(char::from(*b)),
            // No string belongs in a `use`; an `extern crate` never has one either.
            Token::Str(_) => {}
        }
        previous_was_word = matches!(token, Token::Ident(_));
        match token {
            Token::Punct(b'{') => level += 1,
            Token::Punct(b'}') => level = level.saturating_sub(1),
            Token::Punct(b';') if level == 0 => {
                out.push('\n');
                return j + 1;
            }
            _ => {}
        }
    }
    out.push('\n');
    tokens.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_imports_and_names_the_items_of_the_module_level_only() {
        let text = r#"
            //! Docs that mention `use nothing::Here;` and `fn nope()`.
            #![cfg_attr(docsrs, feature(doc_cfg))]
            #[cfg(feature = "fs")]
            pub(crate) use self::menu::{Menu, Item as Entry};
            use std::fs::File;
            extern crate alloc as core_alloc;
            mod menu;
            pub const fn limit() -> usize { struct Hidden; 1 }
            static mut COUNT: usize = 0;
            pub struct Scans<T, const N: usize> where T: Send { menu: Menu }
            impl Scans<u8> { fn inner(&self) { use std::net::TcpStream; } }
            mod inline { use std::io::Read; pub struct Deep; }
            const _: () = ();
            /* use in::Comment; */
        "#;
        let source = module_level_source(text);
        assert_eq!(
            source,
            "use self::menu::{Menu,Item as Entry};\n\
             use std::fs::File;\n\
             extern crate alloc as core_alloc;\n\
             struct menu;\n\
             struct limit;\n\
             struct COUNT;\n\
             struct Scans;\n\
             struct inline;\n"
        );
        syn::parse_file(&source).expect("the equivalent source parses");
    }
}
