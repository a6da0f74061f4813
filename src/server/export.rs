//! Exports: every document matching a search, as CSV or newline-delimited JSON, streamed.
//!
//! The matching ids are found first, so a bad filter is still a clean 400; then a blocking task
//! reads the records in batches and sends each batch down a small channel as soon as it is
//! written. Memory stays bounded whatever the size of the export, and a client that hangs up
//! stops the task at the next batch.

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::error::ApiError;
use super::params::Format;
use super::AppState;
use crate::document::Metadata;
use crate::index::SearchRequest;
use crate::store::DocumentRecord;

/// Records read and written per chunk.
const BATCH: usize = 50;

/// The CSV columns, in order. Lists are joined with `;`, sources with ` | `.
pub const CSV_COLUMNS: [&str; 18] = [
    "id",
    "title",
    "type",
    "summary",
    "countries",
    "regions",
    "themes",
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

fn csv_row(record: &DocumentRecord) -> Vec<String> {
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
}

fn write_batch(records: &[DocumentRecord], format: Format) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    match format {
        Format::Csv => {
            let mut writer = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(&mut out);
            for record in records {
                writer
                    .write_record(csv_row(record))
                    .map_err(|e| e.to_string())?;
            }
            writer.flush().map_err(|e| e.to_string())?;
        }
        Format::Ndjson | Format::Json => {
            for record in records {
                let row = NdjsonRow {
                    meta: &record.meta,
                    revision: record.revision,
                    first_ingested: &record.first_ingested,
                    last_modified: &record.last_modified,
                };
                serde_json::to_writer(&mut out, &row).map_err(|e| e.to_string())?;
                out.push(b'\n');
            }
        }
    }
    Ok(out)
}

/// Answers a search with `format=csv` or `format=ndjson`: every match, in search order.
pub async fn export(
    state: AppState,
    mut request: SearchRequest,
    format: Format,
) -> Result<Response, ApiError> {
    // Exports ignore paging: they are every match.
    request.page = 1;
    request.page_size = crate::index::search::DEFAULT_PAGE_SIZE;
    let kb = state.kb();
    let ids = {
        let kb = kb.clone();
        tokio::task::spawn_blocking(move || kb.search_all_ids(&request)).await??
    };
    let total = ids.len();
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    tokio::task::spawn_blocking(move || {
        if format == Format::Csv {
            let mut header = Vec::new();
            {
                let mut writer = csv::Writer::from_writer(&mut header);
                let _ = writer.write_record(CSV_COLUMNS);
                let _ = writer.flush();
            }
            if sender.blocking_send(Ok(Bytes::from(header))).is_err() {
                return;
            }
        }
        for batch in ids.chunks(BATCH) {
            let mut records = Vec::with_capacity(batch.len());
            for id in batch {
                match kb.document(id) {
                    // Withdrawn since the search: not part of the export any more.
                    Ok(Some(record)) if !record.withdrawn => records.push(record),
                    Ok(_) => {}
                    Err(error) => {
                        tracing::error!(%error, "export stopped: cannot read a record");
                        let _ = sender.blocking_send(Err(std::io::Error::other("export failed")));
                        return;
                    }
                }
            }
            let chunk = match write_batch(&records, format) {
                Ok(chunk) => chunk,
                Err(error) => {
                    tracing::error!(%error, "export stopped: cannot write a batch");
                    let _ = sender.blocking_send(Err(std::io::Error::other("export failed")));
                    return;
                }
            };
            if sender.blocking_send(Ok(Bytes::from(chunk))).is_err() {
                // The client hung up.
                return;
            }
        }
    });
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|item| (item, receiver))
    });
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
