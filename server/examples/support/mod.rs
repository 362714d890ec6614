//! What the benchmark and the fault harness both prepare: a customer of the demo merchant whose
//! business details are done, a tokenized test card, and a mail server to deliver to.

pub mod smtp_sink;

use app::domain::business::BusinessForm;
use app::domain::email::EmailAddress;
use app::domain::ids::{CustomerId, MerchantId};
use app::domain::merchant::Country;
use app::domain::text::LegalName;
use app::services::Database;
use app::services::customers::{self, NewCustomer};
use app::services::processors::sandbox::Sandbox;
use app::services::processors::{CardDetails, CardToken, PaymentProcessor};

/// A US customer named `name`, reachable at `email`, past the business-details step.
pub async fn customer_with_profile(
    db: &Database,
    merchant: MerchantId,
    name: &str,
    email: &EmailAddress,
) -> anyhow::Result<CustomerId> {
    let customer = customers::create(
        db,
        merchant,
        &NewCustomer {
            legal_name: LegalName::parse(name)?,
            country: Country::UnitedStates,
            contact: email.clone(),
            external_id: None,
        },
    )
    .await?
    .id;
    let business = BusinessForm {
        business_name: name.into(),
        contact_name: "Test Payer".into(),
        phone: "+1 415 555 0100".into(),
        address_line1: "1 Main St".into(),
        city: "Austin".into(),
        region: "TX".into(),
        postal_code: "73301".into(),
        country: "US".into(),
    }
    .parse()
    .map_err(|errors| anyhow::anyhow!("{errors:?}"))?;
    customers::complete_profile(db, merchant, customer, &business).await?;
    Ok(customer)
}

/// The sandbox's always-succeeding test card, tokenized for `merchant`.
pub async fn test_card(db: &Database, merchant: MerchantId) -> anyhow::Result<CardToken> {
    let number = app::domain::card::CardNumber::parse("4242424242424242")?;
    let code = app::domain::card::SecurityCode::parse("123", number.brand())?;
    Ok(Sandbox::new(db.clone())
        .tokenize_card(
            merchant,
            &CardDetails {
                number: &number,
                expiry: app::domain::card::Expiry::parse("12/30", (2026, 11))?,
                security_code: &code,
                name: "Test Payer",
                postal_code: "73301",
            },
        )
        .await?)
}
