//! The browser's entry points. Built with `hydrate` (by cargo-leptos) it hydrates the islands
//! of the page the server rendered, and nothing else; built with `csr` (by Trunk) it mounts a
//! gallery of those islands for working on them without a server.

// The islands' hydration functions are exported by `app`; naming the crate links them in.
#[cfg(feature = "hydrate")]
extern crate app;

#[cfg(feature = "csr")]
mod gallery;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}

#[cfg(feature = "csr")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn mount() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(gallery::Gallery);
}
