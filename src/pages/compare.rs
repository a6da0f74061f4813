//! `/compare`: 2 to 4 States, or 2 to 4 documents, side by side (see [`crate::compare`] for
//! what is compared and how it is aligned). An empty cell always says what is missing ("no
//! data", "not recorded"), never a "No" the data does not hold.

use super::countries::{country_url, format_median, region_url};
use super::view::Chrome;
use super::{document_url, search_url, text, Pages};
use crate::compare::{CountryComparison, DocumentComparison, MetaValue};
use crate::document::markdown::to_safe_html;
use crate::index::FacetGroup;
use crate::taxonomy::{Lang, Taxonomy};
use crate::SearchRequest;

/// What the comparison form shows again: the values as typed, and the problem with them.
#[derive(Debug, Clone, Default)]
pub(crate) struct CompareForm {
    pub(crate) countries: String,
    pub(crate) documents: String,
    /// The basket asked for, if any.
    pub(crate) basket: Option<String>,
    pub(crate) error: Option<String>,
}

impl Pages {
    /// The comparison page: the form, and the comparison when there is one.
    pub(crate) fn compare(
        &self,
        form: &CompareForm,
        countries: Option<&CountryComparison>,
        documents: Option<&DocumentComparison>,
        taxonomy: &Taxonomy,
        lang: Lang,
        chrome: &Chrome,
    ) -> String {
        let t = text(lang);
        let query_for = |l: Lang| {
            let mut query = form_urlencoded::Serializer::new(String::new());
            if !form.countries.is_empty() {
                query.append_pair("countries", &form.countries);
            }
            if !form.documents.is_empty() {
                query.append_pair("documents", &form.documents);
            }
            if let Some(basket) = &form.basket {
                query.append_pair("basket", basket);
            }
            query.append_pair("lang", l.code());
            format!("/compare?{}", query.finish())
        };
        let separator = if lang == Lang::Fr { " : " } else { ": " };
        let title = match (countries, documents) {
            (Some(c), _) => format!(
                "{}{separator}{}",
                t["compare_page_title"],
                c.countries
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            (_, Some(d)) => format!(
                "{}{separator}{}",
                t["compare_page_title"],
                d.documents
                    .iter()
                    .map(|d| d.title.as_str())
                    .collect::<Vec<_>>()
                    .join(" · ")
            ),
            _ => t["compare_page_title"].to_string(),
        };
        let context = minijinja::context! {
            chrome => chrome,
            lang => lang.code(),
            t => t,
            title => title,
            langs => Self::lang_links(lang, query_for),
            home_url => search_url(&SearchRequest { lang, ..Default::default() }),
            countries_url => format!("/countries?lang={}", lang.code()),
            form_countries => form.countries,
            form_documents => form.documents,
            error => form.error,
            states => countries.map(|c| country_context(c, taxonomy, lang)),
            docs => documents.map(|d| document_context(d, taxonomy, lang)),
        };
        self.render("compare.html", context)
    }
}

fn country_context(
    comparison: &CountryComparison,
    taxonomy: &Taxonomy,
    lang: Lang,
) -> minijinja::Value {
    let t = text(lang);
    let with_data: Vec<_> = comparison
        .instruments
        .iter()
        .filter(|row| row.has_data)
        .map(|row| {
            let first = &row.cells[0];
            minijinja::context! {
                label => row.label,
                slug => row.instrument,
                in_basket => row.in_basket,
                stale => first.stale,
                data_date => first.data_date,
                cells => row.cells.iter().map(|cell| minijinja::context! {
                    key => cell.status.key().replace('_', "-"),
                    label => cell.status_label,
                    // "No data" needs no detail beyond its reason; dates for the rest.
                    detail => cell.detail,
                    no_data => cell.status.is_no_data(),
                    source_url => cell.source_url,
                }).collect::<Vec<_>>(),
            }
        })
        .collect();
    let without_data: Vec<&str> = comparison
        .instruments
        .iter()
        .filter(|row| !row.has_data)
        .map(|row| row.label.as_str())
        .collect();
    let not_recorded = t["field_not_recorded"];
    let groups: Vec<_> = comparison
        .mechanisms
        .iter()
        .map(|group| {
            minijinja::context! {
                label => group.label,
                search_url => group.mechanism_type.as_deref().map(|m| search_url(
                    &SearchRequest { lang, ..Default::default() }.filter(FacetGroup::MechanismType, m))),
                rows => group.rows.iter().map(|row| {
                    let field = |read: &dyn Fn(&crate::compare::MechanismCell) -> Option<minijinja::Value>| {
                        row.iter().map(|cell| cell.as_ref().map(|c| read(c).unwrap_or_else(|| minijinja::context! { text => not_recorded, missing => true }))).collect::<Vec<_>>()
                    };
                    let plain = |value: Option<String>| value.map(|v| minijinja::context! { text => v });
                    minijinja::context! {
                        titles => row.iter().map(|cell| cell.as_ref().map(|c| minijinja::context! {
                            title => c.title, url => document_url(&c.id, lang),
                        })).collect::<Vec<_>>(),
                        fields => vec![
                            minijinja::context! { label => t["established"], cells => field(&|c| plain(c.established.map(|y| y.to_string()))) },
                            minijinja::context! { label => t["legal_basis"], cells => field(&|c| c.legal_basis.as_ref().map(|b| minijinja::context! {
                                text => b.text, url => b.document.as_deref().map(|d| document_url(d, lang)),
                            })) },
                            minijinja::context! { label => t["composition"], cells => field(&|c| plain(c.composition_label.clone())) },
                            minijinja::context! { label => t["mandate"], cells => field(&|c| plain(c.mandate.clone())) },
                            minijinja::context! { label => t["early_warning"], cells => field(&|c| plain(c.early_warning.map(|e| (if e { t["yes"] } else { t["no"] }).to_string()))) },
                            minijinja::context! { label => t["reporting_line"], cells => field(&|c| plain(c.reporting_line.clone())) },
                        ],
                    }
                }).collect::<Vec<_>>(),
            }
        })
        .collect();
    minijinja::context! {
        countries => comparison.countries.iter().zip(&comparison.mechanism_counts).map(|(c, mechanisms)| minijinja::context! {
            name => c.name, iso2 => c.iso2, iso3 => c.iso3, url => country_url(&c.iso2, lang),
            region => c.region_label, region_url => c.region.as_deref().map(|r| region_url(r, lang)),
            party => c.party, signed_only => c.signed_only, with_data => c.with_data,
            mechanisms => mechanisms,
            standings => c.standings.iter().map(|s| minijinja::context! {
                region => s.region.label, url => region_url(&s.region.slug, lang),
                rank => s.rank, states => s.states, median => format_median(s.median),
            }).collect::<Vec<_>>(),
        }).collect::<Vec<_>>(),
        instruments => with_data,
        without_data => without_data,
        groups => groups,
        width => comparison.countries.len(),
        basket => comparison.basket.label,
        basket_size => comparison.basket.instruments.len(),
        notes => comparison.instruments.iter().filter(|row| row.in_basket && row.has_data).map(|row| {
            let s = &row.cells[0];
            minijinja::context! { label => s.label, source => s.source_name, date => s.data_date, stale => s.stale, note => s.data_note }
        }).collect::<Vec<_>>(),
        credits => comparison.credits,
        api_url => format!("/api/compare?countries={}&lang={}", comparison.countries.iter().map(|c| c.iso2.as_str()).collect::<Vec<_>>().join(","), lang.code()),
        taxonomy_instruments => taxonomy.instruments.terms().len(),
    }
}

fn document_context(
    comparison: &DocumentComparison,
    _taxonomy: &Taxonomy,
    lang: Lang,
) -> minijinja::Value {
    let t = text(lang);
    let link = |field: &str, value: &MetaValue| -> Option<String> {
        let filter = |group: FacetGroup| {
            Some(search_url(
                &SearchRequest {
                    lang,
                    ..Default::default()
                }
                .filter(group, &value.value),
            ))
        };
        match field {
            "type" => filter(FacetGroup::Type),
            "countries" => Some(country_url(&value.value, lang)),
            "regions" => Some(region_url(&value.value, lang)),
            "themes" => filter(FacetGroup::Theme),
            "stages" => filter(FacetGroup::Stage),
            "instruments" => filter(FacetGroup::Instrument),
            "mechanism_types" => filter(FacetGroup::MechanismType),
            "sources" => (!value.value.is_empty()).then(|| value.value.clone()),
            "legal_basis" if crate::taxonomy::is_slug(&value.value) => {
                Some(document_url(&value.value, lang))
            }
            _ => None,
        }
    };
    minijinja::context! {
        documents => comparison.documents.iter().map(|d| minijinja::context! {
            id => d.id, title => d.title, url => document_url(&d.id, lang), language => d.language,
            revision => d.revision,
        }).collect::<Vec<_>>(),
        metadata => comparison.metadata.iter().map(|row| minijinja::context! {
            field => row.field,
            label => t.get(if row.field == "shareable_note" { "field_shareable_note" } else { row.field }).copied().unwrap_or(row.field),
            cells => row.cells.iter().map(|values| values.iter().map(|v| minijinja::context! {
                label => v.label, url => link(row.field, v),
            }).collect::<Vec<_>>()).collect::<Vec<_>>(),
        }).collect::<Vec<_>>(),
        sections => comparison.sections.iter().map(|row| minijinja::context! {
            matched => row.matched,
            cells => row.cells.iter().zip(&comparison.documents).map(|(cell, doc)| cell.as_ref().map(|s| minijinja::context! {
                heading => s.heading, level => s.level, language => doc.language,
                html => minijinja::Value::from_safe_string(to_safe_html(&s.markdown)),
            })).collect::<Vec<_>>(),
        }).collect::<Vec<_>>(),
        width => comparison.documents.len(),
        api_url => format!("/api/compare?documents={}&lang={}", comparison.documents.iter().map(|d| d.id.as_str()).collect::<Vec<_>>().join(","), lang.code()),
    }
}
