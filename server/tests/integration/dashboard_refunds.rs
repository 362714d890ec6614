//! Refunds from a payment's dashboard page, as a browser without JavaScript sends them: in
//! part and in full, once per form, through the processor, the invoices owing again and both
//! sides emailed; refused amounts kept as typed; viewers and other merchants refused; a refund
//! the processor did not answer held until it does, on the overview, asked again by an admin or
//! by its job.

use crate::dashboard::{
    ADMIN, MAPLE_ADMIN, VIEWER, api_key, paid_with_card, post_status, reconciliation_of, staff,
};
use crate::helpers::{Browser, TestApp, both_databases};
use crate::wizard_payments::outbox_text;

const PAYMENTS: &str = "/dashboard/payments";
const GOOD_CARD: &str = "4242424242424242";
const REFUND_REFUSED_CARD: &str = "4000000000005126";
/// The sandbox records each refund of it without answering the first time it is asked.
const REFUND_UNANSWERED_CARD: &str = "4000000000007726";

/// The idempotency key the page's refund form carries.
fn refund_key(page: &str) -> String {
    let marker = "name=\"idempotency_key\" value=\"";
    let start = page.find(marker).expect("the page offers a refund form") + marker.len();
    page[start..]
        .split('"')
        .next()
        .expect("the key is quoted")
        .to_owned()
}

/// Sends the refund form of `payment`'s page with `amount`; returns where it led.
async fn refund(admin: &Browser, payment: &str, amount: &str) -> String {
    let page_path = format!("{PAYMENTS}/{payment}");
    let (_, page) = admin.page(&page_path).await;
    let key = refund_key(&page);
    send_refund(admin, payment, amount, &key).await
}

async fn send_refund(admin: &Browser, payment: &str, amount: &str, key: &str) -> String {
    admin
        .submit(
            &format!("{PAYMENTS}/{payment}"),
            "dashboard/refund",
            &[
                ("payment_id", payment),
                ("amount", amount),
                ("idempotency_key", key),
                ("confirm", "on"),
            ],
        )
        .await
}

/// (status, refunded, held for refunds not answered yet) of a payment, in cents.
async fn refund_figures(app: &TestApp, payment: &str) -> (String, i64, i64) {
    sqlx::query_as("SELECT status, refunded_minor, refunding_minor FROM payments WHERE id = $1")
        .bind(payment)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

/// The balance the API gives for `number` of the payment's invoices.
async fn balance_of(app: &TestApp, key: &str, payment: &str, number: &str) -> String {
    let (invoice,): (String,) = sqlx::query_as(
        "SELECT i.id FROM invoices i JOIN allocations a ON a.invoice_id = i.id \
         WHERE a.payment_id = $1 AND i.number = $2",
    )
    .bind(payment)
    .bind(number)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    app.api_get(key, &format!("/invoices/{invoice}"))
        .await
        .ok(200)["balance_due"]
        .as_str()
        .unwrap()
        .to_owned()
}

both_databases! {
    async fn a_card_payment_is_refunded_in_part_then_in_full_and_its_invoices_owe_again(app: TestApp) {
        let payment = paid_with_card(&app, "ap@refunds.example", GOOD_CARD).await;
        let key = api_key(&app, "northwind").await;
        let admin = staff(&app, ADMIN).await;
        let path = format!("{PAYMENTS}/{payment}");
        let (_, page) = admin.page(&path).await;
        assert!(page.contains("Amount to refund") && page.contains("value=\"350.00\""), "all of it is offered");

        // Reconciled by hand before the refund: the refund puts it back on the bookkeeper's list.
        admin
            .submit(&path, "dashboard/reconcile-one", &[("payment_id", &payment), ("mark", "reconciled")])
            .await;
        assert_eq!(reconciliation_of(&app, &payment).await, "reconciled");

        let form_key = refund_key(&page);
        let done = send_refund(&admin, &payment, "100.00", &form_key).await;
        assert!(done.starts_with(&format!("{path}?refund=")), "{done}");
        let (_, page) = admin.page(&done).await;
        assert!(page.contains("Refunded 100.00 USD. The invoices it paid owe again what it gave back of them"));
        assert!(page.contains("250.00 USD (100.00 USD refunded)"), "the last invoice gives it back first");
        assert!(page.contains("value=\"250.00\""), "what is left is offered next");
        assert_eq!(refund_figures(&app, &payment).await, ("succeeded".to_owned(), 10000, 0));
        assert_eq!(reconciliation_of(&app, &payment).await, "unreconciled");
        assert_eq!(balance_of(&app, &key, &payment, "CSV-2").await, "100.00");
        let (csv_2,): (String,) = sqlx::query_as("SELECT invoice_id FROM allocations a JOIN invoices i ON i.id = a.invoice_id WHERE a.payment_id = $1 AND i.number = 'CSV-2'")
            .bind(&payment)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        let (_, invoice_page) = admin.page(&format!("/dashboard/invoices/{csv_2}")).await;
        assert!(invoice_page.contains(&format!("Refund of 100.00 USD of payment {payment}: owed again")));
        assert!(invoice_page.contains("250.00 USD (100.00 USD refunded)"));
        assert_eq!(balance_of(&app, &key, &payment, "CSV-1").await, "0.00");

        // The same form sent again (a double click, a reload) is the same refund.
        assert_eq!(send_refund(&admin, &payment, "100.00", &form_key).await, done);
        assert_eq!(refund_figures(&app, &payment).await.1, 10000);
        let (refunds_at_processor,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM sandbox_refunds WHERE payment_id = $1")
                .bind(&payment)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(refunds_at_processor, 1);

        let mail = outbox_text(&app).await;
        assert!(mail.contains("refunded 100.00 USD to your card"), "the customer is told");
        assert!(mail.contains("To: ap@refunds.example"));
        assert_eq!(mail.matches("Subject: Refund issued: 100.00 USD").count(), 1);

        // The job every refund queues (to finish it should the request die half way) comes
        // due later; the refund is finished already, so it changes nothing and tells nobody.
        sqlx::query("UPDATE jobs SET run_at = $1 WHERE kind = 'finish_refund'")
            .bind("2000-01-01T00:00:00Z")
            .execute(app.db.pool())
            .await
            .unwrap();
        assert!(app.run_jobs().await.done >= 1);
        assert_eq!(refund_figures(&app, &payment).await, ("succeeded".to_owned(), 10000, 0));
        let mail = outbox_text(&app).await;
        assert_eq!(mail.matches("Subject: Refund issued: 100.00 USD").count(), 1, "told once");

        let (_, page) = admin.page(&path).await;
        let rest_key = refund_key(&page);
        let rest = send_refund(&admin, &payment, "250.00", &rest_key).await;
        // Sent again once nothing is left: still the same refund, not a refusal.
        assert_eq!(send_refund(&admin, &payment, "250.00", &rest_key).await, rest);
        let (_, page) = admin.page(&rest).await;
        assert!(page.contains("Refunded 250.00 USD."));
        assert!(!page.contains("Amount to refund"), "nothing is left to refund");
        assert_eq!(refund_figures(&app, &payment).await, ("refunded".to_owned(), 35000, 0));
        let history = &page[page.find("Status history").unwrap()..page.find("id=\"refunds-heading\"").unwrap()];
        assert!(history.contains(" · Refunded"), "the full refund is a status it reached");
        assert_eq!(balance_of(&app, &key, &payment, "CSV-1").await, "100.00");
        assert_eq!(balance_of(&app, &key, &payment, "CSV-2").await, "250.00");
        let api = app.api_get(&key, &format!("/payments/{payment}")).await;
        // A refunded payment is booked with its refund: it can be marked reconciled.
        admin
            .submit(&path, "dashboard/reconcile-one", &[("payment_id", &payment), ("mark", "reconciled")])
            .await;
        assert_eq!(reconciliation_of(&app, &payment).await, "reconciled");
        let body = api.ok(200);
        assert_eq!(body["status"], "refunded");
        assert_eq!(body["amount_refunded"], "350.00");
        assert_eq!(body["allocations"][0]["amount_refunded"], body["allocations"][0]["amount"]);
    }

    async fn a_refund_of_too_much_or_of_nonsense_comes_back_as_typed_and_gives_nothing_back(app: TestApp) {
        let payment = paid_with_card(&app, "ap@refund-typos.example", GOOD_CARD).await;
        let admin = staff(&app, ADMIN).await;
        let back = refund(&admin, &payment, "400.00").await;
        let (_, page) = admin.page(&back).await;
        assert!(page.contains("At most 350.00 USD of this payment is left to refund."));
        assert!(page.contains("value=\"400.00\""), "what was typed is kept");
        let back = refund(&admin, &payment, "12,5").await;
        let (_, page) = admin.page(&back).await;
        assert!(page.contains("Commas separate thousands"), "{back}");
        assert!(page.contains("value=\"12,5\""));
        // Not confirmed: nothing happens, the amount stays as typed, and the box says why.
        let (_, page) = admin.page(&format!("{PAYMENTS}/{payment}")).await;
        let back = admin
            .submit(
                &format!("{PAYMENTS}/{payment}"),
                "dashboard/refund",
                &[("payment_id", payment.as_str()), ("amount", "20.00"), ("idempotency_key", refund_key(&page).as_str())],
            )
            .await;
        let (_, page) = admin.page(&back).await;
        assert!(page.contains("Tick the box to confirm the refund"));
        assert!(page.contains("value=\"20.00\""));
        let back = refund(&admin, &payment, "").await;
        let (_, page) = admin.page(&back).await;
        assert!(page.contains("Enter an amount, for example 1250.00."), "an empty amount is refused, not taken for all of it");
        assert!(page.contains("id=\"refund_amount\" name=\"amount\" type=\"text\" inputmode=\"decimal\" value=\"\""));
        assert_eq!(refund_figures(&app, &payment).await, ("succeeded".to_owned(), 0, 0));
        let (refunds,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM refunds")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(refunds, 0);
    }

    async fn a_viewer_and_another_merchant_cannot_refund(app: TestApp) {
        let payment = paid_with_card(&app, "ap@refund-roles.example", GOOD_CARD).await;
        let admin = staff(&app, ADMIN).await;
        let (_, page) = admin.page(&format!("{PAYMENTS}/{payment}")).await;
        let key = refund_key(&page);
        let fields = [
            ("payment_id", payment.as_str()),
            ("amount", "10.00"),
            ("idempotency_key", key.as_str()),
            ("confirm", "on"),
        ];

        let viewer = staff(&app, VIEWER).await;
        let (_, seen) = viewer.page(&format!("{PAYMENTS}/{payment}")).await;
        assert!(seen.contains("Refunds") && !seen.contains("Amount to refund"), "a viewer sees no form");
        assert_eq!(post_status(&app, &viewer, "dashboard/refund", &fields).await, 403);
        let maple = staff(&app, MAPLE_ADMIN).await;
        assert_eq!(post_status(&app, &maple, "dashboard/refund", &fields).await, 404);
        assert_eq!(refund_figures(&app, &payment).await, ("succeeded".to_owned(), 0, 0));
    }

    async fn a_refund_the_processor_refuses_gives_nothing_back_and_says_why(app: TestApp) {
        let payment = paid_with_card(&app, "ap@refund-refused.example", REFUND_REFUSED_CARD).await;
        let admin = staff(&app, ADMIN).await;
        let done = refund(&admin, &payment, "100.00").await;
        let (_, page) = admin.page(&done).await;
        assert!(page.contains("The processor refused to refund 100.00 USD: The card"), "{page}");
        assert!(page.contains("value=\"350.00\""), "all of it can still be refunded");
        assert_eq!(refund_figures(&app, &payment).await, ("succeeded".to_owned(), 0, 0));
        let mail = outbox_text(&app).await;
        assert!(!mail.contains("Refund issued"), "nobody is told of a refund that did not happen");
    }

    async fn a_refund_the_processor_did_not_answer_holds_its_money_until_asked_again(app: TestApp) {
        let payment = paid_with_card(&app, "ap@refund-unanswered.example", REFUND_UNANSWERED_CARD).await;
        let admin = staff(&app, ADMIN).await;
        let path = format!("{PAYMENTS}/{payment}");
        let done = refund(&admin, &payment, "100.00").await;
        let (_, page) = admin.page(&done).await;
        assert!(page.contains("The refund of 100.00 USD was asked of the processor, which has not answered yet"), "{page}");
        assert!(page.contains("Waiting for the processor"));
        assert!(page.contains("value=\"250.00\""), "what is held cannot be refunded again");
        assert_eq!(refund_figures(&app, &payment).await, ("succeeded".to_owned(), 0, 10000));
        let (_, overview) = admin.page("/dashboard/overview").await;
        assert!(overview.contains("Refunds waiting for the processor"), "{overview}");
        assert!(overview.contains(&format!("href=\"{path}\"")));

        let refund_id: String = sqlx::query_as::<_, (String,)>("SELECT id FROM refunds WHERE payment_id = $1")
            .bind(&payment)
            .fetch_one(app.db.pool())
            .await
            .unwrap()
            .0;
        let fields = [("payment_id", payment.as_str()), ("refund_id", refund_id.as_str())];
        let viewer = staff(&app, VIEWER).await;
        let (_, seen) = viewer.page(&path).await;
        assert!(!seen.contains("Ask the processor again"), "a viewer is not offered it");
        assert_eq!(post_status(&app, &viewer, "dashboard/refund/again", &fields).await, 403);
        let maple = staff(&app, MAPLE_ADMIN).await;
        assert_eq!(post_status(&app, &maple, "dashboard/refund/again", &fields).await, 404);

        assert!(page.contains("Ask the processor again"));
        let asked = admin.submit(&path, "dashboard/refund/again", &fields).await;
        assert_eq!(asked, format!("{path}?refund={refund_id}"));
        let (_, page) = admin.page(&asked).await;
        assert!(page.contains("Refunded 100.00 USD."), "{page}");
        assert!(!page.contains("Ask the processor again"));
        assert_eq!(refund_figures(&app, &payment).await, ("succeeded".to_owned(), 10000, 0));
        let (_, overview) = admin.page("/dashboard/overview").await;
        assert!(!overview.contains("Refunds waiting for the processor"));
        assert!(overview.contains("Refunded in "), "this month's refunds are on the overview");

        // Unanswered again, and nobody asks: the refund's own job does, when it comes due.
        refund(&admin, &payment, "50.00").await;
        assert_eq!(refund_figures(&app, &payment).await, ("succeeded".to_owned(), 10000, 5000));
        sqlx::query("UPDATE jobs SET run_at = $1 WHERE kind = 'finish_refund' AND status = 'queued'")
            .bind("2000-01-01T00:00:00Z")
            .execute(app.db.pool())
            .await
            .unwrap();
        app.run_jobs().await;
        assert_eq!(refund_figures(&app, &payment).await, ("succeeded".to_owned(), 15000, 0));
        let mail = outbox_text(&app).await;
        assert_eq!(mail.matches("Subject: Refund issued: 50.00 USD").count(), 1);
    }
}
