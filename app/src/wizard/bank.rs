//! Step 7 for bank debits: the account details typed in. ACH takes a routing number, the
//! account number twice, its type and whose it is (which decides CCD or WEB); PAD and EFT take
//! institution, transit and account numbers, and whose it is (for PAD, the agreement's
//! category). The account number is stored encrypted and never kept in a draft.

// One argument per form field: that is how `ActionForm` names its inputs.
#![allow(clippy::too_many_arguments)]

use crate::components::{FormMessage, RadioGroup, TextField, action_result, choices};
use crate::domain::checkout::BankDraft;
use crate::domain::merchant::MerchantSlug;
use crate::domain::payment::PaymentMethodKind;
use crate::domain::sensitive::SensitiveText;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "wizard/bank")]
pub async fn submit_bank(
    merchant_slug: String,
    #[server(default)] routing_number: String,
    #[server(default)] institution_number: String,
    #[server(default)] transit_number: String,
    #[server(default)] account_number: SensitiveText,
    #[server(default)] confirm_account_number: SensitiveText,
    #[server(default)] account_type: String,
    #[server(default)] holder_type: String,
    #[server(default)] save: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::bank::{
        AccountNumber, AccountType, HolderType, InstitutionNumber, RoutingNumber, TransitNumber,
    };
    use crate::domain::business::FieldError;
    use crate::services::bank_accounts::{BankRouting, NewBankAccount};
    use crate::wizard::WizardPage;
    use crate::wizard::guard;

    let payer = guard::require_payer(&merchant_slug).await?;
    let mut checkout = payer.session.checkout.clone();
    checkout.keep_bank_draft(BankDraft {
        routing_number: routing_number.clone(),
        institution_number: institution_number.clone(),
        transit_number: transit_number.clone(),
        account_type: account_type.clone(),
        holder_type: holder_type.clone(),
        ..BankDraft::default()
    });
    payer.save_checkout(&checkout).await?;
    let method = checkout.method.ok_or_else(|| AppError::WrongStep {
        path: WizardPage::Method.path(&payer.merchant.slug),
        message: "Choose how to pay first.".to_owned(),
    })?;

    let mut errors = Vec::new();
    let mut check = |field: &str, result: Result<(), String>| {
        if let Err(message) = result {
            errors.push(FieldError {
                field: field.to_owned(),
                message,
            });
        }
    };
    let canadian = match method {
        PaymentMethodKind::UsAch => false,
        PaymentMethodKind::CaPad | PaymentMethodKind::CaEft => true,
        PaymentMethodKind::Card => {
            return Err(AppError::WrongStep {
                path: WizardPage::Details.path(&payer.merchant.slug),
                message: "This payment method takes no bank account.".to_owned(),
            });
        }
    };
    let routing = if canadian {
        let institution = InstitutionNumber::parse(&institution_number);
        let transit = TransitNumber::parse(&transit_number);
        check(
            "institution_number",
            institution.as_ref().map(drop).map_err(ToString::to_string),
        );
        check(
            "transit_number",
            transit.as_ref().map(drop).map_err(ToString::to_string),
        );
        match (institution, transit) {
            (Ok(institution), Ok(transit)) => Some(BankRouting::Canadian {
                institution,
                transit,
            }),
            _ => None,
        }
    } else {
        let routing = RoutingNumber::parse(&routing_number);
        check(
            "routing_number",
            routing.as_ref().map(drop).map_err(ToString::to_string),
        );
        routing.ok().map(BankRouting::Us)
    };
    let account = if canadian {
        AccountNumber::parse_canadian(account_number.expose())
    } else {
        AccountNumber::parse_us(account_number.expose())
    };
    check(
        "account_number",
        account.as_ref().map(drop).map_err(ToString::to_string),
    );
    let account = account.ok().and_then(|account| {
        let confirmed = account.confirmed_by(confirm_account_number.expose());
        check(
            "confirm_account_number",
            confirmed.as_ref().map(drop).map_err(ToString::to_string),
        );
        confirmed.ok()
    });
    let kind = match account_type.as_str() {
        "checking" => Some(AccountType::Checking),
        "savings" => Some(AccountType::Savings),
        // Canadian debits do not ask: PAD and EFT accounts are chequing accounts.
        _ if canadian => Some(AccountType::Checking),
        _ => None,
    };
    check(
        "account_type",
        kind.map(drop)
            .ok_or_else(|| "Choose checking or savings.".to_owned()),
    );
    let holder = match holder_type.as_str() {
        "business" => Some(HolderType::Business),
        "personal" => Some(HolderType::Personal),
        _ => None,
    };
    check(
        "holder_type",
        holder
            .map(drop)
            .ok_or_else(|| "Choose business or personal.".to_owned()),
    );
    let (Some(routing), Some(account), Some(account_type), Some(holder)) =
        (routing, account, kind, holder)
    else {
        return Err(AppError::InvalidFields(errors));
    };

    let new = NewBankAccount {
        customer: payer.customer,
        routing,
        account,
        account_type,
        holder,
        saved: save.is_some(),
    };
    payer
        .pay_from_new_account(checkout, &new, "account_number")
        .await
}

#[component]
pub fn BankForm(
    slug: MerchantSlug,
    method: PaymentMethodKind,
    draft: BankDraft,
    submit: ServerAction<SubmitBank>,
) -> impl IntoView {
    let result = action_result(submit);
    let canadian = method != PaymentMethodKind::UsAch;
    let holder_legend = if method == PaymentMethodKind::CaPad {
        "PAD category"
    } else {
        "Account holder type"
    };
    let routing_fields = if canadian {
        view! {
            <TextField inputmode="numeric" name="institution_number" label="Institution number" help="3 digits" value=draft.institution_number.clone() result />
            <TextField inputmode="numeric" name="transit_number" label="Transit number" help="5 digits" value=draft.transit_number.clone() result />
        }
        .into_any()
    } else {
        view! {
            <TextField inputmode="numeric"
                name="routing_number"
                label="Routing number"
                help="The 9 digits at the bottom left of a cheque."
                value=draft.routing_number.clone()
                result
            />
        }
        .into_any()
    };
    view! {
        <ActionForm action=submit attr:novalidate=true attr:class="form">
            <input type="hidden" name="merchant_slug" value=slug.to_string() />
            <h2 class="form__divider">"Or enter bank details manually"</h2>
            <FormMessage result />
            {routing_fields}
            <TextField inputmode="numeric"
                name="account_number"
                label="Account number"
                help=if canadian { "7 to 12 digits" } else { "4 to 17 digits" }
                value=String::new()
                result
            />
            <TextField inputmode="numeric" name="confirm_account_number" label="Confirm account number" value=String::new() result />
            {(!canadian)
                .then(|| view! {
                    <RadioGroup
                        name="account_type"
                        legend="Account type"
                        options=choices(&[("checking", "Checking"), ("savings", "Savings")])
                        chosen=draft.account_type.clone()
                        inline=true
                        result
                    />
                })}
            <RadioGroup
                name="holder_type"
                legend=holder_legend
                options=choices(&[("business", "Business"), ("personal", "Personal")])
                chosen=draft.holder_type.clone()
                inline=true
                result
            />
            <div class="field field--check">
                <input id="save" type="checkbox" name="save" />
                <label for="save">"Save for next time"</label>
            </div>
            <button type="submit" class="button">"Continue"</button>
        </ActionForm>
    }
}
