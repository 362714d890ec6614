//! Every island of the wizard and the dashboard on one page, each in the states that matter, for working on their
//! look and behaviour with Trunk's quick rebuilds (`trunk serve`) and no server. The props are
//! what the server would give them; nothing here is sent anywhere (the forms have no action).

use app::components::CopyField;
use app::wizard::amounts::{AmountRow, AmountsPicker};
use app::wizard::card::CardNumberField;
use app::wizard::code::ResendButton;
use leptos::prelude::*;

#[component]
pub fn Gallery() -> impl IntoView {
    view! {
        <main class="page">
            <h1>"Portico's islands"</h1>
            <GallerySection title="Step 1: copy the billing link">
                <CopyField
                    id="billing-link"
                    label="Billing link"
                    text="https://pay.example.com/pay/northwind"
                    copy_label="Copy link"
                    copied="Link copied to the clipboard."
                />
            </GallerySection>
            <GallerySection title="Dashboard: copy a new API key (a text area, wrapped on a phone)">
                <CopyField
                    id="new-key-secret"
                    label="API key"
                    text="portico_sk_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
                    copy_label="Copy key"
                    copied="Key copied to the clipboard."
                    multiline=true
                />
            </GallerySection>
            <GallerySection title="Step 2: resend, cooling down">
                <ResendButton wait_seconds=30 />
            </GallerySection>
            <GallerySection title="Step 5: invoices and the running total">
                <AmountsPicker rows=sample_rows(None) pay_error=None focus_pay=false />
            </GallerySection>
            <GallerySection title="Step 5: an amount refused by the server">
                <AmountsPicker
                    rows=sample_rows(Some("Invoice INV-1002 has 200.00 USD left to pay; enter at most that."))
                    pay_error=None
                    focus_pay=false
                />
            </GallerySection>
            <GallerySection title="Step 7: card number (try 4242 4242 4242 4241)">
                <CardNumberField error=None first_refused=false />
            </GallerySection>
            <GallerySection title="Step 7: card number refused by the processor">
                <CardNumberField error=Some("Your card was declined.".to_owned()) first_refused=false />
            </GallerySection>
        </main>
    }
}

#[component]
fn GallerySection(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <section class="card">
            <h2>{title}</h2>
            <form class="form" novalidate=true>{children()}</form>
        </section>
    }
}

/// Two invoices, the second with `second_error` when given.
fn sample_rows(second_error: Option<&str>) -> Vec<AmountRow> {
    let row = |invoice: &str, number: &str, left: &str, selected: bool| AmountRow {
        invoice: invoice.to_owned(),
        number: number.to_owned(),
        standing: format!("Due Jan 31, 2027 · {left} USD left"),
        overdue: false,
        currency: "USD".to_owned(),
        selected,
        amount: left.replace(',', ""),
        error: None,
        first_refused: false,
    };
    let mut second = row("inv_2", "INV-1002", "200.00", true);
    if let Some(error) = second_error {
        second.amount = "250.00".to_owned();
        second.error = Some(error.to_owned());
    }
    vec![row("inv_1", "INV-1001", "1,250.00", false), second]
}
