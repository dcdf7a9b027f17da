//! How a `transitive_blocking` finding tells its chain: each link with its place, the
//! blocking call at the end, and the advice.
use super::constants::Route;
use super::{Declared, Graph, NodeId};
use crate::diagnostic::{Diagnostic, Label, Related};
use crate::rules::calls::FS_LINT;
use crate::rules::transitive::summary::{BlockingCall, ExecutorCall};

/// Links of a chain shown in full; longer chains show their ends.
const CHAIN_SHOWN: usize = 6;

const LINT: &str = "transitive_blocking";

impl Graph<'_> {
    /// A fn as a chain shows it: crate-qualified when it is in another crate than
    /// the call (`db::connect`).
    fn name(&self, id: NodeId, from: usize) -> String {
        let node = &self.nodes[id];
        if node.krate == from {
            self.summary_of(id).display.clone()
        } else {
            format!(
                "{}::{}",
                self.inputs.crates[node.krate].name,
                self.node_path(id).join("::")
            )
        }
    }

    fn location(&self, id: NodeId, line: usize) -> String {
        let path = &self.files[self.nodes[id].file].0;
        format!("{}:{line}", (self.inputs.display)(path))
    }

    /// The finding for `call`, whose callee `id` blocks: message, chain, advice.
    pub(super) fn finding(
        &self,
        route: &Route,
        from: usize,
        call: &ExecutorCall,
        (startup, main_thread): (bool, bool),
    ) -> Diagnostic {
        let mut links = vec![format!("`{}`", call.caller)];
        let mut through = Vec::new();
        let mut related = Vec::new();
        let id = route.links[0];
        let at = *route.links.last().unwrap_or(&id);
        for &link in &route.links {
            let path = &self.files[self.nodes[link].file].0;
            through.push(path.clone());
            let f = self.summary_of(link);
            let name = self.name(link, from);
            related.push(Related {
                path: path.clone(),
                line: f.line,
                message: format!("chain link {}: `{name}`", links.len()),
            });
            links.push(format!("`{name}` ({})", self.location(link, f.line)));
        }
        let seed = self.summary_of(at);
        let callee = self.summary_of(id);
        let callee_name = self.name(id, from);
        let declared = self.declared(at) == Some(Declared::Blocking);
        let block = match route.block {
            Some(index) => seed.blocks.get(index),
            None => blamed(&seed.blocks),
        };
        let reason = match block {
            Some(block) if !declared => {
                related.push(Related {
                    path: self.files[self.nodes[at].file].0.clone(),
                    line: block.line,
                    message: format!("the blocking call: `{}`", block.callee),
                });
                links.push(format!(
                    "`{}` ({})",
                    block.callee,
                    self.location(at, block.line)
                ));
                let verb = if at == id { "it calls" } else { "it leads to" };
                format!("{verb} `{}`", block.callee)
            }
            _ if at == id => "it is declared blocking".to_string(),
            _ => format!("it leads to `{}`, declared blocking", self.name(at, from)),
        };
        let message = format!("`{callee_name}` blocks the executor thread: {reason}");
        let catalog = self.inputs.catalog;
        let lint_level = (LINT, catalog.level(LINT));
        let mut diagnostic =
            crate::rules::startup::diagnostic(catalog, lint_level, startup, main_thread, message);
        diagnostic.primary = Some(call.primary.clone());
        diagnostic.primary_label = Some(match call.hook {
            true => "this fn blocks".into(),
            false => "this call blocks".into(),
        });
        if call.hook {
            diagnostic.helps.push(
                "the framework calls it synchronously: move its blocking work out (gather the data \
                 off the executor first), or serve this route with an async handler"
                    .to_string(),
            );
        }
        diagnostic.labels.push(Label {
            range: call.context.async_span.clone(),
            message: call.context.what.to_string(),
        });
        if let Some(closure) = &call.context.inline_closure {
            diagnostic.labels.push(Label {
                range: closure.clone(),
                message: "this closure runs inline on the executor".to_string(),
            });
        }
        diagnostic
            .notes
            .push(format!("call chain: {}", shown(&links)));
        // The last link is the blocking call (or the fn declared blocking) itself.
        diagnostic.root_cause = links.last().cloned();
        diagnostic.through = through;
        diagnostic.related = related;
        let all_have_async = !callee.blocks.is_empty()
            && self.declared(id).is_none()
            && callee.blocks.iter().all(|b| b.async_equivalent);
        if at == id && all_have_async && !call.hook {
            diagnostic.helps.push(format!(
                "`{callee_name}` could become an `async fn` instead: each blocking call in it has an async equivalent"
            ));
        }
        diagnostic
    }
}

/// The blocking call a chain ends at, of those its last fn makes: the first that waits
/// on more than the file system (a socket, another process, a channel, a sleep), which
/// is what makes the fn slow, or else the first.
fn blamed(blocks: &[BlockingCall]) -> Option<&BlockingCall> {
    (blocks.iter().find(|b| b.lint != FS_LINT)).or_else(|| blocks.first())
}

/// The chain's links joined by arrows, with the middle left out of a long chain (the
/// analysis keeps every link; only the message is capped).
fn shown(links: &[String]) -> String {
    if links.len() <= CHAIN_SHOWN {
        return links.join(" → ");
    }
    let head = &links[..3];
    let tail = &links[links.len() - 2..];
    let left_out = links.len() - head.len() - tail.len();
    format!(
        "{} → … {left_out} more … → {}",
        head.join(" → "),
        tail.join(" → ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_chains_are_cut_in_the_middle() {
        let links: Vec<String> = (1..=9).map(|i| format!("f{i}")).collect();
        assert_eq!(shown(&links[..6]), "f1 → f2 → f3 → f4 → f5 → f6");
        assert_eq!(shown(&links), "f1 → f2 → f3 → … 4 more … → f8 → f9");
    }
}
