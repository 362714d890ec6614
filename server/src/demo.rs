//! The demo merchant a fresh install starts with, so that the first command of the README shows
//! a working billing link.

use app::domain::merchant::{AccentColour, Country, MerchantSlug};
use app::domain::money::Currency;
use app::domain::public_url::PublicUrl;
use app::services::Database;
use app::services::merchants::{self, MerchantError, NewMerchant};

pub const DEMO_MERCHANT_SLUG: &str = "northwind";

/// Creates the demo merchant when the database has no merchant at all.
pub async fn seed_if_empty(db: &Database, public_url: &PublicUrl) -> Result<(), MerchantError> {
    if merchants::any_exist(db).await? {
        return Ok(());
    }
    let slug = MerchantSlug::parse(DEMO_MERCHANT_SLUG).expect("the demo slug is valid");
    let merchant = NewMerchant {
        slug: slug.clone(),
        legal_name: "Northwind IT Services LLC".to_owned(),
        display_name: "Northwind IT Services".to_owned(),
        country: Country::UnitedStates,
        default_currency: Currency::Usd,
        accent_colour: AccentColour::parse("#1d4ed8").expect("the demo colour is valid"),
        support_email: Some("billing@northwind.example".to_owned()),
    };
    match merchants::create(db, &merchant).await {
        // Another instance seeding at the same moment is as good as this one doing it.
        Ok(_) | Err(MerchantError::SlugTaken(_)) => {}
        Err(error) => return Err(error),
    }
    tracing::info!(
        billing_link = %public_url.billing_link(&slug),
        "seeded the demo merchant"
    );
    Ok(())
}
