//! Every request runs under a fresh, empty Leptos owner.
//!
//! Leptos keeps the current reactive owner in a thread-local. Rendering a page makes a root
//! owner with `Owner::new_root`, which sets that thread-local and leaves it set; leptos_axum's
//! static-file and server-function handlers then make their own owner with `Owner::new()`, a
//! *child* of whatever the thread holds. So a static file could be answered inside the page
//! render that ran before it on the same worker thread, and pick up that page's response
//! options: its `Set-Cookie`, another visitor's session. Each request now runs under a root owner
//! of its own, made current on every poll of the request, so what leptos_axum's handlers make
//! hangs under it and nothing of another request is in scope.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use leptos::reactive::computed::ScopedFuture;
use leptos::reactive::owner::Owner;

pub async fn isolate(request: Request, next: Next) -> Response {
    let owner = Owner::new_root(None);
    owner
        .with(|| ScopedFuture::new_untracked(next.run(request)))
        .await
}
