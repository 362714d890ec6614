//! Step 7 for cards: number, expiry, security code, name and postal code. They go straight to
//! the processor's tokenizer; Portico keeps the token, the brand, the last four digits and the
//! expiry. The number and the security code are never stored, logged or kept in a draft.

// One argument per form field: that is how `ActionForm` names its inputs.
#![allow(clippy::too_many_arguments)]

use crate::components::{FormMessage, TextField, action_result};
use crate::domain::card::{CardBrand, CardError, CardNumber};
use crate::domain::checkout::CardDraft;
use crate::domain::merchant::MerchantSlug;
use crate::domain::sensitive::SensitiveText;
use crate::error::AppError;
use leptos::prelude::*;

#[server(endpoint = "wizard/card")]
pub async fn submit_card(
    merchant_slug: String,
    #[server(default)] card_number: SensitiveText,
    #[server(default)] expiry: String,
    #[server(default)] security_code: SensitiveText,
    #[server(default)] name_on_card: String,
    #[server(default)] postal_code: String,
    #[server(default)] save: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::payment::PaymentMethodKind;
    use crate::wizard::WizardPage;
    use crate::wizard::guard;

    let payer = guard::require_payer(&merchant_slug).await?;
    let mut checkout = payer.session.checkout.clone();
    checkout.keep_card_draft(CardDraft {
        expiry: expiry.clone(),
        name: name_on_card.clone(),
        postal_code: postal_code.clone(),
    });
    payer.save_checkout(&checkout).await?;
    if checkout.method != Some(PaymentMethodKind::Card) {
        return Err(AppError::WrongStep {
            path: WizardPage::Method.path(&payer.merchant.slug),
            message: "Choose to pay by card first.".to_owned(),
        });
    }
    let typed = TypedCard {
        number: card_number,
        expiry,
        security_code,
        name: name_on_card,
        postal_code,
    };
    let instrument = tokenize(&payer, &typed, Vec::new()).await?;
    // Kept once the charge succeeds, not before: a declined card is not offered again.
    payer.pay_with(checkout, instrument, save.is_some()).await
}

/// A card as the customer typed it into a card form.
#[cfg(feature = "ssr")]
pub struct TypedCard {
    pub number: SensitiveText,
    pub expiry: String,
    pub security_code: SensitiveText,
    pub name: String,
    pub postal_code: String,
}

/// Checks a typed card field by field (every refusal at once, each on its field, after them the
/// form's `other_refusals`) and has the processor tokenize it, within the session's and the
/// address's card-attempt limits.
#[cfg(feature = "ssr")]
pub async fn tokenize(
    payer: &crate::wizard::session::Payer,
    typed: &TypedCard,
    other_refusals: Vec<crate::domain::business::FieldError>,
) -> Result<crate::domain::checkout::Instrument, AppError> {
    use crate::domain::business::{FieldError, PostalCode};
    use crate::domain::card::{Expiry, SecurityCode};
    use crate::domain::checkout::Instrument;
    use crate::domain::merchant::Country;
    use crate::error::unexpected;
    use crate::services::clock::today;
    use crate::services::from_context;
    use crate::services::processors::{CardDetails, PaymentProcessor, Processor, ProcessorError};
    use crate::services::rate_limit::CardAttempts;
    use crate::wizard::session;

    let mut errors = Vec::new();
    let mut refuse = |field: &str, message: String| {
        errors.push(FieldError {
            field: field.to_owned(),
            message,
        })
    };
    let number = CardNumber::parse(typed.number.expose())
        .map_err(|error| refuse("card_number", error.to_string()))
        .ok();
    let date = today();
    let expiry = Expiry::parse(&typed.expiry, (date.year() as u16, u8::from(date.month())))
        .map_err(|error| refuse("expiry", error.to_string()))
        .ok();
    // Without a valid number the brand is unknown: check the usual 3 digits.
    let brand = number.as_ref().map_or(CardBrand::Visa, CardNumber::brand);
    let code = SecurityCode::parse(typed.security_code.expose(), brand)
        .map_err(|error| refuse("security_code", error.to_string()))
        .ok();
    let name = typed.name.trim();
    if name.is_empty() {
        refuse(
            "name_on_card",
            "Enter the name printed on the card.".to_owned(),
        );
    }
    // The billing address may be in either country, whatever the merchant's.
    let postal = PostalCode::parse(&typed.postal_code, Country::UnitedStates)
        .or_else(|_| PostalCode::parse(&typed.postal_code, Country::Canada))
        .map_err(|_| {
            refuse(
                "postal_code",
                "Enter the card's billing postal code: a ZIP code (12345) or a Canadian postal code (K1A 0B1).".to_owned(),
            )
        })
        .ok();
    errors.extend(other_refusals);
    let (Some(number), Some(expiry), Some(code), Some(postal)) = (number, expiry, code, postal)
    else {
        return Err(AppError::InvalidFields(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::InvalidFields(errors));
    }

    let attempts: CardAttempts = from_context()?;
    if let Err(retry_after) =
        attempts.check(payer.session.id.as_str(), &session::client_address().0)
    {
        return Err(AppError::Invalid {
            field: "card_number".to_owned(),
            message: format!(
                "Too many cards were tried just now. Please try again in {} minutes, or go back and choose another way to pay.",
                retry_after.seconds().div_ceil(60)
            ),
        });
    }
    let processor: Processor = from_context()?;
    let card = CardDetails {
        number: &number,
        expiry,
        security_code: &code,
        name,
        postal_code: postal.as_str(),
    };
    let token = match processor.tokenize_card(payer.merchant_id, &card).await {
        Ok(token) => token,
        Err(ProcessorError::CardRefused(message)) => {
            return Err(AppError::Invalid {
                field: "card_number".to_owned(),
                message,
            });
        }
        Err(error) => return Err(unexpected("tokenizing a card", &error)),
    };
    Ok(Instrument::Card {
        token: token.token,
        brand: token.brand,
        last_four: token.last_four,
        expiry: token.expiry,
    })
}

/// What the card number box says while the customer types: the brand once the first digits
/// tell it, and a typo once the number is long enough to check.
fn card_number_hint(text: &str) -> Option<String> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 2 {
        return None;
    }
    let brand = CardBrand::from_prefix(&digits)?;
    match CardNumber::parse(text) {
        Ok(_) => Some(format!("{} ✓", brand.name())),
        Err(error @ CardError::Checksum) if digits.len() >= 15 => Some(error.to_string()),
        Err(_) => Some(brand.name().to_owned()),
    }
}

#[component]
pub fn CardForm(
    slug: MerchantSlug,
    draft: CardDraft,
    submit: ServerAction<SubmitCard>,
) -> impl IntoView {
    let result = action_result(submit);
    view! {
        <ActionForm action=submit attr:novalidate=true attr:class="form">
            <input type="hidden" name="merchant_slug" value=slug.to_string() />
            <FormMessage result />
            <CardFields draft result />
            <div class="field field--check">
                <input id="save" type="checkbox" name="save" />
                <label for="save">"Save for next time"</label>
            </div>
            <p class="field__help">"Your card details go straight to our payment processor; we keep only the card's brand, last four digits and expiry."</p>
            <button type="submit" class="button">"Continue"</button>
        </ActionForm>
    }
}

/// The fields of a card form, with the refusals of its action's latest result beside them:
/// step 7's, and the one that changes how a plan is collected.
#[component]
pub fn CardFields(draft: CardDraft, result: Signal<Option<Result<(), AppError>>>) -> impl IntoView {
    let refusal = match result.get_untracked() {
        Some(Err(error)) => Some(error),
        _ => None,
    };
    let number_error = refusal
        .as_ref()
        .and_then(|error| error.message_for("card_number"));
    let number_refused_first = refusal
        .as_ref()
        .is_some_and(|error| error.first_field() == Some("card_number"));
    view! {
        <CardNumberField error=number_error first_refused=number_refused_first />
        <div class="field-row">
            <TextField name="expiry" label="Expiry (MM/YY)" autocomplete="cc-exp" inputmode="numeric" value=draft.expiry.clone() result />
            <TextField
                name="security_code"
                label="Security code"
                autocomplete="cc-csc"
                inputmode="numeric"
                help="3 digits on the back; 4 on the front of an American Express card."
                value=String::new()
                result
            />
        </div>
        <TextField name="name_on_card" label="Name on card" autocomplete="cc-name" value=draft.name.clone() result />
        <TextField name="postal_code" label="Postal code" autocomplete="postal-code" value=draft.postal_code.clone() result />
    }
    .into_any()
}

/// The card number box, which once hydrated names the brand as the first digits tell it and
/// flags a typo before the form is sent. The server checks the number again either way.
#[island]
pub fn CardNumberField(error: Option<String>, first_refused: bool) -> impl IntoView {
    let typed = RwSignal::new(number_in_page());
    // The server renders no hint; until hydration has matched that, there is none here either,
    // then the hint follows what the box holds (typed before the WASM arrived, or since).
    let hydrated = RwSignal::new(false);
    Effect::new(move || hydrated.set(true));
    let hint = move || {
        if hydrated.get() {
            card_number_hint(&typed.get())
        } else {
            None
        }
    };
    let invalid = error.is_some();
    view! {
        <div class="field">
            <label for="card_number">"Card number"</label>
            <input
                id="card_number"
                name="card_number"
                type="text"
                inputmode="numeric"
                autocomplete="cc-number"
                on:input=move |event| typed.set(event_target_value(&event))
                aria-invalid=invalid.to_string()
                autofocus=first_refused
                aria-describedby="card_number-hint card_number-error"
            />
            <p id="card_number-hint" class="field__help" aria-live="polite">{hint}</p>
            <p id="card_number-error" class="field__error" role="alert">{error}</p>
        </div>
    }
}

/// What the card number box holds when the island hydrates: a customer on a slow phone may
/// have typed it before the WASM arrived. (Nothing elsewhere: the server never has it.)
fn number_in_page() -> String {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        if let Some(input) = document()
            .get_element_by_id("card_number")
            .and_then(|element| element.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            return input.value();
        }
    }
    String::new()
}
