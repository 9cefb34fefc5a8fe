//! `--event-name 'Put*'` and the other filter globs as regular expressions the engines run
//! (DuckDB's RE2, Spark's and Trino's Java-style syntax). The glob is compiled by `globset`, as
//! the CLI matches it, and its regex is rewritten into the syntax the three engines share, so
//! the SQL filter is the CLI's filter, not a second reading of the glob syntax.

use globset::Glob;

use crate::filter::PatternError;

/// The regex of `pattern` (a glob, as [`crate::filter::is_glob`] tells), anchored at both ends,
/// with `.` matching newlines.
///
/// globset matches bytes (`(?-u)`): `?` and `[...]` stand for one byte there and for one
/// character here, which differs only for non-ASCII text.
pub fn to_regex(pattern: &str) -> Result<String, PatternError> {
    let glob = Glob::new(pattern).map_err(|e| PatternError {
        pattern: pattern.to_string(),
        reason: e.kind().to_string(),
    })?;
    Ok(portable(glob.regex()))
}

/// globset's regex in the shared syntax: `(?-u)` becomes `(?s)` (globset builds its regex
/// with `.` matching newlines), `$` becomes `\z` (in Java, `$` also matches before a final
/// line break), and the `\xNN` escapes of a non-ASCII character's UTF-8 bytes become the
/// character.
fn portable(re: &str) -> String {
    let body = re.strip_prefix("(?-u)").unwrap_or(re);
    let mut out = String::from("(?s)");
    let mut bytes: Vec<u8> = Vec::new();
    let mut chars = body.chars().peekable();
    let flush = |bytes: &mut Vec<u8>, out: &mut String| {
        if !bytes.is_empty() {
            out.push_str(&String::from_utf8_lossy(bytes));
            bytes.clear();
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(next) = chars.next() else {
                    flush(&mut bytes, &mut out);
                    out.push('\\');
                    break;
                };
                if next == 'x' {
                    let hex: String = chars.by_ref().take(2).collect();
                    if let Ok(b) = u8::from_str_radix(&hex, 16) {
                        bytes.push(b);
                        continue;
                    }
                    flush(&mut bytes, &mut out);
                    out.push_str("\\x");
                    out.push_str(&hex);
                } else {
                    flush(&mut bytes, &mut out);
                    out.push('\\');
                    out.push(next);
                }
            }
            '$' if chars.peek().is_none() => {
                flush(&mut bytes, &mut out);
                out.push_str("\\z");
            }
            c => {
                flush(&mut bytes, &mut out);
                out.push(c);
            }
        }
    }
    flush(&mut bytes, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::Matcher;
    use proptest::prelude::*;

    #[test]
    fn examples() {
        assert_eq!(to_regex("Put*").unwrap(), "(?s)^Put.*\\z");
        assert_eq!(
            to_regex("10.0.0.[12]").unwrap(),
            "(?s)^10\\.0\\.0\\.[12]\\z"
        );
        assert_eq!(to_regex("{a,b}?").unwrap(), "(?s)^(?:a|b).\\z");
        assert_eq!(to_regex("é*").unwrap(), "(?s)^é.*\\z");
        assert!(to_regex("Put[").is_err());
    }

    proptest! {
        /// The rewritten regex (run by the regex crate, in Unicode mode as the engines are)
        /// accepts exactly what the CLI's matcher accepts, on ASCII text.
        #[test]
        fn same_as_the_cli(pattern in "[a-c*?\\[\\]!^{},/\\\\.-]{1,8}", text in "[a-c/.,!^\n-]{0,8}") {
            // `!` starts an exclusion, `\\!` a literal `!`: the filter reads those, not the glob.
            // Without glob characters a pattern is an exact value (`IN`), not a regex.
            if pattern.starts_with('!') || pattern.starts_with("\\!") || !crate::filter::is_glob(&pattern) {
                return Ok(());
            }
            let Ok(re) = to_regex(&pattern) else { return Ok(()); };
            let m = Matcher::new(std::slice::from_ref(&pattern)).unwrap();
            let ours = regex::Regex::new(&re).unwrap();
            prop_assert_eq!(ours.is_match(&text), m.matches(&text), "{} as {}", pattern, re);
        }
    }
}
