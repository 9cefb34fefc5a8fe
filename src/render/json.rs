//! JSON: one document, keys equal to the CSV column names, numbers as numbers.
//!
//! Shape of `--format json`:
//! ```text
//! {
//!   "summary": { "files_read": 12, ... },
//!   "panels": {
//!     "<panel id>": { "title": "...", "columns": ["..."], "rows": [ { "<column>": value } ],
//!                     "note": "..." }
//!   }
//! }
//! ```
//! Counts are integers, percentages and measurements are numbers (non-finite ones `null`), text
//! and times are strings; `"note"` is there only when the panel has one. With `--output-dir`,
//! each `<id>.json` holds one panel object with an added `"id"`. On a terminal, characters that could drive it or hide in it (DEL, C1 controls,
//! bidirectional overrides, characters that show as nothing: [`is_unsafe`]) are written as
//! `\uXXXX` escapes too, as serde_json writes C0 controls: the document still parses to the
//! exact data.

use std::cell::RefCell;
use std::io::{self, Write};

use serde::Serializer;
use serde::ser::{SerializeMap, SerializeSeq};
use serde_json::Value;

use super::{Exporter, FormatDef, Options, Summary};
use crate::panels::{Cell, Table};
use crate::text::is_unsafe;
use crate::window::format_time;

/// `--format json`.
pub const FORMAT: FormatDef = FormatDef {
    name: "json",
    about: "One JSON document with every panel",
    extension: "json",
    one_panel: false,
    shows_notes: true,
    exporter: |opts| Box::new(Json(opts)),
};

/// The JSON exporter.
pub struct Json(pub Options);

impl Exporter for Json {
    fn write_stream(
        &self,
        out: &mut dyn Write,
        tables: &mut dyn Iterator<Item = Table>,
        summary: &Summary,
    ) -> io::Result<()> {
        let doc = Document {
            tables: RefCell::new(tables),
            summary,
            _i: std::marker::PhantomData,
        };
        self.pretty(out, &doc)
    }

    fn write_file(&self, out: &mut dyn Write, table: &Table) -> io::Result<()> {
        self.pretty(
            out,
            &Panel {
                table,
                with_id: true,
            },
        )
    }
}

impl Json {
    /// Writes `value` pretty-printed, with a final newline.
    fn pretty(&self, out: &mut dyn Write, value: &impl serde::Serialize) -> io::Result<()> {
        if self.0.terminal {
            let fmt = TerminalSafe(serde_json::ser::PrettyFormatter::new());
            let mut ser = serde_json::Serializer::with_formatter(&mut *out, fmt);
            value.serialize(&mut ser)?;
        } else {
            serde_json::to_writer_pretty(&mut *out, value)?;
        }
        writeln!(out)
    }
}

/// serde_json's pretty formatter, with every character [`is_unsafe`] in strings written as a
/// `\uXXXX` escape (serde_json escapes only C0 controls itself).
struct TerminalSafe<'a>(serde_json::ser::PrettyFormatter<'a>);

impl serde_json::ser::Formatter for TerminalSafe<'_> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut rest = fragment;
        while let Some((i, c)) = rest.char_indices().find(|&(_, c)| is_unsafe(c)) {
            w.write_all(&rest.as_bytes()[..i])?;
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                write!(w, "\\u{u:04x}")?;
            }
            rest = &rest[i + c.len_utf8()..];
        }
        w.write_all(rest.as_bytes())
    }
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

fn cell_value(c: &Cell) -> Value {
    match c {
        Cell::Text(s) => Value::String(s.to_string()),
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

struct Row<'a>(&'a [&'static str], crate::panels::Row<'a>);

impl serde::Serialize for Row<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, c) in self.0.iter().zip(self.1.iter()) {
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
        map.serialize_entry("title", &self.table.title)?;
        map.serialize_entry("columns", self.table.columns)?;
        map.serialize_entry("rows", &Rows(self.table))?;
        if let Some(note) = &self.table.note {
            map.serialize_entry("note", note)?;
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::panels::View;

    #[test]
    fn document_shape() {
        let t = Table {
            id: "events",
            title: "Events".into(),
            columns: &["event_name", "count", "percent", "at", "x"],
            rows: vec![vec![
                Cell::text("Put\"Record"),
                Cell::Count(3),
                Cell::Percent(4286),
                Cell::Time(0),
                Cell::Float(f64::INFINITY),
            ]]
            .into(),
            view: View::Rows,
            note: None,
        };
        let summary = vec![("z_first", Cell::Count(1)), ("a_second", Cell::text("x"))];
        let mut out = Vec::new();
        Json(Options::default())
            .write_stream(&mut out, &mut std::iter::once(t), &summary)
            .unwrap();
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

    #[test]
    fn terminal_output_escapes_what_drives_a_terminal() {
        let t = Table {
            id: "t",
            title: "T".into(),
            columns: &["s"],
            rows: vec![vec![Cell::text("\u{1b}[2J\u{9b}31m\u{7f}\u{202e}é\\")]].into(),
            view: View::Rows,
            note: None,
        };
        let write = |terminal| {
            let mut out = Vec::new();
            Json(Options {
                terminal,
                ..Options::default()
            })
            .write_file(&mut out, &t)
            .unwrap();
            String::from_utf8(out).unwrap()
        };
        let (tty, file) = (write(true), write(false));
        // serde_json escapes C0 itself; DEL, C1 and bidi overrides are added on a terminal.
        assert!(
            tty.contains(r#""s": "\u001b[2J\u009b31m\u007f\u202eé\\""#),
            "{tty}"
        );
        assert!(!tty.chars().any(|c| c != '\n' && crate::text::is_unsafe(c)));
        assert!(file.contains("\u{9b}31m\u{7f}\u{202e}é"), "{file}");
        // Both parse to the exact data.
        for text in [tty, file] {
            let v: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(v["rows"][0]["s"], "\u{1b}[2J\u{9b}31m\u{7f}\u{202e}é\\");
        }
    }
}
