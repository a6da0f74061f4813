//! URLs of pages: every state of the search page is a shareable URL.

use crate::index::SearchRequest;
use crate::taxonomy::Lang;

/// The search page URL for a request: the same parameters the API takes.
pub(crate) fn search_url(request: &SearchRequest) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    if !request.q.is_empty() {
        query.append_pair("q", &request.q);
    }
    for (group, values) in &request.filters {
        for value in values {
            query.append_pair(group.key(), value);
        }
    }
    if let Some(year) = request.year_from {
        query.append_pair("year_from", &year.to_string());
    }
    if let Some(year) = request.year_to {
        query.append_pair("year_to", &year.to_string());
    }
    if let Some(sort) = request.sort {
        let sort = serde_json::to_value(sort).expect("sort serialises");
        query.append_pair("sort", sort.as_str().unwrap_or("relevance"));
    }
    if request.page > 1 {
        query.append_pair("page", &request.page.to_string());
    }
    if request.page_size != crate::index::search::DEFAULT_PAGE_SIZE {
        query.append_pair("page_size", &request.page_size.to_string());
    }
    query.append_pair("lang", request.lang.code());
    format!("/?{}", query.finish())
}

pub(crate) fn document_url(id: &str, lang: Lang) -> String {
    let id: String = form_urlencoded::byte_serialize(id.as_bytes()).collect();
    format!("/documents/{id}?lang={}", lang.code())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FacetGroup;

    #[test]
    fn search_urls_carry_every_filter_value() {
        let request = SearchRequest::text("early warning")
            .filter(FacetGroup::Region, "eastern-africa")
            .filter(FacetGroup::Region, "western-africa");
        assert_eq!(
            search_url(&request),
            "/?q=early+warning&region=eastern-africa&region=western-africa&lang=en"
        );
    }
}
