//! The one guard of the wizard. Every page's loader and every action starts here: which
//! merchant the link names, this browser's session there, and the page that session stands on.
//! A page or action that is not open from there is refused the same way everywhere, sending the
//! browser where the session belongs. Nothing the browser says about its progress is trusted.

use crate::domain::ids::MerchantId;
use crate::domain::merchant::MerchantBranding;
use crate::error::AppError;
use crate::services::sessions::Session;
use crate::services::{Database, from_context};
use crate::wizard::WizardPage;
use crate::wizard::frame::{Frame, PageState};
use crate::wizard::session::{self, Payer};

/// This request at a merchant's billing link.
pub struct Visit {
    pub db: Database,
    pub merchant_id: MerchantId,
    pub merchant: MerchantBranding,
    /// This browser's session at the merchant, if it has one.
    pub session: Option<Session>,
    /// The page the session stands on (see `session::position`).
    pub position: WizardPage,
}

/// The guard's answer to a page: open (to this visit, or to this payer), or what to show
/// instead.
pub enum Entry<Open> {
    Open(Open),
    Elsewhere(Elsewhere),
}

/// Instead of the page asked for: no such merchant, or the page the session belongs on.
pub enum Elsewhere {
    NoMerchant,
    Redirect(String),
}

impl<V> From<Elsewhere> for PageState<V> {
    fn from(elsewhere: Elsewhere) -> Self {
        match elsewhere {
            Elsewhere::NoMerchant => PageState::NoMerchant,
            Elsewhere::Redirect(path) => PageState::Redirect(path),
        }
    }
}

/// The guard of every page: the visit when `page` is open to this browser's session.
pub async fn enter(merchant_slug: &str, page: WizardPage) -> Result<Entry<Box<Visit>>, AppError> {
    let Some(visit) = visit(merchant_slug).await? else {
        return Ok(Entry::Elsewhere(Elsewhere::NoMerchant));
    };
    if visit.may_open(page) {
        Ok(Entry::Open(Box::new(visit)))
    } else {
        Ok(Entry::Elsewhere(Elsewhere::Redirect(
            visit.belongs().path(&visit.merchant.slug),
        )))
    }
}

/// The guard of every action: the visit when its session stands on one of `allowed`, or the
/// refusal that sends the browser where the session belongs.
pub async fn require(merchant_slug: &str, allowed: &[WizardPage]) -> Result<Visit, AppError> {
    let visit = visit(merchant_slug)
        .await?
        .ok_or_else(session::no_billing_link)?;
    if allowed.contains(&visit.position) {
        return Ok(visit);
    }
    let path = visit.belongs().path(&visit.merchant.slug);
    leptos_axum::redirect(&path);
    Err(AppError::WrongStep {
        path,
        message: match visit.position {
            WizardPage::Email => "Your session has ended. Enter your email address to start again.",
            _ => "That step is not open to you right now; here is where you left off.",
        }
        .to_owned(),
    })
}

/// The guard of the pages of steps 4 to 8 and the receipt: open only to a customer paying.
pub async fn enter_paying(merchant_slug: &str, page: WizardPage) -> Result<Entry<Payer>, AppError> {
    let visit = match enter(merchant_slug, page).await? {
        Entry::Open(visit) => visit,
        Entry::Elsewhere(elsewhere) => return Ok(Entry::Elsewhere(elsewhere)),
    };
    let elsewhere = visit.elsewhere();
    Ok(match visit.into_payer() {
        Some(payer) => Entry::Open(payer),
        None => Entry::Elsewhere(elsewhere),
    })
}

/// The payer of this action, or the refusal that sends the browser where the session belongs
/// when it is not at the paying steps (signed out, business details still to fill in, ...).
pub async fn require_payer(merchant_slug: &str) -> Result<Payer, AppError> {
    require(merchant_slug, &[WizardPage::Invoices])
        .await?
        .into_payer()
        .ok_or(AppError::Unexpected)
}

async fn visit(merchant_slug: &str) -> Result<Option<Visit>, AppError> {
    let db: Database = from_context()?;
    let Some((merchant_id, merchant)) = session::merchant(&db, merchant_slug).await? else {
        return Ok(None);
    };
    let mut current = session::current(&db, merchant_id).await?;
    let position = session::position(&db, current.as_mut()).await?;
    Ok(Some(Visit {
        db,
        merchant_id,
        merchant,
        session: current,
        position,
    }))
}

impl Visit {
    /// Where the session belongs: the page it stands on, or for a customer who is paying, the
    /// furthest step the checkout has reached.
    pub fn belongs(&self) -> WizardPage {
        match (&self.session, self.position) {
            (Some(session), WizardPage::Invoices) => session::checkout_reach(&session.checkout),
            _ => self.position,
        }
    }

    /// Step 1 stays open while a code is awaited, to change the address; a receipt, and a
    /// plan's change of card, while paying; steps 4 to 8 up to the furthest the checkout has
    /// reached.
    fn may_open(&self, page: WizardPage) -> bool {
        page == self.position
            || (page == WizardPage::Email && self.position == WizardPage::Code)
            || (matches!(page, WizardPage::Receipt(_) | WizardPage::PlanMethod(_))
                && self.position == WizardPage::Invoices)
            || matches!(
                (page.checkout_order(), self.belongs().checkout_order()),
                (Some(asked), Some(reached)) if asked <= reached
            )
    }

    /// The payer, once the session stands at the paying steps.
    fn into_payer(self) -> Option<Payer> {
        let session = self.session?;
        Some(Payer {
            db: self.db,
            merchant_id: self.merchant_id,
            merchant: self.merchant,
            customer: session.customer?,
            email: session.verified_email.clone()?,
            session,
        })
    }

    /// What the frame around the page shows.
    pub fn frame(&self) -> Frame {
        Frame {
            merchant: self.merchant.clone(),
            signed_in_as: self
                .session
                .as_ref()
                .and_then(|session| session.verified_email.as_ref())
                .map(ToString::to_string),
        }
    }

    /// Where to send a page whose session lacks what the page shows.
    pub fn elsewhere(&self) -> Elsewhere {
        Elsewhere::Redirect(self.belongs().path(&self.merchant.slug))
    }
}

impl Payer {
    /// Where to send a page of steps 5 to 8 whose checkout lacks what the page shows: the
    /// furthest step the checkout has reached.
    pub fn elsewhere(&self) -> Elsewhere {
        Elsewhere::Redirect(
            session::checkout_reach(&self.session.checkout).path(&self.merchant.slug),
        )
    }
}
