//! Reading a text that holds one or more top-level JSON values (a document, JSON lines, objects
//! concatenated without separators), with recovery: after a syntax error, reading resumes at the
//! next line that starts with `{` (or a `}{` of values concatenated on one line), so one bad line
//! costs one value, not the file. A caller that reads arrays of records can do better: after a
//! break inside one it reads on from the next record ([`resync`], [`ReadOn`]), so the break costs
//! the damaged record only. Used by every JSON input format; what a value means is the caller's
//! business.
//!
//! A line cut short where a value was expected (`{"type": ` then the newline) does not break
//! where it ends: serde_json reads the next line's object as the missing value and breaks only
//! at the token after it. When that line is one whole value starting with `{` in its first
//! column and the caller kept nothing of the broken value ([`Broken::kept`]), that line is read
//! again as the value it is, not lost with the cut one (see `swallowed_line`).

use std::fmt;

use serde::Deserialize as _;
use serde_json::de::StrRead;

/// A serde_json deserializer over a slice of the input text. The text is valid UTF-8 already
/// (checked once per file, fast), so serde_json does not check every string again.
pub type TextDeserializer<'de> = serde_json::Deserializer<StrRead<'de>>;

/// A place where the JSON could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    /// 1-based line of the error in the decoded text.
    pub line: usize,
    /// 1-based column (byte) of the error.
    pub column: usize,
    /// What serde_json said, or our own description.
    pub message: String,
    /// True when the text ends in the middle of a value (a truncated file).
    pub truncated: bool,
    /// The record the place is in, when it is in an array of records: the array's key (`""`
    /// for a top-level array) and the record's index there, as a jq path says it
    /// (`.Records[11]`).
    pub index: Option<(&'static str, u64)>,
}

/// A place in a file's text as every reader's warnings say it: `line 3` at a line's start,
/// else `line 1, column 301`, then the record's jq path when it is in an array of records
/// (`.Records[41]`, `[41]` in a top-level array) with `rest` after it (`.Timestamps[7]`).
pub fn place_words(line: usize, column: usize, index: Option<(&str, u64)>, rest: &str) -> String {
    let mut s = if column == 1 && index.is_none() {
        format!("line {line}")
    } else {
        format!("line {line}, column {column}")
    };
    match index {
        Some(("", i)) => s.push_str(&format!(", [{i}]{rest}")),
        Some((key, i)) => s.push_str(&format!(", .{key}[{i}]{rest}")),
        None => {}
    }
    s
}

impl Damage {
    /// The place as words ([`place_words`]), the column said even at a line's start: a break
    /// there is worth pointing at.
    fn place(&self) -> String {
        if self.column == 1 && self.index.is_none() {
            format!("line {}, column 1", self.line)
        } else {
            place_words(self.line, self.column, self.index, "")
        }
    }
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self.truncated {
            write!(f, "JSON ends in the middle of a value ({})", self.place())
        } else {
            write!(f, "invalid JSON at {}: {}", self.place(), self.message)
        }
    }
}

/// A top-level value that could not be read: serde_json's error, and whether the caller kept
/// anything of it before the break (records of an envelope passed on as they were read). Only a
/// value of which nothing was kept may be read again in part: its lines after the first are
/// then tried as values of their own (see the module's documentation).
#[derive(Debug)]
pub struct Broken {
    pub error: serde_json::Error,
    pub kept: bool,
    /// The record the break is in, in an array of records (see [`Damage::index`]).
    pub index: Option<(&'static str, u64)>,
    /// What the caller read of the value after the break, from a place where reading could
    /// resume (see [`resync`]); `None`: it read nothing after it.
    pub read_on: Option<ReadOn>,
}

impl Broken {
    /// A break of which the caller read nothing after it.
    pub fn new(error: serde_json::Error, kept: bool) -> Self {
        Broken {
            error,
            kept,
            index: None,
            read_on: None,
        }
    }
}

impl From<serde_json::Error> for Broken {
    /// A break after which nothing of the value is read again: what the caller kept of it is
    /// not known.
    fn from(error: serde_json::Error) -> Self {
        Broken::new(error, true)
    }
}

/// A record's place in an array of records: the array's key (`""`: a top-level array) and the
/// index (see [`Damage::index`]).
pub type RecordPath = Option<(&'static str, u64)>;

/// What a caller read of a broken value after the break: the value's records after it, read
/// one by one from the next place a record starts.
#[derive(Debug, Default)]
pub struct ReadOn {
    /// Where reading went on after the break (`None`: nowhere, the rest of the value up to
    /// `end` is unread).
    pub resumed: Option<usize>,
    /// The break is a comma missing between two records, and reading went on from the second:
    /// no record was lost there ([`MISSING_COMMA`]).
    pub intact: bool,
    /// Where the value (or what could be read of it) ends: top-level values are read on from
    /// there.
    pub end: usize,
    /// Places broken again after the break, in order: the offset, the message, whether the
    /// text ends there, the record.
    pub more: Vec<(usize, String, bool, RecordPath)>,
}

/// Said after the message of a break that is a comma missing between two records of an array
/// where reading went on from the second: it cost no record.
pub const MISSING_COMMA: &str = " (a comma missing between two records; both read)";

/// What reading the values found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ValueStream {
    /// Nothing but whitespace.
    pub empty: bool,
    /// Values read to their end.
    pub values: u32,
    /// Places where the JSON is broken; each cost at least one value.
    pub damage: Vec<Damage>,
}

/// Calls `each` with a deserializer positioned at every top-level value of `buf`, in order.
/// `each` must read exactly one value. Whitespace and commas between values are skipped, as is
/// a UTF-8 byte order mark. Text that does not start with `{` or `[` is reported as not JSON.
pub fn for_each_value<'de>(
    text: &'de str,
    each: impl FnMut(&mut TextDeserializer<'de>) -> Result<(), serde_json::Error>,
) -> ValueStream {
    for_each_value_from(text, 0, each)
}

/// [`for_each_value`] from offset `start` of `text`, which must be 0 or the end of a top-level
/// value (where a fast path that read the values before it handed over): what follows is read
/// as [`for_each_value`] reads what follows that value, and lines are counted from the start of
/// `text`.
pub fn for_each_value_from<'de>(
    text: &'de str,
    start: usize,
    mut each: impl FnMut(&mut TextDeserializer<'de>) -> Result<(), serde_json::Error>,
) -> ValueStream {
    for_each_value_in(text, start, start > 0, |de, _| {
        each(de).map_err(Broken::from)
    })
}

/// [`for_each_value`], also telling `each` the byte offset in `text` where its value starts
/// (so a reader can say where something it skipped was).
pub fn for_each_value_at<'de>(
    text: &'de str,
    mut each: impl FnMut(&mut TextDeserializer<'de>, usize) -> Result<(), serde_json::Error>,
) -> ValueStream {
    for_each_value_in(text, 0, false, |de, at| each(de, at).map_err(Broken::from))
}

/// The general form: the values of `text` from `start`, where `continued` says that what is
/// there follows a top-level value (`start > 0`, or a text that is a piece of a big file cut
/// after a value, see [`crate::input::chunk`]): then, as after a value in one text, commas are
/// separators, blanks do not make it empty, and text that is not JSON is damage at its place,
/// not a file that is not JSON. `each` says, with a value it could not read, whether it kept
/// anything of it ([`Broken`]).
pub fn for_each_value_in<'de>(
    text: &'de str,
    start: usize,
    continued: bool,
    mut each: impl FnMut(&mut TextDeserializer<'de>, usize) -> Result<(), Broken>,
) -> ValueStream {
    let buf = text.as_bytes();
    let mut out = ValueStream::default();
    let mut pos = if continued {
        skip_separators_after(buf, start)
    } else {
        skip_separators(buf, start, false)
    };
    let mut lines = LineCursor::default();
    if continued {
        // Not the start of the text: neither empty nor "not JSON".
    } else if pos == buf.len() {
        out.empty = true;
        return out;
    } else if !matches!(buf[pos], b'{' | b'[') {
        let (line, column) = lines.locate(buf, pos);
        out.damage.push(Damage {
            line,
            column,
            message: "not JSON (expected '{' or '[')".into(),
            truncated: false,
            index: None,
        });
        return out;
    }
    while pos < buf.len() {
        // Every position here starts a value or a line, so it is a character boundary.
        let Some(rest) = text.get(pos..) else { break };
        let mut de = serde_json::Deserializer::from_str(rest);
        match each(&mut de, pos) {
            Ok(()) => {
                out.values += 1;
                match de.end() {
                    Ok(()) => break,
                    Err(e) => {
                        // Trailing text: another top-level value (JSON lines, concatenated).
                        let at = pos + offset_of(&buf[pos..], e.line(), e.column());
                        pos = skip_separators(buf, at, true);
                    }
                }
            }
            Err(Broken {
                error: e,
                kept,
                index,
                read_on,
            }) => {
                let at = pos + offset_of(&buf[pos..], e.line(), e.column());
                // The caller read on inside the value, from the next record after the break.
                if let Some(read_on) = read_on.filter(|_| !e.is_eof()) {
                    let (line, column) = lines.locate(buf, at);
                    let mut message = strip_position(&e);
                    if read_on.intact {
                        message.push_str(MISSING_COMMA);
                    }
                    out.damage.push(Damage {
                        line,
                        column,
                        message,
                        truncated: false,
                        index,
                    });
                    for (at, message, truncated, index) in read_on.more {
                        let (line, column) = lines.locate(buf, at);
                        out.damage.push(Damage {
                            line,
                            column,
                            message,
                            truncated,
                            index,
                        });
                    }
                    pos = skip_separators(buf, read_on.end, true);
                    continue;
                }
                // A line cut short whose value serde_json completed with the line after it:
                // the break is at the end of the cut line, and reading resumes after it.
                if let Some(next) = (!kept)
                    // At the end of the text, serde_json names the last byte it read.
                    .then(|| swallowed_line(text, pos, if e.is_eof() { buf.len() } else { at }))
                    .flatten()
                {
                    // Each line the value took in before the one read again that starts with
                    // `{` in its first column (and the value's own first line) was a value of
                    // its own, cut: two cut lines in a row are two damaged places.
                    let mut start = pos;
                    while start < next {
                        let end = start
                            + memchr::memchr(b'\n', &buf[start..next]).unwrap_or(next - start);
                        if start == pos || buf[start] == b'{' {
                            let (line, column) = lines.locate(buf, line_end(buf, end + 1));
                            out.damage.push(Damage {
                                line,
                                column,
                                message:
                                    "the line ends inside a value (the next line starts another)"
                                        .into(),
                                truncated: false,
                                index,
                            });
                        }
                        start = end + 1;
                    }
                    pos = next;
                    continue;
                }
                let (line, column) = lines.locate(buf, at);
                let truncated = e.is_eof();
                out.damage.push(Damage {
                    line,
                    column,
                    message: strip_position(&e),
                    truncated,
                    index,
                });
                if truncated {
                    break;
                }
                // Where the error is at a line that starts with `{` (the line before left a
                // value open), that line is the next value: a bad line costs only itself.
                if at > pos && line_starts_object_at(buf, at) {
                    pos = at;
                    continue;
                }
                match next_value_start(buf, at) {
                    Some(next) => pos = next,
                    None => break,
                }
            }
        }
    }
    out
}

/// Places with broken JSON shown one warning each before the rest are summed up.
const DAMAGE_SHOWN: usize = 3;

/// Warning lines for the damaged places of one file: the first few, then how many more
/// (`unshown`: places counted beyond those in `damage`).
pub fn describe_damage(damage: &[Damage], unshown: u64) -> Vec<String> {
    let mut out: Vec<String> = damage
        .iter()
        .take(DAMAGE_SHOWN)
        .map(ToString::to_string)
        .collect();
    let more = damage.len().saturating_sub(DAMAGE_SHOWN) as u64 + unshown;
    if more > 0 {
        out.push(format!(
            "{more} more place{} with invalid JSON",
            crate::text::plural(more)
        ));
    }
    out
}

/// Blanks and commas from `i`, where a value ended (no byte order mark here).
fn skip_separators_after(buf: &[u8], mut i: usize) -> usize {
    while i < buf.len() && (buf[i].is_ascii_whitespace() || buf[i] == b',') {
        i += 1;
    }
    i
}

fn skip_separators(buf: &[u8], mut i: usize, commas: bool) -> usize {
    if i == 0 && buf.starts_with(b"\xEF\xBB\xBF") {
        i = 3;
    }
    while i < buf.len() && (buf[i].is_ascii_whitespace() || (commas && buf[i] == b',')) {
        i += 1;
    }
    i
}

/// Byte offset of a serde_json (line, column) position within `buf`. serde_json counts columns
/// in bytes from 1; column 0 means "at the newline ending the previous line".
pub fn offset_of(buf: &[u8], line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match memchr::memchr(b'\n', &buf[start..]) {
            Some(i) => start += i + 1,
            None => return buf.len(),
        }
    }
    (start + column.saturating_sub(1)).min(buf.len())
}

/// Line and column of byte offsets that only move forward, counted incrementally: a file with
/// a million broken lines costs one pass over it, not a million.
#[derive(Debug, Default)]
struct LineCursor {
    pos: usize,
    line: usize,
    line_start: usize,
}

impl LineCursor {
    /// The 1-based (line, column) of `at`, which must not be before the previous `at`.
    fn locate(&mut self, buf: &[u8], at: usize) -> (usize, usize) {
        let at = at.min(buf.len()).max(self.pos);
        for (i, &b) in buf[self.pos..at].iter().enumerate() {
            if b == b'\n' {
                self.line += 1;
                self.line_start = self.pos + i + 1;
            }
        }
        self.pos = at;
        (self.line + 1, at - self.line_start + 1)
    }
}

/// Whether `at` is a `{` with only blanks before it on its line.
fn line_starts_object_at(buf: &[u8], at: usize) -> bool {
    if buf.get(at) != Some(&b'{') {
        return false;
    }
    let line = memchr::memrchr(b'\n', &buf[..at]).map_or(0, |i| i + 1);
    buf[line..at]
        .iter()
        .all(|&b| matches!(b, b' ' | b'\t' | b'\r'))
}

/// Where a value begun at `pos` that broke at `at` took in a whole line of JSON lines: the
/// start of the line whose last token came right before the break, when that line comes after
/// the value's first line, starts with `{` in its first column and is one whole value by
/// itself, and the break is at the start of a later line or at the end of the text. That is
/// what a line cut where a value was expected (`{"type": ` and the newline) leaves: serde_json
/// reads the next line's object as the missing value and breaks at the first token after it.
/// Only that one line is read again, so no byte is read more than three times whatever the
/// input (a value that spans many lines, each opening another, breaks elsewhere).
fn swallowed_line(text: &str, pos: usize, at: usize) -> Option<usize> {
    let buf = text.as_bytes();
    // The last byte before the break that is not blank, and the start of its line.
    let last = buf[pos..at]
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map(|i| pos + i)?;
    if at < buf.len() && memchr::memchr(b'\n', &buf[last..at]).is_none() {
        // The break is on the line of that token, not at the start of a later one.
        return None;
    }
    let start = memchr::memrchr(b'\n', &buf[..last]).map_or(0, |i| i + 1);
    if start <= pos || buf[start] != b'{' {
        return None;
    }
    // The whole line is one value, nothing after it but blanks.
    let line = text.get(start..=last)?;
    let mut de = serde_json::Deserializer::from_str(line);
    serde::de::IgnoredAny::deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(start)
}

/// The end of the line before the one starting at `next` (its `\r\n` or `\n`).
fn line_end(buf: &[u8], next: usize) -> usize {
    let newline = next - 1;
    if newline > 0 && buf[newline - 1] == b'\r' {
        newline - 1
    } else {
        newline
    }
}

/// Where reading can go on after a break at `at` (see [`resync`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resync {
    /// At the object starting here: the next element of the array of records the break is in.
    Element(usize),
    /// At the top-level value starting here.
    Top(usize),
}

/// Where a break is being read past.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Within {
    /// Inside an array of records: a top-level array (`top`), or the array value of a
    /// top-level object's member.
    Array { top: bool },
    /// Between top-level values (JSON lines, concatenated values).
    Values,
}

/// What [`resync`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// Reading goes on there.
    At(Resync),
    /// No place to read on from, up to the end of the text.
    Nothing,
    /// The text ends before the candidate at this offset could be checked: more is needed
    /// (only when the text is not all there, `eof` false).
    More(usize),
}

/// Bytes before a break where the start of the next element may sit, swallowed by a string
/// the break left open (see `swallowed`).
pub const SWALLOW_SPAN: usize = 256;

/// Elements read past a candidate to check it (see `check_element`), and the bytes after
/// which the check stops looking further.
const CHAIN: usize = 1024;
const CHAIN_BYTES: usize = 64 * 1024;

/// Where [`resync`] starts looking after a break at `at`, in a text whose broken value (or
/// the piece of it at hand) starts at `floor`.
pub fn search_start(at: usize, floor: usize, within: Within) -> usize {
    match within {
        Within::Array { .. } => at.saturating_sub(SWALLOW_SPAN).max(floor),
        Within::Values => at,
    }
}

/// The first place after a break at `at` where reading can go on, found from the text alone,
/// whatever the break did to it, looking at `{`s from `from` ([`search_start`]; `eof`: the
/// text is all there). JSON escapes every `"` inside a string, so where the text around it is
/// valid, a `{` followed by blanks, a key in quotes, blanks and `:` opens an object (inside a
/// string, the `"` after it would end the string, and what follows a string is never a
/// letter). Such an object after a `,` may be the next element of the array of records the
/// break is in; one after a `}` may be the next top-level value (`}{`, values concatenated on
/// one line), or, right at the break, the next element (a comma missing between two); one
/// that starts a line may be the next top-level value.
///
/// Inside an array (`within`), each candidate is checked before reading goes on there: the
/// object a break leaves behind may be nested in the damaged record (`"resources":[{...},
/// {...}]`, a `}{` of a comma missing between nested objects, a pretty-printed line), and
/// reading on from it would take the rest of that record for records and the array's end for
/// the record's. An element is taken when it reads as a whole value followed by the next
/// element, by an array end that ends the top-level value (`check_element`), or by damage
/// (it is a damaged record of its own: one place each, so a run of damaged records costs one
/// place per record); a top-level value when it reads whole and nothing but another value
/// follows it (`check_top`). Any first key is taken: the check, not the key, tells records
/// from what is nested in them. The object a string opened by the break swallowed the start
/// of (its `{` before the break, the break in its key) is a candidate too (`swallowed`).
/// Between top-level values, a line that starts with `{` is taken unchecked (one bad line of
/// JSON lines costs that line), and a `}{` is checked.
///
/// Each `{` is looked at once, and each check reads at most `CHAIN` (1,024) elements, so recovering
/// from many breaks reads the text a bounded number of times.
pub fn resync(buf: &[u8], at: usize, from: usize, within: Within, eof: bool) -> Found {
    let first = skip_ws(buf, at);
    let mut i = from;
    while let Some(n) = buf.get(i..).and_then(|rest| memchr::memchr(b'{', rest)) {
        let j = i + n;
        i = j + 1;
        if j < at && !swallowed(buf, j, at) {
            continue;
        }
        let prev = buf[..j]
            .iter()
            .rposition(|b| !b.is_ascii_whitespace())
            .map(|p| buf[p]);
        let line_start = at_line_start(buf, j);
        let element = matches!(within, Within::Array { .. })
            && (prev == Some(b',') || (j == first && prev == Some(b'}')))
            && object_with_key(buf, j, None);
        let top = line_start || (prev == Some(b'}') && object_with_key(buf, j, None));
        if top && line_start && within == Within::Values {
            return Found::At(Resync::Top(j));
        }
        // After a `}`, a line that starts with `{` is tried as a top-level value first (JSON
        // lines of envelopes); anything else as an element first.
        let as_top = top.then_some(Resync::Top(j));
        let as_element = element.then_some(Resync::Element(j));
        let checks = if line_start && prev != Some(b',') {
            [as_top, as_element]
        } else {
            [as_element, as_top]
        };
        let mut check = None;
        for r in checks.into_iter().flatten() {
            let c = match (r, within) {
                (Resync::Element(_), Within::Array { top }) => check_element(buf, j, top, eof),
                _ => check_top(buf, j, within, eof),
            };
            if c != Check::No {
                check = Some((c, r));
                break;
            }
        }
        match check {
            Some((Check::Yes, r)) => return Found::At(r),
            Some((Check::More, _)) => return Found::More(j),
            _ => {}
        }
    }
    Found::Nothing
}

/// What checking a candidate found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    Yes,
    No,
    More,
}

/// The end of the JSON value at `i`: `Err(true)` when the text ends inside it, `Err(false)`
/// when it is broken. Strings are not checked for UTF-8 (a reader replaces invalid bytes; a
/// cutter sees them raw), so the answer is the same for both.
fn value_end_at(buf: &[u8], i: usize) -> Result<usize, bool> {
    let Some(rest) = buf.get(i..) else {
        return Err(true);
    };
    let mut it = serde_json::Deserializer::from_slice(rest).into_iter::<serde::de::IgnoredAny>();
    match it.next() {
        Some(Ok(_)) => Ok(i + it.byte_offset()),
        Some(Err(e)) => Err(e.is_eof()),
        None => Err(true),
    }
}

/// Whether the object at `j`, inside an array of records, is the next element: it reads whole,
/// and so do the elements after it, up to [`CHAIN`] of them, until one is damaged (it may be
/// a damaged record of its own: taken), or the array ends and with it the top-level value
/// (`top`: a top-level array; else the rest of the object's members, then its `}`), with
/// nothing after it but the next value. An object nested in a record is followed by `}` or a
/// `:`, or its array's end is followed by the rest of the record (`,` or `}`).
fn check_element(buf: &[u8], j: usize, top: bool, eof: bool) -> Check {
    let more = if eof { Check::Yes } else { Check::More };
    let mut p = j;
    for _ in 0..CHAIN {
        let end = match value_end_at(buf, p) {
            Ok(end) => end,
            Err(true) => return more,
            Err(false) => return Check::Yes,
        };
        let q = skip_ws(buf, end);
        match buf.get(q) {
            None => return more,
            Some(b',') => {
                let r = skip_ws(buf, q + 1);
                if object_with_key(buf, r, None) {
                    p = r;
                } else if !eof && buf.len() - r < SWALLOW_SPAN {
                    return Check::More;
                } else {
                    return Check::No;
                }
            }
            Some(b'{') => p = q,
            Some(b']') => return check_close(buf, q + 1, top, eof),
            Some(b'}' | b':' | b'"') => return Check::No,
            Some(_) => return Check::Yes,
        }
        if p - j > CHAIN_BYTES {
            break;
        }
    }
    Check::Yes
}

/// After the `]` (ending at `p`) of the array a `check_element` chain ran to: whether that
/// ends the top-level value.
fn check_close(buf: &[u8], mut p: usize, top: bool, eof: bool) -> Check {
    let more = if eof { Check::Yes } else { Check::More };
    if !top {
        // The rest of the object's members, `, "key": value`, then its `}`.
        loop {
            p = skip_ws(buf, p);
            match buf.get(p) {
                None => return more,
                Some(b'}') => {
                    p += 1;
                    break;
                }
                Some(b',') => {}
                Some(_) => return Check::Yes,
            }
            let k = skip_ws(buf, p + 1);
            match buf.get(k) {
                None => return more,
                Some(b'"') => {}
                Some(_) => return Check::No,
            }
            let colon = match value_end_at(buf, k) {
                Ok(e) => skip_ws(buf, e),
                Err(true) => return more,
                Err(false) => return Check::Yes,
            };
            match buf.get(colon) {
                None => return more,
                Some(b':') => {}
                Some(_) => return Check::No,
            }
            p = match value_end_at(buf, colon + 1) {
                Ok(e) => e,
                Err(true) => return more,
                Err(false) => return Check::Yes,
            };
        }
    }
    match buf.get(skip_ws(buf, p)) {
        None => more,
        Some(b',' | b']' | b'}' | b':' | b'"') => Check::No,
        Some(_) => Check::Yes,
    }
}

/// Whether the value at `j` is a top-level value: it reads whole and what follows it is the
/// end or another value (between top-level values, also a comma at the end of its line).
fn check_top(buf: &[u8], j: usize, within: Within, eof: bool) -> Check {
    let more = if eof { Check::Yes } else { Check::More };
    let end = match value_end_at(buf, j) {
        Ok(end) => end,
        Err(true) => return more,
        Err(false) => return Check::Yes,
    };
    let q = skip_ws(buf, end);
    match buf.get(q) {
        None => more,
        Some(b',') if within == Within::Values && buf[end..q].contains(&b'\n') => Check::Yes,
        Some(b',' | b']' | b'}' | b':' | b'"') => Check::No,
        Some(_) => Check::Yes,
    }
}

/// Whether the object at `j`, before a break at `at`, had its start swallowed by a string the
/// break left open (a closing quote cut: `"id-10},{"eventVersion":...`): the string ran to the
/// `"` that opens the object's key, and the break is the key itself, read where a `,` or `}`
/// was expected. A break at a control character is inside the key's own string.
fn swallowed(buf: &[u8], j: usize, at: usize) -> bool {
    let k = skip_ws(buf, j + 1);
    if buf.get(k) != Some(&b'"') || at <= k || buf.get(at).is_none_or(|&b| b < 0x20) {
        return false;
    }
    let Some(len) = buf[k + 1..].iter().position(|&b| b == b'"' || b == b'\\') else {
        return false;
    };
    at <= k + 1 + len && object_with_key(buf, j, None)
}

/// Whether `buf[i]` is a `{` followed by blanks, `"`, the key (`None`: any key without
/// escapes), `"`, blanks and `:`.
pub fn object_with_key(buf: &[u8], i: usize, key: Option<&[u8]>) -> bool {
    if buf.get(i) != Some(&b'{') {
        return false;
    }
    let mut j = skip_ws(buf, i + 1);
    if buf.get(j) != Some(&b'"') {
        return false;
    }
    j += 1;
    match key {
        Some(k) => {
            if !buf[j..].starts_with(k) {
                return false;
            }
            j += k.len();
        }
        None => match buf[j..].iter().position(|&b| b == b'"' || b == b'\\') {
            Some(n) => j += n,
            None => return false,
        },
    }
    if buf.get(j) != Some(&b'"') {
        return false;
    }
    j = skip_ws(buf, j + 1);
    buf.get(j) == Some(&b':')
}

/// Blanks from `i`.
pub fn skip_ws(buf: &[u8], mut i: usize) -> usize {
    while i < buf.len() && buf[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// Whether only blanks (no newline) stand between the start of `j`'s line and `j`, looking
/// back over those blanks only.
fn at_line_start(buf: &[u8], j: usize) -> bool {
    let mut k = j;
    while k > 0 && matches!(buf[k - 1], b' ' | b'\t' | b'\r') {
        k -= 1;
    }
    k == 0 || buf[k - 1] == b'\n'
}

/// Where top-level values are read on after a break at `at` that nothing read on from: the
/// next line starting with `{`, or an earlier `}{` (see [`resync`]).
fn next_value_start(buf: &[u8], at: usize) -> Option<usize> {
    match resync(buf, at, at, Within::Values, true) {
        Found::At(Resync::Top(j) | Resync::Element(j)) => Some(j),
        Found::Nothing | Found::More(_) => None,
    }
}

/// serde_json's message without its " at line L column C" suffix (we report our own position).
fn strip_position(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde::de::IgnoredAny;

    fn count(text: &str) -> ValueStream {
        for_each_value(text, |de| IgnoredAny::deserialize(de).map(|_| ()))
    }

    #[test]
    fn values_and_separators() {
        assert_eq!(count("{}\n{}\r\n{}").values, 3);
        assert_eq!(count("{}{}[]").values, 3);
        assert_eq!(count("{},\n{}").values, 2);
        assert_eq!(count("\u{feff} {\"a\":[1]} ").values, 1);
        assert!(count(" \n ").empty);
        let not_json = count("x{}");
        assert_eq!((not_json.values, not_json.damage.len()), (0, 1));
    }

    #[test]
    fn many_broken_lines_cost_one_pass() {
        // 200,000 broken lines: quadratic position finding would take minutes.
        let text = "{\"a\": }\n".repeat(200_000);
        let r = count(&text);
        assert_eq!(r.damage.len(), 200_000);
        assert_eq!(
            (r.damage[199_999].line, r.damage[199_999].column),
            (200_000, 7)
        );
    }

    /// The values of `text` read by a caller that keeps nothing of a broken value (`kept`
    /// false) or says it kept something (`kept` true).
    fn count_keeping(text: &str, kept: bool) -> ValueStream {
        for_each_value_in(text, 0, false, |de, _| {
            IgnoredAny::deserialize(de)
                .map(|_| ())
                .map_err(|error| Broken::new(error, kept))
        })
    }

    #[test]
    fn a_line_cut_where_a_value_was_expected_costs_only_itself() {
        // Line 2 is cut after a key, an array's `[` and an array's comma; serde_json reads
        // line 3's object as the value it lacks and breaks at line 4.
        for cut in [r#"{"a": 1, "b": "#, r#"{"a": ["#, r#"{"a": [1,"#] {
            for newline in ["\n", "\r\n"] {
                let text = [r#"{"x": 1}"#, cut, r#"{"y": 2}"#, r#"{"z": 3}"#].join(newline);
                let r = count_keeping(&text, false);
                assert_eq!(r.values, 3, "{cut:?} {newline:?}");
                assert_eq!(r.damage.len(), 1);
                let d = &r.damage[0];
                // At the end of the cut line (its `\r` when there is one).
                assert_eq!((d.line, d.column, d.truncated), (2, cut.len() + 1, false));
                // A caller that kept part of the value: nothing of it is read again, so line
                // 3 goes with it, as before.
                let r = count_keeping(&text, true);
                assert_eq!((r.values, r.damage.len()), (2, 1), "{cut:?} {newline:?}");
                assert_eq!((r.damage[0].line, r.damage[0].column), (4, 1));
            }
        }
        // The cut line last but one: serde_json reaches the end inside it.
        let r = count_keeping("{\"x\": 1}\n{\"a\": \n{\"y\": 2}", false);
        assert_eq!((r.values, r.damage.len(), r.damage[0].line), (2, 1, 2));
        assert!(!r.damage[0].truncated);
        // Only a line starting with `{` in its first column is read again: an indented object
        // of a pretty-printed document is part of it.
        let pretty = "{\"a\": [\n  {\"b\": 1},\n  {\"c\": oops}\n]}\n{\"z\": 3}";
        let r = count_keeping(pretty, false);
        assert_eq!((r.values, r.damage.len()), (1, 1));
        assert_eq!((r.damage[0].line, r.damage[0].column), (3, 9));
    }

    /// Breaks that are not a line cut where a value was expected read as before: nothing of
    /// the broken value is read again, whatever the caller kept.
    #[test]
    fn other_breaks_are_not_read_again() {
        // Records in the first column of an envelope, the first broken inside its own line:
        // the break is named where it is, and reading resumes at the next line starting with
        // `{` after it (then the envelope's `]}` is a second damage), as before.
        let env = "{\"Records\":[\n{\"a\": 1, \"b\": oops},\n{\"c\": 2},\n{\"d\": 3}\n]}";
        let r = count_keeping(env, false);
        assert_eq!((r.values, r.damage.len()), (2, 2));
        assert_eq!((r.damage[0].line, r.damage[0].column), (2, 15));
        // `json.dumps(indent=0)` cut inside its first record: one truncation.
        let cut = "[\n{\n\"a\": 1,\n\"b\": {\n\"c\": 2\n},\n\"d\": \"x";
        let r = count_keeping(cut, false);
        assert_eq!((r.values, r.damage.len()), (0, 1));
        assert!(r.damage[0].truncated);
        // Thousands of lines each opening another value: one damage, each byte read once.
        let nested = "{\"x\":\n".repeat(20_000);
        let r = count_keeping(&nested, false);
        assert_eq!((r.values, r.damage.len()), (0, 1));
        assert!(r.damage[0].truncated);
        // Two lines cut in a row cost those two lines, each a damaged place at its end (the
        // second is read as the first's missing value), and the line after them is read.
        let two = [
            "{\"x\": 1}",
            "{\"a\": ",
            "{\"b\": ",
            "{\"y\": 2}",
            "{\"z\": 3}",
        ]
        .join("\n");
        let r = count_keeping(&two, false);
        assert_eq!((r.values, r.damage.len()), (3, 2));
        assert_eq!((r.damage[0].line, r.damage[0].column), (2, 7));
        assert_eq!((r.damage[1].line, r.damage[1].column), (3, 7));
        // Three in a row, CRLF, with a multi-line value before: three places, each at its
        // line's end (before its `\r`).
        let three = [
            "{\"x\":",
            " 1}",
            "{\"a\": [",
            "{\"b\": ",
            "{\"c\":",
            "{\"y\": 2}",
            "{\"z\": 3}",
        ]
        .join("\r\n");
        let r = count_keeping(&three, false);
        assert_eq!(r.values, 3);
        let places: Vec<(usize, usize)> = r.damage.iter().map(|d| (d.line, d.column)).collect();
        assert_eq!(places, [(3, 8), (4, 7), (5, 6)]);
    }

    #[test]
    fn offsets_match_serde_positions() {
        let text = "{\"a\":1}\n  {\"b\":\n2} x\n{}";
        let r = count(text);
        assert_eq!(r.values, 3);
        assert_eq!(r.damage.len(), 1);
        assert_eq!((r.damage[0].line, r.damage[0].column), (3, 4));
    }
}
