//! After step 3 for an address that is nobody's contact, `/pay/{merchant_slug}/access-requested`:
//! the merchant has been asked to approve it, and no invoice is shown until they do.

use crate::domain::sign_in::WizardStep;
use crate::error::AppError;
use crate::wizard::frame::{Frame, PageState, WizardFrame, merchant_slug, step_page};
use leptos::prelude::*;

/// This page shows the frame alone: the merchant and the address signed in.
#[server(endpoint = "wizard/page/access-requested")]
pub async fn access_requested_page(merchant_slug: String) -> Result<PageState<Frame>, AppError> {
    use crate::wizard::WizardPage;
    use crate::wizard::guard::{self, Entry};

    match guard::enter(&merchant_slug, WizardPage::AccessRequested).await? {
        Entry::Open(visit) => Ok(PageState::show(visit.frame())),
        Entry::Elsewhere(elsewhere) => Ok(elsewhere.into()),
    }
}

#[component]
pub fn AccessRequestedPage() -> impl IntoView {
    step_page(access_requested_page(merchant_slug()), |frame| {
        view! { <AccessRequested frame /> }.into_any()
    })
}

#[component]
fn AccessRequested(frame: Frame) -> impl IntoView {
    let merchant = frame.merchant.display_name.clone();
    let email = frame.signed_in_as.clone().unwrap_or_default();
    let support = frame.merchant.support_email.clone();
    view! {
        <WizardFrame frame step=WizardStep::Business>
            <h1>"Your request is with " {merchant.clone()}</h1>
            <p class="lead">
                {format!(
                    "{merchant} has been asked to let {email} pay for your business. Nothing is shown until they approve it; once they have, sign in again with this address to see your invoices.",
                )}
            </p>
            {support
                .map(|support| {
                    view! {
                        <p>
                            "To speed things up, write to "
                            <a href=format!("mailto:{support}")>{support.clone()}</a> "."
                        </p>
                    }
                })}
        </WizardFrame>
    }
}
