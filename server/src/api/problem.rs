//! Errors as `application/problem+json` (RFC 9457): a stable `type` clients can branch on, a
//! human `detail`, and for validation errors the `field` that failed.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// The stable problem types. Their URNs never change once published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemType {
    Unauthorized,
    NotFound,
    MethodNotAllowed,
    MalformedJson,
    UnsupportedMediaType,
    PayloadTooLarge,
    InvalidQuery,
    BadRequest,
    Validation,
    Conflict,
    IdempotencyKeyReused,
    IdempotencyKeyInFlight,
    TooManyRequests,
    Internal,
}

impl ProblemType {
    fn parts(self) -> (&'static str, &'static str, StatusCode) {
        match self {
            Self::Unauthorized => (
                "unauthorized",
                "Authentication required",
                StatusCode::UNAUTHORIZED,
            ),
            Self::NotFound => ("not-found", "Not found", StatusCode::NOT_FOUND),
            Self::MethodNotAllowed => (
                "method-not-allowed",
                "Method not allowed",
                StatusCode::METHOD_NOT_ALLOWED,
            ),
            Self::MalformedJson => (
                "malformed-json",
                "The body is not valid JSON",
                StatusCode::BAD_REQUEST,
            ),
            Self::UnsupportedMediaType => (
                "unsupported-media-type",
                "The body must be JSON",
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ),
            Self::PayloadTooLarge => (
                "payload-too-large",
                "The body is too large",
                StatusCode::PAYLOAD_TOO_LARGE,
            ),
            Self::InvalidQuery => (
                "invalid-query",
                "The query string is not valid",
                StatusCode::BAD_REQUEST,
            ),
            Self::BadRequest => (
                "bad-request",
                "The request is not valid",
                StatusCode::BAD_REQUEST,
            ),
            Self::Validation => (
                "validation",
                "The request is not valid",
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            Self::Conflict => (
                "conflict",
                "The request conflicts with the current state",
                StatusCode::CONFLICT,
            ),
            Self::IdempotencyKeyReused => (
                "idempotency-key-reused",
                "The idempotency key was used for a different request",
                StatusCode::CONFLICT,
            ),
            Self::IdempotencyKeyInFlight => (
                "idempotency-key-in-flight",
                "A request with this idempotency key is still being processed",
                StatusCode::CONFLICT,
            ),
            Self::TooManyRequests => (
                "too-many-requests",
                "Too many requests with this API key",
                StatusCode::TOO_MANY_REQUESTS,
            ),
            Self::Internal => (
                "internal",
                "Something went wrong on our side",
                StatusCode::INTERNAL_SERVER_ERROR,
            ),
        }
    }

    pub fn status(self) -> StatusCode {
        self.parts().2
    }

    pub fn title(self) -> &'static str {
        self.parts().1
    }
}

/// A problem document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Problem {
    /// A stable URN naming the kind of problem, e.g. `urn:portico:problem:validation`.
    #[serde(rename = "type")]
    #[schema(example = "urn:portico:problem:validation")]
    pub problem_type: String,
    /// A short summary that is the same for every problem of this type.
    pub title: String,
    /// The HTTP status code.
    #[schema(example = 422)]
    pub status: u16,
    /// What went wrong with this request, and how to fix it.
    pub detail: String,
    /// For validation problems: the request field that failed, as a JSON path (`total`,
    /// `line_items[0].quantity`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl Problem {
    pub fn new(kind: ProblemType, detail: impl Into<String>) -> Self {
        let (slug, title, status) = kind.parts();
        Self {
            problem_type: format!("urn:portico:problem:{slug}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            field: None,
        }
    }

    /// A value the request sent is not acceptable.
    pub fn invalid(field: impl Into<String>, detail: impl ToString) -> Self {
        let mut problem = Self::new(ProblemType::Validation, detail.to_string());
        problem.field = Some(field.into());
        problem
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            ProblemType::NotFound,
            format!("There is no {what} with this id."),
        )
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(ProblemType::Conflict, detail)
    }

    /// A value the request sent is well-formed but taken, or names a row that is not there:
    /// `kind` is `Conflict` or `NotFound`, and `field` says which value.
    pub fn about(kind: ProblemType, field: impl Into<String>, detail: impl Into<String>) -> Self {
        let mut problem = Self::new(kind, detail);
        problem.field = Some(field.into());
        problem
    }

    /// Logs the cause in full; the client only learns that it was our fault.
    pub fn internal(context: &str, cause: &dyn std::error::Error) -> Self {
        tracing::error!(error = %cause, source = ?cause.source(), "{context}");
        Self::new(
            ProblemType::Internal,
            "The request could not be completed. It is safe to retry it with the same idempotency key.",
        )
    }

    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let unauthorized = status == StatusCode::UNAUTHORIZED;
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if unauthorized {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
