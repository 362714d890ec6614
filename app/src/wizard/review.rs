//! Step 8, `/pay/{merchant_slug}/review`: what will be paid, with what, when the money moves,
//! and the authorization the rules require; then **Pay**. Confirming is exactly-once: the
//! page carries the checkout's idempotency key, and every confirm with it (a double click, a
//! refresh, a second tab) leads to the same payment.

use crate::components::{AuthorizeBox, FormMessage, PayLine, PayLinesTable, action_result};
use crate::domain::sign_in::WizardStep;
use crate::error::AppError;
use crate::wizard::WizardPage;
use crate::wizard::frame::{Frame, PageState, WizardFrame, merchant_slug, step_page};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What step 8 shows, formatted; the idempotency key and the authorization are the checkout's
/// review, made once (see `review_page`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewView {
    pub frame: Frame,
    pub lines: Vec<PayLine>,
    pub total: String,
    /// "Pay $1,250.00".
    pub pay_label: String,
    pub instrument_label: String,
    /// When the money moves.
    pub timing: String,
    pub authorization: String,
    pub idempotency_key: String,
    /// For a plan: every payment, the fee and what they add up to.
    pub plan: Option<PlanView>,
}

/// A plan's schedule as step 8 (and step 6) show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanView {
    /// "90 days, 4 payments".
    pub term: String,
    pub payments: Vec<ScheduledLine>,
    pub fee: String,
    pub total: String,
}

/// One payment of a schedule: its date, its amount, and why its date moved, if it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledLine {
    pub date: String,
    pub amount: String,
    pub moved: Option<String>,
}

/// A schedule as the pages show it.
#[cfg(feature = "ssr")]
pub fn plan_view(schedule: &crate::domain::installments::Schedule) -> PlanView {
    use crate::services::clock::date_for_people;
    PlanView {
        term: schedule.term.label(),
        payments: schedule
            .installments
            .iter()
            .enumerate()
            .map(|(index, installment)| ScheduledLine {
                date: if index == 0 {
                    format!("Today, {}", date_for_people(installment.due_on))
                } else {
                    date_for_people(installment.due_on)
                },
                amount: installment.amount.to_string(),
                moved: installment.moved_from.as_ref().map(|(from, reason)| {
                    format!("moved from {} ({reason})", date_for_people(*from))
                }),
            })
            .collect(),
        fee: schedule.fee.to_string(),
        total: schedule.total.to_string(),
    }
}

/// The schedule of the plan `checkout` chose, starting on the processor's date; `None` when the
/// merchant no longer offers that term for this amount.
#[cfg(feature = "ssr")]
pub async fn schedule_for(
    payer: &crate::wizard::session::Payer,
    term: crate::domain::installments::TermDays,
    total: crate::domain::money::Money,
) -> Result<Option<crate::domain::installments::Schedule>, AppError> {
    use crate::domain::calendar::BankCalendar;
    use crate::domain::installments::Schedule;
    use crate::error::unexpected;
    use crate::services::from_context;
    use crate::services::merchant_settings;
    use crate::services::processors::Processor;

    let settings = merchant_settings::installments(&payer.db, payer.merchant_id)
        .await
        .map_err(|error| unexpected("reading a merchant's installment terms", &error))?;
    let Some(term) = settings.term(term).filter(|_| settings.offered_for(total)) else {
        return Ok(None);
    };
    let today = from_context::<Processor>()?
        .today()
        .await
        .map_err(|error| unexpected("reading the processor's date", &error))?;
    Schedule::build(total, term, today, BankCalendar::of(payer.merchant.country))
        .map(Some)
        .map_err(|error| unexpected("building an installment schedule", &error))
}

/// Step 8's data. The review's idempotency key is made here, once per checkout: every render
/// of the review (a refresh, a second tab) carries the same key, so that only one confirm can
/// become a payment.
#[server(endpoint = "wizard/page/review")]
pub async fn review_page(merchant_slug: String) -> Result<PageState<ReviewView>, AppError> {
    use crate::domain::checkout::{Review, settlement_business_days};
    use crate::domain::installment_agreement::pay_today_label;
    use crate::error::unexpected;
    use crate::services::clock::{add_business_days, date_for_people, today};
    use crate::services::sessions;
    use crate::wizard::guard::{self, Entry};

    let payer = match guard::enter_paying(&merchant_slug, WizardPage::Review).await? {
        Entry::Open(payer) => payer,
        Entry::Elsewhere(elsewhere) => return Ok(elsewhere.into()),
    };
    let mut checkout = payer.session.checkout.clone();
    let (Some(method), Some(instrument), Ok(Some(total))) = (
        checkout.method,
        checkout.instrument.clone(),
        checkout.total(),
    ) else {
        return Ok(payer.elsewhere().into());
    };
    let schedule = match checkout.plan {
        None => None,
        Some(term) => match schedule_for(&payer, term, total).await? {
            Some(schedule) => Some(schedule),
            // The merchant stopped offering it: the customer chooses again.
            None => return Ok(payer.elsewhere().into()),
        },
    };
    // A schedule shown on another day would collect its first payment on the wrong date: the
    // review is made afresh (with a new key, since it shows something else).
    let current = checkout
        .review
        .clone()
        .filter(|review| review.schedule == schedule);
    let review = match current {
        Some(review) => review,
        None => {
            let authorization = match &schedule {
                Some(schedule) => agreement_for(&payer.merchant, &checkout, schedule),
                None => authorization_for(&payer.merchant, &checkout),
            };
            let review = Review {
                idempotency_key: uuid::Uuid::new_v4().to_string(),
                authorization: authorization.ok_or(AppError::Unexpected)?,
                schedule: schedule.clone(),
            };
            checkout.keep_review(review.clone());
            sessions::save_checkout(&payer.db, &payer.session.id, &checkout)
                .await
                .map_err(|error| unexpected("keeping a checkout's review", &error))?;
            review
        }
    };
    Ok(PageState::show(ReviewView {
        lines: checkout
            .selection
            .iter()
            .map(|selected| PayLine {
                number: selected.number.clone(),
                amount: selected.amount.to_string(),
            })
            .collect(),
        total: total.to_string(),
        pay_label: match &schedule {
            Some(schedule) => pay_today_label(schedule.first_amount()),
            None => pay_label(total),
        },
        instrument_label: instrument.label(),
        timing: match (&schedule, settlement_business_days(method)) {
            (Some(_), _) => {
                "The first payment today; the others on the dates below, collected automatically."
                    .to_owned()
            }
            (None, Some(days)) => format!(
                "Debited from your account today; expected to settle on {} ({days} business days).",
                date_for_people(add_business_days(today(), days))
            ),
            (None, None) => "Charged to your card as soon as you confirm.".to_owned(),
        },
        authorization: review.authorization,
        idempotency_key: review.idempotency_key,
        plan: schedule.as_ref().map(plan_view),
        frame: payer.frame(),
    }))
}

/// "Pay $1,250.00" (with the currency code after a Canadian amount).
#[cfg(feature = "ssr")]
fn pay_label(total: crate::domain::money::Money) -> String {
    use crate::domain::money::Currency;
    match total.currency() {
        Currency::Usd => format!("Pay ${}", total.to_grouped_string()),
        Currency::Cad => format!("Pay ${} CAD", total.to_grouped_string()),
    }
}

/// The installment agreement for `checkout` paid on `schedule`, made when step 8 is first shown.
#[cfg(feature = "ssr")]
fn agreement_for(
    merchant: &crate::domain::merchant::MerchantBranding,
    checkout: &crate::domain::checkout::Checkout,
    schedule: &crate::domain::installments::Schedule,
) -> Option<String> {
    use crate::domain::installment_agreement::{AgreementTerms, agreement_text};
    use crate::services::checkout::holder_of;
    use crate::services::clock::date_for_people;

    let instrument = checkout.instrument.as_ref()?;
    let label = instrument.label();
    let dates: Vec<String> = schedule
        .installments
        .iter()
        .map(|installment| date_for_people(installment.due_on))
        .collect();
    Some(agreement_text(&AgreementTerms {
        merchant_name: &merchant.display_name,
        merchant_email: merchant
            .support_email
            .as_deref()
            .unwrap_or("its billing contact"),
        method: checkout.method?,
        instrument_label: &label,
        holder: holder_of(instrument),
        schedule,
        dates: &dates,
    }))
}

/// The authorization text for `checkout` today, made when step 8 is first shown.
#[cfg(feature = "ssr")]
fn authorization_for(
    merchant: &crate::domain::merchant::MerchantBranding,
    checkout: &crate::domain::checkout::Checkout,
) -> Option<String> {
    use crate::domain::checkout::{AuthorizationTerms, authorization_text};
    use crate::services::checkout::holder_of;
    use crate::services::clock::{date_for_people, today};

    let method = checkout.method?;
    let instrument = checkout.instrument.as_ref()?;
    let total = checkout.total().ok()??;
    let label = instrument.label();
    let debit_date = date_for_people(today());
    Some(authorization_text(&AuthorizationTerms {
        method,
        merchant_name: &merchant.display_name,
        merchant_email: merchant
            .support_email
            .as_deref()
            .unwrap_or("its billing contact"),
        total,
        instrument_label: &label,
        holder: holder_of(instrument),
        debit_date: &debit_date,
    }))
}

#[server(endpoint = "wizard/confirm")]
pub async fn confirm_payment(
    merchant_slug: String,
    #[server(default)] idempotency_key: String,
    #[server(default)] authorize: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::idempotency::IdempotencyKey;
    use crate::error::unexpected;
    use crate::services::bank_accounts::BankAccountError;
    use crate::services::checkout::{self, ConfirmError, Confirmation, PaymentServices};
    use crate::services::from_context;
    use crate::services::keys::Keys;
    use crate::services::payments::{self, PaymentError};
    use crate::services::processors::Processor;
    use crate::services::request::ClientIp;
    use crate::wizard::guard;

    let payer = guard::require_payer(&merchant_slug).await?;
    let slug = payer.merchant.slug.clone();
    let receipt = |id: &dyn std::fmt::Display| format!("/pay/{slug}/receipt/{id}");
    let key = IdempotencyKey::parse(&idempotency_key).map_err(|_| AppError::Invalid {
        field: "request".to_owned(),
        message: "This form is incomplete: reload the page and try again.".to_owned(),
    })?;
    let current = payer.session.checkout.clone();
    let shown = current
        .review
        .clone()
        .filter(|review| review.idempotency_key == key.as_str());
    let Some(shown) = shown else {
        // Not the key of the checkout in progress: a confirm that already became a payment
        // (a double click, a resubmitted form after the checkout was cleared) is answered with
        // that payment. (With the checkout's own key, recording replays it below.)
        let existing = payments::find_by_key(&payer.db, payer.merchant_id, &key)
            .await
            .map_err(|error| unexpected("looking up a payment by its key", &error))?;
        if let Some(payment) = existing.filter(|payment| payment.customer == payer.customer) {
            leptos_axum::redirect(&receipt(&payment.id));
            return Ok(());
        }
        let path = WizardPage::Review.path(&slug);
        leptos_axum::redirect(&path);
        return Err(AppError::WrongStep {
            path,
            message: "Your payment changed since this page was shown (in another tab?). Check it and confirm again.".to_owned(),
        });
    };
    if authorize.is_none() {
        return Err(AppError::Invalid {
            field: "authorize".to_owned(),
            message: "Tick the box to authorize the payment.".to_owned(),
        });
    }
    let client_address = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<ClientIp>().cloned())
        .map_or_else(|| "unknown".to_owned(), |ClientIp(address)| address);
    let services = PaymentServices {
        db: payer.db.clone(),
        processor: from_context::<Processor>()?,
        keys: from_context::<Keys>()?,
    };
    let confirmed = checkout::confirm(
        &services,
        Confirmation {
            session: payer.session.id.clone(),
            merchant: payer.merchant_id,
            customer: payer.customer,
            payer_email: payer.email.clone(),
            checkout: current.clone(),
            key,
            authorization_text: shown.authorization,
            client_address,
        },
    )
    .await;
    match confirmed {
        Ok(confirmed) => {
            if !confirmed.checkout_moved_on {
                payer
                    .save_checkout(&current.after_payment(confirmed.payment.status))
                    .await?;
            }
            leptos_axum::redirect(&receipt(&confirmed.payment.id));
            Ok(())
        }
        Err(ConfirmError::Payment(PaymentError::Overpays {
            number,
            balance_due,
            ..
        })) => {
            let message = format!(
                "Invoice {number} now has {balance_due} left to pay: another payment was made meanwhile. Check the amounts and continue."
            );
            send_back(&payer, current, message).await
        }
        Err(ConfirmError::Payment(PaymentError::InvoiceVoid { number, .. })) => {
            let message = format!(
                "Invoice {number} was cancelled and can no longer be paid. Check the amounts and continue."
            );
            send_back(&payer, current, message).await
        }
        Err(ConfirmError::BankAccount(BankAccountError::Blocked(code))) => {
            let message = format!(
                "A debit from this bank account was returned ({code}) since you chose it: it cannot be used again. Choose another account."
            );
            let mut checkout = current;
            checkout.send_back_to_details(message.clone());
            payer.save_checkout(&checkout).await?;
            let path = WizardPage::Details.path(&payer.merchant.slug);
            leptos_axum::redirect(&path);
            Err(AppError::WrongStep { path, message })
        }
        Err(ConfirmError::StaleSchedule) => {
            let mut checkout = current;
            checkout.review = None;
            payer.save_checkout(&checkout).await?;
            let path = WizardPage::Review.path(&payer.merchant.slug);
            leptos_axum::redirect(&path);
            Err(AppError::WrongStep {
                path,
                message: "The payment dates were brought up to date: check them and confirm again."
                    .to_owned(),
            })
        }
        Err(ConfirmError::Payment(PaymentError::InvoiceNotFound(_))) => {
            let message =
                "One of the invoices can no longer be paid. Check the amounts and continue."
                    .to_owned();
            send_back(&payer, current, message).await
        }
        Err(error) => Err(unexpected("confirming a payment", &error)),
    }
}

/// Back to step 5 with the customer's input kept and `message` shown there.
#[cfg(feature = "ssr")]
async fn send_back(
    payer: &crate::wizard::session::Payer,
    mut checkout: crate::domain::checkout::Checkout,
    message: String,
) -> Result<(), AppError> {
    checkout.send_back_to_amounts(message.clone());
    payer.save_checkout(&checkout).await?;
    let path = WizardPage::Amounts.path(&payer.merchant.slug);
    leptos_axum::redirect(&path);
    Err(AppError::WrongStep { path, message })
}

#[component]
pub fn ReviewPage() -> impl IntoView {
    let submit = ServerAction::<ConfirmPayment>::new();
    step_page(review_page(merchant_slug()), move |view| {
        view! { <ReviewStep view submit /> }.into_any()
    })
}

#[component]
fn ReviewStep(view: ReviewView, submit: ServerAction<ConfirmPayment>) -> impl IntoView {
    let result = action_result(submit);
    let slug = view.frame.merchant.slug.clone();
    let checkout = view.clone();
    let pay_label = checkout.pay_label.clone();
    view! {
        <WizardFrame frame=view.frame step=WizardStep::Review back=(WizardPage::Details.path(&slug), "Payment details")>
            <h1>"Review and pay"</h1>
            <PayLinesTable caption="What you are paying" lines=checkout.lines.clone() total=checkout.total.clone() />
            <dl class="review__facts">
                <dt>"Paying with"</dt>
                <dd><span>{checkout.instrument_label.clone()}</span> " " <a href=WizardPage::Details.path(&slug)>"Change"<span class="visually-hidden">" payment details"</span></a></dd>
                <dt>"When"</dt>
                <dd>{checkout.timing.clone()}</dd>
            </dl>
            {checkout.plan.clone().map(|plan| view! { <PlanSchedule plan /> })}
            <ActionForm action=submit attr:novalidate=true attr:class="form">
                <input type="hidden" name="merchant_slug" value=slug.to_string() />
                <input type="hidden" name="idempotency_key" value=checkout.idempotency_key.clone() />
                <FormMessage result />
                <AuthorizeBox text=checkout.authorization.clone() result />
                <button type="submit" class="button button--pay">
                    {pay_label}
                </button>
            </ActionForm>
        </WizardFrame>
    }
}

/// A plan's payments as a table: date, amount, and why a date moved; then the fee and the
/// total. Where the odd cent goes is said under it.
#[component]
pub fn PlanSchedule(plan: PlanView) -> impl IntoView {
    let rows = plan
        .payments
        .into_iter()
        .map(|line| {
            view! {
                <tr>
                    <td>{line.date}{line.moved.map(|moved| view! { <span class="plan__moved">{format!(" ({moved})")}</span> })}</td>
                    <td class="amount">{line.amount}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="plan">
            <caption>{format!("Installment plan: {}", plan.term)}</caption>
            <thead><tr><th scope="col">"Date"</th><th scope="col" class="amount">"Amount"</th></tr></thead>
            <tbody>{rows}</tbody>
            <tfoot>
                <tr><th scope="row">"Fee (included)"</th><td class="amount">{plan.fee}</td></tr>
                <tr><th scope="row">"Total"</th><td class="amount">{plan.total}</td></tr>
            </tfoot>
        </table>
        <p class="plan__note">"Where the total does not divide evenly, the earliest payments are one cent more. A payment due on a weekend or bank holiday is collected on the next business day (the last one, the business day before if that would pass the term)."</p>
    }
}
