//! Fitting tables to a width without splitting a token. Numbers and keys (addresses, names,
//! codes: text without spaces) are never broken across lines, since `192.168.1.2` over `0` or
//! `33` over `3` reads as another value. Columns get widths by content: all at their natural
//! width when that fits; else the widest give way first: text wraps only at spaces (headers
//! also after `_`) and sparklines shrink; then prose columns (text with spaces, such as error
//! messages) are cut with `…` down to [`MIN_PROSE`]; then keys, cut in the middle
//! (`shar…0003`, since identifiers often differ only at the end); then prose down to
//! [`MIN_TEXT`]. Sparklines are drawn at the width left to them, resampled to it.
//!
//! Widths are display columns (`unicode-width`, as comfy-table counts them), so wide and
//! combining characters line up.

use comfy_table::{CellAlignment, ColumnConstraint, ContentArrangement, Width, presets};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Narrowest a text column is cut to (unless its content is narrower).
const MIN_TEXT: usize = 8;
/// Narrowest prose is cut to before keys are cut.
const MIN_PROSE: usize = 20;
/// Narrowest a sparkline is shrunk to (unless it has fewer buckets).
const MIN_SPARK: usize = 8;
/// Most lines a wrapped cell takes; the rest is cut with `…`.
const MAX_LINES: usize = 4;

/// Display width of `s` in terminal columns.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` cut to at most `w` columns, ending in `…` when cut.
pub fn truncate(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw + 1 > w {
            break;
        }
        used += cw;
        out.push(c);
    }
    if w > 0 {
        out.push('…');
    }
    out
}

/// `s` cut to at most `w` columns by taking out its middle (`shardId-000000000003` at 9 is
/// `shar…0003`).
pub fn truncate_middle(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_string();
    }
    if w < 3 {
        return truncate(s, w);
    }
    let room = w - 1;
    let mut head = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw > room.div_ceil(2) {
            break;
        }
        used += cw;
        head.push(c);
    }
    let mut tail: Vec<char> = Vec::new();
    for c in s.chars().rev() {
        let cw = c.width().unwrap_or(0);
        if used + cw > room {
            break;
        }
        used += cw;
        tail.push(c);
    }
    head.push('…');
    head.extend(tail.iter().rev());
    head
}

/// Packs `parts` greedily into lines of at most `w` columns, each part joined to the previous
/// one on its line with `sep`; a part wider than `w` is cut with `…`. At most `max_lines`
/// lines: the last one shown ends in `…` when some were left out.
fn pack<'a>(parts: impl Iterator<Item = &'a str>, sep: &str, w: usize, max_lines: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut started = false;
    for part in parts {
        let part = truncate(part, w);
        if started && width(&line) + width(sep) + width(&part) <= w {
            line.push_str(sep);
            line.push_str(&part);
        } else {
            if started {
                lines.push(std::mem::take(&mut line));
            }
            line = part;
            started = true;
        }
    }
    lines.push(line);
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        let last = lines.last_mut().expect("max_lines > 0");
        *last = truncate(&format!("{last} …"), w);
        if !last.ends_with('…') {
            last.push('…');
        }
    }
    lines.join("\n")
}

/// Text wrapped at spaces to `w` columns (see [`pack`]); unchanged when it fits.
pub fn wrap(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_string();
    }
    pack(s.split(' '), " ", w, MAX_LINES)
}

/// A column name wrapped after `_` and at spaces (`country_` / `code`).
fn wrap_header(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_string();
    }
    pack(header_parts(s), "", w, usize::MAX)
}

fn header_parts(s: &str) -> impl Iterator<Item = &str> {
    s.split_inclusive(['_', ' '])
}

/// Longest run of `s` that [`wrap`] keeps on one line.
fn longest_word(s: &str) -> usize {
    s.split(' ').map(width).max().unwrap_or(0)
}

/// Lines [`wrap`] makes of `s` at `w` columns, before any cut (`w` at least its longest word).
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

/// Narrowest width at which [`wrap`] keeps all of `s`: its longest word, widened until it
/// wraps into at most [`MAX_LINES`] lines (so wrapping alone never cuts text).
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
    /// Wraps at spaces; cut with `…` when even its longest word does not fit.
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

    /// Width below which something would have to be cut, not wrapped.
    fn unbroken(&self) -> usize {
        let header = header_parts(&self.header).map(width).max().unwrap_or(0);
        match self.kind {
            Kind::Number => self.natural(),
            Kind::Text => self
                .cells
                .iter()
                .map(|c| unbroken_width(c))
                .max()
                .unwrap_or(0)
                .max(header)
                .max(1),
            Kind::Spark(n) => n.min(MIN_SPARK).max(header),
        }
    }

    /// Narrowest it is ever made.
    fn floor(&self) -> usize {
        match self.kind {
            Kind::Text => self.unbroken().min(MIN_TEXT),
            // As narrow as its header, when keys are cut too.
            Kind::Spark(n) => n.min(width(&self.header)).max(1),
            Kind::Number => self.unbroken(),
        }
    }

    /// Narrowest prose is made before keys are cut.
    fn prose_floor(&self) -> usize {
        if self.is_prose() {
            self.unbroken().min(MIN_PROSE)
        } else {
            self.unbroken()
        }
    }

    /// Text with spaces in it (messages, names of places): cut before keys are.
    fn is_prose(&self) -> bool {
        self.kind == Kind::Text && self.cells.iter().any(|c| c.contains(' '))
    }
}

/// One way of giving way: the narrowest a column may become, given its current width.
type Step = dyn Fn(&Column, usize) -> usize;

/// Column widths that fit `columns` into `total` terminal columns, borders included, giving way
/// in the order the module describes. When even the narrowest layout is too wide, it is used as
/// it is (the lines are then longer than `total`, but no value is split).
pub fn fit(columns: &[Column], total: usize) -> Vec<usize> {
    // "│ a ┆ b │": one border before each column, one after the last, a space each side.
    let avail = total.saturating_sub(3 * columns.len() + 1);
    let natural: Vec<usize> = columns.iter().map(Column::natural).collect();
    // 1. wrap text at spaces, shrink sparklines; 2. cut prose to MIN_PROSE; 3. cut keys;
    // 4. cut prose to MIN_TEXT. Each step starts from the widths the one before left.
    let steps: [&Step; 4] = [
        &|c, _| c.unbroken(),
        &|c, _| c.prose_floor(),
        &|c, w| if c.is_prose() { w } else { c.floor() },
        &|c, _| c.floor(),
    ];
    let mut w = natural;
    for step in steps {
        if w.iter().sum::<usize>() <= avail {
            break;
        }
        let lo: Vec<usize> = columns
            .iter()
            .zip(&w)
            .map(|(c, &w)| step(c, w).min(w))
            .collect();
        w = water_fill(&lo, &w, avail);
    }
    w
}

/// Widths between `lo[i]` and `hi[i]` summing to at most `avail` where possible: the widest
/// columns give way first (all cut to one level), and what is left over goes back one column
/// at a time.
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
    if sum(&at(0)) > avail {
        return at(0);
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

/// Draws a table whose cells are already fitted to `widths`: headers wrapped after `_`, text
/// wrapped at spaces or cut, numbers right-aligned; sparkline cells are drawn by `spark` at
/// their column's width.
pub fn draw(
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
                    Kind::Text => comfy_table::Cell::new(truncate_middle(&c.cells[r], w)),
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

/// `text` wrapped at spaces to `w` columns, each line ending in `\n` (titles, notes).
pub fn lines(text: &str, w: usize) -> String {
    let mut out = String::new();
    for line in text.lines() {
        out.push_str(&pack(line.split(' '), " ", w.max(1), usize::MAX));
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
        }
    }

    /// Wrapping alone never cuts prose: a message whose words are short still fits in
    /// MAX_LINES lines at the width wrapping asks for.
    #[test]
    fn prose_wraps_whole_at_its_unbroken_width() {
        let msg = "Stream orders under account 123456789012 not found.";
        let c = text("error_message", &[msg]);
        // At its longest word (12) it would take 5 lines: "Stream" / "orders under" /
        // "account" / "123456789012" / "not found.". At 13: "Stream orders" / "under account"
        // / "123456789012" / "not found.".
        assert_eq!(wrapped_lines(msg, 12), 5);
        assert_eq!(c.unbroken(), 13);
        assert_eq!(
            wrap(msg, 13),
            "Stream orders\nunder account\n123456789012\nnot found."
        );
        // The header's longest part still counts.
        assert_eq!(text("error_message", &["a b"]).unbroken(), 7);
    }

    #[test]
    fn wrapping_and_cutting() {
        assert_eq!(truncate("192.168.1.20", 12), "192.168.1.20");
        assert_eq!(truncate("192.168.1.20", 8), "192.168…");
        assert_eq!(truncate("日本語テキスト", 7), "日本語…"); // 2 columns each
        assert_eq!(truncate_middle("shardId-000000000003", 9), "shar…0003");
        assert_eq!(truncate_middle("192.168.1.20", 10), "192.1…1.20");
        assert_eq!(truncate_middle("192.168.1.20", 12), "192.168.1.20");
        assert_eq!(wrap("Östergötland County", 12), "Östergötland\nCounty");
        assert_eq!(wrap("a bb ccc dddd", 6), "a bb\nccc\ndddd");
        assert_eq!(wrap("averyveryverylongword x", 8), "averyve…\nx");
        assert_eq!(
            wrap("one two three four five six seven eight nine ten", 9),
            "one two\nthree\nfour five\nsix seve…"
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
            Column {
                header: "count".into(),
                kind: Kind::Number,
                cells: vec!["1234567".into()],
            },
        ];
        // 3 * 2 + 1 = 7 for borders and padding.
        assert_eq!(fit(&cols, 100), [9, 7]);
        assert_eq!(fit(&cols, 23), [9, 7]);
    }

    #[test]
    fn prose_gives_way_before_keys() {
        let message = "Access denied to arn:aws:kinesis:us-east-1:123456789012:stream/orders";
        let cols = [
            text("source_ip", &["192.168.1.20", "2a02:cf40::9"]),
            text("error_message", &[message, "-"]),
            Column {
                header: "count".into(),
                kind: Kind::Number,
                cells: vec!["33".into(), "3".into()],
            },
        ];
        // Borders take 10. Natural widths 12 + 69 + 5 = 86.
        assert_eq!(fit(&cols, 96), [12, 69, 5]);
        // 1. The message wraps at spaces, down to its longest word (the ARN, 52).
        assert_eq!(fit(&cols, 86), [12, 59, 5]);
        // 2. Then it is cut, down to 20.
        assert_eq!(fit(&cols, 60), [12, 33, 5]);
        assert_eq!(fit(&cols, 47), [12, 20, 5]);
        // 3. Then the address, down to 8.
        assert_eq!(fit(&cols, 45), [10, 20, 5]);
        // 4. Then the message again, down to 8; the number never.
        assert_eq!(fit(&cols, 40), [8, 17, 5]);
        assert_eq!(fit(&cols, 10), [8, 8, 5]);
        let drawn = draw(&cols, &fit(&cols, 45), 2, |_, _, _| String::new());
        assert!(
            drawn.contains("│ 192.1…1.20 ┆ Access denied to     ┆    33 │"),
            "{drawn}"
        );
        assert!(drawn.contains("┆ arn:aws:kinesis:us-… ┆"), "{drawn}");
    }

    #[test]
    fn sparklines_take_what_is_left() {
        let cols = [
            text("event_name", &["PutRecord"]),
            Column {
                header: "trend".into(),
                kind: Kind::Spark(120),
                cells: vec![],
            },
        ];
        assert_eq!(fit(&cols, 200), [10, 120]);
        assert_eq!(fit(&cols, 80), [10, 63]);
        // The header wraps after `_` before the name is cut; a column left over goes back to
        // the first column cut.
        assert_eq!(fit(&cols, 26), [10, 9]);
        assert_eq!(fit(&cols, 25), [9, 9]);
        assert_eq!(fit(&cols, 20), [8, 5]);
    }

    #[test]
    fn drawn_lines_are_exactly_the_width() {
        let cols = [
            text("source_ip", &["192.168.1.20", "2a02:cf40::9"]),
            text(
                "error_message",
                &["Rate exceeded for shard shardId-000000000001", "-"],
            ),
            Column {
                header: "count".into(),
                kind: Kind::Number,
                cells: vec!["33".into(), "3".into()],
            },
        ];
        for total in [30, 40, 47, 50, 71, 100] {
            let w = fit(&cols, total);
            let s = draw(&cols, &w, 2, |_, _, _| String::new());
            let want = w.iter().sum::<usize>() + 10;
            for line in s.lines() {
                assert_eq!(width(line), want, "{total}:\n{s}");
            }
            // No value split over two lines: each is whole, or cut with `…`.
            for v in ["192.168.1.20", "2a02:cf40::9"] {
                assert!(
                    s.contains(&format!(" {} ", truncate_middle(v, w[0]))),
                    "{s}"
                );
            }
            assert!(s.contains(" 33 │") && s.contains("  3 │"), "{s}");
        }
    }
}
