//! Who is on the other end of a request: the client's address for rate limits, and a
//! same-origin check on the wizard's form posts.

use app::services::request::ClientAddress;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// Where the client's address comes from.
#[derive(Debug, Clone)]
pub struct ClientAddressSource {
    /// The header a trusted proxy sets, if one is configured. Its right-most entry is used: a
    /// proxy appends the address it saw, while entries to the left come from the client and
    /// can be anything.
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
            .and_then(|value| value.rsplit(',').next())
            .map(|last| last.trim().to_owned())
            .filter(|last| !last.is_empty())
    });
    let address = from_header.or_else(|| {
        request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(address)| address.ip().to_string())
    });
    let key = address.map_or_else(|| "unknown".to_owned(), |text| rate_limit_key(&text));
    request.extensions_mut().insert(ClientAddress(key));
    next.run(request).await
}

/// What per-client limits count by: an IPv4 address, or the /64 network of an IPv6 address (one
/// subscriber usually holds a whole /64, so counting single addresses would count nothing).
fn rate_limit_key(address: &str) -> String {
    match address.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => {
            let segments = v6.segments();
            format!(
                "{:x}:{:x}:{:x}:{:x}::/64",
                segments[0], segments[1], segments[2], segments[3]
            )
        }
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Err(_) => address.to_owned(),
    }
}

/// Refuses a form post to a server function from another site. The session cookie is
/// `SameSite=Lax` (or `None` when the portal may be framed), so this check, not the cookie,
/// is what stops another site from submitting the wizard's forms in a customer's name.
pub async fn same_origin_posts(
    State(public_origin): State<Arc<String>>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() == Method::POST && request.uri().path().starts_with("/api/wizard/") {
        let headers = request.headers();
        let cross_site = headers
            .get("sec-fetch-site")
            .and_then(|value| value.to_str().ok())
            .is_some_and(|site| site == "cross-site");
        let host = headers
            .get(header::HOST)
            .and_then(|value| value.to_str().ok());
        let origin = headers
            .get(header::ORIGIN)
            .and_then(|value| value.to_str().ok());
        // The portal's public origin is always fine; so is the host the request was sent to
        // (someone reaching the server directly rather than through PUBLIC_URL).
        let foreign_origin = origin.is_some_and(|origin| {
            let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
            origin != public_origin.as_str() && Some(origin_host) != host
        });
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

#[cfg(test)]
mod tests {
    use super::rate_limit_key;

    #[test]
    fn ipv6_clients_are_counted_by_their_64_network() {
        assert_eq!(rate_limit_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(rate_limit_key("2001:db8:1:2:bbbb::9"), "2001:db8:1:2::/64");
        assert_eq!(rate_limit_key("203.0.113.7"), "203.0.113.7");
    }
}
