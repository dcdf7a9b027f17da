//! The tool's own `error:`, `warning:` and `note:` lines on the terminal, as cargo
//! prints its own.
use codespan_reporting::term::termcolor::WriteColor;

pub(super) fn error_line(out: &mut dyn WriteColor, message: &str) -> std::io::Result<()> {
    use codespan_reporting::term::termcolor::Color;
    labeled_line(out, "error", Some(Color::Red), message)
}

pub(super) fn warning_line(out: &mut dyn WriteColor, message: &str) -> std::io::Result<()> {
    use codespan_reporting::term::termcolor::Color;
    labeled_line(out, "warning", Some(Color::Yellow), message)
}

pub(super) fn note_line(out: &mut dyn WriteColor, message: &str) -> std::io::Result<()> {
    labeled_line(out, "note", None, message)
}

/// `label: message`, the label bold (and coloured), as cargo prints its own lines.
fn labeled_line(
    out: &mut dyn WriteColor,
    label: &str,
    color: Option<codespan_reporting::term::termcolor::Color>,
    message: &str,
) -> std::io::Result<()> {
    use codespan_reporting::term::termcolor::ColorSpec;
    out.set_color(ColorSpec::new().set_bold(true).set_fg(color))?;
    write!(out, "{label}")?;
    out.reset()?;
    writeln!(out, ": {message}")
}
