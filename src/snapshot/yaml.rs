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

/// Reads the one YAML document of `text` (a stream is split into documents
/// by the batch framer first, so every verb reads YAML alike).
///
/// serde_yaml's document iterator returns the same error forever after a
/// syntax error, so it is never asked for more than it must: the first
/// document, and only when that one was read, whether another follows.
pub(crate) fn read_yaml_document(policy: &Policy, text: &str) -> Result<Record, RecordError> {
    read_yaml_document_at(policy, text, 1)
}

/// [`read_yaml_document`] for a document whose text starts on physical
/// line `first_line` of its file: positions in messages are the file's.
pub(crate) fn read_yaml_document_at(
    policy: &Policy,
    text: &str,
    first_line: u64,
) -> Result<Record, RecordError> {
    let mut documents = serde_yaml::Deserializer::from_str(text);
    let Some(first) = documents.next() else {
        return Err(RecordError::single("empty document"));
    };
    let record = read_document(policy, first, first_line)?;
    if documents.next().is_some() {
        return Err(RecordError::single(
            "more than one YAML document where one snapshot was expected",
        ));
    }
    Ok(record)
}

/// Reads a snapshot given as a parsed YAML value (test files). The value is
/// printed back to YAML text first, so it goes through the same reader.
pub(crate) fn read_yaml_value(
    policy: &Policy,
    value: &serde_yaml::Value,
) -> Result<Record, RecordError> {
    let text = serde_yaml::to_string(value)
        .map_err(|e| RecordError::single(format!("invalid YAML: {e}")))?;
    read_yaml_document(policy, &text)
}

fn read_document(
    policy: &Policy,
    doc: serde_yaml::Deserializer<'_>,
    first_line: u64,
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
            let message = shift_lines(&e.to_string(), first_line.saturating_sub(1));
            let mut err = RecordError::single(format!("invalid YAML: {message}"));
            err.merchant_id = builder.merchant_id();
            Err(err)
        }
    }
}

/// serde_yaml counts lines from the document's start; add `offset` to every
/// `at line N` of a message so it names the file's line.
fn shift_lines(message: &str, offset: u64) -> String {
    const MARK: &str = "at line ";
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find(MARK) {
        let (before, after) = rest.split_at(i);
        out.push_str(before);
        out.push_str(MARK);
        let after = after.get(MARK.len()..).unwrap_or("");
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let (number, tail) = after.split_at(digits);
        match number.parse::<u64>() {
            Ok(n) => out.push_str(&n.saturating_add(offset).to_string()),
            Err(_) => out.push_str(number),
        }
        rest = tail;
    }
    out.push_str(rest);
    out
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

#[cfg(test)]
mod tests {
    use super::shift_lines;

    #[test]
    fn positions_are_moved_to_the_file_lines() {
        assert_eq!(
            shift_lines(
                "found x at line 3 column 1, while scanning at line 2 column 14",
                10
            ),
            "found x at line 13 column 1, while scanning at line 12 column 14"
        );
        assert_eq!(shift_lines("no position", 5), "no position");
    }
}
