//! The integration tests' fake Xero as a process of its own, for the browser tests: its
//! consent page is a plain form a browser clicks through, and it records payments as Xero
//! does. Listens on `FAKE_XERO_ADDR` (127.0.0.1:3109), with one open invoice, InvoiceID
//! [`E2E_INVOICE_ID`], large enough for every run's payments. The Playwright configuration
//! starts it beside the portal, whose `XERO_*` variables point here.

#[allow(dead_code)] // Shared with the integration tests, which use all of it.
#[path = "../tests/integration/fakes/mod.rs"]
mod fakes;

/// The Xero invoice the browser tests pay Portico invoices of.
const E2E_INVOICE_ID: &str = "5f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b";

#[tokio::main]
async fn main() {
    let address = std::env::var("FAKE_XERO_ADDR").unwrap_or_else(|_| "127.0.0.1:3109".to_owned());
    let xero = fakes::xero::FakeXero::start_on(&address).await;
    xero.add_invoice_with_id(E2E_INVOICE_ID, "1000000.00");
    println!("fake Xero at {}", xero.address);
    // Until Playwright stops it.
    std::future::pending::<()>().await;
}
