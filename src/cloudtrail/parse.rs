//! Reading CloudTrail JSON in every layout a dump comes in, one record at a time.
//!
//! The layout is found from the content, not the file name: the S3 delivery format
//! `{"Records":[...]}`, a top-level array of records, JSON lines or concatenated objects, a
//! single event object, `aws cloudtrail lookup-events` output (`{"Events":[{"CloudTrailEvent":
//! "<json>"}]}`), and digest files (recognised and skipped).
//!
//! [`parse_document`] first tries the fast path ([`super::fast`]), which reads clean files of
//! the common layouts. Everything else is read here with serde_json: records are handed to a
//! [`RecordSink`] as soon as they are read, borrowed from the buffer, so nothing is kept per
//! record and a file that breaks halfway still yields every record before the break.
//!
//! After a syntax error the parser looks for the next line that starts with `{` and goes on
//! from there, so one bad line of a JSON-lines file costs one record, not the file.

use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::RawRecord;
pub use crate::input::json::Damage;
use crate::input::json::for_each_value;
use crate::input::lenient::Str;

/// Receives each record as it is parsed.
pub trait RecordSink {
    /// Called once per record object read by the serde path.
    fn record(&mut self, rec: &RawRecord<'_>);

    /// Called once per record object read by the fast path. By default the record is built
    /// as the serde path builds it; a sink that only reads fields through [`super::Record`]
    /// can take it as it is.
    fn fast_record(&mut self, rec: &super::fast::FastRecord<'_>) {
        self.record(&rec.to_raw());
    }
}

/// Adapts a closure to a [`RecordSink`].
pub struct FnSink<F>(pub F);

impl<F: FnMut(&RawRecord<'_>)> RecordSink for FnSink<F> {
    fn record(&mut self, rec: &RawRecord<'_>) {
        (self.0)(rec)
    }
}

/// How a document was laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `{"Records":[...]}`, as CloudTrail delivers to S3.
    Records,
    /// A top-level array of records.
    Array,
    /// One record object per line, or objects concatenated.
    Lines,
    /// One record object.
    Single,
    /// `aws cloudtrail lookup-events` output.
    LookupEvents,
    /// A CloudTrail digest file (no records).
    Digest,
    /// Nothing but whitespace.
    Empty,
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(match self {
            Layout::Records => "CloudTrail {\"Records\":[...]}",
            Layout::Array => "JSON array of records",
            Layout::Lines => "JSON lines",
            Layout::Single => "single event",
            Layout::LookupEvents => "lookup-events output",
            Layout::Digest => "CloudTrail digest",
            Layout::Empty => "empty",
        })
    }
}

/// What reading one document found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DocReport {
    /// The layout of the first value (None when nothing could be read).
    pub layout: Option<Layout>,
    /// Record objects handed to the sink.
    pub records: u64,
    /// Values where a record should be that are not one (not an object, a lookup-events entry
    /// without a readable `CloudTrailEvent`, `"Records"` that is not an array).
    pub bad_records: u64,
    /// Places where the JSON itself is broken; each cost at least one record.
    pub damage: Vec<Damage>,
}

struct Ctx<'s> {
    sink: &'s mut dyn RecordSink,
    records: u64,
    bad: u64,
    /// The layout as soon as it is known, so a value that breaks halfway still has one.
    layout: Option<Layout>,
}

impl Ctx<'_> {
    fn emit(&mut self, rec: &RawRecord<'_>) {
        self.records += 1;
        self.sink.record(rec);
    }
}

/// Reads every record of a decoded document and reports what it found. Never panics, whatever
/// the bytes. The fast path ([`super::fast`]) reads the common layouts; whatever it leaves is
/// read here with serde_json.
pub fn parse_document(buf: &str, sink: &mut dyn RecordSink) -> DocReport {
    super::fast::parse_document(buf, sink).unwrap_or_else(|| parse_document_serde(buf, sink))
}

/// [`parse_document`] without the fast path: the reference the fast path must agree with.
pub fn parse_document_serde(buf: &str, sink: &mut dyn RecordSink) -> DocReport {
    let mut ctx = Ctx {
        sink,
        records: 0,
        bad: 0,
        layout: None,
    };
    let mut layout = None;
    let stream = for_each_value(buf, |de| {
        let result = (TopSeed { ctx: &mut ctx }).deserialize(de);
        layout = match (layout, &result) {
            (None, Ok(l)) => Some(*l),
            // A value that broke halfway still tells its layout.
            (None, Err(_)) => ctx.layout,
            (Some(Layout::Single), Ok(_)) => Some(Layout::Lines),
            (l, _) => l,
        };
        result.map(|_| ())
    });
    if stream.empty {
        layout = Some(Layout::Empty);
    }
    DocReport {
        layout,
        records: ctx.records,
        bad_records: ctx.bad,
        damage: stream.damage,
    }
}

/// Parses one standalone record object (as in a lookup-events `CloudTrailEvent` string).
pub fn parse_record(json: &str) -> Option<RawRecord<'_>> {
    let mut out = None;
    let mut de = serde_json::Deserializer::from_str(json);
    RecordSeed(&mut out).deserialize(&mut de).ok()?;
    de.end().ok()?;
    out
}

/// One top-level value: an array of records, or an object that is an envelope, a digest or
/// a record.
struct TopSeed<'c, 's> {
    ctx: &'c mut Ctx<'s>,
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_, '_> {
    type Value = Layout;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Layout, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_, '_> {
    type Value = Layout;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a CloudTrail object or array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Layout, A::Error> {
        self.ctx.layout.get_or_insert(Layout::Array);
        while seq
            .next_element_seed(ElementSeed {
                ctx: &mut *self.ctx,
            })?
            .is_some()
        {}
        Ok(Layout::Array)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Layout, A::Error> {
        let mut rec = RawRecord::default();
        let (mut records, mut events, mut digest) = (false, false, false);
        while let Some(key) = map.next_key::<Str<'de>>()? {
            match key.as_deref().unwrap_or("") {
                "Records" => {
                    records = true;
                    self.ctx.layout.get_or_insert(Layout::Records);
                    if !map.next_value_seed(ArraySeed {
                        ctx: &mut *self.ctx,
                        lookup: false,
                    })? {
                        self.ctx.bad += 1;
                    }
                }
                "Events" => {
                    events = true;
                    self.ctx.layout.get_or_insert(Layout::LookupEvents);
                    if !map.next_value_seed(ArraySeed {
                        ctx: &mut *self.ctx,
                        lookup: true,
                    })? {
                        self.ctx.bad += 1;
                    }
                }
                "digestStartTime" | "digestEndTime" | "digestS3Bucket" => {
                    digest = true;
                    map.next_value::<IgnoredAny>()?;
                }
                k => record_field(&mut rec, k, &mut map)?,
            }
        }
        Ok(if records {
            Layout::Records
        } else if events {
            Layout::LookupEvents
        } else if digest {
            Layout::Digest
        } else {
            self.ctx.emit(&rec);
            Layout::Single
        })
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Layout, E> {
        Err(E::custom(
            "a top-level value that is not an object or array",
        ))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Layout, E> {
        Err(E::custom(
            "a top-level value that is not an object or array",
        ))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Layout, E> {
        Err(E::custom(
            "a top-level value that is not an object or array",
        ))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Layout, E> {
        Err(E::custom(
            "a top-level value that is not an object or array",
        ))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Layout, E> {
        Err(E::custom(
            "a top-level value that is not an object or array",
        ))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Layout, E> {
        Err(E::custom(
            "a top-level value that is not an object or array",
        ))
    }
}

/// The value of `"Records"` or `"Events"`; yields false when it is not an array.
struct ArraySeed<'c, 's> {
    ctx: &'c mut Ctx<'s>,
    lookup: bool,
}

impl<'de> DeserializeSeed<'de> for ArraySeed<'_, '_> {
    type Value = bool;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ArraySeed<'_, '_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        if self.lookup {
            while seq
                .next_element_seed(LookupSeed {
                    ctx: &mut *self.ctx,
                })?
                .is_some()
            {}
        } else {
            while seq
                .next_element_seed(ElementSeed {
                    ctx: &mut *self.ctx,
                })?
                .is_some()
            {}
        }
        Ok(true)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(false)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        // `"Records": null` holds no records; it is not damage.
        Ok(true)
    }
}

/// One element of a records array: a record object, or a bad record.
struct ElementSeed<'c, 's> {
    ctx: &'c mut Ctx<'s>,
}

impl<'de> DeserializeSeed<'de> for ElementSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let mut out = None;
        RecordSeed(&mut out).deserialize(d)?;
        match out {
            Some(rec) => self.ctx.emit(&rec),
            None => self.ctx.bad += 1,
        }
        Ok(())
    }
}

/// Reads a value into `Some(record)` when it is an object, `None` otherwise.
pub struct RecordSeed<'o, 'de>(pub &'o mut Option<RawRecord<'de>>);

impl<'de> DeserializeSeed<'de> for RecordSeed<'_, 'de> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        *self.0 = d.deserialize_any(RecordVisitor)?;
        Ok(())
    }
}

struct RecordVisitor;

impl<'de> Visitor<'de> for RecordVisitor {
    type Value = Option<RawRecord<'de>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a record object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut rec = RawRecord::default();
        while let Some(key) = map.next_key::<Str<'de>>()? {
            record_field(&mut rec, key.as_deref().unwrap_or(""), &mut map)?;
        }
        Ok(Some(rec))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// Stores one record field; unknown keys are skipped without building anything.
fn record_field<'de, A: MapAccess<'de>>(
    rec: &mut RawRecord<'de>,
    key: &str,
    map: &mut A,
) -> Result<(), A::Error> {
    match key {
        "eventTime" => rec.event_time = map.next_value()?,
        "eventSource" => rec.event_source = map.next_value()?,
        "eventName" => rec.event_name = map.next_value()?,
        "eventType" => rec.event_type = map.next_value()?,
        "eventID" => rec.event_id = map.next_value()?,
        "awsRegion" => rec.aws_region = map.next_value()?,
        "sourceIPAddress" => rec.source_ip = map.next_value()?,
        "errorCode" => rec.error_code = map.next_value()?,
        "errorMessage" => rec.error_message = map.next_value()?,
        "userIdentity" => rec.user_identity = map.next_value()?,
        "requestParameters" => rec.request_parameters = map.next_value()?,
        _ => {
            map.next_value::<IgnoredAny>()?;
        }
    }
    Ok(())
}

/// One element of lookup-events `"Events"`: the record is the JSON text in `CloudTrailEvent`.
struct LookupSeed<'c, 's> {
    ctx: &'c mut Ctx<'s>,
}

impl<'de> DeserializeSeed<'de> for LookupSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for LookupSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a lookup-events entry")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut text = Str::default();
        while let Some(key) = map.next_key::<Str<'de>>()? {
            if key.as_deref() == Some("CloudTrailEvent") {
                text = map.next_value()?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        match text.as_deref().and_then(parse_record) {
            Some(rec) => self.ctx.emit(&rec),
            None => self.ctx.bad += 1,
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        self.ctx.bad += 1;
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.ctx.bad += 1;
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.ctx.bad += 1;
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.ctx.bad += 1;
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.ctx.bad += 1;
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.ctx.bad += 1;
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.ctx.bad += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloudtrail::field;

    /// Parses `text` and returns the report plus the event names seen, in order.
    fn run(text: &str) -> (DocReport, Vec<String>) {
        let mut names = Vec::new();
        let mut sink = FnSink(|r: &RawRecord<'_>| names.push(field(&r.event_name).to_string()));
        let report = parse_document(text, &mut sink);
        (report, names)
    }

    fn ev(name: &str) -> String {
        format!(r#"{{"eventTime":"2024-01-01T00:00:00Z","eventName":"{name}","x":{{"y":[1,2]}}}}"#)
    }

    #[test]
    fn layouts() {
        let (a, b) = (ev("A"), ev("B"));
        let records = format!(r#"{{"Records":[{a},{b}]}}"#);
        let array = format!("[{a},\n{b}]");
        let lines = format!("{a}\n{b}\n");
        let concatenated = format!("{a}{b}");
        let single = format!("  \n{a}\n");
        let lookup = format!(
            r#"{{"Events":[{{"EventId":"1","CloudTrailEvent":{}}},{{"CloudTrailEvent":{}}}],"NextToken":"t"}}"#,
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap()
        );
        let bom = format!("\u{feff}{records}");
        let records_last = format!(r#"{{"other":1,"Records":[{a},{b}]}}"#);
        let cases = [
            (records, Layout::Records, 2),
            (array, Layout::Array, 2),
            (lines, Layout::Lines, 2),
            (concatenated, Layout::Lines, 2),
            (single, Layout::Single, 1),
            (lookup, Layout::LookupEvents, 2),
            (bom, Layout::Records, 2),
            (records_last, Layout::Records, 2),
            (
                r#"{"digestStartTime":"x","logFiles":[]}"#.to_string(),
                Layout::Digest,
                0,
            ),
            (" \n\t".to_string(), Layout::Empty, 0),
        ];
        for (text, layout, n) in cases {
            let (rep, names) = run(&text);
            assert_eq!(rep.layout, Some(layout), "{text}");
            assert_eq!(rep.records, n, "{text}");
            assert_eq!(names.len(), n as usize, "{text}");
            assert!(rep.damage.is_empty(), "{text}: {:?}", rep.damage);
            assert_eq!(rep.bad_records, 0, "{text}");
        }
    }

    #[test]
    fn truncated_envelope_keeps_records_before_the_cut() {
        let text = format!(r#"{{"Records":[{},{},{}"#, ev("A"), ev("B"), ev("C"));
        let cut = &text[..text.len() - 10];
        let (rep, names) = run(cut);
        assert_eq!(names, ["A", "B"]);
        assert_eq!(rep.layout, Some(Layout::Records));
        assert_eq!(rep.damage.len(), 1);
        assert!(rep.damage[0].truncated);
    }

    #[test]
    fn bad_line_costs_one_record() {
        let text = format!(
            "{}\n{{\"eventTime\": oops}}\n{}\n{}",
            ev("A"),
            ev("B"),
            ev("C")
        );
        let (rep, names) = run(&text);
        assert_eq!(names, ["A", "B", "C"]);
        assert_eq!(rep.damage.len(), 1);
        assert_eq!((rep.damage[0].line, rep.damage[0].column), (2, 15));
        assert!(!rep.damage[0].truncated);
        assert_eq!(rep.layout, Some(Layout::Lines));
    }

    #[test]
    fn bad_first_line_then_good_lines() {
        let text = format!("{{\"a\":}}\n{}\n{}\n", ev("A"), ev("B"));
        let (rep, names) = run(&text);
        assert_eq!(names, ["A", "B"]);
        assert_eq!(rep.damage.len(), 1);
        assert_eq!(rep.damage[0].line, 1);
    }

    #[test]
    fn truncated_last_line() {
        let text = format!("{}\n{}\n{{\"eventTime\":\"2024", ev("A"), ev("B"));
        let (rep, names) = run(&text);
        assert_eq!(names, ["A", "B"]);
        assert_eq!(rep.damage.len(), 1);
        assert!(rep.damage[0].truncated);
        assert_eq!(rep.damage[0].line, 3);
    }

    #[test]
    fn wrong_shapes_are_bad_records_not_errors() {
        let cases = [
            (r#"{"Records":"x"}"#, 0, 1),
            (r#"{"Records":{"a":1}}"#, 0, 1),
            (r#"{"Records":[1,"x",null,[],{}]}"#, 1, 4),
            (r#"{"Records":null}"#, 0, 0),
            (
                r#"{"Events":[{"CloudTrailEvent":"not json"},{"EventId":"x"},7]}"#,
                0,
                3,
            ),
            (
                r#"{"Records":[{"eventName":5,"userIdentity":"me","eventTime":[]}]}"#,
                1,
                0,
            ),
        ];
        for (text, records, bad) in cases {
            let (rep, _) = run(text);
            assert_eq!((rep.records, rep.bad_records), (records, bad), "{text}");
            assert!(rep.damage.is_empty(), "{text}");
        }
    }

    #[test]
    fn garbage_is_damage() {
        for text in ["\u{1}\u{2}garbage", "42", "\"just a string\"", "<html>"] {
            let (rep, names) = run(text);
            assert!(names.is_empty());
            assert_eq!(rep.layout, None, "{text}");
            assert_eq!(rep.damage.len(), 1, "{text}");
        }
    }

    #[test]
    fn deep_nesting_neither_overflows_nor_counts() {
        // Values no panel reads are skipped iteratively by serde_json, so depth costs no stack.
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let (rep, names) = run(&deep);
        assert!(names.is_empty() && rep.damage.is_empty());
        assert_eq!(rep.bad_records, 1);
        let nested = format!(
            r#"{{"eventName":"A","x":{}1{}}}"#,
            r#"{"a":"#.repeat(100_000),
            "}".repeat(100_000)
        );
        let (rep, names) = run(&nested);
        assert_eq!(names, ["A"]);
        assert!(rep.damage.is_empty());
        // The structs we descend into have a fixed depth; below it everything is skipped.
        let identity = format!(
            r#"{{"userIdentity":{}1{}}}"#,
            r#"{"sessionContext":"#.repeat(100_000),
            "}".repeat(100_000)
        );
        let (rep, names) = run(&identity);
        assert_eq!(names, [""]);
        assert!(rep.damage.is_empty(), "{:?}", rep.damage);
    }

    #[test]
    fn escaped_strings_are_unescaped() {
        let (_, names) = run(r#"{"eventTime":"t","eventName":"Put\u0052ecord"}"#);
        assert_eq!(names, ["PutRecord"]);
    }

    #[test]
    fn standalone_record() {
        let rec = parse_record(r#"{"eventName":" X ","awsRegion":"r"}"#).unwrap();
        assert_eq!(field(&rec.event_name), "X");
        assert!(parse_record("[1]").is_none());
        assert!(parse_record(r#"{"a":1} x"#).is_none());
    }
}
