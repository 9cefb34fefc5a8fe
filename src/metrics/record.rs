//! The members of a Metric Streams (JSON) record the dashboard reads, as both readers give them:
//! the fast path ([`super::fast`]) and serde_json ([`super::parse`]) must make the same
//! `StreamRecord` of the same object.

use std::fmt;

use serde::Deserialize;

use crate::input::lenient::{Num, Str};

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

/// `value` of a Metric Streams record.
#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub(super) struct StreamValue {
    /// `sum`.
    pub sum: Num,
    /// `count`.
    pub count: Num,
    /// `max`.
    pub max: Num,
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
    /// `timestamp` (epoch milliseconds), when a number.
    pub timestamp: Option<f64>,
    /// `value`, when an object.
    pub value: Option<StreamValue>,
}

/// The top-level keys of the two CLI forms; the fast path leaves objects with them to serde.
pub(super) const CLI_KEYS: [&str; 3] = ["MetricDataResults", "Label", "Datapoints"];
