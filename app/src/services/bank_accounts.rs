//! Bank accounts customers debit. The account number is stored encrypted (bound to its row, so
//! that a ciphertext copied into another row does not open) and shown only as its last four
//! digits; a keyed fingerprint of routing and account number recognises an account
//! the bank reported closed (R02) or unknown (R03), which may not be debited again.

use crate::domain::bank::{
    AccountNumber, AccountType, HolderType, InstitutionNumber, RoutingNumber, TransitNumber,
};
use crate::domain::ids::{BankAccountId, CustomerId, MerchantId};
use crate::services::Database;
use crate::services::clock::{now, timestamp_text};
use crate::services::keys::{CryptoError, Keys};

const ENCRYPTION_PURPOSE: &str = "bank-account-number";
const FINGERPRINT_PURPOSE: &str = "bank-account-fingerprint";

#[derive(Debug, thiserror::Error)]
pub enum BankAccountError {
    #[error("no such bank account")]
    NotFound,
    #[error("the account was returned {0} and cannot be debited again")]
    Blocked(String),
    #[error("a bank account number could not be encrypted or decrypted")]
    Crypto(#[from] CryptoError),
    #[error("a stored bank account row is invalid: {0}")]
    CorruptRow(String),
    #[error("bank account storage failed")]
    Storage(#[from] sqlx::Error),
}

/// Where an account is: its country's rail and the numbers that route to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BankRouting {
    Us(RoutingNumber),
    Canadian {
        institution: InstitutionNumber,
        transit: TransitNumber,
    },
}

impl BankRouting {
    fn rail(&self) -> &'static str {
        match self {
            Self::Us(_) => "us",
            Self::Canadian { .. } => "ca",
        }
    }

    /// `110000000`, or institution and transit as `000-11000`.
    pub fn as_text(&self) -> String {
        match self {
            Self::Us(routing) => routing.as_str().to_owned(),
            Self::Canadian {
                institution,
                transit,
            } => format!("{}-{}", institution.as_str(), transit.as_str()),
        }
    }
}

/// An account as step 7 takes it.
#[derive(Debug, Clone)]
pub struct NewBankAccount {
    pub customer: CustomerId,
    pub routing: BankRouting,
    pub account: AccountNumber,
    pub account_type: AccountType,
    pub holder: HolderType,
    pub saved: bool,
}

/// A stored account, as much of it as may be shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankAccount {
    pub id: BankAccountId,
    pub customer: CustomerId,
    pub routing: String,
    pub last_four: String,
    pub holder: HolderType,
    /// A Canadian account (PAD, EFT) rather than a US one (ACH).
    pub canadian: bool,
}

/// Stores an account (number encrypted), unless the bank has closed it to debits.
pub async fn add(
    db: &Database,
    keys: &Keys,
    merchant: MerchantId,
    new: &NewBankAccount,
) -> Result<BankAccount, BankAccountError> {
    let fingerprint = fingerprint(keys, &new.routing, &new.account);
    let blocked: Option<(String,)> = sqlx::query_as(
        "SELECT blocked_code FROM bank_accounts WHERE merchant_id = $1 AND fingerprint = $2 \
         AND blocked_code IS NOT NULL LIMIT 1",
    )
    .bind(merchant.to_string())
    .bind(&fingerprint)
    .fetch_optional(db.pool())
    .await?;
    if let Some((code,)) = blocked {
        return Err(BankAccountError::Blocked(code));
    }
    let id = BankAccountId::new_random();
    // The id's text, which the stored number is bound to: the same in every query.
    let id_text = id.to_string();
    sqlx::query(
        "INSERT INTO bank_accounts (id, merchant_id, customer_id, rail, routing, account_ciphertext, \
         account_last_four, account_type, holder_type, fingerprint, saved, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&id_text)
    .bind(merchant.to_string())
    .bind(new.customer.to_string())
    .bind(new.routing.rail())
    .bind(new.routing.as_text())
    .bind(keys.encrypt(
        ENCRYPTION_PURPOSE,
        &id_text,
        new.account.expose_digits().as_bytes(),
    )?)
    .bind(new.account.last_four())
    .bind(match new.account_type {
        AccountType::Checking => "checking",
        AccountType::Savings => "savings",
    })
    .bind(holder_code(new.holder))
    .bind(&fingerprint)
    .bind(i64::from(new.saved))
    .bind(timestamp_text(now()))
    .execute(db.writer())
    .await?;
    Ok(BankAccount {
        id,
        customer: new.customer,
        routing: new.routing.as_text(),
        last_four: new.account.last_four().to_owned(),
        holder: new.holder,
        canadian: matches!(new.routing, BankRouting::Canadian { .. }),
    })
}

/// The return code that closed this account to debits, if one did.
pub async fn blocked_code(
    db: &Database,
    merchant: MerchantId,
    id: &BankAccountId,
) -> Result<Option<String>, BankAccountError> {
    let row: Option<(Option<String>,)> =
        sqlx::query_as("SELECT blocked_code FROM bank_accounts WHERE merchant_id = $1 AND id = $2")
            .bind(merchant.to_string())
            .bind(id.to_string())
            .fetch_optional(db.pool())
            .await?;
    Ok(row.ok_or(BankAccountError::NotFound)?.0)
}

/// The routing text and the decrypted account number, for the processor's debit only. Whether
/// the account may still be debited is checked when it is chosen and before a payment is
/// recorded (`blocked_code`), not here: a payment recorded before the block still finishes.
pub async fn reveal(
    db: &Database,
    keys: &Keys,
    merchant: MerchantId,
    id: &BankAccountId,
) -> Result<(String, AccountNumber), BankAccountError> {
    let id_text = id.to_string();
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT routing, account_ciphertext FROM bank_accounts WHERE merchant_id = $1 AND id = $2",
    )
    .bind(merchant.to_string())
    .bind(&id_text)
    .fetch_optional(db.pool())
    .await?;
    let (routing, ciphertext) = row.ok_or(BankAccountError::NotFound)?;
    let digits = String::from_utf8(keys.decrypt(ENCRYPTION_PURPOSE, &id_text, &ciphertext)?)
        .map_err(|error| BankAccountError::CorruptRow(error.to_string()))?;
    let account = AccountNumber::parse_us(&digits)
        .or_else(|_| AccountNumber::parse_canadian(&digits))
        .map_err(|error| BankAccountError::CorruptRow(error.to_string()))?;
    Ok((routing, account))
}

/// Closes the account `id` names, and every other entry of the same account at this merchant,
/// to further debits.
pub async fn block(
    db: &Database,
    merchant: MerchantId,
    id: &BankAccountId,
    code: &str,
) -> Result<(), BankAccountError> {
    sqlx::query(
        "UPDATE bank_accounts SET blocked_code = $3 WHERE merchant_id = $1 AND fingerprint IN \
         (SELECT fingerprint FROM bank_accounts WHERE merchant_id = $1 AND id = $2)",
    )
    .bind(merchant.to_string())
    .bind(id.to_string())
    .bind(code)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// The accounts a customer asked to keep and that may still be debited, newest first.
pub async fn saved_for(
    db: &Database,
    merchant: MerchantId,
    customer: CustomerId,
) -> Result<Vec<BankAccount>, BankAccountError> {
    let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT id, routing, account_last_four, holder_type, rail FROM bank_accounts \
         WHERE merchant_id = $1 AND customer_id = $2 AND saved = 1 AND blocked_code IS NULL \
         ORDER BY created_at DESC, id",
    )
    .bind(merchant.to_string())
    .bind(customer.to_string())
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(id, routing, last_four, holder, rail)| {
            Ok(BankAccount {
                id: BankAccountId::parse(&id)
                    .map_err(|_| BankAccountError::CorruptRow(format!("id {id}")))?,
                customer,
                routing,
                last_four,
                holder: parse_holder(&holder)?,
                canadian: rail == "ca",
            })
        })
        .collect()
}

/// A saved, debitable account of `customer`, or `NotFound`.
pub async fn saved_one(
    db: &Database,
    merchant: MerchantId,
    customer: CustomerId,
    id: &BankAccountId,
) -> Result<BankAccount, BankAccountError> {
    saved_for(db, merchant, customer)
        .await?
        .into_iter()
        .find(|account| account.id == *id)
        .ok_or(BankAccountError::NotFound)
}

fn fingerprint(keys: &Keys, routing: &BankRouting, account: &AccountNumber) -> String {
    let message = format!("{}|{}", routing.as_text(), account.expose_digits());
    hex::encode(keys.sign(FINGERPRINT_PURPOSE, message.as_bytes()))
}

fn holder_code(holder: HolderType) -> &'static str {
    match holder {
        HolderType::Business => "business",
        HolderType::Personal => "personal",
    }
}

fn parse_holder(code: &str) -> Result<HolderType, BankAccountError> {
    match code {
        "business" => Ok(HolderType::Business),
        "personal" => Ok(HolderType::Personal),
        other => Err(BankAccountError::CorruptRow(format!("holder_type {other}"))),
    }
}
