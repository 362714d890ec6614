//! `/api/v1/payments`: what customers paid, and which invoices each payment covers.

use crate::api::document;
use crate::api::extract::{ApiMerchant, ApiQuery};
use crate::api::problem::Problem;
use crate::api::{customer_filter, filter, page_request};
use app::domain::ids::PaymentId;
use app::domain::payment::PaymentStatus;
use app::domain::reconciliation::Reconciliation;
use app::services::Database;
use app::services::accounting::records;
use app::services::payments::{self, Payment, PaymentError, PaymentFilter};
use app::services::reconciliation::{self, Mark, ReconcileError};
use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentBody {
    pub id: String,
    pub customer_id: String,
    #[schema(value_type = document::PaymentMethod)]
    pub method: String,
    #[schema(example = "1250.00")]
    pub amount: String,
    #[schema(value_type = document::CurrencyCode)]
    pub currency: String,
    #[schema(value_type = document::PaymentStatus)]
    pub status: String,
    /// What refunds gave back of `amount` (`0.00` when none did); all of it makes the status
    /// `refunded`.
    #[schema(example = "0.00")]
    pub amount_refunded: String,
    /// The processor's id for this payment.
    pub processor_reference: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// The invoices this payment pays; the amounts add up to `amount`.
    pub allocations: Vec<PaymentAllocationBody>,
    /// Whether the payment is in the merchant's books.
    pub reconciliation: ReconciliationBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReconciliationBody {
    #[schema(value_type = document::ReconciliationState)]
    pub state: String,
    /// Who marked it reconciled by hand: a dashboard user's email address, or `API`.
    pub reconciled_by: Option<String>,
    pub reconciled_at: Option<String>,
    /// `synced`: the ids of what the connected accounting software recorded (in Xero a
    /// payment per invoice, in QuickBooks one payment). Empty otherwise, and once a return or
    /// refund took it back there.
    pub accounting_ids: Vec<String>,
    /// `failed`: why the accounting software refused it, in its words; the dashboard's
    /// **Retry** sends it again.
    pub accounting_error: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentAllocationBody {
    pub invoice_id: String,
    pub invoice_number: String,
    pub amount: String,
    /// What refunds gave back of `amount`: the invoice owes it again.
    #[schema(example = "0.00")]
    pub amount_refunded: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentList {
    pub data: Vec<PaymentBody>,
    /// Pass as `cursor` to read the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PaymentListQuery {
    /// Only this customer's payments.
    #[param(value_type = Option<document::Id>)]
    pub customer_id: Option<String>,
    /// Only payments in this status.
    #[param(value_type = Option<document::PaymentStatus>)]
    pub status: Option<String>,
    /// Only payments in this reconciliation state (`unreconciled`: what is still to record).
    #[param(value_type = Option<document::ReconciliationState>)]
    pub reconciliation: Option<String>,
    /// Page size.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, default = 25)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page.
    #[param(value_type = Option<document::Cursor>)]
    pub cursor: Option<String>,
}

impl From<Payment> for PaymentBody {
    fn from(payment: Payment) -> Self {
        Self {
            id: payment.id.to_string(),
            customer_id: payment.customer.to_string(),
            method: payment.method.code().to_owned(),
            amount: payment.amount.to_plain_string(),
            currency: payment.amount.currency().code().to_owned(),
            status: payment.status.code().to_owned(),
            amount_refunded: payment.refunded.to_plain_string(),
            processor_reference: payment.processor_reference,
            created_at: payment.created_at,
            updated_at: payment.updated_at,
            allocations: payment
                .allocations
                .into_iter()
                .map(|allocation| PaymentAllocationBody {
                    invoice_id: allocation.invoice.to_string(),
                    invoice_number: allocation.invoice_number.into(),
                    amount: allocation.amount.to_plain_string(),
                    amount_refunded: allocation.refunded.to_plain_string(),
                })
                .collect(),
            reconciliation: ReconciliationBody {
                state: payment.reconciliation.code().to_owned(),
                reconciled_by: payment.reconciled_by,
                reconciled_at: payment.reconciled_at,
                accounting_ids: Vec::new(),
                accounting_error: None,
            },
        }
    }
}

/// `payments` as the API shows them, with what the accounting software holds of each.
async fn bodies(
    db: &Database,
    merchant: app::domain::ids::MerchantId,
    payments: Vec<Payment>,
) -> Result<Vec<PaymentBody>, Problem> {
    let ids: Vec<PaymentId> = payments.iter().map(|payment| payment.id).collect();
    let mut accounting = records::accounting_of(db, merchant, &ids)
        .await
        .map_err(|error| Problem::internal("reading payments' accounting records", &error))?;
    Ok(payments
        .into_iter()
        .map(|payment| {
            let held = accounting.remove(&payment.id);
            let mut body = PaymentBody::from(payment);
            if let Some((ids, error)) = held {
                body.reconciliation.accounting_ids = ids;
                body.reconciliation.accounting_error = error;
            }
            body
        })
        .collect())
}

async fn body(
    db: &Database,
    merchant: app::domain::ids::MerchantId,
    payment: Payment,
) -> Result<PaymentBody, Problem> {
    let mut bodies = bodies(db, merchant, vec![payment]).await?;
    bodies
        .pop()
        .ok_or_else(|| Problem::internal("showing a payment", &PaymentError::NotFound))
}

fn problem(error: PaymentError) -> Problem {
    match error {
        PaymentError::NotFound => Problem::not_found("payment"),
        error => Problem::internal("payment request", &error),
    }
}

/// List payments, oldest first, optionally for one customer or in one status.
#[utoipa::path(
    get, path = "/api/v1/payments", tag = "payments",
    params(PaymentListQuery),
    responses(
        (status = 200, description = "A page of payments", body = PaymentList),
        (status = 400, response = document::BadRequest),
        (status = 401, response = document::Unauthorized),
        (status = 422, response = document::ValidationFailed),
        (status = 500, response = document::InternalError),
    ),
    security(("api_key" = []))
)]
pub async fn list_payments(
    ApiMerchant(merchant): ApiMerchant,
    State(db): State<Database>,
    ApiQuery(query): ApiQuery<PaymentListQuery>,
) -> Result<Json<PaymentList>, Problem> {
    let filter = PaymentFilter {
        customer: customer_filter(query.customer_id.as_deref())?,
        status: filter(query.status.as_deref(), "status", PaymentStatus::parse)?,
        reconciliation: filter(
            query.reconciliation.as_deref(),
            "reconciliation",
            Reconciliation::parse,
        )?,
        ..PaymentFilter::default()
    };
    let page = page_request(query.limit.as_deref(), query.cursor.as_deref())?;
    let found = payments::list(&db, merchant, &filter, &page)
        .await
        .map_err(problem)?;
    Ok(Json(PaymentList {
        data: bodies(&db, merchant, found.items).await?,
        next_cursor: found.next.map(|cursor| cursor.encode()),
    }))
}

/// Read one payment with its allocations.
#[utoipa::path(
    get, path = "/api/v1/payments/{id}", tag = "payments",
    params(("id" = document::Id, Path, description = "The payment's id")),
    responses(
        (status = 200, description = "The payment", body = PaymentBody),
        (status = 400, response = document::BadRequest),
        (status = 401, response = document::Unauthorized),
        (status = 404, response = document::NotFound),
        (status = 500, response = document::InternalError),
    ),
    security(("api_key" = []))
)]
pub async fn get_payment(
    ApiMerchant(merchant): ApiMerchant,
    State(db): State<Database>,
    Path(id): Path<String>,
) -> Result<Json<PaymentBody>, Problem> {
    let id = PaymentId::parse(&id).map_err(|_| Problem::not_found("payment"))?;
    let payment = payments::get(&db, merchant, id).await.map_err(problem)?;
    Ok(Json(body(&db, merchant, payment).await?))
}

/// Mark a payment as recorded in the merchant's books by hand. Marking a reconciled payment
/// again changes nothing (it keeps who and when).
#[utoipa::path(
    post, path = "/api/v1/payments/{id}/reconcile", tag = "payments",
    params(("id" = document::Id, Path, description = "The payment's id")),
    responses(
        (status = 200, description = "The payment, reconciled", body = PaymentBody),
        (status = 400, response = document::BadRequest),
        (status = 401, response = document::Unauthorized),
        (status = 404, response = document::NotFound),
        (status = 409, response = document::Conflict),
        (status = 413, response = document::PayloadTooLarge),
        (status = 422, response = document::ValidationFailed),
        (status = 500, response = document::InternalError),
    ),
    security(("api_key" = []))
)]
pub async fn reconcile_payment(
    ApiMerchant(merchant): ApiMerchant,
    State(db): State<Database>,
    Path(id): Path<String>,
) -> Result<Json<PaymentBody>, Problem> {
    mark_by_api(&db, merchant, &id, Mark::Reconciled).await
}

/// Take back a manual reconciliation: the payment is `unreconciled` again.
#[utoipa::path(
    post, path = "/api/v1/payments/{id}/unreconcile", tag = "payments",
    params(("id" = document::Id, Path, description = "The payment's id")),
    responses(
        (status = 200, description = "The payment, unreconciled", body = PaymentBody),
        (status = 400, response = document::BadRequest),
        (status = 401, response = document::Unauthorized),
        (status = 404, response = document::NotFound),
        (status = 409, response = document::Conflict),
        (status = 413, response = document::PayloadTooLarge),
        (status = 422, response = document::ValidationFailed),
        (status = 500, response = document::InternalError),
    ),
    security(("api_key" = []))
)]
pub async fn unreconcile_payment(
    ApiMerchant(merchant): ApiMerchant,
    State(db): State<Database>,
    Path(id): Path<String>,
) -> Result<Json<PaymentBody>, Problem> {
    mark_by_api(&db, merchant, &id, Mark::Unreconciled).await
}

async fn mark_by_api(
    db: &Database,
    merchant: app::domain::ids::MerchantId,
    id: &str,
    mark: Mark,
) -> Result<Json<PaymentBody>, Problem> {
    let id = PaymentId::parse(id).map_err(|_| Problem::not_found("payment"))?;
    match reconciliation::mark(db, merchant, &[id], mark, "API").await {
        Ok(_) => {}
        Err(ReconcileError::NotFound) => return Err(Problem::not_found("payment")),
        Err(ReconcileError::Automatic(state)) => {
            return Err(Problem::conflict(format!(
                "The payment is {}: its accounting connection keeps its reconciliation.",
                state.code()
            )));
        }
        Err(ReconcileError::NotSettled(status)) => {
            return Err(Problem::conflict(format!(
                "The payment is {}: only a succeeded or refunded payment can be marked reconciled.",
                status.code()
            )));
        }
        Err(error) => return Err(Problem::internal("marking a payment", &error)),
    }
    let payment = payments::get(db, merchant, id).await.map_err(problem)?;
    Ok(Json(body(db, merchant, payment).await?))
}
