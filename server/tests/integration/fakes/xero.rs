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

#[derive(Debug, Default)]
pub struct XeroState {
    pub connection_deleted: bool,
    /// The `authEventId` each `GET /connections` asked for.
    pub connection_queries: Vec<Option<String>>,
}

#[derive(Clone)]
pub struct FakeXero {
    pub address: String,
    pub oauth: OAuthServer,
    pub state: Arc<Mutex<XeroState>>,
}

impl FakeXero {
    pub async fn start() -> Self {
        let oauth = OAuthServer::new(Flavour {
            pkce: true,
            access_lifetime: 1800,
            realm_id: None,
            required_scopes: vec!["offline_access", "accounting.settings.read"],
        });
        let state = Arc::<Mutex<XeroState>>::default();
        let identity = Router::new()
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
            .with_state((oauth.clone(), state.clone()));
        let address = crate::fakes::serve(identity.merge(api)).await;
        Self {
            address,
            oauth,
            state,
        }
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
