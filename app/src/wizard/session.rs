//! Server-side plumbing of the wizard: the session cookie, where in the wizard a session
//! stands, sending sign-in codes, and the payer that every action of steps 5 to 8 works for.
//! The guard (`guard.rs`) asks `position` on every request instead of trusting anything the
//! browser says about its progress.

use crate::domain::checkout::{Checkout, Instrument};
use crate::domain::ids::{CustomerId, MerchantId};
use crate::domain::merchant::{MerchantBranding, MerchantSlug};
use crate::error::{AppError, unexpected};
use crate::services::bank_accounts::{self, BankAccountError, NewBankAccount};
use crate::services::keys::Keys;
use crate::services::rate_limit::SessionOpenings;
use crate::services::request::{ClientAddress, CookiePolicy};
use crate::services::sessions::{self, IDLE_TIMEOUT, Session};
use crate::services::{Database, access_requests, customers, from_context, merchants};
use crate::wizard::WizardPage;
use http::header::{HeaderValue, SET_COOKIE};
use leptos::prelude::use_context;
use secrecy::{ExposeSecret, SecretString};

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
    merchant(db, slug).await?.ok_or_else(no_billing_link)
}

/// What an action posted to a link that names no merchant is told.
pub fn no_billing_link() -> AppError {
    AppError::WrongStep {
        path: "/".to_owned(),
        message: "There is no billing link at this address.".to_owned(),
    }
}

/// The live session of this browser for `merchant`, if any. A session opened at another
/// merchant's link does not count here.
pub async fn current(db: &Database, merchant: MerchantId) -> Result<Option<Session>, AppError> {
    let Some(token) = cookie_token(merchant)? else {
        return Ok(None);
    };
    let session = sessions::find(db, token.expose_secret())
        .await
        .map_err(|error| unexpected("reading a session", &error))?;
    let Some(session) = session.filter(|session| session.merchant == merchant) else {
        return Ok(None);
    };
    // The cookie's lifetime slides with the session's: 30 minutes from now, not from sign-in.
    set_cookie(merchant, &token)?;
    Ok(Some(session))
}

/// The session, opened (and its cookie set) when there is none yet.
pub async fn current_or_start(db: &Database, merchant: MerchantId) -> Result<Session, AppError> {
    match current(db, merchant).await? {
        Some(session) => Ok(session),
        None => start(db, merchant).await,
    }
}

/// A new session at `merchant`, with its cookie set. Each client may open only so many (see
/// [`SessionOpenings`]), counted before anything is written: a flood of cookie-less requests
/// must not fill the sessions table or hold the database's writer.
pub async fn start(db: &Database, merchant: MerchantId) -> Result<Session, AppError> {
    let openings: SessionOpenings = from_context()?;
    if let Err(retry_after) = openings.0.check(&client_address().0) {
        return Err(AppError::Invalid {
            field: "email".to_owned(),
            message: format!(
                "Too many visits were started from your network just now. Please try again in {} seconds.",
                retry_after.seconds()
            ),
        });
    }
    let (session, token) = sessions::start(db, merchant)
        .await
        .map_err(|error| unexpected("opening a session", &error))?;
    set_cookie(merchant, &token)?;
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
    let known = customers::find_by_contact(db, session.merchant, email)
        .await
        .map_err(|error| unexpected("reading a contact's customers", &error))?;
    // Once the merchant approved the request, the address is a contact: the same session
    // goes on to pay, without signing in again.
    if session.access_request.is_some() && known.is_empty() {
        return Ok(WizardPage::AccessRequested);
    }
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

/// Sends a sign-in code for `session` to `email`, answering a refusal as an error on `field`.
pub async fn send_code(
    db: &Database,
    merchant: &MerchantBranding,
    current: &crate::services::sessions::Session,
    email: &crate::domain::email::EmailAddress,
    field: &str,
) -> Result<(), AppError> {
    use crate::services::sign_in::{self, SendError};

    let keys: Keys = from_context()?;
    let client = client_address();
    let sent = sign_in::send_code(
        db,
        &keys,
        current.code_session(),
        email,
        &client,
        |code, expires_at| sign_in::customer_code_email(merchant, email, code, expires_at),
    )
    .await;
    let message = match sent {
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

/// What per-client limits count this request against.
pub fn client_address() -> ClientAddress {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<ClientAddress>().cloned())
        .unwrap_or_else(|| ClientAddress("unknown".to_owned()))
}

/// The token of this browser's session cookie at `merchant`, if it sent one.
fn cookie_token(merchant: MerchantId) -> Result<Option<SecretString>, AppError> {
    let policy: CookiePolicy = from_context()?;
    Ok(request_cookie(&policy.session_cookie_name(merchant)))
}

/// The value of the request's cookie `name`, if it sent one.
pub fn request_cookie(name: &str) -> Option<SecretString> {
    let parts = use_context::<http::request::Parts>()?;
    crate::services::request::cookie_in(&parts.headers, name).map(SecretString::from)
}

pub fn set_cookie(merchant: MerchantId, token: &SecretString) -> Result<(), AppError> {
    let policy: CookiePolicy = from_context()?;
    write_cookie(&format!(
        "{}={}; {}",
        policy.session_cookie_name(merchant),
        token.expose_secret(),
        policy.attributes(IDLE_TIMEOUT.whole_seconds())
    ))
}

pub fn clear_cookie(merchant: MerchantId) -> Result<(), AppError> {
    let policy: CookiePolicy = from_context()?;
    write_cookie(&format!(
        "{}=; {}",
        policy.session_cookie_name(merchant),
        policy.attributes(0)
    ))
}

/// Adds `cookie` (a whole `Set-Cookie` value) to the response.
pub fn write_cookie(cookie: &str) -> Result<(), AppError> {
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

impl Payer {
    /// What the frame around a page of steps 4 to 8 shows.
    pub fn frame(&self) -> crate::wizard::frame::Frame {
        crate::wizard::frame::Frame {
            merchant: self.merchant.clone(),
            signed_in_as: Some(self.email.to_string()),
        }
    }

    /// The amount the checkout pays, formatted ("1,250.00 USD"), or nothing before step 5.
    pub fn total_to_pay(&self) -> String {
        self.session
            .checkout
            .total()
            .ok()
            .flatten()
            .map(|total| total.to_string())
            .unwrap_or_default()
    }

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
