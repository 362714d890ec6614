//! `GET /dashboard/payments.csv`: the dashboard's payments list, with its filters, as CSV for
//! a bookkeeper. Signed in by the dashboard's own cookie (any role may read); streamed a page
//! of payments at a time (see `app::services::payment_export`).

use app::dashboard::payments::{PaymentFilters, parse_filter};
use app::services::Database;
use app::services::payment_export::{self, ExportPosition, HEADER};
use app::services::request::{CookiePolicy, cookie_in};
use app::services::staff_sessions;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

pub async fn export(
    State(db): State<Database>,
    State(cookies): State<CookiePolicy>,
    headers: HeaderMap,
    Query(filters): Query<PaymentFilters>,
) -> Response {
    let Some(token) = cookie_in(&headers, cookies.staff_cookie_name()) else {
        return signed_out();
    };
    let user = match staff_sessions::signed_in_user(&db, &token).await {
        Ok(Some(user)) => user,
        Ok(None) => return signed_out(),
        Err(error) => {
            tracing::error!(error = %app::error::Chain(&error), "reading a staff session for an export");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let filter = match parse_filter(&filters) {
        Ok(filter) => filter,
        Err((field, message)) => {
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("{field}: {message}"),
            )
                .into_response();
        }
    };
    let merchant = user.merchant;
    let chunks = futures_util::stream::unfold(
        Some((ExportPosition::start(), true)),
        move |state| {
            let db = db.clone();
            let filter = filter.clone();
            async move {
                let (position, first) = state?;
                if position.finished {
                    return None;
                }
                match payment_export::next_chunk(&db, merchant, &filter, &position).await {
                    Ok((rows, next)) => {
                        let text = if first {
                            format!("{HEADER}{rows}")
                        } else {
                            rows
                        };
                        Some((Ok::<_, std::io::Error>(text), Some((next, false))))
                    }
                    Err(error) => {
                        // The status is sent already: the cut-off download is the signal,
                        // and the log has the cause.
                        tracing::error!(error = %app::error::Chain(&error), "exporting payments failed");
                        Some((Err(std::io::Error::other("export failed")), None))
                    }
                }
            }
        },
    );
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"payments.csv\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        Body::from_stream(chunks),
    )
        .into_response()
}

fn signed_out() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        "Sign in at /dashboard to export payments.",
    )
        .into_response()
}
