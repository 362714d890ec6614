//! Extractors for the merchant API that answer bad requests with problem documents instead of
//! axum's plain-text rejections.

use crate::api::problem::{Problem, ProblemType};
use app::domain::ids::MerchantId;
use app::services::Database;
use app::services::api_keys;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{FromRef, FromRequest, FromRequestParts, Query, Request};
use axum::http::header;
use axum::http::request::Parts;
use secrecy::SecretString;
use serde::de::DeserializeOwned;

/// The merchant whose API key authenticated the request. Every handler takes one and passes
/// it to the services, which scope every query by it.
#[derive(Debug, Clone, Copy)]
pub struct ApiMerchant(pub MerchantId);

impl<S> FromRequestParts<S> for ApiMerchant
where
    Database: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let db = Database::from_ref(state);
        authenticate(&db, parts).await.map(Self)
    }
}

/// The merchant named by the request's `Authorization: Bearer` key.
pub async fn authenticate(db: &Database, parts: &Parts) -> Result<MerchantId, Problem> {
    let header = parts.headers.get(header::AUTHORIZATION).ok_or_else(|| {
        Problem::new(
            ProblemType::Unauthorized,
            "Send your API key as `Authorization: Bearer <key>`.",
        )
    })?;
    let token = header
        .to_str()
        .ok()
        .and_then(|value| {
            let (scheme, token) = value.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .filter(|token| !token.is_empty())
        .ok_or_else(|| {
            Problem::new(
                ProblemType::Unauthorized,
                "The Authorization header must be `Bearer <key>`.",
            )
        })?;
    match api_keys::authenticate(db, &SecretString::from(token.to_owned())).await {
        Ok(Some(merchant)) => Ok(merchant),
        Ok(None) => Err(Problem::new(
            ProblemType::Unauthorized,
            "The API key is not valid, or has been revoked.",
        )),
        Err(error) => Err(Problem::internal("authenticating an API key", &error)),
    }
}

/// A JSON body. Syntax errors are 400; values of the wrong type, unknown fields and missing
/// fields are 422 naming the field.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(';').next())
            .map(|mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json"
                    || (mime.starts_with("application/") && mime.ends_with("+json"))
            })
            .unwrap_or(false);
        if !is_json {
            return Err(Problem::new(
                ProblemType::UnsupportedMediaType,
                "Send the body as JSON with `Content-Type: application/json`.",
            ));
        }
        let bytes =
            Bytes::from_request(request, state)
                .await
                .map_err(|rejection| match rejection {
                    BytesRejection::FailedToBufferBody(_) => Problem::new(
                        ProblemType::PayloadTooLarge,
                        format!(
                            "A request body can be at most {} KiB.",
                            super::BODY_LIMIT_BYTES / 1024
                        ),
                    ),
                    other => Problem::new(ProblemType::MalformedJson, other.body_text()),
                })?;
        parse_json(&bytes).map(Self)
    }
}

/// Deserialises `bytes`, turning serde's error into a problem that names the failing field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let message = strip_position(&inner.to_string());
                // An unknown field's path already ends in its name; a missing field's path is the
                // object that lacks it.
                let field = match named_field(&message) {
                    Some(name) if path == "." => name.to_owned(),
                    Some(name) if !path.ends_with(name) => format!("{path}.{name}"),
                    _ => path,
                };
                Problem::invalid(field, capitalise(&message))
            }
            serde_json::error::Category::Syntax
            | serde_json::error::Category::Eof
            | serde_json::error::Category::Io => Problem::new(
                ProblemType::MalformedJson,
                format!("The body is not valid JSON: {inner}."),
            ),
        }
    })?;
    deserializer.end().map_err(|error| {
        Problem::new(
            ProblemType::MalformedJson,
            format!("The body is not valid JSON: {error}."),
        )
    })?;
    Ok(value)
}

/// serde names the field of an unknown- or missing-field error in backticks; the path points at
/// the object around it.
fn named_field(message: &str) -> Option<&str> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("missing field `"))?;
    rest.split('`').next()
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_owned(),
        None => message.to_owned(),
    }
}

fn capitalise(message: &str) -> String {
    let mut chars = message.chars();
    let mut text: String = chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    if !text.ends_with('.') {
        text.push('.');
    }
    text
}

/// A query string; unknown parameters are refused so that a typo is not silently ignored.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| Self(value))
            .map_err(|rejection: QueryRejection| {
                let text = rejection.body_text();
                let detail = text
                    .strip_prefix("Failed to deserialize query string: ")
                    .unwrap_or(&text);
                Problem::new(ProblemType::InvalidQuery, capitalise(detail))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        lines: Vec<Line>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Line {
        quantity: String,
    }

    #[test]
    fn a_value_of_the_wrong_type_names_its_field() {
        let problem =
            parse_json::<Body>(br#"{"name": "a", "lines": [{"quantity": 2}]}"#).unwrap_err();
        assert_eq!(problem.field.as_deref(), Some("lines[0].quantity"));
        assert_eq!(
            problem.detail,
            "Invalid type: integer `2`, expected a string."
        );
        assert_eq!(problem.status, 422);
    }

    #[test]
    fn unknown_and_missing_fields_name_the_field() {
        let unknown =
            parse_json::<Body>(br#"{"name": "a", "lines": [], "colour": 1}"#).unwrap_err();
        assert_eq!(unknown.field.as_deref(), Some("colour"));
        let nested = parse_json::<Body>(br#"{"name": "a", "lines": [{"quantity": "1", "x": 1}]}"#)
            .unwrap_err();
        assert_eq!(nested.field.as_deref(), Some("lines[0].x"));
        let missing_nested = parse_json::<Body>(br#"{"name": "a", "lines": [{}]}"#).unwrap_err();
        assert_eq!(missing_nested.field.as_deref(), Some("lines[0].quantity"));
        let missing = parse_json::<Body>(br#"{"lines": []}"#).unwrap_err();
        assert_eq!(missing.field.as_deref(), Some("name"));
        assert_eq!(missing.detail, "Missing field `name`.");
    }

    #[test]
    fn broken_json_is_a_bad_request() {
        for body in [
            &b"{"[..],
            b"{\"name\": }",
            b"",
            b"{\"name\": \"a\", \"lines\": []} x",
        ] {
            let problem = parse_json::<Body>(body).unwrap_err();
            assert_eq!(problem.status, 400, "{body:?}");
            assert_eq!(problem.problem_type, "urn:portico:problem:malformed-json");
        }
    }
}
