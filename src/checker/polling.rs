//! Code that polls futures of its own (a `select!`, a loop over a stream) is not the
//! main thread's or a sole task's alone, wherever it runs: the contexts that say so are
//! switched off inside it. The arms of a `match` are alternatives: a spawn in one does
//! not end the others' startup.
use super::visitor::Checker;

impl Checker<'_, '_> {
    /// Runs `visit` with `main_thread` (and `body_of`) off when `off` holds: code that
    /// polls futures of its own (an awaiting loop, `select!`) stalls them when it blocks,
    /// wherever it runs.
    pub(super) fn off_main_thread_if(&mut self, off: bool, visit: impl FnOnce(&mut Self)) {
        let executor = (self.model.executor.as_mut()).filter(|e| {
            let sole = e.sole_task || e.sole_body_of.is_some() || e.sole_if_runtime_of.is_some();
            off && (e.main_thread || e.body_of.is_some() || sole)
        });
        let Some(executor) = executor else {
            return visit(self);
        };
        let saved = (executor.main_thread, executor.body_of.take());
        let sole = (executor.sole_task, executor.sole_body_of.take());
        let sole_if = executor.sole_if_runtime_of.take();
        (executor.main_thread, executor.sole_task) = (false, false);
        let spawns = self.model.spawns_seen;
        visit(self);
        // A task spawned in there runs beside whatever comes after.
        let spawned = self.model.spawns_seen != spawns;
        if let Some(executor) = &mut self.model.executor {
            (executor.main_thread, executor.body_of) = saved;
            if !spawned {
                (executor.sole_task, executor.sole_body_of) = sole;
                executor.sole_if_runtime_of = sole_if;
            }
        }
    }

    /// Each arm starts from the state before the `match`; after it, code runs alone
    /// only if it did at the end of every arm.
    pub(super) fn visit_match_arms(&mut self, arms: &[syn::Arm]) {
        use syn::visit::Visit;
        let before = self.model.alone();
        let mut after = before.clone();
        for arm in arms {
            self.model.set_alone(before.clone());
            self.visit_arm(arm);
            let (Some(end), Some(kept)) = (self.model.alone(), after.as_mut()) else {
                continue;
            };
            kept.0 &= end.0;
            kept.1 = kept.1.filter(|_| end.1.is_some());
            kept.2 &= end.2;
            kept.3 = kept.3.filter(|_| end.3.is_some());
            kept.4 = kept.4.take().filter(|_| end.4.is_some());
        }
        self.model.set_alone(after);
    }
}
