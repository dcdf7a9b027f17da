//! `--message-format short`: `path:line:col: level[lint] message`, one line each.
use std::io::Write;

use crate::diagnostic::Level;
use crate::driver::scan::ScanReport;

pub fn render(out: &mut dyn Write, report: &ScanReport) -> std::io::Result<()> {
    for file in &report.files {
        for diagnostic in &file.diagnostics {
            let level = match diagnostic.level {
                Level::Deny => "error",
                Level::Warn => "warning",
                Level::Allow => "note",
            };
            let at = diagnostic.primary.as_ref().map_or(0, |r| r.start);
            let position = file.source.line_col(at);
            writeln!(
                out,
                "{}:{}:{}: {level}[{}] {}",
                file.source.display,
                position.line,
                position.column,
                diagnostic.code(),
                diagnostic.message
            )?;
        }
    }
    Ok(())
}
