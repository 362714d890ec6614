//! `/api/v1/installment-plans`: the schedules customers agreed to, and what each installment
//! has collected so far.

use crate::api::document;
use crate::api::extract::{ApiMerchant, ApiQuery};
use crate::api::problem::Problem;
use crate::api::{customer_filter, filter, page_request};
use app::domain::ids::PlanId;
use app::domain::installment_plan::PlanStatus;
use app::services::Database;
use app::services::clock::date_text;
use app::services::installment_plans::{self, Plan, PlanError, PlanFilter};
use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanBody {
    pub id: String,
    pub customer_id: String,
    #[schema(value_type = document::PlanStatus)]
    pub status: String,
    /// The rail every installment is collected on.
    #[schema(value_type = document::PaymentMethod)]
    pub method: String,
    /// What the installments are collected from, masked (`Visa ending 4242`).
    pub instrument: String,
    #[schema(value_type = document::TermDays)]
    pub term_days: u16,
    #[schema(value_type = document::CurrencyCode)]
    pub currency: String,
    /// What the plan pays on its invoices.
    #[schema(example = "900.00")]
    pub principal: String,
    /// The merchant's fee for the term; the installments carry it, the invoices do not.
    #[schema(example = "0.00")]
    pub fee: String,
    /// `principal` + `fee`: what the installments add up to.
    #[schema(example = "900.00")]
    pub total: String,
    /// The invoices the plan pays, in the order its installments pay them.
    pub invoices: Vec<PlanInvoiceBody>,
    pub installments: Vec<InstallmentBody>,
    pub created_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanInvoiceBody {
    pub invoice_id: String,
    /// The part of the invoice the plan pays.
    pub amount: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InstallmentBody {
    /// 1 is the installment collected at confirmation.
    pub number: u32,
    /// The business day it is collected on (`YYYY-MM-DD`).
    pub due_on: String,
    pub amount: String,
    /// The part of `amount` that is the plan's fee.
    pub fee: String,
    #[schema(value_type = document::InstallmentStatus)]
    pub status: String,
    /// When a failed collection is tried again, or until when a new method is awaited.
    pub next_attempt_on: Option<String>,
    /// The payment of its latest collection, once one started.
    pub payment_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanList {
    pub data: Vec<PlanBody>,
    /// Pass as `cursor` to read the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PlanListQuery {
    /// Only this customer's plans.
    #[param(value_type = Option<document::Id>)]
    pub customer_id: Option<String>,
    /// Only plans in this status.
    #[param(value_type = Option<document::PlanStatus>)]
    pub status: Option<String>,
    /// Page size.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, default = 25)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page.
    #[param(value_type = Option<document::Cursor>)]
    pub cursor: Option<String>,
}

impl From<Plan> for PlanBody {
    fn from(plan: Plan) -> Self {
        Self {
            id: plan.id.to_string(),
            customer_id: plan.customer.to_string(),
            status: plan.status.code().to_owned(),
            method: plan.method.code().to_owned(),
            instrument: plan.instrument_label,
            term_days: plan.term_days,
            currency: plan.total.currency().code().to_owned(),
            principal: plan.principal.to_plain_string(),
            fee: plan.fee.to_plain_string(),
            total: plan.total.to_plain_string(),
            invoices: plan
                .invoices
                .into_iter()
                .map(|(invoice, share)| PlanInvoiceBody {
                    invoice_id: invoice.to_string(),
                    amount: share.to_plain_string(),
                })
                .collect(),
            installments: plan
                .installments
                .into_iter()
                .map(|installment| InstallmentBody {
                    number: installment.position + 1,
                    due_on: date_text(installment.due_on),
                    amount: installment.amount.to_plain_string(),
                    fee: installment.fee.to_plain_string(),
                    status: installment.status.code().to_owned(),
                    next_attempt_on: installment.next_attempt_on.map(date_text),
                    payment_id: installment.payment.map(|payment| payment.to_string()),
                })
                .collect(),
            created_at: plan.created_at,
        }
    }
}

fn problem(error: PlanError) -> Problem {
    match error {
        PlanError::NotFound => Problem::not_found("installment plan"),
        error => Problem::internal("installment plan request", &error),
    }
}

/// List installment plans, oldest first, optionally for one customer or in one status.
#[utoipa::path(
    get, path = "/api/v1/installment-plans", tag = "installment plans",
    params(PlanListQuery),
    responses(
        (status = 200, description = "A page of installment plans", body = PlanList),
        (status = 400, response = document::BadRequest),
        (status = 401, response = document::Unauthorized),
        (status = 422, response = document::ValidationFailed),
        (status = 500, response = document::InternalError),
    ),
    security(("api_key" = []))
)]
pub async fn list_plans(
    ApiMerchant(merchant): ApiMerchant,
    State(db): State<Database>,
    ApiQuery(query): ApiQuery<PlanListQuery>,
) -> Result<Json<PlanList>, Problem> {
    let filter = PlanFilter {
        customer: customer_filter(query.customer_id.as_deref())?,
        status: filter(query.status.as_deref(), "status", PlanStatus::parse)?,
    };
    let page = page_request(query.limit.as_deref(), query.cursor.as_deref())?;
    let found = installment_plans::list(&db, merchant, &filter, &page)
        .await
        .map_err(problem)?;
    Ok(Json(PlanList {
        data: found.items.into_iter().map(PlanBody::from).collect(),
        next_cursor: found.next.map(|cursor| cursor.encode()),
    }))
}

/// Read one installment plan with its invoices and every installment.
#[utoipa::path(
    get, path = "/api/v1/installment-plans/{id}", tag = "installment plans",
    params(("id" = document::Id, Path, description = "The plan's id")),
    responses(
        (status = 200, description = "The installment plan", body = PlanBody),
        (status = 400, response = document::BadRequest),
        (status = 401, response = document::Unauthorized),
        (status = 404, response = document::NotFound),
        (status = 500, response = document::InternalError),
    ),
    security(("api_key" = []))
)]
pub async fn get_plan(
    ApiMerchant(merchant): ApiMerchant,
    State(db): State<Database>,
    Path(id): Path<String>,
) -> Result<Json<PlanBody>, Problem> {
    let id = PlanId::parse(&id).map_err(|_| Problem::not_found("installment plan"))?;
    let plan = installment_plans::get(&db, merchant, id)
        .await
        .map_err(problem)?;
    Ok(Json(plan.into()))
}
