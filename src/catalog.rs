//! The lint catalogue: loads `lints/*.toml` (compiled in) and indexes the matchers.
use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use crate::runtime::Runtime;
use crate::types::Ty;

mod sources {
    include!(concat!(env!("OUT_DIR"), "/lints.rs"));
}

/// How loud a lint is: the same three levels rustc uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Allow,
    Warn,
    Deny,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }
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
    #[serde(default, rename = "match")]
    pub matchers: Vec<Matcher>,
    /// Return types of functions and methods, for receiver-type inference.
    #[serde(default)]
    pub types: BTreeMap<String, String>,
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
    /// Replacement templates per runtime key (or `any`).
    #[serde(default)]
    pub suggest: BTreeMap<String, String>,
    /// Rewrites a builder chain by swapping its root constructor.
    #[serde(default)]
    pub rebase: Option<Rebase>,
    /// Whether the `spawn_blocking` rewrite is offered when no template applies.
    #[serde(default = "yes")]
    pub offload: bool,
    /// The `help:` message for this matcher's templates.
    #[serde(default)]
    pub help: Option<String>,
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

/// A matcher that a call hit: which lint, which block, which catalogue path.
#[derive(Debug, Clone, Copy)]
pub struct Hit<'c> {
    pub lint: &'c Lint,
    pub matcher: &'c Matcher,
    pub path: &'c str,
}

/// All lints plus the lookup tables built from them.
pub struct Catalog {
    lints: Vec<Lint>,
    by_path: HashMap<String, (usize, usize)>,
    by_method: HashMap<String, (usize, usize)>,
    by_trait_method: HashMap<String, Vec<TraitMethod>>,
    module_prefixes: std::collections::HashSet<String>,
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
        lints.sort_by(|a, b| a.id.cmp(&b.id));
        let mut catalog = Catalog {
            lints,
            by_path: HashMap::new(),
            by_method: HashMap::new(),
            by_trait_method: HashMap::new(),
            module_prefixes: Default::default(),
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

    pub fn groups(&self) -> Vec<&str> {
        let mut groups: Vec<&str> = self.lints.iter().map(|l| l.group.as_str()).collect();
        groups.sort();
        groups.dedup();
        groups
    }

    /// A call to the function at canonical `path`.
    pub fn match_path(&self, path: &str) -> Option<Hit<'_>> {
        let (key, &(li, mi)) = self.by_path.get_key_value(path)?;
        Some(self.make_hit(li, mi, key))
    }

    /// A method call on a receiver of canonical type `ty`.
    pub fn match_method(&self, ty: &str, method: &str) -> Option<Hit<'_>> {
        let (key, &(li, mi)) = self.by_method.get_key_value(&format!("{ty}::{method}"))?;
        Some(self.make_hit(li, mi, key))
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

    /// The declared return type of a function or `Type::method`.
    pub fn return_type(&self, callee: &str) -> Option<&Ty> {
        self.returns.get(callee)
    }
}

/// A trait method the catalogue matches: `full` is `Trait::method`.
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
