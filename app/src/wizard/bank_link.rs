//! Step 7's **Connect your bank**: the customer signs in to their bank through the processor's
//! bank-link flow and picks an account, with no numbers to type. The password goes to the
//! processor and no further; the username is kept in the session's checkout to fill the form
//! again after a refusal. Portico receives the picked account's numbers and stores them as it
//! stores typed ones (encrypted, shown as the last four digits).

use crate::components::{FormMessage, RadioGroup, TextField, action_result, choices};
use crate::domain::checkout::ConnectedBank;
use crate::domain::merchant::MerchantSlug;
use crate::domain::sensitive::SensitiveText;
use crate::error::AppError;
use crate::wizard::details::SavedChoice;
use leptos::prelude::*;

#[server(endpoint = "wizard/connect-bank")]
pub async fn connect_bank(
    merchant_slug: String,
    #[server(default)] institution: String,
    #[server(default)] bank_username: String,
    #[server(default)] bank_password: SensitiveText,
) -> Result<(), AppError> {
    use crate::domain::merchant::Country;
    use crate::domain::payment::PaymentMethodKind;
    use crate::error::unexpected;
    use crate::services::from_context;
    use crate::services::processors::{PaymentProcessor, Processor, ProcessorError};
    use crate::wizard::{WizardPage, guard};

    let payer = guard::require_payer(&merchant_slug).await?;
    let mut checkout = payer.session.checkout.clone();
    checkout.keep_bank_username(bank_username.clone());
    payer.save_checkout(&checkout).await?;
    let country = match checkout.method {
        Some(PaymentMethodKind::UsAch) => Country::UnitedStates,
        Some(PaymentMethodKind::CaPad | PaymentMethodKind::CaEft) => Country::Canada,
        Some(PaymentMethodKind::Card) | None => {
            return Err(AppError::WrongStep {
                path: WizardPage::Method.path(&payer.merchant.slug),
                message: "Choose to pay from a bank account first.".to_owned(),
            });
        }
    };
    if institution.is_empty() {
        return Err(AppError::Invalid {
            field: "institution".to_owned(),
            message: "Choose your bank from the list.".to_owned(),
        });
    }
    let processor: Processor = from_context()?;
    let link = match processor
        .link_bank(
            payer.merchant_id,
            country,
            &institution,
            &bank_username,
            bank_password.expose(),
        )
        .await
    {
        Ok(link) => link,
        Err(ProcessorError::BankLinkRefused(message)) => {
            return Err(AppError::Invalid {
                field: "bank_username".to_owned(),
                message,
            });
        }
        Err(error) => return Err(unexpected("connecting a bank", &error)),
    };
    checkout.connect_bank(ConnectedBank {
        token: link.token,
        institution: link.institution,
        accounts: link
            .accounts
            .into_iter()
            .map(|account| (account.id, account.label))
            .collect(),
    });
    payer.save_checkout(&checkout).await?;
    payer.go_to(WizardPage::Details);
    Ok(())
}

#[server(endpoint = "wizard/connected-account")]
pub async fn use_connected_account(
    merchant_slug: String,
    #[server(default)] connected_account: String,
    #[server(default)] link_holder_type: String,
) -> Result<(), AppError> {
    use crate::domain::bank::{
        AccountType, HolderType, InstitutionNumber, RoutingNumber, TransitNumber,
    };
    use crate::domain::business::FieldError;
    use crate::domain::payment::PaymentMethodKind;
    use crate::error::unexpected;
    use crate::services::bank_accounts::{BankRouting, NewBankAccount};
    use crate::services::from_context;
    use crate::services::processors::{LinkedRouting, PaymentProcessor, Processor, ProcessorError};
    use crate::wizard::{WizardPage, guard};

    let payer = guard::require_payer(&merchant_slug).await?;
    let mut checkout = payer.session.checkout.clone();
    let Some(connected) = checkout.connected_bank.clone() else {
        let path = WizardPage::Details.path(&payer.merchant.slug);
        leptos_axum::redirect(&path);
        return Err(AppError::WrongStep {
            path,
            message: "Connect your bank first.".to_owned(),
        });
    };
    let mut errors = Vec::new();
    if !connected
        .accounts
        .iter()
        .any(|(id, _)| *id == connected_account)
    {
        errors.push(FieldError {
            field: "connected_account".to_owned(),
            message: "Choose one of the accounts.".to_owned(),
        });
    }
    let holder = match link_holder_type.as_str() {
        "business" => Some(HolderType::Business),
        "personal" => Some(HolderType::Personal),
        _ => {
            errors.push(FieldError {
                field: "link_holder_type".to_owned(),
                message: "Choose business or personal.".to_owned(),
            });
            None
        }
    };
    let Some(holder) = holder.filter(|_| errors.is_empty()) else {
        return Err(AppError::InvalidFields(errors));
    };
    let processor: Processor = from_context()?;
    let numbers = match processor
        .linked_account(payer.merchant_id, &connected.token, &connected_account)
        .await
    {
        Ok(numbers) => numbers,
        Err(ProcessorError::BankLinkExpired) => {
            checkout.forget_connected_bank();
            payer.save_checkout(&checkout).await?;
            return Err(AppError::Invalid {
                field: "connected_account".to_owned(),
                message: "The connection to your bank has expired: connect again.".to_owned(),
            });
        }
        Err(error) => return Err(unexpected("reading a linked bank account", &error)),
    };
    let wants_canadian = match checkout.method {
        Some(PaymentMethodKind::UsAch) => false,
        Some(PaymentMethodKind::CaPad | PaymentMethodKind::CaEft) => true,
        Some(PaymentMethodKind::Card) | None => {
            return Err(AppError::WrongStep {
                path: WizardPage::Method.path(&payer.merchant.slug),
                message: "Choose to pay from a bank account first.".to_owned(),
            });
        }
    };
    if matches!(numbers.routing, LinkedRouting::Canadian { .. }) != wants_canadian {
        checkout.forget_connected_bank();
        payer.save_checkout(&checkout).await?;
        return Err(AppError::Invalid {
            field: "connected_account".to_owned(),
            message: "This bank cannot be used for this payment method: connect another bank."
                .to_owned(),
        });
    }
    let routing = match numbers.routing {
        LinkedRouting::Us(routing) => RoutingNumber::parse(&routing).map(BankRouting::Us).ok(),
        LinkedRouting::Canadian {
            institution,
            transit,
        } => match (
            InstitutionNumber::parse(&institution),
            TransitNumber::parse(&transit),
        ) {
            (Ok(institution), Ok(transit)) => Some(BankRouting::Canadian {
                institution,
                transit,
            }),
            _ => None,
        },
    }
    .ok_or(AppError::Unexpected)?;
    let new = NewBankAccount {
        customer: payer.customer,
        routing,
        account: numbers.account,
        account_type: if numbers.checking {
            AccountType::Checking
        } else {
            AccountType::Savings
        },
        holder,
        saved: false,
    };
    payer
        .pay_from_new_account(checkout, &new, "connected_account")
        .await
}

/// A connected bank as step 7 shows it: its name and its accounts, masked. (Never the
/// processor's link token: that stays in the session.)
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ConnectedBankView {
    pub institution: String,
    /// (account id, label).
    pub accounts: Vec<(String, String)>,
}

impl From<&ConnectedBank> for ConnectedBankView {
    fn from(bank: &ConnectedBank) -> Self {
        Self {
            institution: bank.institution.clone(),
            accounts: bank.accounts.clone(),
        }
    }
}

/// The connect-your-bank part of step 7: sign in at a bank, then pick one of its accounts.
#[component]
pub fn ConnectBankSection(
    slug: MerchantSlug,
    institutions: Vec<SavedChoice>,
    connected: Option<ConnectedBankView>,
    username: String,
    connect: ServerAction<ConnectBank>,
    choose: ServerAction<UseConnectedAccount>,
) -> impl IntoView {
    let connect_result = action_result(connect);
    let choose_result = action_result(choose);
    let banks: Vec<(String, String)> = institutions
        .into_iter()
        .map(|bank| (bank.id, bank.label))
        .collect();
    let slug_text = slug.to_string();
    let pick = connected.map(move |connected| {
        let first = connected
            .accounts
            .first()
            .map(|(id, _)| id.clone())
            .unwrap_or_default();
        view! {
            <ActionForm action=choose attr:novalidate=true attr:class="form">
                <input type="hidden" name="merchant_slug" value=slug_text />
                <p class="notice" role="status">{format!("Connected to {}. Choose the account to pay from.", connected.institution)}</p>
                <FormMessage result=choose_result />
                <RadioGroup name="connected_account" legend="Account" options=connected.accounts chosen=first result=choose_result />
                <RadioGroup
                    name="link_holder_type"
                    legend="Account holder type"
                    options=choices(&[("business", "Business"), ("personal", "Personal")])
                    inline=true
                    result=choose_result
                />
                <button type="submit" class="button">"Use this account"</button>
            </ActionForm>
        }
    });
    view! {
        <section class="connect-bank" aria-labelledby="connect-bank-heading">
            <h2 id="connect-bank-heading">"Connect your bank"</h2>
            {match pick {
                Some(pick) => pick.into_any(),
                None => view! {
                    <p class="field__help">"Sign in to your online banking and pick the account: no numbers to type. Your sign-in goes to our payment processor and no further."</p>
                    <ActionForm action=connect attr:novalidate=true attr:class="form">
                        <input type="hidden" name="merchant_slug" value=slug.to_string() />
                        <FormMessage result=connect_result />
                        <RadioGroup name="institution" legend="Your bank" options=banks result=connect_result />
                        <TextField name="bank_username" label="Online banking username" autocomplete="username" value=username.clone() result=connect_result />
                        <TextField name="bank_password" label="Online banking password" autocomplete="current-password" kind="password" value=String::new() result=connect_result />
                        <button type="submit" class="button">"Connect your bank"</button>
                    </ActionForm>
                }
                    .into_any(),
            }}
        </section>
    }
}
