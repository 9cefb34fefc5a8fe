//! The serde path: reading CloudTrail JSON in every layout a dump comes in, one record at a
//! time, with recovery from damage.
//!
//! The layout is found from the content, not the file name: the S3 delivery format
//! `{"Records":[...]}`, a top-level array of records, JSON lines or concatenated objects, a
//! single event object, `aws cloudtrail lookup-events` output (`{"Events":[{"CloudTrailEvent":
//! "<json>"}]}`), digest files (recognised and skipped), and the envelopes other pipelines wrap
//! CloudTrail in:
//! - CloudWatch Logs subscription payloads, as Firehose writes them to S3, one or several
//!   concatenated (`{"messageType":"DATA_MESSAGE",...,"logEvents":[{"id":...,"timestamp":...,
//!   "message":"<event JSON>"}]}`; `CONTROL_MESSAGE` payloads are health checks and are counted
//!   apart);
//! - `aws logs filter-log-events` and `get-log-events` output (`{"events":[{"message":...}]}`);
//! - CloudWatch Logs exports to S3 (`create-export-task`): lines of `<timestamp> <event JSON>`;
//! - EventBridge events (`{"detail-type":"AWS API Call via CloudTrail",...,"detail":{<event>}}`),
//!   one per file, JSON lines or concatenated, as Firehose archives them.
//!
//! Each top-level value is read on its own (one record, one envelope, one export line), so a
//! text cut at value boundaries reads the same in pieces. Records are handed to a
//! [`RecordSink`] as soon as they are read, borrowed from the buffer (or from the one unescaped
//! message at hand), so nothing is kept per record and a file that breaks halfway still yields
//! every record before the break. After a syntax error the parser looks for the next line that
//! starts with `{` and goes on from there, so one bad line of a JSON-lines file costs one
//! record, not the file (a line cut where a value was expected included: see
//! [`crate::input::json`]).

use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{DocReport, Envelope, Layout, Place, RawRecord, RecordSink, Skip, Skips};
use crate::input::json::{
    Broken, Found, MISSING_COMMA, ReadOn, Resync, Within, for_each_value_in, offset_of, resync,
    search_start, skip_ws,
};
use crate::input::lenient::Str;

/// The state of one document's read.
struct Ctx<'s> {
    sink: &'s mut dyn RecordSink,
    records: u64,
    skipped: Skips,
    control_messages: u64,
    /// The layout as soon as it is known, so a value that breaks halfway still has one.
    layout: Option<Layout>,
    /// Where the top-level value being read starts.
    value: usize,
    /// Damaged places that cost no record (a comma missing between two records).
    intact: u64,
    /// The array of records a break came in (its key, `""` for a top-level array), what its
    /// elements hold, and the index of the element being read: set as the error passes out of
    /// the array, so it costs nothing while the JSON is valid.
    broken_in: Option<(&'static str, Element, u64)>,
}

impl<'s> Ctx<'s> {
    fn new(sink: &'s mut dyn RecordSink) -> Self {
        Ctx {
            sink,
            records: 0,
            skipped: Skips::default(),
            control_messages: 0,
            layout: None,
            value: 0,
            intact: 0,
            broken_in: None,
        }
    }

    /// The place of the current top-level value, or of element `i` of its array `key`.
    fn place(&self, index: Option<(&'static str, u64)>) -> Place {
        Place {
            value: self.value,
            index,
        }
    }

    fn emit(&mut self, rec: &RawRecord<'_>, place: Place) {
        match self.sink.record(rec) {
            Ok(()) => self.records += 1,
            Err(why) => self.skipped.add(why, place),
        }
    }

    fn skip(&mut self, why: Skip, place: Place) {
        self.skipped.add(why, place);
    }

    /// Records passed on, skipped or counted as control messages so far.
    fn passed_on(&self) -> u64 {
        self.records + self.skipped.total() + self.control_messages
    }

    fn report(self, layout: Option<Layout>, damage: Vec<super::Damage>) -> DocReport {
        DocReport {
            layout,
            records: self.records,
            skipped: self.skipped,
            control_messages: self.control_messages,
            damage,
            intact: self.intact,
        }
    }
}

/// Reads a document of JSON values (every layout but the export's).
pub fn values(text: &str, sink: &mut dyn RecordSink) -> DocReport {
    values_in(text, false, sink)
}

/// [`values`] of a text that, when `continued`, follows a top-level value of the same file
/// (`input::json::for_each_value_in`).
pub fn values_in(text: &str, continued: bool, sink: &mut dyn RecordSink) -> DocReport {
    let mut ctx = Ctx::new(sink);
    let mut layout = None;
    let stream = for_each_value_in(text, 0, continued, |de, at| {
        ctx.value = at;
        ctx.broken_in = None;
        let before = ctx.passed_on();
        let result = (TopSeed { ctx: &mut ctx }).deserialize(de);
        layout = match (layout, &result) {
            (None, Ok(l)) => Some(*l),
            // A value that broke halfway still tells its layout.
            (None, Err(_)) => ctx.layout,
            (Some(Layout::Single), Ok(_)) => Some(Layout::Lines),
            (l, _) => l,
        };
        // Records of an envelope are passed on as they are read: a value that broke after
        // some were is not read again in part.
        result.map(|_| ()).map_err(|error| {
            let mut broken = Broken::new(error, ctx.passed_on() != before);
            // A break inside an array of records: the records after it are read on from the
            // next one that starts.
            if let Some((key, element, i)) = ctx.broken_in.take() {
                broken.index = Some((key, i));
                if !broken.error.is_eof() {
                    let e = &broken.error;
                    let err_at = at + offset_of(&text.as_bytes()[at..], e.line(), e.column());
                    broken.read_on = read_on(&mut ctx, text, err_at, key, element, i);
                }
            }
            broken
        })
    });
    if stream.empty {
        layout = Some(Layout::Empty);
    }
    ctx.report(layout, stream.damage)
}

/// The length of the `<timestamp> ` that starts each line of a CloudWatch Logs export
/// (`2024-03-09T10:00:00.000Z `: RFC 3339 in UTC, fractional seconds optional), if `line`
/// starts with one.
fn export_prefix(line: &[u8]) -> Option<usize> {
    const DATE: &[u8] = b"dddd-dd-ddTdd:dd:dd";
    if line.len() < DATE.len() + 2 {
        return None;
    }
    for (&b, &want) in line.iter().zip(DATE) {
        let ok = if want == b'd' {
            b.is_ascii_digit()
        } else {
            b == want
        };
        if !ok {
            return None;
        }
    }
    let mut i = DATE.len();
    if line[i] == b'.' {
        i += 1;
        let digits = line[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        i += digits;
    }
    (line.get(i..i + 2) == Some(b"Z ")).then_some(i + 2)
}

/// True when `text` is a CloudWatch Logs export: its first line that is not blank starts with
/// the export's timestamp.
pub fn is_export(text: &str) -> bool {
    let b = text.as_bytes();
    let b = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b);
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    export_prefix(&b[start..]).is_some()
}

/// Reads a CloudWatch Logs export, one line at a time: each line is `<timestamp> <message>`,
/// and the message is one event's JSON.
pub fn export_lines(text: &str, sink: &mut dyn RecordSink) -> DocReport {
    let mut ctx = Ctx::new(sink);
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        ctx.value = at;
        at += line.len();
        let line = line.trim_end_matches(['\n', '\r']);
        let line = if ctx.value == 0 {
            line.trim_start_matches('\u{feff}')
        } else {
            line
        };
        if line.trim().is_empty() {
            continue;
        }
        let place = ctx.place(None);
        match export_prefix(line.as_bytes()) {
            None => ctx.skip(Skip::NoTimestamp, place),
            // The prefix is ASCII, so `n` is a character boundary.
            Some(n) => match parse_record(line[n..].trim_end()) {
                Some(rec) => ctx.emit(&rec, place),
                None => ctx.skip(Skip::NotJson("an export line's message"), place),
            },
        }
    }
    ctx.report(Some(Layout::Export), Vec::new())
}

/// Parses one standalone record object (as in a lookup-events `CloudTrailEvent` string or a
/// CloudWatch Logs message): `None` unless the text is one JSON object and nothing else.
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

/// What a `messageType` says.
#[derive(Clone, Copy, PartialEq, Eq)]
enum MessageType {
    Data,
    Control,
    Unknown,
}

impl<'de> Visitor<'de> for TopSeed<'_, '_> {
    type Value = Layout;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a CloudTrail object or array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Layout, A::Error> {
        self.ctx.layout.get_or_insert(Layout::Array);
        elements(self.ctx, seq, Element::Record, "")?;
        Ok(Layout::Array)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Layout, A::Error> {
        let ctx = self.ctx;
        let mut rec = RawRecord::default();
        // The first envelope key seen says what the object is; until one is, it is a record.
        let mut kind: Option<Envelope> = None;
        let mut message_type = None;
        let mut detail_type = Str::default();
        let mut detail: Option<Option<RawRecord<'de>>> = None;
        while let Some(key) = map.next_key::<Str<'de>>()? {
            let key = key.as_deref().unwrap_or("");
            let Some(envelope) = Envelope::of_key(key.as_bytes()) else {
                record_field(&mut rec, key, &mut map)?;
                continue;
            };
            let kind = *kind.get_or_insert(envelope);
            ctx.layout.get_or_insert(layout_of(kind));
            match key {
                "Records" => array(ctx, &mut map, Element::Record, "Records")?,
                "Events" => array(ctx, &mut map, Element::Lookup, "Events")?,
                "events" => array(ctx, &mut map, Element::LogEvent, "events")?,
                "messageType" => {
                    let t: Str<'de> = map.next_value()?;
                    message_type = Some(match t.as_deref() {
                        Some("DATA_MESSAGE") => MessageType::Data,
                        Some("CONTROL_MESSAGE") => MessageType::Control,
                        _ => MessageType::Unknown,
                    });
                }
                // Read as data unless the `messageType` before it (where CloudWatch Logs puts
                // it) said otherwise.
                "logEvents" if message_type.is_none_or(|t| t == MessageType::Data) => {
                    array(ctx, &mut map, Element::LogEvent, "logEvents")?
                }
                "detail-type" => detail_type = map.next_value()?,
                "detail" => {
                    let mut out = None;
                    map.next_value_seed(RecordSeed(&mut out))?;
                    detail = Some(out);
                }
                // Digest keys, and log events of a payload that is not data.
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let place = ctx.place(None);
        match kind {
            None => {
                ctx.emit(&rec, place);
                Ok(Layout::Single)
            }
            Some(Envelope::Subscription) => {
                match message_type {
                    Some(MessageType::Control) => ctx.control_messages += 1,
                    Some(MessageType::Unknown) => ctx.skip(Skip::UnknownMessageType, place),
                    _ => {}
                }
                Ok(Layout::Subscription)
            }
            Some(Envelope::EventBridge) => {
                let via_cloudtrail = detail_type
                    .as_deref()
                    .is_some_and(|t| t.trim_end().ends_with("via CloudTrail"));
                match detail {
                    _ if !via_cloudtrail => ctx.skip(Skip::NotViaCloudTrail, place),
                    Some(Some(rec)) => ctx.emit(&rec, place),
                    _ => ctx.skip(Skip::NoDetail, place),
                }
                Ok(Layout::EventBridge)
            }
            Some(other) => Ok(layout_of(other)),
        }
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Layout, E> {
        Err(not_a_document())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Layout, E> {
        Err(not_a_document())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Layout, E> {
        Err(not_a_document())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Layout, E> {
        Err(not_a_document())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Layout, E> {
        Err(not_a_document())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Layout, E> {
        Err(not_a_document())
    }
}

fn not_a_document<E: de::Error>() -> E {
    E::custom("a top-level value that is not an object or array")
}

/// The layout an envelope key makes.
fn layout_of(kind: Envelope) -> Layout {
    match kind {
        Envelope::Records => Layout::Records,
        Envelope::LookupEvents => Layout::LookupEvents,
        Envelope::Digest => Layout::Digest,
        Envelope::Subscription => Layout::Subscription,
        Envelope::LogEvents => Layout::LogEvents,
        Envelope::EventBridge => Layout::EventBridge,
    }
}

/// What the elements of an array of records hold.
#[derive(Clone, Copy, Debug)]
enum Element {
    /// Record objects (`Records`, a top-level array).
    Record,
    /// lookup-events entries, whose `CloudTrailEvent` string holds the record.
    Lookup,
    /// CloudWatch Logs events, whose `message` string holds the record.
    LogEvent,
}

/// Reading on after a break at `err_at` in element `i` of the array `key` (`""`: the top-level
/// array) of the top-level value at `ctx.value`: from the next place a record starts
/// ([`resync`]: an object after a `,` that reads as a whole element of the array, or a
/// damaged one), each element is read as a value of its own, to the end of the array and of
/// the value around it; a break among them is passed over the same way. `None` when no record
/// starts after the break before the next top-level value: the caller recovers as before.
fn read_on(
    ctx: &mut Ctx<'_>,
    text: &str,
    err_at: usize,
    key: &'static str,
    element: Element,
    i: u64,
) -> Option<ReadOn> {
    let buf = text.as_bytes();
    let within = Within::Array {
        top: key.is_empty(),
    };
    // The next place reading goes on after a break at `at` in the element starting at
    // `floor` (or in the value, for the first break).
    let next = |at: usize, floor: usize| match resync(
        buf,
        at,
        search_start(at, floor, within),
        within,
        true,
    ) {
        Found::At(r) => Some(r),
        Found::Nothing | Found::More(_) => None,
    };
    // Whether the element found at `r` after a break at `from` is right at the break, after a
    // `}`: a comma missing before it.
    let at_break = |from: usize, r: usize| {
        let prev = buf[..r].iter().rposition(|b| !b.is_ascii_whitespace());
        r == skip_ws(buf, from) && prev.is_some_and(|p| buf[p] == b'}')
    };
    // No element after the break: the rest of the value, up to the next top-level value
    // inside the array's reach, is not read, as when the array ends with the damaged record
    // in a piece of a big file (so the places are the same read whole and in pieces).
    let mut p = match next(err_at, ctx.value) {
        Some(Resync::Element(p)) => p,
        Some(Resync::Top(j)) => {
            return Some(ReadOn {
                end: j,
                ..ReadOn::default()
            });
        }
        None => {
            return Some(ReadOn {
                end: buf.len(),
                ..ReadOn::default()
            });
        }
    };
    // Right at the break, the element found is the one the array's reading broke before (`i`,
    // after a whole element and a missing comma): no record was lost. Else it is the one
    // after the broken one.
    let intact = at_break(err_at, p);
    ctx.intact += u64::from(intact);
    let mut out = ReadOn {
        resumed: Some(p),
        intact,
        ..ReadOn::default()
    };
    let mut index = if intact { i } else { i + 1 };
    loop {
        // `p` starts an element.
        let rest = &text[p..];
        let at = |e: &serde_json::Error| p + offset_of(rest.as_bytes(), e.line(), e.column());
        let mut de = serde_json::Deserializer::from_str(rest);
        let place = ctx.place(Some((key, index)));
        let read = ElementSeed {
            ctx: &mut *ctx,
            element,
            place,
        }
        .deserialize(&mut de);
        let (q, message) = match read.map(|()| de.end()) {
            Err(e) if e.is_eof() => {
                out.more.push((at(&e), strip(&e), true, Some((key, index))));
                out.end = buf.len();
                return Some(out);
            }
            Err(e) => (at(&e), strip(&e)),
            // The text ends right after the element: the array is not closed.
            Ok(Ok(())) => {
                out.more.push((
                    buf.len(),
                    "EOF while parsing a list".into(),
                    true,
                    Some((key, index)),
                ));
                out.end = buf.len();
                return Some(out);
            }
            // The element was read whole; the error names the token after it.
            Ok(Err(e)) => {
                let q = at(&e);
                match buf[q] {
                    b',' => {
                        p = skip_ws(buf, q + 1);
                        index += 1;
                        continue;
                    }
                    b']' => {
                        match close_value(text, q + 1, key.is_empty()) {
                            Ok(end) => out.end = end,
                            Err((q, message)) => {
                                out.more.push((q, message, false, None));
                                out.end = rest_end(buf, q);
                            }
                        }
                        return Some(out);
                    }
                    _ => {
                        // After a whole element: a comma missing before the next one costs
                        // no record.
                        if buf[q] == b'{'
                            && let Some(Resync::Element(r)) = next(q, p)
                            && at_break(q, r)
                        {
                            ctx.intact += 1;
                            index += 1;
                            out.more.push((
                                q,
                                format!("expected `,` or `]`{MISSING_COMMA}"),
                                false,
                                Some((key, index)),
                            ));
                            p = r;
                            continue;
                        }
                        (q, "expected `,` or `]`".to_string())
                    }
                }
            }
        };
        // Broken again: on from the next record, if one starts before the next top-level
        // value.
        match next(q, p) {
            Some(Resync::Element(r)) => {
                out.more.push((q, message, false, Some((key, index))));
                index += 1;
                p = r;
            }
            other => {
                let end = match other {
                    Some(Resync::Top(j)) => j,
                    _ => buf.len(),
                };
                out.more.push((q, message, false, Some((key, index))));
                out.end = end;
                return Some(out);
            }
        }
    }
}

/// serde_json's message without its position.
fn strip(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Where top-level values are read on after a break at `q` past the array: the next top-level
/// start, or the end.
fn rest_end(buf: &[u8], q: usize) -> usize {
    match resync(buf, q, q, Within::Values, true) {
        Found::At(Resync::Top(j) | Resync::Element(j)) => j,
        Found::Nothing | Found::More(_) => buf.len(),
    }
}

/// The end of the top-level value whose array of records closed just before `p`: right there
/// for a top-level array (`top`), else after the rest of the object's members, passed over
/// (no envelope holds anything counted after its records). `Err`: where it breaks, and why.
fn close_value(text: &str, p: usize, top: bool) -> Result<usize, (usize, String)> {
    if top {
        return Ok(p);
    }
    let buf = text.as_bytes();
    let mut p = skip_ws(buf, p);
    loop {
        match buf.get(p) {
            Some(b'}') => return Ok(p + 1),
            Some(b',') => {}
            None => return Err((p, "EOF while parsing an object".into())),
            Some(_) => return Err((p, "expected `,` or `}`".into())),
        }
        // `, "key": value`
        let key = skip_ws(buf, p + 1);
        if buf.get(key) != Some(&b'"') {
            return Err((key, "expected a key".into()));
        }
        let colon = value_end(text, key)?;
        if buf.get(colon) != Some(&b':') {
            return Err((colon, "expected `:`".into()));
        }
        p = value_end(text, colon + 1)?;
    }
}

/// The offset of the first token after the JSON value at `p` (the text's end after the last).
fn value_end(text: &str, p: usize) -> Result<usize, (usize, String)> {
    let rest = &text[p..];
    let mut de = serde_json::Deserializer::from_str(rest);
    let at = |e: &serde_json::Error| p + offset_of(rest.as_bytes(), e.line(), e.column());
    <IgnoredAny as serde::Deserialize>::deserialize(&mut de).map_err(|e| (at(&e), strip(&e)))?;
    Ok(match de.end() {
        Ok(()) => text.len(),
        Err(e) => at(&e),
    })
}

/// The value of the array member `key`: its elements are read as `element`; a value that is
/// not an array is one skipped record (`null` holds none).
fn array<'de, A: MapAccess<'de>>(
    ctx: &mut Ctx<'_>,
    map: &mut A,
    element: Element,
    key: &'static str,
) -> Result<(), A::Error> {
    let place = ctx.place(None);
    if !map.next_value_seed(ArraySeed { ctx, element, key })? {
        ctx.skip(Skip::NotAnArray(key), place);
    }
    Ok(())
}

/// Reads every element of `seq` as `element`, each at its index in the array `key`.
fn elements<'de, A: SeqAccess<'de>>(
    ctx: &mut Ctx<'_>,
    mut seq: A,
    element: Element,
    key: &'static str,
) -> Result<(), A::Error> {
    let mut i = 0;
    loop {
        let place = ctx.place(Some((key, i)));
        let seed = ElementSeed {
            ctx: &mut *ctx,
            element,
            place,
        };
        match seq.next_element_seed(seed) {
            Ok(Some(())) => {}
            Ok(None) => return Ok(()),
            Err(e) => {
                ctx.broken_in.get_or_insert((key, element, i));
                return Err(e);
            }
        }
        i += 1;
    }
}

/// The value of an array member; yields false when it is not an array.
struct ArraySeed<'c, 's> {
    ctx: &'c mut Ctx<'s>,
    element: Element,
    key: &'static str,
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

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<bool, A::Error> {
        elements(self.ctx, seq, self.element, self.key)?;
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

/// One element of an array of records: a record, an entry whose string member holds one, or a
/// value that is neither (skipped).
struct ElementSeed<'c, 's> {
    ctx: &'c mut Ctx<'s>,
    element: Element,
    place: Place,
}

impl<'de> DeserializeSeed<'de> for ElementSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        match self.element {
            Element::Record => {
                let mut out = None;
                RecordSeed(&mut out).deserialize(d)?;
                match out {
                    Some(rec) => self.ctx.emit(&rec, self.place),
                    None => self.ctx.skip(Skip::NotAnObject, self.place),
                }
            }
            Element::Lookup => {
                let text = d.deserialize_any(TextMember("CloudTrailEvent"))?;
                embedded(
                    self.ctx,
                    text,
                    self.place,
                    Skip::NoCloudTrailEvent,
                    "a CloudTrailEvent string",
                );
            }
            Element::LogEvent => {
                let text = d.deserialize_any(TextMember("message"))?;
                embedded(
                    self.ctx,
                    text,
                    self.place,
                    Skip::NoMessage,
                    "a log event's message",
                );
            }
        }
        Ok(())
    }
}

/// Reads the record held as JSON text in a string member of an entry (`text`: `None` when the
/// element is not an object, `Some(Str(None))` when it has no such string).
fn embedded(
    ctx: &mut Ctx<'_>,
    text: Option<Str<'_>>,
    place: Place,
    missing: Skip,
    what: &'static str,
) {
    match text {
        None => ctx.skip(Skip::NotAnObject, place),
        Some(Str(None)) => ctx.skip(missing, place),
        Some(Str(Some(text))) => match parse_record(&text) {
            Some(rec) => ctx.emit(&rec, place),
            None => ctx.skip(Skip::NotJson(what), place),
        },
    }
}

/// Reads one string member (the key given) of an object: `None` when the value is not an
/// object, else the member as a lenient string (the last one, when repeated).
struct TextMember(&'static str);

impl<'de> Visitor<'de> for TextMember {
    type Value = Option<Str<'de>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut text = Str::default();
        while let Some(key) = map.next_key::<Str<'de>>()? {
            if key.as_deref() == Some(self.0) {
                text = map.next_value()?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(Some(text))
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
        "recipientAccountId" => rec.recipient_account_id = map.next_value()?,
        "userIdentity" => rec.user_identity = map.next_value()?,
        "requestParameters" => rec.request_parameters = map.next_value()?,
        "resources" => rec.resources = map.next_value()?,
        _ => {
            map.next_value::<IgnoredAny>()?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloudtrail::{FnSink, field, parse_document};

    /// Parses `text` and returns the report plus the event names seen, in order.
    fn run(text: &str) -> (DocReport, Vec<String>) {
        run_on(text, false)
    }

    /// [`run`] on the serde_json path alone (`serde_only`) or on the fast path first.
    fn run_on(text: &str, serde_only: bool) -> (DocReport, Vec<String>) {
        let mut names = Vec::new();
        let mut sink = FnSink(|r: &RawRecord<'_>| names.push(field(&r.event_name).to_string()));
        let report = if serde_only {
            crate::cloudtrail::parse_document_serde(text, &mut sink)
        } else {
            parse_document(text, &mut sink)
        };
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
        let message = |r: &str| serde_json::to_string(r).unwrap();
        let subscription = format!(
            r#"{{"messageType":"CONTROL_MESSAGE","logEvents":[{{"message":"CWL CONTROL MESSAGE"}}]}}{{"messageType":"DATA_MESSAGE","owner":"1","logEvents":[{{"id":"1","timestamp":1,"message":{}}},{{"id":"2","timestamp":2,"message":{}}}]}}"#,
            message(&a),
            message(&b)
        );
        let log_events = format!(
            r#"{{"events":[{{"logStreamName":"s","message":{}}},{{"message":{}}}],"nextForwardToken":"f/1"}}"#,
            message(&a),
            message(&b)
        );
        let export = format!("2024-03-09T10:00:00.000Z {a}\r\n2024-03-09T10:00:01Z {b}\n");
        let eventbridge = format!(
            r#"{{"version":"0","detail-type":"AWS API Call via CloudTrail","detail":{a}}}
{{"detail":{b},"detail-type":"AWS Service Event via CloudTrail"}}"#
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
            (subscription, Layout::Subscription, 2),
            (log_events, Layout::LogEvents, 2),
            (export, Layout::Export, 2),
            (eventbridge, Layout::EventBridge, 2),
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
            assert!(rep.skipped.is_empty(), "{text}");
        }
    }

    #[test]
    fn export_prefix_is_an_rfc3339_utc_time_and_a_space() {
        for (line, want) in [
            ("2024-03-09T10:00:00.000Z {", Some(25)),
            ("2024-03-09T10:00:00Z {", Some(21)),
            ("2024-03-09T10:00:00.123456789Z x", Some(31)),
            ("2024-03-09T10:00:00.Z {", None),
            ("2024-03-09T10:00:00+00:00 {", None),
            ("2024-03-09 10:00:00Z {", None),
            ("2024-03-09T10:00:00Z", None),
            ("{\"eventTime\":1}", None),
        ] {
            assert_eq!(export_prefix(line.as_bytes()), want, "{line}");
        }
        assert!(is_export("\u{feff}\n  2024-03-09T10:00:00Z {}"));
        assert!(!is_export("[2024-03-09T10:00:00Z]"));
    }

    #[test]
    fn control_messages_are_counted_apart() {
        let control = r#"{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logEvents":[{"id":"","timestamp":1,"message":"CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}"#;
        let (rep, names) = run(&format!("{control}\n{control}"));
        assert!(names.is_empty());
        assert_eq!(rep.layout, Some(Layout::Subscription));
        assert_eq!((rep.records, rep.control_messages), (0, 2));
        assert!(rep.skipped.is_empty() && rep.damage.is_empty());
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

    /// Record `i` as CloudTrail writes it (its first key `eventVersion`), named `E{i}`, with a
    /// nested array of objects and a string holding JSON, as real records have.
    fn ct(i: usize) -> String {
        format!(
            r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","userName":"u{i}"}},"eventTime":"2024-01-01T00:00:00Z","eventSource":"kinesis.amazonaws.com","eventName":"E{i}","awsRegion":"us-east-1","requestParameters":{{"streamName":"s","policy":"{{\"eventVersion\":\"x\"}},{{\"a\":1}}"}},"resources":[{{"ARN":"arn:a"}},{{"ARN":"arn:b"}}],"eventID":"id-{i}"}}"#
        )
    }

    /// 100 records on one line, as CloudTrail delivers them, with record 11 damaged in each of
    /// the ways a file gets damaged: only record 11 is lost, the 99 others count (built so:
    /// names E0..E99 but E11), and the one damaged place is named with its jq path. The same
    /// whether the records are in an envelope, a top-level array or pretty-printed, and on the
    /// serde path alone.
    #[test]
    fn a_damaged_record_of_one_line_costs_only_itself() {
        let records: Vec<String> = (0..100).map(ct).collect();
        type Mutate = fn(&str) -> String;
        let damages: [(&str, Mutate); 6] = [
            ("a string's closing quote cut", |r| {
                r.replacen(r#""E11","#, r#""E11,"#, 1)
            }),
            ("a stray byte in a value", |r| {
                r.replacen(r#""us-east-1""#, r#""us-east-1"x"#, 1)
            }),
            ("a missing comma between members", |r| {
                r.replacen(r#""E11","#, r#""E11""#, 1)
            }),
            ("a value cut out", |r| r.replacen(r#""us-east-1""#, "", 1)),
            ("a raw control character in a string", |r| {
                r.replacen("us-east", "us\u{1}east", 1)
            }),
            ("a key's quote cut", |r| {
                r.replacen(r#""eventID""#, r#"eventID""#, 1)
            }),
        ];
        let want: Vec<String> = (0..100)
            .filter(|&i| i != 11)
            .map(|i| format!("E{i}"))
            .collect();
        for (what, damage) in damages {
            let mut rs = records.clone();
            rs[11] = damage(&rs[11]);
            assert_ne!(rs[11], records[11], "{what}");
            let pretty = |r: &String| {
                // json.dumps(indent=2) of the record, as far as its layout goes: a record
                // that no longer parses keeps its one line, indented.
                serde_json::from_str::<serde_json::Value>(r)
                    .map(|v| serde_json::to_string_pretty(&v).unwrap())
                    .unwrap_or_else(|_| r.clone())
            };
            let pretty_all: Vec<String> = rs.iter().map(pretty).collect();
            for (layout, text, path) in [
                (
                    "envelope",
                    format!(r#"{{"Records":[{}]}}"#, rs.join(",")),
                    ".Records[11]",
                ),
                ("array", format!("[{}]", rs.join(",")), "[11]"),
                (
                    "envelope with a member after",
                    format!(r#"{{"Records":[{}],"x":{{"y":[1]}}}}"#, rs.join(", ")),
                    ".Records[11]",
                ),
                (
                    "pretty envelope",
                    format!(
                        "{{\n  \"Records\": [\n{}\n  ]\n}}\n",
                        pretty_all.join(",\n")
                    ),
                    ".Records[11]",
                ),
            ] {
                for serde_only in [false, true] {
                    let (rep, names) = run_on(&text, serde_only);
                    let name = format!("{what}, {layout}, serde only: {serde_only}");
                    assert_eq!(names, want, "{name}: {:?}", rep.damage);
                    assert_eq!(rep.records, 99, "{name}");
                    assert_eq!(rep.damage.len(), 1, "{name}: {:?}", rep.damage);
                    let d = &rep.damage[0];
                    let shown = d.to_string();
                    assert!(shown.contains(path), "{name}: {shown}");
                    assert!(!shown.contains("unread"), "{name}: {shown}");
                    // The place is inside record 11.
                    let start = text.find(r#"E10""#).unwrap();
                    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
                    let at = text[..line_start].matches('\n').count();
                    assert!(d.line > at, "{name}: {shown}");
                }
            }
        }
    }

    /// Record `i` with what makes reading on after a break hard: arrays of objects nested in
    /// it (one of objects whose first key is `eventVersion`, as records' is), and a first key
    /// that is `eventVersion` for even `i` and `eventTime` for odd `i` (a file of records
    /// written by more than one tool).
    fn nested(i: usize) -> String {
        let time = r#""eventTime":"2024-01-01T00:00:00Z""#;
        let (first, second) = if i.is_multiple_of(2) {
            (r#""eventVersion":"1.08""#, time)
        } else {
            (time, r#""eventVersion":"1.08""#)
        };
        format!(
            r#"{{{first},{second},"eventSource":"kinesis.amazonaws.com","eventName":"E{i}","awsRegion":"us-east-1","requestParameters":{{"streamName":"s","items":[{{"eventVersion":"a"}},{{"eventVersion":"b"}},{{"eventVersion":"c"}}]}},"resources":[{{"ARN":"arn:a"}},{{"ARN":"arn:b"}},{{"ARN":"arn:c"}}],"eventID":"id-{i}"}}"#
        )
    }

    /// The review's cases (D1, D3, D4, D9): 40 records, record 10 damaged so that what follows
    /// the break inside it looks like the next record, or the start of record 11 is swallowed,
    /// or record 11's first key is not record 0's. Only record 10 is lost (39 read, names
    /// E0..E39 but E10 by construction), one damaged place, `.Records[10]` (`[10]` in a
    /// top-level array), in an envelope on one line, a top-level array, pretty-printed, and as
    /// JSON lines (line 11), on the serde path alone and with the fast path first.
    #[test]
    fn what_follows_a_break_is_checked_before_reading_on() {
        let records: Vec<String> = (0..40).map(nested).collect();
        type Mutate = fn(&str) -> String;
        let damages: [(&str, Mutate); 5] = [
            // D1: a comma missing between two nested objects, a `}{` inside the record.
            ("a }{ inside the record", |r| {
                r.replacen(
                    r#"{"ARN":"arn:a"},{"ARN":"arn:b"}"#,
                    r#"{"ARN":"arn:a"}{"ARN":"arn:b"}"#,
                    1,
                )
            }),
            // D4: a break before nested objects whose first key is `eventVersion`.
            ("objects like records after the break", |r| {
                r.replacen(r#""us-east-1""#, r#""us-east-1"x"#, 1)
            }),
            // D3: the last string's closing quote cut: it runs into record 11.
            ("a string cut open at the record's end", |r| {
                r.replacen(r#""id-10""#, r#""id-10"#, 1)
            }),
            // D9: record 11 starts with `eventTime`, record 0 with `eventVersion`.
            ("a missing comma between members", |r| {
                r.replacen(r#""E10","#, r#""E10""#, 1)
            }),
            ("a value cut out", |r| r.replacen(r#""us-east-1""#, "", 1)),
        ];
        let want: Vec<String> = (0..40)
            .filter(|&i| i != 10)
            .map(|i| format!("E{i}"))
            .collect();
        for (what, damage) in damages {
            let mut rs = records.clone();
            rs[10] = damage(&rs[10]);
            assert_ne!(rs[10], records[10], "{what}");
            let pretty: Vec<String> = rs
                .iter()
                .map(|r| {
                    serde_json::from_str::<serde_json::Value>(r)
                        .map(|v| serde_json::to_string_pretty(&v).unwrap())
                        .unwrap_or_else(|_| r.clone())
                })
                .collect();
            for (layout, text, path) in [
                (
                    "envelope",
                    format!(r#"{{"Records":[{}]}}"#, rs.join(",")),
                    ".Records[10]",
                ),
                ("array", format!("[{}]", rs.join(",")), "[10]"),
                (
                    "pretty envelope",
                    format!("{{\n  \"Records\": [\n{}\n  ]\n}}\n", pretty.join(",\n")),
                    ".Records[10]",
                ),
                ("json lines", rs.join("\n") + "\n", "line 11"),
            ] {
                for serde_only in [false, true] {
                    let (rep, names) = run_on(&text, serde_only);
                    let name = format!("{what}, {layout}, serde only: {serde_only}");
                    assert_eq!(names, want, "{name}: {:?}", rep.damage);
                    assert_eq!((rep.records, rep.skipped.total()), (39, 0), "{name}");
                    assert_eq!(rep.damage.len(), 1, "{name}: {:?}", rep.damage);
                    let shown = rep.damage[0].to_string();
                    // A string cut open on line 11 breaks at its end, the newline.
                    let at_end = layout == "json lines" && shown.contains("line 12, column 1:");
                    assert!(shown.contains(path) || at_end, "{name}: {shown}");
                    assert!(!shown.contains("unread"), "{name}: {shown}");
                }
            }
        }
    }

    /// A break before an array of 300 small objects nested in record 10 (`{"k":0},...`): none
    /// is taken for a record, though each reads whole and so do the ones after it, since the
    /// check reads on to the array's end, which ends no top-level value. 39 read of 40, one
    /// place (with 16 elements checked, 30 nested objects made 10 read).
    #[test]
    fn a_long_nested_array_after_a_break_is_not_taken_for_records() {
        let rec = |i: usize| {
            let items: Vec<String> = (0..300).map(|k| format!(r#"{{"k":{k}}}"#)).collect();
            format!(
                r#"{{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z","eventSource":"kinesis.amazonaws.com","eventName":"E{i}","awsRegion":"us-east-1","requestParameters":{{"items":[{}]}},"eventID":"id-{i}"}}"#,
                items.join(",")
            )
        };
        let mut rs: Vec<String> = (0..40).map(rec).collect();
        rs[10] = rs[10].replacen(r#""us-east-1""#, r#""us-east-1"x"#, 1);
        let (rep, names) = run(&format!(r#"{{"Records":[{}]}}"#, rs.join(",")));
        let want: Vec<String> = (0..40)
            .filter(|&i| i != 10)
            .map(|i| format!("E{i}"))
            .collect();
        assert_eq!(names, want, "{:?}", rep.damage);
        assert_eq!(
            (rep.records, rep.skipped.total(), rep.damage.len()),
            (39, 0, 1)
        );
        assert!(rep.damage[0].to_string().contains(".Records[10]"));
    }

    /// A comma missing between records 10 and 11 of 40 (`}{` where `},{` belongs) costs no
    /// record: all 40 are read, one damaged place names record 11 and says both were read,
    /// and it counts in `intact` (so no record is counted skipped). The same after an earlier
    /// break (record 5 damaged: 39 read, two places, the second intact, `[20]`), in an
    /// envelope, a top-level array and pretty-printed, on both paths.
    #[test]
    fn a_comma_missing_between_records_costs_no_record() {
        let records: Vec<String> = (0..40).map(nested).collect();
        let pretty: Vec<String> = records
            .iter()
            .map(|r| {
                let v: serde_json::Value = serde_json::from_str(r).unwrap();
                serde_json::to_string_pretty(&v).unwrap()
            })
            .collect();
        // The records joined by `sep`, but for no separator before each of `missing`.
        let join = |rs: &[String], sep: &str, missing: &[usize]| {
            let mut s = String::new();
            for (i, r) in rs.iter().enumerate() {
                if i > 0 && !missing.contains(&i) {
                    s.push_str(sep);
                }
                s.push_str(r);
            }
            s
        };
        let mut damaged = records.clone();
        damaged[5] = damaged[5].replacen(r#""us-east-1""#, r#""us-east-1"x"#, 1);
        for (what, rs, missing, lost) in [
            ("a missing comma", &records, 11, None),
            (
                "a missing comma after a damaged record",
                &damaged,
                20,
                Some(5),
            ),
        ] {
            let want: Vec<String> = (0..40)
                .filter(|&i| Some(i) != lost)
                .map(|i| format!("E{i}"))
                .collect();
            let pretty_rs: Vec<String> = if lost.is_some() {
                let mut p = pretty.clone();
                p[5] = p[5].replacen(r#""us-east-1""#, r#""us-east-1"x"#, 1);
                p
            } else {
                pretty.clone()
            };
            for (layout, text, path) in [
                (
                    "envelope",
                    format!(r#"{{"Records":[{}]}}"#, join(rs, ",", &[missing])),
                    format!(".Records[{missing}]"),
                ),
                (
                    "array",
                    format!("[{}]", join(rs, ",", &[missing])),
                    format!(", [{missing}]"),
                ),
                (
                    "pretty envelope",
                    format!(
                        "{{\n  \"Records\": [\n{}\n  ]\n}}\n",
                        join(&pretty_rs, ",\n", &[missing])
                    ),
                    format!(".Records[{missing}]"),
                ),
            ] {
                for serde_only in [false, true] {
                    let (rep, names) = run_on(&text, serde_only);
                    let name = format!("{what}, {layout}, serde only: {serde_only}");
                    assert_eq!(names, want, "{name}: {:?}", rep.damage);
                    assert_eq!(rep.records, want.len() as u64, "{name}");
                    let places = 1 + usize::from(lost.is_some());
                    assert_eq!(rep.damage.len(), places, "{name}: {:?}", rep.damage);
                    assert_eq!(rep.intact, 1, "{name}: {:?}", rep.damage);
                    let shown = rep.damage[places - 1].to_string();
                    assert!(shown.contains(&path), "{name}: {shown}");
                    assert!(shown.contains("both read"), "{name}: {shown}");
                    if lost.is_some() {
                        let first = rep.damage[0].to_string();
                        assert!(
                            first.contains("[5]") && !first.contains("both read"),
                            "{name}: {first}"
                        );
                    }
                }
            }
        }
    }

    /// The envelopes of other pipelines: a CloudWatch Logs subscription payload holds many
    /// log events in one value (read on from the next one, known by its first key, `id`); a
    /// lookup-events page the same (`EventId`); payloads or EventBridge events concatenated on
    /// one line, as Firehose writes them, each one value, are read on from the next `}{`.
    /// Expected names by construction.
    #[test]
    fn other_envelopes_read_on_after_a_break() {
        let message = |r: &str| serde_json::to_string(r).unwrap();
        let names = |n: usize| (0..n).map(|i| format!("N{i}")).collect::<Vec<_>>();
        let log_events: Vec<String> = names(6)
            .iter()
            .enumerate()
            .map(|(i, n)| {
                format!(
                    r#"{{"id":"{i}","timestamp":{i},"message":{}}}"#,
                    message(&ev(n))
                )
            })
            .collect();
        let mut damaged = log_events.clone();
        damaged[2] = damaged[2].replacen(r#""timestamp":2"#, r#""timestamp":2x"#, 1);
        let payload = format!(
            r#"{{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"g","logStream":"s","subscriptionFilters":["f"],"logEvents":[{}]}}"#,
            damaged.join(",")
        );
        let (rep, got) = run(&payload);
        assert_eq!(got, ["N0", "N1", "N3", "N4", "N5"]);
        assert_eq!(rep.damage.len(), 1);
        assert!(
            rep.damage[0].to_string().contains(".logEvents[2]"),
            "{:?}",
            rep.damage
        );
        assert_eq!(rep.layout, Some(Layout::Subscription));

        let lookup: Vec<String> = names(4)
            .iter()
            .map(|n| format!(r#"{{"EventId":"x","CloudTrailEvent":{}}}"#, message(&ev(n))))
            .collect();
        let mut damaged = lookup.clone();
        damaged[1] = damaged[1].replacen(r#""EventId":"x""#, r#""EventId":"x"#, 1);
        let page = format!(r#"{{"Events":[{}],"NextToken":"t"}}"#, damaged.join(","));
        let (rep, got) = run(&page);
        assert_eq!(got, ["N0", "N2", "N3"]);
        assert_eq!(rep.damage.len(), 1);
        assert!(
            rep.damage[0].to_string().contains(".Events[1]"),
            "{:?}",
            rep.damage
        );

        // Two payloads on one line, the first broken outside its array: the second counts.
        let second = format!(
            r#"{{"messageType":"DATA_MESSAGE","owner":"1","logEvents":[{}]}}"#,
            log_events[3..].join(",")
        );
        let first = format!(
            r#"{{"messageType":"DATA_MESSAGE","owner":1x,"logEvents":[{}]}}"#,
            log_events[..3].join(",")
        );
        let (rep, got) = run(&format!("{first}{second}"));
        assert_eq!(got, ["N3", "N4", "N5"]);
        assert_eq!(rep.damage.len(), 1);
        // EventBridge events concatenated on one line, the second broken.
        let events: Vec<String> = names(4)
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let detail = if i == 1 { ev(n).replacen("\"x\"", "\"x\" x", 1) } else { ev(n) };
                format!(r#"{{"version":"0","detail-type":"AWS API Call via CloudTrail","detail":{detail}}}"#)
            })
            .collect();
        let (rep, got) = run(&events.concat());
        assert_eq!(got, ["N0", "N2", "N3"]);
        assert_eq!(rep.damage.len(), 1);
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
            assert_eq!((rep.records, rep.skipped.total()), (records, bad), "{text}");
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
        assert_eq!(rep.skipped.total(), 1);
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
