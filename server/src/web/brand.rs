//! `/brand/{slug}.css`: a merchant's brand colour as a stylesheet. The wizard links it instead
//! of inlining a <style>: the CSP needs no exception, and the browser caches it across steps.

use app::domain::merchant::MerchantSlug;
use app::services::{Database, merchants};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

pub async fn stylesheet(State(db): State<Database>, Path(file): Path<String>) -> Response {
    let Some(slug) = file
        .strip_suffix(".css")
        .and_then(|slug| MerchantSlug::parse(slug).ok())
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match merchants::find(&db, &slug).await {
        // The colour is six validated hex digits (see `AccentColour`), so it is safe in CSS.
        Ok(Some((_, branding))) => (
            [
                (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=300"),
            ],
            format!(":root{{--accent:{}}}\n", branding.accent_colour.as_str()),
        )
            .into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(error) => {
            tracing::error!(%error, "reading a merchant's brand colour");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
