//! The fn bodies the check left out of its parse (`FnSummary::unseen_body`): how much
//! of each file the pass asks to read, and which left-out bodies name a fn, so that
//! every caller of a fn the pass reaches is read, as a whole parse would have it.
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::Graph;
use crate::rules::transitive::summary::{Arg, FileSummary, FnSummary, Read};
use crate::syntax::lexer::{Lexer, Token};

/// What the pass has asked to read beyond what the check read.
#[derive(Default)]
pub(super) struct Unread {
    /// How much of each file the pass asks to read, once it asked for more, and
    /// whether a parse read that much.
    reads: HashMap<PathBuf, (Read, bool)>,
    /// The words of the left-out bodies of the files indexed so far: each with the
    /// file and the start of the body.
    words: HashMap<String, Vec<(usize, usize)>>,
    /// How many of the graph's files (from the first) are in `words`.
    indexed: usize,
}

impl Unread {
    /// How much of `path` to read in the parse about to run (which reads that much): a
    /// file the check did not parse is read whole.
    pub(super) fn read_of(&mut self, path: &Path) -> Read {
        match self.reads.get_mut(path) {
            Some((read, sent)) => {
                *sent = true;
                read.clone()
            }
            None => Read::Whole,
        }
    }

    /// Asks for the whole of `path`; returns whether that is new.
    pub(super) fn read_whole(&mut self, path: &Path) -> bool {
        let old = self.reads.insert(path.to_path_buf(), (Read::Whole, false));
        !matches!(old, Some((Read::Whole, _)))
    }

    /// Asks for the bodies starting at `bodies` of `path` to be read too, on top of
    /// what was asked before. A file asked for more after a parse of some of its bodies
    /// is read whole: a chain within one file would cost a parse per link otherwise.
    /// Returns whether this asks for anything new.
    fn ask(&mut self, path: &Path, bodies: &[usize]) -> bool {
        let slot = (self.reads.entry(path.to_path_buf()))
            .or_insert_with(|| (Read::With(Vec::new()), false));
        let new: Vec<usize> = match &slot.0 {
            Read::With(asked) => (bodies.iter())
                .filter(|b| !asked.contains(b))
                .copied()
                .collect(),
            Read::Whole => Vec::new(),
        };
        match slot {
            _ if new.is_empty() => return false,
            (_, true) => *slot = (Read::Whole, false),
            (Read::With(asked), false) => asked.extend(new),
            _ => {}
        }
        true
    }
}

impl Graph<'_> {
    /// Takes the summary of a file in the graph read further: the same items, so its
    /// nodes stand (a summary that does not list the same fns is not taken, and the
    /// fns left unread stay unfollowed: the silent side).
    pub(super) fn read_more(&mut self, file: usize, summary: FileSummary) {
        let known = &mut self.files[file].1;
        let same = |a: &FnSummary, b: &FnSummary| a.path == b.path && a.line == b.line;
        if known.fns.len() == summary.fns.len()
            && known.fns.iter().zip(&summary.fns).all(|(a, b)| same(a, b))
        {
            *known = summary;
        }
    }

    /// The files to parse again for their left-out bodies that have one of `names` as
    /// a word (each body asked for): such a body may call the fn, build its future, or
    /// pass it arguments.
    pub(super) fn read_bodies_naming(&mut self, names: &[String]) -> Vec<(PathBuf, usize)> {
        if names.is_empty() {
            return Vec::new();
        }
        self.index_unread();
        let mut by_file: HashMap<usize, Vec<usize>> = HashMap::new();
        let found = names.iter().filter_map(|name| self.unread.words.get(name));
        for &(file, body) in found.flatten() {
            // Only bodies still left out (a later parse may have read it).
            let fns = &self.files[file].1.fns;
            if fns
                .iter()
                .any(|f| f.unseen_body.as_ref().map(|b| b.start) == Some(body))
            {
                by_file.entry(file).or_default().push(body);
            }
        }
        let mut wanted = Vec::new();
        let mut files: Vec<(usize, Vec<usize>)> = by_file.into_iter().collect();
        files.sort_unstable();
        for (file, bodies) in files {
            let path = self.files[file].0.clone();
            let krate = self.nodes.iter().find(|n| n.file == file).map(|n| n.krate);
            if let (Some(krate), true) = (krate, self.unread.ask(&path, &bodies)) {
                wanted.push((path, krate));
            }
        }
        wanted
    }

    /// A sync fn that names an async fn builds its future for someone else to run, so
    /// that fn is entered from elsewhere, by callers whose arguments are not known. The
    /// left-out bodies are read that name an async fn whose callers count: one `entered`
    /// found entered only from one kind of code, or one with a call in its own body
    /// that blocks only for some values of its parameters (see `conditional`).
    pub(super) fn unread_namers(
        &mut self,
        entered: &super::entered::Entered,
    ) -> Vec<(PathBuf, usize)> {
        let kinds = [
            &entered.startup,
            &entered.main_thread,
            &entered.sole,
            &entered.main_until_spawn,
        ];
        let mut counted: HashSet<(usize, usize)> = HashSet::new();
        for (file, (_, summary)) in self.files.iter().enumerate() {
            let conditional = (summary.executor_calls.iter()).filter(|call| {
                call.constants.as_deref().is_some_and(|c| {
                    !c.guard.is_empty() || c.args.iter().any(|a| matches!(a, Arg::Param(_)))
                })
            });
            counted.extend(conditional.filter_map(|call| Some((file, call.context.body_of?))));
        }
        let names: HashSet<String> = (0..self.nodes.len())
            .filter(|&id| {
                let node = &self.nodes[id];
                kinds.iter().any(|kind| kind[id]) || counted.contains(&(node.file, node.index))
            })
            .filter_map(|id| self.summary_of(id).path.segments.last().cloned())
            .collect();
        let names: Vec<String> = names.into_iter().collect();
        self.read_bodies_naming(&names)
    }

    /// Adds the words of the left-out bodies of the files not indexed yet.
    fn index_unread(&mut self) {
        for file in self.unread.indexed..self.files.len() {
            let (path, summary) = &self.files[file];
            let mut bodies = (summary.fns.iter())
                .filter_map(|f| f.unseen_body.clone())
                .peekable();
            if bodies.peek().is_none() {
                continue;
            }
            let text = crate::syntax::source::read_text(path).unwrap_or_default();
            for body in bodies {
                let inside = text.get(body.clone()).unwrap_or_default();
                let mut seen = HashSet::new();
                for (_, token) in Lexer::new(inside) {
                    if let Token::Ident(word) = token {
                        if seen.insert(word) {
                            let entry = self.unread.words.entry(word.to_string());
                            entry.or_default().push((file, body.start));
                        }
                    }
                }
            }
        }
        self.unread.indexed = self.files.len();
    }
}
