//! CSV: RFC 4180 quoting, the panel's columns as the header, every row, exact data. Lines end
//! in `\n` (as xsv and csvkit write them) so `cut`, `awk` and `sort` see no stray `\r`.

use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use super::{Exporter, FormatDef, Options, Summary, push_cell_text};
use crate::panels::{Cell, RowIter, Table};
use crate::text::sanitize;

/// `--format csv`.
pub const FORMAT: FormatDef = FormatDef {
    name: "csv",
    about: "CSV with a header (one panel on stdout, or every panel with --output-dir)",
    extension: "csv",
    one_panel: true,
    shows_notes: false,
    exporter: |opts| Box::new(Csv(opts)),
};

/// The CSV exporter.
pub struct Csv(pub Options);

impl Exporter for Csv {
    fn write_stream(
        &self,
        out: &mut dyn Write,
        tables: &mut dyn Iterator<Item = Table>,
        _summary: &Summary,
    ) -> io::Result<()> {
        for t in tables {
            self.write_file(out, &t)?;
        }
        Ok(())
    }

    fn write_file(&self, out: &mut dyn Write, table: &Table) -> io::Result<()> {
        write(out, table, self.0)
    }
}

/// Writes `table` as CSV. With `spreadsheet_safe`, text cells that a spreadsheet would run as
/// a formula (starting `=`, `+`, `-`, `@`, tab or carriage return) get a leading `'`. On a
/// terminal, control characters in text are shown escaped (see [`sanitize`]).
///
/// Written as the `csv` crate's writer writes it with `\n` lines (the tests hold the two
/// equal): a field is quoted when it holds `,`, `"`, `\r` or `\n`, a quote in it doubled, a
/// line with nothing in it is `""`, and a row of another length than the header is an error.
/// The rule is written out here because the crate's writer, which steps through a state
/// machine byte by byte, was a sixth of a metrics run (52 MB of numbers and times, which need
/// no quoting and go straight into the buffer).
pub fn write(out: &mut dyn Write, table: &Table, opts: Options) -> io::Result<()> {
    write_blocks(out, table, opts, BLOCK)
}

/// Rows formatted as one piece of text.
const BLOCK: usize = 2048;

/// [`write`], the rows formatted `block` at a time side by side on the worker threads (a
/// metrics panel has ~87,000 rows a day, and is written while the next one is built) and
/// written in order, a few blocks a thread at a time.
fn write_blocks(out: &mut dyn Write, table: &Table, opts: Options, block: usize) -> io::Result<()> {
    let mut head = Vec::new();
    for (i, c) in table.columns.iter().enumerate() {
        if i > 0 {
            head.push(b',');
        }
        push_field(&mut head, c);
    }
    if head.is_empty() {
        head.extend_from_slice(b"\"\"");
    }
    head.push(b'\n');
    out.write_all(&head)?;
    let block = block.max(1);
    let group = block * 2 * rayon::current_num_threads();
    let len = table.rows.len();
    let dicts = rendered(table.rows.dicts(), opts);
    // The blocks' buffers, written out, for the next group's blocks: a fresh one (~400 KB of
    // an errors panel) was new memory to fault in, and handed back to the system, each time.
    let spare = Mutex::new(Vec::new());
    for start in (0..len).step_by(group) {
        let blocks: Vec<usize> = (start..len.min(start + group)).step_by(block).collect();
        let texts: Vec<io::Result<Vec<u8>>> = blocks
            .into_par_iter()
            .map(|at| {
                let rows = table.rows.range(at..len.min(at + block));
                let buf = lock(&spare).pop().unwrap_or_default();
                rows_text(buf, rows, table, &dicts, opts)
            })
            .collect();
        for text in texts {
            let mut text = text?;
            out.write_all(&text)?;
            text.clear();
            lock(&spare).push(text);
        }
    }
    out.flush()
}

/// The fields of a column's dictionary, each looked at once: an entry whose field is its text
/// as it is (most) is written from the cell; the others were written here, entry `i` at
/// `own[at[written[i]]..at[written[i] + 1]]`. The errors panel of a busy trail has ~50,000
/// rows but ~24,000 distinct messages of ~130 bytes (~120 of them quoted); each was looked at
/// for quoting at every row. (A copy of every field was ~3.5 MB more at the peak.) A column
/// none of whose entries is written here has `written` empty: each field is its cell's text.
struct Rendered {
    written: Vec<u32>,
    own: Vec<u8>,
    at: Vec<usize>,
}

/// In [`Rendered::written`]: the field is the cell's text as it is.
const AS_IS: u32 = u32::MAX;

impl Rendered {
    /// The field of `cell`, entry `code` of the dictionary.
    #[inline]
    fn field<'c>(&'c self, cell: &'c Cell, code: u32) -> &'c [u8] {
        // No entry written here (`written` empty): every one is a text as it is.
        match (
            self.written.get(code as usize).copied().unwrap_or(AS_IS),
            cell,
        ) {
            (AS_IS, Cell::Text(t)) => t.as_bytes(),
            (i, _) => &self.own[self.at[i as usize]..self.at[i as usize + 1]],
        }
    }
}

/// Each of `dicts` [`Rendered`], side by side.
fn rendered(dicts: &[Box<[Cell]>], opts: Options) -> Vec<Rendered> {
    dicts
        .par_iter()
        .map(|dict| {
            let mut fields = Fields {
                opts,
                plain: vec![None],
                scratch: String::new(),
            };
            let as_is = |c: &Cell| {
                matches!(c, Cell::Text(t) if !(opts.terminal
                    || opts.spreadsheet_safe && is_formula(t)
                    || needs_quotes(t.as_bytes())))
            };
            let (mut own, mut at) = (Vec::new(), vec![0]);
            // A column whose entries all go out as they are (addresses, users) keeps no index.
            if dict.iter().all(as_is) {
                return Rendered {
                    written: Vec::new(),
                    own,
                    at,
                };
            }
            let written = dict
                .iter()
                .map(|c| {
                    if as_is(c) {
                        AS_IS
                    } else {
                        fields.field(&mut own, c, 0);
                        at.push(own.len());
                        (at.len() - 2) as u32
                    }
                })
                .collect();
            Rendered { written, own, at }
        })
        .collect()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// `rows` of `table` as CSV lines in `buf` (empty, reused for its room), their coded cells' fields from
/// `dicts`; an error for a row of another length than the header.
fn rows_text(
    mut buf: Vec<u8>,
    rows: RowIter<'_>,
    table: &Table,
    dicts: &[Rendered],
    opts: Options,
) -> io::Result<Vec<u8>> {
    // Room for the first rows, then for the rest at their length and a quarter more: a block
    // grown as it fills was copied each time it doubled (an errors row is ~200 bytes, a
    // metrics row ~60).
    const SAMPLE: usize = 32;
    let len = rows.len();
    buf.reserve(SAMPLE.min(len) * 128);
    let mut fields = Fields {
        opts,
        plain: vec![None; table.columns.len()],
        scratch: String::new(),
    };
    // The cells the row before shared with its series, and where their text went in `buf`:
    // the rows of a series (a metrics panel's 288 a day) have their key written once and
    // copied.
    let mut shared: Option<(&[Cell], std::ops::Range<usize>)> = None;
    for (n, row) in rows.enumerate() {
        if n == SAMPLE {
            buf.reserve((len - n) * (buf.len() / n) * 5 / 4);
        }
        // As the crate refused a record of another length than the first.
        if row.len() != table.columns.len() {
            return Err(io::Error::other(format!(
                "panel {}: a row of {} fields under a header of {}",
                table.id,
                row.len(),
                table.columns.len()
            )));
        }
        let line_start = buf.len();
        let (cells, codes) = row.coded();
        for (j, ((dict, cells), &code)) in dicts.iter().zip(cells).zip(codes).enumerate() {
            if j > 0 {
                buf.push(b',');
            }
            buf.extend_from_slice(dict.field(&cells[code as usize], code));
        }
        let [first, key, last] = row.parts();
        let at = codes.len();
        fields.push(&mut buf, first, at);
        match &shared {
            _ if key.is_empty() => {}
            Some((k, text)) if std::ptr::eq(*k, key) => buf.extend_from_within(text.clone()),
            _ => {
                let start = buf.len();
                fields.push(&mut buf, key, at + first.len());
                shared = Some((key, start..buf.len()));
            }
        }
        fields.push(&mut buf, last, at + first.len() + key.len());
        if buf.len() == line_start {
            buf.extend_from_slice(b"\"\"");
        }
        buf.push(b'\n');
    }
    Ok(buf)
}

/// How cells are written as fields.
struct Fields<'a> {
    opts: Options,
    /// Per column, the text of the row before when it went out unquoted: a text many rows
    /// share (an event name) has its bytes looked at once.
    plain: Vec<Option<&'a Arc<str>>>,
    scratch: String,
}

impl<'a> Fields<'a> {
    /// Appends `cells`, the first in column `column`, each after a comma but in the first
    /// column.
    fn push(&mut self, buf: &mut Vec<u8>, cells: &'a [Cell], column: usize) {
        for (i, c) in (column..).zip(cells) {
            self.cell(buf, c, i);
        }
    }

    /// Appends cell `c` of column `i`, after a comma but in the first column.
    #[inline]
    fn cell(&mut self, buf: &mut Vec<u8>, c: &'a Cell, i: usize) {
        if i > 0 {
            buf.push(b',');
        }
        self.field(buf, c, i);
    }

    /// Appends cell `c` of column `i` as a field.
    #[inline]
    fn field(&mut self, buf: &mut Vec<u8>, c: &'a Cell, i: usize) {
        let Cell::Text(t) = c else {
            // Digits, signs, points, `inf`, times and `@...ms`: never quoted, never escaped.
            push_cell_text(buf, c);
            return;
        };
        let formula = self.opts.spreadsheet_safe && is_formula(t);
        if !self.opts.terminal && !formula {
            // A row has a cell per column (checked before).
            let known = &mut self.plain[i];
            if known.is_some_and(|k| Arc::ptr_eq(k, t)) {
                buf.extend_from_slice(t.as_bytes());
            } else {
                *known = (!push_field(buf, t)).then_some(t);
            }
            return;
        }
        let s = &mut self.scratch;
        s.clear();
        if formula {
            s.push('\'');
        }
        s.push_str(t);
        if self.opts.terminal {
            *s = sanitize(s);
        }
        push_field(buf, s);
    }
}

/// Appends a field, quoted when it must be; whether it was.
fn push_field(buf: &mut Vec<u8>, field: &str) -> bool {
    if !needs_quotes(field.as_bytes()) {
        buf.extend_from_slice(field.as_bytes());
        return false;
    }
    buf.push(b'"');
    for (j, part) in field.split('"').enumerate() {
        if j > 0 {
            buf.extend_from_slice(b"\"\"");
        }
        buf.extend_from_slice(part.as_bytes());
    }
    buf.push(b'"');
    true
}

/// True when `s` holds `,`, `"`, `\r` or `\n`: sixteen bytes a step with SSE2 (an error
/// message of 170 bytes is eleven steps), the rest eight bytes a step.
fn needs_quotes(s: &[u8]) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
            _mm_set1_epi8,
        };
        let mut blocks = s.chunks_exact(16);
        // SAFETY: SSE2 is part of every x86_64 target, and each load reads one 16-byte block
        // of `s` (the load need not be aligned).
        unsafe {
            let [comma, quote, cr, lf] = [b',', b'"', b'\r', b'\n'].map(|c| _mm_set1_epi8(c as i8));
            for b in &mut blocks {
                let v = _mm_loadu_si128(b.as_ptr().cast::<__m128i>());
                let hits = _mm_or_si128(
                    _mm_or_si128(_mm_cmpeq_epi8(v, comma), _mm_cmpeq_epi8(v, quote)),
                    _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)),
                );
                if _mm_movemask_epi8(hits) != 0 {
                    return true;
                }
            }
        }
        needs_quotes_swar(blocks.remainder())
    }
    #[cfg(not(target_arch = "x86_64"))]
    needs_quotes_swar(s)
}

/// [`needs_quotes`] eight bytes a step.
fn needs_quotes_swar(s: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    // Nonzero exactly when some byte of `v` is `c` (the zero-byte test on `v ^ c...c`).
    let holds = |v: u64, c: u8| {
        let x = v ^ (ONES * u64::from(c));
        x.wrapping_sub(ONES) & !x & HIGH
    };
    let mut words = s.chunks_exact(8);
    for w in &mut words {
        let v = u64::from_ne_bytes(w.try_into().unwrap_or_default());
        if holds(v, b',') | holds(v, b'"') | holds(v, b'\r') | holds(v, b'\n') != 0 {
            return true;
        }
    }
    words
        .remainder()
        .iter()
        .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
}

fn is_formula(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::panels::{Rows, View};

    #[test]
    fn needs_quotes_finds_each_special_byte_anywhere() {
        let bytewise = |s: &[u8]| s.iter().any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'));
        // The specials, their neighbours, and bytes whose low bits or high bit are theirs.
        let probes = [
            b',', b'"', b'\r', b'\n', b'+', b'-', b'!', b'#', 0x0c, 0x0e, 0x09, 0x0b, 0x00, 0x80,
            0xac, 0xa2, 0x8d, 0x8a, 0xff, 0x01, b'a',
        ];
        for len in 0..40 {
            for fill in [b'a', 0x00, 0xff, 0x80, b'+'] {
                let base = vec![fill; len];
                assert_eq!(needs_quotes(&base), bytewise(&base));
                assert_eq!(needs_quotes_swar(&base), bytewise(&base));
                for at in 0..len {
                    for p in probes {
                        let mut s = base.clone();
                        s[at] = p;
                        assert_eq!(needs_quotes(&s), bytewise(&s), "{s:?}");
                        assert_eq!(needs_quotes_swar(&s), bytewise(&s), "{s:?}");
                        // Two probes, so a byte before a special cannot hide it.
                        for q in [0x00, 0x01, 0xff, b','] {
                            if at + 1 < len {
                                s[at + 1] = q;
                                assert_eq!(needs_quotes(&s), bytewise(&s), "{s:?}");
                            }
                        }
                    }
                }
            }
        }
    }

    /// The writer [`write`] replaced, on the `csv` crate, kept to check it against.
    fn reference_write(out: &mut dyn Write, table: &Table, opts: Options) -> io::Result<()> {
        let into_io = |e: csv::Error| match e.into_kind() {
            csv::ErrorKind::Io(io) => io,
            other => io::Error::other(format!("{other:?}")),
        };
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(out);
        w.write_record(table.columns).map_err(into_io)?;
        let mut s = String::new();
        for row in &table.rows {
            for c in row {
                s.clear();
                if opts.spreadsheet_safe
                    && let Cell::Text(t) = c
                    && is_formula(t)
                {
                    s.push('\'');
                }
                s.push_str(&crate::render::cell_text(c));
                if opts.terminal {
                    s = sanitize(&s);
                }
                w.write_field(&s).map_err(into_io)?;
            }
            w.write_record(None::<&[u8]>).map_err(into_io)?;
        }
        w.flush()
    }

    /// Random tables of every kind of cell (text with commas, quotes, line breaks, formulas,
    /// control characters, nothing at all, shared between rows or not; one to four columns)
    /// written both ways, in every mode.
    #[test]
    fn same_bytes_as_the_csv_crate() {
        const COLUMNS: [&str; 4] = ["a", "b b", "c,\"c\"", "d"];
        let texts = [
            "",
            "plain",
            "a,b",
            "say \"hi\"",
            "\"",
            "\"\"",
            "line\nbreak",
            "cr\r",
            "\r\n",
            "=1+1",
            "+x",
            "-3",
            "@sum",
            "\tlead",
            "\u{1b}[31mred",
            "\u{9b}",
            "é,ü",
            "trailing,",
            ",",
            "x\"",
        ];
        let shared: Vec<Cell> = texts.iter().map(Cell::text).collect();
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let cell = move |next: &mut dyn FnMut(u64) -> u64| match next(9) {
            // Shared texts (as a series' key cells are) and texts of their own.
            0 | 1 => shared[next(texts.len() as u64) as usize].clone(),
            2 | 3 => Cell::text(texts[next(texts.len() as u64) as usize]),
            4 => Cell::Count(next(1 << 40)),
            5 => Cell::Float(next(1 << 40) as f64 / 7.0 - 1e11),
            6 => Cell::Time(next(1 << 45) as i64 - (1 << 40)),
            7 => Cell::Percent(next(20_000)),
            _ => [
                Cell::Null,
                Cell::Float(f64::NEG_INFINITY),
                Cell::Float(1e-9),
            ][next(3) as usize]
                .clone(),
        };
        for case in 0..3_000 {
            let width = 1 + next(4) as usize;
            // Row by row; coded (the first columns drawn from dictionaries, a cell repeated
            // over rows); or (two columns or more) as series: a key shared by a run of rows.
            let rows = if case % 3 == 0 {
                (0..next(12))
                    .map(|_| (0..width).map(|_| cell(&mut next)).collect())
                    .collect::<Vec<Vec<Cell>>>()
                    .into()
            } else if width == 1 || case % 3 == 1 {
                let coded = 1 + next(width as u64) as usize;
                let dicts: Vec<Box<[Cell]>> = (0..coded)
                    .map(|_| (0..1 + next(4)).map(|_| cell(&mut next)).collect())
                    .collect();
                let rows = next(12) as usize;
                let codes = (0..rows)
                    .flat_map(|_| {
                        dicts
                            .iter()
                            .map(|d| next(d.len() as u64) as u32)
                            .collect::<Vec<_>>()
                    })
                    .collect();
                let own = (0..rows * (width - coded))
                    .map(|_| cell(&mut next))
                    .collect();
                Rows::coded(dicts, codes, width - coded, own)
            } else {
                let series: Vec<(Vec<Cell>, Vec<[Cell; 2]>)> = (0..next(5))
                    .map(|_| {
                        let key = (2..width).map(|_| cell(&mut next)).collect();
                        let points = (0..next(6))
                            .map(|_| [cell(&mut next), cell(&mut next)])
                            .collect();
                        (key, points)
                    })
                    .collect();
                Rows::series(series)
            };
            let t = Table {
                id: "t",
                title: "T".into(),
                columns: &COLUMNS[..width],
                rows,
                view: View::Rows,
                note: None,
            };
            same_both_ways(&t, &format!("case {case}"));
        }
    }

    /// Writes `t` both ways in every mode, in blocks of one row, three rows and all of them: the
    /// same bytes, or both refuse it.
    fn same_both_ways(t: &Table, what: &str) {
        let modes = [(false, false), (true, false), (false, true), (true, true)];
        for ((safe, terminal), block) in
            modes.into_iter().flat_map(|m| [(m, 1), (m, 3), (m, BLOCK)])
        {
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            let a = write_blocks(&mut ours, t, opts(safe, terminal), block);
            let b = reference_write(&mut theirs, t, opts(safe, terminal));
            let how =
                format!("{what}, spreadsheet_safe {safe}, terminal {terminal}, block {block}");
            assert_eq!(a.is_ok(), b.is_ok(), "{how}: {a:?} against {b:?}");
            if a.is_ok() {
                assert_eq!(
                    String::from_utf8(ours).unwrap(),
                    String::from_utf8(theirs).unwrap(),
                    "{how}"
                );
            }
        }
    }

    /// Headers with nothing in them, rows of no cells and rows of the wrong length.
    #[test]
    fn odd_shapes_as_the_csv_crate() {
        let shapes: [(&'static [&'static str], Vec<Vec<Cell>>); 6] = [
            (&[], vec![]),
            (&[], vec![vec![]]),
            (
                &[""],
                vec![vec![Cell::Null], vec![Cell::text("")], vec![Cell::Count(1)]],
            ),
            (&["a"], vec![vec![]]),
            (
                &["a", "b"],
                vec![vec![Cell::Count(1), Cell::Null], vec![Cell::Count(2)]],
            ),
            (&["a", "b"], vec![vec![Cell::Null, Cell::Null, Cell::Null]]),
        ];
        for (i, (columns, rows)) in shapes.into_iter().enumerate() {
            let t = Table {
                id: "t",
                title: "T".into(),
                columns,
                rows: rows.into(),
                view: View::Rows,
                note: None,
            };
            same_both_ways(&t, &format!("shape {i}"));
        }
    }

    fn opts(spreadsheet_safe: bool, terminal: bool) -> Options {
        Options {
            spreadsheet_safe,
            terminal,
            ..Options::default()
        }
    }

    fn table() -> Table {
        table_of(Cell::text("=1+1"))
    }

    /// The table, its second row's name `name`.
    fn table_of(name: Cell) -> Table {
        Table {
            id: "t",
            title: "T".into(),
            columns: &["name", "count", "percent"],
            rows: vec![
                vec![
                    Cell::text("a,\"b\"\nc"),
                    Cell::Count(3),
                    Cell::Percent(7500),
                ],
                vec![name, Cell::Count(1), Cell::Percent(2500)],
            ]
            .into(),
            view: View::Rows,
            note: None,
        }
    }

    #[test]
    fn rfc4180_exact() {
        let mut out = Vec::new();
        write(&mut out, &table(), opts(false, false)).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "name,count,percent\n\"a,\"\"b\"\"\nc\",3,75.00\n=1+1,1,25.00\n"
        );
    }

    #[test]
    fn spreadsheet_safe_prefixes_formulas() {
        let mut out = Vec::new();
        write(&mut out, &table(), opts(true, false)).unwrap();
        assert!(String::from_utf8(out).unwrap().ends_with("'=1+1,1,25.00\n"));
    }

    #[test]
    fn terminal_output_is_escaped_as_tables_are() {
        let t = table_of(Cell::text("\u{1b}[31mred\u{9b}"));
        let mut out = Vec::new();
        write(&mut out, &t, opts(false, true)).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "name,count,percent\n\"a,\"\"b\"\"\\nc\",3,75.00\n\\x1b[31mred\\u{9b},1,25.00\n"
        );
    }
}
