//! A fake QuickBooks Online: Intuit's OAuth server (`/connect/oauth2`, whose callback names the
//! company in `realmId`; `/oauth2/v1/tokens/bearer`; `/v2/oauth2/tokens/revoke`, which takes
//! JSON) and the Accounting API's company info and query endpoint for accounts. As QuickBooks
//! does: a missing or expired token is the gateway's lowercase `fault` with 401; a
//! `minorversion` below 75 is refused here (QuickBooks would silently answer in 75); XML unless
//! JSON is asked for.

use crate::fakes::oauth::{self, Flavour, OAuthServer};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub const REALM_ID: &str = "9341453012345678";
pub const COMPANY_NAME: &str = "Maple Wholesale Books";
pub const CHECKING_ID: &str = "35";

pub use crate::fakes::xero::Trouble;

/// An invoice of the company.
#[derive(Debug, Clone)]
pub struct FakeInvoice {
    pub number: String,
    pub customer: String,
    pub balance: rust_decimal::Decimal,
}

/// A Payment: its lines (invoice id, amount), total, and whether it was voided.
#[derive(Debug, Clone)]
pub struct FakePayment {
    pub lines: Vec<(String, rust_decimal::Decimal)>,
    pub total: rust_decimal::Decimal,
    pub sync_token: u32,
    pub voided: bool,
    pub deposit_to: Option<String>,
}

#[derive(Debug, Default)]
pub struct CompanyState {
    pub invoices: HashMap<String, FakeInvoice>,
    pub payments: HashMap<String, FakePayment>,
    /// The answers given by `requestid`.
    answered: HashMap<String, serde_json::Value>,
    /// The refusals given by `requestid`: Intuit answers a repeated requestid with "the same
    /// response as it did for the original request", a refusal included.
    refused: HashMap<String, (&'static str, &'static str, &'static str)>,
    pub trouble: std::collections::VecDeque<Trouble>,
    pub payment_writes: usize,
    serial: u32,
}

#[derive(Clone)]
pub struct FakeQuickBooks {
    pub address: String,
    pub oauth: OAuthServer,
    pub company: Arc<Mutex<CompanyState>>,
}

impl FakeQuickBooks {
    pub async fn start() -> Self {
        let oauth = OAuthServer::new(Flavour {
            pkce: false,
            access_lifetime: 3600,
            realm_id: Some(REALM_ID.to_owned()),
            required_scopes: vec!["com.intuit.quickbooks.accounting"],
        });
        let router = Router::new()
            .route(
                "/connect/oauth2",
                get(oauth::authorize_page).post(oauth::authorize_decision),
            )
            .route("/oauth2/v1/tokens/bearer", post(oauth::token))
            .route("/v2/oauth2/tokens/revoke", post(oauth::revoke))
            .route("/v3/company/{realm}/companyinfo/{id}", get(company_info))
            .route("/v3/company/{realm}/query", get(query))
            .with_state(oauth.clone());
        let company = Arc::<Mutex<CompanyState>>::default();
        let entities = Router::new()
            .route("/v3/company/{realm}/invoice/{id}", get(read_invoice))
            .route("/v3/company/{realm}/payment/{id}", get(read_payment))
            .route("/v3/company/{realm}/payment", post(write_payment))
            .with_state((oauth.clone(), company.clone()));
        let address = crate::fakes::serve(router.merge(entities), "127.0.0.1:0").await;
        Self {
            address,
            oauth,
            company,
        }
    }

    /// Adds an open invoice of customer `customer`; answers its `Id`.
    pub fn add_invoice(&self, number: &str, customer: &str, balance: &str) -> String {
        let mut company = self.company.lock().unwrap();
        company.serial += 1;
        let id = (130 + company.serial).to_string();
        company.invoices.insert(
            id.clone(),
            FakeInvoice {
                number: number.to_owned(),
                customer: customer.to_owned(),
                balance: balance.parse().unwrap(),
            },
        );
        id
    }

    /// The variables that point Portico at this fake.
    pub fn vars(&self) -> Vec<(&'static str, String)> {
        let at = |path: &str| format!("{}{path}", self.address);
        vec![
            ("QUICKBOOKS_CLIENT_ID", oauth::CLIENT_ID.to_owned()),
            ("QUICKBOOKS_CLIENT_SECRET", oauth::CLIENT_SECRET.to_owned()),
            ("QUICKBOOKS_AUTH_URL", at("/connect/oauth2")),
            ("QUICKBOOKS_TOKEN_URL", at("/oauth2/v1/tokens/bearer")),
            ("QUICKBOOKS_REVOKE_URL", at("/v2/oauth2/tokens/revoke")),
            ("QUICKBOOKS_API_URL", self.address.clone()),
        ]
    }
}

#[derive(Debug, Deserialize)]
struct ApiQuery {
    minorversion: Option<String>,
    query: Option<String>,
    requestid: Option<String>,
    operation: Option<String>,
    include: Option<String>,
}

fn gateway_fault() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        axum::Json(serde_json::json!({
            "warnings": null, "intuitObject": null,
            "fault": {"error": [{"message": "message=AuthenticationFailed; errorCode=003200; statusCode=401", "detail": "Token expired", "code": "3200", "element": null}], "type": "AUTHENTICATION"},
            "report": null, "queryResponse": null, "batchItemResponse": [], "attachableResponse": [],
            "syncErrorResponse": null, "requestId": null, "time": 1765184400000_i64, "status": null,
            "cdcresponse": []
        })),
    )
        .into_response()
}

fn validation_fault(message: &str, detail: &str, code: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(serde_json::json!({
            "Fault": {"Error": [{"Message": message, "Detail": detail, "code": code, "element": ""}], "type": "ValidationFault"},
            "time": "2026-12-08T09:00:00.000-08:00"
        })),
    )
        .into_response()
}

/// The checks every Accounting API call passes first.
fn refuse(
    oauth: &OAuthServer,
    headers: &HeaderMap,
    realm: &str,
    query: &ApiQuery,
) -> Option<Response> {
    if !oauth.accepts(headers) {
        return Some(gateway_fault());
    }
    if realm != REALM_ID {
        return Some((StatusCode::FORBIDDEN, "AuthorizationFailed").into_response());
    }
    let minor: u32 = query
        .minorversion
        .as_deref()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if minor < 75 {
        return Some(validation_fault(
            "An application error has occurred while processing your request",
            "minorversion 75 or above is required",
            "4000",
        ));
    }
    if headers.get("accept").and_then(|value| value.to_str().ok()) != Some("application/json") {
        return Some(([("content-type", "application/xml")], "<IntuitResponse/>").into_response());
    }
    None
}

async fn company_info(
    State(oauth): State<OAuthServer>,
    headers: HeaderMap,
    Path((realm, id)): Path<(String, String)>,
    Query(query): Query<ApiQuery>,
) -> Response {
    if let Some(refusal) = refuse(&oauth, &headers, &realm, &query) {
        return refusal;
    }
    if id != realm {
        return validation_fault("Object Not Found", "Object Not Found : CompanyInfo", "610");
    }
    axum::Json(serde_json::json!({
        "CompanyInfo": {
            "CompanyName": COMPANY_NAME, "LegalName": COMPANY_NAME, "Country": "CA",
            "domain": "QBO", "sparse": false, "Id": "1", "SyncToken": "4",
            "MetaData": {"CreateTime": "2026-01-05T10:00:00-08:00", "LastUpdatedTime": "2026-12-01T10:00:00-08:00"}
        },
        "time": "2026-12-08T09:00:00.000-08:00"
    }))
    .into_response()
}

/// The query endpoint, for what Portico asks of it: the active bank accounts.
async fn query(
    State(oauth): State<OAuthServer>,
    headers: HeaderMap,
    Path(realm): Path<String>,
    Query(query): Query<ApiQuery>,
) -> Response {
    if let Some(refusal) = refuse(&oauth, &headers, &realm, &query) {
        return refusal;
    }
    let statement = query.query.clone().unwrap_or_default().to_lowercase();
    if !statement.starts_with("select * from account") {
        return validation_fault(
            "Error parsing query",
            "QueryParserError: unsupported here",
            "4000",
        );
    }
    let account = |id: &str, name: &str, kind: &str, active: bool| {
        serde_json::json!({
            "Id": id, "Name": name, "AccountType": kind, "Active": active, "domain": "QBO",
            "SyncToken": "0", "CurrencyRef": {"value": "CAD", "name": "Canadian Dollar"}
        })
    };
    let chart = [
        account(CHECKING_ID, "Chequing", "Bank", true),
        account("36", "Savings", "Bank", true),
        account("4", "Undeposited Funds", "Other Current Asset", true),
        account("37", "Closed Chequing", "Bank", false),
    ];
    let wants_bank = statement.contains("accounttype = 'bank'");
    let wants_active = statement.contains("active = true");
    let rows: Vec<_> = chart
        .into_iter()
        .filter(|row| !wants_bank || row["AccountType"] == "Bank")
        .filter(|row| !wants_active || row["Active"] == true)
        .collect();
    let response = if rows.is_empty() {
        serde_json::json!({})
    } else {
        serde_json::json!({"Account": rows, "startPosition": 1, "maxResults": rows.len()})
    };
    axum::Json(
        serde_json::json!({"QueryResponse": response, "time": "2026-12-08T09:00:00.000-08:00"}),
    )
    .into_response()
}

type CompanyApi = (OAuthServer, Arc<Mutex<CompanyState>>);

fn payment_json(id: &str, payment: &FakePayment) -> serde_json::Value {
    let number = |amount: &rust_decimal::Decimal| amount.to_string().parse::<f64>().unwrap();
    serde_json::json!({
        "Payment": {
            "Id": id, "SyncToken": payment.sync_token.to_string(), "domain": "QBO", "sparse": false,
            "TotalAmt": if payment.voided { 0.0 } else { number(&payment.total) },
            "PrivateNote": if payment.voided { "Voided" } else { "" },
            "Line": payment.lines.iter().map(|(invoice, amount)| serde_json::json!({
                "Amount": if payment.voided { 0.0 } else { number(amount) },
                "LinkedTxn": [{"TxnId": invoice, "TxnType": "Invoice"}]
            })).collect::<Vec<_>>()
        },
        "time": "2026-12-08T09:00:00.000-08:00"
    })
}

async fn read_invoice(
    State((oauth, company)): State<CompanyApi>,
    headers: HeaderMap,
    Path((realm, id)): Path<(String, String)>,
    Query(query): Query<ApiQuery>,
) -> Response {
    if let Some(refusal) = refuse(&oauth, &headers, &realm, &query) {
        return refusal;
    }
    let company = company.lock().unwrap();
    let Some(invoice) = company.invoices.get(&id) else {
        return validation_fault(
            "Object Not Found",
            "Object Not Found : Something you're trying to use has been made inactive or is not available.",
            "610",
        );
    };
    axum::Json(serde_json::json!({
        "Invoice": {
            "Id": id, "DocNumber": invoice.number, "SyncToken": "0",
            "CustomerRef": {"value": invoice.customer},
            "Balance": invoice.balance.to_string().parse::<f64>().unwrap()
        },
        "time": "2026-12-08T09:00:00.000-08:00"
    }))
    .into_response()
}

async fn read_payment(
    State((oauth, company)): State<CompanyApi>,
    headers: HeaderMap,
    Path((realm, id)): Path<(String, String)>,
    Query(query): Query<ApiQuery>,
) -> Response {
    if let Some(refusal) = refuse(&oauth, &headers, &realm, &query) {
        return refusal;
    }
    let company = company.lock().unwrap();
    match company.payments.get(&id) {
        Some(payment) => axum::Json(payment_json(&id, payment)).into_response(),
        None => validation_fault("Object Not Found", "Object Not Found : Payment", "610"),
    }
}

/// A Payment create body as read: the customer, the lines (invoice, amount), the total and the
/// deposit account.
type PaymentBody = (
    String,
    Vec<(String, rust_decimal::Decimal)>,
    rust_decimal::Decimal,
    Option<String>,
);

/// The fields of a Payment create body, checked against the XSD's Payment entity (and the
/// required ones Intuit documents).
fn payment_body(body: &serde_json::Value) -> Result<PaymentBody, String> {
    let decimal = |value: &serde_json::Value| -> Option<rust_decimal::Decimal> {
        value
            .is_number()
            .then(|| value.to_string().parse().ok())
            .flatten()
    };
    let customer = body
        .pointer("/CustomerRef/value")
        .and_then(|value| value.as_str())
        .ok_or("CustomerRef.value is required")?;
    let total = body
        .get("TotalAmt")
        .and_then(decimal)
        .ok_or("TotalAmt must be a number")?;
    let lines = body
        .get("Line")
        .and_then(|lines| lines.as_array())
        .ok_or("Line must be an array")?;
    let mut parsed = Vec::new();
    for line in lines {
        let amount = line
            .get("Amount")
            .and_then(decimal)
            .ok_or("Line.Amount must be a number")?;
        let linked = line
            .pointer("/LinkedTxn/0")
            .ok_or("Line.LinkedTxn is required")?;
        if linked.get("TxnType").and_then(|value| value.as_str()) != Some("Invoice") {
            return Err("LinkedTxn.TxnType must be Invoice".to_owned());
        }
        let invoice = linked
            .get("TxnId")
            .and_then(|value| value.as_str())
            .ok_or("LinkedTxn.TxnId is required")?;
        parsed.push((invoice.to_owned(), amount));
    }
    let deposit = body
        .pointer("/DepositToAccountRef/value")
        .and_then(|value| value.as_str())
        .map(str::to_owned);
    Ok((customer.to_owned(), parsed, total, deposit))
}

async fn write_payment(
    State((oauth, company)): State<CompanyApi>,
    headers: HeaderMap,
    Path(realm): Path<String>,
    Query(query): Query<ApiQuery>,
    axum::Json(body): axum::Json<serde_json::Value>,
) -> Response {
    if let Some(refusal) = refuse(&oauth, &headers, &realm, &query) {
        return refusal;
    }
    let mut company = company.lock().unwrap();
    company.payment_writes += 1;
    if let Some(answer) = query
        .requestid
        .as_ref()
        .and_then(|id| company.answered.get(id))
    {
        return axum::Json(answer.clone()).into_response();
    }
    if let Some((message, detail, code)) = query
        .requestid
        .as_ref()
        .and_then(|id| company.refused.get(id))
    {
        return validation_fault(message, detail, code);
    }
    let trouble = company.trouble.pop_front();
    match trouble {
        Some(Trouble::ServerError) => return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response(),
        Some(Trouble::RateLimit) => return (StatusCode::TOO_MANY_REQUESTS, axum::Json(serde_json::json!({
            "fault": {"error": [{"message": "message=ThrottleExceeded; errorCode=003001; statusCode=429", "detail": "The request limit was reached.", "code": "3001"}], "type": "SERVICE"}
        }))).into_response(),
        _ => {}
    }
    let answer = match (query.operation.as_deref(), query.include.as_deref()) {
        (Some("update"), Some("void")) => {
            let id = body
                .get("Id")
                .and_then(|value| value.as_str())
                .unwrap_or_default()
                .to_owned();
            let token = body
                .get("SyncToken")
                .and_then(|value| value.as_str())
                .unwrap_or_default()
                .to_owned();
            let Some(payment) = company.payments.get(&id).cloned() else {
                return validation_fault("Object Not Found", "Object Not Found : Payment", "610");
            };
            if token != payment.sync_token.to_string() {
                return validation_fault(
                    "Stale Object Error",
                    "You and another user were working on the same thing.",
                    "5010",
                );
            }
            if !payment.voided {
                for (invoice, amount) in &payment.lines {
                    if let Some(invoice) = company.invoices.get_mut(invoice) {
                        invoice.balance += *amount;
                    }
                }
            }
            let payment = company.payments.get_mut(&id).unwrap();
            payment.voided = true;
            payment.sync_token += 1;
            payment_json(&id, payment)
        }
        (Some(operation), _) => {
            return validation_fault(
                "Operation not supported",
                &format!("operation={operation} is not how a Payment is voided here"),
                "4000",
            );
        }
        (None, _) => {
            let (customer, lines, total, deposit_to) = match payment_body(&body) {
                Ok(fields) => fields,
                Err(message) => {
                    return validation_fault(
                        "Request has invalid or unsupported property",
                        &message,
                        "2010",
                    );
                }
            };
            if lines
                .iter()
                .map(|(_, amount)| *amount)
                .sum::<rust_decimal::Decimal>()
                != total
            {
                return validation_fault(
                    "Business Validation Error",
                    "TotalAmt must equal the sum of the lines here",
                    "6000",
                );
            }
            for (invoice, amount) in &lines {
                match company.invoices.get(invoice) {
                    Some(found) if found.customer == customer && *amount <= found.balance => {}
                    Some(_) => {
                        let refusal = (
                            "Business Validation Error",
                            "A line is above the invoice's balance or of another customer",
                            "6000",
                        );
                        if let Some(id) = &query.requestid {
                            company.refused.insert(id.clone(), refusal);
                        }
                        return validation_fault(refusal.0, refusal.1, refusal.2);
                    }
                    None => {
                        return validation_fault(
                            "Object Not Found",
                            "Object Not Found : Invoice",
                            "610",
                        );
                    }
                }
            }
            for (invoice, amount) in &lines {
                company.invoices.get_mut(invoice).unwrap().balance -= *amount;
            }
            company.serial += 1;
            let id = (900 + company.serial).to_string();
            let payment = FakePayment {
                lines,
                total,
                sync_token: 0,
                voided: false,
                deposit_to,
            };
            let answer = payment_json(&id, &payment);
            company.payments.insert(id, payment);
            answer
        }
    };
    if let Some(id) = query.requestid {
        company.answered.insert(id, answer.clone());
    }
    if trouble == Some(Trouble::CommitThenTimeout) {
        return (StatusCode::GATEWAY_TIMEOUT, "").into_response();
    }
    axum::Json(answer).into_response()
}
