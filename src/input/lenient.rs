//! Field types that never fail on the wrong JSON type (used by every JSON input format).
//!
//! CloudTrail fields are written by many services and, in the case of request parameters, by
//! the caller. A `"userName": 42` or `"userIdentity": "x"` must not throw away the record, let
//! alone the rest of the file, so these types read any JSON value and keep only what has the
//! expected shape. Syntax errors still fail: those are handled by the layout parser.

use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A string field: `Some` for a JSON string (borrowed when it has no escapes), `None` for any
/// other value or when absent.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Str<'a>(pub Option<Cow<'a, str>>);

impl<'a> Deref for Str<'a> {
    type Target = Option<Cow<'a, str>>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrVisitor)
    }
}

struct StrVisitor;

macro_rules! ignore_scalars {
    ($out:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($out)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($out)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($out)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($out)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($out)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($out)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok($out)
        }
    };
}

impl<'de> Visitor<'de> for StrVisitor {
    type Value = Str<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Str(Some(Cow::Borrowed(v))))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Str(Some(Cow::Owned(v.to_owned()))))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Str(Some(Cow::Owned(v))))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Str(None))
    }
    ignore_scalars!(Str(None));
}

/// The trimmed value of a string field, `""` when absent (real dumps pad values with spaces).
#[inline]
pub fn field<'s>(s: &'s Str<'_>) -> &'s str {
    s.as_deref().map_or("", trim)
}

/// `str::trim`, with a shortcut for the usual case: a value that starts and ends with a
/// printable ASCII character has nothing to trim.
#[inline]
pub fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(&first), Some(&last)) if is_solid(first) && is_solid(last) => s,
        _ => s.trim(),
    }
}

/// An ASCII byte that is not whitespace (so not trimmed, and a whole character).
#[inline]
fn is_solid(c: u8) -> bool {
    c.is_ascii_graphic()
}

/// An object field: `Some` when the value is a JSON object, `None` for any other value.
#[derive(Debug, Default)]
pub struct Obj<T>(pub Option<T>);

impl<T> Deref for Obj<T> {
    type Target = Option<T>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ObjVisitor(std::marker::PhantomData))
    }
}

struct ObjVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjVisitor<T> {
    type Value = Obj<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|v| Obj(Some(v)))
    }
    fn visit_borrowed_str<E: de::Error>(self, _: &'de str) -> Result<Self::Value, E> {
        Ok(Obj(None))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Obj(None))
    }
    ignore_scalars!(Obj(None));
}

/// A number field: `Some` for a JSON number, `None` for any other value or when absent.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Num(pub Option<f64>);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NumVisitor)
    }
}

struct NumVisitor;

impl<'de> Visitor<'de> for NumVisitor {
    type Value = Num;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Num, E> {
        Ok(Num(Some(v as f64)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Num, E> {
        Ok(Num(Some(v as f64)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Num, E> {
        Ok(Num(Some(v)))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Num, E> {
        Ok(Num(None))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Num, E> {
        Ok(Num(None))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Num, E> {
        Ok(Num(None))
    }
    fn visit_none<E: de::Error>(self) -> Result<Num, E> {
        Ok(Num(None))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Num, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Num(None))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Num, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Num(None))
    }
}

/// An array field: `Some` for a JSON array (of elements read as `T`), `None` for any other value.
#[derive(Debug)]
pub struct Arr<T>(pub Option<Vec<T>>);

impl<T> Default for Arr<T> {
    fn default() -> Self {
        Arr(None)
    }
}

impl<T> Deref for Arr<T> {
    type Target = Option<Vec<T>>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Arr<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ArrVisitor(std::marker::PhantomData))
    }
}

struct ArrVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ArrVisitor<T> {
    type Value = Arr<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut v = Vec::new();
        while let Some(x) = seq.next_element()? {
            v.push(x);
        }
        Ok(Arr(Some(v)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Arr(None))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Arr(None))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Arr(None))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Arr(None))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Arr(None))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Arr(None))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Arr(None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_is_str_trim() {
        for s in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\u{a0}a",
            "a\u{3000}",
            "\u{85}",
            "é",
            "\u{1}a",
            "a\t",
            "ab c",
            "\u{2028}x\u{2029}",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    #[derive(Debug, serde::Deserialize, Default)]
    #[serde(default)]
    struct Inner<'a> {
        #[serde(borrow)]
        name: Str<'a>,
    }

    #[test]
    fn str_takes_strings_and_ignores_the_rest() {
        let cases = [
            (r#""plain""#, Some("plain")),
            (r#""esc\"aped""#, Some("esc\"aped")),
            ("42", None),
            ("-1.5e3", None),
            ("true", None),
            ("null", None),
            (r#"[1,[2,{"a":3}]]"#, None),
            (r#"{"a":{"b":[1]}}"#, None),
        ];
        for (json, want) in cases {
            let s: Str = serde_json::from_str(json).unwrap();
            assert_eq!(s.as_deref(), want, "{json}");
        }
        let s: Str = serde_json::from_str(r#""borrowed""#).unwrap();
        assert!(matches!(s.0, Some(Cow::Borrowed(_))));
    }

    #[test]
    fn obj_takes_objects_and_ignores_the_rest() {
        let o: Obj<Inner> = serde_json::from_str(r#"{"name":"x","other":[1]}"#).unwrap();
        assert_eq!(o.as_ref().unwrap().name.as_deref(), Some("x"));
        for json in [r#""s""#, "1", "null", "[1,2]", "false"] {
            let o: Obj<Inner> = serde_json::from_str(json).unwrap();
            assert!(o.is_none(), "{json}");
        }
        let o: Obj<Inner> = serde_json::from_str(r#"{"name":5}"#).unwrap();
        assert_eq!(o.as_ref().unwrap().name.as_deref(), None);
    }

    #[test]
    fn numbers_and_arrays() {
        let n: Vec<Num> = serde_json::from_str(r#"[1, -2, 2.5, "3", null, [4], {"a":5}]"#).unwrap();
        let got: Vec<Option<f64>> = n.iter().map(|x| x.0).collect();
        assert_eq!(
            got,
            [Some(1.0), Some(-2.0), Some(2.5), None, None, None, None]
        );
        let a: Arr<Num> = serde_json::from_str("[1, \"x\"]").unwrap();
        assert_eq!(a.as_ref().unwrap().len(), 2);
        let a: Arr<Num> = serde_json::from_str("{\"x\":[1]}").unwrap();
        assert!(a.is_none());
    }

    #[test]
    fn syntax_errors_still_fail() {
        assert!(serde_json::from_str::<Str>(r#""unterminated"#).is_err());
        assert!(serde_json::from_str::<Obj<Inner>>(r#"{"name":"x""#).is_err());
    }
}
