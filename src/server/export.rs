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
use serde::Serialize;

use super::error::ApiError;
use super::params::Format;
use super::AppState;
use crate::document::Metadata;
use crate::index::SearchRequest;
use crate::store::DocumentHead;

/// Records read and written per chunk.
const BATCH: usize = 50;

/// The CSV columns, in order. Lists are joined with `;`, sources with ` | `.
pub const CSV_COLUMNS: [&str; 19] = [
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
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

fn csv_row(record: &DocumentHead) -> Vec<String> {
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

fn write_batch(records: &[DocumentHead], format: Format) -> Result<Vec<u8>, String> {
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

/// Reads one batch of records (their metadata, not their texts) and writes it in `format`.
fn read_batch(
    kb: &crate::KnowledgeBase,
    ids: &[String],
    format: Format,
) -> Result<Vec<u8>, String> {
    let mut records = Vec::with_capacity(ids.len());
    for id in ids {
        match kb.store().head(id) {
            // Withdrawn since the search: not part of the export any more.
            Ok(Some(record)) if !record.withdrawn => records.push(record),
            Ok(_) => {}
            Err(error) => return Err(format!("cannot read a record: {error}")),
        }
    }
    write_batch(&records, format)
}

/// Answers a search with `format=csv` or `format=ndjson`: every match, in search order.
pub async fn export(
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
        for start in (0..ids.len()).step_by(BATCH) {
            let kb = kb.clone();
            let ids = ids.clone();
            let batch = tokio::task::spawn_blocking(move || {
                read_batch(&kb, &ids[start..(start + BATCH).min(ids.len())], format)
            })
            .await;
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

    #[test]
    fn formula_cells_are_neutralised() {
        for cell in ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise(cell.to_string()), format!("'{cell}"));
        }
        assert_eq!(neutralise("Kenya".to_string()), "Kenya");
        assert_eq!(neutralise(String::new()), "");
    }
}
