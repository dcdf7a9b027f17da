//! Whether a loop in executor code is evidently long-running and never yields, for `cpu_loop`.
//!
//! A loop is judged only when its body (nested async blocks and closures excluded) has no
//! `.await`, and then only on evidence: it cannot end (`loop` with no `break`, `return`
//! or `?`), it spins on state another thread must change (`while !flag.load(..) {}`),
//! it counts through literal ranges whose trip counts multiply past the threshold, or it
//! nests loops around a known CPU-heavy call. Loops over a request's items with cheap
//! bodies say nothing about their length, and stay silent.
use syn::visit::{self, Visit};
use syn::{Expr, Lit};

/// Methods whose result only another thread or task can change: polling them in a loop
/// without yielding is a busy-wait.
const SPIN_METHODS: &[&str] = &[
    "load",
    "try_recv",
    "try_lock",
    "try_read",
    "try_write",
    "try_wait",
    "is_finished",
    "elapsed",
];

/// Why a loop was judged long-running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence {
    /// `loop` with no way out.
    Endless,
    /// Polls state another thread must change.
    Spin(String),
    /// Literal ranges whose trip counts multiply to this many iterations.
    Count(u128),
    /// Nested loops around a CPU-heavy call (named).
    NestedHeavy(String),
}

impl Evidence {
    pub fn note(&self) -> String {
        match self {
            Evidence::Endless => {
                "it has no `break`, `return` or `?`: it never ends, and never yields".into()
            }
            Evidence::Spin(method) => {
                format!(
                    "it busy-waits on `.{method}()`, which only another thread or task can change"
                )
            }
            Evidence::Count(n) => {
                format!("its literal ranges add up to {n} iterations without a yield")
            }
            Evidence::NestedHeavy(callee) => format!("it runs `{callee}` inside nested loops"),
        }
    }
}

/// The evidence that `expr` (a `loop`, `while` or `for`) runs long; `None` when there is
/// none or the loop reaches an `.await`. `heavy` names a CPU-heavy call in a nested loop
/// body, found by the caller (which can resolve names).
pub fn judge(expr: &Expr, threshold: u128, heavy: Option<String>) -> Option<Evidence> {
    if awaits_in(expr) {
        return None;
    }
    match expr {
        Expr::Loop(l) => {
            if !exits(&l.body, l.label.as_ref().map(|l| l.name.ident.to_string())) {
                return Some(Evidence::Endless);
            }
            spin_method(&l.body)
                .map(Evidence::Spin)
                .or(heavy.map(Evidence::NestedHeavy))
        }
        Expr::While(w) => spin_method(&w.cond)
            .map(Evidence::Spin)
            .or(heavy.map(Evidence::NestedHeavy)),
        Expr::ForLoop(_) => {
            let count = trip_count_product(expr);
            if count.is_some_and(|n| n >= threshold) {
                return count.map(Evidence::Count);
            }
            heavy.map(Evidence::NestedHeavy)
        }
        _ => None,
    }
}

/// Whether `expr` contains a loop nested inside its body (for the nested-heavy rule).
pub fn has_nested_loop(expr: &Expr) -> bool {
    let body = match expr {
        Expr::Loop(l) => &l.body,
        Expr::While(w) => &w.body,
        Expr::ForLoop(f) => &f.body,
        _ => return false,
    };
    let mut finder = LoopFinder(false);
    finder.visit_block(body);
    finder.0
}

struct LoopFinder(bool);
impl<'ast> Visit<'ast> for LoopFinder {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        match expr {
            Expr::Loop(_) | Expr::While(_) | Expr::ForLoop(_) => self.0 = true,
            Expr::Closure(_) | Expr::Async(_) => {}
            _ => visit::visit_expr(self, expr),
        }
    }
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// Whether an `.await` occurs in `expr`, outside nested async blocks and closures.
fn awaits_in(expr: &Expr) -> bool {
    struct Finder(bool);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_expr(&mut self, expr: &'ast Expr) {
            match expr {
                Expr::Await(_) => self.0 = true,
                Expr::Closure(_) | Expr::Async(_) => {}
                // A macro may hide an await (`select!`): count it as one, to stay silent.
                Expr::Macro(m) if m.mac.tokens.to_string().contains("await") => self.0 = true,
                _ => visit::visit_expr(self, expr),
            }
        }
        fn visit_stmt_macro(&mut self, m: &'ast syn::StmtMacro) {
            if m.mac.tokens.to_string().contains("await") {
                self.0 = true;
            }
        }
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut finder = Finder(false);
    finder.visit_expr(expr);
    finder.0
}

/// Whether a `loop` body can leave the loop: a `break` aimed at it, `return`, or `?`.
fn exits(body: &syn::Block, label: Option<String>) -> bool {
    struct Exits {
        label: Option<String>,
        depth: usize,
        found: bool,
    }
    impl<'ast> Visit<'ast> for Exits {
        fn visit_expr(&mut self, expr: &'ast Expr) {
            match expr {
                Expr::Return(_) | Expr::Try(_) => self.found = true,
                Expr::Break(b) => {
                    let named = b.label.as_ref().map(|l| l.ident.to_string());
                    if (named.is_none() && self.depth == 0)
                        || (named.is_some() && named == self.label)
                    {
                        self.found = true;
                    }
                    visit::visit_expr(self, expr);
                }
                Expr::Loop(_) | Expr::While(_) | Expr::ForLoop(_) => {
                    self.depth += 1;
                    visit::visit_expr(self, expr);
                    self.depth -= 1;
                }
                Expr::Closure(_) | Expr::Async(_) => {}
                // Macros (`panic!`, `bail!`, `select!`) may leave the loop: assume they do.
                Expr::Macro(_) => self.found = true,
                _ => visit::visit_expr(self, expr),
            }
        }
        fn visit_stmt_macro(&mut self, _: &'ast syn::StmtMacro) {
            self.found = true;
        }
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut exits = Exits {
        label,
        depth: 0,
        found: false,
    };
    exits.visit_block(body);
    exits.found
}

/// The first spin method called in `node`, if any.
fn spin_method<T: SpinSearch>(node: &T) -> Option<String> {
    struct Finder(Option<String>);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_expr_method_call(&mut self, mc: &'ast syn::ExprMethodCall) {
            let name = mc.method.to_string();
            if self.0.is_none() && SPIN_METHODS.contains(&name.as_str()) {
                self.0 = Some(name);
            }
            visit::visit_expr_method_call(self, mc);
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut finder = Finder(None);
    node.search(&mut finder);
    finder.0
}

trait SpinSearch {
    fn search<'a, V: Visit<'a>>(&'a self, visitor: &mut V);
}
impl SpinSearch for syn::Block {
    fn search<'a, V: Visit<'a>>(&'a self, visitor: &mut V) {
        visitor.visit_block(self);
    }
}
impl SpinSearch for Box<Expr> {
    fn search<'a, V: Visit<'a>>(&'a self, visitor: &mut V) {
        visitor.visit_expr(self);
    }
}

/// For a `for` loop over a literal range (or `repeat(..).take(N)`), the trip count
/// times the largest trip-count product of the `for` loops nested in its body.
fn trip_count_product(expr: &Expr) -> Option<u128> {
    let Expr::ForLoop(f) = expr else { return None };
    let own = trip_count(&f.expr)?;
    let mut nested = NestedFors(1);
    nested.visit_block(&f.body);
    own.checked_mul(nested.0)
}

struct NestedFors(u128);
impl<'ast> Visit<'ast> for NestedFors {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        match expr {
            Expr::ForLoop(_) => {
                if let Some(n) = trip_count_product(expr) {
                    self.0 = self.0.max(n);
                }
            }
            Expr::Closure(_) | Expr::Async(_) => {}
            _ => visit::visit_expr(self, expr),
        }
    }
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// `a..b`, `a..=b` with integer literals, or `std::iter::repeat(x).take(N)`.
fn trip_count(expr: &Expr) -> Option<u128> {
    match crate::context::peel(expr) {
        Expr::Range(r) => {
            let start = r.start.as_deref().map_or(Some(0), int_literal)?;
            let end = int_literal(r.end.as_deref()?)?;
            let inclusive = matches!(r.limits, syn::RangeLimits::Closed(_));
            end.checked_sub(start).map(|n| n + u128::from(inclusive))
        }
        Expr::MethodCall(mc) if mc.method == "take" => {
            let is_repeat = matches!(&*mc.receiver, Expr::Call(c) if matches!(&*c.func,
                Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "repeat")));
            if is_repeat {
                int_literal(mc.args.first()?)
            } else {
                None
            }
        }
        _ => None,
    }
}

fn int_literal(expr: &Expr) -> Option<u128> {
    match crate::context::peel(expr) {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Int(i), ..
        }) => i.base10_parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge_src(src: &str) -> Option<Evidence> {
        judge(&syn::parse_str(src).unwrap(), 100_000, None)
    }

    #[test]
    fn evidence() {
        assert_eq!(judge_src("loop { work(); }"), Some(Evidence::Endless));
        assert_eq!(judge_src("loop { if done() { break } }"), None);
        assert_eq!(
            judge_src("loop { for x in y { break } }"),
            Some(Evidence::Endless)
        );
        assert_eq!(
            judge_src("'outer: loop { for x in y { break 'outer } }"),
            None
        );
        assert_eq!(judge_src("loop { tick().await; }"), None);
        assert_eq!(
            judge_src("while !flag.load(Ordering::Acquire) {}"),
            Some(Evidence::Spin("load".into()))
        );
        assert_eq!(
            judge_src("loop { if rx.try_recv().is_ok() { break } }"),
            Some(Evidence::Spin("try_recv".into()))
        );
        assert_eq!(
            judge_src("for i in 0..1_000_000 { sum += i }"),
            Some(Evidence::Count(1_000_000))
        );
        assert_eq!(
            judge_src("for i in 0..1000 { for j in 0..=999 { f(i, j) } }"),
            Some(Evidence::Count(1_000_000))
        );
        assert_eq!(judge_src("for i in 0..1000 { f(i) }"), None);
        assert_eq!(judge_src("for item in items { f(item) }"), None);
        assert_eq!(
            judge_src("for _ in std::iter::repeat(0).take(200000) {}"),
            Some(Evidence::Count(200_000))
        );
        assert_eq!(judge_src("for i in 0..1_000_000 { x.await; }"), None);
    }
}
