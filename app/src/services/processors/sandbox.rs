//! The sandbox processor, Portico's default: it behaves like a real processor's test mode, with
//! deterministic test numbers (listed in the README), bank debits that settle or come back some
//! business days later on its own clock, and a test clock that can be moved forward.
//!
//! Its books are tables of Portico's database (`sandbox_*`), so that every server instance and
//! the `portico test-clock` command see the same state.

use super::{
    BankLink, CardDetails, CardToken, ChargeOutcome, DebitAccount, DebitResolution, DebitStarted,
    Institution, LinkedAccount, LinkedAccountNumbers, LinkedRouting, PaymentProcessor,
    ProcessorError, ProcessorRecord, RefundOutcome, ResolvedDebit, ReturnCode,
};
use crate::domain::bank::AccountNumber;
use crate::domain::checkout::settlement_business_days;
use crate::domain::ids::{MerchantId, PaymentId, RefundId};
use crate::domain::merchant::Country;
use crate::domain::money::Money;
use crate::domain::payment::PaymentMethodKind;
use crate::services::Database;
use crate::services::clock::{add_business_days, date_text, now, parse_date, timestamp_text};
use time::{Date, Duration};

/// Test cards and what they do: anything else is refused at the tokenizer, as a real test mode
/// refuses real card numbers.
const CARD_SUCCEEDS: &str = "4242424242424242";
const CARD_DECLINED: &str = "4000000000000002";
const CARD_INSUFFICIENT_FUNDS: &str = "4000000000009995";
/// Its second charge is declined for insufficient funds, every other one succeeds: an
/// installment plan's first retry, played out.
const CARD_SECOND_CHARGE_SHORT: &str = "4000000000009979";
const SECOND_CHARGE_SHORT: &str = "second_charge_short";
/// Its charges succeed, and the processor refuses to refund them.
const CARD_REFUND_REFUSED: &str = "4000000000005126";
const REFUND_REFUSED: &str = "refund_refused";
/// Its charges succeed; the processor records each refund of them but does not answer the
/// first time it is asked (a timeout after it committed), and answers the next time.
const CARD_REFUND_UNANSWERED: &str = "4000000000007726";
const REFUND_UNANSWERED: &str = "refund_unanswered";

/// The test banks of the bank-link flow, by country.
const US_INSTITUTIONS: [(&str, &str); 2] = [
    ("sandbox-first", "First Sandbox Bank"),
    ("sandbox-union", "Sandbox Federal Credit Union"),
];
const CA_INSTITUTIONS: [(&str, &str); 2] = [
    ("sandbox-caisse", "Caisse Sandbox"),
    ("sandbox-trust", "Sandbox Trust Company"),
];

/// The test credentials every test bank accepts.
const GOOD_USERNAME: &str = "user_good";
const GOOD_PASSWORD: &str = "pass_good";

/// A bank link lasts this long.
const LINK_LIFETIME: Duration = Duration::minutes(30);

/// The accounts every test bank shows: (id, label, account number, checking). Their numbers
/// are the sandbox's test accounts, so a linked account settles or comes back as typed ones do.
const LINKED_ACCOUNTS: [(&str, &str, &str, bool); 3] = [
    (
        "checking",
        "Business checking •••• 6789",
        "000123456789",
        true,
    ),
    (
        "savings",
        "Business savings •••• 2227",
        "000222222227",
        false,
    ),
    (
        "old-checking",
        "Old checking •••• 1113",
        "000111111113",
        true,
    ),
];

/// Test bank accounts (any routing, institution or transit number) and how their debits end.
fn debit_outcome(account: &str) -> &'static str {
    match account {
        "000222222227" => "R01",
        "000111111113" => "R02",
        "000111111116" => "R03",
        _ => "settle",
    }
}

/// The test account whose debits settle and then come back (R10) [`LATE_RETURN_DAYS`]
/// business days later.
const LATE_RETURN_ACCOUNT: &str = "000333333335";
const LATE_RETURN_DAYS: u32 = 2;

#[derive(Debug, Clone)]
pub struct Sandbox {
    db: Database,
}

impl Sandbox {
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// Today on the sandbox's clock: the real date plus however far the test clock was moved.
    pub async fn today(&self) -> Result<Date, ProcessorError> {
        let (offset,): (i64,) =
            sqlx::query_as("SELECT offset_days FROM sandbox_clock WHERE id = 1")
                .fetch_one(self.db.pool())
                .await?;
        now()
            .date()
            .checked_add(Duration::days(offset))
            .ok_or(ProcessorError::ClockOutOfRange)
    }

    /// Moves the test clock `days` forward; returns the new date. What became due is reported
    /// by the next [`PaymentProcessor::resolved_debits`].
    pub async fn advance_clock(&self, days: u32) -> Result<Date, ProcessorError> {
        let ahead = self
            .today()
            .await?
            .checked_add(Duration::days(i64::from(days)))
            .ok_or(ProcessorError::ClockOutOfRange)?;
        sqlx::query("UPDATE sandbox_clock SET offset_days = offset_days + $1 WHERE id = 1")
            .bind(i64::from(days))
            .execute(self.db.writer())
            .await?;
        Ok(ahead)
    }
}

fn charge_outcome(reference: String, outcome: &str) -> ChargeOutcome {
    match outcome {
        "decline" => ChargeOutcome::Declined {
            reference,
            reason: "Your card was declined.".to_owned(),
            code: "card_declined".to_owned(),
        },
        "insufficient_funds" => ChargeOutcome::Declined {
            reference,
            reason: "Your card was declined for insufficient funds.".to_owned(),
            code: "insufficient_funds".to_owned(),
        },
        _ => ChargeOutcome::Succeeded { reference },
    }
}

fn debit_started(reference: String, due_on: &str) -> DebitStarted {
    DebitStarted {
        reference,
        settles_on: parse_date(due_on).unwrap_or(now().date()),
    }
}

fn reference(prefix: &str) -> Result<String, ProcessorError> {
    let mut random = [0_u8; 12];
    getrandom::fill(&mut random)?;
    Ok(format!("{prefix}_sandbox_{}", hex::encode(random)))
}

/// The result of an insert keyed by the payment: a second insert for the same payment is no
/// error, and the caller reads back what the first one wrote.
fn inserted_once(
    result: Result<sqlx::any::AnyQueryResult, sqlx::Error>,
) -> Result<(), ProcessorError> {
    match result {
        Ok(_) => Ok(()),
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => Ok(()),
        Err(error) => Err(error.into()),
    }
}

impl PaymentProcessor for Sandbox {
    async fn tokenize_card(
        &self,
        merchant: MerchantId,
        card: &CardDetails<'_>,
    ) -> Result<CardToken, ProcessorError> {
        let outcome = match card.number.expose_digits() {
            CARD_SUCCEEDS => "succeed",
            CARD_DECLINED => "decline",
            CARD_INSUFFICIENT_FUNDS => "insufficient_funds",
            CARD_SECOND_CHARGE_SHORT => SECOND_CHARGE_SHORT,
            CARD_REFUND_REFUSED => REFUND_REFUSED,
            CARD_REFUND_UNANSWERED => REFUND_UNANSWERED,
            _ => {
                return Err(ProcessorError::CardRefused(
                    "This portal is in test mode: use a test card such as 4242 4242 4242 4242."
                        .to_owned(),
                ));
            }
        };
        let token = reference("tok")?;
        let charges_succeed =
            [SECOND_CHARGE_SHORT, REFUND_REFUSED, REFUND_UNANSWERED].contains(&outcome);
        sqlx::query(
            "INSERT INTO sandbox_card_tokens (token, merchant_id, outcome, second_charge_short, refund_refused, \
             refund_unanswered, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&token)
        .bind(merchant.to_string())
        .bind(if charges_succeed { "succeed" } else { outcome })
        .bind(i64::from(outcome == SECOND_CHARGE_SHORT))
        .bind(i64::from(outcome == REFUND_REFUSED))
        .bind(i64::from(outcome == REFUND_UNANSWERED))
        .bind(timestamp_text(now()))
        .execute(self.db.writer())
        .await?;
        Ok(CardToken {
            token,
            brand: card.number.brand(),
            last_four: card.number.last_four().to_owned(),
            expiry: card.expiry.as_text(),
        })
    }

    async fn charge_card(
        &self,
        merchant: MerchantId,
        payment: PaymentId,
        token: &str,
        amount: Money,
    ) -> Result<ChargeOutcome, ProcessorError> {
        let card: Option<(String, i64, i64, i64)> = sqlx::query_as(
            "SELECT outcome, second_charge_short, refund_refused, refund_unanswered FROM sandbox_card_tokens \
             WHERE token = $1 AND merchant_id = $2",
        )
        .bind(token)
        .bind(merchant.to_string())
        .fetch_optional(self.db.pool())
        .await?;
        let (card_outcome, second_charge_short, refund_refused, refund_unanswered) =
            card.ok_or(ProcessorError::UnknownToken)?;
        // A charge of a card whose refunds are refused or unanswered succeeds, and remembers it.
        let card_outcome = if refund_refused == 1 {
            REFUND_REFUSED.to_owned()
        } else if refund_unanswered == 1 {
            REFUND_UNANSWERED.to_owned()
        } else {
            card_outcome
        };
        let charge_reference = reference("ch")?;
        let token = token.to_owned();
        self.db
            .write(move |connection| {
                Box::pin(async move {
                    let outcome = if second_charge_short == 1 {
                        let (earlier,): (i64,) = sqlx::query_as(
                            "SELECT COUNT(*) FROM sandbox_charges WHERE token = $1 AND payment_id <> $2",
                        )
                        .bind(&token)
                        .bind(payment.to_string())
                        .fetch_one(&mut *connection)
                        .await?;
                        if earlier == 1 {
                            "insufficient_funds".to_owned()
                        } else {
                            "succeed".to_owned()
                        }
                    } else {
                        card_outcome
                    };
                    let inserted = sqlx::query(
                        "INSERT INTO sandbox_charges (payment_id, merchant_id, reference, outcome, created_at, token, amount_minor) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(payment.to_string())
                    .bind(merchant.to_string())
                    .bind(charge_reference)
                    .bind(outcome)
                    .bind(timestamp_text(now()))
                    .bind(&token)
                    .bind(amount.minor_units())
                    .execute(&mut *connection)
                    .await;
                    // The same payment was charged before: answer with that charge.
                    inserted_once(inserted)
                })
            })
            .await?;
        let (reference, outcome): (String, String) =
            sqlx::query_as("SELECT reference, outcome FROM sandbox_charges WHERE payment_id = $1")
                .bind(payment.to_string())
                .fetch_one(self.db.pool())
                .await?;
        Ok(charge_outcome(reference, &outcome))
    }

    async fn refund_charge(
        &self,
        merchant: MerchantId,
        payment: PaymentId,
        refund: RefundId,
        amount: Money,
    ) -> Result<RefundOutcome, ProcessorError> {
        let refund_reference = reference("re")?;
        let unanswered = self
            .db
            .write(move |connection| {
                Box::pin(async move {
                    let charge: Option<(String, Option<i64>)> = sqlx::query_as(
                        "SELECT outcome, amount_minor FROM sandbox_charges WHERE payment_id = $1 AND merchant_id = $2",
                    )
                    .bind(payment.to_string())
                    .bind(merchant.to_string())
                    .fetch_optional(&mut *connection)
                    .await?;
                    let (refunded,): (i64,) = sqlx::query_as(
                        "SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) FROM sandbox_refunds \
                         WHERE payment_id = $1 AND outcome = 'succeeded' AND refund_id <> $2",
                    )
                    .bind(payment.to_string())
                    .bind(refund.to_string())
                    .fetch_one(&mut *connection)
                    .await?;
                    // No charge to refund: nothing is recorded, and the answer says so.
                    let Some((outcome, charged)) = charge else {
                        return Ok(false);
                    };
                    let refusal = if outcome == "decline" || outcome == "insufficient_funds" {
                        Some("The charge was declined: there is nothing to refund.".to_owned())
                    } else if outcome == REFUND_REFUSED {
                        Some("The card's bank refused the refund.".to_owned())
                    } else if charged.is_some_and(|charged| refunded + amount.minor_units() > charged) {
                        Some("The refund is more than the charge has left to refund.".to_owned())
                    } else {
                        None
                    };
                    let inserted = sqlx::query(
                        "INSERT INTO sandbox_refunds (refund_id, payment_id, merchant_id, reference, amount_minor, outcome, reason, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(refund.to_string())
                    .bind(payment.to_string())
                    .bind(merchant.to_string())
                    .bind(refund_reference)
                    .bind(amount.minor_units())
                    .bind(if refusal.is_some() { "refused" } else { "succeeded" })
                    .bind(refusal)
                    .bind(timestamp_text(now()))
                    .execute(&mut *connection)
                    .await;
                    // The same refund was asked before: answer with what it did then.
                    let first_ask = inserted.is_ok();
                    inserted_once(inserted)?;
                    Ok::<bool, ProcessorError>(first_ask && outcome == REFUND_UNANSWERED)
                })
            })
            .await?;
        if unanswered {
            return Err(ProcessorError::NoAnswer);
        }
        let recorded: Option<(String, String, Option<String>)> = sqlx::query_as(
            "SELECT reference, outcome, reason FROM sandbox_refunds WHERE refund_id = $1 AND merchant_id = $2",
        )
        .bind(refund.to_string())
        .bind(merchant.to_string())
        .fetch_optional(self.db.pool())
        .await?;
        Ok(match recorded {
            Some((reference, outcome, _)) if outcome == "succeeded" => {
                RefundOutcome::Succeeded { reference }
            }
            Some((_, _, reason)) => RefundOutcome::Refused {
                reason: reason.unwrap_or_else(|| "The processor refused the refund.".to_owned()),
            },
            None => RefundOutcome::Refused {
                reason: "There is no card charge for this payment.".to_owned(),
            },
        })
    }

    async fn start_debit(
        &self,
        merchant: MerchantId,
        payment: PaymentId,
        method: PaymentMethodKind,
        account: &DebitAccount<'_>,
        _amount: Money,
    ) -> Result<DebitStarted, ProcessorError> {
        let days =
            settlement_business_days(method).ok_or(ProcessorError::UnsupportedMethod(method))?;
        let due_on = add_business_days(self.today().await?, days);
        let returns_late = account.account.expose_digits() == LATE_RETURN_ACCOUNT;
        let inserted = sqlx::query(
            "INSERT INTO sandbox_debits (payment_id, merchant_id, reference, outcome, due_on, created_at, \
             late_return, late_due_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(payment.to_string())
        .bind(merchant.to_string())
        .bind(reference("db")?)
        .bind(debit_outcome(account.account.expose_digits()))
        .bind(date_text(due_on))
        .bind(timestamp_text(now()))
        .bind(returns_late.then_some(ReturnCode::Unauthorized.code()))
        .bind(returns_late.then(|| date_text(add_business_days(due_on, LATE_RETURN_DAYS))))
        .execute(self.db.writer())
        .await;
        inserted_once(inserted)?;
        let (reference, due_on): (String, String) =
            sqlx::query_as("SELECT reference, due_on FROM sandbox_debits WHERE payment_id = $1")
                .bind(payment.to_string())
                .fetch_one(self.db.pool())
                .await?;
        Ok(debit_started(reference, &due_on))
    }

    async fn lookup_payment(
        &self,
        merchant: MerchantId,
        payment: PaymentId,
    ) -> Result<ProcessorRecord, ProcessorError> {
        let charge: Option<(String, String)> = sqlx::query_as(
            "SELECT reference, outcome FROM sandbox_charges WHERE payment_id = $1 AND merchant_id = $2",
        )
        .bind(payment.to_string())
        .bind(merchant.to_string())
        .fetch_optional(self.db.pool())
        .await?;
        if let Some((reference, outcome)) = charge {
            return Ok(ProcessorRecord::Charge(charge_outcome(reference, &outcome)));
        }
        let debit: Option<(String, String)> = sqlx::query_as(
            "SELECT reference, due_on FROM sandbox_debits WHERE payment_id = $1 AND merchant_id = $2",
        )
        .bind(payment.to_string())
        .bind(merchant.to_string())
        .fetch_optional(self.db.pool())
        .await?;
        Ok(match debit {
            Some((reference, due_on)) => ProcessorRecord::Debit(debit_started(reference, &due_on)),
            None => ProcessorRecord::Unknown,
        })
    }

    async fn resolved_debits(&self) -> Result<Vec<ResolvedDebit>, ProcessorError> {
        let today = date_text(self.today().await?);
        // A debit settles (or comes back) on its due date; one that returns late comes back
        // again on its late date, once its settlement was acknowledged.
        let due: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT payment_id, merchant_id, outcome FROM sandbox_debits \
             WHERE resolved_at IS NULL AND due_on <= $1 \
             UNION ALL SELECT payment_id, merchant_id, late_return FROM sandbox_debits \
             WHERE resolved_at IS NOT NULL AND late_return IS NOT NULL AND late_resolved_at IS NULL \
             AND late_due_on <= $1 ORDER BY 1",
        )
        .bind(&today)
        .fetch_all(self.db.pool())
        .await?;
        let mut resolved = Vec::with_capacity(due.len());
        for (payment, merchant, outcome) in due {
            let (Ok(payment), Ok(merchant)) =
                (PaymentId::parse(&payment), MerchantId::parse(&merchant))
            else {
                tracing::error!(%payment, "a sandbox debit names an invalid payment or merchant");
                continue;
            };
            resolved.push(ResolvedDebit {
                merchant,
                payment,
                resolution: match ReturnCode::parse(&outcome) {
                    Some(code) => DebitResolution::Returned(code),
                    None => DebitResolution::Settled,
                },
            });
        }
        Ok(resolved)
    }

    fn institutions(&self, country: Country) -> Vec<Institution> {
        let list: &[(&str, &str)] = match country {
            Country::UnitedStates => &US_INSTITUTIONS,
            Country::Canada => &CA_INSTITUTIONS,
        };
        list.iter()
            .map(|(id, name)| Institution {
                id: (*id).to_owned(),
                name: (*name).to_owned(),
            })
            .collect()
    }

    async fn link_bank(
        &self,
        merchant: MerchantId,
        country: Country,
        institution: &str,
        username: &str,
        password: &str,
    ) -> Result<BankLink, ProcessorError> {
        let banks: &[(&str, &str)] = match country {
            Country::UnitedStates => &US_INSTITUTIONS,
            Country::Canada => &CA_INSTITUTIONS,
        };
        let Some((id, name)) = banks.iter().find(|(id, _)| *id == institution) else {
            return Err(ProcessorError::BankLinkRefused(
                "Choose your bank from the list.".to_owned(),
            ));
        };
        if username.trim() != GOOD_USERNAME || password != GOOD_PASSWORD {
            return Err(ProcessorError::BankLinkRefused(format!(
                "{name} did not accept that username and password. (Test mode: {GOOD_USERNAME} / {GOOD_PASSWORD}.)"
            )));
        }
        let token = reference("link")?;
        sqlx::query(
            "INSERT INTO sandbox_bank_links (token, merchant_id, institution, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&token)
        .bind(merchant.to_string())
        .bind(*id)
        .bind(timestamp_text(now()))
        .execute(self.db.writer())
        .await?;
        Ok(BankLink {
            token,
            institution: (*name).to_owned(),
            accounts: LINKED_ACCOUNTS
                .iter()
                .map(|(id, label, ..)| LinkedAccount {
                    id: (*id).to_owned(),
                    label: (*label).to_owned(),
                })
                .collect(),
        })
    }

    async fn linked_account(
        &self,
        merchant: MerchantId,
        token: &str,
        account: &str,
    ) -> Result<LinkedAccountNumbers, ProcessorError> {
        let link: Option<(String,)> = sqlx::query_as(
            "SELECT institution FROM sandbox_bank_links WHERE token = $1 AND merchant_id = $2 AND created_at > $3",
        )
        .bind(token)
        .bind(merchant.to_string())
        .bind(timestamp_text(now() - LINK_LIFETIME))
        .fetch_optional(self.db.pool())
        .await?;
        let (institution,) = link.ok_or(ProcessorError::BankLinkExpired)?;
        let (_, _, number, checking) = LINKED_ACCOUNTS
            .iter()
            .find(|(id, ..)| *id == account)
            .ok_or(ProcessorError::BankLinkExpired)?;
        let canadian = CA_INSTITUTIONS.iter().any(|(id, _)| *id == institution);
        Ok(LinkedAccountNumbers {
            routing: if canadian {
                LinkedRouting::Canadian {
                    institution: "000".to_owned(),
                    transit: "11000".to_owned(),
                }
            } else {
                LinkedRouting::Us("110000000".to_owned())
            },
            account: AccountNumber::parse_us(number)
                .map_err(|_| ProcessorError::BankLinkExpired)?,
            checking: *checking,
        })
    }

    async fn acknowledge_debit(&self, payment: PaymentId) -> Result<(), ProcessorError> {
        // SET reads the row as it was: a settlement acknowledged now leaves the late return
        // to come.
        sqlx::query(
            "UPDATE sandbox_debits SET late_resolved_at = CASE WHEN resolved_at IS NOT NULL \
             AND late_return IS NOT NULL THEN COALESCE(late_resolved_at, $2) END, \
             resolved_at = COALESCE(resolved_at, $2) WHERE payment_id = $1",
        )
        .bind(payment.to_string())
        .bind(timestamp_text(now()))
        .execute(self.db.writer())
        .await?;
        Ok(())
    }
}
