//! How a variable holds its value, as far as a `move` closure sent to another thread
//! cares: by copy, owned, or borrowed (and what it could own instead). Known only from
//! a type written out or an initializer of an unmistakable type; anything else is
//! `Unknown`, and a rewrite that would capture it is not offered.
use syn::{Expr, Lit, Type};

/// What moving a variable into a `Send + 'static` closure takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Shape {
    /// A `Copy` value that is `Send + 'static` (numbers, `Duration`, addresses): the
    /// closure gets a copy, the variable stays usable.
    Copy,
    /// A `&'static` borrow (a string literal): moved as it is.
    Static,
    /// An owned `Clone + Send + 'static` value (`String`, `PathBuf`, `Vec<u8>`): the
    /// closure gets a clone, so the variable stays usable after the call.
    Owned,
    /// A borrow of an unsized value (`&str`, `&Path`, `&[u8]`, `&OsStr`): the closure
    /// gets `to_owned()` and lends it back as `&*x`.
    BorrowsUnsized,
    /// A borrow of an owned value (`&String`, `&PathBuf`): the closure gets a clone and
    /// lends it back as `&x`.
    BorrowsOwned,
    Unknown,
}

const COPY_TYPES: &[&str] = &[
    "u8",
    "u16",
    "u32",
    "u64",
    "u128",
    "usize",
    "i8",
    "i16",
    "i32",
    "i64",
    "i128",
    "isize",
    "f32",
    "f64",
    "bool",
    "char",
    "Duration",
    "Instant",
    "SystemTime",
    "SocketAddr",
    "SocketAddrV4",
    "SocketAddrV6",
    "IpAddr",
    "Ipv4Addr",
    "Ipv6Addr",
];
const OWNED_TYPES: &[&str] = &["String", "PathBuf", "OsString"];
const UNSIZED_TYPES: &[&str] = &["str", "Path", "OsStr"];
/// Element types of a `Vec` that is `Clone + Send + 'static`.
const OWNED_ELEMENTS: &[&str] = &["u8", "String", "PathBuf"];

/// The shape of a variable declared with type `ty`.
pub fn of_type(ty: &Type) -> Shape {
    match ty {
        Type::Paren(p) => of_type(&p.elem),
        Type::Group(g) => of_type(&g.elem),
        Type::Reference(r) if r.mutability.is_none() => {
            let is_static = r.lifetime.as_ref().is_some_and(|l| l.ident == "static");
            match of_referent(&r.elem) {
                Referent::Unsized if is_static => Shape::Static,
                Referent::Unsized => Shape::BorrowsUnsized,
                Referent::Owned => Shape::BorrowsOwned,
                Referent::Other => Shape::Unknown,
            }
        }
        Type::Path(_) => match of_referent(ty) {
            Referent::Owned => Shape::Owned,
            _ if type_name(ty).is_some_and(|(name, _)| COPY_TYPES.contains(&name.as_str())) => {
                Shape::Copy
            }
            _ => Shape::Unknown,
        },
        _ => Shape::Unknown,
    }
}

enum Referent {
    Unsized,
    Owned,
    Other,
}

fn of_referent(ty: &Type) -> Referent {
    if let Type::Slice(s) = ty {
        return match type_name(&s.elem) {
            Some((name, false)) if name == "u8" => Referent::Unsized,
            _ => Referent::Other,
        };
    }
    let Some((name, generic)) = type_name(ty) else {
        return Referent::Other;
    };
    if UNSIZED_TYPES.contains(&name.as_str()) && !generic {
        return Referent::Unsized;
    }
    if OWNED_TYPES.contains(&name.as_str()) && !generic {
        return Referent::Owned;
    }
    if name == "Vec" && vec_element(ty).is_some_and(|e| OWNED_ELEMENTS.contains(&e.as_str())) {
        return Referent::Owned;
    }
    Referent::Other
}

/// The last segment's name of a plain type path, and whether it has generic arguments.
/// Only std's spellings count: a bare name or a `std::`/`core::`/`alloc::` path.
fn type_name(ty: &Type) -> Option<(String, bool)> {
    let Type::Path(tp) = ty else { return None };
    if tp.qself.is_some() {
        return None;
    }
    let segments = &tp.path.segments;
    let first = segments.first()?.ident.to_string();
    let std_path = matches!(first.as_str(), "std" | "core" | "alloc");
    if segments.len() > 1 && !std_path {
        return None;
    }
    let last = segments.last()?;
    let generic = !matches!(last.arguments, syn::PathArguments::None);
    Some((last.ident.to_string(), generic))
}

fn vec_element(ty: &Type) -> Option<String> {
    let Type::Path(tp) = ty else { return None };
    let syn::PathArguments::AngleBracketed(args) = &tp.path.segments.last()?.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(elem) => type_name(elem)
            .filter(|(_, generic)| !generic)
            .map(|(name, _)| name),
        _ => None,
    }
}

/// The shape of a variable bound by `let x = init;` with no type written.
pub fn of_init(init: &Expr) -> Shape {
    if whole_file_read(init) {
        return Shape::Owned;
    }
    match crate::syntax::expr::peel(init) {
        Expr::Lit(lit) => match &lit.lit {
            Lit::Str(_) | Lit::ByteStr(_) => Shape::Static,
            Lit::Int(_) | Lit::Float(_) | Lit::Bool(_) | Lit::Char(_) | Lit::Byte(_) => Shape::Copy,
            _ => Shape::Unknown,
        },
        Expr::Macro(m) if m.mac.path.is_ident("format") => Shape::Owned,
        Expr::MethodCall(mc) => match mc.method.to_string().as_str() {
            "to_string" | "to_path_buf" => Shape::Owned,
            "to_owned" if of_init(&mc.receiver) == Shape::Static => Shape::Owned,
            // `Path::join` gives a `PathBuf`, a slice's `join(sep)` a `String`.
            "join" if mc.args.len() == 1 && mc.turbofish.is_none() => Shape::Owned,
            _ => Shape::Unknown,
        },
        Expr::Call(call) => {
            let Some(names) = called_path(call) else {
                return Shape::Unknown;
            };
            match names.iter().map(String::as_str).collect::<Vec<_>>()[..] {
                ["String" | "PathBuf" | "OsString", "from" | "new"] => Shape::Owned,
                ["Duration", ctor] if ctor.starts_with("from_") => Shape::Copy,
                _ => Shape::Unknown,
            }
        }
        _ => Shape::Unknown,
    }
}

/// `tokio::fs::read_to_string(p).await?`, `std::fs::read(p).unwrap()`: a file's whole
/// contents, a `Vec<u8>` or a `String`, once unwrapped (before, it may be a future).
fn whole_file_read(init: &Expr) -> bool {
    let mut expr = crate::syntax::expr::peel(init);
    let mut unwrapped = false;
    loop {
        expr = match expr {
            Expr::Try(e) => {
                unwrapped = true;
                &e.expr
            }
            Expr::Await(e) => &e.base,
            Expr::MethodCall(mc)
                if matches!(mc.method.to_string().as_str(), "unwrap" | "expect") =>
            {
                unwrapped = true;
                &mc.receiver
            }
            _ => break,
        };
    }
    let (true, Expr::Call(call)) = (unwrapped, expr) else {
        return false;
    };
    let Some(names) = called_path(call) else {
        return false;
    };
    // Spelled from the crate root: a bare `fs::read` may be a module of the crate's own.
    matches!(
        names.iter().map(String::as_str).collect::<Vec<_>>()[..],
        [
            "std" | "tokio" | "async_std",
            "fs",
            "read" | "read_to_string"
        ]
    )
}

/// The names along the path a call calls (`std::fs::read(p)`: `std`, `fs`, `read`);
/// `None` when it calls something other than a path (a closure, a field).
fn called_path(call: &syn::ExprCall) -> Option<Vec<String>> {
    let Expr::Path(func) = &*call.func else {
        return None;
    };
    Some(
        (func.path.segments.iter())
            .map(|s| s.ident.to_string())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(text: &str) -> Shape {
        of_type(&syn::parse_str(text).unwrap())
    }

    fn init(text: &str) -> Shape {
        of_init(&syn::parse_str(text).unwrap())
    }

    #[test]
    fn written_types() {
        assert_eq!(ty("&str"), Shape::BorrowsUnsized);
        assert_eq!(ty("&std::path::Path"), Shape::BorrowsUnsized);
        assert_eq!(ty("&[u8]"), Shape::BorrowsUnsized);
        assert_eq!(ty("&'static str"), Shape::Static);
        assert_eq!(ty("&String"), Shape::BorrowsOwned);
        assert_eq!(ty("&mut String"), Shape::Unknown);
        assert_eq!(ty("String"), Shape::Owned);
        assert_eq!(ty("Vec<u8>"), Shape::Owned);
        assert_eq!(ty("Vec<Thing>"), Shape::Unknown);
        assert_eq!(ty("u64"), Shape::Copy);
        assert_eq!(ty("std::time::Duration"), Shape::Copy);
        assert_eq!(ty("my::Duration"), Shape::Unknown);
        assert_eq!(ty("MutexGuard<'_, Vec<u8>>"), Shape::Unknown);
        assert_eq!(ty("P"), Shape::Unknown);
    }

    #[test]
    fn initializers() {
        assert_eq!(init("\"a.toml\""), Shape::Static);
        assert_eq!(init("format!(\"{x}.toml\")"), Shape::Owned);
        assert_eq!(init("dir.join(\"a\")"), Shape::Owned);
        assert_eq!(init("name.to_string()"), Shape::Owned);
        assert_eq!(init("name.to_owned()"), Shape::Unknown);
        assert_eq!(init("tokio::fs::read(p).await?"), Shape::Owned);
        assert_eq!(init("std::fs::read_to_string(p).unwrap()"), Shape::Owned);
        assert_eq!(init("fs::read(p).expect(\"read\")"), Shape::Unknown);
        assert_eq!(init("tokio::fs::read(p)"), Shape::Unknown);
        assert_eq!(init("fs::read_dir(p)?"), Shape::Unknown);
        assert_eq!(init("\"a\".to_owned()"), Shape::Owned);
        assert_eq!(init("PathBuf::from(x)"), Shape::Owned);
        assert_eq!(init("Duration::from_secs(1)"), Shape::Copy);
        assert_eq!(init("m.lock().unwrap()"), Shape::Unknown);
        assert_eq!(init("7"), Shape::Copy);
    }
}
