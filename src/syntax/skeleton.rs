//! A file's text with fn bodies emptied: all of them, for the passes that read only
//! what items declare (struct fields, aliases, fn signatures), or those of the sync fns
//! that cannot hold executor code, for the check. The bodies hold most of a file's
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
    blank(text, &bodies)
}

/// `text` with the inside of each body blanked (as `without_fn_bodies` does) that
/// belongs to a sync fn other than `main` and has none of `KEPT_WORDS` and no word
/// `also_kept` accepts (a framework's hook that runs its argument on the executor,
/// wherever it is registered): such a body runs
/// no executor code and declares nothing the file's summary lists beside the fn's own
/// entry, which the crate-wide pass fills in by a whole parse when it reaches the fn.
/// Returns the text and the blanked ranges; `None` when no body is blanked, or when
/// the braces do not balance.
pub fn without_sync_bodies(
    text: &str,
    also_kept: fn(&str) -> bool,
) -> Option<(String, Vec<Range<usize>>)> {
    // The lexer would read a byte order mark as part of the first word (`async`).
    if text.starts_with('\u{feff}') {
        return None;
    }
    let bodies: Vec<Range<usize>> = (scan_fn_bodies(text, also_kept)?.into_iter())
        .filter(|body| !body.kept)
        .map(|body| body.inside)
        .collect();
    if bodies.is_empty() {
        return None;
    }
    Some((blank(text, &bodies)?, bodies))
}

/// Words that keep a sync fn's body in the check's parse: executor code (`async`
/// blocks and closures, the futures `block_on` runs, a runtime built with the
/// current-thread flavor) and items the file's summary lists (nested fns and impls,
/// structs, traits, type aliases, modules, macros).
const KEPT_WORDS: &[&str] = &[
    "async",
    "block_on",
    "current_thread",
    "new_current_thread",
    "fn",
    "impl",
    "struct",
    "enum",
    "union",
    "trait",
    "type",
    "mod",
    "macro_rules",
];

/// `text` with each of `ranges` made spaces, line breaks kept.
fn blank(text: &str, ranges: &[Range<usize>]) -> Option<String> {
    let mut bytes = text.as_bytes().to_vec();
    for range in ranges {
        for byte in &mut bytes[range.clone()] {
            if *byte != b'\n' {
                *byte = b' ';
            }
        }
    }
    // Whole bodies became ASCII spaces: no character was cut in two.
    String::from_utf8(bytes).ok()
}

/// One outermost fn body: the inside of its braces, and whether the check must read it.
struct Body {
    inside: Range<usize>,
    kept: bool,
}

/// The insides of the outermost fn bodies, in order; `None` if a body never closes.
fn fn_bodies(text: &str) -> Option<Vec<Range<usize>>> {
    Some(
        scan_fn_bodies(text, |_| false)?
            .into_iter()
            .map(|b| b.inside)
            .collect(),
    )
}

/// The outermost fn bodies, in order, each kept when its fn is async or `main` or its
/// body has one of `KEPT_WORDS` or a word `also_kept` accepts; `None` if a body never
/// closes.
fn scan_fn_bodies(text: &str, also_kept: fn(&str) -> bool) -> Option<Vec<Body>> {
    let mut tokens = Lexer::new(text).peekable();
    let mut bodies = Vec::new();
    // Whether an `async` qualifier precedes the tokens read so far (`async unsafe fn`).
    let mut after_async = false;
    while let Some((_, token)) = tokens.next() {
        let is_async = after_async;
        after_async = match token {
            Token::Ident("async") => true,
            Token::Ident("unsafe" | "extern" | "const") | Token::Str(_) => after_async,
            _ => false,
        };
        // An item's `fn name`, not a pointer type's `fn(u8)` nor a macro's `fn $name`.
        let name = match tokens.peek() {
            Some((_, Token::Ident(name))) => *name,
            _ => continue,
        };
        if token != Token::Ident("fn") {
            continue;
        }
        let mut kept = is_async || name == "main";
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
                Token::Ident(word) if !kept => {
                    kept = KEPT_WORDS.contains(&word) || also_kept(word);
                }
                _ => {}
            }
            (level == 0).then_some(at)
        })?;
        bodies.push(Body {
            inside: open + 1..close,
            kept,
        });
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
    fn leaves_out_only_sync_bodies_that_cannot_hold_executor_code() {
        let text = r#"
            async fn serve() { std::fs::read("a").unwrap(); }
            pub async unsafe fn raw() { std::fs::read("b").unwrap(); }
            fn helper() { std::fs::read("c").unwrap(); }
            fn main() { std::fs::read("d").unwrap(); }
            fn spawns() -> impl Future { async move { std::fs::read("e") } }
            fn runs(rt: Runtime) { rt.block_on(serve()); }
            fn builds() -> Runtime { Builder::new_current_thread().build().unwrap() }
            fn nests() { fn inner() {} impl T for S {} }
            fn hooks(files: Files) -> Files { files.path_filter(check) }
            impl S { fn method(&self) { let s = "async fn"; self.go() } }
            extern "C" fn callback() { std::fs::read("f").unwrap(); }
        "#;
        let (out, unseen) = without_sync_bodies(text, |w| w == "path_filter").unwrap();
        assert_eq!(out.len(), text.len());
        let gone: Vec<&str> = unseen.iter().map(|r| text[r.clone()].trim()).collect();
        assert_eq!(
            gone,
            [
                r#"std::fs::read("c").unwrap();"#,
                r#"let s = "async fn"; self.go()"#,
                r#"std::fs::read("f").unwrap();"#,
            ]
        );
        for kept in [
            "\"a\"",
            "\"b\"",
            "\"d\"",
            "\"e\"",
            "block_on",
            "new_current_thread",
        ] {
            assert!(out.contains(kept), "{kept} in\n{out}");
        }
        assert!(out.contains("fn inner() {} impl T for S {}"));
        assert!(out.contains("files.path_filter(check)"));
        assert!(syn::parse_file(&out).is_ok());
    }

    #[test]
    fn reads_whole_what_it_cannot_split() {
        let never = |_: &str| false;
        assert_eq!(without_sync_bodies("async fn f() { g() }", never), None);
        assert_eq!(without_sync_bodies("fn f() { if x {", never), None);
        // The lexer would take the mark for part of `async`.
        assert_eq!(
            without_sync_bodies("\u{feff}async fn f() { g() }", never),
            None
        );
    }

    #[test]
    fn keeps_multibyte_text_whole() {
        let text = "fn f() { let s = \"héllo → wörld\"; }\nstruct É;";
        let out = without_fn_bodies(text).unwrap();
        assert_eq!(out.len(), text.len());
        assert!(out.ends_with("struct É;"));
    }
}
