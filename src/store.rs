//! The store of record (sled): documents, their full revision history, and the audit log.
//! The search index is derived from it and can always be rebuilt from it.
//!
//! Key layout (values are JSON):
//! - tree `documents`: `<id>` → [`DocumentRecord`] (the current state, withdrawn or not)
//! - tree `revisions`: `<id> 0x00 <revision as u32 big-endian>` → [`Revision`]
//! - tree `audit`:     `<sequence as u64 big-endian>` → [`AuditEntry`]
//! - tree `meta`:      `taxonomy` → the taxonomy YAML the corpus was ingested with;
//!   `generation` → u64 big-endian, bumped by every document write
//! - tree `treaties`:  treaty data a curator imported (`praxis import-treaties`), which takes
//!   precedence over the data compiled into the binary (see [`crate::profiles`]):
//!   - `treaty/<treaty id>` → [`ImportedTreaty`]
//!   - `participation/<treaty id>/<ISO3>` → [`ImportedParticipation`]
//!
//!   Treaty ids are `[a-z0-9_-]+` and ISO codes `[A-Z]{3}`, so `/` cannot occur inside a part,
//!   and a treaty's rows are contiguous, in ISO-code order.
//!
//! A document's record and its new revision are written in one transaction, so a crash never
//! leaves a record without the revision it points at.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};

use crate::document::{Document, Metadata};
use crate::profiles::Action;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process holds the store open.
    #[error("the data directory {} is in use by another praxis process (is `praxis serve` running?)", path.display())]
    Locked { path: PathBuf },
    /// sled failed (I/O, corruption).
    #[error("store: {0}")]
    Sled(#[from] sled::Error),
    /// A value could not be decoded.
    #[error("store: record {key} is unreadable: {source}")]
    Corrupt {
        key: String,
        source: serde_json::Error,
    },
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The current state of a document.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DocumentRecord {
    pub meta: Metadata,
    pub body: String,
    pub source_text: String,
    pub content_hash: String,
    /// The current revision number, from 1.
    pub revision: u32,
    /// RFC 3339 times.
    pub first_ingested: String,
    pub last_modified: String,
    pub withdrawn: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn_at: Option<String>,
    /// The file the document was last read from (absolute), if it came from a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

impl DocumentRecord {
    pub fn id(&self) -> &str {
        &self.meta.id
    }
}

/// One revision of a document, kept forever.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Revision {
    pub number: u32,
    pub meta: Metadata,
    pub body: String,
    pub source_text: String,
    pub content_hash: String,
    pub recorded_at: String,
    /// Who made it: `ingest` or a curator's name.
    pub author: String,
}

/// One write, for the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub sequence: u64,
    pub at: String,
    pub actor: String,
    /// `create`, `update`, `restore` or `withdraw`.
    pub action: String,
    pub document: String,
    pub revision: u32,
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    Added {
        revision: u32,
    },
    Updated {
        revision: u32,
    },
    /// A withdrawn document came back, possibly with new content.
    Restored {
        revision: u32,
    },
    Unchanged {
        revision: u32,
    },
}

impl Upsert {
    pub fn revision(self) -> u32 {
        match self {
            Upsert::Added { revision }
            | Upsert::Updated { revision }
            | Upsert::Restored { revision }
            | Upsert::Unchanged { revision } => revision,
        }
    }

    fn action(self) -> Option<&'static str> {
        match self {
            Upsert::Added { .. } => Some("create"),
            Upsert::Updated { .. } => Some("update"),
            Upsert::Restored { .. } => Some("restore"),
            Upsert::Unchanged { .. } => None,
        }
    }
}

/// A treaty's description, as a curator imported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedTreaty {
    pub treaty: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtdsg_no: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_year: Option<i32>,
    pub source_url: String,
    /// The file it was imported from, as given on the command line.
    pub file: String,
    /// RFC 3339 time of the import.
    pub imported_at: String,
    /// `YYYY-MM-DD`: the date the curator says the data reflects, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
}

/// One State's participation in one treaty, as a curator imported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedParticipation {
    /// ISO 3166-1 alpha-3 code.
    pub iso3: String,
    pub treaty: String,
    pub action: Action,
    /// `YYYY-MM-DD`; absent for a signature without ratification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_date: Option<String>,
    pub source_url: String,
    /// The participant's name as written in the file.
    pub name: String,
    pub file: String,
    /// The 1-based line of the file the row was read from.
    pub line: usize,
    pub imported_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
}

#[derive(Clone)]
pub struct Store {
    db: sled::Db,
    documents: sled::Tree,
    revisions: sled::Tree,
    audit: sled::Tree,
    meta: sled::Tree,
    treaties: sled::Tree,
}

impl Store {
    pub fn open(dir: &Path) -> Result<Store> {
        let db = sled::Config::new()
            .path(dir)
            .open()
            .map_err(|error| match error {
                sled::Error::Io(ref io)
                    if io.kind() == std::io::ErrorKind::WouldBlock
                        || io.to_string().contains("lock") =>
                {
                    StoreError::Locked {
                        path: dir.to_path_buf(),
                    }
                }
                other => StoreError::Sled(other),
            })?;
        Ok(Store {
            documents: db.open_tree("documents")?,
            revisions: db.open_tree("revisions")?,
            audit: db.open_tree("audit")?,
            meta: db.open_tree("meta")?,
            treaties: db.open_tree("treaties")?,
            db,
        })
    }

    pub fn get(&self, id: &str) -> Result<Option<DocumentRecord>> {
        self.documents
            .get(id.as_bytes())?
            .map(|bytes| decode(id, &bytes))
            .transpose()
    }

    /// Every record, withdrawn ones included, in id order.
    pub fn records(&self) -> impl Iterator<Item = Result<DocumentRecord>> + '_ {
        self.documents.iter().map(|entry| {
            let (key, value) = entry?;
            decode(&String::from_utf8_lossy(&key), &value)
        })
    }

    /// `(id, origin, withdrawn)` of every record, in id order, without decoding the texts: what
    /// an ingest needs to find documents whose files are gone.
    pub fn origins(&self) -> impl Iterator<Item = Result<(String, Option<String>, bool)>> + '_ {
        #[derive(Deserialize)]
        struct Origin {
            withdrawn: bool,
            #[serde(default)]
            origin: Option<String>,
        }
        self.documents.iter().map(|entry| {
            let (key, value) = entry?;
            let id = String::from_utf8_lossy(&key).into_owned();
            let head: Origin = decode(&id, &value)?;
            Ok((id, head.origin, head.withdrawn))
        })
    }

    pub fn len(&self) -> usize {
        self.documents.len()
    }

    pub fn is_empty(&self) -> bool {
        self.documents.is_empty()
    }

    /// Stores `document` as the current state of its id: a new document, a new revision when the
    /// content changed, or nothing when it did not. Records the change in the audit log.
    pub fn upsert(
        &self,
        document: &Document,
        origin: Option<&str>,
        author: &str,
    ) -> Result<Upsert> {
        self.upsert_record(document, origin, author)
            .map(|(outcome, _)| outcome)
    }

    /// [`upsert`](Self::upsert), also returning the record as it now is (what [`get`](Self::get)
    /// would read back), for callers that index it next.
    pub fn upsert_record(
        &self,
        document: &Document,
        origin: Option<&str>,
        author: &str,
    ) -> Result<(Upsert, DocumentRecord)> {
        let id = document.meta.id.as_str();
        let hash = document.content_hash();
        let now = now();
        let existing = self.get(id)?;
        let (record, outcome) = match existing {
            Some(record) if record.content_hash == hash && !record.withdrawn => {
                if origin.is_some() && record.origin.as_deref() != origin {
                    // A moved file: remember where it lives now, so that ingesting its old folder
                    // does not withdraw it. Content and revision are unchanged.
                    let moved = DocumentRecord {
                        origin: origin.map(str::to_string),
                        ..record
                    };
                    self.documents.insert(id.as_bytes(), encode(&moved))?;
                    let revision = moved.revision;
                    return Ok((Upsert::Unchanged { revision }, moved));
                }
                let revision = record.revision;
                return Ok((Upsert::Unchanged { revision }, record));
            }
            Some(record) => {
                let content_changed = record.content_hash != hash;
                let revision = record.revision + u32::from(content_changed);
                let outcome = if record.withdrawn {
                    Upsert::Restored { revision }
                } else {
                    Upsert::Updated { revision }
                };
                let updated = DocumentRecord {
                    meta: document.meta.clone(),
                    body: document.body.clone(),
                    source_text: document.source_text.clone(),
                    content_hash: hash.clone(),
                    revision,
                    last_modified: if content_changed {
                        now.clone()
                    } else {
                        record.last_modified
                    },
                    withdrawn: false,
                    withdrawn_at: None,
                    origin: origin.map(str::to_string).or(record.origin),
                    first_ingested: record.first_ingested,
                };
                (updated, (outcome, content_changed))
            }
            None => (
                DocumentRecord {
                    meta: document.meta.clone(),
                    body: document.body.clone(),
                    source_text: document.source_text.clone(),
                    content_hash: hash.clone(),
                    revision: 1,
                    first_ingested: now.clone(),
                    last_modified: now.clone(),
                    withdrawn: false,
                    withdrawn_at: None,
                    origin: origin.map(str::to_string),
                },
                (Upsert::Added { revision: 1 }, true),
            ),
        };
        let (outcome, new_revision) = outcome;
        let revision = new_revision.then(|| Revision {
            number: record.revision,
            meta: record.meta.clone(),
            body: record.body.clone(),
            source_text: record.source_text.clone(),
            content_hash: hash,
            recorded_at: now.clone(),
            author: author.to_string(),
        });
        self.write(&record, revision.as_ref())?;
        if let Some(action) = outcome.action() {
            self.append_audit(author, action, id, record.revision)?;
        }
        Ok((outcome, record))
    }

    /// Marks a document withdrawn: it leaves search, its history stays. Returns the record, or
    /// `None` when there is no such active document.
    pub fn withdraw(&self, id: &str, author: &str) -> Result<Option<DocumentRecord>> {
        let Some(mut record) = self.get(id)? else {
            return Ok(None);
        };
        if record.withdrawn {
            return Ok(None);
        }
        record.withdrawn = true;
        record.withdrawn_at = Some(now());
        self.write(&record, None)?;
        self.append_audit(author, "withdraw", id, record.revision)?;
        Ok(Some(record))
    }

    fn write(&self, record: &DocumentRecord, revision: Option<&Revision>) -> Result<()> {
        let id = record.id().as_bytes();
        let record_bytes = encode(record);
        let revision_entry = revision.map(|r| (revision_key(record.id(), r.number), encode(r)));
        (&self.documents, &self.revisions, &self.meta)
            .transaction(|(documents, revisions, meta)| {
                documents.insert(id, record_bytes.as_slice())?;
                if let Some((key, value)) = &revision_entry {
                    revisions.insert(key.as_slice(), value.as_slice())?;
                }
                let generation = meta.get(GENERATION)?.map_or(0, |v| {
                    u64::from_be_bytes(v.as_ref().try_into().unwrap_or([0; 8]))
                });
                meta.insert(GENERATION, &(generation + 1).to_be_bytes())?;
                Ok::<_, ConflictableTransactionError<()>>(())
            })
            .map_err(|error| match error {
                TransactionError::Storage(e) => StoreError::Sled(e),
                TransactionError::Abort(()) => unreachable!("the transaction never aborts"),
            })
    }

    /// All revisions of a document, oldest first.
    pub fn revisions(&self, id: &str) -> Result<Vec<Revision>> {
        let mut prefix = id.as_bytes().to_vec();
        prefix.push(0);
        self.revisions
            .scan_prefix(prefix)
            .map(|entry| {
                let (_, value) = entry?;
                decode(id, &value)
            })
            .collect()
    }

    pub fn revision(&self, id: &str, number: u32) -> Result<Option<Revision>> {
        self.revisions
            .get(revision_key(id, number))?
            .map(|bytes| decode(id, &bytes))
            .transpose()
    }

    /// `id → revision` for every active (not withdrawn) document: what the index must hold.
    pub fn active_versions(&self) -> Result<HashMap<String, u32>> {
        let mut versions = HashMap::new();
        for record in self.records() {
            let record = record?;
            if !record.withdrawn {
                versions.insert(record.meta.id, record.revision);
            }
        }
        Ok(versions)
    }

    fn append_audit(&self, actor: &str, action: &str, document: &str, revision: u32) -> Result<()> {
        let sequence = self.db.generate_id()?;
        let entry = AuditEntry {
            sequence,
            at: now(),
            actor: actor.to_string(),
            action: action.to_string(),
            document: document.to_string(),
            revision,
        };
        self.audit.insert(sequence.to_be_bytes(), encode(&entry))?;
        Ok(())
    }

    /// The audit log, newest first: `limit` entries after skipping `offset`.
    pub fn audit_log(&self, offset: usize, limit: usize) -> Result<(Vec<AuditEntry>, usize)> {
        let total = self.audit.len();
        let entries = self
            .audit
            .iter()
            .rev()
            .skip(offset)
            .take(limit)
            .map(|entry| {
                let (key, value) = entry?;
                decode(&format!("audit {key:?}"), &value)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((entries, total))
    }

    /// A counter bumped by every document write: the index records the generation it reflects.
    pub fn generation(&self) -> Result<u64> {
        Ok(self.meta.get(GENERATION)?.map_or(0, |v| {
            u64::from_be_bytes(v.as_ref().try_into().unwrap_or([0; 8]))
        }))
    }

    pub fn taxonomy_yaml(&self) -> Result<Option<String>> {
        Ok(self
            .meta
            .get("taxonomy")?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    pub fn set_taxonomy_yaml(&self, yaml: &str) -> Result<()> {
        if self.taxonomy_yaml()?.as_deref() != Some(yaml) {
            self.meta.insert("taxonomy", yaml.as_bytes())?;
        }
        Ok(())
    }

    /// Stores imported treaty data in one atomic batch: the treaties' descriptions and the
    /// participation rows, each replacing what an earlier import stored under the same key.
    /// With `replace`, every row previously imported for these treaties is removed first, so
    /// the file becomes the whole imported record of them. Returns how many earlier rows were
    /// removed or overwritten.
    pub fn import_treaty_data(
        &self,
        treaties: &[ImportedTreaty],
        rows: &[ImportedParticipation],
        replace: bool,
    ) -> Result<usize> {
        let mut batch = sled::Batch::default();
        let mut removed = std::collections::HashSet::new();
        if replace {
            for treaty in treaties {
                for entry in self
                    .treaties
                    .scan_prefix(participation_prefix(&treaty.treaty))
                {
                    let (key, _) = entry?;
                    batch.remove(key.clone());
                    removed.insert(key.to_vec());
                }
            }
        }
        for treaty in treaties {
            batch.insert(treaty_key(&treaty.treaty), encode(treaty));
        }
        for row in rows {
            let key = participation_key(&row.treaty, &row.iso3);
            if !replace && self.treaties.contains_key(&key)? {
                removed.insert(key.clone());
            }
            batch.insert(key, encode(row));
        }
        self.treaties.apply_batch(batch)?;
        self.treaties.flush()?;
        Ok(removed.len())
    }

    /// Every imported treaty description, in treaty-id order.
    pub fn imported_treaties(&self) -> Result<Vec<ImportedTreaty>> {
        self.scan_treaties(TREATY_PREFIX)
    }

    /// Every imported participation row, by treaty then ISO code.
    pub fn imported_participation(&self) -> Result<Vec<ImportedParticipation>> {
        self.scan_treaties(PARTICIPATION_PREFIX)
    }

    fn scan_treaties<T: for<'de> Deserialize<'de>>(&self, prefix: &str) -> Result<Vec<T>> {
        self.treaties
            .scan_prefix(prefix.as_bytes())
            .map(|entry| {
                let (key, value) = entry?;
                decode(&String::from_utf8_lossy(&key), &value)
            })
            .collect()
    }

    /// Makes every write so far durable.
    pub fn flush(&self) -> Result<()> {
        self.db.flush()?;
        Ok(())
    }
}

const GENERATION: &str = "generation";
const TREATY_PREFIX: &str = "treaty/";
const PARTICIPATION_PREFIX: &str = "participation/";

fn treaty_key(treaty: &str) -> Vec<u8> {
    format!("{TREATY_PREFIX}{treaty}").into_bytes()
}

fn participation_prefix(treaty: &str) -> Vec<u8> {
    format!("{PARTICIPATION_PREFIX}{treaty}/").into_bytes()
}

fn participation_key(treaty: &str, iso3: &str) -> Vec<u8> {
    format!("{PARTICIPATION_PREFIX}{treaty}/{iso3}").into_bytes()
}

fn revision_key(id: &str, number: u32) -> Vec<u8> {
    let mut key = Vec::with_capacity(id.len() + 5);
    key.extend_from_slice(id.as_bytes());
    key.push(0);
    key.extend_from_slice(&number.to_be_bytes());
    key
}

fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("store values serialise")
}

fn decode<T: for<'de> Deserialize<'de>>(key: &str, bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|source| StoreError::Corrupt {
        key: key.to_string(),
        source,
    })
}

/// The current time as RFC 3339 (UTC, seconds).
pub fn now() -> String {
    let now = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .expect("0 is valid");
    now.format(&time::format_description::well_known::Rfc3339)
        .expect("RFC 3339 formats")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::parse_document;
    use crate::taxonomy::Taxonomy;

    fn document(summary: &str) -> Document {
        let text = format!(
            "---\ntitle: T\ntype: report\nsummary: {summary}\nthemes: [genocide]\nyear: 2001\nlanguage: en\nsources:\n  - citation: A/RES/60/1\n---\nBody\n"
        );
        parse_document("t.md", text.as_bytes(), Some("t"), &Taxonomy::builtin()).unwrap()
    }

    #[test]
    fn upsert_record_returns_what_get_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let json = |record: &DocumentRecord| serde_json::to_string(record).unwrap();
        for (summary, origin) in [("one", "/a/t.md"), ("two", "/a/t.md"), ("two", "/b/t.md")] {
            let (_, record) = store
                .upsert_record(&document(summary), Some(origin), "ingest")
                .unwrap();
            assert_eq!(json(&record), json(&store.get("t").unwrap().unwrap()));
        }
        let (outcome, record) = store
            .upsert_record(&document("two"), Some("/b/t.md"), "ingest")
            .unwrap();
        assert_eq!(outcome, Upsert::Unchanged { revision: 2 });
        assert_eq!(record.origin.as_deref(), Some("/b/t.md"));
    }

    #[test]
    fn origins_list_every_record_with_its_file_and_state() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store
            .upsert(&document("one"), Some("/a/t.md"), "ingest")
            .unwrap();
        let origins: Vec<_> = store.origins().map(Result::unwrap).collect();
        assert_eq!(
            origins,
            vec![("t".to_string(), Some("/a/t.md".to_string()), false)]
        );
        store.withdraw("t", "alice").unwrap();
        let origins: Vec<_> = store.origins().map(Result::unwrap).collect();
        assert!(origins[0].2, "withdrawn");
    }

    #[test]
    fn a_changed_document_gets_a_new_revision_and_keeps_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(
            store.upsert(&document("one"), None, "ingest").unwrap(),
            Upsert::Added { revision: 1 }
        );
        assert_eq!(
            store.upsert(&document("one"), None, "ingest").unwrap(),
            Upsert::Unchanged { revision: 1 }
        );
        assert_eq!(
            store.upsert(&document("two"), None, "ingest").unwrap(),
            Upsert::Updated { revision: 2 }
        );
        let revisions = store.revisions("t").unwrap();
        assert_eq!(revisions.len(), 2);
        assert_eq!(revisions[0].meta.summary, "one");
        assert_eq!(store.revision("t", 2).unwrap().unwrap().meta.summary, "two");
    }

    #[test]
    fn withdrawal_keeps_history_and_restoring_brings_it_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store.upsert(&document("one"), None, "ingest").unwrap();
        assert!(store.withdraw("t", "alice").unwrap().is_some());
        assert!(store.withdraw("t", "alice").unwrap().is_none());
        assert!(store.active_versions().unwrap().is_empty());
        assert_eq!(
            store.upsert(&document("one"), None, "ingest").unwrap(),
            Upsert::Restored { revision: 1 }
        );
        let (log, total) = store.audit_log(0, 10).unwrap();
        assert_eq!(total, 3);
        assert_eq!(log[0].action, "restore");
        assert_eq!(log[1].actor, "alice");
    }

    fn treaty(id: &str) -> ImportedTreaty {
        ImportedTreaty {
            treaty: id.to_string(),
            name: format!("Treaty {id}"),
            mtdsg_no: None,
            open_year: Some(1948),
            source_url: "https://example.org/t".to_string(),
            file: "t.csv".to_string(),
            imported_at: now(),
            as_of: None,
        }
    }

    fn row(treaty: &str, iso3: &str, date: &str) -> ImportedParticipation {
        ImportedParticipation {
            iso3: iso3.to_string(),
            treaty: treaty.to_string(),
            action: Action::Ratification,
            action_date: Some(date.to_string()),
            signature_date: None,
            source_url: "https://example.org/t".to_string(),
            name: iso3.to_string(),
            file: "t.csv".to_string(),
            line: 2,
            imported_at: now(),
            as_of: None,
        }
    }

    #[test]
    fn imported_treaty_rows_overwrite_by_country_and_treaty_and_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            let first = [
                row("genocide", "KEN", "2000-01-01"),
                row("genocide", "UGA", "1995-01-01"),
            ];
            assert_eq!(
                store
                    .import_treaty_data(&[treaty("genocide")], &first, false)
                    .unwrap(),
                0
            );
            let again = [row("genocide", "KEN", "2001-01-01")];
            assert_eq!(
                store
                    .import_treaty_data(&[treaty("genocide")], &again, false)
                    .unwrap(),
                1
            );
        }
        let store = Store::open(dir.path()).unwrap();
        let rows = store.imported_participation().unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].iso3, "KEN");
        assert_eq!(rows[0].action_date.as_deref(), Some("2001-01-01"));
        assert_eq!(store.imported_treaties().unwrap().len(), 1);
        // Documents are untouched by treaty imports.
        assert!(store.is_empty());
    }

    #[test]
    fn replacing_a_treaty_drops_its_earlier_rows_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let rows = [
            row("genocide", "KEN", "2000-01-01"),
            row("genocide", "UGA", "1995-01-01"),
            row("genocide-x", "FRA", "1950-01-01"),
        ];
        store
            .import_treaty_data(&[treaty("genocide"), treaty("genocide-x")], &rows, false)
            .unwrap();
        let replaced = store
            .import_treaty_data(
                &[treaty("genocide")],
                &[row("genocide", "RWA", "1975-04-16")],
                true,
            )
            .unwrap();
        assert_eq!(replaced, 2);
        let left: Vec<_> = store
            .imported_participation()
            .unwrap()
            .into_iter()
            .map(|r| format!("{}/{}", r.treaty, r.iso3))
            .collect();
        // `genocide-x` shares the prefix `genocide` but not `genocide/`.
        assert_eq!(left, vec!["genocide-x/FRA", "genocide/RWA"]);
    }
}
