//! What differs between the engines: where the records come from and how each reads a field,
//! and the handful of functions whose names or semantics differ. Everything else in the
//! generated script is shared SQL, written once in [`super`].

use crate::cloudtrail::Field;
use crate::window::Window;

/// The characters Rust's `str::trim` removes (Unicode `White_Space`), which the CLI trims
/// every field of: tab to carriage return, space, NEL, no-break space, Ogham space, the
/// spaces U+2000 to U+200A, line and paragraph separators, narrow no-break, medium
/// mathematical and ideographic spaces.
pub const WHITESPACE: [u32; 25] = [
    0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004,
    0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
];

/// One engine's SQL.
pub trait Dialect {
    /// The engine's name, as `--engine` takes it.
    fn name(&self) -> &'static str;

    /// Statements (each without its `;`) that make the raw records readable, with comments
    /// (lines starting `-- `) before them; empty when the source already exists.
    fn setup(&self) -> Vec<String>;

    /// Where this engine cannot follow one of the CLI's rules, one comment line each.
    fn caveats(&self) -> Vec<&'static str> {
        vec![]
    }

    /// The relation the records are read from.
    fn source(&self) -> String;

    /// The text of field `f` of a record of [`Dialect::source`], untrimmed; NULL when absent.
    fn field(&self, f: Field) -> String;

    /// The path of the file a record of [`Dialect::source`] was read from (for the account
    /// in its S3 key).
    fn file_path(&self) -> String;

    /// A condition on [`Dialect::source`] that prunes what the window cannot need (partitions),
    /// or None.
    fn prune(&self, _window: &Window) -> Option<String> {
        None
    }

    /// `CREATE ... VIEW name AS` for this engine.
    fn create_view(&self, name: &str) -> String;

    /// A string literal.
    fn string(&self, s: &str) -> String {
        format!("'{}'", s.replace('\'', "''"))
    }

    /// An expression of the characters in [`WHITESPACE`] (for [`Dialect::trim`]).
    fn whitespace(&self) -> String;

    /// `x` without leading and trailing [`WHITESPACE`], given as the column `ws`.
    fn trim(&self, x: &str) -> String;

    /// True when `re` matches somewhere in `x`.
    fn matches(&self, x: &str, re: &str) -> String;

    /// Group `group` of the first match of `re` in `x` (empty or NULL when none).
    fn extract(&self, x: &str, re: &str, group: u32) -> String;

    /// What follows the last `delim` in `x` (all of `x` when there is none).
    fn after_last(&self, x: &str, delim: &str) -> String;

    /// What precedes the first `delim` in `x` (all of `x` when there is none).
    fn before_first(&self, x: &str, delim: &str) -> String;

    /// Integer division of two integers, truncated.
    fn div(&self, a: &str, b: &str) -> String;

    /// `x` (digits) as an integer, NULL when it is not one.
    fn to_int(&self, x: &str) -> String;

    /// Days from 1970-01-01 to the date `x` (`YYYY-MM-DD`), NULL when it is no date.
    fn epoch_days(&self, x: &str) -> String;

    /// Milliseconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
    fn format_time(&self, ms: &str) -> String;

    /// `SELECT <rel's columns>, i FROM rel` with one row for each `i` from 0 to `n - 1`, where
    /// `n` is a column of `rel` (at most 100,000).
    fn series(&self, rel: &str, n: &str) -> String;

    /// An expression that fails the query with `message`, of type BIGINT.
    fn fail(&self, message: &str) -> String;
}

/// Chains `parts` with `||`.
pub fn concat(parts: &[String]) -> String {
    parts.join(" || ")
}
