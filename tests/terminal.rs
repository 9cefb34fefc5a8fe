//! What a reader of the terminal sees: text escaped once, tables that never split a token,
//! sparklines within their column, titles within the width.

mod common;

use common::run;

/// A file name with a backslash is shown with it doubled once (`a\\b.json`), not twice.
#[test]
fn names_are_escaped_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a\\b.json"), b"{\"Records\": [1, 2]}").unwrap();
    let r = run(&["events".as_ref(), "-q".as_ref(), dir.path().as_os_str()]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let line = r
        .stderr
        .lines()
        .find(|l| l.contains("b.json"))
        .unwrap_or_else(|| panic!("{}", r.stderr));
    assert!(line.contains("/a\\\\b.json: "), "{line}");
    assert!(!line.contains("a\\\\\\\\b"), "{line}");
}
