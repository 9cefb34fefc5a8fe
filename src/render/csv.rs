//! CSV: RFC 4180 quoting, the panel's columns as the header, every row, exact data. Lines end
//! in `\n` (as xsv and csvkit write them) so `cut`, `awk` and `sort` see no stray `\r`.

use std::io::{self, Write};

use super::{Exporter, FormatDef, Options, Summary, push_cell_text};
use crate::panels::{Cell, Table};
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
pub fn write(out: &mut dyn Write, table: &Table, opts: Options) -> io::Result<()> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out);
    w.write_record(table.columns).map_err(io::Error::other)?;
    // One buffer, reused cell after cell: a metrics panel has many rows. Text that needs no
    // change is written from the cell itself.
    let mut s = String::new();
    for row in &table.rows {
        for c in row {
            if let Cell::Text(t) = c
                && !opts.terminal
                && !(opts.spreadsheet_safe && is_formula(t))
            {
                w.write_field(t.as_bytes()).map_err(into_io)?;
                continue;
            }
            s.clear();
            if opts.spreadsheet_safe
                && let Cell::Text(t) = c
                && is_formula(t)
            {
                s.push('\'');
            }
            push_cell_text(&mut s, c);
            if opts.terminal {
                s = sanitize(&s);
            }
            w.write_field(&s).map_err(into_io)?;
        }
        w.write_record(None::<&[u8]>).map_err(into_io)?;
    }
    w.flush()
}

fn is_formula(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

fn into_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => io::Error::other(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::panels::View;

    fn opts(spreadsheet_safe: bool, terminal: bool) -> Options {
        Options {
            spreadsheet_safe,
            terminal,
            ..Options::default()
        }
    }

    fn table() -> Table {
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
                vec![Cell::text("=1+1"), Cell::Count(1), Cell::Percent(2500)],
            ],
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
        let mut t = table();
        t.rows[1][0] = Cell::text("\u{1b}[31mred\u{9b}");
        let mut out = Vec::new();
        write(&mut out, &t, opts(false, true)).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "name,count,percent\n\"a,\"\"b\"\"\\nc\",3,75.00\n\\x1b[31mred\\u{9b},1,25.00\n"
        );
    }
}
