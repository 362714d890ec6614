//! Who is on the other end of a request: the client's address for rate limits, and a
//! same-origin check on the wizard's form posts.

use app::services::request::ClientAddress;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::Arc;

/// Where the client's address comes from.
#[derive(Debug, Clone)]
pub struct ClientAddressSource {
    /// The header a trusted proxy sets (its first entry is the client), if one is configured.
    pub header: Option<HeaderName>,
}

/// Puts the request's [`ClientAddress`] into its extensions, where server functions find it.
pub async fn identify_client(
    State(source): State<Arc<ClientAddressSource>>,
    mut request: Request,
    next: Next,
) -> Response {
    let from_header = source.header.as_ref().and_then(|name| {
        request
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(',').next())
            .map(|first| first.trim().to_owned())
            .filter(|first| !first.is_empty())
    });
    let address = from_header.or_else(|| {
        request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(address)| address.ip().to_string())
    });
    request.extensions_mut().insert(ClientAddress(
        address.unwrap_or_else(|| "unknown".to_owned()),
    ));
    next.run(request).await
}

/// Refuses a form post to a server function from another site. The session cookie is
/// `SameSite=Lax` (or `None` when the portal may be framed), so this check, not the cookie,
/// is what stops another site from submitting the wizard's forms in a customer's name.
pub async fn same_origin_posts(request: Request, next: Next) -> Response {
    if request.method() == Method::POST && request.uri().path().starts_with("/api/wizard/") {
        let headers = request.headers();
        let cross_site = headers
            .get("sec-fetch-site")
            .and_then(|value| value.to_str().ok())
            .is_some_and(|site| site == "cross-site");
        let host = headers
            .get(header::HOST)
            .and_then(|value| value.to_str().ok());
        let origin_host = headers
            .get(header::ORIGIN)
            .and_then(|value| value.to_str().ok())
            .map(|origin| origin.split_once("://").map_or(origin, |(_, rest)| rest));
        let foreign_origin = matches!((origin_host, host), (Some(origin), Some(host)) if origin != host)
            || headers
                .get(header::ORIGIN)
                .is_some_and(|origin| origin == "null");
        if cross_site || foreign_origin {
            return (
                StatusCode::FORBIDDEN,
                "This form can only be sent from the payment page itself.",
            )
                .into_response();
        }
    }
    next.run(request).await
}
