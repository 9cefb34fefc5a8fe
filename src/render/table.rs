//! Terminal tables: one titled table per panel, fitted to the width, long panels cut to
//! `--limit` rows with a line saying how many more there are, time series shown as one line per
//! series with a sparkline. All text passes through [`sanitize`] first.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::layout::{self, Column, Kind};
use super::{Exporter, FormatDef, Options, Summary, cell_text};
use crate::panels::{Cell, SeriesSummary, Table, View};
use crate::text::{plural, sanitize};
use crate::window::{Millis, format_duration, format_time};

/// Width assumed when the terminal's is unknown, and of table files (`--output-dir`).
pub const DEFAULT_WIDTH: u16 = 100;

/// `--format table`.
pub const FORMAT: FormatDef = FormatDef {
    name: "table",
    about: "Titled tables for reading, fitted to the terminal width (on a pipe: COLUMNS, else 100)",
    extension: "txt",
    one_panel: false,
    shows_notes: true,
    exporter: |opts| Box::new(Tables(opts)),
};

/// The terminal table exporter.
pub struct Tables(pub Options);

impl Exporter for Tables {
    fn write_stream(
        &self,
        out: &mut dyn Write,
        tables: &mut dyn Iterator<Item = Table>,
        _summary: &Summary,
    ) -> io::Result<()> {
        for (i, t) in tables.enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            write(out, &t, self.0, HOIST)?;
        }
        Ok(())
    }

    /// Table files are a fixed width and keep every column in every table (see [`HOIST`]).
    fn write_file(&self, out: &mut dyn Write, table: &Table) -> io::Result<()> {
        write(out, table, self.0, !HOIST)
    }
}

/// `write`'s `hoist`: a table too wide for the terminal (or `$COLUMNS`) may say the key
/// columns every row shares once above it and leave them out (see [`layout::draw`]).
const HOIST: bool = true;

const SPARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// Writes one panel as a titled table; with `hoist`, key columns every row shares may be said
/// once above a table too wide (see [`layout::draw`]).
pub fn write(out: &mut dyn Write, t: &Table, opts: Options, hoist: bool) -> io::Result<()> {
    match &t.view {
        View::Rows => rows(out, t, opts, hoist)?,
        View::Bars { label, value } => {
            bars(out, t, opts, *label, *value)?;
            rows(out, t, opts, hoist)?
        }
        View::Series {
            time,
            keys,
            value,
            bucket,
            summary,
            unit: _,
        } => {
            let shape = SeriesShape {
                time: *time,
                keys,
                value: *value,
                bucket: *bucket,
                summary: *summary,
            };
            series(out, t, opts, &shape, hoist)?
        }
    }
    if let Some(note) = &t.note {
        line(out, &sanitize(note), opts)?;
    }
    Ok(())
}

fn is_number(c: &Cell) -> bool {
    matches!(c, Cell::Count(_) | Cell::Percent(_) | Cell::Float(_))
}

fn shown(c: &Cell) -> String {
    match c {
        Cell::Text(s) if s.is_empty() => "-".to_string(),
        Cell::Null => "-".to_string(),
        Cell::Text(s) => sanitize(s),
        other => cell_text(other),
    }
}

/// Writes `text` wrapped at spaces to the width.
fn line(out: &mut dyn Write, text: &str, opts: Options) -> io::Result<()> {
    out.write_all(layout::lines(text, usize::from(opts.width)).as_bytes())
}

fn more_line(
    out: &mut dyn Write,
    hidden: usize,
    (one, many): (&str, &str),
    opts: Options,
) -> io::Result<()> {
    if hidden == 0 {
        return Ok(());
    }
    let what = if hidden == 1 { one } else { many };
    line(
        out,
        &format!("… {hidden} more {what} (--limit 0 shows all; the other formats carry every row)"),
        opts,
    )
}

/// How many of `n` rows are shown.
fn shown_rows(n: usize, opts: Options) -> usize {
    if opts.limit == 0 {
        n
    } else {
        n.min(opts.limit)
    }
}

fn rows(out: &mut dyn Write, t: &Table, opts: Options, hoist: bool) -> io::Result<()> {
    line(out, &t.title, opts)?;
    if t.rows.is_empty() {
        return writeln!(out, "(no rows)");
    }
    let limit = shown_rows(t.rows.len(), opts);
    let shown_part: Vec<_> = t.rows.range(0..limit).collect();
    let columns: Vec<Column> = t
        .columns
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let number = shown_part.iter().any(|r| is_number(&r[i]));
            Column {
                header: (*name).to_string(),
                kind: if number { Kind::Number } else { Kind::Text },
                cells: shown_part.iter().map(|r| shown(&r[i])).collect(),
                // Only keys are said once: not worth a pass over the rows for numbers.
                same: !number && same_in_every_row(t, i),
            }
        })
        .collect();
    let drawn = layout::draw(
        &columns,
        limit,
        usize::from(opts.width),
        hoist,
        |_, _, _| String::new(),
    );
    writeln!(out, "{drawn}")?;
    more_line(out, t.rows.len() - limit, ("row", "rows"), opts)
}

/// The panel has two rows or more and column `i` has one value in all of them, shown or not:
/// the line said above a table speaks for every row.
fn same_in_every_row(t: &Table, i: usize) -> bool {
    let mut all = t.rows.iter();
    let Some(first) = all.next().map(|r| r[i].clone()) else {
        return false;
    };
    t.rows.len() > 1 && all.all(|r| r[i] == first)
}

/// Longest bar, in characters.
const BAR_WIDTH: usize = 40;
/// Shortest bar, in characters.
const MIN_BAR: usize = 10;

/// A bar chart of `value` summed by the `label` column, largest first, before the table.
fn bars(
    out: &mut dyn Write,
    t: &Table,
    opts: Options,
    label: usize,
    value: usize,
) -> io::Result<()> {
    let mut sums: BTreeMap<String, f64> = BTreeMap::new();
    for r in &t.rows {
        *sums.entry(cell_text(&r[label])).or_default() += value_of(&r[value]);
    }
    if sums.is_empty() {
        return Ok(());
    }
    let total: f64 = sums.values().sum();
    let mut list: Vec<(String, f64)> = sums.into_iter().collect();
    list.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let limit = shown_rows(list.len(), opts);
    let figures: Vec<String> = list
        .iter()
        .map(|(_, v)| {
            let pct = if total > 0.0 { v * 100.0 / total } else { 0.0 };
            format!("{} ({pct:.1}%)", fmt_num(*v))
        })
        .collect();
    let figure_width = figures
        .iter()
        .take(limit)
        .map(|f| f.len())
        .max()
        .unwrap_or(0);
    let avail = usize::from(opts.width);
    // "  name bar figures": names are whole (a line too narrow for one runs past the width);
    // bars get shorter, down to MIN_BAR.
    let names: Vec<String> = list.iter().take(limit).map(|(n, _)| sanitize(n)).collect();
    let name_width = names.iter().map(|n| layout::width(n)).max().unwrap_or(0);
    let bar_width = avail
        .saturating_sub(2 + name_width + 1 + 1 + figure_width)
        .clamp(MIN_BAR, BAR_WIDTH);
    let max = list[0].1;
    let by = t.columns[label];
    line(
        out,
        &format!("{} by {}", t.title, by.strip_suffix("_name").unwrap_or(by)),
        opts,
    )?;
    for (((_, v), name), figure) in list.iter().zip(&names).zip(&figures) {
        let len = if max > 0.0 {
            ((v / max) * bar_width as f64).round() as usize
        } else {
            0
        };
        let pad = name_width - layout::width(name);
        writeln!(
            out,
            "  {name}{} {:<bar_width$} {figure}",
            " ".repeat(pad),
            "█".repeat(len.max(usize::from(*v > 0.0))),
        )?;
    }
    more_line(out, list.len() - limit, ("bar", "bars"), opts)?;
    writeln!(out)
}

fn value_of(c: &Cell) -> f64 {
    match c {
        Cell::Count(n) => *n as f64,
        Cell::Float(f) => *f,
        Cell::Percent(h) => *h as f64 / 100.0,
        _ => 0.0,
    }
}

/// A sparkline of `values` in `min(values.len(), width)` characters: the buckets are resampled
/// to the width, each character standing for an equal share of them. For counts a character
/// shows the busiest of its buckets, so the tallest character is the bucket of the `peak`
/// column and equal peaks are drawn equal however the buckets fall into characters (a mean
/// would draw one event alone in a character of two buckets taller than in one of three); for
/// measurements (`mean`) the mean of its buckets that have data. Characters without data are
/// gaps. Counts are scaled from zero (zero is a space, the largest a full block); measurements
/// from their smallest to their largest value, so a latency that moves between 40 and 45 ms
/// shows its shape. An infinite value (a sum past `f64::MAX`) is drawn at the top, and the
/// finite ones are scaled among themselves.
pub fn sparkline(values: &[Option<f64>], width: usize, mean: bool) -> String {
    let n = values.len();
    let chars = n.min(width);
    if chars == 0 {
        return String::new();
    }
    let cols: Vec<Option<f64>> = (0..chars)
        .map(|i| {
            let present = values[i * n / chars..(i + 1) * n / chars]
                .iter()
                .flatten()
                .copied();
            if mean {
                let (sum, k) = present.fold((0.0, 0usize), |(s, k), v| (s + v, k + 1));
                (k > 0).then(|| sum / k as f64)
            } else {
                present.reduce(f64::max)
            }
        })
        .collect();
    let finite = || cols.iter().flatten().copied().filter(|v| v.is_finite());
    let max = finite().fold(f64::MIN, f64::max);
    let min = finite().fold(f64::MAX, f64::min);
    let top = SPARKS.len() - 1;
    cols.iter()
        .map(|v| match *v {
            None => ' ',
            Some(v) if v == f64::INFINITY => SPARKS[top],
            Some(v) if v.is_nan() || v == f64::NEG_INFINITY => SPARKS[0],
            Some(v) if mean => {
                if max > min {
                    SPARKS[(((v - min) / (max - min)) * top as f64).round() as usize]
                } else {
                    SPARKS[top / 2]
                }
            }
            Some(v) if v > 0.0 && max > 0.0 => {
                let level = ((v / max) * SPARKS.len() as f64).ceil() as usize;
                SPARKS[level.clamp(1, SPARKS.len()) - 1]
            }
            Some(_) => ' ',
        })
        .collect()
}

/// Where a long-form time series keeps its parts.
struct SeriesShape<'a> {
    time: usize,
    keys: &'a [usize],
    value: usize,
    bucket: Millis,
    summary: SeriesSummary,
}

/// One series' buckets and the figures shown beside its sparkline.
struct SeriesLine {
    key: Vec<String>,
    slots: Vec<Option<f64>>,
    figures: Vec<f64>,
    rank: f64,
}

fn series(
    out: &mut dyn Write,
    t: &Table,
    opts: Options,
    s: &SeriesShape<'_>,
    hoist: bool,
) -> io::Result<()> {
    let times: Vec<Millis> = t
        .rows
        .iter()
        .filter_map(|r| {
            if let Cell::Time(x) = r[s.time] {
                Some(x)
            } else {
                None
            }
        })
        .collect();
    let (Some(&first), Some(&last)) = (times.iter().min(), times.iter().max()) else {
        line(out, &t.title, opts)?;
        return writeln!(out, "(no rows)");
    };
    let n = ((last - first) / s.bucket + 1) as usize;
    let info = format!(
        "({n} bucket{} of {}, {} to {})",
        plural(n as u64),
        format_duration(s.bucket),
        format_time(first),
        format_time(last + s.bucket)
    );
    // One line when it fits, else the title over the buckets.
    let title = format!("{} {info}", t.title);
    if layout::width(&title) <= usize::from(opts.width) {
        line(out, &title, opts)?;
    } else {
        line(out, &format!("{}\n{info}", t.title), opts)?;
    }
    let mut by_series: BTreeMap<Vec<String>, Vec<Option<f64>>> = BTreeMap::new();
    for r in &t.rows {
        let Cell::Time(x) = r[s.time] else { continue };
        let key: Vec<String> = s.keys.iter().map(|&k| cell_text(&r[k])).collect();
        let slot = ((x - first) / s.bucket) as usize;
        let slots = by_series.entry(key).or_insert_with(|| vec![None; n]);
        slots[slot] = Some(slots[slot].unwrap_or(0.0) + value_of(&r[s.value]));
    }
    let (figure_names, mean): (&[&str], bool) = match s.summary {
        SeriesSummary::Total => (&["total", "peak"], false),
        SeriesSummary::Stats => (&["min", "avg", "max", "last"], true),
    };
    let mut list: Vec<SeriesLine> = by_series
        .into_iter()
        .map(|(key, slots)| {
            let present: Vec<f64> = slots.iter().flatten().copied().collect();
            let sum: f64 = present.iter().sum();
            let max = present.iter().copied().fold(f64::MIN, f64::max);
            let figures = match s.summary {
                SeriesSummary::Total => vec![sum, max],
                SeriesSummary::Stats => vec![
                    present.iter().copied().fold(f64::MAX, f64::min),
                    sum / present.len().max(1) as f64,
                    max,
                    present.last().copied().unwrap_or(0.0),
                ],
            };
            let rank = if mean { 0.0 } else { sum };
            SeriesLine {
                key,
                slots,
                figures,
                rank,
            }
        })
        .collect();
    // Counts: busiest first. Measurements: in key order (region, stream, shard).
    list.sort_by(|a, b| b.rank.total_cmp(&a.rank).then_with(|| a.key.cmp(&b.key)));
    let limit = shown_rows(list.len(), opts);
    let shown_part = &list[..limit];
    let mut columns: Vec<Column> = s
        .keys
        .iter()
        .enumerate()
        .map(|(i, &k)| Column {
            header: t.columns[k].to_string(),
            kind: Kind::Text,
            cells: shown_part
                .iter()
                .map(|l| shown(&Cell::text(l.key[i].as_str())))
                .collect(),
            same: list.len() > 1 && list.iter().all(|l| l.key[i] == list[0].key[i]),
        })
        .collect();
    columns.extend(figure_names.iter().enumerate().map(|(i, name)| Column {
        header: (*name).to_string(),
        kind: Kind::Number,
        cells: shown_part.iter().map(|l| fmt_num(l.figures[i])).collect(),
        same: false,
    }));
    columns.push(Column {
        header: "trend".into(),
        kind: Kind::Spark(n),
        cells: Vec::new(),
        same: false,
    });
    let drawn = layout::draw(
        &columns,
        limit,
        usize::from(opts.width),
        hoist,
        |row, _, w| sparkline(&shown_part[row].slots, w, mean),
    );
    writeln!(out, "{drawn}")?;
    more_line(out, list.len() - limit, ("series", "series"), opts)
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(limit: usize) -> Options {
        Options {
            limit,
            width: 60,
            ..Options::default()
        }
    }

    #[test]
    fn sparkline_levels() {
        let some = |v: &[f64]| v.iter().map(|x| Some(*x)).collect::<Vec<_>>();
        assert_eq!(
            sparkline(&some(&[0.0, 1.0, 2.0, 4.0, 8.0]), 10, false),
            " ▁▂▄█"
        );
        assert_eq!(
            sparkline(&some(&[1.0, 1.0, 0.0, 0.0, 2.0, 2.0]), 3, false),
            "▄ █"
        );
        assert_eq!(sparkline(&some(&[0.0, 0.0]), 5, false), "  ");
        // Counts: each character the busiest of its buckets. 185 buckets in 64 characters
        // fall two or three to a character (185 * 1 / 64 = 2, then 63 * 185 / 64 = 182 to 185):
        // one event in the first bucket and one in the last are the same full block.
        let mut sparse = vec![Some(0.0); 185];
        sparse[0] = Some(1.0);
        sparse[184] = Some(1.0);
        let line: Vec<char> = sparkline(&sparse, 64, false).chars().collect();
        assert_eq!((line.len(), line[0], line[63]), (64, '█', '█'));
        assert!(line[1..63].iter().all(|&c| c == ' '));
        assert_eq!(
            sparkline(&some(&[1.0, 3.0, 0.0, 0.0, 0.0, 4.0]), 3, false),
            "▆ █" // maxima 3, 0 and 4 of 4: levels ceil(6) and 8
        );
        // An infinite sum is drawn at the top; the finite values scale among themselves.
        assert_eq!(
            sparkline(&some(&[f64::INFINITY, 2.0, 4.0]), 3, false),
            "█▄█"
        );
        assert_eq!(
            sparkline(&some(&[f64::INFINITY, 40.0, 45.0]), 3, true),
            "█▁█"
        );
        assert_eq!(sparkline(&[], 5, false), "");
        // Means of the buckets present, scaled from the smallest to the largest; a chunk with
        // no data is a gap.
        assert_eq!(
            sparkline(
                &[Some(4.0), None, None, None, Some(2.0), Some(6.0)],
                3,
                true
            ),
            "▄ ▄" // both means are 4: a flat line mid-height
        );
        assert_eq!(
            sparkline(&[Some(8.0), Some(0.0), None, Some(2.0)], 2, true),
            "█▁" // means 4 and 2: from the smallest to the largest
        );
    }

    #[test]
    fn rows_are_limited_and_sanitised() {
        let t = Table {
            id: "t",
            title: "Title".into(),
            columns: &["name", "count"],
            rows: (0..5)
                .map(|i| vec![Cell::text(format!("\u{1b}[2Jrow{i}")), Cell::Count(i)])
                .collect::<Vec<_>>()
                .into(),
            view: View::Rows,
            note: Some("a note".into()),
        };
        let mut out = Vec::new();
        write(&mut out, &t, opts(3), HOIST).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(s.starts_with("Title\n"));
        assert!(s.contains("\\x1b[2Jrow0") && s.contains("row2") && !s.contains("row3"));
        assert!(!s.contains('\u{1b}'));
        assert!(s.contains("… 2 more rows"));
        assert!(s.ends_with("a note\n"));
    }

    /// Notes wrap at spaces as titles do (the no-GeoIP note is longer than 80 columns).
    #[test]
    fn notes_wrap_to_the_width() {
        let note = "no GeoIP database found: pass --geoip FILE.mmdb or set KINESIS_INSIGHTS_GEOIP";
        let t = Table {
            id: "t",
            title: "Title".into(),
            columns: &["name"],
            rows: vec![vec![Cell::text("a")]].into(),
            view: View::Rows,
            note: Some(note.into()),
        };
        let mut out = Vec::new();
        write(&mut out, &t, opts(0), HOIST).unwrap();
        let s = String::from_utf8(out).unwrap();
        // Width 60: "no GeoIP database found: pass --geoip FILE.mmdb or set" is 54 columns.
        assert!(s.ends_with(
            "no GeoIP database found: pass --geoip FILE.mmdb or set\nKINESIS_INSIGHTS_GEOIP\n"
        ));
    }

    #[test]
    fn series_one_line_each() {
        let h = 3_600_000;
        let rows = vec![
            vec![Cell::Time(0), Cell::text("A"), Cell::Count(1)],
            vec![Cell::Time(0), Cell::text("B"), Cell::Count(0)],
            vec![Cell::Time(h), Cell::text("A"), Cell::Count(0)],
            vec![Cell::Time(h), Cell::text("B"), Cell::Count(5)],
        ];
        let t = Table {
            id: "s",
            title: "Over Time".into(),
            columns: &["time", "event_name", "count"],
            rows: rows.into(),
            view: View::Series {
                time: 0,
                keys: vec![1],
                value: 2,
                bucket: h,
                summary: SeriesSummary::Total,
                unit: "events",
            },
            note: None,
        };
        let mut out = Vec::new();
        write(&mut out, &t, opts(0), HOIST).unwrap();
        let s = String::from_utf8(out).unwrap();
        // At 60 columns the title goes over the buckets, which wrap at a space; B has the
        // larger total; each sparkline is scaled to its own largest bucket.
        assert_eq!(
            s,
            "Over Time\n\
             (2 buckets of 1h, 1970-01-01T00:00:00Z to\n\
             1970-01-01T02:00:00Z)\n\
             ┌────────────┬───────┬──────┬───────┐\n\
             │ event_name ┆ total ┆ peak ┆ trend │\n\
             ╞════════════╪═══════╪══════╪═══════╡\n\
             │ B          ┆     5 ┆    5 ┆  █    │\n\
             │ A          ┆     1 ┆    1 ┆ █     │\n\
             └────────────┴───────┴──────┴───────┘\n"
        );
        let mut out = Vec::new();
        write(
            &mut out,
            &t,
            Options {
                width: 80,
                ..opts(0)
            },
            HOIST,
        )
        .unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(s.starts_with(
            "Over Time (2 buckets of 1h, 1970-01-01T00:00:00Z to 1970-01-01T02:00:00Z)\n┌"
        ));
    }
}
