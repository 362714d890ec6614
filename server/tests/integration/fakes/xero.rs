//! A fake Xero: its identity server (`/identity/connect/authorize`, `/connect/token`,
//! `/connect/revocation`), the tenant connections (`/connections`), and the Accounting API's
//! accounts (`/api.xro/2.0/Accounts`). As Xero does: every Accounting call needs a working
//! Bearer token and `xero-tenant-id` (403 `AuthenticationUnsuccessful` otherwise), and is
//! answered in XML unless it asks for JSON.

use crate::fakes::oauth::{self, Flavour, OAuthServer};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub const TENANT_ID: &str = "70784a63-d24b-46a9-a4db-0e70a274b056";
pub const TENANT_NAME: &str = "Northwind Books Ltd";
pub const CONNECTION_ID: &str = "e1eede29-f875-4a5d-8470-17f6a29a88b1";
pub const BANK_ACCOUNT_ID: &str = "13918178-849a-4823-9a31-57b7eac713d7";

/// How the fake misbehaves on the next payment write, for the tests of retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trouble {
    /// 500, nothing written.
    ServerError,
    /// 429 with `Retry-After` and `X-Rate-Limit-Problem: minute`, nothing written.
    RateLimit,
    /// The payment is written, then the answer is lost (504, as a proxy's timeout).
    CommitThenTimeout,
}

/// A sales invoice of the organisation.
#[derive(Debug, Clone)]
pub struct FakeInvoice {
    pub total: rust_decimal::Decimal,
    pub paid: rust_decimal::Decimal,
}

/// A payment recorded against an invoice.
#[derive(Debug, Clone)]
pub struct FakePayment {
    pub invoice_id: String,
    pub account_id: String,
    pub amount: rust_decimal::Decimal,
    pub date: String,
    pub deleted: bool,
}

#[derive(Debug, Default)]
pub struct XeroState {
    pub connection_deleted: bool,
    /// The `authEventId` each `GET /connections` asked for.
    pub connection_queries: Vec<Option<String>>,
    pub invoices: HashMap<String, FakeInvoice>,
    pub payments: HashMap<String, FakePayment>,
    /// The answers given by `Idempotency-Key`, with the body they answered.
    answered: HashMap<String, (serde_json::Value, serde_json::Value)>,
    pub trouble: std::collections::VecDeque<Trouble>,
    /// Every payment write that reached the fake, troubled or not.
    pub payment_writes: usize,
}

impl XeroState {
    /// The payments recorded against `invoice` that stand.
    pub fn standing_payments(&self, invoice: &str) -> Vec<FakePayment> {
        self.payments
            .values()
            .filter(|payment| payment.invoice_id == invoice && !payment.deleted)
            .cloned()
            .collect()
    }
}

#[derive(Clone)]
pub struct FakeXero {
    pub address: String,
    pub oauth: OAuthServer,
    pub state: Arc<Mutex<XeroState>>,
}

impl FakeXero {
    pub async fn start() -> Self {
        Self::start_on("127.0.0.1:0").await
    }

    /// The fake at `address` (a fixed port, for the browser tests' process).
    pub async fn start_on(address: &str) -> Self {
        let oauth = OAuthServer::new(Flavour {
            pkce: true,
            access_lifetime: 1800,
            realm_id: None,
            required_scopes: vec!["offline_access", "accounting.settings.read"],
        });
        let state = Arc::<Mutex<XeroState>>::default();
        let identity = Router::new()
            .route("/", get(|| async { "fake Xero" }))
            .route(
                "/identity/connect/authorize",
                get(oauth::authorize_page).post(oauth::authorize_decision),
            )
            .route("/connect/token", post(oauth::token))
            .route("/connect/revocation", post(oauth::revoke))
            .with_state(oauth.clone());
        let api = Router::new()
            .route("/connections", get(connections))
            .route("/connections/{id}", delete(delete_connection))
            .route("/api.xro/2.0/Accounts", get(accounts))
            .route("/api.xro/2.0/Payments", axum::routing::put(put_payments))
            .route("/api.xro/2.0/Payments/{id}", post(delete_payment))
            .with_state((oauth.clone(), state.clone()));
        let address = crate::fakes::serve(identity.merge(api), address).await;
        Self {
            address,
            oauth,
            state,
        }
    }

    /// Adds an AUTHORISED sales invoice; answers its `InvoiceID`.
    pub fn add_invoice(&self, total: &str) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        self.add_invoice_with_id(&id, total);
        id
    }

    /// Adds an AUTHORISED sales invoice whose `InvoiceID` is `id`.
    pub fn add_invoice_with_id(&self, id: &str, total: &str) {
        self.state.lock().unwrap().invoices.insert(
            id.to_owned(),
            FakeInvoice {
                total: total.parse().unwrap(),
                paid: rust_decimal::Decimal::ZERO,
            },
        );
    }

    /// The variables that point Portico at this fake.
    pub fn vars(&self) -> Vec<(&'static str, String)> {
        let at = |path: &str| format!("{}{path}", self.address);
        vec![
            ("XERO_CLIENT_ID", oauth::CLIENT_ID.to_owned()),
            ("XERO_CLIENT_SECRET", oauth::CLIENT_SECRET.to_owned()),
            ("XERO_AUTH_URL", at("/identity/connect/authorize")),
            ("XERO_TOKEN_URL", at("/connect/token")),
            ("XERO_REVOKE_URL", at("/connect/revocation")),
            ("XERO_CONNECTIONS_URL", at("/connections")),
            ("XERO_API_URL", at("/api.xro/2.0")),
        ]
    }
}

type ApiState = (OAuthServer, Arc<Mutex<XeroState>>);

fn problem(status: StatusCode, title: &str, detail: &str) -> Response {
    (
        status,
        axum::Json(serde_json::json!({
            "Type": null, "Title": title, "Status": status.as_u16(), "Detail": detail,
            "Instance": uuid::Uuid::new_v4().to_string(), "Extensions": {}
        })),
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
struct ConnectionsQuery {
    #[serde(rename = "authEventId")]
    auth_event_id: Option<String>,
}

async fn connections(
    State((oauth, state)): State<ApiState>,
    headers: HeaderMap,
    Query(query): Query<ConnectionsQuery>,
) -> Response {
    if !oauth.accepts(&headers) {
        return problem(StatusCode::UNAUTHORIZED, "Unauthorized", "TokenExpired");
    }
    let mut state = state.lock().unwrap();
    state.connection_queries.push(query.auth_event_id);
    if state.connection_deleted {
        return axum::Json(serde_json::json!([])).into_response();
    }
    axum::Json(serde_json::json!([{
        "id": CONNECTION_ID,
        "authEventId": "d99ecdfe-1ef6-4d3c-a8a9-7f5e8f2a1a11",
        "tenantId": TENANT_ID,
        "tenantType": "ORGANISATION",
        "tenantName": TENANT_NAME,
        "createdDateUtc": "2026-12-08T09:00:00.5165400",
        "updatedDateUtc": "2026-12-08T09:00:00.5165400"
    }]))
    .into_response()
}

async fn delete_connection(
    State((oauth, state)): State<ApiState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if !oauth.accepts(&headers) {
        return problem(StatusCode::UNAUTHORIZED, "Unauthorized", "TokenExpired");
    }
    if id != CONNECTION_ID {
        return StatusCode::NOT_FOUND.into_response();
    }
    state.lock().unwrap().connection_deleted = true;
    StatusCode::NO_CONTENT.into_response()
}

/// The organisation's chart of accounts: two active bank accounts (one without a code, as
/// bank accounts often are), a revenue account, an archived bank account.
fn chart() -> Vec<serde_json::Value> {
    let account = |id: &str, code: Option<&str>, name: &str, kind: &str, status: &str| {
        let mut account = serde_json::json!({
            "AccountID": id, "Name": name, "Type": kind, "Status": status,
            "TaxType": "NONE", "CurrencyCode": "USD", "EnablePaymentsToAccount": false,
            "UpdatedDateUTC": "/Date(1765184400000+0000)/"
        });
        if let Some(code) = code {
            account["Code"] = serde_json::json!(code);
        }
        if kind == "BANK" {
            account["BankAccountType"] = serde_json::json!("BANK");
        }
        account
    };
    vec![
        account(
            BANK_ACCOUNT_ID,
            Some("090"),
            "Business Bank Account",
            "BANK",
            "ACTIVE",
        ),
        account(
            "6f7594f2-f059-4d56-9e67-47ac9733bfe9",
            None,
            "Business Savings",
            "BANK",
            "ACTIVE",
        ),
        account(
            "5040915e-8ce7-4177-8d08-fde416232f18",
            Some("200"),
            "Sales",
            "REVENUE",
            "ACTIVE",
        ),
        account(
            "ebd06280-af70-4bed-97c6-7451a454ad85",
            Some("091"),
            "Old Account",
            "BANK",
            "ARCHIVED",
        ),
    ]
}

#[derive(Debug, Deserialize)]
struct WhereQuery {
    r#where: Option<String>,
}

/// `GET /Accounts` with the `where` filters Portico sends (`Status=="…"`, `Type=="…"`).
async fn accounts(
    State((oauth, _)): State<ApiState>,
    headers: HeaderMap,
    Query(query): Query<WhereQuery>,
) -> Response {
    if !oauth.accepts(&headers) {
        return problem(StatusCode::UNAUTHORIZED, "Unauthorized", "TokenExpired");
    }
    if headers
        .get("xero-tenant-id")
        .and_then(|value| value.to_str().ok())
        != Some(TENANT_ID)
    {
        return problem(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "AuthenticationUnsuccessful",
        );
    }
    if headers.get("accept").and_then(|value| value.to_str().ok()) != Some("application/json") {
        return (
            [("content-type", "text/xml")],
            "<Response><Status>OK</Status><Accounts /></Response>",
        )
            .into_response();
    }
    let filters: HashMap<String, String> = query
        .r#where
        .unwrap_or_default()
        .split(" AND ")
        .filter_map(|clause| {
            let (field, value) = clause.split_once("==")?;
            Some((
                field.trim().to_owned(),
                value.trim().trim_matches('"').to_owned(),
            ))
        })
        .collect();
    let accounts: Vec<_> = chart()
        .into_iter()
        .filter(|account| {
            filters
                .iter()
                .all(|(field, value)| account.get(field).and_then(|v| v.as_str()) == Some(value))
        })
        .collect();
    axum::Json(serde_json::json!({
        "Id": uuid::Uuid::new_v4().to_string(),
        "Status": "OK",
        "ProviderName": "Portico",
        "DateTimeUTC": "/Date(1765184400000)/",
        "Accounts": accounts
    }))
    .into_response()
}

/// The checks every Accounting call passes first: a working token, the tenant, JSON.
fn refuse(oauth: &OAuthServer, headers: &HeaderMap) -> Option<Response> {
    if !oauth.accepts(headers) {
        return Some(problem(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "TokenExpired",
        ));
    }
    if headers
        .get("xero-tenant-id")
        .and_then(|value| value.to_str().ok())
        != Some(TENANT_ID)
    {
        return Some(problem(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "AuthenticationUnsuccessful",
        ));
    }
    if headers.get("accept").and_then(|value| value.to_str().ok()) != Some("application/json") {
        return Some(([("content-type", "text/xml")], "<Response />").into_response());
    }
    None
}

fn validation(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(serde_json::json!({
            "ErrorNumber": 10, "Type": "ValidationException",
            "Message": "A validation exception occurred",
            "Elements": [{"ValidationErrors": [{"Message": message}]}]
        })),
    )
        .into_response()
}

/// What a troubled write answers instead, before (or, for a lost answer, after) writing.
fn trouble_answer(trouble: Trouble) -> Response {
    match trouble {
        Trouble::ServerError => {
            (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response()
        }
        Trouble::RateLimit => (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", "42"), ("x-rate-limit-problem", "minute")],
            "",
        )
            .into_response(),
        Trouble::CommitThenTimeout => {
            (StatusCode::GATEWAY_TIMEOUT, "Gateway Timeout").into_response()
        }
    }
}

/// The payment body's fields the fake reads, checked as the `Payment` schema has them.
fn payment_fields(
    body: &serde_json::Value,
) -> Result<(String, String, rust_decimal::Decimal, String), String> {
    let payment = body
        .get("Payments")
        .and_then(|payments| payments.as_array())
        .filter(|payments| payments.len() == 1)
        .and_then(|payments| payments.first())
        .ok_or("Payments must hold one payment")?;
    let text = |pointer: &str| {
        payment
            .pointer(pointer)
            .and_then(|value| value.as_str())
            .map(str::to_owned)
    };
    let invoice = text("/Invoice/InvoiceID").ok_or("Invoice.InvoiceID is required")?;
    let account = text("/Account/AccountID").ok_or("Account.AccountID is required")?;
    let date = text("/Date")
        .filter(|date| date.len() == 10)
        .ok_or("Date must be YYYY-MM-DD")?;
    let amount = payment
        .get("Amount")
        .filter(|amount| amount.is_number())
        .and_then(|amount| amount.to_string().parse().ok())
        .ok_or("Amount must be a number")?;
    Ok((invoice, account, amount, date))
}

async fn put_payments(
    State((oauth, state)): State<ApiState>,
    headers: HeaderMap,
    axum::Json(body): axum::Json<serde_json::Value>,
) -> Response {
    if let Some(refusal) = refuse(&oauth, &headers) {
        return refusal;
    }
    let key = headers
        .get("idempotency-key")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let mut state = state.lock().unwrap();
    state.payment_writes += 1;
    if let Some(key) = &key
        && let Some((first_body, answer)) = state.answered.get(key)
    {
        if *first_body != body {
            return validation(&format!(
                "Idempotency Key {key} is used with a different request"
            ));
        }
        return axum::Json(answer.clone()).into_response();
    }
    let trouble = state.trouble.pop_front();
    if let Some(trouble @ (Trouble::ServerError | Trouble::RateLimit)) = trouble {
        return trouble_answer(trouble);
    }
    let (invoice_id, account_id, amount, date) = match payment_fields(&body) {
        Ok(fields) => fields,
        Err(message) => return validation(&message),
    };
    if !chart()
        .iter()
        .any(|account| account["AccountID"] == account_id.as_str() && account["Type"] == "BANK")
    {
        return validation(
            "Account must be valid. Accounts must be of type BANK or enabled for payments",
        );
    }
    let Some(invoice) = state.invoices.get_mut(&invoice_id) else {
        return validation("Invoice could not be found");
    };
    if amount > invoice.total - invoice.paid {
        return validation("Payment amount exceeds the amount outstanding on this document");
    }
    invoice.paid += amount;
    let payment_id = uuid::Uuid::new_v4().to_string();
    state.payments.insert(
        payment_id.clone(),
        FakePayment {
            invoice_id: invoice_id.clone(),
            account_id,
            amount,
            date,
            deleted: false,
        },
    );
    let answer = serde_json::json!({
        "Id": uuid::Uuid::new_v4().to_string(), "Status": "OK", "ProviderName": "Portico",
        "Payments": [{
            "PaymentID": payment_id, "Status": "AUTHORISED", "Amount": amount.to_string().parse::<f64>().unwrap(),
            "Invoice": {"InvoiceID": invoice_id}, "HasValidationErrors": false,
            "UpdatedDateUTC": "/Date(1765184400000+0000)/"
        }]
    });
    if let Some(key) = key {
        state.answered.insert(key, (body, answer.clone()));
    }
    if trouble == Some(Trouble::CommitThenTimeout) {
        return trouble_answer(Trouble::CommitThenTimeout);
    }
    axum::Json(answer).into_response()
}

/// `POST /Payments/{id}` with `{"Status":"DELETED"}`: the payment deleted, its invoice owing
/// again.
async fn delete_payment(
    State((oauth, state)): State<ApiState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    axum::Json(body): axum::Json<serde_json::Value>,
) -> Response {
    if let Some(refusal) = refuse(&oauth, &headers) {
        return refusal;
    }
    if body != serde_json::json!({"Status": "DELETED"}) {
        return validation("The body must be the PaymentDelete schema: {\"Status\":\"DELETED\"}");
    }
    let mut state = state.lock().unwrap();
    let Some(payment) = state.payments.get_mut(&id) else {
        return validation("Payment could not be found");
    };
    if !payment.deleted {
        payment.deleted = true;
        let (invoice, amount) = (payment.invoice_id.clone(), payment.amount);
        if let Some(invoice) = state.invoices.get_mut(&invoice) {
            invoice.paid -= amount;
        }
    }
    axum::Json(serde_json::json!({"Payments": [{"PaymentID": id, "Status": "DELETED"}]}))
        .into_response()
}
