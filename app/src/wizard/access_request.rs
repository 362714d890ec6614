//! After step 3 for an address that is nobody's contact, `/pay/{merchant_slug}/access-requested`:
//! the merchant has been asked to approve it, and no invoice is shown until they do.

use crate::domain::sign_in::WizardStep;
use crate::wizard::{WizardFrame, WizardPage, WizardRoute, WizardView};
use leptos::prelude::*;

#[component]
pub fn AccessRequestedPage() -> impl IntoView {
    view! {
        <WizardRoute
            page=WizardPage::AccessRequested
            refresh=Signal::derive(|| 0)
            render=std::sync::Arc::new(move |view| view! { <AccessRequested view /> }.into_any())
        />
    }
}

#[component]
fn AccessRequested(view: WizardView) -> impl IntoView {
    let merchant = view.merchant.display_name.clone();
    let email = view.signed_in_as.clone().unwrap_or_default();
    let support = view.merchant.support_email.clone();
    view! {
        <WizardFrame view step=WizardStep::Business>
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
