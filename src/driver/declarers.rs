//! Which unchecked files of a package declare a struct, a type alias or a free fn of
//! a name: a byte search instead of a parse.
use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use super::check::Outcome;
use super::workspace::ScanFile;
use crate::catalog::ty::LOCAL_TYPE_PREFIX;
use crate::catalog::Catalog;
use crate::semantic::struct_fields::{ALIAS_FIELD, FN_SUFFIX};
use crate::syntax::source;

/// The package's unchecked files (of `members`, indices into `selected`) by the names
/// of the structs they declare, from a byte search (`struct Name`).
pub(super) fn struct_declarers(
    members: &[usize],
    selected: &[&ScanFile],
    outcomes: &[Outcome],
    catalog: &Catalog,
) -> HashMap<String, Vec<usize>> {
    let found: Vec<(usize, Vec<String>)> = members
        .par_iter()
        .filter(|&&i| !outcomes[i].parsed)
        .filter_map(|&i| {
            let text = source::read_text(&selected[i].path).ok()?;
            let names = declared_structs(&text, |word| catalog.names_type(word));
            (!names.is_empty()).then_some((i, names))
        })
        .collect();
    // The package's own types: what the unchecked files declare, and what the checked
    // ones noted. A fn that returns one (`fn open(..) -> Lru`) is worth a parse too.
    let own_types: HashSet<&str> = (found.iter())
        .flat_map(|(_, names)| names.iter())
        .map(String::as_str)
        .chain((members.iter()).flat_map(|&i| {
            // Structs only: not a type alias (`type Result<T> = ..`, one `=` field),
            // nor a fn's return (`name()`).
            let known = outcomes[i].facts().map(|f| &f.struct_fields);
            let structs = known.into_iter().flatten().filter(|(_, fields)| {
                fields
                    .as_ref()
                    .is_some_and(|f| !f.contains_key(ALIAS_FIELD))
            });
            structs.filter_map(|(key, _)| key.strip_prefix(LOCAL_TYPE_PREFIX))
        }))
        // Not `type Name`, `name()` nor `name() -> Word`: a struct's or an enum's name.
        .filter(|name| !name.contains([' ', '(']))
        .collect();
    let mut declarers: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, names) in &found {
        for name in names {
            let name = match name.split_once(FN_RETURNS_KEY) {
                Some((fn_name, word)) if own_types.contains(word) => {
                    format!("{fn_name}{FN_OWN_KEY}")
                }
                Some(_) => continue,
                None => name.clone(),
            };
            let files = declarers.entry(name).or_default();
            if files.last() != Some(i) {
                files.push(*i);
            }
        }
    }
    declarers
}

/// The names after each `struct ` keyword of `text`, after each `type ` keyword as
/// `type Name` (in comments too: a name met there only makes it ambiguous, which is the
/// silent side), and after each `fn ` keyword that returns something as `name()`, and
/// again as `name() ->` when what it returns names a type the catalogue knows
/// (`known_type`), or else as `name() -> Word` for each capitalised word it returns
/// (which `struct_declarers` keeps as `name() ->` when the package declares `Word`):
/// only such a fn is worth a parse of its file.
pub(super) fn declared_structs(text: &str, known_type: impl Fn(&str) -> bool) -> Vec<String> {
    let bytes = text.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let names_after = |keyword: &'static str| {
        memchr::memmem::find_iter(bytes, keyword.as_bytes())
            .filter(|&at| at == 0 || !ident(bytes[at - 1]))
            .filter_map(move |at| {
                let start = at + keyword.len();
                let len = bytes[start..].iter().take_while(|&&b| ident(b)).count();
                (len > 0).then_some((start, start + len))
            })
    };
    // What a fn's signature says it returns, if anything.
    let returned = |end: usize| {
        let rest = &text[end..];
        let signature = &rest[..rest.find(['{', ';']).unwrap_or(rest.len())];
        signature.split_once("->").map(|(_, returned)| returned)
    };
    // An enum counts as a struct of its name: a struct of that name elsewhere is
    // then not known to be the one meant.
    let mut names: Vec<String> = names_after("struct ")
        .chain(names_after("enum "))
        .map(|(start, end)| text[start..end].to_string())
        .chain(names_after("type ").map(|(start, end)| format!("{ALIAS_KEY}{}", &text[start..end])))
        .collect();
    for (start, end) in names_after("fn ") {
        let Some(returned) = returned(end) else {
            continue;
        };
        let name = format!("{}{FN_SUFFIX}", &text[start..end]);
        let words = returned.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
        let words: Vec<&str> = words
            .filter(|w| w.starts_with(char::is_uppercase))
            .collect();
        if words.iter().any(|w| known_type(w)) {
            names.push(format!("{name}{FN_KNOWN_KEY}"));
        } else {
            // Maybe one of the package's own types: `struct_declarers` tells.
            let returns = words.iter().map(|w| format!("{name}{FN_RETURNS_KEY}{w}"));
            names.extend(returns);
        }
        names.push(name);
    }
    names
}

/// How `struct_declarers` keys the files whose fn of a name returns a known type.
pub(super) const FN_KNOWN_KEY: &str = " ->";

/// How `struct_declarers` keys the files whose fn of a name returns one of the
/// package's own types: worth a parse for a free fn only (`open()`); for an associated
/// fn (`Lru::new()`) every `fn new` of the package that returns a type of its own would
/// be parsed, most files of a large crate.
const FN_OWN_KEY: &str = " -> own";

/// The files whose free fn `name` (`open()`) returns a type the catalogue knows or one
/// of the package's own.
pub(super) fn returns_from<'a>(name: &str, files: impl Fn(&str) -> &'a [usize]) -> Vec<usize> {
    let known = files(&format!("{name}{FN_KNOWN_KEY}"));
    known
        .iter()
        .chain(files(&format!("{name}{FN_OWN_KEY}")))
        .copied()
        .collect()
}

/// How `declared_structs` notes a type a fn's return names, for `struct_declarers` to
/// tell whether it is the package's own (`open() -> Lru`).
const FN_RETURNS_KEY: &str = " -> ";

/// How `struct_declarers` keys the files that declare a type alias of a name.
pub(super) const ALIAS_KEY: &str = "type ";

/// How many files may mention `type Name` before it is not worth parsing them all to
/// tell whether they declare the same alias (associated types and prose count too).
pub(super) const MAX_ALIAS_DECLARERS: usize = 3;

#[cfg(test)]
mod tests {
    use super::declared_structs;

    #[test]
    fn fns_that_return_something_count_and_are_marked_when_the_type_is_known() {
        let text = "pub struct Conf { }\ntype Shared = u8;\n\
                    pub fn path(name: &str) -> std::io::Result<PathBuf> { todo!() }\n\
                    fn count() -> usize { 0 }\nfn unit() { }\n\
                    fn open<T>(x: T) -> File where T: Sized;";
        let names = declared_structs(text, |w| w == "PathBuf" || w == "File");
        let expected = [
            "Conf",
            "type Shared",
            "path() ->",
            "path()",
            "count()",
            "open() ->",
            "open()",
        ];
        assert_eq!(names, expected);
    }
}
