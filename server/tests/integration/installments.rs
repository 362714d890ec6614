//! Pay in installments through the wizard as a browser without JavaScript does it, then the
//! sandbox's test clock plays the plan out: collections, a retry, delinquency.

use crate::helpers::{Browser, TestApp, both_databases};
use crate::sign_in::{BUSINESS, DEMO};
use crate::wizard_payments::{
    SLUG, choose_amounts, confirm, customer_of, customer_with_invoices, enter_ach, enter_card,
    invoice, outbox_text, review, signed_in,
};
use serde_json::{Value, json};

const MAPLE: &str = "maple-wholesale";

async fn choose_plan(browser: &Browser, days: &str, collected_by: &str) -> String {
    browser
        .submit(
            &format!("{DEMO}/method"),
            "wizard/method",
            &[
                ("merchant_slug", SLUG),
                ("method", "installments"),
                ("plan", days),
                ("plan_method", collected_by),
            ],
        )
        .await
}

/// Every installment of the customer's one plan: (status, payment status of its latest attempt).
async fn installments(app: &TestApp) -> Vec<(String, Option<String>)> {
    sqlx::query_as(
        "SELECT n.status, p.status FROM installments n LEFT JOIN payments p ON p.id = n.payment_id \
         ORDER BY n.position",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap()
}

async fn plan_status(app: &TestApp) -> String {
    let (status,): (String,) = sqlx::query_as("SELECT status FROM installment_plans")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    status
}

/// A customer of Maple Wholesale (Canadian, PAD) at `email`, signed in at step 4 with one CAD
/// invoice of `total`; returns the browser, the invoice's id and an API key of Maple's.
async fn maple_customer(app: &TestApp, email: &str, total: &str) -> (Browser, String, String) {
    let invoice = customer_of(app, MAPLE, email, "CA", &[("MW-9001", total, "CAD")])
        .await
        .remove(0);
    let key = server::admin::create_api_key(&app.db, MAPLE)
        .await
        .unwrap()
        .api_key;
    let browser = Browser::new(app);
    let page = format!("/pay/{MAPLE}");
    browser
        .submit(
            &page,
            "wizard/email",
            &[("merchant_slug", MAPLE), ("email", email)],
        )
        .await;
    let code = app.latest_code(email).await;
    let business = browser
        .submit(
            &format!("{page}/verify"),
            "wizard/code",
            &[("merchant_slug", MAPLE), ("code", &code)],
        )
        .await;
    assert_eq!(business, format!("{page}/business"));
    let mut form = vec![("merchant_slug", MAPLE)];
    form.extend_from_slice(&BUSINESS);
    assert_eq!(
        browser.submit(&business, "wizard/business", &form).await,
        format!("{page}/invoices")
    );
    (browser, invoice, key)
}

async fn maple_invoice(app: &TestApp, key: &str, id: &str) -> Value {
    app.api_get(key, &format!("/invoices/{id}"))
        .await
        .ok(200)
        .clone()
}

both_databases! {
    async fn a_150_day_card_plan_plays_out_with_one_short_charge_retried(app: TestApp) {
        let ids = customer_with_invoices(&app, "pay@tyrell.example", &[("IN-1", "1500.00", "USD")]).await;
        let browser = signed_in(&app, "pay@tyrell.example").await;
        assert_eq!(choose_amounts(&browser, &[(&ids[0], "1500.00")]).await, format!("{DEMO}/method"));
        let (_, method) = browser.page(&format!("{DEMO}/method")).await;
        assert!(method.contains("Pay in installments"), "{method}");
        assert!(method.contains("Installment plan"));
        assert!(method.contains("150 days, 6 payments"));

        let refused = choose_plan(&browser, "45", "card").await;
        assert!(refused.contains("/method"), "{refused}");
        assert_eq!(choose_plan(&browser, "150", "card").await, format!("{DEMO}/details"));
        assert_eq!(enter_card(&browser, "4000 0000 0000 9979").await, format!("{DEMO}/review"));
        let (page, key) = review(&browser, SLUG).await;
        assert!(page.contains("Pay $250.00 today"), "{page}");
        assert!(page.contains("in 6 payments"));
        assert!(page.contains("Installment plan: 150 days, 6 payments"));

        let receipt = confirm(&browser, SLUG, &key).await;
        assert!(receipt.contains("/receipt/"), "{receipt}");
        let (_, shown) = browser.page(&receipt).await;
        assert!(shown.contains("Installment plan: 150 days, 6 payments (active)"), "{shown}");
        assert!(shown.contains("Collected"));
        assert_eq!(shown.matches("Scheduled").count(), 5, "{shown}");
        let standing = invoice(&app, &ids[0]).await;
        assert_eq!(standing["status"], "scheduled", "{standing}");
        assert_eq!(standing["balance_due"], "0.00");
        assert_eq!(standing["amount_scheduled"], "1250.00");
        // A second confirm of the same review makes no second plan.
        confirm(&browser, SLUG, &key).await;
        let (plans,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM installment_plans").fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(plans, 1);

        let advanced = app.advance_test_clock(151);
        assert_eq!(advanced["installments_collected"], 6, "{advanced}");
        let collected = installments(&app).await;
        assert_eq!(collected.len(), 6);
        assert!(
            collected.iter().all(|(status, payment)| status == "collected" && payment.as_deref() == Some("succeeded")),
            "{collected:?}"
        );
        let (attempts,): (i64,) = sqlx::query_as("SELECT CAST(SUM(attempts) AS BIGINT) FROM installments").fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(attempts, 7, "the short second charge was retried once");
        let (failed,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM payments WHERE status = 'failed' AND decline_code = 'insufficient_funds'").fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(failed, 1);
        assert_eq!(plan_status(&app).await, "completed");
        let (_, shown) = browser.page(&receipt).await;
        assert!(shown.contains("(completed)"), "{shown}");
        assert_eq!(shown.matches(">Collected").count(), 6, "{shown}");
        let paid = invoice(&app, &ids[0]).await;
        assert_eq!(paid["status"], "paid", "{paid}");
        assert_eq!(paid["amount_scheduled"], "0.00");

        // A reminder before each of the five later collections, a receipt after each of the six
        // that succeeded; for the short one, the payment's failure notice and the plan's email
        // with its retry date.
        let emails = outbox_text(&app).await;
        assert_eq!(emails.matches("Subject: Reminder: ").count(), 5, "{emails}");
        assert_eq!(emails.matches("Subject: Receipt for your payment").count(), 6, "{emails}");
        assert_eq!(emails.matches("Subject: Your installment of 250.00 USD did not go through").count(), 1, "{emails}");
        assert!(emails.contains("It will be tried again on"));
        let key = server::admin::create_api_key(&app.db, SLUG).await.unwrap().api_key;
        let listed = app.api_get(&key, &format!("/installment-plans?customer_id={}&status=completed", paid["customer_id"].as_str().unwrap())).await;
        let listed = listed.ok(200);
        assert_eq!(listed["data"].as_array().unwrap().len(), 1, "{listed}");
        assert!(listed["next_cursor"].is_null());
        let plan = &listed["data"][0];
        assert_eq!(plan["term_days"], 150);
        assert_eq!(plan["method"], "card");
        assert_eq!(plan["total"], "1500.00");
        assert_eq!(plan["invoices"], json!([{"invoice_id": ids[0], "amount": "1500.00"}]));
        let numbers: Vec<u64> = plan["installments"].as_array().unwrap().iter().map(|installment| installment["number"].as_u64().unwrap()).collect();
        assert_eq!(numbers, [1, 2, 3, 4, 5, 6]);
        assert!(plan["installments"].as_array().unwrap().iter().all(|installment| installment["status"] == "collected" && installment["payment_id"].is_string()));
        let id = plan["id"].as_str().unwrap();
        assert_eq!(app.api_get(&key, &format!("/installment-plans/{id}")).await.ok(200), plan);
        let none = app.api_get(&key, "/installment-plans?status=active").await;
        assert_eq!(none.ok(200)["data"], json!([]));
        let other = app.merchant("other", "US").await;
        assert_eq!(app.api_get(&other.api_key, &format!("/installment-plans/{id}")).await.status, 404);
        assert_eq!(app.api_get(&other.api_key, "/installment-plans").await.ok(200)["data"], json!([]));
        assert_eq!(app.api_get(&key, "/installment-plans?status=paid").await.status, 422);
    }

    async fn a_returning_customer_sees_the_plan_at_step_4_and_pays_off_the_rest(app: TestApp) {
        let ids = customer_with_invoices(&app, "pay@tyrell.example", &[("IN-1", "900.00", "USD")]).await;
        let browser = signed_in(&app, "pay@tyrell.example").await;
        choose_amounts(&browser, &[(&ids[0], "900.00")]).await;
        choose_plan(&browser, "90", "card").await;
        enter_card(&browser, "4242 4242 4242 4242").await;
        let (_, key) = review(&browser, SLUG).await;
        confirm(&browser, SLUG, &key).await;

        let (_, step_4) = browser.page(&format!("{DEMO}/invoices")).await;
        assert!(step_4.contains("Your installment plans"), "{step_4}");
        assert!(step_4.contains("Paid so far"));
        assert!(step_4.contains("225.00 USD"));
        assert!(step_4.contains("Left to pay"));
        assert!(step_4.contains("675.00 USD"));
        assert!(step_4.contains("Pay off the rest"));
        assert!(step_4.contains("Pay $675.00 now"));
        let plan_id = step_4
            .split("name=\"plan_id\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_owned();

        // A page left open while the amount changed is refused, not charged.
        let stale = browser
            .submit(
                &format!("{DEMO}/invoices"),
                "wizard/plan_pay_off",
                &[("merchant_slug", SLUG), ("plan_id", &plan_id), ("amount", "450.00")],
            )
            .await;
        assert!(stale.contains("/invoices"), "{stale}");
        let (_, shown) = browser.page(&stale).await;
        assert!(shown.contains("The amount left is now 675.00 USD"), "{shown}");
        let not_a_plan = browser
            .submit(
                &format!("{DEMO}/invoices"),
                "wizard/plan_pay_off",
                &[("merchant_slug", SLUG), ("plan_id", &ids[0]), ("amount", "675.00")],
            )
            .await;
        let (_, shown) = browser.page(&not_a_plan).await;
        assert!(shown.contains("not yours, or no longer exists"), "{shown}");

        let receipt = browser
            .submit(
                &format!("{DEMO}/invoices"),
                "wizard/plan_pay_off",
                &[("merchant_slug", SLUG), ("plan_id", &plan_id), ("amount", "675.00")],
            )
            .await;
        assert!(receipt.contains("/receipt/"), "{receipt}");
        let (_, shown) = browser.page(&receipt).await;
        assert!(shown.contains("(completed)"), "{shown}");
        assert_eq!(shown.matches(">Collected").count(), 4, "{shown}");
        assert_eq!(plan_status(&app).await, "completed");
        let paid = invoice(&app, &ids[0]).await;
        assert_eq!(paid["status"], "paid", "{paid}");
        let (_, step_4) = browser.page(&format!("{DEMO}/invoices")).await;
        assert!(!step_4.contains("Your installment plans"), "a completed plan is not listed");
    }

    async fn a_plan_whose_account_closed_goes_on_from_a_new_card(app: TestApp) {
        let ids = customer_with_invoices(&app, "pay@tyrell.example", &[("IN-1", "900.00", "USD")]).await;
        let browser = signed_in(&app, "pay@tyrell.example").await;
        choose_amounts(&browser, &[(&ids[0], "900.00")]).await;
        choose_plan(&browser, "90", "us_ach").await;
        enter_ach(&browser, "000111111113").await;
        let (_, key) = review(&browser, SLUG).await;
        confirm(&browser, SLUG, &key).await;
        // The first debit comes back R02: the installment waits for another method.
        let mut waiting = false;
        for _ in 0..10 {
            app.advance_test_clock(1);
            if installments(&app).await[0].0 == "awaiting_method" {
                waiting = true;
                break;
            }
        }
        assert!(waiting, "{:?}", installments(&app).await);

        let (_, step_4) = browser.page(&format!("{DEMO}/invoices")).await;
        assert!(step_4.contains("Change payment method"), "{step_4}");
        assert!(step_4.contains("change the payment method to keep the plan"));
        let (plan_id,): (String,) = sqlx::query_as("SELECT id FROM installment_plans").fetch_one(app.db.pool()).await.unwrap();
        let page = format!("{DEMO}/plans/{plan_id}/method");
        let (path, shown) = browser.page(&page).await;
        assert_eq!(path, page);
        assert!(shown.contains("<h1>Change payment method</h1>"), "{shown}");
        assert!(shown.contains("instead of Bank account •••• 1113"));

        let card = |authorize: bool, number: &'static str| {
            let mut fields = vec![
                ("merchant_slug", SLUG),
                ("plan_id", plan_id.as_str()),
                ("card_number", number),
                ("expiry", "12/30"),
                ("security_code", "123"),
                ("name_on_card", "Ana López"),
                ("postal_code", "94105"),
            ];
            if authorize {
                fields.push(("authorize", "on"));
            }
            fields
        };
        let unticked = browser.submit(&page, "wizard/plan_method", &card(false, "4242 4242 4242 4242")).await;
        let (_, shown) = browser.page(&unticked).await;
        assert!(shown.contains("Tick the box to authorize the new card"), "{shown}");
        let mistyped = browser.submit(&page, "wizard/plan_method", &card(true, "4242 4242 4242 4241")).await;
        let (_, shown) = browser.page(&mistyped).await;
        assert!(shown.contains("Ana López"), "what was typed is kept: {shown}");
        assert_eq!(browser.submit(&page, "wizard/plan_method", &card(true, "4242 4242 4242 4242")).await, format!("{DEMO}/invoices"));

        let (method, label): (String, String) = sqlx::query_as("SELECT method, instrument_label FROM installment_plans").fetch_one(app.db.pool()).await.unwrap();
        assert_eq!((method.as_str(), label.as_str()), ("card", "Visa •••• 4242"));
        let (kept,): (String,) = sqlx::query_as("SELECT authorization_text FROM installment_plan_method_changes").fetch_one(app.db.pool()).await.unwrap();
        assert!(kept.contains("instead of Bank account •••• 1113"), "{kept}");
        assert_eq!(installments(&app).await[0].0, "scheduled");
        let emails = outbox_text(&app).await;
        assert!(emails.contains("now uses Visa"), "{emails}");

        app.advance_test_clock(95);
        assert_eq!(plan_status(&app).await, "completed");
        let paid = invoice(&app, &ids[0]).await;
        assert_eq!(paid["status"], "paid", "{paid}");

        // Nobody else opens the plan's page.
        customer_with_invoices(&app, "other@tyrell.example", &[("IN-2", "10.00", "USD")]).await;
        let stranger = signed_in(&app, "other@tyrell.example").await;
        let (_, shown) = stranger.page(&page).await;
        assert!(shown.contains("There is no installment plan at this address"), "{shown}");
    }

    async fn a_pad_plan_returned_r02_becomes_delinquent_and_the_invoice_owes_the_rest(app: TestApp) {
        let (browser, invoice, key) = maple_customer(&app, "ap@hooli.example", "1200.00").await;
        let pay = format!("/pay/{MAPLE}");
        let amounts = browser
            .submit(
                &format!("{pay}/amounts"),
                "wizard/amounts",
                &[("merchant_slug", MAPLE), ("pay[]", &invoice), ("invoice[]", &invoice), ("amount[]", "1200.00")],
            )
            .await;
        assert_eq!(amounts, format!("{pay}/method"));
        let (_, method) = browser.page(&amounts).await;
        assert!(method.contains("Pre-authorized debits"), "{method}");
        let chosen = browser
            .submit(
                &amounts,
                "wizard/method",
                &[("merchant_slug", MAPLE), ("method", "installments"), ("plan", "60"), ("plan_method", "ca_pad")],
            )
            .await;
        assert_eq!(chosen, format!("{pay}/details"));
        // R02: every debit from this account comes back, account closed.
        let entered = browser
            .submit(
                &chosen,
                "wizard/bank",
                &[
                    ("merchant_slug", MAPLE),
                    ("institution_number", "000"),
                    ("transit_number", "11000"),
                    ("account_number", "000111111113"),
                    ("confirm_account_number", "000111111113"),
                    ("account_type", "checking"),
                    ("holder_type", "business"),
                ],
            )
            .await;
        assert_eq!(entered, format!("{pay}/review"));
        let (page, key_of_review) = review(&browser, MAPLE).await;
        assert!(page.contains("Pay $400.00 CAD today"), "{page}");
        assert!(page.contains("at least 10 calendar days"), "the PAD agreement promises its notice: {page}");
        confirm(&browser, MAPLE, &key_of_review).await;
        let standing = maple_invoice(&app, &key, &invoice).await;
        assert_eq!(standing["status"], "scheduled", "{standing}");
        assert_eq!(standing["amount_scheduled"], "800.00");

        app.advance_test_clock(30);
        assert_eq!(plan_status(&app).await, "delinquent");
        let owed = maple_invoice(&app, &key, &invoice).await;
        assert_eq!(owed["status"], "open", "{owed}");
        assert_eq!(owed["balance_due"], "1200.00");
        assert_eq!(owed["amount_scheduled"], "0.00");
        let plans = app.api_get(&key, "/installment-plans?status=delinquent").await;
        let plans = plans.ok(200);
        let statuses: Vec<&str> = plans["data"][0]["installments"].as_array().unwrap().iter().map(|installment| installment["status"].as_str().unwrap()).collect();
        assert_eq!(statuses, ["failed", "cancelled", "cancelled"], "{plans}");
        let emails = outbox_text(&app).await;
        assert!(emails.contains("Supply needs another"), "{emails}");
        assert!(emails.contains("has ended unpaid"));
        assert!(emails.contains("Installment plan delinquent"), "the merchant is told: {emails}");
    }

    async fn a_plan_whose_account_is_closed_becomes_delinquent_and_the_invoice_owes_the_rest(app: TestApp) {
        let ids = customer_with_invoices(&app, "pay@tyrell.example", &[("IN-1", "900.00", "USD")]).await;
        let browser = signed_in(&app, "pay@tyrell.example").await;
        choose_amounts(&browser, &[(&ids[0], "900.00")]).await;
        assert_eq!(choose_plan(&browser, "90", "us_ach").await, format!("{DEMO}/details"));
        // R02: every debit from this account comes back, account closed.
        assert_eq!(enter_ach(&browser, "000111111113").await, format!("{DEMO}/review"));
        let (page, key) = review(&browser, SLUG).await;
        assert!(page.contains("Pay $225.00 today"), "{page}");
        confirm(&browser, SLUG, &key).await;
        let standing = invoice(&app, &ids[0]).await;
        assert_eq!(standing["status"], "scheduled", "{standing}");

        // The first debit comes back R02 after it would have settled; nobody gives another
        // account, so once the wait runs out the plan is delinquent.
        app.advance_test_clock(20);
        assert_eq!(plan_status(&app).await, "delinquent");
        let owed = invoice(&app, &ids[0]).await;
        assert_eq!(owed["status"], "open", "{owed}");
        assert_eq!(owed["balance_due"], "900.00");
        assert_eq!(owed["amount_scheduled"], "0.00");
        let statuses: Vec<String> = installments(&app).await.into_iter().map(|(status, _)| status).collect();
        assert_eq!(statuses, ["failed", "cancelled", "cancelled", "cancelled"]);
    }
}
