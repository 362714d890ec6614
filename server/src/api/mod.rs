//! The merchant REST API under `/api/v1`: JSON in and out, bearer API keys, idempotent POSTs,
//! errors as problem documents, and an OpenAPI document generated from the handlers' own
//! annotations (the routes are registered from the same annotations, so the two cannot drift).

pub mod customers;
pub mod document;
pub mod extract;
pub mod idempotency;
pub mod installment_plans;
pub mod invoices;
pub mod merchant;
pub mod payments;
pub mod problem;
pub mod rate_limit;
pub mod refunds;

use crate::state::AppState;
use app::domain::ids::CustomerId;
use app::services::page::{Cursor, PageRequest};
use axum::Json;
use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use problem::{Problem, ProblemType};
use serde::Deserialize;
use std::sync::Arc;
use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{ObjectBuilder, Required, Type};
use utoipa::{IntoParams, Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The largest request body the API reads.
pub const BODY_LIMIT_BYTES: usize = 256 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Portico merchant API",
        version = "1",
        description = "Customers, invoices, payments and settings of one merchant. Authenticate with \
                       `Authorization: Bearer <api key>`. Amounts are decimal strings, dates are \
                       ISO 8601. Errors are `application/problem+json`."
    ),
    modifiers(&SecurityAddon),
    components(
        schemas(
            Problem,
            document::Id,
            document::EmailAddress,
            document::LegalName,
            document::DisplayName,
            document::AccentColour,
            document::LogoUrl,
            document::InvoiceNumber,
            document::ExternalId,
            document::Memo,
            document::LineDescription,
            document::Amount,
            document::Quantity,
            document::Cursor,
            document::CountryCode,
            document::CurrencyCode,
            document::InvoiceStatus,
            document::PaymentStatus,
            document::RefundStatus,
            document::PaymentMethod,
            document::PlanStatus,
            document::InstallmentStatus,
            document::TermDays,
            document::FeePercent,
            document::PlanMinimum,
            merchant::TermPatch,
        ),
        responses(
            document::BadRequest,
            document::Unauthorized,
            document::NotFound,
            document::Conflict,
            document::PayloadTooLarge,
            document::UnsupportedMediaType,
            document::ValidationFailed,
            document::TooManyRequests,
            document::InternalError,
        )
    ),
    tags(
        (name = "customers", description = "The businesses you bill, and who may pay for them"),
        (name = "invoices", description = "What customers owe"),
        (name = "payments", description = "What customers paid"),
        (name = "installment plans", description = "Schedules of payments collected automatically"),
        (name = "merchant", description = "Your settings: payment methods, minimums, installment terms"),
    )
)]
struct ApiDoc;

struct SecurityAddon;

impl Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// Every POST honours `Idempotency-Key`; the middleware does it for all of them, so the document
/// says it for all of them, with what the middleware itself can answer: 409 for a key reused or
/// in flight, 413 (it reads the body), 422 for a malformed key. Applied after the routes are
/// collected (the `modifiers` of the derive run before `OpenApiRouter` adds any path).
struct IdempotencyAddon;

impl Modify for IdempotencyAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            if let Some(post) = item.post.as_mut() {
                // Money going back to a card needs its key: it is the refund's own.
                let required = if path == refunds::CREATE_PATH {
                    Required::True
                } else {
                    Required::False
                };
                let header = ParameterBuilder::new()
                    .name(idempotency::HEADER)
                    .parameter_in(ParameterIn::Header)
                    .required(required)
                    .description(Some(
                        "Makes the request safe to retry: the same key with the same request returns the \
                         first response; the same key with a different request is a 409. 1 to 255 \
                         visible ASCII characters (a UUID is a good choice).",
                    ))
                    .schema(Some(
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .min_length(Some(1))
                            .max_length(Some(255))
                            .pattern(Some(document::IDEMPOTENCY_KEY_PATTERN)),
                    ))
                    .build();
                post.parameters.get_or_insert_with(Vec::new).push(header);
                let responses = &mut post.responses.responses;
                for (status, response) in [
                    ("409", document::reference::<document::Conflict>()),
                    ("413", document::reference::<document::PayloadTooLarge>()),
                    ("422", document::reference::<document::ValidationFailed>()),
                ] {
                    responses.entry(status.to_owned()).or_insert(response);
                }
            }
        }
    }
}

/// The rate limit counts every request that carries an API key, before anything else looks at
/// it, so every operation can answer 429 (with `Retry-After`).
struct RateLimitAddon;

impl Modify for RateLimitAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                operation
                    .responses
                    .responses
                    .entry("429".to_owned())
                    .or_insert_with(document::reference::<document::TooManyRequests>);
            }
        }
    }
}

/// The `limit` and `cursor` of a list request.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Page size.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, default = 25)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page.
    #[param(value_type = Option<document::Cursor>)]
    pub cursor: Option<String>,
}

/// Reads an optional query filter with `parse`, naming `field` when it is refused.
pub(crate) fn filter<T, E: std::fmt::Display>(
    value: Option<&str>,
    field: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>, Problem> {
    value
        .map(|text| parse(text).map_err(|error| Problem::invalid(field, error)))
        .transpose()
}

/// The `customer_id` filter of a list.
pub(crate) fn customer_filter(value: Option<&str>) -> Result<Option<CustomerId>, Problem> {
    filter(value, "customer_id", |text| {
        CustomerId::parse(text).map_err(|_| "A customer id is a UUID.")
    })
}

pub(crate) fn page_request(
    limit: Option<&str>,
    cursor: Option<&str>,
) -> Result<PageRequest, Problem> {
    let limit = match limit {
        None => PageRequest::DEFAULT_LIMIT,
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|limit| (1..=PageRequest::MAX_LIMIT).contains(limit))
            .ok_or_else(|| {
                Problem::invalid(
                    "limit",
                    format!(
                        "The limit must be a whole number from 1 to {}.",
                        PageRequest::MAX_LIMIT
                    ),
                )
            })?,
    };
    let after = cursor
        .map(|text| Cursor::decode(text).map_err(|error| Problem::invalid("cursor", error)))
        .transpose()?;
    Ok(PageRequest { limit, after })
}

/// The documented routes, and the document that describes them.
fn documented_routes() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    let (routes, mut document) = OpenApiRouter::<AppState>::with_openapi(ApiDoc::openapi())
        .routes(routes!(
            customers::create_customer,
            customers::list_customers
        ))
        .routes(routes!(customers::get_customer))
        .routes(routes!(customers::add_contact, customers::remove_contact))
        .routes(routes!(invoices::create_invoice, invoices::list_invoices))
        .routes(routes!(invoices::get_invoice))
        .routes(routes!(invoices::void_invoice))
        .routes(routes!(invoices::revoke_payment_link))
        .routes(routes!(payments::list_payments))
        .routes(routes!(payments::get_payment))
        .routes(routes!(payments::reconcile_payment))
        .routes(routes!(payments::unreconcile_payment))
        .routes(routes!(refunds::create_refund, refunds::list_refunds))
        .routes(routes!(refunds::get_refund))
        .routes(routes!(installment_plans::list_plans))
        .routes(routes!(installment_plans::get_plan))
        .routes(routes!(merchant::get_merchant, merchant::update_merchant))
        .split_for_parts();
    IdempotencyAddon.modify(&mut document);
    RateLimitAddon.modify(&mut document);
    (routes, document)
}

/// The API's routes, with the document that describes them served at `/api/v1/openapi.json`.
pub fn router(state: &AppState) -> axum::Router<AppState> {
    let (routes, document) = documented_routes();
    let document = Arc::new(document);
    routes
        .route(
            "/api/v1/openapi.json",
            get(move || async move { Json(document.as_ref().clone()) }),
        )
        .route("/api/v1", any(unknown_route))
        .route("/api/v1/", any(unknown_route))
        .route("/api/v1/{*rest}", any(unknown_route))
        .layer(axum::middleware::from_fn_with_state(
            state.db.clone(),
            idempotency::idempotent_posts,
        ))
        .layer(axum::middleware::map_response(problem_for_bare_errors))
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            state.api_requests.clone(),
            rate_limit::limit_per_key,
        ))
}

async fn unknown_route() -> Problem {
    Problem::new(
        ProblemType::NotFound,
        "There is no such API endpoint. See /api/v1/openapi.json.",
    )
}

/// Gives the errors axum produces itself (a wrong method, an undecodable path) a problem
/// document like every other.
async fn problem_for_bare_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.contains("json"));
    if is_json || !status.is_client_error() {
        return response;
    }
    let kind = match status {
        StatusCode::METHOD_NOT_ALLOWED => ProblemType::MethodNotAllowed,
        StatusCode::NOT_FOUND => ProblemType::NotFound,
        StatusCode::PAYLOAD_TOO_LARGE => ProblemType::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ProblemType::UnsupportedMediaType,
        _ => ProblemType::BadRequest,
    };
    let allow = response.headers().get(header::ALLOW).cloned();
    let detail = match axum::body::to_bytes(response.into_body(), 4096).await {
        Ok(bytes) if !bytes.is_empty() => String::from_utf8_lossy(&bytes).into_owned(),
        _ => kind.title().to_owned(),
    };
    let mut problem = Problem::new(kind, detail).into_response();
    if let Some(allow) = allow {
        problem.headers_mut().insert(header::ALLOW, allow);
    }
    problem
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn references(value: &Value, found: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    if let Some(reference) = child.as_str().filter(|_| key == "$ref") {
                        found.push(reference.to_owned());
                    }
                    references(child, found);
                }
            }
            Value::Array(items) => items.iter().for_each(|item| references(item, found)),
            _ => {}
        }
    }

    #[test]
    fn every_reference_in_the_document_resolves() {
        let document = serde_json::to_value(documented_routes().1).unwrap();
        let mut found = Vec::new();
        references(&document, &mut found);
        assert!(found.iter().any(|r| r == "#/components/schemas/Id"));
        for reference in found {
            let pointer = reference.strip_prefix('#').unwrap_or(&reference);
            assert!(
                document.pointer(pointer).is_some(),
                "{reference} does not resolve"
            );
        }
    }

    #[test]
    fn a_refund_requires_its_idempotency_key_and_nothing_else_does() {
        let document = serde_json::to_value(documented_routes().1).unwrap();
        for (path, item) in document["paths"].as_object().unwrap() {
            let Some(post) = item.get("post") else {
                continue;
            };
            let key = post["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .find(|parameter| parameter["name"] == idempotency::HEADER)
                .unwrap_or_else(|| panic!("POST {path} documents no Idempotency-Key"));
            assert_eq!(
                key["required"].as_bool().unwrap_or(false),
                path == refunds::CREATE_PATH,
                "POST {path}"
            );
        }
        assert!(document["paths"][refunds::CREATE_PATH]["post"].is_object());
    }

    #[test]
    fn every_operation_says_what_the_middlewares_answer() {
        let document = serde_json::to_value(documented_routes().1).unwrap();
        let too_many = &document["components"]["responses"]["TooManyRequests"];
        assert!(too_many["headers"]["Retry-After"].is_object(), "{too_many}");
        for (path, item) in document["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                let responses = &operation["responses"];
                for status in ["401", "429", "500"] {
                    assert!(responses.get(status).is_some(), "{method} {path}: {status}");
                }
                if method == "post" {
                    for status in ["409", "413", "422"] {
                        assert!(responses.get(status).is_some(), "{method} {path}: {status}");
                    }
                }
            }
        }
    }
}
