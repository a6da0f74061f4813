//! Ingest: counts, revisions, withdrawal, bad files, consistency after interruption.

use std::path::{Path, PathBuf};
use std::process::Command;

use praxis::ingest::IngestReport;
use praxis::KnowledgeBase;

use crate::common::{corpus_copy, fixture, praxis_bin, small_kb};

/// A copy of the `small` fixture ingested into a new data folder: the data folder, the copy's
/// folder (both removed when dropped), the corpus path and the knowledge base.
fn ingested_small_copy() -> (tempfile::TempDir, tempfile::TempDir, PathBuf, KnowledgeBase) {
    let data = tempfile::tempdir().unwrap();
    let (corpus_dir, corpus) = corpus_copy("small");
    let kb = KnowledgeBase::open(data.path()).unwrap();
    ingest_folder(&kb, &corpus);
    (data, corpus_dir, corpus, kb)
}

/// Ingests the corpus folder `corpus` into `kb`.
fn ingest_folder(kb: &KnowledgeBase, corpus: &Path) -> IngestReport {
    kb.ingest(&[corpus.to_path_buf()], &|_, _| {}).unwrap()
}

#[test]
fn small_fixture_ingests_every_document() {
    let (_data, kb) = small_kb();
    let stats = kb.stats().unwrap();
    assert_eq!(stats.documents, 12);
    assert_eq!(stats.indexed, 12);
    assert_eq!(
        stats.by_type,
        vec![
            ("case-study".to_string(), 2),
            ("curriculum".to_string(), 1),
            ("law".to_string(), 4),
            ("mechanism".to_string(), 4),
            ("report".to_string(), 1),
        ]
    );
    let record = kb.document("ke-cohesion-act").unwrap().unwrap();
    assert_eq!(record.meta.countries, vec!["KEN"]);
    assert_eq!(record.revision, 1);
    assert!(record.body.starts_with("## Background"));
}

#[test]
fn reingesting_an_unchanged_corpus_writes_nothing() {
    let (_data, kb) = small_kb();
    let generation = kb.store().generation().unwrap();
    let report = kb.ingest(&[fixture("small")], &|_, _| {}).unwrap();
    assert_eq!(report.unchanged, 12);
    assert!(report.added.is_empty() && report.updated.is_empty() && report.withdrawn.is_empty());
    assert_eq!(kb.store().generation().unwrap(), generation);
}

#[test]
fn editing_one_file_yields_exactly_one_update_with_revision_2() {
    let (_data, _corpus_dir, corpus, kb) = ingested_small_copy();
    let path = corpus.join("laws/ug-icc-act.md");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("sets out cooperation", "regulates cooperation"),
    )
    .unwrap();

    let report = ingest_folder(&kb, &corpus);
    assert_eq!(report.updated, vec![("ug-icc-act".to_string(), 2)]);
    assert_eq!(report.unchanged, 11);
    let revisions = kb.store().revisions("ug-icc-act").unwrap();
    assert_eq!(revisions.len(), 2);
    assert!(revisions[0].body.contains("sets out cooperation"));
    assert!(revisions[1].body.contains("regulates cooperation"));
    let hits = kb
        .search(&praxis::SearchRequest::text("regulates"))
        .unwrap();
    assert_eq!(hits.hits[0].id, "ug-icc-act");
}

#[test]
fn a_deleted_file_withdraws_its_document_and_keeps_its_history() {
    let (_data, _corpus_dir, corpus, kb) = ingested_small_copy();
    std::fs::remove_file(corpus.join("case-studies/rw-1994.md")).unwrap();

    let report = ingest_folder(&kb, &corpus);
    assert_eq!(report.withdrawn, vec!["rw-1994".to_string()]);
    assert!(
        report.summary().contains("1 withdrawn"),
        "{}",
        report.summary()
    );
    let record = kb.document("rw-1994").unwrap().unwrap();
    assert!(record.withdrawn);
    let history = kb.history("rw-1994").unwrap();
    assert_eq!(
        history.len(),
        2,
        "the withdrawal is an entry of the history"
    );
    assert_eq!(history[1].action(), praxis::store::RevisionAction::Withdraw);
    assert_eq!(history[1].author, "ingest");
    assert!(history[1]
        .reason
        .as_deref()
        .unwrap()
        .starts_with("its file was removed: "));
    let response = kb.search(&praxis::SearchRequest::text("warnings")).unwrap();
    assert!(response.hits.iter().all(|h| h.id != "rw-1994"));

    // A file that is present but broken keeps its last good version in search.
    std::fs::write(corpus.join("laws/ug-icc-act.md"), "---\ntitle: broken\n").unwrap();
    let report = ingest_folder(&kb, &corpus);
    assert!(report.withdrawn.is_empty());
    assert_eq!(report.failed, 1);
    assert!(!kb.document("ug-icc-act").unwrap().unwrap().withdrawn);
}

#[test]
fn bad_files_each_get_their_own_message_and_valid_files_are_ingested() {
    let data = tempfile::tempdir().unwrap();
    let (_corpus_dir, corpus) = corpus_copy("bad");
    let mut oversized = b"---\ntitle: big\n---\n".to_vec();
    oversized.resize(2 * 1024 * 1024, b'a');
    std::fs::write(corpus.join("oversized.md"), oversized).unwrap();
    let kb = KnowledgeBase::open(data.path()).unwrap();
    let report = ingest_folder(&kb, &corpus);

    let shown: Vec<String> = report
        .problems
        .iter()
        .map(|p| {
            let file = std::path::Path::new(&p.file)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let position = p.line.map(|l| format!(":{l}")).unwrap_or_default();
            let field = p.field.clone().map(|f| format!(" {f}")).unwrap_or_default();
            format!("{file}{position}{field}")
        })
        .collect();
    assert_eq!(
        shown,
        vec![
            "Bad Name.md id",
            "bad-country.md:10 countries",
            "bad-year.md:6 year",
            "binary.md",
            "empty.md",
            "latin1.md:2",
            "law-without-status.md status",
            "law-without-status.md shareable",
            "malformed-yaml.md:4",
            "missing-title.md title",
            "no-front-matter.md",
            "oversized.md",
            "source-without-url.md:9 sources",
            "unclosed.md",
            "unknown-field.md:5 theme",
            "unknown-field.md themes",
            "unknown-theme.md:5 themes",
            "duplicate-id.md:2 id",
        ]
    );
    let message = |file: &str| {
        report
            .problems
            .iter()
            .find(|p| p.file.ends_with(file))
            .unwrap()
            .message
            .to_string()
    };
    assert_eq!(
        message("unknown-theme.md"),
        "unknown value \"hate-speach\"; did you mean \"hate-speech\"?"
    );
    assert!(message("binary.md").contains("binary"));
    assert!(message("empty.md").contains("empty"));
    assert!(message("latin1.md").contains("UTF-8"));
    assert!(message("oversized.md").contains("too large"));
    assert!(message("no-front-matter.md").contains("no front matter"));
    assert!(message("unclosed.md").contains("not closed"));
    assert!(message("malformed-yaml.md").starts_with("malformed YAML"));
    assert!(message("bad-country.md").contains("\"ZZ\""));
    assert!(message("duplicate-id.md").contains("good-one.md already uses it"));
    assert_eq!(report.added.len(), 2);
    assert_eq!(report.failed, 16);
    assert!(kb.document("good-one").unwrap().is_some());
    assert!(kb.document("good-two").unwrap().is_some());
}

#[test]
fn cli_ingest_prints_every_problem_and_a_summary_and_exits_non_zero() {
    let data = tempfile::tempdir().unwrap();
    let output = Command::new(praxis_bin())
        .args([
            "--data",
            data.path().to_str().unwrap(),
            "ingest",
            fixture("bad").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stderr.contains("unknown-theme.md:5:10: themes: unknown value \"hate-speach\"; did you mean \"hate-speech\"?"), "{stderr}");
    assert!(
        stdout.contains("2 added, 0 updated, 0 unchanged, 0 withdrawn, 15 failed"),
        "{stdout}"
    );

    let output = Command::new(praxis_bin())
        .args([
            "--data",
            data.path().to_str().unwrap(),
            "check",
            fixture("small").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn cli_search_prints_ranked_results_with_facets() {
    let data = tempfile::tempdir().unwrap();
    let data_arg = data.path().to_str().unwrap();
    let status = Command::new(praxis_bin())
        .args([
            "--data",
            data_arg,
            "ingest",
            fixture("small").to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let output = Command::new(praxis_bin())
        .args([
            "--data",
            data_arg,
            "search",
            "early warning",
            "--region",
            "africa",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Three documents have both words; the fourth has the theme "early warning".
    assert!(
        stdout.contains(
            "filter by Theme: Early warning and early action (4)? --theme early-warning\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("4 results for \"early warning\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("Continental [Early] [Warning] System"),
        "{stdout}"
    );
    assert!(stdout.contains("Region: *Africa (4)"), "{stdout}");

    let output = Command::new(praxis_bin())
        .args(["--data", data_arg, "search", "x", "--region", "atlantis"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("region: unknown value \"atlantis\""));
}

#[test]
fn a_store_ahead_of_the_index_is_repaired_on_the_next_open() {
    let data = tempfile::tempdir().unwrap();
    {
        let kb = KnowledgeBase::open(data.path()).unwrap();
        kb.ingest(&[fixture("small")], &|_, _| {}).unwrap();
        // Simulate a crash between the store write and the index commit.
        let mut record = kb.document("gh-peace-council").unwrap().unwrap();
        record.meta.summary = "Changed while the index was not looking.".into();
        let document = praxis::Document {
            meta: record.meta,
            body: record.body,
            source_text: record.source_text,
        };
        let write = |change| praxis::knowledge_base::Write {
            change,
            author: "test".into(),
            base_revision: None,
        };
        kb.write_uncommitted(write(praxis::knowledge_base::Change::Save {
            draft: praxis::knowledge_base::Draft::Validated(Box::new(document)),
            mode: praxis::knowledge_base::SaveMode::Update,
        }))
        .unwrap();
        kb.write_uncommitted(write(praxis::knowledge_base::Change::Withdraw {
            id: "kh-dc-cam".into(),
            reason: "test".into(),
        }))
        .unwrap();
        kb.store().flush().unwrap();
    }
    let kb = KnowledgeBase::open(data.path()).unwrap();
    assert_eq!(
        kb.store().active_versions().unwrap(),
        kb.index().indexed_versions().unwrap()
    );
    let hits = kb.search(&praxis::SearchRequest::text("looking")).unwrap();
    assert_eq!(hits.hits[0].id, "gh-peace-council");
}

#[test]
fn killing_an_ingest_midway_leaves_store_and_index_agreeing_after_the_next_run() {
    let data = tempfile::tempdir().unwrap();
    let corpus = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("small/taxonomy.yaml"),
        corpus.path().join("taxonomy.yaml"),
    )
    .unwrap();
    let template =
        std::fs::read_to_string(fixture("small/mechanisms/gh-peace-council.md")).unwrap();
    for i in 0..3000 {
        let text = template.replace(
            "National Peace Council",
            &format!("Peace Council number {i}"),
        );
        std::fs::write(corpus.path().join(format!("doc-{i:05}.md")), text).unwrap();
    }
    let data_arg = data.path().to_str().unwrap();
    let corpus_arg = corpus.path().to_str().unwrap();
    let mut child = Command::new(praxis_bin())
        .args(["--data", data_arg, "ingest", corpus_arg])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the store holds some documents, then kill -9.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        std::thread::sleep(std::time::Duration::from_millis(50));
        let size: u64 = walkdir_size(&data.path().join("store"));
        if size > 2_000_000 || std::time::Instant::now() > deadline {
            break;
        }
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(
        !status.success(),
        "the ingest finished before it could be interrupted"
    );

    let kb = KnowledgeBase::open(data.path()).unwrap();
    let stored = kb.store().active_versions().unwrap();
    assert_eq!(stored, kb.index().indexed_versions().unwrap());
    drop(kb);
    let status = Command::new(praxis_bin())
        .args(["--data", data_arg, "ingest", corpus_arg])
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let kb = KnowledgeBase::open(data.path()).unwrap();
    let stored = kb.store().active_versions().unwrap();
    assert_eq!(stored.len(), 3000);
    assert_eq!(stored, kb.index().indexed_versions().unwrap());
}

fn walkdir_size(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() {
                        walkdir_size(&p)
                    } else {
                        e.metadata().map(|m| m.len()).unwrap_or(0)
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

#[test]
fn a_missing_index_is_rebuilt_whole_on_the_next_open() {
    let data = tempfile::tempdir().unwrap();
    {
        let kb = KnowledgeBase::open(data.path()).unwrap();
        kb.ingest(&[fixture("small")], &|_, _| {}).unwrap();
    }
    std::fs::remove_dir_all(data.path().join("search")).unwrap();
    let kb = KnowledgeBase::open(data.path()).unwrap();
    assert!(kb.index_rebuilt_at_open());
    assert_eq!(kb.index().num_docs(), 12);
    assert_eq!(
        kb.store().active_versions().unwrap(),
        kb.index().indexed_versions().unwrap()
    );
    let hits = kb
        .search(&praxis::SearchRequest::text("peace council"))
        .unwrap();
    assert!(hits.hits.iter().any(|h| h.id == "gh-peace-council"));
    drop(kb);
    // Opened again, the index is as the open left it.
    let kb = KnowledgeBase::open(data.path()).unwrap();
    assert!(!kb.index_rebuilt_at_open());
    assert_eq!(kb.index().num_docs(), 12);
}

#[test]
fn reindex_rebuilds_the_index_from_the_store() {
    let (_data, kb) = small_kb();
    assert_eq!(kb.reindex().unwrap(), 12);
    assert_eq!(kb.index().num_docs(), 12);
    assert_eq!(
        kb.store().active_versions().unwrap(),
        kb.index().indexed_versions().unwrap()
    );
}

// --- curators and files: which source wins ---------------------------------------------------

fn curator(change: praxis::knowledge_base::Change) -> praxis::knowledge_base::Write {
    praxis::knowledge_base::Write {
        change,
        author: "alice".into(),
        base_revision: None,
    }
}

fn curator_edit(kb: &KnowledgeBase, id: &str, from: &str, to: &str) {
    let record = kb.document(id).unwrap().unwrap();
    let text = record.source_text.replace(from, to);
    assert_ne!(text, record.source_text, "the edit changes something");
    kb.write(curator(praxis::knowledge_base::Change::Save {
        draft: praxis::knowledge_base::Draft::Text {
            file: "request".into(),
            bytes: text.into_bytes(),
            default_id: Some(id.into()),
            expected_id: Some(id.into()),
        },
        mode: praxis::knowledge_base::SaveMode::Update,
    }))
    .unwrap();
}

/// A curator edits rw-1994 and withdraws kh-dc-cam.
fn curator_changes(kb: &KnowledgeBase) {
    curator_edit(
        kb,
        "rw-1994",
        "were not acted upon",
        "were ignored by the curator",
    );
    kb.write(curator(praxis::knowledge_base::Change::Withdraw {
        id: "kh-dc-cam".into(),
        reason: "duplicate".into(),
    }))
    .unwrap();
}

#[test]
fn reingest_keeps_a_curator_edit_and_a_curator_withdrawal_and_says_so() {
    let (_data, _corpus_dir, corpus, kb) = ingested_small_copy();
    curator_changes(&kb);
    // The files are unchanged: the store has seen their content, the curators' changes are newer.
    let report = ingest_folder(&kb, &corpus);
    let mut kept = report.kept.clone();
    kept.sort();
    assert_eq!(kept, vec!["kh-dc-cam".to_string(), "rw-1994".to_string()]);
    assert!(report.updated.is_empty() && report.restored.is_empty());
    assert!(
        report
            .summary()
            .contains("2 kept: changed by a curator since"),
        "{}",
        report.summary()
    );
    assert!(kb
        .document("rw-1994")
        .unwrap()
        .unwrap()
        .body
        .contains("ignored by the curator"));
    assert!(kb.document("kh-dc-cam").unwrap().unwrap().withdrawn);
    // A file removed after a curator's edit does not withdraw the curator's document either.
    std::fs::remove_file(corpus.join("case-studies/rw-1994.md")).unwrap();
    let report = ingest_folder(&kb, &corpus);
    assert!(report.withdrawn.is_empty());
    assert!(report.kept.contains(&"rw-1994".to_string()));
    assert!(!kb.document("rw-1994").unwrap().unwrap().withdrawn);
}

#[test]
fn a_file_with_new_content_or_force_wins_over_a_curator() {
    let (_data, _corpus_dir, corpus, kb) = ingested_small_copy();
    curator_changes(&kb);
    // The file was edited after the curator's change: it is news, and it wins.
    let path = corpus.join("case-studies/rw-1994.md");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("were not acted upon", "went unheeded")).unwrap();
    let report = ingest_folder(&kb, &corpus);
    assert_eq!(report.updated, vec![("rw-1994".to_string(), 3)]);
    assert_eq!(report.kept, vec!["kh-dc-cam".to_string()]);
    assert!(kb
        .document("rw-1994")
        .unwrap()
        .unwrap()
        .body
        .contains("went unheeded"));
    // --force applies every file: the withdrawn document comes back.
    let report = kb
        .ingest_with(std::slice::from_ref(&corpus), true, &|_, _| {})
        .unwrap();
    assert_eq!(report.restored, vec!["kh-dc-cam".to_string()]);
    assert!(report.kept.is_empty());
    let history = kb.history("kh-dc-cam").unwrap();
    let last = history.last().unwrap();
    assert_eq!(
        (last.action(), last.author.as_str()),
        (praxis::store::RevisionAction::Restore, "ingest")
    );
}

#[test]
fn the_cli_reports_kept_documents_and_force_applies_the_files() {
    let (data, _corpus_dir, corpus, kb) = ingested_small_copy();
    curator_edit(
        &kb,
        "rw-1994",
        "were not acted upon",
        "were ignored by the curator",
    );
    // The CLI opens the data folder itself.
    drop(kb);
    let run = |force: bool| {
        let mut command = Command::new(praxis_bin());
        command
            .arg("--data")
            .arg(data.path())
            .arg("ingest")
            .arg(&corpus);
        if force {
            command.arg("--force");
        }
        let output = command.output().unwrap();
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    let out = run(false);
    assert!(out.contains("kept: rw-1994"), "{out}");
    assert!(out.contains("1 kept: changed by a curator since"), "{out}");
    let out = run(true);
    assert!(out.contains("1 updated"), "{out}");
    let kb = KnowledgeBase::open(data.path()).unwrap();
    assert!(kb
        .document("rw-1994")
        .unwrap()
        .unwrap()
        .body
        .contains("were not acted upon"));
}

// --- the first start is atomic ---------------------------------------------------------------

#[test]
fn sigkill_during_the_first_start_then_restart_gives_every_shipped_document() {
    use praxis::store::{FirstStart, Store};
    let expected = praxis::server::default_corpus_document_count().unwrap();
    assert!(expected > 0);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(10)))
        .build()
        .into();
    // Kill the server as soon as it listens, while it ingests the default corpus. A try whose
    // kill came too late (the ingest had finished) proves nothing: try again, three times at most.
    let mut interrupted = None;
    for _ in 0..3 {
        let data = tempfile::tempdir().unwrap();
        let mut server = crate::common::start_server(data.path(), "token");
        server.child.kill().unwrap();
        server.child.wait().unwrap();
        drop(server);
        let store = Store::open(&data.path().join("store")).unwrap();
        let state = store.first_start().unwrap();
        let partial = store.len();
        drop(store);
        if state == Some(FirstStart::Started) {
            interrupted = Some((data, partial));
            break;
        }
    }
    let (data, partial) = interrupted.expect("no kill landed during the first start's ingest");
    assert!(partial < expected, "{partial} of {expected} when killed");

    let server = crate::common::start_server(data.path(), "token");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let mut response = agent.get(format!("{}/readyz", server.base)).call().unwrap();
        if response.status() == 200 {
            break;
        }
        assert_eq!(
            response.status(),
            503,
            "{:?}",
            response.body_mut().read_to_string()
        );
        assert!(
            std::time::Instant::now() < deadline,
            "never ready after the restart"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let mut response = agent
        .get(format!("{}/api/stats", server.base))
        .call()
        .unwrap();
    let stats: serde_json::Value =
        serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(stats["documents"], expected, "{stats}");
    assert_eq!(stats["indexed"], expected, "{stats}");
    drop(server);
    let store = Store::open(&data.path().join("store")).unwrap();
    assert_eq!(store.first_start().unwrap(), Some(FirstStart::Complete));
}

/// Opens a store just closed in this process: sled's background flusher can hold the directory's
/// lock for a moment after the handle is dropped.
fn retry_while_locked<T, E: std::fmt::Debug>(open: impl Fn() -> Result<T, E>) -> T {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match open() {
            Ok(opened) => return opened,
            Err(error) if std::time::Instant::now() < deadline => {
                let _ = error;
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(error) => panic!("the store stayed locked: {error:?}"),
        }
    }
}

#[test]
fn a_store_from_before_counters_and_the_recency_index_gets_them_on_open() {
    let data = tempfile::tempdir().unwrap();
    let (stats, recent, last_sequence) = {
        let kb = KnowledgeBase::open(data.path()).unwrap();
        kb.ingest(&[fixture("small")], &|_, _| {}).unwrap();
        kb.withdraw("kh-dc-cam", "alice").unwrap();
        let recent: Vec<String> = kb.store().recent_ids().map(|r| r.unwrap()).collect();
        let (log, _) = kb.store().audit_log(0, 1).unwrap();
        (kb.stats().unwrap(), recent, log[0].sequence)
    };
    {
        // What an older praxis left: no counters, no recency index, no audit counter.
        let db = retry_while_locked(|| sled::open(data.path().join("store")));
        let meta = db.open_tree("meta").unwrap();
        for key in meta.iter().keys() {
            let key = key.unwrap();
            if key.starts_with(b"count/") || &key[..] == b"summaries" || &key[..] == b"audit_next" {
                meta.remove(key).unwrap();
            }
        }
        db.open_tree("recent").unwrap().clear().unwrap();
        db.flush().unwrap();
    }
    let kb = retry_while_locked(|| KnowledgeBase::open(data.path()));
    assert_eq!(kb.stats().unwrap(), stats);
    let rebuilt: Vec<String> = kb.store().recent_ids().map(|r| r.unwrap()).collect();
    assert_eq!(rebuilt, recent);
    kb.withdraw("rw-1994", "alice").unwrap();
    let (log, _) = kb.store().audit_log(0, 1).unwrap();
    assert_eq!(
        log[0].sequence,
        last_sequence + 1,
        "the audit log continues"
    );
}

/// An id written in the text that no document has is a warning naming the file and line, from
/// `check` (among the files checked) and from `ingest` (also among the stored documents); a
/// mention of a stored document is not, even when only the mentioning file is ingested.
#[test]
fn mentions_of_ids_no_document_has_are_warnings() {
    let (_dir, corpus) = crate::common::corpus_copy("small");
    let file = corpus.join("reports/mentions.md");
    std::fs::write(
        &file,
        "---\ntitle: Mentions\ntype: report\nsummary: Mentions other documents.\nthemes: [genocide]\nyear: 2020\nlanguage: en\nsources:\n  - citation: Fixture\n---\nSee `rw-1994` for the warnings.\n\nSee also `rw-1995-typo`.\n",
    )
    .unwrap();
    let taxonomy = praxis::Taxonomy::builtin();
    let report =
        praxis::ingest::check(std::slice::from_ref(&corpus), &taxonomy, &|_, _| {}).unwrap();
    let warnings: Vec<String> = report.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("mentions.md:13:"), "{warnings:?}");
    assert!(warnings[0].contains("`rw-1995-typo`"), "{warnings:?}");

    let data = tempfile::tempdir().unwrap();
    let kb = praxis::KnowledgeBase::open(data.path()).unwrap();
    let report = ingest_folder(&kb, &corpus);
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    // Only the mentioning file, the mentioned one being in the store: the typo alone is warned.
    let report = kb.ingest(&[file], &|_, _| {}).unwrap();
    let warnings: Vec<String> = report.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("`rw-1995-typo`"), "{warnings:?}");
}

/// A store written before the compact encoding (every record and revision as JSON, texts in
/// both) is converted when opened, and holds exactly what it held: the same dump, line for
/// line, and the same searches.
#[test]
fn a_store_written_in_json_is_converted_on_open_and_loses_nothing() {
    use praxis::knowledge_base::{Change, Write};

    let data = tempfile::tempdir().unwrap();
    let dump = |kb: &KnowledgeBase| -> Vec<String> {
        let mut out = Vec::new();
        kb.dump(&mut out).unwrap();
        // The header line holds the time of the dump.
        String::from_utf8(out)
            .unwrap()
            .lines()
            .skip(1)
            .map(str::to_string)
            .collect()
    };
    let (before, records, revisions, hits) = {
        let kb = KnowledgeBase::open(data.path()).unwrap();
        kb.ingest(&[fixture("small")], &|_, _| {}).unwrap();
        kb.withdraw("kh-dc-cam", "alice").unwrap();
        kb.write(Write {
            change: Change::Restore {
                id: "kh-dc-cam".into(),
                reason: Some("back".into()),
            },
            author: "bob".into(),
            base_revision: None,
        })
        .unwrap();
        kb.withdraw("rw-1994", "alice").unwrap();
        let records: Vec<praxis::store::DocumentRecord> =
            kb.store().records().map(|r| r.unwrap()).collect();
        let revisions: Vec<(String, praxis::store::Revision)> = records
            .iter()
            .flat_map(|r| {
                kb.history(r.id())
                    .unwrap()
                    .into_iter()
                    .map(|revision| (r.id().to_string(), revision))
            })
            .collect();
        let hits = kb
            .search(&praxis::index::SearchRequest::text("genocide"))
            .unwrap()
            .total;
        (dump(&kb), records, revisions, hits)
    };
    assert!(
        revisions.len() > records.len(),
        "some documents have several revisions"
    );
    {
        // What the older praxis wrote: JSON values, no `encoding` key.
        let db = retry_while_locked(|| sled::open(data.path().join("store")));
        let documents = db.open_tree("documents").unwrap();
        let compact: usize = documents.iter().values().map(|v| v.unwrap().len()).sum();
        for record in &records {
            documents
                .insert(record.id(), serde_json::to_vec(record).unwrap())
                .unwrap();
        }
        let json: usize = documents.iter().values().map(|v| v.unwrap().len()).sum();
        let texts: usize = records
            .iter()
            .map(|r| r.body.len() + r.source_text.len())
            .sum();
        assert!(
            compact + texts < json,
            "records keep no text: {compact} bytes, {json} as JSON with {texts} of texts"
        );
        let tree = db.open_tree("revisions").unwrap();
        for (id, revision) in &revisions {
            let mut key = id.as_bytes().to_vec();
            key.push(0);
            key.extend_from_slice(&revision.number.to_be_bytes());
            tree.insert(key, serde_json::to_vec(revision).unwrap())
                .unwrap();
        }
        db.open_tree("meta").unwrap().remove("encoding").unwrap();
        db.flush().unwrap();
    }
    {
        let kb = retry_while_locked(|| KnowledgeBase::open(data.path()));
        assert_eq!(dump(&kb), before);
        assert_eq!(
            kb.search(&praxis::index::SearchRequest::text("genocide"))
                .unwrap()
                .total,
            hits
        );
        // Still writable, and the history continues.
        kb.withdraw("ke-cohesion-act", "alice").unwrap();
        assert_eq!(kb.history("ke-cohesion-act").unwrap().len(), 2);
    }
    let db = retry_while_locked(|| sled::open(data.path().join("store")));
    for tree in ["documents", "revisions"] {
        for value in db.open_tree(tree).unwrap().iter().values() {
            assert_ne!(value.unwrap()[0], b'{', "every {tree} value is converted");
        }
    }
}
