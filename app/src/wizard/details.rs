//! Step 7, `/pay/{merchant_slug}/details`: the card or bank account to pay with. A saved one
//! can be reused; otherwise the bank form (`bank.rs`) or the card form (`card.rs`).

use crate::domain::checkout::{is_bank_debit, method_label};
use crate::domain::sign_in::WizardStep;
use crate::error::AppError;
use crate::wizard::bank::{BankForm, SubmitBank};
use crate::wizard::bank_link::{ConnectBank, ConnectBankSection, UseConnectedAccount};
use crate::wizard::card::{CardForm, SubmitCard};
use crate::wizard::{
    FormMessage, RadioGroup, WizardFrame, WizardPage, WizardRoute, WizardView, action_result,
    focus_first_invalid_field,
};
use leptos::prelude::*;

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
    use crate::wizard::session;

    let payer = session::require_payer(&merchant_slug).await?;
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
        Some(PaymentMethodKind::Installments) | None => return Err(refused()),
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
    view! {
        <WizardRoute
            page=WizardPage::Details
            // Connecting a bank stays on this page: load it again to show the accounts.
            refresh=Signal::derive(move || actions.connect.version().get())
            render=std::sync::Arc::new(move |view| view! { <DetailsStep view actions /> }.into_any())
        />
    }
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
fn DetailsStep(view: WizardView, actions: DetailsActions) -> impl IntoView {
    let DetailsActions {
        bank,
        card,
        saved,
        connect,
        choose,
    } = actions;
    let slug = view.merchant.slug.clone();
    let Some(method) = view.checkout.method else {
        return ().into_any();
    };
    let checkout = view.checkout.clone();
    let heading = if is_bank_debit(method) {
        "Your bank account"
    } else {
        "Your card"
    };
    let saved_result = action_result(saved);
    focus_first_invalid_field(saved_result);
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
        <WizardFrame view step=WizardStep::Details back=(WizardPage::Method.path(&slug), "Payment method")>
            <h1>{heading}</h1>
            <p class="lead">{format!("Paying {} · {}", checkout.total, method_label(method))}</p>
            {checkout.notice.clone().map(|notice| view! { <p class="notice" role="alert">{notice}</p> })}
            {saved_form}
            {form}
        </WizardFrame>
    }
    .into_any()
}
