//! `/spectrum`: the knowledge base from prevention to reparation (see [`crate::spectrum`]), for
//! the world, a country or a region. Every count links to the search that finds its
//! documents; a stage without documents says that Praxis holds none yet, never that none exist.

use super::countries::region_url;
use super::view::Chrome;
use super::{document_url, search_url, text, Pages};
use crate::index::FacetGroup;
use crate::spectrum::{Scope, Spectrum};
use crate::taxonomy::{Lang, Taxonomy};
use crate::SearchRequest;

/// Countries named after a document's title; more are counted.
const MAX_COUNTRIES_NAMED: usize = 3;

/// What the page's forms show again: the values as typed, and the problem with them.
#[derive(Debug, Clone, Default)]
pub(crate) struct SpectrumForm {
    pub(crate) country: String,
    pub(crate) region: String,
    pub(crate) error: Option<String>,
}

/// The URL of the spectrum for a scope.
pub(crate) fn spectrum_url(scope: &Scope, lang: Lang) -> String {
    match scope {
        Scope::World => format!("/spectrum?lang={}", lang.code()),
        Scope::Country(code) => format!("/spectrum?country={code}&lang={}", lang.code()),
        Scope::Region(slug) => format!("/spectrum?region={slug}&lang={}", lang.code()),
    }
}

impl Pages {
    /// The spectrum page; without a spectrum (a bad parameter), only the forms and the error.
    pub(crate) fn spectrum(
        &self,
        form: &SpectrumForm,
        spectrum: Option<&Spectrum>,
        scope: &Scope,
        taxonomy: &Taxonomy,
        lang: Lang,
        chrome: &Chrome,
    ) -> String {
        let t = text(lang);
        let geography = &taxonomy.geography;
        let scope_name = spectrum.and_then(|s| s.scope.name.clone());
        let title = match &scope_name {
            Some(name) => format!("{} — {name}", t["spectrum_title"]),
            None => t["spectrum_title"].to_string(),
        };
        // Every link keeps the scope: a stage's search is the stage within the country.
        let search = |extra: &[(FacetGroup, &str)]| {
            let mut request = SearchRequest {
                lang,
                ..Default::default()
            };
            if let Some((group, value)) = scope.filter() {
                request = request.filter(group, value);
            }
            for (group, value) in extra {
                request = request.filter(*group, value);
            }
            search_url(&request)
        };
        let count_text = |n: usize| {
            if n == 1 {
                t["spectrum_documents_one"].to_string()
            } else {
                t["spectrum_documents_many"].replace("{n}", &n.to_string())
            }
        };
        // A regional network's dozen members would drown the titles: beyond a few, a count.
        let countries_text = |codes: &[String]| {
            if codes.len() > MAX_COUNTRIES_NAMED {
                t["spectrum_n_countries"].replace("{n}", &codes.len().to_string())
            } else {
                codes
                    .iter()
                    .map(|c| geography.country_name(c, lang))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        let stages = spectrum.map(|s| {
            s.stages
                .iter()
                .map(|stage| {
                    let about_key = format!("stage_about_{}", stage.slug);
                    minijinja::context! {
                        slug => stage.slug,
                        label => stage.label,
                        about => t.get(about_key.as_str()).copied(),
                        count => stage.count,
                        count_text => count_text(stage.count),
                        url => search(&[(FacetGroup::Stage, &stage.slug)]),
                        types => stage.types.iter().map(|group| minijinja::context! {
                            label => group.label,
                            count => group.count,
                            more => group.count > group.documents.len(),
                            url => search(&[(FacetGroup::Stage, &stage.slug), (FacetGroup::Type, &group.doc_type)]),
                            documents => group.documents.iter().map(|d| minijinja::context! {
                                title => d.title,
                                year => d.year,
                                url => document_url(&d.id, lang),
                                countries => countries_text(&d.countries),
                            }).collect::<Vec<_>>(),
                        }).collect::<Vec<_>>(),
                    }
                })
                .collect::<Vec<_>>()
        });
        let summary = spectrum.map(|s| {
            let n = s.total.to_string();
            let placed = s.placed.to_string();
            match &scope_name {
                Some(name) => t["spectrum_total_scope"]
                    .replace("{n}", &n)
                    .replace("{placed}", &placed)
                    .replace("{scope}", name),
                None => t["spectrum_total"]
                    .replace("{n}", &n)
                    .replace("{placed}", &placed),
            }
        });
        let gaps = spectrum.filter(|_| *scope != Scope::World).map(|s| {
            let name = scope_name.clone().unwrap_or_default();
            minijinja::context! {
                heading => if s.empty_stages.is_empty() {
                    t["spectrum_no_gaps"].replace("{scope}", &name)
                } else {
                    t["spectrum_gaps"].replace("{scope}", &name)
                },
                stages => s.stages.iter().filter(|st| st.count == 0).map(|st| minijinja::context! {
                    label => st.label, anchor => format!("stage-{}", st.slug),
                }).collect::<Vec<_>>(),
            }
        });
        let wider = spectrum
            .map(|s| {
                s.scope
                    .regions
                    .iter()
                    .map(|r| {
                        minijinja::context! {
                            label => r.label,
                            url => spectrum_url(&Scope::Region(r.value.clone()), lang),
                        }
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        let profile_url = match scope {
            Scope::Country(iso3) => geography
                .country(iso3)
                .map(|c| super::country_url(&c.iso2, lang, None)),
            _ => None,
        };
        let region_page_url = match scope {
            Scope::Region(slug) => Some(region_url(slug, lang)),
            _ => None,
        };
        let mut countries: Vec<_> = geography
            .countries()
            .iter()
            .map(|c| {
                (
                    c.names.get(lang).to_string(),
                    c.iso2.clone(),
                    c.iso3.clone(),
                )
            })
            .collect();
        countries.sort_by_cached_key(|(name, _, _)| crate::profiles::import::name_key(name));
        let selected_country = match scope {
            Scope::Country(iso3) => iso3.as_str(),
            _ => "",
        };
        let selected_region = match scope {
            Scope::Region(slug) => slug.as_str(),
            _ => "",
        };
        let country_options: Vec<_> = countries
            .iter()
            .map(|(name, iso2, iso3)| {
                minijinja::context! {
                    value => iso2, label => name, selected => iso3 == selected_country,
                }
            })
            .collect();
        let region_options: Vec<_> = geography
            .regions()
            .iter()
            .map(|r| minijinja::context! {
                value => r.slug,
                // Indented by depth so the hierarchy reads in a plain select.
                label => format!("{}{}", "\u{a0}\u{a0}".repeat(geography.region_path(&r.slug).len().saturating_sub(1)), r.labels.get(lang)),
                selected => r.slug == selected_region,
            })
            .collect();
        let scope_for_links = scope.clone();
        let context = minijinja::context! {
            chrome => chrome,
            lang => lang.code(),
            t => t,
            title => title,
            scope_name => scope_name,
            scoped => *scope != Scope::World,
            langs => Self::lang_links(lang, |l| spectrum_url(&scope_for_links, l)),
            home_url => search_url(&SearchRequest { lang, ..Default::default() }),
            world_url => spectrum_url(&Scope::World, lang),
            error => form.error,
            form_country => form.country,
            form_region => form.region,
            country_options => country_options,
            region_options => region_options,
            summary => summary,
            gaps => gaps,
            wider => wider,
            profile_url => profile_url,
            region_page_url => region_page_url,
            all_url => search(&[]),
            stages => stages,
        };
        self.render("spectrum.html", context)
    }
}
