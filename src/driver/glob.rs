//! cargo's package-spec globs (`-p 'svc-*'`, workspace `members`, config `include`).

/// cargo's package-spec globs: `*`, `?` and `[...]` classes.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    fn matches(p: &[char], n: &[char]) -> bool {
        match (p.first(), n.first()) {
            (None, None) => true,
            (Some('*'), _) => matches(&p[1..], n) || (!n.is_empty() && matches(p, &n[1..])),
            (Some('?'), Some(_)) => matches(&p[1..], &n[1..]),
            (Some('['), Some(c)) => match p.iter().position(|&x| x == ']') {
                Some(end) => p[1..end].contains(c) && matches(&p[end + 1..], &n[1..]),
                None => p[0] == *c && matches(&p[1..], &n[1..]),
            },
            (Some(a), Some(b)) => a == b && matches(&p[1..], &n[1..]),
            _ => false,
        }
    }
    let pattern: Vec<char> = pattern.chars().collect();
    let name: Vec<char> = name.chars().collect();
    matches(&pattern, &name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_globs() {
        assert!(glob_match("svc-*", "svc-api"));
        assert!(glob_match("svc-ap?", "svc-api"));
        assert!(glob_match("svc-[ab]pi", "svc-api"));
        assert!(!glob_match("svc-[bc]pi", "svc-api"));
        assert!(!glob_match("svc", "svc-api"));
    }
}
