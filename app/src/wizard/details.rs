//! Step 7, `/pay/{merchant_slug}/details`: the card or bank account to pay with. A saved one
//! can be reused; otherwise the bank form (`bank.rs`) or the card form (`card.rs`).

use crate::components::{FormMessage, RadioGroup, action_result};
use crate::domain::checkout::{BankDraft, CardDraft, is_bank_debit, method_label};
use crate::domain::payment::PaymentMethodKind;
use crate::domain::sign_in::WizardStep;
use crate::error::AppError;
use crate::wizard::WizardPage;
use crate::wizard::bank::{BankForm, SubmitBank};
use crate::wizard::bank_link::{
    ConnectBank, ConnectBankSection, ConnectedBankView, UseConnectedAccount,
};
use crate::wizard::card::{CardForm, SubmitCard};
use crate::wizard::frame::{Frame, PageState, WizardFrame, merchant_slug, step_page};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What step 7 shows: the forms for the method chosen, as far as they were filled in, and the
/// saved methods that fit it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DetailsView {
    pub frame: Frame,
    pub method: PaymentMethodKind,
    /// The amount being paid, formatted.
    pub total: String,
    /// Why the customer was sent back here, if they were.
    pub notice: Option<String>,
    pub saved: Vec<SavedChoice>,
    /// The banks the customer can connect to, and the one connected.
    pub institutions: Vec<SavedChoice>,
    pub connected_bank: Option<ConnectedBankView>,
    pub bank_draft: BankDraft,
    pub card_draft: CardDraft,
}

/// A saved card or bank account (masked), or a bank to connect to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedChoice {
    pub id: String,
    pub label: String,
}

#[server(endpoint = "wizard/page/details")]
pub async fn details_page(merchant_slug: String) -> Result<PageState<DetailsView>, AppError> {
    use crate::domain::merchant::Country;
    use crate::services::from_context;
    use crate::services::processors::{PaymentProcessor, Processor};
    use crate::wizard::guard::{self, Entry};

    let payer = match guard::enter_paying(&merchant_slug, WizardPage::Details).await? {
        Entry::Open(payer) => payer,
        Entry::Elsewhere(elsewhere) => return Ok(elsewhere.into()),
    };
    let checkout = &payer.session.checkout;
    let Some(method) = checkout.method else {
        return Ok(payer.elsewhere().into());
    };
    let country = match method {
        PaymentMethodKind::UsAch => Some(Country::UnitedStates),
        PaymentMethodKind::CaPad | PaymentMethodKind::CaEft => Some(Country::Canada),
        PaymentMethodKind::Card => None,
    };
    let institutions = match country {
        Some(country) => {
            let processor: Processor = from_context()?;
            processor
                .institutions(country)
                .into_iter()
                .map(|institution| SavedChoice {
                    id: institution.id,
                    label: institution.name,
                })
                .collect()
        }
        None => Vec::new(),
    };
    Ok(PageState::show(DetailsView {
        method,
        total: payer.total_to_pay(),
        notice: checkout.notice.clone(),
        saved: saved_choices(&payer.db, payer.merchant_id, payer.customer, method).await?,
        connected_bank: country.and(
            checkout
                .connected_bank
                .as_ref()
                .map(ConnectedBankView::from),
        ),
        institutions,
        bank_draft: checkout.bank_draft.clone(),
        card_draft: checkout.card_draft.clone(),
        frame: payer.frame(),
    }))
}

/// The customer's saved instruments that fit `method`, masked.
#[cfg(feature = "ssr")]
async fn saved_choices(
    db: &crate::services::Database,
    merchant: crate::domain::ids::MerchantId,
    customer: crate::domain::ids::CustomerId,
    method: PaymentMethodKind,
) -> Result<Vec<SavedChoice>, AppError> {
    use crate::error::unexpected;
    use crate::services::{bank_accounts, saved_cards};

    let canadian = match method {
        PaymentMethodKind::UsAch => false,
        PaymentMethodKind::CaPad | PaymentMethodKind::CaEft => true,
        PaymentMethodKind::Card => {
            let cards = saved_cards::saved_for(db, merchant, customer)
                .await
                .map_err(|error| unexpected("reading saved cards", &error))?;
            return Ok(cards
                .into_iter()
                .map(|card| SavedChoice {
                    label: format!("{} (expires {})", card.instrument.label(), card.expiry),
                    id: card.id.to_string(),
                })
                .collect());
        }
    };
    let accounts = bank_accounts::saved_for(db, merchant, customer)
        .await
        .map_err(|error| unexpected("reading saved bank accounts", &error))?;
    Ok(accounts
        .into_iter()
        .filter(|account| account.canadian == canadian)
        .map(|account| SavedChoice {
            label: format!(
                "Bank account •••• {} (routing {})",
                account.last_four, account.routing
            ),
            id: account.id.to_string(),
        })
        .collect())
}

/// Pays with a card or bank account the customer saved on an earlier visit.
#[server(endpoint = "wizard/saved-method")]
pub async fn use_saved_method(
    merchant_slug: String,
    #[server(default)] saved: String,
) -> Result<(), AppError> {
    use crate::domain::checkout::Instrument;
    use crate::domain::ids::{BankAccountId, SavedCardId};
    use crate::domain::payment::PaymentMethodKind;
    use crate::services::{bank_accounts, saved_cards};
    use crate::wizard::guard;

    let payer = guard::require_payer(&merchant_slug).await?;
    let checkout = payer.session.checkout.clone();
    let refused = || AppError::Invalid {
        field: "saved".to_owned(),
        message: "Choose one of your saved payment methods.".to_owned(),
    };
    let instrument = match checkout.method {
        // An id that does not parse is refused as one the customer has not saved.
        Some(PaymentMethodKind::Card) => {
            let id = SavedCardId::parse(&saved).map_err(|_| refused())?;
            saved_cards::saved_one(&payer.db, payer.merchant_id, payer.customer, &id)
                .await
                .map_err(|_| refused())?
                .instrument
        }
        Some(PaymentMethodKind::UsAch | PaymentMethodKind::CaPad | PaymentMethodKind::CaEft) => {
            let id = BankAccountId::parse(&saved).map_err(|_| refused())?;
            let account =
                bank_accounts::saved_one(&payer.db, payer.merchant_id, payer.customer, &id)
                    .await
                    .map_err(|_| refused())?;
            let wants_canadian = checkout.method != Some(PaymentMethodKind::UsAch);
            if account.canadian != wants_canadian {
                return Err(refused());
            }
            Instrument::Bank {
                account_id: account.id,
                last_four: account.last_four,
                holder: account.holder,
            }
        }
        None => return Err(refused()),
    };
    payer.pay_with(checkout, instrument, false).await
}

#[component]
pub fn DetailsPage() -> impl IntoView {
    let actions = DetailsActions {
        bank: ServerAction::new(),
        card: ServerAction::new(),
        saved: ServerAction::new(),
        connect: ServerAction::new(),
        choose: ServerAction::new(),
    };
    step_page(details_page(merchant_slug()), move |view| {
        view! { <DetailsStep view actions /> }.into_any()
    })
}

/// The forms of step 7.
#[derive(Clone, Copy)]
struct DetailsActions {
    bank: ServerAction<SubmitBank>,
    card: ServerAction<SubmitCard>,
    saved: ServerAction<UseSavedMethod>,
    connect: ServerAction<ConnectBank>,
    choose: ServerAction<UseConnectedAccount>,
}

#[component]
fn DetailsStep(view: DetailsView, actions: DetailsActions) -> impl IntoView {
    let DetailsActions {
        bank,
        card,
        saved,
        connect,
        choose,
    } = actions;
    let slug = view.frame.merchant.slug.clone();
    let method = view.method;
    let checkout = view.clone();
    let heading = if is_bank_debit(method) {
        "Your bank account"
    } else {
        "Your card"
    };
    let saved_result = action_result(saved);
    let saved_choices: Vec<(String, String)> = checkout
        .saved
        .iter()
        .map(|choice| (choice.id.clone(), choice.label.clone()))
        .collect();
    let slug_text = slug.to_string();
    let saved_form = (!saved_choices.is_empty()).then(move || {
        let first = saved_choices.first().map(|(id, _)| id.clone()).unwrap_or_default();
        view! {
            <ActionForm action=saved attr:class="form form--saved">
                <input type="hidden" name="merchant_slug" value=slug_text />
                <FormMessage result=saved_result />
                <RadioGroup
                    name="saved"
                    legend="Use a saved payment method"
                    options=saved_choices
                    chosen=first
                    result=saved_result
                />
                <button type="submit" class="button">"Use this method"</button>
            </ActionForm>
            <h2 class="form__divider">{if is_bank_debit(method) { "Or enter another account" } else { "Or enter another card" }}</h2>
        }
    });
    let form = if is_bank_debit(method) {
        view! {
            <ConnectBankSection
                slug=slug.clone()
                institutions=checkout.institutions.clone()
                connected=checkout.connected_bank.clone()
                username=checkout.bank_draft.bank_username.clone()
                connect
                choose
            />
            <BankForm slug=slug.clone() method draft=checkout.bank_draft.clone() submit=bank />
        }
        .into_any()
    } else {
        view! { <CardForm slug=slug.clone() draft=checkout.card_draft.clone() submit=card /> }
            .into_any()
    };
    view! {
        <WizardFrame frame=view.frame step=WizardStep::Details back=(WizardPage::Method.path(&slug), "Payment method")>
            <h1>{heading}</h1>
            <p class="lead">{format!("Paying {} · {}", checkout.total, method_label(method))}</p>
            {checkout.notice.clone().map(|notice| view! { <p class="notice" role="alert">{notice}</p> })}
            {saved_form}
            {form}
        </WizardFrame>
    }
}
