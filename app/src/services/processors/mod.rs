//! The processor boundary: everything that touches card numbers or moves money goes through a
//! [`PaymentProcessor`]. The rest of Portico sees tokens, references, brands and last fours.
//!
//! [`Processor`] is the one the server runs, chosen at startup. Only the sandbox exists today; a
//! real processor (with its hosted card fields and its bank-link flow) becomes another variant,
//! and the wizard does not change.

pub mod sandbox;

use crate::domain::bank::AccountNumber;
use crate::domain::card::{CardBrand, CardNumber, Expiry, SecurityCode};
use crate::domain::ids::{MerchantId, PaymentId, RefundId};
use crate::domain::merchant::Country;
use crate::domain::money::Money;
use crate::domain::payment::PaymentMethodKind;
use std::future::Future;
use time::Date;

#[derive(Debug, thiserror::Error)]
pub enum ProcessorError {
    /// The processor refused the card details themselves (the customer can fix them).
    #[error("{0}")]
    CardRefused(String),
    #[error("the processor does not know the card token")]
    UnknownToken,
    #[error("the processor does not debit by {0:?}")]
    UnsupportedMethod(PaymentMethodKind),
    #[error("the test clock cannot move that far")]
    ClockOutOfRange,
    /// The bank refused the sign-in (the customer can fix it).
    #[error("{0}")]
    BankLinkRefused(String),
    #[error("the bank link has expired or is not this merchant's")]
    BankLinkExpired,
    /// The request may have reached the processor, but no answer came back: asking again with
    /// the same key finds out what it did.
    #[error("the processor did not answer")]
    NoAnswer,
    #[error("the processor's records failed")]
    Storage(#[from] sqlx::Error),
    #[error("the system random number generator failed")]
    Random(#[from] getrandom::Error),
}

/// Card details on their way to the tokenizer; dropped as soon as it answers.
#[derive(Debug)]
pub struct CardDetails<'a> {
    pub number: &'a CardNumber,
    pub expiry: Expiry,
    pub security_code: &'a SecurityCode,
    pub name: &'a str,
    pub postal_code: &'a str,
}

/// What the tokenizer gives back: all that Portico may keep of a card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardToken {
    pub token: String,
    pub brand: CardBrand,
    pub last_four: String,
    pub expiry: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChargeOutcome {
    Succeeded {
        reference: String,
    },
    /// `code` says why, as processors code it: `insufficient_funds` (worth trying again
    /// later) or `card_declined`.
    Declined {
        reference: String,
        reason: String,
        code: String,
    },
}

/// What the processor did with a refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundOutcome {
    /// The money is on its way back to the card.
    Succeeded { reference: String },
    /// The processor would not refund it, and said why.
    Refused { reason: String },
}

/// A bank account to debit, decrypted for this call only.
#[derive(Debug)]
pub struct DebitAccount<'a> {
    /// A US routing number, or institution and transit as `000-11000`.
    pub routing: &'a str,
    pub account: &'a AccountNumber,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebitStarted {
    pub reference: String,
    /// When the debit settles or comes back.
    pub settles_on: Date,
}

/// A bank a customer can connect to through the processor's bank-link flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Institution {
    pub id: String,
    pub name: String,
}

/// An account a connected bank shows, masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedAccount {
    pub id: String,
    /// "Business checking •••• 6789".
    pub label: String,
}

/// A good sign-in at a bank: a token to pick one of its accounts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankLink {
    pub token: String,
    pub institution: String,
    pub accounts: Vec<LinkedAccount>,
}

/// The numbers of the account picked from a bank link, for Portico to store encrypted.
#[derive(Debug)]
pub struct LinkedAccountNumbers {
    /// A US routing number, or institution and transit numbers.
    pub routing: LinkedRouting,
    pub account: AccountNumber,
    pub checking: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkedRouting {
    Us(String),
    Canadian {
        institution: String,
        transit: String,
    },
}

/// Why a bank returned a debit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnCode {
    /// R01: insufficient funds.
    InsufficientFunds,
    /// R02: account closed.
    AccountClosed,
    /// R03: no account, or the account could not be found.
    NoAccount,
    /// R10: the account holder says the debit was not authorized; it can come back weeks
    /// after it settled.
    Unauthorized,
}

impl ReturnCode {
    pub fn code(self) -> &'static str {
        match self {
            Self::InsufficientFunds => "R01",
            Self::AccountClosed => "R02",
            Self::NoAccount => "R03",
            Self::Unauthorized => "R10",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [
            Self::InsufficientFunds,
            Self::AccountClosed,
            Self::NoAccount,
            Self::Unauthorized,
        ]
        .into_iter()
        .find(|known| known.code() == code)
    }

    pub fn description(self) -> &'static str {
        match self {
            Self::InsufficientFunds => "insufficient funds",
            Self::AccountClosed => "the account is closed",
            Self::NoAccount => "no such account",
            Self::Unauthorized => "the account holder says the debit was not authorized",
        }
    }

    /// Whether the account may never be debited again.
    pub fn blocks_account(self) -> bool {
        match self {
            Self::InsufficientFunds => false,
            Self::AccountClosed | Self::NoAccount | Self::Unauthorized => true,
        }
    }
}

/// What the processor holds for a payment, asked by the payment's key: the answer to "did
/// that charge go through?" when Portico lost track of a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProcessorRecord {
    /// Nothing was charged or debited for the payment.
    Unknown,
    Charge(ChargeOutcome),
    Debit(DebitStarted),
}

/// How a bank debit ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DebitResolution {
    Settled,
    Returned(ReturnCode),
}

/// A debit the processor reports as settled or returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedDebit {
    pub merchant: MerchantId,
    pub payment: PaymentId,
    pub resolution: DebitResolution,
}

/// What a processor does for Portico. Every money-moving call is keyed by the payment, so that
/// asking twice (a retry after a crash, a replayed confirm) moves money once.
pub trait PaymentProcessor {
    /// Exchanges card details for a token.
    fn tokenize_card(
        &self,
        merchant: MerchantId,
        card: &CardDetails<'_>,
    ) -> impl Future<Output = Result<CardToken, ProcessorError>> + Send;

    /// Charges a tokenized card for `payment`.
    fn charge_card(
        &self,
        merchant: MerchantId,
        payment: PaymentId,
        token: &str,
        amount: Money,
    ) -> impl Future<Output = Result<ChargeOutcome, ProcessorError>> + Send;

    /// Gives `amount` of `payment`'s card charge back to the card, keyed by `refund`: asking
    /// again for the same refund (a retry after a crash) answers with the first result.
    fn refund_charge(
        &self,
        merchant: MerchantId,
        payment: PaymentId,
        refund: RefundId,
        amount: Money,
    ) -> impl Future<Output = Result<RefundOutcome, ProcessorError>> + Send;

    /// Starts a bank debit for `payment`; it settles or is returned later.
    fn start_debit(
        &self,
        merchant: MerchantId,
        payment: PaymentId,
        method: PaymentMethodKind,
        account: &DebitAccount<'_>,
        amount: Money,
    ) -> impl Future<Output = Result<DebitStarted, ProcessorError>> + Send;

    /// What the processor did for `payment`, if anything: asked before Portico gives a
    /// payment up, so that a charge that went through is never taken for one that did not.
    fn lookup_payment(
        &self,
        merchant: MerchantId,
        payment: PaymentId,
    ) -> impl Future<Output = Result<ProcessorRecord, ProcessorError>> + Send;

    /// The debits that settled or came back and whose result Portico has not acknowledged:
    /// reported again until it is, as a real processor redelivers its webhooks.
    fn resolved_debits(
        &self,
    ) -> impl Future<Output = Result<Vec<ResolvedDebit>, ProcessorError>> + Send;

    /// The banks a customer in `country` can connect to.
    fn institutions(&self, country: Country) -> Vec<Institution>;

    /// Signs in at one of `country`'s banks with the customer's online-banking credentials
    /// (Portico keeps neither the password nor the bank's session).
    fn link_bank(
        &self,
        merchant: MerchantId,
        country: Country,
        institution: &str,
        username: &str,
        password: &str,
    ) -> impl Future<Output = Result<BankLink, ProcessorError>> + Send;

    /// The numbers of one account of a bank link.
    fn linked_account(
        &self,
        merchant: MerchantId,
        token: &str,
        account: &str,
    ) -> impl Future<Output = Result<LinkedAccountNumbers, ProcessorError>> + Send;

    /// Portico has applied this payment's debit result.
    fn acknowledge_debit(
        &self,
        payment: PaymentId,
    ) -> impl Future<Output = Result<(), ProcessorError>> + Send;
}

/// The processor this server runs.
#[derive(Debug, Clone)]
pub enum Processor {
    Sandbox(sandbox::Sandbox),
}

impl Processor {
    /// The processor's date, which schedules follow: the real date for a real processor, the
    /// test clock's for the sandbox (so that a 150-day plan plays out in a test).
    pub async fn today(&self) -> Result<time::Date, ProcessorError> {
        match self {
            Self::Sandbox(sandbox) => sandbox.today().await,
        }
    }
}

impl PaymentProcessor for Processor {
    async fn tokenize_card(
        &self,
        merchant: MerchantId,
        card: &CardDetails<'_>,
    ) -> Result<CardToken, ProcessorError> {
        match self {
            Self::Sandbox(sandbox) => sandbox.tokenize_card(merchant, card).await,
        }
    }

    async fn charge_card(
        &self,
        merchant: MerchantId,
        payment: PaymentId,
        token: &str,
        amount: Money,
    ) -> Result<ChargeOutcome, ProcessorError> {
        match self {
            Self::Sandbox(sandbox) => sandbox.charge_card(merchant, payment, token, amount).await,
        }
    }

    async fn refund_charge(
        &self,
        merchant: MerchantId,
        payment: PaymentId,
        refund: RefundId,
        amount: Money,
    ) -> Result<RefundOutcome, ProcessorError> {
        match self {
            Self::Sandbox(sandbox) => {
                sandbox
                    .refund_charge(merchant, payment, refund, amount)
                    .await
            }
        }
    }

    async fn start_debit(
        &self,
        merchant: MerchantId,
        payment: PaymentId,
        method: PaymentMethodKind,
        account: &DebitAccount<'_>,
        amount: Money,
    ) -> Result<DebitStarted, ProcessorError> {
        match self {
            Self::Sandbox(sandbox) => {
                sandbox
                    .start_debit(merchant, payment, method, account, amount)
                    .await
            }
        }
    }

    async fn lookup_payment(
        &self,
        merchant: MerchantId,
        payment: PaymentId,
    ) -> Result<ProcessorRecord, ProcessorError> {
        match self {
            Self::Sandbox(sandbox) => sandbox.lookup_payment(merchant, payment).await,
        }
    }

    async fn resolved_debits(&self) -> Result<Vec<ResolvedDebit>, ProcessorError> {
        match self {
            Self::Sandbox(sandbox) => sandbox.resolved_debits().await,
        }
    }

    async fn acknowledge_debit(&self, payment: PaymentId) -> Result<(), ProcessorError> {
        match self {
            Self::Sandbox(sandbox) => sandbox.acknowledge_debit(payment).await,
        }
    }

    fn institutions(&self, country: Country) -> Vec<Institution> {
        match self {
            Self::Sandbox(sandbox) => sandbox.institutions(country),
        }
    }

    async fn link_bank(
        &self,
        merchant: MerchantId,
        country: Country,
        institution: &str,
        username: &str,
        password: &str,
    ) -> Result<BankLink, ProcessorError> {
        match self {
            Self::Sandbox(sandbox) => {
                sandbox
                    .link_bank(merchant, country, institution, username, password)
                    .await
            }
        }
    }

    async fn linked_account(
        &self,
        merchant: MerchantId,
        token: &str,
        account: &str,
    ) -> Result<LinkedAccountNumbers, ProcessorError> {
        match self {
            Self::Sandbox(sandbox) => sandbox.linked_account(merchant, token, account).await,
        }
    }
}
