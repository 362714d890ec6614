//! Merchants: the tenants. Opening one and finding one by its billing link live here; what a
//! merchant has set (methods, minimums, installment terms) is read and changed in
//! `merchant_settings`.

use crate::domain::installments::InstallmentSettings;
use crate::domain::merchant::{AccentColour, Country, MerchantBranding, MerchantId, MerchantSlug};
use crate::domain::money::Currency;
use crate::domain::payment::PaymentMethodKind;
use crate::services::{Database, merchant_settings};
use std::time::Instant;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

#[derive(Debug, thiserror::Error)]
pub enum MerchantError {
    #[error("the billing link name {0} is already taken")]
    SlugTaken(MerchantSlug),
    #[error("{0:?} is not offered in the merchant's country")]
    MethodUnavailable(PaymentMethodKind),
    #[error("a stored merchant row is invalid: {0}")]
    CorruptRow(String),
    #[error("merchant storage failed")]
    Storage(#[from] sqlx::Error),
}

/// What it takes to open a merchant account.
#[derive(Debug, Clone)]
pub struct NewMerchant {
    pub slug: MerchantSlug,
    pub legal_name: String,
    pub display_name: String,
    pub country: Country,
    pub default_currency: Currency,
    pub accent_colour: AccentColour,
    pub support_email: Option<String>,
    pub logo_url: Option<String>,
    pub payment_methods: Vec<PaymentMethodKind>,
    /// The smallest part of an invoice a customer may pay, in cents (see
    /// [`minimum_partial_payment_minor`]).
    pub minimum_partial_payment_minor: i64,
    pub installments: InstallmentSettings,
}

/// What a merchant's customers may pay toward an invoice unless they pay all of it: 1.00.
pub const DEFAULT_MINIMUM_PARTIAL_PAYMENT_MINOR: i64 = 100;

pub async fn create(db: &Database, merchant: &NewMerchant) -> Result<MerchantId, MerchantError> {
    let id = MerchantId::new_random();
    let created_at = OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .map_err(|error| MerchantError::CorruptRow(error.to_string()))?;
    if let Some(method) = merchant
        .payment_methods
        .iter()
        .find(|method| !method.available_in(merchant.country))
    {
        return Err(MerchantError::MethodUnavailable(*method));
    }
    let mut transaction = db.begin_write().await?;
    let inserted = sqlx::query(
        "INSERT INTO merchants \
         (id, slug, legal_name, display_name, country, default_currency, accent_colour, support_email, logo_url, \
          minimum_partial_payment_minor, installments_enabled, installments_minimum_minor, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(id.to_string())
    .bind(merchant.slug.as_str())
    .bind(&merchant.legal_name)
    .bind(&merchant.display_name)
    .bind(merchant.country.code())
    .bind(merchant.default_currency.code())
    .bind(merchant.accent_colour.as_str())
    .bind(merchant.support_email.as_deref())
    .bind(merchant.logo_url.as_deref())
    .bind(merchant.minimum_partial_payment_minor)
    .bind(i64::from(merchant.installments.enabled()))
    .bind(merchant.installments.minimum_amount_minor())
    .bind(created_at)
    .execute(&mut *transaction)
    .await;
    match inserted {
        Ok(_) => {}
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
            return Err(MerchantError::SlugTaken(merchant.slug.clone()));
        }
        Err(error) => return Err(error.into()),
    }
    for method in &merchant.payment_methods {
        sqlx::query("INSERT INTO merchant_payment_methods (merchant_id, method) VALUES ($1, $2)")
            .bind(id.to_string())
            .bind(method.code())
            .execute(&mut *transaction)
            .await?;
    }
    merchant_settings::write_terms(&mut transaction, id, merchant.installments.terms()).await?;
    transaction.commit().await?;
    Ok(id)
}

/// The billing link name of a merchant.
pub async fn slug_of(
    db: &Database,
    merchant: MerchantId,
) -> Result<Option<MerchantSlug>, MerchantError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT slug FROM merchants WHERE id = $1")
        .bind(merchant.to_string())
        .fetch_optional(db.pool())
        .await?;
    row.map(|(slug,)| {
        MerchantSlug::parse(&slug).map_err(|error| MerchantError::CorruptRow(error.to_string()))
    })
    .transpose()
}

/// What customers see of a merchant, by its id (the dashboard knows its merchant by id).
pub async fn branding_of(
    db: &Database,
    merchant: MerchantId,
) -> Result<Option<MerchantBranding>, MerchantError> {
    let Some(slug) = slug_of(db, merchant).await? else {
        return Ok(None);
    };
    Ok(find(db, &slug).await?.map(|(_, branding)| branding))
}

/// The merchant whose billing link ends in `slug`.
pub async fn find_id(
    db: &Database,
    slug: &MerchantSlug,
) -> Result<Option<MerchantId>, MerchantError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT id FROM merchants WHERE slug = $1")
        .bind(slug.as_str())
        .fetch_optional(db.pool())
        .await?;
    row.map(|(id,)| {
        MerchantId::parse(&id).map_err(|error| MerchantError::CorruptRow(error.to_string()))
    })
    .transpose()
}

/// Whether any merchant exists yet (the first start seeds a demo merchant when none does).
pub async fn any_exist(db: &Database) -> Result<bool, MerchantError> {
    let found: Option<(String,)> = sqlx::query_as("SELECT id FROM merchants LIMIT 1")
        .fetch_optional(db.pool())
        .await?;
    Ok(found.is_some())
}

/// The merchant whose billing link ends in `slug`: its id and what customers see of it.
/// The smallest part of an invoice that `merchant`'s customers may pay when they do not pay
/// all of it, in minor units (cents) of whichever currency the invoice is in.
pub async fn minimum_partial_payment_minor(
    db: &Database,
    merchant: MerchantId,
) -> Result<i64, MerchantError> {
    let (minor,): (i64,) =
        sqlx::query_as("SELECT minimum_partial_payment_minor FROM merchants WHERE id = $1")
            .bind(merchant.to_string())
            .fetch_one(db.pool())
            .await?;
    Ok(minor)
}

/// The merchant at a billing link, from memory when it was read in the last few seconds (see
/// `merchant_cache`).
pub async fn find(
    db: &Database,
    slug: &MerchantSlug,
) -> Result<Option<(MerchantId, MerchantBranding)>, MerchantError> {
    let asked_at = Instant::now();
    if let Some(found) = db.merchant_cache().get(slug, asked_at) {
        return Ok(Some(found));
    }
    let found = find_in_database(db, slug).await?;
    if let Some((merchant_id, branding)) = &found {
        db.merchant_cache().put(*merchant_id, branding, asked_at);
    }
    Ok(found)
}

async fn find_in_database(
    db: &Database,
    slug: &MerchantSlug,
) -> Result<Option<(MerchantId, MerchantBranding)>, MerchantError> {
    type Row = (
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
    );
    let row: Option<Row> = sqlx::query_as(
        "SELECT id, display_name, accent_colour, country, support_email, logo_url FROM merchants WHERE slug = $1",
    )
    .bind(slug.as_str())
    .fetch_optional(db.pool())
    .await?;
    let corrupt = |error: &dyn std::fmt::Display| MerchantError::CorruptRow(error.to_string());
    row.map(
        |(id, display_name, accent_colour, country, support_email, logo_url)| {
            Ok((
                MerchantId::parse(&id).map_err(|error| corrupt(&error))?,
                MerchantBranding {
                    slug: slug.clone(),
                    display_name,
                    accent_colour: AccentColour::parse(&accent_colour)
                        .map_err(|error| corrupt(&error))?,
                    country: Country::parse(&country).map_err(|error| corrupt(&error))?,
                    support_email,
                    logo_url,
                },
            ))
        },
    )
    .transpose()
}
