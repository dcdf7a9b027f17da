//! Which std and parking_lot lock guards are alive in an async body, and which were
//! held across an `.await` (what `lock_across_await` reports).
//!
//! Liveness follows Rust's rules as far as a syntax tree shows them: a guard bound by
//! `let` lives to the end of its block unless it is moved (`drop(g)`, passed by value);
//! a temporary guard lives to the end of its statement, except in an `if`/`while`
//! condition, which drops it before the body, and a match arm's guard and body, which
//! drop theirs at the arm's end; `let _ = m.lock()` drops at once; a guard in a `match`
//! scrutinee or an `if let`/`while let` lives through the arms and body, and one an
//! `if let Ok(g)` binds lives in `g`, to the end of the body or until `g` is moved.
use std::ops::Range;

/// Lock types whose guard blocks other threads, and the methods that take it.
const LOCKS: &[(&str, &[&str])] = &[
    ("std::sync::Mutex", &["lock", "try_lock"]),
    (
        "std::sync::RwLock",
        &["read", "write", "try_read", "try_write"],
    ),
    ("parking_lot::Mutex", &["lock", "try_lock", "try_lock_for"]),
    (
        "parking_lot::RwLock",
        &["read", "write", "upgradable_read", "try_read", "try_write"],
    ),
    ("parking_lot::ReentrantMutex", &["lock", "try_lock"]),
];

/// Whether some lock takes its guard with a method of this name (`lock`, `read`).
pub fn is_guard_method(method: &str) -> bool {
    LOCKS.iter().any(|(_, methods)| methods.contains(&method))
}

/// Whether `method` on a value of type `ty` takes a blocking lock's guard.
pub fn takes_guard(ty: &str, method: &str) -> bool {
    LOCKS
        .iter()
        .any(|(lock, methods)| *lock == ty && methods.contains(&method))
}

/// A lock guard taken in async code.
#[derive(Debug)]
pub struct Guard {
    /// The binding, for guards held by `let`; `None` for temporaries.
    pub name: Option<String>,
    /// The lock type's path (`std::sync::Mutex`).
    pub lock: String,
    /// The lock call.
    pub taken: Range<usize>,
    /// The `.await`s it was alive at.
    pub awaits: Vec<Range<usize>>,
    /// The `async` of the body.
    pub async_span: Range<usize>,
}

/// The live guards of one async body: a frame per block, innermost last.
#[derive(Debug, Default)]
pub struct Guards {
    frames: Vec<Vec<Guard>>,
    /// Guards that ended after being held across an `.await`, in the order they ended.
    pub held: Vec<Guard>,
}

/// A position in the current frame, to release the temporaries taken after it.
#[derive(Debug, Clone, Copy)]
pub struct Mark(usize);

impl Guards {
    pub fn push_frame(&mut self) {
        self.frames.push(Vec::new());
    }

    pub fn pop_frame(&mut self) {
        if let Some(frame) = self.frames.pop() {
            frame.into_iter().for_each(|g| self.release(g));
        }
    }

    pub fn mark(&self) -> Mark {
        Mark(self.frames.last().map_or(0, Vec::len))
    }

    /// A lock call: a temporary guard until a `let` names it or its statement ends.
    pub fn take(&mut self, lock: &str, taken: Range<usize>, async_span: Range<usize>) {
        if let Some(frame) = self.frames.last_mut() {
            frame.push(Guard {
                name: None,
                lock: lock.to_string(),
                taken,
                awaits: Vec::new(),
                async_span,
            });
        }
    }

    /// Ends the temporaries taken since `mark` (the end of a statement or a condition).
    pub fn release_temporaries(&mut self, mark: Mark) {
        self.end_since(mark, false);
    }

    /// `let name = <lock chain>;`: the guard taken last since `mark` now lives on as `name`.
    pub fn bind(&mut self, mark: Mark, name: String) {
        self.name_last(mark, name);
        self.release_temporaries(mark);
    }

    /// `if let Ok(name) = <lock chain>`: the guard taken last since `mark` lives on as
    /// `name`, to the end of the body (`end_named_since`), unless moved before; the
    /// condition's other temporaries stay as they are.
    pub fn name_last(&mut self, mark: Mark, name: String) {
        let taken = self.frames.last_mut().and_then(|f| f.get_mut(mark.0..));
        if let Some(guard) = taken.and_then(|g| g.last_mut()) {
            guard.name = Some(name);
        }
    }

    /// The end of an `if let` or `while let` body: the guards its pattern named since
    /// `mark` end with it.
    pub fn end_named_since(&mut self, mark: Mark) {
        self.end_since(mark, true);
    }

    /// Ends the guards of the current frame taken since `mark` that are `named` (or,
    /// with `false`, the temporaries); the others stay.
    fn end_since(&mut self, mark: Mark, named: bool) {
        let Some(frame) = self.frames.last_mut() else {
            return;
        };
        if frame.len() <= mark.0 {
            return;
        }
        let (ended, keep): (Vec<Guard>, Vec<Guard>) = frame
            .drain(mark.0..)
            .partition(|g| g.name.is_some() == named);
        frame.extend(keep);
        ended.into_iter().for_each(|g| self.release(g));
    }

    /// The guard named `name` was moved away (`drop(g)`, `consume(g)`).
    pub fn moved(&mut self, name: &str) {
        for frame in self.frames.iter_mut().rev() {
            if let Some(index) = frame.iter().rposition(|g| g.name.as_deref() == Some(name)) {
                let guard = frame.remove(index);
                self.release(guard);
                return;
            }
        }
    }

    /// Whether any std lock guard is alive here (a new `.await` would hold it).
    pub fn any_alive(&self) -> bool {
        self.frames.iter().any(|f| !f.is_empty())
    }

    /// Whether `name` is a live lock guard.
    pub fn is_alive(&self, name: &str) -> bool {
        (self.frames.iter().flatten()).any(|g| g.name.as_deref() == Some(name))
    }

    /// An `.await`: every live guard is held across it.
    pub fn awaited(&mut self, at: Range<usize>) {
        for guard in self.frames.iter_mut().flatten() {
            guard.awaits.push(at.clone());
        }
    }

    /// Ends every guard (the end of the async body).
    pub fn finish(&mut self) {
        while !self.frames.is_empty() {
            self.pop_frame();
        }
    }

    fn release(&mut self, guard: Guard) {
        if !guard.awaits.is_empty() {
            self.held.push(guard);
        }
    }
}
