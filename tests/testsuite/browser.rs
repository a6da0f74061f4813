//! End-to-end tests in a real browser: Debian's Chromium, driven through chromedriver
//! (WebDriver, with fantoccini), against a real `praxis serve`. One run with JavaScript on, one
//! with it off: every flow must work both ways.
//!
//! Needs `chromium` and `chromium-driver` (`apt-get install -y chromium chromium-driver`).
//! Without chromedriver the tests are skipped with a message, unless `PRAXIS_BROWSER_TESTS=1`
//! (set by CI), which makes a missing browser a failure. Screenshots go to
//! `$PRAXIS_SCREENSHOTS` (or a folder under the system temp dir), printed by the test.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use praxis::KnowledgeBase;

use crate::common::{fixture, praxis_bin, start_server};

const TOKEN: &str = "browser-curator-token";

pub(crate) struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromedriver() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("PRAXIS_CHROMEDRIVER").map(PathBuf::from),
        Some(PathBuf::from("/usr/bin/chromedriver")),
    ];
    candidates.into_iter().flatten().find(|p| p.is_file())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) fn screenshot_dir(name: &str) -> PathBuf {
    let root = std::env::var_os("PRAXIS_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            std::env::temp_dir().join(format!("praxis-screenshots-{}", std::process::id()))
        });
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub(crate) async fn open_browser(javascript: bool, profile: &Path) -> Option<(Driver, Client)> {
    let Some(driver_path) = chromedriver() else {
        if std::env::var("PRAXIS_BROWSER_TESTS").as_deref() == Ok("1") {
            panic!("chromedriver not found: install chromium and chromium-driver (apt-get install -y chromium chromium-driver)");
        }
        eprintln!("SKIPPED browser test: chromedriver not found (apt-get install -y chromium chromium-driver)");
        return None;
    };
    let port = free_port();
    let driver = Driver(
        Command::new(driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let mut args = vec![
        "--headless=new".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-dev-shm-usage".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--no-first-run".into(),
        "--window-size=1280,1000".into(),
        format!("--user-data-dir={}", profile.display()),
    ];
    if !javascript {
        args.push("--blink-settings=scriptEnabled=false".into());
    }
    let mut options = serde_json::json!({ "args": args });
    if Path::new("/usr/bin/chromium").exists() {
        options["binary"] = "/usr/bin/chromium".into();
    }
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("goog:chromeOptions".into(), options);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return Some((driver, client)),
            Err(error) if Instant::now() > deadline => {
                panic!("cannot start a browser session: {error}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// A data directory with the small fixture and a second revision of one document.
fn prepare_data(dir: &Path) {
    let status = Command::new(praxis_bin())
        .arg("--data")
        .arg(dir)
        .arg("ingest")
        .arg(fixture("small"))
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let kb = KnowledgeBase::open(dir).unwrap();
    let record = kb.document("ug-icc-act").unwrap().unwrap();
    let document = praxis::Document {
        meta: record.meta.clone(),
        body: record
            .body
            .replace("sets out cooperation", "regulates cooperation"),
        source_text: record
            .source_text
            .replace("sets out cooperation", "regulates cooperation"),
    };
    kb.save_document(&document, "e2e").unwrap();
}

pub(crate) struct Session {
    pub(crate) client: Client,
    pub(crate) base: String,
    pub(crate) shots: PathBuf,
    pub(crate) javascript: bool,
}

impl Session {
    pub(crate) async fn go(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    /// The element's text; retried briefly, since a click may still be loading the next page.
    pub(crate) async fn text(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let attempt = match self.client.find(Locator::Css(css)).await {
                Ok(element) => element.text().await.map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            match attempt {
                Ok(text) => return text,
                Err(error) if Instant::now() > deadline => panic!("{css}: {error}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    pub(crate) async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .unwrap();
    }

    pub(crate) async fn fill(&self, css: &str, value: &str) {
        let field = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }

    pub(crate) async fn shot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(self.shots.join(format!("{name}.png")), png).unwrap();
    }

    /// Waits (a few seconds at most) until the element's text satisfies `test`.
    pub(crate) async fn wait_text(&self, css: &str, test: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let text = match self.client.find(Locator::Css(css)).await {
                Ok(element) => element.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if test(&text) || Instant::now() > deadline {
                return text;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Applies the facet form: with JavaScript the page updates by itself; without, the
    /// reader presses "Apply filters".
    async fn apply_filters(&self) {
        if !self.javascript {
            self.click("button.apply").await;
        }
    }

    async fn facet_count(&self, group: &str, value: &str) -> String {
        let css = format!("fieldset[data-group={group}] input[value=\"{value}\"] ~ .count");
        self.text(&css).await
    }
}

async fn flows(javascript: bool) {
    let name = if javascript {
        "javascript-on"
    } else {
        "javascript-off"
    };
    let data = tempfile::tempdir().unwrap();
    prepare_data(data.path());
    let server = start_server(data.path(), TOKEN);
    let profile = tempfile::tempdir().unwrap();
    let Some((_driver, client)) = open_browser(javascript, profile.path()).await else {
        return;
    };
    let shots = screenshot_dir(name);
    eprintln!("browser screenshots ({name}): {}", shots.display());
    let s = Session {
        client,
        base: server.base.clone(),
        shots,
        javascript,
    };

    // Search: two values in one group (ORed), one in another (ANDed).
    s.go("/?lang=en").await;
    assert_eq!(s.text("#results-heading").await, "12 results");
    s.click("fieldset[data-group=type] input[value=law]").await;
    if javascript {
        s.wait_text("#results-heading", |t| t == "4 results").await;
    }
    s.click("fieldset[data-group=type] input[value=mechanism]")
        .await;
    if javascript {
        s.wait_text("#results-heading", |t| t == "8 results").await;
    }
    s.click("fieldset[data-group=language] input[value=en]")
        .await;
    s.apply_filters().await;
    let heading = s.wait_text("#results-heading", |t| t == "6 results").await;
    assert_eq!(heading, "6 results");
    // Type counts ignore the type selection (within English documents)...
    assert_eq!(s.facet_count("type", "law").await, "2");
    assert_eq!(s.facet_count("type", "mechanism").await, "4");
    assert_eq!(s.facet_count("type", "case-study").await, "1");
    // ...and language counts ignore the language selection (within laws and mechanisms).
    assert_eq!(s.facet_count("language", "fr").await, "1");
    assert_eq!(s.facet_count("language", "es").await, "1");
    let url = s.client.current_url().await.unwrap();
    assert!(
        url.as_str().contains("type=law") && url.as_str().contains("language=en"),
        "{url}"
    );
    s.shot("1-search-filtered").await;

    // A document, its history and a diff.
    s.click("a[href^=\"/documents/ug-icc-act\"]").await;
    assert_eq!(
        s.text("article h1").await,
        "International Criminal Court Act"
    );
    s.click("a[href^=\"/documents/ug-icc-act/history\"]").await;
    let rows = s
        .client
        .find_all(Locator::Css("table.revisions tbody tr"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    s.shot("2-history").await;
    s.click("form.compare button").await;
    assert_eq!(s.text("h1").await, "Changes from revision 1 to revision 2");
    assert!(s.text("tr.added").await.contains("regulates cooperation"));
    assert!(s.text("tr.removed").await.contains("sets out cooperation"));
    s.shot("3-diff").await;

    // French.
    s.click("nav.langs a[hreflang=fr]").await;
    assert_eq!(
        s.text("h1").await,
        "Changements de la révision 1 à la révision 2"
    );
    let lang = s
        .client
        .find(Locator::Css("html"))
        .await
        .unwrap()
        .attr("lang")
        .await
        .unwrap();
    assert_eq!(lang.as_deref(), Some("fr"));
    s.click("a.brand").await;
    assert_eq!(s.text("fieldset[data-group=type] legend").await, "Type");
    assert_eq!(s.text("fieldset[data-group=region] legend").await, "Région");
    assert_eq!(s.text("#results-heading").await, "12 résultats");
    s.shot("4-french").await;

    // The curator desk: sign in, create a document with an error, fix it, find it.
    s.go("/curate?lang=en").await;
    s.fill("#token", TOKEN).await;
    s.click("form button[type=submit]").await;
    assert!(s.text(".signout").await.contains("Signed in as e2e"));
    s.fill("#title", "Zebra crossing safety law").await;
    s.fill("#id", "ke-zebra-law").await;
    s.click("#type option[value=law]").await;
    s.fill("#summary", "A test law about zebra crossings.")
        .await;
    s.click("#countries option[value=KEN]").await;
    s.click("#themes option[value=social-cohesion]").await;
    s.fill("#year", "twenty twenty").await;
    s.click("#language option[value=en]").await;
    s.fill("#source_citation_1", "Test Act No. 1").await;
    s.click("#status option[value=in-force]").await;
    s.click("#shareable option[value=true]").await;
    s.fill("#body", "Zebras cross here.").await;
    s.click("form.document-form button[value=save]").await;
    let error = s.text("#year-error").await;
    assert!(
        !error.is_empty(),
        "the year problem is shown next to the year field"
    );
    s.shot("5-desk-error").await;
    assert_eq!(
        s.client
            .find(Locator::Css("#title"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("Zebra crossing safety law"),
        "the form keeps what was typed"
    );
    s.fill("#year", "2021").await;
    s.click("form.document-form button[value=save]").await;
    assert!(s.text("p.ok").await.starts_with("Saved"), "saved notice");
    s.shot("6-desk-saved").await;
    s.go("/?q=zebra&lang=en").await;
    assert_eq!(s.text("#results-heading").await, "1 result for “zebra”");
    assert_eq!(s.text("ol.hits h3 a").await, "Zebra crossing safety law");
    s.shot("7-found").await;

    // Withdraw it (a confirmation with a reason), see it withdrawn, withdraw again, restore.
    s.click("ol.hits h3 a").await;
    s.click("a.edit-link").await;
    s.click("a[href^=\"/curate/withdraw\"]").await;
    s.click("form.confirm button[type=submit]").await;
    assert!(s.text("#reason-error").await.contains("Give a reason"));
    s.fill("#reason", "Duplicate of a test document").await;
    s.click("form.confirm button[type=submit]").await;
    assert!(s.text("p.ok").await.starts_with("Withdrawn"));
    s.go("/documents/ke-zebra-law?lang=en").await;
    let notice = s.text("p.notice.withdrawn").await;
    assert!(
        notice.starts_with("This document was withdrawn on ")
            && notice.contains(" by e2e: Duplicate of a test document"),
        "{notice}"
    );
    s.shot("8-withdrawn").await;
    s.go("/documents/ke-zebra-law/history?lang=en").await;
    assert!(s
        .text("table.revisions tbody")
        .await
        .contains("Withdrawn: Duplicate of a test document"));
    s.go("/curate/edit?id=ke-zebra-law&lang=en").await;
    s.fill("#restore-reason", "Kept after all").await;
    s.click("form.restore button[type=submit]").await;
    assert!(s.text("p.ok").await.starts_with("Restored"));
    s.go("/documents/ke-zebra-law?lang=en").await;
    assert!(
        s.client
            .find(Locator::Css("p.notice.withdrawn"))
            .await
            .is_err(),
        "restored"
    );
    s.go("/documents/ke-zebra-law/history?lang=en").await;
    assert!(s
        .text("table.revisions tbody")
        .await
        .contains("Restored: Kept after all"));
    s.shot("9-restored").await;

    s.client.close().await.unwrap();
}

/// Every parameter of the search page at once: one Spanish law matches them all.
const EVERY_PARAMETER: &str = "/?q=genocidio&type=law&region=south-america&country=ARG&theme=genocide&instrument=rome-statute&language=es&decade=2000&shareable=yes&year_from=2000&year_to=2010&sort=newest&lang=en";

impl Session {
    async fn url(&self) -> String {
        self.client.current_url().await.unwrap().to_string()
    }

    /// Waits (a few seconds at most) until the address bar satisfies `test`.
    pub(crate) async fn wait_url(&self, test: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let url = self.url().await;
            if test(&url) || Instant::now() > deadline {
                return url;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Types over a field's value the way a person does (select all, type), so that no change
    /// event fires before the field is left.
    async fn type_over(&self, css: &str, value: &str) {
        let field = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        field.click().await.unwrap();
        field
            .send_keys(&format!("\u{E009}a\u{E000}{value}"))
            .await
            .unwrap();
    }

    async fn script(&self, js: &str) -> serde_json::Value {
        self.client.execute(js, vec![]).await.unwrap()
    }
}

/// How many times a parameter is set (an empty field of a form sets nothing).
fn count_param(url: &str, name: &str) -> usize {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    let query = query.split('#').next().unwrap_or("");
    form_urlencoded::parse(query.as_bytes())
        .filter(|(k, v)| k == name && !v.is_empty())
        .count()
}

/// Reload a page with every parameter set, then change each control: the page stays a
/// search page, the URL carries each parameter at most once and the change is in it; a reload
/// of that URL gives the same page.
async fn state_flows(javascript: bool) {
    let name = if javascript {
        "state-javascript-on"
    } else {
        "state-javascript-off"
    };
    let data = tempfile::tempdir().unwrap();
    prepare_data(data.path());
    let server = start_server(data.path(), TOKEN);
    let profile = tempfile::tempdir().unwrap();
    let Some((_driver, client)) = open_browser(javascript, profile.path()).await else {
        return;
    };
    let shots = screenshot_dir(name);
    let s = Session {
        client,
        base: server.base.clone(),
        shots,
        javascript,
    };

    s.go(EVERY_PARAMETER).await;
    s.client.refresh().await.unwrap();
    assert_eq!(s.text("#results-heading").await, "1 result for “genocidio”");
    s.shot("0-every-parameter").await;
    let checkboxes = [
        ("type", "law"),
        ("region", "south-america"),
        ("country", "ARG"),
        ("theme", "genocide"),
        ("instrument", "rome-statute"),
        ("language", "es"),
        ("decade", "2000"),
        ("shareable", "yes"),
    ];
    for (group, value) in checkboxes {
        s.go(EVERY_PARAMETER).await;
        s.client.refresh().await.unwrap();
        let before = s.url().await;
        let css = format!("fieldset[data-group={group}] input[value=\"{value}\"]");
        s.click(&css).await;
        s.apply_filters().await;
        let pair = format!("{group}={value}");
        let url = s.wait_url(|u| u != before && !u.contains(&pair)).await;
        assert!(!url.contains(&pair), "{group}: {url}");
        for single in ["sort", "q", "year_from", "year_to", "lang"] {
            assert!(
                count_param(&url, single) <= 1,
                "{single} twice after {group}: {url}"
            );
        }
        assert!(
            url.contains("sort=newest"),
            "the chosen order is kept: {url}"
        );
        let heading = s
            .wait_text("#results-heading", |t| t.contains("for “genocidio”"))
            .await;
        assert!(heading.contains("for “genocidio”"), "{group}: {heading}");
        if javascript {
            let focused = s
                .script("return document.activeElement.name + '=' + document.activeElement.value")
                .await;
            assert_eq!(
                focused.as_str(),
                Some(pair.as_str()),
                "focus stays on the control just changed"
            );
        }
        s.client.refresh().await.unwrap();
        assert_eq!(
            s.text("#results-heading").await,
            heading,
            "a reload gives the same page"
        );
    }
    s.shot("1-after-checkboxes").await;

    // The sort.
    s.go(EVERY_PARAMETER).await;
    s.click("#sort option[value=oldest]").await;
    if !javascript {
        s.click(".sort button").await;
    }
    let url = s.wait_url(|u| u.contains("sort=oldest")).await;
    assert_eq!(count_param(&url, "sort"), 1, "{url}");
    s.client.refresh().await.unwrap();
    assert_eq!(s.text("#results-heading").await, "1 result for “genocidio”");

    // The year range, then an invalid one (shown next to the fields, not as an error page).
    s.go(EVERY_PARAMETER).await;
    s.type_over("input[name=year_from]", "2005").await;
    if javascript {
        s.click("#q").await; // leaving the field fires its change
        s.wait_url(|u| u.contains("year_from=2005")).await;
    }
    s.type_over("input[name=year_to]", "2001").await;
    if javascript {
        s.click("#q").await;
    } else {
        s.click("button.apply").await;
    }
    s.wait_url(|u| u.contains("year_to=2001")).await;
    let problem = s.text("#year-error").await;
    assert!(
        problem.contains("The first year is after the last one"),
        "{problem}"
    );
    s.shot("2-year-problem").await;

    // A query typed on the home page is ordered by relevance.
    s.go("/?lang=en").await;
    s.fill("#q", "genocide").await;
    s.click(".queryrow button").await;
    let url = s.wait_url(|u| u.contains("q=genocide")).await;
    assert_eq!(count_param(&url, "sort"), 0, "{url}");
    let selected = s
        .script("return document.getElementById('sort').selectedOptions[0].textContent")
        .await;
    assert_eq!(selected.as_str(), Some("Relevance"));

    // Back to search returns to the search the reader came from.
    s.go(EVERY_PARAMETER).await;
    let search = s.url().await;
    s.click("ol.hits h3 a").await;
    s.text("article h1").await;
    s.click("a.back").await;
    let back = s.wait_url(|u| u.contains("q=genocidio")).await;
    assert_eq!(back, search);

    // Paging goes to the results (and keeps the page size).
    s.go("/?page_size=5&lang=en").await;
    s.click(".pagination a[rel=next]").await;
    let url = s.wait_url(|u| u.contains("page=2")).await;
    assert!(url.contains("page_size=5"), "{url}");
    if javascript {
        let focused = s.script("return document.activeElement.id").await;
        assert_eq!(focused.as_str(), Some("results-heading"));
    } else {
        assert!(url.ends_with("#results"), "{url}");
    }
    let scrolled = s.script("return window.scrollY").await;
    assert!(
        scrolled.as_f64().unwrap_or(0.0) > 50.0,
        "scrolled to the results: {scrolled}"
    );
    s.shot("3-page-2").await;

    // The language links keep the filters.
    s.go(EVERY_PARAMETER).await;
    s.click("nav.langs a[hreflang=fr]").await;
    let url = s.wait_url(|u| u.contains("lang=fr")).await;
    assert!(
        url.contains("region=south-america") && url.contains("sort=newest"),
        "{url}"
    );
    assert_eq!(
        s.text("#results-heading").await,
        "1 résultat pour “genocidio”"
    );
    s.client.close().await.unwrap();
}

/// axe-core, installed by `.ci/run` (`npm install --prefix target/axe axe-core@4.11.0`), or
/// where `PRAXIS_AXE` points.
pub(crate) fn axe_source() -> Option<String> {
    let path = std::env::var_os("PRAXIS_AXE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("target/axe/node_modules/axe-core/axe.min.js")
        });
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(_) if std::env::var("PRAXIS_BROWSER_TESTS").as_deref() == Ok("1") => panic!(
            "axe-core not found at {}: npm install --prefix target/axe axe-core@4.11.0",
            path.display()
        ),
        Err(_) => {
            eprintln!("SKIPPED axe checks: {} not found (npm install --prefix target/axe axe-core@4.11.0)", path.display());
            None
        }
    }
}

impl Session {
    /// Runs axe-core on the current page; returns its serious and critical violations.
    pub(crate) async fn axe_violations(&self, axe: &str) -> Vec<String> {
        self.client.execute(axe, vec![]).await.unwrap();
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] }).then(r => done(
                   r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                     .map(v => v.impact + ' ' + v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))));",
                vec![],
            )
            .await
            .unwrap();
        serde_json::from_value(result).unwrap()
    }
}

/// axe-core finds no serious or critical violation on the search, document, history, about,
/// profile, countries, region, comparison, law-finder and desk pages; on a phone-sized window a "Filters" button opens the facets.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accessibility_and_phone_filters() {
    let data = tempfile::tempdir().unwrap();
    prepare_data(data.path());
    let server = start_server(data.path(), TOKEN);
    let profile = tempfile::tempdir().unwrap();
    let Some((_driver, client)) = open_browser(true, profile.path()).await else {
        return;
    };
    let Some(axe) = axe_source() else {
        return;
    };
    let shots = screenshot_dir("accessibility");
    let s = Session {
        client,
        base: server.base.clone(),
        shots,
        javascript: true,
    };
    let mut report = Vec::new();
    for (name, path) in [
        ("landing", "/?lang=en"),
        (
            "search",
            "/?q=genocide&region=eastern-africa&type=law&lang=fr",
        ),
        (
            "empty-search",
            "/?q=zzzz&year_from=2010&year_to=2000&lang=en",
        ),
        ("document", "/documents/ke-cohesion-act?lang=en"),
        ("history", "/documents/ug-icc-act/history?lang=en"),
        ("diff", "/documents/ug-icc-act/diff?from=1&to=2&lang=en"),
        ("about", "/about?lang=es"),
        ("profile", "/countries/ke?lang=en"),
        ("profile-fr", "/countries/id?lang=fr"),
        ("countries-map", "/countries?lang=en"),
        ("region", "/regions/eastern-africa?lang=en"),
        ("compare", "/compare?countries=KE,TZ,UG&lang=en"),
        ("laws", "/laws?country=KE&lang=en"),
        ("desk-sign-in", "/curate?lang=en"),
    ] {
        s.go(path).await;
        for violation in s.axe_violations(&axe).await {
            report.push(format!("{name}: {violation}"));
        }
    }
    s.fill("#token", TOKEN).await;
    s.click("form button[type=submit]").await;
    s.text(".signout").await;
    for violation in s.axe_violations(&axe).await {
        report.push(format!("desk: {violation}"));
    }
    s.go("/curate/edit?id=ke-ncic&lang=fr").await;
    for violation in s.axe_violations(&axe).await {
        report.push(format!("desk-edit: {violation}"));
    }
    assert!(report.is_empty(), "axe violations:\n{}", report.join("\n"));
    // The check can fail: an image without a text alternative is a critical violation.
    s.script("document.body.insertAdjacentHTML('beforeend', '<img src=\"/static/favicon.svg\">'); return 0")
        .await;
    let planted = s.axe_violations(&axe).await;
    assert!(
        planted.iter().any(|v| v.contains("image-alt")),
        "{planted:?}"
    );

    // A phone: the facets wait behind a "Filters" button, which opens them above the results.
    s.client.set_window_size(390, 844).await.unwrap();
    s.go("/?q=genocide&lang=en").await;
    let facets_shown = |s: &Session| {
        let client = s.client.clone();
        async move {
            client
                .execute(
                    "return getComputedStyle(document.getElementById('facets')).display !== 'none'",
                    vec![],
                )
                .await
                .unwrap()
                .as_bool()
                .unwrap()
        }
    };
    assert!(!facets_shown(&s).await, "facets closed on a phone");
    s.shot("phone-closed").await;
    s.click(".filters-toggle").await;
    assert!(facets_shown(&s).await, "the button opens the facets");
    let expanded = s
        .script("return document.querySelector('.filters-toggle').getAttribute('aria-expanded')")
        .await;
    assert_eq!(expanded.as_str(), Some("true"));
    let above = s
        .script("return document.getElementById('facets').getBoundingClientRect().top < document.getElementById('results').getBoundingClientRect().top")
        .await;
    assert_eq!(
        above.as_bool(),
        Some(true),
        "the facets open above the results"
    );
    s.click("fieldset[data-group=type] input[value=law]").await;
    s.wait_url(|u| u.contains("type=law")).await;
    assert!(facets_shown(&s).await, "they stay open while filtering");
    s.shot("phone-open").await;
    s.client.close().await.unwrap();
}

/// The desk in French: a mechanism with every field through the form (a bad year first), a
/// file-made document edited without changing its field order, an upload with an error fixed
/// in the source editor.
async fn desk_flows(javascript: bool) {
    let name = if javascript {
        "desk-javascript-on"
    } else {
        "desk-javascript-off"
    };
    let data = tempfile::tempdir().unwrap();
    prepare_data(data.path());
    let server = start_server(data.path(), TOKEN);
    let profile = tempfile::tempdir().unwrap();
    let Some((_driver, client)) = open_browser(javascript, profile.path()).await else {
        return;
    };
    let shots = screenshot_dir(name);
    let s = Session {
        client,
        base: server.base.clone(),
        shots,
        javascript,
    };
    s.go("/curate?lang=fr").await;
    s.fill("#token", TOKEN).await;
    s.click("form button[type=submit]").await;
    assert!(s
        .text(".signout")
        .await
        .contains("Connecté en tant que e2e"));

    // A mechanism with every field.
    s.fill("#title", "Comité national d'alerte précoce").await;
    if javascript {
        let id = s.script("return document.getElementById('id').value").await;
        assert_eq!(
            id.as_str(),
            Some("comite-national-d-alerte-precoce"),
            "id proposed from the title"
        );
    }
    s.click("#type option[value=mechanism]").await;
    if javascript {
        let law_hidden = s
            .script("return document.querySelector('fieldset[data-type=law]').hidden")
            .await;
        assert_eq!(law_hidden.as_bool(), Some(true), "law fields only for laws");
    }
    s.click("#language option[value=fr]").await;
    s.fill("#summary", "Un comité qui coordonne l'alerte précoce.")
        .await;
    if javascript {
        s.fill("input.picker-filter", "Ouga").await;
        let visible = s.script("return Array.from(document.getElementById('countries').options).filter(o => !o.hidden).map(o => o.value)").await;
        assert_eq!(
            visible,
            serde_json::json!(["UGA"]),
            "the picker finds countries by their French name"
        );
        s.fill("input.picker-filter", "").await;
    }
    s.click("#countries option[value=KEN]").await;
    s.click("#countries option[value=UGA]").await;
    s.click("#regions option[value=eastern-africa]").await;
    s.fill("#year", "deux mille quinze").await;
    s.fill("#date", "2015-03-01").await;
    s.click("#themes option[value=early-warning]").await;
    s.click("#mechanism_types option[value=national-committee]")
        .await;
    s.click("#instruments option[value=genocide-convention]")
        .await;
    s.fill("#source_url_1", "https://example.org/comite").await;
    s.fill("#source_citation_1", "Décret n° 1 de 2015").await;
    s.fill("#source_title_1", "Le décret").await;
    s.fill("#source_publisher_1", "Journal officiel").await;
    s.fill("#source_accessed_1", "2024-05-01").await;
    s.fill("#established", "2015").await;
    s.fill("#legal_basis", "ke-cohesion-act").await;
    s.click("#composition option[value=state]").await;
    s.fill("#mandate", "Coordonner l'alerte précoce.").await;
    s.fill("#reporting_line", "Le Premier ministre").await;
    s.click("#early_warning option[value=true]").await;
    s.fill(
        "#body",
        "Le comité se réunit chaque mois (voir `ke-cohesion-act`).",
    )
    .await;
    s.click("form.document-form button[value=save]").await;
    assert_eq!(
        s.text("#year-error").await,
        "L'année doit être un nombre comme 2010."
    );
    assert!(
        s.text("#problems")
            .await
            .contains("Année : L'année doit être un nombre comme 2010."),
        "the French desk's messages"
    );
    s.shot("1-mechanism-year-problem").await;
    s.fill("#year", "2015").await;
    s.click("form.document-form button[value=save]").await;
    assert!(s.text("p.ok").await.starts_with("Enregistré"), "saved");
    s.go("/documents/comite-national-d-alerte-precoce?lang=fr")
        .await;
    let fields = s
        .script("return Array.from(document.querySelectorAll('dt[data-field]')).map(d => d.getAttribute('data-field'))")
        .await;
    for field in [
        "countries",
        "regions",
        "themes",
        "mechanism_types",
        "instruments",
        "year",
        "language",
        "established",
        "legal_basis",
        "mandate",
        "composition",
        "reporting_line",
        "early_warning",
    ] {
        assert!(
            fields.as_array().unwrap().iter().any(|f| f == field),
            "{field} in {fields}"
        );
    }
    assert!(s.text(".sources").await.contains("Le décret"));
    s.shot("2-mechanism-page").await;

    // A file-made document edited with the form keeps its field order.
    s.go("/documents/ke-ncic?lang=fr").await;
    s.click("a.edit-link").await;
    s.fill(
        "#title",
        "National Cohesion and Integration Commission (NCIC)",
    )
    .await;
    s.click("form.document-form button[value=save]").await;
    assert!(s.text("p.ok").await.starts_with("Enregistré"));
    s.go("/documents/ke-ncic/diff?from=1&to=2&lang=fr").await;
    let removed = s.client.find_all(Locator::Css("tr.removed")).await.unwrap();
    let added = s.client.find_all(Locator::Css("tr.added")).await.unwrap();
    assert_eq!(
        (removed.len(), added.len()),
        (1, 1),
        "only the title line changed: {}",
        s.text("main").await
    );
    assert!(s
        .text("tr.added")
        .await
        .contains("title: National Cohesion and Integration Commission (NCIC)"));
    s.shot("3-edit-keeps-order").await;

    // An upload with an error: the file in the source editor, the problems at their lines.
    let upload = tempfile::tempdir().unwrap();
    let file = upload.path().join("ke-upload-test.md");
    std::fs::write(&file, "---\ntitle: Uploaded report\ntype: report\nsummary: A report.\nthemes: [hate-speach]\nyear: 2020\nlanguage: en\nsources:\n  - citation: Report 1\n---\nBody.\n").unwrap();
    s.go("/curate?lang=fr").await;
    s.client
        .find(Locator::Css("#file"))
        .await
        .unwrap()
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    s.click("form.upload button[type=submit]").await;
    assert!(
        s.text("h2").await.contains("ke-upload-test.md"),
        "the upload is named"
    );
    assert!(
        s.text("#problems").await.contains("Ligne 5"),
        "{}",
        s.text("#problems").await
    );
    let text = s
        .script("return document.getElementById('markdown').value")
        .await;
    assert!(
        text.as_str().unwrap().contains("themes: [hate-speach]"),
        "the file's content"
    );
    s.shot("4-upload-error").await;
    let fixed = text.as_str().unwrap().replace("hate-speach", "hate-speech");
    s.fill("#markdown", &fixed).await;
    s.click("form.source-new button[type=submit]").await;
    assert!(s.text("p.ok").await.starts_with("Enregistré"));
    s.client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn desk_with_javascript() {
    desk_flows(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn desk_without_javascript() {
    desk_flows(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_then_change_every_control_with_javascript() {
    state_flows(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_then_change_every_control_without_javascript() {
    state_flows(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_flows_with_javascript() {
    flows(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_flows_without_javascript() {
    flows(false).await;
}
