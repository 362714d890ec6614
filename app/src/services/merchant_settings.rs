//! A merchant's settings: how it looks to its customers (its name, colour, logo and support
//! address) and how they may pay (the methods it enabled, the smallest part of an invoice it
//! takes, the installment terms it offers). One resource, read whole and
//! changed in one transaction, so that later settings (reminders, embedding origins, branding)
//! join it without a second way of storing them.

use crate::domain::email::EmailAddress;
use crate::domain::ids::MerchantId;
use crate::domain::installments::{
    FeePercent, InstallmentSettings, PlanTerm, SettingsError as InstallmentsError, TermDays,
};
use crate::domain::merchant::{AccentColour, Country, LogoUrl, MerchantSlug};
use crate::domain::money::Currency;
use crate::domain::payment::PaymentMethodKind;
use crate::domain::text::DisplayName;
use crate::services::Database;
use rust_decimal::Decimal;
use sqlx::AnyConnection;

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("no such merchant")]
    NotFound,
    #[error("a stored setting is invalid: {0}")]
    CorruptRow(String),
    #[error("merchant settings storage failed")]
    Storage(#[from] sqlx::Error),
}

/// Why a change of settings was refused: each names the setting and says what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsRefusal {
    #[error("Enable at least one payment method.")]
    NoMethods,
    #[error("{method} is not offered in {country}.", method = .0.code(), country = .1.name())]
    MethodUnavailable(PaymentMethodKind, Country),
    #[error("The smallest part of an invoice a customer may pay must be more than 0.00.")]
    MinimumPartialPayment,
    #[error(transparent)]
    Installments(#[from] InstallmentsError),
}

/// Everything a merchant has set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantSettings {
    pub merchant: MerchantId,
    pub slug: MerchantSlug,
    pub display_name: String,
    pub accent_colour: AccentColour,
    /// An https:// address (see [`LogoUrl`]).
    pub logo_url: Option<String>,
    pub support_email: Option<String>,
    pub country: Country,
    pub default_currency: Currency,
    /// Sorted, each once.
    pub payment_methods: Vec<PaymentMethodKind>,
    /// In minor units (cents) of whichever currency an invoice is in.
    pub minimum_partial_payment_minor: i64,
    pub installments: InstallmentSettings,
}

/// A partial update: what is `None` stays as it is. It is applied to the settings as they are
/// inside the transaction that writes it, so two changes of different settings made at once
/// both stand.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsChange {
    pub display_name: Option<DisplayName>,
    pub accent_colour: Option<AccentColour>,
    /// `Some(None)` removes the logo.
    pub logo_url: Option<Option<LogoUrl>>,
    /// `Some(None)` removes the support address.
    pub support_email: Option<Option<EmailAddress>>,
    pub payment_methods: Option<Vec<PaymentMethodKind>>,
    pub minimum_partial_payment_minor: Option<i64>,
    pub installments: InstallmentsChange,
}

/// A partial update of the installment settings; `terms` replaces the whole list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InstallmentsChange {
    pub enabled: Option<bool>,
    pub minimum_amount_minor: Option<i64>,
    pub terms: Option<Vec<PlanTerm>>,
}

impl MerchantSettings {
    /// The settings with `change` made, or why it cannot be.
    pub fn changed(&self, change: SettingsChange) -> Result<Self, SettingsRefusal> {
        let mut next = self.clone();
        if let Some(name) = change.display_name {
            next.display_name = name.to_string();
        }
        if let Some(colour) = change.accent_colour {
            next.accent_colour = colour;
        }
        if let Some(logo) = change.logo_url {
            next.logo_url = logo.map(|url| url.as_str().to_owned());
        }
        if let Some(email) = change.support_email {
            next.support_email = email.map(|address| address.to_string());
        }
        if let Some(mut methods) = change.payment_methods {
            methods.sort();
            methods.dedup();
            if methods.is_empty() {
                return Err(SettingsRefusal::NoMethods);
            }
            if let Some(method) = methods.iter().find(|m| !m.available_in(self.country)) {
                return Err(SettingsRefusal::MethodUnavailable(*method, self.country));
            }
            next.payment_methods = methods;
        }
        if let Some(minor) = change.minimum_partial_payment_minor {
            if minor < 1 {
                return Err(SettingsRefusal::MinimumPartialPayment);
            }
            next.minimum_partial_payment_minor = minor;
        }
        let InstallmentsChange {
            enabled,
            minimum_amount_minor,
            terms,
        } = change.installments;
        let current = &self.installments;
        next.installments = InstallmentSettings::new(
            enabled.unwrap_or(current.enabled()),
            minimum_amount_minor.unwrap_or(current.minimum_amount_minor()),
            terms.unwrap_or_else(|| current.terms().to_vec()),
        )?;
        Ok(next)
    }
}

/// Reads every setting of `merchant`.
pub async fn get(db: &Database, merchant: MerchantId) -> Result<MerchantSettings, SettingsError> {
    let mut connection = db.pool().acquire().await?;
    read(&mut connection, merchant).await
}

/// Applies `change` to `merchant`'s settings in one transaction and returns them as they now
/// are. `Ok(Err(..))` is a change refused for what it asks. This instance shows the new
/// branding on the billing link at once; others within the merchant cache's few seconds.
pub async fn update(
    db: &Database,
    merchant: MerchantId,
    change: SettingsChange,
) -> Result<Result<MerchantSettings, SettingsRefusal>, SettingsError> {
    let mut transaction = db.begin_write().await?;
    let current = read(&mut transaction, merchant).await?;
    let next = match current.changed(change) {
        Ok(next) => next,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if next.payment_methods != current.payment_methods {
        sqlx::query("DELETE FROM merchant_payment_methods WHERE merchant_id = $1")
            .bind(merchant.to_string())
            .execute(&mut *transaction)
            .await?;
        for method in &next.payment_methods {
            sqlx::query(
                "INSERT INTO merchant_payment_methods (merchant_id, method) VALUES ($1, $2)",
            )
            .bind(merchant.to_string())
            .bind(method.code())
            .execute(&mut *transaction)
            .await?;
        }
    }
    sqlx::query(
        "UPDATE merchants SET minimum_partial_payment_minor = $1, installments_enabled = $2, \
         installments_minimum_minor = $3, display_name = $4, accent_colour = $5, logo_url = $6, \
         support_email = $7 WHERE id = $8",
    )
    .bind(next.minimum_partial_payment_minor)
    .bind(i64::from(next.installments.enabled()))
    .bind(next.installments.minimum_amount_minor())
    .bind(&next.display_name)
    .bind(next.accent_colour.as_str())
    .bind(next.logo_url.as_deref())
    .bind(next.support_email.as_deref())
    .bind(merchant.to_string())
    .execute(&mut *transaction)
    .await?;
    if next.installments.terms() != current.installments.terms() {
        write_terms(&mut transaction, merchant, next.installments.terms()).await?;
    }
    transaction.commit().await?;
    db.merchant_cache().forget(&next.slug);
    Ok(Ok(next))
}

/// Replaces `merchant`'s installment terms with `terms` (part of a transaction: the caller's).
pub async fn write_terms(
    connection: &mut AnyConnection,
    merchant: MerchantId,
    terms: &[PlanTerm],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM merchant_installment_terms WHERE merchant_id = $1")
        .bind(merchant.to_string())
        .execute(&mut *connection)
        .await?;
    for term in terms {
        sqlx::query(
            "INSERT INTO merchant_installment_terms (merchant_id, days, payments, fee_basis_points) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(merchant.to_string())
        .bind(i64::from(term.days().days()))
        .bind(i64::from(term.payments()))
        .bind(basis_points(term.fee_percent()))
        .execute(&mut *connection)
        .await?;
    }
    Ok(())
}

/// What `merchant` offers in installments.
pub async fn installments(
    db: &Database,
    merchant: MerchantId,
) -> Result<InstallmentSettings, SettingsError> {
    let mut connection = db.pool().acquire().await?;
    read_installments(&mut connection, merchant).await
}

async fn read(
    connection: &mut AnyConnection,
    merchant: MerchantId,
) -> Result<MerchantSettings, SettingsError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        slug: String,
        display_name: String,
        accent_colour: String,
        logo_url: Option<String>,
        support_email: Option<String>,
        country: String,
        default_currency: String,
        minimum_partial_payment_minor: i64,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT slug, display_name, accent_colour, logo_url, support_email, country, \
         default_currency, minimum_partial_payment_minor FROM merchants WHERE id = $1",
    )
    .bind(merchant.to_string())
    .fetch_optional(&mut *connection)
    .await?;
    let row = row.ok_or(SettingsError::NotFound)?;
    let corrupt = |error: &dyn std::fmt::Display| SettingsError::CorruptRow(error.to_string());
    let methods: Vec<(String,)> =
        sqlx::query_as("SELECT method FROM merchant_payment_methods WHERE merchant_id = $1")
            .bind(merchant.to_string())
            .fetch_all(&mut *connection)
            .await?;
    let mut payment_methods = methods
        .into_iter()
        .map(|(code,)| PaymentMethodKind::parse(&code).map_err(|error| corrupt(&error)))
        .collect::<Result<Vec<_>, _>>()?;
    payment_methods.sort();
    Ok(MerchantSettings {
        merchant,
        slug: MerchantSlug::parse(&row.slug).map_err(|error| corrupt(&error))?,
        display_name: row.display_name,
        accent_colour: AccentColour::parse(&row.accent_colour).map_err(|error| corrupt(&error))?,
        logo_url: row.logo_url,
        support_email: row.support_email,
        country: Country::parse(&row.country).map_err(|error| corrupt(&error))?,
        default_currency: Currency::parse(&row.default_currency)
            .map_err(|error| corrupt(&error))?,
        payment_methods,
        minimum_partial_payment_minor: row.minimum_partial_payment_minor,
        installments: read_installments(connection, merchant).await?,
    })
}

async fn read_installments(
    connection: &mut AnyConnection,
    merchant: MerchantId,
) -> Result<InstallmentSettings, SettingsError> {
    let corrupt = |error: &dyn std::fmt::Display| SettingsError::CorruptRow(error.to_string());
    let (enabled, minimum): (i64, i64) = sqlx::query_as(
        "SELECT installments_enabled, installments_minimum_minor FROM merchants WHERE id = $1",
    )
    .bind(merchant.to_string())
    .fetch_optional(&mut *connection)
    .await?
    .ok_or(SettingsError::NotFound)?;
    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT days, payments, fee_basis_points FROM merchant_installment_terms \
         WHERE merchant_id = $1 ORDER BY days",
    )
    .bind(merchant.to_string())
    .fetch_all(&mut *connection)
    .await?;
    let terms = rows
        .into_iter()
        .map(|(days, payments, fee)| {
            let days = u16::try_from(days)
                .ok()
                .and_then(|days| TermDays::parse(days).ok())
                .ok_or_else(|| corrupt(&format!("term of {days} days")))?;
            let payments =
                u8::try_from(payments).map_err(|_| corrupt(&format!("{payments} payments")))?;
            let fee = FeePercent::parse(Decimal::new(fee, 2)).map_err(|error| corrupt(&error))?;
            PlanTerm::new(days, payments, fee).map_err(|error| corrupt(&error))
        })
        .collect::<Result<Vec<_>, _>>()?;
    InstallmentSettings::new(enabled == 1, minimum, terms).map_err(|error| corrupt(&error))
}

/// A fee percentage in hundredths of a percent, as stored: exact, since a fee has at most two
/// decimal places.
fn basis_points(fee: FeePercent) -> i64 {
    let mut scaled = fee.value();
    scaled.rescale(2);
    i64::try_from(scaled.mantissa()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> MerchantSettings {
        MerchantSettings {
            merchant: MerchantId::from_bytes([1; 16]),
            slug: MerchantSlug::parse("northwind").unwrap(),
            display_name: "Northwind".into(),
            accent_colour: AccentColour::parse("#1d4ed8").unwrap(),
            logo_url: None,
            support_email: Some("billing@northwind.example".into()),
            country: Country::UnitedStates,
            default_currency: Currency::Usd,
            payment_methods: vec![PaymentMethodKind::UsAch, PaymentMethodKind::Card],
            minimum_partial_payment_minor: 100,
            installments: InstallmentSettings::standard(true),
        }
    }

    #[test]
    fn an_empty_change_changes_nothing() {
        assert_eq!(
            settings().changed(SettingsChange::default()),
            Ok(settings())
        );
    }

    #[test]
    fn methods_are_kept_sorted_once_each_and_must_exist_in_the_country() {
        let change = |methods| SettingsChange {
            payment_methods: Some(methods),
            ..SettingsChange::default()
        };
        let changed = settings()
            .changed(change(vec![
                PaymentMethodKind::Card,
                PaymentMethodKind::UsAch,
                PaymentMethodKind::Card,
            ]))
            .unwrap();
        assert_eq!(
            changed.payment_methods,
            [PaymentMethodKind::UsAch, PaymentMethodKind::Card]
        );
        assert_eq!(
            settings().changed(change(vec![PaymentMethodKind::CaPad])),
            Err(SettingsRefusal::MethodUnavailable(
                PaymentMethodKind::CaPad,
                Country::UnitedStates
            ))
        );
        assert_eq!(
            settings().changed(change(vec![])),
            Err(SettingsRefusal::NoMethods)
        );
    }

    #[test]
    fn an_installments_change_keeps_what_it_does_not_name_and_is_checked_whole() {
        let turned_off = settings()
            .changed(SettingsChange {
                installments: InstallmentsChange {
                    enabled: Some(false),
                    ..InstallmentsChange::default()
                },
                ..SettingsChange::default()
            })
            .unwrap();
        assert!(!turned_off.installments.enabled());
        assert_eq!(
            turned_off.installments.terms(),
            settings().installments.terms()
        );
        let no_terms = settings().changed(SettingsChange {
            installments: InstallmentsChange {
                terms: Some(Vec::new()),
                ..InstallmentsChange::default()
            },
            ..SettingsChange::default()
        });
        assert_eq!(
            no_terms,
            Err(SettingsRefusal::Installments(InstallmentsError::NoTerms))
        );
    }

    #[test]
    fn a_branding_change_can_remove_the_logo_and_the_support_address() {
        let with_logo = settings()
            .changed(SettingsChange {
                display_name: Some(DisplayName::parse("Northwind IT").unwrap()),
                logo_url: Some(Some(
                    LogoUrl::parse("https://cdn.example.com/n.png").unwrap(),
                )),
                ..SettingsChange::default()
            })
            .unwrap();
        assert_eq!(with_logo.display_name, "Northwind IT");
        assert_eq!(
            with_logo.logo_url.as_deref(),
            Some("https://cdn.example.com/n.png")
        );
        assert_eq!(with_logo.support_email, settings().support_email);
        let plain = with_logo
            .changed(SettingsChange {
                logo_url: Some(None),
                support_email: Some(None),
                ..SettingsChange::default()
            })
            .unwrap();
        assert_eq!((plain.logo_url, plain.support_email), (None, None));
    }

    #[test]
    fn a_fee_is_stored_in_exact_basis_points() {
        let fee = |text: &str| FeePercent::parse(text.parse().unwrap()).unwrap();
        assert_eq!(basis_points(fee("2.75")), 275);
        assert_eq!(basis_points(fee("25")), 2500);
        assert_eq!(basis_points(FeePercent::zero()), 0);
    }
}
