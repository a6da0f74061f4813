//! The country profile and law-finder pages. The profile model ([`crate::profiles`]) is shown
//! as it is; this module adds what only a page needs: URLs, the language links and the
//! interface text of `locales/profiles.yaml`.

use super::view::Chrome;
use std::collections::BTreeMap;

use serde::Serialize;

use super::{search_url, text, Pages};
use crate::catalogue::{self, Section};
use crate::index::search::html_escape;
use crate::index::{FacetGroup, SearchRequest};
use crate::profiles::context::Point;
use crate::profiles::{CountryProfile, LawFinder};
use crate::taxonomy::{Lang, Taxonomy};

/// The interface text of the profile pages in one language, as the templates' `p`.
pub(crate) fn profile_text(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    catalogue::text(Section::Profiles, lang)
}

/// The URL of a country's profile page.
pub(crate) fn country_url(iso2: &str, lang: Lang, basket: Option<&str>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("lang", lang.code());
    if let Some(basket) = basket {
        query.append_pair("basket", basket);
    }
    format!("/countries/{iso2}?{}", query.finish())
}

/// A small trend line as inline SVG (no JavaScript), with a text alternative.
pub(crate) fn trend_svg(points: &[Point], label: &str) -> String {
    let (width, height, pad) = (160.0, 36.0, 3.0);
    if points.len() < 2 {
        return String::new();
    }
    let (min_year, max_year) = (points[0].year as f64, points[points.len() - 1].year as f64);
    let min = points.iter().map(|p| p.value).fold(f64::INFINITY, f64::min);
    let max = points
        .iter()
        .map(|p| p.value)
        .fold(f64::NEG_INFINITY, f64::max);
    let span_x = (max_year - min_year).max(1.0);
    let span_y = (max - min).max(f64::EPSILON);
    let coordinates: Vec<String> = points
        .iter()
        .map(|p| {
            let x = pad + (p.year as f64 - min_year) / span_x * (width - 2.0 * pad);
            let y = height - pad - (p.value - min) / span_y * (height - 2.0 * pad);
            format!("{x:.1},{y:.1}")
        })
        .collect();
    let label = html_escape(label);
    format!(
        "<svg class=\"trend\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{label}\"><title>{label}</title><polyline fill=\"none\" stroke=\"#0b5cad\" stroke-width=\"2\" points=\"{}\"/></svg>",
        coordinates.join(" ")
    )
}

/// 56432944 → "56,432,944" (English), "56 432 944" (French, Spanish).
pub(crate) fn group_digits(value: u64, lang: Lang) -> String {
    let digits = value.to_string();
    let separator = if lang == Lang::En { ',' } else { '\u{202f}' };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

/// 107440575838 → "US$107.4 billion".
pub(crate) fn money(value: f64, lang: Lang) -> String {
    let (scaled, unit) = if value >= 1e9 {
        (value / 1e9, ["billion", "milliards", "miles de millones"])
    } else {
        (value / 1e6, ["million", "millions", "millones"])
    };
    let unit = match lang {
        Lang::En => unit[0],
        Lang::Fr => unit[1],
        Lang::Es => unit[2],
    };
    let number = format!("{scaled:.1}");
    let number = if lang == Lang::En {
        number
    } else {
        number.replace('.', ",")
    };
    match lang {
        Lang::En => format!("US${number} {unit}"),
        _ => format!("{number} {unit} USD"),
    }
}

#[derive(Serialize)]
struct Link {
    label: String,
    url: String,
}

impl Pages {
    /// A country's profile page.
    /// A country's profile page; `region_map` is its sub-region's adherence map, when drawn.
    pub(crate) fn country(
        &self,
        profile: &CountryProfile,
        region_map: Option<&super::countries::RenderedMap>,
        chrome: &Chrome,
    ) -> String {
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
        let place = profile.context.as_ref();
        let p = profile_text(lang);
        let population_text = place
            .and_then(|c| c.population.as_ref())
            .map(|d| group_digits(d.value, lang));
        let gdp_text = place
            .and_then(|c| c.gdp_usd.as_ref())
            .map(|d| money(d.value, lang));
        let area_text = place
            .and_then(|c| c.area_km2)
            .map(|a| group_digits(a.round() as u64, lang));
        let population_svg = place
            .map(|c| trend_svg(&c.population_trend, p["population_trend"]))
            .unwrap_or_default();
        let gdp_svg = place
            .map(|c| trend_svg(&c.gdp_trend, p["gdp_trend"]))
            .unwrap_or_default();
        let deaths = place.map(|c| {
            let d = &c.conflict;
            [
                group_digits(d.battle_deaths_1989_2022, lang),
                group_digits(d.battle_deaths_2013_2022, lang),
                group_digits(d.one_sided_deaths_1989_2022, lang),
                group_digits(d.one_sided_deaths_2013_2022, lang),
                group_digits(d.one_sided_deaths_by_government_2013_2022, lang),
            ]
        });
        let context = minijinja::context! {
            chrome => chrome,
            lang => lang.code(),
            t => text(lang),
            p => p,
            title => profile.name.clone(),
            place => place,
            population_text => population_text,
            gdp_text => gdp_text,
            area_text => area_text,
            population_svg => minijinja::Value::from_safe_string(population_svg),
            gdp_svg => minijinja::Value::from_safe_string(gdp_svg),
            deaths => deaths,
            langs => Self::lang_links(lang, |l| country_url(&profile.iso2, l, basket)),
            home_url => search_url(&SearchRequest { lang, ..Default::default() }),
            profile => profile,
            region_map_svg => region_map.map(|m| minijinja::Value::from_safe_string(m.svg.clone())),
            region_map_legend => region_map.map(|m| minijinja::Value::from_safe_string(m.legend.clone())),
            region_map_region => profile.region_path.last().map(|r| r.label.clone()),
            region_map_url => profile.region_path.last().map(|r| format!("/regions/{}?lang={}", r.slug, lang.code())),
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
    pub(crate) fn laws(&self, finder: &LawFinder, taxonomy: &Taxonomy, chrome: &Chrome) -> String {
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
            chrome => chrome,
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
