//! Exports: every document matching a search, as CSV or newline-delimited JSON, streamed.
//!
//! The matching ids are found first, so a bad filter is still a clean 400; then an async task
//! reads the records in batches (each batch a short job on the blocking pool) and sends each
//! down a small channel as soon as it is written. Memory stays bounded whatever the size of
//! the export; a client that hangs up stops the task at the next batch; a client that stops
//! reading holds no thread (the task waits on the channel, asynchronously) and is given up on
//! after `export_write_timeout` (30 s by default), its connection closed by the connection's
//! own write timeout. An
//! export holds one of the server's few export slots while it streams (429 when all are taken).
//!
//! CSV cells that a spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, a tab
//! or a carriage return) are prefixed with `'`, so opening an export runs nothing.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::Serialize;

use super::error::ApiError;
use super::params::Format;
use super::AppState;
use crate::document::Metadata;
use crate::index::SearchRequest;
use crate::store::{RowView, StoredRecord};

/// How many rows one job reads and writes: each chunk is one job on the blocking pool and one
/// hand-off to the response. 256 rows are about 160 KB of CSV from the generated corpus: few
/// enough jobs that waking threads costs little beside reading records, small enough that the
/// chunks in flight (see [`jobs_in_flight`]) are all the memory an export holds.
const CHUNK_ROWS: usize = 256;

/// How many chunks are read at once: reading records (a store lookup and a decode each) is
/// most of an export's time, and chunks are independent, so each core reads one; the response
/// still sends them in order.
fn jobs_in_flight() -> usize {
    std::thread::available_parallelism().map_or(2, |cores| cores.get().clamp(1, 4))
}

/// The CSV columns, in order. Lists are joined with `;`, sources with ` | `.
pub(crate) const CSV_COLUMNS: [&str; 19] = [
    "id",
    "title",
    "type",
    "summary",
    "countries",
    "regions",
    "themes",
    "stages",
    "mechanism_types",
    "instruments",
    "year",
    "date",
    "language",
    "status",
    "shareable",
    "established",
    "revision",
    "last_modified",
    "sources",
];

/// One NDJSON line: the metadata, with the revision and times.
#[derive(Serialize)]
struct NdjsonRow<'a> {
    #[serde(flatten)]
    meta: &'a Metadata,
    revision: u32,
    first_ingested: &'a str,
    last_modified: &'a str,
}

/// A cell a spreadsheet will not evaluate: formula-starting text gets a leading `'`.
pub(super) fn neutralise(cell: String) -> String {
    if is_formula(&cell) {
        format!("'{cell}")
    } else {
        cell
    }
}

fn is_formula(cell: &str) -> bool {
    starts_a_formula(cell.as_bytes())
}

fn starts_a_formula(cell: &[u8]) -> bool {
    matches!(
        cell.first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

/// Writes one record's CSV row, cell by cell (as [`neutralise`] makes them), without
/// building the row first. `scratch` is reused for the cells that are built (joined lists,
/// numbers), so a row allocates nothing once the chunk's buffers have grown.
fn write_csv_row<W: std::io::Write>(
    writer: &mut csv::Writer<W>,
    record: &RowView<'_>,
    scratch: &mut Vec<u8>,
) -> csv::Result<()> {
    use std::io::Write as _;
    fn cell<W: std::io::Write>(
        writer: &mut csv::Writer<W>,
        text: impl AsRef<[u8]>,
    ) -> csv::Result<()> {
        let text = text.as_ref();
        if starts_a_formula(text) {
            writer.write_field([b"'", text].concat())
        } else {
            writer.write_field(text)
        }
    }
    fn joined<W: std::io::Write>(
        writer: &mut csv::Writer<W>,
        scratch: &mut Vec<u8>,
        parts: impl Iterator<Item = impl AsRef<[u8]>>,
        separator: &str,
    ) -> csv::Result<()> {
        scratch.clear();
        for (i, part) in parts.enumerate() {
            if i > 0 {
                scratch.extend_from_slice(separator.as_bytes());
            }
            scratch.extend_from_slice(part.as_ref());
        }
        cell(writer, scratch)
    }
    fn number<W: std::io::Write>(
        writer: &mut csv::Writer<W>,
        scratch: &mut Vec<u8>,
        value: impl std::fmt::Display,
    ) -> csv::Result<()> {
        scratch.clear();
        let _ = write!(scratch, "{value}");
        cell(writer, scratch)
    }
    let meta = &record.meta;
    cell(writer, meta.id.as_bytes())?;
    cell(writer, meta.title.as_bytes())?;
    cell(writer, meta.doc_type.as_bytes())?;
    cell(writer, meta.summary.as_bytes())?;
    for list in [
        &meta.countries,
        &meta.regions,
        &meta.themes,
        &meta.stages,
        &meta.mechanism_types,
        &meta.instruments,
    ] {
        joined(writer, scratch, list.iter(), ";")?;
    }
    number(writer, scratch, meta.year)?;
    cell(writer, meta.date.as_deref().unwrap_or_default())?;
    cell(writer, meta.language.as_bytes())?;
    cell(writer, meta.status.as_deref().unwrap_or_default())?;
    cell(
        writer,
        match meta.shareable {
            Some(true) => "yes",
            Some(false) => "no",
            None => "",
        },
    )?;
    match meta.established {
        Some(year) => number(writer, scratch, year)?,
        None => cell(writer, "")?,
    }
    number(writer, scratch, record.revision)?;
    cell(writer, record.last_modified.as_bytes())?;
    let sources = meta.sources.iter().map(|s| {
        s.url
            .as_deref()
            .or(s.citation.as_deref())
            .unwrap_or_default()
    });
    joined(writer, scratch, sources, " | ")?;
    writer.write_record(None::<&[u8]>)
}

/// A chunk of rows being written.
enum Rows {
    /// Boxed: the writer's state is large beside a `Vec`. `String`: the scratch cell.
    Csv(Box<csv::Writer<Vec<u8>>>, Vec<u8>),
    Ndjson(Vec<u8>),
}

impl Rows {
    fn new(format: Format, rows: usize) -> Rows {
        // Rows of the generated corpus are about 650 bytes.
        let chunk = Vec::with_capacity(rows * 700);
        match format {
            Format::Csv => Rows::Csv(
                Box::new(
                    csv::WriterBuilder::new()
                        .has_headers(false)
                        .from_writer(chunk),
                ),
                Vec::new(),
            ),
            Format::Ndjson | Format::Json => Rows::Ndjson(chunk),
        }
    }

    /// Writes the row of a stored record, unless it is withdrawn.
    fn push(&mut self, id: &str, record: &StoredRecord) -> Result<(), String> {
        let unreadable = |error: crate::store::StoreError| format!("cannot read a record: {error}");
        match self {
            Rows::Csv(writer, scratch) => {
                let row = record.row_view(id).map_err(unreadable)?;
                if row.withdrawn {
                    return Ok(());
                }
                write_csv_row(&mut **writer, &row, scratch).map_err(|e| e.to_string())
            }
            Rows::Ndjson(chunk) => {
                let record = record.head(id).map_err(unreadable)?;
                if record.withdrawn {
                    return Ok(());
                }
                let row = NdjsonRow {
                    meta: &record.meta,
                    revision: record.revision,
                    first_ingested: &record.first_ingested,
                    last_modified: &record.last_modified,
                };
                serde_json::to_writer(&mut *chunk, &row).map_err(|e| e.to_string())?;
                chunk.push(b'\n');
                Ok(())
            }
        }
    }

    fn into_bytes(self) -> Result<Vec<u8>, String> {
        match self {
            Rows::Csv(writer, _) => (*writer).into_inner().map_err(|e| e.to_string()),
            Rows::Ndjson(chunk) => Ok(chunk),
        }
    }
}

/// Reads the records of `ids` (their metadata, not their texts) and writes them in `format`,
/// in the order of `ids`; ids withdrawn or deleted since the search are left out.
fn read_chunk(
    kb: &crate::KnowledgeBase,
    ids: &[String],
    format: Format,
) -> Result<Vec<u8>, String> {
    let mut rows = Rows::new(format, ids.len());
    let records = kb
        .store()
        .stored_records(ids)
        .map_err(|error| format!("cannot read a record: {error}"))?;
    // Ids withdrawn (skipped by `push`) or deleted since the search are not part of the export.
    for (id, record) in ids.iter().zip(&records) {
        if let Some(record) = record {
            rows.push(id, record)?;
        }
    }
    rows.into_bytes()
}

/// Answers a search with `format=csv` or `format=ndjson`: every match, in search order.
pub(crate) async fn export(
    state: AppState,
    mut request: SearchRequest,
    format: Format,
) -> Result<Response, ApiError> {
    let slot = state.limits().export_slot()?;
    // Exports ignore paging: they are every match.
    request.page = 1;
    request.page_size = crate::index::search::DEFAULT_PAGE_SIZE;
    let kb = state.kb();
    let ids = {
        let kb = kb.clone();
        tokio::task::spawn_blocking(move || kb.search_all_ids(&request)).await??
    };
    let total = ids.len();
    let write_timeout = state.config().limits.export_write_timeout;
    let (sender, receiver) = tokio::sync::mpsc::channel::<Bytes>(2);
    let finished = Arc::new(AtomicBool::new(false));
    let producer_finished = finished.clone();
    tokio::spawn(async move {
        let _slot = slot;
        let send = |chunk: Vec<u8>| {
            let sender = sender.clone();
            async move {
                match tokio::time::timeout(write_timeout, sender.send(Bytes::from(chunk))).await {
                    Ok(Ok(())) => true,
                    // The client hung up.
                    Ok(Err(_)) => false,
                    Err(_) => {
                        tracing::info!("export stopped: the client stopped reading");
                        false
                    }
                }
            }
        };
        if format == Format::Csv {
            let mut header = Vec::new();
            {
                let mut writer = csv::Writer::from_writer(&mut header);
                let _ = writer.write_record(CSV_COLUMNS);
                let _ = writer.flush();
            }
            if !send(header).await {
                return;
            }
        }
        let ids = Arc::new(ids);
        let jobs = (0..ids.len()).step_by(CHUNK_ROWS).map(|start| {
            let kb = kb.clone();
            let ids = ids.clone();
            let end = (start + CHUNK_ROWS).min(ids.len());
            tokio::task::spawn_blocking(move || read_chunk(&kb, &ids[start..end], format))
        });
        // Up to `jobs_in_flight()` chunks read at once, sent in order. A client that hangs up
        // or stops reading leaves at most those jobs to finish.
        let mut chunks = futures_util::stream::iter(jobs).buffered(jobs_in_flight());
        while let Some(batch) = chunks.next().await {
            let chunk = match batch {
                Ok(Ok(chunk)) => chunk,
                Ok(Err(error)) => {
                    tracing::error!(%error, "export stopped");
                    return;
                }
                Err(error) => {
                    tracing::error!(%error, "export stopped: a batch failed");
                    return;
                }
            };
            if !send(chunk).await {
                return;
            }
        }
        producer_finished.store(true, Ordering::SeqCst);
    });
    // An export that stops early ends with an error, so the client sees a broken transfer
    // rather than a complete-looking file with rows missing.
    let stream = futures_util::stream::unfold(
        (receiver, finished),
        |(mut receiver, finished)| async move {
            match receiver.recv().await {
                Some(chunk) => Some((Ok(chunk), (receiver, finished))),
                None if finished.load(Ordering::SeqCst) => None,
                None => {
                    finished.store(true, Ordering::SeqCst);
                    Some((
                        Err(std::io::Error::other("export stopped early")),
                        (receiver, finished),
                    ))
                }
            }
        },
    );
    let (content_type, extension) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        _ => ("application/x-ndjson", "ndjson"),
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"praxis-export.{extension}\""),
            ),
            (
                header::HeaderName::from_static("x-total-count"),
                total.to_string(),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::DocumentHead;

    #[test]
    fn formula_cells_are_neutralised() {
        for cell in ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise(cell.to_string()), format!("'{cell}"));
        }
        assert_eq!(neutralise("Kenya".to_string()), "Kenya");
        assert_eq!(neutralise(String::new()), "");
    }

    /// The row as the export built it before it wrote cells straight to the writer: every
    /// cell a `String`, then the whole row.
    fn reference_row(record: &DocumentHead) -> Vec<String> {
        let meta = &record.meta;
        let opt = |value: Option<String>| value.unwrap_or_default();
        let sources = meta
            .sources
            .iter()
            .map(|s| {
                s.url
                    .clone()
                    .or_else(|| s.citation.clone())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join(" | ");
        vec![
            meta.id.clone(),
            meta.title.clone(),
            meta.doc_type.clone(),
            meta.summary.clone(),
            meta.countries.join(";"),
            meta.regions.join(";"),
            meta.themes.join(";"),
            meta.stages.join(";"),
            meta.mechanism_types.join(";"),
            meta.instruments.join(";"),
            meta.year.to_string(),
            opt(meta.date.clone()),
            meta.language.clone(),
            opt(meta.status.clone()),
            opt(meta
                .shareable
                .map(|s| if s { "yes" } else { "no" }.to_string())),
            opt(meta.established.map(|y| y.to_string())),
            record.revision.to_string(),
            record.last_modified.clone(),
            sources,
        ]
        .into_iter()
        .map(neutralise)
        .collect()
    }

    #[test]
    fn chunks_of_any_number_of_rows_join_to_the_same_rows_as_row_by_row_writing() {
        let data = tempfile::tempdir().unwrap();
        let kb = crate::KnowledgeBase::open(data.path()).unwrap();
        let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small");
        kb.ingest(&[fixture], &|_, _| {}).unwrap();
        // A record whose cells need quoting, neutralising and leaving empty, and strings JSON
        // would escape (a quote, a line break).
        let mut tricky = kb.document("ke-cohesion-act").unwrap().unwrap();
        tricky.meta.title = "=HYPERLINK(\"x\"), with \"quotes\"\nand a line".into();
        tricky.meta.summary = "-2+3".into();
        tricky.meta.status = None;
        tricky.meta.shareable = Some(false);
        tricky.meta.established = Some(1999);
        let document = crate::document::Document {
            meta: tricky.meta,
            body: tricky.body,
            source_text: tricky.source_text,
        };
        kb.save_document(&document, "curator").unwrap();
        let mut ids = kb.search_all_ids(&crate::SearchRequest::default()).unwrap();
        assert_eq!(ids.len(), 12);
        // Withdrawn and deleted since the search: left out.
        let withdrawn = ids
            .iter()
            .find(|id| *id != "ke-cohesion-act")
            .unwrap()
            .clone();
        kb.withdraw(&withdrawn, "curator").unwrap().unwrap();
        ids.push("no-such-document".into());

        let mut expected = Vec::new();
        {
            let mut writer = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(&mut expected);
            for id in &ids {
                match kb.store().head(id).unwrap() {
                    Some(head) if !head.withdrawn => {
                        writer.write_record(reference_row(&head)).unwrap()
                    }
                    _ => {}
                }
            }
        }
        let expected = String::from_utf8(expected).unwrap();
        assert_eq!(expected.matches("ke-cohesion-act,").count(), 1);
        assert!(
            expected.contains(
                "ke-cohesion-act,\"'=HYPERLINK(\"\"x\"\"), with \"\"quotes\"\"\nand a line\","
            ),
            "{expected}"
        );
        assert!(!expected.contains(&format!("{withdrawn},")));
        for chunk_rows in [1, 5, 7, CHUNK_ROWS] {
            let joined: Vec<u8> = ids
                .chunks(chunk_rows)
                .flat_map(|chunk| read_chunk(&kb, chunk, Format::Csv).unwrap())
                .collect();
            assert_eq!(
                String::from_utf8(joined).unwrap(),
                expected,
                "chunks of {chunk_rows} rows"
            );
        }
    }
}
