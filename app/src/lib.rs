//! Portico's user interface and the rules behind it, shared by the server (feature `ssr`, which
//! renders pages and runs server functions) and the browser (feature `hydrate`).
//!
//! Dependencies point one way: `domain` <- `services` <- `wizard`, `dashboard`, `landing` <- the
//! server.

pub mod components;
pub mod dashboard;
pub mod domain;
pub mod error;
pub mod landing;
#[cfg(feature = "ssr")]
pub mod services;
pub mod wizard;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};

/// The HTML document around every server-rendered page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="description" content="Pay your business invoices online by bank or card." />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                // Content-addressed names (`portico.<hash>.css`) when cargo-leptos hashed the
                // build, so that browsers may keep the files for good (see web/assets.rs).
                <HashedStylesheet options=options.clone() />
                {page_has_islands().then(|| view! { <HydrationScripts options islands=true /> })}
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Whether the page being rendered may hold islands. Most of the dashboard's pages have none,
/// so they load neither the hydration script nor the WASM (about 95 KB brotli) that the wizard
/// needs.
fn page_has_islands() -> bool {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>().is_none_or(|parts| {
            let path = parts.uri.path();
            !path.starts_with("/dashboard") || dashboard::has_islands(path)
        })
    }
    #[cfg(not(feature = "ssr"))]
    {
        true
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Router>
            <main class="page">
                // `SsrMode::Async` sends each page whole, with its status code: the pages must
                // read right before the WASM arrives, and without JavaScript at all.
                <Routes fallback=|| {
                    view! {
                        <components::NotFound
                            heading="We could not find that page"
                            advice="Check the address, or open the billing link from your invoice email."
                        />
                    }
                }>
                    <Route path=path!("/") view=landing::Landing ssr=SsrMode::Async />
                    <Route
                        path=path!("/pay/:merchant_slug")
                        view=wizard::billing_link::BillingLinkPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/pay/:merchant_slug/verify")
                        view=wizard::code::CodePage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/pay/:merchant_slug/account")
                        view=wizard::account::AccountPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/pay/:merchant_slug/business")
                        view=wizard::business::BusinessPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/pay/:merchant_slug/access-requested")
                        view=wizard::access_request::AccessRequestedPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/pay/:merchant_slug/invoices")
                        view=wizard::invoices::InvoicesPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/pay/:merchant_slug/amounts")
                        view=wizard::amounts::AmountsPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/pay/:merchant_slug/method")
                        view=wizard::method::MethodPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/pay/:merchant_slug/details")
                        view=wizard::details::DetailsPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/pay/:merchant_slug/review")
                        view=wizard::review::ReviewPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/pay/:merchant_slug/receipt/:payment_id")
                        view=wizard::receipt::ReceiptPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/pay/:merchant_slug/plans/:plan_id/method")
                        view=wizard::plan_method::PlanMethodPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/dashboard")
                        view=dashboard::sign_in::DashboardSignInPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/dashboard/verify")
                        view=dashboard::code::DashboardCodePage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/dashboard/choose")
                        view=dashboard::choose::DashboardChoosePage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/dashboard/overview")
                        view=dashboard::overview::DashboardOverviewPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/dashboard/payments")
                        view=dashboard::payments::DashboardPaymentsPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/dashboard/payments/:payment_id")
                        view=dashboard::payment::DashboardPaymentPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/dashboard/customers")
                        view=dashboard::customers::DashboardCustomersPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/dashboard/customers/:customer_id")
                        view=dashboard::customer::DashboardCustomerPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/dashboard/invoices")
                        view=dashboard::invoices::DashboardInvoicesPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/dashboard/invoices/new")
                        view=dashboard::invoice_new::DashboardNewInvoicePage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/dashboard/invoices/:invoice_id")
                        view=dashboard::invoice::DashboardInvoicePage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/dashboard/settings")
                        view=dashboard::settings::DashboardSettingsPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/dashboard/settings/users")
                        view=dashboard::settings_users::DashboardSettingsUsersPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/dashboard/settings/api-keys")
                        view=dashboard::settings_api_keys::DashboardSettingsApiKeysPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/dashboard/settings/accounting")
                        view=dashboard::settings_accounting::DashboardSettingsAccountingPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/dashboard/settings/accounting/callback")
                        view=dashboard::settings_accounting::DashboardAccountingCallbackPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/pay/:merchant_slug/i/:token")
                        view=wizard::invoice_link::InvoiceLinkPage
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
        </Router>
    }
}
