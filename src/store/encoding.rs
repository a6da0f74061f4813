//! How document records and revisions are written in the store (encoding 2), and how the
//! values of earlier versions (JSON, encoding 1) are read.
//!
//! What the store keeps, and what it does not:
//! - **A revision** keeps its metadata, its source text (the file as the curator wrote it) and
//!   who made it, when and why. Its Markdown body is the end of its source text (what follows
//!   the front matter), so it is kept as a length, or in full when it is not such an end. The
//!   revision is MessagePack compressed with zstd: texts are most of the store.
//! - **A record** (the current state) keeps the current metadata and state, as MessagePack,
//!   uncompressed and without texts: its texts are those of its current revision, read from
//!   there. So reading a record's metadata (an export, the statistics) reads no text, and each
//!   text is stored once. A record whose texts are not its revision's (only possible in a store
//!   written by an older version) keeps them.
//!
//! MessagePack with field names rather than a format without them (postcard, bincode): the
//! metadata gains optional fields over time (`#[serde(default)]`, skipped when unset), which a
//! format without field names cannot read back. An encoding-2 value begins with [`TAG`]; a JSON
//! value begins with `{`.

use serde::{Deserialize, Serialize};

use super::records::{DocumentHead, DocumentRecord, Revision, RevisionAction};
use crate::document::Metadata;

/// The first byte of every encoding-2 value.
pub(super) const TAG: u8 = 0x02;
/// zstd's level: 3 compresses a document's text to about a third at several hundred MB/s.
const LEVEL: i32 = 3;

pub(super) type DecodeError = Box<dyn std::error::Error + Send + Sync>;

/// Whether a value was written by this encoding (else it is JSON, from an older version).
pub(super) fn is_current(bytes: &[u8]) -> bool {
    bytes.first() == Some(&TAG)
}

#[derive(Serialize)]
struct RecordOut<'a> {
    meta: &'a Metadata,
    content_hash: &'a str,
    revision: u32,
    first_ingested: &'a str,
    last_modified: &'a str,
    withdrawn: bool,
    withdrawn_at: Option<&'a str>,
    withdrawn_by: Option<&'a str>,
    withdrawn_reason: Option<&'a str>,
    origin: Option<&'a str>,
    texts: Option<TextsOut<'a>>,
}

#[derive(Serialize)]
struct TextsOut<'a> {
    body: &'a str,
    source_text: &'a str,
}

#[derive(Deserialize)]
struct RecordIn {
    meta: Metadata,
    content_hash: String,
    revision: u32,
    first_ingested: String,
    last_modified: String,
    withdrawn: bool,
    withdrawn_at: Option<String>,
    withdrawn_by: Option<String>,
    withdrawn_reason: Option<String>,
    origin: Option<String>,
    texts: Option<Texts>,
}

/// A record's texts, when they are not those of its current revision.
#[derive(Debug, Deserialize)]
pub(super) struct Texts {
    pub(crate) body: String,
    pub(crate) source_text: String,
}

/// Encodes a record; its texts only when `texts_in_revision` is false.
pub(super) fn encode_record(record: &DocumentRecord, texts_in_revision: bool) -> Vec<u8> {
    let out = RecordOut {
        meta: &record.meta,
        content_hash: &record.content_hash,
        revision: record.revision,
        first_ingested: &record.first_ingested,
        last_modified: &record.last_modified,
        withdrawn: record.withdrawn,
        withdrawn_at: record.withdrawn_at.as_deref(),
        withdrawn_by: record.withdrawn_by.as_deref(),
        withdrawn_reason: record.withdrawn_reason.as_deref(),
        origin: record.origin.as_deref(),
        texts: (!texts_in_revision).then_some(TextsOut {
            body: &record.body,
            source_text: &record.source_text,
        }),
    };
    let mut bytes = vec![TAG];
    rmp_serde::encode::write_named(&mut bytes, &out).expect("records serialise");
    bytes
}

/// Decodes a record of either encoding: its head, and its texts when the value holds them
/// (always for JSON; for encoding 2 only when they are not its revision's).
pub(super) fn decode_record(bytes: &[u8]) -> Result<(DocumentHead, Option<Texts>), DecodeError> {
    if !is_current(bytes) {
        let record: DocumentRecord = serde_json::from_slice(bytes)?;
        let texts = Texts {
            body: record.body,
            source_text: record.source_text,
        };
        let head = DocumentHead {
            meta: record.meta,
            content_hash: record.content_hash,
            revision: record.revision,
            first_ingested: record.first_ingested,
            last_modified: record.last_modified,
            withdrawn: record.withdrawn,
            withdrawn_at: record.withdrawn_at,
            withdrawn_by: record.withdrawn_by,
            withdrawn_reason: record.withdrawn_reason,
            origin: record.origin,
        };
        return Ok((head, Some(texts)));
    }
    let record: RecordIn = rmp_serde::from_slice(&bytes[1..])?;
    let head = DocumentHead {
        meta: record.meta,
        content_hash: record.content_hash,
        revision: record.revision,
        first_ingested: record.first_ingested,
        last_modified: record.last_modified,
        withdrawn: record.withdrawn,
        withdrawn_at: record.withdrawn_at,
        withdrawn_by: record.withdrawn_by,
        withdrawn_reason: record.withdrawn_reason,
        origin: record.origin,
    };
    Ok((head, record.texts))
}

#[derive(Serialize)]
struct RevisionOut<'a> {
    number: u32,
    meta: &'a Metadata,
    source_text: &'a str,
    body: BodyOut<'a>,
    content_hash: &'a str,
    recorded_at: &'a str,
    author: &'a str,
    action: Option<RevisionAction>,
    reason: Option<&'a str>,
    // Absent from revisions that accepted no proposal (and from those written before
    // contributions).
    #[serde(skip_serializing_if = "Option::is_none")]
    proposal: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    accepted_by: Option<&'a str>,
}

/// A revision's body: the last `Tail` bytes of its source text, or a text of its own.
#[derive(Serialize)]
enum BodyOut<'a> {
    Tail(u64),
    Text(&'a str),
}

#[derive(Deserialize)]
struct RevisionIn {
    number: u32,
    meta: Metadata,
    source_text: String,
    body: BodyIn,
    content_hash: String,
    recorded_at: String,
    author: String,
    action: Option<RevisionAction>,
    reason: Option<String>,
    #[serde(default)]
    proposal: Option<u64>,
    #[serde(default)]
    accepted_by: Option<String>,
}

#[derive(Deserialize)]
enum BodyIn {
    Tail(u64),
    Text(String),
}

pub(super) fn encode_revision(revision: &Revision) -> Vec<u8> {
    let body = if revision.source_text.ends_with(revision.body.as_str()) {
        BodyOut::Tail(revision.body.len() as u64)
    } else {
        BodyOut::Text(&revision.body)
    };
    let out = RevisionOut {
        number: revision.number,
        meta: &revision.meta,
        source_text: &revision.source_text,
        body,
        content_hash: &revision.content_hash,
        recorded_at: &revision.recorded_at,
        author: &revision.author,
        action: revision.action,
        reason: revision.reason.as_deref(),
        proposal: revision.proposal,
        accepted_by: revision.accepted_by.as_deref(),
    };
    let plain = rmp_serde::to_vec_named(&out).expect("revisions serialise");
    let mut bytes = vec![TAG];
    bytes.extend_from_slice(&compress(&plain));
    bytes
}

/// Decodes a revision of either encoding.
pub(super) fn decode_revision(bytes: &[u8]) -> Result<Revision, DecodeError> {
    if !is_current(bytes) {
        return Ok(serde_json::from_slice(bytes)?);
    }
    let plain = decompress(&bytes[1..])?;
    let revision: RevisionIn = rmp_serde::from_slice(&plain)?;
    let body = match revision.body {
        BodyIn::Text(text) => text,
        BodyIn::Tail(length) => usize::try_from(length)
            .ok()
            .and_then(|length| revision.source_text.len().checked_sub(length))
            .and_then(|start| revision.source_text.get(start..))
            .ok_or("its body is not the end of its source text")?
            .to_string(),
    };
    Ok(Revision {
        number: revision.number,
        meta: revision.meta,
        body,
        source_text: revision.source_text,
        content_hash: revision.content_hash,
        recorded_at: revision.recorded_at,
        author: revision.author,
        action: revision.action,
        reason: revision.reason,
        proposal: revision.proposal,
        accepted_by: revision.accepted_by,
    })
}

thread_local! {
    // A zstd context costs more to set up than compressing a document: one per thread.
    static COMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> =
        const { std::cell::RefCell::new(None) };
    static DECOMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Decompressor<'static>>> =
        const { std::cell::RefCell::new(None) };
}

fn compress(plain: &[u8]) -> Vec<u8> {
    COMPRESSOR.with_borrow_mut(|compressor| {
        if compressor.is_none() {
            *compressor = Some(zstd::bulk::Compressor::new(LEVEL).expect("a zstd context"));
        }
        let compressor = compressor.as_mut().expect("set above");
        compressor
            .compress(plain)
            .expect("compressing into memory cannot fail")
    })
}

/// The frame records its size (the compressor writes it), which sizes the output.
fn decompress(frame: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let size = match zstd::zstd_safe::get_frame_content_size(frame) {
        // A revision is a document (a few MB at most): a larger size means a damaged value.
        Ok(Some(size)) if size <= 1 << 30 => usize::try_from(size)?,
        Ok(Some(size)) => return Err(format!("a revision of {size} bytes").into()),
        _ => return Ok(zstd::stream::decode_all(frame)?),
    };
    DECOMPRESSOR.with_borrow_mut(|decompressor| {
        if decompressor.is_none() {
            *decompressor = Some(zstd::bulk::Decompressor::new()?);
        }
        let decompressor = decompressor.as_mut().expect("set above");
        Ok(decompressor.decompress(frame, size)?)
    })
}
