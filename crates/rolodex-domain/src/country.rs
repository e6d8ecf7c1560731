//! Countries: the one place where a country a client names becomes the code the model keeps.
//!
//! Clients name countries in several ways: Expandable's own examples send `"USA"` (ISO 3166-1
//! alpha-3), Valomnia's pages `"FR"` (alpha-2), and people type `"United States"`. Every
//! surface accepts all of them and the model keeps one normalised code, ISO 3166-1 alpha-2
//! upper-case; each surface renders it the way its system shows countries (see
//! [`Country::alpha2`], [`Country::alpha3`]). Country data comes from `isocountry`.
//!
//! What is accepted, in this order:
//! 1. an alpha-2 or alpha-3 code, any case (`us`, `USA`);
//! 2. an English name, ignoring case, accents, punctuation and spaces: the ISO short name
//!    (`United States of America`, `Côte d'Ivoire`), that name without its qualifier where
//!    only one country has the remainder (`Bolivia` for "Bolivia (Plurinational State of)",
//!    `Taiwan` for "Taiwan, Province of China"), or a common English name ISO does not use
//!    (`United States`, `United Kingdom`, `Russia`, `South Korea`, `Vietnam`, ... see
//!    `COMMON_NAMES`);
//! 3. a code written with dots (`U.S.A.`, `U.K.`).
//!
//! `UK` is accepted for the United Kingdom: ISO reserves it for that use (its code is `GB`).

use crate::validation::ValidationError;
use isocountry::CountryCode;
use std::collections::HashMap;
use std::sync::LazyLock;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Common English names that are not the ISO short name, nor that name without its qualifier,
/// with the alpha-2 code each stands for.
const COMMON_NAMES: &[(&str, &str)] = &[
    ("United States", "US"),
    ("UK", "GB"),
    ("United Kingdom", "GB"),
    ("Great Britain", "GB"),
    ("Britain", "GB"),
    ("Russia", "RU"),
    ("South Korea", "KR"),
    ("Republic of Korea", "KR"),
    ("North Korea", "KP"),
    ("Vietnam", "VN"),
    ("Laos", "LA"),
    ("Syria", "SY"),
    ("Brunei", "BN"),
    ("Czech Republic", "CZ"),
    ("Ivory Coast", "CI"),
    ("Cape Verde", "CV"),
    ("Vatican", "VA"),
    ("Vatican City", "VA"),
    ("Swaziland", "SZ"),
    ("Burma", "MM"),
    ("East Timor", "TL"),
    ("Türkiye", "TR"),
    ("North Macedonia", "MK"),
    ("Democratic Republic of the Congo", "CD"),
    ("DR Congo", "CD"),
    ("DRC", "CD"),
    ("Republic of the Congo", "CG"),
    ("Holland", "NL"),
    ("US Virgin Islands", "VI"),
    ("British Virgin Islands", "VG"),
];

/// A country, as ISO 3166-1 defines it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Country(CountryCode);

impl Country {
    /// The country `value` names (see the module documentation for the forms accepted), or
    /// `None` when it names none.
    pub fn parse(value: &str) -> Option<Country> {
        let value = value.trim();
        if let Some(country) = Self::code(value) {
            return Some(country);
        }
        let key = key(value);
        NAMES
            .get(&key)
            .copied()
            .map(Country)
            .or_else(|| Self::code(&key))
    }

    /// The country of an alpha-2 or alpha-3 code, any case.
    fn code(value: &str) -> Option<Country> {
        match value.len() {
            2 => CountryCode::for_alpha2_caseless(value).ok().map(Country),
            3 => CountryCode::for_alpha3_caseless(value).ok().map(Country),
            _ => None,
        }
    }

    /// ISO 3166-1 alpha-2, upper-case: what the model keeps.
    pub fn alpha2(self) -> &'static str {
        self.0.alpha2()
    }

    /// ISO 3166-1 alpha-3, upper-case.
    pub fn alpha3(self) -> &'static str {
        self.0.alpha3()
    }

    /// The ISO short name in English.
    pub fn name(self) -> &'static str {
        self.0.name()
    }
}

/// Checks the country `value` names and returns the code the model keeps (alpha-2).
pub fn check_country(field: &str, value: &str) -> Result<String, ValidationError> {
    Country::parse(value)
        .map(|c| c.alpha2().to_owned())
        .ok_or_else(|| {
            ValidationError::new(
                field,
                "invalid_country",
                format!(
                    "'{value}' is not a country: send an ISO 3166-1 alpha-2 or alpha-3 code \
                     or an English name"
                ),
            )
        })
}

/// A name as it is compared: its letters and digits, lower-case, without accents; `&` is
/// "and" and a leading "the" is dropped.
fn key(name: &str) -> String {
    let folded: String = name
        .replace('&', " and ")
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    match words.split_first() {
        Some((&"the", rest)) if !rest.is_empty() => rest.concat(),
        _ => words.concat(),
    }
}

/// The name before its qualifier: "Bolivia" of "Bolivia (Plurinational State of)", "Taiwan"
/// of "Taiwan, Province of China".
fn unqualified(name: &str) -> Option<&str> {
    let end = name.find([',', '('])?;
    Some(name[..end].trim())
}

/// Every name a country is known by, keyed as [`key`] compares them.
static NAMES: LazyLock<HashMap<String, CountryCode>> = LazyLock::new(|| {
    let mut names = HashMap::new();
    let mut short: HashMap<String, Option<CountryCode>> = HashMap::new();
    for &code in CountryCode::as_array() {
        names.insert(key(code.name()), code);
        if let Some(name) = unqualified(code.name()) {
            short
                .entry(key(name))
                .and_modify(|c| *c = None)
                .or_insert(Some(code));
        }
    }
    for (name, code) in short.into_iter().filter_map(|(n, c)| Some((n, c?))) {
        names.entry(name).or_insert(code);
    }
    for (name, alpha2) in COMMON_NAMES {
        if let Ok(code) = CountryCode::for_alpha2(alpha2) {
            names.insert(key(name), code);
        }
    }
    names
});

#[cfg(test)]
mod tests {
    use super::*;

    fn alpha2(value: &str) -> Option<&'static str> {
        Country::parse(value).map(Country::alpha2)
    }

    #[test]
    fn codes_of_either_length_are_accepted_in_any_case() {
        for v in ["US", "us", "USA", "usa", " Usa ", "U.S.A.", "u.s."] {
            assert_eq!(alpha2(v), Some("US"), "{v:?}");
        }
        assert_eq!(alpha2("FRA"), Some("FR"));
        assert_eq!(alpha2("gbr"), Some("GB"));
    }

    #[test]
    fn iso_names_are_accepted_ignoring_case_accents_and_punctuation() {
        let cases = [
            ("United States of America", "US"),
            ("united states of america", "US"),
            ("Côte d'Ivoire", "CI"),
            ("cote divoire", "CI"),
            ("Åland Islands", "AX"),
            ("Bosnia & Herzegovina", "BA"),
            ("Korea (Republic of)", "KR"),
            ("Saint Helena, Ascension and Tristan da Cunha", "SH"),
            ("France", "FR"),
        ];
        for (name, code) in cases {
            assert_eq!(alpha2(name), Some(code), "{name:?}");
        }
    }

    #[test]
    fn a_name_without_its_qualifier_names_the_one_country_it_fits() {
        for (name, code) in [
            ("Bolivia", "BO"),
            ("Iran", "IR"),
            ("Taiwan", "TW"),
            ("Tanzania", "TZ"),
            ("Venezuela", "VE"),
            ("Moldova", "MD"),
            ("Congo", "CG"),
        ] {
            assert_eq!(alpha2(name), Some(code), "{name:?}");
        }
        assert_eq!(alpha2("Korea"), None, "two countries are 'Korea (...)'");
        assert_eq!(alpha2("Virgin Islands"), None, "two territories");
    }

    #[test]
    fn common_english_names_are_accepted() {
        let cases = [
            ("United States", "US"),
            ("The United States", "US"),
            ("United Kingdom", "GB"),
            ("UK", "GB"),
            ("u.k.", "GB"),
            ("Russia", "RU"),
            ("South Korea", "KR"),
            ("North Korea", "KP"),
            ("Vietnam", "VN"),
            ("Czech Republic", "CZ"),
            ("Ivory Coast", "CI"),
            ("Netherlands", "NL"),
        ];
        for (name, code) in cases {
            assert_eq!(alpha2(name), Some(code), "{name:?}");
        }
    }

    #[test]
    fn every_common_name_stands_for_a_country() {
        for (name, code) in COMMON_NAMES {
            assert_eq!(alpha2(name), Some(*code), "{name:?}");
        }
    }

    #[test]
    fn what_names_no_country_is_refused() {
        for v in ["", " ", "XX", "ZZZ", "Narnia", "1", "U", "United", "States"] {
            assert_eq!(alpha2(v), None, "{v:?}");
        }
        let e = check_country("country", "Narnia").unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("country", "invalid_country"));
        assert!(e.message.starts_with("'Narnia' is not a country"));
    }

    #[test]
    fn a_country_reads_as_either_code_or_its_name() {
        let us = Country::parse("United States").unwrap();
        assert_eq!(
            (us.alpha2(), us.alpha3(), us.name()),
            ("US", "USA", "United States of America")
        );
        assert_eq!(check_country("country", "usa").as_deref(), Ok("US"));
    }
}
