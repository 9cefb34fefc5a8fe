//! `--format html`: the page is well formed, carries exactly the CSV's data, asks for nothing
//! outside itself, and data from logs cannot become markup. The tests marked `#[ignore]` load
//! the pages in headless Chromium (`tests/e2e.sh` installs it): no errors, the SVG elements
//! expected, the numbers in the DOM equal the CSV's, and screenshots in `target/html-e2e/`.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use common::{csv_rows, record, run, testdata};
use kinesis_insights::text::sanitize;

/// The sample's events page arguments (all panels, the test city database for the map).
fn events_args() -> Vec<String> {
    vec![
        "events".into(),
        "--geoip".into(),
        testdata("geoip/test-city.mmdb").display().to_string(),
        testdata("cloudtrail").display().to_string(),
    ]
}

fn metrics_args() -> Vec<String> {
    vec![
        "metrics".into(),
        testdata("metrics/streams").display().to_string(),
        testdata("metrics/accounts").display().to_string(),
    ]
}

/// Runs `args` with `--format html` and returns the page (and checks the exit status is
/// `code`).
fn page(args: &[String], code: i32) -> String {
    let mut a = args.to_vec();
    a.extend(["--format".into(), "html".into()]);
    let r = run(&a);
    assert_eq!(r.code, code, "{}", r.stderr);
    r.stdout
}

/// Every panel's CSV of the same run, by panel id.
fn csv_panels(args: &[String]) -> BTreeMap<String, Vec<Vec<String>>> {
    let dir = tempfile::tempdir().unwrap();
    let mut a = args.to_vec();
    a.extend([
        "--format".into(),
        "csv".into(),
        "--output-dir".into(),
        dir.path().display().to_string(),
        "-q".into(),
    ]);
    let r = run(&a);
    assert!(r.code <= 1, "{}", r.stderr);
    fs::read_dir(dir.path())
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let id = p.file_stem().unwrap().to_str().unwrap().to_string();
            (id, csv_rows(&fs::read_to_string(&p).unwrap()))
        })
        .collect()
}

/// An element as the checker saw it.
#[derive(Debug)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    /// Raw text of a `<script>` or `<style>`.
    raw: Option<String>,
}

/// A small checker of the HTML we write: tags nest and close, attributes are quoted, `&` starts
/// a known entity, and `<script>`/`<style>` hold raw text up to their end tag. Returns every
/// element in document order.
fn parse(html: &str) -> Vec<Element> {
    const VOID: &[&str] = &["meta", "link", "br", "img", "input", "hr"];
    let mut stack: Vec<String> = Vec::new();
    let mut out = Vec::new();
    let mut rest = html
        .strip_prefix("<!DOCTYPE html>\n")
        .expect("starts with the doctype");
    while let Some(i) = rest.find(['<', '&']) {
        let (text, tail) = rest.split_at(i);
        assert!(!text.contains('>'), "a bare > in text: {text:?}");
        if tail.starts_with('&') {
            let end = tail.find(';').expect("an entity ends in ;");
            let entity = &tail[1..end];
            assert!(
                ["amp", "lt", "gt", "quot", "#39"].contains(&entity),
                "unknown entity &{entity};"
            );
            rest = &tail[end + 1..];
            continue;
        }
        if let Some(t) = tail.strip_prefix("</") {
            let end = t.find('>').expect("an end tag closes");
            let name = &t[..end];
            assert_eq!(
                stack.pop().as_deref(),
                Some(name),
                "end tag </{name}> out of place"
            );
            rest = &t[end + 1..];
            continue;
        }
        // A start tag: a name, then name="value" attributes.
        let t = &tail[1..];
        let name_end = t.find([' ', '>', '\n']).expect("a tag name ends");
        let name = t[..name_end].to_string();
        assert!(
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric()),
            "bad tag name {name:?}"
        );
        let mut a = &t[name_end..];
        let mut attrs = Vec::new();
        loop {
            a = a.trim_start();
            if let Some(r) = a.strip_prefix('>') {
                a = r;
                break;
            }
            let eq = a.find('=').expect("attribute has a value");
            let key = a[..eq].to_string();
            assert!(
                key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
                "{key}"
            );
            let v = a[eq + 1..].strip_prefix('"').expect("value quoted with \"");
            let close = v.find('"').expect("value ends");
            assert!(!v[..close].contains('<'), "< in an attribute");
            attrs.push((key, v[..close].to_string()));
            a = &v[close + 1..];
        }
        let mut raw = None;
        if name == "script" || name == "style" {
            let end_tag = format!("</{name}>");
            let end = a.find(&end_tag).expect("raw text element ends");
            raw = Some(a[..end].to_string());
            a = &a[end + end_tag.len()..];
        } else if !VOID.contains(&name.as_str()) {
            stack.push(name.clone());
        }
        out.push(Element { name, attrs, raw });
        rest = a;
    }
    assert!(rest.trim().is_empty(), "text after </html>");
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    out
}

/// The JSON of each panel the page carries, by id.
fn embedded(elements: &[Element]) -> BTreeMap<String, serde_json::Value> {
    elements
        .iter()
        .filter(|e| {
            e.attrs
                .iter()
                .any(|(k, v)| k == "class" && v == "panel-data")
        })
        .map(|e| {
            let v: serde_json::Value = serde_json::from_str(e.raw.as_ref().unwrap()).unwrap();
            (v["id"].as_str().unwrap().to_string(), v)
        })
        .collect()
}

/// The page's panels are exactly the CSV files of the same run: same columns, same rows in
/// the same order, every cell the same text.
fn assert_same_as_csv(args: &[String], page: &str) -> BTreeMap<String, serde_json::Value> {
    let elements = parse(page);
    let panels = embedded(&elements);
    let csv = csv_panels(args);
    assert_eq!(
        panels.keys().collect::<Vec<_>>(),
        csv.keys().collect::<Vec<_>>()
    );
    for (id, rows) in &csv {
        let p = &panels[id];
        let columns: Vec<String> = serde_json::from_value(p["columns"].clone()).unwrap();
        let data: Vec<Vec<String>> = serde_json::from_value(p["rows"].clone()).unwrap();
        assert_eq!(columns, rows[0], "{id}");
        assert_eq!(data, rows[1..], "{id}");
    }
    panels
}

/// Tags a page may hold: anything else came from data.
const TAGS: &[&str] = &[
    "html", "head", "meta", "title", "style", "body", "header", "h1", "p", "code", "dl", "div",
    "dt", "dd", "noscript", "pre", "main", "section", "h2", "script", "footer", "span",
];

/// Nothing is fetched: no attribute names a URL, the policy forbids everything but the
/// inlined script and style, and the only `http` in the page is the SVG namespace.
fn assert_self_contained(page: &str) {
    let elements = parse(page);
    for e in &elements {
        assert!(TAGS.contains(&e.name.as_str()), "<{}> in the page", e.name);
        if e.name == "span" {
            assert_eq!(e.attrs, [("class".to_string(), "esc".to_string())]);
        }
        for (k, v) in &e.attrs {
            assert!(
                !["src", "href", "action", "srcset", "poster", "data"].contains(&k.as_str()),
                "{k}={v}"
            );
        }
        if e.name == "script" {
            let json = e
                .attrs
                .iter()
                .any(|(k, v)| k == "type" && v == "application/json");
            assert!(json || e.attrs.is_empty(), "{:?}", e.attrs);
        }
    }
    let csp = elements
        .iter()
        .find(|e| {
            e.attrs
                .iter()
                .any(|(k, v)| k == "http-equiv" && v == "Content-Security-Policy")
        })
        .expect("a Content-Security-Policy");
    let policy = &csp.attrs.iter().find(|(k, _)| k == "content").unwrap().1;
    assert!(
        policy.starts_with("default-src 'none'; script-src 'sha256-"),
        "{policy}"
    );
    assert!(!policy.contains("unsafe"), "{policy}");
    // Log text may hold URLs (as text); our own script and style, and attributes, none.
    for e in &elements {
        for (k, v) in &e.attrs {
            assert!(!v.contains("://") && !v.starts_with("//"), "{k}={v}");
        }
        let ours = e.attrs.iter().all(|(k, _)| k != "type");
        if let (Some(raw), true) = (&e.raw, ours) {
            let raw = raw.replace("\"http://www.w3.org/2000/svg\"", "");
            for bad in [
                "http:",
                "https:",
                "//cdn",
                "url(",
                "@import",
                "fetch(",
                "XMLHttpRequest",
                "import(",
                "src=",
            ] {
                assert!(!raw.contains(bad), "{bad} in <{}>", e.name);
            }
        }
    }
}

#[test]
fn events_page_is_the_csv() {
    let args = events_args();
    let page = page(&args, 0);
    let panels = assert_same_as_csv(&args, &page);
    assert_eq!(panels.len(), 8);
    assert_self_contained(&page);
    // The kinds the page sorts and draws by, from the cells' types.
    assert_eq!(
        panels["events"]["kinds"],
        serde_json::json!(["text", "count", "percent"])
    );
    assert_eq!(panels["events-over-time"]["view"]["type"], "series");
    assert_eq!(panels["events-over-time"]["view"]["bucket"], 3_600_000);
    assert_eq!(
        panels["locations"]["kinds"],
        serde_json::json!(["text", "text", "text", "text", "float", "float", "count"])
    );
    // The characters the script shows as escapes are those the tables escape.
    let elements = parse(&page);
    let ranges = elements
        .iter()
        .find(|e| e.attrs.contains(&("id".to_string(), "unsafe".to_string())))
        .and_then(|e| e.raw.as_ref())
        .expect("the ranges of characters shown as escapes");
    let ranges: Vec<(u32, u32)> = serde_json::from_str(ranges).unwrap();
    let want: Vec<(u32, u32)> = kinesis_insights::text::UNSAFE_RANGES
        .iter()
        .map(|&(lo, hi)| (lo as u32, hi as u32))
        .collect();
    assert_eq!(ranges, want);
    // The map's shapes come with the locations panel, once.
    assert_eq!(page.matches("id=\"world\"").count(), 1);
    assert!(page.contains("<title>Kinesis Events</title>"));
    assert!(
        page.contains("<dt>matched events</dt><dd>1823</dd>"),
        "summary"
    );
    assert!(page.len() < 3 << 20, "{} bytes", page.len());
}

#[test]
fn metrics_page_is_the_csv() {
    let args = metrics_args();
    let page = page(&args, 0);
    let panels = assert_same_as_csv(&args, &page);
    assert_eq!(panels.len(), 10);
    assert_self_contained(&page);
    assert_eq!(panels["incoming-bytes"]["view"]["unit"], "MiB");
    assert_eq!(panels["put-latency"]["view"]["unit"], "ms");
    assert_eq!(panels["get-success"]["view"]["unit"], "ratio");
    assert_eq!(panels["get-success"]["view"]["summary"], "stats");
    // No map without a locations panel.
    assert!(!page.contains("id=\"world\""));
    assert!(page.contains("<title>Kinesis Metrics</title>"));
    assert!(page.len() < 3 << 20, "{} bytes", page.len());
}

#[test]
fn health_page_is_the_csv() {
    // The page draws any dashboard's panels by their shape: health's are tables.
    let args = vec![
        "health".to_string(),
        testdata("metrics/streams").display().to_string(),
        testdata("cloudtrail").display().to_string(),
    ];
    let page = page(&args, 0);
    let panels = assert_same_as_csv(&args, &page);
    assert!(panels.contains_key("findings"), "{:?}", panels.keys());
    assert_self_contained(&page);
    assert!(page.contains("<title>Kinesis Health</title>"));
}

/// Field values a log can carry that would be markup or script in a careless page.
const HOSTILE: &[&str] = &[
    "</script><img src=x onerror=alert(1)>",
    "<!--<script>",
    "a\u{2028}b\u{2029}c",
    "\"'><svg onload=alert(2)>&amp;",
    "</style></title>",
    "\u{1b}[2J\u{9b}31m\u{7f}\u{202e}evil",
    // Characters that show as nothing, two of them past U+FFFF (escaped as surrogate pairs).
    "al\u{200b}ice\u{e0041}\u{1d173}\u{feff}",
];

#[test]
fn hostile_values_stay_text() {
    let dir = tempfile::tempdir().unwrap();
    let records: Vec<String> = HOSTILE
        .iter()
        .map(|h| {
            record(&[
                ("eventTime", "2024-03-09T10:00:00Z"),
                ("eventSource", "kinesis.amazonaws.com"),
                ("eventName", h),
                ("awsRegion", h),
                ("errorCode", h),
                ("errorMessage", h),
                ("sourceIPAddress", h),
            ])
        })
        .collect();
    fs::write(
        dir.path().join("hostile.json"),
        format!("{{\"Records\":[{}]}}", records.join(",")),
    )
    .unwrap();
    // The command line is shown in the page's header: a hostile argument too (a filter that
    // leaves nothing out).
    let args = vec![
        "events".to_string(),
        "--user".into(),
        "!<img src=x onerror=alert(3)>\u{9b}".into(),
        dir.path().display().to_string(),
    ];
    let page = page(&args, 0);
    // Well formed, only our tags, and the data exact (the CSV's, hostile text and all).
    assert_self_contained(&page);
    let panels = assert_same_as_csv(&args, &page);
    let names: Vec<String> = panels["events"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[0].as_str().unwrap().to_string())
        .collect();
    let mut want: Vec<String> = HOSTILE.iter().map(|s| s.to_string()).collect();
    want.sort();
    let mut got = names.clone();
    got.sort();
    assert_eq!(got, want);
    for raw in [
        "<img",
        "<svg",
        "<!--",
        "\u{2028}",
        "\u{2029}",
        "</style></title>",
    ] {
        assert!(!page.contains(raw), "{raw:?} in the page");
    }
    // Nothing that could drive a terminal the page is printed on (the data keeps them as
    // JSON escapes: exact, as compared above).
    let drives = |c: char| {
        (c.is_control() && c != '\n')
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
    };
    assert_eq!(page.chars().find(|&c| drives(c)), None);
    // The header's command line shows the argument's C1 control as a marked escape.
    assert!(
        page.contains("!&lt;img src=x onerror=alert(3)&gt;<span class=\"esc\">\\u{9b}</span>"),
        "{page}"
    );
}

#[test]
fn output_dir_writes_one_page() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    let mut args = metrics_args();
    args.extend([
        "--format".into(),
        "html".into(),
        "--output-dir".into(),
        out.display().to_string(),
    ]);
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let files: Vec<PathBuf> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files, [out.join("metrics.html")]);
    assert!(r.stderr.contains("wrote 1 file to"), "{}", r.stderr);
    let page = fs::read_to_string(&files[0]).unwrap();
    assert_same_as_csv(&metrics_args(), &page);
}

#[test]
fn one_panel_and_an_empty_panel() {
    // --panel narrows the page; a panel without data says so (notes are shown, not on stderr).
    let mut args = events_args();
    args.truncate(1);
    args.extend([
        "--panel".into(),
        "locations".into(),
        "--panel".into(),
        "errors".into(),
    ]);
    args.push(testdata("cloudtrail").display().to_string());
    let mut a = args.clone();
    a.extend(["--format".into(), "html".into()]);
    let r = common::bin()
        .args(&a)
        .env("KINESIS_INSIGHTS_GEOIP", "")
        .output()
        .unwrap();
    let page = String::from_utf8(r.stdout).unwrap();
    let elements = parse(&page);
    let panels = embedded(&elements);
    assert_eq!(panels.keys().collect::<Vec<_>>(), ["errors", "locations"]);
    assert_eq!(panels["locations"]["rows"], serde_json::json!([]));
    assert!(page.contains("<p class=\"note\">"), "the panel's note");
    assert!(
        !String::from_utf8(r.stderr)
            .unwrap()
            .contains("note: locations")
    );
}

// ---- in a browser ----

/// Headless Chromium with no network, profile or first-run work; `args` then `url`.
fn chromium(profile: &Path, args: &[&str], url: &str) -> std::process::Output {
    std::process::Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--virtual-time-budget=10000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .output()
        .expect("chromium runs (tests/e2e.sh installs it)")
}

/// Where the browser tests write pages and screenshots.
fn e2e_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html-e2e");
    fs::create_dir_all(&d).unwrap();
    d
}

/// The DOM of `file` (with `fragment`, `#…` or empty) after its script ran, which must have
/// run to its end with no error and nothing blocked by the policy.
fn dom_of(file: &Path, fragment: &str) -> String {
    let url = format!("file://{}{fragment}", file.display());
    let profile = tempfile::tempdir().unwrap();
    let dom = chromium(
        profile.path(),
        &["--window-size=1400,1000", "--dump-dom"],
        &url,
    );
    let dom = String::from_utf8(dom.stdout).unwrap();
    let root = between(&dom, "<html", ">");
    assert!(
        root.contains("data-ready=\"1\""),
        "the page's script did not finish"
    );
    assert!(
        !root.contains("data-errors"),
        "{}",
        between(&dom, "<pre id=\"errors\" role=\"alert\">", "</pre>")
    );
    dom
}

/// Writes the page of `args` to `name.html`, loads it, and returns the DOM after its script
/// ran; takes light and dark screenshots at 1400 and 400 pixels.
fn in_browser(name: &str, args: &[String]) -> String {
    let dir = e2e_dir();
    let file = dir.join(format!("{name}.html"));
    fs::write(&file, page(args, 0)).unwrap();
    let url = format!("file://{}", file.display());
    let profile = tempfile::tempdir().unwrap();
    for (theme, flag) in [("light", None), ("dark", Some("--force-dark-mode"))] {
        for (w, h) in [(1400, 4000), (400, 6000)] {
            let png = dir.join(format!("{name}-{theme}-{w}.png"));
            let size = format!("--window-size={w},{h}");
            let shot = format!("--screenshot={}", png.display());
            let mut a = vec![size.as_str(), shot.as_str()];
            a.extend(flag);
            chromium(profile.path(), &a, &url);
            assert!(
                fs::metadata(&png).unwrap().len() > 10_000,
                "{}",
                png.display()
            );
        }
    }
    dom_of(&file, "")
}

fn between<'a>(s: &'a str, from: &str, to: &str) -> &'a str {
    let i = s.find(from).map_or(0, |i| i + from.len());
    let j = s[i..].find(to).map_or(s.len(), |j| i + j);
    &s[i..j]
}

/// The panel sections of the DOM, by id.
fn sections(dom: &str) -> BTreeMap<String, String> {
    dom.split("<section ")
        .skip(1)
        .map(|s| {
            let id = between(s, "id=\"panel-", "\"").to_string();
            (id, s[..s.find("</section>").unwrap()].to_string())
        })
        .collect()
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// The rows of the first data table in `section` as the DOM shows them (spacers left out; the
/// text of each cell, its escapes' `<span class="esc">`s taken away).
fn dom_rows(section: &str) -> Vec<Vec<String>> {
    let body = between(
        between(section, "class=\"data\"", "</table>"),
        "<tbody>",
        "</tbody>",
    );
    body.split("<tr>")
        .skip(1)
        .map(|tr| {
            tr[..tr.find("</tr>").unwrap()]
                .split("<td")
                .skip(1)
                .map(|td| {
                    let html = between(td, ">", "</td>")
                        .replace("<span class=\"esc\">", "")
                        .replace("</span>", "");
                    unescape(&html)
                })
                .collect()
        })
        .collect()
}

/// Each table shows the first rows of its CSV, in its order, as the terminal's tables show
/// them (the CSV's text, with control characters and invisible ones as escapes: `sanitize`);
/// a long one only some (virtualised), a short one all.
fn assert_tables_show_csv(dom: &str, csv: &BTreeMap<String, Vec<Vec<String>>>) {
    let sections = sections(dom);
    for (id, rows) in csv {
        let s = &sections[id];
        if rows.len() == 1 {
            assert!(s.contains("No data for this panel."), "{id}");
            continue;
        }
        let shown = dom_rows(s);
        assert!(!shown.is_empty(), "{id}: no rows in the DOM");
        let want: Vec<Vec<String>> = rows[1..=shown.len()]
            .iter()
            .map(|r| r.iter().map(|c| sanitize(c)).collect())
            .collect();
        assert_eq!(shown, want, "{id}");
        if rows.len() - 1 <= 60 {
            assert_eq!(
                shown.len(),
                rows.len() - 1,
                "{id}: every row of a short table"
            );
        } else {
            assert!(shown.len() < 100, "{id}: {} rows in the DOM", shown.len());
        }
    }
}

#[test]
#[ignore = "needs chromium (tests/e2e.sh installs it)"]
fn events_page_in_chromium() {
    let args = events_args();
    let dom = in_browser("events", &args);
    let csv = csv_panels(&args);
    assert_tables_show_csv(&dom, &csv);
    let s = sections(&dom);
    // The map: every country a path named on hover, a bubble per located place.
    let countries = s["locations"].matches("class=\"country").count();
    assert_eq!(countries, 177);
    let located = csv["locations"][1..]
        .iter()
        .filter(|r| !r[4].is_empty() && !r[5].is_empty())
        .count();
    assert_eq!(s["locations"].matches("class=\"bubble\"").count(), located);
    assert!(s["locations"].contains("<title>Sweden: 224</title>"));
    // The donut's legend: the largest ten, then the rest as one, with the CSV's numbers.
    let events = &csv["events"][1..];
    for r in &events[..10] {
        let row = format!(
            "<td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}%</td>",
            r[0], r[1], r[2]
        );
        assert!(s["events"].contains(&row), "{row}");
    }
    assert_eq!(s["events"].matches("class=\"slice\"").count(), 11);
    // One bar per top user, labelled with its count.
    assert_eq!(
        s["top-users"].matches("class=\"bar\"").count(),
        csv["top-users"].len() - 1
    );
    // Over time: one legend entry per event name, a stacked area for each.
    let names: std::collections::BTreeSet<&String> =
        csv["events-over-time"][1..].iter().map(|r| &r[1]).collect();
    assert_eq!(
        s["events-over-time"]
            .matches("aria-pressed=\"true\"")
            .count(),
        names.len()
    );
    assert_eq!(
        s["events-over-time"].matches("class=\"series\"").count(),
        names.len()
    );
}

#[test]
#[ignore = "needs chromium (tests/e2e.sh installs it)"]
fn metrics_page_in_chromium() {
    let args = metrics_args();
    let dom = in_browser("metrics", &args);
    let csv = csv_panels(&args);
    assert_tables_show_csv(&dom, &csv);
    let s = sections(&dom);
    assert_eq!(s.len(), 10);
    let mut gaps = 0;
    for (id, rows) in &csv {
        if rows.len() == 1 {
            continue;
        }
        // One chart per panel, a legend entry per series: its account, region, stream and
        // shard, as the CSV has them.
        assert_eq!(s[id].matches("<svg").count(), 1, "{id}");
        // The account is left out of the names when the panel has one only.
        let accounts: std::collections::BTreeSet<&String> =
            rows[1..].iter().map(|r| &r[1]).collect();
        let first = if accounts.len() == 1 { 2 } else { 1 };
        let mut series: Vec<String> = Vec::new();
        for r in &rows[1..] {
            let key: Vec<&str> = r[first..5]
                .iter()
                .map(String::as_str)
                .filter(|k| !k.is_empty())
                .collect();
            let key = key.join(" / ");
            if !series.contains(&key) {
                series.push(key);
            }
        }
        let legend: Vec<String> = s[id]
            .split("aria-pressed=\"true\">")
            .skip(1)
            .map(|b| unescape(between(b, "</span>", "</button>")))
            .collect();
        assert_eq!(legend, series, "{id}");
        // Gaps: a line runs over consecutive buckets only; a bucket alone is a dot.
        let period: i64 = between(&dom, "<dt>period seconds</dt><dd>", "</dd>")
            .parse()
            .unwrap();
        let mut want: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        let mut last: BTreeMap<String, (i64, usize)> = BTreeMap::new();
        for r in &rows[1..] {
            let key: Vec<&str> = r[first..5]
                .iter()
                .map(String::as_str)
                .filter(|k| !k.is_empty())
                .collect();
            let key = key.join(" / ");
            let t = chrono::DateTime::parse_from_rfc3339(&r[0])
                .unwrap()
                .timestamp();
            let run = match last.get(&key) {
                Some(&(prev, len)) if t - prev == period => len + 1,
                Some(&(_, len)) => {
                    let e = want.entry(key.clone()).or_default();
                    if len == 1 {
                        e.0 += 1
                    } else {
                        e.1 += 1
                    }
                    1
                }
                None => 1,
            };
            last.insert(key, (t, run));
        }
        for (key, (_, len)) in last {
            let e = want.entry(key).or_default();
            if len == 1 { e.0 += 1 } else { e.1 += 1 }
        }
        gaps += want
            .values()
            .map(|(dots, lines)| dots + lines - 1)
            .sum::<usize>();
        let drawn: BTreeMap<String, (usize, usize)> = s[id]
            .split("<g><title>")
            .skip(1)
            .map(|g| {
                let name = unescape(between(g, "", "</title>"));
                let g = &g[..g.find("</g>").unwrap()];
                let dots = g.matches("<circle").count();
                let lines = match g.find("<path") {
                    Some(i) => between(&g[i..], " d=\"", "\"").matches('M').count(),
                    None => 0,
                };
                (name, (dots, lines))
            })
            .collect();
        assert_eq!(drawn, want, "{id}");
    }
    assert!(gaps > 0, "the sample has gaps");
}

#[test]
#[ignore = "needs chromium (tests/e2e.sh installs it)"]
fn big_tables_sort_and_filter_in_chromium() {
    // 50,000 users, one call each and a second for the first 5,000: by-user has 50,000 rows.
    let dir = tempfile::tempdir().unwrap();
    let records: Vec<String> = (0..55_000u32)
        .map(|i| {
            let rec = record(&[
                ("eventTime", "2024-03-09T10:00:00Z"),
                ("eventSource", "kinesis.amazonaws.com"),
                ("eventName", "PutRecord"),
                ("awsRegion", "us-east-1"),
                ("sourceIPAddress", "10.0.0.1"),
            ]);
            let user = format!(
                r#","userIdentity":{{"type":"IAMUser","userName":"user-{:05}"}}}}"#,
                i % 50_000
            );
            format!("{}{user}", rec.strip_suffix('}').unwrap())
        })
        .collect();
    fs::write(
        dir.path().join("big.json"),
        format!("{{\"Records\":[{}]}}", records.join(",")),
    )
    .unwrap();
    let args = vec![
        "events".to_string(),
        "--panel".into(),
        "by-user".into(),
        "--panel".into(),
        "events".into(),
        dir.path().display().to_string(),
    ];
    let file = e2e_dir().join("big.html");
    fs::write(&file, page(&args, 0)).unwrap();
    let csv = csv_panels(&args);
    let rows = &csv["by-user"][1..];
    assert_eq!(rows.len(), 50_000);
    // As written: the CSV's first rows, and only a screenful of them in the DOM.
    let dom = dom_of(&file, "");
    assert_tables_show_csv(&dom, &csv);
    // Sorted by count ascending (ties in their CSV order), by user descending, and filtered.
    let mut by_count: Vec<&Vec<String>> = rows.iter().collect();
    by_count.sort_by_key(|r| r[2].parse::<u64>().unwrap());
    let mut by_user: Vec<&Vec<String>> = rows.iter().collect();
    by_user.sort_by(|a, b| b[0].cmp(&a[0]));
    let filtered: Vec<&Vec<String>> = rows.iter().filter(|r| r[0].contains("user-0420")).collect();
    assert_eq!(filtered.len(), 10);
    for (fragment, want) in [
        ("#sort=by-user:count:asc", &by_count),
        ("#sort=by-user:user:desc", &by_user),
        ("#filter=by-user:USER-0420", &filtered),
    ] {
        let dom = dom_of(&file, fragment);
        let shown = dom_rows(&sections(&dom)["by-user"]);
        assert!(
            !shown.is_empty() && shown.len() < 100,
            "{fragment}: {}",
            shown.len()
        );
        let want: Vec<Vec<String>> = want[..shown.len().min(want.len())]
            .iter()
            .map(|r| r.to_vec())
            .collect();
        assert_eq!(shown, want, "{fragment}");
        if fragment.starts_with("#filter") {
            assert!(dom.contains("10 of 50000 rows"));
            assert_eq!(shown.len(), 10);
        }
    }
}

/// Health's write use is a heat map: a cell per row of the write-use CSV, coloured by its
/// value, and a mark on the time axis for each capacity change of the changes CSV inside the
/// map's time range (the reshard scenario: a stream resharded four times while written to).
#[test]
#[ignore = "needs chromium (tests/e2e.sh installs it)"]
fn health_write_use_heat_map_in_chromium() {
    let args = vec![
        "health".to_string(),
        testdata("health/reshard").display().to_string(),
    ];
    let dom = in_browser("health", &args);
    let csv = csv_panels(&args);
    assert_tables_show_csv(&dom, &csv);
    let s = sections(&dom);
    let map = &s["write-use"];
    assert!(map.contains("class=\"heatmap\""), "no heat map");
    let cells = between(map, "class=\"cells\"", "</g>");
    let use_rows = &csv["write-use"][1..];
    assert!(use_rows.len() > 10, "{}", use_rows.len());
    assert_eq!(cells.matches("<rect").count(), use_rows.len());
    // Every cell's title is its series, its bucket and the CSV's value.
    for r in use_rows {
        let title = format!("{}: {}%</title>", r[0], r[5]);
        assert!(cells.contains(&title), "{title}");
    }
    // Changes inside the map's range [first bucket, last bucket + period] are marked.
    let t = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp();
    let first = use_rows.iter().map(|r| t(&r[0])).min().unwrap();
    let last = use_rows.iter().map(|r| t(&r[0])).max().unwrap();
    let period = 60;
    let inside: Vec<&Vec<String>> = csv["changes"][1..]
        .iter()
        .filter(|r| (first..=last + period).contains(&t(&r[0])))
        .collect();
    assert!(!inside.is_empty() && inside.len() < csv["changes"].len() - 1);
    let marks = between(map, "class=\"changes\"", "</svg>");
    assert_eq!(
        marks.matches("class=\"change\"").count(),
        inside.len(),
        "{marks}"
    );
    for r in inside {
        assert!(
            marks.contains(&format!("<title>{} {}", r[0], r[4])),
            "{r:?}"
        );
    }
}

/// What the page's tables and bar chart show of `file` (loaded with `fragment`) once its
/// script ran, read in the browser: a test page of ours (no policy) holds the page in a frame
/// (`--allow-file-access-from-files` lets it read a `file://` frame) and writes, per panel,
/// each table cell's `innerText` with the texts of its `.esc` spans, and each bar label's text
/// with its `.esc` tspans' and the bar's `<title>`, as JSON; plus the page body's `innerText`.
fn rendered_text(file: &Path, fragment: &str) -> serde_json::Value {
    let v = probe(
        file,
        fragment,
        1400,
        r#"out.errors = d.getElementById("errors").textContent; out.body = d.body.innerText; out.panels = {};
  var esc = function (e) { return Array.from(e.querySelectorAll(".esc")).map(function (s) { return s.textContent; }); };
  d.querySelectorAll("section.panel").forEach(function (s) {
    out.panels[s.id.slice(6)] = {
      cells: Array.from(s.querySelectorAll("table.data tbody tr:not(.spacer)")).map(function (tr) {
        return Array.from(tr.cells).map(function (td) { return [td.innerText, esc(td)]; });
      }),
      bars: Array.from(s.querySelectorAll("g.bar")).map(function (g) {
        var t = g.querySelector("text");
        return [t.textContent, esc(t), g.querySelector("title").textContent];
      })
    };
  });"#,
    );
    assert_eq!(v["errors"], "");
    v
}

/// Loads `file` (with `fragment`) in a frame `frame_width` pixels wide of a test page of ours
/// (no policy; `--allow-file-access-from-files` lets it read a `file://` frame) and runs `body`
/// once the frame has loaded, with the frame's document as `d`; `body` adds what it reads to
/// `out`, which the page writes as JSON and this returns (the page's script must have finished:
/// `out.ready`).
fn probe(file: &Path, fragment: &str, frame_width: u32, body: &str) -> serde_json::Value {
    let name = file.file_name().unwrap().to_str().unwrap();
    let probe = file.with_file_name(format!("probe-{frame_width}-{name}"));
    fs::write(
        &probe,
        format!(
            r#"<!DOCTYPE html><meta charset="utf-8"><iframe id="f" src="{name}{fragment}" style="width:{frame_width}px;height:1000px"></iframe><pre id="out"></pre>
<script>
var f = document.getElementById("f");
f.addEventListener("load", function () {{
  var d = f.contentDocument, out = {{ ready: d.documentElement.getAttribute("data-ready") }};
  {body}
  document.getElementById("out").textContent = JSON.stringify(out);
}});
</script>"#
        ),
    )
    .unwrap();
    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}", probe.display());
    let dom = chromium(
        profile.path(),
        &[
            "--window-size=1400,1000",
            "--allow-file-access-from-files",
            "--dump-dom",
        ],
        &url,
    );
    let dom = String::from_utf8(dom.stdout).unwrap();
    let json = unescape(between(&dom, "<pre id=\"out\">", "</pre>"));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {dom}"));
    assert_eq!(v["ready"], "1", "the page's script did not finish");
    v
}

/// Users whose names differ only by characters that show as nothing, and a bidirectional
/// override in an error message (and in the user agent, which no panel shows), are shown in
/// the page's tables and bars as the terminal's tables show them: visible escapes, each in a
/// `.esc` span, so no two users look alike and nothing is reordered; an escape typed into a
/// name shows with its backslash doubled. Filtering reads the exact data.
#[test]
#[ignore = "needs chromium (tests/e2e.sh installs it)"]
fn invisible_characters_show_as_escapes_in_chromium() {
    // (user, error message, what a cell shows of the user, written by hand, and its escapes).
    let users: &[(&str, &str, &str, &[&str])] = &[
        ("alice", "", "alice", &[]),
        ("al\u{200b}ice", "", r"al\u{200b}ice", &[r"\u{200b}"]),
        ("alice\u{2060}", "", r"alice\u{2060}", &[r"\u{2060}"]),
        ("\u{feff}alice", "", r"\u{feff}alice", &[r"\u{feff}"]),
        ("alice\u{ad}", "", r"alice\u{ad}", &[r"\u{ad}"]),
        (r"al\u{200b}ice", "", r"al\\u{200b}ice", &[r"\\"]),
        ("mallory", "denied for \u{202e}exe.txt", "mallory", &[]),
    ];
    let records: Vec<String> = users
        .iter()
        .map(|(user, message, _, _)| {
            let mut fields = vec![
                ("eventTime", "2024-03-09T10:00:00Z"),
                ("eventSource", "kinesis.amazonaws.com"),
                ("eventName", "PutRecord"),
                ("awsRegion", "us-east-1"),
                ("sourceIPAddress", "10.0.0.1"),
                ("userAgent", "\u{202e}1.2/ilc-swa"),
            ];
            if !message.is_empty() {
                fields.extend([("errorCode", "AccessDenied"), ("errorMessage", *message)]);
            }
            let rec = record(&fields);
            let identity = serde_json::json!({"type": "IAMUser", "userName": user});
            format!(
                r#"{},"userIdentity":{identity}}}"#,
                rec.strip_suffix('}').unwrap()
            )
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("lookalikes.json"),
        format!("{{\"Records\":[{}]}}", records.join(",")),
    )
    .unwrap();
    let args = vec![
        "events".to_string(),
        "--panel".into(),
        "by-user".into(),
        "--panel".into(),
        "top-users".into(),
        "--panel".into(),
        "errors".into(),
        dir.path().display().to_string(),
    ];
    let file = e2e_dir().join("lookalikes.html");
    fs::write(&file, page(&args, 0)).unwrap();
    let v = rendered_text(&file, "");
    let panels = &v["panels"];
    let cell = |id: &str, row: &serde_json::Value, col: usize| -> (String, Vec<String>) {
        serde_json::from_value(row[col].clone()).unwrap_or_else(|e| panic!("{id}: {e}"))
    };
    // by-user: one row per user (all count 1: sorted by name, as the CSV).
    let csv = csv_panels(&args);
    let rows = panels["by-user"]["cells"].as_array().unwrap();
    assert_eq!(rows.len(), users.len());
    let mut shown = Vec::new();
    for (r, csv_row) in rows.iter().zip(&csv["by-user"][1..]) {
        let (text, escapes) = cell("by-user", r, 0);
        let &(_, _, want, want_esc) = users
            .iter()
            .find(|u| u.0 == csv_row[0])
            .expect("a user of the fixture");
        assert_eq!(text, want, "{:?}", csv_row[0]);
        assert_eq!(escapes, want_esc, "{want}");
        shown.push(text);
    }
    let distinct: std::collections::BTreeSet<&String> = shown.iter().collect();
    assert_eq!(distinct.len(), users.len(), "{shown:?}");
    // The bars of top users show the same; their titles too (as plain text).
    let bars = panels["top-users"]["bars"].as_array().unwrap();
    assert_eq!(bars.len(), users.len());
    for b in bars {
        let (label, escapes, title): (String, Vec<String>, String) =
            serde_json::from_value(b.clone()).unwrap();
        let &(_, _, want, want_esc) = users
            .iter()
            .find(|u| u.2 == label)
            .unwrap_or_else(|| panic!("bar label {label:?}"));
        assert_eq!(escapes, want_esc, "{want}");
        assert_eq!(title, format!("{want}: 1"));
    }
    // The error message with its override, escaped, in the errors table.
    let errors = panels["errors"]["cells"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(
        cell("errors", &errors[0], 1),
        (
            r"denied for \u{202e}exe.txt".to_string(),
            vec![r"\u{202e}".to_string()]
        )
    );
    // Nothing on the page is a control character, an override or invisible.
    let body = v["body"].as_str().unwrap();
    assert!(body.contains(r"al\u{200b}ice"), "{body}");
    let hidden: Vec<char> = body
        .chars()
        .filter(|&c| c != '\n' && c != '\t' && kinesis_insights::text::is_unsafe(c))
        .collect();
    assert_eq!(hidden, [], "{body}");
    // A filter reads the exact data: `alice` finds the four names with it whole, not the ones
    // it is cut by a zero-width space or a typed escape in; the zero-width space finds one.
    for (fragment, want) in [
        ("#filter=by-user:alice", 4),
        ("#filter=by-user:al%E2%80%8Bice", 1),
    ] {
        let v = rendered_text(&file, fragment);
        let rows = v["panels"]["by-user"]["cells"].as_array().unwrap();
        assert_eq!(rows.len(), want, "{fragment}: {rows:?}");
    }
}

/// A run whose events fall in one bucket of one event name: the captions and the data toggle
/// say "1 row" (not "1 rows"), and the over-time chart's area spans the whole bucket, from the
/// plot's left edge to its right one, instead of a line of no width at the bucket's middle.
#[test]
#[ignore = "needs chromium (tests/e2e.sh installs it)"]
fn one_bucket_page_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let records: Vec<String> = (0..3)
        .map(|i| {
            let time = format!("2024-03-09T10:{:02}:00Z", i * 10);
            record(&[
                ("eventTime", time.as_str()),
                ("eventSource", "kinesis.amazonaws.com"),
                ("eventName", "PutRecord"),
                ("awsRegion", "us-east-1"),
                ("sourceIPAddress", "10.0.0.1"),
            ])
        })
        .collect();
    fs::write(
        dir.path().join("one.json"),
        format!("{{\"Records\":[{}]}}", records.join(",")),
    )
    .unwrap();
    let args = vec![
        "events".to_string(),
        "--bucket".into(),
        "1h".into(),
        dir.path().display().to_string(),
    ];
    let csv = csv_panels(&args);
    assert_eq!(csv["events"].len(), 2, "one event name");
    assert_eq!(csv["events-over-time"].len(), 2, "one bucket");
    let dom = in_browser("one-bucket", &args);
    let s = sections(&dom);
    assert!(s["events"].contains("Events: 1 row (select a heading to sort)"));
    let chart = &s["events-over-time"];
    assert!(chart.contains("Data: 1 row<"), "{chart}");
    assert!(!chart.contains("1 rows"), "{chart}");
    // The area's corners: x from the plot's left edge (the y axis, at x = 60) to its right
    // edge, 14 pixels inside the chart's width.
    let area = chart
        .split("<path ")
        .find(|p| between(p, "", ">").contains("class=\"series\""))
        .expect("an area");
    let d = between(area, "d=\"M", "\"");
    let xs: Vec<f64> = d
        .trim_end_matches('Z')
        .split('L')
        .map(|p| p.split(',').next().unwrap().parse().unwrap())
        .collect();
    let (lo, hi) = xs
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)));
    let width: f64 = between(between(chart, "viewBox=\"0 0 ", "\""), "", " ")
        .parse()
        .unwrap();
    assert_eq!(lo, 60.0, "{d}");
    assert_eq!(hi, width - 14.0, "{d}");
}

/// The texts of `file`'s charts drawn (in a frame `frame_width` pixels wide) outside their
/// chart, left or right of its view box, and the y axes' tick labels reaching into the axis
/// title where there is one (drawn from x 6 to 18), as `panel: text`; measured in the browser with
/// `getBBox` (see [`probe`]).
fn texts_outside(file: &Path, frame_width: u32) -> Vec<String> {
    let v = probe(
        file,
        "",
        frame_width,
        r#"out.outside = [];
  d.querySelectorAll("section.panel").forEach(function (s) {
    s.querySelectorAll("figure svg[viewBox]").forEach(function (svg) {
      var w = svg.viewBox.baseVal.width, titled = !!svg.querySelector("text[transform]");
      svg.querySelectorAll("text").forEach(function (t) {
        if (t.getAttribute("transform")) return;
        var b = t.getBBox(), yLabel = titled && t.getAttribute("text-anchor") === "end" && t.classList.contains("tick") && +t.getAttribute("x") < w / 2;
        if (b.x < (yLabel ? 18 : 0) || b.x + b.width > w + 0.5) out.outside.push(s.id.slice(6) + ": " + t.firstChild.textContent);
      });
    });
  });"#,
    );
    serde_json::from_value(v["outside"].clone()).unwrap()
}

/// Chart labels stay inside their charts: an iterator age of 50,400,000 ms (ten characters
/// as written out) on a y axis, and a write-use heat map whose rows are named by account,
/// region, stream and shard (55 characters); at 1400 and 400 pixels. The heat map says the
/// keys every row shares once above it, and names each row by the rest.
#[test]
#[ignore = "needs chromium (tests/e2e.sh installs it)"]
fn chart_labels_stay_inside_in_chromium() {
    let pages = [
        (
            "labels-age",
            vec![
                "metrics".to_string(),
                "--panel".into(),
                "iterator-age".into(),
                testdata("health/old-iterator/metrics")
                    .display()
                    .to_string(),
            ],
        ),
        (
            "labels-heat",
            vec![
                "health".to_string(),
                "--panel".into(),
                "write-use".into(),
                testdata("health/hot-shard").display().to_string(),
            ],
        ),
    ];
    for (name, args) in &pages {
        let file = e2e_dir().join(format!("{name}.html"));
        fs::write(&file, page(args, 0)).unwrap();
        for w in [1400, 400] {
            assert_eq!(
                texts_outside(&file, w),
                Vec::<String>::new(),
                "{name} at {w}"
            );
        }
    }
    // The heat map's rows: one account, region and stream, said once; the rows by shard.
    let csv = csv_panels(&pages[1].1);
    let rows = &csv["write-use"][1..];
    let shards: std::collections::BTreeSet<&String> = rows.iter().map(|r| &r[4]).collect();
    assert!(shards.len() > 1);
    let dom = dom_of(&e2e_dir().join("labels-heat.html"), "");
    let map = &sections(&dom)["write-use"];
    let common = format!(
        "Every row: account <b>{}</b>, region <b>{}</b>, stream <b>{}</b>",
        rows[0][1], rows[0][2], rows[0][3]
    );
    assert!(map.contains(&common), "{map}");
    for shard in shards {
        let full = format!("{} / {} / {} / {shard}", rows[0][1], rows[0][2], rows[0][3]);
        assert!(
            map.contains(&format!(">{shard}<title>{full}</title></text>")),
            "{shard}: {map}"
        );
    }
}

/// The header lists the summary's entries that have a value: the window with its bounds when
/// one is given, nothing for an open bound or a database not found (JSON has `null` there).
#[test]
fn header_leaves_out_entries_without_a_value() {
    let dir = testdata("cloudtrail").display().to_string();
    let args = |extra: &[&str]| {
        let mut a: Vec<String> = vec!["events".into(), "-q".into()];
        a.extend(extra.iter().map(|s| s.to_string()));
        a.push(dir.clone());
        a
    };
    let open = page(&args(&[]), 0);
    assert!(!open.contains("<dd></dd>"), "an empty entry");
    assert!(!open.contains("<dt>window since</dt>"));
    let bounded = page(&args(&["--since", "2024-03-09T00:00:00Z"]), 0);
    assert!(bounded.contains("<dt>window since</dt><dd>2024-03-09T00:00:00Z</dd>"));
    assert!(!bounded.contains("<dt>window until</dt>"));
}
