//! Backups and exports, built on the store's dump (see [`crate::store::Store::dump`]).
//!
//! - `praxis backup DIR` writes `DIR/dump.ndjson`: everything the store holds (documents, every
//!   revision, the audit log, imported treaty data, the taxonomy). It is taken under the
//!   knowledge base's write lock, so it is consistent. sled lets one process open a data
//!   directory: while `praxis serve` runs, the backup is taken by the server (`GET
//!   /api/backup`, curators only) and `--server URL` fetches it.
//! - `praxis restore DIR` (or `praxis import-dump FILE`) loads a dump into an empty data
//!   directory and rebuilds the search index from it.
//! - `praxis export DIR` writes the dump and, from it, `DIR/corpus/`: every current document as
//!   the Markdown file (front matter included) of its current revision, in the corpus layout,
//!   with the taxonomy it was validated with, ready for `praxis ingest`.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::store::{DumpCounts, DumpLine};

/// The dump's file name inside a backup or export folder.
pub(crate) const DUMP_FILE: &str = "dump.ndjson";

/// Writes a dump into `dir` (created; it must be empty if it exists) with `write`, first to a
/// temporary name, renamed when complete.
pub fn write_dump(
    dir: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<DumpCounts>,
) -> Result<(PathBuf, DumpCounts)> {
    let created = !dir.exists();
    prepare_empty_dir(dir)?;
    let path = dir.join(DUMP_FILE);
    let partial = dir.join(format!("{DUMP_FILE}.partial"));
    let file = std::fs::File::create(&partial)
        .with_context(|| format!("cannot create {}", partial.display()))?;
    let mut out = std::io::BufWriter::new(file);
    let counts = match write(&mut out) {
        Ok(counts) => counts,
        Err(error) => {
            // Leave nothing that could be mistaken for a backup.
            drop(out);
            let _ = std::fs::remove_file(&partial);
            if created {
                let _ = std::fs::remove_dir(dir);
            }
            return Err(error);
        }
    };
    let file = out
        .into_inner()
        .map_err(|e| anyhow::anyhow!("cannot write {}: {}", partial.display(), e.error()))?;
    file.sync_all()
        .with_context(|| format!("cannot write {}", partial.display()))?;
    std::fs::rename(&partial, &path)
        .with_context(|| format!("cannot rename {} to {}", partial.display(), path.display()))?;
    Ok((path, counts))
}

fn prepare_empty_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        let mut entries =
            std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
        if entries.next().is_some() {
            bail!(
                "{} is not empty; choose a new folder so that nothing is overwritten",
                dir.display()
            );
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))
}

/// The dump file of `path`: the file itself, or `dump.ndjson` in a folder.
pub fn dump_path(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join(DUMP_FILE)
    } else {
        path.to_path_buf()
    }
}

/// Fetches the dump of a running server (`GET /api/backup` with a curator token).
pub fn fetch_dump(server: &str, token: &str, out: &mut dyn Write) -> Result<DumpCounts> {
    let url = format!("{}/api/backup", server.trim_end_matches('/'));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .get(&url)
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .with_context(|| format!("cannot reach {url}"))?;
    if response.status() != 200 {
        let body = response.body_mut().read_to_string().unwrap_or_default();
        bail!("{url} answered {}: {body}", response.status());
    }
    let mut reader = BufReader::new(response.body_mut().with_config().limit(u64::MAX).reader());
    // Copy line by line, keeping the declared counts of the end line.
    let mut counts = None;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).context("reading the dump")? == 0 {
            break;
        }
        if line.starts_with("{\"kind\":\"end\"") {
            if let Ok(DumpLine::End { counts: declared }) = serde_json::from_str(&line) {
                counts = Some(declared);
            }
        }
        out.write_all(line.as_bytes())?;
    }
    counts.with_context(|| format!("the dump from {url} is truncated (no end line)"))
}

/// Writes every current (not withdrawn) document of a dump as `corpus/<type folder>/<id>.md`
/// under `dir`, with the dump's taxonomy as `corpus/taxonomy.yaml`. Returns how many documents
/// were written.
pub fn export_corpus(dump: &Path, dir: &Path) -> Result<usize> {
    let corpus = dir.join("corpus");
    let file =
        std::fs::File::open(dump).with_context(|| format!("cannot open {}", dump.display()))?;
    let mut written = 0;
    for (number, line) in BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("cannot read {}", dump.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let parsed: DumpLine = serde_json::from_str(&line)
            .with_context(|| format!("{}:{}: not a dump line", dump.display(), number + 1))?;
        match parsed {
            DumpLine::Meta {
                taxonomy: Some(yaml),
                ..
            } => write_file(&corpus.join(crate::ingest::TAXONOMY_FILE), yaml.as_bytes())?,
            DumpLine::Document { record } if !record.withdrawn => {
                let folder = type_folder(&record.meta.doc_type);
                let path = corpus.join(folder).join(format!("{}.md", record.meta.id));
                write_file(&path, record.source_text.as_bytes())?;
                written += 1;
            }
            _ => {}
        }
    }
    Ok(written)
}

/// The corpus folder of a document type (`corpus/README.md`).
fn type_folder(doc_type: &str) -> String {
    match doc_type {
        "mechanism" => "mechanisms".into(),
        "law" => "laws".into(),
        "case-study" => "case-studies".into(),
        "report" => "reports".into(),
        "curriculum" => "curricula".into(),
        other => other.to_string(),
    }
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}
