//! What a customer is paying, as steps 5 to 7 build it up, and the rules of it that need no
//! IO: which methods fit a currency, how long each takes to clear, and the authorization
//! step 8 asks for.
//!
//! Nothing here holds a card number, a security code or a bank account number: a checkout
//! names a card by the processor's token and a bank account by its id.

use crate::domain::bank::HolderType;
use crate::domain::card::CardBrand;
use crate::domain::ids::InvoiceId;
use crate::domain::money::{Currency, Money, MoneyError};
use crate::domain::payment::PaymentMethodKind;
use serde::{Deserialize, Serialize};

/// One invoice chosen in step 5 and the amount to pay on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectedInvoice {
    pub invoice: InvoiceId,
    pub number: String,
    pub amount: Money,
}

/// What step 7 produced: a card the processor tokenized, or a bank account Portico keeps
/// (encrypted) for the processor to debit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Instrument {
    Card {
        token: String,
        brand: CardBrand,
        last_four: String,
        expiry: String,
    },
    Bank {
        account_id: String,
        last_four: String,
        holder: HolderType,
    },
}

impl Instrument {
    /// The instrument as the customer may see it, masked: `Visa •••• 4242`.
    pub fn label(&self) -> String {
        match self {
            Self::Card {
                brand, last_four, ..
            } => format!("{} •••• {last_four}", brand.name()),
            Self::Bank { last_four, .. } => format!("Bank account •••• {last_four}"),
        }
    }

    /// What the processor is asked to charge: the card token or the bank account id.
    pub fn reference(&self) -> &str {
        match self {
            Self::Card { token, .. } => token,
            Self::Bank { account_id, .. } => account_id,
        }
    }
}

/// What the customer typed into step 5's amount box for one invoice, kept to give back when
/// the form is refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypedAmount {
    pub invoice: String,
    pub selected: bool,
    pub amount: String,
}

/// A bank the customer signed in to in step 7, waiting for them to pick an account: the
/// processor's link token and the accounts as the bank shows them (masked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectedBank {
    pub token: String,
    pub institution: String,
    /// (account id, label).
    pub accounts: Vec<(String, String)>,
}

/// The bank form's fields that may be kept between requests (never the account number).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankDraft {
    pub routing_number: String,
    pub institution_number: String,
    pub transit_number: String,
    pub account_type: String,
    pub holder_type: String,
    /// The online-banking username of "Connect your bank" (never the password).
    pub bank_username: String,
}

/// The card form's fields that may be kept between requests (never the number or the code).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardDraft {
    pub expiry: String,
    pub name: String,
    pub postal_code: String,
}

/// What step 8 shows for a checkout, kept so that a confirm records exactly what was shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// The key step 8 renders with its form: every confirm of this checkout carries it.
    pub idempotency_key: String,
    /// The authorization text, as shown.
    pub authorization: String,
}

/// A session's payment in the making.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkout {
    /// Step 5, as accepted: invoices and amounts, all in one currency.
    pub selection: Vec<SelectedInvoice>,
    /// Step 6.
    pub method: Option<PaymentMethodKind>,
    /// Step 7.
    pub instrument: Option<Instrument>,
    /// Step 7's connected bank, until an account is picked.
    pub connected_bank: Option<ConnectedBank>,
    /// Whether step 7 asked to keep the card for next time (it is kept once charged).
    pub save_instrument: bool,
    /// What step 8 showed, made once per checkout: any change to steps 5 to 7 clears it.
    pub review: Option<Review>,
    /// What was typed in step 5.
    pub typed_amounts: Vec<TypedAmount>,
    pub bank_draft: BankDraft,
    pub card_draft: CardDraft,
    /// Why the customer was sent back to step 5 (another payment took part of a balance) or to
    /// step 7 (the bank account was closed meanwhile); cleared when that step is done.
    pub notice: Option<String>,
}

impl Checkout {
    pub fn currency(&self) -> Option<Currency> {
        self.selection
            .first()
            .map(|selected| selected.amount.currency())
    }

    /// The sum of the selected amounts.
    pub fn total(&self) -> Result<Option<Money>, MoneyError> {
        let Some(currency) = self.currency() else {
            return Ok(None);
        };
        Money::sum(
            self.selection.iter().map(|selected| selected.amount),
            currency,
        )
        .map(Some)
    }
}

/// How a method is named in step 6.
pub fn method_label(method: PaymentMethodKind) -> &'static str {
    match method {
        PaymentMethodKind::UsAch => "Bank account (ACH)",
        PaymentMethodKind::CaPad => "Pre-authorized debit (PAD)",
        PaymentMethodKind::CaEft => "EFT bank payment",
        PaymentMethodKind::Card => "Credit or debit card",
        PaymentMethodKind::Installments => "Pay in installments",
    }
}

/// How long a method takes to clear, as step 6 says it.
pub fn clearing_time(method: PaymentMethodKind) -> &'static str {
    match method {
        PaymentMethodKind::UsAch => "Clears in 3 business days.",
        PaymentMethodKind::CaPad | PaymentMethodKind::CaEft => "Clears in 5 business days.",
        PaymentMethodKind::Card => "Paid at once.",
        PaymentMethodKind::Installments => "Collected on a schedule of 30 to 150 days.",
    }
}

/// Business days between a bank debit's start and its settlement (or return); `None` for
/// methods that are paid at once.
pub fn settlement_business_days(method: PaymentMethodKind) -> Option<u32> {
    match method {
        PaymentMethodKind::UsAch => Some(3),
        PaymentMethodKind::CaPad | PaymentMethodKind::CaEft => Some(5),
        PaymentMethodKind::Card | PaymentMethodKind::Installments => None,
    }
}

/// Whether a method debits a bank account (and so needs step 7's bank form).
pub fn is_bank_debit(method: PaymentMethodKind) -> bool {
    match method {
        PaymentMethodKind::UsAch | PaymentMethodKind::CaPad | PaymentMethodKind::CaEft => true,
        PaymentMethodKind::Card | PaymentMethodKind::Installments => false,
    }
}

/// The methods step 6 offers for `currency`, of those the merchant enabled. Installments are
/// not offered: that method is not built yet.
pub fn methods_for(enabled: &[PaymentMethodKind], currency: Currency) -> Vec<PaymentMethodKind> {
    enabled
        .iter()
        .copied()
        .filter(|method| match method {
            PaymentMethodKind::UsAch => currency == Currency::Usd,
            PaymentMethodKind::CaPad | PaymentMethodKind::CaEft => currency == Currency::Cad,
            PaymentMethodKind::Card => true,
            PaymentMethodKind::Installments => false,
        })
        .collect()
}

/// What the authorization of step 8 speaks of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationTerms<'a> {
    pub method: PaymentMethodKind,
    pub merchant_name: &'a str,
    pub merchant_email: &'a str,
    pub total: Money,
    pub instrument_label: &'a str,
    pub holder: Option<HolderType>,
    /// The date the debit is made, as people read it.
    pub debit_date: &'a str,
}

/// The exact text of the authorization the customer agrees to; the same text is shown and
/// recorded.
pub fn authorization_text(terms: &AuthorizationTerms<'_>) -> String {
    let AuthorizationTerms {
        method,
        merchant_name,
        merchant_email,
        total,
        instrument_label,
        holder,
        debit_date,
    } = terms;
    match method {
        PaymentMethodKind::UsAch => {
            let class = holder.unwrap_or(HolderType::Personal).ach_entry_class();
            format!(
                "I authorize {merchant_name} to electronically debit {instrument_label} for \
                 {total} on or after {debit_date}, a single {class} ACH debit under the NACHA \
                 Operating Rules, and, if the debit is made in error, to credit the account to \
                 correct it. This authorization remains in effect until the payment is made; to \
                 revoke it, contact {merchant_name} at {merchant_email} before {debit_date}."
            )
        }
        PaymentMethodKind::CaPad => {
            let category = match holder.unwrap_or(HolderType::Personal) {
                HolderType::Business => "a business PAD",
                HolderType::Personal => "a personal PAD",
            };
            format!(
                "I authorize {merchant_name} to debit {instrument_label} once, for {total}, on \
                 {debit_date}. This is {category} under Payments Canada Rule H1. I waive the \
                 right to 10 days' notice of the amount of this one payment. I may cancel this \
                 agreement by notifying {merchant_name} at {merchant_email} at least 1 business \
                 day before the debit. I have certain recourse rights if a debit does not comply \
                 with this agreement: for example, the right to receive reimbursement for a \
                 debit that is not authorized or not consistent with this agreement. For more \
                 on my recourse rights I may contact my financial institution or visit \
                 payments.ca."
            )
        }
        PaymentMethodKind::CaEft => format!(
            "I authorize {merchant_name} to debit {instrument_label} once, by electronic funds \
             transfer, for {total} on {debit_date}. Questions: {merchant_name}, {merchant_email}."
        ),
        PaymentMethodKind::Card => format!(
            "I authorize {merchant_name} to charge {instrument_label} {total} now. The charge \
             will appear on my statement from {merchant_name}; disputes go to {merchant_email} \
             or my card issuer."
        ),
        PaymentMethodKind::Installments => format!(
            "I authorize {merchant_name} to collect {total} from {instrument_label} on the \
             schedule shown."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::AmountSyntax;

    fn usd(text: &str) -> Money {
        Money::parse(text, Currency::Usd, AmountSyntax::Plain).unwrap()
    }

    #[test]
    fn bank_rails_are_offered_only_in_their_currency_and_installments_not_yet() {
        let all = PaymentMethodKind::ALL;
        assert_eq!(
            methods_for(&all, Currency::Usd),
            [PaymentMethodKind::UsAch, PaymentMethodKind::Card]
        );
        assert_eq!(
            methods_for(&all, Currency::Cad),
            [
                PaymentMethodKind::CaPad,
                PaymentMethodKind::CaEft,
                PaymentMethodKind::Card
            ]
        );
        assert_eq!(
            methods_for(&[PaymentMethodKind::Card], Currency::Usd),
            [PaymentMethodKind::Card]
        );
    }

    #[test]
    fn the_total_adds_the_selected_amounts_exactly() {
        let invoice = |n: u8| InvoiceId::from_bytes([n; 16]);
        let checkout = Checkout {
            selection: vec![
                SelectedInvoice {
                    invoice: invoice(1),
                    number: "A".into(),
                    amount: usd("0.10"),
                },
                SelectedInvoice {
                    invoice: invoice(2),
                    number: "B".into(),
                    amount: usd("0.20"),
                },
            ],
            ..Checkout::default()
        };
        assert_eq!(checkout.total(), Ok(Some(usd("0.30"))));
        assert_eq!(Checkout::default().total(), Ok(None));
    }

    #[test]
    fn the_ach_authorization_names_its_entry_class_and_the_pad_one_its_recourse() {
        let terms = AuthorizationTerms {
            method: PaymentMethodKind::UsAch,
            merchant_name: "Northwind",
            merchant_email: "billing@northwind.example",
            total: usd("1250.00"),
            instrument_label: "Bank account •••• 6789",
            holder: Some(HolderType::Business),
            debit_date: "Nov 27, 2026",
        };
        let ach = authorization_text(&terms);
        assert!(ach.starts_with("I authorize Northwind"));
        assert!(ach.contains("CCD ACH debit"));
        assert!(ach.contains("1,250.00 USD"));
        let pad = authorization_text(&AuthorizationTerms {
            method: PaymentMethodKind::CaPad,
            holder: Some(HolderType::Personal),
            ..terms
        });
        assert!(pad.contains("a personal PAD"));
        assert!(pad.contains("recourse rights"));
        assert!(pad.contains("billing@northwind.example"));
    }

    #[test]
    fn instruments_are_shown_masked() {
        let card = Instrument::Card {
            token: "tok_1".into(),
            brand: CardBrand::Visa,
            last_four: "4242".into(),
            expiry: "04/29".into(),
        };
        assert_eq!(card.label(), "Visa •••• 4242");
        assert_eq!(card.reference(), "tok_1");
    }
}
