//! `/api/v1/payments/{id}/refunds` and `/api/v1/refunds/{id}`: giving back all or part of a
//! card payment through the processor, and what became of each refund.
//!
//! A refund needs an `Idempotency-Key`: it is the refund's own key, so a retry after a timeout
//! (or after the key's stored response has expired) finds the same refund instead of sending
//! money back twice.

use crate::api::document;
use crate::api::extract::{ApiJson, ApiMerchant};
use crate::api::idempotency::HEADER;
use crate::api::problem::{Problem, ProblemType};
use app::domain::idempotency::IdempotencyKey;
use app::domain::ids::{PaymentId, RefundId};
use app::domain::money::{AmountSyntax, Money};
use app::services::Database;
use app::services::checkout::PaymentServices;
use app::services::keys::Keys;
use app::services::payments::{self, PaymentError};
use app::services::processors::Processor;
use app::services::refunds::{self, Refund, RefundError, RefundRequest};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The refund POST's path, which the document says needs an `Idempotency-Key`.
pub const CREATE_PATH: &str = "/api/v1/payments/{id}/refunds";

/// Who the refunds asked through the API are recorded as asked by.
const REQUESTED_BY: &str = "API";

/// A refund to make.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRefundBody {
    /// What to give back, in the payment's currency: at most what the payment has left to
    /// refund. The invoices it paid owe it again, the last due first.
    #[schema(value_type = document::Amount)]
    pub amount: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RefundBody {
    pub id: String,
    pub payment_id: String,
    #[schema(example = "100.00")]
    pub amount: String,
    #[schema(value_type = document::CurrencyCode)]
    pub currency: String,
    #[schema(value_type = document::RefundStatus)]
    pub status: String,
    /// Why the processor refused it (`failed` only).
    pub failure_reason: Option<String>,
    /// The processor's id for the refund (`succeeded` only).
    pub processor_reference: Option<String>,
    /// A dashboard user's email address, or `API`.
    pub requested_by: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RefundList {
    /// The payment's refunds, oldest first.
    pub data: Vec<RefundBody>,
}

impl From<Refund> for RefundBody {
    fn from(refund: Refund) -> Self {
        Self {
            id: refund.id.to_string(),
            payment_id: refund.payment.to_string(),
            amount: refund.amount.to_plain_string(),
            currency: refund.amount.currency().code().to_owned(),
            status: refund.status.code().to_owned(),
            failure_reason: refund.failure_reason,
            processor_reference: refund.processor_reference,
            requested_by: refund.requested_by,
            created_at: refund.created_at,
            updated_at: refund.updated_at,
        }
    }
}

fn problem(error: RefundError) -> Problem {
    match error {
        RefundError::NotFound | RefundError::Payment(PaymentError::NotFound) => {
            Problem::not_found("payment")
        }
        RefundError::NotCard(method) => Problem::conflict(format!(
            "The payment is {}: only card payments are refunded through Portico. Give a bank \
             debit back by a transfer of your own.",
            method.code()
        )),
        RefundError::NotSucceeded(status) => Problem::conflict(format!(
            "The payment is {}: only a succeeded payment can be refunded.",
            status.code()
        )),
        // A well-formed amount the payment no longer has: the state conflicts, not the request.
        RefundError::ExceedsRefundable { refundable } => Problem::about(
            ProblemType::Conflict,
            "amount",
            format!("At most {refundable} of this payment is left to refund."),
        ),
        RefundError::IdempotencyKeyReused => Problem::new(
            ProblemType::IdempotencyKeyReused,
            "This Idempotency-Key was first used for another refund. Use a new key for a new refund.",
        ),
        error => Problem::internal("refunding a payment", &error),
    }
}

/// The request's `Idempotency-Key`, which a refund cannot go without.
fn refund_key(headers: &HeaderMap) -> Result<IdempotencyKey, Problem> {
    let missing = || {
        Problem::invalid(
            HEADER,
            "A refund needs an Idempotency-Key header (a UUID is a good choice), so that a retry \
             cannot give the money back twice.",
        )
    };
    let text = headers
        .get(HEADER)
        .ok_or_else(missing)?
        .to_str()
        .map_err(|_| missing())?;
    IdempotencyKey::parse(text).map_err(|error| Problem::invalid(HEADER, error))
}

/// Give back all or part of a succeeded card payment. The answer is the refund as it stands:
/// `succeeded`, `failed` (the processor refused it, nothing went back) or `pending` (the
/// processor did not answer in time; Portico asks again, and `GET /api/v1/refunds/{id}` shows
/// the outcome). The invoices it paid owe again what it gives back of them.
#[utoipa::path(
    post, path = "/api/v1/payments/{id}/refunds", tag = "payments",
    params(("id" = document::Id, Path, description = "The payment's id")),
    request_body = NewRefundBody,
    responses(
        (status = 201, description = "The refund", body = RefundBody),
        (status = 400, response = document::BadRequest),
        (status = 401, response = document::Unauthorized),
        (status = 404, response = document::NotFound),
        (status = 409, response = document::Conflict),
        (status = 413, response = document::PayloadTooLarge),
        (status = 415, response = document::UnsupportedMediaType),
        (status = 422, response = document::ValidationFailed),
        (status = 500, response = document::InternalError),
    ),
    security(("api_key" = []))
)]
pub async fn create_refund(
    ApiMerchant(merchant): ApiMerchant,
    State(db): State<Database>,
    State(processor): State<Processor>,
    State(keys): State<Keys>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<NewRefundBody>,
) -> Result<(StatusCode, Json<RefundBody>), Problem> {
    let key = refund_key(&headers)?;
    let id = PaymentId::parse(&id).map_err(|_| Problem::not_found("payment"))?;
    let payment = payments::get(&db, merchant, id)
        .await
        .map_err(|error| problem(error.into()))?;
    let amount = Money::parse(&body.amount, payment.amount.currency(), AmountSyntax::Plain)
        .map_err(|error| Problem::invalid("amount", error))?;
    let services = PaymentServices {
        db,
        processor,
        keys,
    };
    let request = RefundRequest {
        payment: id,
        amount,
        key,
        requested_by: REQUESTED_BY.to_owned(),
    };
    let refund = refunds::refund(&services, merchant, request)
        .await
        .map_err(problem)?;
    Ok((StatusCode::CREATED, Json(refund.into())))
}

/// The refunds of one payment, oldest first: the first 100, which no payment in practice
/// reaches (`amount_refunded` on the payment is the total of all of them).
#[utoipa::path(
    get, path = "/api/v1/payments/{id}/refunds", tag = "payments",
    params(("id" = document::Id, Path, description = "The payment's id")),
    responses(
        (status = 200, description = "The payment's refunds", body = RefundList),
        (status = 400, response = document::BadRequest),
        (status = 401, response = document::Unauthorized),
        (status = 404, response = document::NotFound),
        (status = 500, response = document::InternalError),
    ),
    security(("api_key" = []))
)]
pub async fn list_refunds(
    ApiMerchant(merchant): ApiMerchant,
    State(db): State<Database>,
    Path(id): Path<String>,
) -> Result<Json<RefundList>, Problem> {
    let id = PaymentId::parse(&id).map_err(|_| Problem::not_found("payment"))?;
    payments::get(&db, merchant, id)
        .await
        .map_err(|error| problem(error.into()))?;
    let found = refunds::of_payment(&db, merchant, id)
        .await
        .map_err(problem)?;
    Ok(Json(RefundList {
        data: found.into_iter().map(RefundBody::from).collect(),
    }))
}

/// One refund, as it stands now.
#[utoipa::path(
    get, path = "/api/v1/refunds/{id}", tag = "payments",
    params(("id" = document::Id, Path, description = "The refund's id")),
    responses(
        (status = 200, description = "The refund", body = RefundBody),
        (status = 400, response = document::BadRequest),
        (status = 401, response = document::Unauthorized),
        (status = 404, response = document::NotFound),
        (status = 500, response = document::InternalError),
    ),
    security(("api_key" = []))
)]
pub async fn get_refund(
    ApiMerchant(merchant): ApiMerchant,
    State(db): State<Database>,
    Path(id): Path<String>,
) -> Result<Json<RefundBody>, Problem> {
    let not_found = || Problem::not_found("refund");
    let id = RefundId::parse(&id).map_err(|_| not_found())?;
    match refunds::get(&db, merchant, id).await {
        Ok(refund) => Ok(Json(refund.into())),
        Err(RefundError::NotFound) => Err(not_found()),
        Err(error) => Err(problem(error)),
    }
}
