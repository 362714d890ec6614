//! The OAuth 2.0 authorization server of a fake provider: an authorize page (a plain form),
//! the token endpoint (authorization-code and refresh grants, client credentials by HTTP
//! Basic, PKCE S256 where the provider takes it), and revocation. Refresh tokens rotate on
//! every refresh, as both real providers' do; a rotated-away or revoked token is
//! `invalid_grant`.

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use base64::Engine;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

pub const CLIENT_ID: &str = "portico-test-client";
pub const CLIENT_SECRET: &str = "portico-test-secret";

/// How a provider's authorization server differs.
#[derive(Debug, Clone)]
pub struct Flavour {
    /// Whether a PKCE challenge is required (Xero) or not taken (QuickBooks).
    pub pkce: bool,
    /// Seconds an access token lives.
    pub access_lifetime: u64,
    /// QuickBooks names the company in the callback.
    pub realm_id: Option<String>,
    /// The scopes the client must ask for.
    pub required_scopes: Vec<&'static str>,
}

#[derive(Debug, Clone)]
struct Grant {
    redirect_uri: String,
    challenge: Option<String>,
    event: String,
}

#[derive(Debug, Default)]
pub struct OAuthState {
    codes: HashMap<String, Grant>,
    /// Refresh tokens that work now, with the authorization event they descend from.
    refresh_tokens: HashMap<String, String>,
    /// Access tokens that work now.
    access_tokens: HashSet<String>,
    pub refreshes: usize,
    pub revoked: Vec<String>,
    /// Every refresh is refused from now on (the merchant revoked Portico at the provider).
    pub refuse_refresh: bool,
    serial: u64,
}

#[derive(Clone)]
pub struct OAuthServer {
    pub flavour: Flavour,
    pub state: Arc<Mutex<OAuthState>>,
}

impl OAuthServer {
    pub fn new(flavour: Flavour) -> Self {
        Self {
            flavour,
            state: Arc::default(),
        }
    }

    /// Whether `token` is a working access token.
    pub fn accepts(&self, headers: &HeaderMap) -> bool {
        let Some(token) = headers
            .get("authorization")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
        else {
            return false;
        };
        self.state.lock().unwrap().access_tokens.contains(token)
    }

    /// Expires every access token (as half an hour passing would).
    pub fn expire_access_tokens(&self) {
        self.state.lock().unwrap().access_tokens.clear();
    }

    /// The refresh tokens that work now.
    pub fn live_refresh_tokens(&self) -> usize {
        self.state.lock().unwrap().refresh_tokens.len()
    }

    fn mint(&self, state: &mut OAuthState, event: &str) -> serde_json::Value {
        state.serial += 1;
        let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
            serde_json::json!({ "authentication_event_id": event, "n": state.serial }).to_string(),
        );
        let access = format!("eyJhbGciOiJSUzI1NiJ9.{claims}.fake-signature");
        let refresh = format!("refresh-{}-{}", state.serial, uuid::Uuid::new_v4().simple());
        state.access_tokens.insert(access.clone());
        state
            .refresh_tokens
            .insert(refresh.clone(), event.to_owned());
        let mut answer = serde_json::json!({
            "access_token": access,
            "refresh_token": refresh,
            "token_type": "Bearer",
            "expires_in": self.flavour.access_lifetime,
        });
        if self.flavour.realm_id.is_some() {
            answer["x_refresh_token_expires_in"] = serde_json::json!(8_726_400);
        }
        answer
    }
}

#[derive(Debug, Deserialize)]
pub struct AuthorizeQuery {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    /// The person's choice on the form: `allow` or `deny`.
    decision: Option<String>,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
}

/// The consent page: a plain form carrying the request on, with Allow and Deny.
pub async fn authorize_page(
    State(server): State<OAuthServer>,
    Query(query): Query<AuthorizeQuery>,
) -> Response {
    if let Err(refusal) = check_authorize(&server, &query) {
        return (StatusCode::BAD_REQUEST, refusal).into_response();
    }
    let hidden = [
        ("response_type", &query.response_type),
        ("client_id", &query.client_id),
        ("redirect_uri", &query.redirect_uri),
        ("scope", &query.scope),
        ("state", &query.state),
        ("code_challenge", &query.code_challenge),
        ("code_challenge_method", &query.code_challenge_method),
    ]
    .into_iter()
    .filter_map(|(name, value)| {
        value.as_ref().map(|value| {
            format!(
                r#"<input type="hidden" name="{name}" value="{}">"#,
                escape(value)
            )
        })
    })
    .collect::<String>();
    Html(format!(
        r#"<!doctype html><html lang="en"><head><title>Allow access</title></head><body><main>
<h1>Let Portico at your books?</h1>
<form method="post">{hidden}
<button type="submit" name="decision" value="allow">Allow access</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form></main></body></html>"#
    ))
    .into_response()
}

fn check_authorize(server: &OAuthServer, query: &AuthorizeQuery) -> Result<(), String> {
    if query.response_type.as_deref() != Some("code") {
        return Err("response_type must be code".to_owned());
    }
    if query.client_id.as_deref() != Some(CLIENT_ID) {
        return Err("unknown client_id".to_owned());
    }
    if query.state.as_deref().is_none_or(str::is_empty) {
        return Err("state is required".to_owned());
    }
    let scopes: Vec<&str> = query.scope.as_deref().unwrap_or("").split(' ').collect();
    for required in &server.flavour.required_scopes {
        if !scopes.contains(required) {
            return Err(format!("scope {required} is missing"));
        }
    }
    if server.flavour.pkce
        && (query.code_challenge.is_none()
            || query.code_challenge_method.as_deref() != Some("S256"))
    {
        return Err("a PKCE S256 code_challenge is required".to_owned());
    }
    if !server.flavour.pkce && query.code_challenge.is_some() {
        return Err("this provider takes no code_challenge".to_owned());
    }
    Ok(())
}

/// The form's answer: back to the client's redirect URI with a code (or `access_denied`).
pub async fn authorize_decision(
    State(server): State<OAuthServer>,
    Form(query): Form<AuthorizeQuery>,
) -> Response {
    if let Err(refusal) = check_authorize(&server, &query) {
        return (StatusCode::BAD_REQUEST, refusal).into_response();
    }
    let redirect_uri = query.redirect_uri.clone().unwrap_or_default();
    let state_value = query.state.clone().unwrap_or_default();
    let encode = url_escape;
    if query.decision.as_deref() != Some("allow") {
        return Redirect::to(&format!(
            "{redirect_uri}?error=access_denied&state={}",
            encode(&state_value)
        ))
        .into_response();
    }
    let code = uuid::Uuid::new_v4().simple().to_string();
    server.state.lock().unwrap().codes.insert(
        code.clone(),
        Grant {
            redirect_uri: redirect_uri.clone(),
            challenge: query.code_challenge.clone(),
            event: uuid::Uuid::new_v4().to_string(),
        },
    );
    let realm = server
        .flavour
        .realm_id
        .as_ref()
        .map(|realm| format!("&realmId={realm}"))
        .unwrap_or_default();
    Redirect::to(&format!(
        "{redirect_uri}?code={code}&state={}{realm}",
        encode(&state_value)
    ))
    .into_response()
}

pub fn url_escape(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    grant_type: String,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    refresh_token: Option<String>,
}

fn error(status: StatusCode, code: &str) -> Response {
    (status, axum::Json(serde_json::json!({ "error": code }))).into_response()
}

/// Whether the request carries the client's credentials by HTTP Basic.
fn client_authenticated(headers: &HeaderMap) -> bool {
    let expected =
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        == Some(format!("Basic {expected}").as_str())
}

pub async fn token(
    State(server): State<OAuthServer>,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Response {
    if !client_authenticated(&headers) {
        return error(StatusCode::UNAUTHORIZED, "invalid_client");
    }
    let mut state = server.state.lock().unwrap();
    match form.grant_type.as_str() {
        "authorization_code" => {
            let Some(grant) = form.code.as_ref().and_then(|code| state.codes.remove(code)) else {
                return error(StatusCode::BAD_REQUEST, "invalid_grant");
            };
            if form.redirect_uri.as_deref() != Some(grant.redirect_uri.as_str()) {
                return error(StatusCode::BAD_REQUEST, "invalid_grant");
            }
            if let Some(challenge) = &grant.challenge {
                let verified = form.code_verifier.as_ref().is_some_and(|verifier| {
                    base64::engine::general_purpose::URL_SAFE_NO_PAD
                        .encode(Sha256::digest(verifier.as_bytes()))
                        == *challenge
                });
                if !verified {
                    return error(StatusCode::BAD_REQUEST, "invalid_grant");
                }
            }
            let answer = server.mint(&mut state, &grant.event);
            axum::Json(answer).into_response()
        }
        "refresh_token" => {
            let presented = form.refresh_token.unwrap_or_default();
            if state.refuse_refresh {
                return error(StatusCode::BAD_REQUEST, "invalid_grant");
            }
            let Some(event) = state.refresh_tokens.remove(&presented) else {
                return error(StatusCode::BAD_REQUEST, "invalid_grant");
            };
            state.refreshes += 1;
            let answer = server.mint(&mut state, &event);
            axum::Json(answer).into_response()
        }
        _ => error(StatusCode::BAD_REQUEST, "unsupported_grant_type"),
    }
}

/// Revokes a refresh token and every access token: `token` comes as a form (RFC 7009, Xero) or
/// as JSON `{"token"}` (Intuit).
pub async fn revoke(
    State(server): State<OAuthServer>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if !client_authenticated(&headers) {
        return error(StatusCode::UNAUTHORIZED, "invalid_client");
    }
    let json = headers
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    let token = if json {
        serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|value| value.get("token")?.as_str().map(str::to_owned))
    } else {
        serde_urlencoded_token(&body)
    };
    let wants_json = server.flavour.realm_id.is_some();
    if json != wants_json {
        return error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "invalid_request");
    }
    let Some(token) = token else {
        return error(StatusCode::BAD_REQUEST, "invalid_request");
    };
    let mut state = server.state.lock().unwrap();
    state.refresh_tokens.remove(&token);
    state.access_tokens.clear();
    state.revoked.push(token);
    StatusCode::OK.into_response()
}

fn serde_urlencoded_token(body: &[u8]) -> Option<String> {
    let query = std::str::from_utf8(body).ok()?;
    let url = reqwest::Url::parse(&format!("http://form.invalid/?{query}")).ok()?;
    url.query_pairs()
        .find(|(name, _)| name == "token")
        .map(|(_, value)| value.into_owned())
}
