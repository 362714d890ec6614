//! The business details a customer gives on a first visit (wizard step 3): who they are and
//! where, checked the way the post office and the phone company would.

use crate::domain::merchant::Country;
use crate::domain::text::{LegalName, TextError};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A US state or district, or a Canadian province or territory, by its postal code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Region {
    code: &'static str,
}

/// (code, name) of every US state and the District of Columbia.
pub const US_STATES: [(&str, &str); 51] = [
    ("AL", "Alabama"),
    ("AK", "Alaska"),
    ("AZ", "Arizona"),
    ("AR", "Arkansas"),
    ("CA", "California"),
    ("CO", "Colorado"),
    ("CT", "Connecticut"),
    ("DE", "Delaware"),
    ("DC", "District of Columbia"),
    ("FL", "Florida"),
    ("GA", "Georgia"),
    ("HI", "Hawaii"),
    ("ID", "Idaho"),
    ("IL", "Illinois"),
    ("IN", "Indiana"),
    ("IA", "Iowa"),
    ("KS", "Kansas"),
    ("KY", "Kentucky"),
    ("LA", "Louisiana"),
    ("ME", "Maine"),
    ("MD", "Maryland"),
    ("MA", "Massachusetts"),
    ("MI", "Michigan"),
    ("MN", "Minnesota"),
    ("MS", "Mississippi"),
    ("MO", "Missouri"),
    ("MT", "Montana"),
    ("NE", "Nebraska"),
    ("NV", "Nevada"),
    ("NH", "New Hampshire"),
    ("NJ", "New Jersey"),
    ("NM", "New Mexico"),
    ("NY", "New York"),
    ("NC", "North Carolina"),
    ("ND", "North Dakota"),
    ("OH", "Ohio"),
    ("OK", "Oklahoma"),
    ("OR", "Oregon"),
    ("PA", "Pennsylvania"),
    ("RI", "Rhode Island"),
    ("SC", "South Carolina"),
    ("SD", "South Dakota"),
    ("TN", "Tennessee"),
    ("TX", "Texas"),
    ("UT", "Utah"),
    ("VT", "Vermont"),
    ("VA", "Virginia"),
    ("WA", "Washington"),
    ("WV", "West Virginia"),
    ("WI", "Wisconsin"),
    ("WY", "Wyoming"),
];

/// (code, name) of every Canadian province and territory.
pub const CA_PROVINCES: [(&str, &str); 13] = [
    ("AB", "Alberta"),
    ("BC", "British Columbia"),
    ("MB", "Manitoba"),
    ("NB", "New Brunswick"),
    ("NL", "Newfoundland and Labrador"),
    ("NS", "Nova Scotia"),
    ("NT", "Northwest Territories"),
    ("NU", "Nunavut"),
    ("ON", "Ontario"),
    ("PE", "Prince Edward Island"),
    ("QC", "Quebec"),
    ("SK", "Saskatchewan"),
    ("YT", "Yukon"),
];

impl Region {
    pub fn regions_of(country: Country) -> &'static [(&'static str, &'static str)] {
        match country {
            Country::UnitedStates => &US_STATES,
            Country::Canada => &CA_PROVINCES,
        }
    }

    /// The region with this code in `country`.
    pub fn parse(code: &str, country: Country) -> Result<Self, BusinessError> {
        let code = code.trim().to_ascii_uppercase();
        if code.is_empty() {
            return Err(BusinessError::RegionMissing);
        }
        Self::regions_of(country)
            .iter()
            .find(|(known, _)| *known == code)
            .map(|(known, _)| Self { code: known })
            .ok_or(BusinessError::RegionNotInCountry(country))
    }

    pub fn code(&self) -> &'static str {
        self.code
    }
}

/// A ZIP code (`12345` or `12345-6789`) or a Canadian postal code (`K1A 0B1`), normalised.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PostalCode(String);

impl PostalCode {
    pub fn parse(text: &str, country: Country) -> Result<Self, BusinessError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(BusinessError::PostalCodeMissing);
        }
        match country {
            Country::UnitedStates => {
                // 12345 or 12345-6789, nothing else.
                let bytes = text.as_bytes();
                let digits_at =
                    |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_digit);
                let shape_ok = match bytes.len() {
                    5 => digits_at(0..5),
                    10 => digits_at(0..5) && bytes[5] == b'-' && digits_at(6..10),
                    _ => false,
                };
                if !shape_ok {
                    return Err(BusinessError::ZipCode);
                }
                Ok(Self(text.to_owned()))
            }
            Country::Canada => {
                let compact: String = text
                    .chars()
                    .filter(|c| *c != ' ')
                    .collect::<String>()
                    .to_ascii_uppercase();
                // Letter-digit-letter digit-letter-digit; D, F, I, O, Q and U are never used, and
                // W and Z never start one.
                let bytes = compact.as_bytes();
                let letter_ok = |b: u8| b.is_ascii_uppercase() && !b"DFIOQU".contains(&b);
                let shape_ok = bytes.len() == 6
                    && letter_ok(bytes[0])
                    && !b"WZ".contains(&bytes[0])
                    && bytes[1].is_ascii_digit()
                    && letter_ok(bytes[2])
                    && bytes[3].is_ascii_digit()
                    && letter_ok(bytes[4])
                    && bytes[5].is_ascii_digit();
                if !shape_ok {
                    return Err(BusinessError::CanadianPostalCode);
                }
                Ok(Self(format!("{} {}", &compact[..3], &compact[3..])))
            }
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A phone number with 10 to 15 digits; spaces, dots, dashes, parentheses and a leading `+`
/// are allowed and kept as typed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(text: &str) -> Result<Self, BusinessError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(BusinessError::PhoneMissing);
        }
        let allowed = |c: char| c.is_ascii_digit() || " .-()".contains(c);
        let body = text.strip_prefix('+').unwrap_or(text);
        if let Some(bad) = body.chars().find(|c| !allowed(*c)) {
            return Err(BusinessError::PhoneCharacter(bad));
        }
        let digits = body.chars().filter(char::is_ascii_digit).count();
        if !(10..=15).contains(&digits) {
            return Err(BusinessError::PhoneLength);
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BusinessError {
    #[error("{0}")]
    Text(#[from] TextError),
    #[error("Choose the country: United States or Canada.")]
    CountryMissing,
    #[error("Choose the state or province.")]
    RegionMissing,
    #[error("Choose a {} in the country you chose.", match .0 { Country::UnitedStates => "state", Country::Canada => "province or territory" })]
    RegionNotInCountry(Country),
    #[error("Enter the postal code.")]
    PostalCodeMissing,
    #[error("A ZIP code has 5 digits, or 5 digits, a hyphen and 4 more (12345-6789).")]
    ZipCode,
    #[error(
        "A Canadian postal code is letter, digit, letter, digit, letter, digit, as in K1A 0B1."
    )]
    CanadianPostalCode,
    #[error("Enter a phone number.")]
    PhoneMissing,
    #[error("“{0}” cannot be part of a phone number: use digits, spaces, dashes or parentheses.")]
    PhoneCharacter(char),
    #[error("A phone number has 10 to 15 digits, including the area code.")]
    PhoneLength,
}

/// Everything step 3 asks for, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessDetails {
    pub business_name: LegalName,
    pub contact_name: LegalName,
    pub phone: PhoneNumber,
    pub address_line1: LegalName,
    pub city: LegalName,
    pub region: Region,
    pub postal_code: PostalCode,
    pub country: Country,
}

/// Step 3's fields as typed, each kept so a refused form comes back as the customer left it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessForm {
    pub business_name: String,
    pub contact_name: String,
    pub phone: String,
    pub address_line1: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub country: String,
}

/// One refused field of a form: its name and what to change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl BusinessForm {
    /// Checks every field and reports all the refused ones at once, in form order.
    pub fn parse(&self) -> Result<BusinessDetails, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut check = |field: &str, outcome: Result<(), BusinessError>| {
            if let Err(error) = outcome {
                errors.push(FieldError {
                    field: field.to_owned(),
                    message: error.to_string(),
                });
            }
        };
        let name = |text: &str, what: &'static str| {
            LegalName::parse(text).map_err(|error| match error {
                TextError::Empty { .. } => BusinessError::Text(TextError::Empty { what }),
                other => BusinessError::Text(other),
            })
        };
        let business_name = name(&self.business_name, "the business name");
        check("business_name", business_name.clone().map(drop));
        let contact_name = name(&self.contact_name, "your name");
        check("contact_name", contact_name.clone().map(drop));
        let phone = PhoneNumber::parse(&self.phone);
        check("phone", phone.clone().map(drop));
        let address_line1 = name(&self.address_line1, "the street address");
        check("address_line1", address_line1.clone().map(drop));
        let city = name(&self.city, "the city");
        check("city", city.clone().map(drop));
        let country =
            Country::parse(self.country.trim()).map_err(|_| BusinessError::CountryMissing);
        let (region, postal_code) = match country {
            Ok(country) => (
                Region::parse(&self.region, country),
                PostalCode::parse(&self.postal_code, country),
            ),
            Err(_) => (
                Err(BusinessError::CountryMissing),
                Err(BusinessError::CountryMissing),
            ),
        };
        if country.is_ok() {
            check("region", region.clone().map(drop));
            check("postal_code", postal_code.clone().map(drop));
        }
        check("country", country.clone().map(drop));
        match (
            business_name,
            contact_name,
            phone,
            address_line1,
            city,
            country,
            region,
            postal_code,
        ) {
            (
                Ok(business_name),
                Ok(contact_name),
                Ok(phone),
                Ok(address_line1),
                Ok(city),
                Ok(country),
                Ok(region),
                Ok(postal_code),
            ) => Ok(BusinessDetails {
                business_name,
                contact_name,
                phone,
                address_line1,
                city,
                region,
                postal_code,
                country,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn filled() -> BusinessForm {
        BusinessForm {
            business_name: "Globex Manufacturing Inc.".into(),
            contact_name: "Ana López".into(),
            phone: "+1 (415) 555-0100".into(),
            address_line1: "1 Market St".into(),
            city: "San Francisco".into(),
            region: "CA".into(),
            postal_code: "94105".into(),
            country: "US".into(),
        }
    }

    #[test]
    fn a_complete_us_form_is_accepted() {
        let details = filled().parse().unwrap();
        assert_eq!(details.region.code(), "CA");
        assert_eq!(details.postal_code.as_str(), "94105");
    }

    #[test]
    fn canadian_postal_codes_are_normalised_and_checked_against_the_country() {
        assert_eq!(
            PostalCode::parse("k1a0b1", Country::Canada)
                .unwrap()
                .as_str(),
            "K1A 0B1"
        );
        assert_eq!(
            PostalCode::parse("94105", Country::Canada),
            Err(BusinessError::CanadianPostalCode)
        );
        assert_eq!(
            PostalCode::parse("K1A 0B1", Country::UnitedStates),
            Err(BusinessError::ZipCode)
        );
        assert_eq!(
            PostalCode::parse("D1A 0B1", Country::Canada),
            Err(BusinessError::CanadianPostalCode)
        );
        assert!(PostalCode::parse("94105-1234", Country::UnitedStates).is_ok());
        assert_eq!(
            PostalCode::parse("9410", Country::UnitedStates),
            Err(BusinessError::ZipCode)
        );
    }

    #[test]
    fn a_province_is_not_a_state() {
        assert_eq!(
            Region::parse("ON", Country::UnitedStates),
            Err(BusinessError::RegionNotInCountry(Country::UnitedStates))
        );
        assert_eq!(Region::parse("on", Country::Canada).unwrap().code(), "ON");
    }

    #[test]
    fn phone_numbers_need_ten_to_fifteen_digits() {
        assert!(PhoneNumber::parse("416-555-0199").is_ok());
        assert_eq!(
            PhoneNumber::parse("555-0199"),
            Err(BusinessError::PhoneLength)
        );
        assert_eq!(
            PhoneNumber::parse("416 555 O199"),
            Err(BusinessError::PhoneCharacter('O'))
        );
    }

    #[test]
    fn every_refused_field_is_reported_at_once() {
        let form = BusinessForm {
            business_name: " ".into(),
            phone: "12".into(),
            region: "ON".into(),
            postal_code: "K1A 0B1".into(),
            ..filled()
        };
        let errors = form.parse().unwrap_err();
        let fields: Vec<_> = errors.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(fields, ["business_name", "phone", "region", "postal_code"]);
        assert_eq!(errors[0].message, "Enter the business name.");
    }

    #[test]
    fn a_missing_country_is_reported_once() {
        let form = BusinessForm {
            country: String::new(),
            ..filled()
        };
        let errors = form.parse().unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "country");
    }

    // Every refusal here is shown to a customer as it is, so it must be a whole sentence.
    fn is_a_sentence(message: &str) -> bool {
        message.contains(' ') && message.ends_with('.')
    }

    const FIELDS: [&str; 8] = [
        "business_name",
        "contact_name",
        "phone",
        "address_line1",
        "city",
        "region",
        "postal_code",
        "country",
    ];

    fn any_country() -> impl Strategy<Value = Country> {
        proptest::sample::select(vec![Country::UnitedStates, Country::Canada])
    }

    // `any::<String>()` never makes control characters; people paste them all the same.
    fn any_text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            proptest::collection::vec(any::<char>(), 0..30)
                .prop_map(|chars| chars.into_iter().collect::<String>()),
        ]
    }

    fn a_valid_name() -> impl Strategy<Value = String> {
        "[A-Za-zÀ-ÿ0-9][A-Za-zÀ-ÿ0-9 .,&'-]{0,30}"
    }

    fn a_valid_phone() -> impl Strategy<Value = String> {
        "\\+?(1 ?)?\\(?[0-9]{3}\\)?[ .-]?[0-9]{3}[ .-]?[0-9]{4,8}"
    }

    // A region of the country, as typed: any case, maybe with spaces around.
    fn a_valid_region(country: Country) -> impl Strategy<Value = (String, &'static str)> {
        (
            proptest::sample::select(Region::regions_of(country)),
            any::<bool>(),
            "[ \t]{0,2}",
        )
            .prop_map(|((code, _), lower, padding)| {
                let typed = if lower {
                    code.to_ascii_lowercase()
                } else {
                    code.to_owned()
                };
                (format!("{padding}{typed}{padding}"), code)
            })
    }

    // A postal code of the country as typed, and as it reads once normalised.
    fn a_valid_postal_code(country: Country) -> BoxedStrategy<(String, String)> {
        match country {
            Country::UnitedStates => "[0-9]{5}(-[0-9]{4})?"
                .prop_map(|zip| (format!(" {zip}"), zip))
                .boxed(),
            Country::Canada => (
                "[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z]",
                " {0,2}",
                "[0-9][ABCEGHJ-NPRSTV-Z][0-9]",
                any::<bool>(),
            )
                .prop_map(|(first, gap, last, lower)| {
                    let typed = format!("{first}{gap}{last}");
                    let typed = if lower {
                        typed.to_ascii_lowercase()
                    } else {
                        typed
                    };
                    (typed, format!("{first} {last}"))
                })
                .boxed(),
        }
    }

    fn a_valid_form() -> impl Strategy<Value = BusinessForm> {
        let places = any_country().prop_flat_map(|country| {
            (
                Just(country),
                a_valid_region(country),
                a_valid_postal_code(country),
            )
        });
        (
            (a_valid_name(), a_valid_name(), a_valid_phone()),
            (a_valid_name(), a_valid_name()),
            places,
        )
            .prop_map(
                |(
                    (business_name, contact_name, phone),
                    (address_line1, city),
                    (country, (region, _), (postal_code, _)),
                )| BusinessForm {
                    business_name,
                    contact_name,
                    phone,
                    address_line1,
                    city,
                    region,
                    postal_code,
                    country: format!(" {} ", country.code()),
                },
            )
    }

    // Each field valid or arbitrary on its own, so that every mix of refusals is reached.
    fn any_form() -> impl Strategy<Value = BusinessForm> {
        let field = |valid: BoxedStrategy<String>| prop_oneof![valid, any_text()];
        (
            a_valid_form(),
            (
                field(a_valid_name().boxed()),
                field(a_valid_name().boxed()),
                field(a_valid_phone().boxed()),
                field(a_valid_name().boxed()),
                field(a_valid_name().boxed()),
            ),
            (
                field("[A-Za-z ]{0,3}".boxed()),
                field("[A-Za-z0-9 -]{0,11}".boxed()),
                field("US|CA|us|ca| US|Canada".boxed()),
            ),
            any::<[bool; 8]>(),
        )
            .prop_map(
                |(
                    valid,
                    (name, contact, phone, address, city),
                    (region, postal, country),
                    keep,
                )| {
                    let pick = |index: usize, kept: &str, other: String| {
                        if keep[index] { kept.to_owned() } else { other }
                    };
                    BusinessForm {
                        business_name: pick(0, &valid.business_name, name),
                        contact_name: pick(1, &valid.contact_name, contact),
                        phone: pick(2, &valid.phone, phone),
                        address_line1: pick(3, &valid.address_line1, address),
                        city: pick(4, &valid.city, city),
                        region: pick(5, &valid.region, region),
                        postal_code: pick(6, &valid.postal_code, postal),
                        country: pick(7, &valid.country, country),
                    }
                },
            )
    }

    proptest! {
        #[test]
        fn a_region_never_panics_and_refusals_are_specific(
            text in prop_oneof![any_text(), "[ \t]?[A-Za-z]{0,3}[ \t]?", "[a-zé]{1,2}ı?"],
            country in any_country(),
        ) {
            if let Err(error) = Region::parse(&text, country) {
                let message = error.to_string();
                prop_assert!(is_a_sentence(&message), "{:?} was refused with {:?}", text, message);
            }
        }

        #[test]
        fn a_valid_region_reads_back_from_its_code(
            (country, (typed, code)) in any_country()
                .prop_flat_map(|country| (Just(country), a_valid_region(country))),
        ) {
            let region = Region::parse(&typed, country);
            prop_assert_eq!(region.as_ref().map(Region::code), Ok(code));
            let region = region.unwrap();
            prop_assert_eq!(Region::parse(region.code(), country), Ok(region));
        }

        #[test]
        fn a_postal_code_never_panics_and_refusals_are_specific(
            text in prop_oneof![
                any_text(),
                "[0-9 -]{0,12}",
                "[A-Za-z0-9 ]{0,9}",
                "[0-9]{4}[٣é\u{a0}][0-9-]{0,5}",
                "[a-zA-Z][0-9][a-zA-Z][ \u{a0}]?[0-9é][a-zA-Z][0-9]",
            ],
            country in any_country(),
        ) {
            if let Err(error) = PostalCode::parse(&text, country) {
                let message = error.to_string();
                prop_assert!(is_a_sentence(&message), "{:?} was refused with {:?}", text, message);
            }
        }

        #[test]
        fn a_valid_postal_code_reads_back_normalised(
            (country, (typed, normalised)) in any_country()
                .prop_flat_map(|country| (Just(country), a_valid_postal_code(country))),
        ) {
            let postal_code = PostalCode::parse(&typed, country);
            prop_assert_eq!(
                postal_code.as_ref().map(PostalCode::as_str),
                Ok(normalised.as_str())
            );
            let postal_code = postal_code.unwrap();
            prop_assert_eq!(PostalCode::parse(postal_code.as_str(), country), Ok(postal_code));
        }

        #[test]
        fn a_phone_number_never_panics_and_refusals_are_specific(
            text in prop_oneof![
                any_text(),
                "\\+?[0-9 .()-]{0,25}",
                "[0-9+]{0,30}",
                "[0-9]{3}[ ext/#٣\u{a0}][0-9]{7}",
            ],
        ) {
            if let Err(error) = PhoneNumber::parse(&text) {
                let message = error.to_string();
                prop_assert!(is_a_sentence(&message), "{:?} was refused with {:?}", text, message);
            }
        }

        #[test]
        fn a_valid_phone_number_reads_back_as_typed(text in a_valid_phone()) {
            let phone = PhoneNumber::parse(&text);
            prop_assert_eq!(phone.as_ref().map(PhoneNumber::as_str), Ok(text.as_str()));
            let phone = phone.unwrap();
            prop_assert_eq!(PhoneNumber::parse(&phone.to_string()), Ok(phone));
        }

        #[test]
        fn a_form_never_panics_and_reports_each_refused_field_once_in_order_with_a_sentence(
            form in any_form(),
        ) {
            if let Err(errors) = form.parse() {
                prop_assert!(!errors.is_empty(), "{:?} was refused without a reason", form);
                let positions: Vec<Option<usize>> = errors
                    .iter()
                    .map(|error| FIELDS.iter().position(|field| *field == error.field))
                    .collect();
                prop_assert!(
                    positions.iter().all(Option::is_some) && positions.is_sorted_by(|a, b| a < b),
                    "{:?} reported {:?}", form, errors
                );
                for error in &errors {
                    prop_assert!(is_a_sentence(&error.message), "{:?} reported {:?}", form, error);
                }
            }
        }

        #[test]
        fn a_valid_form_reads_back_from_its_details(form in a_valid_form()) {
            let details = form.parse();
            prop_assert!(details.is_ok(), "{:?} was refused: {:?}", form, details);
            let details = details.unwrap();
            let again = BusinessForm {
                business_name: details.business_name.to_string(),
                contact_name: details.contact_name.to_string(),
                phone: details.phone.to_string(),
                address_line1: details.address_line1.to_string(),
                city: details.city.to_string(),
                region: details.region.code().to_owned(),
                postal_code: details.postal_code.as_str().to_owned(),
                country: details.country.code().to_owned(),
            };
            prop_assert_eq!(again.parse(), Ok(details));
        }
    }
}
