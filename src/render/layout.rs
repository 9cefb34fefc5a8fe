//! Fitting tables to a width without cutting or splitting a value. One rule for every table:
//!
//! - Numbers and identifiers (text without spaces: addresses, account ids, regions, times,
//!   names, shard ids) are shown whole, on one line: `192.168.1.2` over `0` would read as
//!   another value, and identifiers are what people copy.
//! - Free text (cells with spaces: messages, details, place names) wraps at spaces, never cut;
//!   column names wrap after `_`; sparklines shrink (down to `MIN_SPARK` characters).
//! - When that is too wide, identifier columns whose value is the same in every row of the
//!   panel are said once above the table (`Every row: region us-east-1, stream orders`, as
//!   the HTML heat map words it) and left out of it, one key column kept.
//! - When even that is too wide (free text would need more than `MAX_LINES` lines or would
//!   have to split a word), the panel is shown as one block per row instead, a line per column
//!   (`name  value`), as `psql`'s `\x auto` does: every value still whole, free text wrapped to
//!   the width, and a line under the title saying how wide the table would be.
//!
//! Widths are display columns (`unicode-width`, as comfy-table counts them), so wide and
//! combining characters line up.

use comfy_table::{CellAlignment, ColumnConstraint, ContentArrangement, Width, presets};
use unicode_width::UnicodeWidthStr;

/// Narrowest a sparkline is shrunk to (unless it has fewer buckets).
pub const MIN_SPARK: usize = 8;
/// Most lines free text takes in a table cell; text that would need more makes the panel
/// blocks.
pub const MAX_LINES: usize = 4;

/// Display width of `s` in terminal columns.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Packs `parts` greedily into lines of at most `w` columns, each part joined to the previous
/// one on its line with `sep`. Nothing is cut: a part wider than `w` has a line of its own.
fn pack<'a>(parts: impl Iterator<Item = &'a str>, sep: &str, w: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut started = false;
    for part in parts {
        if started && width(&line) + width(sep) + width(part) <= w {
            line.push_str(sep);
            line.push_str(part);
        } else {
            if started {
                lines.push(std::mem::take(&mut line));
            }
            line = part.to_string();
            started = true;
        }
    }
    lines.push(line);
    lines.join("\n")
}

/// Text wrapped at spaces to `w` columns (as `pack` lays out words); unchanged when it fits.
pub fn wrap(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_string();
    }
    pack(s.split(' '), " ", w)
}

/// A column name wrapped after `_` and at spaces (`country_` / `code`).
fn wrap_header(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_string();
    }
    pack(header_parts(s), "", w)
}

fn header_parts(s: &str) -> impl Iterator<Item = &str> {
    s.split_inclusive(['_', ' '])
}

/// Longest run of `s` that [`wrap`] keeps on one line.
fn longest_word(s: &str) -> usize {
    s.split(' ').map(width).max().unwrap_or(0)
}

/// Lines [`wrap`] makes of `s` at `w` columns (`w` at least its longest word).
fn wrapped_lines(s: &str, w: usize) -> usize {
    let mut lines = 1;
    let mut used: Option<usize> = None;
    for word in s.split(' ').map(width) {
        used = Some(match used {
            Some(u) if u + 1 + word <= w => u + 1 + word,
            Some(_) => {
                lines += 1;
                word
            }
            None => word,
        });
    }
    lines
}

/// Narrowest width at which [`wrap`] keeps every word of `s` whole in at most [`MAX_LINES`]
/// lines: its longest word, widened until it wraps into that many.
fn unbroken_width(s: &str) -> usize {
    let total = width(s);
    let mut w = longest_word(s).max(total.div_ceil(MAX_LINES));
    while w < total && wrapped_lines(s, w) > MAX_LINES {
        w += 1;
    }
    w
}

/// What a column holds, which decides how it may give way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Right-aligned, never narrower than its widest value.
    Number,
    /// Identifiers are never narrower than their widest value; free text (a cell with a space)
    /// wraps at spaces.
    Text,
    /// A sparkline of this many buckets, drawn at the width it gets.
    Spark(usize),
}

/// A column to lay out: its name, kind and cells (already sanitised; empty for sparklines,
/// which are drawn once their width is known).
#[derive(Debug, Clone)]
pub struct Column {
    /// Header.
    pub header: String,
    /// Kind.
    pub kind: Kind,
    /// Cell text, one per row.
    pub cells: Vec<String>,
    /// The value is the same in every row of the panel, shown or not, and the panel has two
    /// rows or more: an identifier column may then be said once above a table too wide (see
    /// [`draw`]).
    pub same: bool,
}

impl Column {
    /// Width with nothing wrapped.
    fn natural(&self) -> usize {
        let content = match self.kind {
            Kind::Spark(n) => n,
            _ => self.cells.iter().map(|c| width(c)).max().unwrap_or(0),
        };
        content.max(width(&self.header)).max(1)
    }

    /// Narrowest it is ever made in a table: the header wrapped after `_`; numbers and
    /// identifiers whole; free text wrapped at spaces into at most [`MAX_LINES`] lines with
    /// every word whole; sparklines down to [`MIN_SPARK`].
    fn floor(&self) -> usize {
        let header = header_parts(&self.header).map(width).max().unwrap_or(0);
        let content = match self.kind {
            Kind::Spark(n) => n.min(MIN_SPARK),
            Kind::Text if self.is_prose() => self
                .cells
                .iter()
                .map(|c| unbroken_width(c))
                .max()
                .unwrap_or(0),
            _ => self.cells.iter().map(|c| width(c)).max().unwrap_or(0),
        };
        content.max(header).max(1)
    }

    /// Text with spaces in it (messages, details, names of places): wraps at spaces.
    fn is_prose(&self) -> bool {
        self.kind == Kind::Text && self.cells.iter().any(|c| c.contains(' '))
    }

    /// An identifier column (a key: region, stream, user) with one value in every row.
    fn is_shared_key(&self) -> bool {
        self.same && self.kind == Kind::Text && !self.is_prose() && !self.cells.is_empty()
    }
}

/// The columns kept when those every row shares are said once: all but the shared keys, and
/// at least one key column (the last shared one, when every key column is shared). `None`
/// when no column is shared.
fn unshared(columns: &[Column]) -> Option<Vec<usize>> {
    let shared: Vec<usize> = (0..columns.len())
        .filter(|&i| columns[i].is_shared_key())
        .collect();
    let last = *shared.last()?;
    let keys_left = columns
        .iter()
        .enumerate()
        .any(|(i, c)| c.kind == Kind::Text && !shared.contains(&i));
    Some(
        (0..columns.len())
            .filter(|i| !shared.contains(i) || (!keys_left && *i == last))
            .collect(),
    )
}

/// How a panel's columns fit a width.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fit {
    /// A table with these column widths (borders and padding not included).
    Table(Vec<usize>),
    /// One block per row: as a table, even at its narrowest, it would take this many columns.
    Blocks(usize),
}

/// Borders and padding of a table of `n` columns: "│ a ┆ b │" has one border before each
/// column, one after the last and a space on each side of every cell.
fn borders(n: usize) -> usize {
    3 * n + 1
}

/// How `columns` fit into `total` terminal columns, borders included: at their natural widths
/// when they fit; else the widest give way first, each down to its floor, and
/// what is left over goes back one column at a time; blocks when even the floors are too wide.
pub fn fit(columns: &[Column], total: usize) -> Fit {
    let avail = total.saturating_sub(borders(columns.len()));
    let natural: Vec<usize> = columns.iter().map(Column::natural).collect();
    if natural.iter().sum::<usize>() <= avail {
        return Fit::Table(natural);
    }
    let floor: Vec<usize> = columns.iter().map(Column::floor).collect();
    let narrowest = floor.iter().sum::<usize>();
    if narrowest > avail {
        return Fit::Blocks(narrowest + borders(columns.len()));
    }
    Fit::Table(water_fill(&floor, &natural, avail))
}

/// Widths between `lo[i]` and `hi[i]` summing to at most `avail` (which the `lo` do): the
/// widest columns give way first (all cut to one level), and what is left over goes back one
/// column at a time.
fn water_fill(lo: &[usize], hi: &[usize], avail: usize) -> Vec<usize> {
    let at = |level: usize| -> Vec<usize> {
        lo.iter()
            .zip(hi)
            .map(|(&l, &h)| level.clamp(l, h.max(l)))
            .collect()
    };
    let sum = |v: &[usize]| v.iter().sum::<usize>();
    let top = hi.iter().copied().max().unwrap_or(0);
    if sum(&at(top)) <= avail {
        return at(top);
    }
    // at(a) fits, at(b) does not.
    let (mut a, mut b) = (0, top);
    while a + 1 < b {
        let m = (a + b) / 2;
        if sum(&at(m)) <= avail {
            a = m;
        } else {
            b = m;
        }
    }
    let mut w = at(a);
    let mut left = avail - sum(&w);
    for (x, &h) in w.iter_mut().zip(hi) {
        if left == 0 {
            break;
        }
        if *x == a && *x < h {
            *x += 1;
            left -= 1;
        }
    }
    w
}

/// Lays out and draws `rows` rows of `columns` in `total` terminal columns: a table (see
/// [`fit`]); when it cannot fit and `hoist` is set, the identifier columns whose value every
/// row of the panel shares ([`Column::same`]) said once on a line above a table of the others
/// (`Every row: region us-east-1, stream orders`), at least one key column kept; when that
/// cannot fit either, one block per row of every column under a line saying how wide the
/// whole table would be. Sparkline cells are drawn by `spark(row, column, width)`, `column`
/// an index into `columns`.
pub fn draw(
    columns: &[Column],
    rows: usize,
    total: usize,
    hoist: bool,
    mut spark: impl FnMut(usize, usize, usize) -> String,
) -> String {
    let needs = match fit(columns, total) {
        Fit::Table(widths) => return draw_table(columns, &widths, rows, spark),
        Fit::Blocks(needs) => needs,
    };
    if hoist && let Some(kept) = unshared(columns) {
        let narrower: Vec<Column> = kept.iter().map(|&i| columns[i].clone()).collect();
        if let Fit::Table(widths) = fit(&narrower, total) {
            // `Every row: region us-east-1, stream orders`, wrapped between the pairs.
            let said: Vec<String> = (0..columns.len())
                .filter(|i| !kept.contains(i))
                .map(|i| format!("{} {}", columns[i].header, columns[i].cells[0]))
                .collect();
            let last = said.len() - 1;
            let parts = said.iter().enumerate().map(|(k, pair)| {
                if k < last {
                    format!("{pair},")
                } else {
                    pair.clone()
                }
            });
            let parts: Vec<String> = std::iter::once("Every row:".to_string())
                .chain(parts)
                .collect();
            let mut out = pack(parts.iter().map(String::as_str), " ", total);
            out.push('\n');
            out.push_str(&draw_table(&narrower, &widths, rows, |r, c, w| {
                spark(r, kept[c], w)
            }));
            return out;
        }
    }
    let mut out = lines(
        &format!("(a block per row: as a table it needs {needs} columns)"),
        total,
    );
    out.push_str(&draw_blocks(columns, rows, total, spark));
    out
}

/// Draws a table whose cells fit `widths`: headers wrapped after `_`, free text wrapped at
/// spaces, numbers right-aligned; sparkline cells are drawn by `spark` at their column's
/// width.
pub fn draw_table(
    columns: &[Column],
    widths: &[usize],
    rows: usize,
    mut spark: impl FnMut(usize, usize, usize) -> String,
) -> String {
    let mut table = comfy_table::Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled);
    table.set_header(
        columns
            .iter()
            .zip(widths)
            .map(|(c, &w)| wrap_header(&c.header, w)),
    );
    for r in 0..rows {
        table.add_row(
            columns
                .iter()
                .zip(widths)
                .enumerate()
                .map(|(i, (c, &w))| match c.kind {
                    Kind::Number => {
                        comfy_table::Cell::new(&c.cells[r]).set_alignment(CellAlignment::Right)
                    }
                    Kind::Text if c.is_prose() => comfy_table::Cell::new(wrap(&c.cells[r], w)),
                    Kind::Text => comfy_table::Cell::new(&c.cells[r]),
                    Kind::Spark(_) => comfy_table::Cell::new(spark(r, i, w)),
                }),
        );
    }
    for (i, (c, &w)) in columns.iter().zip(widths).enumerate() {
        if let Some(col) = table.column_mut(i) {
            // Fixed (padding included), so a column of short values still has the width fitted
            // for it.
            col.set_constraint(ColumnConstraint::Absolute(Width::Fixed(w as u16 + 2)));
            if c.kind == Kind::Number {
                col.set_cell_alignment(CellAlignment::Right);
            }
        }
    }
    table.to_string()
}

/// Rows as blocks, a line per column (`name  value`, names padded to the longest), a rule
/// line with the row's number before each. Values are whole: free text wraps at spaces to the
/// width, and a word or identifier wider than the room left runs past it rather than be cut
/// or split. Names wrap after `_` when they would leave less than a third of the width.
pub fn draw_blocks(
    columns: &[Column],
    rows: usize,
    total: usize,
    mut spark: impl FnMut(usize, usize, usize) -> String,
) -> String {
    let longest = columns.iter().map(|c| width(&c.header)).max().unwrap_or(0);
    let label = if total.saturating_sub(longest + 2) * 3 >= total {
        longest
    } else {
        columns
            .iter()
            .flat_map(|c| header_parts(&c.header).map(width))
            .max()
            .unwrap_or(0)
    };
    let room = total.saturating_sub(label + 2).max(1);
    let mut out = String::new();
    for r in 0..rows {
        let number = format!("── {} ", r + 1);
        out.push_str(&number);
        out.push_str(&"─".repeat(total.saturating_sub(width(&number))));
        out.push('\n');
        for (i, c) in columns.iter().enumerate() {
            let value = match c.kind {
                Kind::Spark(n) => spark(r, i, n.min(room)),
                Kind::Text if c.is_prose() => wrap(&c.cells[r], room),
                _ => c.cells[r].clone(),
            };
            let names = wrap_header(&c.header, label);
            let names: Vec<&str> = names.lines().collect();
            let values: Vec<&str> = value.lines().collect();
            for k in 0..names.len().max(values.len()).max(1) {
                let name = names.get(k).copied().unwrap_or("");
                let value = values.get(k).copied().unwrap_or("");
                let line = format!("{name}{}  {value}", " ".repeat(label - width(name)));
                out.push_str(line.trim_end());
                out.push('\n');
            }
        }
    }
    out.pop();
    out
}

/// `text` wrapped at spaces to `w` columns, each line ending in `\n` (titles, notes).
pub fn lines(text: &str, w: usize) -> String {
    let mut out = String::new();
    for line in text.lines() {
        out.push_str(&pack(line.split(' '), " ", w.max(1)));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(header: &str, cells: &[&str]) -> Column {
        Column {
            header: header.into(),
            kind: Kind::Text,
            cells: cells.iter().map(|s| s.to_string()).collect(),
            same: false,
        }
    }

    fn number(header: &str, cells: &[&str]) -> Column {
        Column {
            kind: Kind::Number,
            ..text(header, cells)
        }
    }

    /// Free text's floor: every word whole in at most MAX_LINES lines.
    #[test]
    fn prose_wraps_whole_at_its_floor() {
        let msg = "Stream orders under account 123456789012 not found.";
        let c = text("error_message", &[msg]);
        // At its longest word (12) it would take 5 lines: "Stream" / "orders under" /
        // "account" / "123456789012" / "not found.". At 13: "Stream orders" / "under account"
        // / "123456789012" / "not found.".
        assert_eq!(wrapped_lines(msg, 12), 5);
        assert_eq!(c.floor(), 13);
        assert_eq!(
            wrap(msg, 13),
            "Stream orders\nunder account\n123456789012\nnot found."
        );
        // The header's longest part still counts.
        assert_eq!(text("error_message", &["a b"]).floor(), 7);
        // Identifiers and numbers: their widest value, the header wrapped after `_`.
        assert_eq!(
            text("source_ip", &["2001:db8::7334", "10.0.0.1"]).floor(),
            14
        );
        assert_eq!(number("write_bytes_peak_pct", &["85.00"]).floor(), 6);
    }

    #[test]
    fn wrapping_never_cuts() {
        assert_eq!(wrap("Östergötland County", 12), "Östergötland\nCounty");
        assert_eq!(wrap("a bb ccc dddd", 6), "a bb\nccc\ndddd");
        // A word wider than the width has a line of its own, whole.
        assert_eq!(
            wrap("averyveryverylongword x", 8),
            "averyveryverylongword\nx"
        );
        assert_eq!(
            wrap("one two three four five six seven eight nine ten", 9),
            "one two\nthree\nfour five\nsix seven\neight\nnine ten"
        );
        assert_eq!(wrap_header("country_code", 8), "country_\ncode");
        assert_eq!(wrap_header("error_message", 20), "error_message");
        assert_eq!(
            lines("Events Over Time (48 buckets of 1h)", 20),
            "Events Over Time (48\nbuckets of 1h)\n"
        );
    }

    #[test]
    fn everything_fits_at_natural_width() {
        let cols = [
            text("region", &["eu-west-1"]),
            number("count", &["1234567"]),
        ];
        // 3 * 2 + 1 = 7 for borders and padding.
        assert_eq!(fit(&cols, 100), Fit::Table(vec![9, 7]));
        assert_eq!(fit(&cols, 23), Fit::Table(vec![9, 7]));
        // Narrower: the header of the number cannot wrap (no `_`), nothing is cut: blocks.
        assert_eq!(fit(&cols, 22), Fit::Blocks(23));
    }

    /// Free text and headers give way; identifiers and numbers never do: below their floors
    /// the panel is blocks.
    #[test]
    fn text_and_headers_give_way_then_blocks() {
        let message = "Rate exceeded for shard shardId-000000000001 in stream orders";
        let cols = [
            text("source_ip", &["192.168.1.20", "2a02:cf40::9"]),
            text("error_message", &[message, "-"]),
            number("throttled_count", &["33", "3"]),
        ];
        // Borders take 10. Natural widths 12 + 61 + 15 = 88.
        assert_eq!(fit(&cols, 98), Fit::Table(vec![12, 61, 15]));
        // The widest gives way first: the message wraps at spaces.
        assert_eq!(fit(&cols, 90), Fit::Table(vec![12, 53, 15]));
        // Then the message and the header together, down to the header's longest part
        // (`throttled_`, 10) and the message's floor: 4 lines with every word whole ("Rate
        // exceeded for" / "shard" / "shardId-000000000001" / "in stream orders": 20).
        assert_eq!(fit(&cols, 52), Fit::Table(vec![12, 20, 10]));
        assert_eq!(fit(&cols, 51), Fit::Blocks(52));
        // A number's header is right-aligned with its numbers.
        let drawn = draw(&cols, 2, 52, false, |_, _, _| String::new());
        assert_eq!(
            drawn,
            "┌──────────────┬──────────────────────┬────────────┐\n\
             │ source_ip    ┆ error_message        ┆ throttled_ │\n\
             │              ┆                      ┆      count │\n\
             ╞══════════════╪══════════════════════╪════════════╡\n\
             │ 192.168.1.20 ┆ Rate exceeded for    ┆         33 │\n\
             │              ┆ shard                ┆            │\n\
             │              ┆ shardId-000000000001 ┆            │\n\
             │              ┆ in stream orders     ┆            │\n\
             │ 2a02:cf40::9 ┆ -                    ┆          3 │\n\
             └──────────────┴──────────────────────┴────────────┘"
        );
        // At 40: blocks, names padded to the longest (15), values whole; the message wraps to
        // the 23 columns left, the identifier longer than that line runs whole.
        assert_eq!(
            draw(&cols, 2, 40, false, |_, _, _| String::new()),
            "(a block per row: as a table it needs 52\ncolumns)\n\
             ── 1 ───────────────────────────────────\n\
             source_ip        192.168.1.20\n\
             error_message    Rate exceeded for shard\n\
             \x20                shardId-000000000001 in\n\
             \x20                stream orders\n\
             throttled_count  33\n\
             ── 2 ───────────────────────────────────\n\
             source_ip        2a02:cf40::9\n\
             error_message    -\n\
             throttled_count  3"
        );
        // Names that would leave under a third of the width wrap after `_`; a value wider
        // than the room left runs whole.
        assert_eq!(
            draw(&cols[2..], 2, 13, false, |_, _, _| String::new()),
            "(a block per\nrow: as a\ntable it\nneeds 14\ncolumns)\n\
             ── 1 ────────\n\
             throttled_  33\n\
             count\n\
             ── 2 ────────\n\
             throttled_  3\n\
             count"
        );
    }

    #[test]
    fn sparklines_take_what_is_left() {
        let cols = [
            text("event_name", &["PutRecord"]),
            Column {
                header: "trend".into(),
                kind: Kind::Spark(120),
                cells: vec![],
                same: false,
            },
        ];
        assert_eq!(fit(&cols, 200), Fit::Table(vec![10, 120]));
        assert_eq!(fit(&cols, 80), Fit::Table(vec![10, 63]));
        // The header wraps after `_` and the sparkline shrinks to 8; below that, blocks, the
        // sparkline as wide as the room left.
        assert_eq!(fit(&cols, 25), Fit::Table(vec![9, 9]));
        assert_eq!(fit(&cols, 24), Fit::Table(vec![9, 8]));
        assert_eq!(fit(&cols, 23), Fit::Blocks(24));
        let mut asked = Vec::new();
        let drawn = draw(&cols, 1, 20, false, |r, c, w| {
            asked.push((r, c, w));
            "▁".repeat(w)
        });
        assert_eq!(asked, [(0, 1, 8)]);
        assert!(
            drawn.ends_with("event_name  PutRecord\ntrend       ▁▁▁▁▁▁▁▁"),
            "{drawn}"
        );
    }

    /// Identifier columns every row shares are said once when the table does not fit with
    /// them; one key column stays in the table, free text is never said once, and without
    /// `hoist` (table files) the panel is blocks.
    #[test]
    fn shared_keys_are_said_once_one_kept() {
        let shared = |c: Column| Column { same: true, ..c };
        let cols = [
            shared(text("region", &["us-east-1", "us-east-1"])),
            shared(text("stream", &["orders", "orders"])),
            number("count", &["10", "3"]),
        ];
        // Every column: 9 + 6 + 5 and borders 10 = 30.
        assert_eq!(fit(&cols, 30), Fit::Table(vec![9, 6, 5]));
        assert!(!draw(&cols, 2, 30, true, |_, _, _| String::new()).contains("Every row"));
        // At 27 region is said once; stream, the last key, stays (6 + 5 and borders 7 = 18).
        assert_eq!(
            draw(&cols, 2, 27, true, |_, _, _| String::new()),
            "Every row: region us-east-1\n\
             ┌────────┬───────┐\n\
             │ stream ┆ count │\n\
             ╞════════╪═══════╡\n\
             │ orders ┆    10 │\n\
             │ orders ┆     3 │\n\
             └────────┴───────┘"
        );
        // Narrower, the line wraps between its pairs, never inside one.
        assert!(
            draw(&cols, 2, 18, true, |_, _, _| String::new())
                .starts_with("Every row:\nregion us-east-1\n┌────────┬───────┐\n")
        );
        // Below 18, blocks of every column; and blocks without `hoist`.
        let blocks = draw(&cols, 2, 17, true, |_, _, _| String::new());
        assert!(
            blocks.starts_with("(a block per row:\nas a table it\nneeds 30 columns)\n")
                && blocks.contains("\n── 1 ────────────\nregion  us-east-1\nstream  orders\n"),
            "{blocks}"
        );
        assert!(draw(&cols, 2, 25, false, |_, _, _| String::new()).starts_with("(a block"));
        // Free text shared by every row stays in the table (its words could not be told from
        // the next column's name); at 25 the table does not fit without it: blocks.
        let prose = [
            shared(text("detail", &["no data", "no data"])),
            text("stream", &["orders", "clicks"]),
            number("count", &["10", "3"]),
        ];
        assert!(draw(&prose, 2, 25, true, |_, _, _| String::new()).starts_with("(a block"));
        // A sparkline is drawn for its column in the full list (here 2, the table's 1), at
        // the width left: 21 - 7 for borders - 6 for the stream.
        let sparked = [
            shared(text("region", &["us-east-1", "us-east-1"])),
            text("stream", &["orders", "clicks"]),
            Column {
                header: "trend".into(),
                kind: Kind::Spark(20),
                cells: vec![],
                same: false,
            },
        ];
        let mut asked = Vec::new();
        draw(&sparked, 2, 21, true, |r, c, w| {
            asked.push((r, c, w));
            "▁".repeat(w)
        });
        assert_eq!(asked, [(0, 2, 8), (1, 2, 8)]);
    }

    /// Wide characters (CJK, emoji) count two columns: table lines are exactly the width,
    /// and values stay whole.
    #[test]
    fn wide_characters_line_up() {
        let cols = [
            text("stream", &["注文ストリーム", "orders"]),
            text("user", &["🚀-deployer", "alice"]),
            text(
                "detail",
                &["ストリーム 注文 が 見つかりません", "not found"],
            ),
            number("count", &["2", "10"]),
        ];
        // Natural: 14 + 11 + 33 + 5 = 63, borders 13.
        for total in [76, 60, 57] {
            let Fit::Table(w) = fit(&cols, total) else {
                panic!("{total}: blocks")
            };
            let s = draw(&cols, 2, total, false, |_, _, _| String::new());
            for line in s.lines() {
                assert_eq!(width(line), w.iter().sum::<usize>() + 13, "{total}:\n{s}");
            }
            assert!(s.contains("│ 注文ストリーム ┆ 🚀-deployer ┆"), "{s}");
        }
        // The detail at its floor: the longest word (見つかりません, 14) in at most 4 lines.
        assert_eq!(fit(&cols, 57), Fit::Table(vec![14, 11, 14, 5]));
        assert_eq!(fit(&cols, 56), Fit::Blocks(57));
        let s = draw(&cols, 1, 40, false, |_, _, _| String::new());
        assert_eq!(
            s,
            "(a block per row: as a table it needs 57\ncolumns)\n\
             ── 1 ───────────────────────────────────\n\
             stream  注文ストリーム\n\
             user    🚀-deployer\n\
             detail  ストリーム 注文 が\n\
             \x20       見つかりません\n\
             count   2"
        );
    }
}
