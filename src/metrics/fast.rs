//! The fast path for CloudWatch Metric Streams JSON: a hand-written scan, on the strict scanners
//! of [`crate::input::scan`], that reads the members of each record the dashboard uses
//! ([`StreamRecord`]) and steps over the rest without building it.
//!
//! It reads a text of whole top-level values (JSON lines, or objects concatenated with no
//! separator) one value at a time, and hands each record on as soon as its closing brace is
//! read. At the first value it is not sure of, it stops and says where that value's
//! predecessor ended, and the serde path in [`super::parse`] reads the rest of the text from
//! there: the records before were read exactly as serde would read them, so nothing is counted
//! twice and nothing is buffered. What it leaves to serde: a syntax error, a value that is not an
//! object, an escape in a key, a number where a string or an object is expected (serde parses
//! it, and can fail on its range), a member of a derived struct given twice (serde reports that
//! as an error), the CLI forms' keys, and text of 4 GiB or more.
//!
//! The rule that keeps the two paths equal: whatever this module reads, serde reads to the same
//! records. [`super::parse::compare_with_serde`] checks that; the tests run it on every fixture and on mutated
//! documents, and the `metric_streams_paths` fuzz target on whatever it finds.

use std::borrow::Cow;

use super::record::{CLI_KEYS, StreamDims, StreamRecord, StreamValue};
use crate::input::lenient::{Num, Str};
use crate::input::scan::{Bail, Bytes, Cursor, Scan, Span};

/// Where the fast path stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// It read the whole text: `values` top-level values, at least one.
    Done {
        /// Values read.
        values: u32,
    },
    /// It read `values` values; the serde path reads the rest from offset `at` (0, or just
    /// after the last value read).
    HandOver {
        /// Values read.
        values: u32,
        /// Where the serde path starts.
        at: usize,
    },
}

/// Reads `text`, calling `each` with every Metric Streams record (any
/// top-level object without the CLI forms' keys), in order, until the end or the first value it
/// leaves to the serde path.
pub(super) fn read<'t>(text: &'t str, each: impl FnMut(StreamRecord<'t>)) -> End {
    // The scanner keeps offsets as u32; larger texts take the serde path.
    if u32::try_from(text.len()).is_err() {
        return End::HandOver { values: 0, at: 0 };
    }
    Doc::<Bytes>::new(text).values(each)
}

/// The scan of one text.
struct Doc<'a, C> {
    s: C,
    text: &'a str,
}

/// Members of a record that serde's derive reads (a second one is an error there).
mod member {
    pub const NAMESPACE: u8 = 1;
    pub const METRIC_NAME: u8 = 2;
    pub const REGION: u8 = 4;
    pub const DIMENSIONS: u8 = 8;
    pub const TIMESTAMP: u8 = 16;
    pub const VALUE: u8 = 32;
    pub const ACCOUNT_ID: u8 = 64;
}

impl<'a, C: Cursor<'a>> Doc<'a, C> {
    fn new(text: &'a str) -> Self {
        Doc {
            s: C::new(text.as_bytes()),
            text,
        }
    }

    /// The top-level values, as `input::json::for_each_value` finds them: whitespace, and commas
    /// after the first value, between them.
    fn values(&mut self, mut each: impl FnMut(StreamRecord<'a>)) -> End {
        let hand_over = |values, end| End::HandOver { values, at: end };
        if self.s.skip_bom().is_err() {
            return hand_over(0, 0);
        }
        let (mut values, mut end) = (0u32, 0usize);
        loop {
            match self.s.peek() {
                Some(b'{') => {
                    self.s.advance();
                    match self.record() {
                        Ok((record, close)) => {
                            each(record);
                            values += 1;
                            end = close + 1;
                        }
                        Err(Bail) => return hand_over(values, end),
                    }
                }
                Some(b',') if values > 0 => self.s.advance(),
                // Whitespace only, or nothing read yet: serde words the report.
                None if values > 0 && self.s.finished() => return End::Done { values },
                // Not an object, not JSON, or a form feed between values.
                _ => return hand_over(values, end),
            }
        }
    }

    /// The members of a record object, after its `{`; the record and the offset of its `}`.
    fn record(&mut self) -> Scan<(StreamRecord<'a>, usize)> {
        let mut r = StreamRecord::default();
        let mut seen = 0u8;
        if let Some(close) = self.close_at() {
            return Ok((r, close));
        }
        loop {
            let key = self.s.key()?;
            let m = match key {
                b"namespace" => member::NAMESPACE,
                b"metric_name" => member::METRIC_NAME,
                b"region" => member::REGION,
                b"account_id" => member::ACCOUNT_ID,
                b"dimensions" => member::DIMENSIONS,
                b"timestamp" => member::TIMESTAMP,
                b"value" => member::VALUE,
                _ if CLI_KEYS.iter().any(|k| k.as_bytes() == key) => return Err(Bail),
                _ => 0,
            };
            if seen & m != 0 {
                return Err(Bail);
            }
            seen |= m;
            match m {
                member::NAMESPACE => r.namespace = self.str_value()?,
                member::METRIC_NAME => r.metric_name = self.str_value()?,
                member::REGION => r.region = self.str_value()?,
                member::ACCOUNT_ID => r.account_id = self.str_value()?,
                member::DIMENSIONS => r.dimensions = self.dimensions()?,
                member::TIMESTAMP => r.timestamp = self.num_value()?.0,
                member::VALUE => r.value = self.value()?,
                _ => self.s.skip_value()?,
            }
            match self.s.peek_at() {
                Some(at) => match self.s.bytes()[at] {
                    b',' => self.s.advance(),
                    b'}' => {
                        self.s.advance();
                        return Ok((r, at));
                    }
                    _ => return Err(Bail),
                },
                None => return Err(Bail),
            }
        }
    }

    /// When the next token is `}`: passes it and gives its offset.
    #[inline(always)]
    fn close_at(&mut self) -> Option<usize> {
        let at = self.s.peek_at()?;
        (self.s.bytes()[at] == b'}').then(|| {
            self.s.advance();
            at
        })
    }

    /// A string member, as `lenient::Str` reads it: a string is kept, any other value reads as
    /// absent. A bare number bails: serde parses it (and can fail on its range) where skipping
    /// would not.
    #[inline(always)]
    fn str_value(&mut self) -> Scan<Str<'a>> {
        match self.s.peek() {
            Some(b'"') => {
                let span = self.s.string()?;
                if span.escaped {
                    return self.unescaped(span);
                }
                // On character boundaries: the contents of a string the scanner found (quotes
                // are ASCII).
                let raw = self.text.get(span.start..span.end).ok_or(Bail)?;
                Ok(Str(Some(Cow::Borrowed(raw))))
            }
            Some(b'-' | b'0'..=b'9') | None => Err(Bail),
            Some(_) => self.s.skip_value().map(|()| Str(None)),
        }
    }

    /// A string with escapes: its exact text, quotes included, unescaped by serde_json itself.
    #[cold]
    fn unescaped(&mut self, span: Span) -> Scan<Str<'a>> {
        let quoted = self.text.get(span.start - 1..=span.end).ok_or(Bail)?;
        let value: String = serde_json::from_str(quoted).map_err(|_| Bail)?;
        Ok(Str(Some(Cow::Owned(value))))
    }

    /// A number member, as `lenient::Num` reads it: a number's value, any other value reads as
    /// absent.
    #[inline(always)]
    fn num_value(&mut self) -> Scan<Num> {
        match self.s.peek_at() {
            Some(at) => match self.s.bytes()[at] {
                b'-' | b'0'..=b'9' => {
                    let end = self.s.scalar()?;
                    // On character boundaries: a number is ASCII, and so is what ends it.
                    number(self.text.get(at..end).ok_or(Bail)?).map(|v| Num(Some(v)))
                }
                _ => self.s.skip_value().map(|()| Num(None)),
            },
            None => Err(Bail),
        }
    }

    /// Opens an object member: true (after the `{`) when the value is an object; any other
    /// value is skipped and reads as absent, as `lenient::Obj` reads it. A bare number bails.
    #[inline(always)]
    fn open_object(&mut self) -> Scan<bool> {
        match self.s.peek() {
            Some(b'{') => {
                self.s.advance();
                Ok(true)
            }
            Some(b'-' | b'0'..=b'9') | None => Err(Bail),
            Some(_) => self.s.skip_value().map(|()| false),
        }
    }

    /// After a member of an object: true when another follows (the comma is passed), false at
    /// the `}` (passed).
    #[inline(always)]
    fn next_member(&mut self) -> Scan<bool> {
        self.s.more(b'}')
    }

    /// `dimensions`, as `parse::StreamDims` reads it (a later `StreamName`, `ShardId` or
    /// `ConsumerName` replaces an earlier one there, so it does here).
    fn dimensions(&mut self) -> Scan<Option<StreamDims<'a>>> {
        if !self.open_object()? {
            return Ok(None);
        }
        let mut d = StreamDims::default();
        if self.s.eat(b'}') {
            return Ok(Some(d));
        }
        loop {
            match self.s.key()? {
                b"StreamName" => d.stream = self.str_value()?,
                b"ShardId" => d.shard = self.str_value()?,
                b"ConsumerName" => d.consumer = self.str_value()?,
                _ => {
                    self.s.skip_value()?;
                    d.other = true;
                }
            }
            if !self.next_member()? {
                return Ok(Some(d));
            }
        }
    }

    /// `value`, as the derived `parse::StreamValue` reads it: a member given twice bails.
    fn value(&mut self) -> Scan<Option<StreamValue>> {
        if !self.open_object()? {
            return Ok(None);
        }
        let mut v = StreamValue::default();
        if self.s.eat(b'}') {
            return Ok(Some(v));
        }
        let mut seen = 0u8;
        loop {
            let (bit, slot) = match self.s.key()? {
                b"sum" => (1, &mut v.sum),
                b"count" => (2, &mut v.count),
                b"max" => (4, &mut v.max),
                _ => {
                    self.s.skip_value()?;
                    if !self.next_member()? {
                        return Ok(Some(v));
                    }
                    continue;
                }
            };
            if seen & bit != 0 {
                return Err(Bail);
            }
            seen |= bit;
            *slot = self.num_value()?;
            if !self.next_member()? {
                return Ok(Some(v));
            }
        }
    }
}

/// Powers of ten exact in an `f64`, as many as [`number`] divides by.
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// The value of a JSON number (checked by the scanner's grammar), as serde_json with
/// `float_roundtrip` gives it to `lenient::Num`: an integer that fits a `u64` or an `i64`
/// converted to the nearest `f64`, anything else correctly rounded from its decimal digits,
/// `-0` as `-0.0`, and a number too large for an `f64` an error (a bail).
#[inline]
fn number(t: &str) -> Scan<f64> {
    // The common cases: up to 15 digits, with or without a fraction (timestamps, counts,
    // `3.0`, `12.75`). The digits are an integer exact in an f64 and so is the power of ten,
    // so one division rounds correctly (Clinger's fast path), as serde_json does.
    let b = t.as_bytes();
    let (negative, digits) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    if digits.len() <= 16 {
        let (mut n, mut count, mut fraction, mut dot) = (0u64, 0usize, 0usize, false);
        for &c in digits {
            match c {
                b'0'..=b'9' => {
                    n = n * 10 + u64::from(c - b'0');
                    count += 1;
                    fraction += usize::from(dot);
                }
                b'.' if !dot => dot = true,
                _ => return number_slow(t),
            }
        }
        if count <= 15 {
            // serde_json gives -0 as -0.0 (`-(0 as f64)`), and so does this.
            let v = n as f64 / POW10[fraction];
            return Ok(if negative { -v } else { v });
        }
    }
    number_slow(t)
}

/// [`number`] for exponents and long numbers: the standard library's parser is correctly
/// rounded, as serde_json's `float_roundtrip` parser is; very long numbers go to serde_json
/// itself.
#[inline(never)]
fn number_slow(text: &str) -> Scan<f64> {
    let v = if text.len() <= 64 {
        text.parse::<f64>().map_err(|_| Bail)?
    } else {
        serde_json::from_str::<Num>(text)
            .map_err(|_| Bail)?
            .0
            .ok_or(Bail)?
    };
    // serde_json refuses a number beyond f64's range rather than give infinity.
    if v.is_finite() { Ok(v) } else { Err(Bail) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::parse::compare_with_serde;

    /// The values the fast path reads itself (the rest must read the same on serde).
    fn fast_values(text: &str) -> u32 {
        compare_with_serde(text).unwrap_or_else(|e| panic!("{e}"))
    }

    const RECORD: &str = r#"{"metric_stream_name":"s","account_id":"111122223333","region":"us-east-1","namespace":"AWS/Kinesis","metric_name":"IncomingBytes","dimensions":{"StreamName":"orders","ShardId":"shardId-000000000001"},"timestamp":1710000000000,"value":{"max":10.011666666666667,"min":0.0,"sum":2.5e3,"count":3.0,"p99":[1,{"a":1e999}]},"unit":"Bytes"}"#;

    #[test]
    fn reads_the_common_layouts_itself() {
        let rec = RECORD;
        let cases = [
            (format!("{rec}\n{rec}\n"), 2),
            (format!("{rec}{rec}{rec}"), 3),
            (rec.to_string(), 1),
            (format!("\u{feff}{rec}\r\n,{rec}"), 2),
            (format!("  {rec} ,, {rec}  \n\n"), 2),
            ("{}".to_string(), 1),
            (r#"{"dimensions":{"StreamName":"s","ConsumerName":"a","ConsumerName":"b\u0063"}}"#.to_string(), 1),
            (r#"{"namespace":null,"metric_name":["x"],"region":{"a":[{}]},"dimensions":"d","timestamp":"t","value":true}"#.to_string(), 1),
            (r#"{"metric_name":" I\u006ecomingBytes ","dimensions":{"StreamName":"a","StreamName":"b","ShardId":null,"ConsumerName":null,"Other":1e999}}"#.to_string(), 1),
            (r#"{"timestamp":-0,"value":{"sum":-0.0,"count":0,"max":-1.5E-3}}"#.to_string(), 1),
            (r#"{"timestamp":1e308,"value":{"sum":12345678901234567890,"count":1e-400,"max":-9007199254740993}}"#.to_string(), 1),
            (r#"{"value":{"sum":0.1000000000000000055511151231257827021181583404541015625000000000001}}"#.to_string(), 1),
            (r#"{"value":{"min":1,"min":2},"unit":1,"unit":2}"#.to_string(), 1),
        ];
        for (text, n) in cases {
            assert_eq!(fast_values(&text), n, "{text}");
        }
    }

    #[test]
    fn leaves_the_rest_to_serde() {
        let rec = RECORD;
        let cases = [
            ("".to_string(), 0),
            (" \n ".to_string(), 0),
            ("42".to_string(), 0),
            ("[]".to_string(), 0),
            (format!("[{rec}]"), 0),
            (format!("{rec}\n[{rec}]\n{rec}"), 1),
            (format!("{rec}\n{{\"timestamp\": oops}}\n{rec}"), 1),
            (format!("{rec}\u{c}{rec}"), 1),
            (format!("{rec}\n{rec}\nx"), 2),
            (format!("{rec}\n{{\"namespace\":\"a\""), 1),
            (r#"{"MetricDataResults":[]}"#.to_string(), 0),
            (r#"{"Label":"x","Datapoints":[]}"#.to_string(), 0),
            (r#"{"namespace":5}"#.to_string(), 0),
            (r#"{"namespace":1e999}"#.to_string(), 0),
            (r#"{"dimensions":1}"#.to_string(), 0),
            (r#"{"dimensions":{"StreamName":2}}"#.to_string(), 0),
            (r#"{"dimensions":{"ConsumerName":2}}"#.to_string(), 0),
            (r#"{"value":7.5e1000}"#.to_string(), 0),
            (r#"{"timestamp":1e999}"#.to_string(), 0),
            (r#"{"timestamp":-1e999}"#.to_string(), 0),
            (r#"{"value":{"sum":1e400}}"#.to_string(), 0),
            (format!(r#"{{"value":{{"sum":1{}}}}}"#, "0".repeat(400)), 0),
            (r#"{"namespace":"a","namespace":"b"}"#.to_string(), 0),
            (r#"{"timestamp":1,"timestamp":"x"}"#.to_string(), 0),
            (r#"{"value":{"sum":1,"sum":2}}"#.to_string(), 0),
            (r#"{"n\u0061mespace":"AWS/Kinesis"}"#.to_string(), 0),
            (r#"{"dimensions":{"Stre\u0061mName":"a"}}"#.to_string(), 0),
            (r#"{"namespace":"\ud800"}"#.to_string(), 0),
            (r#"{"namespace":"a",}"#.to_string(), 0),
            ("{\"namespace\":\"tab\there\"}".to_string(), 0),
            (r#"{"timestamp":01}"#.to_string(), 0),
        ];
        for (text, n) in cases {
            assert_eq!(fast_values(&text), n, "{text}");
        }
    }

    #[test]
    fn numbers_read_as_serde_json_reads_them() {
        let cases = [
            "0",
            "-0",
            "-0.0",
            "0e0",
            "-0e-5",
            "1",
            "-1",
            "999999999999999",
            "-999999999999999",
            "9007199254740993",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "123456789012345678901234567890",
            "10.011666666666667",
            "0.1",
            "2.2250738585072011e-308",
            "2.2250738585072014e-308",
            "4.9e-324",
            "2e-324",
            "1e-400",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1E+2",
            "1e-0",
            "0.30000000000000004",
            "1.00000000000000011102230246251565404236316680908203125",
            "1.00000000000000011102230246251565404236316680908203124",
            "1.00000000000000011102230246251565404236316680908203126",
            "3.0",
            "-12.75",
            "0.001",
            "999999999999999.9",
            "99999999999999.99",
            "1234567.890123456",
            "0.000000000000001",
            "-0.000000000000000",
            "123456789012.345",
            "0.30000000000000004",
            "9007199254740.993",
        ];
        // And a sweep of short decimals, each digit count and place of the point.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut sweep = Vec::new();
        for digits in 1..=17 {
            for _ in 0..200 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let s: String = (0..digits)
                    .map(|i| char::from(b'0' + ((seed >> (i * 3)) % 10) as u8))
                    .collect();
                let s = s.trim_start_matches('0');
                let s = if s.is_empty() { "0" } else { s };
                let point = (seed >> 60) as usize % (s.len() + 1);
                sweep.push(if point == 0 || point == s.len() {
                    s.to_string()
                } else {
                    format!("{}.{}", &s[..point], &s[point..])
                });
            }
        }
        let cases = cases.iter().map(|s| s.to_string()).chain(sweep);
        for t in cases {
            let t = t.as_str();
            let want = serde_json::from_str::<Num>(t).unwrap().0.unwrap();
            let got = number(t).unwrap();
            assert_eq!(got.to_bits(), want.to_bits(), "{t}: {got} vs {want}");
        }
        for t in ["1e309", "-1e309", "1.8e308"] {
            assert!(serde_json::from_str::<Num>(t).is_err(), "{t}");
            assert_eq!(number(t), Err(Bail), "{t}");
        }
    }

    #[test]
    fn every_fixture_reads_the_same_on_both_paths() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
        let mut loader = crate::input::decode::Loader::default();
        let (mut files, mut streams, mut fast) = (0, 0, 0);
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let bytes = std::fs::read(&path).unwrap();
                let Ok(loaded) = loader.load_bytes(&bytes, 1 << 30) else {
                    continue;
                };
                files += 1;
                let text = loaded.into_text().text;
                let n = fast_values(text);
                if path.to_string_lossy().contains("metrics/streams/") {
                    streams += 1;
                    fast += usize::from(n > 0 && compare_reader(text));
                }
            }
        }
        assert!(files > 50, "{files} files");
        // The sample's Metric Streams files must be read by the fast path, to their end.
        assert!(streams >= 4 && fast == streams, "{fast} of {streams}");
    }

    /// The whole reader, fast path or not, gives the same counts, report and cube; true when
    /// the fast path read the whole text.
    fn compare_reader(text: &str) -> bool {
        use crate::diag::FileReport;
        use crate::metrics::parse::MetricsReader;
        use crate::metrics::{MetricsCube, Query};
        use crate::window::Window;
        let query = Query::new(Window::default(), 60_000);
        let reader = MetricsReader {
            query: &query,
            queries: None,
            statistics_series: None,
        };
        let run = |fast| {
            let mut cube = MetricsCube::default();
            let mut report = FileReport::new("f".into());
            reader.read_with(&mut cube, text, &mut report, fast);
            let mut series: Vec<String> =
                cube.series().map(|(k, b)| format!("{k:?} {b:?}")).collect();
            series.sort();
            format!("{report:?} {:?} {} {series:?}", cube.counts, cube.width)
        };
        assert_eq!(run(true), run(false));
        matches!(read(text, |_| {}), End::Done { .. })
    }

    #[test]
    fn the_whole_reader_agrees_after_a_hand_over() {
        let rec = RECORD;
        for text in [
            format!("{rec}\n{rec}"),
            format!("{rec}\n{{\"timestamp\": oops}}\n{rec}\n{rec}"),
            format!("{rec}\n[1]\n{rec}\u{c}{rec}"),
            format!("{rec}{rec}\n{{\"namespace\":\"AWS/Kinesis\""),
        ] {
            compare_reader(&text);
        }
    }

    /// Damaged documents: the fast path may only accept what serde reads the same way.
    #[test]
    fn mutations_never_make_the_paths_differ() {
        let doc = format!(
            "{RECORD}\n{}\n{RECORD}",
            r#"{"namespace":"AWS/Kinesis","metric_name":"SubscribeToShardEvent.MillisBehindLatest","dimensions":{"StreamName":"a\"b","ConsumerName":"app"},"timestamp":1710000060000,"value":{"sum":-12.75,"count":4,"max":9}}"#
        );
        let bytes = doc.as_bytes();
        const PIECES: [&str; 18] = [
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            "\"",
            "\\",
            "0",
            "-",
            "e",
            "1e999",
            " ",
            "\u{1}",
            "null",
            "\"sum\":",
            "\"namespace\":",
            "-0",
        ];
        let (mut whole, mut partly, mut tried) = (0, 0, 0);
        for text in crate::input::scan::mutations(bytes, &PIECES, 20_000) {
            let text = text.as_str();
            tried += 1;
            match fast_values(text) {
                3.. => whole += 1,
                1..=2 => partly += 1,
                0 => {}
            }
        }
        // Many mutations land in skipped members and stay valid; every kind must occur.
        assert!(
            whole > 1000 && partly > 1000 && whole + partly < tried,
            "{whole} whole, {partly} partly, of {tried}"
        );
    }
}
