//! Step 3, `/pay/{merchant_slug}/business` (first visit only): the business's details. For a
//! known customer they complete its profile; for an address that is nobody's contact they
//! become an access request the merchant approves.

// The server function takes one argument per form field: that is how `ActionForm` names its
// inputs, and it is what the no-JavaScript form post sends.
#![allow(clippy::too_many_arguments)]

use crate::domain::business::{CA_PROVINCES, US_STATES};
use crate::domain::sign_in::WizardStep;
use crate::error::AppError;
use crate::wizard::focus_first_invalid_field;
use crate::wizard::{
    FieldMessage, FormMessage, WizardFrame, WizardPage, WizardRoute, WizardView, action_result,
    field_message,
};
use leptos::prelude::*;

#[server(endpoint = "wizard/business")]
pub async fn submit_business(
    merchant_slug: String,
    business_name: String,
    contact_name: String,
    phone: String,
    address_line1: String,
    city: String,
    region: String,
    postal_code: String,
    country: String,
) -> Result<(), AppError> {
    use crate::domain::business::BusinessForm;
    use crate::error::unexpected;
    use crate::services::sessions::{self, Draft};
    use crate::services::{Database, access_requests, customers, from_context};
    use crate::wizard::session;

    let db: Database = from_context()?;
    let (merchant_id, merchant) = session::require_merchant(&db, &merchant_slug).await?;
    let mut current = session::current(&db, merchant_id).await?;
    let position = session::position(&db, current.as_mut()).await?;
    session::require_position(position, &[WizardPage::Business], &merchant.slug)?;
    let Some((current, email)) =
        current.and_then(|session| session.verified_email.clone().map(|email| (session, email)))
    else {
        return Err(AppError::Unexpected);
    };
    let form = BusinessForm {
        business_name,
        contact_name,
        phone,
        address_line1,
        city,
        region,
        postal_code,
        country,
    };
    let draft = Draft {
        business: form.clone(),
        ..current.draft.clone()
    };
    sessions::save_draft(&db, &current.id, &draft)
        .await
        .map_err(|error| unexpected("keeping what the customer typed", &error))?;
    let details = form.parse().map_err(AppError::InvalidFields)?;
    match current.customer {
        Some(customer) => customers::complete_profile(&db, merchant_id, customer, &details)
            .await
            .map_err(|error| unexpected("completing a customer's profile", &error))?,
        None => {
            let request = access_requests::request(&db, merchant_id, &merchant, &email, &details)
                .await
                .map_err(|error| unexpected("recording an access request", &error))?;
            sessions::record_access_request(&db, &current.id, request)
                .await
                .map_err(|error| unexpected("recording an access request", &error))?;
        }
    }
    sessions::save_draft(&db, &current.id, &Draft::default())
        .await
        .map_err(|error| unexpected("clearing a finished form", &error))?;
    let mut updated = sessions::find_by_id(&db, &current.id)
        .await
        .map_err(|error| unexpected("reading a session", &error))?;
    let next = session::position(&db, updated.as_mut()).await?;
    leptos_axum::redirect(&next.path(&merchant.slug));
    Ok(())
}

#[component]
pub fn BusinessPage() -> impl IntoView {
    let submit = ServerAction::<SubmitBusiness>::new();
    view! {
        <WizardRoute
            page=WizardPage::Business
            refresh=Signal::derive(|| 0)
            render=std::sync::Arc::new(move |view| view! { <BusinessStep view submit /> }.into_any())
        />
    }
}

/// The fields in form order: (name, label, input type, autocomplete).
const TEXT_FIELDS: [(&str, &str, &str, &str); 5] = [
    ("business_name", "Business name", "text", "organization"),
    ("contact_name", "Your name", "text", "name"),
    ("phone", "Phone", "tel", "tel"),
    ("address_line1", "Address line 1", "text", "address-line1"),
    ("city", "City", "text", "address-level2"),
];

#[component]
fn BusinessStep(view: WizardView, submit: ServerAction<SubmitBusiness>) -> impl IntoView {
    let result = action_result(submit);
    focus_first_invalid_field(result);
    let form = view.business.clone();
    let slug = view.merchant.slug.to_string();
    let new_business = view.new_business;
    let merchant_name = view.merchant.display_name.clone();
    // Without JavaScript the page is rendered afresh after a refused form: focus the first
    // refused field so that keyboard and screen-reader users land on it.
    let first_invalid = move || -> Option<&'static str> {
        let names = [
            "business_name",
            "contact_name",
            "phone",
            "address_line1",
            "city",
            "region",
            "postal_code",
            "country",
        ];
        names
            .into_iter()
            .find(|name| field_message(result, name).get().is_some())
    };
    let value_of = move |name: &str| -> String {
        match name {
            "business_name" => form.business_name.clone(),
            "contact_name" => form.contact_name.clone(),
            "phone" => form.phone.clone(),
            "address_line1" => form.address_line1.clone(),
            "city" => form.city.clone(),
            "postal_code" => form.postal_code.clone(),
            _ => String::new(),
        }
    };
    let text_fields = TEXT_FIELDS
        .into_iter()
        .map(|(name, label, kind, autocomplete)| {
            let error = field_message(result, name);
            let error_id = format!("{name}-error");
            view! {
                <div class="field">
                    <label for=name>{label}</label>
                    <input
                        id=name
                        name=name
                        type=kind
                        autocomplete=autocomplete
                        value=value_of(name)
                        autofocus=move || first_invalid() == Some(name)
                        aria-invalid=move || error.get().is_some().to_string()
                        aria-describedby=error_id.clone()
                    />
                    <p id=error_id class="field__error" role="alert">{move || error.get()}</p>
                </div>
            }
        })
        .collect_view();
    let region = view.business.region.clone();
    let country = view.business.country.clone();
    let region_error = field_message(result, "region");
    let postal_error = field_message(result, "postal_code");
    let country_error = field_message(result, "country");
    let postal_value = value_of("postal_code");
    let option = move |code: &'static str, name: &'static str| {
        view! { <option value=code selected=region == code>{name}</option> }
    };
    let states = US_STATES
        .into_iter()
        .map({
            let option = option.clone();
            move |(code, name)| option(code, name)
        })
        .collect_view();
    let provinces = CA_PROVINCES
        .into_iter()
        .map(move |(code, name)| option(code, name))
        .collect_view();
    view! {
        <WizardFrame view step=WizardStep::Business>
            <h1>"Your business"</h1>
            <p class="lead">
                {if new_business {
                    format!("Your email address is not yet on file with {merchant_name}. Tell us about your business and we will ask them to give you access.")
                } else {
                    "First time here: check your business details. You will not be asked again.".to_owned()
                }}
            </p>
            <ActionForm action=submit attr:novalidate=true attr:class="form">
                <input type="hidden" name="merchant_slug" value=slug />
                <FormMessage result />
                {text_fields}
                <div class="field">
                    <label for="region">"State or province"</label>
                    <select
                        id="region"
                        name="region"
                        autocomplete="address-level1"
                        autofocus=move || first_invalid() == Some("region")
                        aria-invalid=move || region_error.get().is_some().to_string()
                        aria-describedby="region-error"
                    >
                        <option value="">"Choose…"</option>
                        <optgroup label="United States">{states}</optgroup>
                        <optgroup label="Canada">{provinces}</optgroup>
                    </select>
                    <FieldMessage id="region-error" message=region_error />
                </div>
                <div class="field">
                    <label for="postal_code">"Postal code"</label>
                    <input
                        id="postal_code"
                        name="postal_code"
                        type="text"
                        autocomplete="postal-code"
                        value=postal_value
                        autofocus=move || first_invalid() == Some("postal_code")
                        aria-invalid=move || postal_error.get().is_some().to_string()
                        aria-describedby="postal_code-help postal_code-error"
                    />
                    <p id="postal_code-help" class="field__help">"A ZIP code (12345) or a Canadian postal code (K1A 0B1)."</p>
                    <FieldMessage id="postal_code-error" message=postal_error />
                </div>
                <div class="field">
                    <label for="country">"Country"</label>
                    <select
                        id="country"
                        name="country"
                        autocomplete="country"
                        autofocus=move || first_invalid() == Some("country")
                        aria-invalid=move || country_error.get().is_some().to_string()
                        aria-describedby="country-error"
                    >
                        <option value="US" selected=country == "US">"United States"</option>
                        <option value="CA" selected=country == "CA">"Canada"</option>
                    </select>
                    <FieldMessage id="country-error" message=country_error />
                </div>
                <button type="submit" class="button">"Continue"</button>
            </ActionForm>
        </WizardFrame>
    }
}
