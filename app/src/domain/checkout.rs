//! What a customer is paying, as steps 5 to 7 build it up, and the rules of it that need no
//! IO: what each step's change invalidates (the `Checkout` methods are the steps'
//! transitions), which methods fit a currency, how long each takes to clear, and the
//! authorization step 8 asks for.
//!
//! Nothing here holds a card number, a security code or a bank account number: a checkout
//! names a card by the processor's token and a bank account by its id.

use crate::domain::bank::HolderType;
use crate::domain::card::CardBrand;
use crate::domain::ids::{BankAccountId, InvoiceId};
use crate::domain::installments::{Schedule, TermDays};
use crate::domain::money::{Currency, Money, MoneyError};
use crate::domain::payment::{PaymentMethodKind, PaymentStatus};
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
        account_id: BankAccountId,
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

    /// What the processor is asked to charge, as a payment records it: the card token or the
    /// bank account id's text.
    pub fn reference(&self) -> String {
        match self {
            Self::Card { token, .. } => token.clone(),
            Self::Bank { account_id, .. } => account_id.to_string(),
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
    /// For a plan: the schedule the agreement lists, which the confirm makes exactly.
    #[serde(default)]
    pub schedule: Option<Schedule>,
}

/// A session's payment in the making.
///
/// The steps change a checkout only through the methods below ([`Checkout::choose_amounts`],
/// [`Checkout::choose_method`], [`Checkout::pay_with`], ...): each knows what its change
/// invalidates, so that no step has to remember it. The fields stay public for reading (the
/// pages show them), for the session store (which bounds the typed fields before keeping them)
/// and for tests and tools that build a checkout whole; they are not for a step to set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkout {
    /// Step 5, as accepted: invoices and amounts, all in one currency.
    pub selection: Vec<SelectedInvoice>,
    /// Step 6: the rail the money moves on (for a plan, every installment's).
    pub method: Option<PaymentMethodKind>,
    /// Step 6, when the customer pays in installments: the plan's term.
    #[serde(default)]
    pub plan: Option<TermDays>,
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

    /// Step 5 was posted: keeps what was typed into it, to give back if it is refused. The
    /// notice that sent the customer back to step 5 has been read: it goes.
    pub fn keep_typed_amounts(&mut self, typed: Vec<TypedAmount>) {
        self.typed_amounts = typed;
        self.notice = None;
    }

    /// Step 5 is done: `selection` is what is paid. The review (and with it its idempotency
    /// key) goes, since it showed other amounts. A selection in another currency also drops
    /// the method (chosen among the old currency's methods) and everything step 7 made for
    /// it: the instrument and the connected bank.
    pub fn choose_amounts(&mut self, selection: Vec<SelectedInvoice>) {
        let currency = selection.first().map(|selected| selected.amount.currency());
        if self.currency() != currency {
            self.method = None;
            self.plan = None;
            self.instrument = None;
            self.connected_bank = None;
        }
        self.selection = selection;
        self.review = None;
    }

    /// Step 6 is done: the customer pays by `method`. Another method than before drops what
    /// step 7 made for the old one (the instrument, the connected bank); the same method keeps
    /// them. The review goes either way.
    pub fn choose_method(&mut self, method: PaymentMethodKind) {
        if self.method != Some(method) {
            self.instrument = None;
            self.connected_bank = None;
        }
        self.method = Some(method);
        self.plan = None;
        self.review = None;
    }

    /// Step 6 is done: the customer pays in installments over `term`, each collected by
    /// `method`. What step 7 made stays when the method is the same, as for
    /// [`Checkout::choose_method`]; the review goes either way.
    pub fn choose_plan(&mut self, term: TermDays, method: PaymentMethodKind) {
        self.choose_method(method);
        self.plan = Some(term);
    }

    /// Keeps what step 7's bank form was given, to fill it again after a refusal. That form has
    /// no username: the one "Connect your bank" was given ([`Checkout::keep_bank_username`])
    /// stays, whatever `draft` says. Invalidates nothing.
    pub fn keep_bank_draft(&mut self, draft: BankDraft) {
        let bank_username = std::mem::take(&mut self.bank_draft.bank_username);
        self.bank_draft = BankDraft {
            bank_username,
            ..draft
        };
    }

    /// Keeps the online-banking username "Connect your bank" was given (never the password).
    /// Invalidates nothing.
    pub fn keep_bank_username(&mut self, username: String) {
        self.bank_draft.bank_username = username;
    }

    /// Keeps what step 7's card form was given (never the number or the code). Invalidates
    /// nothing.
    pub fn keep_card_draft(&mut self, draft: CardDraft) {
        self.card_draft = draft;
    }

    /// The customer signed in to a bank in step 7: its accounts wait to be picked. Nothing is
    /// paid with yet, so nothing else changes: an instrument chosen before stays until an
    /// account is picked ([`Checkout::pay_with`]).
    pub fn connect_bank(&mut self, bank: ConnectedBank) {
        self.connected_bank = Some(bank);
    }

    /// The connected bank can no longer be used (its link expired, or it is in the wrong
    /// country for the method): the customer connects again or types the account.
    pub fn forget_connected_bank(&mut self) {
        self.connected_bank = None;
    }

    /// Step 7 is done: `instrument` pays this checkout, kept for next time after its charge
    /// when `save` (only a card is). The connected bank has served (or was passed over), the
    /// review is made afresh for the new instrument, and the notice that sent the customer
    /// back to step 7 has been read: all three go.
    pub fn pay_with(&mut self, instrument: Instrument, save: bool) {
        self.instrument = Some(instrument);
        self.save_instrument = save;
        self.connected_bank = None;
        self.review = None;
        self.notice = None;
    }

    /// Step 8 was shown `review`: every confirm must carry its key, until a change to steps 5
    /// to 7 drops it.
    pub fn keep_review(&mut self, review: Review) {
        self.review = Some(review);
    }

    /// The processor declined the instrument at confirm: it goes, and the review with it (a
    /// new one, with a new key, is made for the next instrument). The invoices and the method
    /// stay chosen, so that another card or account is one step away.
    pub fn instrument_declined(&mut self) {
        self.instrument = None;
        self.review = None;
    }

    /// The checkout's payment was confirmed and stands at `status`: a declined one keeps the
    /// invoices and the method chosen for the next instrument ([`Checkout::instrument_declined`]);
    /// any other (paid, or a debit under way) ends the checkout.
    pub fn after_payment(&self, status: PaymentStatus) -> Checkout {
        if status == PaymentStatus::Failed {
            let mut declined = self.clone();
            declined.instrument_declined();
            declined
        } else {
            Checkout::default()
        }
    }

    /// Sends the customer back to step 5 with `notice` (another payment took part of a
    /// balance, an invoice was cancelled): the selection goes, and the review with it; what
    /// was typed in step 5, the method and the instrument stay, so that the customer only
    /// checks the amounts.
    pub fn send_back_to_amounts(&mut self, notice: String) {
        self.notice = Some(notice);
        self.selection.clear();
        self.review = None;
    }

    /// Sends the customer back to step 7 with `notice` (the bank account was closed since it
    /// was chosen): the instrument goes, and the review with it; the invoices and the method
    /// stay.
    pub fn send_back_to_details(&mut self, notice: String) {
        self.instrument = None;
        self.review = None;
        self.notice = Some(notice);
    }
}

/// How a method is named in step 6.
pub fn method_label(method: PaymentMethodKind) -> &'static str {
    match method {
        PaymentMethodKind::UsAch => "Bank account (ACH)",
        PaymentMethodKind::CaPad => "Pre-authorized debit (PAD)",
        PaymentMethodKind::CaEft => "EFT bank payment",
        PaymentMethodKind::Card => "Credit or debit card",
    }
}

/// How long a method takes to clear, as step 6 says it.
pub fn clearing_time(method: PaymentMethodKind) -> &'static str {
    match method {
        PaymentMethodKind::UsAch => "Clears in 3 business days.",
        PaymentMethodKind::CaPad | PaymentMethodKind::CaEft => "Clears in 5 business days.",
        PaymentMethodKind::Card => "Paid at once.",
    }
}

/// Business days between a bank debit's start and its settlement (or return); `None` for
/// methods that are paid at once.
pub fn settlement_business_days(method: PaymentMethodKind) -> Option<u32> {
    match method {
        PaymentMethodKind::UsAch => Some(3),
        PaymentMethodKind::CaPad | PaymentMethodKind::CaEft => Some(5),
        PaymentMethodKind::Card => None,
    }
}

/// Whether a method debits a bank account (and so needs step 7's bank form).
pub fn is_bank_debit(method: PaymentMethodKind) -> bool {
    match method {
        PaymentMethodKind::UsAch | PaymentMethodKind::CaPad | PaymentMethodKind::CaEft => true,
        PaymentMethodKind::Card => false,
    }
}

/// The methods step 6 offers for `currency`, of those the merchant enabled.
pub fn methods_for(enabled: &[PaymentMethodKind], currency: Currency) -> Vec<PaymentMethodKind> {
    enabled
        .iter()
        .copied()
        .filter(|method| match method {
            PaymentMethodKind::UsAch => currency == Currency::Usd,
            PaymentMethodKind::CaPad | PaymentMethodKind::CaEft => currency == Currency::Cad,
            PaymentMethodKind::Card => true,
        })
        .collect()
}

/// The methods an installment plan can be collected by, of those step 6 offers for
/// `currency`: a card, or a debit the customer authorizes once for every installment (ACH in
/// the US, PAD in Canada). An EFT is a single transfer, so it cannot carry a plan.
pub fn plan_methods_for(
    enabled: &[PaymentMethodKind],
    currency: Currency,
) -> Vec<PaymentMethodKind> {
    methods_for(enabled, currency)
        .into_iter()
        .filter(|method| match method {
            PaymentMethodKind::UsAch | PaymentMethodKind::CaPad | PaymentMethodKind::Card => true,
            PaymentMethodKind::CaEft => false,
        })
        .collect()
}

/// How a plan's collection method is named in step 6.
pub fn plan_method_label(method: PaymentMethodKind) -> &'static str {
    match method {
        PaymentMethodKind::UsAch => "ACH debits from a bank account",
        PaymentMethodKind::CaPad => "Pre-authorized debits from a bank account",
        PaymentMethodKind::CaEft => "EFT transfers from a bank account",
        PaymentMethodKind::Card => "Charges to a card",
    }
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
    fn bank_rails_are_offered_only_in_their_currency() {
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
    fn a_plan_is_collected_by_card_ach_or_pad_never_eft() {
        let all = PaymentMethodKind::ALL;
        assert_eq!(
            plan_methods_for(&all, Currency::Cad),
            [PaymentMethodKind::CaPad, PaymentMethodKind::Card]
        );
        assert_eq!(
            plan_methods_for(&[PaymentMethodKind::CaEft], Currency::Cad),
            []
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
        let bank = Instrument::Bank {
            account_id: account_id(),
            last_four: "6789".into(),
            holder: HolderType::Business,
        };
        assert_eq!(bank.label(), "Bank account •••• 6789");
        assert_eq!(bank.reference(), "ba_0b6f5c1e8d8a4f0e9a553f0c2b7d9e11");
    }

    fn account_id() -> BankAccountId {
        BankAccountId::parse("ba_0b6f5c1e8d8a4f0e9a553f0c2b7d9e11").unwrap()
    }

    #[test]
    fn a_checkout_paid_from_a_bank_account_keeps_the_id_as_its_text_in_json() {
        let checkout = Checkout {
            instrument: Some(Instrument::Bank {
                account_id: account_id(),
                last_four: "6789".into(),
                holder: HolderType::Personal,
            }),
            ..Checkout::default()
        };
        let json = serde_json::to_string(&checkout).unwrap();
        assert!(
            json.contains(r#""account_id":"ba_0b6f5c1e8d8a4f0e9a553f0c2b7d9e11""#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<Checkout>(&json).unwrap(), checkout);
    }

    fn cad(text: &str) -> Money {
        Money::parse(text, Currency::Cad, AmountSyntax::Plain).unwrap()
    }

    fn selected(n: u8, amount: Money) -> SelectedInvoice {
        SelectedInvoice {
            invoice: InvoiceId::from_bytes([n; 16]),
            number: format!("IN-{n}"),
            amount,
        }
    }

    fn card() -> Instrument {
        Instrument::Card {
            token: "tok_1".into(),
            brand: CardBrand::Visa,
            last_four: "4242".into(),
            expiry: "04/29".into(),
        }
    }

    fn connected() -> ConnectedBank {
        ConnectedBank {
            token: "link_1".into(),
            institution: "First Sandbox Bank".into(),
            accounts: vec![("acct_1".into(), "Checking •••• 1111".into())],
        }
    }

    fn review() -> Review {
        Review {
            idempotency_key: "key-1".into(),
            authorization: "I authorize Northwind to charge Visa •••• 4242 40.00 USD now.".into(),
            schedule: None,
        }
    }

    /// A checkout at step 8: 40.00 USD by card, reviewed.
    fn reviewed() -> Checkout {
        Checkout {
            selection: vec![selected(1, usd("40.00"))],
            method: Some(PaymentMethodKind::Card),
            instrument: Some(card()),
            review: Some(review()),
            ..Checkout::default()
        }
    }

    #[test]
    fn keeping_the_typed_amounts_clears_the_notice_and_nothing_else() {
        let mut checkout = Checkout {
            notice: Some("Invoice IN-1 now has 10.00 USD left to pay.".into()),
            ..reviewed()
        };
        let typed = vec![TypedAmount {
            invoice: "inv".into(),
            selected: true,
            amount: "10".into(),
        }];
        checkout.keep_typed_amounts(typed.clone());
        assert_eq!(checkout.typed_amounts, typed);
        assert_eq!(checkout.notice, None);
        assert_eq!(checkout.review, Some(review()));
        assert_eq!(checkout.instrument, Some(card()));
    }

    #[test]
    fn changing_the_amounts_after_the_review_drops_the_review_and_its_key() {
        let mut checkout = reviewed();
        checkout.choose_amounts(vec![selected(1, usd("25.00"))]);
        assert_eq!(checkout.review, None);
        assert_eq!(checkout.total(), Ok(Some(usd("25.00"))));
    }

    #[test]
    fn new_amounts_in_the_same_currency_keep_the_method_and_instrument() {
        let mut checkout = reviewed();
        checkout.choose_amounts(vec![selected(1, usd("40.00")), selected(2, usd("5.00"))]);
        assert_eq!(checkout.method, Some(PaymentMethodKind::Card));
        assert_eq!(checkout.instrument, Some(card()));
    }

    #[test]
    fn a_new_currency_drops_the_method_and_instrument() {
        let mut checkout = Checkout {
            connected_bank: Some(connected()),
            ..reviewed()
        };
        checkout.choose_amounts(vec![selected(3, cad("40.00"))]);
        assert_eq!(checkout.currency(), Some(Currency::Cad));
        assert_eq!(checkout.method, None);
        assert_eq!(checkout.instrument, None);
        assert_eq!(checkout.connected_bank, None);
        assert_eq!(checkout.review, None);
    }

    #[test]
    fn the_first_amounts_chosen_set_the_currency_without_a_method() {
        let mut checkout = Checkout::default();
        checkout.choose_amounts(vec![selected(1, usd("40.00"))]);
        assert_eq!(checkout.currency(), Some(Currency::Usd));
        assert_eq!(checkout.method, None);
    }

    #[test]
    fn choosing_the_same_method_keeps_the_instrument() {
        let mut checkout = Checkout {
            connected_bank: Some(connected()),
            ..reviewed()
        };
        checkout.choose_method(PaymentMethodKind::Card);
        assert_eq!(checkout.instrument, Some(card()));
        assert_eq!(checkout.connected_bank, Some(connected()));
        assert_eq!(
            checkout.review, None,
            "the review goes even for the same method"
        );
    }

    #[test]
    fn choosing_another_method_drops_the_instrument_and_the_connected_bank() {
        let mut checkout = Checkout {
            connected_bank: Some(connected()),
            ..reviewed()
        };
        checkout.choose_method(PaymentMethodKind::UsAch);
        assert_eq!(checkout.method, Some(PaymentMethodKind::UsAch));
        assert_eq!(checkout.instrument, None);
        assert_eq!(checkout.connected_bank, None);
        assert_eq!(checkout.review, None);
    }

    #[test]
    fn choosing_a_plan_keeps_the_instrument_of_the_same_method_and_paying_at_once_drops_the_plan() {
        let ninety = TermDays::parse(90).unwrap();
        let mut checkout = reviewed();
        checkout.choose_plan(ninety, PaymentMethodKind::Card);
        assert_eq!(checkout.plan, Some(ninety));
        assert_eq!(checkout.instrument, Some(card()));
        assert_eq!(checkout.review, None);
        checkout.choose_method(PaymentMethodKind::Card);
        assert_eq!(checkout.plan, None);
        checkout.choose_plan(ninety, PaymentMethodKind::UsAch);
        assert_eq!(checkout.instrument, None);
        checkout.choose_amounts(vec![selected(3, cad("400.00"))]);
        assert_eq!(
            checkout.plan, None,
            "a new currency drops the plan with the method"
        );
    }

    #[test]
    fn the_bank_form_draft_keeps_the_connect_your_bank_username() {
        let mut checkout = Checkout::default();
        checkout.keep_bank_username("ana".into());
        checkout.keep_bank_draft(BankDraft {
            routing_number: "110000000".into(),
            holder_type: "business".into(),
            ..BankDraft::default()
        });
        assert_eq!(checkout.bank_draft.routing_number, "110000000");
        assert_eq!(checkout.bank_draft.holder_type, "business");
        assert_eq!(checkout.bank_draft.bank_username, "ana");
    }

    #[test]
    fn keeping_the_drafts_invalidates_nothing() {
        let mut checkout = reviewed();
        checkout.keep_card_draft(CardDraft {
            expiry: "12/30".into(),
            ..CardDraft::default()
        });
        checkout.keep_bank_draft(BankDraft::default());
        assert_eq!(checkout.card_draft.expiry, "12/30");
        assert_eq!(
            Checkout {
                card_draft: CardDraft::default(),
                ..checkout
            },
            reviewed()
        );
    }

    #[test]
    fn connecting_a_bank_keeps_the_instrument_until_an_account_is_picked() {
        let mut checkout = reviewed();
        checkout.connect_bank(connected());
        assert_eq!(checkout.connected_bank, Some(connected()));
        assert_eq!(checkout.instrument, Some(card()));
        checkout.forget_connected_bank();
        assert_eq!(checkout, reviewed());
    }

    #[test]
    fn paying_with_an_instrument_forgets_the_connected_bank() {
        let mut checkout = Checkout {
            connected_bank: Some(connected()),
            notice: Some("Choose another account.".into()),
            ..reviewed()
        };
        let bank = Instrument::Bank {
            account_id: account_id(),
            last_four: "6789".into(),
            holder: HolderType::Business,
        };
        checkout.pay_with(bank.clone(), true);
        assert_eq!(checkout.instrument, Some(bank));
        assert!(checkout.save_instrument);
        assert_eq!(checkout.connected_bank, None);
        assert_eq!(checkout.review, None);
        assert_eq!(checkout.notice, None);
        checkout.pay_with(card(), false);
        assert!(!checkout.save_instrument);
    }

    #[test]
    fn a_declined_instrument_goes_with_the_review_and_the_invoices_and_method_stay() {
        let mut checkout = reviewed();
        checkout.instrument_declined();
        assert_eq!(checkout.instrument, None);
        assert_eq!(checkout.review, None);
        assert_eq!(checkout.selection, reviewed().selection);
        assert_eq!(checkout.method, Some(PaymentMethodKind::Card));
    }

    #[test]
    fn after_a_decline_the_checkout_waits_for_another_instrument_and_otherwise_ends() {
        let declined = reviewed().after_payment(PaymentStatus::Failed);
        assert_eq!(declined.instrument, None);
        assert_eq!(declined.review, None);
        assert_eq!(declined.selection, reviewed().selection);
        assert_eq!(declined.method, Some(PaymentMethodKind::Card));
        for status in [
            PaymentStatus::Succeeded,
            PaymentStatus::Processing,
            PaymentStatus::Pending,
        ] {
            assert_eq!(reviewed().after_payment(status), Checkout::default());
        }
    }

    #[test]
    fn sent_back_to_the_amounts_the_selection_goes_and_what_was_typed_stays() {
        let typed = vec![TypedAmount {
            invoice: "inv".into(),
            selected: true,
            amount: "40.00".into(),
        }];
        let mut checkout = Checkout {
            typed_amounts: typed.clone(),
            ..reviewed()
        };
        checkout.send_back_to_amounts("Invoice IN-1 was cancelled.".into());
        assert!(checkout.selection.is_empty());
        assert_eq!(checkout.review, None);
        assert_eq!(
            checkout.notice.as_deref(),
            Some("Invoice IN-1 was cancelled.")
        );
        assert_eq!(checkout.typed_amounts, typed);
        assert_eq!(checkout.method, Some(PaymentMethodKind::Card));
        assert_eq!(checkout.instrument, Some(card()));
    }

    #[test]
    fn sent_back_to_the_details_the_instrument_goes_and_the_method_stays() {
        let mut checkout = reviewed();
        checkout.send_back_to_details("Choose another account.".into());
        assert_eq!(checkout.instrument, None);
        assert_eq!(checkout.review, None);
        assert_eq!(checkout.notice.as_deref(), Some("Choose another account."));
        assert_eq!(checkout.method, Some(PaymentMethodKind::Card));
        assert_eq!(checkout.selection, reviewed().selection);
    }

    #[test]
    fn a_kept_review_stays_until_a_step_changes() {
        let mut checkout = Checkout {
            review: None,
            ..reviewed()
        };
        checkout.keep_review(review());
        assert_eq!(checkout, reviewed());
    }
}
