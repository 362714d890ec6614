//! Security headers on every response, with a fresh CSP nonce per request.
//!
//! Leptos writes its hydration script and streamed resources as inline scripts. Rather than
//! allow inline scripts wholesale, each request gets a nonce: this layer puts it in the request
//! extensions and the CSP header, and the Leptos context hands the same value to the renderer
//! (see `adopt_request_nonce` in `startup.rs`).

use crate::config::FrameAncestors;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;

/// The nonce of the current request's Content-Security-Policy.
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

#[derive(Debug, Clone)]
pub struct SecurityPolicy {
    pub frame_ancestors: FrameAncestors,
    /// Sent only when the portal is served over HTTPS.
    pub strict_transport_security: bool,
    /// Origins a form may lead to besides Portico: the accounting providers' consent pages,
    /// which **Connect** redirects to (browsers hold a form's redirects to `form-action` too).
    pub form_targets: Vec<String>,
}

/// The origin (`https://login.xero.com`) of `url`, or `None` for text that is not an
/// absolute URL.
pub fn origin_of(url: &str) -> Option<String> {
    let uri: http::Uri = url.parse().ok()?;
    Some(format!("{}://{}", uri.scheme_str()?, uri.authority()?))
}

impl SecurityPolicy {
    pub fn content_security_policy(&self, nonce: &str) -> String {
        let form_targets: String = self
            .form_targets
            .iter()
            .map(|origin| format!(" {origin}"))
            .collect();
        format!(
            "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
             style-src 'self' 'nonce-{nonce}'; img-src 'self' https: data:; \
             connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
             form-action 'self'{form_targets}; frame-ancestors {}",
            self.frame_ancestors.directive_value()
        )
    }
}

pub async fn add_security_headers(
    State(policy): State<Arc<SecurityPolicy>>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = new_nonce();
    request.extensions_mut().insert(CspNonce(nonce.clone()));
    let api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if must_not_be_stored(api, headers) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if let Ok(csp) = HeaderValue::from_str(&policy.content_security_policy(&nonce)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Invoice links carry tokens in their path: never leak a path to another site.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    );
    if policy.frame_ancestors == FrameAncestors::None {
        // For browsers too old for frame-ancestors.
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    if policy.strict_transport_security {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

/// Pages and API answers show invoices, payments and the customer's details: no browser cache,
/// shared computer's history or proxy may keep them. Static files (`/pkg/`, the public files,
/// the brand stylesheets) keep the caching they are served with.
fn must_not_be_stored(api: bool, headers: &HeaderMap) -> bool {
    let html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|kind| {
            kind.trim_start()
                .to_ascii_lowercase()
                .starts_with("text/html")
        });
    api || html
}

fn new_nonce() -> String {
    let mut bytes = [0u8; 16];
    // The OS random source failing is not something a request can recover from.
    getrandom::fill(&mut bytes).expect("the operating system's random source is available");
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_forbids_framing_by_default_and_names_the_nonce() {
        let policy = SecurityPolicy {
            frame_ancestors: FrameAncestors::None,
            strict_transport_security: false,
            form_targets: Vec::new(),
        };
        let csp = policy.content_security_policy("abc123");
        assert!(csp.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval'"));
        assert!(csp.contains("form-action 'self'; "));
        assert!(csp.ends_with("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
    }

    #[test]
    fn forms_may_lead_to_the_configured_providers_consent_pages() {
        let policy = SecurityPolicy {
            frame_ancestors: FrameAncestors::None,
            strict_transport_security: false,
            form_targets: vec![
                origin_of("https://login.xero.com/identity/connect/authorize").unwrap(),
                origin_of("http://127.0.0.1:3109/connect/oauth2").unwrap(),
            ],
        };
        assert!(
            policy
                .content_security_policy("n")
                .contains("form-action 'self' https://login.xero.com http://127.0.0.1:3109;")
        );
        assert_eq!(origin_of("not a url"), None);
    }

    #[test]
    fn pages_and_api_answers_are_not_stored_and_static_files_are() {
        let with_type = |kind: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
            headers
        };
        assert!(must_not_be_stored(
            false,
            &with_type("text/html; charset=utf-8")
        ));
        assert!(must_not_be_stored(true, &with_type("application/json")));
        assert!(must_not_be_stored(true, &HeaderMap::new()));
        assert!(!must_not_be_stored(false, &with_type("application/wasm")));
        assert!(!must_not_be_stored(false, &with_type("text/css")));
    }

    #[test]
    fn nonces_are_fresh_for_every_request() {
        assert_ne!(new_nonce(), new_nonce());
        assert_eq!(new_nonce().len(), 32);
    }
}
