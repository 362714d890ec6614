//! A merchant: the business whose customers pay through Portico.

use serde::{Deserialize, Serialize};
use std::fmt;

pub use crate::domain::ids::MerchantId;
use crate::domain::money::Currency;

/// The last part of a merchant's billing link, `/pay/{slug}`.
///
/// Lower-case ASCII letters, digits and single hyphens, 3 to 40 characters, starting and ending
/// with a letter or digit: safe in a URL without escaping and unambiguous when read aloud.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MerchantSlug(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    #[error("A billing link name must be between {min} and {max} characters long.", min = MerchantSlug::MIN_LEN, max = MerchantSlug::MAX_LEN)]
    Length,
    #[error("A billing link name may only hold lower-case letters, digits and hyphens.")]
    Character,
    #[error(
        "A billing link name must start and end with a letter or a digit, with no double hyphens."
    )]
    Hyphen,
}

impl MerchantSlug {
    pub const MIN_LEN: usize = 3;
    pub const MAX_LEN: usize = 40;

    pub fn parse(text: &str) -> Result<Self, SlugError> {
        if !(Self::MIN_LEN..=Self::MAX_LEN).contains(&text.len()) {
            return Err(SlugError::Length);
        }
        if !text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(SlugError::Character);
        }
        if text.starts_with('-') || text.ends_with('-') || text.contains("--") {
            return Err(SlugError::Hyphen);
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for MerchantSlug {
    type Error = SlugError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<MerchantSlug> for String {
    fn from(slug: MerchantSlug) -> Self {
        slug.0
    }
}

impl fmt::Display for MerchantSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a merchant does business. It decides which bank rails it can offer (ACH in the US,
/// PAD and EFT in Canada).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Country {
    #[serde(rename = "US")]
    UnitedStates,
    #[serde(rename = "CA")]
    Canada,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("The country must be US (United States) or CA (Canada).")]
pub struct CountryError;

impl Country {
    /// The ISO 3166-1 alpha-2 code, as stored and as sent over the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::UnitedStates => "US",
            Self::Canada => "CA",
        }
    }

    /// The country's name as a sentence uses it: "the United States", "Canada".
    pub fn name(self) -> &'static str {
        match self {
            Self::UnitedStates => "the United States",
            Self::Canada => "Canada",
        }
    }

    pub fn parse(code: &str) -> Result<Self, CountryError> {
        match code {
            "US" => Ok(Self::UnitedStates),
            "CA" => Ok(Self::Canada),
            _ => Err(CountryError),
        }
    }

    pub fn home_currency(self) -> Currency {
        match self {
            Self::UnitedStates => Currency::Usd,
            Self::Canada => Currency::Cad,
        }
    }
}

/// A merchant's brand colour as `#rrggbb`. Kept this strict because it is written into a
/// stylesheet: nothing but six hex digits can get there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccentColour(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("A colour must be written as # followed by six hex digits, for example #1d4ed8.")]
pub struct AccentColourError;

impl AccentColour {
    pub fn parse(text: &str) -> Result<Self, AccentColourError> {
        let digits = text.strip_prefix('#').ok_or(AccentColourError)?;
        if digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Self(format!("#{}", digits.to_ascii_lowercase())))
        } else {
            Err(AccentColourError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for AccentColour {
    type Error = AccentColourError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<AccentColour> for String {
    fn from(colour: AccentColour) -> Self {
        colour.0
    }
}

/// The address of a merchant's logo, shown in the wizard's header. Only `https://`, so that
/// the page never loads anything insecure, and only characters that need no escaping in an
/// attribute or a stylesheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoUrl(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogoUrlError {
    #[error(
        "A logo address must start with https:// and name a host, for example https://example.com/logo.png."
    )]
    NotHttps,
    #[error("A logo address can be at most {max} characters long.", max = LogoUrl::MAX_CHARS)]
    TooLong,
    #[error(
        "A logo address cannot contain spaces, quotes or angle brackets: copy it from the browser's address bar."
    )]
    Character,
}

impl LogoUrl {
    pub const MAX_CHARS: usize = 500;

    pub fn parse(text: &str) -> Result<Self, LogoUrlError> {
        let url = text.trim();
        let host = url
            .strip_prefix("https://")
            .ok_or(LogoUrlError::NotHttps)?
            .split(['/', '?', '#'])
            .next()
            .unwrap_or_default();
        if host.is_empty() {
            return Err(LogoUrlError::NotHttps);
        }
        if url.len() > Self::MAX_CHARS {
            return Err(LogoUrlError::TooLong);
        }
        let allowed =
            |c: char| c.is_ascii_graphic() && !matches!(c, '"' | '\'' | '<' | '>' | '\\' | '`');
        if !url.chars().all(allowed) {
            return Err(LogoUrlError::Character);
        }
        Ok(Self(url.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a customer sees of a merchant on its billing link: enough to recognise who they are
/// paying, nothing internal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantBranding {
    pub slug: MerchantSlug,
    pub display_name: String,
    pub accent_colour: AccentColour,
    pub country: Country,
    pub support_email: Option<String>,
    /// An https:// address of the merchant's logo, shown in the wizard's header.
    pub logo_url: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_logo_address_is_https_with_a_host_and_nothing_to_escape() {
        assert_eq!(
            LogoUrl::parse(" https://cdn.example.com/logo.png?v=2 ")
                .unwrap()
                .as_str(),
            "https://cdn.example.com/logo.png?v=2"
        );
        for not_https in [
            "http://example.com/logo.png",
            "https://",
            "https:///logo.png",
            "logo.png",
        ] {
            assert_eq!(
                LogoUrl::parse(not_https),
                Err(LogoUrlError::NotHttps),
                "{not_https}"
            );
        }
        for wrong in [
            "https://example.com/a logo.png",
            "https://example.com/\"x",
            "https://example.com/<b>",
        ] {
            assert_eq!(
                LogoUrl::parse(wrong),
                Err(LogoUrlError::Character),
                "{wrong}"
            );
        }
        let long = format!("https://example.com/{}", "a".repeat(LogoUrl::MAX_CHARS));
        assert_eq!(LogoUrl::parse(&long), Err(LogoUrlError::TooLong));
    }

    #[test]
    fn ordinary_slugs_are_accepted() {
        for slug in ["acme", "northwind-it", "abc", "a1-b2-c3"] {
            assert_eq!(MerchantSlug::parse(slug).unwrap().as_str(), slug);
        }
    }

    #[test]
    fn slugs_of_the_wrong_length_are_rejected() {
        assert_eq!(MerchantSlug::parse("ab"), Err(SlugError::Length));
        assert_eq!(MerchantSlug::parse(&"a".repeat(41)), Err(SlugError::Length));
        assert!(MerchantSlug::parse(&"a".repeat(40)).is_ok());
    }

    #[test]
    fn slugs_with_capitals_spaces_or_unicode_are_rejected() {
        for slug in ["Acme", "acme co", "café", "acme/x", "acme_x"] {
            assert_eq!(
                MerchantSlug::parse(slug),
                Err(SlugError::Character),
                "{slug}"
            );
        }
    }

    #[test]
    fn slugs_with_stray_hyphens_are_rejected() {
        for slug in ["-acme", "acme-", "ac--me"] {
            assert_eq!(MerchantSlug::parse(slug), Err(SlugError::Hyphen), "{slug}");
        }
    }

    #[test]
    fn slug_deserialisation_applies_the_same_rules() {
        assert!(serde_json::from_str::<MerchantSlug>("\"acme\"").is_ok());
        assert!(serde_json::from_str::<MerchantSlug>("\"../etc\"").is_err());
    }

    #[test]
    fn accent_colours_are_normalised_to_lower_case() {
        assert_eq!(AccentColour::parse("#1D4ED8").unwrap().as_str(), "#1d4ed8");
    }

    #[test]
    fn accent_colours_that_could_escape_a_stylesheet_are_rejected() {
        for colour in ["1d4ed8", "#1d4ed", "#1d4ed8;}", "red", "#gggggg", ""] {
            assert_eq!(
                AccentColour::parse(colour),
                Err(AccentColourError),
                "{colour}"
            );
        }
    }

    #[test]
    fn country_codes_round_trip() {
        for country in [Country::UnitedStates, Country::Canada] {
            assert_eq!(Country::parse(country.code()), Ok(country));
        }
        assert_eq!(Country::parse("us"), Err(CountryError));
    }

    #[test]
    fn each_country_has_its_home_currency() {
        assert_eq!(Country::UnitedStates.home_currency(), Currency::Usd);
        assert_eq!(Country::Canada.home_currency(), Currency::Cad);
    }

    // Every refusal here is shown to a merchant as it is, so it must be a whole sentence.
    fn is_a_sentence(message: &str) -> bool {
        message.contains(' ') && message.ends_with('.')
    }

    proptest! {
        #[test]
        fn a_slug_never_panics_and_refusals_are_specific(
            text in prop_oneof![
                any::<String>(),
                "[a-z0-9-]{0,45}",
                "[a-zA-Z0-9_ ./é-]{0,45}",
            ],
        ) {
            if let Err(error) = MerchantSlug::parse(&text) {
                let message = error.to_string();
                prop_assert!(is_a_sentence(&message), "{:?} was refused with {:?}", text, message);
            }
        }

        #[test]
        fn a_valid_slug_reads_back_from_its_text(text in "[a-z0-9](-?[a-z0-9]){2,19}") {
            let slug = MerchantSlug::parse(&text);
            prop_assert_eq!(slug.as_ref().map(MerchantSlug::as_str), Ok(text.as_str()));
            let slug = slug.unwrap();
            prop_assert_eq!(MerchantSlug::parse(&slug.to_string()), Ok(slug));
        }

        #[test]
        fn a_country_never_panics_reads_only_its_codes_and_refusals_are_specific(
            text in prop_oneof![any::<String>(), "[A-Za-z ]{0,3}"],
        ) {
            // `country_codes_round_trip` reads every code; this shows nothing else is read.
            match Country::parse(&text) {
                Ok(country) => prop_assert_eq!(country.code(), text.as_str()),
                Err(error) => {
                    let message = error.to_string();
                    prop_assert!(is_a_sentence(&message), "{:?} was refused with {:?}", text, message);
                }
            }
        }

        #[test]
        fn an_accent_colour_never_panics_and_refusals_are_specific(
            text in prop_oneof![
                any::<String>(),
                "#?[0-9a-fA-FgG]{0,8}[;} ]?",
                "#[0-9a-f]{0,2}[é€\\x00][0-9a-f]{0,3}",
            ],
        ) {
            if let Err(error) = AccentColour::parse(&text) {
                let message = error.to_string();
                prop_assert!(is_a_sentence(&message), "{:?} was refused with {:?}", text, message);
            }
        }

        #[test]
        fn a_valid_accent_colour_reads_back_in_lower_case(text in "#[0-9a-fA-F]{6}") {
            let colour = AccentColour::parse(&text);
            let lower = text.to_ascii_lowercase();
            prop_assert_eq!(colour.as_ref().map(AccentColour::as_str), Ok(lower.as_str()));
            let colour = colour.unwrap();
            prop_assert_eq!(AccentColour::parse(colour.as_str()), Ok(colour));
        }
    }
}
