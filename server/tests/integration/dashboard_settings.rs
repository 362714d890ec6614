//! The dashboard's settings, as a browser without JavaScript uses them: branding and payment
//! settings (saved, or refused with what was typed kept), users (added, removed, the last admin
//! kept), API keys (shown once, revoked); viewers change nothing, other merchants find nothing.

use crate::dashboard::{ADMIN, MAPLE_ADMIN, VIEWER, post_status, staff};
use crate::helpers::{Browser, TestApp, both_databases};

const SETTINGS: &str = "/dashboard/settings";
const USERS: &str = "/dashboard/settings/users";
const KEYS: &str = "/dashboard/settings/api-keys";

async fn branding_of(
    app: &TestApp,
    slug: &str,
) -> (String, String, Option<String>, Option<String>) {
    sqlx::query_as("SELECT display_name, accent_colour, logo_url, support_email FROM merchants WHERE slug = $1")
        .bind(slug)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

async fn terms_of(app: &TestApp, slug: &str) -> Vec<(i64, i64, i64)> {
    sqlx::query_as(
        "SELECT t.days, t.payments, t.fee_basis_points FROM merchant_installment_terms t \
         JOIN merchants m ON m.id = t.merchant_id WHERE m.slug = $1 ORDER BY t.days",
    )
    .bind(slug)
    .fetch_all(app.db.pool())
    .await
    .unwrap()
}

async fn user_id(app: &TestApp, email: &str) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM merchant_users WHERE email = $1")
        .bind(email)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    id
}

/// The payments form as a browser sends it: the methods ticked, and each term length's row
/// (offered or not) with its payments and fee.
fn payments_form<'a>(
    methods: &[&str],
    minimum: &'a str,
    terms: &[(u16, bool, &'a str, &'a str)],
) -> Vec<(String, String)> {
    let mut fields = vec![
        ("form[minimum_partial]".to_owned(), minimum.to_owned()),
        ("form[installments]".to_owned(), "on".to_owned()),
        ("form[installments_minimum]".to_owned(), "250.00".to_owned()),
    ];
    for method in methods {
        fields.push((format!("form[methods][{method}]"), "on".to_owned()));
    }
    for (index, (days, offer, payments, fee)) in terms.iter().enumerate() {
        fields.push((format!("form[terms][{index}][days]"), days.to_string()));
        if *offer {
            fields.push((format!("form[terms][{index}][offer]"), "on".to_owned()));
        }
        fields.push((
            format!("form[terms][{index}][payments]"),
            (*payments).to_owned(),
        ));
        fields.push((
            format!("form[terms][{index}][fee_percent]"),
            (*fee).to_owned(),
        ));
    }
    fields
}

fn as_pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect()
}

/// The key shown on a page, if one is: the text of its field.
fn shown_key(page: &str) -> Option<String> {
    let field = &page[page.find("id=\"new-key-secret\"")?..];
    let start = field.find('>')? + 1;
    let end = field.find("</textarea>")?;
    Some(field[start..end].to_owned())
}

both_databases! {
    async fn an_admin_rebrands_and_the_billing_link_shows_it_at_once(app: TestApp) {
        let admin = staff(&app, ADMIN).await;
        let (_, page) = admin.page(SETTINGS).await;
        assert!(page.contains("value=\"Northwind IT Services\"") && page.contains("value=\"#1d4ed8\""));
        let next = admin
            .submit(SETTINGS, "dashboard/settings-branding", &[
                ("form[display_name]", "Northwind IT"),
                ("form[accent_colour]", "#0F766E"),
                ("form[logo_url]", "https://cdn.northwind.example/logo.png"),
                ("form[support_email]", ""),
            ])
            .await;
        assert_eq!(next, format!("{SETTINGS}?saved=branding"));
        let (_, saved) = admin.page(&next).await;
        assert!(saved.contains("Branding saved") && saved.contains("value=\"Northwind IT\""));
        assert_eq!(
            branding_of(&app, "northwind").await,
            ("Northwind IT".to_owned(), "#0f766e".to_owned(), Some("https://cdn.northwind.example/logo.png".to_owned()), None)
        );
        // The instance that saved shows the change on the next page, not after the cache's TTL.
        let (_, billing_link) = Browser::new(&app).page("/pay/northwind").await;
        assert!(billing_link.contains("Northwind IT") && !billing_link.contains("Northwind IT Services"));
        assert!(billing_link.contains("src=\"https://cdn.northwind.example/logo.png\""));
    }

    async fn refused_branding_says_why_beside_each_field_and_keeps_what_was_typed(app: TestApp) {
        let admin = staff(&app, ADMIN).await;
        let next = admin
            .submit(SETTINGS, "dashboard/settings-branding", &[
                ("form[display_name]", "  "),
                ("form[accent_colour]", "#1d4ed8"),
                ("form[logo_url]", "http://cdn.northwind.example/logo.png"),
                ("form[support_email]", "help@northwind"),
            ])
            .await;
        assert!(next.starts_with(&format!("{SETTINGS}?")) && next.contains("refused=branding"), "{next}");
        let (_, page) = admin.page(&next).await;
        assert!(page.contains("Nothing was saved"));
        assert!(page.contains("A logo address must start with https://"));
        assert!(page.contains("value=\"http://cdn.northwind.example/logo.png\""));
        assert!(page.contains("value=\"help@northwind\""));
        assert_eq!(branding_of(&app, "northwind").await.0, "Northwind IT Services");
    }

    async fn an_admin_changes_methods_and_terms_and_a_refused_change_keeps_the_form(app: TestApp) {
        let admin = staff(&app, ADMIN).await;
        let (_, page) = admin.page(SETTINGS).await;
        assert!(page.contains("Bank account (ACH)") && !page.contains("Pre-authorized debit"), "US methods only");
        let terms = [(30, true, "3", "1.5"), (60, false, "3", "0"), (90, true, "", ""), (120, false, "5", "0"), (150, false, "6", "0")];
        let form = payments_form(&["card"], "5.00", &terms);
        let next = admin.submit(SETTINGS, "dashboard/settings-payments", &as_pairs(&form)).await;
        assert_eq!(next, format!("{SETTINGS}?saved=payments"));
        assert_eq!(terms_of(&app, "northwind").await, [(30, 3, 150), (90, 4, 0)]);
        let key = crate::dashboard::api_key(&app, "northwind").await;
        let merchant = app.api_get(&key, "/merchant").await;
        let body = merchant.ok(200);
        assert_eq!(body["payment_methods"], serde_json::json!(["card"]));
        assert_eq!(body["minimum_partial_payment"], "5.00");
        assert_eq!(body["installments"]["minimum_amount"], "250.00");

        // No method, and a 30-day term of 7 payments: refused, each beside its field, as typed.
        let wrong = [(30, true, "7", "1.5"), (60, false, "3", "0"), (90, true, "4", "30"), (120, false, "5", "0"), (150, false, "6", "0")];
        let form = payments_form(&[], "0.50", &wrong);
        let next = admin.submit(SETTINGS, "dashboard/settings-payments", &as_pairs(&form)).await;
        assert!(next.contains("refused=payments"), "{next}");
        let (_, page) = admin.page(&next).await;
        assert!(page.contains("A 30-day term has 2 to 3 payments."), "{page}");
        assert!(page.contains("value=\"7\"") && page.contains("value=\"30\"") && page.contains("value=\"0.50\""));
        assert_eq!(terms_of(&app, "northwind").await, [(30, 3, 150), (90, 4, 0)], "nothing saved");
        let form = payments_form(&[], "1.00", &terms);
        let next = admin.submit(SETTINGS, "dashboard/settings-payments", &as_pairs(&form)).await;
        let (_, page) = admin.page(&next).await;
        assert!(page.contains("Enable at least one payment method."));
    }

    async fn a_viewer_sees_the_settings_and_every_change_is_refused(app: TestApp) {
        let viewer = staff(&app, VIEWER).await;
        for page in [SETTINGS, USERS, KEYS] {
            let (path, html) = viewer.page(page).await;
            assert_eq!(path, page);
            assert!(html.contains("only an admin can change them"), "{page}");
            assert!(!html.contains("Save branding") && !html.contains("Add user") && !html.contains("Issue a new key"), "{page}");
        }
        let (_, users) = viewer.page(USERS).await;
        assert!(users.contains(ADMIN) && !users.contains(">Remove"));
        let branding = [("form[display_name]", "Taken over"), ("form[accent_colour]", "#000000")];
        assert_eq!(post_status(&app, &viewer, "dashboard/settings-branding", &branding).await, 403);
        assert_eq!(post_status(&app, &viewer, "dashboard/settings-payments", &[("form[methods][card]", "on")]).await, 403);
        assert_eq!(post_status(&app, &viewer, "dashboard/user-add", &[("email", "mole@else.example"), ("role", "admin")]).await, 403);
        let admin_id = user_id(&app, ADMIN).await;
        assert_eq!(post_status(&app, &viewer, "dashboard/user-remove", &[("user_id", &admin_id)]).await, 403);
        assert_eq!(post_status(&app, &viewer, "dashboard/api-key-issue", &[]).await, 403);
        assert_eq!(branding_of(&app, "northwind").await.0, "Northwind IT Services");
        let (keys,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM api_keys").fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(keys, 0);
    }

    async fn an_admin_adds_and_removes_users_and_the_last_admin_stays(app: TestApp) {
        let admin = staff(&app, ADMIN).await;
        let (_, page) = admin.page(USERS).await;
        assert!(page.contains(ADMIN) && page.contains(VIEWER) && page.contains("(you)"));
        let next = admin
            .submit(USERS, "dashboard/user-add", &[("email", "Bookkeeper@Northwind.example"), ("role", "admin")])
            .await;
        assert_eq!(next, format!("{USERS}?done=added"));
        // Added, they sign in with a code, as an admin.
        let bookkeeper = staff(&app, "bookkeeper@northwind.example").await;
        let (_, settings) = bookkeeper.page(SETTINGS).await;
        assert!(settings.contains("Save branding"));

        let again = admin.submit(USERS, "dashboard/user-add", &[("email", "bookkeeper@northwind.example"), ("role", "viewer")]).await;
        let (_, page) = admin.page(&again).await;
        assert!(page.contains("bookkeeper@northwind.example can already open this dashboard."));
        let wrong = admin.submit(USERS, "dashboard/user-add", &[("email", "bookkeeper"), ("role", "viewer")]).await;
        let (_, page) = admin.page(&wrong).await;
        assert!(page.contains("value=\"bookkeeper\"") && page.contains("aria-invalid=\"true\""));

        // The bookkeeper removes the first admin, then cannot remove themself: the last admin.
        let first = user_id(&app, ADMIN).await;
        assert_eq!(bookkeeper.submit(USERS, "dashboard/user-remove", &[("user_id", &first)]).await, format!("{USERS}?done=removed"));
        assert_eq!(admin.page(USERS).await.0, "/dashboard", "the removed admin is signed out");
        let own = user_id(&app, "bookkeeper@northwind.example").await;
        let refused = bookkeeper.submit(USERS, "dashboard/user-remove", &[("user_id", &own)]).await;
        let (_, page) = bookkeeper.page(&refused).await;
        assert!(page.contains("That is the only admin"));

        let maple = staff(&app, MAPLE_ADMIN).await;
        let viewer = user_id(&app, VIEWER).await;
        assert_eq!(post_status(&app, &maple, "dashboard/user-remove", &[("user_id", &viewer)]).await, 404);
        assert_eq!(post_status(&app, &maple, "dashboard/user-remove", &[("user_id", "not-an-id")]).await, 404);
        let (_, maple_users) = maple.page(USERS).await;
        assert!(!maple_users.contains("northwind.example"));
    }

    async fn an_issued_key_is_shown_once_works_and_stops_when_revoked(app: TestApp) {
        let admin = staff(&app, ADMIN).await;
        let next = admin.submit(KEYS, "dashboard/api-key-issue", &[]).await;
        assert_eq!(next, format!("{KEYS}?done=issued"));
        let (_, page) = admin.page(&next).await;
        let key = shown_key(&page).expect("the new key is shown");
        assert!(key.starts_with("portico_sk_") && key.len() == "portico_sk_".len() + 64, "{key}");
        assert!(page.contains("Copy it now"));
        app.api_get(&key, "/customers").await.ok(200);
        let hint = format!("portico_sk_…{}", &key[key.len() - 4..]);
        assert!(page.contains(&hint));

        let (_, again) = admin.page(&next).await;
        assert_eq!(shown_key(&again), None, "shown once");
        assert!(again.contains("shown once already") && again.contains(&hint));
        let (held,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM api_key_reveals").fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(held, 0, "nothing of it is held once shown");
        // Another session of the same admin never sees a key issued elsewhere.
        let other = staff(&app, ADMIN).await;
        other.submit(KEYS, "dashboard/api-key-issue", &[]).await;
        let (_, first_browser) = admin.page(KEYS).await;
        assert_eq!(shown_key(&first_browser), None);

        let (id,): (String,) = sqlx::query_as("SELECT id FROM api_keys WHERE hint = $1").bind(&hint).fetch_one(app.db.pool()).await.unwrap();
        let maple = staff(&app, MAPLE_ADMIN).await;
        assert_eq!(post_status(&app, &maple, "dashboard/api-key-revoke", &[("key_id", &id)]).await, 404);
        app.api_get(&key, "/customers").await.ok(200);
        assert_eq!(admin.submit(KEYS, "dashboard/api-key-revoke", &[("key_id", &id)]).await, format!("{KEYS}?done=revoked"));
        app.api_get(&key, "/customers").await.problem(401, "unauthorized");
        let (_, revoked) = admin.page(KEYS).await;
        assert!(revoked.contains("Revoked "));
        assert_eq!(post_status(&app, &admin, "dashboard/api-key-revoke", &[("key_id", &id)]).await, 404, "revoked already");
    }
}
