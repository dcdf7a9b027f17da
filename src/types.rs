//! Light receiver types: a canonical path plus the `Result`/`Option` wrapper around it.
//!
//! Types are only ever known, never guessed: anything this module cannot pin down is
//! `None` at the call site, and an unknown receiver is never reported.

/// The wrapper a value still has to be unwrapped from before its methods apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrap {
    None,
    Result,
    Option,
}

/// A value's type as far as the linter cares: `std::fs::File`, `Result<std::fs::File>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ty {
    pub path: String,
    pub wrap: Wrap,
}

impl Ty {
    pub fn named(path: impl Into<String>) -> Ty {
        Ty {
            path: path.into(),
            wrap: Wrap::None,
        }
    }

    /// Parses the catalogue's spelling: `&mut a::B`, `Result<a::B>`, `Option<a::B>`.
    pub fn parse(text: &str) -> Option<Ty> {
        let text = text.trim();
        let text = text
            .strip_prefix("&mut ")
            .or_else(|| text.strip_prefix('&'))
            .unwrap_or(text)
            .trim();
        for (name, wrap) in [("Result<", Wrap::Result), ("Option<", Wrap::Option)] {
            if let Some(inner) = text.strip_prefix(name) {
                let inner = inner.strip_suffix('>')?.trim();
                return Some(Ty {
                    path: valid_path(inner)?.to_string(),
                    wrap,
                });
            }
        }
        Some(Ty::named(valid_path(text)?))
    }

    /// The type after `?`, `.unwrap()` or `.expect(..)`.
    pub fn unwrapped(&self) -> Option<Ty> {
        match self.wrap {
            Wrap::None => None,
            Wrap::Result | Wrap::Option => Some(Ty::named(self.path.clone())),
        }
    }

    /// The type when its methods can be called directly.
    pub fn plain(&self) -> Option<&str> {
        (self.wrap == Wrap::None).then_some(self.path.as_str())
    }
}

fn valid_path(text: &str) -> Option<&str> {
    let ok = !text.is_empty()
        && text
            .split("::")
            .all(|seg| !seg.is_empty() && seg.chars().all(|c| c.is_alphanumeric() || c == '_'));
    ok.then_some(text)
}

/// Smart pointers and references whose methods auto-deref to the inner type.
pub const TRANSPARENT_WRAPPERS: &[&str] = &[
    "std::boxed::Box",
    "std::sync::Arc",
    "std::rc::Rc",
    "alloc::sync::Arc",
    "alloc::boxed::Box",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_catalogue_spellings() {
        assert_eq!(
            Ty::parse("&mut std::fs::OpenOptions"),
            Some(Ty::named("std::fs::OpenOptions"))
        );
        assert_eq!(
            Ty::parse("Result<std::fs::File>"),
            Some(Ty {
                path: "std::fs::File".into(),
                wrap: Wrap::Result
            })
        );
        assert_eq!(Ty::parse("Result<a b>"), None);
        assert_eq!(Ty::parse(""), None);
    }

    #[test]
    fn unwrap_peels_one_layer() {
        let ty = Ty::parse("Option<a::B>").unwrap();
        assert_eq!(ty.plain(), None);
        assert_eq!(ty.unwrapped().unwrap().plain(), Some("a::B"));
        assert_eq!(Ty::named("a::B").unwrapped(), None);
    }
}
