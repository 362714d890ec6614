//! The one guard of the dashboard. Every page's loader and every action starts here: this
//! browser's staff session (its own cookie, never a customer's), the user it works as, and
//! that user's merchant, which scopes everything the page reads or changes. A role that may
//! not change anything is refused here, on the server, whatever the page showed.

use crate::dashboard::DashboardPage;
use crate::domain::email::EmailAddress;
use crate::domain::ids::MerchantId;
use crate::domain::merchant::MerchantBranding;
use crate::error::{AppError, unexpected};
use crate::services::merchant_users::{self, MerchantUser};
use crate::services::request::CookiePolicy;
use crate::services::staff_sessions::{self, STAFF_IDLE_TIMEOUT, StaffSession};
use crate::services::{Database, from_context, merchants};
use crate::wizard::session::{request_cookie, write_cookie};
use secrecy::{ExposeSecret, SecretString};

/// A signed-in member of a merchant's staff: what every dashboard page and action works for.
pub struct Staff {
    pub db: Database,
    pub session: StaffSession,
    pub user: MerchantUser,
    pub merchant: MerchantBranding,
}

impl Staff {
    pub fn merchant_id(&self) -> MerchantId {
        self.user.merchant
    }

    /// Refuses a change to a user whose role may not make it.
    pub fn require_admin(&self) -> Result<(), AppError> {
        if self.user.role.may_change() {
            return Ok(());
        }
        Err(AppError::Forbidden(format!(
            "You are a viewer at {}: you can see everything, but only an admin can change it.",
            self.merchant.display_name
        )))
    }

    /// What the frame around each page shows.
    pub fn frame(&self) -> crate::dashboard::frame::StaffFrame {
        crate::dashboard::frame::StaffFrame {
            merchant_name: self.merchant.display_name.clone(),
            email: self.user.email.to_string(),
            role: self.user.role,
        }
    }
}

/// Where this browser stands at the dashboard.
pub enum Standing {
    /// No session, or one that is not signed in (perhaps waiting for a code).
    SignedOut(Option<StaffSession>),
    /// A code proved the address, which works for several merchants: one is to be picked.
    Choosing(StaffSession, EmailAddress),
    SignedIn(Box<Staff>),
}

pub async fn standing() -> Result<Standing, AppError> {
    let db: Database = from_context()?;
    let Some(token) = cookie_token()? else {
        return Ok(Standing::SignedOut(None));
    };
    let session = staff_sessions::find(&db, token.expose_secret())
        .await
        .map_err(|error| unexpected("reading a staff session", &error))?;
    let Some(session) = session else {
        return Ok(Standing::SignedOut(None));
    };
    set_cookie(&token)?;
    let Some(user_id) = session.user else {
        return Ok(match session.verified_email.clone() {
            Some(email) => Standing::Choosing(session, email),
            None => Standing::SignedOut(Some(session)),
        });
    };
    // A user removed meanwhile has no row any more (and the session no user).
    let Some(user) = merchant_users::by_id(&db, user_id)
        .await
        .map_err(|error| unexpected("reading a dashboard user", &error))?
    else {
        return Ok(Standing::SignedOut(Some(session)));
    };
    let merchant = merchants::branding_of(&db, user.merchant)
        .await
        .map_err(|error| unexpected("reading a user's merchant", &error))?
        .ok_or(AppError::Unexpected)?;
    Ok(Standing::SignedIn(Box::new(Staff {
        db,
        session,
        user,
        merchant,
    })))
}

/// The guard of every signed-in page: the staff member, or where to send the browser.
pub async fn enter() -> Result<Result<Staff, String>, AppError> {
    Ok(match standing().await? {
        Standing::SignedIn(staff) => Ok(*staff),
        Standing::Choosing(..) => Err(DashboardPage::Choose.path()),
        Standing::SignedOut(_) => Err(DashboardPage::SignIn.path()),
    })
}

/// The guard of every signed-in action: the staff member, or the refusal that sends the
/// browser to sign in.
pub async fn require() -> Result<Staff, AppError> {
    match enter().await? {
        Ok(staff) => Ok(staff),
        Err(path) => {
            leptos_axum::redirect(&path);
            Err(AppError::WrongStep {
                path,
                message: "Your dashboard session has ended. Sign in again to carry on.".to_owned(),
            })
        }
    }
}

/// The guard of every change: a signed-in admin.
pub async fn require_admin() -> Result<Staff, AppError> {
    let staff = require().await?;
    staff.require_admin()?;
    Ok(staff)
}

/// This browser's staff session, opened (with its cookie) when it has none.
pub async fn session_or_start(
    db: &Database,
    known: Option<StaffSession>,
) -> Result<StaffSession, AppError> {
    if let Some(session) = known {
        return Ok(session);
    }
    let openings: crate::services::rate_limit::SessionOpenings = from_context()?;
    if let Err(retry_after) = openings
        .0
        .check(&crate::wizard::session::client_address().0)
    {
        return Err(AppError::Invalid {
            field: "email".to_owned(),
            message: format!(
                "Too many sign-ins were started from your network just now. Please try again in {} seconds.",
                retry_after.seconds()
            ),
        });
    }
    let (session, token) = staff_sessions::start(db)
        .await
        .map_err(|error| unexpected("opening a staff session", &error))?;
    set_cookie(&token)?;
    Ok(session)
}

fn cookie_token() -> Result<Option<SecretString>, AppError> {
    let policy: CookiePolicy = from_context()?;
    Ok(request_cookie(policy.staff_cookie_name()))
}

pub fn set_cookie(token: &SecretString) -> Result<(), AppError> {
    let policy: CookiePolicy = from_context()?;
    write_cookie(&format!(
        "{}={}; {}",
        policy.staff_cookie_name(),
        token.expose_secret(),
        policy.staff_attributes(STAFF_IDLE_TIMEOUT.whole_seconds())
    ))
}

pub fn clear_cookie() -> Result<(), AppError> {
    let policy: CookiePolicy = from_context()?;
    write_cookie(&format!(
        "{}=; {}",
        policy.staff_cookie_name(),
        policy.staff_attributes(0)
    ))
}
