//! Local, stateful fakes of the accounting providers' APIs, each an HTTP server on port 0 in
//! this test process, built to the published descriptions (`../shared/specs/`, and what
//! `docs/accounting-apis.md` gathered): field names and casing, error bodies, token expiry and
//! rotation. `oauth` is the authorization server both share; `xero` and `quickbooks` add each
//! provider's API. Their authorize pages are plain forms, so a browser test can click through:
//! `server/examples/fake_accounting.rs` serves them as a process for the browser tests.

pub mod oauth;
pub mod quickbooks;
pub mod xero;

use axum::Router;

/// Serves `router` at `address` (`127.0.0.1:0`: a free loopback port); answers its base
/// address.
pub async fn serve(router: Router, address: &str) -> String {
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .expect("a free port for a fake");
    let address = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, router).await.ok();
    });
    address
}
