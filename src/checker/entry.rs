//! The runtime entry attributes (`#[tokio::main]` and its kin) and what their flavor
//! says about where the entry fn's own future runs.
use syn::Attribute;

/// The runtime's entry fn: `#[tokio::main]`, `#[actix_web::main]` and the like, also
/// behind `#[cfg_attr(feature = "..", tokio::main)]`, and the test attributes that
/// build a runtime per test (`#[tokio::test]`).
pub(super) fn runtime_entry(attrs: &[Attribute]) -> bool {
    const RUNTIMES: &[&str] = &[
        "tokio",
        "actix_web",
        "actix_rt",
        "async_std",
        "ntex",
        "rocket",
    ];
    main_attrs(attrs).any(|entry| RUNTIMES.contains(&entry.runtime.as_str()))
}

/// `#[tokio::main(flavor = "current_thread")]`, or `#[tokio::test]` (whose default
/// flavor that is): the fn's future is the runtime's only task until it spawns one.
pub(super) fn sole_task_entry(attrs: &[Attribute]) -> bool {
    main_attrs(attrs).any(|entry| entry.runtime == "tokio" && !entry.multi_thread())
}

/// `#[tokio::main]` with the multi-thread runtime (its default flavor), or
/// `#[async_std::main]`: the runtime runs this fn's own future with `block_on` on the
/// calling thread, and spawned tasks on threads of their own.
pub(super) fn main_thread_entry(attrs: &[Attribute]) -> bool {
    main_attrs(attrs).any(|entry| {
        (entry.runtime == "tokio" && entry.multi_thread()) || entry.runtime == "async_std"
    })
}

/// A `<runtime>::main` or `<runtime>::test` attribute.
struct Entry {
    runtime: String,
    test: bool,
    args: String,
}

impl Entry {
    /// Whether tokio runs it on its multi-thread runtime: `main` unless it asks for
    /// the current thread, `test` only when it asks for the multi-thread one.
    fn multi_thread(&self) -> bool {
        match self.test {
            true => self.args.contains("multi_thread"),
            false => !self.args.contains("current_thread"),
        }
    }
}

/// The `<runtime>::main` and `<runtime>::test` attributes among `attrs`, written
/// directly or inside `cfg_attr`.
fn main_attrs(attrs: &[Attribute]) -> impl Iterator<Item = Entry> + '_ {
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

fn main_attr(meta: &syn::Meta) -> Option<Entry> {
    let segments = &meta.path().segments;
    let test = segments.len() == 2 && segments[1].ident == "test";
    if segments.len() != 2 || !(test || segments[1].ident == "main") {
        return None;
    }
    let args = match meta {
        syn::Meta::List(list) => list.tokens.to_string(),
        _ => String::new(),
    };
    let runtime = segments[0].ident.to_string();
    // Test attributes that build a tokio runtime per test: `#[sqlx::test]` (a
    // current-thread one), `#[test_log::test(tokio::test)]` (what it wraps says).
    let runtime = match runtime.as_str() {
        "sqlx" if test => "tokio".to_string(),
        "test_log" if test && args.replace(' ', "").starts_with("tokio::test") => {
            "tokio".to_string()
        }
        _ => runtime,
    };
    Some(Entry {
        runtime,
        test,
        args,
    })
}
