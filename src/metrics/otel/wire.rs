//! The OpenTelemetry metrics messages read in place, on prost's wire primitives.
//!
//! A message is read twice, with no allocation either time:
//! - [`check`] decides whether it is an `ExportMetricsServiceRequest` as the message structs of
//!   the comparison decoder (`reference.rs`, prost's derive) would decode it: the same fields,
//!   the same wire types, the same errors, word for word. It is prost's own decoding
//!   (`prost::encoding`: `message::merge`, `fixed64::merge`, `skip_field`, with prost's
//!   recursion limit) driven by a table of those structs' fields ([`REQUEST`] and the tables it
//!   points to) instead of by generated code that builds a `Vec` for every repeated field.
//! - [`Fields`] then walks a checked message's fields in order, strings and embedded messages
//!   as slices of the buffer. Protobuf's rules for a field given more than once (a scalar or
//!   string: the last one counts; a repeated field: all of them, in order; an embedded message:
//!   all of them merged, which reads the same as visiting each one's fields in turn) are the
//!   caller's, field by field.
//!
//! The schema has no repeated scalars, so packed encoding does not arise: protobuf packs only
//! repeated numeric fields, and the quantiles are messages.

use std::fmt;

use prost::bytes::{Buf, BufMut};
use prost::encoding::{self, DecodeContext, WireType};
use prost::{DecodeError, Message};

/// What a field holds.
#[derive(Clone, Copy)]
enum Kind {
    /// An embedded message, given once or repeated (prost reads both alike).
    Message(&'static Schema),
    /// `bytes` (the strings: read as bytes, so UTF-8 is the caller's business).
    Bytes,
    /// `fixed64` or `double`.
    Fixed64,
}

/// A field of a message: its number, its name in the struct, what it holds.
struct Field {
    tag: u32,
    name: &'static str,
    kind: Kind,
}

/// A message: its struct's name (prost's errors name it) and the fields read; any other field
/// is skipped as unknown.
pub struct Schema {
    name: &'static str,
    fields: &'static [Field],
    /// For each field number below 16, 1 + the index of its field (0: unknown).
    index: [u8; 16],
}

impl Schema {
    const fn new(name: &'static str, fields: &'static [Field]) -> Schema {
        let mut index = [0; 16];
        let mut i = 0;
        while i < fields.len() {
            index[fields[i].tag as usize] = i as u8 + 1;
            i += 1;
        }
        Schema {
            name,
            fields,
            index,
        }
    }

    /// The field numbered `tag`, if it is one of the message's.
    #[inline(always)]
    fn field(&self, tag: u32) -> Option<&'static Field> {
        let i = *self.index.get(tag as usize)?;
        self.fields.get(usize::from(i).checked_sub(1)?)
    }
}

const fn field(tag: u32, name: &'static str, kind: Kind) -> Field {
    Field { tag, name, kind }
}

/// `ExportMetricsServiceRequest`.
pub static REQUEST: Schema = Schema::new(
    "Request",
    &[field(
        1,
        "resource_metrics",
        Kind::Message(&RESOURCE_METRICS),
    )],
);
static RESOURCE_METRICS: Schema = Schema::new(
    "ResourceMetrics",
    &[
        field(1, "resource", Kind::Message(&RESOURCE)),
        field(2, "scope_metrics", Kind::Message(&SCOPE_METRICS)),
    ],
);
static RESOURCE: Schema = Schema::new(
    "Resource",
    &[field(1, "attributes", Kind::Message(&KEY_VALUE))],
);
static SCOPE_METRICS: Schema = Schema::new(
    "ScopeMetrics",
    &[field(2, "metrics", Kind::Message(&METRIC))],
);
static METRIC: Schema = Schema::new(
    "Metric",
    &[
        field(1, "name", Kind::Bytes),
        field(11, "summary", Kind::Message(&SUMMARY)),
    ],
);
static SUMMARY: Schema = Schema::new(
    "Summary",
    &[field(1, "data_points", Kind::Message(&DATA_POINT))],
);
static DATA_POINT: Schema = Schema::new(
    "DataPoint",
    &[
        field(1, "labels", Kind::Message(&STRING_KEY_VALUE)),
        field(2, "start_time_unix_nano", Kind::Fixed64),
        field(3, "time_unix_nano", Kind::Fixed64),
        field(4, "count", Kind::Fixed64),
        field(5, "sum", Kind::Fixed64),
        field(6, "quantile_values", Kind::Message(&VALUE_AT_QUANTILE)),
        field(7, "attributes", Kind::Message(&KEY_VALUE)),
    ],
);
static VALUE_AT_QUANTILE: Schema = Schema::new(
    "ValueAtQuantile",
    &[
        field(1, "quantile", Kind::Fixed64),
        field(2, "value", Kind::Fixed64),
    ],
);
static STRING_KEY_VALUE: Schema = Schema::new(
    "StringKeyValue",
    &[field(1, "key", Kind::Bytes), field(2, "value", Kind::Bytes)],
);
static KEY_VALUE: Schema = Schema::new(
    "KeyValue",
    &[
        field(1, "key", Kind::Bytes),
        field(2, "value", Kind::Message(&ANY_VALUE)),
    ],
);
static ANY_VALUE: Schema = Schema::new(
    "AnyValue",
    &[
        field(1, "string_value", Kind::Bytes),
        field(6, "kvlist_value", Kind::Message(&KEY_VALUE_LIST)),
    ],
);
static KEY_VALUE_LIST: Schema = Schema::new(
    "KeyValueList",
    &[field(1, "values", Kind::Message(&KEY_VALUE))],
);

/// A message of `schema` being checked. It keeps no values, so it encodes as the empty message;
/// it is a [`Message`] only so that prost's decoding functions drive it.
struct Check(&'static Schema);

impl fmt::Debug for Check {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.0.name)
    }
}

impl Message for Check {
    fn encode_raw(&self, _: &mut impl BufMut) {}

    /// What prost's derive generates for the struct, minus keeping the value: known fields
    /// through the same `prost::encoding` function, unknown ones skipped, and an error labelled
    /// with the struct and field (`DecodeError::push` is hidden from prost's docs but public
    /// for exactly this: the derive's generated code calls it).
    fn merge_field(
        &mut self,
        tag: u32,
        wire_type: WireType,
        buf: &mut impl Buf,
        ctx: DecodeContext,
    ) -> Result<(), DecodeError> {
        let schema = self.0;
        let Some(field) = schema.field(tag) else {
            return encoding::skip_field(wire_type, tag, buf, ctx);
        };
        match field.kind {
            Kind::Message(inner) => {
                encoding::message::merge(wire_type, &mut Check(inner), buf, ctx)
            }
            // `bytes::merge` less its copy: the wire type, then the length against what is
            // left (skipping checks the same, and with a fresh context it never meets the
            // recursion limit, which `bytes::merge` does not look at).
            Kind::Bytes => encoding::check_wire_type(WireType::LengthDelimited, wire_type)
                .and_then(|()| {
                    encoding::skip_field(
                        WireType::LengthDelimited,
                        tag,
                        buf,
                        DecodeContext::default(),
                    )
                }),
            Kind::Fixed64 => encoding::fixed64::merge(wire_type, &mut 0, buf, ctx),
        }
        .map_err(|mut e| {
            e.push(schema.name, field.name);
            e
        })
    }

    fn encoded_len(&self) -> usize {
        0
    }

    fn clear(&mut self) {}
}

/// Whether `msg` decodes as an `ExportMetricsServiceRequest` (as prost's `Message::decode`
/// would: the error is the one it would give). A message that passes [`valid`] does; one that
/// does not is decoded by prost's functions ([`Check`]) for the error.
pub fn check(msg: &[u8]) -> Result<(), DecodeError> {
    if valid(msg, &REQUEST, RECURSION_LIMIT) {
        return Ok(());
    }
    Check(&REQUEST).merge(msg)
}

/// [`check`] by prost's functions alone, for the comparison.
#[cfg(any(test, fuzzing))]
pub fn check_by_prost(msg: &[u8]) -> Result<(), DecodeError> {
    Check(&REQUEST).merge(msg)
}

/// How deep prost decodes messages (its `RECURSION_LIMIT`, which is not public): the fields of
/// the request are read with this many levels to go, and a message, or an unknown field, with
/// none left is an error.
pub const RECURSION_LIMIT: u32 = 100;

/// Whether a message of `schema`, its fields read with `levels` levels to go, decodes as prost
/// decodes it (the same messages pass), answered in one pass over the wire with no error built.
/// Each rule below is prost's: `message::merge` (the wire type, a level left, the length within
/// what is left, the fields filling it exactly), `bytes::merge`, `fixed64::merge`/`double::merge`
/// and `skip_field` (a level left; groups nest one level each and end with their own number).
/// Reading the body of a message as its own slice fails exactly where prost, reading on past it,
/// fails at its end.
pub fn valid(mut msg: &[u8], schema: &Schema, levels: u32) -> bool {
    while !msg.is_empty() {
        let Ok((tag, wire_type)) = key(&mut msg) else {
            return false;
        };
        let ok = match schema.field(tag).map(|f| f.kind) {
            Some(Kind::Message(inner)) => {
                wire_type == WireType::LengthDelimited
                    && levels > 0
                    && delimited(&mut msg).is_some_and(|body| valid(body, inner, levels - 1))
            }
            Some(Kind::Bytes) => {
                wire_type == WireType::LengthDelimited && delimited(&mut msg).is_some()
            }
            Some(Kind::Fixed64) => {
                wire_type == WireType::SixtyFourBit && advance(&mut msg, 8).is_some()
            }
            None => skip(&mut msg, tag, wire_type, levels),
        };
        if !ok {
            return false;
        }
    }
    true
}

/// prost's `skip_field`, as a yes or no.
fn skip(msg: &mut &[u8], tag: u32, wire_type: WireType, levels: u32) -> bool {
    if levels == 0 {
        return false;
    }
    match wire_type {
        WireType::Varint => varint(msg).is_ok(),
        WireType::SixtyFourBit => advance(msg, 8).is_some(),
        WireType::ThirtyTwoBit => advance(msg, 4).is_some(),
        WireType::LengthDelimited => delimited(msg).is_some(),
        WireType::StartGroup => loop {
            match key(msg) {
                Err(_) => return false,
                Ok((end, WireType::EndGroup)) => return end == tag,
                Ok((inner, wire_type)) => {
                    if !skip(msg, inner, wire_type, levels - 1) {
                        return false;
                    }
                }
            }
        },
        WireType::EndGroup => false,
    }
}

/// A varint: a single byte here (most keys and lengths are one), longer ones by prost's
/// `decode_varint` (the measured reason: prost's call, generic over `Buf`, is not inlined, and
/// cost a third of the walk's instructions for what is mostly one byte).
#[inline(always)]
fn varint(buf: &mut &[u8]) -> Result<u64, DecodeError> {
    match buf.split_first() {
        Some((&b, rest)) if b < 0x80 => {
            *buf = rest;
            Ok(u64::from(b))
        }
        _ => encoding::decode_varint(buf),
    }
}

/// A field's key: a single byte with a valid field number and wire type here, anything else
/// (and every error) by prost's `decode_key`.
#[inline(always)]
fn key(buf: &mut &[u8]) -> Result<(u32, WireType), DecodeError> {
    if let Some((&b, rest)) = buf.split_first()
        && (8..0x80).contains(&b)
        && let Ok(wire_type) = WireType::try_from(u64::from(b & 7))
    {
        *buf = rest;
        return Ok((u32::from(b >> 3), wire_type));
    }
    encoding::decode_key(buf)
}

/// A length-delimited value: its bytes, `None` when its length runs past the end.
#[inline(always)]
fn delimited<'a>(buf: &mut &'a [u8]) -> Option<&'a [u8]> {
    let len = varint(buf).ok()?;
    advance(buf, usize::try_from(len).ok()?)
}

/// The next `n` bytes, `None` when fewer are left.
#[inline(always)]
fn advance<'a>(buf: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    let (v, rest) = buf.split_at_checked(n)?;
    *buf = rest;
    Some(v)
}

/// A field's value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// Length-delimited: a string, bytes or an embedded message.
    Bytes(&'a [u8]),
    /// 64 bits: `fixed64` or `double` (`f64::from_bits`).
    Fixed64(u64),
    /// A varint, 32 bits or a group: nothing the schema reads.
    Other,
}

/// The fields of a message, in order, as `(field number, value)`. Meant for messages that
/// passed [`check`]: on a malformed field it just ends.
#[derive(Debug, Clone)]
pub struct Fields<'a> {
    buf: &'a [u8],
}

impl<'a> Fields<'a> {
    /// The fields of `msg`.
    pub fn new(msg: &'a [u8]) -> Self {
        Fields { buf: msg }
    }

    #[inline(always)]
    fn value(&mut self, tag: u32, wire_type: WireType) -> Option<Value<'a>> {
        Some(match wire_type {
            WireType::LengthDelimited => Value::Bytes(delimited(&mut self.buf)?),
            WireType::SixtyFourBit => {
                let (v, rest) = self.buf.split_first_chunk::<8>()?;
                self.buf = rest;
                Value::Fixed64(u64::from_le_bytes(*v))
            }
            _ => {
                skip(&mut self.buf, tag, wire_type, RECURSION_LIMIT).then_some(())?;
                Value::Other
            }
        })
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = (u32, Value<'a>);

    #[inline(always)]
    fn next(&mut self) -> Option<Self::Item> {
        if self.buf.is_empty() {
            return None;
        }
        let field = key(&mut self.buf)
            .ok()
            .and_then(|(tag, wire_type)| Some((tag, self.value(tag, wire_type)?)));
        if field.is_none() {
            self.buf = &[];
        }
        field
    }
}

/// The length-delimited values of field `tag` of `msg` (strings or embedded messages), in order.
pub fn each(msg: &[u8], tag: u32) -> impl Iterator<Item = &[u8]> {
    Fields::new(msg).filter_map(move |(t, v)| match v {
        Value::Bytes(b) if t == tag => Some(b),
        _ => None,
    })
}

/// The last string of field `tag` of `msg` (the one protobuf keeps).
pub fn last(msg: &[u8], tag: u32) -> Option<&[u8]> {
    each(msg, tag).last()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_in_order() {
        // 1: "ab", 2: fixed64 7, 3: varint 300, 5: fixed32, 1: "" again.
        let msg = [
            &[0x0a, 2, b'a', b'b', 0x11][..],
            &7u64.to_le_bytes(),
            &[0x18, 0xac, 0x02, 0x2d, 1, 2, 3, 4, 0x0a, 0],
        ]
        .concat();
        let got: Vec<_> = Fields::new(&msg).collect();
        assert_eq!(
            got,
            [
                (1, Value::Bytes(b"ab")),
                (2, Value::Fixed64(7)),
                (3, Value::Other),
                (5, Value::Other),
                (1, Value::Bytes(b"")),
            ]
        );
        assert_eq!(last(&msg, 1), Some(&b""[..]));
        assert_eq!(each(&msg, 1).count(), 2);
        // A malformed field ends the walk.
        assert_eq!(Fields::new(&[0x0a, 5, b'a']).count(), 0);
    }
}
