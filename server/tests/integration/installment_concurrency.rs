//! Two server instances collect the same 1,000 due installments from one PostgreSQL database
//! at once: each installment is claimed by exactly one of them and charged exactly once.

use crate::helpers::{TestApp, TestDb};
use app::domain::calendar::BankCalendar;
use app::domain::card::{CardNumber, Expiry, SecurityCode};
use app::domain::checkout::{Instrument, SelectedInvoice};
use app::domain::email::EmailAddress;
use app::domain::idempotency::IdempotencyKey;
use app::domain::installments::{PlanTerm, Schedule, TermDays};
use app::domain::merchant::{Country, MerchantSlug};
use app::domain::money::{AmountSyntax, Currency, Money};
use app::domain::payment::PaymentMethodKind;
use app::domain::text::{InvoiceNumber, LegalName};
use app::services::checkout::collect_due_installments;
use app::services::customers::{self, NewCustomer};
use app::services::installment_plans::{self, NewPlan};
use app::services::invoices::{self, NewInvoice};
use app::services::merchants;
use app::services::payments::NewAuthorization;
use app::services::processors::sandbox::Sandbox;
use app::services::processors::{CardDetails, PaymentProcessor};
use time::macros::date;

const PLANS: usize = 1_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_collect_a_thousand_due_installments_exactly_once() {
    let Some(first) = TestApp::spawn(TestDb::Postgres).await else {
        return;
    };
    let second = first.beside().await;
    let db = &first.db;
    let slug = MerchantSlug::parse("northwind").unwrap();
    let merchant = merchants::find_id(db, &slug).await.unwrap().unwrap();
    let customer = customers::create(
        db,
        merchant,
        &NewCustomer {
            legal_name: LegalName::parse("Many Plans Inc.").unwrap(),
            country: Country::UnitedStates,
            contact: EmailAddress::parse("ap@many-plans.example").unwrap(),
            external_id: None,
        },
    )
    .await
    .unwrap()
    .id;
    let number = CardNumber::parse("4242424242424242").unwrap();
    let code = SecurityCode::parse("123", number.brand()).unwrap();
    let sandbox = Sandbox::new(db.clone());
    let card = sandbox
        .tokenize_card(
            merchant,
            &CardDetails {
                number: &number,
                expiry: Expiry::parse("12/30", (2026, 11)).unwrap(),
                security_code: &code,
                name: "Test Payer",
                postal_code: "73301",
            },
        )
        .await
        .unwrap();
    let instrument = Instrument::Card {
        token: card.token,
        brand: card.brand,
        last_four: card.last_four,
        expiry: card.expiry,
    };
    let today = sandbox.today().await.unwrap();
    let principal = Money::parse("200.00", Currency::Usd, AmountSyntax::Plain).unwrap();
    let schedule = Schedule::build(
        principal,
        &PlanTerm::standard(TermDays::try_from(30).unwrap()),
        today,
        BankCalendar::of(Country::UnitedStates),
    )
    .unwrap();
    assert_eq!(schedule.installments.len(), 2, "30 days, 2 payments");
    for n in 0..PLANS {
        let invoice = invoices::create(
            db,
            merchant,
            &NewInvoice {
                customer,
                number: InvoiceNumber::parse(&format!("MANY-{n}")).unwrap(),
                total: principal,
                issued_on: date!(2026 - 11 - 01),
                due_on: date!(2026 - 12 - 01),
                memo: None,
                line_items: Vec::new(),
                external_id: None,
            },
        )
        .await
        .unwrap()
        .invoice;
        installment_plans::make(
            db,
            merchant,
            &NewPlan {
                customer,
                payer_email: "ap@many-plans.example".to_owned(),
                method: PaymentMethodKind::Card,
                instrument: instrument.clone(),
                schedule: schedule.clone(),
                invoices: vec![SelectedInvoice {
                    invoice: invoice.id,
                    number: invoice.number.to_string(),
                    amount: principal,
                }],
                key: IdempotencyKey::parse(&uuid::Uuid::new_v4().to_string()).unwrap(),
                agreement: NewAuthorization {
                    text: "I agree to the installment plan.".to_owned(),
                    client_address: "127.0.0.1".to_owned(),
                },
            },
        )
        .await
        .unwrap();
    }
    sandbox.advance_clock(31).await.unwrap();

    let (by_first, by_second) = tokio::join!(
        collect_due_installments(&first.worker.payments),
        collect_due_installments(&second.worker.payments),
    );
    let (by_first, by_second) = (by_first.unwrap(), by_second.unwrap());
    println!(
        "first instance collected {}, second {}",
        by_first.collected, by_second.collected
    );
    assert_eq!(by_first.collected + by_second.collected, PLANS);

    let (collected,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM installments WHERE position = 1 AND status = 'collected'",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(collected, PLANS as i64);
    let doubled: Vec<(String,)> = sqlx::query_as(
        "SELECT p.plan_id FROM payments p JOIN sandbox_charges c ON c.payment_id = p.id \
         WHERE p.installment_position = 1 GROUP BY p.plan_id HAVING COUNT(*) <> 1",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    assert!(doubled.is_empty(), "charged other than once: {doubled:?}");
    let (charges,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM payments p JOIN sandbox_charges c ON c.payment_id = p.id \
         WHERE p.installment_position = 1 AND p.status = 'succeeded'",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(charges, PLANS as i64);

    // A second sweep by either instance finds nothing left to collect.
    let again = collect_due_installments(&second.worker.payments)
        .await
        .unwrap();
    assert_eq!(again.collected, 0);
    let database_url = first.database_url().to_owned();
    drop((first, second));
    crate::helpers::drop_postgres_database(&database_url).await;
}
