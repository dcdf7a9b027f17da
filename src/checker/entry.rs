//! The runtime entry attributes (`#[tokio::main]` and its kin) and what their flavor
//! says about where the entry fn's own future runs.
use syn::Attribute;

/// The runtime's entry fn: `#[tokio::main]`, `#[actix_web::main]` and the like, also
/// behind `#[cfg_attr(feature = "..", tokio::main)]`.
pub(super) fn runtime_entry(attrs: &[Attribute]) -> bool {
    const RUNTIMES: &[&str] = &[
        "tokio",
        "actix_web",
        "actix_rt",
        "async_std",
        "ntex",
        "rocket",
    ];
    main_attrs(attrs).any(|(runtime, _)| RUNTIMES.contains(&runtime.as_str()))
}

/// `#[tokio::main(flavor = "current_thread")]`: the fn's future is the runtime's only
/// task until it spawns one.
pub(super) fn sole_task_entry(attrs: &[Attribute]) -> bool {
    main_attrs(attrs).any(|(runtime, args)| runtime == "tokio" && args.contains("current_thread"))
}

/// `#[tokio::main]` with the multi-thread runtime (its default flavor), or
/// `#[async_std::main]`: the runtime runs this fn's own future with `block_on` on the
/// calling thread, and spawned tasks on threads of their own.
pub(super) fn main_thread_entry(attrs: &[Attribute]) -> bool {
    main_attrs(attrs).any(|(runtime, args)| {
        (runtime == "tokio" && !args.contains("current_thread")) || runtime == "async_std"
    })
}

/// The `<runtime>::main` attributes among `attrs`, written directly or inside
/// `cfg_attr`, as the runtime's name and the attribute's arguments.
fn main_attrs(attrs: &[Attribute]) -> impl Iterator<Item = (String, String)> + '_ {
    attrs.iter().flat_map(|attr| {
        if !attr.path().is_ident("cfg_attr") {
            return main_attr(&attr.meta).into_iter().collect::<Vec<_>>();
        }
        let nested = attr.parse_args_with(
            syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
        );
        // The first item is the condition; the attributes follow it.
        let metas = nested.map(|n| n.into_iter().skip(1).collect::<Vec<_>>());
        metas
            .unwrap_or_default()
            .iter()
            .filter_map(main_attr)
            .collect()
    })
}

fn main_attr(meta: &syn::Meta) -> Option<(String, String)> {
    let segments = &meta.path().segments;
    if segments.len() != 2 || segments[1].ident != "main" {
        return None;
    }
    let args = match meta {
        syn::Meta::List(list) => list.tokens.to_string(),
        _ => String::new(),
    };
    Some((segments[0].ident.to_string(), args))
}
