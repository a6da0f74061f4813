//! Country and regional profiles, the treaty data they rest on, and `praxis import-treaties`.
//!
//! Facts checked here come from the reference data files (`corpus/reference/treaties/`, the UN
//! Treaty Collection as published on 2026-02-03); documents and imports come from fixtures.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use praxis::profiles::{
    self, Action, NoDataReason, ProfileOptions, Provenance, TreatyData, TreatyStatus,
};
use praxis::{KnowledgeBase, Lang};
use serde_json::Value;

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

/// A knowledge base holding the profile fixture corpus.
fn kb_with_fixture_corpus() -> (tempfile::TempDir, KnowledgeBase) {
    let dir = tempfile::tempdir().unwrap();
    let kb = KnowledgeBase::open(dir.path()).unwrap();
    let report = kb
        .ingest(&[fixture("profiles/corpus")], &|_, _| {})
        .unwrap();
    assert_eq!(report.failed, 0, "{:?}", report.problems);
    (dir, kb)
}

fn praxis(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_praxis"))
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn instrument<'a>(profile: &'a Value, slug: &str) -> &'a Value {
    profile["instruments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["instrument"] == slug)
        .unwrap_or_else(|| panic!("no instrument {slug}"))
}

#[test]
fn known_facts_of_the_un_treaty_data() {
    let data = TreatyData::builtin();
    assert_eq!(data.data_date(), "2026-02-03");
    assert_eq!(
        data.status("KEN", "cerd"),
        TreatyStatus::Party {
            action: Action::Accession,
            date: Some("2001-09-13".into()),
            signature_date: None,
            withdrawal_effective: None,
        }
    );
    assert_eq!(
        data.status("USA", "iccpr"),
        TreatyStatus::Party {
            action: Action::Ratification,
            date: Some("1992-06-08".into()),
            signature_date: Some("1977-10-05".into()),
            withdrawal_effective: None,
        }
    );
    assert_eq!(
        data.status("CHN", "iccpr"),
        TreatyStatus::SignedOnly {
            date: Some("1998-10-05".into())
        }
    );
    // Malaysia and Myanmar have no ICCPR row: "no data", never "not a party".
    for iso3 in ["MYS", "MMR"] {
        assert_eq!(
            data.status(iso3, "iccpr"),
            TreatyStatus::NoData {
                reason: NoDataReason::NotInData
            }
        );
    }
}

#[test]
fn instruments_without_a_data_file_are_no_data_for_every_state() {
    let data = TreatyData::builtin();
    let geography = praxis::geography::Geography::builtin();
    for treaty in ["geneva-conventions", "geneva-protocols"] {
        for country in geography.countries() {
            assert_eq!(
                data.status(&country.iso3, treaty),
                TreatyStatus::NoData {
                    reason: NoDataReason::NoTreatyData
                },
                "{}/{treaty}",
                country.iso3
            );
        }
    }
}

#[test]
fn country_profile_lists_instruments_and_documents_grouped_by_type() {
    let (_dir, kb) = kb_with_fixture_corpus();
    let profile = profiles::country_profile(&kb, "KE", &ProfileOptions::new(Lang::En)).unwrap();
    assert_eq!(profile.iso3, "KEN");
    assert_eq!(profile.names.fr, "Kenya");
    let path: Vec<&str> = profile
        .region_path
        .iter()
        .map(|r| r.slug.as_str())
        .collect();
    assert_eq!(path, ["africa", "sub-saharan-africa", "eastern-africa"]);
    assert_eq!(profile.data_date, "2026-02-03");
    for credit in [
        "UN Treaty Collection (treaties.un.org), status as of 2026-02-03",
        "UN Treaty Collection (treaties.un.org), status as of 2026-08-22",
        "UN Treaty Collection (treaties.un.org), status as of 2015-03-14",
        "Organization of American States (OAS), Inter-American Commission on Human Rights, status as of 2013-07-26",
    ] {
        assert!(profile.credits.iter().any(|c| c == credit), "{credit}");
    }

    let icerd = profile
        .instruments
        .iter()
        .find(|i| i.instrument == "icerd")
        .unwrap();
    assert_eq!(icerd.detail, "accession 2001-09-13");
    assert!(icerd
        .source_url
        .as_deref()
        .unwrap()
        .starts_with("https://treaties.un.org/"));
    // Adherence counts the basket's instruments only.
    let statuses: Vec<_> = profile.instruments.iter().filter(|s| s.in_basket).collect();
    let count = |key: &str| statuses.iter().filter(|s| s.status.key() == key).count();
    assert_eq!(profile.basket.slug, "atrocity-prevention-core");
    assert_eq!(profile.adherence.party, count("party"));
    assert_eq!(profile.adherence.signed_only, count("signed_only"));
    assert_eq!(profile.adherence.instruments, statuses.len());
    assert_eq!(profile.adherence.instruments, 10);

    let groups: Vec<(&str, Vec<&str>)> = profile
        .documents
        .iter()
        .map(|g| {
            (
                g.doc_type.as_str(),
                g.documents.iter().map(|d| d.id.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        groups,
        [
            ("mechanism", vec!["ke-fixture-committee"]),
            ("law", vec!["ke-fixture-cohesion-law"]),
            ("case-study", vec!["ke-ug-fixture-case"]),
        ]
    );
    let law = &profile.documents[1].documents[0];
    assert_eq!(law.shareable, Some(true));
    assert_eq!(
        law.shareable_note.as_deref(),
        Some("Fixture reason why this law travels well.")
    );
    assert_eq!(profile.documents[0].documents[0].established, Some(2011));
    assert_eq!(profile.document_count, 3);
}

#[test]
fn withdrawn_documents_leave_the_profile() {
    let (_dir, kb) = kb_with_fixture_corpus();
    kb.withdraw("ke-fixture-committee", "tester").unwrap();
    let profile = profiles::country_profile(&kb, "KEN", &ProfileOptions::new(Lang::En)).unwrap();
    assert!(profile.documents.iter().all(|g| g.doc_type != "mechanism"));
    assert_eq!(profile.document_count, 2);
}

#[test]
fn region_profile_counts_each_state_and_lists_the_shareable_laws_of_the_region() {
    let (_dir, kb) = kb_with_fixture_corpus();
    let region =
        profiles::region_profile(&kb, "eastern-africa", &ProfileOptions::new(Lang::En)).unwrap();
    assert_eq!(region.label, "Eastern Africa");
    let path: Vec<&str> = region.region_path.iter().map(|r| r.slug.as_str()).collect();
    assert_eq!(path, ["africa", "sub-saharan-africa"]);

    let kenya = region.countries.iter().find(|c| c.iso3 == "KEN").unwrap();
    let profile = profiles::country_profile(&kb, "KEN", &ProfileOptions::new(Lang::En)).unwrap();
    assert_eq!(kenya.adherence, profile.adherence);
    for iso3 in ["RWA", "UGA", "TZA", "ETH", "SSD"] {
        assert!(region.countries.iter().any(|c| c.iso3 == iso3), "{iso3}");
    }
    // States only: Réunion and Mayotte are territories of the sub-region.
    assert!(region.countries.iter().all(|c| c.un_status != "other"));
    assert!(!region.countries.iter().any(|c| c.iso3 == "REU"));

    let icerd = region
        .instruments
        .iter()
        .find(|i| i.instrument == "icerd")
        .unwrap();
    assert!(icerd.has_data);
    assert_eq!(
        icerd.party + icerd.signed_only + icerd.not_in_data,
        region.countries.len()
    );
    let genocide = region
        .instruments
        .iter()
        .find(|i| i.instrument == "geneva-conventions")
        .unwrap();
    assert!(!genocide.has_data);
    assert_eq!(genocide.party, 0);

    // Shareable laws of the region only: not Uganda's (judged not shareable), not Thailand's.
    let mut laws: Vec<&str> = region
        .shareable_laws
        .iter()
        .map(|l| l.id.as_str())
        .collect();
    laws.sort();
    assert_eq!(laws, ["ke-fixture-cohesion-law", "tz-fixture-law"]);

    let asia = profiles::region_profile(&kb, "asia", &ProfileOptions::new(Lang::En)).unwrap();
    let laws: Vec<&str> = asia.shareable_laws.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(laws, ["th-fixture-law"]);
    assert!(asia.countries.iter().any(|c| c.iso3 == "CHN"));
}

#[test]
fn profiles_are_labelled_in_french_and_spanish() {
    let (_dir, kb) = kb_with_fixture_corpus();
    let profile = profiles::country_profile(&kb, "USA", &ProfileOptions::new(Lang::Es)).unwrap();
    assert_eq!(profile.name, "Estados Unidos de América");
    let iccpr = profile
        .instruments
        .iter()
        .find(|i| i.instrument == "iccpr")
        .unwrap();
    assert_eq!(iccpr.status_label, "Parte");
    assert_eq!(
        iccpr.detail,
        "ratificación 1992-06-08 (firmado el 1977-10-05)"
    );
    let region = profiles::region_profile(&kb, "africa", &ProfileOptions::new(Lang::Fr)).unwrap();
    assert_eq!(region.label, "Afrique");
}

#[test]
fn unknown_country_and_region_name_the_parameter_and_suggest() {
    let (_dir, kb) = kb_with_fixture_corpus();
    let error = profiles::country_profile(&kb, "XK1", &ProfileOptions::new(Lang::En))
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("country: unknown country \"XK1\""),
        "{error}"
    );
    let error = profiles::region_profile(&kb, "east-africa", &ProfileOptions::new(Lang::En))
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("region: unknown region \"east-africa\""),
        "{error}"
    );
    assert!(error.contains("did you mean eastern-africa?"), "{error}");
}

#[test]
fn import_treaties_stores_valid_rows_reports_bad_ones_and_changes_the_genocide_convention_status() {
    let dir = tempfile::tempdir().unwrap();
    let file = fixture("treaties/genocide.csv");
    let shown = file.display().to_string();

    // Before: Kenya is not in the (incomplete, 2015) built-in list.
    let before = praxis(dir.path(), &["profile", "KE", "--json"]);
    assert!(before.status.success(), "{}", stderr(&before));
    let before: Value = serde_json::from_slice(&before.stdout).unwrap();
    let genocide = instrument(&before, "genocide-convention");
    assert_eq!(genocide["status"], "no_data");
    assert_eq!(genocide["reason"], "not_in_data");
    let before_with_data = before["adherence"]["with_data"].as_u64().unwrap();
    let before_party = before["adherence"]["party"].as_u64().unwrap();

    let output = praxis(
        dir.path(),
        &[
            "import-treaties",
            file.to_str().unwrap(),
            "--as-of",
            "2026-01-15",
        ],
    );
    assert_eq!(
        output.status.code(),
        Some(1),
        "bad rows make the exit non-zero"
    );
    let (out, err) = (stdout(&output), stderr(&output));
    assert!(
        err.contains(&format!(
            "{shown}:4:4: action_type: \"Ratified\" is not an action type; allowed: Ratification, Accession"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{shown}:5:1: country_name: \"Republic of Atlantis\" matches no country"
        )),
        "{err}"
    );
    assert!(
        out.contains("5 rows read; imported 2 (genocide 2); skipped 3 (2 with problems, 1 without an ISO code)"),
        "{out}"
    );
    assert!(out.contains("unmapped names:"), "{out}");
    assert!(
        out.contains("Republic of Atlantis (line 5): not recognised"),
        "{out}"
    );
    assert!(
        out.contains("Yugoslavia (line 6): skipped, former State"),
        "{out}"
    );

    // After: Kenya and Tanzania have the imported status; Uganda's row was rejected.
    let after = praxis(dir.path(), &["profile", "KEN", "--json"]);
    let after: Value = serde_json::from_slice(&after.stdout).unwrap();
    let genocide = instrument(&after, "genocide-convention");
    assert_eq!(genocide["status"], "party");
    assert_eq!(genocide["action"], "accession");
    assert_eq!(genocide["date"], "2001-01-01");
    assert_eq!(
        genocide["source_url"],
        "https://example.org/praxis-test-fixture/genocide"
    );
    assert_eq!(genocide["provenance"]["kind"], "imported");
    assert_eq!(genocide["provenance"]["as_of"], "2026-01-15");
    assert_eq!(after["adherence"]["with_data"], before_with_data);
    assert_eq!(after["adherence"]["party"], before_party + 1);
    assert!(after["credits"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c.as_str().unwrap().contains("genocide.csv on ")));

    let tanzania = praxis(dir.path(), &["profile", "TZ", "--json"]);
    let tanzania: Value = serde_json::from_slice(&tanzania.stdout).unwrap();
    let genocide = instrument(&tanzania, "genocide-convention");
    assert_eq!(genocide["action"], "ratification");
    assert_eq!(genocide["signature_date"], "2000-02-02");

    // A State in neither list is "not in the data", not a non-party.
    let uganda = praxis(dir.path(), &["profile", "MG", "--json"]);
    let uganda: Value = serde_json::from_slice(&uganda.stdout).unwrap();
    let genocide = instrument(&uganda, "genocide-convention");
    assert_eq!(genocide["status"], "no_data");
    assert_eq!(genocide["reason"], "not_in_data");

    // The text view shows where the imported status comes from.
    let text = stdout(&praxis(dir.path(), &["profile", "Kenya"]));
    assert!(
        text.contains("accession 2001-01-01 · imported from"),
        "{text}"
    );
}

#[test]
fn imported_rows_take_precedence_over_the_builtin_data() {
    let dir = tempfile::tempdir().unwrap();
    let file = fixture("treaties/precedence.csv");
    let output = praxis(dir.path(), &["import-treaties", file.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output)
            .contains("rows that take precedence over the built-in UN Treaty Collection data: 1"),
        "{}",
        stdout(&output)
    );
    let kb = KnowledgeBase::open(dir.path()).unwrap();
    let data = TreatyData::load(kb.store()).unwrap();
    assert!(data.status("CHN", "iccpr").is_party());
    assert!(matches!(
        data.participation("CHN", "iccpr").unwrap().provenance,
        Provenance::Imported { .. }
    ));
    // Everything else still comes from the built-in data.
    assert_eq!(
        data.participation("USA", "iccpr").unwrap().provenance,
        Provenance::Builtin {
            source: "UN Treaty Collection (treaties.un.org)".into(),
            data_date: "2026-02-03".into()
        }
    );
}

#[test]
fn a_dry_run_stores_nothing_and_replace_drops_earlier_rows() {
    let dir = tempfile::tempdir().unwrap();
    let file = fixture("treaties/genocide.csv");
    let output = praxis(
        dir.path(),
        &["import-treaties", "--dry-run", file.to_str().unwrap()],
    );
    assert!(
        stdout(&output).contains("would import 2"),
        "{}",
        stdout(&output)
    );
    {
        let kb = KnowledgeBase::open(dir.path()).unwrap();
        assert_eq!(TreatyData::load(kb.store()).unwrap().imported_rows(), 0);
    }
    praxis(dir.path(), &["import-treaties", file.to_str().unwrap()]);

    // A corrected file with only Tanzania's row, imported with --replace, drops Kenya's row.
    let corrected = dir.path().join("corrected.csv");
    let text = std::fs::read_to_string(&file).unwrap();
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("country_name") || l.starts_with("United Republic"))
        .collect();
    std::fs::write(&corrected, kept.join("\n") + "\n").unwrap();
    let output = praxis(
        dir.path(),
        &["import-treaties", "--replace", corrected.to_str().unwrap()],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("rows of earlier imports replaced: 2"),
        "{}",
        stdout(&output)
    );
    let kb = KnowledgeBase::open(dir.path()).unwrap();
    let data = TreatyData::load(kb.store()).unwrap();
    assert!(data.status("TZA", "genocide").is_party());
    assert_eq!(
        data.status("KEN", "genocide"),
        TreatyStatus::NoData {
            reason: NoDataReason::NotInData
        }
    );
}

#[test]
fn a_file_with_wrong_columns_is_rejected_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("wrong.csv");
    std::fs::write(&file, "country,treaty\nKenya,genocide\n").unwrap();
    let output = praxis(dir.path(), &["import-treaties", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("wrong.csv:1:1: unknown column \"country\""),
        "{err}"
    );
    assert!(
        err.contains("missing column(s) country_name, treaty_id"),
        "{err}"
    );
}

#[test]
fn a_missing_file_or_unknown_country_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let output = praxis(dir.path(), &["import-treaties", "no/such/file.csv"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no/such/file.csv"),
        "{}",
        stderr(&output)
    );
    let output = praxis(dir.path(), &["profile", "Atlantis"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("country: unknown country \"Atlantis\""),
        "{}",
        stderr(&output)
    );
}

#[test]
fn region_profile_command_prints_a_table_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let output = praxis(dir.path(), &["region-profile", "eastern-africa"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.starts_with("Africa › Sub-Saharan Africa › Eastern Africa (eastern-africa)"),
        "{text}"
    );
    assert!(text.contains("KEN Kenya"), "{text}");
    let output = praxis(dir.path(), &["region-profile", "eastern-africa", "--json"]);
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["region"], "eastern-africa");
    assert_eq!(json["data_date"], "2026-02-03");
    assert!(json["countries"].as_array().unwrap().len() >= 18);
}

/// Importing the UN Treaty Collection files the built-in data was generated from gives back
/// exactly the built-in rows: the importer maps names and reads actions as the script does.
/// Needs the source files: `PRAXIS_UNTC_DIR=../shared/data cargo test -- --ignored`.
#[test]
#[ignore = "needs the UN Treaty Collection files (set PRAXIS_UNTC_DIR)"]
fn importing_the_un_files_reproduces_the_builtin_data() {
    let source = PathBuf::from(std::env::var("PRAXIS_UNTC_DIR").expect("PRAXIS_UNTC_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let kb = KnowledgeBase::open(dir.path()).unwrap();
    let mut imported = 0;
    for name in [
        "untc-human-rights-treaties.csv",
        "untc-arms-control-treaties.csv",
    ] {
        let report =
            profiles::import_treaties(&kb, &source.join(name), &profiles::ImportOptions::default())
                .unwrap();
        assert!(report.is_ok(), "{:?}", report.problems);
        assert!(report.unrecognised.is_empty());
        imported += report.imported;
    }
    let builtin = TreatyData::builtin();
    let rows = kb.store().imported_participation().unwrap();
    assert_eq!(imported, 4101);
    assert_eq!(rows.len(), 4101);
    for row in rows {
        let expected = builtin
            .participation(&row.iso3, &row.treaty)
            .unwrap_or_else(|| panic!("{}/{} is not in the built-in data", row.iso3, row.treaty));
        assert_eq!(
            (
                row.action,
                &row.action_date,
                &row.signature_date,
                &row.source_url
            ),
            (
                expected.action,
                &expected.action_date,
                &expected.signature_date,
                &expected.source_url
            ),
            "{}/{}",
            row.iso3,
            row.treaty
        );
    }
}

fn status_of<'a>(
    profile: &'a profiles::CountryProfile,
    slug: &str,
) -> &'a profiles::InstrumentStatus {
    profile
        .instruments
        .iter()
        .find(|i| i.instrument == slug)
        .unwrap_or_else(|| panic!("no instrument {slug}"))
}

#[test]
fn rome_statute_statuses_from_the_complete_2026_list() {
    let (_dir, kb) = kb_with_fixture_corpus();
    let en = ProfileOptions::new(Lang::En);
    let profile = |country: &str| profiles::country_profile(&kb, country, &en).unwrap();

    let kenya = profile("KE");
    let rome = status_of(&kenya, "rome-statute");
    assert_eq!(rome.headline, "Party since 2005-03-15");
    assert_eq!(rome.data_date.as_deref(), Some("2026-08-22"));
    assert_eq!(rome.coverage, Some(profiles::Coverage::Complete));

    // Indonesia is in no row of a list that is complete for 2026-08-22: not a party.
    let indonesia = profile("IDN");
    let rome = status_of(&indonesia, "rome-statute");
    assert_eq!(
        rome.status,
        TreatyStatus::NotParty {
            as_of: "2026-08-22".into()
        }
    );
    assert_eq!(rome.headline, "Not a party (as of 2026-08-22)");

    let burundi = profile("BI");
    assert_eq!(
        status_of(&burundi, "rome-statute").headline,
        "Withdrawn, effective 2017-10-27"
    );
    let philippines = profile("Philippines");
    let rome = status_of(&philippines, "rome-statute");
    assert_eq!(rome.headline, "Withdrawn, effective 2019-03-17");
    assert_eq!(
        rome.detail,
        "ratification 2011-08-30; withdrawal effective 2019-03-17"
    );

    // Mali notified its withdrawal; it takes effect after the data date: still a party.
    let mali = profile("MLI");
    let rome = status_of(&mali, "rome-statute");
    assert!(rome.status.is_party());
    assert_eq!(rome.headline, "Party — withdrawal takes effect 2027-06-24");

    // Hungary's withdrawal is known from the ICC's statement, which is the source shown.
    let hungary = profile("HU");
    let rome = status_of(&hungary, "rome-statute");
    assert_eq!(rome.headline, "Withdrawn, effective 2026-06-02");
    assert!(rome
        .source_url
        .as_deref()
        .unwrap()
        .starts_with("https://www.icc-cpi.int/"));

    let french = profiles::country_profile(&kb, "BDI", &ProfileOptions::new(Lang::Fr)).unwrap();
    assert_eq!(
        status_of(&french, "rome-statute").headline,
        "Retiré, effectif le 2017-10-27"
    );
}

#[test]
fn the_genocide_convention_list_is_stale_and_incomplete_so_an_absent_state_is_no_data() {
    let (_dir, kb) = kb_with_fixture_corpus();
    let en = ProfileOptions::new(Lang::En);
    // Kenya has no row in the UN list of about 2015-03-14.
    let kenya = profiles::country_profile(&kb, "KEN", &en).unwrap();
    let genocide = status_of(&kenya, "genocide-convention");
    assert_eq!(genocide.data_date.as_deref(), Some("2015-03-14"));
    assert!(genocide.stale);
    assert_eq!(genocide.coverage, Some(profiles::Coverage::Incomplete));
    assert!(genocide.data_note.as_deref().unwrap().starts_with("stale"));
    assert_eq!(
        genocide.status,
        TreatyStatus::NoData {
            reason: NoDataReason::NotInData
        }
    );
    assert_eq!(genocide.headline, "No data");
    assert!(!genocide.headline.to_lowercase().contains("not a party"));
    // A State in the list: party, with the 2015 date shown.
    let rwanda = profiles::country_profile(&kb, "RW", &en).unwrap();
    let genocide = status_of(&rwanda, "genocide-convention");
    assert!(genocide.status.is_party());
    assert_eq!(genocide.data_date.as_deref(), Some("2015-03-14"));
    // The text view (`praxis profile`) says the data is stale.
    let data = tempfile::tempdir().unwrap();
    let output = praxis(data.path(), &["profile", "KEN"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("as of 2015-03-14 — STALE"), "{text}");

    // The Geneva Conventions: no data, and why.
    let geneva = status_of(&kenya, "geneva-conventions");
    assert_eq!(geneva.headline, "No data");
    assert!(
        geneva.detail.contains("the depositary is Switzerland"),
        "{}",
        geneva.detail
    );

    // The Inter-American convention's source is the OAS, not the UN.
    let argentina = profiles::country_profile(&kb, "AR", &en).unwrap();
    let disappearance = status_of(&argentina, "ia-forced-disappearance");
    assert!(disappearance.status.is_party());
    assert!(disappearance
        .source_name
        .as_deref()
        .unwrap()
        .contains("OAS"));
    assert!(disappearance
        .source_url
        .as_deref()
        .unwrap()
        .contains("oas.org"));
}

/// Counted by hand from `participation.csv` and `withdrawals.csv` over the atrocity-prevention
/// core basket (Genocide Convention, Rome Statute, Geneva Conventions, Geneva Protocols, CERD,
/// ICCPR, CAT, CED, statutory limitations, ATT):
/// - Kenya: Rome Statute, CERD, ICCPR, CAT, statutory limitations = 5; CED signed only;
///   Genocide Convention and ATT not in their (incomplete) lists; Geneva: no data. With data 8.
/// - Indonesia: CERD, ICCPR, CAT = 3; Rome Statute not a party (complete list).
/// - The Philippines: Genocide, CERD, ICCPR, CAT, statutory limitations, ATT = 6; the Rome
///   Statute withdrawn (2019).
///
/// Eastern Africa's 18 States are party to 2, 3, 3, 3, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 6, 6, 7
/// instruments: Kenya (5) ranks 4th (three States have more), tied with five others; the
/// median is (4 + 5) / 2 = 4.5. South-eastern Asia's 11 States: 0, 1, 1, 2, 3 (Indonesia), 4,
/// 4, 5, 5, 6, 6 (the Philippines and Cambodia): Indonesia ranks 7th, the Philippines 1st
/// (tied with Cambodia); the median is 4.
#[test]
fn adherence_counts_and_region_ranks_for_three_states() {
    let (_dir, kb) = kb_with_fixture_corpus();
    let en = ProfileOptions::new(Lang::En);

    let kenya = profiles::country_profile(&kb, "KE", &en).unwrap();
    let a = kenya.adherence;
    assert_eq!(
        (
            a.party,
            a.signed_only,
            a.not_in_data,
            a.without_data,
            a.with_data
        ),
        (5, 1, 2, 2, 8)
    );
    assert_eq!(
        a.headline(Lang::En),
        "party to 5 of 10 instruments (8 with data)"
    );
    let eastern_africa = &kenya.standings[0];
    assert_eq!(eastern_africa.region.slug, "eastern-africa");
    assert_eq!(
        (
            eastern_africa.rank,
            eastern_africa.tied,
            eastern_africa.states,
            eastern_africa.median
        ),
        (4, 6, 18, 4.5)
    );
    assert_eq!(kenya.standings.len(), 3);
    assert_eq!(kenya.standings[2].region.slug, "africa");

    let indonesia = profiles::country_profile(&kb, "ID", &en).unwrap();
    let a = indonesia.adherence;
    assert_eq!((a.party, a.not_party), (3, 1));
    let sea = &indonesia.standings[0];
    assert_eq!(sea.region.slug, "south-eastern-asia");
    assert_eq!(
        (sea.rank, sea.tied, sea.states, sea.median),
        (7, 1, 11, 4.0)
    );

    let philippines = profiles::country_profile(&kb, "PH", &en).unwrap();
    let a = philippines.adherence;
    assert_eq!((a.party, a.withdrawn), (6, 1));
    let sea = &philippines.standings[0];
    assert_eq!((sea.rank, sea.tied, sea.states), (1, 2, 11));

    // The other basket counts other instruments.
    let core = profiles::country_profile(
        &kb,
        "KE",
        &ProfileOptions::new(Lang::En).basket("core-human-rights"),
    )
    .unwrap();
    assert_eq!(core.basket.slug, "core-human-rights");
    assert_eq!(core.adherence.instruments, 18);
    let bad = profiles::country_profile(&kb, "KE", &ProfileOptions::new(Lang::En).basket("nope"));
    assert!(bad
        .unwrap_err()
        .to_string()
        .starts_with("basket: unknown basket \"nope\""));
}

/// A knowledge base holding the law-finder fixture corpus: seven laws implementing the Rome
/// Statute (Uganda, Tanzania, Malawi and Rwanda in Eastern Africa; South Africa and Senegal
/// elsewhere in Sub-Saharan Africa; Germany), and Kenya's own law implementing CERD.
fn kb_with_law_fixtures() -> (tempfile::TempDir, KnowledgeBase) {
    let dir = tempfile::tempdir().unwrap();
    let kb = KnowledgeBase::open(dir.path()).unwrap();
    let report = kb.ingest(&[fixture("laws")], &|_, _| {}).unwrap();
    assert_eq!(report.failed, 0, "{:?}", report.problems);
    (dir, kb)
}

fn ids(laws: &[profiles::LawSuggestion]) -> Vec<&str> {
    laws.iter().map(|l| l.law.id.as_str()).collect()
}

#[test]
fn shareable_law_finder_ranks_nearness_then_language_then_shareable_then_in_force() {
    let (_dir, kb) = kb_with_law_fixtures();
    let query = profiles::LawQuery {
        country: Some("KE".into()),
        instruments: vec!["rome-statute".into()],
        lang: Lang::En,
        limit: 50,
        ..Default::default()
    };
    let found = profiles::find_laws(&kb, &query).unwrap();
    assert_eq!(
        ids(&found.laws),
        [
            "ug-icc-act",  // Eastern Africa, English, shareable, in force
            "tz-icc-bill", // Eastern Africa, English, shareable, draft
            "mw-icc-act",  // Eastern Africa, English, judged not shareable
            "rw-loi-cpi",  // Eastern Africa, French
            "za-icc-act",  // Sub-Saharan Africa, English
            "sn-loi-cpi",  // Sub-Saharan Africa, French
            "de-icc-code", // another region
        ]
    );
    assert_eq!(found.total, 7);
    let first = &found.laws[0];
    assert_eq!(
        first.reasons,
        [
            "same sub-region (Eastern Africa)",
            "written in English",
            "judged shareable by curators",
            "in force"
        ]
    );
    assert_eq!(
        first.law.shareable_note.as_deref(),
        Some("Fixture note for ug-icc-act.")
    );
    assert_eq!(
        found.laws[4].reasons[0],
        "same sub-region (Sub-Saharan Africa)"
    );
    assert_eq!(found.laws[6].reasons[0], "another region");
    assert_eq!(found.laws[1].status_label, "Draft or bill");

    // Read in French, the French laws of each tier come first.
    let french = profiles::find_laws(
        &kb,
        &profiles::LawQuery {
            lang: Lang::Fr,
            ..query.clone()
        },
    )
    .unwrap();
    assert_eq!(ids(&french.laws)[..2], ["rw-loi-cpi", "ug-icc-act"]);
    assert!(
        french.laws[0]
            .reasons
            .contains(&"rédigée en Français".to_string()),
        "{:?}",
        french.laws[0].reasons
    );

    // Kenya's own laws are never suggested to Kenya; without a country, every law is listed.
    let everyone = profiles::find_laws(
        &kb,
        &profiles::LawQuery {
            country: None,
            instruments: vec![],
            ..query.clone()
        },
    )
    .unwrap();
    assert_eq!(everyone.total, 8);
    let bad = profiles::find_laws(
        &kb,
        &profiles::LawQuery {
            instruments: vec!["rome-statut".into()],
            ..query
        },
    );
    assert_eq!(
        bad.unwrap_err().to_string(),
        "instrument: unknown instrument \"rome-statut\" (did you mean rome-statute?)"
    );
}

#[test]
fn gap_analysis_lists_party_instruments_without_an_implementing_law_with_ranked_suggestions() {
    let (_dir, kb) = kb_with_law_fixtures();
    let kenya = profiles::country_profile(&kb, "KE", &ProfileOptions::new(Lang::En)).unwrap();
    // Kenya is party to the Rome Statute, CERD, ICCPR, CAT and the statutory-limitations
    // convention; its cohesion act implements CERD.
    let gaps: Vec<&str> = kenya.gaps.iter().map(|g| g.instrument.as_str()).collect();
    assert_eq!(
        gaps,
        ["rome-statute", "iccpr", "cat", "statutory-limitations"]
    );
    let rome = &kenya.gaps[0];
    assert_eq!(
        rome.message,
        "Party to the Rome Statute of the International Criminal Court since 2005-03-15; no implementing law in Praxis"
    );
    assert_eq!(rome.available, 7);
    assert_eq!(
        ids(&rome.suggestions),
        [
            "ug-icc-act",
            "tz-icc-bill",
            "mw-icc-act",
            "rw-loi-cpi",
            "za-icc-act"
        ]
    );
    assert!(kenya.gaps[1].suggestions.is_empty());
    // Indonesia is not a party to the Rome Statute: no gap for it.
    let indonesia = profiles::country_profile(&kb, "ID", &ProfileOptions::new(Lang::En)).unwrap();
    assert!(!indonesia
        .gaps
        .iter()
        .any(|g| g.instrument == "rome-statute"));
}

// --- over HTTP --------------------------------------------------------------------------------

async fn get(
    kb: &std::sync::Arc<KnowledgeBase>,
    uri: &str,
) -> (axum::http::StatusCode, axum::http::HeaderMap, String) {
    use tower::ServiceExt;
    let state = praxis::server::AppState::new(kb.clone(), praxis::server::Tokens::none());
    let response = praxis::server::router(state)
        .oneshot(
            axum::http::Request::get(uri)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), 16 * 1024 * 1024)
        .await
        .unwrap();
    (status, headers, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn country_api_answers_json_and_csv_and_names_bad_parameters() {
    let (_dir, kb) = kb_with_law_fixtures();
    let kb = std::sync::Arc::new(kb);
    let (status, _, body) = get(&kb, "/api/countries/ken?lang=fr").await;
    assert_eq!(status, 200);
    let json: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["iso2"], "KE");
    assert_eq!(json["basket"]["slug"], "atrocity-prevention-core");
    let rome = instrument(&json, "rome-statute");
    assert_eq!(rome["headline"], "Partie depuis le 2005-03-15");
    assert_eq!(rome["data_date"], "2026-08-22");
    assert_eq!(json["gaps"][0]["instrument"], "rome-statute");

    let (status, headers, csv) =
        get(&kb, "/api/countries/KE?format=csv&basket=core-human-rights").await;
    assert_eq!(status, 200);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.iter().filter(|r| &r[3] == "yes").count(), 18);
    let rome = rows.iter().find(|r| &r[4] == "rome-statute").unwrap();
    assert_eq!(
        (&rome[6], &rome[9], &rome[12], &rome[13]),
        ("party", "2005-03-15", "2026-08-22", "complete")
    );

    for (uri, status, code, parameter) in [
        ("/api/countries/XX", 404, "not_found", None),
        (
            "/api/countries/KE?basket=nope",
            400,
            "invalid_parameter",
            Some("basket"),
        ),
        (
            "/api/countries/KE?format=xml",
            400,
            "invalid_parameter",
            Some("format"),
        ),
        (
            "/api/countries/KE?colour=red",
            400,
            "invalid_parameter",
            Some("colour"),
        ),
        (
            "/api/laws?instrument=atlantis",
            400,
            "invalid_filter",
            Some("instrument"),
        ),
        ("/api/laws?country=Atlantis", 404, "not_found", None),
        ("/api/laws?limit=0", 400, "invalid_parameter", Some("limit")),
    ] {
        let (got, _, body) = get(&kb, uri).await;
        assert_eq!(got, status, "{uri}: {body}");
        let json: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["error"]["code"], code, "{uri}");
        if let Some(parameter) = parameter {
            assert_eq!(json["error"]["parameter"], parameter, "{uri}");
        }
    }

    let (status, _, body) = get(&kb, "/api/laws?country=KE&instrument=rome-statute&limit=2").await;
    assert_eq!(status, 200);
    let json: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["total"], 7);
    assert_eq!(json["laws"].as_array().unwrap().len(), 2);
    assert_eq!(json["laws"][0]["law"]["id"], "ug-icc-act");
    assert_eq!(
        json["laws"][0]["reasons"][0],
        "same sub-region (Eastern Africa)"
    );
}

#[tokio::test]
async fn country_pages_take_codes_in_any_case_and_redirect_names() {
    let (_dir, kb) = kb_with_law_fixtures();
    let kb = std::sync::Arc::new(kb);
    for uri in [
        "/countries/KE",
        "/countries/ke",
        "/countries/KEN",
        "/countries/ken",
    ] {
        let (status, _, html) = get(&kb, uri).await;
        assert_eq!(status, 200, "{uri}");
        assert!(html.contains("<h1>Kenya"), "{uri}");
    }
    let (status, headers, _) = get(&kb, "/countries/Kenya?lang=fr").await;
    assert_eq!(status, 303);
    assert_eq!(headers["location"], "/countries/KE?lang=fr");
    let (status, _, html) = get(&kb, "/countries/Atlantis").await;
    assert_eq!(status, 404);
    assert!(html.contains("unknown country"), "{html}");

    let (_, _, html) = get(&kb, "/countries/KE?lang=en").await;
    assert!(html.contains("Party since 2005-03-15"));
    assert!(html.contains("(stale data)"));
    assert!(html.contains("the depositary is Switzerland"));
    assert!(html.contains("rank 4 of 18"), "region standing shown");
    // Its sub-region's map: the neighbours link to their profiles, Kenya itself is outlined.
    let map = &html[html.find("id=\"region-map\"").expect("a region map")..];
    assert!(
        map.contains("href=\"/regions/eastern-africa?lang=en\""),
        "{map}"
    );
    assert!(map.contains("class=\"c-adh-"), "coloured by adherence");
    assert!(
        map.contains(" c-current\" data-iso=\"KEN\""),
        "Kenya outlined"
    );
    assert!(map.contains("data-iso=\"TZA\""), "a neighbour drawn");
    // The world around the sub-region is background: named, but not said to have no data
    // (Algeria has data; it is only outside Eastern Africa).
    assert!(map.contains("<title>Algeria</title>"), "{map}");
    assert!(!map.contains("Algeria: no data"));
    let (_, _, french) = get(&kb, "/countries/KE?lang=fr").await;
    let map = &french[french.find("id=\"region-map\"").expect("a region map")..];
    assert!(map.contains("<title>Algérie</title>"), "named in French");
    assert!(!map.contains("pas de données</title>"), "{map}");
    assert!(html.contains("Party to the Rome Statute of the International Criminal Court since 2005-03-15; no implementing law in Praxis"));
    assert!(html.contains("same sub-region (Eastern Africa)"));
    // The country in context: population with its year and source, contested areas (UCDP).
    assert!(
        html.contains("56,432,944 (2024)"),
        "population with its year"
    );
    assert!(html.contains("World Bank, World Development Indicators (CC BY 4.0)"));
    assert!(html.contains("<dd id=\"contested\">Northeastern Province and Coast</dd>"));
    assert!(html.contains("Government of Kenya vs Al-Shabaab"));
    assert!(
        html.contains("<svg class=\"trend\""),
        "a trend line without JavaScript"
    );
    assert!(
        html.contains("href=\"/countries/UG?lang=en\""),
        "neighbours link to their profiles"
    );
    let (_, _, html) = get(&kb, "/countries/IDN?lang=fr").await;
    assert!(
        html.contains("Non partie (au 2026-08-22)"),
        "French profile"
    );
    let (_, _, html) = get(&kb, "/countries/PH").await;
    assert!(html.contains("Withdrawn, effective 2019-03-17"));

    let (status, _, html) = get(&kb, "/laws?country=KE&instrument=rome-statute&theme=").await;
    assert_eq!(status, 200);
    let first = html.find("ug-icc-act").unwrap();
    assert!(first < html.find("de-icc-code").unwrap());
    assert!(
        html.contains("Fixture note for ug-icc-act."),
        "shareable note in the row"
    );
    let (status, _, _) = get(&kb, "/laws?theme=atlantis").await;
    assert_eq!(status, 400);
}

/// `praxis serve` holds the store; `praxis profile` and `region-profile` then ask it, through
/// the address it writes into the data directory, and print the same profile.
#[test]
fn profile_commands_work_while_the_server_uses_the_data_directory() {
    let data = tempfile::tempdir().unwrap();
    {
        let kb = KnowledgeBase::open(data.path()).unwrap();
        let report = kb.ingest(&[fixture("laws")], &|_, _| {}).unwrap();
        assert_eq!(report.failed, 0);
    }
    let server = crate::common::start_server(data.path(), "a-token-for-the-profile-test");
    let address = std::fs::read_to_string(data.path().join("serve.address")).unwrap();
    assert_eq!(address.trim(), server.base);

    let output = praxis(data.path(), &["profile", "KE", "--json", "--lang", "fr"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        instrument(&json, "rome-statute")["headline"],
        "Partie depuis le 2005-03-15"
    );
    // Read in French: the French law of the sub-region comes first.
    assert_eq!(json["gaps"][0]["suggestions"][0]["law"]["id"], "rw-loi-cpi");

    let text = stdout(&praxis(data.path(), &["profile", "Indonesia"]));
    assert!(text.contains("Not a party (as of 2026-08-22)"), "{text}");
    let region = praxis(data.path(), &["region-profile", "eastern-africa", "--json"]);
    assert!(region.status.success(), "{}", stderr(&region));
    let region: Value = serde_json::from_slice(&region.stdout).unwrap();
    assert_eq!(region["countries"].as_array().unwrap().len(), 18);

    // The server's errors are the command's.
    let bad = praxis(data.path(), &["profile", "Atlantis"]);
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("unknown country \"Atlantis\""),
        "{}",
        stderr(&bad)
    );
}

/// minijinja's HTML escaping, to find a text in a page.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;")
}

/// The French and Spanish country profile and compare pages say the engine's sentences (gaps,
/// the law finder's reasons, the treaty data's credit lines) as the catalogue has them in their
/// language, not in English.
#[tokio::test]
async fn french_and_spanish_profile_and_compare_pages_say_gaps_reasons_and_credits_in_their_language(
) {
    use praxis::catalogue::Message;
    let (_dir, kb) = kb_with_law_fixtures();
    let kb = std::sync::Arc::new(kb);
    let english_gap = profiles::country_profile(&kb, "KE", &ProfileOptions::new(Lang::En))
        .unwrap()
        .gaps[0]
        .message
        .clone();
    for lang in [Lang::Fr, Lang::Es] {
        let profile = profiles::country_profile(&kb, "KE", &ProfileOptions::new(lang)).unwrap();
        let rome = profile
            .gaps
            .iter()
            .find(|g| g.instrument == "rome-statute")
            .unwrap();
        // The catalogue's sentence around the instrument's name, which is the data's label.
        let template = Message::new("gap_party_since")
            .arg("instrument", "\u{1}")
            .arg("since", "2005-03-15")
            .render(lang);
        let (before, after) = template.split_once('\u{1}').unwrap();
        assert!(
            rome.message.starts_with(before) && rome.message.ends_with(after),
            "{lang}: {}",
            rome.message
        );
        assert_ne!(rome.message, english_gap);
        let credit = Message::new("treaty_source_as_of")
            .arg("source", "UN Treaty Collection (treaties.un.org)")
            .arg("date", "2026-02-03")
            .render(lang);
        assert!(
            profile.credits.contains(&credit),
            "{lang}: {:?}",
            profile.credits
        );
        assert!(
            profile.credits.iter().all(|c| !c.contains("status as of")),
            "{lang}: {:?}",
            profile.credits
        );
        let reason = Message::new("law_reason_same_subregion")
            .arg("region", "\u{1}")
            .render(lang);
        let reason = reason.split_once('\u{1}').unwrap().0;
        assert!(
            rome.suggestions[0].reasons[0].starts_with(reason),
            "{lang}: {:?}",
            rome.suggestions[0].reasons
        );

        let (status, _, page) = get(&kb, &format!("/countries/KE?lang={}", lang.code())).await;
        assert_eq!(status, 200);
        for text in [&rome.message, &credit] {
            assert!(
                page.contains(&escaped(text)),
                "{lang}: the page lacks {text}"
            );
        }
        assert!(!page.contains("no implementing law in Praxis"), "{lang}");
        assert!(!page.contains("status as of"), "{lang}");
        // UCDP's incompatibility of a conflict (Mau Mau, 1952-1956, over Kenya's territory).
        use praxis::catalogue::{lookup, Section};
        let over = format!(
            "{}{}Kenya",
            lookup(Section::Profiles, "incompatibility_territory", lang).unwrap(),
            lookup(Section::Pages, "colon", lang).unwrap()
        );
        assert!(
            page.contains(&escaped(&over)),
            "{lang}: the page lacks {over}"
        );
        assert!(!page.contains(">territory: "), "{lang}");

        let (status, _, page) = get(
            &kb,
            &format!("/compare?countries=KE,RW&lang={}", lang.code()),
        )
        .await;
        assert_eq!(status, 200);
        assert!(
            page.contains(&escaped(&credit)),
            "{lang}: the compare page lacks {credit}"
        );
        assert!(!page.contains("status as of"), "{lang}");
    }
}
