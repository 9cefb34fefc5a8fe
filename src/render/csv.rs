//! CSV: RFC 4180 quoting, the panel's columns as the header, every row, exact data. Lines end
//! in `\n` (as xsv and csvkit write them) so `cut`, `awk` and `sort` see no stray `\r`.

use std::io::{self, Write};

use super::cell_text;
use crate::panels::Table;

/// Writes `table` as CSV. With `spreadsheet_safe`, text cells that a spreadsheet would run as
/// a formula (starting `=`, `+`, `-`, `@`, tab or carriage return) get a leading `'`.
pub fn write(out: &mut dyn Write, table: &Table, spreadsheet_safe: bool) -> io::Result<()> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out);
    w.write_record(table.columns).map_err(io::Error::other)?;
    let mut record = Vec::with_capacity(table.columns.len());
    for row in &table.rows {
        record.clear();
        record.extend(row.iter().map(|c| {
            let s = cell_text(c);
            if spreadsheet_safe && matches!(c, crate::panels::Cell::Text(_)) && is_formula(&s) {
                format!("'{s}")
            } else {
                s
            }
        }));
        w.write_record(&record).map_err(into_io)?;
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
    use crate::panels::{Cell, View};

    fn table() -> Table {
        Table {
            id: "t",
            title: "T",
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
        write(&mut out, &table(), false).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "name,count,percent\n\"a,\"\"b\"\"\nc\",3,75.00\n=1+1,1,25.00\n"
        );
    }

    #[test]
    fn spreadsheet_safe_prefixes_formulas() {
        let mut out = Vec::new();
        write(&mut out, &table(), true).unwrap();
        assert!(String::from_utf8(out).unwrap().ends_with("'=1+1,1,25.00\n"));
    }
}
