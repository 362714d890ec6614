//! Server-side plumbing shared by the wizard's server functions: the session cookie, and where
//! in the wizard a session may be. Every server function asks this, every time, instead of
//! trusting anything the browser says about its progress.

use crate::domain::checkout::{
    AuthorizationTerms, Checkout, Instrument, Review, authorization_text, clearing_time,
    method_label, methods_for, settlement_business_days,
};
use crate::domain::ids::CustomerId;
use crate::domain::ids::MerchantId;
use crate::domain::merchant::Country;
use crate::domain::merchant::{MerchantBranding, MerchantSlug};
use crate::domain::money::{Currency, Money};
use crate::domain::payment::PaymentMethodKind;
use crate::error::{AppError, unexpected};
use crate::services::bank_accounts::{BankAccountError, NewBankAccount};
use crate::services::clock::{add_business_days, date_for_people, today};
use crate::services::keys::Keys;
use crate::services::processors::{PaymentProcessor, Processor};
use crate::services::request::CookiePolicy;
use crate::services::sessions::{self, IDLE_TIMEOUT, Session};
use crate::services::{Database, access_requests, customers, from_context, merchants};
use crate::services::{bank_accounts, checkout, payments, saved_cards};
use crate::wizard::{CheckoutView, MethodChoice, PayLine, SavedChoice, WizardPage};
use http::header::{COOKIE, HeaderValue, SET_COOKIE};
use leptos::prelude::use_context;
use secrecy::{ExposeSecret, SecretString};

const COOKIE_NAME: &str = "portico_session";

/// The merchant a billing link names, or `None`.
pub async fn merchant(
    db: &Database,
    slug: &str,
) -> Result<Option<(MerchantId, MerchantBranding)>, AppError> {
    let Ok(slug) = MerchantSlug::parse(slug) else {
        return Ok(None);
    };
    merchants::find(db, &slug)
        .await
        .map_err(|error| unexpected("reading the merchant of a billing link", &error))
}

/// The merchant, or the error every action gives for a link that names none.
pub async fn require_merchant(
    db: &Database,
    slug: &str,
) -> Result<(MerchantId, MerchantBranding), AppError> {
    merchant(db, slug)
        .await?
        .ok_or_else(|| AppError::WrongStep {
            path: "/".to_owned(),
            message: "There is no billing link at this address.".to_owned(),
        })
}

/// The live session of this browser for `merchant`, if any. A session opened at another
/// merchant's link does not count here.
pub async fn current(db: &Database, merchant: MerchantId) -> Result<Option<Session>, AppError> {
    let Some(token) = cookie_token() else {
        return Ok(None);
    };
    let session = sessions::find(db, token.expose_secret())
        .await
        .map_err(|error| unexpected("reading a session", &error))?;
    let Some(session) = session.filter(|session| session.merchant == merchant) else {
        return Ok(None);
    };
    // The cookie's lifetime slides with the session's: 30 minutes from now, not from sign-in.
    set_cookie(&token)?;
    Ok(Some(session))
}

/// The session, opened (and its cookie set) when there is none yet.
pub async fn current_or_start(db: &Database, merchant: MerchantId) -> Result<Session, AppError> {
    if let Some(session) = current(db, merchant).await? {
        return Ok(session);
    }
    let (session, token) = sessions::start(db, merchant)
        .await
        .map_err(|error| unexpected("opening a session", &error))?;
    set_cookie(&token)?;
    Ok(session)
}

/// The page where `session` stands in the wizard (each page is one position). A contact the
/// merchant has removed loses the customer here, at once, not when the session ends: the
/// session is corrected in the database and in `session`.
pub async fn position(
    db: &Database,
    session: Option<&mut Session>,
) -> Result<WizardPage, AppError> {
    let Some(session) = session else {
        return Ok(WizardPage::Email);
    };
    let Some(email) = &session.verified_email else {
        return Ok(if session.pending_email.is_some() {
            WizardPage::Code
        } else {
            WizardPage::Email
        });
    };
    if session.access_request.is_some() {
        return Ok(WizardPage::AccessRequested);
    }
    let known = customers::find_by_contact(db, session.merchant, email)
        .await
        .map_err(|error| unexpected("reading a contact's customers", &error))?;
    if let Some(customer) = session.customer {
        if let Some(chosen) = known.iter().find(|known| known.id == customer) {
            return Ok(if chosen.profile_completed {
                WizardPage::Invoices
            } else {
                WizardPage::Business
            });
        }
        sessions::forget_customer(db, &session.id)
            .await
            .map_err(|error| unexpected("forgetting a customer", &error))?;
        session.customer = None;
    }
    if !known.is_empty() {
        return Ok(WizardPage::Account);
    }
    let requested = access_requests::exists(db, session.merchant, email)
        .await
        .map_err(|error| unexpected("reading access requests", &error))?;
    Ok(if requested.is_some() {
        WizardPage::AccessRequested
    } else {
        WizardPage::Business
    })
}

/// Refuses an action that belongs to another position, sending the browser where it belongs.
pub fn require_position(
    actual: WizardPage,
    allowed: &[WizardPage],
    slug: &MerchantSlug,
) -> Result<(), AppError> {
    if allowed.contains(&actual) {
        return Ok(());
    }
    let path = actual.path(slug);
    leptos_axum::redirect(&path);
    Err(AppError::WrongStep {
        path,
        message: match actual {
            WizardPage::Email => "Your session has ended. Enter your email address to start again.",
            _ => "That step is not open to you right now; here is where you left off.",
        }
        .to_owned(),
    })
}

/// Sends a sign-in code for `session` to `email`, answering a refusal as an error on `field`.
pub async fn send_code(
    db: &Database,
    merchant: &MerchantBranding,
    current: &crate::services::sessions::Session,
    email: &crate::domain::email::EmailAddress,
    field: &str,
) -> Result<(), AppError> {
    use crate::services::keys::Keys;
    use crate::services::request::ClientAddress;
    use crate::services::sign_in::{self, SendError};

    let keys: Keys = from_context()?;
    let client = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<ClientAddress>().cloned())
        .unwrap_or_else(|| ClientAddress("unknown".to_owned()));
    let message = match sign_in::send_code(db, &keys, merchant, current, email, &client).await {
        Ok(()) => return Ok(()),
        Err(SendError::CoolDown { seconds_left, .. }) => {
            format!("A code was just sent to this address. You can ask for another in {seconds_left} seconds.")
        }
        Err(SendError::TooManyForAddress) => {
            "Too many codes were sent to this address in the last hour. Please try again later.".to_owned()
        }
        Err(SendError::TooManyForClient) => {
            "Too many codes were asked for from your network in the last hour. Please try again later.".to_owned()
        }
        Err(SendError::TooManyForSession) => {
            "Too many codes were asked for in this browser in the last hour. Please try again later.".to_owned()
        }
        Err(error) => {
            // The kind of failure only: a mail server's reply may quote the address.
            tracing::error!(kind = %error, "sending a sign-in code failed");
            "We could not send the email just now. Please try again in a moment.".to_owned()
        }
    };
    Err(AppError::Invalid {
        field: field.to_owned(),
        message,
    })
}

fn cookie_token() -> Option<SecretString> {
    let parts = use_context::<http::request::Parts>()?;
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| SecretString::from(value.to_owned()))
}

pub fn set_cookie(token: &SecretString) -> Result<(), AppError> {
    let policy: CookiePolicy = from_context()?;
    write_cookie(&format!(
        "{COOKIE_NAME}={}; {}",
        token.expose_secret(),
        policy.attributes(IDLE_TIMEOUT.whole_seconds())
    ))
}

pub fn clear_cookie() -> Result<(), AppError> {
    let policy: CookiePolicy = from_context()?;
    write_cookie(&format!("{COOKIE_NAME}=; {}", policy.attributes(0)))
}

fn write_cookie(cookie: &str) -> Result<(), AppError> {
    let response: leptos_axum::ResponseOptions = from_context()?;
    let value = HeaderValue::from_str(cookie)
        .map_err(|error| unexpected("writing the session cookie", &error))?;
    response.append_header(SET_COOKIE, value);
    Ok(())
}

/// The furthest of steps 5 to 8 a checkout has reached: the review once it has invoices, a
/// method and payment details; each step before as far as it goes.
pub fn checkout_reach(checkout: &Checkout) -> WizardPage {
    match (
        checkout.selection.is_empty(),
        checkout.method,
        &checkout.instrument,
    ) {
        (true, _, _) => WizardPage::Amounts,
        (false, None, _) => WizardPage::Method,
        (false, Some(_), None) => WizardPage::Details,
        (false, Some(_), Some(_)) => WizardPage::Review,
    }
}

/// "Pay $1,250.00" (with the currency code after a Canadian amount).
pub fn pay_label(total: Money) -> String {
    match total.currency() {
        Currency::Usd => format!("Pay ${}", total.to_grouped_string()),
        Currency::Cad => format!("Pay ${} CAD", total.to_grouped_string()),
    }
}

/// The authorization text for `checkout` today, made when step 8 is first shown.
fn authorization_for(merchant: &MerchantBranding, checkout: &Checkout) -> Option<String> {
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
        holder: checkout::holder_of(instrument),
        debit_date: &debit_date,
    }))
}

/// What steps 6 to 8 show of the session's checkout. The review's idempotency key is made
/// here, once per checkout: every render of the review (a refresh, a second tab) carries the
/// same key, so that only one confirm can become a payment.
pub async fn checkout_view(
    db: &Database,
    merchant_id: MerchantId,
    merchant: &MerchantBranding,
    customer: CustomerId,
    session: &Session,
    page: WizardPage,
) -> Result<CheckoutView, AppError> {
    let mut checkout = session.checkout.clone();
    let mut view = CheckoutView {
        method: checkout.method,
        bank_draft: checkout.bank_draft.clone(),
        card_draft: checkout.card_draft.clone(),
        lines: checkout
            .selection
            .iter()
            .map(|selected| PayLine {
                number: selected.number.clone(),
                amount: selected.amount.to_string(),
            })
            .collect(),
        ..CheckoutView::default()
    };
    if let Ok(Some(total)) = checkout.total() {
        view.total = total.to_string();
        view.pay_label = pay_label(total);
    }
    if page == WizardPage::Method {
        let currency = checkout.currency().unwrap_or(Currency::Usd);
        let enabled = payments::enabled_methods(db, merchant_id)
            .await
            .map_err(|error| unexpected("reading a merchant's payment methods", &error))?;
        view.methods = methods_for(&enabled, currency)
            .into_iter()
            .map(|method| MethodChoice {
                method,
                label: method_label(method).to_owned(),
                clearing: clearing_time(method).to_owned(),
            })
            .collect();
    }
    if page == WizardPage::Details {
        view.notice = checkout.notice.clone();
        view.saved = saved_choices(db, merchant_id, customer, checkout.method).await?;
        let country = match checkout.method {
            Some(PaymentMethodKind::UsAch) => Some(Country::UnitedStates),
            Some(PaymentMethodKind::CaPad | PaymentMethodKind::CaEft) => Some(Country::Canada),
            Some(PaymentMethodKind::Card | PaymentMethodKind::Installments) | None => None,
        };
        if let Some(country) = country {
            let processor: Processor = from_context()?;
            view.institutions = processor
                .institutions(country)
                .into_iter()
                .map(|institution| SavedChoice {
                    id: institution.id,
                    label: institution.name,
                })
                .collect();
            view.connected_bank = checkout.connected_bank.clone();
        }
    }
    if page == WizardPage::Review
        && let (Some(method), Some(instrument)) = (checkout.method, &checkout.instrument)
    {
        view.instrument_label = instrument.label();
        view.timing = match settlement_business_days(method) {
            Some(days) => format!(
                "Debited from your account today; expected to settle on {} ({days} business days).",
                date_for_people(add_business_days(today(), days))
            ),
            None => "Charged to your card as soon as you confirm.".to_owned(),
        };
        let review = match checkout.review.clone() {
            Some(review) => review,
            None => {
                let review = Review {
                    idempotency_key: uuid::Uuid::new_v4().to_string(),
                    authorization: authorization_for(merchant, &checkout)
                        .ok_or(AppError::Unexpected)?,
                };
                checkout.keep_review(review.clone());
                sessions::save_checkout(db, &session.id, &checkout)
                    .await
                    .map_err(|error| unexpected("keeping a checkout's review", &error))?;
                review
            }
        };
        view.authorization = review.authorization;
        view.idempotency_key = review.idempotency_key;
    }
    Ok(view)
}

/// The customer's saved instruments that fit `method`, masked.
async fn saved_choices(
    db: &Database,
    merchant: MerchantId,
    customer: CustomerId,
    method: Option<PaymentMethodKind>,
) -> Result<Vec<SavedChoice>, AppError> {
    let Some(method) = method else {
        return Ok(Vec::new());
    };
    let canadian = match method {
        PaymentMethodKind::UsAch => false,
        PaymentMethodKind::CaPad | PaymentMethodKind::CaEft => true,
        PaymentMethodKind::Card | PaymentMethodKind::Installments => {
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

/// A signed-in customer paying at a merchant's billing link: what every server function of
/// steps 5 to 8 starts from.
pub struct Payer {
    pub db: Database,
    pub merchant_id: MerchantId,
    pub merchant: MerchantBranding,
    pub session: Session,
    pub customer: CustomerId,
    pub email: crate::domain::email::EmailAddress,
}

/// The payer of this request, or the redirect to where the session stands when it is not at
/// the paying steps (signed out, another customer's business details still to fill in, ...).
pub async fn require_payer(merchant_slug: &str) -> Result<Payer, AppError> {
    let db: Database = from_context()?;
    let (merchant_id, merchant) = require_merchant(&db, merchant_slug).await?;
    let mut current = current(&db, merchant_id).await?;
    let position = position(&db, current.as_mut()).await?;
    require_position(position, &[WizardPage::Invoices], &merchant.slug)?;
    let Some(session) = current else {
        return Err(AppError::Unexpected);
    };
    let (Some(customer), Some(email)) = (session.customer, session.verified_email.clone()) else {
        return Err(AppError::Unexpected);
    };
    Ok(Payer {
        db,
        merchant_id,
        merchant,
        session,
        customer,
        email,
    })
}

impl Payer {
    /// Keeps the checkout as changed by a step.
    pub async fn save_checkout(&self, checkout: &Checkout) -> Result<(), AppError> {
        sessions::save_checkout(&self.db, &self.session.id, checkout)
            .await
            .map_err(|error| unexpected("keeping a checkout", &error))
    }

    /// Step 7 is done: `instrument` pays this checkout (a card is kept after its charge when
    /// `save_card`), and the review will be made afresh.
    pub async fn pay_with(
        &self,
        mut checkout: Checkout,
        instrument: Instrument,
        save_card: bool,
    ) -> Result<(), AppError> {
        checkout.pay_with(instrument, save_card);
        self.save_checkout(&checkout).await?;
        self.go_to(WizardPage::Review);
        Ok(())
    }

    /// Stores a bank account step 7 was given (typed or picked from a connected bank) and pays
    /// with it. An account a return closed is refused on `field`.
    pub async fn pay_from_new_account(
        &self,
        checkout: Checkout,
        account: &NewBankAccount,
        field: &str,
    ) -> Result<(), AppError> {
        let keys: Keys = from_context()?;
        let stored = match bank_accounts::add(&self.db, &keys, self.merchant_id, account).await {
            Ok(stored) => stored,
            Err(BankAccountError::Blocked(code)) => {
                return Err(AppError::Invalid {
                    field: field.to_owned(),
                    message: format!(
                        "A debit from this account was returned ({code}): it cannot be used again. Use another account."
                    ),
                });
            }
            Err(error) => return Err(unexpected("storing a bank account", &error)),
        };
        let instrument = Instrument::Bank {
            account_id: stored.id,
            last_four: stored.last_four,
            holder: stored.holder,
        };
        self.pay_with(checkout, instrument, false).await
    }

    /// Sends the browser to `page` of this merchant's wizard.
    pub fn go_to(&self, page: WizardPage) {
        leptos_axum::redirect(&page.path(&self.merchant.slug));
    }
}
