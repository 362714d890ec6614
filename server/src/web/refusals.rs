//! Server functions answer every error with 500. A refused form (a typo in an amount, a stale
//! tab on the wrong step) is not the server failing: this layer gives those answers 422 or 409,
//! keeping 500 for `AppError::Unexpected`, so that logs and monitoring can tell the customer's
//! mistakes from Portico's. (A form posted without JavaScript is answered with a redirect
//! before this layer sees it, and is left alone.)

use app::error::AppError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

/// The header server functions put on an error answer.
const SERVER_FN_ERROR_HEADER: &str = "serverfnerror";

/// Error bodies are a few hundred bytes; anything larger is left as it is.
const MAX_ERROR_BODY: usize = 64 * 1024;

pub async fn refusals_are_client_errors(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let wizard = path.starts_with("/api/wizard/") || path.starts_with("/api/dashboard/");
    let response = next.run(request).await;
    if wizard && response.status() == StatusCode::METHOD_NOT_ALLOWED {
        return wrong_method_explained(response);
    }
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    parts.status = status_of(serde_json::from_slice::<AppError>(&bytes).ok());
    Response::from_parts(parts, Body::from(bytes))
}

/// Server functions answer another method than their own with an empty 405; say what to do.
fn wrong_method_explained(response: Response) -> Response {
    let (mut parts, _) = response.into_parts();
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(
        parts,
        Body::from(
            "This address takes only the form posts (POST) of Portico's pages. \
             Open the billing link to pay, or /dashboard to manage a merchant.",
        ),
    )
}

fn status_of(error: Option<AppError>) -> StatusCode {
    match error {
        Some(AppError::Invalid { .. } | AppError::InvalidFields(_)) => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Some(AppError::WrongStep { .. }) => StatusCode::CONFLICT,
        Some(AppError::Forbidden(_)) => StatusCode::FORBIDDEN,
        Some(AppError::NotFound(_)) => StatusCode::NOT_FOUND,
        Some(AppError::Unexpected) | None => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_client_errors_and_failures_stay_server_errors() {
        let invalid = AppError::Invalid {
            field: "email".into(),
            message: "x".into(),
        };
        assert_eq!(status_of(Some(invalid)), StatusCode::UNPROCESSABLE_ENTITY);
        let wrong_step = AppError::WrongStep {
            path: "/".into(),
            message: "x".into(),
        };
        assert_eq!(status_of(Some(wrong_step)), StatusCode::CONFLICT);
        assert_eq!(
            status_of(Some(AppError::Unexpected)),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(status_of(None), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
