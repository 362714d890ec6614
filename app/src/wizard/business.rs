//! Step 3, `/pay/{merchant_slug}/business` (first visit only): the business's details. For a
//! known customer they complete its profile; for an address that is nobody's contact they
//! become an access request the merchant approves.

// The server function takes one argument per form field: that is how `ActionForm` names its
// inputs, and it is what the no-JavaScript form post sends.
#![allow(clippy::too_many_arguments)]

use crate::components::{
    FieldMessage, FormMessage, TextField, action_result, field_message, is_first_refused,
};
use crate::domain::business::{BusinessForm, CA_PROVINCES, US_STATES};
use crate::domain::sign_in::WizardStep;
use crate::error::AppError;
use crate::wizard::frame::{Frame, PageState, WizardFrame, merchant_slug, step_page};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What step 3 shows: the form as last typed, or the customer's profile as the merchant has it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BusinessView {
    pub frame: Frame,
    pub business: BusinessForm,
    /// Whether the address is nobody's contact yet (the form becomes an access request).
    pub new_business: bool,
}

#[server(endpoint = "wizard/page/business")]
pub async fn business_page(merchant_slug: String) -> Result<PageState<BusinessView>, AppError> {
    use crate::error::unexpected;
    use crate::services::customers;
    use crate::wizard::WizardPage;
    use crate::wizard::guard::{self, Entry};

    let visit = match guard::enter(&merchant_slug, WizardPage::Business).await? {
        Entry::Open(visit) => visit,
        Entry::Elsewhere(elsewhere) => return Ok(elsewhere.into()),
    };
    let Some(session) = &visit.session else {
        return Ok(visit.elsewhere().into());
    };
    let business = if session.draft.business != BusinessForm::default() {
        session.draft.business.clone()
    } else if let Some(customer) = session.customer {
        customers::profile_form(&visit.db, visit.merchant_id, customer)
            .await
            .map_err(|error| unexpected("reading a customer's profile", &error))?
    } else {
        BusinessForm {
            country: visit.merchant.country.code().to_owned(),
            ..BusinessForm::default()
        }
    };
    Ok(PageState::show(BusinessView {
        new_business: session.customer.is_none(),
        business,
        frame: visit.frame(),
    }))
}

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
    use crate::error::unexpected;
    use crate::services::sessions::{self, Draft};
    use crate::services::{access_requests, customers};
    use crate::wizard::WizardPage;
    use crate::wizard::{guard, session};

    let guard::Visit {
        db,
        merchant_id,
        merchant,
        session: current,
        ..
    } = guard::require(&merchant_slug, &[WizardPage::Business]).await?;
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
    step_page(business_page(merchant_slug()), move |view| {
        view! { <BusinessStep view submit /> }.into_any()
    })
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
fn BusinessStep(view: BusinessView, submit: ServerAction<SubmitBusiness>) -> impl IntoView {
    let result = action_result(submit);
    let form = view.business.clone();
    let slug = view.frame.merchant.slug.to_string();
    let new_business = view.new_business;
    let merchant_name = view.frame.merchant.display_name.clone();
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
            view! { <TextField name label kind autocomplete value=value_of(name) result /> }
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
        <WizardFrame frame=view.frame step=WizardStep::Business>
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
                        autofocus=move || is_first_refused(result, "region")
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
                        autofocus=move || is_first_refused(result, "postal_code")
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
                        autofocus=move || is_first_refused(result, "country")
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
