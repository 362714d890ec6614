//! `/api/v1/merchant`: the calling merchant's settings, read whole and changed in part.

use crate::api::document;
use crate::api::extract::{ApiJson, ApiMerchant};
use crate::api::problem::Problem;
use app::domain::email::EmailAddress;
use app::domain::installments::{PlanTerm, SettingsError, TermDays};
use app::domain::merchant::{AccentColour, LogoUrl};
use app::domain::money::{AmountSyntax, Money};
use app::domain::payment::PaymentMethodKind;
use app::domain::text::DisplayName;
use app::services::Database;
use app::services::merchant_settings::{
    self, InstallmentsChange, MerchantSettings, SettingsChange, SettingsRefusal,
};
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use utoipa::openapi::schema::{AdditionalProperties, OneOfBuilder};
use utoipa::openapi::{ObjectBuilder, Ref, RefOr, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

/// The merchant's settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct MerchantBody {
    pub id: String,
    /// The last part of the billing link, `/pay/{slug}`.
    pub slug: String,
    pub display_name: String,
    #[schema(value_type = document::AccentColour)]
    pub accent_colour: String,
    /// An https:// address of the logo the billing link shows, if any.
    pub logo_url: Option<String>,
    /// Where customers write with billing questions, if anywhere.
    pub support_email: Option<String>,
    #[schema(value_type = document::CountryCode)]
    pub country: String,
    #[schema(value_type = document::CurrencyCode)]
    pub default_currency: String,
    /// The methods customers may pay with, in a fixed order.
    #[schema(value_type = Vec<document::PaymentMethod>)]
    pub payment_methods: Vec<String>,
    /// The smallest part of an invoice a customer may pay, in the invoice's currency (paying
    /// an invoice's whole balance is always allowed).
    #[schema(example = "1.00")]
    pub minimum_partial_payment: String,
    pub installments: InstallmentsBody,
}

/// What the merchant offers in installments.
#[derive(Debug, Serialize, ToSchema)]
pub struct InstallmentsBody {
    pub enabled: bool,
    /// Below this amount (in the checkout's currency) installments are not offered.
    #[schema(example = "100.00")]
    pub minimum_amount: String,
    /// By length.
    pub terms: Vec<TermBody>,
}

/// One term offered.
#[derive(Debug, Serialize, ToSchema)]
pub struct TermBody {
    #[schema(value_type = document::TermDays)]
    pub days: u16,
    /// The number of payments, the first collected at confirmation.
    pub payments: u8,
    /// The fee, as a percentage of the amount spread.
    #[schema(value_type = document::FeePercent)]
    pub fee_percent: String,
}

/// A partial update: leave a field out to keep it as it is.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MerchantPatch {
    #[schema(value_type = Option<document::DisplayName>)]
    pub display_name: Option<String>,
    #[schema(value_type = Option<document::AccentColour>)]
    pub accent_colour: Option<String>,
    /// `null` removes the logo.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<document::LogoUrl>)]
    pub logo_url: Option<Option<String>>,
    /// `null` removes the support address.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<document::EmailAddress>)]
    pub support_email: Option<Option<String>>,
    /// Replaces the methods customers may pay with: at least one, each offered in the
    /// merchant's country (`us_ach` in the US; `ca_pad` and `ca_eft` in Canada; `card` in both).
    #[schema(value_type = Option<Vec<document::PaymentMethod>>, min_items = 1)]
    pub payment_methods: Option<Vec<String>>,
    #[schema(value_type = Option<document::Amount>)]
    pub minimum_partial_payment: Option<String>,
    pub installments: Option<InstallmentsPatch>,
}

/// A field that was sent, `null` or not: told apart from one left out (which `#[serde(default)]`
/// makes `None`), so that `null` can remove a setting.
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A partial update of the installment settings.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstallmentsPatch {
    pub enabled: Option<bool>,
    #[schema(value_type = Option<document::PlanMinimum>)]
    pub minimum_amount: Option<String>,
    /// Replaces every term: each length at most once, at least one while installments are
    /// enabled.
    #[schema(value_type = Option<Vec<TermPatch>>, max_items = 5)]
    pub terms: Option<Vec<TermPatch>>,
}

/// A term to offer. Its schema is written out (below) rather than derived, because how many
/// payments a term may have depends on its length: one schema per length says it exactly.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TermPatch {
    /// JSON numbers, because JSON Schema calls `90.0` an integer too.
    pub days: serde_json::Number,
    pub payments: Option<serde_json::Number>,
    pub fee_percent: Option<String>,
}

impl PartialSchema for TermPatch {
    fn schema() -> RefOr<Schema> {
        let nullable = |schema: RefOr<Schema>| {
            OneOfBuilder::new()
                .item(schema)
                .item(ObjectBuilder::new().schema_type(Type::Null))
        };
        let per_length = TermDays::ALL.into_iter().filter_map(|days| {
            let max = TermDays::parse(days).ok()?.max_payments();
            let payments = ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(2))
                .maximum(Some(max));
            Some(
                ObjectBuilder::new()
                    .schema_type(Type::Object)
                    .property(
                        "days",
                        ObjectBuilder::new()
                            .schema_type(Type::Integer)
                            .enum_values(Some([days])),
                    )
                    .required("days")
                    .property("payments", nullable(payments.into()))
                    .property(
                        "fee_percent",
                        nullable(Ref::from_schema_name("FeePercent").into()),
                    )
                    .additional_properties(Some(AdditionalProperties::FreeForm(false))),
            )
        });
        per_length
            .fold(OneOfBuilder::new(), OneOfBuilder::item)
            .description(Some(
                "A term: its length in days; its number of payments, from 2 to one every 15 days \
                 on average (`days / 15 + 1`: 3 for 30 days, 11 for 150), one every 30 days when \
                 left out; its fee as a percentage, 0 when left out.",
            ))
            .into()
    }
}

impl ToSchema for TermPatch {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("TermPatch")
    }
}

impl From<MerchantSettings> for MerchantBody {
    fn from(settings: MerchantSettings) -> Self {
        let currency = settings.default_currency;
        let installments = &settings.installments;
        Self {
            id: settings.merchant.to_string(),
            slug: settings.slug.to_string(),
            display_name: settings.display_name.clone(),
            accent_colour: settings.accent_colour.as_str().to_owned(),
            logo_url: settings.logo_url.clone(),
            support_email: settings.support_email.clone(),
            country: settings.country.code().to_owned(),
            default_currency: currency.code().to_owned(),
            payment_methods: settings
                .payment_methods
                .iter()
                .map(|method| method.code().to_owned())
                .collect(),
            minimum_partial_payment: Money::from_minor_units(
                settings.minimum_partial_payment_minor,
                currency,
            )
            .unwrap_or_else(|_| Money::zero(currency))
            .to_plain_string(),
            installments: InstallmentsBody {
                enabled: installments.enabled(),
                minimum_amount: installments.minimum_amount(currency).to_plain_string(),
                terms: installments
                    .terms()
                    .iter()
                    .map(|term| TermBody {
                        days: term.days().days(),
                        payments: term.payments(),
                        fee_percent: term.fee_percent().to_plain_string(),
                    })
                    .collect(),
            },
        }
    }
}

/// Read the merchant's settings.
#[utoipa::path(
    get, path = "/api/v1/merchant", tag = "merchant",
    responses(
        (status = 200, description = "The merchant's settings", body = MerchantBody),
        (status = 401, response = document::Unauthorized),
        (status = 500, response = document::InternalError),
    ),
    security(("api_key" = []))
)]
pub async fn get_merchant(
    ApiMerchant(merchant): ApiMerchant,
    State(db): State<Database>,
) -> Result<Json<MerchantBody>, Problem> {
    let settings = merchant_settings::get(&db, merchant)
        .await
        .map_err(|error| Problem::internal("reading merchant settings", &error))?;
    Ok(Json(settings.into()))
}

/// Change some of the merchant's settings; what is left out stays as it is.
#[utoipa::path(
    patch, path = "/api/v1/merchant", tag = "merchant",
    request_body = MerchantPatch,
    responses(
        (status = 200, description = "The merchant's settings, changed", body = MerchantBody),
        (status = 400, response = document::BadRequest),
        (status = 401, response = document::Unauthorized),
        (status = 413, response = document::PayloadTooLarge),
        (status = 415, response = document::UnsupportedMediaType),
        (status = 422, response = document::ValidationFailed),
        (status = 500, response = document::InternalError),
    ),
    security(("api_key" = []))
)]
pub async fn update_merchant(
    ApiMerchant(merchant): ApiMerchant,
    State(db): State<Database>,
    ApiJson(patch): ApiJson<MerchantPatch>,
) -> Result<Json<MerchantBody>, Problem> {
    let current = merchant_settings::get(&db, merchant)
        .await
        .map_err(|error| Problem::internal("reading merchant settings", &error))?;
    let change = parse_patch(patch, &current)?;
    match merchant_settings::update(&db, merchant, change).await {
        Ok(Ok(settings)) => Ok(Json(settings.into())),
        Ok(Err(refusal)) => Err(refused(refusal)),
        Err(error) => Err(Problem::internal("changing merchant settings", &error)),
    }
}

/// The patch as domain values, each refusal naming its field. Amounts are read in the
/// merchant's default currency (both currencies have cents, so the minor units are the same).
fn parse_patch(
    patch: MerchantPatch,
    current: &MerchantSettings,
) -> Result<SettingsChange, Problem> {
    let currency = current.default_currency;
    let display_name = patch
        .display_name
        .map(|text| {
            DisplayName::parse(&text).map_err(|error| Problem::invalid("display_name", error))
        })
        .transpose()?;
    let accent_colour = patch
        .accent_colour
        .map(|text| {
            AccentColour::parse(&text).map_err(|error| Problem::invalid("accent_colour", error))
        })
        .transpose()?;
    let logo_url = patch
        .logo_url
        .map(|logo| {
            logo.map(|text| {
                LogoUrl::parse(&text).map_err(|error| Problem::invalid("logo_url", error))
            })
            .transpose()
        })
        .transpose()?;
    let support_email = patch
        .support_email
        .map(|email| {
            email
                .map(|text| {
                    EmailAddress::parse(&text)
                        .map_err(|error| Problem::invalid("support_email", error))
                })
                .transpose()
        })
        .transpose()?;
    let payment_methods = patch
        .payment_methods
        .map(|codes| {
            codes
                .iter()
                .enumerate()
                .map(|(index, code)| {
                    PaymentMethodKind::parse(code).map_err(|error| {
                        Problem::invalid(format!("payment_methods[{index}]"), error)
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let minimum_partial_payment_minor = patch
        .minimum_partial_payment
        .map(|text| {
            Money::parse(&text, currency, AmountSyntax::Plain)
                .map(|amount| amount.minor_units())
                .map_err(|error| Problem::invalid("minimum_partial_payment", error))
        })
        .transpose()?;
    let installments = match patch.installments {
        None => InstallmentsChange::default(),
        Some(installments) => InstallmentsChange {
            enabled: installments.enabled,
            minimum_amount_minor: installments
                .minimum_amount
                .map(|text| {
                    Money::parse(&text, currency, AmountSyntax::Plain)
                        .map(|amount| amount.minor_units())
                        .map_err(|error| Problem::invalid("installments.minimum_amount", error))
                })
                .transpose()?,
            terms: installments
                .terms
                .map(|terms| {
                    terms
                        .iter()
                        .enumerate()
                        .map(|(index, term)| parse_term(index, term))
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?,
        },
    };
    Ok(SettingsChange {
        display_name,
        accent_colour,
        logo_url,
        support_email,
        payment_methods,
        minimum_partial_payment_minor,
        installments,
    })
}

/// A term as the domain reads a written one: the JSON numbers as they were written.
fn parse_term(index: usize, term: &TermPatch) -> Result<PlanTerm, Problem> {
    let payments = term.payments.as_ref().map(ToString::to_string);
    PlanTerm::parse_text(
        &term.days.to_string(),
        payments.as_deref(),
        term.fee_percent.as_deref(),
    )
    .map_err(|error| {
        Problem::invalid(
            format!("installments.terms[{index}].{}", error.part()),
            error,
        )
    })
}

fn refused(refusal: SettingsRefusal) -> Problem {
    let field = match &refusal {
        SettingsRefusal::NoMethods | SettingsRefusal::MethodUnavailable(..) => "payment_methods",
        SettingsRefusal::MinimumPartialPayment => "minimum_partial_payment",
        SettingsRefusal::Installments(SettingsError::Minimum) => "installments.minimum_amount",
        SettingsRefusal::Installments(SettingsError::DuplicateTerm(_) | SettingsError::NoTerms) => {
            "installments.terms"
        }
    };
    Problem::invalid(field, refusal)
}
