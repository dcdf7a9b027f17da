//! What inference knows of methods by their name alone: the methods of `Option` and
//! `Result`, and the ones that hand back their receiver's type.

/// A method of `Option` or `Result` (not `unwrap`/`expect`, handled before).
pub fn wrapper_method(method: &str) -> bool {
    matches!(
        method,
        "map"
            | "map_or"
            | "map_or_else"
            | "and_then"
            | "or_else"
            | "or"
            | "and"
            | "filter"
            | "iter"
            | "is_some"
            | "is_none"
            | "is_ok"
            | "is_err"
            | "ok"
            | "err"
            | "flatten"
            | "transpose"
            | "unwrap_or"
            | "unwrap_or_else"
            | "unwrap_or_default"
            | "inspect"
            | "zip"
            | "copied"
            | "cloned"
            | "as_deref"
            | "get_or_insert_with"
            | "replace"
    )
}

pub fn keeps_type(receiver: &str, method: &str) -> bool {
    const SAME_ITEMS: &[&str] = &[
        "iter",
        "iter_mut",
        "into_iter",
        "drain",
        "filter",
        "skip_while",
        "take_while",
        "inspect",
        "skip",
        "take",
        "rev",
    ];
    matches!(method, "as_ref" | "as_mut" | "into" | "borrow" | "take")
        || (receiver.starts_with("std::vec::Vec<") && SAME_ITEMS.contains(&method))
}
