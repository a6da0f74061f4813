//! Query strings: read by hand rather than with serde, so that repeated parameters
//! (`?region=a&region=b`) work, and so that every mistake (an unknown parameter, a value given
//! twice, a number that is not one) is a 400 naming the parameter and what is allowed.
//!
//! The `*Params` structs here are not used to parse: they describe the same parameters to the
//! OpenAPI document, and a test checks that both agree.

use crate::catalogue::Message;
use std::str::FromStr;

use axum::http::header::ACCEPT_LANGUAGE;
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use crate::index::search::{MAX_PAGE, MAX_PAGE_SIZE};
use crate::index::{FacetGroup, SearchRequest, Sort};
use crate::taxonomy::Lang;

/// The parameters of a query string, checked against the names an endpoint accepts.
#[derive(Debug)]
pub(crate) struct QueryPairs {
    pairs: Vec<(String, String)>,
}

impl QueryPairs {
    /// Splits `raw` (the part after `?`); a parameter not in `allowed` is an error.
    pub(crate) fn parse(raw: Option<&str>, allowed: &[&str]) -> Result<QueryPairs, ApiError> {
        check_encoding(raw)?;
        let pairs: Vec<(String, String)> = form_urlencoded::parse(raw.unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .filter(|(k, _)| !k.is_empty())
            .collect();
        for (name, _) in &pairs {
            if !allowed.contains(&name.as_str()) {
                let message = match crate::taxonomy::closest(name, allowed.iter().copied()) {
                    Some(suggestion) => {
                        Message::new("param_unknown_did_you_mean").arg("suggestion", suggestion)
                    }
                    None => Message::new("param_unknown"),
                };
                return Err(ApiError::invalid_parameter(
                    name,
                    message.arg("allowed", allowed.join(", ")),
                ));
            }
        }
        Ok(QueryPairs { pairs })
    }

    /// Every value of a parameter that may be repeated.
    pub(crate) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.pairs
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of a parameter that may be given once.
    pub(crate) fn single<'a>(&'a self, name: &'a str) -> Result<Option<&'a str>, ApiError> {
        let mut values = self.all(name);
        let first = values.next();
        if values.next().is_some() {
            return Err(ApiError::invalid_parameter(
                name,
                Message::new("param_repeated"),
            ));
        }
        Ok(first)
    }

    /// The reader's language: `lang` when given (an unknown one is refused), else the one the
    /// browser asks for.
    pub(crate) fn lang(&self, headers: &HeaderMap) -> Result<Lang, ApiError> {
        match self.single("lang")? {
            Some(lang) => lang.parse().map_err(|_| unknown_language(lang)),
            None => Ok(lang_from_headers(headers)),
        }
    }

    /// A whole number within `min..=max`.
    pub(crate) fn number<T>(&self, name: &str, min: T, max: T) -> Result<Option<T>, ApiError>
    where
        T: FromStr + PartialOrd + std::fmt::Display + Copy,
    {
        let Some(text) = self.single(name)? else {
            return Ok(None);
        };
        let out_of_range = || {
            ApiError::invalid_parameter(
                name,
                Message::new("param_between")
                    .arg("min", min)
                    .arg("max", max),
            )
        };
        let value: T = text.trim().parse().map_err(|_| {
            if text.trim().parse::<i128>().is_ok() {
                out_of_range()
            } else {
                ApiError::invalid_parameter(
                    name,
                    Message::new("param_not_whole_number")
                        .arg("value", text)
                        .arg("min", min)
                        .arg("max", max),
                )
            }
        })?;
        if value < min || value > max {
            return Err(out_of_range());
        }
        Ok(Some(value))
    }
}

/// Refuses a query string with a parameter whose name or value is not UTF-8 once
/// percent-decoded (`?q=%FF`), naming it: read leniently, it would be searched for as U+FFFD,
/// which nobody typed.
pub(crate) fn check_encoding(raw: Option<&str>) -> Result<(), ApiError> {
    match raw.and_then(undecodable) {
        Some(name) => Err(ApiError::invalid_parameter(
            &name,
            Message::new("param_not_utf8"),
        )),
        None => Ok(()),
    }
}

/// The name of the first parameter that is not UTF-8 once percent-decoded.
fn undecodable(raw: &str) -> Option<String> {
    let decodes = |part: &str| {
        percent_encoding::percent_decode_str(part)
            .decode_utf8()
            .is_ok()
    };
    raw.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        (!decodes(name) || !decodes(value)).then(|| {
            percent_encoding::percent_decode_str(&name.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}

/// What `/api/search` answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Format {
    /// One page of results, with facets (the default).
    Json,
    /// Every matching document's metadata as CSV, one row each.
    Csv,
    /// Every matching document's metadata as newline-delimited JSON.
    Ndjson,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            "ndjson" => Ok(Format::Ndjson),
            other => Err(format!(
                "unknown format \"{other}\"; allowed: json, csv, ndjson"
            )),
        }
    }
}

/// Parameters shared by search and the feed.
const TEXT_AND_FILTERS: [&str; 4] = ["q", "year_from", "year_to", "lang"];
/// Parameters of search only.
const SEARCH_ONLY: [&str; 5] = ["sort", "page", "page_size", "facets", "format"];

fn names(extra: &[&str]) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = TEXT_AND_FILTERS.to_vec();
    names.extend(FacetGroup::ALL.iter().map(|g| g.key()));
    names.extend(
        SEARCH_ONLY
            .iter()
            .copied()
            .filter(|name| extra.contains(name)),
    );
    names
}

/// The parameter names `/api/search` accepts.
pub(crate) fn search_parameter_names() -> Vec<&'static str> {
    names(&SEARCH_ONLY)
}

/// The parameter names `/feed.atom` accepts.
pub(crate) fn feed_parameter_names() -> Vec<&'static str> {
    names(&[])
}

/// Reads `/api/search`'s parameters. The language of labels is `lang`, else the first of en, fr,
/// es in `Accept-Language`, else English.
pub(crate) fn parse_search(
    raw: Option<&str>,
    headers: &HeaderMap,
) -> Result<(SearchRequest, Format), ApiError> {
    let pairs = QueryPairs::parse(raw, &search_parameter_names())?;
    let mut request = text_and_filters(&pairs, headers)?;
    if let Some(sort) = pairs.single("sort")? {
        request.sort = Some(sort.parse::<Sort>().map_err(|_| {
            ApiError::invalid_parameter(
                "sort",
                Message::new("param_unknown_sort").arg("value", sort),
            )
        })?);
    }
    if let Some(page) = pairs.number("page", 1, MAX_PAGE)? {
        request.page = page;
    }
    if let Some(page_size) = pairs.number("page_size", 1, MAX_PAGE_SIZE)? {
        request.page_size = page_size;
    }
    if let Some(facets) = pairs.single("facets")? {
        let mut groups = Vec::new();
        for key in facets.split(',').map(str::trim).filter(|k| !k.is_empty()) {
            let group = FacetGroup::from_key(key).ok_or_else(|| {
                ApiError::invalid_parameter(
                    "facets",
                    Message::new("param_unknown_facet_group")
                        .arg("value", key)
                        .arg("allowed", FacetGroup::ALL.map(|g| g.key()).join(", ")),
                )
            })?;
            if !groups.contains(&group) {
                groups.push(group);
            }
        }
        request.facets = Some(groups);
    }
    let format = match pairs.single("format")? {
        Some(format) => format.parse().map_err(|_| {
            ApiError::invalid_parameter(
                "format",
                Message::new("param_unknown_format")
                    .arg("value", format)
                    .arg("allowed", "json, csv, ndjson"),
            )
        })?,
        None => Format::Json,
    };
    Ok((request, format))
}

/// Reads `/feed.atom`'s parameters: the text query and filters of search.
pub(crate) fn parse_feed(
    raw: Option<&str>,
    headers: &HeaderMap,
) -> Result<SearchRequest, ApiError> {
    let pairs = QueryPairs::parse(raw, &feed_parameter_names())?;
    text_and_filters(&pairs, headers)
}

fn text_and_filters(pairs: &QueryPairs, headers: &HeaderMap) -> Result<SearchRequest, ApiError> {
    let mut request = SearchRequest {
        q: pairs.single("q")?.unwrap_or("").to_string(),
        ..Default::default()
    };
    for group in FacetGroup::ALL {
        // Values may be repeated or comma-separated: no facet value contains a comma.
        let values: Vec<String> = pairs
            .all(group.key())
            .flat_map(|v| v.split(','))
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect();
        if !values.is_empty() {
            request.filters.insert(group, values);
        }
    }
    request.year_from = pairs.number("year_from", -9999, 9999)?;
    request.year_to = pairs.number("year_to", -9999, 9999)?;
    request.lang = pairs.lang(headers)?;
    Ok(request)
}

/// The interface language a browser asks for: the supported language with the highest
/// `Accept-Language` weight (ties in the header's order), else English.
pub(crate) fn lang_from_headers(headers: &HeaderMap) -> Lang {
    // A list may come split over several headers (RFC 9110 §5.3): read them as one.
    let items = headers
        .get_all(ACCEPT_LANGUAGE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','));
    let mut best: Option<(f32, Lang)> = None;
    for item in items {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or("").trim();
        let primary = tag.split('-').next().unwrap_or("");
        let Ok(lang) = primary.parse::<Lang>() else {
            continue;
        };
        let weight = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if weight > 0.0 && best.is_none_or(|(w, _)| weight > w) {
            best = Some((weight, lang));
        }
    }
    best.map_or(Lang::En, |(_, lang)| lang)
}

/// Page and page size of a list endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Paging {
    pub(crate) page: usize,
    pub(crate) page_size: usize,
}

impl Paging {
    pub(crate) const DEFAULT_SIZE: usize = 50;
    pub(crate) const MAX_SIZE: usize = 200;

    pub(crate) fn read(pairs: &QueryPairs) -> Result<Paging, ApiError> {
        Ok(Paging {
            page: pairs.number("page", 1, 1_000_000)?.unwrap_or(1),
            page_size: pairs
                .number("page_size", 1, Self::MAX_SIZE)?
                .unwrap_or(Self::DEFAULT_SIZE),
        })
    }

    pub(crate) fn offset(self) -> usize {
        (self.page - 1) * self.page_size
    }
}

// --- OpenAPI descriptions of the same parameters --------------------------------------------

/// The parameters of `GET /api/search`. Filter parameters may be repeated or comma-separated
/// (ORed within a group, ANDed across groups). Unknown parameters and values are 400 errors.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub(crate) struct SearchParams {
    /// Words, "quoted phrases", -excluded words, title:word; the first 32 words are searched.
    /// Empty lists everything.
    q: Option<String>,
    /// Document type slug (see /api/taxonomy), e.g. law.
    #[param(rename = "type", style = Form, explode)]
    doc_type: Option<Vec<String>>,
    /// UN M49 region or sub-region slug, e.g. eastern-africa; includes sub-regions.
    #[param(style = Form, explode)]
    region: Option<Vec<String>>,
    /// ISO 3166-1 alpha-2 or alpha-3 code, e.g. KE or KEN.
    #[param(style = Form, explode)]
    country: Option<Vec<String>>,
    /// Theme slug, e.g. hate-speech.
    #[param(style = Form, explode)]
    theme: Option<Vec<String>>,
    /// Stage of the spectrum from prevention to reparation, e.g. early-warning, reparation.
    #[param(style = Form, explode)]
    stage: Option<Vec<String>>,
    /// Mechanism type slug.
    #[param(style = Form, explode)]
    mechanism_type: Option<Vec<String>>,
    /// Instrument slug, e.g. genocide-convention.
    #[param(style = Form, explode)]
    instrument: Option<Vec<String>>,
    /// Document language: en, fr, es.
    #[param(style = Form, explode)]
    language: Option<Vec<String>>,
    /// Decade, e.g. 1990.
    #[param(style = Form, explode)]
    decade: Option<Vec<String>>,
    /// Laws judged shareable: yes or no.
    #[param(style = Form, explode)]
    shareable: Option<Vec<String>>,
    /// Earliest year (inclusive).
    year_from: Option<i32>,
    /// Latest year (inclusive).
    year_to: Option<i32>,
    /// relevance, newest (or year), oldest. Default: relevance with a query, newest without.
    #[param(value_type = Option<String>, example = "newest")]
    sort: Option<Sort>,
    /// 1-based page (ignored by csv and ndjson exports).
    #[param(minimum = 1, maximum = 500)]
    page: Option<usize>,
    /// Results per page, 1 to 100, default 20 (ignored by csv and ndjson exports).
    #[param(minimum = 1, maximum = 100)]
    page_size: Option<usize>,
    /// Language of labels: en, fr, es. Default: from Accept-Language, else en.
    #[param(value_type = Option<String>, example = "fr")]
    lang: Option<Lang>,
    /// Comma-separated facet groups to count (default all; empty counts none).
    facets: Option<String>,
    /// json (one page, default), csv or ndjson (every match, streamed).
    #[param(value_type = Option<String>, example = "csv")]
    format: Option<Format>,
}

/// The parameters of `GET /feed.atom`: search's text query and filters.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub(crate) struct FeedParams {
    /// Words, "quoted phrases", -excluded words.
    q: Option<String>,
    /// Document type slug.
    #[param(rename = "type", style = Form, explode)]
    doc_type: Option<Vec<String>>,
    /// UN M49 region or sub-region slug.
    #[param(style = Form, explode)]
    region: Option<Vec<String>>,
    /// ISO 3166-1 alpha-2 or alpha-3 code.
    #[param(style = Form, explode)]
    country: Option<Vec<String>>,
    /// Theme slug.
    #[param(style = Form, explode)]
    theme: Option<Vec<String>>,
    /// Stage slug.
    #[param(style = Form, explode)]
    stage: Option<Vec<String>>,
    /// Mechanism type slug.
    #[param(style = Form, explode)]
    mechanism_type: Option<Vec<String>>,
    /// Instrument slug.
    #[param(style = Form, explode)]
    instrument: Option<Vec<String>>,
    /// Document language: en, fr, es.
    #[param(style = Form, explode)]
    language: Option<Vec<String>>,
    /// Decade, e.g. 1990.
    #[param(style = Form, explode)]
    decade: Option<Vec<String>>,
    /// Laws judged shareable: yes or no.
    #[param(style = Form, explode)]
    shareable: Option<Vec<String>>,
    /// Earliest year (inclusive).
    year_from: Option<i32>,
    /// Latest year (inclusive).
    year_to: Option<i32>,
    /// Language of labels: en, fr, es.
    #[param(value_type = Option<String>)]
    lang: Option<Lang>,
}

/// Page parameters of list endpoints.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub(crate) struct PageParams {
    /// 1-based page.
    #[param(minimum = 1)]
    page: Option<usize>,
    /// Entries per page, 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    page_size: Option<usize>,
}

/// The parameters of `GET /api/documents/{id}/revisions`.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub(crate) struct RevisionsParams {
    /// 1-based page.
    #[param(minimum = 1)]
    page: Option<usize>,
    /// Entries per page, 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    page_size: Option<usize>,
    /// Two revision numbers `A..B`: answer with the line diff from A to B instead of the list.
    #[param(example = "1..2")]
    diff: Option<String>,
}

/// The parameters of `GET /api/documents/{id}`.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub(crate) struct DocumentParams {
    /// Language of labels: en, fr, es. Default: from Accept-Language, else en.
    #[param(value_type = Option<String>)]
    lang: Option<Lang>,
}

#[cfg(test)]
/// Parameters described to OpenAPI, by name, for the agreement test.
pub(crate) fn described_names<P: utoipa::IntoParams>() -> Vec<String> {
    P::into_params(|| Some(utoipa::openapi::path::ParameterIn::Query))
        .into_iter()
        .map(|p| p.name)
        .collect()
}

/// The error for a `lang` value that is not one of the languages of the site.
pub(crate) fn unknown_language(value: &str) -> ApiError {
    ApiError::invalid_parameter(
        "lang",
        Message::new("param_unknown_language").arg("value", value),
    )
}

/// A `?diff=A..B` value.
pub(crate) fn parse_diff(text: &str) -> Result<(u32, u32), ApiError> {
    let invalid = || {
        ApiError::invalid_parameter(
            "diff",
            Message::new("param_not_revision_range").arg("value", text),
        )
    };
    let (from, to) = text.split_once("..").ok_or_else(invalid)?;
    let from: u32 = from.trim().parse().map_err(|_| invalid())?;
    let to: u32 = to.trim().parse().map_err(|_| invalid())?;
    if from == 0 || to == 0 {
        return Err(ApiError::invalid_parameter(
            "diff",
            Message::new("param_revisions_from_one"),
        ));
    }
    Ok((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn a_parameter_that_is_not_utf8_once_decoded_is_named() {
        for (raw, name) in [
            ("q=%FF", "q"),
            ("page=1&q=caf%E9", "q"),
            ("r%E9gion=x", "r\u{FFFD}gion"),
            ("q=%C3", "q"),
        ] {
            let error = QueryPairs::parse(Some(raw), &["q", "page"]).unwrap_err();
            let body = error.body();
            assert_eq!(body.error.parameter.as_deref(), Some(name), "{raw}");
            assert_eq!(body.error.code, "invalid_parameter");
        }
        // Text that decodes is read as ever, literal "%" and "+" included.
        let pairs = QueryPairs::parse(Some("q=g%C3%A9nocide+100%25"), &["q"]).unwrap();
        assert_eq!(pairs.single("q").unwrap(), Some("génocide 100%"));
        assert!(check_encoding(Some("q=%zz")).is_ok());
    }

    fn search(query: &str) -> Result<(SearchRequest, Format), ApiError> {
        parse_search(Some(query), &HeaderMap::new())
    }

    #[test]
    fn repeated_and_comma_separated_filters_combine() {
        let (request, format) = search(
            "q=early+warning&region=eastern-africa&region=western-africa,africa&theme=hate-speech",
        )
        .unwrap();
        assert_eq!(request.q, "early warning");
        assert_eq!(
            request.filters[&FacetGroup::Region],
            vec!["eastern-africa", "western-africa", "africa"]
        );
        assert_eq!(request.filters[&FacetGroup::Theme], vec!["hate-speech"]);
        assert_eq!(format, Format::Json);
    }

    #[test]
    fn mistakes_name_the_parameter() {
        let cases = [
            ("regoin=africa", "regoin"),
            ("page=0", "page"),
            ("page=x", "page"),
            ("page_size=1000", "page_size"),
            ("sort=best", "sort"),
            ("lang=de", "lang"),
            ("format=xml", "format"),
            ("facets=type,colour", "facets"),
            ("q=a&q=b", "q"),
            ("year_from=nineteen", "year_from"),
        ];
        for (query, parameter) in cases {
            match search(query) {
                Err(ApiError::InvalidParameter { parameter: p, .. }) => {
                    assert_eq!(p, parameter, "{query}")
                }
                other => panic!("{query}: {other:?}"),
            }
        }
    }

    #[test]
    fn unknown_parameters_suggest_the_closest() {
        let Err(error) = search("regoin=africa") else {
            panic!()
        };
        assert!(error
            .body()
            .error
            .message
            .contains("did you mean \"region\""));
    }

    #[test]
    fn accept_language_picks_the_best_supported_language() {
        let mut headers = HeaderMap::new();
        let mut lang = |value: &'static str| {
            headers.insert(ACCEPT_LANGUAGE, HeaderValue::from_static(value));
            lang_from_headers(&headers)
        };
        assert_eq!(lang("fr-CH, fr;q=0.9, en;q=0.8"), Lang::Fr);
        assert_eq!(lang("de, es;q=0.5, en;q=0.4"), Lang::Es);
        assert_eq!(lang("en;q=0.2, es;q=0.9"), Lang::Es);
        assert_eq!(lang("de"), Lang::En);
        assert_eq!(lang("fr;q=0"), Lang::En);
        // Split over two headers, the list is read whole.
        let mut split = HeaderMap::new();
        split.append(ACCEPT_LANGUAGE, HeaderValue::from_static("de"));
        split.append(ACCEPT_LANGUAGE, HeaderValue::from_static("es;q=0.7"));
        assert_eq!(lang_from_headers(&split), Lang::Es);
    }

    #[test]
    fn diff_ranges() {
        assert_eq!(parse_diff("2..3").unwrap(), (2, 3));
        assert!(parse_diff("2").is_err());
        assert!(parse_diff("0..1").is_err());
        assert!(parse_diff("a..b").is_err());
    }

    #[test]
    fn openapi_describes_exactly_the_parameters_that_are_read() {
        let mut described = described_names::<SearchParams>();
        described.sort();
        let mut read: Vec<String> = search_parameter_names()
            .into_iter()
            .map(String::from)
            .collect();
        read.sort();
        assert_eq!(described, read);
        let mut described = described_names::<FeedParams>();
        described.sort();
        let mut read: Vec<String> = feed_parameter_names()
            .into_iter()
            .map(String::from)
            .collect();
        read.sort();
        assert_eq!(described, read);
    }
}
