//! The members of a Metric Streams (JSON) record the dashboard reads, as both readers give them:
//! the fast path ([`super::fast`]) and serde_json ([`super::parse`]) must make the same
//! `StreamRecord` of the same object.

use std::fmt;

use serde::Deserialize;

use crate::input::lenient::{Num, Obj, Str};

/// The `dimensions` object of a Metric Streams record.
#[derive(Debug, Default, PartialEq)]
pub(super) struct StreamDims<'a> {
    /// `StreamName`.
    pub stream: Str<'a>,
    /// `ShardId`.
    pub shard: Str<'a>,
    /// `ConsumerName`.
    pub consumer: Str<'a>,
    /// Some other dimension is present.
    pub other: bool,
}

impl<'de: 'a, 'a> Deserialize<'de> for StreamDims<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = StreamDims<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a dimensions object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = StreamDims::default();
                while let Some(k) = map.next_key::<Str<'de>>()? {
                    match k.as_deref() {
                        Some("StreamName") => out.stream = map.next_value()?,
                        Some("ShardId") => out.shard = map.next_value()?,
                        Some("ConsumerName") => out.consumer = map.next_value()?,
                        _ => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                            out.other = true;
                        }
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_map(V)
    }
}

/// A member of a Metric Streams record that a datapoint cannot do without: absent, present with
/// the wrong type, or its value. (Other members read as absent when of the wrong type, as
/// `lenient` reads them; these are told apart so a skipped datapoint can say why.)
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(super) enum Given<T> {
    /// Not in the record.
    #[default]
    Absent,
    /// In the record, but not of its type (a string where a number belongs).
    WrongType,
    /// In the record, of its type.
    Value(T),
}

impl<'de> Deserialize<'de> for Given<f64> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Only called for a member that is present.
        Ok(match Num::deserialize(d)?.0 {
            Some(v) => Given::Value(v),
            None => Given::WrongType,
        })
    }
}

impl<'de> Deserialize<'de> for Given<StreamValue> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Obj::<StreamValue>::deserialize(d)?.0 {
            Some(v) => Given::Value(v),
            None => Given::WrongType,
        })
    }
}

/// `value` of a Metric Streams record: the statistics a datapoint is made of (Metric Streams
/// always write `max`, `min`, `sum` and `count`; `min` is not read).
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(super) struct StreamValue {
    /// `sum`.
    pub sum: Given<f64>,
    /// `count`.
    pub count: Given<f64>,
    /// `max`.
    pub max: Given<f64>,
}

impl StreamValue {
    /// The statistics, when each is a number.
    #[inline(always)]
    pub fn numbers(&self) -> Option<[f64; 3]> {
        match (self.sum, self.count, self.max) {
            (Given::Value(sum), Given::Value(count), Given::Value(max)) => Some([sum, count, max]),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for StreamValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = StreamValue;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("struct StreamValue")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = StreamValue::default();
                // As serde's derive reads a struct: a member given twice is an error.
                while let Some(k) = map.next_key::<Str<'de>>()? {
                    let (slot, name) = match k.as_deref() {
                        Some("sum") => (&mut out.sum, "sum"),
                        Some("count") => (&mut out.count, "count"),
                        Some("max") => (&mut out.max, "max"),
                        _ => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                            continue;
                        }
                    };
                    if *slot != Given::Absent {
                        return Err(serde::de::Error::duplicate_field(name));
                    }
                    *slot = map.next_value()?;
                }
                Ok(out)
            }
        }
        d.deserialize_map(V)
    }
}

/// The members of a Metric Streams record the dashboard reads, as either path reads them: what
/// the fast path hands over must equal what serde makes of the same object.
#[derive(Debug, Default, PartialEq)]
pub(super) struct StreamRecord<'a> {
    /// `namespace`.
    pub namespace: Str<'a>,
    /// `metric_name`.
    pub metric_name: Str<'a>,
    /// `region`.
    pub region: Str<'a>,
    /// `account_id`.
    pub account_id: Str<'a>,
    /// `dimensions`, when an object.
    pub dimensions: Option<StreamDims<'a>>,
    /// `timestamp` (epoch milliseconds).
    pub timestamp: Given<f64>,
    /// `value`.
    pub value: Given<StreamValue>,
}

/// The top-level keys of the two CLI forms; the fast path leaves objects with them to serde.
pub(super) const CLI_KEYS: [&str; 3] = ["MetricDataResults", "Label", "Datapoints"];
