//! A file's text with what its items declare and nothing else, for the pass that reads
//! struct fields, aliases and fn signatures: fn bodies, trait bodies, trait impls and
//! macro invocations hold most of a file's tokens, and a parse of the rest costs a
//! fraction of a whole one.
use std::ops::Range;

use super::lexer::{Lexer, Token};

/// `text` without the inside of any fn body, trait body, trait impl body or item
/// macro: what stays is what `SemanticModel::enter_module` reads (the `use`s, the
/// structs, enums and aliases, every item's name, the fns' signatures and the inherent
/// impls' fns). Offsets move: the pass that reads it keeps no spans. `None` when there
/// is nothing to leave out, or when the brackets do not balance (the caller parses the
/// text as it is).
pub fn declarations_only(text: &str) -> Option<String> {
    let left_out = undeclaring_ranges(text)?;
    if left_out.is_empty() {
        return None;
    }
    let mut kept =
        String::with_capacity(text.len() - left_out.iter().map(|r| r.len()).sum::<usize>());
    let mut from = 0;
    for range in left_out {
        kept.push_str(&text[from..range.start]);
        from = range.end;
    }
    kept.push_str(&text[from..]);
    Some(kept)
}

/// The insides of the outermost groups that declare nothing `enter_module` reads, in
/// order; `None` if a group never closes.
fn undeclaring_ranges(text: &str) -> Option<Vec<Range<usize>>> {
    let tokens: Vec<(usize, Token<'_>)> = Lexer::new(text).collect();
    let punct = |i: usize| match tokens.get(i) {
        Some((_, Token::Punct(b))) => Some(*b),
        _ => None,
    };
    let ident = |i: usize| match tokens.get(i) {
        Some((_, Token::Ident(word))) => Some(*word),
        _ => None,
    };
    let mut blanks = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let word = ident(i);
        // An item's `fn name` or `trait Name`, not a pointer type's `fn(u8)` nor a
        // macro's `fn $name`; an `impl` block.
        let named = ident(i + 1).is_some();
        let header = match word {
            Some("fn" | "trait") if named => true,
            Some("impl") => true,
            _ => false,
        };
        if header {
            let Some((open, is_trait_impl)) = body_start(&tokens, i + 1) else {
                i += 1;
                continue;
            };
            // An inherent impl's fns are read (their returns): only their bodies go.
            if word == Some("impl") && !is_trait_impl {
                i = open + 1;
                continue;
            }
            let close = group_end(&tokens, open)?;
            blanks.push(tokens[open].0 + 1..tokens[close].0);
            i = close + 1;
            continue;
        }
        // `name! (..)`, `name! [..]`, `name! {..}` and `macro_rules! name {..}`: the
        // model does not look inside an item macro.
        if word.is_some() && punct(i + 1) == Some(b'!') {
            let group = match (word, punct(i + 2), ident(i + 2)) {
                (_, Some(b'(' | b'[' | b'{'), _) => Some(i + 2),
                (Some("macro_rules"), _, Some(_)) => Some(i + 3),
                _ => None,
            };
            if let Some(open) = group.filter(|&g| matches!(punct(g), Some(b'(' | b'[' | b'{'))) {
                let close = group_end(&tokens, open)?;
                blanks.push(tokens[open].0 + 1..tokens[close].0);
                i = close + 1;
                continue;
            }
        }
        i += 1;
    }
    Some(blanks)
}

/// The `{` that opens the body of the item whose header starts at token `from`, and
/// whether the header is a trait impl's (`impl .. for ..`, not a bound's `for<'a>`);
/// `None` when the header ends at a `;` or the text does.
fn body_start(tokens: &[(usize, Token<'_>)], from: usize) -> Option<(usize, bool)> {
    // Brackets are counted so that `[u8; { N }]` stays in the header; angles are not
    // (`->` would close one).
    let mut depth = 0usize;
    let mut trait_impl = false;
    for (at, (_, token)) in tokens.iter().enumerate().skip(from) {
        match token {
            Token::Punct(b'(' | b'[') => depth += 1,
            Token::Punct(b')' | b']') => depth = depth.saturating_sub(1),
            Token::Punct(b'{') if depth == 0 => return Some((at, trait_impl)),
            Token::Punct(b';') if depth == 0 => return None,
            Token::Ident("for") if depth == 0 => {
                trait_impl |= !matches!(tokens.get(at + 1), Some((_, Token::Punct(b'<'))));
            }
            _ => {}
        }
    }
    None
}

/// The token that closes the group opened at token `open`.
fn group_end(tokens: &[(usize, Token<'_>)], open: usize) -> Option<usize> {
    let mut level = 0usize;
    for (at, (_, token)) in tokens.iter().enumerate().skip(open) {
        match token {
            Token::Punct(b'(' | b'[' | b'{') => level += 1,
            Token::Punct(b')' | b']' | b'}') => {
                level -= 1;
                if level == 0 {
                    return Some(at);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_what_items_declare_and_empties_the_rest() {
        let text = r#"
            struct S { file: std::fs::File }
            fn open(p: &str) -> std::fs::File { let s = "}"; /* } */ std::fs::File::open(p).unwrap() }
            impl S {
                fn new() -> S { S { file: open("x") } }
                fn len(&self) -> [u8; { 2 }] { [0, 0] }
            }
            impl<F> Handler for Wrap<F> where F: for<'a> Fn(&'a u8) { fn call(&self) { run() } }
            impl<F: for<'a> Fn(&'a u8)> Wrap<F> { fn wrapped() -> F { todo() } }
            trait T { fn declared(&self); fn provided(&self) { let c = '}'; } }
            type Callback = fn(u8) -> u8;
            macro_rules! m { ($n:ident) => { fn $n() { } }; }
            cfg_rt! { pub struct Hidden { x: u8 } }
            thread_local!(static KEY: u8 = make());
            const N: usize = count![a, b];
        "#;
        let out = declarations_only(text).unwrap();
        for kept in [
            "struct S { file: std::fs::File }",
            "fn open(p: &str) -> std::fs::File {}",
            "fn new() -> S {}",
            "fn len(&self) -> [u8; { 2 }] {}",
            "impl<F> Handler for Wrap<F> where F: for<'a> Fn(&'a u8) {}",
            "impl<F: for<'a> Fn(&'a u8)> Wrap<F> { fn wrapped() -> F {} }",
            "trait T {}",
            "type Callback = fn(u8) -> u8;",
            "macro_rules! m {}",
            "cfg_rt! {}",
            "thread_local!();",
            "const N: usize = count![];",
        ] {
            assert!(out.contains(kept), "{kept} in\n{out}");
        }
        let gone = [
            "unwrap",
            "S { file: open",
            "[0, 0]",
            "fn call",
            "todo",
            "declared",
            "let c",
            "$n",
            "Hidden",
            "KEY",
            "a, b",
        ];
        for gone in gone {
            assert!(!out.contains(gone), "{gone} in\n{out}");
        }
        let file = syn::parse_file(&out).expect("the skeleton parses");
        assert_eq!(file.items.len(), syn::parse_file(text).unwrap().items.len());
    }

    #[test]
    fn leaves_alone_what_it_cannot_read() {
        assert_eq!(declarations_only("struct S;"), None);
        assert_eq!(declarations_only("fn open() { if x {"), None);
        assert_eq!(declarations_only("fn declared();"), None);
        assert_eq!(declarations_only("m! { (]"), None);
    }

    #[test]
    fn keeps_multibyte_text_whole() {
        let text = "fn f() { let s = \"héllo → wörld\"; }\nstruct É;";
        let out = declarations_only(text).unwrap();
        assert_eq!(out, "fn f() {}\nstruct É;");
    }
}
