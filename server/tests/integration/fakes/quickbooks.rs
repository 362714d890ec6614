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

pub const REALM_ID: &str = "9341453012345678";
pub const COMPANY_NAME: &str = "Maple Wholesale Books";
pub const CHECKING_ID: &str = "35";

#[derive(Clone)]
pub struct FakeQuickBooks {
    pub address: String,
    pub oauth: OAuthServer,
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
        let address = crate::fakes::serve(router).await;
        Self { address, oauth }
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
