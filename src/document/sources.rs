//! Source URLs a reader cannot rely on: copies of documents on mirror sites (which strip the
//! publisher, change without notice and often vanish), staging, preview and CDN-edge hosts
//! (temporary by nature), and malformed or truncated addresses. These are warnings, not
//! errors: the document stays valid, but `praxis check` and `ingest` say what to replace
//! (the publisher's own page, an official document symbol, or the formal citation alone).

use super::{Document, Problem};
use crate::catalogue::Message;

/// Sites that republish documents uploaded by their users, away from the publisher. A host
/// matches when it is the domain or a sub-domain of it, under any top-level domain when the
/// entry ends with a dot.
const MIRROR_DOMAINS: &[&str] = &[
    "docslib.",
    "vdocuments.",
    "vdocumento.",
    "fdocuments.",
    "fdocumenti.",
    "piglix.com",
    "paperzz.com",
    "studylib.",
    "doczz.",
    "docplayer.",
    "docest.com",
    "dokumen.",
    "documents.pub",
    "pdfslide.",
    "silo.tips",
    "kipdf.com",
    "idoc.pub",
    "pdfcoffee.com",
    "lawsdocbox.com",
    "readkong.com",
    "yumpu.com",
    "wikimili.com",
    "profilbaru.com",
    "qoshe.com",
    "rssing.com",
    "zombiedoc.com",
    "documents.tips",
    "cupdf.com",
    "scribd.com",
    "distantreader.org",
];

/// Host labels that mark a staging, test or preview deployment.
const STAGING_LABELS: &[&str] = &[
    "staging", "stage", "stg", "dev", "preview", "uat", "qa", "test", "sandbox", "deploy",
    "varnish", "origin", "mail",
];

/// Query parameters that tie an address to one visitor's session.
const SESSION_PARAMETERS: &[&str] = &["sessionid", "jsessionid", "phpsessid", "sid"];

/// Why a source URL is unreliable, if it is; `None` for a URL that looks like a publisher's.
pub fn url_warning(url: &str) -> Option<Message> {
    let url = url.trim();
    if url.ends_with('…') || url.ends_with("...") {
        return Some(Message::new("problem_url_truncated").arg("url", url));
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority
        .rsplit('@')
        .next()
        .unwrap_or_default()
        .split(':')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if let Some(problem) = malformed_host(&host) {
        return Some(problem.arg("url", url));
    }
    let labels: Vec<&str> = host.split('.').collect();
    let on_domain = |domain: &str| {
        if let Some(prefix) = domain.strip_suffix('.') {
            // "studylib." matches studylib.net, deploy.studylib.es, ...
            labels[..labels.len() - 1].contains(&prefix)
        } else {
            host == domain || host.ends_with(&format!(".{domain}"))
        }
    };
    if let Some(mirror) = MIRROR_DOMAINS.iter().find(|d| on_domain(d)) {
        return Some(
            Message::new("problem_url_mirror")
                .arg("url", url)
                .arg("mirror", mirror.trim_end_matches('.')),
        );
    }
    // "dev" is also a top-level domain (bund.dev): only the labels before the last count.
    let staging = labels[..labels.len() - 1].iter().any(|label| {
        label.starts_with("cdnedge") || label.split('-').any(|part| STAGING_LABELS.contains(&part))
    });
    let query = rest
        .split_once('?')
        .map_or("", |(_, q)| q)
        .to_ascii_lowercase();
    if query
        .split('&')
        .any(|pair| SESSION_PARAMETERS.contains(&pair.split('=').next().unwrap_or_default()))
    {
        return Some(Message::new("problem_url_session").arg("url", url));
    }
    if staging || host.ends_with(".arc-cdn.net") || labels.contains(&"proxy") {
        return Some(
            Message::new("problem_url_staging")
                .arg("url", url)
                .arg("host", &host),
        );
    }
    None
}

fn malformed_host(host: &str) -> Option<Message> {
    if host.is_empty() {
        return Some(Message::new("problem_url_no_host"));
    }
    if host.starts_with("wwww.") || host.starts_with("ww.") || host.starts_with("www.www.") {
        return Some(Message::new("problem_url_host_misspelt").arg("host", host));
    }
    let valid_chars = host
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    if !valid_chars
        || !host.contains('.')
        || host
            .split('.')
            .any(|label| label.is_empty() || label.starts_with('-') || label.ends_with('-'))
    {
        return Some(Message::new("problem_url_host_malformed").arg("host", host));
    }
    None
}

/// Every source and member-evidence URL of `document` that [`url_warning`] objects to, as
/// problems at the line the URL is on.
pub(crate) fn warnings(file: &str, document: &Document) -> Vec<Problem> {
    let meta = &document.meta;
    let urls = meta
        .sources
        .iter()
        .filter_map(|s| s.url.as_deref().map(|url| ("sources", url)))
        .chain(
            meta.members
                .iter()
                .filter(|m| m.evidence.starts_with("http"))
                .map(|m| ("members", m.evidence.as_str())),
        );
    let mut problems = Vec::new();
    for (field, url) in urls {
        let Some(message) = url_warning(url) else {
            continue;
        };
        let line = document
            .source_text
            .lines()
            .position(|line| line.contains(url))
            .map(|l| l + 1);
        problems.push(Problem {
            file: file.to_string(),
            line,
            column: None,
            field: Some(field.to_string()),
            message,
        });
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirror_sites_are_flagged_under_any_domain() {
        for url in [
            "https://docslib.org/doc/123/some-act",
            "https://vdocuments.mx/x.html",
            "https://fdocuments.in/document/y.html",
            "https://www.piglix.com/w/Foo",
            "https://paperzz.com/doc/1/",
            "https://studylib.net/doc/9/",
            "https://deploy.studylib.es/doc/9/",
        ] {
            let warning = url_warning(url)
                .unwrap_or_else(|| panic!("{url} passed"))
                .to_string();
            assert!(warning.contains("mirror"), "{warning}");
        }
    }

    #[test]
    fn staging_and_cdn_hosts_are_flagged() {
        for url in [
            "https://homsy-staging.cambridgecore.org/core/books/x",
            "https://infobae-infobae-staging.web.arc-cdn.net/colombia/x",
            "http://cdnedge.bbc.co.uk/1/hi/world/europe/x.stm",
            "https://qa.philstar.com/headlines/x",
            "https://reo.dev.vargadigital.com/x",
            "https://bundestag.api.proxy.bund.dev/x",
            "http://core-varnish-new.prod.aop.cambridge.org/core/x",
            "https://mail.plazapublica.com.gt/content/x",
        ] {
            let warning = url_warning(url)
                .unwrap_or_else(|| panic!("{url} passed"))
                .to_string();
            assert!(warning.contains("staging"), "{warning}");
        }
    }

    #[test]
    fn malformed_and_truncated_urls_are_flagged() {
        assert!(url_warning("https://wwww.officialgazette.gov.ph/x")
            .unwrap()
            .to_string()
            .contains("misspelt"));
        assert!(url_warning("https://treaties.un.org>/x")
            .unwrap()
            .to_string()
            .contains("malformed"));
        assert!(url_warning(
            "https://ihl-databases.icrc.org/x.xsp?documentId=1&SessionID=DNYPZDJWIW"
        )
        .unwrap()
        .to_string()
        .contains("session"));
        assert!(url_warning("https://www.un.org/en/genocide…")
            .unwrap()
            .to_string()
            .contains("truncated"));
    }

    #[test]
    fn publishers_pages_pass() {
        for url in [
            "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY",
            "https://www.gaamac.org/",
            "https://laws-lois.justice.gc.ca/eng/acts/C-45.9/",
            "https://www.devex.com/news",
            "https://www.stagecoach.com/",
            "https://www.un.org/en/genocideprevention/",
        ] {
            assert_eq!(url_warning(url), None, "{url}");
        }
    }
}
