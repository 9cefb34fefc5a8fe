//! Panels read back from CSV: as `--output-dir` writes them, or as an engine returns the
//! queries `kinesis-insights sql` writes (Athena and Spark downloads quote and name files
//! their own way). A file is recognised by its header, which is the panel's CSV header;
//! `source_ip,count` (the SQL locations query) is calls by address, for the locations panel.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use super::events::{
    DEFAULT_BUCKET, EventsPanel, LOCATIONS, LOCATIONS_VIEW, PANELS, over_time_view,
};
use super::{Cell, Table, View};
use crate::window::{Millis, parse_event_time};

/// Header of the SQL locations query.
pub const SOURCE_COUNTS: [&str; 2] = ["source_ip", "count"];

/// What one CSV file holds.
pub enum Content {
    /// A panel's rows, in the file's order.
    Panel(&'static EventsPanel, Vec<Vec<Cell>>),
    /// Calls by source address (`source_ip,count`).
    SourceCounts(Vec<(String, u64)>),
}

/// One CSV file read.
pub struct Read {
    /// The file.
    pub path: PathBuf,
    /// What it holds.
    pub content: Content,
    /// Rows skipped, each with its line and reason (the first few).
    pub bad_rows: Vec<String>,
    /// How many rows were skipped in all.
    pub skipped: u64,
}

/// Why a file cannot be read as a panel at all.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct CsvError {
    /// The file.
    pub path: String,
    /// What is wrong.
    pub reason: String,
}

/// Most skipped rows named one by one per file.
const NAMED: usize = 5;

/// The panel whose CSV header is `header`.
fn panel_of(header: &[String]) -> Option<&'static EventsPanel> {
    PANELS.iter().find(|p| {
        p.columns.len() == header.len() && p.columns.iter().zip(header).all(|(a, b)| a == b)
    })
}

/// A value of column `column` as a cell.
fn parse_cell(column: &str, v: &str) -> Result<Cell, String> {
    match column {
        "count" => v
            .trim()
            .parse::<u64>()
            .map(Cell::Count)
            .map_err(|_| format!("count '{v}' is not a whole number")),
        "percent" => parse_percent(v)
            .map(Cell::Percent)
            .ok_or_else(|| format!("percent '{v}' is not a number with at most 2 decimals")),
        "time" => parse_event_time(v)
            .map(Cell::Time)
            .ok_or_else(|| format!("time '{v}' is not a time like 2024-03-09T10:00:00Z")),
        "latitude" | "longitude" if v.trim().is_empty() => Ok(Cell::Null),
        "latitude" | "longitude" => v
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Cell::Float)
            .ok_or_else(|| format!("{column} '{v}' is not a number")),
        _ => Ok(Cell::text(v)),
    }
}

/// `27.04`, `27.1`, `27` in hundredths; None for anything else.
fn parse_percent(v: &str) -> Option<u64> {
    let v = v.trim();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (int, frac) = match v.split_once('.') {
        Some((int, frac)) if digits(frac) => (int, frac),
        Some(_) => return None,
        None => (v, ""),
    };
    if !digits(int) || frac.len() > 2 {
        return None;
    }
    let whole: u64 = int.parse().ok()?;
    let hundredths: u64 = format!("{frac:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(hundredths)
}

/// Reads one CSV file: its header says which panel it is.
pub fn read_file(path: &Path) -> Result<Read, CsvError> {
    let err = |reason: String| CsvError {
        path: path.display().to_string(),
        reason,
    };
    // UTF-16 with a byte order mark (PowerShell's `>`) is read as UTF-8, and UTF-8's byte order
    // mark (spreadsheets write one) is left out, as for every input.
    let (file, utf16) = crate::input::decode::text_file(path)
        .map_err(|e| err(format!("cannot open: {}", crate::diag::io_reason(&e))))?;
    // A row that is not UTF-8 after transcoding had what UTF-16 cannot hold: said so.
    let reason = |e: csv::Error| match e.kind() {
        csv::ErrorKind::Utf8 { .. } if utf16.is_some() => {
            "invalid UTF-16 (an unpaired surrogate or an odd last byte)".to_string()
        }
        _ => e.to_string(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(std::io::BufReader::new(file));
    let mut records = reader.records();
    let header: Vec<String> = match records.next() {
        None => return Err(err("empty file: no CSV header".into())),
        Some(Err(e)) => return Err(err(format!("line 1: {}", reason(e)))),
        Some(Ok(r)) => r.iter().map(|s| s.trim().to_string()).collect(),
    };
    let panel = panel_of(&header);
    let counts = header == SOURCE_COUNTS;
    if panel.is_none() && !counts {
        let known: Vec<String> = PANELS.iter().map(|p| p.columns.join(",")).collect();
        return Err(err(format!(
            "line 1: header '{}' is not a panel's (one of: {}; or source_ip,count)",
            header.join(","),
            known.join(" | ")
        )));
    }
    let mut bad_rows = Vec::new();
    let mut skipped = 0u64;
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    for (i, rec) in records.enumerate() {
        let line = rec
            .as_ref()
            .ok()
            .and_then(|r| r.position())
            .map_or(i as u64 + 2, |p| p.line());
        let row = rec.map_err(reason).and_then(|r| {
            if r.len() != header.len() {
                return Err(format!(
                    "{} fields, the header has {}",
                    r.len(),
                    header.len()
                ));
            }
            header
                .iter()
                .zip(r.iter())
                .map(|(c, v)| parse_cell(c, v))
                .collect::<Result<Vec<Cell>, String>>()
        });
        match row {
            Ok(row) => rows.push(row),
            Err(reason) => {
                skipped += 1;
                if bad_rows.len() < NAMED {
                    bad_rows.push(format!("line {line}: {reason}"));
                }
            }
        }
    }
    let content = match panel {
        Some(p) => Content::Panel(p, rows),
        None => Content::SourceCounts(
            rows.into_iter()
                .map(|r| match (&r[0], &r[1]) {
                    (Cell::Text(ip), Cell::Count(n)) => (ip.to_string(), *n),
                    _ => unreachable!("source_ip is text, count a count"),
                })
                .collect(),
        ),
    };
    Ok(Read {
        path: path.to_path_buf(),
        content,
        bad_rows,
        skipped,
    })
}

/// The CSV files to read at `path`: the file itself, or every `*.csv` directly in the
/// directory, by name.
pub fn files(path: &Path) -> Result<Vec<PathBuf>, CsvError> {
    let err = |reason: String| CsvError {
        path: path.display().to_string(),
        reason,
    };
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| err(format!("cannot read: {}", crate::diag::io_reason(&e))))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x.eq_ignore_ascii_case("csv")))
        .collect();
    out.sort();
    if out.is_empty() {
        return Err(err("no .csv files in this directory".into()));
    }
    Ok(out)
}

/// A panel read back as a [`Table`], with the view the CLI gives it (`title` for a panel
/// whose title depends on the settings, as top-users').
pub fn table(panel: &'static EventsPanel, rows: Vec<Vec<Cell>>, title: Option<String>) -> Table {
    let view = match panel.id {
        "events-over-time" => over_time_view(spacing(&rows)),
        LOCATIONS => LOCATIONS_VIEW,
        _ => View::Rows,
    };
    Table {
        id: panel.id,
        title: title.map_or(Cow::Borrowed(panel.title), Cow::Owned),
        columns: panel.columns,
        rows: rows.into(),
        view,
        note: None,
    }
}

/// The bucket width of over-time rows: the smallest step between their times.
fn spacing(rows: &[Vec<Cell>]) -> Millis {
    let mut times: Vec<Millis> = rows
        .iter()
        .filter_map(|r| match r.first() {
            Some(Cell::Time(t)) => Some(*t),
            _ => None,
        })
        .collect();
    times.sort_unstable();
    times.dedup();
    times
        .windows(2)
        .map(|w| w[1] - w[0])
        .min()
        .unwrap_or(DEFAULT_BUCKET)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percents() {
        assert_eq!(parse_percent("27.04"), Some(2704));
        assert_eq!(parse_percent("27.1"), Some(2710));
        assert_eq!(parse_percent("100"), Some(10_000));
        assert_eq!(parse_percent("0.05"), Some(5));
        for bad in ["", ".5", "5.", "1.234", "-1", "1e2", "x"] {
            assert_eq!(parse_percent(bad), None, "{bad}");
        }
    }

    #[test]
    fn headers_name_panels() {
        let h = |s: &str| s.split(',').map(String::from).collect::<Vec<_>>();
        assert_eq!(panel_of(&h("user,count")).unwrap().id, "top-users");
        assert_eq!(
            panel_of(&h("time,event_name,count")).unwrap().id,
            "events-over-time"
        );
        assert!(panel_of(&h("source_ip,count")).is_none());
        assert!(panel_of(&h("count,user")).is_none());
    }
}
