//! Text a customer types that must never be printed: a card number, a security code, a bank
//! account number, on its way from a form to its parser. Server functions take their arguments
//! as structs that derive `Debug`; this type keeps such a struct from showing the digits.

use std::fmt;

#[derive(Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct SensitiveText(String);

impl SensitiveText {
    /// The text, for its parser only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for SensitiveText {
    fn from(text: String) -> Self {
        Self(text)
    }
}

impl fmt::Debug for SensitiveText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SensitiveText(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_text() {
        let typed = SensitiveText::from("4242424242424242".to_owned());
        assert_eq!(format!("{typed:?}"), "SensitiveText(…)");
        assert_eq!(typed.expose(), "4242424242424242");
    }
}
