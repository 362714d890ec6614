//! The merchant dashboard, as a browser without JavaScript uses it: staff sign-in by code,
//! roles, tenant isolation, manual reconciliation (and its API) and the CSV export.

use crate::helpers::{Browser, TestApp, both_databases, location};
use crate::wizard_payments::{
    SLUG, choose_amounts, confirm, customer_with_invoices, enter_card, review, signed_in,
};
use serde_json::Value;

pub(crate) const ADMIN: &str = "admin@northwind.example";
pub(crate) const VIEWER: &str = "viewer@northwind.example";
pub(crate) const MAPLE_ADMIN: &str = "admin@maplewholesale.example";
const PAYMENTS: &str = "/dashboard/payments";
const OVERVIEW: &str = "/dashboard/overview";

/// Signs `email` in at the dashboard; returns the browser and where the code led.
async fn staff_browser(app: &TestApp, email: &str) -> (Browser, String) {
    let browser = Browser::new(app);
    let next = browser
        .submit("/dashboard", "dashboard/email", &[("email", email)])
        .await;
    assert_eq!(next, "/dashboard/verify");
    let code = app.latest_code(email).await;
    let next = browser
        .submit("/dashboard/verify", "dashboard/code", &[("code", &code)])
        .await;
    (browser, next)
}

pub(crate) async fn staff(app: &TestApp, email: &str) -> Browser {
    let (browser, next) = staff_browser(app, email).await;
    assert_eq!(next, OVERVIEW);
    browser
}

/// Posts a dashboard action as a script would, and answers its status.
pub(crate) async fn post_status(
    app: &TestApp,
    browser: &Browser,
    endpoint: &str,
    fields: &[(&str, &str)],
) -> u16 {
    app.client
        .post(format!("{}/api/{endpoint}", app.address))
        .header("origin", &app.address)
        .header("accept", "application/json")
        .header("cookie", browser.cookie_header().unwrap())
        .form(fields)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The ids of a demo merchant's payments.
async fn payments_of(app: &TestApp, slug: &str) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT p.id FROM payments p JOIN merchants m ON m.id = p.merchant_id WHERE m.slug = $1 ORDER BY p.created_at, p.id",
    )
    .bind(slug)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    rows.into_iter().map(|(id,)| id).collect()
}

pub(crate) async fn reconciliation_of(app: &TestApp, payment: &str) -> String {
    let (state,): (String,) = sqlx::query_as("SELECT reconciliation FROM payments WHERE id = $1")
        .bind(payment)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    state
}

/// The CSV export as `browser`'s staff member downloads it, with the list's `query`.
pub(crate) async fn csv_export(app: &TestApp, browser: &Browser, query: &str) -> String {
    app.client
        .get(format!("{}/dashboard/payments.csv{query}", app.address))
        .header("cookie", browser.cookie_header().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

pub(crate) async fn api_key(app: &TestApp, slug: &str) -> String {
    server::admin::create_api_key(&app.db, slug)
        .await
        .unwrap()
        .api_key
}

/// A card payment of two new invoices (100.00 and 250.00) at Northwind; returns its id.
async fn card_payment_of_two_invoices(app: &TestApp, email: &str) -> String {
    paid_with_card(app, email, "4242424242424242").await
}

/// [`card_payment_of_two_invoices`] with the test card `card` (invoices `CSV-1`, `CSV-2`).
pub(crate) async fn paid_with_card(app: &TestApp, email: &str, card: &str) -> String {
    let invoices = customer_with_invoices(
        app,
        email,
        &[("CSV-1", "100.00", "USD"), ("CSV-2", "250.00", "USD")],
    )
    .await;
    let browser = signed_in(app, email).await;
    choose_amounts(
        &browser,
        &[(&invoices[0], "100.00"), (&invoices[1], "250.00")],
    )
    .await;
    browser
        .submit(
            "/pay/northwind/method",
            "wizard/method",
            &[("merchant_slug", SLUG), ("method", "card")],
        )
        .await;
    enter_card(&browser, card).await;
    let (_, key) = review(&browser, SLUG).await;
    let receipt = confirm(&browser, SLUG, &key).await;
    receipt
        .rsplit('/')
        .next()
        .expect("the receipt names the payment")
        .to_owned()
}

both_databases! {
    async fn staff_sign_in_by_code_and_see_only_their_merchants_payments(app: TestApp) {
        let (_, page) = Browser::new(&app).page("/dashboard").await;
        assert!(page.contains("Email address") && page.contains("Continue"));
        let browser = staff(&app, ADMIN).await;
        let (path, page) = browser.page(PAYMENTS).await;
        assert_eq!(path, PAYMENTS);
        for payment in payments_of(&app, "northwind").await {
            assert!(page.contains(&payment), "{payment} is listed");
        }
        for payment in payments_of(&app, "maple-wholesale").await {
            assert!(!page.contains(&payment), "another merchant's {payment} is not");
        }
        // Signed in, /dashboard leads on to the overview.
        assert_eq!(browser.page("/dashboard").await.0, OVERVIEW);

        // Signing out ends the session: the old cookie opens nothing.
        let cookie = browser.cookie_header().unwrap();
        assert_eq!(
            browser.submit(PAYMENTS, "dashboard/sign-out", &[]).await,
            "/dashboard"
        );
        let stale = Browser::new(&app);
        let response = stale.open_with_cookie(PAYMENTS, &cookie).await;
        assert_eq!(location(&response).as_deref(), Some("/dashboard"));
    }

    async fn a_customer_session_never_opens_the_dashboard_nor_the_reverse(app: TestApp) {
        customer_with_invoices(&app, "ap@customer-side.example", &[("SIDE-1", "10.00", "USD")]).await;
        let customer = signed_in(&app, "ap@customer-side.example").await;
        let response = customer.open(PAYMENTS).await;
        assert_eq!(location(&response).as_deref(), Some("/dashboard"));
        let staff = staff(&app, ADMIN).await;
        let response = staff.open("/pay/northwind/invoices").await;
        assert_eq!(location(&response).as_deref(), Some("/pay/northwind"));
    }

    async fn an_address_without_access_is_answered_alike_and_told_by_email_only(app: TestApp) {
        let (browser, _) = (Browser::new(&app), ());
        let next = browser
            .submit("/dashboard", "dashboard/email", &[("email", "nobody@else.example")])
            .await;
        assert_eq!(next, "/dashboard/verify");
        let (_, page) = browser.page("/dashboard/verify").await;
        assert!(page.contains("If <strong>nobody@else.example</strong> can open a dashboard"));
        let outbox = crate::wizard_payments::outbox_text(&app).await;
        assert!(outbox.contains("cannot open any merchant's dashboard"));
        let back = browser
            .submit("/dashboard/verify", "dashboard/code", &[("code", "123456")])
            .await;
        let error = Browser::error_in(&back).unwrap_or_default();
        assert!(error.contains("not right"), "{error}");
    }

    async fn a_mistyped_address_is_refused_and_kept(app: TestApp) {
        let browser = Browser::new(&app);
        let back = browser
            .submit("/dashboard", "dashboard/email", &[("email", "admin@northwind")])
            .await;
        assert!(Browser::error_in(&back).unwrap_or_default().contains("dot"));
        let (_, page) = browser.page("/dashboard").await;
        assert!(page.contains("value=\"admin@northwind\""));
    }

    async fn a_viewer_reads_everything_and_every_write_is_refused_on_the_server(app: TestApp) {
        let viewer = staff(&app, VIEWER).await;
        let payment = payments_of(&app, "northwind").await.remove(0);
        let (_, page) = viewer.page(PAYMENTS).await;
        assert!(page.contains(&payment));
        assert!(!page.contains("Mark reconciled"), "a viewer is offered no change");
        let (_, detail) = viewer.page(&format!("{PAYMENTS}/{payment}")).await;
        assert!(detail.contains("Confirmation number") && !detail.contains("Mark reconciled"));

        // The form posted anyway (a crafted request): refused, nothing changed.
        let back = viewer
            .submit(
                PAYMENTS,
                "dashboard/reconcile",
                &[("payment[]", &payment), ("mark", "reconciled")],
            )
            .await;
        assert!(Browser::error_in(&back).unwrap_or_default().contains("viewer"));
        let response = app
            .client
            .post(format!("{}/api/dashboard/reconcile-one", app.address))
            .header("origin", &app.address)
            .header("accept", "application/json")
            .header("cookie", viewer.cookie_header().unwrap())
            .form(&[("payment_id", payment.as_str()), ("mark", "reconciled")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403);
        assert_eq!(reconciliation_of(&app, &payment).await, "unreconciled");
    }

    async fn another_merchants_payment_is_not_found_on_every_page_and_action(app: TestApp) {
        let admin = staff(&app, ADMIN).await;
        let foreign = payments_of(&app, "maple-wholesale").await.remove(0);
        let response = admin.open(&format!("{PAYMENTS}/{foreign}")).await;
        assert_eq!(response.status(), 404);
        let (_, found) = admin.page(&format!("{PAYMENTS}?confirmation={foreign}")).await;
        assert!(found.contains("No payment of yours has this confirmation number."));
        for (endpoint, fields) in [
            ("dashboard/reconcile-one", vec![("payment_id", foreign.as_str()), ("mark", "reconciled")]),
            ("dashboard/reconcile", vec![("payment[]", foreign.as_str()), ("mark", "reconciled")]),
        ] {
            let response = app
                .client
                .post(format!("{}/api/{endpoint}", app.address))
                .header("origin", &app.address)
                .header("accept", "application/json")
                .header("cookie", admin.cookie_header().unwrap())
                .form(&fields)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 404, "{endpoint}");
        }
        assert_eq!(reconciliation_of(&app, &foreign).await, "unreconciled");
        let export = csv_export(&app, &admin, "").await;
        assert!(!export.contains(&foreign));
    }

    async fn a_bookkeeper_marks_a_selection_reconciled_and_the_api_sees_it(app: TestApp) {
        let admin = staff(&app, ADMIN).await;
        let key = api_key(&app, "northwind").await;
        let mine = payments_of(&app, "northwind").await;
        assert!(mine.len() >= 2, "the demo has settled payments");
        let (_, todo) = admin.page(&format!("{PAYMENTS}?reconciliation=unreconciled")).await;
        assert!(todo.contains(&mine[0]) && todo.contains(&mine[1]));

        let back = admin
            .submit(
                &format!("{PAYMENTS}?reconciliation=unreconciled"),
                "dashboard/reconcile",
                &[
                    ("payment[]", &mine[0]),
                    ("payment[]", &mine[1]),
                    ("mark", "reconciled"),
                    ("filters[reconciliation]", "unreconciled"),
                ],
            )
            .await;
        assert_eq!(back, format!("{PAYMENTS}?reconciliation=unreconciled&marked=2"));
        let (_, todo) = admin.page(&back).await;
        assert!(todo.contains("2 payments changed."));
        assert!(!todo.contains(&mine[0]), "what is done leaves the to-do list");

        let payment = app.api_get(&key, &format!("/payments/{}", mine[0])).await;
        let reconciliation = &payment.ok(200)["reconciliation"];
        assert_eq!(reconciliation["state"], "reconciled");
        assert_eq!(reconciliation["reconciled_by"], ADMIN);
        assert!(reconciliation["reconciled_at"].as_str().is_some());
        let open = app.api_get(&key, "/payments?reconciliation=unreconciled&limit=100").await;
        let listed: Vec<&str> = open.ok(200)["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|payment| payment["id"].as_str())
            .collect();
        assert!(!listed.contains(&mine[0].as_str()) && !listed.contains(&mine[1].as_str()));

        // Marking again keeps the first who and when; the API takes the mark back.
        let again = app.api_post(&key, &format!("/payments/{}/reconcile", mine[0]), &Value::Null).await;
        assert_eq!(again.ok(200)["reconciliation"]["reconciled_by"], ADMIN);
        let undone = app.api_post(&key, &format!("/payments/{}/unreconcile", mine[0]), &Value::Null).await;
        assert_eq!(undone.ok(200)["reconciliation"]["state"], "unreconciled");
        assert_eq!(undone.body["reconciliation"]["reconciled_by"], Value::Null);
        let (_, detail) = admin.page(&format!("{PAYMENTS}/{}", mine[0])).await;
        assert!(detail.contains("Not reconciled") && detail.contains("Mark reconciled"));

        // Another merchant's payment through the API is a 404, not a change.
        let foreign = payments_of(&app, "maple-wholesale").await.remove(0);
        app.api_post(&key, &format!("/payments/{foreign}/reconcile"), &Value::Null)
            .await
            .problem(404, "not-found");
    }

    async fn only_a_succeeded_payment_is_marked_reconciled(app: TestApp) {
        let admin = staff(&app, ADMIN).await;
        let key = api_key(&app, "northwind").await;
        let payment = payments_of(&app, "northwind").await.remove(0);
        // The debit came back: its money is not in the merchant's bank.
        sqlx::query("UPDATE payments SET status = 'returned' WHERE id = $1")
            .bind(&payment)
            .execute(app.db.pool())
            .await
            .unwrap();
        let (_, detail) = admin.page(&format!("{PAYMENTS}/{payment}")).await;
        assert!(!detail.contains("Mark reconciled"), "not offered");
        let back = admin
            .submit(PAYMENTS, "dashboard/reconcile", &[("payment[]", &payment), ("mark", "reconciled")])
            .await;
        let error = Browser::error_in(&back).unwrap_or_default();
        assert!(error.contains("returned: only succeeded and refunded payments"), "{error}");
        app.api_post(&key, &format!("/payments/{payment}/reconcile"), &Value::Null)
            .await
            .problem(409, "conflict");
        assert_eq!(reconciliation_of(&app, &payment).await, "unreconciled");
    }

    async fn a_payment_shows_each_status_it_reached_in_order(app: TestApp) {
        let payment = card_payment_of_two_invoices(&app, "ap@history.example").await;
        let admin = staff(&app, ADMIN).await;
        let (_, detail) = admin.page(&format!("{PAYMENTS}/{payment}")).await;
        let history = &detail[detail.find("Status history").expect("a status history")..];
        let pending = history.find(" · Pending").expect("recorded as pending");
        let succeeded = history.find(" · Succeeded").expect("then succeeded");
        assert!(pending < succeeded, "oldest first");
        let maple = staff(&app, MAPLE_ADMIN).await;
        assert_eq!(maple.open(&format!("{PAYMENTS}/{payment}")).await.status(), 404);
        // The demo's payments, seeded through the same writes, have theirs too.
        let demo = payments_of(&app, "northwind").await.remove(0);
        let (_, demo_detail) = admin.page(&format!("{PAYMENTS}/{demo}")).await;
        assert!(demo_detail.contains("Status history") && demo_detail.contains(" · Pending"));
    }

    async fn a_payment_is_found_by_its_confirmation_number_and_marked_on_its_page(app: TestApp) {
        let admin = staff(&app, ADMIN).await;
        let payment = payments_of(&app, "northwind").await.remove(0);
        let (_, found) = admin.page(&format!("{PAYMENTS}?confirmation={payment}")).await;
        assert!(found.contains(&format!("{PAYMENTS}/{payment}")));
        let (_, typo) = admin.page(&format!("{PAYMENTS}?confirmation=not-a-number&status=paid")).await;
        assert!(typo.contains("A confirmation number has 32 letters"));
        assert!(typo.contains("value=\"not-a-number\""), "what was typed is kept");
        let back = admin
            .submit(
                &format!("{PAYMENTS}/{payment}"),
                "dashboard/reconcile-one",
                &[("payment_id", &payment), ("mark", "reconciled")],
            )
            .await;
        assert_eq!(back, format!("{PAYMENTS}/{payment}"));
        let (_, detail) = admin.page(&back).await;
        assert!(detail.contains(&format!("Reconciled by hand by {ADMIN}")));
        assert_eq!(reconciliation_of(&app, &payment).await, "reconciled");
    }

    async fn bad_filters_are_explained_and_never_a_server_error(app: TestApp) {
        let admin = staff(&app, ADMIN).await;
        for (query, message) in [
            ("from=2026-13-01", "Enter a date as YYYY-MM-DD"),
            ("from=2026-12-02&to=2026-12-01", "The end date is before the start date."),
            ("status=lost", "The status must be one of"),
            ("method=cash", "The payment method must be one of"),
            ("reconciliation=maybe", "The reconciliation state must be one of"),
        ] {
            let response = admin.open(&format!("{PAYMENTS}?{query}")).await;
            assert_eq!(response.status(), 200, "{query}");
            assert!(response.text().await.unwrap().contains(message), "{query}");
        }
        let export = app
            .client
            .get(format!("{}/dashboard/payments.csv?from=yesterday", app.address))
            .header("cookie", admin.cookie_header().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(export.status(), 422);
    }

    async fn the_csv_export_has_a_row_per_allocation_and_needs_a_signed_in_user(app: TestApp) {
        let payment = card_payment_of_two_invoices(&app, "ap@csv-export.example").await;
        let admin = staff(&app, ADMIN).await;
        let signed_out = app
            .client
            .get(format!("{}/dashboard/payments.csv", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(signed_out.status(), 401);
        let response = app
            .client
            .get(format!("{}/dashboard/payments.csv?method=card", app.address))
            .header("cookie", admin.cookie_header().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let text = response.text().await.unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("date,confirmation_number,customer,invoice_number,external_invoice_id,amount_allocated,currency,method,status,settlement_date,fee,reconciliation,amount_refunded,refunded_on")
        );
        let rows: Vec<&str> = lines.filter(|line| line.contains(&payment)).collect();
        assert_eq!(rows.len(), 2, "{text}");
        assert!(rows.iter().any(|row| row.contains(",CSV-1,,100.00,USD,card,succeeded,")));
        assert!(rows.iter().any(|row| row.contains(",CSV-2,,250.00,USD,card,succeeded,")));
        assert!(text.lines().skip(1).all(|line| line.contains(",card,")), "the filter holds");
    }

    async fn the_cli_adds_users_and_an_address_of_several_merchants_picks_one(app: TestApp) {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_portico"))
            .args([
                "merchant", "add-user", "--merchant", "maple-wholesale", "--email", ADMIN, "--role", "viewer",
            ])
            .env("DATABASE_URL", app.database_url())
            .env("PORTICO_DATA_DIR", app.data_dir.path())
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(printed["role"], "viewer");
        assert_eq!(printed["email"], ADMIN);

        let (browser, next) = staff_browser(&app, ADMIN).await;
        assert_eq!(next, "/dashboard/choose");
        let (_, choose) = browser.page("/dashboard/choose").await;
        assert!(choose.contains("Maple Wholesale Supply (Viewer)"));
        assert!(choose.contains("Northwind IT Services (Admin)"));
        let maple_user = printed["user_id"].as_str().unwrap();
        assert_eq!(
            browser.submit("/dashboard/choose", "dashboard/choose", &[("user", maple_user)]).await,
            OVERVIEW
        );
        let (_, page) = browser.page(PAYMENTS).await;
        assert!(page.contains("Maple Wholesale Supply"));
        for payment in payments_of(&app, "maple-wholesale").await {
            assert!(page.contains(&payment));
        }

        let again = std::process::Command::new(env!("CARGO_BIN_EXE_portico"))
            .args([
                "merchant", "add-user", "--merchant", "maple-wholesale", "--email", MAPLE_ADMIN, "--role", "admin",
            ])
            .env("DATABASE_URL", app.database_url())
            .env("PORTICO_DATA_DIR", app.data_dir.path())
            .output()
            .unwrap();
        assert!(!again.status.success());
        assert!(String::from_utf8_lossy(&again.stderr).contains("can already open"));
    }
}
