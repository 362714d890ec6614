//! Signing in to a billing link (wizard steps 1–3) as a browser without JavaScript does it:
//! plain form posts, redirects, the code read from the mail outbox.

use crate::helpers::{Browser, TestApp, TestDb, both_databases, location};

pub const DEMO: &str = "/pay/northwind";
const GLOBEX: &str = "ap@globex.example";

pub const BUSINESS: [(&str, &str); 8] = [
    ("business_name", "Globex Manufacturing Inc."),
    ("contact_name", "Ana López"),
    ("phone", "+1 415 555 0100"),
    ("address_line1", "1 Market St"),
    ("city", "San Francisco"),
    ("region", "CA"),
    ("postal_code", "94105"),
    ("country", "US"),
];

pub async fn ask_for_code(browser: &Browser, email: &str) -> String {
    browser
        .submit(
            DEMO,
            "wizard/email",
            &[("merchant_slug", "northwind"), ("email", email)],
        )
        .await
}

pub async fn type_code(browser: &Browser, code: &str) -> String {
    browser
        .submit(
            &format!("{DEMO}/verify"),
            "wizard/code",
            &[("merchant_slug", "northwind"), ("code", code)],
        )
        .await
}

pub async fn fill_in_business(browser: &Browser, fields: &[(&str, &str)]) -> String {
    let mut form = vec![("merchant_slug", "northwind")];
    form.extend_from_slice(fields);
    browser
        .submit(&format!("{DEMO}/business"), "wizard/business", &form)
        .await
}

/// Signs `email` in from scratch and returns where the code sent the browser.
pub async fn sign_in(app: &TestApp, browser: &Browser, email: &str) -> String {
    assert_eq!(ask_for_code(browser, email).await, format!("{DEMO}/verify"));
    type_code(browser, &app.latest_code(email).await).await
}

both_databases! {
    async fn a_contact_signs_in_fills_in_the_business_once_and_sees_the_invoices(app: TestApp) {
        let browser = Browser::new(&app);
        let (_, page) = browser.page(DEMO).await;
        assert!(page.contains("Step 1 of 8"));
        assert_eq!(sign_in(&app, &browser, GLOBEX).await, format!("{DEMO}/business"));
        let (_, business) = browser.page(&format!("{DEMO}/business")).await;
        assert!(business.contains("Globex Manufacturing Inc."), "the form starts from what is on file");
        assert_eq!(fill_in_business(&browser, &BUSINESS).await, format!("{DEMO}/invoices"));
        let (_, invoices) = browser.page(&format!("{DEMO}/invoices")).await;
        for number in ["NW-1042", "NW-1031", "NW-1024"] {
            assert!(invoices.contains(number), "{number} is outstanding");
        }
        assert!(!invoices.contains("NW-1017"), "a paid invoice is not listed");
        assert!(invoices.contains("6,930.50 USD"), "the total due");

        // Next visit, another browser: the business step is skipped.
        let later = Browser::new(&app);
        assert_eq!(sign_in(&app, &later, GLOBEX).await, format!("{DEMO}/invoices"));
    }

    async fn wrong_codes_count_down_and_the_fifth_voids_the_code(app: TestApp) {
        let browser = Browser::new(&app);
        ask_for_code(&browser, GLOBEX).await;
        let right = app.latest_code(GLOBEX).await;
        let wrong = if right == "000000" { "111111" } else { "000000" };
        for left in (1..=4).rev() {
            let answer = type_code(&browser, wrong).await;
            let error = Browser::error_in(&answer).expect("an error");
            assert!(error.contains(&format!("{left} of 5 tries left")), "{error}");
        }
        let fifth = Browser::error_in(&type_code(&browser, wrong).await).unwrap();
        assert!(fifth.contains("Too many wrong tries"), "{fifth}");
        let too_late = Browser::error_in(&type_code(&browser, &right).await).unwrap();
        assert!(too_late.contains("no longer works"), "{too_late}");
    }

    async fn twenty_wrong_codes_a_day_pause_an_address_whatever_the_sessions(app: TestApp) {
        // Four codes, each in a browser of its own, each voided by five wrong tries.
        for _ in 0..4 {
            let browser = Browser::new(&app);
            ask_for_code(&browser, GLOBEX).await;
            let right = app.latest_code(GLOBEX).await;
            let wrong = if right == "000000" { "111111" } else { "000000" };
            for _ in 0..5 {
                assert!(Browser::error_in(&type_code(&browser, wrong).await).is_some());
            }
        }
        let browser = Browser::new(&app);
        ask_for_code(&browser, GLOBEX).await;
        let right = app.latest_code(GLOBEX).await;
        let paused = Browser::error_in(&type_code(&browser, &right).await).unwrap_or_default();
        assert!(paused.contains("Too many wrong codes were typed for this address today"), "{paused}");
        // Another address is not affected.
        let other = Browser::new(&app);
        assert_eq!(sign_in(&app, &other, "someone@else.example").await, format!("{DEMO}/business"));
        // A day later the address may sign in again.
        sqlx::query("UPDATE sign_in_codes SET created_at = '2000-01-01T00:00:00.000000Z' WHERE failed_attempts > 0")
            .execute(app.db.pool())
            .await
            .unwrap();
        assert_eq!(type_code(&browser, &right).await, format!("{DEMO}/business"));
    }

    async fn expired_and_used_codes_each_say_so(app: TestApp) {
        let browser = Browser::new(&app);
        ask_for_code(&browser, GLOBEX).await;
        let code = app.latest_code(GLOBEX).await;
        sqlx::query("UPDATE sign_in_codes SET expires_at = '2000-01-01T00:00:00.000000Z'")
            .execute(app.db.pool())
            .await
            .unwrap();
        let expired = Browser::error_in(&type_code(&browser, &code).await).unwrap();
        assert!(expired.contains("expired"), "{expired}");

        let second = Browser::new(&app);
        ask_for_code(&second, GLOBEX).await;
        let code = app.latest_code(GLOBEX).await;
        assert_eq!(type_code(&second, &code).await, format!("{DEMO}/business"));
        // Back on step 2 by other means (a second tab that still shows it): the code is spent.
        sqlx::query("UPDATE sessions SET pending_email = $1, verified_email = NULL, customer_id = NULL")
            .bind(GLOBEX)
            .execute(app.db.pool())
            .await
            .unwrap();
        let used = Browser::error_in(&type_code(&second, &code).await).unwrap();
        assert!(used.contains("already used"), "{used}");
    }

    async fn a_code_works_only_in_the_browser_that_asked_for_it(app: TestApp) {
        let asker = Browser::new(&app);
        ask_for_code(&asker, GLOBEX).await;
        let code = app.latest_code(GLOBEX).await;
        let stranger = Browser::new(&app);
        // Without a session the stranger is not even on step 2.
        assert_eq!(type_code(&stranger, &code).await, DEMO);
        // With its own session for the same address, the asker's code is simply wrong.
        ask_for_code(&stranger, GLOBEX).await;
        let own = app.latest_code(GLOBEX).await;
        assert_ne!(own, code, "each session gets its own code");
        let answer = type_code(&stranger, &code).await;
        assert!(Browser::error_in(&answer).unwrap().contains("not right"));
        assert_eq!(type_code(&asker, &code).await, format!("{DEMO}/business"));
    }

    async fn codes_are_rate_limited_per_address_and_per_client(app: TestApp) {
        for attempt in 1..=5 {
            assert_eq!(ask_for_code(&Browser::new(&app), GLOBEX).await, format!("{DEMO}/verify"), "send {attempt}");
        }
        let refused = ask_for_code(&Browser::new(&app), GLOBEX).await;
        assert!(Browser::error_in(&refused).unwrap().contains("Too many codes were sent to this address"));
        assert_eq!(app.outbox_count().await, 5, "the refused code was not sent");
        for n in 0..15 {
            ask_for_code(&Browser::new(&app), &format!("someone{n}@example.com")).await;
        }
        let network = ask_for_code(&Browser::new(&app), "one-more@example.com").await;
        assert!(Browser::error_in(&network).unwrap().contains("from your network"), "{network}");
    }

    async fn resending_waits_for_the_cool_down(app: TestApp) {
        let browser = Browser::new(&app);
        ask_for_code(&browser, GLOBEX).await;
        let answer = browser
            .submit(&format!("{DEMO}/verify"), "wizard/resend", &[("merchant_slug", "northwind")])
            .await;
        let error = Browser::error_in(&answer).unwrap();
        assert!(error.contains("You can ask for another in"), "{error}");
        sqlx::query("UPDATE sign_in_codes SET created_at = '2000-01-01T00:00:00.000000Z'")
            .execute(app.db.pool())
            .await
            .unwrap();
        let resent = browser
            .submit(&format!("{DEMO}/verify"), "wizard/resend", &[("merchant_slug", "northwind")])
            .await;
        assert!(Browser::error_in(&resent).is_none(), "{resent}");
        assert_eq!(app.outbox_count().await, 2);
    }

    async fn steps_cannot_be_skipped_by_address_or_by_calling_the_endpoint(app: TestApp) {
        let browser = Browser::new(&app);
        for page in ["/verify", "/business", "/invoices", "/account", "/access-requested"] {
            let response = browser.open(&format!("{DEMO}{page}")).await;
            assert_eq!(location(&response).as_deref(), Some(DEMO), "{page}");
        }
        let skipped = fill_in_business(&browser, &BUSINESS).await;
        assert!(skipped.starts_with(DEMO) && Browser::error_in(&skipped).is_none(), "{skipped}");
        assert_eq!(skipped, DEMO);
        ask_for_code(&browser, GLOBEX).await;
        let response = browser.open(&format!("{DEMO}/invoices")).await;
        assert_eq!(location(&response).as_deref(), Some(format!("{DEMO}/verify").as_str()));
    }

    async fn an_unknown_address_is_answered_like_a_known_one_then_asks_for_access(app: TestApp) {
        let browser = Browser::new(&app);
        assert_eq!(sign_in(&app, &browser, "new.buyer@hooli.example").await, format!("{DEMO}/business"));
        let (_, form) = browser.page(&format!("{DEMO}/business")).await;
        assert!(form.contains("not yet on file"));
        let mut fields = BUSINESS;
        fields[0] = ("business_name", "Hooli Inc.");
        assert_eq!(fill_in_business(&browser, &fields).await, format!("{DEMO}/access-requested"));
        let (path, page) = browser.page(&format!("{DEMO}/invoices")).await;
        assert_eq!(path, format!("{DEMO}/access-requested"), "no invoices before approval");
        assert!(page.contains("Your request is with"));
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM access_requests WHERE email = 'new.buyer@hooli.example' AND status = 'pending'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(count, 1);
        app.run_jobs().await;
        let outbox = std::fs::read_dir(app.data_dir.path().join("outbox")).unwrap();
        let notified = outbox
            .filter_map(|entry| std::fs::read_to_string(entry.unwrap().path()).ok())
            .any(|text| text.contains("To: \"Northwind IT Services\" <billing@northwind.example>") && text.contains("Access request from Hooli Inc."));
        assert!(notified, "the merchant is told");
    }

    async fn refused_forms_say_why_and_keep_what_was_typed(app: TestApp) {
        let browser = Browser::new(&app);
        let answer = ask_for_code(&browser, "ana.lopez@globex").await;
        let error = Browser::error_in(&answer).unwrap();
        assert!(error.contains("needs a dot"), "{error}");
        let (_, page) = browser.page(&answer).await;
        assert!(page.contains("value=\"ana.lopez@globex\""), "the typed address is kept");
        assert!(page.contains("needs a dot"), "the message is on the page");

        sign_in(&app, &browser, GLOBEX).await;
        let mut fields = BUSINESS;
        fields[2] = ("phone", "555");
        fields[6] = ("postal_code", "K1A 0B1");
        let refused = fill_in_business(&browser, &fields).await;
        let error = Browser::error_in(&refused).unwrap();
        assert!(error.contains("phone") && error.contains("postal_code"), "{error}");
        let (_, page) = browser.page(&refused).await;
        assert!(page.contains("value=\"555\""));
        assert!(page.contains("A ZIP code has 5 digits"));
    }

    async fn a_contact_of_several_customers_chooses_one(app: TestApp) {
        let key = server::admin::create_api_key(&app.db, "northwind").await.unwrap().api_key;
        let customers = app.api_get(&key, "/customers").await;
        let initech = customers.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|customer| customer["name"] == "Initech LLC")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        app.api_post(&key, &format!("/customers/{initech}/contacts"), &serde_json::json!({"email": GLOBEX}))
            .await
            .ok(200);
        let browser = Browser::new(&app);
        assert_eq!(sign_in(&app, &browser, GLOBEX).await, format!("{DEMO}/account"));
        let (_, page) = browser.page(&format!("{DEMO}/account")).await;
        assert!(page.contains("Initech LLC") && page.contains("Globex Manufacturing Inc."));
        let stranger = uuid::Uuid::new_v4().to_string();
        let refused = browser
            .submit(&format!("{DEMO}/account"), "wizard/account", &[("merchant_slug", "northwind"), ("customer_id", &stranger)])
            .await;
        assert!(Browser::error_in(&refused).is_some(), "only a customer of this contact");
        let chosen = browser
            .submit(&format!("{DEMO}/account"), "wizard/account", &[("merchant_slug", "northwind"), ("customer_id", &initech)])
            .await;
        assert_eq!(chosen, format!("{DEMO}/business"));
    }

    async fn a_busy_session_still_ends_twelve_hours_after_it_started(app: TestApp) {
        let browser = Browser::new(&app);
        sign_in(&app, &browser, GLOBEX).await;
        fill_in_business(&browser, &BUSINESS).await;
        let thirteen_hours_ago = time::OffsetDateTime::now_utc() - time::Duration::hours(13);
        let started = app::services::clock::timestamp_text(thirteen_hours_ago);
        sqlx::query("UPDATE sessions SET created_at = $1")
            .bind(&started)
            .execute(app.db.pool())
            .await
            .unwrap();
        // Used a moment ago (last_seen_at is now), and still over.
        assert_eq!(browser.page(&format!("{DEMO}/invoices")).await.0, DEMO);
    }

    async fn signing_in_replaces_the_token_in_the_same_write(app: TestApp) {
        use app::domain::email::EmailAddress;
        use app::services::sessions;
        use secrecy::ExposeSecret;
        let merchant = app.merchant("acme", "US").await;
        let (session, before) = sessions::start(&app.db, merchant.id).await.unwrap();
        let email = EmailAddress::parse(GLOBEX).unwrap();
        let after = sessions::sign_in(&app.db, &session.id, &email, None).await.unwrap();
        assert!(sessions::find(&app.db, before.expose_secret()).await.unwrap().is_none());
        let signed_in = sessions::find(&app.db, after.expose_secret()).await.unwrap().unwrap();
        assert_eq!(signed_in.verified_email, Some(email));
    }

    async fn sessions_end_on_sign_out_and_after_thirty_idle_minutes(app: TestApp) {
        let browser = Browser::new(&app);
        sign_in(&app, &browser, GLOBEX).await;
        fill_in_business(&browser, &BUSINESS).await;
        assert_eq!(browser.page(&format!("{DEMO}/invoices")).await.0, format!("{DEMO}/invoices"));
        sqlx::query("UPDATE sessions SET last_seen_at = '2000-01-01T00:00:00.000000Z'")
            .execute(app.db.pool())
            .await
            .unwrap();
        assert_eq!(browser.page(&format!("{DEMO}/invoices")).await.0, DEMO, "an idle session is over");

        let other = Browser::new(&app);
        sign_in(&app, &other, GLOBEX).await;
        assert_eq!(other.page(&format!("{DEMO}/invoices")).await.0, format!("{DEMO}/invoices"));
        let out = other
            .submit(&format!("{DEMO}/invoices"), "wizard/sign-out", &[("merchant_slug", "northwind")])
            .await;
        assert_eq!(out, DEMO);
        assert_eq!(other.page(&format!("{DEMO}/invoices")).await.0, DEMO);
    }

    async fn an_invoice_link_preselects_its_invoice_and_can_be_withdrawn(app: TestApp) {
        let key = server::admin::create_api_key(&app.db, "northwind").await.unwrap().api_key;
        let list = app.api_get(&key, "/invoices?status=open").await;
        let invoice = list.body["data"].as_array().unwrap().iter().find(|i| i["number"] == "NW-1031").unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let detail = app.api_get(&key, &format!("/invoices/{invoice}")).await;
        let link = detail.ok(200)["payment_link"].as_str().unwrap().to_owned();
        let path = link.trim_start_matches(&app.address).to_owned();
        assert!(path.starts_with(&format!("{DEMO}/i/")), "{link}");

        let browser = Browser::new(&app);
        assert_eq!(browser.page(&path).await.0, DEMO, "sign-in first");
        sign_in(&app, &browser, GLOBEX).await;
        fill_in_business(&browser, &BUSINESS).await;
        let (_, invoices) = browser.page(&format!("{DEMO}/invoices")).await;
        let marked = invoices.split("invoice--preselected").nth(1).expect("a preselected row");
        assert!(marked[..marked.find("</tr>").unwrap()].contains("NW-1031"));

        let flipped = if path.ends_with('0') { '1' } else { '0' };
        let tampered = format!("{}{flipped}", &path[..path.len() - 1]);
        assert!(Browser::new(&app).page(&tampered).await.1.contains("not valid"));
        app.api_post(&key, &format!("/invoices/{invoice}/payment-link/revoke"), &serde_json::json!({})).await.ok(200);
        assert!(Browser::new(&app).page(&path).await.1.contains("withdrawn"));
        let renewed = app.api_get(&key, &format!("/invoices/{invoice}")).await.body["payment_link"].as_str().unwrap().to_owned();
        sqlx::query("UPDATE invoices SET due_on = '2020-01-01', issued_on = '2020-01-01' WHERE id = $1")
            .bind(&invoice)
            .execute(app.db.pool())
            .await
            .unwrap();
        let (_, expired) = Browser::new(&app).page(renewed.trim_start_matches(&app.address)).await;
        assert!(expired.contains("expired") && expired.contains("/pay/northwind"));
    }

    async fn one_browser_may_ask_for_ten_codes_an_hour(app: TestApp) {
        let browser = Browser::new(&app);
        for n in 0..10 {
            let answer = ask_for_code(&browser, &format!("buyer{n}@example.com")).await;
            assert!(Browser::error_in(&answer).is_none(), "{answer}");
        }
        let refused = ask_for_code(&browser, "buyer10@example.com").await;
        assert!(Browser::error_in(&refused).unwrap().contains("in this browser"));
    }

    async fn the_token_from_before_sign_in_is_worthless_after_it(app: TestApp) {
        let browser = Browser::new(&app);
        let response = app
            .client
            .post(format!("{}/api/wizard/email", app.address))
            .header("accept", "text/html")
            .form(&[("merchant_slug", "northwind"), ("email", GLOBEX)])
            .send()
            .await
            .unwrap();
        let before = Browser::session_cookie(&response).unwrap();
        let before = before.split(';').next().unwrap().to_owned();
        let code = app.latest_code(GLOBEX).await;
        let verified = app
            .client
            .post(format!("{}/api/wizard/code", app.address))
            .header("accept", "text/html")
            .header("cookie", &before)
            .form(&[("merchant_slug", "northwind"), ("code", code.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&verified).as_deref(), Some("/pay/northwind/business"));
        let after = Browser::session_cookie(&verified).unwrap();
        assert_ne!(after.split(';').next().unwrap(), before);
        let replayed = app
            .client
            .get(format!("{}{DEMO}/business", app.address))
            .header("accept", "text/html")
            .header("cookie", &before)
            .send()
            .await
            .unwrap();
        assert_eq!(location(&replayed).as_deref(), Some(DEMO), "the old token opens nothing");
        drop(browser);
    }

    async fn a_static_file_never_carries_the_session_of_a_page_served_beside_it(app: TestApp) {
        // The test runtime has one thread: the files are served on the thread that is rendering
        // the pages and setting their cookies, where Leptos's thread-local owner once leaked a
        // page's response options (its Set-Cookie) into a static file's response.
        let site = app.data_dir.path().join("site");
        std::fs::create_dir_all(&site).unwrap();
        std::fs::write(site.join("probe.css"), "body {}").unwrap();
        let browser = Browser::new(&app);
        sign_in(&app, &browser, GLOBEX).await;
        let business = format!("{DEMO}/business");
        for _ in 0..10 {
            let (page, file) = tokio::join!(browser.open(&business), app.get("/probe.css"));
            assert!(Browser::session_cookie(&page).is_some(), "the page renews its cookie");
            assert_eq!(file.status(), 200);
            let cookies: Vec<_> = file.headers().get_all("set-cookie").iter().collect();
            assert!(cookies.is_empty(), "a stranger was handed {cookies:?}");
        }
    }

    async fn every_page_renews_the_cookie_for_thirty_more_minutes(app: TestApp) {
        let browser = Browser::new(&app);
        sign_in(&app, &browser, GLOBEX).await;
        let response = browser.open(&format!("{DEMO}/business")).await;
        let cookie = Browser::session_cookie(&response).expect("the cookie is sent again");
        assert!(cookie.contains("Max-Age=1800"), "{cookie}");
    }

    async fn actions_of_other_steps_are_refused_when_called_directly(app: TestApp) {
        let browser = Browser::new(&app);
        sign_in(&app, &browser, GLOBEX).await;
        // Signed in and on step 3: steps 2 and the chooser are closed.
        assert_eq!(type_code(&browser, "123456").await, format!("{DEMO}/business"));
        let chooser = browser
            .submit(&format!("{DEMO}/account"), "wizard/account", &[("merchant_slug", "northwind"), ("customer_id", "x")])
            .await;
        assert_eq!(chooser, format!("{DEMO}/business"));
        let response = app
            .client
            .post(format!("{}/api/wizard/page/invoices", app.address))
            .form(&[("merchant_slug", "northwind")])
            .send()
            .await
            .unwrap();
        let state: serde_json::Value = response.json().await.unwrap();
        assert_eq!(state["Redirect"], DEMO, "without the session's cookie nothing is open");
    }

    async fn a_removed_contact_loses_the_customer_at_once(app: TestApp) {
        let browser = Browser::new(&app);
        sign_in(&app, &browser, GLOBEX).await;
        fill_in_business(&browser, &BUSINESS).await;
        assert_eq!(browser.page(&format!("{DEMO}/invoices")).await.0, format!("{DEMO}/invoices"));
        let key = server::admin::create_api_key(&app.db, "northwind").await.unwrap().api_key;
        let customers = app.api_get(&key, "/customers").await;
        let globex = customers.body["data"].as_array().unwrap().iter()
            .find(|customer| customer["name"] == "Globex Manufacturing Inc.").unwrap()["id"].as_str().unwrap().to_owned();
        app.api(&key, reqwest::Method::DELETE, &format!("/customers/{globex}/contacts?email={GLOBEX}"), None).await.ok(200);
        let (path, _) = browser.page(&format!("{DEMO}/invoices")).await;
        assert_ne!(path, format!("{DEMO}/invoices"), "no invoices for an address that is no contact");
    }

    async fn step_three_does_not_rename_the_customer_the_merchant_invoices(app: TestApp) {
        let browser = Browser::new(&app);
        sign_in(&app, &browser, GLOBEX).await;
        let mut fields = BUSINESS;
        fields[0] = ("business_name", "Globex (trading as Initrode)");
        fill_in_business(&browser, &fields).await;
        let (legal, business): (String, Option<String>) =
            sqlx::query_as("SELECT legal_name, business_name FROM customers WHERE legal_name = 'Globex Manufacturing Inc.'")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(legal, "Globex Manufacturing Inc.");
        assert_eq!(business.as_deref(), Some("Globex (trading as Initrode)"));
    }

    async fn forms_posted_from_another_site_are_refused(app: TestApp) {
        let response = app
            .client
            .post(format!("{}/api/wizard/email", app.address))
            .header("origin", "https://evil.example")
            .form(&[("merchant_slug", "northwind"), ("email", GLOBEX)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403);
        assert_eq!(app.outbox_count().await, 0);
    }
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_lax_unless_the_portal_may_be_framed() {
    let app = TestApp::spawn(TestDb::Sqlite).await.unwrap();
    let response = app
        .client
        .post(format!("{}/api/wizard/email", app.address))
        .header("accept", "text/html")
        .form(&[("merchant_slug", "northwind"), ("email", GLOBEX)])
        .send()
        .await
        .unwrap();
    let cookie = Browser::session_cookie(&response).unwrap();
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
            && !cookie.contains("Secure"),
        "{cookie}"
    );

    let framed = TestApp::spawn_with(
        TestDb::Sqlite,
        &[
            ("PUBLIC_URL", "https://pay.example.com"),
            ("PORTICO_FRAME_ANCESTORS", "https://shop.example.com"),
        ],
    )
    .await
    .unwrap();
    let response = framed
        .client
        .post(format!("{}/api/wizard/email", framed.address))
        .header("accept", "text/html")
        .form(&[("merchant_slug", "northwind"), ("email", GLOBEX)])
        .send()
        .await
        .unwrap();
    let cookie = Browser::session_cookie(&response).unwrap();
    assert!(
        cookie.contains("Secure; SameSite=None; Partitioned") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    assert!(cookie.starts_with("__Host-portico_session_"), "{cookie}");
}

#[tokio::test]
async fn codes_are_stored_as_an_hmac_under_the_secret_key_not_a_plain_hash() {
    use hmac::{Hmac, Mac};
    use sha2::{Digest, Sha256};
    let app = TestApp::spawn(TestDb::Sqlite).await.unwrap();
    ask_for_code(&Browser::new(&app), GLOBEX).await;
    let code = app.latest_code(GLOBEX).await;
    let (hash, session): (String, String) =
        sqlx::query_as("SELECT code_hash, session_id FROM sign_in_codes")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    let message = format!("{session}:{code}");
    assert_ne!(
        hash,
        hex::encode(Sha256::digest(message.as_bytes())),
        "a plain hash of a 6-digit code is brute-forced in a second"
    );
    let key_file = std::fs::read_to_string(app.data_dir.path().join("secret.key")).unwrap();
    let key = hex::decode(key_file.trim()).unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(b"sign-in-code\0");
    mac.update(message.as_bytes());
    assert_eq!(hash, hex::encode(mac.finalize().into_bytes()));
}

#[tokio::test]
async fn a_spoofed_forwarding_header_does_not_escape_the_per_client_limit() {
    let app = TestApp::spawn_with(
        TestDb::Sqlite,
        &[("PORTICO_CLIENT_IP_HEADER", "x-forwarded-for")],
    )
    .await
    .unwrap();
    let mut answers = Vec::new();
    for n in 0..21 {
        // What the client claims comes first; the proxy appends what it saw.
        let email = format!("buyer{n}@example.com");
        let response = app
            .client
            .post(format!("{}/api/wizard/email", app.address))
            .header("accept", "text/html")
            .header("referer", format!("{}{DEMO}", app.address))
            .header("x-forwarded-for", format!("10.0.0.{n}, 198.51.100.7"))
            .form(&[("merchant_slug", "northwind"), ("email", email.as_str())])
            .send()
            .await
            .unwrap();
        answers.push(location(&response).unwrap());
    }
    assert!(
        answers[..20]
            .iter()
            .all(|answer| Browser::error_in(answer).is_none()),
        "{answers:?}"
    );
    let refused = Browser::error_in(&answers[20]).unwrap();
    assert!(refused.contains("from your network"), "{refused}");
}

#[tokio::test]
async fn a_refusal_on_the_javascript_path_is_a_client_error_not_a_server_failure() {
    let app = TestApp::spawn(TestDb::Sqlite).await.unwrap();
    for encoding in ["identity", "gzip, br"] {
        let response = app
            .client
            .post(format!("{}/api/wizard/email", app.address))
            .header("origin", &app.address)
            .header("accept", "application/json")
            .header("accept-encoding", encoding)
            .form(&[("merchant_slug", "northwind"), ("email", "ana@globex")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "accept-encoding {encoding}");
        if encoding == "identity" {
            assert!(response.text().await.unwrap().contains("needs a dot"));
        }
    }
    // Without JavaScript the same refusal is still a redirect back to the form.
    let browser = Browser::new(&app);
    let back = browser
        .submit(
            DEMO,
            "wizard/email",
            &[("merchant_slug", "northwind"), ("email", "ana@globex")],
        )
        .await;
    assert!(
        Browser::error_in(&back)
            .unwrap_or_default()
            .contains("needs a dot")
    );
}

/// Per-client limits behind a proxy that names the client in `X-Forwarded-For`, on both
/// databases (they need the header configured, which `both_databases!` does not do).
mod behind_a_proxy {
    use super::DEMO;
    use crate::helpers::{Browser, TestApp, TestDb, location};

    async fn proxied_app(backend: TestDb) -> Option<TestApp> {
        TestApp::spawn_with(backend, &[("PORTICO_CLIENT_IP_HEADER", "x-forwarded-for")]).await
    }

    /// Asks for a code for `email` with one `X-Forwarded-For` line per entry of `lines`;
    /// returns the refusal, if any.
    async fn ask_with_lines(app: &TestApp, email: &str, lines: &[&str]) -> Option<String> {
        let mut request = app
            .client
            .post(format!("{}/api/wizard/email", app.address))
            .header("accept", "text/html")
            .header("referer", format!("{}{DEMO}", app.address));
        for line in lines {
            request = request.header("x-forwarded-for", *line);
        }
        let response = request
            .form(&[("merchant_slug", "northwind"), ("email", email)])
            .send()
            .await
            .unwrap();
        Browser::error_in(&location(&response).unwrap())
    }

    async fn ipv4_clients_of_a_dual_stack_proxy_are_limited_one_by_one(backend: TestDb) {
        let Some(app) = proxied_app(backend).await else {
            return;
        };
        for n in 0..20 {
            let email = format!("buyer{n}@example.com");
            let refused = ask_with_lines(&app, &email, &["::ffff:198.51.100.7"]).await;
            assert_eq!(refused, None, "code {n}");
        }
        let crowded = ask_with_lines(&app, "more@example.com", &["::ffff:198.51.100.7"]).await;
        assert!(crowded.unwrap_or_default().contains("from your network"));
        // Another IPv4 customer is not locked out by the first one's twenty codes.
        let other = ask_with_lines(&app, "other@example.com", &["::ffff:203.0.113.9"]).await;
        assert_eq!(other, None);
        let (stored,): (String,) =
            sqlx::query_as("SELECT client_address FROM sign_in_codes WHERE email = $1")
                .bind("other@example.com")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(stored, "203.0.113.9");
    }

    async fn a_forged_first_header_line_does_not_escape_the_per_client_limit(backend: TestDb) {
        let Some(app) = proxied_app(backend).await else {
            return;
        };
        let mut refusals = Vec::new();
        for n in 0..21 {
            // The client sends a line of its own; the proxy adds the address it saw as a second.
            let forged = format!("10.0.0.{n}");
            let email = format!("buyer{n}@example.com");
            refusals.push(ask_with_lines(&app, &email, &[&forged, "198.51.100.7"]).await);
        }
        assert!(refusals[..20].iter().all(Option::is_none), "{refusals:?}");
        let refused = refusals[20].clone().unwrap_or_default();
        assert!(refused.contains("from your network"), "{refused}");
    }

    #[tokio::test]
    async fn ipv4_clients_of_a_dual_stack_proxy_are_limited_one_by_one_sqlite() {
        ipv4_clients_of_a_dual_stack_proxy_are_limited_one_by_one(TestDb::Sqlite).await;
    }

    #[tokio::test]
    async fn ipv4_clients_of_a_dual_stack_proxy_are_limited_one_by_one_postgres() {
        ipv4_clients_of_a_dual_stack_proxy_are_limited_one_by_one(TestDb::Postgres).await;
    }

    #[tokio::test]
    async fn a_forged_first_header_line_does_not_escape_the_per_client_limit_sqlite() {
        a_forged_first_header_line_does_not_escape_the_per_client_limit(TestDb::Sqlite).await;
    }

    #[tokio::test]
    async fn a_forged_first_header_line_does_not_escape_the_per_client_limit_postgres() {
        a_forged_first_header_line_does_not_escape_the_per_client_limit(TestDb::Postgres).await;
    }
}

#[tokio::test]
async fn a_flood_of_cookie_less_posts_opens_no_session_past_the_per_client_limit() {
    use app::services::rate_limit::SessionOpenings;

    let app = TestApp::spawn(TestDb::Sqlite).await.unwrap();
    let burst = i64::from(SessionOpenings::RATE.burst);
    let mut refusals = Vec::new();
    for _ in 0..burst + 10 {
        // A refused address still opens a session today (to keep what was typed), so it is
        // what a flood would send: no code is ever asked for, and no code limit counts it.
        let response = app
            .client
            .post(format!("{}/api/wizard/email", app.address))
            .header("accept", "text/html")
            .header("referer", format!("{}{DEMO}", app.address))
            .form(&[("merchant_slug", "northwind"), ("email", "not an address")])
            .send()
            .await
            .unwrap();
        refusals.extend(location(&response).as_deref().and_then(Browser::error_in));
    }
    let (sessions,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(sessions, burst);
    let flooded: Vec<_> = refusals
        .iter()
        .filter(|message| message.contains("Too many visits were started from your network"))
        .collect();
    assert_eq!(flooded.len(), 10, "{refusals:?}");
}

both_databases! {
    async fn opening_a_second_merchants_link_keeps_the_session_at_the_first(app: TestApp) {
        let browser = Browser::new(&app);
        sign_in(&app, &browser, GLOBEX).await;
        assert_eq!(fill_in_business(&browser, &BUSINESS).await, format!("{DEMO}/invoices"));

        let maple = "/pay/maple-wholesale";
        let answer = browser
            .submit(maple, "wizard/email", &[("merchant_slug", "maple-wholesale"), ("email", GLOBEX)])
            .await;
        assert_eq!(answer, format!("{maple}/verify"));

        let (path, page) = browser.page(&format!("{DEMO}/invoices")).await;
        assert_eq!(path, format!("{DEMO}/invoices"), "still signed in at Northwind");
        assert!(page.contains("Step 4 of 8"));
        let (path, _) = browser.page(&format!("{maple}/verify")).await;
        assert_eq!(path, format!("{maple}/verify"), "and waiting for a code at Maple");
    }
}
