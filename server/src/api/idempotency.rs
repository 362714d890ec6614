//! The `Idempotency-Key` header on POST requests: a retry with the same key and the same
//! request gets the first response again, without the work being done twice.

use crate::api::BODY_LIMIT_BYTES;
use crate::api::extract::authenticate;
use crate::api::problem::{PROBLEM_JSON, Problem, ProblemType};
use app::domain::idempotency::IdempotencyKey;
use app::domain::ids::MerchantId;
use app::services::Database;
use app::services::idempotency::{self, Claim, ClaimToken};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

pub const HEADER: &str = "Idempotency-Key";
/// Set on a response that repeats the first response to the same key.
const REPLAYED_HEADER: &str = "idempotent-replayed";

pub async fn idempotent_posts(
    State(db): State<Database>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let Some(raw_key) = request.headers().get(HEADER) else {
        return next.run(request).await;
    };
    let key = match raw_key.to_str().map(IdempotencyKey::parse) {
        Ok(Ok(key)) => key,
        Ok(Err(error)) => return Problem::invalid(HEADER, error).into_response(),
        Err(_) => {
            return Problem::invalid(
                HEADER,
                "An idempotency key may only hold visible ASCII characters.",
            )
            .into_response();
        }
    };
    let (parts, body) = request.into_parts();
    let merchant = match authenticate(&db, &parts).await {
        Ok(merchant) => merchant,
        Err(problem) => return problem.into_response(),
    };
    let Ok(body) = axum::body::to_bytes(body, BODY_LIMIT_BYTES).await else {
        return Problem::new(
            ProblemType::PayloadTooLarge,
            format!(
                "A request body can be at most {} KiB.",
                BODY_LIMIT_BYTES / 1024
            ),
        )
        .into_response();
    };
    let fingerprint = {
        let mut hasher = Sha256::new();
        hasher.update(parts.method.as_str());
        hasher.update(b" ");
        hasher.update(
            parts
                .uri
                .path_and_query()
                .map(|path| path.as_str())
                .unwrap_or_default(),
        );
        // The media type decides how the body is read (a stored 415 must not answer the same
        // bytes sent again as JSON), so it is part of what makes two requests the same.
        hasher.update(b"\n");
        hasher.update(
            parts
                .headers
                .get(header::CONTENT_TYPE)
                .map(|value| value.as_bytes())
                .unwrap_or_default(),
        );
        hasher.update(b"\n");
        hasher.update(&body);
        hex::encode(hasher.finalize())
    };
    match idempotency::claim(&db, merchant, &key, &fingerprint).await {
        Err(error) => Problem::internal("claiming an idempotency key", &error).into_response(),
        Ok(Claim::Mismatch) => Problem::new(
            ProblemType::IdempotencyKeyReused,
            "This Idempotency-Key was first used with a different request. Use a new key for a new request.",
        )
        .into_response(),
        Ok(Claim::InFlight) => Problem::new(
            ProblemType::IdempotencyKeyInFlight,
            "The first request with this Idempotency-Key is still being processed. Retry in a few seconds.",
        )
        .into_response(),
        Ok(Claim::Replay { status, body }) => replayed(status, body),
        Ok(Claim::Fresh(token)) => {
            // The work and the recording of its response run as their own task: a client that
            // hangs up mid-request must not leave the claim unanswered (its retries would wait
            // for minutes, then do the work a second time).
            let request = Request::from_parts(parts, Body::from(body));
            let finished = tokio::spawn(async move {
                let response = next.run(request).await;
                record_response(&db, merchant, &key, &token, response).await
            });
            match finished.await {
                Ok(response) => response,
                Err(error) => Problem::internal("an idempotent request's task failed", &error).into_response(),
            }
        }
    }
}

/// Stores the response for retries (or forgets the claim when the failure was ours, so that a
/// retry does the work again) and hands the response on.
async fn record_response(
    db: &Database,
    merchant: MerchantId,
    key: &IdempotencyKey,
    token: &ClaimToken,
    response: Response,
) -> Response {
    let (parts, body) = response.into_parts();
    // The API's own responses are small JSON documents; nothing streams here.
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(error) => {
            let _ = idempotency::release(db, merchant, key, token).await;
            return Problem::internal("reading a response to store it", &error).into_response();
        }
    };
    let outcome = if parts.status.is_server_error() {
        idempotency::release(db, merchant, key, token).await
    } else {
        let text = String::from_utf8_lossy(&bytes);
        idempotency::complete(db, merchant, key, token, parts.status.as_u16(), &text).await
    };
    if let Err(error) = outcome {
        tracing::error!(%error, "could not record the response to an idempotent request");
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn replayed(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let content_type = if status.is_success() {
        "application/json"
    } else {
        PROBLEM_JSON
    };
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
        .headers_mut()
        .insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    response
}
