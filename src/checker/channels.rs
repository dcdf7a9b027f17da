//! Sync channel receivers whose every sender is gone: after
//! `let (tx, rx) = channel(); produce(tx).await;`, the awaited call owned the only
//! sender and has dropped it, so reading `rx` only drains what was sent; it never waits.
use std::collections::HashMap;

use syn::{Expr, Pat};

use super::visitor::Checker;
use crate::catalog::ty::Ty;
use crate::syntax::expr::peel;

/// Sender variable → its receiver and where the `let` that made them starts, for the
/// channels a fn body creates.
pub(super) type ChannelPairs = HashMap<String, (String, usize)>;

impl Checker<'_, '_> {
    /// `let (tx, rx) = <a channel constructor>`: remembers which receiver `tx` feeds.
    pub(super) fn note_channel(&mut self, pat: &Pat, ty: Option<&Ty>, at: usize) {
        let (Pat::Tuple(tuple), Some(ty)) = (pat, ty) else {
            return;
        };
        let names: Vec<Option<String>> = tuple.elems.iter().map(ident_of).collect();
        let (Some(Some(sender)), Some(Some(receiver))) = (names.first(), names.get(1)) else {
            return;
        };
        let is = |index: usize, suffix: &str| {
            (ty.element(index)
                .as_ref()
                .and_then(|t| t.plain().map(String::from)))
            .is_some_and(|path| path.split('<').next().unwrap_or_default().ends_with(suffix))
        };
        if names.len() == 2 && is(0, "Sender") && is(1, "Receiver") {
            (self.channel_pairs).insert(sender.clone(), (receiver.clone(), at));
        }
    }

    /// An awaited call (at `await_at`) that takes a sender by value, not cloned since
    /// the channel was made: once it returns, the sender is gone, and its receiver's
    /// reads can no longer wait. The receiver's type is forgotten from here on, so no
    /// blocking lint matches it.
    pub(super) fn senders_moved_by_await<'x>(
        &mut self,
        args: impl Iterator<Item = &'x Expr>,
        await_at: usize,
    ) {
        for arg in args {
            let Expr::Path(p) = arg else { continue };
            let Some(sender) = p.path.get_ident().map(|i| i.to_string()) else {
                continue;
            };
            let Some((receiver, made_at)) = self.channel_pairs.get(&sender).cloned() else {
                continue;
            };
            let since = self.model.text.get(made_at..await_at).unwrap_or_default();
            let cloned = [".clone()", ".to_owned()"]
                .iter()
                .any(|copy| since.contains(&format!("{sender}{copy}")));
            self.channel_pairs.remove(&sender);
            if !cloned {
                self.model.scopes.add_local(receiver, None);
            }
        }
    }
}

fn ident_of(pat: &Pat) -> Option<String> {
    match pat {
        Pat::Ident(p) if p.subpat.is_none() && p.by_ref.is_none() => Some(p.ident.to_string()),
        Pat::Type(p) => ident_of(&p.pat),
        _ => None,
    }
}

/// The arguments of `f(..).await;` standing alone as a statement: a call of a fn whose
/// value is thrown away, so what it took by value is dropped by the time it returns (a
/// method's receiver, or a kept result, might hold on to it).
pub(super) fn awaited_args<'e>(text: &str, base: &'e Expr, end: usize) -> Vec<&'e Expr> {
    let Expr::Call(call) = peel(base) else {
        return Vec::new();
    };
    let start = syn::spanned::Spanned::span(call).byte_range().start;
    let before = text.get(..start).unwrap_or_default().trim_end();
    let after = text.get(end..).unwrap_or_default().trim_start();
    let alone = after.starts_with(';')
        && (before.ends_with(';') || before.ends_with('{') || before.ends_with('}'));
    match alone {
        true => call.args.iter().collect(),
        false => Vec::new(),
    }
}

impl Checker<'_, '_> {
    /// A `let` that binds a sender's or a receiver's name again ends what is known of
    /// the pair.
    pub(super) fn channel_names_rebound(&mut self, pat: &Pat) {
        if self.channel_pairs.is_empty() {
            return;
        }
        let mut names = Vec::new();
        bound_names(pat, &mut names);
        self.channel_pairs
            .retain(|sender, (receiver, _)| !names.contains(sender) && !names.contains(receiver));
    }
}

fn bound_names(pat: &Pat, out: &mut Vec<String>) {
    match pat {
        Pat::Ident(p) => out.push(p.ident.to_string()),
        Pat::Type(p) => bound_names(&p.pat, out),
        Pat::Reference(p) => bound_names(&p.pat, out),
        Pat::Tuple(p) => p.elems.iter().for_each(|e| bound_names(e, out)),
        Pat::TupleStruct(p) => p.elems.iter().for_each(|e| bound_names(e, out)),
        Pat::Struct(p) => p.fields.iter().for_each(|f| bound_names(&f.pat, out)),
        Pat::Slice(p) => p.elems.iter().for_each(|e| bound_names(e, out)),
        Pat::Or(p) => p.cases.iter().for_each(|e| bound_names(e, out)),
        _ => {}
    }
}
