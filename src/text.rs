//! Text helpers every layer may use: plurals, and making attacker-controlled text safe to show
//! in a terminal. A leaf module: it imports nothing else of the crate, so diagnostics and
//! renderers can both use it without depending on each other.

use std::fmt::Write as _;

/// `"s"` unless `n == 1`.
pub fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// True for characters that can drive a terminal, reorder what it shows or hide in it: control
/// characters (C0, DEL, C1), the Unicode bidirectional embeddings, overrides and isolates, and
/// the other default-ignorable code points (Unicode's `Default_Ignorable_Code_Point`: zero-width
/// spaces and joiners, the soft hyphen, word joiners, variation selectors, the byte order mark,
/// tags), which show as nothing, so that `al\u{200b}ice` would look like `alice` in a table of
/// users.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{ad}'
                | '\u{34f}'
                | '\u{61c}'
                | '\u{115f}'..='\u{1160}'
                | '\u{17b4}'..='\u{17b5}'
                | '\u{180b}'..='\u{180f}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{3164}'
                | '\u{fe00}'..='\u{fe0f}'
                | '\u{feff}'
                | '\u{ffa0}'
                | '\u{fff0}'..='\u{fff8}'
                | '\u{1bca0}'..='\u{1bca3}'
                | '\u{1d173}'..='\u{1d17a}'
                | '\u{e0000}'..='\u{e0fff}'
        )
}

/// Makes attacker-controlled text safe for a terminal: what [`is_unsafe`] names (control
/// characters, bidirectional overrides, characters that show as nothing) is shown as visible
/// escapes (`\x1b`, `\u{202e}`, `\u{200b}`), and
/// backslashes are doubled so an escape cannot be forged. Apply it once, where text is written
/// to the terminal: applied twice, a backslash shows as four.
pub fn sanitize(s: &str) -> String {
    let needs = |c: char| c == '\\' || is_unsafe(c);
    if !s.chars().any(needs) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x80 && c.is_control() => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if needs(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_neutralises_escapes() {
        let cases = [
            ("plain text", "plain text"),
            ("\u{1b}[31mred\u{1b}[0m", "\\x1b[31mred\\x1b[0m"),
            ("a\nb\tc\rd", "a\\nb\\tc\\rd"),
            ("bell\u{7}del\u{7f}", "bell\\x07del\\x7f"),
            ("c1\u{9b}31m", "c1\\u{9b}31m"),
            ("rtl\u{202e}txt", "rtl\\u{202e}txt"),
            ("iso\u{2066}late", "iso\\u{2066}late"),
            // Characters that show as nothing: five users that would all read `alice`.
            ("al\u{200b}ice", "al\\u{200b}ice"),
            ("alice\u{2060}", "alice\\u{2060}"),
            ("\u{feff}alice", "\\u{feff}alice"),
            ("alice\u{ad}", "alice\\u{ad}"),
            ("a\u{e0041}\u{fe0f}", "a\\u{e0041}\\u{fe0f}"),
            ("a\\x1b", "a\\\\x1b"),
            ("ünïcødé ok", "ünïcødé ok"),
        ];
        for (input, want) in cases {
            assert_eq!(sanitize(input), want, "{input:?}");
            assert!(!sanitize(input).chars().any(is_unsafe));
        }
    }

    #[test]
    fn plurals() {
        assert_eq!((plural(0), plural(1), plural(2)), ("s", "", "s"));
    }
}
