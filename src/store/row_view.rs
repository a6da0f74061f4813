//! The fields of a document record that a CSV export's row shows, read straight from the stored
//! value: what an export of every document does 100,000 times.
//!
//! Decoding a whole record (with serde) allocates each of its strings and checks every string
//! it meets, field names included, for valid UTF-8: a third of an export's time went there. A
//! [`RowView`] borrows the strings a row shows from the stored value, checks only those, and
//! steps over the other fields (other metadata, content hash, times, origin, texts) by their
//! length. A record of encoding 2 is read by hand from its MessagePack map; a JSON value of an
//! older version (only met while a store is being converted) through serde.

use std::borrow::Cow;

use rmp::decode::{self as mp, MessageLen};
use rmp::Marker;
use serde::Deserialize;

use super::encoding::{is_current, DecodeError};

/// What a CSV row shows of a record, borrowed from the stored value. Field names and meaning
/// are those of [`super::DocumentRecord`] and [`crate::document::Metadata`].
#[derive(Debug, Deserialize)]
pub(crate) struct RowView<'a> {
    #[serde(borrow)]
    pub(crate) meta: MetadataView<'a>,
    pub(crate) revision: u32,
    #[serde(borrow)]
    pub(crate) last_modified: Cow<'a, str>,
    pub(crate) withdrawn: bool,
}

/// The part of [`crate::document::Metadata`] a row shows. Strings are `Cow` for JSON values,
/// where a string with an escape cannot be borrowed; MessagePack strings always are.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct MetadataView<'a> {
    #[serde(borrow)]
    pub(crate) id: Cow<'a, str>,
    #[serde(borrow)]
    pub(crate) title: Cow<'a, str>,
    #[serde(borrow, rename = "type")]
    pub(crate) doc_type: Cow<'a, str>,
    #[serde(borrow)]
    pub(crate) summary: Cow<'a, str>,
    #[serde(borrow, default)]
    pub(crate) countries: Strings<'a>,
    #[serde(borrow, default)]
    pub(crate) regions: Strings<'a>,
    #[serde(borrow)]
    pub(crate) themes: Strings<'a>,
    #[serde(borrow, default)]
    pub(crate) stages: Strings<'a>,
    #[serde(borrow, default)]
    pub(crate) mechanism_types: Strings<'a>,
    #[serde(borrow, default)]
    pub(crate) instruments: Strings<'a>,
    pub(crate) year: i32,
    #[serde(borrow, default)]
    pub(crate) date: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(crate) language: Cow<'a, str>,
    #[serde(borrow)]
    pub(crate) sources: Vec<SourceView<'a>>,
    #[serde(borrow, default)]
    pub(crate) status: Option<Cow<'a, str>>,
    #[serde(default)]
    pub(crate) shareable: Option<bool>,
    #[serde(default)]
    pub(crate) established: Option<i32>,
}

/// A list of strings a row shows (codes, slugs), read without a `Vec` of its own from a
/// MessagePack record (a row has six lists: a `Vec` each was most of a row's allocations).
#[derive(Debug)]
pub(crate) enum Strings<'a> {
    /// `count` MessagePack strings one after another, each checked for UTF-8 when decoded.
    Packed { count: u32, bytes: &'a [u8] },
    /// From a JSON value.
    Decoded(Vec<Cow<'a, str>>),
}

impl Default for Strings<'_> {
    fn default() -> Self {
        Strings::Decoded(Vec::new())
    }
}

impl<'a> Strings<'a> {
    /// The strings, as UTF-8 bytes.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let (mut packed, decoded) = match self {
            Strings::Packed { count, bytes } => (Some((*count, Reader { rest: bytes })), None),
            Strings::Decoded(strings) => (None, Some(strings.iter().map(|s| s.as_bytes()))),
        };
        let packed = std::iter::from_fn(move || {
            let (count, reader) = packed.as_mut()?;
            if *count == 0 {
                return None;
            }
            *count -= 1;
            // Read once already, when the record was decoded: this cannot fail.
            reader.str_bytes().ok()
        });
        packed.chain(decoded.into_iter().flatten())
    }
}

#[cfg(test)]
impl Strings<'_> {
    pub(crate) fn to_strings(&self) -> Vec<String> {
        self.iter()
            .map(|s| String::from_utf8(s.to_vec()).unwrap())
            .collect()
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Strings<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Borrowed<'a>(#[serde(borrow)] Vec<Cow<'a, str>>);
        Ok(Strings::Decoded(Borrowed::deserialize(deserializer)?.0))
    }
}

/// The part of a [`crate::document::Source`] a row shows.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct SourceView<'a> {
    #[serde(borrow, default)]
    pub(crate) url: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(crate) citation: Option<Cow<'a, str>>,
}

/// Decodes a record of either encoding as a [`RowView`], borrowing from `bytes`.
pub(super) fn decode_row_view(bytes: &[u8]) -> Result<RowView<'_>, DecodeError> {
    if is_current(bytes) {
        Reader { rest: &bytes[1..] }.record()
    } else {
        Ok(serde_json::from_slice(bytes)?)
    }
}

/// A cursor over a MessagePack value, reading the few types a record is made of.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// The record: a map of the fields [`super::encoding`] writes.
    fn record(mut self) -> Result<RowView<'a>, DecodeError> {
        let (mut meta, mut revision, mut last_modified, mut withdrawn) = (None, None, None, None);
        for _ in 0..self.map_len()? {
            match self.str_bytes()? {
                b"meta" => meta = Some(self.metadata()?),
                b"revision" => revision = Some(mp::read_int(&mut self.rest)?),
                b"last_modified" => last_modified = Some(self.str()?),
                b"withdrawn" => withdrawn = Some(mp::read_bool(&mut self.rest)?),
                _ => self.skip()?,
            }
        }
        Ok(RowView {
            meta: required(meta, "meta")?,
            revision: required(revision, "revision")?,
            last_modified: required(last_modified, "last_modified")?,
            withdrawn: required(withdrawn, "withdrawn")?,
        })
    }

    fn metadata(&mut self) -> Result<MetadataView<'a>, DecodeError> {
        let mut meta = MetadataView::default();
        // The fields without a default must be present, as for `Metadata`.
        let mut seen = [false; 7];
        const REQUIRED: [&str; 7] = [
            "id", "title", "type", "summary", "themes", "year", "language",
        ];
        for _ in 0..self.map_len()? {
            let key = self.str_bytes()?;
            if let Some(i) = REQUIRED.iter().position(|name| name.as_bytes() == key) {
                seen[i] = true;
            }
            match key {
                b"id" => meta.id = self.str()?,
                b"title" => meta.title = self.str()?,
                b"type" => meta.doc_type = self.str()?,
                b"summary" => meta.summary = self.str()?,
                b"countries" => meta.countries = self.strs()?,
                b"regions" => meta.regions = self.strs()?,
                b"themes" => meta.themes = self.strs()?,
                b"stages" => meta.stages = self.strs()?,
                b"mechanism_types" => meta.mechanism_types = self.strs()?,
                b"instruments" => meta.instruments = self.strs()?,
                b"year" => meta.year = mp::read_int(&mut self.rest)?,
                b"date" => meta.date = self.optional(Self::str)?,
                b"language" => meta.language = self.str()?,
                b"sources" => {
                    let count = mp::read_array_len(&mut self.rest)?;
                    meta.sources = Vec::with_capacity(count.min(64) as usize);
                    for _ in 0..count {
                        meta.sources.push(self.source()?);
                    }
                }
                b"status" => meta.status = self.optional(Self::str)?,
                b"shareable" => {
                    meta.shareable = self.optional(|reader| Ok(mp::read_bool(&mut reader.rest)?))?
                }
                b"established" => {
                    meta.established =
                        self.optional(|reader| Ok(mp::read_int(&mut reader.rest)?))?
                }
                _ => self.skip()?,
            }
        }
        if let Some(missing) = seen.iter().position(|seen| !seen) {
            return Err(format!("missing field `{}`", REQUIRED[missing]).into());
        }
        Ok(meta)
    }

    fn source(&mut self) -> Result<SourceView<'a>, DecodeError> {
        let mut source = SourceView::default();
        for _ in 0..self.map_len()? {
            match self.str_bytes()? {
                b"url" => source.url = self.optional(Self::str)?,
                b"citation" => source.citation = self.optional(Self::str)?,
                _ => self.skip()?,
            }
        }
        Ok(source)
    }

    #[inline]
    fn map_len(&mut self) -> Result<u32, DecodeError> {
        Ok(mp::read_map_len(&mut self.rest)?)
    }

    /// A string's bytes, unchecked: a field name (compared as bytes: only names the reader
    /// knows are used), or an item of a list already checked.
    #[inline]
    fn str_bytes(&mut self) -> Result<&'a [u8], DecodeError> {
        let len = mp::read_str_len(&mut self.rest)?;
        self.take(len as usize)
    }

    /// A string a row shows, checked for UTF-8 like any `str` (with SIMD: the check of these
    /// strings was still a tenth of an export's time with `std::str::from_utf8`).
    #[inline]
    fn str(&mut self) -> Result<Cow<'a, str>, DecodeError> {
        let len = mp::read_str_len(&mut self.rest)?;
        Ok(Cow::Borrowed(simdutf8::basic::from_utf8(
            self.take(len as usize)?,
        )?))
    }

    /// A list of strings, each checked for UTF-8, kept as the bytes that hold them.
    fn strs(&mut self) -> Result<Strings<'a>, DecodeError> {
        let count = mp::read_array_len(&mut self.rest)?;
        let start = self.rest;
        for _ in 0..count {
            self.str()?;
        }
        let bytes = &start[..start.len() - self.rest.len()];
        Ok(Strings::Packed { count, bytes })
    }

    /// A value that may be nil (an unset `Option`).
    fn optional<T>(
        &mut self,
        read: impl FnOnce(&mut Self) -> Result<T, DecodeError>,
    ) -> Result<Option<T>, DecodeError> {
        if self.rest.first() == Some(&Marker::Null.to_u8()) {
            self.rest = &self.rest[1..];
            return Ok(None);
        }
        read(self).map(Some)
    }

    /// Steps over a value of any type (a field a row does not show), by its length.
    fn skip(&mut self) -> Result<(), DecodeError> {
        // Most skipped values are strings (hashes, times, paths, a source's title): their
        // length is in their marker.
        match self.rest.first().copied().map(Marker::from_u8) {
            Some(Marker::FixStr(_) | Marker::Str8 | Marker::Str16 | Marker::Str32) => {
                let len = mp::read_str_len(&mut self.rest)?;
                return self.take(len as usize).map(|_| ());
            }
            Some(Marker::Null | Marker::True | Marker::False | Marker::FixPos(_)) => {
                self.rest = &self.rest[1..];
                return Ok(());
            }
            _ => {}
        }
        let len = MessageLen::len_of(self.rest)
            .map_err(|error| format!("a truncated or invalid value ({error:?})"))?;
        self.take(len).map(|_| ())
    }

    #[inline]
    fn take(&mut self, len: usize) -> Result<&'a [u8], DecodeError> {
        if len > self.rest.len() {
            return Err("a value longer than the record".into());
        }
        let (taken, rest) = self.rest.split_at(len);
        self.rest = rest;
        Ok(taken)
    }
}

fn required<T>(value: Option<T>, field: &str) -> Result<T, DecodeError> {
    value.ok_or_else(|| format!("missing field `{field}`").into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::encoding::encode_record;
    use crate::store::DocumentRecord;

    fn record() -> DocumentRecord {
        let text = "---\nid: t\ntitle: \"Kenya's commission, \\\"quoted\\\"\"\ntype: law\nsummary: \"été, 東京\"\nthemes: [genocide]\ncountries: [KEN, UGA]\nyear: 2008\ndate: 2008-02-28\nlanguage: en\nstatus: in-force\nshareable: true\nsources:\n  - url: https://example.org/a\n    title: A title\n  - citation: Official Gazette No. 1\n---\n\nBody.";
        let document = crate::document::validate::parse_document(
            "t.md",
            text.as_bytes(),
            None,
            &crate::Taxonomy::builtin(),
        )
        .unwrap();
        DocumentRecord {
            content_hash: document.content_hash(),
            meta: document.meta,
            body: document.body,
            source_text: document.source_text,
            revision: 3,
            first_ingested: "2026-01-01T00:00:00Z".into(),
            last_modified: "2026-02-01T00:00:00Z".into(),
            withdrawn: false,
            withdrawn_at: None,
            withdrawn_by: None,
            withdrawn_reason: None,
            origin: Some("/corpus/t.md".into()),
        }
    }

    #[test]
    fn a_record_with_or_without_its_texts_reads_as_its_row() {
        let record = record();
        for texts_in_revision in [true, false] {
            let bytes = encode_record(&record, texts_in_revision);
            let view = decode_row_view(&bytes).unwrap();
            let meta = &view.meta;
            assert_eq!(
                (
                    meta.id.as_ref(),
                    meta.title.as_ref(),
                    meta.doc_type.as_ref()
                ),
                ("t", "Kenya's commission, \"quoted\"", "law")
            );
            assert_eq!(meta.summary, "été, 東京");
            assert_eq!(meta.countries.to_strings(), ["KEN", "UGA"]);
            assert_eq!(meta.themes.to_strings(), ["genocide"]);
            assert!(meta.regions.to_strings().is_empty() && meta.stages.to_strings().is_empty());
            assert_eq!(
                (meta.year, meta.date.as_deref()),
                (2008, Some("2008-02-28"))
            );
            assert_eq!(
                (meta.status.as_deref(), meta.shareable),
                (Some("in-force"), Some(true))
            );
            assert_eq!(meta.established, None);
            let sources: Vec<_> = meta
                .sources
                .iter()
                .map(|s| (s.url.as_deref(), s.citation.as_deref()))
                .collect();
            assert_eq!(
                sources,
                [
                    (Some("https://example.org/a"), None),
                    (None, Some("Official Gazette No. 1"))
                ]
            );
            assert_eq!(
                (view.revision, view.last_modified.as_ref(), view.withdrawn),
                (3, "2026-02-01T00:00:00Z", false)
            );
        }
    }

    #[test]
    fn a_damaged_record_is_an_error_never_a_panic() {
        let bytes = encode_record(&record(), false);
        // Cut anywhere, the value is an error (a cut between two top-level fields leaves
        // required fields missing).
        for end in 1..bytes.len() {
            assert!(decode_row_view(&bytes[..end]).is_err(), "cut at {end}");
        }
        // Every byte changed in turn: an error or a row, never a panic.
        for i in 1..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[i] ^= 0xff;
            let _ = decode_row_view(&damaged);
        }
        // A string a row shows that is not UTF-8.
        let mut damaged = bytes.clone();
        let at = damaged
            .windows(2)
            .position(|w| w == "é".as_bytes())
            .unwrap();
        damaged[at] = 0xff;
        assert!(decode_row_view(&damaged).is_err());
    }

    #[test]
    fn a_record_without_a_required_field_is_an_error_naming_it() {
        #[derive(serde::Serialize)]
        struct Partial<'a> {
            meta: std::collections::BTreeMap<&'a str, &'a str>,
            revision: u32,
            last_modified: &'a str,
            withdrawn: bool,
        }
        let meta = [
            ("id", "t"),
            ("title", "T"),
            ("type", "law"),
            ("summary", "S"),
        ];
        let partial = Partial {
            meta: meta.into_iter().collect(),
            revision: 1,
            last_modified: "2026-02-01T00:00:00Z",
            withdrawn: false,
        };
        let mut bytes = vec![crate::store::encoding::TAG];
        rmp_serde::encode::write_named(&mut bytes, &partial).unwrap();
        let error = decode_row_view(&bytes).unwrap_err().to_string();
        assert_eq!(error, "missing field `themes`");
    }
}
