//! `--message-format github`: GitHub Actions workflow commands, one annotation per
//! finding on stdout, errors first (GitHub shows only the first few of each kind).
use std::io::Write;

use super::Context;
use crate::diagnostic::Level;
use crate::driver::scan::ScanReport;

pub fn render(out: &mut dyn Write, report: &ScanReport, context: &Context) -> std::io::Result<()> {
    let mut lines = Vec::new();
    for file in &report.files {
        let path = context.repo_relative(&file.source.path);
        for diagnostic in &file.diagnostics {
            let command = match diagnostic.level {
                Level::Deny => "error",
                Level::Warn => "warning",
                Level::Allow => "notice",
            };
            let mut properties = vec![format!("file={}", property(&path))];
            if let Some(range) = &diagnostic.primary {
                let start = file.source.line_col(range.start);
                let end = file.source.line_col(range.end);
                properties.push(format!("line={}", start.line));
                properties.push(format!("endLine={}", end.line));
                // Columns count only on a one-line range (the toolkit's rule).
                if start.line == end.line {
                    properties.push(format!("col={}", start.column));
                    properties.push(format!("endColumn={}", end.column));
                }
            }
            properties.push(format!("title={}", property(&diagnostic.code())));
            let mut text = diagnostic.message.clone();
            for help in &diagnostic.helps {
                text.push_str(&format!("\n  help: {help}"));
            }
            if let Some(suggestion) = &diagnostic.suggestion {
                text.push_str(&format!(
                    "\n  help: {}: `{}`",
                    suggestion.message, suggestion.rendered
                ));
            }
            let rank = u8::from(diagnostic.level != Level::Deny);
            lines.push((
                rank,
                format!("::{command} {}::{}", properties.join(","), data(&text)),
            ));
        }
    }
    lines.sort_by_key(|(rank, _)| *rank);
    for (_, line) in lines {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// A message: `%`, CR and LF escaped (`%` first).
pub fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: a message's escapes plus `:` and `,`.
pub fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_actions_toolkit_does() {
        assert_eq!(data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(property("unblock::x, y"), "unblock%3A%3Ax%2C y");
        assert_eq!(property("100%:"), "100%25%3A");
    }
}
