//! The outbox: side effects are jobs written with the change that causes them, run once by
//! whichever worker holds their lease, retried with back-off, dead-lettered, and retried by
//! hand. The background worker is off in tests; each test runs the due jobs itself.

use crate::helpers::{TestApp, both_databases};
use app::domain::bank::{AccountNumber, AccountType, HolderType, RoutingNumber};
use app::domain::idempotency::IdempotencyKey;
use app::domain::ids::{CustomerId, InvoiceId, MerchantId, PaymentId};
use app::domain::merchant::MerchantSlug;
use app::domain::money::{AmountSyntax, Currency, Money};
use app::domain::payment::{PaymentMethodKind, PaymentStatus};
use app::services::bank_accounts::{BankRouting, NewBankAccount};
use app::services::jobs::{self, Job, NewJob, OutgoingEmail};
use app::services::payments::{self, Announce, NewAllocation, NewPayment, Outcome, PaymentDetails};
use serde_json::json;

const SLUG: &str = "northwind";

async fn northwind(app: &TestApp) -> MerchantId {
    app::services::merchants::find_id(&app.db, &MerchantSlug::parse(SLUG).unwrap())
        .await
        .unwrap()
        .unwrap()
}

/// A pending payment of 40.00 USD for a new invoice of a new Northwind customer, paid by
/// `method` from `instrument`, recorded `age` ago.
async fn pending_payment(
    app: &TestApp,
    method: PaymentMethodKind,
    instrument: &str,
    age: time::Duration,
) -> (MerchantId, PaymentId, String) {
    let key = server::admin::create_api_key(&app.db, SLUG)
        .await
        .unwrap()
        .api_key;
    let customer = app
        .api_post(
            &key,
            "/customers",
            &json!({"name": "Tyrell Corp", "email": "pay@tyrell.example", "country": "US"}),
        )
        .await
        .id();
    let invoice = app
        .api_post(
            &key,
            "/invoices",
            &json!({"customer_id": customer, "number": "IN-1", "currency": "USD", "total": "40.00",
                    "issued_on": "2026-11-01", "due_on": "2026-12-01"}),
        )
        .await
        .id();
    let merchant = northwind(app).await;
    let amount = Money::parse("40.00", Currency::Usd, AmountSyntax::Plain).unwrap();
    let recorded = payments::record(
        &app.db,
        merchant,
        &NewPayment {
            customer: CustomerId::parse(&customer).unwrap(),
            method,
            amount,
            allocations: vec![NewAllocation {
                invoice: InvoiceId::parse(&invoice).unwrap(),
                amount,
            }],
            idempotency_key: IdempotencyKey::parse(&uuid::Uuid::new_v4().to_string()).unwrap(),
            processor_reference: None,
            details: PaymentDetails {
                payer_email: Some("pay@tyrell.example".to_owned()),
                instrument: Some(instrument.to_owned()),
                instrument_label: Some("Visa •••• 4242".to_owned()),
                authorization: None,
            },
        },
    )
    .await
    .unwrap();
    let payment = recorded.payment().id;
    let created = app::services::clock::timestamp_text(app::services::clock::now() - age);
    sqlx::query("UPDATE payments SET created_at = $1 WHERE id = $2")
        .bind(created)
        .bind(payment.to_string())
        .execute(app.db.pool())
        .await
        .unwrap();
    (merchant, payment, invoice)
}

fn email(to: &str, subject: &str) -> Job {
    Job::Email(OutgoingEmail {
        sender_name: "Northwind IT Services".to_owned(),
        to: to.to_owned(),
        reply_to: None,
        subject: subject.to_owned(),
        body: "Hello".to_owned(),
        html_body: None,
        send_before: None,
    })
}

async fn enqueue(app: &TestApp, job: &Job) -> String {
    let mut connection = app.db.pool().acquire().await.unwrap();
    jobs::enqueue(&mut connection, NewJob::new(job).unwrap())
        .await
        .unwrap()
        .to_string()
}

async fn job_row(app: &TestApp, id: &str) -> (String, i64, Option<String>) {
    sqlx::query_as("SELECT status, attempts, last_error FROM jobs WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

/// Runs the recurring jobs a new server seeds as due, so that a test counts only its own.
async fn settle_recurring_jobs(app: &TestApp) {
    app.run_jobs().await;
}

/// Makes every queued job due now, as if its back-off or period had passed.
pub(crate) async fn make_everything_due(app: &TestApp) {
    sqlx::query("UPDATE jobs SET run_at = $1 WHERE status = 'queued'")
        .bind(app::services::clock::timestamp_text(
            app::services::clock::now() - time::Duration::seconds(1),
        ))
        .execute(app.db.pool())
        .await
        .unwrap();
}

/// Every email in the outbox, one text each.
pub(crate) fn outbox_texts(app: &TestApp) -> Vec<String> {
    std::fs::read_dir(app.data_dir.path().join("outbox"))
        .map(|entries| {
            entries
                .filter_map(|entry| std::fs::read_to_string(entry.ok()?.path()).ok())
                .collect()
        })
        .unwrap_or_default()
}

/// Runs `portico ARGS` against this server's database, as an operator would.
fn portico(app: &TestApp, database_url: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("PORTICO_DATA_DIR", app.data_dir.path())
        .output()
        .expect("the portico binary runs")
}

both_databases! {
    async fn a_status_change_and_its_emails_commit_together_and_survive_a_restart(app: TestApp) {
        settle_recurring_jobs(&app).await;
        let (merchant, payment, _) =
            pending_payment(&app, PaymentMethodKind::Card, "tok_unused", time::Duration::ZERO).await;
        payments::transition(&app.db, merchant, payment, PaymentStatus::Succeeded, &Outcome::default(), Announce::PayerAndMerchant)
            .await
            .unwrap();
        // The server stops before any worker ran: the emails wait in the database.
        assert!(outbox_texts(&app).is_empty());
        let app = app.restart(&[]).await;

        let report = app.run_jobs().await;
        assert_eq!(report.done, 2, "{report:?}");
        let sent = outbox_texts(&app);
        assert_eq!(sent.len(), 2);
        assert!(sent.iter().any(|text| text.contains("To: pay@tyrell.example") && text.contains("Receipt for your payment to Northwind IT Services")));
        assert!(sent.iter().any(|text| text.contains("To: billing@northwind.example") && text.contains("Payment received: 40.00 USD")));
        for text in &sent {
            assert!(text.contains(&format!("Confirmation number: {payment}")));
        }

        // Done jobs do not run again.
        assert_eq!(app.run_jobs().await.done, 0);
        assert_eq!(outbox_texts(&app).len(), 2);
    }

    async fn a_status_change_told_to_nobody_queues_no_email(app: TestApp) {
        let (merchant, payment, _) =
            pending_payment(&app, PaymentMethodKind::Card, "tok_unused", time::Duration::ZERO).await;
        payments::set_status(&app.db, merchant, payment, PaymentStatus::Processing).await.unwrap();
        let (queued,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM jobs WHERE kind = 'payment_email'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(queued, 0);
    }

    async fn a_job_whose_worker_died_is_run_again_after_its_lease_and_sent_once(app: TestApp) {
        settle_recurring_jobs(&app).await;
        let id = enqueue(&app, &email("ap@globex.example", "Lease test")).await;
        // A worker claims the job and dies: it is neither done nor free to take yet.
        let keys = app::services::keys::Keys::new(&[9; 32]);
        let dead_worker = jobs::claim_due(&app.db, &keys, 10, time::Duration::minutes(2)).await.unwrap();
        assert_eq!(dead_worker.len(), 1);
        assert_eq!(app.run_jobs().await.done, 0, "the lease still holds");
        assert!(outbox_texts(&app).is_empty());

        sqlx::query("UPDATE jobs SET lease_until = $1 WHERE id = $2")
            .bind(app::services::clock::timestamp_text(app::services::clock::now() - time::Duration::seconds(1)))
            .bind(&id)
            .execute(app.db.pool())
            .await
            .unwrap();
        assert_eq!(app.run_jobs().await.done, 1, "taken again once the lease ran out");
        assert_eq!(job_row(&app, &id).await.0, "done");
        assert_eq!(job_row(&app, &id).await.1, 2, "both runs are counted");

        // The dead worker wakes up: its report changes nothing.
        let late = jobs::complete(&app.db, &dead_worker[0]).await.unwrap();
        assert_eq!(late, jobs::Reported::LeaseLost);
        let sent = outbox_texts(&app);
        assert_eq!(sent.len(), 1);
        assert!(sent[0].contains(&format!("Message-ID: <{id}@localhost>")), "{}", sent[0]);
    }

    async fn two_workers_side_by_side_run_each_job_exactly_once(app: TestApp) {
        settle_recurring_jobs(&app).await;
        for number in 0..40 {
            enqueue(&app, &email(&format!("buyer{number}@globex.example"), &format!("Invoice {number}"))).await;
        }
        let other = app.worker.clone();
        let (first, second) = tokio::join!(app.worker.run_due(), other.run_due());
        let (first, second) = (first.unwrap(), second.unwrap());
        assert_eq!(first.done + second.done, 40, "{first:?} {second:?}");
        let sent = outbox_texts(&app);
        assert_eq!(sent.len(), 40);
        for number in 0..40 {
            let to = format!("To: buyer{number}@globex.example");
            assert_eq!(sent.iter().filter(|text| text.contains(&to)).count(), 1, "{to}");
        }
        let (done,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM jobs WHERE kind = 'email' AND status = 'done' AND attempts = 1")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(done, 40);
    }

    async fn an_expired_code_is_not_emailed_late(app: TestApp) {
        let mut late = match email("ap@globex.example", "Your sign-in code") {
            Job::Email(email) => email,
            _ => unreachable!(),
        };
        late.send_before = Some(app::services::clock::timestamp_text(app::services::clock::now() - time::Duration::minutes(1)));
        let id = enqueue(&app, &Job::Email(late)).await;
        assert_eq!(app.run_jobs().await.dead, 1);
        assert!(outbox_texts(&app).is_empty());
        let (status, _, error) = job_row(&app, &id).await;
        assert_eq!(status, "dead");
        assert!(error.unwrap().contains("no use any more"));
    }

    async fn a_sign_in_code_waits_in_the_database_sealed(app: TestApp) {
        let browser = crate::helpers::Browser::new(&app);
        crate::sign_in::ask_for_code(&browser, "ap@globex.example").await;
        let (payload,): (String,) = sqlx::query_as("SELECT payload FROM jobs WHERE kind = 'email'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert!(payload.starts_with("sealed:"));
        assert!(!payload.contains("ap@globex.example"), "not even the address is readable");
        let code = app.latest_code("ap@globex.example").await;
        assert!(!payload.contains(&code));
        let (payload,): (String,) = sqlx::query_as("SELECT payload FROM jobs WHERE kind = 'email'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(payload, "", "a sent code is forgotten");
    }

    async fn housekeeping_deletes_old_records_and_keeps_dead_jobs(app: TestApp) {
        let old = app::services::clock::timestamp_text(app::services::clock::now() - time::Duration::days(8));
        let done = enqueue(&app, &email("a@globex.example", "old")).await;
        let dead = enqueue(&app, &email("b@globex.example", "dead")).await;
        sqlx::query("UPDATE jobs SET status = 'done', finished_at = $1 WHERE id = $2")
            .bind(&old)
            .bind(&done)
            .execute(app.db.pool())
            .await
            .unwrap();
        sqlx::query("UPDATE jobs SET status = 'dead', finished_at = $1 WHERE id = $2")
            .bind(&old)
            .bind(&dead)
            .execute(app.db.pool())
            .await
            .unwrap();
        let merchant = northwind(&app).await;
        sqlx::query("INSERT INTO idempotent_requests (merchant_id, idempotency_key, request_fingerprint, created_at) VALUES ($1, 'old-key', 'x', $2)")
            .bind(merchant.to_string())
            .bind(&old)
            .execute(app.db.pool())
            .await
            .unwrap();

        make_everything_due(&app).await;
        app.run_jobs().await;

        let (done_left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM jobs WHERE id = $1").bind(&done).fetch_one(app.db.pool()).await.unwrap();
        let (dead_left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM jobs WHERE id = $1").bind(&dead).fetch_one(app.db.pool()).await.unwrap();
        let (keys_left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM idempotent_requests WHERE idempotency_key = 'old-key'").fetch_one(app.db.pool()).await.unwrap();
        assert_eq!((done_left, dead_left, keys_left), (0, 1, 0));
        let (recurring,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM jobs WHERE kind = 'housekeeping' AND status = 'queued'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(recurring, 1, "the recurring job is queued for its next run");
    }

    async fn a_pending_debit_from_an_account_closed_since_is_failed_not_debited(app: TestApp) {
        let merchant = northwind(&app).await;
        let (_, payment, invoice) =
            pending_payment(&app, PaymentMethodKind::UsAch, "not-yet", time::Duration::minutes(5)).await;
        let customer = payments::get(&app.db, merchant, payment).await.unwrap().customer;
        let account = app::services::bank_accounts::add(
            &app.db,
            &app::services::keys::Keys::new(&[1; 32]),
            merchant,
            &NewBankAccount {
                customer,
                routing: BankRouting::Us(RoutingNumber::parse("110000000").unwrap()),
                account: AccountNumber::parse_us("000123456789").unwrap(),
                account_type: AccountType::Checking,
                holder: HolderType::Business,
                saved: false,
            },
        )
        .await
        .unwrap()
        .id;
        sqlx::query("UPDATE payments SET instrument = $1 WHERE id = $2")
            .bind(account.to_string())
            .bind(payment.to_string())
            .execute(app.db.pool())
            .await
            .unwrap();
        app::services::bank_accounts::block(&app.db, merchant, &account, "R02").await.unwrap();

        make_everything_due(&app).await;
        app.run_jobs().await;

        let failed = payments::get(&app.db, merchant, payment).await.unwrap();
        assert_eq!(failed.status, PaymentStatus::Failed);
        assert!(failed.failure_reason.unwrap().contains("R02"));
        let (debits,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sandbox_debits").fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(debits, 0, "a closed account is never debited");
        let key = server::admin::create_api_key(&app.db, SLUG).await.unwrap().api_key;
        assert_eq!(app.api_get(&key, &format!("/invoices/{invoice}")).await.ok(200)["balance_due"], "40.00");
        assert!(outbox_texts(&app).iter().any(|text| text.contains("did not go through")));
    }

    async fn a_stuck_payment_is_failed_only_past_its_deadline_and_only_when_the_processor_holds_nothing(app: TestApp) {
        let merchant = northwind(&app).await;
        // The processor does not know the token: every charge attempt fails.
        let (_, recent, _) =
            pending_payment(&app, PaymentMethodKind::Card, "tok_unknown", time::Duration::minutes(10)).await;
        make_everything_due(&app).await;
        app.run_jobs().await;
        assert_eq!(payments::get(&app.db, merchant, recent).await.unwrap().status, PaymentStatus::Pending, "before its deadline it is tried again later");

        sqlx::query("UPDATE payments SET created_at = $1 WHERE id = $2")
            .bind(app::services::clock::timestamp_text(app::services::clock::now() - time::Duration::hours(2)))
            .bind(recent.to_string())
            .execute(app.db.pool())
            .await
            .unwrap();
        make_everything_due(&app).await;
        app.run_jobs().await;
        let failed = payments::get(&app.db, merchant, recent).await.unwrap();
        assert_eq!(failed.status, PaymentStatus::Failed, "the processor holds no charge for it");
    }

    async fn a_stuck_payment_the_processor_charged_succeeds_and_is_not_charged_again(app: TestApp) {
        use app::services::processors::{CardDetails, PaymentProcessor as _};
        let merchant = northwind(&app).await;
        let processor = &app.worker.payments.processor;
        let number = app::domain::card::CardNumber::parse("4242424242424242").unwrap();
        let card = processor
            .tokenize_card(merchant, &CardDetails {
                number: &number,
                expiry: app::domain::card::Expiry::parse("12/30", (2026, 11)).unwrap(),
                security_code: &app::domain::card::SecurityCode::parse("123", number.brand()).unwrap(),
                name: "Pat Payer",
                postal_code: "73301",
            })
            .await
            .unwrap();
        let (_, payment, _) = pending_payment(&app, PaymentMethodKind::Card, &card.token, time::Duration::hours(2)).await;
        // The card was charged before the confirm stopped; since then the token was retired, so
        // driving the payment on fails and the worker must ask the processor what it did.
        let amount = Money::parse("40.00", Currency::Usd, AmountSyntax::Plain).unwrap();
        processor.charge_card(merchant, payment, &card.token, amount).await.unwrap();
        sqlx::query("DELETE FROM sandbox_card_tokens").execute(app.db.pool()).await.unwrap();

        let report = app::services::checkout::finish_stale_pending(&app.worker.payments).await.unwrap();
        assert_eq!(report.finished, 1);
        assert!(report.unresolved.is_empty());
        assert_eq!(payments::get(&app.db, merchant, payment).await.unwrap().status, PaymentStatus::Succeeded, "the charge the processor made stands");
        let (charges,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sandbox_charges").fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(charges, 1, "nothing is charged again");
    }

    async fn a_stuck_payment_whose_fate_the_processor_cannot_tell_stays_pending_and_is_reported(app: TestApp) {
        let merchant = northwind(&app).await;
        let (_, payment, _) = pending_payment(&app, PaymentMethodKind::Card, "tok_unknown", time::Duration::hours(2)).await;
        // The processor's records are out of reach: neither a charge nor a lookup answers.
        sqlx::query("ALTER TABLE sandbox_charges RENAME TO sandbox_charges_away").execute(app.db.pool()).await.unwrap();

        let report = app::services::checkout::finish_stale_pending(&app.worker.payments).await.unwrap();
        assert_eq!(report.unresolved, vec![(merchant, payment)]);
        assert_eq!(
            payments::get(&app.db, merchant, payment).await.unwrap().status,
            PaymentStatus::Pending,
            "never failed on a guess: it keeps holding its invoice's balance"
        );
    }

    async fn a_failing_mail_server_backs_off_then_dead_letters_and_the_cli_retries(app: TestApp) {
        // A port nothing listens on: every SMTP connection is refused.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let database_url = app.database_url().to_owned();
        let app = app.restart(&[("SMTP_URL", &format!("smtp://127.0.0.1:{closed}"))]).await;
        let id = enqueue(&app, &email("ap@globex.example", "Never arrives")).await;

        let first = app.run_jobs().await;
        assert_eq!(first.retried, 1, "{first:?}");
        let (status, attempts, error) = job_row(&app, &id).await;
        assert_eq!((status.as_str(), attempts), ("queued", 1));
        assert!(error.unwrap().contains("SMTP"), "the error is kept");
        let (run_at,): (String,) = sqlx::query_as("SELECT run_at FROM jobs WHERE id = $1").bind(&id).fetch_one(app.db.pool()).await.unwrap();
        assert!(run_at > app::services::clock::timestamp_text(app::services::clock::now()), "it waits for its back-off");

        for _ in 1..app::domain::backoff::MAX_ATTEMPTS {
            make_everything_due(&app).await;
            app.run_jobs().await;
        }
        assert_eq!(job_row(&app, &id).await.0, "dead");

        let listed = portico(&app, &database_url, &["jobs"]);
        assert!(listed.status.success(), "{}", String::from_utf8_lossy(&listed.stderr));
        let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
        assert_eq!(listed["counts"]["dead"], 1);
        assert!(listed["jobs"].as_array().unwrap().iter().any(|job| job["id"] == id.as_str() && job["status"] == "dead"));

        let retried = portico(&app, &database_url, &["jobs", "retry", &id]);
        assert!(retried.status.success(), "{}", String::from_utf8_lossy(&retried.stderr));
        assert_eq!(job_row(&app, &id).await.0, "queued");
        let again = portico(&app, &database_url, &["jobs", "retry", &id]);
        assert!(!again.status.success());
        assert!(String::from_utf8_lossy(&again.stderr).contains("not dead"));
        let nonsense = portico(&app, &database_url, &["jobs", "retry", "42"]);
        assert!(String::from_utf8_lossy(&nonsense.stderr).contains("not a job id"));
    }
}

#[tokio::test]
async fn the_background_worker_sends_a_code_without_being_asked() {
    let app = TestApp::spawn_with(
        crate::helpers::TestDb::Sqlite,
        &[("PORTICO_BACKGROUND_JOBS", "on")],
    )
    .await
    .unwrap();
    let browser = crate::helpers::Browser::new(&app);
    crate::sign_in::ask_for_code(&browser, "ap@globex.example").await;
    // Bounded: the worker looks every half second; ten seconds is a stopped worker, not a slow one.
    for _ in 0..100 {
        if outbox_texts(&app)
            .iter()
            .any(|text| text.contains("Your sign-in code to pay"))
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the background worker did not send the code");
}
