//! The modules that own the rules with side effects: SQL and outside calls. Server-side only;
//! server functions and the HTTP routes call these, never the database directly.

pub mod access_requests;
pub mod accounting;
pub mod api_key_reveals;
pub mod api_keys;
pub mod bank_accounts;
pub mod checkout;
pub mod clock;
pub mod crash_point;
pub mod customers;
pub mod database;
pub mod group_commit;
pub mod idempotency;
pub mod installment_emails;
pub mod installment_method_change;
pub mod installment_payoff;
pub mod installment_plans;
pub mod invoice_history;
pub mod invoice_links;
pub mod invoices;
pub mod jobs;
pub mod keys;
pub mod mail;
pub mod merchant_cache;
pub mod merchant_settings;
pub mod merchant_users;
pub mod merchants;
pub mod overview;
pub mod page;
pub mod payment_export;
pub mod payment_history;
pub mod payments;
pub mod processors;
pub mod rate_limit;
pub mod reconciliation;
pub mod refunds;
pub mod request;
pub mod saved_cards;
pub mod sessions;
pub mod sign_in;
pub mod staff_sessions;

pub use database::{Backend, Database};

/// A value the server put into the Leptos context for every request (the database handle, the
/// public URL). Missing one is a wiring bug: logged in full, reported to the browser as unexpected.
pub fn from_context<T: Clone + Send + Sync + 'static>() -> Result<T, crate::error::AppError> {
    leptos::prelude::use_context::<T>().ok_or_else(|| {
        tracing::error!(
            missing = std::any::type_name::<T>(),
            "a server function ran without its context"
        );
        crate::error::AppError::Unexpected
    })
}
