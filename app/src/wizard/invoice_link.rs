//! An invoice link, `/pay/{merchant_slug}/i/{token}`: the invoice is remembered for after
//! sign-in (it comes preselected), and the customer continues where their session stands. An
//! expired or revoked link says so and offers the merchant's billing link.

use crate::components::NotFound;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum InvoiceLinkState {
    NoMerchant,
    Continue(String),
    Refused {
        reason: String,
        billing_link: String,
    },
}

#[server(endpoint = "wizard/invoice-link")]
pub async fn open_invoice_link(
    merchant_slug: String,
    token: String,
) -> Result<InvoiceLinkState, AppError> {
    use crate::domain::public_url::PublicUrl;
    use crate::error::unexpected;
    use crate::services::invoice_links::{self, LinkError};
    use crate::services::keys::Keys;
    use crate::services::{Database, from_context, sessions};
    use crate::wizard::session;

    let db: Database = from_context()?;
    let keys: Keys = from_context()?;
    let public_url: PublicUrl = from_context()?;
    let Some((merchant_id, merchant)) = session::merchant(&db, &merchant_slug).await? else {
        return Ok(InvoiceLinkState::NoMerchant);
    };
    let refused = |reason: &str| {
        Ok(InvoiceLinkState::Refused {
            reason: reason.to_owned(),
            billing_link: public_url.billing_link(&merchant.slug),
        })
    };
    let invoice = match invoice_links::resolve(&db, &keys, merchant_id, &token).await {
        Ok(invoice) => invoice,
        Err(LinkError::Expired) => return refused("This invoice link has expired."),
        Err(LinkError::Revoked) => {
            return refused("This invoice link has been withdrawn by the business that sent it.");
        }
        Err(LinkError::Invalid) => {
            return refused(
                "This invoice link is not valid: it may have been cut short when it was copied.",
            );
        }
        Err(error @ LinkError::Storage(_)) => {
            return Err(unexpected("resolving an invoice link", &error));
        }
    };
    let mut current = match session::current_or_start(&db, merchant_id).await {
        Ok(current) => current,
        Err(AppError::Invalid { message, .. }) => return refused(&message),
        Err(error) => return Err(error),
    };
    sessions::preselect_invoice(&db, &current.id, invoice)
        .await
        .map_err(|error| unexpected("remembering an invoice link's invoice", &error))?;
    let position = session::position(&db, Some(&mut current)).await?;
    Ok(InvoiceLinkState::Continue(position.path(&merchant.slug)))
}

#[component]
pub fn InvoiceLinkPage() -> impl IntoView {
    let params = use_params_map();
    let state = Resource::new(
        move || {
            let params = params.read();
            (
                params.get("merchant_slug").unwrap_or_default(),
                params.get("token").unwrap_or_default(),
            )
        },
        |(slug, token)| open_invoice_link(slug, token),
    );
    view! {
        <Suspense fallback=|| view! { <p class="card muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match state.await {
                    Ok(InvoiceLinkState::Continue(path)) => view! { <Redirect path /> }.into_any(),
                    Ok(InvoiceLinkState::Refused { reason, billing_link }) => {
                        view! {
                            <section class="card" aria-labelledby="link-heading">
                                <h1 id="link-heading">{reason}</h1>
                                <p>"You can still see and pay your invoices from the billing link:"</p>
                                <p><a class="button" href=billing_link.clone()>{billing_link.clone()}</a></p>
                            </section>
                        }
                            .into_any()
                    }
                    Ok(InvoiceLinkState::NoMerchant) => {
                        view! {
                            <NotFound
                                heading="There is no billing link at this address"
                                advice="Check the link in your invoice email, or ask the business that billed you for its billing link."
                            />
                        }
                            .into_any()
                    }
                    Err(error) => view! { <crate::components::ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
