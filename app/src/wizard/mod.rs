//! The customer's payment wizard, one file per step. A step's file holds its page (a
//! server-only component), its data (a loader: a server function returning that step's view),
//! its action (the server function its form posts to) and its island, if it has one.
//!
//! Every form is a plain post that works before the WASM arrives and without JavaScript at
//! all: on success the server function redirects to the next step; on failure Leptos sends the
//! browser back to the form with the error, shown beside the field, and what the customer typed
//! is kept in the session so it survives the round trip. Islands only enhance (a live total,
//! card number checks, a cool-down, copying the link).
//!
//! Shared here: the pages a session can stand on. `frame` holds the frame around each step and
//! the rendering of a loader's answer, `guard` the one guard of every page and action,
//! `session` the session cookie and where a session stands.

pub mod access_request;
pub mod account;
pub mod amounts;
pub mod bank;
pub mod bank_link;
pub mod billing_link;
pub mod business;
pub mod card;
pub mod code;
pub mod details;
pub mod frame;
#[cfg(feature = "ssr")]
pub mod guard;
pub mod invoice_link;
pub mod invoice_list;
pub mod invoices;
pub mod method;
pub mod plan_method;
pub mod plans;
pub mod receipt;
pub mod review;
#[cfg(feature = "ssr")]
pub mod session;

use serde::{Deserialize, Serialize};

/// The pages of the wizard that sign-in leads through. A session stands on exactly one of them
/// at a time (see `session::position`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WizardPage {
    Email,
    Code,
    Account,
    Business,
    AccessRequested,
    Invoices,
    Amounts,
    Method,
    Details,
    Review,
    /// The receipt of one of the customer's payments.
    Receipt(crate::domain::ids::PaymentId),
    /// Where the customer changes the card one of their installment plans is collected from.
    PlanMethod(crate::domain::ids::PlanId),
}

impl WizardPage {
    pub fn path(self, slug: &crate::domain::merchant::MerchantSlug) -> String {
        let page = match self {
            Self::Email => "",
            Self::Code => "/verify",
            Self::Account => "/account",
            Self::Business => "/business",
            Self::AccessRequested => "/access-requested",
            Self::Invoices => "/invoices",
            Self::Amounts => "/amounts",
            Self::Method => "/method",
            Self::Details => "/details",
            Self::Review => "/review",
            Self::Receipt(payment) => return format!("/pay/{slug}/receipt/{payment}"),
            Self::PlanMethod(plan) => return format!("/pay/{slug}/plans/{plan}/method"),
        };
        format!("/pay/{slug}{page}")
    }

    /// Where a page comes in paying (steps 4 to 8), for pages of that part: a signed-in customer
    /// may go back to any of them up to the furthest the checkout has reached.
    pub fn checkout_order(self) -> Option<u8> {
        match self {
            Self::Invoices => Some(4),
            Self::Amounts => Some(5),
            Self::Method => Some(6),
            Self::Details => Some(7),
            Self::Review => Some(8),
            Self::Email
            | Self::Code
            | Self::Account
            | Self::Business
            | Self::AccessRequested
            | Self::Receipt(_)
            | Self::PlanMethod(_) => None,
        }
    }
}
