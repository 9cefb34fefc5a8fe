//! HTML: the dashboard as one self-contained page. Each panel's [`Table`] is embedded as JSON
//! (every cell as the exact text CSV writes, so the page's numbers are the CSV's), and a small
//! inlined script (`html/app.js`, no library) draws its SVG chart and a sortable, filterable
//! table that keeps only the visible rows in the DOM. Which chart a panel gets follows from its
//! shape, not its id: a time series ([`View::Series`]) is a stacked area (counts) or lines with
//! gaps (measurements); a table with `latitude` and `longitude` columns is a world map with a
//! bubble per place; `[text, count, percent]` is a donut; `[text, count]` is a bar chart.
//!
//! Nothing leaves the page: a Content-Security-Policy allows only the inlined script and style
//! (by their SHA-256) and no request at all, so it works from `file://` without network. Data
//! from logs reaches the page only inside JSON whose `<`, `>`, `&`, U+2028 and U+2029 are
//! `\u` escapes (it cannot close the `<script>` element), or as escaped HTML text, and the
//! script puts it in the DOM as text, never as markup. Wherever it is shown, what
//! [`is_unsafe`] names is a visible escape as in tables ([`sanitize`]'s), marked as one
//! (`<span class="esc">`). The page carries those characters' ranges for its script: the list
//! [`is_unsafe`] is made from ([`UNSAFE_RANGES`]), as data, because the script's own text is
//! fixed (the policy names its hash).
//!
//! The map's country shapes (`html/world.json`) are Natural Earth's 1:110m countries (public
//! domain) from the npm package world-atlas 2.0.2 (ISC, Michael Bostock), projected and cut at
//! the antimeridian by `testdata/world_map.py`.

use std::io::{self, Write};

use serde::Serialize;

use super::{Exporter, FormatDef, Options, Summary, cell_text};
use crate::panels::{Cell, SeriesSummary, Table, View};
use crate::text::{UNSAFE_RANGES, is_unsafe, push_escape, sanitize};
use crate::window::{format_time, now};

/// `--format html`.
pub const FORMAT: FormatDef = FormatDef {
    name: "html",
    about: "One self-contained page of charts, a world map and sortable tables (> report.html)",
    extension: "html",
    one_panel: false,
    shows_notes: true,
    exporter: |opts| Box::new(Html(opts)),
};

const SCRIPT: &str = include_str!("html/app.js");
const STYLE: &str = include_str!("html/page.css");
const WORLD: &str = include_str!("html/world.json");

/// SHA-256 of [`SCRIPT`] and [`STYLE`], base64, as the Content-Security-Policy names them (a
/// unit test checks them against the files).
const SCRIPT_SHA256: &str = "sha256-jweX+IZRPWnqTAHSipDWG1Oa/WDTSvOFJSq/AcBY6e4=";
const STYLE_SHA256: &str = "sha256-RQcWuXnlvCPBiP+BsiCNiY7ovRkZfK+4R6kDZXJ4sIQ=";

/// The HTML exporter.
pub struct Html(pub Options);

impl Exporter for Html {
    fn write_stream(
        &self,
        out: &mut dyn Write,
        tables: &mut dyn Iterator<Item = Table>,
        summary: &Summary,
    ) -> io::Result<()> {
        self.head(out, summary)?;
        let mut world = false;
        for t in tables {
            world |= has_map(&t);
            panel(out, &t)?;
        }
        self.foot(out, world)
    }

    fn write_file(&self, out: &mut dyn Write, table: &Table) -> io::Result<()> {
        self.write_stream(out, &mut std::iter::once(table.clone()), &Vec::new())
    }

    fn one_page(&self) -> bool {
        true
    }
}

/// The Content-Security-Policy of every page: nothing but the inlined script and style.
pub fn content_security_policy() -> String {
    format!(
        "default-src 'none'; script-src '{SCRIPT_SHA256}'; style-src '{STYLE_SHA256}'; \
         img-src data:; base-uri 'none'; form-action 'none'"
    )
}

impl Html {
    fn head(&self, out: &mut dyn Write, summary: &Summary) -> io::Result<()> {
        let title = page_title(self.0.dashboard);
        let version = env!("CARGO_PKG_VERSION");
        write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"color-scheme\" content=\"light dark\">\n\
             <meta name=\"generator\" content=\"kinesis-insights {version}\">\n\
             <title>{t}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header>\n<h1>{h}</h1>\n\
             <p class=\"meta\">Written {when} by kinesis-insights {version}. Times are UTC.</p>\n",
            csp = content_security_policy(),
            t = text(&title),
            h = marked(&title),
            when = format_time(now()),
        )?;
        if !self.0.command_line.is_empty() {
            writeln!(
                out,
                "<code class=\"cmd\" aria-label=\"Command\">{}</code>",
                marked(self.0.command_line)
            )?;
        }
        if !summary.is_empty() {
            writeln!(out, "<dl class=\"summary\" aria-label=\"What was read\">")?;
            // The entries with a value: an open window bound or a missing figure (`null` in
            // JSON) would be an empty line.
            for (k, c) in summary.iter().filter(|(_, c)| !matches!(c, Cell::Null)) {
                writeln!(
                    out,
                    "<div><dt>{}</dt><dd>{}</dd></div>",
                    marked(&k.replace('_', " ")),
                    marked(&cell_text(c))
                )?;
            }
            writeln!(out, "</dl>")?;
        }
        writeln!(
            out,
            "<noscript><p>The charts and tables of this page are drawn by its script; the data \
             is in it as JSON.</p></noscript>\n</header>\n\
             <pre id=\"errors\" role=\"alert\"></pre>\n<main>"
        )
    }

    fn foot(&self, out: &mut dyn Write, world: bool) -> io::Result<()> {
        writeln!(out, "</main>\n<footer>")?;
        if world {
            writeln!(
                out,
                "<p>Map: Natural Earth 1:110m countries (public domain), from world-atlas \
                 (ISC), Natural Earth projection.</p>"
            )?;
        }
        writeln!(out, "</footer>")?;
        if world {
            // Static text of ours: no log data in it.
            writeln!(
                out,
                "<script type=\"application/json\" id=\"world\">{}</script>",
                WORLD.trim_end()
            )?;
        }
        // The characters the script shows as escapes: [`is_unsafe`]'s, from it.
        let ranges: Vec<String> = UNSAFE_RANGES
            .iter()
            .map(|&(lo, hi)| format!("[{},{}]", lo as u32, hi as u32))
            .collect();
        writeln!(
            out,
            "<script type=\"application/json\" id=\"unsafe\">[{}]</script>",
            ranges.join(",")
        )?;
        writeln!(out, "<script>{SCRIPT}</script>\n</body>\n</html>")
    }
}

/// `events` → "Kinesis Events".
fn page_title(dashboard: &str) -> String {
    let mut chars = dashboard.chars();
    match chars.next() {
        Some(c) => format!("Kinesis {}{}", c.to_uppercase(), chars.as_str()),
        None => "Kinesis Insights".to_string(),
    }
}

fn has_map(t: &Table) -> bool {
    t.columns.contains(&"latitude") && t.columns.contains(&"longitude")
}

/// One panel: a section with its heading, note and data; the script draws the rest.
fn panel(out: &mut dyn Write, t: &Table) -> io::Result<()> {
    let id = text(t.id);
    writeln!(
        out,
        "<section class=\"panel\" id=\"panel-{id}\" aria-labelledby=\"h-{id}\">\n\
         <h2 id=\"h-{id}\">{}</h2>",
        marked(&t.title)
    )?;
    if let Some(note) = &t.note {
        writeln!(out, "<p class=\"note\">{}</p>", marked(note))?;
    }
    write!(
        out,
        "<script type=\"application/json\" class=\"panel-data\">"
    )?;
    let data = PanelData {
        id: t.id,
        title: &t.title,
        columns: t.columns,
        kinds: kinds(t),
        rows: t
            .rows
            .iter()
            .map(|r| r.iter().map(cell_text).collect())
            .collect(),
        view: ViewData::of(&t.view),
    };
    let json = serde_json::to_string(&data).map_err(io::Error::other)?;
    write_script_json(out, &json)?;
    writeln!(out, "</script>\n</section>")
}

/// What the page's script reads of a panel.
#[derive(Serialize)]
struct PanelData<'a> {
    id: &'a str,
    title: &'a str,
    columns: &'a [&'a str],
    /// Per column: `text`, `count`, `percent`, `float` or `time` (from its first value).
    kinds: Vec<&'static str>,
    /// Every cell as CSV writes it.
    rows: Vec<Vec<String>>,
    view: ViewData,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum ViewData {
    Rows,
    Bars {
        label: usize,
        value: usize,
    },
    Series {
        time: usize,
        keys: Vec<usize>,
        value: usize,
        bucket: i64,
        summary: &'static str,
        unit: &'static str,
    },
}

impl ViewData {
    fn of(v: &View) -> Self {
        match v {
            View::Rows => ViewData::Rows,
            View::Bars { label, value } => ViewData::Bars {
                label: *label,
                value: *value,
            },
            View::Series {
                time,
                keys,
                value,
                bucket,
                summary,
                unit,
            } => ViewData::Series {
                time: *time,
                keys: keys.clone(),
                value: *value,
                bucket: *bucket,
                summary: match summary {
                    SeriesSummary::Total => "total",
                    SeriesSummary::Stats => "stats",
                },
                unit,
            },
        }
    }
}

fn kinds(t: &Table) -> Vec<&'static str> {
    (0..t.columns.len())
        .map(|i| {
            let first = t
                .rows
                .iter()
                .map(|r| r.cell(i))
                .find(|c| !matches!(c, Cell::Null));
            match first {
                Some(Cell::Count(_)) => "count",
                Some(Cell::Percent(_)) => "percent",
                Some(Cell::Float(_)) => "float",
                Some(Cell::Time(_)) => "time",
                _ => "text",
            }
        })
        .collect()
}

/// Writes JSON inside a `<script>` element: `<`, `>` and `&` as `\u` escapes (so no text of
/// it can end the element or open a comment), U+2028 and U+2029 too (line ends to older
/// JavaScript), and what could drive a terminal the page is shown on or hide in it (DEL, C1
/// controls, bidirectional overrides, characters that show as nothing; serde_json escapes C0
/// itself). They can only occur in strings, where the escapes read back the same: one past
/// U+FFFF as its UTF-16 surrogate pair, as JSON spells it.
fn write_script_json(out: &mut dyn Write, json: &str) -> io::Result<()> {
    let mut rest = json;
    let special = |c: char| matches!(c, '<' | '>' | '&' | '\u{2028}' | '\u{2029}') || is_unsafe(c);
    while let Some(i) = rest.find(special) {
        out.write_all(&rest.as_bytes()[..i])?;
        let c = rest[i..].chars().next().unwrap_or('\0');
        let mut units = [0u16; 2];
        for u in c.encode_utf16(&mut units) {
            write!(out, "\\u{u:04x}")?;
        }
        rest = &rest[i + c.len_utf8()..];
    }
    out.write_all(rest.as_bytes())
}

/// Text for an attribute or the page's `<title>`: what [`is_unsafe`] names shown as visible
/// escapes as in tables ([`sanitize`]: so neither the page nor a terminal it is printed on is
/// driven by them, and nothing hides in it), then [`escape`]d.
fn text(s: &str) -> String {
    escape(&sanitize(s))
}

/// Text for element content of the page's own HTML (headings, notes, the summary, the
/// command line): as [`text`], with each escape in a `<span class="esc">` so that it looks
/// unlike text a log could hold (`\u{200b}` typed into a field shows as `\\u{200b}`, its
/// backslash an escape). The script shows data in its tables and charts the same way.
fn marked(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut esc = String::new();
    for c in s.chars() {
        esc.clear();
        if push_escape(&mut esc, c) {
            // ASCII letters, digits, `\`, `{`, `}`: nothing to escape for HTML.
            out.push_str("<span class=\"esc\">");
            out.push_str(&esc);
            out.push_str("</span>");
        } else {
            let mut b = [0; 4];
            out.push_str(&escape(c.encode_utf8(&mut b)));
        }
    }
    out
}

/// Text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_end_the_element() {
        let mut out = Vec::new();
        let json = serde_json::to_string(
            "</script><img src=x onerror=alert(1)>&\u{2028}\u{2029}\u{1b}\u{9b}\u{202e}",
        )
        .unwrap();
        write_script_json(&mut out, &json).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            r#""\u003c/script\u003e\u003cimg src=x onerror=alert(1)\u003e\u0026\u2028\u2029\u001b\u009b\u202e""#
        );
        let back: String = serde_json::from_str(&text).unwrap();
        assert_eq!(
            back,
            "</script><img src=x onerror=alert(1)>&\u{2028}\u{2029}\u{1b}\u{9b}\u{202e}"
        );
    }

    #[test]
    fn marked_text_spans_each_escape() {
        assert_eq!(marked("alice"), "alice");
        assert_eq!(
            marked("al\u{200b}ice"),
            r#"al<span class="esc">\u{200b}</span>ice"#
        );
        // A typed escape is text, its backslash an escape; markup stays text.
        assert_eq!(
            marked("<b>\\u{200b}\u{202e}\u{e0041}\n"),
            r#"&lt;b&gt;<span class="esc">\\</span>u{200b}<span class="esc">\u{202e}</span><span class="esc">\u{e0041}</span><span class="esc">\n</span>"#
        );
        // Attributes and the <title> get the same escapes, without markup.
        assert_eq!(text("\"\u{feff}\\"), r"&quot;\u{feff}\\");
    }

    #[test]
    fn html_text_is_escaped() {
        assert_eq!(
            escape(r#"<b a="1">&'"#),
            "&lt;b a=&quot;1&quot;&gt;&amp;&#39;"
        );
        assert_eq!(page_title("events"), "Kinesis Events");
    }

    /// The hashes in the Content-Security-Policy are those of the inlined script and style
    /// (a page whose hash is stale runs no script: blank charts).
    #[test]
    fn csp_hashes_match_the_inlined_files() {
        use sha2::Digest;
        let b64 = |s: &str| {
            let digest = sha2::Sha256::digest(s.as_bytes());
            format!("sha256-{}", base64(&digest))
        };
        assert_eq!(
            (SCRIPT_SHA256, STYLE_SHA256),
            (b64(SCRIPT).as_str(), b64(STYLE).as_str()),
            "update the constants in src/render/html.rs"
        );
    }

    /// Standard base64 with padding.
    fn base64(bytes: &[u8]) -> String {
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    #[test]
    fn base64_known_values() {
        // RFC 4648 test vectors.
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }
}
