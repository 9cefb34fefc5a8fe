//! Text helpers every layer may use: plurals, and making attacker-controlled text safe to show
//! in a terminal. A leaf module: it imports nothing else of the crate, so diagnostics and
//! renderers can both use it without depending on each other.

use std::fmt::Write as _;

/// `"s"` unless `n == 1`.
pub fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Words joined as a list is said: `a`, `a and b`, `a, b and c`.
pub fn and_list(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Declares [`UNSAFE_RANGES`] and [`is_unsafe`] from one list of inclusive ranges, so the
/// function the terminal's tables use and the table the HTML page gets cannot disagree.
macro_rules! unsafe_chars {
    ($($lo:literal ..= $hi:literal,)+) => {
        /// What [`is_unsafe`] names, as inclusive ranges in ascending order: the HTML page's
        /// script shows these as escapes too (the page carries them beside its data).
        pub const UNSAFE_RANGES: &[(char, char)] = &[$(($lo, $hi)),+];

        /// True for characters that can drive a terminal, reorder what it shows or hide in it:
        /// control characters (C0, DEL, C1: Unicode's `Cc`, as `char::is_control`), the Unicode
        /// bidirectional embeddings, overrides and isolates, and the other default-ignorable
        /// code points (Unicode's `Default_Ignorable_Code_Point`: zero-width spaces and
        /// joiners, the soft hyphen, word joiners, variation selectors, the byte order mark,
        /// tags), which show as nothing, so that `al\u{200b}ice` would look like `alice` in a
        /// table of users.
        pub fn is_unsafe(c: char) -> bool {
            matches!(c, $($lo..=$hi)|+)
        }
    };
}

unsafe_chars! {
    // Control characters: C0, then DEL and C1.
    '\0'..='\u{1f}',
    '\u{7f}'..='\u{9f}',
    // Default_Ignorable_Code_Point (DerivedCoreProperties.txt), bidirectional controls in it.
    '\u{ad}'..='\u{ad}',
    '\u{34f}'..='\u{34f}',
    '\u{61c}'..='\u{61c}',
    '\u{115f}'..='\u{1160}',
    '\u{17b4}'..='\u{17b5}',
    '\u{180b}'..='\u{180f}',
    '\u{200b}'..='\u{200f}',
    '\u{202a}'..='\u{202e}',
    '\u{2060}'..='\u{206f}',
    '\u{3164}'..='\u{3164}',
    '\u{fe00}'..='\u{fe0f}',
    '\u{feff}'..='\u{feff}',
    '\u{ffa0}'..='\u{ffa0}',
    '\u{fff0}'..='\u{fff8}',
    '\u{1bca0}'..='\u{1bca3}',
    '\u{1d173}'..='\u{1d17a}',
    '\u{e0000}'..='\u{e0fff}',
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
        if !push_escape(&mut out, c) {
            out.push(c);
        }
    }
    out
}

/// Appends the visible escape [`sanitize`] shows for `c` (`\\`, `\n`, `\x1b`, `\u{200b}`) to
/// `out` and returns true, or returns false when `c` shows as it is. An escape is ASCII
/// letters, digits, `\`, `{` and `}` only.
pub fn push_escape(out: &mut String, c: char) -> bool {
    match c {
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x80 && c.is_control() => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if is_unsafe(c) => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
        _ => return false,
    }
    true
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

    /// The set is Unicode's `Cc` (what `char::is_control` names) and the 17 ranges of Unicode
    /// 15's `Default_Ignorable_Code_Point` (DerivedCoreProperties.txt), written out here as
    /// code points, checked over every code point; the ranges are sorted and apart, as the
    /// page's script may take them.
    #[test]
    fn unsafe_is_control_and_default_ignorable() {
        let ignorable: &[(u32, u32)] = &[
            (0xad, 0xad),
            (0x34f, 0x34f),
            (0x61c, 0x61c),
            (0x115f, 0x1160),
            (0x17b4, 0x17b5),
            (0x180b, 0x180f),
            (0x200b, 0x200f),
            (0x202a, 0x202e),
            (0x2060, 0x206f),
            (0x3164, 0x3164),
            (0xfe00, 0xfe0f),
            (0xfeff, 0xfeff),
            (0xffa0, 0xffa0),
            (0xfff0, 0xfff8),
            (0x1bca0, 0x1bca3),
            (0x1d173, 0x1d17a),
            (0xe0000, 0xe0fff),
        ];
        for c in '\0'..=char::MAX {
            let want = c.is_control()
                || ignorable
                    .iter()
                    .any(|&(lo, hi)| (lo..=hi).contains(&(c as u32)));
            assert_eq!(is_unsafe(c), want, "{:x}", c as u32);
            let listed = UNSAFE_RANGES.iter().any(|&(lo, hi)| (lo..=hi).contains(&c));
            assert_eq!(listed, want, "{:x}", c as u32);
        }
        assert!(UNSAFE_RANGES.windows(2).all(|w| w[0].1 < w[1].0));
        assert!(UNSAFE_RANGES.iter().all(|(lo, hi)| lo <= hi));
    }

    #[test]
    fn escapes_are_sanitize_s() {
        for (c, want) in [
            ('\\', Some("\\\\")),
            ('\n', Some("\\n")),
            ('\u{1b}', Some("\\x1b")),
            ('\u{7f}', Some("\\x7f")),
            ('\u{9b}', Some("\\u{9b}")),
            ('\u{202e}', Some("\\u{202e}")),
            ('\u{e0041}', Some("\\u{e0041}")),
            ('a', None),
            ('\u{200a}', None),
        ] {
            let mut out = String::new();
            let pushed = push_escape(&mut out, c);
            assert_eq!((pushed, out.as_str()), (want.is_some(), want.unwrap_or("")));
            assert_eq!(
                sanitize(&c.to_string()),
                want.map_or(c.to_string(), String::from)
            );
        }
    }

    #[test]
    fn plurals() {
        assert_eq!((plural(0), plural(1), plural(2)), ("s", "", "s"));
    }
}
