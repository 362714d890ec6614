//! The frame around every signed-in dashboard page (the merchant, who is signed in and as
//! what, the navigation, sign-out), and the rendering of a page loader's answer.

use crate::components::{ErrorNotice, NotFound};
use crate::dashboard::DashboardPage;
use crate::domain::staff::StaffRole;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::{Stylesheet, Title};
use leptos_router::components::Redirect;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffFrame {
    pub merchant_name: String,
    pub email: String,
    pub role: StaffRole,
}

/// A dashboard loader's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum DashboardState<V> {
    /// Not signed in (or not yet at this merchant): where to go.
    Redirect(String),
    /// Nothing of this merchant's has that id (another merchant's ids included).
    NotFound,
    Show(Box<V>),
}

impl<V> DashboardState<V> {
    pub fn show(view: V) -> Self {
        Self::Show(Box::new(view))
    }
}

/// Renders a page once its loader answers (whole, before the first byte: `SsrMode::Async`).
pub fn dashboard_page<V, Load>(
    load: Load,
    render: impl FnOnce(V) -> AnyView + Send + 'static,
) -> impl IntoView
where
    V: Send + 'static,
    Load: std::future::Future<Output = Result<DashboardState<V>, AppError>> + Send + 'static,
{
    let page = Suspend::new(async move {
        match load.await {
            Ok(DashboardState::Show(view)) => render(*view),
            Ok(DashboardState::Redirect(path)) => view! { <Redirect path /> }.into_any(),
            Ok(DashboardState::NotFound) => view! {
                <NotFound
                    heading="There is nothing at this address"
                    advice="It may belong to another merchant, or the address may be mistyped. Go back to the payments list."
                />
            }
            .into_any(),
            Err(error) => view! { <ErrorNotice error /> }.into_any(),
        }
    });
    view! { <Suspense fallback=|| view! { <p class="card muted">"Loading…"</p> }>{page}</Suspense> }
}

/// Ends the staff session and returns to the sign-in page.
#[server(endpoint = "dashboard/sign-out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::dashboard::guard::{self, Standing};
    use crate::error::unexpected;
    use crate::services::{Database, from_context, staff_sessions};

    let db: Database = from_context()?;
    let session = match guard::standing().await? {
        Standing::SignedIn(staff) => Some(staff.session),
        Standing::Choosing(session, _) | Standing::SignedOut(Some(session)) => Some(session),
        Standing::SignedOut(None) => None,
    };
    if let Some(session) = session {
        staff_sessions::end(&db, &session)
            .await
            .map_err(|error| unexpected("ending a staff session", &error))?;
    }
    guard::clear_cookie()?;
    leptos_axum::redirect(&DashboardPage::SignIn.path());
    Ok(())
}

/// The dashboard's own styles: apart from the wizard's, so customers never download them.
const DASHBOARD_STYLESHEET: &str = "/dashboard.css";

/// The pages the navigation lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Overview,
    Invoices,
    Payments,
    Customers,
    Settings,
}

/// The frame of every signed-in page.
#[component]
pub fn DashboardFrame(
    frame: StaffFrame,
    section: Section,
    /// The page's heading, also its title.
    title: String,
    children: Children,
) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    let current = |wanted: Section| (section == wanted).then_some("page");
    view! {
        <Title text=format!("{title} · {} · Portico dashboard", frame.merchant_name) />
        <Stylesheet href=DASHBOARD_STYLESHEET />
        <div class="dashboard">
            <header class="dashboard__header">
                <p class="dashboard__merchant">
                    <span class="dashboard__product">"Portico"</span>
                    <span>{frame.merchant_name.clone()}</span>
                </p>
                <ActionForm action=sign_out attr:class="dashboard__sign-out">
                    <span class="dashboard__signed-in">
                        {frame.email.clone()} " · " {frame.role.label()}
                    </span>
                    <button type="submit" class="button button--link">"Sign out"</button>
                </ActionForm>
            </header>
            <nav class="dashboard__nav" aria-label="Dashboard">
                <a href=DashboardPage::Overview.path() aria-current=current(Section::Overview)>
                    "Overview"
                </a>
                <a href=DashboardPage::Invoices.path() aria-current=current(Section::Invoices)>
                    "Invoices"
                </a>
                <a href=DashboardPage::Payments.path() aria-current=current(Section::Payments)>
                    "Payments"
                </a>
                <a href=DashboardPage::Customers.path() aria-current=current(Section::Customers)>
                    "Customers"
                </a>
                <a href=DashboardPage::Settings.path() aria-current=current(Section::Settings)>
                    "Settings"
                </a>
            </nav>
            <div class="dashboard__main">
                <h1>{title}</h1>
                {children()}
            </div>
        </div>
    }
}

/// The frame of the pages before sign-in.
#[component]
pub fn SignInFrame(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <Title text=format!("{title} · Portico dashboard") />
        <Stylesheet href=DASHBOARD_STYLESHEET />
        <div class="wizard">
            <header class="wizard__header">
                <div class="wizard__merchant">
                    <span class="wizard__merchant-name">"Portico dashboard"</span>
                </div>
            </header>
            <section class="card wizard__card">
                <h1>{title}</h1>
                {children()}
            </section>
        </div>
    }
}
