//! Pure types and rules. Nothing here knows about Leptos, sqlx or HTTP, and everything here
//! compiles to WASM, so the browser and the server check input by the same rules.

pub mod merchant;
pub mod public_url;
