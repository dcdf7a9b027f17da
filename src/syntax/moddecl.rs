//! `mod x;` declarations in a file's text, with `#[path]` and `cfg` attributes, found by
//! a light lexer instead of a parse.
//!
//! Lexing is enough: a module declaration is `mod name;` at any brace depth, with an
//! optional `#[path = ".."]` in front. Comments, strings and char literals are skipped
//! so that a `mod x;` inside them does not count.
use super::lexer::{is_ident_continue, lex, word_at, Token};

/// `mod name;` inside the inline modules `inline` of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModDecl {
    pub inline: Vec<String>,
    pub name: String,
    pub path_attr: Option<String>,
    /// `#[cfg_attr(<predicate>, path = "..")]`: files the module may live in, besides
    /// where it lives when the predicate is false.
    pub cfg_paths: Vec<String>,
    /// Under `#[cfg(test)]`: on the declaration or on an inline module around it.
    pub test: bool,
}

/// Whether some `mod` in `text` is followed by a name and `;`, or by a comment where
/// the name or the `;` would be: a superset of the texts that declare a module, found
/// without lexing (most files hold only `mod tests { .. }`, or no `mod` at all).
fn may_declare(text: &str) -> bool {
    let bytes = text.as_bytes();
    let is_ident = |b: &u8| is_ident_continue(*b);
    let skip_space = |mut i: usize| {
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        i
    };
    word_at(text, b"mod").any(|at| {
        let mut i = skip_space(at + 3);
        if bytes.get(i) == Some(&b'/') {
            return true;
        }
        if bytes[i.min(bytes.len())..].starts_with(b"r#") {
            i += 2;
        }
        let name_start = i;
        while bytes.get(i).is_some_and(is_ident) {
            i += 1;
        }
        i > name_start && matches!(bytes.get(skip_space(i)), Some(b';' | b'/'))
    })
}

/// The module declarations (`mod x;`, not inline `mod x { .. }`) of a file's text.
pub fn declarations(text: &str) -> Vec<ModDecl> {
    // Most files declare no module, and the lexer is not needed to tell.
    if !may_declare(text) {
        return Vec::new();
    }
    let tokens = lex(text);
    let mut decls = Vec::new();
    // Inline modules around the position: name, brace depth, under `#[cfg(test)]`.
    let mut inline: Vec<(String, usize, bool)> = Vec::new();
    let mut depth = 0usize;
    let mut pending_path: Option<String> = None;
    let mut pending_test = false;
    let mut pending_cfg_paths: Vec<String> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            Token::Punct(b'#') => {
                if let [Token::Punct(b'['), Token::Ident("path"), Token::Punct(b'='), Token::Str(s), Token::Punct(b']'), ..] =
                    &tokens[i + 1..]
                {
                    pending_path = Some(s.to_string());
                    i += 6;
                    continue;
                }
                if let [Token::Punct(b'['), Token::Ident("cfg"), Token::Punct(b'('), Token::Ident("test"), Token::Punct(b')'), Token::Punct(b']'), ..] =
                    &tokens[i + 1..]
                {
                    pending_test = true;
                    i += 7;
                    continue;
                }
                if let [Token::Punct(b'['), Token::Ident("cfg_attr"), Token::Punct(b'('), ..] =
                    &tokens[i + 1..]
                {
                    // `path = "x"` anywhere inside this attribute's brackets.
                    let mut j = i + 4;
                    let mut open = 1usize;
                    while j < tokens.len() && open > 0 {
                        match &tokens[j] {
                            Token::Punct(b'(') => open += 1,
                            Token::Punct(b')') => open -= 1,
                            Token::Ident("path") => {
                                if let [Token::Punct(b'='), Token::Str(s), ..] = &tokens[j + 1..] {
                                    pending_cfg_paths.push(s.to_string());
                                }
                            }
                            _ => {}
                        }
                        j += 1;
                    }
                    i = j;
                    continue;
                }
            }
            Token::Ident("mod") => {
                if let Some(Token::Ident(name)) = tokens.get(i + 1) {
                    let name = name.strip_prefix("r#").unwrap_or(name).to_string();
                    let in_test = inline.iter().any(|(_, _, test)| *test);
                    match tokens.get(i + 2) {
                        Some(Token::Punct(b';')) => {
                            decls.push(ModDecl {
                                inline: inline.iter().map(|(n, _, _)| n.clone()).collect(),
                                name,
                                path_attr: pending_path.take(),
                                cfg_paths: std::mem::take(&mut pending_cfg_paths),
                                test: std::mem::take(&mut pending_test) || in_test,
                            });
                            i += 3;
                            continue;
                        }
                        Some(Token::Punct(b'{')) => {
                            inline.push((name, depth + 1, std::mem::take(&mut pending_test)));
                            pending_path = None;
                            pending_cfg_paths.clear();
                            i += 2;
                            continue;
                        }
                        _ => {}
                    }
                }
            }
            Token::Punct(b'{') => {
                depth += 1;
                pending_path = None;
                pending_test = false;
                pending_cfg_paths.clear();
            }
            Token::Punct(b'}') => {
                if inline.last().is_some_and(|(_, d, _)| *d == depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
                pending_path = None;
                pending_test = false;
                pending_cfg_paths.clear();
            }
            Token::Punct(b';') => {
                pending_path = None;
                pending_test = false;
                pending_cfg_paths.clear();
            }
            _ => {}
        }
        i += 1;
    }
    decls
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::lexer::has_word;

    fn names(text: &str) -> Vec<(Vec<String>, String, Option<String>)> {
        declarations(text)
            .into_iter()
            .map(|d| (d.inline, d.name, d.path_attr))
            .collect()
    }

    #[test]
    fn finds_declarations_and_skips_literals() {
        let text = r##"
            mod a;
            pub(crate) mod b;
            // mod commented;
            /* mod block; /* nested */ mod still_comment; */
            const S: &str = "mod in_string;";
            const R: &str = r#"mod in_raw; "quoted""#;
            const C: char = '"'; mod after_char;
            fn f<'a>(x: &'a str) -> &'a str { x }
            mod inline { mod inner; mod deeper { mod leaf; } mod back; }
            #[path = "other/place.rs"] mod moved;
            #[cfg(unix)]
            #[path = "sys/unix.rs"]
            pub mod sys;
            mod r#type;
            mod with_body { fn f() {} }
        "##;
        let got = names(text);
        let v = |s: &[&str]| s.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            got,
            vec![
                (vec![], "a".into(), None),
                (vec![], "b".into(), None),
                (vec![], "after_char".into(), None),
                (v(&["inline"]), "inner".into(), None),
                (v(&["inline", "deeper"]), "leaf".into(), None),
                (v(&["inline"]), "back".into(), None),
                (vec![], "moved".into(), Some("other/place.rs".into())),
                (vec![], "sys".into(), Some("sys/unix.rs".into())),
                (vec![], "type".into(), None),
            ]
        );
    }

    #[test]
    fn a_file_without_the_word_mod_declares_nothing() {
        assert!(has_word("pub(crate)mod x;", b"mod"));
        assert!(!has_word("let model = modes::x(); // mode", b"mod"));
        assert!(declarations("fn f() { models(); }").is_empty());
        let decls = declarations("pub(crate)mod x;");
        assert_eq!(decls.len(), 1);
        assert_eq!(decls[0].name, "x");
    }

    #[test]
    fn the_quick_check_lets_every_declaration_through() {
        for text in [
            "mod a;",
            "pub(crate)mod x ;",
            "mod r#type;",
            "mod /* why */ a;",
            "mod a // why\n;",
            "mod\n    a\n;",
        ] {
            assert!(may_declare(text), "{text}");
            assert_eq!(declarations(text).len(), 1, "{text}");
        }
        for text in ["mod tests { mod x; }", "mod a { }\nmod b;"] {
            assert!(may_declare(text), "{text}");
        }
        for text in [
            "mod tests {\n    use super::*;\n}",
            "let modes = 1;",
            "mod",
            "mod a",
        ] {
            assert!(!may_declare(text), "{text}");
            assert!(declarations(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn never_fails_on_unterminated_input() {
        for text in [
            "\"open",
            "r#\"open",
            "/* open",
            "'",
            "b'",
            "mod",
            "mod x",
            "#[path = ",
        ] {
            let _ = declarations(text);
        }
    }
}
