//! The lint catalogue: loads `lints/*.toml` (compiled in) and indexes the matchers.
use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

pub mod names;
pub mod runtime;
pub mod ty;

use crate::diagnostic::Level;
use runtime::Runtime;
use ty::Ty;

mod sources {
    include!(concat!(env!("OUT_DIR"), "/lints.rs"));
}

/// One lint as written in its data file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lint {
    pub id: String,
    pub group: String,
    pub level: Level,
    pub summary: String,
    /// The diagnostic's headline; `{callee}` is the matched path.
    #[serde(default)]
    pub message: Option<String>,
    /// Primary label under the flagged call.
    #[serde(default)]
    pub label: Option<String>,
    pub explanation: String,
    /// Whether a sync fn making such a call blocks its async callers; see `propagates`.
    #[serde(default)]
    pub transitive: Option<bool>,
    #[serde(default, rename = "match")]
    pub matchers: Vec<Matcher>,
    /// Return types of functions and methods, for receiver-type inference.
    #[serde(default)]
    pub types: BTreeMap<String, String>,
}

impl Lint {
    /// Whether a sync fn that makes a call of this lint blocks its async callers
    /// (`transitive_blocking`): unless the lint says, those of the `blocking` and
    /// `correctness` groups do, the `cpu` ones (a loop is not slow by itself) do not.
    pub fn propagates(&self) -> bool {
        let by_group = matches!(self.group.as_str(), "blocking" | "correctness");
        self.transitive.unwrap_or(by_group) && self.level != Level::Allow
    }
}

/// One `[[match]]` block: the calls it matches and how to rewrite them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Matcher {
    /// Free or associated functions, by canonical path.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Methods as `Type::method`, matched on the inferred receiver type.
    #[serde(default)]
    pub methods: Vec<String>,
    /// Trait methods as `Trait::method`, matched when that trait is imported.
    #[serde(default)]
    pub trait_methods: Vec<String>,
    /// Method names unambiguous enough to match whatever the receiver (`blocking_recv`).
    #[serde(default)]
    pub methods_any: Vec<String>,
    /// Types that block on every item when iterated by a `for` loop.
    #[serde(default)]
    pub iterate: Vec<String>,
    /// Macros, by name (`println`), resolved to the standard library's.
    #[serde(default)]
    pub macros: Vec<String>,
    /// For `paths`: count the call only when its first argument has one of these types.
    #[serde(default)]
    pub first_arg_types: Vec<String>,
    /// The call blocks only when its address needs a DNS lookup (`TcpListener::bind`,
    /// `to_socket_addrs`): not counted when the address (a path's first argument, a
    /// method's receiver) is a `SocketAddr` or an IP-address literal.
    #[serde(default)]
    pub only_with_lookup: bool,
    /// Overrides the lint's headline for this matcher; `{callee}` is the matched path.
    #[serde(default)]
    pub message: Option<String>,
    /// A look-alike (`diesel_async::RunQueryDsl::load`): matched, so that a blocking API
    /// with the same method is not assumed in its place, but never reported.
    #[serde(default)]
    pub ignore: bool,
    /// Replacement templates per runtime key (or `any`).
    #[serde(default)]
    pub suggest: BTreeMap<String, String>,
    /// Rewrites a builder chain by swapping its root constructor.
    #[serde(default)]
    pub rebase: Option<Rebase>,
    /// Whether the `spawn_blocking` rewrite is offered when no template applies.
    #[serde(default = "yes")]
    pub offload: bool,
    /// Whether, on tokio, `block_in_place(|| call)` is offered when neither a template nor
    /// the `spawn_blocking` rewrite applies (it keeps borrows working; multi-thread
    /// runtime only). Off where running the call in place would not help.
    #[serde(default = "yes")]
    pub in_place: bool,
    /// The template's result has another type than the call's (`tokio::net::TcpStream`
    /// for `std::net::TcpStream`): the code after the call changes too, so the template
    /// is advice, never an edit.
    #[serde(default)]
    pub changes_type: bool,
    /// The `help:` message for this matcher's templates.
    #[serde(default)]
    pub help: Option<String>,
    /// The template's result has the call's type and the same meaning, so the rewrite
    /// compiles wherever the call did, given the runtime features (checked against the
    /// package's) and no std lock guard alive across the new `.await` (checked too):
    /// `--fix` and rustfix apply it without asking.
    #[serde(default)]
    pub machine_applicable: bool,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Rebase {
    pub from: String,
    #[serde(flatten)]
    pub to: BTreeMap<String, String>,
}

fn yes() -> bool {
    true
}

impl Matcher {
    /// The template for `runtime`, falling back to the runtime-neutral `any`.
    pub fn template(&self, runtime: Runtime) -> Option<&str> {
        runtime
            .key()
            .and_then(|key| self.suggest.get(key))
            .or_else(|| self.suggest.get("any"))
            .map(String::as_str)
    }
}

/// A function the configuration declares blocking (one `[[blocking]]` entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredBlocking {
    /// `legacy_sdk::Client::fetch` (a fn, or a method as `Type::method`).
    pub path: String,
    pub message: Option<String>,
    /// An async replacement template (`{args}`, `{receiver}`, `{0}`.. as in `lints/`).
    pub suggest: Option<String>,
}

/// A matcher that a call hit: which lint, which block, which catalogue path.
#[derive(Debug, Clone, Copy)]
pub struct Hit<'c> {
    pub lint: &'c Lint,
    pub matcher: &'c Matcher,
    pub path: &'c str,
}

/// All lints plus the lookup tables built from them.
#[derive(Debug)]
pub struct Catalog {
    lints: Vec<Lint>,
    by_path: HashMap<String, (usize, usize)>,
    by_method: HashMap<String, (usize, usize)>,
    by_trait_method: HashMap<String, Vec<TraitMethod>>,
    by_method_any: HashMap<String, (usize, usize)>,
    by_iterate: HashMap<String, (usize, usize)>,
    by_macro: HashMap<String, (usize, usize)>,
    module_prefixes: std::collections::HashSet<String>,
    /// The capitalised segments of those paths: the names of the types it knows.
    type_names: std::collections::HashSet<String>,
    returns: HashMap<String, Ty>,
}

impl Catalog {
    /// The catalogue compiled into this binary.
    pub fn builtin() -> &'static Catalog {
        static CATALOG: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
        CATALOG.get_or_init(|| {
            Catalog::from_sources(sources::LINT_SOURCES.iter().copied())
                .unwrap_or_else(|err| panic!("built-in lint catalogue is invalid: {err}"))
        })
    }

    /// Builds a catalogue from `(file name, toml text)` pairs.
    pub fn from_sources<'a>(
        sources: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Catalog, String> {
        Catalog::from_lints(parse_sources(sources)?)
    }

    /// The built-in catalogue plus the functions a configuration declares blocking,
    /// as matchers of `declared_blocking`.
    pub fn with_declared(declared: &[DeclaredBlocking]) -> Result<Catalog, String> {
        let mut lints = parse_sources(sources::LINT_SOURCES.iter().copied())?;
        let lint = lints
            .iter_mut()
            .find(|l| l.id == "declared_blocking")
            .ok_or("the catalogue lacks `declared_blocking`")?;
        let builtin = Catalog::builtin();
        for entry in declared {
            if let Some(hit) = builtin.match_path(&entry.path) {
                return Err(format!(
                    "`{}` is already reported by `{}`",
                    entry.path, hit.lint.id
                ));
            }
            let mut table = toml::Table::new();
            let path = toml::Value::from(entry.path.clone());
            table.insert("paths".into(), toml::Value::Array(vec![path.clone()]));
            if entry.path.matches("::").count() >= 2 {
                table.insert("methods".into(), toml::Value::Array(vec![path]));
            }
            if let Some(message) = &entry.message {
                table.insert(
                    "message".into(),
                    format!("`{{callee}}` blocks: {message}").into(),
                );
            }
            if let Some(template) = &entry.suggest {
                let mut suggest = toml::Table::new();
                suggest.insert("any".into(), template.clone().into());
                table.insert("suggest".into(), suggest.into());
            }
            let matcher = Matcher::deserialize(toml::Value::Table(table))
                .map_err(|e| format!("`{}`: {e}", entry.path))?;
            lint.matchers.push(matcher);
        }
        Catalog::from_lints(lints)
    }

    fn from_lints(mut lints: Vec<Lint>) -> Result<Catalog, String> {
        lints.sort_by(|a, b| a.id.cmp(&b.id));
        let mut catalog = Catalog {
            lints,
            by_path: HashMap::new(),
            by_method: HashMap::new(),
            by_trait_method: HashMap::new(),
            by_method_any: HashMap::new(),
            by_iterate: HashMap::new(),
            by_macro: HashMap::new(),
            module_prefixes: Default::default(),
            type_names: Default::default(),
            returns: HashMap::new(),
        };
        catalog.index()?;
        Ok(catalog)
    }

    fn index(&mut self) -> Result<(), String> {
        for (li, lint) in self.lints.iter().enumerate() {
            for (mi, matcher) in lint.matchers.iter().enumerate() {
                for path in &matcher.paths {
                    insert_unique(&mut self.by_path, path, (li, mi), &lint.id)?;
                }
                for method in &matcher.methods {
                    insert_unique(&mut self.by_method, method, (li, mi), &lint.id)?;
                }
                for method in &matcher.methods_any {
                    insert_unique(&mut self.by_method_any, method, (li, mi), &lint.id)?;
                }
                for ty in &matcher.iterate {
                    insert_unique(&mut self.by_iterate, ty, (li, mi), &lint.id)?;
                }
                for name in &matcher.macros {
                    insert_unique(&mut self.by_macro, name, (li, mi), &lint.id)?;
                }
                for tm in &matcher.trait_methods {
                    let (trait_path, method) = tm
                        .rsplit_once("::")
                        .ok_or_else(|| format!("lints/{}: bad trait method `{tm}`", lint.id))?;
                    self.by_trait_method
                        .entry(method.to_string())
                        .or_default()
                        .push(TraitMethod {
                            trait_path: trait_path.to_string(),
                            full: tm.clone(),
                            lint: li,
                            matcher: mi,
                        });
                }
            }
            for (callee, ty) in &lint.types {
                let parsed = Ty::parse(ty)
                    .ok_or_else(|| format!("lints/{}: bad type `{ty}` for `{callee}`", lint.id))?;
                self.returns.insert(callee.clone(), parsed);
            }
        }
        // Templates a user declared may name whatever crate the user depends on.
        for lint in self.lints.iter().filter(|l| l.id != "declared_blocking") {
            for matcher in &lint.matchers {
                check_template_crates(lint, matcher)?;
            }
        }
        for (callee, ty) in Self::OFFLOAD_TYPES {
            self.returns.insert(
                callee.to_string(),
                Ty::parse(ty).expect("valid builtin type"),
            );
        }
        let all_paths: Vec<String> = self
            .by_path
            .keys()
            .chain(self.by_method.keys())
            .chain(
                self.by_trait_method
                    .values()
                    .flatten()
                    .map(|t| &t.trait_path),
            )
            .chain(self.returns.keys())
            .cloned()
            .collect();
        for path in all_paths {
            let mut prefix = String::new();
            for segment in path.split("::") {
                if !prefix.is_empty() {
                    prefix.push_str("::");
                }
                prefix.push_str(segment);
                self.module_prefixes.insert(prefix.clone());
                if segment.starts_with(|c: char| c.is_ascii_uppercase()) {
                    self.type_names.insert(segment.to_string());
                }
            }
        }
        Ok(())
    }

    /// Return types the offload APIs need, which no lint declares.
    const OFFLOAD_TYPES: &'static [(&'static str, &'static str)] = &[
        ("std::thread::Builder::new", "std::thread::Builder"),
        ("std::thread::Builder::name", "std::thread::Builder"),
        ("std::thread::Builder::stack_size", "std::thread::Builder"),
        ("rayon::ThreadPoolBuilder::new", "rayon::ThreadPoolBuilder"),
        (
            "rayon::ThreadPoolBuilder::num_threads",
            "rayon::ThreadPoolBuilder",
        ),
        (
            "rayon::ThreadPoolBuilder::build",
            "Result<rayon::ThreadPool>",
        ),
    ];

    pub fn lints(&self) -> &[Lint] {
        &self.lints
    }

    pub fn lint(&self, id: &str) -> Option<&Lint> {
        self.lints.iter().find(|lint| lint.id == id)
    }

    /// The default level of the lint `id` (warn for an id the catalogue lacks).
    pub fn level(&self, id: &str) -> Level {
        self.lint(id).map_or(Level::Warn, |lint| lint.level)
    }

    pub fn groups(&self) -> Vec<&str> {
        let mut groups: Vec<&str> = self.lints.iter().map(|l| l.group.as_str()).collect();
        groups.sort();
        groups.dedup();
        groups
    }

    /// A call to the function at canonical `path`.
    pub fn match_path(&self, path: &str) -> Option<Hit<'_>> {
        self.lookup(&self.by_path, path)
    }

    /// A method call on a receiver of canonical type `ty`.
    pub fn match_method(&self, ty: &str, method: &str) -> Option<Hit<'_>> {
        self.lookup(&self.by_method, &format!("{ty}::{method}"))
    }

    /// A method whose name alone says it blocks.
    pub fn match_method_any(&self, method: &str) -> Option<Hit<'_>> {
        self.lookup(&self.by_method_any, method)
    }

    /// A `for` loop over a value of canonical type `ty`.
    pub fn match_iterate(&self, ty: &str) -> Option<Hit<'_>> {
        self.lookup(&self.by_iterate, ty)
    }

    /// A standard-library macro by name.
    pub fn match_macro(&self, name: &str) -> Option<Hit<'_>> {
        self.lookup(&self.by_macro, name)
    }

    /// Trait methods named `method`: `(trait path, hit)` for each.
    pub fn trait_methods(&self, method: &str) -> impl Iterator<Item = (&str, Hit<'_>)> {
        self.by_trait_method
            .get(method)
            .into_iter()
            .flatten()
            .map(move |t| {
                (
                    t.trait_path.as_str(),
                    self.make_hit(t.lint, t.matcher, &t.full),
                )
            })
    }

    fn lookup<'c>(
        &'c self,
        table: &'c HashMap<String, (usize, usize)>,
        key: &str,
    ) -> Option<Hit<'c>> {
        let (key, &(li, mi)) = table.get_key_value(key)?;
        Some(self.make_hit(li, mi, key))
    }

    fn make_hit<'c>(&'c self, li: usize, mi: usize, path: &'c str) -> Hit<'c> {
        let lint = &self.lints[li];
        Hit {
            lint,
            matcher: &lint.matchers[mi],
            path,
        }
    }

    /// Whether `path` is a module or item the catalogue knows about (or a prefix of one).
    pub fn knows_prefix(&self, path: &str) -> bool {
        self.module_prefixes.contains(path)
    }

    /// Whether `name` is the name of a type the catalogue knows (`PathBuf`, `File`).
    pub fn names_type(&self, name: &str) -> bool {
        self.type_names.contains(name)
    }

    /// The declared return type of a function or `Type::method`.
    pub fn return_type(&self, callee: &str) -> Option<&Ty> {
        self.returns.get(callee)
    }
}

/// Reads `(file name, toml text)` pairs; each file's lint id must match its name.
fn parse_sources<'a>(
    sources: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<Vec<Lint>, String> {
    let mut lints = Vec::new();
    for (name, text) in sources {
        let lint: Lint = toml::from_str(text).map_err(|e| format!("lints/{name}: {e}"))?;
        if format!("{}.toml", lint.id) != name {
            return Err(format!(
                "lints/{name}: id `{}` must match the file name",
                lint.id
            ));
        }
        lints.push(lint);
    }
    Ok(lints)
}

/// A suggestion may only name crates the package is known to depend on: the runtime
/// its template is for, the crate of the call it replaces, or `std`.
fn check_template_crates(lint: &Lint, matcher: &Matcher) -> Result<(), String> {
    let matched = matcher
        .paths
        .iter()
        .chain(&matcher.methods)
        .chain(&matcher.trait_methods)
        .chain(matcher.rebase.iter().map(|r| &r.from));
    let mut allowed: Vec<&str> = matched.filter_map(|p| p.split("::").next()).collect();
    allowed.push("std");
    let templates = matcher
        .suggest
        .iter()
        .chain(matcher.rebase.iter().flat_map(|r| &r.to));
    for (key, template) in templates {
        let runtime_crate = match key.as_str() {
            "tokio" => "tokio",
            "async-std" => "async_std",
            "smol" => "smol",
            "actix" => "actix_rt",
            "any" => "std",
            other => return Err(format!("lints/{}: unknown runtime key `{other}`", lint.id)),
        };
        for name in crate_prefixes(template) {
            if name != runtime_crate && !allowed.contains(&name) {
                return Err(format!(
                    "lints/{}: the `{key}` template names crate `{name}`, which a package on that \
                     runtime need not depend on",
                    lint.id
                ));
            }
        }
    }
    Ok(())
}

/// The first segment of every path in a template (`tokio` in `tokio::fs::read(..)`).
fn crate_prefixes(template: &str) -> Vec<&str> {
    let bytes = template.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if is_ident(bytes[i]) && (i == 0 || !(is_ident(bytes[i - 1]) || bytes[i - 1] == b':')) {
            let start = i;
            while i < bytes.len() && is_ident(bytes[i]) {
                i += 1;
            }
            let word = &template[start..i];
            let primitive = matches!(
                word,
                "u8" | "u16"
                    | "u32"
                    | "u64"
                    | "u128"
                    | "usize"
                    | "i8"
                    | "i16"
                    | "i32"
                    | "i64"
                    | "i128"
                    | "isize"
                    | "f32"
                    | "f64"
                    | "bool"
                    | "char"
                    | "str"
            );
            if template[i..].starts_with("::")
                && !word.starts_with(char::is_uppercase)
                && !primitive
            {
                out.push(&template[start..i]);
            }
        } else {
            i += 1;
        }
    }
    out
}

/// A trait method the catalogue matches: `full` is `Trait::method`.
#[derive(Debug)]
struct TraitMethod {
    trait_path: String,
    full: String,
    lint: usize,
    matcher: usize,
}

fn insert_unique(
    map: &mut HashMap<String, (usize, usize)>,
    key: &str,
    value: (usize, usize),
    lint: &str,
) -> Result<(), String> {
    if map.insert(key.to_string(), value).is_some() {
        return Err(format!(
            "lints/{lint}: `{key}` is matched twice in the catalogue"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
