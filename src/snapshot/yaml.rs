//! YAML snapshots, read through serde with the schema as the seed.
//!
//! Scalars are asked for as strings so numbers keep their written digits
//! (serde_yaml would otherwise hand decimals over as `f64`). A plain YAML
//! scalar and a quoted one look alike this way, so in YAML a decimal may be
//! written either way (`0.98` or `"0.98"`).

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::{Raw, Record, RecordBuilder, RecordError};
use crate::ir::{PathEntry, PathTree, Policy};
use crate::types::Ty;

/// Reads every document of a YAML stream; one result per document.
pub fn read_yaml_documents(policy: &Policy, text: &str) -> Vec<Result<Record, RecordError>> {
    serde_yaml::Deserializer::from_str(text)
        .map(|doc| read_document(policy, doc))
        .collect()
}

/// Reads a snapshot given as a parsed YAML value (test files). The value is
/// printed back to YAML text first, so it goes through the same reader.
pub fn read_yaml_value(policy: &Policy, value: &serde_yaml::Value) -> Result<Record, RecordError> {
    let text = serde_yaml::to_string(value)
        .map_err(|e| RecordError::single(format!("invalid YAML: {e}")))?;
    read_yaml_documents(policy, &text)
        .into_iter()
        .next()
        .unwrap_or_else(|| Err(RecordError::single("empty YAML document")))
}

fn read_document(
    policy: &Policy,
    doc: serde_yaml::Deserializer<'_>,
) -> Result<Record, RecordError> {
    let mut builder = RecordBuilder::new(policy);
    let seed = ObjectSeed {
        tree: &policy.schema.tree,
        prefix: String::new(),
        out: &mut builder,
    };
    match seed.deserialize(doc) {
        Ok(()) => builder.finish(),
        Err(e) => {
            let mut err = RecordError::single(format!("invalid YAML: {e}"));
            err.merchant_id = builder.merchant_id();
            Err(err)
        }
    }
}

struct ObjectSeed<'t, 'b, 'p> {
    tree: &'t PathTree,
    prefix: String,
    out: &'b mut RecordBuilder<'p>,
}

impl<'de> DeserializeSeed<'de> for ObjectSeed<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ObjectSeed<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping of snapshot fields")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            let path = if self.prefix.is_empty() {
                key.clone()
            } else {
                format!("{}.{key}", self.prefix)
            };
            match self.tree.get(&key) {
                Some(PathEntry::Leaf(id)) => {
                    let ty = self
                        .out
                        .policy
                        .field(*id)
                        .map(|f| f.ty.clone())
                        .unwrap_or(Ty::Error);
                    let raw: RawOwned = map.next_value_seed(ScalarSeed { ty: &ty })?;
                    self.out.set(*id, raw.as_raw());
                }
                Some(PathEntry::Node(child)) => {
                    let seed = OptionalObject(ObjectSeed {
                        tree: child,
                        prefix: path,
                        out: &mut *self.out,
                    });
                    map.next_value_seed(seed)?;
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// A group that may be `null` (all its fields absent).
struct OptionalObject<'t, 'b, 'p>(ObjectSeed<'t, 'b, 'p>);

impl<'de> DeserializeSeed<'de> for OptionalObject<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for OptionalObject<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping or null")
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.0.deserialize(d)
    }
}

/// An owned raw scalar (YAML gives owned strings).
enum RawOwned {
    Null,
    Bool(bool),
    Text(String),
    /// A plain YAML number where text was expected.
    Number(String),
    Composite,
}

impl RawOwned {
    fn as_raw(&self) -> Raw<'_> {
        match self {
            RawOwned::Null => Raw::Null,
            RawOwned::Bool(b) => Raw::Bool(*b),
            RawOwned::Text(s) => Raw::Str(std::borrow::Cow::Borrowed(s)),
            RawOwned::Number(s) => Raw::Number(s),
            RawOwned::Composite => Raw::Composite,
        }
    }
}

struct ScalarSeed<'t> {
    ty: &'t Ty,
}

impl<'de> DeserializeSeed<'de> for ScalarSeed<'_> {
    type Value = RawOwned;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<RawOwned, D::Error> {
        d.deserialize_option(ScalarVisitor {
            ty: self.ty,
            inner: false,
        })
    }
}

struct ScalarVisitor<'t> {
    ty: &'t Ty,
    inner: bool,
}

impl<'de> Visitor<'de> for ScalarVisitor<'_> {
    type Value = RawOwned;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a scalar")
    }
    fn visit_none<E: de::Error>(self) -> Result<RawOwned, E> {
        Ok(RawOwned::Null)
    }
    fn visit_unit<E: de::Error>(self) -> Result<RawOwned, E> {
        Ok(RawOwned::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<RawOwned, D::Error> {
        let visitor = ScalarVisitor {
            ty: self.ty,
            inner: true,
        };
        // Booleans and text need YAML's own typing (`true`, `10001` is a
        // number, not text); numbers are read as their written digits.
        if matches!(self.ty, Ty::Bool | Ty::Text) {
            d.deserialize_any(visitor)
        } else {
            // As a string: the written digits, never an f64.
            d.deserialize_str(visitor)
        }
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<RawOwned, E> {
        Ok(RawOwned::Bool(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawOwned, E> {
        Ok(RawOwned::Text(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<RawOwned, E> {
        Ok(RawOwned::Text(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawOwned, E> {
        Ok(RawOwned::Number(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawOwned, E> {
        Ok(RawOwned::Number(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawOwned, E> {
        // Only reached for a bool or text field; the digits are only shown
        // in the message, never used as a value.
        Ok(RawOwned::Number(v.to_string()))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawOwned, A::Error> {
        let _ = self.inner;
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(RawOwned::Composite)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<RawOwned, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(RawOwned::Composite)
    }
}
