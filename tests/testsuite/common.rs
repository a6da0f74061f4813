//! Shared helpers: fixture corpora copied into temporary folders, knowledge bases on them.

use std::path::{Path, PathBuf};

use praxis::KnowledgeBase;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A copy of a fixture corpus in a temporary folder, so tests can edit and delete files.
pub fn corpus_copy(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join(name);
    copy_dir(&fixture(name), &target);
    (dir, target)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()));
        } else {
            std::fs::copy(&path, to.join(entry.file_name())).unwrap();
        }
    }
}

/// A knowledge base in a temporary data folder with the `small` fixture ingested.
pub fn small_kb() -> (tempfile::TempDir, KnowledgeBase) {
    let data = tempfile::tempdir().unwrap();
    let kb = KnowledgeBase::open(data.path()).unwrap();
    let report = kb.ingest(&[fixture("small")], &|_, _| {}).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.added.len(), 12);
    (data, kb)
}

/// The path of the praxis binary built for these tests.
pub fn praxis_bin() -> &'static str {
    env!("CARGO_BIN_EXE_praxis")
}
