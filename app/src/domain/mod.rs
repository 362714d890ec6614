//! Pure types and rules. Nothing here knows about Leptos, sqlx or HTTP, and everything here
//! compiles to WASM, so the browser and the server check input by the same rules.

pub mod accounting;
pub mod backoff;
pub mod bank;
pub mod business;
pub mod calendar;
pub mod card;
pub mod checkout;
pub mod email;
pub mod idempotency;
pub mod ids;
pub mod installment_agreement;
pub mod installment_plan;
pub mod installments;
pub mod invoice;
pub mod merchant;
pub mod money;
pub mod payment;
pub mod public_url;
pub mod reconciliation;
pub mod sensitive;
pub mod sign_in;
pub mod staff;
pub mod text;
