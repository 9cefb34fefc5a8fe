//! JSON: one document, keys equal to the CSV column names, numbers as numbers.
//!
//! Shape of `--format json`:
//! ```text
//! {
//!   "summary": { "files_read": 12, ... },
//!   "panels": {
//!     "<panel id>": { "title": "...", "columns": ["..."], "rows": [ { "<column>": value } ] }
//!   }
//! }
//! ```
//! Counts are integers, percentages and measurements are numbers (non-finite ones `null`), text
//! and times are strings. With `--output-dir`, each `<id>.json` holds one panel object with an
//! added `"id"`.

use std::cell::RefCell;
use std::io::{self, Write};

use serde::Serializer;
use serde::ser::{SerializeMap, SerializeSeq};
use serde_json::Value;

use super::Summary;
use crate::panels::{Cell, Table};
use crate::window::format_time;

fn cell_value(c: &Cell) -> Value {
    match c {
        Cell::Text(s) => Value::String(s.clone()),
        Cell::Count(n) => Value::from(*n),
        Cell::Percent(h) => Value::from(*h as f64 / 100.0),
        Cell::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        Cell::Time(t) => Value::String(format_time(*t)),
        Cell::Null => Value::Null,
    }
}

struct Rows<'a>(&'a Table);

impl serde::Serialize for Rows<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.rows.len()))?;
        for row in &self.0.rows {
            seq.serialize_element(&Row(self.0.columns, row))?;
        }
        seq.end()
    }
}

struct Row<'a>(&'a [&'static str], &'a [Cell]);

impl serde::Serialize for Row<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, c) in self.0.iter().zip(self.1) {
            map.serialize_entry(k, &cell_value(c))?;
        }
        map.end()
    }
}

struct Panel<'a> {
    table: &'a Table,
    with_id: bool,
}

impl serde::Serialize for Panel<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        if self.with_id {
            map.serialize_entry("id", self.table.id)?;
        }
        map.serialize_entry("title", self.table.title)?;
        map.serialize_entry("columns", self.table.columns)?;
        map.serialize_entry("rows", &Rows(self.table))?;
        map.end()
    }
}

/// The whole document. Tables come from an iterator and are written as they come, so a
/// command can build, write and drop one panel at a time.
struct Document<'a, 'i> {
    tables: RefCell<&'a mut dyn Iterator<Item = Table>>,
    summary: &'a Summary,
    _i: std::marker::PhantomData<&'i ()>,
}

impl serde::Serialize for Document<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("summary", &SummaryMap(self.summary))?;
        map.serialize_entry("panels", &Panels(&self.tables))?;
        map.end()
    }
}

struct SummaryMap<'a>(&'a Summary);

impl serde::Serialize for SummaryMap<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, c) in self.0 {
            map.serialize_entry(k, &cell_value(c))?;
        }
        map.end()
    }
}

struct Panels<'r, 'a>(&'r RefCell<&'a mut dyn Iterator<Item = Table>>);

impl serde::Serialize for Panels<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        let mut tables = self.0.borrow_mut();
        for t in &mut **tables {
            map.serialize_entry(
                t.id,
                &Panel {
                    table: &t,
                    with_id: false,
                },
            )?;
        }
        map.end()
    }
}

/// Writes the whole document (summary and every panel), pretty-printed, with a final newline.
pub fn write_document(
    out: &mut dyn Write,
    tables: &mut dyn Iterator<Item = Table>,
    summary: &Summary,
) -> io::Result<()> {
    let doc = Document {
        tables: RefCell::new(tables),
        summary,
        _i: std::marker::PhantomData,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// Writes one panel object (for `--output-dir`).
pub fn write_panel(out: &mut dyn Write, table: &Table) -> io::Result<()> {
    serde_json::to_writer_pretty(
        &mut *out,
        &Panel {
            table,
            with_id: true,
        },
    )?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::panels::View;

    #[test]
    fn document_shape() {
        let t = Table {
            id: "events",
            title: "Events",
            columns: &["event_name", "count", "percent", "at", "x"],
            rows: vec![vec![
                Cell::text("Put\"Record"),
                Cell::Count(3),
                Cell::Percent(4286),
                Cell::Time(0),
                Cell::Float(f64::INFINITY),
            ]],
            view: View::Rows,
            note: None,
        };
        let summary = vec![("z_first", Cell::Count(1)), ("a_second", Cell::text("x"))];
        let mut out = Vec::new();
        write_document(&mut out, &mut std::iter::once(t), &summary).unwrap();
        let text = String::from_utf8(out).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "summary": {"z_first": 1, "a_second": "x"},
                "panels": {"events": {
                    "title": "Events",
                    "columns": ["event_name", "count", "percent", "at", "x"],
                    "rows": [{"event_name": "Put\"Record", "count": 3, "percent": 42.86,
                              "at": "1970-01-01T00:00:00Z", "x": null}]
                }}
            })
        );
        assert!(text.find("z_first").unwrap() < text.find("a_second").unwrap());
        assert!(text.contains("42.86"));
    }
}
