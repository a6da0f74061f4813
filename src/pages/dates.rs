//! Dates and times as readers write them ("1 December 2026, 14:05 UTC"), in the page language.
//! Pages put the machine form in `<time datetime>`; the script shows it in the reader's own
//! time zone.

use crate::taxonomy::Lang;

const MONTHS: [[&str; 12]; 3] = [
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
];

fn month_name(month: time::Month, lang: Lang) -> &'static str {
    let row = match lang {
        Lang::En => 0,
        Lang::Fr => 1,
        Lang::Es => 2,
    };
    MONTHS[row][u8::from(month) as usize - 1]
}

fn date_words(date: time::Date, lang: Lang) -> String {
    let month = month_name(date.month(), lang);
    match lang {
        Lang::Es => format!("{} de {month} de {}", date.day(), date.year()),
        _ => format!("{} {month} {}", date.day(), date.year()),
    }
}

/// An RFC 3339 timestamp as "1 December 2026, 14:05 UTC"; anything else unchanged.
pub(crate) fn readable_time(rfc3339: &str, lang: Lang) -> String {
    let Ok(at) =
        time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
    else {
        return rfc3339.to_string();
    };
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{}, {:02}:{:02} UTC",
        date_words(at.date(), lang),
        at.hour(),
        at.minute()
    )
}

/// A `YYYY-MM-DD` date as "1 December 2026"; anything else unchanged.
pub(crate) fn readable_date(date: &str, lang: Lang) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    match time::Date::parse(date.trim(), &format) {
        Ok(date) => date_words(date, lang),
        Err(_) => date.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_read_as_words_in_the_page_language() {
        assert_eq!(
            readable_time("2026-12-01T14:05:09.123Z", Lang::En),
            "1 December 2026, 14:05 UTC"
        );
        assert_eq!(
            readable_time("2026-08-03T01:00:00+02:00", Lang::Fr),
            "2 août 2026, 23:00 UTC"
        );
        assert_eq!(readable_date("2024-05-01", Lang::Es), "1 de mayo de 2024");
        assert_eq!(readable_time("not a time", Lang::En), "not a time");
    }
}
