//! HTTP concerns that are not Leptos pages: health probes and the layers around every response.

pub mod assets;
pub mod brand;
pub mod client;
pub mod health;
pub mod limits;
pub mod payment_export;
pub mod reactive_owner;
pub mod refusals;
pub mod security;
