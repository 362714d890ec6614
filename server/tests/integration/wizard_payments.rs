//! Steps 5 to 8 and the receipt, as a browser without JavaScript pays: amounts, method, card or
//! bank details, review and confirm; then the sandbox's test clock settles or returns debits.

use crate::helpers::{Browser, TestApp, both_databases};
use crate::sign_in::{BUSINESS, DEMO, fill_in_business, sign_in};
use serde_json::{Value, json};

pub(crate) const SLUG: &str = "northwind";

/// A customer of Northwind reachable at `email`, with one invoice per `(number, total,
/// currency)`; returns the invoice ids.
pub(crate) async fn customer_with_invoices(
    app: &TestApp,
    email: &str,
    invoices: &[(&str, &str, &str)],
) -> Vec<String> {
    customer_of(app, SLUG, email, "US", invoices).await
}

/// [`customer_with_invoices`] for the merchant `slug`, the customer in `country`.
pub(crate) async fn customer_of(
    app: &TestApp,
    slug: &str,
    email: &str,
    country: &str,
    invoices: &[(&str, &str, &str)],
) -> Vec<String> {
    let key = server::admin::create_api_key(&app.db, slug)
        .await
        .unwrap()
        .api_key;
    let customer = app
        .api_post(
            &key,
            "/customers",
            &json!({"name": format!("Customer of {email}"), "email": email, "country": country}),
        )
        .await
        .id();
    let mut ids = Vec::new();
    for (number, total, currency) in invoices {
        ids.push(
            app.api_post(
                &key,
                "/invoices",
                &json!({
                    "customer_id": customer, "number": number, "currency": currency, "total": total,
                    "issued_on": "2026-11-01", "due_on": "2026-12-01",
                }),
            )
            .await
            .id(),
        );
    }
    ids
}

pub(crate) async fn invoice(app: &TestApp, id: &str) -> Value {
    let key = server::admin::create_api_key(&app.db, SLUG)
        .await
        .unwrap()
        .api_key;
    app.api_get(&key, &format!("/invoices/{id}"))
        .await
        .ok(200)
        .clone()
}

/// Signs `email` in and fills in the business details, leaving the browser at step 4.
pub(crate) async fn signed_in(app: &TestApp, email: &str) -> Browser {
    let browser = Browser::new(app);
    sign_in(app, &browser, email).await;
    assert_eq!(
        fill_in_business(&browser, &BUSINESS).await,
        format!("{DEMO}/invoices")
    );
    browser
}

/// Submits step 5 with `(invoice id, amount)` ticked; returns where it leads.
pub(crate) async fn choose_amounts(browser: &Browser, amounts: &[(&str, &str)]) -> String {
    let mut fields = vec![("merchant_slug".to_owned(), SLUG.to_owned())];
    for (id, amount) in amounts {
        fields.push(("pay[]".to_owned(), (*id).to_owned()));
        fields.push(("invoice[]".to_owned(), (*id).to_owned()));
        fields.push(("amount[]".to_owned(), (*amount).to_owned()));
    }
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    browser
        .submit(&format!("{DEMO}/amounts"), "wizard/amounts", &fields)
        .await
}

async fn choose_method(browser: &Browser, method: &str) -> String {
    browser
        .submit(
            &format!("{DEMO}/method"),
            "wizard/method",
            &[("merchant_slug", SLUG), ("method", method)],
        )
        .await
}

pub(crate) async fn enter_card(browser: &Browser, number: &str) -> String {
    browser
        .submit(
            &format!("{DEMO}/details"),
            "wizard/card",
            &[
                ("merchant_slug", SLUG),
                ("card_number", number),
                ("expiry", "12/30"),
                ("security_code", "123"),
                ("name_on_card", "Ana López"),
                ("postal_code", "94105"),
            ],
        )
        .await
}

pub(crate) async fn enter_ach(browser: &Browser, account: &str) -> String {
    browser
        .submit(
            &format!("{DEMO}/details"),
            "wizard/bank",
            &[
                ("merchant_slug", SLUG),
                ("routing_number", "110000000"),
                ("account_number", account),
                ("confirm_account_number", account),
                ("account_type", "checking"),
                ("holder_type", "business"),
            ],
        )
        .await
}

/// The review page's HTML and the idempotency key its form carries.
pub(crate) async fn review(browser: &Browser, slug: &str) -> (String, String) {
    let (path, page) = browser.page(&format!("/pay/{slug}/review")).await;
    assert_eq!(path, format!("/pay/{slug}/review"));
    let key = page
        .split("name=\"idempotency_key\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the review carries an idempotency key")
        .to_owned();
    (page, key)
}

pub(crate) async fn confirm(browser: &Browser, slug: &str, key: &str) -> String {
    browser
        .submit(
            &format!("/pay/{slug}/review"),
            "wizard/confirm",
            &[
                ("merchant_slug", slug),
                ("idempotency_key", key),
                ("authorize", "on"),
            ],
        )
        .await
}

async fn payment_count(app: &TestApp) -> i64 {
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM payments WHERE payer_email IS NOT NULL")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    count
}

/// Every email in the outbox once the due jobs ran.
pub(crate) async fn outbox_text(app: &TestApp) -> String {
    app.run_jobs().await;
    std::fs::read_dir(app.data_dir.path().join("outbox"))
        .unwrap()
        .filter_map(|entry| std::fs::read_to_string(entry.ok()?.path()).ok())
        .collect::<Vec<_>>()
        .join("\n----\n")
}

/// The outbox once the due jobs ran, which must hold the email `ready` looks for.
async fn outbox_once(app: &TestApp, ready: impl Fn(&str) -> bool) -> String {
    let text = outbox_text(app).await;
    assert!(ready(&text), "the expected email did not arrive:\n{text}");
    text
}

both_databases! {
    async fn an_invoice_is_paid_in_full_by_card_and_both_sides_are_emailed(app: TestApp) {
        let ids = customer_with_invoices(&app, "pay@tyrell.example", &[("IN-1", "1250.00", "USD")]).await;
        let browser = signed_in(&app, "pay@tyrell.example").await;
        let (_, amounts) = browser.page(&format!("{DEMO}/amounts")).await;
        assert!(amounts.contains("Amount to pay for invoice IN-1"));
        assert!(amounts.contains("value=\"1250.00\""), "the amount box starts at the balance");

        assert_eq!(choose_amounts(&browser, &[(&ids[0], "1,250.00")]).await, format!("{DEMO}/method"));
        let (_, method) = browser.page(&format!("{DEMO}/method")).await;
        assert!(method.contains("Bank account (ACH)") && method.contains("Credit or debit card"));
        assert!(!method.contains("Pre-authorized debit"), "no Canadian rails for a USD invoice");
        assert!(method.contains("Pay in installments"), "1,250.00 is above the installment minimum");
        assert_eq!(choose_method(&browser, "card").await, format!("{DEMO}/details"));
        assert_eq!(enter_card(&browser, "4242 4242 4242 4242").await, format!("{DEMO}/review"));

        let (page, key) = review(&browser, SLUG).await;
        assert!(page.contains("Pay $1,250.00"));
        assert!(page.contains("Visa •••• 4242"));
        assert!(page.contains("I authorize Northwind"));
        let receipt = confirm(&browser, SLUG, &key).await;
        assert!(receipt.starts_with(&format!("{DEMO}/receipt/")), "{receipt}");
        let (_, receipt_page) = browser.page(&receipt).await;
        assert!(receipt_page.contains("Confirmation number"));
        assert!(receipt_page.contains("succeeded"));

        assert_eq!(invoice(&app, &ids[0]).await["status"], "paid");
        // The emails go out just after the answer.
        let outbox = outbox_once(&app, |text| text.contains("Payment received: 1,250.00 USD")).await;
        assert!(outbox.contains("Receipt for your payment to Northwind"));
        let (authorization,): (String,) = sqlx::query_as("SELECT text FROM payment_authorizations")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert!(authorization.starts_with("I authorize Northwind"), "{authorization}");
        assert!(authorization.contains("to charge Visa •••• 4242 1,250.00 USD now"), "{authorization}");
        if app.backend == crate::helpers::TestDb::Sqlite {
            let file = std::fs::read(app.data_dir.path().join("portico.db")).unwrap();
            let text = String::from_utf8_lossy(&file);
            assert!(!text.contains("4242424242424242"), "the card number is stored nowhere");
        }

        // The same confirm again (a refresh, a double click) shows the same receipt.
        assert_eq!(confirm(&browser, SLUG, &key).await, receipt);
        assert_eq!(payment_count(&app).await, 1);
    }

    async fn each_bad_amount_gets_its_own_message_and_keeps_what_was_typed(app: TestApp) {
        let ids = customer_with_invoices(&app, "pay@tyrell.example", &[("IN-1", "100.00", "USD"), ("IN-2", "50.00", "CAD"), ("IN-3", "0.50", "USD")]).await;
        let browser = signed_in(&app, "pay@tyrell.example").await;
        let (_, page) = browser.page(&format!("{DEMO}/amounts")).await;
        assert!(
            page.contains("A part payment is at least 1.00 USD or 1.00 CAD."),
            "the minimum is said before an amount is refused for it"
        );
        for (typed, message) in [
            ("100.01", "Invoice IN-1 has 100.00 USD left to pay; enter at most that."),
            ("0.99", "Pay at least 1.00 USD toward invoice IN-1, or all of its 100.00 USD."),
            ("0", "The amount must be more than 0.00."),
            ("-5", "An amount cannot be negative."),
            ("10.001", "USD amounts have at most 2 decimal places."),
        ] {
            let back = choose_amounts(&browser, &[(&ids[0], typed)]).await;
            let error = Browser::error_in(&back).unwrap_or_default();
            assert!(error.contains(message), "{typed}: {error}");
            let (_, page) = browser.page(&format!("{DEMO}/amounts")).await;
            assert!(page.contains(&format!("value=\"{typed}\"")), "{typed} is given back");
        }
        let none = browser.submit(&format!("{DEMO}/amounts"), "wizard/amounts", &[("merchant_slug", SLUG)]).await;
        assert!(Browser::error_in(&none).unwrap_or_default().contains("Select at least one invoice to pay."));
        let below_minimum = choose_amounts(&browser, &[(&ids[2], "0.25")]).await;
        assert!(Browser::error_in(&below_minimum).unwrap_or_default().contains("Pay at least 1.00 USD"));
        let mixed = choose_amounts(&browser, &[(&ids[0], "100.00"), (&ids[1], "50.00")]).await;
        assert!(Browser::error_in(&mixed).unwrap_or_default().contains("different currencies"));
        let (path, _) = browser.page(&format!("{DEMO}/review")).await;
        assert_eq!(path, format!("{DEMO}/amounts"), "no skipping ahead without a selection");
        assert_eq!(
            choose_amounts(&browser, &[(&ids[2], "0.50")]).await,
            format!("{DEMO}/method"),
            "a balance under the minimum can still be paid in full"
        );
    }

    async fn concurrent_confirms_with_one_key_make_one_payment(app: TestApp) {
        let ids = customer_with_invoices(&app, "pay@tyrell.example", &[("IN-1", "300.00", "USD")]).await;
        let browser = signed_in(&app, "pay@tyrell.example").await;
        choose_amounts(&browser, &[(&ids[0], "300.00")]).await;
        choose_method(&browser, "card").await;
        enter_card(&browser, "4242424242424242").await;
        let (_, key) = review(&browser, SLUG).await;
        let mut confirms = tokio::task::JoinSet::new();
        for _ in 0..6 {
            let (browser, key) = (browser.clone(), key.clone());
            confirms.spawn(async move { confirm(&browser, SLUG, &key).await });
        }
        let receipts = confirms.join_all().await;
        assert!(receipts.iter().all(|receipt| *receipt == receipts[0]), "{receipts:?}");
        assert!(receipts[0].contains("/receipt/"));
        assert_eq!(payment_count(&app).await, 1);
        assert_eq!(invoice(&app, &ids[0]).await["balance_due"], "0.00");
    }

    async fn concurrent_confirms_with_two_keys_pay_the_balance_once(app: TestApp) {
        let ids = customer_with_invoices(&app, "pay@tyrell.example", &[("IN-1", "300.00", "USD")]).await;
        let first = signed_in(&app, "pay@tyrell.example").await;
        let second = Browser::new(&app);
        sign_in(&app, &second, "pay@tyrell.example").await;
        let mut keys = Vec::new();
        for browser in [&first, &second] {
            choose_amounts(browser, &[(&ids[0], "300.00")]).await;
            choose_method(browser, "card").await;
            enter_card(browser, "4242424242424242").await;
            keys.push(review(browser, SLUG).await.1);
        }
        assert_ne!(keys[0], keys[1]);
        let (a, b) = tokio::join!(confirm(&first, SLUG, &keys[0]), confirm(&second, SLUG, &keys[1]));
        let browser_of = |outcome: &String| if *outcome == a { &first } else { &second };
        let outcomes = [a.clone(), b];
        assert_eq!(outcomes.iter().filter(|to| to.contains("/receipt/")).count(), 1, "{outcomes:?}");
        let sent_back = outcomes.iter().find(|to| !to.contains("/receipt/")).unwrap();
        assert!(sent_back.starts_with(&format!("{DEMO}/amounts")), "{sent_back}");
        let (_, amounts) = browser_of(sent_back).page(sent_back).await;
        assert!(amounts.contains("another payment was made meanwhile"), "the customer is told why");
        assert_eq!(payment_count(&app).await, 1);
        assert_eq!(invoice(&app, &ids[0]).await["balance_due"], "0.00");
    }

    async fn a_declined_card_keeps_the_invoices_for_another_try(app: TestApp) {
        let ids = customer_with_invoices(&app, "pay@tyrell.example", &[("IN-1", "80.00", "USD")]).await;
        let browser = signed_in(&app, "pay@tyrell.example").await;
        choose_amounts(&browser, &[(&ids[0], "80.00")]).await;
        choose_method(&browser, "card").await;
        enter_card(&browser, "4000 0000 0000 9995").await;
        let (_, key) = review(&browser, SLUG).await;
        let receipt = confirm(&browser, SLUG, &key).await;
        let (_, page) = browser.page(&receipt).await;
        assert!(page.contains("Payment declined") && page.contains("insufficient funds"));
        assert!(page.contains("Try another method"));
        assert_eq!(invoice(&app, &ids[0]).await["balance_due"], "80.00", "a decline frees the invoice");

        assert_eq!(choose_method(&browser, "card").await, format!("{DEMO}/details"));
        enter_card(&browser, "4242424242424242").await;
        let (_, second_key) = review(&browser, SLUG).await;
        assert_ne!(key, second_key, "a new attempt gets a new key");
        let (_, page) = browser.page(&confirm(&browser, SLUG, &second_key).await).await;
        assert!(page.contains("Payment complete"));
        assert_eq!(invoice(&app, &ids[0]).await["status"], "paid");
    }

    async fn a_confirm_ends_its_checkout_and_a_decline_keeps_it_short_of_the_card(app: TestApp) {
        let ids = customer_with_invoices(&app, "pay@tyrell.example", &[("IN-1", "80.00", "USD"), ("IN-2", "20.00", "USD")]).await;
        let browser = signed_in(&app, "pay@tyrell.example").await;
        choose_amounts(&browser, &[(&ids[0], "80.00")]).await;
        choose_method(&browser, "card").await;
        enter_card(&browser, "4000 0000 0000 9995").await;
        let (_, key) = review(&browser, SLUG).await;
        confirm(&browser, SLUG, &key).await;
        let (at, _) = browser.page(&format!("{DEMO}/review")).await;
        assert_eq!(at, format!("{DEMO}/details"), "after a decline the card goes, the invoices and method stay");

        enter_card(&browser, "4242424242424242").await;
        let (_, key) = review(&browser, SLUG).await;
        confirm(&browser, SLUG, &key).await;
        let (at, amounts) = browser.page(&format!("{DEMO}/review")).await;
        assert_eq!(at, format!("{DEMO}/amounts"), "a payment made ends its checkout");
        assert!(amounts.contains("IN-2") && !amounts.contains("IN-1"), "only what is left to pay is offered");
    }

    async fn card_details_are_checked_field_by_field(app: TestApp) {
        let ids = customer_with_invoices(&app, "pay@tyrell.example", &[("IN-1", "80.00", "USD")]).await;
        let browser = signed_in(&app, "pay@tyrell.example").await;
        choose_amounts(&browser, &[(&ids[0], "80.00")]).await;
        choose_method(&browser, "card").await;
        let back = browser
            .submit(&format!("{DEMO}/details"), "wizard/card", &[
                ("merchant_slug", SLUG),
                ("card_number", "4242 4242 4242 4241"),
                ("expiry", "01/20"),
                ("security_code", "12"),
                ("name_on_card", " "),
                ("postal_code", "nope"),
            ])
            .await;
        let error = Browser::error_in(&back).unwrap_or_default();
        for message in ["typo", "expired", "3 digits", "name printed on the card", "billing postal code"] {
            assert!(error.contains(message), "{message}: {error}");
        }
        let refused = enter_card(&browser, "5555 5555 5555 4444").await;
        assert!(Browser::error_in(&refused).unwrap_or_default().contains("test mode"));
        let (_, page) = browser.page(&format!("{DEMO}/details")).await;
        assert!(page.contains("value=\"Ana López\""), "the name is kept");
        assert!(!page.contains("5555"), "a card number is never given back");
    }

    async fn ach_debits_for_two_invoices_one_partly_settle_on_the_test_clock(app: TestApp) {
        let ids = customer_with_invoices(&app, "pay@tyrell.example", &[("IN-1", "500.00", "USD"), ("IN-2", "200.00", "USD")]).await;
        let browser = signed_in(&app, "pay@tyrell.example").await;
        choose_amounts(&browser, &[(&ids[0], "500.00"), (&ids[1], "75.25")]).await;
        choose_method(&browser, "us_ach").await;
        let mismatch = browser
            .submit(&format!("{DEMO}/details"), "wizard/bank", &[
                ("merchant_slug", SLUG),
                ("routing_number", "110000001"),
                ("account_number", "000123456789"),
                ("confirm_account_number", "000123456780"),
            ])
            .await;
        let error = Browser::error_in(&mismatch).unwrap_or_default();
        for message in ["routing number does not exist", "do not match", "checking or savings", "business or personal"] {
            assert!(error.contains(message), "{message}: {error}");
        }
        assert_eq!(enter_ach(&browser, "000123456789").await, format!("{DEMO}/review"));
        let (page, key) = review(&browser, SLUG).await;
        assert!(page.contains("Pay $575.25"));
        assert!(page.contains("Bank account •••• 6789"));
        assert!(page.contains("CCD ACH debit"));
        let (_, receipt) = browser.page(&confirm(&browser, SLUG, &key).await).await;
        assert!(receipt.contains("Payment processing") && receipt.contains("expected to settle on"));
        let (stored,): (String,) = sqlx::query_as("SELECT account_ciphertext FROM bank_accounts")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert!(!stored.contains("000123456789"), "the account number is stored encrypted");
        assert_eq!(invoice(&app, &ids[0]).await["status"], "processing");
        assert_eq!(invoice(&app, &ids[1]).await["balance_due"], "124.75", "the rest stays outstanding");

        let advanced = app.advance_test_clock(7);
        assert_eq!(advanced["settled"], 1, "{advanced}");
        assert_eq!(invoice(&app, &ids[0]).await["status"], "paid");
        assert_eq!(invoice(&app, &ids[1]).await["status"], "partially_paid");
        assert_eq!(app.advance_test_clock(7)["settled"], 0, "each debit settles once");
    }
}

mod returns {
    use super::*;

    const MAPLE: &str = "maple-wholesale";

    both_databases! {
        async fn a_returned_pad_debit_reopens_its_invoice_and_closes_the_account(app: TestApp) {
            let browser = Browser::new(&app);
            let email = "ap@timberline.example";
            let demo = format!("/pay/{MAPLE}");
            let key = server::admin::create_api_key(&app.db, MAPLE).await.unwrap().api_key;
            let customer = app
                .api_post(&key, "/customers", &json!({"name": "Timberline Ltd.", "email": email, "country": "CA"}))
                .await
                .id();
            let invoice_id = app
                .api_post(&key, "/invoices", &json!({
                    "customer_id": customer, "number": "MW-9", "currency": "CAD", "total": "940.00",
                    "issued_on": "2026-11-01", "due_on": "2026-12-01",
                }))
                .await
                .id();
            browser.submit(&demo, "wizard/email", &[("merchant_slug", MAPLE), ("email", email)]).await;
            browser.submit(&format!("{demo}/verify"), "wizard/code", &[("merchant_slug", MAPLE), ("code", &app.latest_code(email).await)]).await;
            let mut business = vec![("merchant_slug", MAPLE)];
            business.extend_from_slice(&[
                ("business_name", "Timberline Ltd."), ("contact_name", "Sam Roy"), ("phone", "+1 604 555 0100"),
                ("address_line1", "1 Water St"), ("city", "Vancouver"), ("region", "BC"),
                ("postal_code", "V6B 1A1"), ("country", "CA"),
            ]);
            browser.submit(&format!("{demo}/business"), "wizard/business", &business).await;
            let amounts = [("merchant_slug", MAPLE), ("pay[]", invoice_id.as_str()), ("invoice[]", invoice_id.as_str()), ("amount[]", "940.00")];
            browser.submit(&format!("{demo}/amounts"), "wizard/amounts", &amounts).await;
            browser.submit(&format!("{demo}/method"), "wizard/method", &[("merchant_slug", MAPLE), ("method", "ca_pad")]).await;
            let bank = |account: &'static str| [
                ("merchant_slug", MAPLE), ("institution_number", "000"), ("transit_number", "11000"),
                ("account_number", account), ("confirm_account_number", account), ("holder_type", "business"),
            ];
            assert_eq!(
                browser.submit(&format!("{demo}/details"), "wizard/bank", &bank("000111111113")).await,
                format!("{demo}/review")
            );
            let (page, idempotency_key) = review(&browser, MAPLE).await;
            assert!(page.contains("a business PAD") && page.contains("recourse rights"));
            assert!(page.contains("Pay $940.00 CAD"));
            confirm(&browser, MAPLE, &idempotency_key).await;
            let get = |id: String| {
                let app = &app;
                let key = key.clone();
                async move { app.api_get(&key, &format!("/invoices/{id}")).await.ok(200).clone() }
            };
            assert_eq!(get(invoice_id.clone()).await["status"], "processing");

            let advanced = app.advance_test_clock(8);
            assert_eq!(advanced["returned"], 1, "{advanced}");
            let reopened = get(invoice_id.clone()).await;
            assert_eq!(reopened["status"], "open");
            assert_eq!(reopened["balance_due"], "940.00");
            let (status, code): (String, String) = sqlx::query_as("SELECT status, return_code FROM payments WHERE payer_email IS NOT NULL")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
            assert_eq!((status.as_str(), code.as_str()), ("returned", "R02"));
            // Its history: each status it reached, the return with its code, in order.
            let history: Vec<(String, Option<String>)> = sqlx::query_as(
                "SELECT e.status, e.detail FROM payment_events e JOIN payments p ON p.id = e.payment_id \
                 WHERE p.payer_email IS NOT NULL ORDER BY e.at, e.status",
            )
            .fetch_all(app.db.pool())
            .await
            .unwrap();
            let statuses: Vec<&str> = history.iter().map(|(status, _)| status.as_str()).collect();
            assert_eq!(statuses.first(), Some(&"pending"));
            assert_eq!(
                history.last(),
                Some(&("returned".to_owned(), Some("R02: The bank returned the debit: the account is closed.".to_owned())))
            );
            let outbox = outbox_text(&app).await;
            assert!(outbox.contains("was returned"));
            assert!(outbox.contains("Payment returned: 940.00 CAD"));

            // The closed account cannot be used again.
            browser.submit(&format!("{demo}/amounts"), "wizard/amounts", &amounts).await;
            browser.submit(&format!("{demo}/method"), "wizard/method", &[("merchant_slug", MAPLE), ("method", "ca_pad")]).await;
            let refused = browser.submit(&format!("{demo}/details"), "wizard/bank", &bank("000111111113")).await;
            assert!(Browser::error_in(&refused).unwrap_or_default().contains("(R02)"), "{refused}");
        }
    }
}

mod recovery {
    use super::*;
    use app::domain::idempotency::IdempotencyKey;
    use app::domain::ids::{CustomerId, InvoiceId};
    use app::domain::money::{AmountSyntax, Currency, Money};
    use app::domain::payment::PaymentMethodKind;
    use app::services::payments::{self, NewAllocation, NewPayment, PaymentDetails};

    both_databases! {
        async fn a_confirm_that_stopped_half_way_is_finished_by_the_next_one(app: TestApp) {
            let ids = customer_with_invoices(&app, "pay@tyrell.example", &[("IN-1", "40.00", "USD")]).await;
            let browser = signed_in(&app, "pay@tyrell.example").await;
            choose_amounts(&browser, &[(&ids[0], "40.00")]).await;
            choose_method(&browser, "card").await;
            enter_card(&browser, "4242424242424242").await;
            let (_, key) = review(&browser, SLUG).await;
            // The payment was recorded, then the server stopped before charging the card.
            let customer = CustomerId::parse(invoice(&app, &ids[0]).await["customer_id"].as_str().unwrap()).unwrap();
            let (token,): (String,) = sqlx::query_as("SELECT token FROM sandbox_card_tokens").fetch_one(app.db.pool()).await.unwrap();
            let merchant = app::services::merchants::find_id(&app.db, &app::domain::merchant::MerchantSlug::parse(SLUG).unwrap())
                .await
                .unwrap()
                .unwrap();
            let amount = Money::parse("40.00", Currency::Usd, AmountSyntax::Plain).unwrap();
            payments::record(&app.db, merchant, &NewPayment {
                customer,
                method: PaymentMethodKind::Card,
                amount,
                allocations: vec![NewAllocation { invoice: InvoiceId::parse(&ids[0]).unwrap(), amount }],
                idempotency_key: IdempotencyKey::parse(&key).unwrap(),
                processor_reference: None,
                details: PaymentDetails { instrument: Some(token), ..PaymentDetails::default() },
            })
            .await
            .unwrap();
            assert_eq!(invoice(&app, &ids[0]).await["balance_due"], "0.00", "the pending payment holds the balance");

            let (_, page) = browser.page(&confirm(&browser, SLUG, &key).await).await;
            assert!(page.contains("Payment complete"), "confirming again charges the card and finishes the payment");
            assert_eq!(invoice(&app, &ids[0]).await["status"], "paid");
            let (charges,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sandbox_charges").fetch_one(app.db.pool()).await.unwrap();
            assert_eq!(charges, 1);
        }

        async fn an_account_closed_after_step_7_is_refused_at_confirm_with_nothing_recorded(app: TestApp) {
            let ids = customer_with_invoices(&app, "pay@tyrell.example", &[("IN-1", "40.00", "USD")]).await;
            let browser = signed_in(&app, "pay@tyrell.example").await;
            choose_amounts(&browser, &[(&ids[0], "40.00")]).await;
            choose_method(&browser, "us_ach").await;
            enter_ach(&browser, "000123456789").await;
            let (_, key) = review(&browser, SLUG).await;
            // Meanwhile another payment from the same account came back R02.
            sqlx::query("UPDATE bank_accounts SET blocked_code = 'R02'").execute(app.db.pool()).await.unwrap();
            let back = confirm(&browser, SLUG, &key).await;
            assert!(back.starts_with(&format!("{DEMO}/details")), "{back}");
            let (_, details) = browser.page(&back).await;
            assert!(details.contains("returned (R02) since you chose it"), "the customer is told why");
            assert_eq!(payment_count(&app).await, 0);
            assert_eq!(invoice(&app, &ids[0]).await["balance_due"], "40.00");
        }

        async fn a_card_saved_after_a_successful_charge_is_offered_next_time(app: TestApp) {
            let ids = customer_with_invoices(&app, "pay@tyrell.example", &[("IN-1", "40.00", "USD"), ("IN-2", "60.00", "USD")]).await;
            let browser = signed_in(&app, "pay@tyrell.example").await;
            choose_amounts(&browser, &[(&ids[0], "40.00")]).await;
            choose_method(&browser, "card").await;
            browser
                .submit(&format!("{DEMO}/details"), "wizard/card", &[
                    ("merchant_slug", SLUG), ("card_number", "4242424242424242"), ("expiry", "12/30"),
                    ("security_code", "123"), ("name_on_card", "Ana López"), ("postal_code", "94105"), ("save", "on"),
                ])
                .await;
            let (_, key) = review(&browser, SLUG).await;
            confirm(&browser, SLUG, &key).await;

            choose_amounts(&browser, &[(&ids[1], "60.00")]).await;
            choose_method(&browser, "card").await;
            let (_, details) = browser.page(&format!("{DEMO}/details")).await;
            assert!(details.contains("Use a saved payment method"));
            assert!(details.contains("Visa •••• 4242 (expires 12/30)"));
            let saved_id = details
                .split("name=\"saved\" value=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap()
                .to_owned();
            let forged = browser.submit(&format!("{DEMO}/details"), "wizard/saved-method", &[("merchant_slug", SLUG), ("saved", "card_someone_else")]).await;
            assert!(Browser::error_in(&forged).unwrap_or_default().contains("Choose one of your saved payment methods."));
            assert_eq!(
                browser.submit(&format!("{DEMO}/details"), "wizard/saved-method", &[("merchant_slug", SLUG), ("saved", &saved_id)]).await,
                format!("{DEMO}/review")
            );
            let (_, key) = review(&browser, SLUG).await;
            let (_, page) = browser.page(&confirm(&browser, SLUG, &key).await).await;
            assert!(page.contains("Payment complete"));
            assert_eq!(invoice(&app, &ids[1]).await["status"], "paid");
        }
    }
}

mod connect_bank {
    use super::*;

    both_databases! {
        async fn a_customer_connects_a_test_bank_and_pays_from_a_picked_account(app: TestApp) {
            let ids = customer_with_invoices(&app, "pay@tyrell.example", &[("IN-1", "90.00", "USD")]).await;
            let browser = signed_in(&app, "pay@tyrell.example").await;
            choose_amounts(&browser, &[(&ids[0], "90.00")]).await;
            choose_method(&browser, "us_ach").await;
            let (_, details) = browser.page(&format!("{DEMO}/details")).await;
            assert!(details.contains("Connect your bank") && details.contains("First Sandbox Bank"));
            assert!(!details.contains("Caisse Sandbox"), "US banks for ACH");

            let refused = browser
                .submit(&format!("{DEMO}/details"), "wizard/connect-bank", &[
                    ("merchant_slug", SLUG), ("institution", "sandbox-first"),
                    ("bank_username", "user_good"), ("bank_password", "wrong"),
                ])
                .await;
            assert!(Browser::error_in(&refused).unwrap_or_default().contains("did not accept that username and password"));
            let connected = browser
                .submit(&format!("{DEMO}/details"), "wizard/connect-bank", &[
                    ("merchant_slug", SLUG), ("institution", "sandbox-first"),
                    ("bank_username", "user_good"), ("bank_password", "pass_good"),
                ])
                .await;
            assert_eq!(connected, format!("{DEMO}/details"));
            let (_, details) = browser.page(&format!("{DEMO}/details")).await;
            assert!(details.contains("Connected to First Sandbox Bank"));
            assert!(details.contains("Business checking •••• 6789"));
            assert!(!details.contains("000123456789"), "the bank's numbers are not shown");

            let foreign = browser
                .submit(&format!("{DEMO}/details"), "wizard/connect-bank", &[
                    ("merchant_slug", SLUG), ("institution", "sandbox-caisse"),
                    ("bank_username", "user_good"), ("bank_password", "pass_good"),
                ])
                .await;
            assert!(Browser::error_in(&foreign).unwrap_or_default().contains("Choose your bank from the list."), "a Canadian bank for ACH is refused");
            let forged = browser
                .submit(&format!("{DEMO}/details"), "wizard/connected-account", &[
                    ("merchant_slug", SLUG), ("connected_account", "not-an-account"), ("link_holder_type", "business"),
                ])
                .await;
            assert!(Browser::error_in(&forged).unwrap_or_default().contains("Choose one of the accounts."));
            assert_eq!(
                browser
                    .submit(&format!("{DEMO}/details"), "wizard/connected-account", &[
                        ("merchant_slug", SLUG), ("connected_account", "checking"), ("link_holder_type", "personal"),
                    ])
                    .await,
                format!("{DEMO}/review")
            );
            let (page, key) = review(&browser, SLUG).await;
            assert!(page.contains("Bank account •••• 6789"));
            assert!(page.contains("WEB ACH debit"), "a personal account is debited as WEB");
            let (_, receipt) = browser.page(&confirm(&browser, SLUG, &key).await).await;
            assert!(receipt.contains("Payment processing"));
        }
    }
}

both_databases! {
    async fn a_hand_made_step_5_listing_more_than_a_page_is_refused_first(app: TestApp) {
        let ids = customer_with_invoices(&app, "pay@tyrell.example", &[("IN-1", "100.00", "USD")]).await;
        let browser = signed_in(&app, "pay@tyrell.example").await;
        let made_up: Vec<String> = (0..100).map(|_| uuid::Uuid::new_v4().to_string()).collect();
        let mut fields = vec![("merchant_slug", SLUG), ("pay[]", ids[0].as_str())];
        fields.push(("invoice[]", ids[0].as_str()));
        fields.push(("amount[]", "100.00"));
        for id in &made_up {
            fields.push(("invoice[]", id.as_str()));
            fields.push(("amount[]", "1.00"));
        }
        let back = browser.submit(&format!("{DEMO}/amounts"), "wizard/amounts", &fields).await;
        let error = Browser::error_in(&back).unwrap_or_default();
        assert!(error.contains("This form lists more than 100 invoices"), "{back}: {error}");

        let mut ticked = vec![("merchant_slug", SLUG)];
        ticked.extend(made_up.iter().chain(&ids).map(|id| ("pay[]", id.as_str())));
        let back = browser.submit(&format!("{DEMO}/amounts"), "wizard/amounts", &ticked).await;
        let error = Browser::error_in(&back).unwrap_or_default();
        assert!(error.contains("Pay at most 100 invoices at a time."), "{error}");
    }

    async fn a_wizard_post_over_64_kib_is_refused_with_413(app: TestApp) {
        let padding = "1".repeat(65 * 1024);
        let response = app
            .client
            .post(format!("{}/api/wizard/amounts", app.address))
            .header("origin", &app.address)
            .form(&[("merchant_slug", SLUG), ("amount[]", padding.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 413);
        assert!(response.text().await.unwrap().contains("larger than 64 KiB"));
        // The merchant API's JSON is not held to the wizard's limit.
        let key = server::admin::create_api_key(&app.db, SLUG).await.unwrap().api_key;
        let memo = "m".repeat(65 * 1024);
        let answer = app
            .api_post(&key, "/customers", &json!({"name": memo, "email": "a@b.example", "country": "US"}))
            .await;
        assert!(answer.status != 413 && answer.status < 500, "{answer:?}");
    }
}

both_databases! {
    async fn a_session_that_tries_card_after_card_is_made_to_wait(app: TestApp) {
        use app::services::rate_limit::CardAttempts;

        let ids = customer_with_invoices(&app, "tester@cards.example", &[("CT-1", "50.00", "USD")]).await;
        let browser = signed_in(&app, "tester@cards.example").await;
        choose_amounts(&browser, &[(&ids[0], "50.00")]).await;
        choose_method(&browser, "card").await;
        let allowed = CardAttempts::PER_SESSION.burst;
        for _ in 0..allowed {
            assert_eq!(enter_card(&browser, "4242424242424242").await, format!("{DEMO}/review"));
        }
        let refused = enter_card(&browser, "4242424242424242").await;
        let message = Browser::error_in(&refused).expect("the card is refused");
        assert!(message.contains("Too many cards were tried just now"), "{message}");
        let (tokens,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sandbox_card_tokens")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(tokens, i64::from(allowed), "the refused card never reached the processor");
    }
}
