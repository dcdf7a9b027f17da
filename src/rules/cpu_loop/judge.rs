//! The evidence that a loop in executor code is long-running and never yields.
//!
//! A loop is judged only when its body (nested async blocks and closures excluded) has no
//! `.await`, and then only on evidence: it cannot end (`loop` with no `break`, `return`
//! or `?`), it spins on state another thread must change (`while !flag.load(..) {}`),
//! it counts through literal ranges whose trip counts multiply past the threshold, or it
//! nests loops around a known CPU-heavy call. Loops over a request's items with cheap
//! bodies say nothing about their length, and stay silent.
use syn::visit::{self, Visit};
use syn::{Expr, Lit};

/// Methods whose result only another thread (or the clock) changes: a `while` polling
/// them without yielding is a busy-wait, whatever the condition's polarity.
const STATE_METHODS: &[&str] = &["load", "is_finished", "elapsed"];

/// Non-blocking attempts: polling one is a busy-wait while it fails (`while
/// rx.try_recv().is_err()`), but a drain while it succeeds (`while rx.try_recv().is_ok()`).
const ATTEMPT_METHODS: &[&str] = &["try_recv", "try_lock", "try_wait"];

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
/// A loop expression, borrowed.
#[derive(Clone, Copy)]
pub enum Loop<'a> {
    Plain(&'a syn::ExprLoop),
    While(&'a syn::ExprWhile),
    For(&'a syn::ExprForLoop),
}

impl<'a> Loop<'a> {
    fn body(self) -> &'a syn::Block {
        match self {
            Loop::Plain(l) => &l.body,
            Loop::While(w) => &w.body,
            Loop::For(f) => &f.body,
        }
    }

    /// The whole loop, as a byte range.
    pub fn range(self) -> std::ops::Range<usize> {
        use syn::spanned::Spanned;
        match self {
            Loop::Plain(l) => l.span().byte_range(),
            Loop::While(w) => w.span().byte_range(),
            Loop::For(f) => f.span().byte_range(),
        }
    }

    pub fn is_for(self) -> bool {
        matches!(self, Loop::For(_))
    }

    /// Visits what runs on every iteration: the condition (for `while`) and the body.
    fn visit_each_round<V: Visit<'a>>(self, visitor: &mut V) {
        if let Loop::While(w) = self {
            visitor.visit_expr(&w.cond);
        }
        visitor.visit_block(self.body());
    }
}

/// The evidence that `looped` runs long; `None` when there is none or the loop reaches
/// an `.await`. `heavy` names a CPU-heavy call in a nested loop body, found by the
/// caller (which can resolve names).
pub fn judge(looped: Loop<'_>, threshold: u128, heavy: Option<String>) -> Option<Evidence> {
    if awaits_in(looped) {
        return None;
    }
    match looped {
        Loop::Plain(l) => {
            if !exits(&l.body, l.label.as_ref().map(|l| l.name.ident.to_string())) {
                return Some(Evidence::Endless);
            }
            tight_spin(&l.body)
                .map(Evidence::Spin)
                .or(heavy.map(Evidence::NestedHeavy))
        }
        Loop::While(w) => while_spin(&w.cond)
            .map(Evidence::Spin)
            .or(heavy.map(Evidence::NestedHeavy)),
        Loop::For(f) => {
            let count = trip_count_product(f);
            if count.is_some_and(|n| n >= threshold) {
                return count.map(Evidence::Count);
            }
            heavy.map(Evidence::NestedHeavy)
        }
    }
}

/// Whether a loop is nested inside this loop's body (for the nested-heavy rule).
pub fn has_nested_loop(looped: Loop<'_>) -> bool {
    let mut finder = LoopFinder(false);
    finder.visit_block(looped.body());
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

/// Whether an `.await` occurs in the loop's rounds, outside nested async blocks and closures.
pub fn awaits_in(looped: Loop<'_>) -> bool {
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
    looped.visit_each_round(&mut finder);
    finder.0
}

/// Whether the loop's rounds poll several futures at once: a `select!` or `join!`, or
/// the next item of a stream or task set (`.next().await`, `.join_next().await`); or
/// spawn a task, which runs beside the next rounds. Blocking in such a loop stalls the
/// futures it holds in flight, even where it runs alone; a loop that awaits one future
/// at a time, and spawns nothing, has nothing of its own in flight while it blocks.
pub fn polls_several_in(looped: Loop<'_>) -> bool {
    struct Finder {
        found: bool,
        nested: usize,
    }
    impl<'ast> Visit<'ast> for Finder {
        fn visit_expr_await(&mut self, awaited: &'ast syn::ExprAwait) {
            // `.next().await` on a stream, not `.next()` on an iterator.
            const NEXT: &[&str] = &["next", "try_next", "join_next", "select_next_some"];
            if let Expr::MethodCall(mc) = crate::syntax::expr::peel(&awaited.base) {
                if self.nested == 0 && NEXT.contains(&mc.method.to_string().as_str()) {
                    self.found = true;
                }
            }
            visit::visit_expr_await(self, awaited);
        }
        fn visit_macro(&mut self, mac: &'ast syn::Macro) {
            if self.nested == 0 && crate::syntax::macros::polls_futures(mac) {
                self.found = true;
            }
            // A spawn inside a macro's arms (`select! { .. => tokio::spawn(..) }`).
            self.found |= mac.tokens.to_string().contains("spawn");
        }
        fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
            self.found |= crate::semantic::offload::call_spawns_task(call);
            visit::visit_expr_call(self, call);
        }
        fn visit_expr_method_call(&mut self, mc: &'ast syn::ExprMethodCall) {
            self.found |= crate::semantic::offload::spawns_task(&mc.method.to_string());
            visit::visit_expr_method_call(self, mc);
        }
        // What a nested loop polls is done polling when the rounds of this one go on
        // (it is judged on its own); what it spawns is not.
        fn visit_expr_loop(&mut self, l: &'ast syn::ExprLoop) {
            self.nested += 1;
            visit::visit_expr_loop(self, l);
            self.nested -= 1;
        }
        fn visit_expr_while(&mut self, w: &'ast syn::ExprWhile) {
            self.nested += 1;
            visit::visit_expr_while(self, w);
            self.nested -= 1;
        }
        fn visit_expr_for_loop(&mut self, f: &'ast syn::ExprForLoop) {
            self.nested += 1;
            visit::visit_expr_for_loop(self, f);
            self.nested -= 1;
        }
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut finder = Finder {
        found: false,
        nested: 0,
    };
    looped.visit_each_round(&mut finder);
    finder.found
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

/// The method a `while` condition busy-waits on: shared state in any polarity, or an
/// attempt that the loop repeats while it fails.
fn while_spin(cond: &Expr) -> Option<String> {
    if let Some(method) = first_method(cond, STATE_METHODS) {
        return Some(method);
    }
    let method = first_method(cond, ATTEMPT_METHODS)?;
    let waits_for_failure = match crate::syntax::expr::peel(cond) {
        Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Not(_),
            ..
        }) => true,
        Expr::Let(l) => pattern_is_failure(&l.pat),
        other => first_method(other, &["is_err", "is_none"]).is_some(),
    };
    waits_for_failure.then_some(method)
}

fn pattern_is_failure(pat: &syn::Pat) -> bool {
    match pat {
        syn::Pat::TupleStruct(ts) => ts.path.is_ident("Err"),
        syn::Pat::Ident(p) => p.ident == "None",
        syn::Pat::Path(p) => p.path.is_ident("None"),
        _ => false,
    }
}

/// A `loop` that does nothing but check and break: `loop { if rx.try_recv().is_ok() {
/// break } }`, perhaps with a spin hint or a sleep. A loop that does other work between
/// attempts is a drain or a fill, which ends by itself.
fn tight_spin(body: &syn::Block) -> Option<String> {
    let mut spin = None;
    for stmt in &body.stmts {
        let expr = match stmt {
            syn::Stmt::Expr(expr, _) => expr,
            _ => return None,
        };
        match expr {
            Expr::If(i) if i.else_branch.is_none() && breaks_at_once(&i.then_branch) => {
                let all: Vec<&str> = STATE_METHODS
                    .iter()
                    .chain(ATTEMPT_METHODS)
                    .copied()
                    .collect();
                spin = spin.or(first_method(&i.cond, &all));
            }
            Expr::Call(c) if is_pause(&c.func) => {}
            _ => return None,
        }
    }
    spin
}

fn breaks_at_once(block: &syn::Block) -> bool {
    matches!(block.stmts.as_slice(), [syn::Stmt::Expr(Expr::Break(_), _)])
}

/// `std::hint::spin_loop()`, `thread::yield_now()`, `thread::sleep(..)`.
fn is_pause(func: &Expr) -> bool {
    matches!(func, Expr::Path(p) if p.path.segments.last().is_some_and(|s| {
        matches!(s.ident.to_string().as_str(), "spin_loop" | "yield_now" | "sleep")
    }))
}

/// The first method of `names` called in `expr`, if any.
fn first_method(expr: &Expr, names: &[&str]) -> Option<String> {
    struct Finder<'n>(&'n [&'n str], Option<String>);
    impl<'ast> Visit<'ast> for Finder<'_> {
        fn visit_expr_method_call(&mut self, mc: &'ast syn::ExprMethodCall) {
            let name = mc.method.to_string();
            if self.1.is_none() && self.0.contains(&name.as_str()) {
                self.1 = Some(name);
            }
            visit::visit_expr_method_call(self, mc);
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut finder = Finder(names, None);
    finder.visit_expr(expr);
    finder.1
}

/// For a `for` loop over a literal range (or `repeat(..).take(N)`), the trip count
/// times the largest trip-count product of the `for` loops nested in its body.
fn trip_count_product(f: &syn::ExprForLoop) -> Option<u128> {
    let own = trip_count(&f.expr)?;
    let mut nested = NestedFors(1);
    nested.visit_block(&f.body);
    own.checked_mul(nested.0)
}

struct NestedFors(u128);
impl<'ast> Visit<'ast> for NestedFors {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        match expr {
            Expr::ForLoop(f) => {
                if let Some(n) = trip_count_product(f) {
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
    match crate::syntax::expr::peel(expr) {
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
    match crate::syntax::expr::peel(expr) {
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
        let expr: Expr = syn::parse_str(src).unwrap();
        let looped = match &expr {
            Expr::Loop(l) => Loop::Plain(l),
            Expr::While(w) => Loop::While(w),
            Expr::ForLoop(f) => Loop::For(f),
            _ => panic!("not a loop: {src}"),
        };
        judge(looped, 100_000, None)
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
        // Drains and fills end by themselves.
        assert_eq!(judge_src("while rx.try_recv().is_ok() {}"), None);
        assert_eq!(
            judge_src("while let Ok(v) = rx.try_recv() { handle(v) }"),
            None
        );
        assert_eq!(
            judge_src("while rx.try_recv().is_err() {}"),
            Some(Evidence::Spin("try_recv".into()))
        );
        assert_eq!(
            judge_src("while let Err(_) = m.try_lock() {}"),
            Some(Evidence::Spin("try_lock".into()))
        );
        assert_eq!(
            judge_src("loop { match s.try_write(b) { Ok(n) => n, Err(_) => break } }"),
            None
        );
        assert_eq!(
            judge_src("loop { if done.load(Relaxed) { break } std::hint::spin_loop(); }"),
            Some(Evidence::Spin("load".into()))
        );
    }
}
