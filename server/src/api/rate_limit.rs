//! The API's rate limit per key: each API key may send `PORTICO_API_REQUESTS_PER_MINUTE`
//! requests a minute, in bursts of up to a tenth of that; more are answered 429 with
//! `Retry-After`. Counted before authentication (by a hash of the key the request carries), so
//! a flood with one key never reaches the database; a request without a key is refused for
//! that alone and costs nothing.

use crate::api::problem::{Problem, ProblemType};
use app::services::rate_limit::{Rate, RateLimiter};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// The limiter shared by every API request of this instance.
#[derive(Debug, Clone)]
pub struct ApiRequests {
    limiter: RateLimiter,
    per_minute: u32,
}

impl ApiRequests {
    pub fn per_minute(requests: u32) -> Self {
        let per_minute = requests.max(1);
        Self {
            limiter: RateLimiter::new(Rate {
                burst: (per_minute / 10).max(1),
                refill_every: Duration::from_secs(60) / per_minute,
            }),
            per_minute,
        }
    }
}

pub async fn limit_per_key(
    State(limiter): State<ApiRequests>,
    request: Request,
    next: Next,
) -> Response {
    let Some(key) = request.headers().get(header::AUTHORIZATION) else {
        return next.run(request).await;
    };
    let bucket = hex::encode(Sha256::digest(key.as_bytes()));
    match limiter.limiter.check(&bucket) {
        Ok(()) => next.run(request).await,
        Err(retry_after) => {
            let seconds = retry_after.seconds();
            let mut response = Problem::new(
                ProblemType::TooManyRequests,
                format!(
                    "This API key sent more than {} requests in a minute. Try again in {seconds} seconds.",
                    limiter.per_minute
                ),
            )
            .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            response
        }
    }
}
