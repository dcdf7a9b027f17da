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
        Pat::Ident(p) if p.subpat.is_none() => Some(p.ident.to_string()),
        Pat::Type(p) => ident_of(&p.pat),
        _ => None,
    }
}

/// The arguments of the call an `.await` awaits directly, if any.
pub(super) fn awaited_args(base: &Expr) -> Vec<&Expr> {
    match peel(base) {
        Expr::Call(call) => call.args.iter().collect(),
        Expr::MethodCall(mc) => mc.args.iter().collect(),
        _ => Vec::new(),
    }
}
