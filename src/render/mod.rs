//! Writing panels: terminal tables, CSV and JSON, from render-neutral [`Table`]s.

pub mod csv;
pub mod json;
pub mod table;

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::panels::{Cell, Table};
use crate::window::format_time;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Titled terminal tables.
    #[default]
    Table,
    /// RFC 4180 CSV, one panel per stream.
    Csv,
    /// One JSON document.
    Json,
}

impl Format {
    /// File extension for `--output-dir`.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Table => "txt",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

/// Settings of the terminal renderer.
#[derive(Debug, Clone, Copy)]
pub struct TableOptions {
    /// Rows shown per panel (0 = all).
    pub limit: usize,
    /// Width to fit, when known.
    pub width: Option<u16>,
}

/// Facts about the run, shown with the panels in JSON.
pub type Summary = Vec<(&'static str, Cell)>;

/// Writes the tables to `out` in `format`, each as it comes from the iterator (so a caller can
/// build, write and drop one panel at a time).
pub fn write(
    out: &mut dyn Write,
    format: Format,
    tables: &mut dyn Iterator<Item = Table>,
    summary: &Summary,
    opts: TableOptions,
    spreadsheet_safe: bool,
) -> io::Result<()> {
    match format {
        Format::Table => {
            for (i, t) in tables.enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                table::write(out, &t, opts)?;
            }
            Ok(())
        }
        Format::Csv => {
            for t in tables {
                csv::write(out, &t, spreadsheet_safe)?;
            }
            Ok(())
        }
        Format::Json => json::write_document(out, tables, summary),
    }
}

/// Writes each table to `dir/<id>.<ext>`, as it comes; returns the paths written.
pub fn write_dir(
    dir: &Path,
    format: Format,
    tables: &mut dyn Iterator<Item = Table>,
    opts: TableOptions,
    spreadsheet_safe: bool,
) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create output directory {}", dir.display()))?;
    let mut written = Vec::new();
    for t in tables {
        let path = dir.join(format!("{}.{}", t.id, format.extension()));
        let file = std::fs::File::create(&path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        let mut out = io::BufWriter::new(file);
        match format {
            Format::Table => table::write(&mut out, &t, opts),
            Format::Csv => csv::write(&mut out, &t, spreadsheet_safe),
            Format::Json => json::write_panel(&mut out, &t),
        }
        .and_then(|()| out.flush())
        .with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// A cell as plain text, as CSV writes it.
pub fn cell_text(c: &Cell) -> String {
    match c {
        Cell::Text(s) => s.clone(),
        Cell::Count(n) => n.to_string(),
        Cell::Percent(h) => format!("{}.{:02}", h / 100, h % 100),
        Cell::Float(f) if f.is_finite() => plain_float(*f),
        Cell::Float(_) => String::new(),
        Cell::Time(t) => format_time(*t),
        Cell::Null => String::new(),
    }
}

/// A float in the shortest digits that read back to the same value (ties to even, as
/// Python's `repr`), written without an exponent and without a trailing `.0`: `62`, `0.1`,
/// `12.952285766601562`, `0.0000001`.
pub fn plain_float(f: f64) -> String {
    let mut buf = ryu::Buffer::new();
    let s = buf.format_finite(f);
    let (mantissa, exp) = match s.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (s, 0),
    };
    let (neg, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{int}{frac}");
    let point = int.len() as i32 + exp;
    let mut out = String::with_capacity(digits.len() + 8);
    if neg {
        out.push('-');
    }
    if point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-point) as usize));
        out.push_str(&digits);
    } else if point as usize >= digits.len() {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', point as usize - digits.len()));
    } else {
        out.push_str(&digits[..point as usize]);
        out.push('.');
        out.push_str(&digits[point as usize..]);
    }
    // Drop a fraction of zeros ("62.0" -> "62") and leading zeros of the integer part.
    if let Some(dot) = out.find('.') {
        let trimmed = out.trim_end_matches('0').len();
        out.truncate(trimmed.max(dot));
        if out.ends_with('.') {
            out.pop();
        }
    }
    let sign = usize::from(neg);
    while out.len() > sign + 1 && out[sign..].starts_with('0') && !out[sign..].starts_with("0.") {
        out.remove(sign);
    }
    out
}

/// Makes attacker-controlled text safe for a terminal: control characters (C0, DEL, C1) and the
/// Unicode bidirectional overrides are shown as visible escapes (`\x1b`, `\u{202e}`), and
/// backslashes are doubled so an escape cannot be forged.
pub fn sanitize(s: &str) -> String {
    let needs = |c: char| {
        c.is_control()
            || c == '\\'
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
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
            ("a\\x1b", "a\\\\x1b"),
            ("ünïcødé ok", "ünïcødé ok"),
        ];
        for (input, want) in cases {
            assert_eq!(sanitize(input), want, "{input:?}");
            assert!(!sanitize(input).chars().any(|c| c.is_control()));
        }
    }

    #[test]
    fn cells_as_text() {
        assert_eq!(cell_text(&Cell::Percent(4286)), "42.86");
        assert_eq!(cell_text(&Cell::Percent(5)), "0.05");
        assert_eq!(cell_text(&Cell::Percent(10_000)), "100.00");
        assert_eq!(cell_text(&Cell::Float(0.1 + 0.2)), "0.30000000000000004");
        let floats = [
            (62.0, "62"),
            (-0.0931, "-0.0931"),
            (0.0, "0"),
            (1e-7, "0.0000001"),
            (-1.5e-7, "-0.00000015"),
            (1.5e16, "15000000000000000"),
            (1e21, "1000000000000000000000"),
            (123.456, "123.456"),
            // Exactly halfway between two 17-digit decimals: ties to even, as Python's repr.
            (13581456.0 / 1048576.0, "12.952285766601562"),
            (
                1e300,
                "1000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
            ),
        ];
        for (f, want) in floats {
            assert_eq!(cell_text(&Cell::Float(f)), want, "{f:e}");
            assert_eq!(cell_text(&Cell::Float(f)).parse::<f64>().unwrap(), f);
        }
        assert_eq!(cell_text(&Cell::Float(f64::NAN)), "");
        assert_eq!(cell_text(&Cell::Time(0)), "1970-01-01T00:00:00Z");
    }
}
