//! The merchant's billing link, `/pay/{merchant_slug}`: where every customer's visit starts.

use crate::components::{ErrorNotice, NotFound};
use crate::domain::merchant::MerchantBranding;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::{Style, Title};
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

/// What the billing link page shows of its merchant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingLinkView {
    pub merchant: MerchantBranding,
    /// The full, shareable address of this page (built from `PUBLIC_URL`).
    pub link: String,
}

/// The merchant behind a billing link, or `None` when the link names no merchant.
#[server(endpoint = "billing-link/merchant")]
pub async fn billing_link_merchant(
    merchant_slug: String,
) -> Result<Option<BillingLinkView>, AppError> {
    use crate::domain::merchant::MerchantSlug;
    use crate::domain::public_url::PublicUrl;
    use crate::error::unexpected;
    use crate::services::{Database, from_context, merchants};

    // A malformed slug cannot name a merchant: to the customer it is simply a wrong address.
    let Ok(slug) = MerchantSlug::parse(&merchant_slug) else {
        return Ok(None);
    };
    let db: Database = from_context()?;
    let public_url: PublicUrl = from_context()?;
    let merchant = merchants::find_branding(&db, &slug)
        .await
        .map_err(|error| unexpected("reading the merchant of a billing link", &error))?;
    Ok(merchant.map(|merchant| BillingLinkView {
        link: public_url.billing_link(&merchant.slug),
        merchant,
    }))
}

#[component]
pub fn BillingLinkPage() -> impl IntoView {
    let params = use_params_map();
    let view_of_link = Resource::new(
        move || params.read().get("merchant_slug").unwrap_or_default(),
        billing_link_merchant,
    );
    view! {
        <Suspense fallback=|| view! { <p class="card muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match view_of_link.await {
                    Ok(Some(view_of_link)) => view! { <BillingLink view_of_link /> }.into_any(),
                    Ok(None) => {
                        view! {
                            <NotFound
                                heading="There is no billing link at this address"
                                advice="Check the link in your invoice email, or ask the business that billed you for its billing link."
                            />
                        }
                            .into_any()
                    }
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn BillingLink(view_of_link: BillingLinkView) -> impl IntoView {
    let BillingLinkView { merchant, link } = view_of_link;
    // The accent colour is six validated hex digits (see `AccentColour`), so it is safe here.
    let brand_style = format!(":root{{--accent:{}}}", merchant.accent_colour.as_str());
    view! {
        <Title text=format!("Pay {} · Portico", merchant.display_name) />
        <Style>{brand_style}</Style>
        <section class="card" aria-labelledby="merchant-heading">
            <p class="eyebrow">"Invoice payment"</p>
            <h1 id="merchant-heading">{format!("Pay {}", merchant.display_name)}</h1>
            <p class="lead">
                {format!(
                    "This is the secure billing link of {}. Here you will confirm your email address, see your open invoices and pay them by bank or card.",
                    merchant.display_name,
                )}
            </p>
            {merchant
                .support_email
                .map(|email| {
                    view! {
                        <p class="muted">
                            "Questions about an invoice? Write to "
                            <a href=format!("mailto:{email}")>{email.clone()}</a> "."
                        </p>
                    }
                })}
            <ShareLink link />
        </section>
    }
}

/// The link in a box anyone can select, plus a copy button once the page is interactive
/// (customers often forward the link to whoever pays the bills).
#[component]
fn ShareLink(link: String) -> impl IntoView {
    let hydrated = RwSignal::new(false);
    // Effects run only in the browser, after hydration: before that there is no button to press.
    Effect::new(move || hydrated.set(true));
    let copy_status = RwSignal::new(String::new());
    let link_to_copy = link.clone();
    let copy = move |_| {
        let link = link_to_copy.clone();
        leptos::task::spawn_local(async move {
            let clipboard = window().navigator().clipboard();
            let written = wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&link)).await;
            copy_status.set(match written {
                Ok(_) => "Link copied to the clipboard.".to_owned(),
                Err(_) => {
                    "Your browser did not allow copying: select the link and copy it yourself."
                        .to_owned()
                }
            });
        });
    };
    view! {
        <div class="share-link">
            <label for="billing-link">"Billing link"</label>
            <div class="share-link__row">
                <input id="billing-link" type="text" readonly value=link.clone() />
                <Show when=move || hydrated.get()>
                    <button type="button" class="button button--secondary" on:click=copy.clone()>
                        "Copy link"
                    </button>
                </Show>
            </div>
            <p class="share-link__status" role="status">{move || copy_status.get()}</p>
        </div>
    }
}
