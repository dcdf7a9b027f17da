//! Inline suppressions: `// unblock: allow(lint) -- reason` comments and the
//! `#[cfg_attr(any(), unblock::allow(lint))]` attribute, and the findings about
//! suppressions themselves (unused, unmet, without a reason, naming no lint).
//!
//! A comment on its own line covers the statement or item that starts on the next code
//! line (the whole item when that is an `fn`, `impl` or `mod`); a trailing comment
//! covers its own line; `allow-file`/`expect-file` cover the file. Comments are found
//! by a scan of the raw text (syn drops them) and given their extent from the syntax
//! tree by line.
use std::collections::BTreeMap;
use std::ops::{Range, RangeInclusive};

use syn::spanned::Spanned;
use syn::visit::{self, Visit};

use crate::catalog::Catalog;
use crate::diagnostic::Diagnostic;
use crate::syntax::source::SourceFile;

/// `allow` is silent when nothing matched; `expect` says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Kind {
    Allow,
    Expect,
}

/// One suppression, with the lines it covers.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Suppression {
    pub kind: Kind,
    pub lints: Vec<String>,
    /// 1-based.
    pub lines: RangeInclusive<usize>,
    /// Where the comment or attribute is, for findings about it.
    pub at: Range<usize>,
    pub has_reason: bool,
}

/// A directive read from a comment, before it is given its extent.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Directive {
    kind: Kind,
    file_wide: bool,
    lints: Vec<String>,
    has_reason: bool,
    /// The comment's byte range and line; whether code precedes it on its line.
    at: Range<usize>,
    line: usize,
    trailing: bool,
}

/// Whether the text can hold a suppression at all (the cheap test first).
pub fn may_have_suppressions(text: &str) -> bool {
    memchr::memmem::find(text.as_bytes(), b"unblock:").is_some()
}

/// Problems with the directives themselves, found while reading them.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Malformed {
    pub at: Range<usize>,
    pub message: String,
}

/// A file's suppressions and the directives it could not read.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize, Clone)]
pub struct FileSuppressions {
    pub list: Vec<Suppression>,
    pub malformed: Vec<Malformed>,
}

impl FileSuppressions {
    pub fn is_empty(&self) -> bool {
        self.list.is_empty() && self.malformed.is_empty()
    }

    /// Removes the findings the suppressions cover and adds the findings about them.
    pub fn apply(
        &self,
        source: &SourceFile,
        diagnostics: &mut Vec<Diagnostic>,
        catalog: &Catalog,
        require_reason: bool,
    ) {
        if self.is_empty() {
            return;
        }
        let about = apply(
            source,
            &self.list,
            &self.malformed,
            diagnostics,
            catalog,
            require_reason,
        );
        diagnostics.extend(about);
        diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }
}

/// The suppressions of a file: its comments (scoped with `ast`) and attributes.
pub fn collect(text: &str, ast: &syn::File) -> FileSuppressions {
    let mut malformed = Vec::new();
    let directives = directives(text, &mut malformed);
    let mut extents = Extents::default();
    extents.visit_file(ast);
    let last_line = text.lines().count().max(1);
    let mut suppressions: Vec<Suppression> = std::mem::take(&mut extents.attributes);
    for d in directives {
        let lines = if d.file_wide {
            1..=last_line
        } else if d.trailing {
            d.line..=d.line
        } else {
            match next_code_line(text, d.line) {
                Some(next) => next..=extents.end_of(next).unwrap_or(next),
                None => continue,
            }
        };
        suppressions.push(Suppression {
            kind: d.kind,
            lints: d.lints,
            lines,
            at: d.at,
            has_reason: d.has_reason,
        });
    }
    FileSuppressions {
        list: suppressions,
        malformed,
    }
}

/// Applies `suppressions` to `diagnostics` (removing what they cover) and returns the
/// findings about the suppressions: unknown lints, missing reasons, unused ones.
fn apply(
    source: &SourceFile,
    suppressions: &[Suppression],
    malformed: &[Malformed],
    diagnostics: &mut Vec<Diagnostic>,
    catalog: &Catalog,
    require_reason: bool,
) -> Vec<Diagnostic> {
    let mut used = vec![false; suppressions.len()];
    diagnostics.retain(|d| {
        let line = source
            .line_col(d.primary.as_ref().map_or(0, |r| r.start))
            .line;
        let mut suppressed = false;
        for (i, s) in suppressions.iter().enumerate() {
            if s.lines.contains(&line) && s.lints.contains(&d.lint) {
                used[i] = true;
                suppressed = true;
            }
        }
        !suppressed
    });
    let mut findings = Vec::new();
    let mut report = |lint: &str, at: &Range<usize>, message: String| {
        let mut diagnostic = Diagnostic::new(lint, catalog.level(lint), message);
        diagnostic.primary = Some(at.clone());
        findings.push(diagnostic);
    };
    for m in malformed {
        report("bad_suppression", &m.at, m.message.clone());
    }
    for (s, used) in suppressions.iter().zip(used) {
        let unknown: Vec<&String> = s
            .lints
            .iter()
            .filter(|l| catalog.lint(l).is_none())
            .collect();
        if !unknown.is_empty() {
            let names: Vec<String> = (unknown.iter())
                .map(|l| match catalog.closest_name(l) {
                    Some(close) => format!("`{l}` — did you mean `{close}`?"),
                    None => format!("`{l}`"),
                })
                .collect();
            report(
                "bad_suppression",
                &s.at,
                format!(
                    "this suppression names no lint of cargo-unblock: {}",
                    names.join(", ")
                ),
            );
            continue;
        }
        if require_reason && !s.has_reason {
            report(
                "bad_suppression",
                &s.at,
                "this suppression gives no reason: add `-- why this is fine` after it".into(),
            );
        }
        if !used {
            let lints: Vec<String> = s.lints.iter().map(|l| format!("`{l}`")).collect();
            let message = match s.kind {
                Kind::Allow => {
                    format!("unused suppression: no {} finding here", lints.join(" or "))
                }
                Kind::Expect => format!(
                    "unfulfilled expectation: no {} finding here",
                    lints.join(" or ")
                ),
            };
            report("unused_suppression", &s.at, message);
        }
    }
    findings
}

/// The `// unblock: ...` comments of `text`.
fn directives(text: &str, malformed: &mut Vec<Malformed>) -> Vec<Directive> {
    let mut out = Vec::new();
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line.len();
        let Some(comment_at) = comment_start(line) else {
            continue;
        };
        let comment = &line[comment_at + 2..];
        let body = comment
            .trim_start_matches('/')
            .trim_start_matches('!')
            .trim();
        let Some(rest) = body.strip_prefix("unblock:") else {
            continue;
        };
        // A second `//` starts a comment on the comment.
        let rest = rest.split("//").next().unwrap_or(rest);
        let at = start + comment_at..start + line.trim_end().len();
        let trailing = !line[..comment_at].trim().is_empty();
        match parse_directive(rest.trim()) {
            Ok((kind, file_wide, lints, has_reason)) => out.push(Directive {
                kind,
                file_wide,
                lints,
                has_reason,
                at,
                line: index + 1,
                trailing,
            }),
            // Doc comments such as `/// unblock: blocking` are declarations, not ours.
            Err(_)
                if body != comment.trim()
                    || rest.trim().starts_with("blocking")
                    || rest.trim().starts_with("nonblocking") => {}
            Err(message) => malformed.push(Malformed { at, message }),
        }
    }
    out
}

/// Where a `//` comment starts on a line, outside string literals (a light check: a
/// quote count before it).
fn comment_start(line: &str) -> Option<usize> {
    let mut search = 0;
    while let Some(found) = line[search..].find("//") {
        let at = search + found;
        let quotes = line[..at].matches('"').count() - line[..at].matches("\\\"").count();
        if quotes.is_multiple_of(2) {
            return Some(at);
        }
        search = at + 2;
    }
    None
}

type Parsed = (Kind, bool, Vec<String>, bool);

/// `allow(a, b) -- reason`, `expect(a)`, `allow-file(a) -- reason`.
fn parse_directive(text: &str) -> Result<Parsed, String> {
    let (head, reason) = match text.split_once("--") {
        Some((head, reason)) => (head.trim(), !reason.trim().is_empty()),
        None => (text.trim(), false),
    };
    let open = head.find('(').ok_or_else(|| {
        format!(
            "cannot read this suppression: write `// unblock: allow(lint) -- reason`, not `{head}`"
        )
    })?;
    let verb = head[..open].trim();
    let (kind, file_wide) = match verb {
        "allow" => (Kind::Allow, false),
        "expect" => (Kind::Expect, false),
        "allow-file" => (Kind::Allow, true),
        "expect-file" => (Kind::Expect, true),
        other => {
            return Err(format!(
            "unknown suppression `{other}`: use `allow`, `expect`, `allow-file` or `expect-file`"
        ))
        }
    };
    let inner = head[open + 1..]
        .strip_suffix(')')
        .ok_or("this suppression's lint list is not closed with `)`")?;
    let lints: Vec<String> = inner
        .split(',')
        .map(|l| l.trim().trim_start_matches("unblock::").to_string())
        .filter(|l| !l.is_empty())
        .collect();
    if lints.is_empty() {
        return Err(
            "this suppression names no lint: write the lints it is for, e.g. `allow(blocking_fs)`"
                .into(),
        );
    }
    Ok((kind, file_wide, lints, reason))
}

/// The first line after `line` with code on it (not blank, not only a comment).
fn next_code_line(text: &str, line: usize) -> Option<usize> {
    text.lines()
        .enumerate()
        .skip(line)
        .find(|(_, l)| {
            let t = l.trim();
            !t.is_empty() && !t.starts_with("//")
        })
        .map(|(i, _)| i + 1)
}

/// The last line of the largest statement or item starting on each line, and the
/// suppressions written as `#[cfg_attr(any(), unblock::allow(..))]`.
#[derive(Default)]
struct Extents {
    end_by_start: BTreeMap<usize, usize>,
    attributes: Vec<Suppression>,
}

impl Extents {
    fn end_of(&self, line: usize) -> Option<usize> {
        self.end_by_start.get(&line).copied()
    }

    fn note(&mut self, node: &dyn Spanned, attrs: &[syn::Attribute]) {
        let span = node.span();
        let (start, end) = (span.start().line, span.end().line);
        let entry = self.end_by_start.entry(start).or_insert(end);
        *entry = (*entry).max(end);
        for attr in attrs {
            if let Some((lints, has_reason)) = cfg_attr_allow(attr) {
                self.attributes.push(Suppression {
                    kind: Kind::Allow,
                    lints,
                    lines: start..=end,
                    at: attr.span().byte_range(),
                    has_reason,
                });
            }
        }
    }
}

impl<'ast> Visit<'ast> for Extents {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        self.note(item, crate::semantic::test_code::item_attrs(item));
        visit::visit_item(self, item);
    }

    fn visit_impl_item(&mut self, item: &'ast syn::ImplItem) {
        let attrs: &[syn::Attribute] = match item {
            syn::ImplItem::Fn(f) => &f.attrs,
            syn::ImplItem::Const(c) => &c.attrs,
            _ => &[],
        };
        self.note(item, attrs);
        visit::visit_impl_item(self, item);
    }

    fn visit_trait_item(&mut self, item: &'ast syn::TraitItem) {
        let attrs: &[syn::Attribute] = match item {
            syn::TraitItem::Fn(f) => &f.attrs,
            _ => &[],
        };
        self.note(item, attrs);
        visit::visit_trait_item(self, item);
    }

    fn visit_stmt(&mut self, stmt: &'ast syn::Stmt) {
        let attrs: &[syn::Attribute] = match stmt {
            syn::Stmt::Local(l) => &l.attrs,
            syn::Stmt::Macro(m) => &m.attrs,
            _ => &[],
        };
        self.note(stmt, attrs);
        visit::visit_stmt(self, stmt);
    }

    fn visit_arm(&mut self, arm: &'ast syn::Arm) {
        self.note(arm, &arm.attrs);
        visit::visit_arm(self, arm);
    }

    fn visit_field_value(&mut self, field: &'ast syn::FieldValue) {
        self.note(field, &field.attrs);
        visit::visit_field_value(self, field);
    }
}

/// `#[cfg_attr(any(), unblock::allow(a, b, reason = ".."))]`: the lints and whether a
/// reason is given.
fn cfg_attr_allow(attr: &syn::Attribute) -> Option<(Vec<String>, bool)> {
    if !attr.path().is_ident("cfg_attr") {
        return None;
    }
    let nested = attr
        .parse_args_with(syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated)
        .ok()?;
    let mut items = nested.iter();
    let condition = items.next()?;
    let never =
        matches!(condition, syn::Meta::List(l) if l.path.is_ident("any") && l.tokens.is_empty());
    if !never {
        return None;
    }
    for meta in items {
        let syn::Meta::List(list) = meta else {
            continue;
        };
        let segments: Vec<String> = list
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        if segments != ["unblock", "allow"] && segments != ["unblock", "expect"] {
            continue;
        }
        let args = list
            .parse_args_with(
                syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
            )
            .ok()?;
        let mut lints = Vec::new();
        let mut has_reason = false;
        for arg in args {
            match arg {
                syn::Meta::Path(p) => {
                    let name = p.segments.last().map(|s| s.ident.to_string())?;
                    lints.push(name);
                }
                syn::Meta::NameValue(nv) if nv.path.is_ident("reason") => has_reason = true,
                _ => {}
            }
        }
        return Some((lints, has_reason));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Parsed, String> {
        parse_directive(text)
    }

    #[test]
    fn reads_directives() {
        assert_eq!(
            parse("allow(blocking_fs, unblock::thread_sleep) -- read once at startup"),
            Ok((
                Kind::Allow,
                false,
                vec!["blocking_fs".into(), "thread_sleep".into()],
                true
            ))
        );
        assert_eq!(
            parse("expect(cpu_loop)"),
            Ok((Kind::Expect, false, vec!["cpu_loop".into()], false))
        );
        assert_eq!(
            parse("allow-file(blocking_fs) -- a CLI"),
            Ok((Kind::Allow, true, vec!["blocking_fs".into()], true))
        );
        assert!(parse("allow() -- x").unwrap_err().contains("names no lint"));
        assert!(parse("deny(x)")
            .unwrap_err()
            .contains("unknown suppression `deny`"));
        assert!(parse("allow(x").unwrap_err().contains("not closed"));
        assert!(parse("please ignore").unwrap_err().contains("cannot read"));
    }

    #[test]
    fn comments_inside_strings_do_not_count() {
        assert_eq!(comment_start(r#"let s = "http://x"; // c"#), Some(20));
        assert_eq!(comment_start(r#"let s = "a // b";"#), None);
    }
}
