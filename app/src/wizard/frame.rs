//! What every step shares around its own content: the frame (who is paid, progress, a way
//! back, sign-out), the answer a step's loader gives, and the rendering of that answer as the
//! step, a redirect or a not-found page.

use crate::components::{ErrorNotice, NotFound};
use crate::domain::merchant::MerchantBranding;
use crate::domain::sign_in::WizardStep;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::{Stylesheet, Title};
use leptos_router::components::Redirect;
use serde::{Deserialize, Serialize};

/// What the frame around every step shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    pub merchant: MerchantBranding,
    /// The verified address, once signed in (it comes with a way to sign out).
    pub signed_in_as: Option<String>,
}

/// A step loader's answer: the step's own view, a redirect to where the session belongs, or
/// nothing to show (no such merchant, receipt or plan).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PageState<V> {
    NoMerchant,
    NoReceipt,
    NoPlan,
    Redirect(String),
    Show(Box<V>),
}

impl<V> PageState<V> {
    pub fn show(view: V) -> Self {
        Self::Show(Box::new(view))
    }
}

/// Renders a step once its loader answers: `render` for its view, otherwise the redirect or
/// not-found page the answer calls for. Pages render on the server only, whole
/// (`SsrMode::Async`), so this waits for the loader before the first byte.
pub fn step_page<V, Load>(
    load: Load,
    render: impl FnOnce(V) -> AnyView + Send + 'static,
) -> impl IntoView
where
    V: Send + 'static,
    Load: std::future::Future<Output = Result<PageState<V>, AppError>> + Send + 'static,
{
    let page = Suspend::new(async move {
        match load.await {
            Ok(PageState::Show(view)) => render(*view),
            Ok(PageState::Redirect(path)) => view! { <Redirect path /> }.into_any(),
            Ok(PageState::NoMerchant) => view! {
                <NotFound
                    heading="There is no billing link at this address"
                    advice="Check the link in your invoice email, or ask the business that billed you for its billing link."
                />
            }
            .into_any(),
            Ok(PageState::NoReceipt) => view! {
                <NotFound
                    heading="There is no receipt at this address"
                    advice="Open the billing link from your invoice email to see your invoices."
                />
            }
            .into_any(),
            Ok(PageState::NoPlan) => view! {
                <NotFound
                    heading="There is no installment plan at this address"
                    advice="Open the billing link from your invoice email: your plans are listed with your invoices."
                />
            }
            .into_any(),
            Err(error) => view! { <ErrorNotice error /> }.into_any(),
        }
    });
    view! { <Suspense fallback=|| view! { <p class="card muted">"Loading…"</p> }>{page}</Suspense> }
}

/// The merchant slug of the page being rendered, as the route names it.
pub fn merchant_slug() -> String {
    leptos_router::hooks::use_params_map()
        .read_untracked()
        .get("merchant_slug")
        .unwrap_or_default()
}

/// Ends the session and returns to the billing link.
#[server(endpoint = "wizard/sign-out")]
pub async fn sign_out(merchant_slug: String) -> Result<(), AppError> {
    use crate::error::unexpected;
    use crate::services::{Database, from_context, sessions};

    let db: Database = from_context()?;
    let (merchant_id, merchant) =
        crate::wizard::session::require_merchant(&db, &merchant_slug).await?;
    if let Some(current) = crate::wizard::session::current(&db, merchant_id).await? {
        sessions::end(&db, &current.id)
            .await
            .map_err(|error| unexpected("ending a session", &error))?;
    }
    crate::wizard::session::clear_cookie(merchant_id)?;
    leptos_axum::redirect(&format!("/pay/{}", merchant.slug));
    Ok(())
}

/// The frame of every step: who is being paid, how far along the customer is, a way back, and
/// sign-out once signed in.
#[component]
pub fn WizardFrame(
    frame: Frame,
    step: WizardStep,
    /// Where "Back" goes, and what it says.
    #[prop(optional)]
    back: Option<(String, &'static str)>,
    children: Children,
) -> impl IntoView {
    let merchant = frame.merchant;
    // The brand colour comes as a small same-origin stylesheet rather than an inline <style>,
    // so the CSP needs no exception for it and the browser caches it across steps.
    let brand_stylesheet = format!("/brand/{}.css", merchant.slug);
    let sign_out = ServerAction::<SignOut>::new();
    let progress = format!("Step {} of {}", step.number(), WizardStep::COUNT);
    view! {
        <Title text=format!("{} · Pay {} · Portico", step.title(), merchant.display_name) />
        <Stylesheet href=brand_stylesheet />
        <div class="wizard">
            <header class="wizard__header">
                <div class="wizard__merchant">
                    {merchant
                        .logo_url
                        .clone()
                        .map(|logo| view! { <img class="wizard__logo" src=logo alt="" /> })}
                    <span class="wizard__merchant-name">{merchant.display_name.clone()}</span>
                </div>
                {frame
                    .signed_in_as
                    .map(|email| {
                        view! {
                            <ActionForm action=sign_out attr:class="wizard__sign-out">
                                <input type="hidden" name="merchant_slug" value=merchant.slug.to_string() />
                                <span class="wizard__signed-in">{email}</span>
                                <button type="submit" class="button button--link">"Sign out"</button>
                            </ActionForm>
                        }
                    })}
            </header>
            <nav class="wizard__progress" aria-label="Progress">
                <p>
                    <span class="wizard__step-count">{progress.clone()}</span>
                    " · "
                    {step.title()}
                </p>
                // A native progress bar: no inline style (the CSP allows none), and screen
                // readers announce it as progress.
                <progress
                    class="wizard__bar"
                    max=WizardStep::COUNT.to_string()
                    value=step.number().to_string()
                    aria-label=progress
                ></progress>
            </nav>
            {back.map(|(href, label)| view! { <a class="wizard__back" href=href>{format!("← {label}")}</a> })}
            <section class="card wizard__card">{children()}</section>
        </div>
    }
}
