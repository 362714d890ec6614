//! Payments: reading them through the API, and the guarantees of recording them: never twice
//! for one key, never more than an invoice owes, even when requests race.

use crate::api_invoices::{new_customer, new_invoice, pay, settle, usd};
use crate::helpers::{TestApp, both_databases};
use app::domain::idempotency::IdempotencyKey;
use app::domain::ids::MerchantId;
use app::domain::ids::{CustomerId, InvoiceId};
use app::domain::payment::PaymentMethodKind;
use app::services::payments::{self, NewAllocation, NewPayment, PaymentError, Recorded};
use serde_json::Value;
use serde_json::json;

/// A card payment of `amount` against one invoice, under `key`.
fn card_payment(customer: &str, invoice: &Value, amount: &str, key: &str) -> NewPayment {
    NewPayment {
        customer: CustomerId::parse(customer).unwrap(),
        method: PaymentMethodKind::Card,
        amount: usd(amount),
        allocations: vec![NewAllocation {
            invoice: InvoiceId::parse(invoice["id"].as_str().unwrap()).unwrap(),
            amount: usd(amount),
        }],
        idempotency_key: IdempotencyKey::parse(key).unwrap(),
        processor_reference: None,
        details: Default::default(),
    }
}

/// Records every payment at once, as racing requests would, and returns each outcome.
async fn record_all_at_once(
    app: &TestApp,
    merchant: MerchantId,
    attempts: Vec<NewPayment>,
) -> Vec<Result<Recorded, PaymentError>> {
    let tasks: Vec<_> = attempts
        .into_iter()
        .map(|payment| {
            let db = app.db.clone();
            tokio::spawn(async move { payments::record(&db, merchant, &payment).await })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    outcomes
}

both_databases! {
    async fn payments_are_read_with_their_allocations_and_filtered(app: TestApp) {
        let merchant = app.merchant("acme", "US").await;
        let customer = new_customer(&app, &merchant, "ap@globex.example").await;
        let first = new_invoice(&app, &merchant, &customer, "INV-1", "100.00").await;
        let second = new_invoice(&app, &merchant, &customer, "INV-2", "50.00").await;
        let recorded = payments::record(&app.db, merchant.id, &NewPayment {
            customer: CustomerId::parse(&customer).unwrap(),
            method: PaymentMethodKind::UsAch,
            amount: usd("130.00"),
            allocations: vec![
                NewAllocation { invoice: InvoiceId::parse(first["id"].as_str().unwrap()).unwrap(), amount: usd("100.00") },
                NewAllocation { invoice: InvoiceId::parse(second["id"].as_str().unwrap()).unwrap(), amount: usd("30.00") },
            ],
            idempotency_key: IdempotencyKey::parse("confirm-1").unwrap(),
            processor_reference: Some("sandbox_123".into()),
            details: Default::default(),
        })
        .await
        .unwrap();
        let id = recorded.payment().id;
        let read = app.api_get(&merchant.api_key, &format!("/payments/{id}")).await;
        let body = read.ok(200);
        assert_eq!(body["amount"], "130.00");
        assert_eq!(body["currency"], "USD");
        assert_eq!(body["method"], "us_ach");
        assert_eq!(body["status"], "pending");
        assert_eq!(body["processor_reference"], "sandbox_123");
        assert_eq!(body["amount_refunded"], "0.00");
        assert_eq!(body["allocations"], json!([
            {"invoice_id": first["id"], "invoice_number": "INV-1", "amount": "100.00", "amount_refunded": "0.00"},
            {"invoice_id": second["id"], "invoice_number": "INV-2", "amount": "30.00", "amount_refunded": "0.00"},
        ]));

        let other = pay(&app, &merchant, &customer, &second, "20.00").await;
        settle(&app, &merchant, other).await;
        let pending = app.api_get(&merchant.api_key, "/payments?status=pending").await;
        assert_eq!(pending.ok(200)["data"].as_array().unwrap().len(), 1);
        let succeeded = app.api_get(&merchant.api_key, &format!("/payments?status=succeeded&customer_id={customer}")).await;
        assert_eq!(succeeded.ok(200)["data"][0]["id"], other.to_string());
        app.api_get(&merchant.api_key, "/payments?status=paid").await.invalid("status");
    }

    async fn racing_payments_for_the_last_of_an_invoice_never_overpay_it(app: TestApp) {
        let merchant = app.merchant("acme", "US").await;
        let customer = new_customer(&app, &merchant, "ap@globex.example").await;
        let invoice = new_invoice(&app, &merchant, &customer, "INV-1", "100.00").await;
        let attempts = (0..8).map(|n| card_payment(&customer, &invoice, "60.00", &format!("attempt-{n}"))).collect();
        let mut won = 0;
        for outcome in record_all_at_once(&app, merchant.id, attempts).await {
            match outcome {
                Ok(Recorded::New(_)) => won += 1,
                Err(PaymentError::Overpays { balance_due, .. }) => assert_eq!(balance_due, usd("40.00")),
                other => panic!("unexpected outcome {other:?}"),
            }
        }
        assert_eq!(won, 1, "exactly one payment of 60 fits in 100");
        let read = app.api_get(&merchant.api_key, &format!("/invoices/{}", invoice["id"].as_str().unwrap())).await;
        assert_eq!(read.ok(200)["balance_due"], "40.00");
    }

    async fn one_idempotency_key_makes_one_payment_however_often_it_is_sent(app: TestApp) {
        let merchant = app.merchant("acme", "US").await;
        let customer = new_customer(&app, &merchant, "ap@globex.example").await;
        let invoice = new_invoice(&app, &merchant, &customer, "INV-1", "100.00").await;
        let payment = card_payment(&customer, &invoice, "25.00", "confirm-once");
        let mut ids = Vec::new();
        for outcome in record_all_at_once(&app, merchant.id, vec![payment.clone(); 6]).await {
            ids.push(outcome.expect("every attempt answers with the payment").payment().id);
        }
        ids.dedup();
        assert_eq!(ids.len(), 1, "one payment: {ids:?}");
        let read = app.api_get(&merchant.api_key, &format!("/invoices/{}", invoice["id"].as_str().unwrap())).await;
        assert_eq!(read.ok(200)["balance_due"], "75.00");

        let mut different = payment.clone();
        different.amount = usd("30.00");
        different.allocations[0].amount = usd("30.00");
        let reused = payments::record(&app.db, merchant.id, &different).await;
        assert!(matches!(reused, Err(PaymentError::IdempotencyKeyReused)), "{reused:?}");
    }

    async fn a_double_click_on_pay_in_full_returns_the_one_payment(app: TestApp) {
        let merchant = app.merchant("acme", "US").await;
        let customer = new_customer(&app, &merchant, "ap@globex.example").await;
        let invoice = new_invoice(&app, &merchant, &customer, "INV-1", "100.00").await;
        let payment = card_payment(&customer, &invoice, "100.00", "pay-in-full");
        let mut ids = Vec::new();
        for outcome in record_all_at_once(&app, merchant.id, vec![payment.clone(); 6]).await {
            ids.push(outcome.expect("every click gets the payment, none is told the invoice is paid").payment().id);
        }
        ids.dedup();
        assert_eq!(ids.len(), 1);
        let read = app.api_get(&merchant.api_key, &format!("/invoices/{}", invoice["id"].as_str().unwrap())).await;
        assert_eq!(read.ok(200)["balance_due"], "0.00");
    }

    async fn a_payment_must_add_up_and_use_a_method_the_merchant_offers(app: TestApp) {
        let merchant = app.merchant("acme", "US").await;
        let customer = new_customer(&app, &merchant, "ap@globex.example").await;
        let invoice = new_invoice(&app, &merchant, &customer, "INV-1", "100.00").await;
        let base = NewPayment {
            customer: CustomerId::parse(&customer).unwrap(),
            method: PaymentMethodKind::Card,
            amount: usd("25.00"),
            allocations: vec![NewAllocation { invoice: InvoiceId::parse(invoice["id"].as_str().unwrap()).unwrap(), amount: usd("20.00") }],
            idempotency_key: IdempotencyKey::parse("k").unwrap(),
            processor_reference: None,
            details: Default::default(),
        };
        let short = payments::record(&app.db, merchant.id, &base).await;
        assert!(matches!(short, Err(PaymentError::AllocationsDoNotAddUp { .. })), "{short:?}");
        let mut pad = base.clone();
        pad.method = PaymentMethodKind::CaPad;
        pad.amount = usd("20.00");
        let refused = payments::record(&app.db, merchant.id, &pad).await;
        assert!(matches!(refused, Err(PaymentError::MethodNotEnabled(PaymentMethodKind::CaPad))), "{refused:?}");
    }
}
