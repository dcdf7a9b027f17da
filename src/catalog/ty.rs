//! Light receiver types: a canonical path plus the `Result`/`Option` wrapper around it.
//!
//! Types are only ever known, never guessed: anything this module cannot pin down is
//! `None` at the call site, and an unknown receiver is never reported.

/// The wrapper a value still has to be unwrapped from before its methods apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Wrap {
    None,
    Result,
    Option,
}

/// A value's type as far as the linter cares: `std::fs::File`, `Result<std::fs::File>`,
/// or a tuple of such (`(Sender, Receiver)` from a channel constructor).
///
/// A path may carry one generic argument the linter needs to tell types apart
/// (`std::io::BufReader<std::fs::File>` blocks, a `BufReader` over a byte slice does not).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Ty {
    pub path: String,
    pub wrap: Wrap,
    /// The element types when this is a tuple (then `path` is empty).
    pub elems: Vec<Ty>,
    /// What a lock holds (`Mutex<State>`: `State`), which its guard derefs to; the
    /// lock's own path stays plain, so the lock lints match it as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inner: Option<Box<Ty>>,
}

impl Ty {
    pub fn named(path: impl Into<String>) -> Ty {
        Ty {
            path: path.into(),
            wrap: Wrap::None,
            elems: Vec::new(),
            inner: None,
        }
    }

    /// A tuple of two or more elements, none a tuple itself.
    pub fn tuple(elems: Vec<Ty>) -> Option<Ty> {
        let flat = elems.len() >= 2 && elems.iter().all(|e| e.elems.is_empty());
        flat.then(|| Ty {
            path: String::new(),
            wrap: Wrap::None,
            elems,
            inner: None,
        })
    }

    /// Parses the catalogue's spelling: `&mut a::B`, `Result<a::B>`, `Option<a::B>`,
    /// `(a::B, a::C)`, and generic templates `a::B<{0}>` / `a::B<{self}>`.
    pub fn parse(text: &str) -> Option<Ty> {
        let text = text.trim();
        let text = text
            .strip_prefix("&mut ")
            .or_else(|| text.strip_prefix('&'))
            .unwrap_or(text)
            .trim();
        if let Some(inner) = text.strip_prefix('(') {
            let elems = split_top_level(inner.strip_suffix(')')?)
                .into_iter()
                .map(Ty::parse)
                .collect::<Option<Vec<_>>>()?;
            return Ty::tuple(elems);
        }
        for (name, wrap) in [("Result<", Wrap::Result), ("Option<", Wrap::Option)] {
            if let Some(inner) = text.strip_prefix(name) {
                let inner = inner.strip_suffix('>')?.trim();
                return Some(Ty {
                    path: valid_path(inner)?.to_string(),
                    wrap,
                    elems: Vec::new(),
                    inner: None,
                });
            }
        }
        Some(Ty::named(valid_path(text)?))
    }

    /// Fills `{0}` (the first argument's type), `{self}` (the receiver's type) and
    /// `{inner}` (what the receiver, a lock, holds: `Mutex::lock` gives `Result<{inner}>`)
    /// in a declared return type; `None` when a needed type is unknown.
    pub fn instantiate(&self, arg0: Option<&str>, receiver: Option<&Ty>) -> Option<Ty> {
        if self.path == INNER_HOLE {
            let inner = receiver?.inner.as_deref()?;
            return match (self.wrap, inner.wrap) {
                (Wrap::None, _) => Some(inner.clone()),
                (wrap, Wrap::None) => Some(Ty {
                    wrap,
                    ..inner.clone()
                }),
                _ => None,
            };
        }
        let mut path = self.path.clone();
        for (hole, value) in [("{0}", arg0), ("{self}", receiver.and_then(Ty::plain))] {
            if path.contains(hole) {
                path = path.replace(hole, value?);
            }
        }
        Some(Ty {
            path,
            ..self.clone()
        })
    }

    /// The element at `index` of a tuple type.
    pub fn element(&self, index: usize) -> Option<Ty> {
        let elem = self.elems.get(index)?;
        (!elem.path.is_empty()).then(|| elem.clone())
    }

    /// A tuple of values some of whose types are unknown (`(path, 1)`): an unknown
    /// element is an empty path, which `element` never hands out. `None` when no
    /// element is known.
    pub fn partial_tuple(elems: Vec<Option<Ty>>) -> Option<Ty> {
        // A tuple inside a tuple is not kept: it counts as unknown.
        let elems: Vec<Option<Ty>> = (elems.into_iter())
            .map(|e| e.filter(|t| t.elems.is_empty()))
            .collect();
        if elems.iter().all(Option::is_none) {
            return None;
        }
        Ty::tuple(
            elems
                .into_iter()
                .map(|e| e.unwrap_or_else(|| Ty::named("")))
                .collect(),
        )
    }

    /// The type of the items a `for` loop over this value binds (a `Vec`'s elements).
    pub fn items(&self) -> Option<Ty> {
        let inner = self
            .plain()?
            .strip_prefix("std::vec::Vec<")?
            .strip_suffix('>')?;
        Some(Ty::named(inner))
    }

    /// The type after `?`, `.unwrap()` or `.expect(..)`.
    pub fn unwrapped(&self) -> Option<Ty> {
        match self.wrap {
            Wrap::None => None,
            Wrap::Result | Wrap::Option => Some(Ty {
                wrap: Wrap::None,
                ..self.clone()
            }),
        }
    }

    /// The type when its methods can be called directly.
    pub fn plain(&self) -> Option<&str> {
        (self.wrap == Wrap::None && self.elems.is_empty()).then_some(self.path.as_str())
    }
}

fn valid_path(text: &str) -> Option<&str> {
    // The turbofish's type (`app_data::<T>() -> Option<&T>`).
    if text == "{T}" || text == INNER_HOLE {
        return Some(text);
    }
    let (base, generic) = match text.split_once('<') {
        Some((base, rest)) => (base, Some(rest.strip_suffix('>')?)),
        None => (text, None),
    };
    let base_ok = !base.is_empty()
        && base
            .split("::")
            .all(|seg| !seg.is_empty() && seg.chars().all(|c| c.is_alphanumeric() || c == '_'));
    let generic_ok =
        generic.is_none_or(|g| matches!(g, "{0}" | "{self}") || valid_path(g).is_some());
    (base_ok && generic_ok).then_some(text)
}

/// Splits `a, b<c, d>, e` at the commas outside angle brackets and parentheses.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in text.char_indices() {
        match c {
            '<' | '(' => depth += 1,
            '>' | ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(text[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(text[start..].trim());
    parts.retain(|p| !p.is_empty());
    parts
}

/// Types whose first generic argument decides whether their methods block
/// (`BufReader<File>` does, `BufReader<&[u8]>` does not): the argument stays in the path.
pub const GENERIC_CARRIERS: &[&str] = &[
    "std::io::BufReader",
    "std::io::BufWriter",
    "std::io::Lines",
    // Its items are what a `for` loop binds.
    "std::vec::Vec",
];

/// Lock types whose guard derefs to what they hold (their first generic argument,
/// kept as the type's `inner`).
pub const LOCKS_HOLDING: &[&str] = &[
    "std::sync::Mutex",
    "std::sync::RwLock",
    "parking_lot::Mutex",
    "parking_lot::RwLock",
    "tokio::sync::Mutex",
    "tokio::sync::RwLock",
];

/// In a declared return type, what the receiver (a lock) holds.
const INNER_HOLE: &str = "{inner}";

/// The path prefix given to types this crate defines (their fields are known by name).
pub const LOCAL_TYPE_PREFIX: &str = "local::";

/// What a crate fn `Type::f` returns, before the call graph has confirmed that its
/// declared return type is the type (`Self`, `Result<Self>`, `Arc<Type>`):
/// `returned::Type::f`. Only a method call on it is followed, and only once confirmed.
pub const RETURNED_PREFIX: &str = "returned::";
/// A value known only to implement one of the crate's traits (`&impl Fs`, `Box<dyn
/// Fs>`, `T: Fs`): `dyn::Fs`. A method call on it may reach every impl of the trait.
pub const DISPATCH_PREFIX: &str = "dyn::";
/// Between the links of a chain of methods called on what a crate fn returned
/// (`returned::Config::load.with_x`): each must return the type again.
pub const CHAIN_LINK: &str = ".";

/// Smart pointers and references whose methods auto-deref to the inner type.
pub const TRANSPARENT_WRAPPERS: &[&str] = &[
    "std::boxed::Box",
    "std::sync::Arc",
    "std::rc::Rc",
    "alloc::sync::Arc",
    "alloc::boxed::Box",
    // Web framework extractors that deref to the application state.
    "axum::extract::State",
    "axum::Extension",
    "axum::extract::Extension",
    "actix_web::web::Data",
    // Lock guards deref to what the lock holds (`state: &mut MutexGuard<'_, State>`).
    "std::sync::MutexGuard",
    "std::sync::RwLockReadGuard",
    "std::sync::RwLockWriteGuard",
    "parking_lot::MutexGuard",
    "parking_lot::RwLockReadGuard",
    "parking_lot::RwLockWriteGuard",
    "tokio::sync::MutexGuard",
    "tokio::sync::OwnedMutexGuard",
    "tokio::sync::RwLockReadGuard",
    "tokio::sync::RwLockWriteGuard",
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
                wrap: Wrap::Result,
                elems: Vec::new(),
                inner: None,
            })
        );
        assert_eq!(Ty::parse("Result<a b>"), None);
        let pair = Ty::parse("(a::Tx, a::Rx)").unwrap();
        assert_eq!(pair.element(1), Some(Ty::named("a::Rx")));
        assert_eq!(pair.plain(), None);
        let generic = Ty::parse("std::io::BufReader<{0}>").unwrap();
        assert_eq!(
            generic.instantiate(Some("std::fs::File"), None),
            Some(Ty::named("std::io::BufReader<std::fs::File>"))
        );
        assert_eq!(generic.instantiate(None, None), None);
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
