//! Backups, restores, exports and dumps: what comes back must open, agree with its index and
//! equal what was saved.

use std::process::Command;
use std::time::{Duration, Instant};

use praxis::knowledge_base::{Change, Draft, SaveMode, Write};
use praxis::store::{ImportedParticipation, ImportedTreaty};
use praxis::KnowledgeBase;

use crate::common::{fixture, praxis_bin, small_kb, start_server};

const TOKEN: &str = "backup-token";

fn praxis(data: &std::path::Path, args: &[&str]) -> String {
    let output = Command::new(praxis_bin())
        .arg("--data")
        .arg(data)
        .args(args)
        .env("PRAXIS_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert!(output.status.success(), "praxis {args:?}: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

fn edit(kb: &KnowledgeBase, id: &str, summary: &str) {
    let record = kb.document(id).unwrap().unwrap();
    let text = record.source_text.replacen(
        &format!("summary: {}", record.meta.summary),
        &format!("summary: {summary}"),
        1,
    );
    kb.write(Write {
        change: Change::Save {
            draft: Draft::Text {
                file: "request".into(),
                bytes: text.into_bytes(),
                default_id: Some(id.into()),
                expected_id: Some(id.into()),
            },
            mode: SaveMode::Update,
        },
        author: "alice".into(),
        base_revision: Some(record.revision),
    })
    .unwrap();
}

fn withdraw(kb: &KnowledgeBase, id: &str) {
    kb.write(Write {
        change: Change::Withdraw {
            id: id.into(),
            reason: "test withdrawal".into(),
        },
        author: "alice".into(),
        base_revision: None,
    })
    .unwrap();
}

/// Everything a store holds, as comparable text (revisions and audit entries included).
fn dump_lines(kb: &KnowledgeBase) -> Vec<String> {
    let mut out = Vec::new();
    kb.dump(&mut out).unwrap();
    String::from_utf8(out)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("{\"kind\":\"header\""))
        .map(str::to_string)
        .collect()
}

/// The store and the index agree, every revision is there and has its audit entry.
fn assert_whole(kb: &KnowledgeBase) {
    assert_eq!(
        kb.store().active_versions().unwrap(),
        kb.index().indexed_versions().unwrap()
    );
    let (audit, total) = kb.store().audit_log(0, usize::MAX).unwrap();
    let mut revisions = 0;
    for record in kb.store().records() {
        let record = record.unwrap();
        let history = kb.history(record.id()).unwrap();
        let numbers: Vec<u32> = history.iter().map(|r| r.number).collect();
        assert_eq!(
            numbers,
            (1..=record.revision).collect::<Vec<_>>(),
            "{}",
            record.id()
        );
        for revision in &history {
            assert!(
                audit
                    .iter()
                    .any(|e| e.document == record.id() && e.revision == revision.number),
                "no audit entry for {} revision {}",
                record.id(),
                revision.number
            );
        }
        revisions += history.len();
    }
    assert_eq!(total, revisions, "one audit entry per revision");
    assert_eq!(kb.stats().unwrap().revisions, revisions);
}

#[test]
fn a_backup_taken_during_writes_restores_to_a_store_that_opens_and_agrees_with_its_index() {
    let data = tempfile::tempdir().unwrap();
    {
        let kb = KnowledgeBase::open(data.path()).unwrap();
        kb.ingest(&[fixture("small")], &|_, _| {}).unwrap();
    }
    let server = start_server(data.path(), TOKEN);
    let base = server.base.clone();
    // A curator keeps writing while the backup is taken.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        let base = base.clone();
        std::thread::spawn(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(Duration::from_secs(30)))
                .build()
                .into();
            let mut written = 0;
            let deadline = Instant::now() + Duration::from_secs(60);
            while !stop.load(std::sync::atomic::Ordering::SeqCst) && Instant::now() < deadline {
                let text = format!(
                    "---\nid: tz-backup-{written}\ntitle: Backup test {written}\ntype: report\nsummary: Written during a backup.\nthemes: [genocide]\nyear: 2020\nlanguage: en\nsources:\n  - citation: Test\n---\nBody {written}.\n"
                );
                let response = agent
                    .post(format!("{base}/api/documents"))
                    .header("Authorization", &format!("Bearer {TOKEN}"))
                    .header("Content-Type", "text/markdown")
                    .send(text)
                    .unwrap();
                assert_eq!(response.status(), 201);
                written += 1;
            }
            written
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    let backups = tempfile::tempdir().unwrap();
    let backup = backups.path().join("b1");
    let other = tempfile::tempdir().unwrap();
    let out = praxis(
        other.path(),
        &["backup", backup.to_str().unwrap(), "--server", &base],
    );
    assert!(out.starts_with("backup "), "{out}");
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let written = writer.join().unwrap();
    assert!(written > 0, "writes ran during the backup");
    drop(server);

    let restored = tempfile::tempdir().unwrap();
    let out = praxis(restored.path(), &["restore", backup.to_str().unwrap()]);
    assert!(out.starts_with("restored "), "{out}");
    let kb = KnowledgeBase::open(restored.path()).unwrap();
    assert_whole(&kb);
    let documents = kb.stats().unwrap().documents;
    assert!(
        (12..=12 + written).contains(&documents),
        "{documents} documents"
    );
    // Restoring over a store that has data is refused and changes nothing.
    drop(kb);
    let output = Command::new(praxis_bin())
        .arg("--data")
        .arg(restored.path())
        .args(["restore", backup.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("empty"));
}

#[test]
fn export_then_ingest_into_an_empty_store_gives_identical_documents() {
    let (data, kb) = small_kb();
    edit(&kb, "rw-1994", "Edited by a curator after ingest.");
    withdraw(&kb, "kh-dc-cam");
    let expected: Vec<_> = kb
        .store()
        .records()
        .map(|r| r.unwrap())
        .filter(|r| !r.withdrawn)
        .map(|r| {
            (
                r.meta.id.clone(),
                r.content_hash.clone(),
                r.source_text.clone(),
                r.meta,
            )
        })
        .collect();
    drop(kb);
    let exports = tempfile::tempdir().unwrap();
    let dir = exports.path().join("export");
    let out = praxis(data.path(), &["export", dir.to_str().unwrap()]);
    assert!(out.contains("11 current documents"), "{out}");
    assert!(dir.join("dump.ndjson").is_file());

    let fresh = tempfile::tempdir().unwrap();
    let kb = KnowledgeBase::open(fresh.path()).unwrap();
    let report = kb.ingest(&[dir.join("corpus")], &|_, _| {}).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let got: Vec<_> = kb
        .store()
        .records()
        .map(|r| r.unwrap())
        .map(|r| {
            (
                r.meta.id.clone(),
                r.content_hash.clone(),
                r.source_text.clone(),
                r.meta,
            )
        })
        .collect();
    assert_eq!(got.len(), expected.len());
    for (got, expected) in got.iter().zip(&expected) {
        assert_eq!(got.0, expected.0);
        assert_eq!(got.1, expected.1, "{}: same content", got.0);
        assert_eq!(got.2, expected.2, "{}: same text", got.0);
        assert_eq!(
            serde_json::to_value(&got.3).unwrap(),
            serde_json::to_value(&expected.3).unwrap()
        );
    }
    assert!(kb
        .document("rw-1994")
        .unwrap()
        .unwrap()
        .meta
        .summary
        .contains("Edited by a curator"));
}

#[test]
fn dump_then_import_dump_restores_revisions_audit_and_treaty_data_exactly() {
    let (_data, kb) = small_kb();
    edit(&kb, "rw-1994", "A second revision.");
    withdraw(&kb, "kh-dc-cam");
    let now = praxis::store::now();
    kb.store()
        .import_treaty_data(
            &[ImportedTreaty {
                treaty: "genocide".into(),
                name: "Genocide Convention".into(),
                mtdsg_no: None,
                open_year: Some(1948),
                source_url: "https://example.org/t".into(),
                file: "t.csv".into(),
                imported_at: now.clone(),
                as_of: None,
            }],
            &[ImportedParticipation {
                iso3: "KEN".into(),
                treaty: "genocide".into(),
                action: praxis::profiles::Action::Accession,
                action_date: Some("2000-01-01".into()),
                signature_date: None,
                source_url: "https://example.org/t".into(),
                name: "Kenya".into(),
                file: "t.csv".into(),
                line: 2,
                imported_at: now,
                as_of: None,
            }],
            false,
        )
        .unwrap();
    let before = dump_lines(&kb);
    let mut bytes = Vec::new();
    let counts = kb.dump(&mut bytes).unwrap();
    assert_eq!((counts.treaties, counts.participation), (1, 1));

    let target = tempfile::tempdir().unwrap();
    let restored = KnowledgeBase::open(target.path()).unwrap();
    restored.import_dump(&mut bytes.as_slice()).unwrap();
    assert_eq!(
        dump_lines(&restored),
        before,
        "revisions, audit, treaties identical"
    );
    assert_whole(&restored);
    assert_eq!(restored.stats().unwrap(), {
        let mut stats = kb.stats().unwrap();
        stats.indexed = restored.index().num_docs();
        stats
    });
    // New writes continue the audit numbering after the imported entries.
    edit(&restored, "rw-1994", "A third revision.");
    let (log, _) = restored.store().audit_log(0, 2).unwrap();
    assert_eq!(log[0].sequence, log[1].sequence + 1);

    // A second import into a store with data is refused.
    assert!(matches!(
        restored.import_dump(&mut bytes.as_slice()),
        Err(praxis::store::DumpError::NotEmpty)
    ));
}

#[test]
fn a_truncated_or_foreign_dump_loads_nothing() {
    let (_data, kb) = small_kb();
    let mut bytes = Vec::new();
    kb.dump(&mut bytes).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let truncated: String = text.lines().take(5).map(|l| format!("{l}\n")).collect();
    let target = tempfile::tempdir().unwrap();
    let restored = KnowledgeBase::open(target.path()).unwrap();
    let error = restored.import_dump(&mut truncated.as_bytes()).unwrap_err();
    assert!(error.to_string().contains("truncated"), "{error}");
    assert!(restored.store().is_empty());
    let error = restored
        .import_dump(&mut "{\"not\": \"a dump\"}\n".as_bytes())
        .unwrap_err();
    assert!(error.to_string().starts_with("line 1:"), "{error}");
    assert!(restored.store().is_empty());
    // The intact dump still loads.
    restored.import_dump(&mut text.as_bytes()).unwrap();
    assert_eq!(restored.stats().unwrap().documents, 12);
}
