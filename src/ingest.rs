//! Ingesting a corpus: walk the given files and folders, validate every document, store and
//! index the valid ones, withdraw documents whose files were removed from an ingested folder,
//! and report every problem at the end. One bad file never stops the others.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::catalogue::Message;
use crate::document::validate::parse_document;
use crate::document::{Document, Problem};
use crate::error::{Error, Result};
use crate::knowledge_base::KnowledgeBase;
use crate::knowledge_base::{
    Change, Draft, SaveMode, Write, WriteError, WriteOutcome, INGEST_AUTHOR,
};
use crate::taxonomy::Taxonomy;

/// The name of a corpus's own vocabulary file, at the root of an ingested folder.
pub(crate) const TAXONOMY_FILE: &str = "taxonomy.yaml";
// Defined by the knowledge base, whose reindex uses them too; re-exported for existing paths.
pub(crate) use crate::knowledge_base::{BULK_AFTER, MERGE_AFTER_CHANGES};
/// Documents written per store transaction by an ingest: enough that the counters and the
/// generation are written once per batch rather than once per document, few enough that a
/// batch's encoded values stay a few MB.
const WRITE_BATCH: usize = 256;
/// How many bytes of source text an ingest keeps parsed in memory between validating and
/// writing. Documents beyond it are read and parsed again when their batch is written: a
/// million-document corpus held whole took 12 GB while still validating, and was still
/// growing, while any corpus up to this size is parsed once.
const KEEP_PARSED_BYTES: usize = 512 << 20;
/// Files parsed at a time while validating, so that only this many documents beyond those
/// kept are in memory at once.
const VALIDATE_CHUNK: usize = 4_096;
/// The folder of reference data (countries, regions, treaties) at a corpus root; not ingested.
pub(crate) const REFERENCE_DIR: &str = "reference";

/// What an ingest (or a check) did.
#[derive(Debug, Default, Clone, Serialize)]
pub struct IngestReport {
    pub files: usize,
    pub added: Vec<String>,
    /// Updated documents with their new revision.
    pub updated: Vec<(String, u32)>,
    pub restored: Vec<String>,
    pub unchanged: usize,
    pub withdrawn: Vec<String>,
    /// Documents left as a curator last changed them (edited, withdrawn or restored through
    /// the API or the desk) although their file differs or is gone: see [`KnowledgeBase::ingest_with`].
    pub kept: Vec<String>,
    /// Files that had at least one problem.
    pub failed: usize,
    pub problems: Vec<Problem>,
    /// What valid documents should still fix (unreliable source URLs): printed, never fatal.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Problem>,
    #[serde(skip)]
    pub(crate) elapsed: Duration,
}

impl IngestReport {
    /// The one-line summary printed at the end of an ingest.
    pub fn summary(&self) -> String {
        let kept = if self.kept.is_empty() {
            String::new()
        } else {
            format!(
                ", {} kept: changed by a curator since (--force to apply the files)",
                self.kept.len()
            )
        };
        format!(
            "{} files in {:.2} s: {} added, {} updated, {} unchanged, {} withdrawn, {} failed{kept}",
            self.files,
            self.elapsed.as_secs_f64(),
            self.added.len() + self.restored.len(),
            self.updated.len(),
            self.unchanged,
            self.withdrawn.len(),
            self.failed
        )
    }
}

/// A file to read, with the name it is reported under.
#[derive(Debug, Clone)]
struct CorpusFile {
    path: PathBuf,
    /// The document id a file gets when its front matter sets none.
    default_id: String,
    /// The file's bytes when it is not on disk (a corpus compiled into the binary); `path` is
    /// then only its name.
    contents: Option<Vec<u8>>,
}

/// The files and folders of one ingest, with the taxonomy to validate them with.
struct Corpus {
    files: Vec<CorpusFile>,
    /// Ingested folders (canonical): documents from files under them that are gone get withdrawn.
    roots: Vec<PathBuf>,
    taxonomy: Option<(PathBuf, Taxonomy)>,
    problems: Vec<Problem>,
}

/// Every entry under a corpus folder, in name order, skipping hidden folders and `reference/` at
/// the corpus root (data, not documents).
pub(crate) fn walk_corpus(dir: &Path) -> impl Iterator<Item = walkdir::Result<walkdir::DirEntry>> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0
                || !(name.starts_with('.')
                    || (e.depth() == 1 && e.file_type().is_dir() && name == REFERENCE_DIR))
        })
}

/// Markdown files that describe a corpus rather than being documents of it.
const EDITORIAL_FILES: &[&str] = &["readme.md", "omissions.md"];

/// A Markdown document (not a README or the list of omissions, not hidden).
pub(crate) fn is_document_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md"))
        && !EDITORIAL_FILES.iter().any(|f| name.eq_ignore_ascii_case(f))
        && !name.starts_with('.')
}

fn collect(paths: &[PathBuf]) -> Result<Corpus> {
    let mut corpus = Corpus {
        files: Vec::new(),
        roots: Vec::new(),
        taxonomy: None,
        problems: Vec::new(),
    };
    for path in paths {
        let shown = path.display().to_string();
        let problem = |message: Message| Problem {
            file: shown.clone(),
            line: None,
            column: None,
            field: None,
            message,
        };
        let metadata = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                corpus
                    .problems
                    .push(problem(Message::new("problem_cannot_read").arg("error", e)));
                continue;
            }
        };
        if metadata.is_dir() {
            let taxonomy_path = path.join(TAXONOMY_FILE);
            if corpus.taxonomy.is_none() && taxonomy_path.is_file() {
                let yaml = std::fs::read_to_string(&taxonomy_path).map_err(|source| Error::Io {
                    path: taxonomy_path.clone(),
                    source,
                })?;
                let taxonomy = Taxonomy::from_yaml(&yaml).map_err(|source| Error::Taxonomy {
                    path: taxonomy_path.clone(),
                    source,
                })?;
                corpus.taxonomy = Some((taxonomy_path, taxonomy));
            }
            if let Ok(root) = path.canonicalize() {
                corpus.roots.push(root);
            }
            for entry in walk_corpus(path) {
                match entry {
                    Ok(entry) if entry.file_type().is_file() && is_document_file(entry.path()) => {
                        corpus.files.push(corpus_file(entry.path()));
                    }
                    Ok(_) => {}
                    Err(e) => corpus.problems.push(Problem {
                        file: e.path().map_or(shown.clone(), |p| p.display().to_string()),
                        line: None,
                        column: None,
                        field: None,
                        message: Message::new("problem_cannot_read").arg("error", e),
                    }),
                }
            }
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("md"))
        {
            corpus.files.push(corpus_file(path));
        } else {
            corpus
                .problems
                .push(problem(Message::new("problem_not_markdown")));
        }
    }
    Ok(corpus)
}

fn corpus_file(path: &Path) -> CorpusFile {
    let default_id = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    CorpusFile {
        path: path.to_path_buf(),
        default_id,
        contents: None,
    }
}

/// The corpus made of in-memory files named by their path relative to a corpus root, chosen by
/// the same rules as a folder walk: `taxonomy.yaml` at the root is the vocabulary, `reference/`
/// at the root and hidden files are skipped, and documents are the other `.md` files.
fn collect_in_memory(files: &[(&str, &[u8])]) -> Result<Corpus> {
    let mut corpus = Corpus {
        files: Vec::new(),
        roots: Vec::new(),
        taxonomy: None,
        problems: Vec::new(),
    };
    let mut files: Vec<&(&str, &[u8])> = files.iter().collect();
    files.sort_by_key(|(name, _)| *name);
    for &&(name, bytes) in &files {
        let path = PathBuf::from(name.trim_start_matches("./"));
        let components: Vec<String> = path
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if components.len() == 1 && components[0] == TAXONOMY_FILE {
            let yaml = std::str::from_utf8(bytes).map_err(|error| Error::Taxonomy {
                path: path.clone(),
                source: crate::taxonomy::TaxonomyError::Yaml(format!("not UTF-8: {error}")),
            })?;
            let taxonomy = Taxonomy::from_yaml(yaml).map_err(|source| Error::Taxonomy {
                path: path.clone(),
                source,
            })?;
            corpus.taxonomy = Some((path, taxonomy));
            continue;
        }
        let skipped = components.iter().any(|c| c.starts_with('.'))
            || (components.len() > 1 && components[0] == REFERENCE_DIR);
        if skipped || !is_document_file(&path) {
            continue;
        }
        let mut file = corpus_file(&path);
        file.contents = Some(bytes.to_vec());
        corpus.files.push(file);
    }
    Ok(corpus)
}

/// A valid document, as validation leaves it for the writer.
struct Valid {
    file: CorpusFile,
    /// Kept while [`KEEP_PARSED_BYTES`] allows; otherwise parsed again when written.
    document: Option<Document>,
    facts: Facts,
}

/// What the checks across documents need of each one, taken while it is parsed.
struct Facts {
    id: String,
    doc_type: String,
    /// The line of its `id:`, for the duplicate-id problem.
    id_line: Option<usize>,
    /// Ids its text mentions (`` `some-id` ``), with the line of the first mention.
    mentions: Vec<(String, Option<usize>)>,
    /// Networks it names as related, with their line.
    relations: Vec<(String, Option<usize>)>,
    /// Its own warnings (unreliable source URLs).
    warnings: Vec<Problem>,
}

impl Facts {
    fn of(path: &str, document: &Document) -> Facts {
        let line_where = |found: &dyn Fn(&str) -> bool| {
            document.source_text.lines().position(found).map(|l| l + 1)
        };
        Facts {
            id: document.meta.id.clone(),
            doc_type: document.meta.doc_type.clone(),
            id_line: line_where(&|line| line.starts_with("id:")),
            mentions: crate::document::markdown::mentioned_ids(&document.body)
                .into_iter()
                .map(|id| {
                    let mention = format!("`{id}`");
                    let line = line_where(&|line| line.contains(&mention));
                    (id, line)
                })
                .collect(),
            relations: document
                .meta
                .related_networks
                .iter()
                .map(|relation| {
                    let id = relation.network.as_str();
                    let line = line_where(&|line| line.contains("network:") && line.contains(id));
                    (id.to_string(), line)
                })
                .collect(),
            warnings: crate::document::sources::warnings(path, document),
        }
    }
}

/// Reads and validates every file, a chunk at a time. When several files claim one id, the
/// file named after the id keeps it (else the first in path order) and the others are problems.
fn validate(
    files: &[CorpusFile],
    taxonomy: &Taxonomy,
    progress: &dyn Fn(usize, usize),
    problems: &mut Vec<Problem>,
    keep_bytes: usize,
) -> (Vec<Valid>, usize) {
    let mut parsed: Vec<Valid> = Vec::new();
    let mut failed = 0;
    let mut kept_bytes = 0;
    for (chunk_index, chunk) in files.chunks(VALIDATE_CHUNK).enumerate() {
        let offset = chunk_index * VALIDATE_CHUNK;
        let results = parse_files(chunk, taxonomy, &|done, _| {
            progress(offset + done, files.len())
        });
        for (file, result) in chunk.iter().zip(results) {
            match result {
                Ok(document) => {
                    let facts = Facts::of(&file.path.display().to_string(), &document);
                    let size = document.source_text.len();
                    let document = (kept_bytes + size <= keep_bytes).then(|| {
                        kept_bytes += size;
                        document
                    });
                    parsed.push(Valid {
                        file: file.clone(),
                        document,
                        facts,
                    });
                }
                Err(mut file_problems) => {
                    failed += 1;
                    problems.append(&mut file_problems);
                }
            }
        }
    }

    let mut owner: HashMap<&str, usize> = HashMap::new();
    for (position, valid) in parsed.iter().enumerate() {
        let id = valid.facts.id.as_str();
        match owner.get(id) {
            Some(&current) if parsed[current].file.default_id == id => {}
            Some(_) if valid.file.default_id == id => {
                owner.insert(id, position);
            }
            Some(_) => {}
            None => {
                owner.insert(id, position);
            }
        }
    }
    let winners: Vec<usize> = parsed
        .iter()
        .map(|valid| owner[valid.facts.id.as_str()])
        .collect();
    let winner_paths: HashMap<usize, String> = winners
        .iter()
        .enumerate()
        .filter(|(position, winner)| position != *winner)
        .map(|(_, &winner)| (winner, parsed[winner].file.path.display().to_string()))
        .collect();
    let mut valid = Vec::new();
    for (position, entry) in parsed.into_iter().enumerate() {
        let winner = winners[position];
        if winner == position {
            valid.push(entry);
            continue;
        }
        failed += 1;
        let line = entry.facts.id_line;
        problems.push(Problem {
            file: entry.file.path.display().to_string(),
            line,
            column: line.map(|_| 1),
            field: Some("id".to_string()),
            message: Message::new("problem_duplicate_id")
                .arg("id", &entry.facts.id)
                .arg("other", &winner_paths[&winner]),
        });
    }
    (valid, failed)
}

/// Warnings that do not stop a file: source URLs on mirror or staging hosts, and ids mentioned
/// in the text (`` `some-id` ``) that no document has — among the files read and, when `known`
/// says so, the store.
fn source_warnings(valid: &[Valid], known: &dyn Fn(&str) -> bool) -> Vec<Problem> {
    let read: HashMap<&str, &str> = valid
        .iter()
        .map(|v| (v.facts.id.as_str(), v.facts.doc_type.as_str()))
        .collect();
    valid
        .iter()
        .flat_map(|Valid { file, facts, .. }| {
            let path = file.path.display().to_string();
            let mut warnings = facts.warnings.clone();
            for (id, line) in &facts.mentions {
                if read.contains_key(id.as_str()) || known(id) {
                    continue;
                }
                warnings.push(Problem {
                    file: path.clone(),
                    line: *line,
                    column: None,
                    field: None,
                    message: Message::new("problem_unknown_mention").arg("id", id),
                });
            }
            // A relation names another network by id; one that no document has is said here,
            // where the other documents are known (validation sees one file at a time).
            for (id, line) in &facts.relations {
                let problem = match read.get(id.as_str()) {
                    Some(&"network") => continue,
                    Some(other) => Message::new("problem_relation_not_network")
                        .arg("id", id)
                        .arg("type", other),
                    None if known(id) => continue,
                    None => Message::new("problem_relation_no_document").arg("id", id),
                };
                warnings.push(Problem {
                    file: path.clone(),
                    line: *line,
                    column: None,
                    field: Some("related_networks".to_string()),
                    message: problem,
                });
            }
            warnings
        })
        .collect()
}

/// The documents of a batch, parsing again (on all cores) those validation did not keep.
/// A file that changed in between is validated again: if it now fails or names another
/// id, it is reported and left out of this ingest.
fn reparse_dropped(
    batch: Vec<Valid>,
    taxonomy: &Taxonomy,
    report: &mut IngestReport,
) -> Vec<(CorpusFile, Document)> {
    let dropped: Vec<CorpusFile> = batch
        .iter()
        .filter(|v| v.document.is_none())
        .map(|v| v.file.clone())
        .collect();
    let mut reparsed = parse_files(&dropped, taxonomy, &|_, _| {}).into_iter();
    let mut documents = Vec::with_capacity(batch.len());
    for Valid {
        file,
        document,
        facts,
    } in batch
    {
        let document = match document {
            Some(document) => document,
            None => match reparsed.next().expect("one result per dropped file") {
                Ok(document) if document.meta.id == facts.id => document,
                Ok(_) => {
                    report.failed += 1;
                    report.problems.push(Problem {
                        file: file.path.display().to_string(),
                        line: None,
                        column: None,
                        field: Some("id".to_string()),
                        message: Message::new("problem_changed_during_ingest"),
                    });
                    continue;
                }
                Err(mut problems) => {
                    report.failed += 1;
                    report.problems.append(&mut problems);
                    continue;
                }
            },
        };
        documents.push((file, document));
    }
    documents
}

/// Reads and parses every file, on all cores (a large corpus spends most of its validation
/// time in YAML parsing), returning the results in file order. `progress` is called from the
/// calling thread only.
fn parse_files(
    files: &[CorpusFile],
    taxonomy: &Taxonomy,
    progress: &dyn Fn(usize, usize),
) -> Vec<std::result::Result<Document, Vec<Problem>>> {
    use std::sync::atomic::{AtomicUsize, Ordering};

    let parse = |file: &CorpusFile| {
        let shown = file.path.display().to_string();
        let bytes = match &file.contents {
            Some(contents) => Ok(contents.clone()),
            None => std::fs::read(&file.path),
        };
        bytes
            .map_err(|e| {
                vec![Problem {
                    file: shown.clone(),
                    line: None,
                    column: None,
                    field: None,
                    message: Message::new("problem_cannot_read").arg("error", e),
                }]
            })
            .and_then(|bytes| parse_document(&shown, &bytes, Some(&file.default_id), taxonomy))
    };
    // Workers take blocks of files in turn; small blocks keep the threads evenly loaded.
    const BLOCK: usize = 16;
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let work = |report: &dyn Fn(usize)| {
        let mut results = Vec::new();
        loop {
            let start = next.fetch_add(BLOCK, Ordering::Relaxed);
            if start >= files.len() {
                break results;
            }
            for (offset, file) in files[start..(start + BLOCK).min(files.len())]
                .iter()
                .enumerate()
            {
                results.push((start + offset, parse(file)));
                report(done.fetch_add(1, Ordering::Relaxed));
            }
        }
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
        .min(files.len().div_ceil(BLOCK).max(1));
    let mut indexed = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads)
            .map(|_| scope.spawn(|| work(&|_| {})))
            .collect();
        let mut indexed = work(&|finished| progress(finished, files.len()));
        for helper in helpers {
            indexed.extend(
                helper
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        indexed
    });
    progress(files.len(), files.len());
    indexed.sort_unstable_by_key(|(index, _)| *index);
    indexed.into_iter().map(|(_, result)| result).collect()
}

/// Validates documents without writing anything.
pub fn check(
    paths: &[PathBuf],
    fallback: &Taxonomy,
    progress: &dyn Fn(usize, usize),
) -> Result<IngestReport> {
    let started = Instant::now();
    let mut corpus = collect(paths)?;
    let taxonomy = corpus.taxonomy.as_ref().map_or(fallback, |(_, t)| t);
    let mut problems = std::mem::take(&mut corpus.problems);
    let unreadable = problems.len();
    let (valid, failed) = validate(
        &corpus.files,
        taxonomy,
        progress,
        &mut problems,
        KEEP_PARSED_BYTES,
    );
    let warnings = source_warnings(&valid, &|_| false);
    Ok(IngestReport {
        warnings,
        files: corpus.files.len() + unreadable,
        unchanged: valid.len(),
        failed: failed + unreadable,
        problems,
        elapsed: started.elapsed(),
        ..Default::default()
    })
}

/// Validates documents held in memory (as [`KnowledgeBase::ingest_files`] reads them) without
/// writing anything.
pub(crate) fn check_files(files: &[(&str, &[u8])], fallback: &Taxonomy) -> Result<IngestReport> {
    let started = Instant::now();
    let mut corpus = collect_in_memory(files)?;
    let taxonomy = corpus.taxonomy.as_ref().map_or(fallback, |(_, t)| t);
    let mut problems = std::mem::take(&mut corpus.problems);
    let unreadable = problems.len();
    let (valid, failed) = validate(
        &corpus.files,
        taxonomy,
        &|_, _| {},
        &mut problems,
        KEEP_PARSED_BYTES,
    );
    Ok(IngestReport {
        files: corpus.files.len() + unreadable,
        unchanged: valid.len(),
        failed: failed + unreadable,
        problems,
        elapsed: started.elapsed(),
        ..Default::default()
    })
}

impl KnowledgeBase {
    /// Ingests files and folders: see the module documentation.
    pub fn ingest(
        &self,
        paths: &[PathBuf],
        progress: &dyn Fn(usize, usize),
    ) -> Result<IngestReport> {
        self.ingest_with(paths, false, progress)
    }

    /// [`ingest`](Self::ingest), choosing who wins when a curator changed a document since its
    /// file was ingested. The rule (`force` false): a document whose last change was made by a
    /// curator (an edit, a withdrawal or a restoration through the API or the desk) is not
    /// overwritten by a file whose content the store has already seen, nor withdrawn because
    /// its file is gone; such documents are reported as kept. A file whose content is new
    /// (edited after the curator's change) is applied. With `force`, files always win.
    pub fn ingest_with(
        &self,
        paths: &[PathBuf],
        force: bool,
        progress: &dyn Fn(usize, usize),
    ) -> Result<IngestReport> {
        let started = Instant::now();
        let corpus = collect(paths)?;
        self.ingest_corpus(corpus, started, force, progress, KEEP_PARSED_BYTES)
    }

    /// Ingests documents held in memory, such as the default corpus compiled into the binary:
    /// `files` are `(path relative to the corpus root, bytes)`, chosen and validated exactly as
    /// files of an ingested folder are. Nothing is withdrawn (there is no folder to compare
    /// with), and the documents record no origin file.
    pub(crate) fn ingest_files(
        &self,
        files: &[(&str, &[u8])],
        progress: &dyn Fn(usize, usize),
    ) -> Result<IngestReport> {
        let started = Instant::now();
        let corpus = collect_in_memory(files)?;
        self.ingest_corpus(corpus, started, false, progress, KEEP_PARSED_BYTES)
    }

    /// `keep_bytes`: see [`KEEP_PARSED_BYTES`] (tests set it to 0 to parse every file twice).
    fn ingest_corpus(
        &self,
        mut corpus: Corpus,
        started: Instant,
        force: bool,
        progress: &dyn Fn(usize, usize),
        keep_bytes: usize,
    ) -> Result<IngestReport> {
        if let Some((_, taxonomy)) = corpus.taxonomy.take() {
            if taxonomy.yaml() != self.taxonomy().yaml() {
                self.set_taxonomy(taxonomy)?;
            }
        }
        let taxonomy = self.taxonomy();
        let unreadable = corpus.problems.len();
        let mut report = IngestReport {
            files: corpus.files.len() + unreadable,
            problems: std::mem::take(&mut corpus.problems),
            ..Default::default()
        };
        let (valid, failed) = validate(
            &corpus.files,
            &taxonomy,
            progress,
            &mut report.problems,
            keep_bytes,
        );
        report.failed = failed + unreadable;
        report.warnings =
            source_warnings(&valid, &|id| matches!(self.store().get(id), Ok(Some(_))));

        let _writes = self.lock_writes();
        let bulk = valid.len() >= BULK_AFTER;
        if bulk {
            self.begin_bulk_locked()?;
        }
        // Validation made the ids unique, so the documents of a batch are distinct.
        let mut valid = valid.into_iter().peekable();
        while valid.peek().is_some() {
            let batch: Vec<Valid> = valid.by_ref().take(WRITE_BATCH).collect();
            let batch = reparse_dropped(batch, &taxonomy, &mut report);
            let batch: Vec<Write> = batch
                .into_iter()
                .map(|(file, document)| {
                    let origin = file.contents.is_none().then(|| {
                        file.path
                            .canonicalize()
                            .unwrap_or_else(|_| file.path.clone())
                            .display()
                            .to_string()
                    });
                    Write {
                        change: Change::Save {
                            draft: Draft::Validated(Box::new(document)),
                            mode: SaveMode::Ingest { origin, force },
                        },
                        author: INGEST_AUTHOR.to_string(),
                        base_revision: None,
                    }
                })
                .collect();
            for written in self.write_all_locked(batch).map_err(write_error)? {
                let written = written.map_err(write_error)?;
                let id = written.id;
                match written.outcome {
                    WriteOutcome::Unchanged => report.unchanged += 1,
                    WriteOutcome::Kept => report.kept.push(id),
                    WriteOutcome::Created => report.added.push(id),
                    WriteOutcome::Updated => report.updated.push((id, written.revision)),
                    WriteOutcome::Restored => report.restored.push(id),
                    WriteOutcome::Withdrawn => unreachable!("a save never withdraws"),
                }
            }
        }

        // Files that are gone from an ingested folder: withdraw their documents (unless a
        // curator changed them since). Files that are still there but failed validation keep
        // their last good version.
        if !corpus.roots.is_empty() {
            let present: HashSet<String> = corpus
                .files
                .iter()
                .map(|f| {
                    f.path
                        .canonicalize()
                        .unwrap_or_else(|_| f.path.clone())
                        .display()
                        .to_string()
                })
                .collect();
            let mut gone = Vec::new();
            for entry in self.store().origins() {
                let (id, origin, withdrawn) = entry?;
                let Some(origin) = origin else {
                    continue;
                };
                let under_root = corpus
                    .roots
                    .iter()
                    .any(|root| Path::new(&origin).starts_with(root));
                if !withdrawn && under_root && !present.contains(&origin) {
                    gone.push((id, origin));
                }
            }
            for (id, origin) in gone {
                if !force {
                    if let Some(record) = self.document(&id)? {
                        if self.last_changed_by_curator(&record)? {
                            report.kept.push(id);
                            continue;
                        }
                    }
                }
                let written = self.write_locked(Write {
                    change: Change::Withdraw {
                        id: id.clone(),
                        reason: format!("its file was removed: {origin}"),
                    },
                    author: INGEST_AUTHOR.to_string(),
                    base_revision: None,
                });
                match written {
                    Ok(_) => report.withdrawn.push(id),
                    Err(WriteError::AlreadyWithdrawn { .. } | WriteError::NotFound { .. }) => {}
                    Err(error) => return Err(write_error(error)),
                }
            }
        }
        self.commit()?;
        let changed = report.added.len()
            + report.updated.len()
            + report.restored.len()
            + report.withdrawn.len();
        if changed >= MERGE_AFTER_CHANGES {
            self.index().merge_segments()?;
        } else if bulk {
            self.index().end_bulk()?;
        }
        report.elapsed = started.elapsed();
        Ok(report)
    }
}

/// Ingest writes validated documents with no base revision: only a store or index failure
/// can refuse them.
fn write_error(error: WriteError) -> Error {
    match error {
        WriteError::Store(error) => error,
        other => unreachable!("ingest writes cannot be refused: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture_files(name: &str) -> Vec<(String, Vec<u8>)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        walkdir::WalkDir::new(&root)
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let name = e.path().strip_prefix(&root).unwrap().display().to_string();
                (name, std::fs::read(e.path()).unwrap())
            })
            .collect()
    }

    fn copy_fixture(name: &str) -> tempfile::TempDir {
        let copy = tempfile::tempdir().unwrap();
        for (relative, bytes) in fixture_files(name) {
            let path = copy.path().join(relative);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
        copy
    }

    #[test]
    fn documents_beyond_the_memory_budget_are_parsed_again_and_stored_the_same() {
        for fixture in ["small", "bad", "networks"] {
            let corpus = copy_fixture(fixture);
            let ingest = |keep_bytes| {
                let data = tempfile::tempdir().unwrap();
                let kb = KnowledgeBase::open(data.path()).unwrap();
                let files = collect(&[corpus.path().to_path_buf()]).unwrap();
                let report = kb
                    .ingest_corpus(files, Instant::now(), false, &|_, _| {}, keep_bytes)
                    .unwrap();
                (data, kb, report)
            };
            let (_kept, kept_kb, kept) = ingest(KEEP_PARSED_BYTES);
            // Nothing kept: every document is parsed again when its batch is written.
            let (_parsed, parsed_kb, parsed) = ingest(0);
            assert!(!kept.added.is_empty(), "{fixture}");
            assert_eq!(kept.added, parsed.added, "{fixture}");
            assert_eq!(kept.failed, parsed.failed, "{fixture}");
            let said = |r: &IngestReport| {
                let all = r.problems.iter().chain(&r.warnings);
                all.map(|p| (p.file.clone(), p.line, p.message.code.clone()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(said(&kept), said(&parsed), "{fixture}");
            for id in &kept.added {
                let (a, b) = (
                    kept_kb.document(id).unwrap().unwrap(),
                    parsed_kb.document(id).unwrap().unwrap(),
                );
                assert_eq!((&a.meta, &a.body), (&b.meta, &b.body), "{fixture} {id}");
            }
            assert_eq!(kept_kb.index().num_docs(), parsed_kb.index().num_docs());
        }
    }

    #[test]
    fn a_file_that_changes_between_validation_and_writing_is_reported_not_written() {
        let corpus = copy_fixture("small");
        let files = collect(&[corpus.path().to_path_buf()]).unwrap();
        let taxonomy = files.taxonomy.as_ref().unwrap().1.clone();
        let mut problems = Vec::new();
        let (valid, failed) = validate(&files.files, &taxonomy, &|_, _| {}, &mut problems, 0);
        assert_eq!((failed, problems.len()), (0, 0));
        assert!(valid.iter().all(|v| v.document.is_none()));
        let path = corpus.path().join("laws/ke-cohesion-act.md");
        let text = std::fs::read_to_string(&path).unwrap();
        // Its id came from its name; now its front matter names another.
        let renamed = text.replacen("---\n", "---\nid: ke-other-act\n", 1);
        std::fs::write(&path, renamed).unwrap();
        let mut report = IngestReport::default();
        let written = reparse_dropped(valid, &taxonomy, &mut report);
        assert_eq!(written.len(), files.files.len() - 1);
        assert!(written.iter().all(|(_, d)| d.meta.id != "ke-other-act"));
        assert_eq!(report.failed, 1);
        assert_eq!(
            report.problems[0].message.code,
            "problem_changed_during_ingest"
        );
        assert!(report.problems[0].file.ends_with("ke-cohesion-act.md"));
    }

    #[test]
    fn in_memory_files_are_chosen_and_validated_like_a_folder() {
        let mut files = fixture_files("small");
        files.push(("README.md".into(), b"# not a document".to_vec()));
        files.push((
            "reference/notes.md".into(),
            b"not a document either".to_vec(),
        ));
        files.push((".hidden/x.md".into(), b"skipped".to_vec()));
        files.push((
            "laws/broken.md".into(),
            b"---\ntitle: Broken\n---\nno type\n".to_vec(),
        ));
        let borrowed: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        let data = tempfile::tempdir().unwrap();
        let kb = KnowledgeBase::open(data.path()).unwrap();
        let report = kb.ingest_files(&borrowed, &|_, _| {}).unwrap();
        assert_eq!(report.added.len(), 12, "{:?}", report.problems);
        assert_eq!(report.failed, 1);
        assert!(report.problems.iter().all(|p| p.file == "laws/broken.md"));
        assert_eq!(kb.index().num_docs(), 12);
        let record = kb.document("ke-cohesion-act").unwrap().unwrap();
        assert_eq!(record.origin, None);
        // The corpus's own taxonomy was taken, as a folder ingest would.
        assert_eq!(
            kb.taxonomy().yaml(),
            std::str::from_utf8(&files.iter().find(|(n, _)| n == "taxonomy.yaml").unwrap().1)
                .unwrap()
        );
        // Ingesting again changes nothing and withdraws nothing.
        let again = kb.ingest_files(&borrowed, &|_, _| {}).unwrap();
        assert_eq!(again.unchanged, 12);
        assert!(again.withdrawn.is_empty());
    }

    #[test]
    fn parallel_validation_reports_in_file_order_and_keeps_the_first_of_duplicates() {
        let dir = tempfile::tempdir().unwrap();
        let document = |i: usize, id: &str| {
            format!(
                "---\nid: {id}\ntitle: Document {i}\ntype: report\nsummary: S\nthemes: [genocide]\nyear: 2001\nlanguage: en\nsources:\n  - citation: X\n---\nBody {i}\n"
            )
        };
        // Enough files for every worker to take several blocks; every 37th is invalid and the
        // 100th and 200th claim the id of the 50th.
        for i in 0..300 {
            let text = match i {
                _ if i % 37 == 5 => "---\ntitle: broken\n---\n".to_string(),
                100 | 200 => document(i, "d-0050"),
                _ => document(i, &format!("d-{i:04}")),
            };
            std::fs::write(dir.path().join(format!("f-{i:04}.md")), text).unwrap();
        }
        let data = tempfile::tempdir().unwrap();
        let kb = KnowledgeBase::open(data.path()).unwrap();
        let calls = std::sync::Mutex::new(Vec::new());
        let report = kb
            .ingest(&[dir.path().to_path_buf()], &|done, total| {
                calls.lock().unwrap().push((done, total));
            })
            .unwrap();
        let broken = (0..300).filter(|i| i % 37 == 5).count();
        assert_eq!(report.failed, broken + 2);
        assert_eq!(report.added.len(), 300 - broken - 2);
        let expected: Vec<String> = (0..300)
            .filter(|&i| i % 37 != 5 && i != 100 && i != 200)
            .map(|i| format!("d-{i:04}"))
            .collect();
        assert_eq!(report.added, expected, "written in file order");
        let files: Vec<&str> = report.problems.iter().map(|p| p.file.as_str()).collect();
        // Validation problems come in file order, then the duplicates.
        let duplicates: Vec<&&str> = files.iter().rev().take(2).collect();
        assert!(duplicates
            .iter()
            .all(|f| f.ends_with("f-0100.md") || f.ends_with("f-0200.md")));
        let parse_problems = &files[..files.len() - 2];
        assert!(
            parse_problems.windows(2).all(|w| w[0] <= w[1]),
            "{parse_problems:?}"
        );
        assert_eq!(
            kb.document("d-0050").unwrap().unwrap().meta.title,
            "Document 50"
        );
        let calls = calls.into_inner().unwrap();
        assert_eq!(calls.last(), Some(&(300, 300)));
        assert!(
            calls.windows(2).all(|w| w[0].0 <= w[1].0),
            "progress only grows"
        );
    }
}
