//! Connecting QuickBooks Online and Xero from the dashboard settings, against the local fakes,
//! as a browser without JavaScript does: the whole OAuth flow (state bound to the admin's
//! session, PKCE for Xero, the company from QuickBooks' callback, the tenant from Xero's
//! connections), the deposit account, token refresh with rotation, a revoked refresh token
//! (`needs reconnect`, the admins emailed once), and disconnecting (the tokens revoked there).

use crate::dashboard::{ADMIN, VIEWER, post_status, staff};
use crate::fakes::quickbooks::{self, FakeQuickBooks};
use crate::fakes::xero::{self, FakeXero};
use crate::helpers::{Browser, TestApp, both_databases, location};
use crate::jobs::{make_everything_due, outbox_texts};

pub(crate) const ACCOUNTING: &str = "/dashboard/settings/accounting";

pub(crate) fn as_vars<'a>(vars: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    vars.iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect()
}

/// Clicks Connect, allows access on the provider's form, and follows the callback back to
/// the settings; answers where the browser ended up.
pub(crate) async fn connect(
    app: &TestApp,
    admin: &Browser,
    provider: &str,
    decision: &str,
) -> String {
    let authorize_url = admin_location_url(app, admin, provider)
        .await
        .expect("Connect sends the browser to the provider");
    let consent = app.client.get(&authorize_url).send().await.unwrap();
    assert_eq!(consent.status(), 200, "{}", consent.text().await.unwrap());
    let form = consent.text().await.unwrap();
    let mut fields = hidden_fields(&form);
    fields.push(("decision".to_owned(), decision.to_owned()));
    let decided = app
        .client
        .post(authorize_url.split('?').next().unwrap())
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert!(decided.status().is_redirection(), "{}", decided.status());
    let callback = decided.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        callback.starts_with(&format!(
            "{}/dashboard/settings/accounting/callback?",
            app.address
        )),
        "{callback}"
    );
    let back = admin
        .open(callback.strip_prefix(&app.address).unwrap())
        .await;
    assert!(back.status().is_redirection(), "{}", back.status());
    location(&back).unwrap()
}

/// The full address the Connect button sent the browser to (the helper's `submit` keeps only
/// the path, which is the fake's, on another host).
async fn admin_location_url(app: &TestApp, admin: &Browser, provider: &str) -> Option<String> {
    let response = app
        .client
        .post(format!("{}/api/dashboard/accounting-connect", app.address))
        .header("accept", "text/html")
        .header("origin", &app.address)
        .header("cookie", admin.cookie_header()?)
        .form(&[("provider", provider)])
        .send()
        .await
        .ok()?;
    response
        .headers()
        .get("location")?
        .to_str()
        .ok()
        .map(str::to_owned)
}

fn hidden_fields(form: &str) -> Vec<(String, String)> {
    form.split("<input type=\"hidden\" ")
        .skip(1)
        .map(|input| {
            let attribute = |name: &str| {
                let start = input.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                let end = start + input[start..].find('"').unwrap();
                input[start..end]
                    .replace("&quot;", "\"")
                    .replace("&lt;", "<")
                    .replace("&amp;", "&")
            };
            (attribute("name"), attribute("value"))
        })
        .collect()
}

async fn connection_row(
    app: &TestApp,
) -> Option<(String, String, String, Option<String>, String, String)> {
    sqlx::query_as(
        "SELECT c.provider, c.state, c.tenant_id, c.deposit_account_id, c.access_token, c.refresh_token \
         FROM accounting_connections c JOIN merchants m ON m.id = c.merchant_id WHERE m.slug = 'northwind'",
    )
    .fetch_optional(app.db.pool())
    .await
    .unwrap()
}

async fn expire_access_token(app: &TestApp) {
    sqlx::query(
        "UPDATE accounting_connections SET access_expires_at = '2000-01-01T00:00:00.000000Z'",
    )
    .execute(app.db.writer())
    .await
    .unwrap();
}

both_databases! {
    async fn an_admin_connects_xero_chooses_the_account_and_disconnects(app: TestApp) {
        let fake = FakeXero::start().await;
        let app = app.restart(&as_vars(&fake.vars())).await;
        let admin = staff(&app, ADMIN).await;
        let (_, page) = admin.page(ACCOUNTING).await;
        assert!(page.contains("Connect Xero") && page.contains("QUICKBOOKS_CLIENT_ID"), "{page}");

        let back = connect(&app, &admin, "xero", "allow").await;
        assert_eq!(back, format!("{ACCOUNTING}?done=connected&provider=xero"));
        let (_, page) = admin.page(&back).await;
        assert!(page.contains("Connected to Xero (Northwind Books Ltd)"), "{page}");
        assert!(page.contains("Business Bank Account (090)") && page.contains("Business Savings"));
        assert!(!page.contains("Old Account") && !page.contains(">Sales<"), "only active bank accounts");
        // The tenant was asked for by this authorization's event, from the token's claims.
        assert!(fake.state.lock().unwrap().connection_queries.iter().all(Option::is_some));

        let (provider, state, tenant, deposit, access, refresh) = connection_row(&app).await.unwrap();
        assert_eq!((provider.as_str(), state.as_str(), tenant.as_str()), ("xero", "connected", xero::TENANT_ID));
        assert_eq!(deposit, None);
        assert!(!access.contains("eyJ") && !refresh.contains("refresh-"), "tokens are stored sealed");

        let saved = admin
            .submit(ACCOUNTING, "dashboard/accounting-deposit", &[("account_id", xero::BANK_ACCOUNT_ID)])
            .await;
        assert_eq!(saved, format!("{ACCOUNTING}?done=deposit"));
        let refused = admin
            .submit(ACCOUNTING, "dashboard/accounting-deposit", &[("account_id", "5040915e-8ce7-4177-8d08-fde416232f18")])
            .await;
        assert_eq!(refused, format!("{ACCOUNTING}?failed=unknown_account"), "a revenue account is no deposit account");
        let (.., deposit, _, _) = connection_row(&app).await.unwrap();
        assert_eq!(deposit.as_deref(), Some(xero::BANK_ACCOUNT_ID));

        // An access token near its expiry is refreshed first; the refresh token rotates.
        expire_access_token(&app).await;
        fake.oauth.expire_access_tokens();
        let (_, page) = admin.page(ACCOUNTING).await;
        assert!(page.contains("Business Bank Account (090)"), "{page}");
        assert_eq!(fake.oauth.state.lock().unwrap().refreshes, 1);
        let (.., refreshed) = connection_row(&app).await.unwrap();
        assert_ne!(refreshed, refresh, "the rotated refresh token replaced the old");

        // Pages opened at once after expiry refresh once between them: a second refresh with
        // the rotated-away token would be refused and cut the connection.
        expire_access_token(&app).await;
        let (first, second, third) = tokio::join!(admin.page(ACCOUNTING), admin.page(ACCOUNTING), admin.page(ACCOUNTING));
        for (_, page) in [first, second, third] {
            assert!(page.contains("Business Bank Account (090)"), "{page}");
        }
        assert_eq!(fake.oauth.state.lock().unwrap().refreshes, 2);
        assert_eq!(connection_row(&app).await.unwrap().1, "connected");

        let gone = admin.submit(ACCOUNTING, "dashboard/accounting-disconnect", &[]).await;
        assert_eq!(gone, format!("{ACCOUNTING}?done=disconnected&provider=xero"));
        assert!(connection_row(&app).await.is_none());
        assert!(fake.state.lock().unwrap().connection_deleted, "Xero's tenant connection is deleted");
        assert_eq!(fake.oauth.live_refresh_tokens(), 0, "the refresh token is revoked");
        let (_, page) = admin.page(ACCOUNTING).await;
        assert!(page.contains("Connect Xero"));
    }

    async fn an_admin_connects_quickbooks_and_undeposited_funds_is_the_default(app: TestApp) {
        let fake = FakeQuickBooks::start().await;
        let app = app.restart(&as_vars(&fake.vars())).await;
        let admin = staff(&app, ADMIN).await;
        let back = connect(&app, &admin, "quickbooks", "allow").await;
        assert_eq!(back, format!("{ACCOUNTING}?done=connected&provider=quickbooks"));
        let (_, page) = admin.page(&back).await;
        assert!(page.contains("Connected to QuickBooks Online (Maple Wholesale Books)"), "{page}");
        assert!(page.contains("Undeposited Funds (QuickBooks Online&#x27;s default)") || page.contains("Undeposited Funds (QuickBooks Online's default)"), "{page}");
        assert!(page.contains("Chequing") && !page.contains("Closed Chequing"));
        let (provider, _, realm, ..) = connection_row(&app).await.unwrap();
        assert_eq!((provider.as_str(), realm.as_str()), ("quickbooks", quickbooks::REALM_ID));

        let saved = admin
            .submit(ACCOUNTING, "dashboard/accounting-deposit", &[("account_id", quickbooks::CHECKING_ID)])
            .await;
        assert_eq!(saved, format!("{ACCOUNTING}?done=deposit"));
        let back_to_default = admin.submit(ACCOUNTING, "dashboard/accounting-deposit", &[("account_id", "")]).await;
        assert_eq!(back_to_default, format!("{ACCOUNTING}?done=deposit"));
        assert_eq!(connection_row(&app).await.unwrap().3, None);

        // Connected to QuickBooks, Xero is not offered: one set of books at a time.
        let refused = admin.submit(ACCOUNTING, "dashboard/accounting-connect", &[("provider", "xero")]).await;
        assert_eq!(refused, format!("{ACCOUNTING}?failed=other_provider&provider=xero"));

        let gone = admin.submit(ACCOUNTING, "dashboard/accounting-disconnect", &[]).await;
        assert_eq!(gone, format!("{ACCOUNTING}?done=disconnected&provider=quickbooks"));
        assert_eq!(fake.oauth.state.lock().unwrap().revoked.len(), 1, "revoked by Intuit's JSON form");
        assert!(connection_row(&app).await.is_none());
    }

    async fn a_refused_refresh_asks_for_a_reconnect_and_tells_the_admins_once(app: TestApp) {
        let fake = FakeXero::start().await;
        let app = app.restart(&as_vars(&fake.vars())).await;
        let admin = staff(&app, ADMIN).await;
        connect(&app, &admin, "xero", "allow").await;

        fake.oauth.state.lock().unwrap().refuse_refresh = true;
        expire_access_token(&app).await;
        let (_, page) = admin.page(ACCOUNTING).await;
        assert!(page.contains("Needs connecting again") && page.contains("Connect Xero again"), "{page}");
        let (_, state, ..) = connection_row(&app).await.unwrap();
        assert_eq!(state, "needs_reconnect");
        admin.page(ACCOUNTING).await;
        app.run_jobs().await;
        let told: Vec<_> = outbox_texts(&app)
            .into_iter()
            .filter(|text| text.contains("Connect Xero to Portico again"))
            .collect();
        assert_eq!(told.len(), 1, "the one admin is told once");
        assert!(told[0].contains(ADMIN));

        // Connecting again brings the same connection back to working.
        fake.oauth.state.lock().unwrap().refuse_refresh = false;
        let back = connect(&app, &admin, "xero", "allow").await;
        assert_eq!(back, format!("{ACCOUNTING}?done=connected&provider=xero"));
        assert_eq!(connection_row(&app).await.unwrap().1, "connected");

        // A deployment that lost its Xero credentials can still let the merchant go.
        let app = app.restart(&[]).await;
        let admin = staff(&app, ADMIN).await;
        let gone = admin.submit(ACCOUNTING, "dashboard/accounting-disconnect", &[]).await;
        assert_eq!(gone, format!("{ACCOUNTING}?done=disconnected&provider=xero"));
        assert!(connection_row(&app).await.is_none());
    }

    async fn an_authorization_works_once_only_in_its_own_session_and_a_decline_connects_nothing(app: TestApp) {
        let fake = FakeXero::start().await;
        let app = app.restart(&as_vars(&fake.vars())).await;
        let admin = staff(&app, ADMIN).await;
        let declined = connect(&app, &admin, "xero", "deny").await;
        assert_eq!(declined, format!("{ACCOUNTING}?failed=declined"));
        let (_, page) = admin.page(&declined).await;
        assert!(page.contains("access was declined"), "{page}");
        assert!(connection_row(&app).await.is_none());

        // A callback carried to another signed-in session (a link sent to a colleague, or
        // planted by an attacker) connects nothing.
        let authorize = admin_location_url(&app, &admin, "xero").await.unwrap();
        let consent = app.client.get(&authorize).send().await.unwrap().text().await.unwrap();
        let mut fields = hidden_fields(&consent);
        fields.push(("decision".to_owned(), "allow".to_owned()));
        let decided = app.client.post(authorize.split('?').next().unwrap()).form(&fields).send().await.unwrap();
        let callback = decided.headers()["location"].to_str().unwrap().strip_prefix(&app.address).unwrap().to_owned();
        let other = staff(&app, ADMIN).await;
        let elsewhere = other.open(&callback).await;
        assert_eq!(location(&elsewhere).unwrap(), format!("{ACCOUNTING}?failed=expired"));
        assert!(connection_row(&app).await.is_none());
        // Its own session finishes it, once.
        let own = admin.open(&callback).await;
        assert_eq!(location(&own).unwrap(), format!("{ACCOUNTING}?done=connected&provider=xero"));
        let again = admin.open(&callback).await;
        assert_eq!(location(&again).unwrap(), format!("{ACCOUNTING}?failed=expired"));
    }

    async fn a_connection_nothing_used_for_a_week_is_refreshed_before_its_token_goes_stale(app: TestApp) {
        let fake = FakeXero::start().await;
        let app = app.restart(&as_vars(&fake.vars())).await;
        let admin = staff(&app, ADMIN).await;
        connect(&app, &admin, "xero", "allow").await;
        make_everything_due(&app).await;
        app.run_jobs().await;
        assert_eq!(fake.oauth.state.lock().unwrap().refreshes, 0, "just connected: nothing to do");

        sqlx::query("UPDATE accounting_connections SET updated_at = '2026-11-01T00:00:00.000000Z'")
            .execute(app.db.writer())
            .await
            .unwrap();
        make_everything_due(&app).await;
        app.run_jobs().await;
        assert_eq!(fake.oauth.state.lock().unwrap().refreshes, 1);
        let (state, updated_at): (String, String) =
            sqlx::query_as("SELECT state, updated_at FROM accounting_connections")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(state, "connected");
        assert!(updated_at.starts_with(&app::services::clock::date_text(app::services::clock::today())));
    }

    async fn viewers_cannot_connect_and_an_unconfigured_provider_says_what_to_set(app: TestApp) {
        let viewer = staff(&app, VIEWER).await;
        assert_eq!(post_status(&app, &viewer, "dashboard/accounting-connect", &[("provider", "xero")]).await, 403);
        assert_eq!(post_status(&app, &viewer, "dashboard/accounting-disconnect", &[]).await, 403);
        let (_, page) = viewer.page(ACCOUNTING).await;
        assert!(page.contains("XERO_CLIENT_ID and XERO_CLIENT_SECRET"), "{page}");
        assert!(!page.contains("Connect Xero"));

        let admin = staff(&app, ADMIN).await;
        let refused = admin.submit(ACCOUNTING, "dashboard/accounting-connect", &[("provider", "xero")]).await;
        assert_eq!(refused, format!("{ACCOUNTING}?failed=not_configured&provider=xero"));
        assert_eq!(post_status(&app, &admin, "dashboard/accounting-connect", &[("provider", "sage")]).await, 422);
    }
}
