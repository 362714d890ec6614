//! `/dashboard/settings`: how the merchant looks to its customers (its name, accent colour,
//! logo and support address) and how they may pay (the methods on offer, the smallest part
//! payment, the installment terms). Two forms, saved apart, so that a refused logo never holds
//! back a change of methods. A viewer sees both, unchangeable; the server refuses their posts.
//!
//! As on the new-invoice page, a refused form is sent back here with what was typed in the
//! address, and the page checks it again to say why beside each field.

use crate::dashboard::DashboardPage;
use crate::dashboard::fields::TextField;
use crate::dashboard::frame::{
    DashboardFrame, DashboardState, Section, StaffFrame, dashboard_page,
};
use crate::dashboard::notice::DoneNotice;
use crate::domain::business::FieldError;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The branding form as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BrandingForm {
    pub display_name: String,
    pub accent_colour: String,
    pub logo_url: String,
    pub support_email: String,
}

/// The payment settings form as typed. A checkbox is `on` when ticked and absent when not.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PaymentsForm {
    /// By method code.
    pub methods: BTreeMap<String, String>,
    pub minimum_partial: String,
    pub installments: String,
    pub installments_minimum: String,
    pub terms: Vec<TermForm>,
}

/// One length of plan, as typed; every length has a row, offered or not.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TermForm {
    pub days: String,
    pub offer: String,
    pub payments: String,
    pub fee_percent: String,
}

fn ticked(value: &str) -> bool {
    !value.is_empty()
}

impl BrandingForm {
    /// The query string that gives the form back as typed.
    #[cfg(feature = "ssr")]
    fn query(&self) -> String {
        crate::dashboard::query_of(vec![
            ("display_name".to_owned(), self.display_name.as_str()),
            ("accent_colour".to_owned(), self.accent_colour.as_str()),
            ("logo_url".to_owned(), self.logo_url.as_str()),
            ("support_email".to_owned(), self.support_email.as_str()),
        ])
    }

    fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        let text = |name: &str| get(name).unwrap_or_default();
        Self {
            display_name: text("display_name"),
            accent_colour: text("accent_colour"),
            logo_url: text("logo_url"),
            support_email: text("support_email"),
        }
    }
}

impl PaymentsForm {
    /// The query string that gives the form back as typed.
    #[cfg(feature = "ssr")]
    fn query(&self) -> String {
        let mut pairs = vec![
            ("minimum_partial".to_owned(), self.minimum_partial.as_str()),
            ("installments".to_owned(), self.installments.as_str()),
            (
                "installments_minimum".to_owned(),
                self.installments_minimum.as_str(),
            ),
        ];
        for (code, value) in &self.methods {
            pairs.push((format!("method_{code}"), value.as_str()));
        }
        for term in &self.terms {
            let days = &term.days;
            pairs.push((format!("term{days}_offer"), term.offer.as_str()));
            pairs.push((format!("term{days}_payments"), term.payments.as_str()));
            pairs.push((format!("term{days}_fee"), term.fee_percent.as_str()));
        }
        crate::dashboard::query_of(pairs)
    }

    fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        use crate::domain::installments::TermDays;
        use crate::domain::payment::PaymentMethodKind;

        let text = |name: &str| get(name).unwrap_or_default();
        Self {
            methods: PaymentMethodKind::ALL
                .into_iter()
                .filter_map(|kind| {
                    get(&format!("method_{}", kind.code()))
                        .map(|value| (kind.code().to_owned(), value))
                })
                .collect(),
            minimum_partial: text("minimum_partial"),
            installments: text("installments"),
            installments_minimum: text("installments_minimum"),
            terms: TermDays::ALL
                .into_iter()
                .map(|days| TermForm {
                    days: days.to_string(),
                    offer: text(&format!("term{days}_offer")),
                    payments: text(&format!("term{days}_payments")),
                    fee_percent: text(&format!("term{days}_fee")),
                })
                .collect(),
        }
    }
}

/// The two forms as the settings stand.
#[cfg(feature = "ssr")]
fn forms_of(
    settings: &crate::services::merchant_settings::MerchantSettings,
) -> (BrandingForm, PaymentsForm) {
    use crate::domain::installments::{PlanTerm, TermDays};
    use crate::domain::money::Money;

    let branding = BrandingForm {
        display_name: settings.display_name.clone(),
        accent_colour: settings.accent_colour.as_str().to_owned(),
        logo_url: settings.logo_url.clone().unwrap_or_default(),
        support_email: settings.support_email.clone().unwrap_or_default(),
    };
    let amount = |minor: i64| {
        Money::from_minor_units(minor, settings.default_currency)
            .map(|money| money.to_plain_string())
            .unwrap_or_default()
    };
    let installments = &settings.installments;
    let payments = PaymentsForm {
        methods: settings
            .payment_methods
            .iter()
            .map(|kind| (kind.code().to_owned(), "on".to_owned()))
            .collect(),
        minimum_partial: amount(settings.minimum_partial_payment_minor),
        installments: if installments.enabled() { "on" } else { "" }.to_owned(),
        installments_minimum: amount(installments.minimum_amount_minor()),
        terms: TermDays::ALL
            .into_iter()
            .filter_map(|days| TermDays::parse(days).ok())
            .map(|days| {
                let offered = installments.term(days);
                let term = offered.cloned().unwrap_or_else(|| PlanTerm::standard(days));
                TermForm {
                    days: days.days().to_string(),
                    offer: if offered.is_some() { "on" } else { "" }.to_owned(),
                    payments: term.payments().to_string(),
                    fee_percent: term.fee_percent().to_plain_string(),
                }
            })
            .collect(),
    };
    (branding, payments)
}

#[cfg(feature = "ssr")]
fn refusal(field: &str, message: impl ToString) -> FieldError {
    FieldError {
        field: field.to_owned(),
        message: message.to_string(),
    }
}

/// The branding form checked: the change to make, or every refusal by field.
#[cfg(feature = "ssr")]
fn parse_branding(
    form: &BrandingForm,
) -> Result<crate::services::merchant_settings::SettingsChange, Vec<FieldError>> {
    use crate::domain::email::EmailAddress;
    use crate::domain::merchant::{AccentColour, LogoUrl};
    use crate::domain::text::DisplayName;
    use crate::services::merchant_settings::SettingsChange;

    let mut refusals = Vec::new();
    let display_name = DisplayName::parse(&form.display_name)
        .map_err(|error| refusals.push(refusal("display_name", error)))
        .ok();
    let accent_colour = AccentColour::parse(form.accent_colour.trim())
        .map_err(|error| refusals.push(refusal("accent_colour", error)))
        .ok();
    let optional = |text: &str| (!text.trim().is_empty()).then(|| text.to_owned());
    let logo_url = optional(&form.logo_url)
        .map(|text| LogoUrl::parse(&text))
        .transpose()
        .map_err(|error| refusals.push(refusal("logo_url", error)))
        .ok();
    let support_email = optional(&form.support_email)
        .map(|text| EmailAddress::parse(&text))
        .transpose()
        .map_err(|error| refusals.push(refusal("support_email", error)))
        .ok();
    if !refusals.is_empty() {
        return Err(refusals);
    }
    Ok(SettingsChange {
        display_name,
        accent_colour,
        logo_url,
        support_email,
        ..SettingsChange::default()
    })
}

/// The payments form checked against the settings it changes: the change to make, or every
/// refusal by field.
#[cfg(feature = "ssr")]
fn parse_payments(
    form: &PaymentsForm,
    settings: &crate::services::merchant_settings::MerchantSettings,
) -> Result<crate::services::merchant_settings::SettingsChange, Vec<FieldError>> {
    use crate::domain::installments::{PlanTerm, SettingsError as TermsError};
    use crate::domain::money::{AmountSyntax, Money};
    use crate::domain::payment::PaymentMethodKind;
    use crate::services::merchant_settings::{InstallmentsChange, SettingsChange, SettingsRefusal};

    let mut refusals = Vec::new();
    let amount = |text: &str| {
        Money::parse(text, settings.default_currency, AmountSyntax::Typed)
            .map(|money| money.minor_units())
    };
    let payment_methods = PaymentMethodKind::ALL
        .into_iter()
        .filter(|kind| {
            form.methods
                .get(kind.code())
                .is_some_and(|value| ticked(value))
        })
        .collect::<Vec<_>>();
    let minimum_partial = amount(&form.minimum_partial)
        .map_err(|error| refusals.push(refusal("minimum_partial", error)))
        .ok();
    let installments_minimum = amount(&form.installments_minimum)
        .map_err(|error| refusals.push(refusal("installments_minimum", error)))
        .ok();
    let mut terms = Vec::new();
    for term in form.terms.iter().filter(|term| ticked(&term.offer)) {
        let written = |text: &str| (!text.trim().is_empty()).then(|| text.trim().to_owned());
        let payments = written(&term.payments);
        let fee = written(&term.fee_percent);
        match PlanTerm::parse_text(term.days.trim(), payments.as_deref(), fee.as_deref()) {
            Ok(parsed) => terms.push(parsed),
            Err(error) => refusals.push(refusal(
                &format!("term{}_{}", term.days, error.part()),
                error,
            )),
        }
    }
    let change = SettingsChange {
        payment_methods: Some(payment_methods),
        minimum_partial_payment_minor: minimum_partial,
        installments: InstallmentsChange {
            enabled: Some(ticked(&form.installments)),
            minimum_amount_minor: installments_minimum,
            terms: Some(terms),
        },
        ..SettingsChange::default()
    };
    if !refusals.is_empty() {
        return Err(refusals);
    }
    let field = |refused: &SettingsRefusal| match refused {
        SettingsRefusal::NoMethods | SettingsRefusal::MethodUnavailable(..) => "methods",
        SettingsRefusal::MinimumPartialPayment => "minimum_partial",
        SettingsRefusal::Installments(TermsError::Minimum) => "installments_minimum",
        SettingsRefusal::Installments(_) => "terms",
    };
    match settings.changed(change.clone()) {
        Ok(_) => Ok(change),
        Err(refused) => Err(vec![refusal(field(&refused), &refused)]),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodChoice {
    pub code: String,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingsView {
    pub frame: StaffFrame,
    pub slug: String,
    pub branding: BrandingForm,
    pub payments: PaymentsForm,
    /// The methods offered in the merchant's country.
    pub methods: Vec<MethodChoice>,
    pub refused: Vec<FieldError>,
    /// Which form was just saved.
    pub saved: Option<String>,
    pub may_change: bool,
}

#[server(endpoint = "dashboard/page/settings")]
pub async fn settings_page(
    #[server(default)] branding: BrandingForm,
    #[server(default)] payments: PaymentsForm,
    /// Which form the action sent back refused: check it again to say why.
    #[server(default)]
    refused: Option<String>,
    #[server(default)] saved: Option<String>,
) -> Result<DashboardState<SettingsView>, AppError> {
    use crate::dashboard::guard;
    use crate::domain::checkout::method_label;
    use crate::domain::payment::PaymentMethodKind;
    use crate::error::unexpected;
    use crate::services::merchant_settings;

    let staff = match guard::enter().await? {
        Ok(staff) => staff,
        Err(path) => return Ok(DashboardState::Redirect(path)),
    };
    let settings = merchant_settings::get(&staff.db, staff.merchant_id())
        .await
        .map_err(|error| unexpected("reading a merchant's settings", &error))?;
    let (mut shown_branding, mut shown_payments) = forms_of(&settings);
    let mut refusals = Vec::new();
    match refused.as_deref() {
        Some("branding") => {
            refusals = parse_branding(&branding).err().unwrap_or_default();
            shown_branding = branding;
        }
        Some("payments") => {
            refusals = parse_payments(&payments, &settings)
                .err()
                .unwrap_or_default();
            shown_payments = payments;
        }
        _ => {}
    }
    Ok(DashboardState::show(SettingsView {
        frame: staff.frame(),
        slug: settings.slug.to_string(),
        branding: shown_branding,
        payments: shown_payments,
        methods: PaymentMethodKind::ALL
            .into_iter()
            .filter(|kind| kind.available_in(settings.country))
            .map(|kind| MethodChoice {
                code: kind.code().to_owned(),
                label: method_label(kind).to_owned(),
            })
            .collect(),
        refused: refusals,
        saved: saved.filter(|form| ["branding", "payments"].contains(&form.as_str())),
        may_change: staff.user.role.may_change(),
    }))
}

/// Saves the branding typed; a refused form goes back to the page as typed.
#[server(endpoint = "dashboard/settings-branding")]
pub async fn save_branding(form: BrandingForm) -> Result<(), AppError> {
    use crate::dashboard::guard;

    let staff = guard::require_admin().await?;
    let settings = DashboardPage::Settings.path();
    let change = match parse_branding(&form) {
        Ok(change) => change,
        Err(_) => {
            leptos_axum::redirect(&format!("{settings}?{}&refused=branding", form.query()));
            return Ok(());
        }
    };
    let next = if save(&staff, change).await? {
        format!("{settings}?saved=branding")
    } else {
        format!("{settings}?{}&refused=branding", form.query())
    };
    leptos_axum::redirect(&next);
    Ok(())
}

/// Saves the payment settings typed; a refused form goes back to the page as typed.
#[server(endpoint = "dashboard/settings-payments")]
pub async fn save_payments(form: PaymentsForm) -> Result<(), AppError> {
    use crate::dashboard::guard;
    use crate::error::unexpected;
    use crate::services::merchant_settings;

    let staff = guard::require_admin().await?;
    let settings_path = DashboardPage::Settings.path();
    let back = format!("{settings_path}?{}&refused=payments", form.query());
    let settings = merchant_settings::get(&staff.db, staff.merchant_id())
        .await
        .map_err(|error| unexpected("reading a merchant's settings", &error))?;
    let Ok(change) = parse_payments(&form, &settings) else {
        leptos_axum::redirect(&back);
        return Ok(());
    };
    let next = if save(&staff, change).await? {
        format!("{settings_path}?saved=payments")
    } else {
        back
    };
    leptos_axum::redirect(&next);
    Ok(())
}

/// Makes `change`, or answers `false` when the settings as they are by then refuse it
/// (another admin's change came first): the page, checking the form again, says why.
#[cfg(feature = "ssr")]
async fn save(
    staff: &crate::dashboard::guard::Staff,
    change: crate::services::merchant_settings::SettingsChange,
) -> Result<bool, AppError> {
    use crate::services::merchant_settings;

    merchant_settings::update(&staff.db, staff.merchant_id(), change)
        .await
        .map(|saved| saved.is_ok())
        .map_err(|error| crate::error::unexpected("saving a merchant's settings", &error))
}

#[component]
pub fn DashboardSettingsPage() -> impl IntoView {
    let branding = ServerAction::<SaveBranding>::new();
    let payments = ServerAction::<SavePayments>::new();
    let query = leptos_router::hooks::use_query_map()
        .read_untracked()
        .clone();
    let refused = query.get("refused");
    let branding_form = BrandingForm::from_query(|name| query.get(name));
    let payments_form = PaymentsForm::from_query(|name| query.get(name));
    let load = settings_page(branding_form, payments_form, refused, query.get("saved"));
    dashboard_page(load, move |view| {
        view! { <Settings view branding payments /> }.into_any()
    })
}

/// The settings' own navigation: these settings, the users, the API keys, accounting.
#[component]
pub fn SettingsNav(current: DashboardPage) -> impl IntoView {
    let link = move |page: DashboardPage, label: &'static str| {
        let here = (page == current).then_some("page");
        view! { <a href=page.path() aria-current=here>{label}</a> }
    };
    view! {
        <nav class="settings-nav" aria-label="Settings">
            {link(DashboardPage::Settings, "Branding and payments")}
            {link(DashboardPage::SettingsUsers, "Users")}
            {link(DashboardPage::SettingsApiKeys, "API keys")}
            {link(DashboardPage::SettingsAccounting, "Accounting")}
        </nav>
    }
}

/// What a viewer is told instead of being offered the save buttons.
#[component]
pub fn ViewerNotice(may_change: bool) -> impl IntoView {
    (!may_change).then(|| {
        view! {
            <p class="dashboard__notice">
                "You are a viewer: you can see these settings, but only an admin can change them."
            </p>
        }
    })
}

#[component]
fn Settings(
    view: SettingsView,
    branding: ServerAction<SaveBranding>,
    payments: ServerAction<SavePayments>,
) -> impl IntoView {
    let saved = match view.saved.as_deref() {
        Some("branding") => {
            Some("Branding saved. Your billing link shows it within a few seconds.")
        }
        Some("payments") => {
            Some("Payment settings saved. Customers see them from their next step.")
        }
        _ => None,
    };
    let summary = (!view.refused.is_empty()).then(|| {
        view! {
            <p class="form__message" role="alert">
                "Nothing was saved: some settings need correcting. See the messages beside them."
            </p>
        }
    });
    let may_change = view.may_change;
    let billing_link = format!("/pay/{}", view.slug);
    view! {
        <DashboardFrame frame=view.frame.clone() section=Section::Settings title="Settings".to_owned()>
            <SettingsNav current=DashboardPage::Settings />
            <ViewerNotice may_change />
            <DoneNotice message=saved.map(str::to_owned) />
            {summary}
            <BrandingSection form=view.branding.clone() refused=view.refused.clone() may_change billing_link branding />
            <PaymentsSection view=view.clone() may_change payments />
        </DashboardFrame>
    }
}

#[component]
fn BrandingSection(
    form: BrandingForm,
    refused: Vec<FieldError>,
    may_change: bool,
    billing_link: String,
    branding: ServerAction<SaveBranding>,
) -> impl IntoView {
    let error_of = move |field: &str| message_of(&refused, field);
    view! {
        <section aria-labelledby="branding-heading" class="settings__section">
            <h2 id="branding-heading">"Branding"</h2>
            <p class="muted">
                "What your customers see on " <a href=billing_link>"your billing link"</a>
                " and in the emails it sends."
            </p>
            <ActionForm action=branding attr:novalidate=true attr:class="form">
                <fieldset class="settings__fields" disabled=!may_change>
                    <TextField id="display_name" name="form[display_name]" label="Name customers see" value=form.display_name error=error_of("display_name") />
                    <TextField id="accent_colour" name="form[accent_colour]" label="Accent colour" kind="color" value=form.accent_colour error=error_of("accent_colour") />
                    <TextField id="logo_url" name="form[logo_url]" label="Logo address, https:// (optional)" kind="url" mode="url" value=form.logo_url error=error_of("logo_url") />
                    <TextField id="support_email" name="form[support_email]" label="Support email address (optional)" kind="email" mode="email" value=form.support_email error=error_of("support_email") />
                </fieldset>
                {may_change.then(|| view! { <button type="submit" class="button">"Save branding"</button> })}
            </ActionForm>
        </section>
    }
}

#[component]
fn PaymentsSection(
    view: SettingsView,
    may_change: bool,
    payments: ServerAction<SavePayments>,
) -> impl IntoView {
    let refused = view.refused;
    let error_of = move |field: &str| message_of(&refused, field);
    let form = view.payments;
    let methods_error = error_of("methods");
    let methods = view
        .methods
        .into_iter()
        .map(|method| {
            let id = format!("method_{}", method.code);
            let checked = form.methods.get(&method.code).is_some_and(|value| ticked(value));
            view! {
                <div class="field field--check">
                    <input id=id.clone() type="checkbox" name=format!("form[methods][{}]", method.code) checked=checked aria-describedby="methods-error" />
                    <label for=id>{method.label}</label>
                </div>
            }
        })
        .collect_view();
    let terms_error = error_of("terms");
    let terms = form
        .terms
        .iter()
        .enumerate()
        .map(|(index, term)| {
            let name = |part: &str| format!("form[terms][{index}][{part}]");
            let id = |part: &str| format!("term{}_{part}", term.days);
            let offer_id = id("offer");
            view! {
                <fieldset class="term-row">
                    <legend>{format!("{}-day plans", term.days)}</legend>
                    <input type="hidden" name=name("days") value=term.days.clone() />
                    <div class="field field--check">
                        <input id=offer_id.clone() type="checkbox" name=name("offer") checked=ticked(&term.offer) />
                        <label for=offer_id>{format!("Offer {}-day plans", term.days)}</label>
                    </div>
                    <TextField id=id("payments") name=name("payments") label="Number of payments" mode="numeric" value=term.payments.clone() error=error_of(&id("payments")) />
                    <TextField id=id("fee_percent") name=name("fee_percent") label="Fee (% of the amount)" mode="decimal" value=term.fee_percent.clone() error=error_of(&id("fee_percent")) />
                </fieldset>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="payments-heading" class="settings__section">
            <h2 id="payments-heading">"Payments"</h2>
            <ActionForm action=payments attr:novalidate=true attr:class="form">
                <fieldset class="settings__fields" disabled=!may_change>
                    <fieldset class="field">
                        <legend>"Payment methods customers may choose"</legend>
                        {methods}
                        <p id="methods-error" class="field__error" role="alert">{methods_error}</p>
                    </fieldset>
                    <TextField id="minimum_partial" name="form[minimum_partial]" label="Smallest part of an invoice a customer may pay" mode="decimal" value=form.minimum_partial.clone() error=error_of("minimum_partial") />
                    <h3>"Pay in installments"</h3>
                    <div class="field field--check">
                        <input id="installments" type="checkbox" name="form[installments]" checked=ticked(&form.installments) />
                        <label for="installments">"Offer Pay in Installments"</label>
                    </div>
                    <TextField id="installments_minimum" name="form[installments_minimum]" label="Smallest amount a plan may spread" mode="decimal" value=form.installments_minimum.clone() error=error_of("installments_minimum") />
                    <p id="terms-error" class="field__error" role="alert">{terms_error}</p>
                    {terms}
                </fieldset>
                {may_change.then(|| view! { <button type="submit" class="button">"Save payment settings"</button> })}
            </ActionForm>
        </section>
    }
}

/// What was refused of `field` the last time its form was sent.
fn message_of(refused: &[FieldError], field: &str) -> Option<String> {
    refused
        .iter()
        .find(|refusal| refusal.field == field)
        .map(|refusal| refusal.message.clone())
}
