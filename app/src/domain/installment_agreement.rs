//! The installment agreement step 8 shows and a confirm records: what will be collected, from
//! what, when, how to cancel or change the instrument, and the notice before each collection.
//!
//! Notice: a PAD agreement for a plan promises a written notice of each later debit at least
//! 10 calendar days before it (Payments Canada Rule H1), and waives it for the first, collected
//! at confirmation; ACH and card plans promise a reminder email 3 days before each collection.

use crate::domain::bank::HolderType;
use crate::domain::installments::Schedule;
use crate::domain::money::{Currency, Money};
use crate::domain::payment::PaymentMethodKind;

/// Days before a later collection its reminder (ACH, cards) or notice (PAD) goes out.
pub fn notice_days(method: PaymentMethodKind) -> i64 {
    match method {
        PaymentMethodKind::CaPad => 10,
        PaymentMethodKind::UsAch | PaymentMethodKind::CaEft | PaymentMethodKind::Card => 3,
    }
}

/// What the agreement speaks of. `dates` are the schedule's dates as people read them, one
/// for each installment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementTerms<'a> {
    pub merchant_name: &'a str,
    pub merchant_email: &'a str,
    pub method: PaymentMethodKind,
    pub instrument_label: &'a str,
    pub holder: Option<HolderType>,
    pub schedule: &'a Schedule,
    pub dates: &'a [String],
}

/// The exact text of the agreement; the same text is shown and recorded.
pub fn agreement_text(terms: &AgreementTerms<'_>) -> String {
    let AgreementTerms {
        merchant_name,
        merchant_email,
        method,
        instrument_label,
        holder,
        schedule,
        dates,
    } = terms;
    let payments: Vec<String> = schedule
        .installments
        .iter()
        .zip(dates.iter())
        .map(|(installment, date)| format!("{} on {date}", installment.amount))
        .collect();
    let count = schedule.installments.len();
    let fee = if schedule.fee.is_zero() {
        "There is no fee.".to_owned()
    } else {
        format!(
            "This includes a fee of {} ({} of {}).",
            schedule.fee,
            schedule.term.fee_percent(),
            schedule.principal
        )
    };
    let how = match method {
        PaymentMethodKind::Card => format!(
            "Each payment is a charge to {instrument_label}. I will get a reminder email 3 days \
             before each later charge."
        ),
        PaymentMethodKind::UsAch | PaymentMethodKind::CaEft => {
            let class = holder.unwrap_or(HolderType::Personal).ach_entry_class();
            format!(
                "Each payment is a {class} ACH debit from {instrument_label} under the NACHA \
                 Operating Rules; if a debit is made in error, {merchant_name} may credit the \
                 account to correct it. I will get a reminder email 3 days before each later \
                 debit."
            )
        }
        PaymentMethodKind::CaPad => {
            let category = match holder.unwrap_or(HolderType::Personal) {
                HolderType::Business => "a business PAD",
                HolderType::Personal => "a personal PAD",
            };
            format!(
                "Each payment is a debit from {instrument_label}, {category} under Payments \
                 Canada Rule H1. I will receive written notice of each later debit by email at \
                 least 10 calendar days before it; I waive notice of the first, collected today. \
                 I have certain recourse rights if a debit does not comply with this agreement: \
                 for example, the right to receive reimbursement for a debit that is not \
                 authorized or not consistent with this agreement. For more on my recourse \
                 rights I may contact my financial institution or visit payments.ca."
            )
        }
    };
    format!(
        "I authorize {merchant_name} to collect {total} in {count} payments: {list}. {fee} The \
         first payment is collected today and each later one on its date. {how} If a payment \
         fails for lack of funds it is tried again up to 2 times, 3 days apart. I may cancel \
         this agreement, or change the card or account used for the payments still to come, \
         from the billing link or by writing to {merchant_name} at {merchant_email} at least 3 \
         business days before a payment; cancelling does not cancel what I owe, which becomes \
         payable at once.",
        total = schedule.total,
        list = payments.join(", "),
    )
}

/// What the customer agrees to when the rest of a plan moves to another card: every payment
/// still to come, `(date as people read it, amount)`, instead of from `replaced`.
pub fn method_change_text(
    merchant_name: &str,
    replaced: &str,
    remaining: &[(String, Money)],
) -> String {
    let list: Vec<String> = remaining
        .iter()
        .map(|(date, amount)| format!("{amount} on {date}"))
        .collect();
    format!(
        "I authorize {merchant_name} to charge the card entered above, instead of {replaced}, \
         for the payments still to come on my installment plan: {}. Each is collected on its \
         date, after a reminder email; the rest of my installment agreement stays as it was.",
        list.join(", ")
    )
}

/// What is collected at confirmation, as the button says it: `Pay $225.00 today` (with the
/// currency code after a Canadian amount, as step 8's other button).
pub fn pay_today_label(first: Money) -> String {
    format!("Pay {} today", dollars(first))
}

/// The label of the button that pays off the rest of a plan: "Pay $675.00 now".
pub fn pay_now_label(rest: Money) -> String {
    format!("Pay {} now", dollars(rest))
}

/// "$225.00", or "$225.00 CAD": the amount as the buttons say it.
fn dollars(amount: Money) -> String {
    match amount.currency() {
        Currency::Usd => format!("${}", amount.to_grouped_string()),
        Currency::Cad => format!("${} CAD", amount.to_grouped_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::BankCalendar;
    use crate::domain::installments::{PlanTerm, TermDays};
    use crate::domain::money::AmountSyntax;
    use time::macros::date;

    fn schedule(currency: Currency) -> Schedule {
        Schedule::build(
            Money::parse("900.00", currency, AmountSyntax::Plain).unwrap(),
            &PlanTerm::standard(TermDays::parse(90).unwrap()),
            date!(2026 - 12 - 02),
            BankCalendar::UsFederalReserve,
        )
        .unwrap()
    }

    fn dates() -> Vec<String> {
        ["Dec 2, 2026", "Jan 4, 2027", "Feb 1, 2027", "Mar 2, 2027"]
            .map(str::to_owned)
            .to_vec()
    }

    #[test]
    fn the_agreement_lists_every_payment_and_how_to_cancel() {
        let schedule = schedule(Currency::Usd);
        let dates = dates();
        let text = agreement_text(&AgreementTerms {
            merchant_name: "Northwind",
            merchant_email: "billing@northwind.example",
            method: PaymentMethodKind::Card,
            instrument_label: "Visa •••• 4242",
            holder: None,
            schedule: &schedule,
            dates: &dates,
        });
        assert!(text.contains("900.00 USD in 4 payments"), "{text}");
        assert!(text.contains("225.00 USD on Mar 2, 2027"), "{text}");
        assert!(text.contains("There is no fee."));
        assert!(text.contains("reminder email 3 days"));
        assert!(text.contains("billing@northwind.example"));
        assert_eq!(
            pay_today_label(schedule.first_amount()),
            "Pay $225.00 today"
        );
    }

    #[test]
    fn a_change_of_card_lists_what_is_left_and_the_pay_off_button_says_how_much() {
        let money = |text| Money::parse(text, Currency::Cad, AmountSyntax::Plain).unwrap();
        let text = method_change_text(
            "Maple",
            "Bank account •••• 1113",
            &[
                ("Jan 4, 2027".to_owned(), money("225.00")),
                ("Feb 1, 2027".to_owned(), money("225.00")),
            ],
        );
        assert!(text.contains("instead of Bank account •••• 1113"), "{text}");
        assert!(
            text.contains("225.00 CAD on Jan 4, 2027, 225.00 CAD on Feb 1, 2027"),
            "{text}"
        );
        assert_eq!(pay_now_label(money("1450.00")), "Pay $1,450.00 CAD now");
    }

    #[test]
    fn a_pad_agreement_promises_ten_days_notice_and_waives_it_for_the_first_debit() {
        let schedule = schedule(Currency::Cad);
        let dates = dates();
        let text = agreement_text(&AgreementTerms {
            merchant_name: "Maple",
            merchant_email: "ar@maple.example",
            method: PaymentMethodKind::CaPad,
            instrument_label: "Bank account •••• 6789",
            holder: Some(HolderType::Business),
            schedule: &schedule,
            dates: &dates,
        });
        assert!(text.contains("a business PAD"));
        assert!(text.contains("at least 10 calendar days before it"));
        assert!(text.contains("I waive notice of the first"));
        assert!(text.contains("recourse rights"));
        assert_eq!(notice_days(PaymentMethodKind::CaPad), 10);
        assert_eq!(notice_days(PaymentMethodKind::Card), 3);
    }
}
