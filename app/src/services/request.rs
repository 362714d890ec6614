//! Facts about the HTTP request a server function is serving, put there by the server.

/// What per-client rate limits count the request against: the client's IPv4 address, or the
/// /64 network of its IPv6 address (from the socket, or the header a trusted proxy sets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddress(pub String);

/// The client's own address, whole (an IPv4 client is written as IPv4 even when it reached a
/// dual-stack socket), as recorded with a payment's authorization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIp(pub String);

/// How the session cookie is set: `Lax` on a portal that is never framed; `None; Partitioned`
/// when merchants may embed it in an iframe (which needs HTTPS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CookiePolicy {
    pub secure: bool,
    pub embeddable: bool,
}

impl CookiePolicy {
    /// The session cookie's name at `merchant`. One cookie per merchant, so that opening a
    /// second merchant's billing link never replaces the session at the first. `__Host-` when
    /// the cookie is `Secure`: a browser then takes it only from this host over HTTPS, for path
    /// `/` and without a `Domain`, so a sibling subdomain can neither plant nor shadow it.
    pub fn session_cookie_name(&self, merchant: crate::domain::ids::MerchantId) -> String {
        let prefix = if self.secure { "__Host-" } else { "" };
        let id = uuid::Uuid::from_bytes(merchant.to_bytes());
        format!("{prefix}portico_session_{}", id.simple())
    }

    /// The dashboard's session cookie: one for every merchant (a user picks the merchant after
    /// signing in), and never framed, so always `SameSite=Lax`.
    pub fn staff_cookie_name(&self) -> &'static str {
        if self.secure {
            "__Host-portico_staff"
        } else {
            "portico_staff"
        }
    }

    pub fn staff_attributes(&self, max_age_seconds: i64) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!("Path=/; HttpOnly; Max-Age={max_age_seconds}{secure}; SameSite=Lax")
    }

    /// The attributes after `name=value`.
    pub fn attributes(&self, max_age_seconds: i64) -> String {
        let mut attributes = format!("Path=/; HttpOnly; Max-Age={max_age_seconds}");
        if self.embeddable && self.secure {
            attributes.push_str("; Secure; SameSite=None; Partitioned");
        } else {
            if self.secure {
                attributes.push_str("; Secure");
            }
            attributes.push_str("; SameSite=Lax");
        }
        attributes
    }
}

/// The value of cookie `name` among a request's headers, if it sent one.
pub fn cookie_in(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(found, _)| *found == name)
        .map(|(_, value)| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_merchant_has_its_own_cookie_and_secure_ones_are_host_only() {
        let merchant =
            crate::domain::ids::MerchantId::parse("0f8fad5b-d9cb-469f-a165-70867728950e").unwrap();
        let other =
            crate::domain::ids::MerchantId::parse("7c9e6679-7425-40de-944b-e07fc1f90ae7").unwrap();
        let plain = CookiePolicy {
            secure: false,
            embeddable: false,
        };
        assert_eq!(
            plain.session_cookie_name(merchant),
            "portico_session_0f8fad5bd9cb469fa16570867728950e"
        );
        assert_ne!(
            plain.session_cookie_name(merchant),
            plain.session_cookie_name(other)
        );
        let https = CookiePolicy {
            secure: true,
            embeddable: true,
        };
        assert_eq!(
            https.session_cookie_name(merchant),
            "__Host-portico_session_0f8fad5bd9cb469fa16570867728950e"
        );
        assert!(
            https.attributes(60).starts_with("Path=/;"),
            "__Host- needs Path=/"
        );
        assert!(
            !https.attributes(60).contains("Domain"),
            "__Host- forbids Domain"
        );
    }

    #[test]
    fn cookies_are_lax_unless_the_portal_may_be_framed_over_https() {
        let plain = CookiePolicy {
            secure: false,
            embeddable: false,
        };
        assert_eq!(
            plain.attributes(60),
            "Path=/; HttpOnly; Max-Age=60; SameSite=Lax"
        );
        let https = CookiePolicy {
            secure: true,
            embeddable: false,
        };
        assert_eq!(
            https.attributes(60),
            "Path=/; HttpOnly; Max-Age=60; Secure; SameSite=Lax"
        );
        let framed = CookiePolicy {
            secure: true,
            embeddable: true,
        };
        assert_eq!(
            framed.attributes(60),
            "Path=/; HttpOnly; Max-Age=60; Secure; SameSite=None; Partitioned"
        );
        let framed_plain = CookiePolicy {
            secure: false,
            embeddable: true,
        };
        assert!(
            framed_plain.attributes(60).ends_with("SameSite=Lax"),
            "SameSite=None needs HTTPS"
        );
    }
}
