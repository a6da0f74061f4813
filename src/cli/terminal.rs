//! Plain text for the terminal: country and region profiles, search snippets and facet lines.
//! The library hands out data (the pages and the API render the same profiles); how it looks
//! in a terminal is the command line's business.

use std::fmt::Write as _;

use praxis::index::search::FacetValue;
use praxis::profiles::{
    CountryProfile, NoDataReason, Provenance, RegionProfile, Standing, TreatyStatus,
};
use praxis::Lang;

/// A country profile as plain text, for the terminal.
pub(crate) fn country_profile_text(profile: &CountryProfile) -> String {
    let lang = profile.lang;
    let mut out = String::new();
    let others: Vec<&str> = profile
        .names
        .all()
        .into_iter()
        .filter(|n| *n != profile.name)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let _ = write!(out, "{} ({}, {})", profile.name, profile.iso2, profile.iso3);
    if !others.is_empty() {
        let _ = write!(out, " · {}", others.join(" · "));
    }
    out.push('\n');
    let path: Vec<&str> = profile
        .region_path
        .iter()
        .map(|r| r.label.as_str())
        .collect();
    let _ = writeln!(
        out,
        "{}: {}",
        t(lang, ["Region", "Région", "Región"]),
        if path.is_empty() {
            "—".to_string()
        } else {
            path.join(" › ")
        }
    );
    let _ = writeln!(
        out,
        "\n{} ({}): {}",
        profile.basket.label,
        profile.basket.slug,
        profile.adherence.headline(lang)
    );
    for standing in &profile.standings {
        let _ = writeln!(out, "  {}", standing_text(standing, lang));
    }
    let _ = writeln!(
        out,
        "  {}",
        t(
            lang,
            [
                "\"Not a party\" only from a list complete for its date; \"No data\" means the source does not say.",
                "« Non partie » seulement d'après une liste complète à sa date ; « Pas de données » : la source ne dit rien.",
                "«No es parte» solo según una lista completa a su fecha; «Sin datos»: la fuente no lo dice."
            ]
        )
    );
    out.push('\n');
    let not_linked: Vec<&str> = profile
        .instruments
        .iter()
        .filter(|i| {
            i.status
                == TreatyStatus::NoData {
                    reason: NoDataReason::NotLinked,
                }
        })
        .map(|i| i.label.as_str())
        .collect();
    let mut others_heading = false;
    for status in &profile.instruments {
        if not_linked.contains(&status.label.as_str()) {
            continue;
        }
        if !status.in_basket && !others_heading {
            others_heading = true;
            let _ = writeln!(
                out,
                "\n{}",
                t(
                    lang,
                    [
                        "Other instruments",
                        "Autres instruments",
                        "Otros instrumentos"
                    ]
                )
            );
        }
        let _ = writeln!(out, "  {:<34} {}", status.headline, status.label);
        let mut detail = status.detail.clone();
        if let Some(provenance @ Provenance::Imported { .. }) = &status.provenance {
            detail.push_str(&format!(" · {}", provenance.describe(lang)));
        }
        let _ = writeln!(out, "  {:<34} {detail}", "");
        if let (Some(source), Some(date)) = (&status.source_name, &status.data_date) {
            let stale = if status.stale {
                t(lang, [" — STALE", " — PÉRIMÉ", " — DESACTUALIZADO"])
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  {:<34} {source}, {} {date}{stale}",
                "",
                t(lang, ["as of", "au", "al"])
            );
        }
        if let Some(url) = &status.source_url {
            let _ = writeln!(out, "  {:<34} {url}", "");
        }
    }
    if !not_linked.is_empty() {
        let _ = writeln!(
            out,
            "  {}: {}",
            t(
                lang,
                [
                    "No participation data for",
                    "Pas de données de participation pour",
                    "Sin datos de participación para"
                ]
            ),
            not_linked.join("; ")
        );
    }
    if let Some(place) = &profile.context {
        let _ = writeln!(
            out,
            "\n{}",
            t(lang, ["In context", "En contexte", "En contexto"])
        );
        if let Some(population) = &place.population {
            let _ = writeln!(
                out,
                "  {}: {} ({}; {})",
                t(lang, ["Population", "Population", "Población"]),
                population.value,
                population.year,
                place.sources.economy
            );
        }
        if let Some(gdp) = &place.gdp_usd {
            let _ = writeln!(
                out,
                "  {}: {:.0} ({}; {})",
                t(
                    lang,
                    [
                        "GDP, current US$",
                        "PIB, USD courants",
                        "PIB, US$ corrientes"
                    ]
                ),
                gdp.value,
                gdp.year,
                place.sources.economy
            );
        }
        let conflict = &place.conflict;
        if !conflict.conflicts.is_empty() {
            let _ = writeln!(
                out,
                "  {}: {} ({}); {}: {}",
                t(
                    lang,
                    [
                        "Armed conflict 1946-2022, conflict-years",
                        "Conflits armés 1946-2022, années-conflits",
                        "Conflictos armados 1946-2022, años-conflicto"
                    ]
                ),
                conflict.conflict_years,
                place.sources.conflicts,
                t(
                    lang,
                    [
                        "contested areas 2013-2022",
                        "zones contestées 2013-2022",
                        "zonas disputadas 2013-2022"
                    ]
                ),
                if conflict.contested_territories_2013_2022.is_empty() {
                    "—".to_string()
                } else {
                    conflict.contested_territories_2013_2022.join("; ")
                }
            );
        }
    }
    // The networks whose documents list the State as a member.
    let _ = writeln!(
        out,
        "\n{} ({})",
        t(lang, ["Networks", "Réseaux", "Redes"]),
        profile.networks.len()
    );
    for membership in &profile.networks {
        let since = membership
            .joined
            .as_deref()
            .map(|j| {
                format!(
                    " — {} {j}",
                    t(lang, ["member since", "membre depuis", "miembro desde"])
                )
            })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {} ({}){since}",
            membership.title, membership.network
        );
    }
    let _ = writeln!(
        out,
        "\n{} ({})",
        t(
            lang,
            [
                "Documents in the knowledge base",
                "Documents de la base de connaissances",
                "Documentos de la base de conocimientos"
            ]
        ),
        profile.document_count
    );
    for group in &profile.documents {
        let _ = writeln!(out, "  {} ({})", group.label, group.documents.len());
        for document in &group.documents {
            let _ = writeln!(
                out,
                "    {} ({}) · {}",
                document.title, document.year, document.id
            );
            if let Some(shareable) = document.shareable {
                let verdict = match (shareable, lang) {
                    (true, Lang::En) => "shareable",
                    (false, Lang::En) => "not judged shareable",
                    (true, Lang::Fr) => "partageable",
                    (false, Lang::Fr) => "non jugée partageable",
                    (true, Lang::Es) => "compartible",
                    (false, Lang::Es) => "no se considera compartible",
                };
                match &document.shareable_note {
                    Some(note) => {
                        let _ = writeln!(out, "      {verdict}: {note}");
                    }
                    None => {
                        let _ = writeln!(out, "      {verdict}");
                    }
                }
            }
        }
    }
    out
}

/// "Rank 2 of 13 in Eastern Africa (tied with 1 other; median 6)".
pub(crate) fn standing_text(standing: &Standing, lang: Lang) -> String {
    let median = if standing.median.fract() == 0.0 {
        format!("{}", standing.median)
    } else {
        format!("{:.1}", standing.median)
    };
    let tied = standing.tied.saturating_sub(1);
    match lang {
        Lang::En => format!(
            "rank {} of {} in {}{}; median {median}",
            standing.rank,
            standing.states,
            standing.region.label,
            match tied {
                0 => String::new(),
                1 => " (tied with 1 other)".to_string(),
                n => format!(" (tied with {n} others)"),
            }
        ),
        Lang::Fr => format!(
            "rang {} sur {} en {}{} ; médiane {median}",
            standing.rank,
            standing.states,
            standing.region.label,
            if tied > 0 {
                format!(" (ex aequo avec {tied})")
            } else {
                String::new()
            }
        ),
        Lang::Es => format!(
            "puesto {} de {} en {}{}; mediana {median}",
            standing.rank,
            standing.states,
            standing.region.label,
            if tied > 0 {
                format!(" (empatado con {tied})")
            } else {
                String::new()
            }
        ),
    }
}

/// A region profile as plain text, for the terminal.
pub(crate) fn region_profile_text(profile: &RegionProfile) -> String {
    let lang = profile.lang;
    let mut out = String::new();
    let mut path: Vec<&str> = profile
        .region_path
        .iter()
        .map(|r| r.label.as_str())
        .collect();
    path.push(&profile.label);
    let _ = writeln!(out, "{} ({})", path.join(" › "), profile.region);
    if !profile.subregions.is_empty() {
        let subregions: Vec<&str> = profile.subregions.iter().map(|r| r.slug.as_str()).collect();
        let _ = writeln!(
            out,
            "{}: {}",
            t(lang, ["Sub-regions", "Sous-régions", "Subregiones"]),
            subregions.join(", ")
        );
    }
    for credit in &profile.credits {
        let _ = writeln!(out, "  {credit}");
    }
    let _ = writeln!(
        out,
        "\n{} ({}): {}",
        t(lang, ["States", "États", "Estados"]),
        profile.countries.len(),
        t(
            lang,
            [
                "party / instruments with data (signed only, not found in the data)",
                "partie / instruments avec données (signés seulement, absent des données)",
                "parte / instrumentos con datos (solo firmados, no figura en los datos)"
            ]
        )
    );
    let width = profile
        .countries
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(0)
        .min(40);
    for country in &profile.countries {
        let a = &country.adherence;
        let _ = writeln!(
            out,
            "  {} {:<width$} {:>2} / {:<2} ({}, {})",
            country.iso3, country.name, a.party, a.with_data, a.signed_only, a.not_in_data
        );
    }
    let _ = writeln!(
        out,
        "\n{}",
        t(
            lang,
            [
                "Instruments: States party (signed only, not found in the data)",
                "Instruments : États parties (signés seulement, absents des données)",
                "Instrumentos: Estados parte (solo firmados, no figuran en los datos)"
            ]
        )
    );
    for instrument in profile.instruments.iter().filter(|i| i.has_data) {
        let counts = format!("({}, {})", instrument.signed_only, instrument.not_in_data);
        let _ = writeln!(
            out,
            "  {:>3} {counts:<9} {}",
            instrument.party, instrument.label
        );
    }
    let without: Vec<&str> = profile
        .instruments
        .iter()
        .filter(|i| !i.has_data)
        .map(|i| i.label.as_str())
        .collect();
    if !without.is_empty() {
        let _ = writeln!(
            out,
            "  {}: {}",
            t(
                lang,
                [
                    "No participation data",
                    "Pas de données de participation",
                    "Sin datos de participación"
                ]
            ),
            without.join("; ")
        );
    }
    let _ = writeln!(
        out,
        "\n{} ({})",
        t(
            lang,
            [
                "Laws judged shareable",
                "Lois jugées partageables",
                "Leyes consideradas compartibles"
            ]
        ),
        profile.shareable_laws.len()
    );
    for law in &profile.shareable_laws {
        let _ = writeln!(
            out,
            "  {} ({}) · {} · {}",
            law.title,
            law.year,
            if law.country_names.is_empty() {
                "—".to_string()
            } else {
                law.country_names.join(", ")
            },
            law.id
        );
        if let Some(note) = &law.shareable_note {
            let _ = writeln!(out, "    {note}");
        }
    }
    out
}

/// Snippet HTML for a terminal: marks in bold (or between brackets when not a terminal).
pub(crate) fn terminal_text(html: &str, bold: bool) -> String {
    let (open, close) = if bold {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("[", "]")
    };
    html.replace("<mark>", open)
        .replace("</mark>", close)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

pub(crate) fn facet_line(values: &[FacetValue], line: &mut String) {
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            line.push_str(", ");
        }
        let marker = if value.selected { "*" } else { "" };
        line.push_str(&format!("{marker}{} ({})", value.label, value.count));
        if !value.children.is_empty() {
            line.push_str(" [");
            facet_line(&value.children, line);
            line.push(']');
        }
    }
}

fn t(lang: Lang, [en, fr, es]: [&'static str; 3]) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Fr => fr,
        Lang::Es => es,
    }
}
