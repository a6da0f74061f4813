//! The country profile and law-finder pages. The profile model ([`crate::profiles`]) is shown
//! as it is; this module adds what only a page needs: URLs, the language links and the
//! interface text of `templates/profiles.i18n.yaml`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Serialize;

use super::{search_url, text, Pages};
use crate::index::{FacetGroup, SearchRequest};
use crate::profiles::{CountryProfile, LawFinder};
use crate::taxonomy::{Labels, Lang, Taxonomy};

const PROFILE_TEXT_YAML: &str = include_str!("../../templates/profiles.i18n.yaml");

/// The interface text of the profile pages in one language, as the templates' `p`.
pub fn profile_text(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    static MESSAGES: OnceLock<BTreeMap<String, Labels>> = OnceLock::new();
    MESSAGES
        .get_or_init(|| {
            serde_saphyr::from_str(PROFILE_TEXT_YAML)
                .expect("templates/profiles.i18n.yaml is valid")
        })
        .iter()
        .map(|(key, labels)| (key.as_str(), labels.get(lang)))
        .collect()
}

/// The URL of a country's profile page.
pub fn country_url(iso2: &str, lang: Lang, basket: Option<&str>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("lang", lang.code());
    if let Some(basket) = basket {
        query.append_pair("basket", basket);
    }
    format!("/countries/{iso2}?{}", query.finish())
}

#[derive(Serialize)]
struct Link {
    label: String,
    url: String,
}

impl Pages {
    /// A country's profile page.
    pub fn country(&self, profile: &CountryProfile) -> String {
        let lang = profile.lang;
        // The default basket stays out of URLs, so that shared links follow the default.
        let basket = (!profile.basket.default).then_some(profile.basket.slug.as_str());
        let regions: Vec<Link> = profile
            .region_path
            .iter()
            .map(|r| Link {
                label: r.label.clone(),
                url: search_url(
                    &SearchRequest::default()
                        .filter(FacetGroup::Region, &r.slug)
                        .with_lang(lang),
                ),
            })
            .collect();
        let api = format!(
            "/api/countries/{}?lang={}&basket={}",
            profile.iso2,
            lang.code(),
            profile.basket.slug
        );
        let other_names: Vec<&str> = {
            let mut names: Vec<&str> = profile
                .names
                .all()
                .into_iter()
                .filter(|n| *n != profile.name)
                .collect();
            names.dedup();
            names
        };
        let context = minijinja::context! {
            lang => lang.code(),
            t => text(lang),
            p => profile_text(lang),
            title => profile.name.clone(),
            langs => Self::lang_links(lang, |l| country_url(&profile.iso2, l, basket)),
            home_url => search_url(&SearchRequest { lang, ..Default::default() }),
            profile => profile,
            other_names => other_names,
            regions => regions,
            basket_instruments => profile.instruments.iter().filter(|i| i.in_basket).collect::<Vec<_>>(),
            other_instruments => profile.instruments.iter().filter(|i| !i.in_basket).collect::<Vec<_>>(),
            json_url => api.clone(),
            csv_url => format!("{api}&format=csv"),
            laws_url => format!("/laws?country={}&lang={}", profile.iso2, lang.code()),
            country_search_url => search_url(&SearchRequest::default().filter(FacetGroup::Country, &profile.iso3).with_lang(lang)),
        };
        self.render("country.html", context)
    }

    /// The shareable-law finder page.
    pub fn laws(&self, finder: &LawFinder, taxonomy: &Taxonomy) -> String {
        let lang = finder.lang;
        let url_for = |l: Lang| {
            let mut query = form_urlencoded::Serializer::new(String::new());
            if let Some(country) = &finder.country {
                query.append_pair("country", country);
            }
            for theme in &finder.themes {
                query.append_pair("theme", theme);
            }
            for instrument in &finder.instruments {
                query.append_pair("instrument", instrument);
            }
            query.append_pair("lang", l.code());
            format!("/laws?{}", query.finish())
        };
        let mut countries: Vec<(String, String)> = crate::profiles::states(&taxonomy.geography)
            .into_iter()
            .map(|c| (c.iso3.clone(), c.names.get(lang).to_string()))
            .collect();
        countries.sort_by_key(|(_, name)| crate::profiles::import::name_key(name));
        let options = |vocabulary: &crate::taxonomy::Vocabulary| -> Vec<(String, String)> {
            vocabulary
                .terms()
                .iter()
                .map(|t| (t.slug.clone(), t.labels.get(lang).to_string()))
                .collect()
        };
        let context = minijinja::context! {
            lang => lang.code(),
            t => text(lang),
            p => profile_text(lang),
            title => profile_text(lang)["law_finder"],
            langs => Self::lang_links(lang, url_for),
            home_url => search_url(&SearchRequest { lang, ..Default::default() }),
            finder => finder,
            countries => countries,
            themes => options(&taxonomy.themes),
            instruments => options(&taxonomy.instruments),
            country_url => finder.country.as_deref().and_then(|c| taxonomy.geography.country(c)).map(|c| country_url(&c.iso2, lang, None)),
        };
        self.render("laws.html", context)
    }
}
