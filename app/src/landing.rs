//! The page at `/`: what Portico is, for someone who arrives without a billing link.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn Landing() -> impl IntoView {
    view! {
        <Title text="Portico · Pay your invoices online" />
        <section class="card hero" aria-labelledby="landing-heading">
            <p class="eyebrow">"Portico"</p>
            <h1 id="landing-heading">"Pay your business invoices online"</h1>
            <p class="lead">
                "Portico is where the businesses you buy from collect their invoices: by bank debit (ACH in the United States, pre-authorized debit or EFT in Canada), by card, or in installments."
            </p>
            <h2>"How to pay"</h2>
            <ol class="steps">
                <li>"Open the billing link from your invoice email, your supplier's website or the memo on your invoice."</li>
                <li>"Confirm your email address with a one-time code."</li>
                <li>"Pick the invoices to pay, in full or in part, choose how to pay, and confirm."</li>
            </ol>
            <p class="muted">
                "Looking for a particular supplier? Its billing link looks like "
                <code>"/pay/its-name"</code> "; ask its accounts team if you cannot find it."
            </p>
        </section>
    }
}
