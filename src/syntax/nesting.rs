//! The nesting guard: how deep a parse of a text would recurse, estimated on its raw
//! bytes, so that a file too deep to parse safely is reported instead of parsed.

/// How deep a parser (and the code that walks and drops its tree) must recurse to read
/// a text, estimated on raw bytes: strings and comments inside lines count too, so it
/// can only overestimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Nesting {
    /// Bracket depth, plus generic angles and assignments within a statement, plus the
    /// longest run of prefix operators and keywords that each open an expression of
    /// their own (`!!!!x`, `&&&&x`, `|| || ||`, `return return`).
    pub depth: usize,
    /// The longest chain of postfix and binary operators in one statement (`a.b().c()`,
    /// `x? ?`, `a + b + c`, `f()()`), or of `else if`s: each link is one level of tree.
    pub chain: usize,
}

/// The deepest bracket nesting a file may have to be parsed (real code stays far below;
/// the workers' stacks hold several times this much in a debug build).
const MAX_NESTING: usize = 4000;

/// The longest operator chain a file may have to be parsed: each link is one level of
/// syntax tree, walked and dropped recursively (real code stays far below).
const MAX_CHAIN: usize = 20_000;

/// Why a file is too deep to parse safely, when it is: parsing recurses once per level,
/// so past these limits (generated code, or a hostile file) the file is reported
/// instead of risking the stack.
pub fn too_deep_to_parse(text: &str) -> Option<String> {
    let nesting = max_nesting(text);
    if nesting.depth > MAX_NESTING {
        Some(format!(
            "this file nests code {} levels deep (brackets, generics, prefix operators or assignments); cargo-unblock checks files up to {MAX_NESTING}",
            nesting.depth
        ))
    } else if nesting.chain > MAX_CHAIN {
        Some(format!(
            "this file chains {} operators in one expression; cargo-unblock checks files up to {MAX_CHAIN}",
            nesting.chain
        ))
    } else {
        None
    }
}

/// The nesting a text needs, as `Nesting` measures it.
pub fn max_nesting(text: &str) -> Nesting {
    let bytes = text.as_bytes();
    let (mut brackets, mut angles, mut run, mut ops) = (0usize, 0usize, 0usize, 0usize);
    let (mut elses, mut else_level) = (0usize, 0usize);
    let mut max = Nesting::default();
    let mut last_close = false;
    // The last word was a number right after a `.`: a tuple index (`t.0.1`), so the
    // next `.` is another link, not a float's point.
    let mut tuple_index = false;
    // A line that starts with `//` is a comment (a doc line, most often): what it says
    // nests nothing, and skipping it whole is most of the time on a documented crate.
    let comment_line_end = |line_start: usize| {
        let rest = &bytes[line_start..];
        let indent = rest
            .iter()
            .take_while(|b| **b == b' ' || **b == b'\t')
            .count();
        // Most lines are code: they are told apart before any search of the line.
        if !rest[indent..].starts_with(b"//") {
            return None;
        }
        let end = memchr::memchr(b'\n', &rest[indent..])
            .map_or(bytes.len(), |at| line_start + indent + at);
        let line = &bytes[line_start + indent..end];
        // Inside a string or a block comment such a line may end them and go on with
        // code: that line is counted.
        let ends_something =
            memchr::memchr(b'"', line).is_some() || memchr::memmem::find(line, b"*/").is_some();
        (!ends_something).then_some(end)
    };
    let mut i = comment_line_end(0).unwrap_or(0);
    while i < bytes.len() {
        let byte = bytes[i];
        if byte == b'\n' {
            i = comment_line_end(i + 1).unwrap_or(i + 1);
            continue;
        }
        let mut closes = false;
        match byte {
            b'(' | b'[' | b'{' => {
                if last_close && byte != b'{' {
                    ops += 1;
                }
                brackets += 1;
                if byte == b'{' {
                    angles = 0;
                    ops = 0;
                }
            }
            b')' | b']' | b'}' => {
                brackets = brackets.saturating_sub(1);
                run = 0;
                closes = true;
                if byte == b'}' {
                    angles = 0;
                    ops = 0;
                    if brackets < else_level {
                        elses = 0;
                    }
                }
            }
            b'<' => angles += 1,
            // An assignment is right-associative: `a = b = c` nests.
            b'=' if !matches!(bytes.get(i + 1), Some(b'=' | b'>'))
                && (i == 0 || !matches!(bytes[i - 1], b'=' | b'!' | b'<' | b'>')) =>
            {
                angles += 1
            }
            b'>' if i > 0 && matches!(bytes[i - 1], b'-' | b'=') => run = 0,
            b'>' => angles = angles.saturating_sub(1),
            b';' => {
                angles = 0;
                run = 0;
                ops = 0;
                if brackets == else_level {
                    elses = 0;
                }
            }
            b'!' | b'-' | b'*' | b'&' | b'|' => {
                run += 1;
                ops += 1;
            }
            b'+' | b'/' | b'%' | b'^' | b'?' => ops += 1,
            // A field or method, not a range and not a float's point.
            b'.' if bytes.get(i + 1) != Some(&b'.')
                && (i == 0 || bytes[i - 1] != b'.')
                && (tuple_index
                    || !(i > 0
                        && bytes[i - 1].is_ascii_digit()
                        && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))) =>
            {
                ops += 1
            }
            b'_' | b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => {
                let start = i;
                while i + 1 < bytes.len()
                    && (bytes[i + 1] == b'_' || bytes[i + 1].is_ascii_alphanumeric())
                {
                    i += 1;
                }
                let word = &bytes[start..=i];
                let after_dot = start > 0 && bytes[start - 1] == b'.';
                let number_after_dot = after_dot && word[0].is_ascii_digit();
                let opens = matches!(
                    word,
                    b"return"
                        | b"break"
                        | b"move"
                        | b"box"
                        | b"yield"
                        | b"mut"
                        | b"ref"
                        | b"dyn"
                        | b"impl"
                        | b"async"
                        | b"const"
                        | b"static"
                );
                run = if opens { run + 1 } else { 0 };
                if word == b"as" {
                    ops += 1;
                }
                if word == b"else" {
                    if brackets == else_level {
                        elses += 1;
                    } else {
                        else_level = brackets;
                        elses = 1;
                    }
                }
                last_close = false;
                tuple_index = number_after_dot;
                max.depth = max.depth.max(brackets + angles + run);
                max.chain = max.chain.max(ops.max(elses));
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            _ => {}
        }
        last_close = closes;
        tuple_index = false;
        max.depth = max.depth.max(brackets + angles + run);
        max.chain = max.chain.max(ops.max(elses));
        i += 1;
    }
    max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_depth() {
        assert_eq!(max_nesting("fn f() { g((1)) }").depth, 3);
        // Comment lines nest nothing; a `//` inside a line is not skipped.
        assert_eq!(
            max_nesting("//! ((((\n/// ((((\nfn f() {}\n    // [[[[[\n").depth,
            1
        );
        assert_eq!(max_nesting("f(\"http://x\", (a));\ng((b));").depth, 2);
        // A `//` line that may close a string or a block comment is counted.
        let string = "const S: &str = \"\n//\"; const X: u8 = (((0)));\n";
        assert!(max_nesting(string).depth >= 3);
        assert!(max_nesting("/*\n// */ const X: u8 = (((0)));\n").depth >= 3);
        assert_eq!(max_nesting(")))").depth, 0);
        assert_eq!(max_nesting("fn f() { !!!!!x; }").depth, 6);
        assert_eq!(max_nesting("let v: Vec<Vec<Vec<u8>>> = a;").depth, 3);
        assert_eq!(max_nesting("a.b().c()?.d;").chain, 4);
        assert_eq!(max_nesting("f()()();").chain, 2);
        // Floats, ranges and separate statements are not chains.
        assert_eq!(
            max_nesting("let a = [1.0, 2.5, 3.25]; let r = 0..10;").chain,
            0
        );
        assert_eq!(max_nesting("x.a(); y.b(); z.c();").chain, 1);
        assert_eq!(max_nesting("t.0.1.2;").chain, 3);
        let else_ifs = "fn f() { if a { x; } else if b { y; } else if c { z; } else { w; } }";
        assert_eq!(max_nesting(else_ifs).chain, 3);
    }
}
