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

#[cfg(test)]
mod tests {
    use super::*;

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
