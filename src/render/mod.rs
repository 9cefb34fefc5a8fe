//! Writing panels from render-neutral [`Table`]s. Each output format is one module behind the
//! [`Exporter`] trait, registered once in [`FORMATS`] (its `--format` name, help line and file
//! extension come from there), as hyperfine's `src/export/` does: a new format is one file and
//! one line here.

pub mod csv;
pub mod html;
pub mod json;
pub mod layout;
pub mod table;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail};

use crate::diag::io_reason;
use crate::panels::{Cell, Table};

/// How panels are written, whatever the format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Rows shown per panel in tables (0 = all).
    pub limit: usize,
    /// Width tables are fitted to, in terminal columns.
    pub width: u16,
    /// The output is a terminal: CSV and JSON escape control characters as tables do, so a
    /// log line cannot drive it (redirected, they carry the data exactly).
    pub terminal: bool,
    /// CSV: text cells a spreadsheet would run as a formula get a leading `'`.
    pub spreadsheet_safe: bool,
    /// The dashboard (`events`, `metrics`, `health`): a page's title, and its file name with
    /// `--output-dir`.
    pub dashboard: &'static str,
    /// The command line as given, shown in a page's header (empty: none).
    pub command_line: &'static str,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            limit: 20,
            width: table::DEFAULT_WIDTH,
            terminal: false,
            spreadsheet_safe: false,
            dashboard: "",
            command_line: "",
        }
    }
}

/// Facts about the run, shown with the panels in JSON.
pub type Summary = Vec<(&'static str, Cell)>;

/// One output format. `Sync`: `--output-dir` writes one panel while the next is built.
pub trait Exporter: Sync {
    /// Writes the panels, each as it comes from the iterator (so a caller can build, write and
    /// drop one at a time), and the summary where the format has a place for it, to `out`.
    fn write_stream(
        &self,
        out: &mut dyn Write,
        tables: &mut dyn Iterator<Item = Table>,
        summary: &Summary,
    ) -> io::Result<()>;

    /// Writes one panel as a file of its own (`--output-dir`).
    fn write_file(&self, out: &mut dyn Write, table: &Table) -> io::Result<()>;

    /// All panels make one document (a page): `--output-dir` writes it whole to
    /// `DIR/<dashboard>.<extension>` instead of a file per panel.
    fn one_page(&self) -> bool {
        false
    }
}

/// An output format as the command line and `--output-dir` know it.
pub struct FormatDef {
    /// Its `--format` value.
    pub name: &'static str,
    /// One line for `--help`.
    pub about: &'static str,
    /// File extension with `--output-dir`.
    pub extension: &'static str,
    /// Standard output holds one panel only; more need `--output-dir`.
    pub one_panel: bool,
    /// Panel notes are part of the output; otherwise they go to standard error.
    pub shows_notes: bool,
    /// The exporter, with the run's options.
    pub exporter: fn(Options) -> Box<dyn Exporter>,
}

impl std::fmt::Debug for FormatDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

impl PartialEq for FormatDef {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

/// Every output format; the first is the default.
pub const FORMATS: &[FormatDef] = &[table::FORMAT, csv::FORMAT, json::FORMAT, html::FORMAT];

/// The format named `name` (one of [`FORMATS`]; clap checks it).
pub fn format(name: &str) -> &'static FormatDef {
    FORMATS
        .iter()
        .find(|f| f.name == name)
        .unwrap_or(&FORMATS[0])
}

/// [`write_dir`]'s `in_flight` for tables built already: as many files written at once as there
/// are worker threads.
pub const BUILT: usize = usize::MAX;

/// Writes each table to `dir/<id>.<ext>`, as it comes, up to `in_flight` files at once (never
/// more than the worker threads), and hands each table written to `written` (to drop it, or to
/// keep its memory when the process ends after the output); returns the paths written. A
/// format whose panels make [one page](Exporter::one_page) is written whole to
/// `dir/<dashboard>.<ext>`, with `summary`.
pub fn write_dir(
    dir: &Path,
    exporter: &dyn Exporter,
    extension: &str,
    tables: &mut dyn Iterator<Item = Table>,
    (dashboard, summary): (&str, &Summary),
    in_flight: usize,
    written: &(dyn Fn(Table) + Sync),
) -> anyhow::Result<Vec<PathBuf>> {
    if dir.exists() && !dir.is_dir() {
        bail!("--output-dir {}: is not a directory", dir.display());
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        anyhow!(
            "cannot create output directory {}: {}",
            dir.display(),
            io_reason(&e)
        )
    })?;
    if exporter.one_page() {
        let path = dir.join(format!("{dashboard}.{extension}"));
        let cannot = |e: io::Error| anyhow!("cannot write {}: {}", path.display(), io_reason(&e));
        let file = std::fs::File::create(&path).map_err(cannot)?;
        let mut out = io::BufWriter::new(file);
        exporter
            .write_stream(&mut out, tables, summary)
            .and_then(|()| out.flush())
            .map_err(cannot)?;
        return Ok(vec![path]);
    }
    // Each panel is written on a thread of its own (and then handed on there, so freeing it
    // does not hold up the next) while the next is built: at most `in_flight` writing at
    // once, and no more than the worker threads (one, when each table is built as it is asked
    // for: two panels in memory; as many as there are threads, when they are built already).
    // With `--threads 1`, one at a time.
    let threads = rayon::current_num_threads();
    let in_flight = if threads > 1 {
        in_flight.clamp(1, threads)
    } else {
        0
    };
    let write = |t: Table| -> anyhow::Result<PathBuf> {
        let path = dir.join(format!("{}.{extension}", t.id));
        let cannot = |e: io::Error| anyhow!("cannot write {}: {}", path.display(), io_reason(&e));
        let file = std::fs::File::create(&path).map_err(cannot)?;
        let mut out = io::BufWriter::new(file);
        exporter
            .write_file(&mut out, &t)
            .and_then(|()| out.flush())
            .map_err(cannot)?;
        written(t);
        Ok(path)
    };
    // A slot is free when any write ends, not only the oldest: a big table (errors, 10 MB of
    // CSV on a busy trail) starts as soon as a thread is free, not after the big one before it.
    std::thread::scope(|s| {
        let (done, ended) = std::sync::mpsc::channel::<()>();
        let mut writing = Vec::new();
        let mut running = 0;
        for t in tables {
            let done = Ended(done.clone());
            writing.push(s.spawn(move || {
                let _done = done;
                write(t)
            }));
            running += 1;
            while running > in_flight {
                // Each writer sends once as it ends, panicking or not; `done` is still held here,
                // so this cannot fail.
                let _ = ended.recv();
                running -= 1;
            }
        }
        // In order, so the first failure reported is the first panel's.
        writing
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

/// Says that a writer has ended when dropped (as it returns, or unwinds).
struct Ended(std::sync::mpsc::Sender<()>);

impl Drop for Ended {
    fn drop(&mut self) {
        let _ = self.0.send(());
    }
}

/// A cell as plain text, as CSV writes it.
pub fn cell_text(c: &Cell) -> String {
    if let Cell::Text(t) = c {
        return t.to_string();
    }
    let mut s = Vec::new();
    push_cell_text(&mut s, c);
    // Only ASCII (digits, signs, points, `inf`, times) or chrono's text was written.
    String::from_utf8(s).unwrap_or_default()
}

/// Appends a cell as [`cell_text`] writes it, as bytes (a CSV is written as bytes; nothing is
/// allocated for times, counts, floats and text).
pub fn push_cell_text(out: &mut Vec<u8>, c: &Cell) {
    match c {
        Cell::Text(s) => out.extend_from_slice(s.as_bytes()),
        // A tenth of the instructions of `write!` (a panel has a count on each of its rows).
        Cell::Count(n) => out.extend_from_slice(itoa::Buffer::new().format(*n).as_bytes()),
        Cell::Percent(h) => {
            let _ = write!(out, "{}.{:02}", h / 100, h % 100);
        }
        Cell::Float(f) if f.is_finite() => push_float(out, *f),
        // A sum beyond the largest f64 (the panel notes it); written as Python and Rust
        // read it back.
        Cell::Float(f) if f.is_infinite() => {
            out.extend_from_slice(if *f > 0.0 { b"inf" } else { b"-inf" })
        }
        Cell::Float(_) => {}
        Cell::Time(t) => crate::window::push_time(out, *t),
        Cell::Null => {}
    }
}

/// Appends `f` (finite) in the shortest digits that read back to the same value (ties to
/// even, as Python's `repr`), written without an exponent and without a trailing `.0`: `62`,
/// `0.1`, `12.952285766601562`, `0.0000001`. Nothing is allocated: a metrics CSV has a float
/// on each of its many rows.
pub fn push_float(out: &mut Vec<u8>, f: f64) {
    // A whole number below 2^53 (a sum of records or bytes) is its own shortest digits: floats
    // there are at most 1 apart, so no other number of as few digits reads back to it.
    let whole = f as i64;
    if whole as f64 == f && whole.unsigned_abs() < 1 << 53 && (whole != 0 || f.is_sign_positive()) {
        out.extend_from_slice(itoa::Buffer::new().format(whole).as_bytes());
        return;
    }
    // zmij writes what ryu writes (the tests hold them equal), but for `e+` before a positive
    // exponent, in fewer instructions.
    let mut buf = zmij::Buffer::new();
    let s = buf.format_finite(f).as_bytes();
    let Some(e) = s.iter().position(|&c| c == b'e') else {
        // Between 1e-5 and 1e16 the plain form comes already (`62.0`, `0.00001`, `-0.0931`),
        // with no zeros to trim but a `.0`; only ASCII is written.
        out.extend_from_slice(s.strip_suffix(b".0").unwrap_or(s));
        return;
    };
    // Otherwise `[-]d[.ddd]e[+-]x`: at most 17 significant digits, the first not 0 and the
    // last not 0, one before the point.
    let (mantissa, exp) = (&s[..e], parse_exponent(&s[e + 1..]));
    let (neg, mantissa) = match mantissa.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, mantissa),
    };
    let mut digits = [0u8; 24];
    let mut len = 0;
    for &c in mantissa.iter().filter(|&&c| c != b'.').take(digits.len()) {
        digits[len] = c;
        len += 1;
    }
    let digits = &digits[..len];
    // Digits before the point in the plain form.
    let point = 1 + i64::from(exp);
    if neg {
        out.push(b'-');
    }
    let zeros = |out: &mut Vec<u8>, n: i64| out.resize(out.len() + n.max(0) as usize, b'0');
    if point <= 0 {
        out.extend_from_slice(b"0.");
        zeros(out, -point);
        out.extend_from_slice(digits);
    } else if point as usize >= digits.len() {
        out.extend_from_slice(digits);
        zeros(out, point - digits.len() as i64);
    } else {
        out.extend_from_slice(&digits[..point as usize]);
        out.push(b'.');
        out.extend_from_slice(&digits[point as usize..]);
    }
}

/// The exponent written after `e` (`-7`, `+300`).
fn parse_exponent(e: &[u8]) -> i32 {
    let (neg, e) = match e.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, e),
    };
    let n = e
        .iter()
        .fold(0i32, |n, &d| n * 10 + i32::from(d.wrapping_sub(b'0')));
    if neg { -n } else { n }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The formatter [`push_float`] replaced (string by string), kept to check it against.
    /// A float in the shortest digits that read back to the same value (ties to even, as
    /// Python's `repr`), written without an exponent and without a trailing `.0`: `62`, `0.1`,
    /// `12.952285766601562`, `0.0000001`.
    fn reference_plain_float(f: f64) -> String {
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
        while out.len() > sign + 1 && out[sign..].starts_with('0') && !out[sign..].starts_with("0.")
        {
            out.remove(sign);
        }
        out
    }

    /// The formatter against the one it replaced: every class of float ryu writes (decimal,
    /// exponent above and below, subnormal, extremes, negative zero) and a sweep of random bit
    /// patterns.
    #[test]
    fn float_text_as_before() {
        let mut fixed = vec![
            0.0, -0.0, 1.0, -1.0, 0.1, 1e-5, 1.234e-5, 9.9999e-6, 1e15, 1e16, 1e17,
        ];
        fixed.extend([
            f64::MIN_POSITIVE,
            5e-324,
            -5e-324,
            f64::MAX,
            f64::MIN,
            f64::EPSILON,
        ]);
        fixed.extend((0..40).map(|i| 10f64.powi(i - 20) * 1.25));
        // Whole numbers about 2^53, where floats become 2 apart, and 2^63.
        let two53 = (1u64 << 53) as f64;
        for d in -4..=4 {
            let d = f64::from(d);
            fixed.extend([
                two53 + d,
                -two53 + d,
                two53 * 2.0 + 2.0 * d,
                2f64.powi(63) + d,
            ]);
        }
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        // Any exponent; exponents around the decimal range (1e-12 to 1e21); whole numbers of
        // any size below 2^54 and either sign; decimals (sums of bytes in MiB, averages).
        let random = (0..400_000u64).map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let sign = if x >> 63 == 0 { 1.0 } else { -1.0 };
            match i % 4 {
                0 => f64::from_bits(x),
                1 => f64::from_bits((x & 0x800f_ffff_ffff_ffff) | ((983 + (x >> 52) % 110) << 52)),
                2 => sign * (x >> (10 + x % 54)) as f64,
                _ => {
                    sign * (x >> 24) as f64 / [7.0, 100.0, 1048576.0, 60.0][(x >> 20) as usize % 4]
                }
            }
        });
        for f in fixed.into_iter().chain(random).filter(|f| f.is_finite()) {
            assert_eq!(
                cell_text(&Cell::Float(f)),
                reference_plain_float(f),
                "{f:e}"
            );
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
        assert_eq!(cell_text(&Cell::Float(f64::INFINITY)), "inf");
        assert_eq!(cell_text(&Cell::Float(f64::NEG_INFINITY)), "-inf");
        assert_eq!(cell_text(&Cell::Time(0)), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn counts_are_written_as_std_writes_them() {
        let mut n = 1u64;
        let mut counts = vec![0, u64::MAX];
        for _ in 0..2000 {
            // xorshift over every magnitude, and each power of ten and its neighbours.
            n ^= n << 13;
            n ^= n >> 7;
            n ^= n << 17;
            counts.push(n >> (n % 64));
        }
        for p in 0..20 {
            let t = 10u64.pow(p);
            counts.extend([t - 1, t, t + 1]);
        }
        for n in counts {
            assert_eq!(cell_text(&Cell::Count(n)), n.to_string());
        }
    }

    /// An exporter whose first table's write waits (up to a bound) for the last table's to
    /// start, and notes whether it did.
    struct WaitsForLast {
        started: std::sync::Mutex<Vec<&'static str>>,
        last_started: std::sync::Condvar,
        saw_last: std::sync::atomic::AtomicBool,
    }

    impl Exporter for WaitsForLast {
        fn write_stream(
            &self,
            _: &mut dyn Write,
            _: &mut dyn Iterator<Item = Table>,
            _: &Summary,
        ) -> io::Result<()> {
            unreachable!("per-file exporter")
        }

        fn write_file(&self, _: &mut dyn Write, table: &Table) -> io::Result<()> {
            let mut started = self.started.lock().unwrap();
            started.push(table.id);
            if table.id == "last" {
                self.last_started.notify_all();
            }
            if table.id == "big" {
                let (started, _) = self
                    .last_started
                    .wait_timeout_while(started, std::time::Duration::from_secs(5), |s| {
                        !s.contains(&"last")
                    })
                    .unwrap();
                let saw = started.contains(&"last");
                self.saw_last
                    .store(saw, std::sync::atomic::Ordering::SeqCst);
            }
            Ok(())
        }
    }

    #[test]
    fn a_long_write_does_not_hold_back_the_tables_after_the_next() {
        // Two at once: while `big` is written, the small ones end and `last` must start in a
        // slot they free (a writer that waited for the oldest write first would wait for `big`).
        let table = |id| Table {
            id,
            title: "".into(),
            columns: &["a"],
            rows: Default::default(),
            view: crate::panels::View::Rows,
            note: None,
        };
        let exporter = WaitsForLast {
            started: Default::default(),
            last_started: Default::default(),
            saw_last: Default::default(),
        };
        let dir = tempfile::tempdir().unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        // Each table is handed on once, after its file is written.
        let handed = std::sync::Mutex::new(Vec::new());
        let after = |t: Table| {
            assert!(dir.path().join(format!("{}.x", t.id)).is_file(), "{}", t.id);
            handed.lock().unwrap().push(t.id);
        };
        let written = pool.install(|| {
            let mut tables = ["big", "small", "small2", "last"].into_iter().map(table);
            write_dir(
                dir.path(),
                &exporter,
                "x",
                &mut tables,
                ("d", &Vec::new()),
                2,
                &after,
            )
        });
        let mut handed = handed.into_inner().unwrap();
        handed.sort_unstable();
        assert_eq!(handed, ["big", "last", "small", "small2"]);
        let names: Vec<_> = written
            .unwrap()
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["big.x", "small.x", "small2.x", "last.x"]);
        assert!(exporter.saw_last.load(std::sync::atomic::Ordering::SeqCst));
    }
}
