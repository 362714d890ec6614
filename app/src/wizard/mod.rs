//! The customer's payment wizard, one file per step: the component and its server function.
//! This module holds what the steps share: the page state every step renders from, the frame
//! around each step (merchant, progress, a way back, sign-out), and field error messages.
//!
//! Every step is an `ActionForm` that works before the WASM arrives and without JavaScript at
//! all: on success the server function redirects to the next step (a real redirect for a plain
//! form post, a client-side navigation once hydrated); on failure the error comes back beside
//! the field, and what the customer typed is kept in the session so it survives a reload.

pub mod access_request;
pub mod account;
pub mod amounts;
pub mod bank;
pub mod bank_link;
pub mod billing_link;
pub mod business;
pub mod card;
pub mod code;
pub mod details;
pub mod invoice_link;
pub mod invoices;
pub mod method;
pub mod receipt;
pub mod review;
#[cfg(feature = "ssr")]
pub mod session;

use crate::components::{ErrorNotice, NotFound};
use crate::domain::business::BusinessForm;
use crate::domain::merchant::MerchantBranding;
use crate::domain::sign_in::WizardStep;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::{Stylesheet, Title};
use leptos_router::components::Redirect;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

/// The pages of the wizard that sign-in leads through. A session stands on exactly one of them
/// at a time (see `session::position`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WizardPage {
    Email,
    Code,
    Account,
    Business,
    AccessRequested,
    Invoices,
    Amounts,
    Method,
    Details,
    Review,
    /// The receipt of one of the customer's payments.
    Receipt(crate::domain::ids::PaymentId),
}

impl WizardPage {
    pub fn path(self, slug: &crate::domain::merchant::MerchantSlug) -> String {
        let page = match self {
            Self::Email => "",
            Self::Code => "/verify",
            Self::Account => "/account",
            Self::Business => "/business",
            Self::AccessRequested => "/access-requested",
            Self::Invoices => "/invoices",
            Self::Amounts => "/amounts",
            Self::Method => "/method",
            Self::Details => "/details",
            Self::Review => "/review",
            Self::Receipt(payment) => return format!("/pay/{slug}/receipt/{payment}"),
        };
        format!("/pay/{slug}{page}")
    }

    /// Where a page comes in paying (steps 4 to 8), for pages of that part: a signed-in customer
    /// may go back to any of them up to the furthest the checkout has reached.
    pub fn checkout_order(self) -> Option<u8> {
        match self {
            Self::Invoices => Some(4),
            Self::Amounts => Some(5),
            Self::Method => Some(6),
            Self::Details => Some(7),
            Self::Review => Some(8),
            Self::Email
            | Self::Code
            | Self::Account
            | Self::Business
            | Self::AccessRequested
            | Self::Receipt(_) => None,
        }
    }
}

/// What a wizard page renders: nothing (no such merchant), a redirect to where the session
/// belongs, or the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PageState {
    NoMerchant,
    Redirect(String),
    Show(Box<WizardView>),
}

/// Everything the sign-in pages show. Each page fills what it needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WizardView {
    pub merchant: MerchantBranding,
    pub billing_link: String,
    pub signed_in_as: Option<String>,
    pub pending_email: Option<String>,
    pub email_draft: String,
    pub resend_wait_seconds: i64,
    pub business: BusinessForm,
    pub new_business: bool,
    pub accounts: Vec<AccountChoice>,
    pub invoices: Vec<InvoiceLine>,
    pub totals: Vec<String>,
    /// Where the next page of invoices starts, when there is one.
    pub next_invoices: Option<String>,
    /// Whether this is a later page of invoices (so there is a first page to go back to).
    pub later_invoices: bool,
    /// The invoice number searched for in steps 4 and 5, if any.
    pub search: String,
    /// Steps 5 to 8.
    pub checkout: CheckoutView,
    pub receipt: Option<ReceiptView>,
}

/// A payment as its receipt shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptView {
    pub confirmation_number: String,
    pub status: crate::domain::payment::PaymentStatus,
    pub lines: Vec<PayLine>,
    pub total: String,
    pub instrument_label: String,
    /// When a bank debit is expected to settle, as people read dates.
    pub settles_on: Option<String>,
    pub failure_reason: Option<String>,
    pub return_code: Option<String>,
    /// Whether the invoices are still chosen, so another method is one step away.
    pub can_retry: bool,
}

/// What steps 5 to 8 show of the checkout, formatted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckoutView {
    /// Step 5: what was typed or accepted per invoice, and why the customer was sent back.
    pub typed: Vec<crate::domain::checkout::TypedAmount>,
    pub notice: Option<String>,
    /// Step 6: the methods on offer and the one chosen.
    pub methods: Vec<MethodChoice>,
    pub method: Option<crate::domain::payment::PaymentMethodKind>,
    /// Step 7: what the forms keep, and saved methods to reuse.
    pub bank_draft: crate::domain::checkout::BankDraft,
    pub card_draft: crate::domain::checkout::CardDraft,
    pub saved: Vec<SavedChoice>,
    /// The banks the customer can connect to, and the one connected.
    pub institutions: Vec<SavedChoice>,
    pub connected_bank: Option<crate::domain::checkout::ConnectedBank>,
    /// Step 8.
    pub lines: Vec<PayLine>,
    pub total: String,
    pub pay_label: String,
    pub instrument_label: String,
    pub timing: String,
    pub authorization: String,
    pub idempotency_key: String,
}

/// A method step 6 offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodChoice {
    pub method: crate::domain::payment::PaymentMethodKind,
    pub label: String,
    pub clearing: String,
}

/// A saved card or bank account, masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedChoice {
    pub id: String,
    pub label: String,
}

/// An invoice and the amount being paid on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayLine {
    pub number: String,
    pub amount: String,
}

/// A customer a contact may pay for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountChoice {
    pub id: String,
    pub name: String,
}

/// One outstanding invoice as step 4 lists it; amounts are already formatted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLine {
    pub id: String,
    pub number: String,
    pub issued_on: String,
    pub due_on: String,
    pub overdue: bool,
    pub total: String,
    pub balance_due: String,
    /// The balance as a plain number, to prefill step 5's amount box.
    pub balance_plain: String,
    pub currency: String,
    pub status: String,
    pub preselected: bool,
    pub memo: Option<String>,
    pub lines: Vec<LineView>,
}

/// One line of an invoice, formatted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineView {
    pub description: String,
    pub quantity: String,
    pub amount: String,
}

/// Step 4 shows this many invoices at a time.
pub const INVOICES_PER_PAGE: u32 = 25;

/// The state of `page` for this browser's session at `merchant_slug`; for step 4, `after` is
/// the cursor of the page of invoices to show.
#[server(endpoint = "wizard/page")]
pub async fn load_wizard_page(
    merchant_slug: String,
    page: WizardPage,
    #[server(default)] after: Option<String>,
    #[server(default)] number: Option<String>,
) -> Result<PageState, AppError> {
    use crate::domain::public_url::PublicUrl;
    use crate::error::unexpected;
    use crate::services::clock::{date_for_people, today};
    use crate::services::invoices::{self, InvoiceFilter};
    use crate::services::page::{Cursor, PageRequest};
    use crate::services::{Database, customers, from_context, sign_in};

    let db: Database = from_context()?;
    let public_url: PublicUrl = from_context()?;
    let Some((merchant_id, merchant)) = session::merchant(&db, &merchant_slug).await? else {
        return Ok(PageState::NoMerchant);
    };
    let mut current = session::current(&db, merchant_id).await?;
    let position = session::position(&db, current.as_mut()).await?;
    // Step 1 stays open while a code is awaited, to change the address; steps 4 to 8 are open
    // up to the furthest the checkout reached.
    let reach = match (&current, position) {
        (Some(session), WizardPage::Invoices) => session::checkout_reach(&session.checkout),
        _ => position,
    };
    let allowed = page == position
        || (page == WizardPage::Email && position == WizardPage::Code)
        || (matches!(page, WizardPage::Receipt(_)) && position == WizardPage::Invoices)
        || matches!(
            (page.checkout_order(), reach.checkout_order()),
            (Some(asked), Some(reached)) if asked <= reached
        );
    if !allowed {
        return Ok(PageState::Redirect(reach.path(&merchant.slug)));
    }
    let mut view = WizardView {
        billing_link: public_url.billing_link(&merchant.slug),
        signed_in_as: current
            .as_ref()
            .and_then(|session| session.verified_email.as_ref())
            .map(ToString::to_string),
        pending_email: current
            .as_ref()
            .and_then(|session| session.pending_email.as_ref())
            .map(ToString::to_string),
        email_draft: current
            .as_ref()
            .map(|session| session.draft.email.clone())
            .unwrap_or_default(),
        resend_wait_seconds: 0,
        business: BusinessForm::default(),
        new_business: false,
        accounts: Vec::new(),
        invoices: Vec::new(),
        totals: Vec::new(),
        next_invoices: None,
        later_invoices: false,
        search: String::new(),
        checkout: CheckoutView::default(),
        receipt: None,
        merchant,
    };
    let Some(session) = current else {
        return Ok(PageState::Show(Box::new(view)));
    };
    match page {
        WizardPage::Email | WizardPage::AccessRequested => {}
        WizardPage::Code => {
            view.resend_wait_seconds = sign_in::resend_wait_seconds(&db, &session)
                .await
                .map_err(|error| unexpected("reading the resend cool-down", &error))?;
        }
        WizardPage::Account => {
            if let Some(email) = &session.verified_email {
                let known = customers::find_by_contact(&db, merchant_id, email)
                    .await
                    .map_err(|error| unexpected("reading a contact's customers", &error))?;
                view.accounts = known
                    .into_iter()
                    .map(|customer| AccountChoice {
                        id: customer.id.to_string(),
                        name: customer.legal_name.to_string(),
                    })
                    .collect();
            }
        }
        WizardPage::Business => {
            view.new_business = session.customer.is_none();
            view.business = if session.draft.business != BusinessForm::default() {
                session.draft.business.clone()
            } else if let Some(customer) = session.customer {
                customers::profile_form(&db, merchant_id, customer)
                    .await
                    .map_err(|error| unexpected("reading a customer's profile", &error))?
            } else {
                BusinessForm {
                    country: view.merchant.country.code().to_owned(),
                    ..BusinessForm::default()
                }
            };
        }
        WizardPage::Receipt(payment) => {
            let Some(customer) = session.customer else {
                return Ok(PageState::Redirect(position.path(&view.merchant.slug)));
            };
            let payment = match crate::services::payments::get(&db, merchant_id, payment).await {
                Ok(payment) if payment.customer == customer => payment,
                Ok(_) | Err(crate::services::payments::PaymentError::NotFound) => {
                    return Ok(PageState::NoMerchant);
                }
                Err(error) => return Err(unexpected("reading a payment for its receipt", &error)),
            };
            view.receipt = Some(ReceiptView {
                confirmation_number: payment.id.to_string(),
                status: payment.status,
                lines: payment
                    .allocations
                    .iter()
                    .map(|allocation| PayLine {
                        number: allocation.invoice_number.to_string(),
                        amount: allocation.amount.to_string(),
                    })
                    .collect(),
                total: payment.amount.to_string(),
                instrument_label: payment.instrument_label.clone().unwrap_or_default(),
                settles_on: payment
                    .settles_on
                    .as_deref()
                    .and_then(|text| crate::services::clock::parse_date(text).ok())
                    .map(date_for_people),
                failure_reason: payment.failure_reason.clone(),
                return_code: payment.return_code.clone(),
                can_retry: !session.checkout.selection.is_empty(),
            });
        }
        WizardPage::Method | WizardPage::Details | WizardPage::Review => {
            let Some(customer) = session.customer else {
                return Ok(PageState::Redirect(position.path(&view.merchant.slug)));
            };
            view.checkout =
                session::checkout_view(&db, merchant_id, &view.merchant, customer, &session, page)
                    .await?;
        }
        WizardPage::Invoices | WizardPage::Amounts => {
            view.checkout.typed = session.checkout.typed_amounts.clone();
            view.checkout.notice = session.checkout.notice.clone();
            let Some(customer) = session.customer else {
                return Ok(PageState::Redirect(position.path(&view.merchant.slug)));
            };
            // What a customer searches for is an invoice number: a few dozen characters at most.
            let search: Option<String> = number
                .as_deref()
                .map(str::trim)
                .filter(|text| !text.is_empty())
                .map(|text| text.chars().take(64).collect());
            view.search = search.clone().unwrap_or_default();
            let filter = InvoiceFilter {
                customer: Some(customer),
                status: None,
                outstanding_only: true,
                number_contains: search,
            };
            // A cursor this server did not make simply starts from the first page.
            let request = PageRequest {
                limit: INVOICES_PER_PAGE,
                after: after.as_deref().and_then(|text| Cursor::decode(text).ok()),
            };
            view.later_invoices = request.after.is_some();
            let found = invoices::list(&db, merchant_id, &filter, &request)
                .await
                .map_err(|error| unexpected("listing a customer's invoices", &error))?;
            let totals = invoices::outstanding_totals(&db, merchant_id, customer)
                .await
                .map_err(|error| unexpected("adding up a customer's invoices", &error))?;
            let mut lines = invoices::line_items_of(&db, merchant_id, &found.items)
                .await
                .map_err(|error| unexpected("reading invoice lines", &error))?;
            view.totals = totals.iter().map(ToString::to_string).collect();
            view.next_invoices = found.next.map(|cursor| cursor.encode());
            let today = today();
            view.invoices = found
                .items
                .into_iter()
                .map(|invoice| {
                    let (mine, rest): (Vec<_>, Vec<_>) =
                        lines.drain(..).partition(|(id, _)| *id == invoice.id);
                    lines = rest;
                    InvoiceLine {
                        id: invoice.id.to_string(),
                        overdue: invoice.is_overdue(today),
                        number: invoice.number.to_string(),
                        issued_on: date_for_people(invoice.issued_on),
                        due_on: date_for_people(invoice.due_on),
                        total: invoice.total.to_grouped_string(),
                        balance_due: invoice.standing.balance_due.to_grouped_string(),
                        balance_plain: invoice.standing.balance_due.to_plain_string(),
                        currency: invoice.total.currency().code().to_owned(),
                        status: invoice.standing.status.code().replace('_', " "),
                        preselected: session.preselected_invoice == Some(invoice.id),
                        memo: invoice.memo.map(String::from),
                        lines: mine
                            .into_iter()
                            .map(|(_, line)| LineView {
                                description: line.description.to_string(),
                                quantity: line.quantity.to_string(),
                                amount: line.amount.to_grouped_string(),
                            })
                            .collect(),
                    }
                })
                .collect();
        }
    }
    Ok(PageState::Show(Box::new(view)))
}

/// Ends the session and returns to the billing link.
#[server(endpoint = "wizard/sign-out")]
pub async fn sign_out(merchant_slug: String) -> Result<(), AppError> {
    use crate::error::unexpected;
    use crate::services::{Database, from_context, sessions};

    let db: Database = from_context()?;
    let (merchant_id, merchant) = session::require_merchant(&db, &merchant_slug).await?;
    if let Some(current) = session::current(&db, merchant_id).await? {
        sessions::end(&db, &current.id)
            .await
            .map_err(|error| unexpected("ending a session", &error))?;
    }
    session::clear_cookie()?;
    leptos_axum::redirect(&format!("/pay/{}", merchant.slug));
    Ok(())
}

/// How a page renders its state. One boxed type for every page, so that the loading, redirect
/// and not-found logic below is compiled once into the WASM rather than once per page.
pub type RenderPage = std::sync::Arc<dyn Fn(WizardView) -> AnyView + Send + Sync>;

/// Loads `page`'s state (again whenever `refresh` changes) and renders it with `render`, or the
/// redirect or not-found page the state calls for.
#[component]
pub fn WizardRoute(
    page: WizardPage,
    #[prop(into)] refresh: Signal<usize>,
    render: RenderPage,
) -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let state = Resource::new(
        move || {
            (
                params.read().get("merchant_slug").unwrap_or_default(),
                query.read().get("after"),
                query.read().get("number"),
                refresh.get(),
            )
        },
        move |(slug, after, number, _)| load_wizard_page(slug, page, after, number),
    );
    view! {
        <Suspense fallback=|| view! { <p class="card muted">"Loading…"</p> }>
            {move || {
                let render = render.clone();
                Suspend::new(async move {
                    match state.await {
                        Ok(PageState::Show(view)) => render(*view),
                        Ok(PageState::Redirect(path)) => view! { <Redirect path /> }.into_any(),
                        Ok(PageState::NoMerchant) => {
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
                })
            }}
        </Suspense>
    }
}

/// The frame of every step: who is being paid, how far along the customer is, a way back, and
/// sign-out once signed in.
#[component]
pub fn WizardFrame(
    view: WizardView,
    step: WizardStep,
    /// Where "Back" goes, and what it says.
    #[prop(optional)]
    back: Option<(String, &'static str)>,
    children: Children,
) -> impl IntoView {
    let merchant = view.merchant.clone();
    // The brand colour comes as a small stylesheet of its own rather than an inline <style>:
    // the CSP refuses inline styles the browser adds after a client-side navigation (they
    // carry no nonce), while a same-origin stylesheet is allowed on every path.
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
                {view
                    .signed_in_as
                    .clone()
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

/// A labelled text box of a payment form, with its help and its error message. Without
/// `autocomplete` the browser is told not to fill it in.
#[component]
pub fn TextField(
    name: &'static str,
    label: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] help: Option<&'static str>,
    /// The input's type: `text` unless said otherwise.
    #[prop(optional)]
    kind: Option<&'static str>,
    value: String,
    result: Signal<Option<Result<(), AppError>>>,
) -> impl IntoView {
    let error = field_message(result, name);
    let error_id = format!("{name}-error");
    let help_id = format!("{name}-help");
    let described = if help.is_some() {
        format!("{help_id} {error_id}")
    } else {
        error_id.clone()
    };
    view! {
        <div class="field">
            <label for=name>{label}</label>
            <input
                id=name
                name=name
                type=kind.unwrap_or("text")
                inputmode=inputmode
                autocomplete=autocomplete.unwrap_or("off")
                value=value
                autofocus=move || is_first_refused(result, name)
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=described
            />
            {help.map(|help| view! { <p id=help_id class="field__help">{help}</p> })}
            <p id=error_id class="field__error" role="alert">{move || error.get()}</p>
        </div>
    }
}

/// Steps 4 and 5: find an invoice by its number among many, and the links to the pages of
/// invoices (keeping the search). A plain GET form: it works without JavaScript.
#[component]
pub fn InvoiceSearch(search: String, next: Option<String>, later: bool) -> impl IntoView {
    let searching = !search.is_empty();
    let search_query = format!("number={}", url_component(&search));
    let with_search = move |after: Option<&str>| {
        let mut query = Vec::new();
        if searching {
            query.push(search_query.clone());
        }
        if let Some(after) = after {
            query.push(format!("after={after}"));
        }
        format!("?{}", query.join("&"))
    };
    let first = with_search(None);
    let more = next.as_deref().map(|cursor| with_search(Some(cursor)));
    view! {
        <form method="get" class="invoice-search" role="search">
            <label for="number">"Find an invoice by number"</label>
            <div class="invoice-search__row">
                <input id="number" name="number" type="search" autocomplete="off" value=search.clone() />
                <button type="submit" class="button button--secondary">"Find"</button>
            </div>
            {searching.then(|| view! { <a href="?">"Show all invoices"</a> })}
        </form>
        {(more.is_some() || later)
            .then(|| {
                view! {
                    <nav class="pager" aria-label="Invoice pages">
                        {later.then(|| view! { <a href=first.clone()>"← First invoices"</a> })}
                        {more.clone().map(|href| view! { <a href=href>"More invoices →"</a> })}
                    </nav>
                }
            })}
    }
}

/// `text` as a URL query value.
fn url_component(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// A group of radio buttons with its legend and error message; the first button carries the
/// group's error state, so that focus lands in the group.
#[component]
pub fn RadioGroup(
    name: &'static str,
    legend: &'static str,
    /// (value, label) per button.
    options: Vec<(String, String)>,
    /// The value checked at first.
    #[prop(optional, into)]
    chosen: String,
    /// Buttons side by side (short labels) rather than one per line.
    #[prop(optional)]
    inline: bool,
    result: Signal<Option<Result<(), AppError>>>,
) -> impl IntoView {
    let error = field_message(result, name);
    let error_id = format!("{name}-error");
    let class = if inline {
        "choice choice--inline"
    } else {
        "choice"
    };
    let radios = options
        .into_iter()
        .enumerate()
        .map(|(index, (value, label))| {
            let id = format!("{name}-{value}");
            let checked = chosen == value;
            view! {
                <div class=class>
                    <input
                        id=id.clone()
                        type="radio"
                        name=name
                        value=value
                        checked=checked
                        aria-invalid=move || (index == 0 && error.get().is_some()).to_string()
                        aria-describedby=error_id.clone()
                        autofocus=move || index == 0 && is_first_refused(result, name)
                    />
                    <label for=id>{label}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <fieldset class="choices">
            <legend>{legend}</legend>
            {radios}
            <p id=format!("{name}-error") class="field__error" role="alert">{move || error.get()}</p>
        </fieldset>
    }
}

/// Fixed (value, label) pairs as `RadioGroup` takes them.
pub fn choices(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(value, label)| ((*value).to_owned(), (*label).to_owned()))
        .collect()
}

/// The invoices a payment pays and its total, as the review and the receipt show them.
#[component]
pub fn PayLinesTable(caption: &'static str, lines: Vec<PayLine>, total: String) -> impl IntoView {
    let rows = lines
        .into_iter()
        .map(|line| {
            view! {
                <tr>
                    <th scope="row">{format!("Invoice {}", line.number)}</th>
                    <td class="amount">{line.amount}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="review">
            <caption class="visually-hidden">{caption}</caption>
            <tbody>{rows}</tbody>
            <tfoot>
                <tr>
                    <th scope="row">"Total"</th>
                    <td class="amount">{total}</td>
                </tr>
            </tfoot>
        </table>
    }
}

/// The message under a field, announced to screen readers when it appears.
#[component]
pub fn FieldMessage(
    id: &'static str,
    #[prop(into)] message: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <p id=id class="field__error" role="alert">
            {move || message.get()}
        </p>
    }
}

/// The latest result of a form's action: `None` before it is submitted. Without JavaScript it
/// comes from the error Leptos puts in the URL when it sends the browser back to the form.
pub fn action_result<S>(action: ServerAction<S>) -> Signal<Option<Result<(), AppError>>>
where
    S: leptos::server_fn::ServerFn<Output = (), Error = AppError> + Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get())
}

/// Once hydrated, moves keyboard focus to the first refused field whenever `result` comes back
/// with an error, where a sighted user's eye goes. (Without JavaScript the page is rendered
/// afresh and the refused field carries `autofocus` instead.)
pub fn focus_first_invalid_field(result: Signal<Option<Result<(), AppError>>>) {
    Effect::new(move || {
        if matches!(result.get(), Some(Err(_))) {
            // After this update has reached the DOM.
            request_animation_frame(|| {
                use leptos::wasm_bindgen::JsCast;
                let field = document()
                    .query_selector("form [aria-invalid=\"true\"]")
                    .ok()
                    .flatten()
                    .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
                if let Some(field) = field {
                    let _ = field.focus();
                }
            });
        }
    });
}

/// Whether `field` is the first one the action's latest result refused. Without JavaScript the
/// page is rendered afresh after a refusal, and that field carries `autofocus`, so that keyboard
/// and screen-reader users land on it.
pub fn is_first_refused(result: Signal<Option<Result<(), AppError>>>, field: &str) -> bool {
    matches!(result.get(), Some(Err(error)) if error.first_field() == Some(field))
}

/// The message of `field` in an action's latest result, if it failed on that field.
pub fn field_message(
    result: Signal<Option<Result<(), AppError>>>,
    field: &'static str,
) -> Signal<Option<String>> {
    Signal::derive(move || match result.get() {
        Some(Err(error)) => error.message_for(field),
        _ => None,
    })
}

/// A failure of an action that belongs to no field (the server, a stale step), announced.
#[component]
pub fn FormMessage(#[prop(into)] result: Signal<Option<Result<(), AppError>>>) -> impl IntoView {
    let message = move || match result.get() {
        Some(Err(error @ (AppError::Unexpected | AppError::WrongStep { .. }))) => {
            Some(error.to_string())
        }
        Some(Err(AppError::InvalidFields(_))) => {
            Some("Some of the details need correcting: see the messages below.".to_owned())
        }
        _ => None,
    };
    view! {
        <p class="form__message" role="alert">
            {message}
        </p>
    }
}
