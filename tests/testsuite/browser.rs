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
    s.fill("#countries", "KE").await;
    s.click("#themes option[value=social-cohesion]").await;
    s.fill("#year", "twenty twenty").await;
    s.click("#language option[value=en]").await;
    s.fill("#source_citation", "Test Act No. 1").await;
    s.click("#status option[value=in-force]").await;
    s.click("#shareable option[value=true]").await;
    s.fill("#body", "Zebras cross here.").await;
    s.click("form.new button[type=submit]").await;
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
    s.click("form.new button[type=submit]").await;
    assert!(s.text("p.ok").await.starts_with("Saved"), "saved notice");
    s.shot("6-desk-saved").await;
    s.go("/?q=zebra&lang=en").await;
    assert_eq!(s.text("#results-heading").await, "1 result for “zebra”");
    assert_eq!(s.text("ol.hits h3 a").await, "Zebra crossing safety law");
    s.shot("7-found").await;

    s.client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_flows_with_javascript() {
    flows(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_flows_without_javascript() {
    flows(false).await;
}
