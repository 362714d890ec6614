//! `/api/v1/invoices`, end to end: creation, balances derived from payments, status filters,
//! voiding.

use crate::helpers::{TestApp, TestMerchant, both_databases};
use app::domain::idempotency::IdempotencyKey;
use app::domain::ids::{CustomerId, InvoiceId, PaymentId};
use app::domain::money::{AmountSyntax, Currency, Money};
use app::domain::payment::{PaymentMethodKind, PaymentStatus};
use app::services::payments::{self, NewAllocation, NewPayment};
use serde_json::{Value, json};

pub async fn new_customer(app: &TestApp, merchant: &TestMerchant, email: &str) -> String {
    app.api_post(
        &merchant.api_key,
        "/customers",
        &json!({"name": "Globex", "email": email, "country": "US"}),
    )
    .await
    .id()
}

pub async fn new_invoice(
    app: &TestApp,
    merchant: &TestMerchant,
    customer: &str,
    number: &str,
    total: &str,
) -> Value {
    app.api_post(
        &merchant.api_key,
        "/invoices",
        &json!({
            "customer_id": customer,
            "number": number,
            "currency": "USD",
            "total": total,
            "issued_on": "2026-11-01",
            "due_on": "2026-12-01",
        }),
    )
    .await
    .ok(201)
    .clone()
}

pub fn usd(text: &str) -> Money {
    Money::parse(text, Currency::Usd, AmountSyntax::Plain).unwrap()
}

/// Records a pending ACH payment of `amount` against one invoice, through the payment service.
pub async fn pay(
    app: &TestApp,
    merchant: &TestMerchant,
    customer: &str,
    invoice: &Value,
    amount: &str,
) -> PaymentId {
    let recorded = payments::record(
        &app.db,
        merchant.id,
        &NewPayment {
            customer: CustomerId::parse(customer).unwrap(),
            method: PaymentMethodKind::UsAch,
            amount: usd(amount),
            allocations: vec![NewAllocation {
                invoice: InvoiceId::parse(invoice["id"].as_str().unwrap()).unwrap(),
                amount: usd(amount),
            }],
            idempotency_key: IdempotencyKey::parse(&uuid::Uuid::new_v4().to_string()).unwrap(),
            processor_reference: None,
            details: Default::default(),
        },
    )
    .await
    .expect("the payment is recorded");
    recorded.payment().id
}

pub async fn settle(app: &TestApp, merchant: &TestMerchant, payment: PaymentId) {
    payments::set_status(&app.db, merchant.id, payment, PaymentStatus::Processing)
        .await
        .unwrap();
    payments::set_status(&app.db, merchant.id, payment, PaymentStatus::Succeeded)
        .await
        .unwrap();
}

async fn read(app: &TestApp, merchant: &TestMerchant, invoice: &Value) -> Value {
    app.api_get(
        &merchant.api_key,
        &format!("/invoices/{}", invoice["id"].as_str().unwrap()),
    )
    .await
    .ok(200)
    .clone()
}

both_databases! {
    async fn an_invoice_is_created_and_its_balance_read_back(app: TestApp) {
        let merchant = app.merchant("acme", "US").await;
        let customer = new_customer(&app, &merchant, "ap@globex.example").await;
        let created = app
            .api_post(&merchant.api_key, "/invoices", &json!({
                "customer_id": customer,
                "number": "INV-1042",
                "currency": "USD",
                "total": "1250.5",
                "issued_on": "2026-11-01",
                "due_on": "2026-12-01",
                "memo": "PO 4471",
                "external_id": "QB-INV-9",
                "line_items": [
                    {"description": "Support hours", "quantity": "1.5", "unit_price": "0.05"},
                    {"description": "Managed services", "quantity": "1", "unit_price": "1250.42"},
                ],
            }))
            .await;
        let body = created.ok(201);
        assert_eq!(body["status"], "open");
        assert_eq!(body["total"], "1250.50");
        assert_eq!(body["balance_due"], "1250.50");
        assert_eq!(body["amount_processing"], "0.00");
        assert_eq!(body["line_items"][0]["amount"], "0.08", "1.5 × 0.05 rounds half-up");
        assert_eq!(body["allocations"], json!([]));
        let read = app.api_get(&merchant.api_key, &format!("/invoices/{}", created.id())).await;
        assert_eq!(read.ok(200), body);
    }

    async fn a_partly_paid_invoice_stays_outstanding_and_a_return_reopens_it(app: TestApp) {
        let merchant = app.merchant("acme", "US").await;
        let customer = new_customer(&app, &merchant, "ap@globex.example").await;
        let invoice = new_invoice(&app, &merchant, &customer, "INV-1", "1000.00").await;

        let first = pay(&app, &merchant, &customer, &invoice, "400.00").await;
        let after_first = read(&app, &merchant, &invoice).await;
        assert_eq!(after_first["status"], "partially_paid");
        assert_eq!(after_first["balance_due"], "600.00");
        assert_eq!(after_first["amount_processing"], "400.00");

        let second = pay(&app, &merchant, &customer, &invoice, "600.00").await;
        settle(&app, &merchant, first).await;
        let covered = read(&app, &merchant, &invoice).await;
        assert_eq!(covered["status"], "processing", "covered but not settled is never paid");
        assert_eq!(covered["balance_due"], "0.00");
        assert_eq!(covered["amount_processing"], "600.00");

        settle(&app, &merchant, second).await;
        let paid = read(&app, &merchant, &invoice).await;
        assert_eq!(paid["status"], "paid");
        assert_eq!(paid["allocations"].as_array().unwrap().len(), 2);

        payments::set_status(&app.db, merchant.id, second, PaymentStatus::Returned).await.unwrap();
        let reopened = read(&app, &merchant, &invoice).await;
        assert_eq!(reopened["status"], "partially_paid");
        assert_eq!(reopened["balance_due"], "600.00");
    }

    async fn a_failed_payment_covers_nothing(app: TestApp) {
        let merchant = app.merchant("acme", "US").await;
        let customer = new_customer(&app, &merchant, "ap@globex.example").await;
        let invoice = new_invoice(&app, &merchant, &customer, "INV-1", "80.00").await;
        let payment = pay(&app, &merchant, &customer, &invoice, "80.00").await;
        payments::set_status(&app.db, merchant.id, payment, PaymentStatus::Failed).await.unwrap();
        let read = read(&app, &merchant, &invoice).await;
        assert_eq!(read["status"], "open");
        assert_eq!(read["balance_due"], "80.00");
        let refused = payments::set_status(&app.db, merchant.id, payment, PaymentStatus::Succeeded).await;
        assert!(refused.is_err(), "a failed payment cannot come back");
    }

    async fn lists_filter_by_status_exactly_as_each_invoice_reports_it(app: TestApp) {
        let merchant = app.merchant("acme", "US").await;
        let customer = new_customer(&app, &merchant, "ap@globex.example").await;
        let other = new_customer(&app, &merchant, "ap@initech.example").await;
        let open = new_invoice(&app, &merchant, &customer, "OPEN", "10.00").await;
        let partial = new_invoice(&app, &merchant, &customer, "PARTIAL", "10.00").await;
        pay(&app, &merchant, &customer, &partial, "2.50").await;
        let processing = new_invoice(&app, &merchant, &customer, "PROCESSING", "10.00").await;
        pay(&app, &merchant, &customer, &processing, "10.00").await;
        let paid = new_invoice(&app, &merchant, &customer, "PAID", "10.00").await;
        let payment = pay(&app, &merchant, &customer, &paid, "10.00").await;
        settle(&app, &merchant, payment).await;
        let void = new_invoice(&app, &merchant, &customer, "VOID", "10.00").await;
        app.api_post(&merchant.api_key, &format!("/invoices/{}/void", void["id"].as_str().unwrap()), &json!({}))
            .await
            .ok(200);
        let elsewhere = new_invoice(&app, &merchant, &other, "OTHER", "10.00").await;

        for (status, expected) in [
            ("open", vec![&open, &elsewhere]),
            ("partially_paid", vec![&partial]),
            ("processing", vec![&processing]),
            ("paid", vec![&paid]),
            ("void", vec![&void]),
        ] {
            let list = app.api_get(&merchant.api_key, &format!("/invoices?status={status}")).await;
            let ids: Vec<&Value> = list.ok(200)["data"].as_array().unwrap().iter().map(|i| &i["id"]).collect();
            let wanted: Vec<&Value> = expected.iter().map(|i| &i["id"]).collect();
            assert_eq!(ids, wanted, "status {status}");
            for listed in list.body["data"].as_array().unwrap() {
                assert_eq!(listed["status"], status);
            }
        }
        let mine = app.api_get(&merchant.api_key, &format!("/invoices?customer_id={other}")).await;
        assert_eq!(mine.ok(200)["data"].as_array().unwrap().len(), 1);
        let both = app.api_get(&merchant.api_key, &format!("/invoices?customer_id={customer}&status=open")).await;
        assert_eq!(both.ok(200)["data"].as_array().unwrap().len(), 1);
    }

    async fn only_an_invoice_nothing_covers_can_be_voided(app: TestApp) {
        let merchant = app.merchant("acme", "US").await;
        let customer = new_customer(&app, &merchant, "ap@globex.example").await;
        let covered = new_invoice(&app, &merchant, &customer, "INV-1", "50.00").await;
        pay(&app, &merchant, &customer, &covered, "5.00").await;
        let refused = app
            .api_post(&merchant.api_key, &format!("/invoices/{}/void", covered["id"].as_str().unwrap()), &json!({}))
            .await;
        assert!(refused.problem(409, "conflict")["detail"].as_str().unwrap().contains("5.00"));

        let free = new_invoice(&app, &merchant, &customer, "INV-2", "50.00").await;
        let path = format!("/invoices/{}/void", free["id"].as_str().unwrap());
        let voided = app.api_post(&merchant.api_key, &path, &json!({})).await;
        assert_eq!(voided.ok(200)["status"], "void");
        assert_eq!(voided.body["balance_due"], "0.00");
        let again = app.api_post(&merchant.api_key, &path, &json!({})).await;
        assert_eq!(again.ok(200)["voided_at"], voided.body["voided_at"]);

        let payment = payments::record(&app.db, merchant.id, &NewPayment {
            customer: CustomerId::parse(&customer).unwrap(),
            method: PaymentMethodKind::Card,
            amount: usd("1.00"),
            allocations: vec![NewAllocation { invoice: InvoiceId::parse(free["id"].as_str().unwrap()).unwrap(), amount: usd("1.00") }],
            idempotency_key: IdempotencyKey::parse("pay-void").unwrap(),
            processor_reference: None,
            details: Default::default(),
        })
        .await;
        assert!(matches!(payment, Err(payments::PaymentError::InvoiceVoid { .. })), "{payment:?}");
    }

    async fn invoice_numbers_are_unique_per_merchant_only(app: TestApp) {
        let acme = app.merchant("acme", "US").await;
        let other = app.merchant("other", "US").await;
        let acme_customer = new_customer(&app, &acme, "ap@globex.example").await;
        let other_customer = new_customer(&app, &other, "ap@globex.example").await;
        new_invoice(&app, &acme, &acme_customer, "INV-1", "10.00").await;
        new_invoice(&app, &other, &other_customer, "INV-1", "10.00").await;
        let duplicate = app
            .api_post(&acme.api_key, "/invoices", &json!({
                "customer_id": acme_customer, "number": "INV-1", "currency": "USD", "total": "5.00",
                "issued_on": "2026-11-01", "due_on": "2026-11-01",
            }))
            .await;
        let taken = duplicate.problem(409, "conflict");
        assert_eq!(taken["field"], "number");
        assert!(taken["detail"].as_str().unwrap().contains("INV-1"));
    }
}

both_databases! {
    async fn an_invoice_due_at_the_end_of_dates_has_a_link_that_works(app: TestApp) {
        let key = server::admin::create_api_key(&app.db, "northwind").await.unwrap().api_key;
        let customer = app
            .api_post(&key, "/customers", &json!({"name": "Globex", "email": "far@future.example", "country": "US"}))
            .await
            .id();
        let created = app
            .api_post(
                &key,
                "/invoices",
                &json!({
                    "customer_id": customer, "number": "END-1", "currency": "USD", "total": "10.00",
                    "issued_on": "9999-12-01", "due_on": "9999-12-31",
                }),
            )
            .await;
        let invoice = created.ok(201)["id"].as_str().unwrap().to_owned();
        let detail = app.api_get(&key, &format!("/invoices/{invoice}")).await;
        let link = detail.ok(200)["payment_link"].as_str().unwrap().to_owned();
        let path = link.trim_start_matches(&app.address).to_owned();

        let browser = crate::helpers::Browser::new(&app);
        let answer = browser.open(&path).await;
        assert!(answer.status().as_u16() < 500, "{}", answer.status());
        let (landed, page) = browser.page(&path).await;
        assert_eq!(landed, "/pay/northwind", "sign-in first, the link still good");
        assert!(!page.contains("expired"));
    }
}
