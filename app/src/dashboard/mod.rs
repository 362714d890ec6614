//! The merchant's dashboard, built the way the wizard is: one file per page (its page, its
//! data, its actions), every form a plain post that works without JavaScript, and nothing of
//! it in the customers' WASM: its pages are server-only components and it has no islands yet.
//!
//! Settings has four pages (`settings`, `settings_users`, `settings_api_keys`,
//! `settings_accounting`) under one nav.
//!
//! `guard` is the one guard of every page and action (the staff session, the user, their
//! merchant and role), `frame` the frame around each page.

pub mod choose;
pub mod code;
pub mod customer;
pub mod customers;
pub mod fields;
pub mod frame;
#[cfg(feature = "ssr")]
pub mod guard;
pub mod invoice;
pub mod invoice_new;
pub mod invoices;
pub mod notice;
pub mod overview;
pub mod payment;
pub mod payment_accounting;
pub mod payment_refund;
pub mod payments;
pub mod settings;
pub mod settings_accounting;
pub mod settings_api_keys;
pub mod settings_users;
pub mod sign_in;

use crate::domain::ids::{CustomerId, InvoiceId, PaymentId};

/// The dashboard's pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DashboardPage {
    /// `/dashboard`: sign in with an email address (signed in: the dashboard's first page).
    SignIn,
    Code,
    /// Pick which merchant to work for, when the address works for several.
    Choose,
    /// The first page after sign-in.
    Overview,
    Payments,
    Payment(PaymentId),
    Customers,
    Customer(CustomerId),
    Invoices,
    Invoice(InvoiceId),
    NewInvoice,
    /// Branding and payment settings.
    Settings,
    SettingsUsers,
    SettingsApiKeys,
    /// The accounting connection (QuickBooks Online or Xero).
    SettingsAccounting,
    /// Where QuickBooks and Xero send the admin back after consent.
    SettingsAccountingCallback,
}

impl DashboardPage {
    pub fn path(self) -> String {
        match self {
            Self::SignIn => "/dashboard".to_owned(),
            Self::Code => "/dashboard/verify".to_owned(),
            Self::Choose => "/dashboard/choose".to_owned(),
            Self::Overview => "/dashboard/overview".to_owned(),
            Self::Payments => "/dashboard/payments".to_owned(),
            Self::Payment(payment) => format!("/dashboard/payments/{payment}"),
            Self::Customers => "/dashboard/customers".to_owned(),
            Self::Customer(customer) => format!("/dashboard/customers/{customer}"),
            Self::Invoices => "/dashboard/invoices".to_owned(),
            Self::Invoice(invoice) => format!("/dashboard/invoices/{invoice}"),
            Self::NewInvoice => "/dashboard/invoices/new".to_owned(),
            Self::Settings => "/dashboard/settings".to_owned(),
            Self::SettingsUsers => "/dashboard/settings/users".to_owned(),
            Self::SettingsApiKeys => "/dashboard/settings/api-keys".to_owned(),
            Self::SettingsAccounting => "/dashboard/settings/accounting".to_owned(),
            Self::SettingsAccountingCallback => {
                "/dashboard/settings/accounting/callback".to_owned()
            }
        }
    }
}

/// Whether the dashboard page at `path` carries an island (a copy button: an invoice's payment
/// link, a new API key), and so needs the hydration script and the WASM; the others load
/// neither.
pub fn has_islands(path: &str) -> bool {
    path == DashboardPage::SettingsApiKeys.path()
        || path
            .strip_prefix("/dashboard/invoices/")
            .is_some_and(|rest| InvoiceId::parse(rest).is_ok())
}

/// A query string of the pairs whose value is not empty: how a refused form is sent back to
/// its page as typed.
pub fn query_of<'a>(pairs: impl IntoIterator<Item = (String, &'a str)>) -> String {
    pairs
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| format!("{name}={}", encode_query_value(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A stored timestamp (`2026-12-07T14:00:06.42Z`, always UTC) to the minute, as pages show it:
/// `2026-12-07 14:00 UTC`.
pub fn minute_of(at: &str) -> String {
    let minute: String = at.replace('T', " ").chars().take(16).collect();
    format!("{minute} UTC")
}

/// Percent-encodes a query value (the filters are short, and mostly plain already).
pub fn encode_query_value(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_pages_with_a_copy_button_load_the_islands() {
        let invoice = DashboardPage::Invoice(
            InvoiceId::parse("0b6f5c1e-8d8a-4f0e-9a55-3f0c2b7d9e11").unwrap(),
        );
        assert!(has_islands(&invoice.path()));
        assert!(has_islands(&DashboardPage::SettingsApiKeys.path()));
        for page in [
            DashboardPage::SignIn,
            DashboardPage::Overview,
            DashboardPage::Payments,
            DashboardPage::Invoices,
            DashboardPage::NewInvoice,
            DashboardPage::Settings,
        ] {
            assert!(!has_islands(&page.path()), "{page:?}");
        }
    }
}
