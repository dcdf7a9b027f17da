//! Which code is test code: `#[test]`-style fns and `#[cfg(test)]` items.
use syn::punctuated::Punctuated;
use syn::{Attribute, Item};

/// `#[test]`, `#[tokio::test]`, `#[rstest]`-style test fns and `#[cfg(test)]` items.
pub fn is_test_attr(attr: &Attribute) -> bool {
    let path = attr.path();
    let last = path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default();
    if matches!(last.as_str(), "test" | "rstest" | "test_case" | "bench") {
        return true;
    }
    if path.is_ident("cfg") {
        return attr
            .parse_args::<syn::Meta>()
            .is_ok_and(|meta| cfg_requires_test(&meta));
    }
    false
}

/// Whether a cfg predicate can only hold in test builds (`test`, `all(test, ..)`).
fn cfg_requires_test(meta: &syn::Meta) -> bool {
    match meta {
        syn::Meta::Path(p) => p.is_ident("test"),
        syn::Meta::List(list) if list.path.is_ident("all") => list
            .parse_args_with(Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated)
            .is_ok_and(|items| items.iter().any(cfg_requires_test)),
        _ => false,
    }
}

/// The attributes of any item.
pub fn item_attrs(item: &Item) -> &[Attribute] {
    match item {
        Item::Const(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::ExternCrate(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::ForeignMod(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        Item::Mod(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::TraitAlias(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Union(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        _ => &[],
    }
}
