//! Who is on the other end of a request: the client's address for rate limits, and a
//! same-origin check on the wizard's form posts.

use app::services::request::{ClientAddress, ClientIp};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderName, Method, StatusCode, header};
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

/// Puts the request's [`ClientAddress`] (what rate limits count by) and [`ClientIp`] (what is
/// recorded with a payment) into its extensions, where server functions find them.
pub async fn identify_client(
    State(source): State<Arc<ClientAddressSource>>,
    mut request: Request,
    next: Next,
) -> Response {
    let from_header = source
        .header
        .as_ref()
        .and_then(|name| appended_by_proxy(request.headers(), name));
    let address = from_header
        .or_else(|| {
            request
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(address)| address.ip().to_string())
        })
        .map(|text| canonical_address(&text));
    let key = address
        .as_deref()
        .map_or_else(|| "unknown".to_owned(), rate_limit_key);
    let recorded = address.unwrap_or_else(|| "unknown".to_owned());
    request.extensions_mut().insert(ClientAddress(key));
    request.extensions_mut().insert(ClientIp(recorded));
    next.run(request).await
}

/// The right-most entry of the header's last line. A proxy appends the address it saw, to the
/// last line or as a line of its own; whatever comes before it, lines included, the client
/// sent and can forge.
fn appended_by_proxy(headers: &HeaderMap, name: &HeaderName) -> Option<String> {
    let last_line = headers.get_all(name).iter().next_back()?;
    let last_entry = last_line.to_str().ok()?.rsplit(',').next()?.trim();
    (!last_entry.is_empty()).then(|| last_entry.to_owned())
}

/// An address as text with IPv4 clients written as IPv4: a dual-stack listener sees them as
/// IPv4-mapped IPv6 (`::ffff:203.0.113.7`). IPv4-compatible addresses (`::203.0.113.7`) are
/// left alone: they are deprecated, no socket produces them, and reading them as IPv4 would
/// turn `::1` into `0.0.0.1`. Text that is not an address is kept as it is.
fn canonical_address(text: &str) -> String {
    match text.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => v6
            .to_ipv4_mapped()
            .map_or_else(|| v6.to_string(), |v4| v4.to_string()),
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Err(_) => text.to_owned(),
    }
}

/// What per-client limits count by: an IPv4 address, or the /64 network of an IPv6 address (one
/// subscriber usually holds a whole /64, so counting single addresses would count nothing).
/// Takes the canonical address, so IPv4 clients of a dual-stack listener are counted one by one
/// rather than all together as `::/64`.
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
    let path = request.uri().path();
    let form_post = path.starts_with("/api/wizard/") || path.starts_with("/api/dashboard/");
    if request.method() == Method::POST && form_post {
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
                "This form can only be sent from Portico's own pages.",
            )
                .into_response();
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn ipv6_clients_are_counted_by_their_64_network() {
        assert_eq!(rate_limit_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(rate_limit_key("2001:db8:1:2:bbbb::9"), "2001:db8:1:2::/64");
        assert_eq!(rate_limit_key("203.0.113.7"), "203.0.113.7");
    }

    #[test]
    fn ipv4_clients_of_a_dual_stack_listener_are_counted_one_by_one() {
        let first = canonical_address("::ffff:203.0.113.7");
        let second = canonical_address("::ffff:198.51.100.9");
        assert_eq!(first, "203.0.113.7");
        assert_eq!(second, "198.51.100.9");
        assert_ne!(rate_limit_key(&first), rate_limit_key(&second));
        assert_eq!(canonical_address("::FFFF:cb00:7107"), "203.0.113.7");
    }

    #[test]
    fn other_addresses_keep_their_form() {
        assert_eq!(canonical_address("::1"), "::1");
        assert_eq!(canonical_address("::203.0.113.7"), "::cb00:7107");
        assert_eq!(canonical_address("2001:DB8::1"), "2001:db8::1");
        assert_eq!(canonical_address("not an address"), "not an address");
    }

    #[test]
    fn the_proxy_entry_is_the_last_one_of_the_last_header_line() {
        let name = HeaderName::from_static("x-forwarded-for");
        let mut headers = HeaderMap::new();
        assert_eq!(appended_by_proxy(&headers, &name), None);
        headers.append(&name, HeaderValue::from_static("10.0.0.1, 10.0.0.2"));
        assert_eq!(
            appended_by_proxy(&headers, &name).as_deref(),
            Some("10.0.0.2")
        );
        // A proxy that adds a line of its own: the client's forged first line must not win.
        headers.append(&name, HeaderValue::from_static("198.51.100.7"));
        assert_eq!(
            appended_by_proxy(&headers, &name).as_deref(),
            Some("198.51.100.7")
        );
        headers.append(&name, HeaderValue::from_static(" "));
        assert_eq!(appended_by_proxy(&headers, &name), None);
    }
}
