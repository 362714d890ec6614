//! Cards a customer asked to keep for next time: the processor's token and what may be shown
//! (brand, last four, expiry). Never a number or a security code.

use crate::domain::card::CardBrand;
use crate::domain::checkout::Instrument;
use crate::domain::ids::{CustomerId, MerchantId, SavedCardId};
use crate::services::Database;
use crate::services::clock::{now, timestamp_text};

#[derive(Debug, thiserror::Error)]
pub enum SavedCardError {
    #[error("no such saved card")]
    NotFound,
    #[error("a stored card row is invalid: {0}")]
    CorruptRow(String),
    #[error("saved card storage failed")]
    Storage(#[from] sqlx::Error),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedCard {
    pub id: SavedCardId,
    pub instrument: Instrument,
    pub expiry: String,
}

/// Keeps a tokenized card for `customer` (the same card, by brand, last four and expiry, once).
pub async fn save(
    db: &Database,
    merchant: MerchantId,
    customer: CustomerId,
    card: &Instrument,
) -> Result<(), SavedCardError> {
    let Instrument::Card {
        token,
        brand,
        last_four,
        expiry,
    } = card
    else {
        return Ok(());
    };
    sqlx::query(
        "INSERT INTO saved_cards (id, merchant_id, customer_id, token, brand, last_four, expiry, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
    )
    .bind(SavedCardId::new_random().to_string())
    .bind(merchant.to_string())
    .bind(customer.to_string())
    .bind(token)
    .bind(brand_code(*brand))
    .bind(last_four)
    .bind(expiry)
    .bind(timestamp_text(now()))
    .execute(db.writer())
    .await?;
    Ok(())
}

/// The customer's saved cards, newest first.
pub async fn saved_for(
    db: &Database,
    merchant: MerchantId,
    customer: CustomerId,
) -> Result<Vec<SavedCard>, SavedCardError> {
    let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT id, token, brand, last_four, expiry FROM saved_cards \
         WHERE merchant_id = $1 AND customer_id = $2 ORDER BY created_at DESC, id",
    )
    .bind(merchant.to_string())
    .bind(customer.to_string())
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(id, token, brand, last_four, expiry)| {
            Ok(SavedCard {
                id: SavedCardId::parse(&id)
                    .map_err(|_| SavedCardError::CorruptRow(format!("id {id}")))?,
                instrument: Instrument::Card {
                    token,
                    brand: parse_brand(&brand)?,
                    last_four,
                    expiry: expiry.clone(),
                },
                expiry,
            })
        })
        .collect()
}

/// One of the customer's saved cards, or `NotFound`.
pub async fn saved_one(
    db: &Database,
    merchant: MerchantId,
    customer: CustomerId,
    id: &SavedCardId,
) -> Result<SavedCard, SavedCardError> {
    saved_for(db, merchant, customer)
        .await?
        .into_iter()
        .find(|card| card.id == *id)
        .ok_or(SavedCardError::NotFound)
}

fn brand_code(brand: CardBrand) -> &'static str {
    match brand {
        CardBrand::Visa => "visa",
        CardBrand::Mastercard => "mastercard",
        CardBrand::Amex => "amex",
        CardBrand::Discover => "discover",
    }
}

fn parse_brand(code: &str) -> Result<CardBrand, SavedCardError> {
    [
        CardBrand::Visa,
        CardBrand::Mastercard,
        CardBrand::Amex,
        CardBrand::Discover,
    ]
    .into_iter()
    .find(|brand| brand_code(*brand) == code)
    .ok_or_else(|| SavedCardError::CorruptRow(format!("brand {code}")))
}
