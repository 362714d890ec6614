//! What a server function may tell the browser. The full cause of a failure goes to the log
//! with `tracing::error!` on the server; the browser only ever sees these variants.

use crate::domain::business::FieldError;
use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The request was malformed: the UI shows `message` beside `field`.
    #[error("{message}")]
    Invalid { field: String, message: String },
    /// Several fields of a form were refused; the UI shows each message beside its field.
    #[error("Some of the details need correcting.")]
    InvalidFields(Vec<FieldError>),
    /// The request belongs to a step the customer is not on (a stale tab, an ended session,
    /// an address typed by hand); the UI takes them to `path`.
    #[error("{message}")]
    WrongStep { path: String, message: String },
    /// The signed-in user's role does not allow this change (a dashboard viewer).
    #[error("{0}")]
    Forbidden(String),
    /// What the request names does not exist for the signed-in user: another merchant's ids
    /// are answered so, the same as ids that exist nowhere.
    #[error("{0}")]
    NotFound(String),
    /// Something failed on our side; the cause is in the server log, not here.
    #[error("Something went wrong on our side. Please try again in a moment.")]
    Unexpected,
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(error: ServerFnErrorErr) -> Self {
        match error {
            ServerFnErrorErr::Args(message)
            | ServerFnErrorErr::MissingArg(message)
            | ServerFnErrorErr::Deserialization(message) => Self::Invalid {
                field: "request".to_owned(),
                message,
            },
            _ => Self::Unexpected,
        }
    }
}

/// Logs the full cause of an unexpected failure and returns the browser-safe error for it.
#[cfg(feature = "ssr")]
pub fn unexpected(context: &str, cause: &dyn std::error::Error) -> AppError {
    tracing::error!(error = %Chain(cause), "{context}");
    AppError::Unexpected
}

/// An error with every cause under it, `outer: inner: innermost`, for the log: the top
/// message alone ("payment storage failed") hides what the database said.
#[cfg(feature = "ssr")]
pub struct Chain<'a>(pub &'a dyn std::error::Error);

#[cfg(feature = "ssr")]
impl std::fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut cause = self.0.source();
        while let Some(error) = cause {
            write!(f, ": {error}")?;
            cause = error.source();
        }
        Ok(())
    }
}

impl AppError {
    /// The first field this error refuses (forms list their errors in form order).
    pub fn first_field(&self) -> Option<&str> {
        match self {
            Self::Invalid { field, .. } => Some(field),
            Self::InvalidFields(errors) => errors.first().map(|error| error.field.as_str()),
            Self::WrongStep { .. } | Self::Forbidden(_) | Self::NotFound(_) | Self::Unexpected => {
                None
            }
        }
    }

    /// The message for `field`, when this error is about it.
    pub fn message_for(&self, field: &str) -> Option<String> {
        match self {
            Self::Invalid {
                field: failed,
                message,
            } if failed == field => Some(message.clone()),
            Self::InvalidFields(errors) => errors
                .iter()
                .find(|error| error.field == field)
                .map(|error| error.message.clone()),
            Self::Invalid { .. }
            | Self::WrongStep { .. }
            | Self::Forbidden(_)
            | Self::NotFound(_)
            | Self::Unexpected => None,
        }
    }
}
