//! The manual of national prevention architectures in a real browser (see `browser.rs` for the
//! set-up), in French, once with JavaScript on and once with it off: the contents, a chapter
//! with its guidance, evidence table and checklist, a mechanism it links to, the next chapter
//! (whose guidance exists only in English), and the printable page; axe-core on each.

use std::process::{Command, Stdio};

use crate::browser::{axe_source, open_browser, screenshot_dir, Session};
use crate::common::{fixture, praxis_bin, start_server};

async fn manual_in_french(javascript: bool) {
    let data = tempfile::tempdir().unwrap();
    let status = Command::new(praxis_bin())
        .arg("--data")
        .arg(data.path())
        .arg("ingest")
        .arg(fixture("manual"))
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let server = start_server(data.path(), "browser-manual-token");
    let profile = tempfile::tempdir().unwrap();
    let Some((_driver, client)) = open_browser(javascript, profile.path()).await else {
        return;
    };
    let shots = screenshot_dir(if javascript {
        "manual-js"
    } else {
        "manual-nojs"
    });
    eprintln!("browser screenshots (manual): {}", shots.display());
    let s = Session {
        client,
        base: server.base.clone(),
        shots,
        javascript,
    };
    let axe = if javascript { axe_source() } else { None };
    let mut violations = Vec::new();

    // The contents, reached from the header of any page.
    s.go("/?lang=fr").await;
    s.click("nav.site-nav a.manual-link").await;
    let heading = s
        .wait_text("h1", |t| t.starts_with("Manuel des architectures"))
        .await;
    assert_eq!(heading, "Manuel des architectures nationales de prévention");
    let contents = s.text("nav.manual-contents").await;
    for label in [
        "Créer un mécanisme",
        "Orienter un mécanisme",
        "Gérer un mécanisme dans la durée",
    ] {
        assert!(contents.contains(label), "{label} in {contents}");
    }
    assert!(s
        .text("#chapter-guiding .norms-brief")
        .await
        .contains("A un rôle d'alerte précoce (Satisfait par 1"));
    s.shot("manual-contents-fr").await;
    if let Some(axe) = &axe {
        violations.extend(s.axe_violations(axe).await);
    }

    // Chapter 1: guidance in French, the table with "non renseigné", the checklist.
    s.click("nav.manual-contents a[href=\"/manual/establishing?lang=fr\"]")
        .await;
    let heading = s.wait_text("h1", |t| t == "Créer un mécanisme").await;
    assert_eq!(heading, "Créer un mécanisme");
    assert!(s
        .text(".guide-body")
        .await
        .contains("Orientations fictives en français."));
    let bare = s.text("tr[data-id=\"tz-fixture-bare\"]").await;
    assert_eq!(bare.matches("non renseigné").count(), 5, "{bare}");
    let full = s.text("tr[data-id=\"ke-fixture-committee\"]").await;
    assert!(full.contains("Fixture prevention act (Kenya)"), "{full}");
    assert!(full.contains("État et société civile"), "{full}");
    let item = s.text("li[data-norm=\"legal-basis\"]").await;
    assert!(item.contains("Satisfait par 2"), "{item}");
    assert!(item.contains("non renseigné pour 2"), "{item}");
    s.shot("manual-establishing-fr").await;
    if let Some(axe) = &axe {
        violations.extend(s.axe_violations(axe).await);
    }

    // The checklist opens (a <details>, no script needed) and links to the mechanisms.
    s.click("li[data-norm=\"legal-basis\"] summary").await;
    s.click("li[data-norm=\"legal-basis\"] a[href^=\"/documents/ke-fixture-committee\"]")
        .await;
    let heading = s
        .wait_text("h1", |t| t.starts_with("Fixture national committee"))
        .await;
    assert_eq!(heading, "Fixture national committee (Kenya)");
    s.go("/manual/establishing?lang=fr").await;

    // The next chapter exists only in English: said so, in French.
    s.click(".chapter-nav a[rel=next]").await;
    let heading = s.wait_text("h1", |t| t == "Orienter un mécanisme").await;
    assert_eq!(heading, "Orienter un mécanisme");
    assert!(s
        .text(".manual-chapter .notice")
        .await
        .contains("pas encore disponible en français"));
    let ar = s.text("tr[data-id=\"ar-fixture-mecanismo\"]").await;
    assert!(ar.contains("Non"), "{ar}");
    s.shot("manual-guiding-fr").await;
    if let Some(axe) = &axe {
        violations.extend(s.axe_violations(axe).await);
    }

    // The whole manual on one page, checklists open.
    s.click(".manual-links a[href^=\"/manual/print\"]").await;
    let url = s.wait_url(|u| u.contains("/manual/print")).await;
    assert!(url.ends_with("/manual/print?lang=fr"), "{url}");
    for chapter in ["establishing", "guiding", "managing"] {
        let text = s.text(&format!("#chapter-{chapter}")).await;
        assert!(!text.is_empty(), "{chapter}");
    }
    let active = s.text("#chapter-managing li[data-norm=\"active\"]").await;
    assert!(
        active.contains("Fixture national committee (Kenya)"),
        "{active}"
    );
    assert!(s
        .text("#chapter-managing .guide-body")
        .await
        .contains("Orientaciones ficticias en español."));
    s.shot("manual-print-fr").await;
    if javascript {
        // The print stylesheet, applied as the browser applies it to paper: its `@media print`
        // rules are switched on for the screen, then the computed styles are read.
        let printed = s
            .client
            .execute(
                "for (const sheet of document.styleSheets) {
                   for (const rule of sheet.cssRules) {
                     if (rule.media && rule.media.mediaText === 'print') { rule.media.mediaText = 'all'; }
                   }
                 }
                 const style = (css) => getComputedStyle(document.querySelector(css));
                 return [
                   style('header.site').display,
                   style('footer.site').display,
                   style('#chapter-guiding').breakBefore,
                   style('#chapter-establishing').breakBefore,
                   style('.manual-table').tableLayout,
                   document.querySelectorAll('details.norm-mechanisms:not([open])').length,
                 ];",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            printed,
            serde_json::json!(["none", "none", "page", "auto", "fixed", 0]),
            "print styles"
        );
        s.shot("manual-print-media-fr").await;
    }
    if let Some(axe) = &axe {
        violations.extend(s.axe_violations(axe).await);
    }
    assert!(violations.is_empty(), "axe: {violations:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manual_in_french_with_javascript() {
    manual_in_french(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manual_in_french_without_javascript() {
    manual_in_french(false).await;
}
