//! `/api/v1/merchant`, end to end: the settings resource read whole and changed in part.

use crate::helpers::both_databases;
use reqwest::Method;
use serde_json::json;

both_databases! {
    async fn a_new_merchant_offers_its_countrys_methods_and_the_standard_installment_terms(app: TestApp) {
        let merchant = app.merchant("acme", "CA").await;
        let read = app.api_get(&merchant.api_key, "/merchant").await;
        let body = read.ok(200);
        assert_eq!(body["id"], merchant.id.to_string());
        assert_eq!(body["slug"], "acme");
        assert_eq!(body["country"], "CA");
        assert_eq!(body["default_currency"], "CAD");
        assert_eq!(body["payment_methods"], json!(["ca_pad", "ca_eft", "card"]));
        assert_eq!(body["minimum_partial_payment"], "1.00");
        assert_eq!(
            body["installments"],
            json!({
                "enabled": true,
                "minimum_amount": "100.00",
                "terms": [
                    {"days": 30, "payments": 2, "fee_percent": "0.00"},
                    {"days": 60, "payments": 3, "fee_percent": "0.00"},
                    {"days": 90, "payments": 4, "fee_percent": "0.00"},
                    {"days": 120, "payments": 5, "fee_percent": "0.00"},
                    {"days": 150, "payments": 6, "fee_percent": "0.00"},
                ],
            })
        );
    }

    async fn a_patch_changes_what_it_names_and_keeps_the_rest(app: TestApp) {
        let merchant = app.merchant("acme", "US").await;
        let patch = json!({
            "payment_methods": ["card", "us_ach", "card"],
            "installments": {
                "minimum_amount": "250",
                "terms": [
                    // JSON Schema calls 3.0 an integer, so the API reads it as 3.
                    {"days": 90.0, "payments": 3.0, "fee_percent": "2.5"},
                    {"days": 30},
                ],
            },
        });
        let changed = app.api(&merchant.api_key, Method::PATCH, "/merchant", Some(&patch)).await;
        let body = changed.ok(200).clone();
        assert_eq!(body["payment_methods"], json!(["us_ach", "card"]));
        assert_eq!(body["minimum_partial_payment"], "1.00", "not named, so kept");
        assert_eq!(body["installments"]["enabled"], true, "not named, so kept");
        assert_eq!(body["installments"]["minimum_amount"], "250.00");
        assert_eq!(
            body["installments"]["terms"],
            json!([
                {"days": 30, "payments": 2, "fee_percent": "0.00"},
                {"days": 90, "payments": 3, "fee_percent": "2.50"},
            ])
        );
        assert_eq!(app.api_get(&merchant.api_key, "/merchant").await.ok(200), &body);

        let off = app
            .api(&merchant.api_key, Method::PATCH, "/merchant", Some(&json!({"installments": {"enabled": false}})))
            .await;
        assert_eq!(off.ok(200)["installments"]["enabled"], false);
        assert_eq!(off.body["installments"]["terms"], body["installments"]["terms"]);
    }

    async fn branding_is_changed_in_part_and_null_removes_the_logo_and_support_address(app: TestApp) {
        let merchant = app.merchant("acme", "US").await;
        let patch = json!({
            "display_name": "  Acme Supply ",
            "accent_colour": "#0F766E",
            "logo_url": "https://cdn.acme.example/logo.png",
            "support_email": "Help@Acme.example",
        });
        let changed = app.api(&merchant.api_key, Method::PATCH, "/merchant", Some(&patch)).await;
        let body = changed.ok(200).clone();
        assert_eq!(
            (&body["display_name"], &body["accent_colour"], &body["logo_url"], &body["support_email"]),
            (&json!("Acme Supply"), &json!("#0f766e"), &json!("https://cdn.acme.example/logo.png"), &json!("help@acme.example"))
        );
        let (_, billing_link) = crate::helpers::Browser::new(&app).page("/pay/acme").await;
        assert!(billing_link.contains("Acme Supply") && billing_link.contains("https://cdn.acme.example/logo.png"));

        let kept = app.api(&merchant.api_key, Method::PATCH, "/merchant", Some(&json!({"logo_url": null}))).await;
        let kept = kept.ok(200);
        assert_eq!((&kept["logo_url"], &kept["support_email"]), (&json!(null), &json!("help@acme.example")), "null removes; left out keeps");
        assert_eq!(kept["display_name"], "Acme Supply");
    }

    async fn every_refusal_names_its_field_and_changes_nothing(app: TestApp) {
        let merchant = app.merchant("acme", "US").await;
        let before = app.api_get(&merchant.api_key, "/merchant").await.ok(200).clone();
        let cases = [
            (json!({"payment_methods": []}), "payment_methods", "at least one"),
            (json!({"payment_methods": ["ca_pad"]}), "payment_methods", "not offered in the united states"),
            (json!({"payment_methods": ["installments"]}), "payment_methods[0]", "us_ach, ca_pad, ca_eft or card"),
            (json!({"minimum_partial_payment": "0"}), "minimum_partial_payment", "more than 0.00"),
            (json!({"installments": {"minimum_amount": "0.50"}}), "installments.minimum_amount", "at least 1.00"),
            (json!({"installments": {"terms": [{"days": 45}]}}), "installments.terms[0].days", "30, 60, 90, 120 or 150"),
            (json!({"installments": {"terms": [{"days": 30, "payments": 4}]}}), "installments.terms[0].payments", "2 to 3 payments"),
            (json!({"installments": {"terms": [{"days": 60}, {"days": 90, "fee_percent": "30"}]}}), "installments.terms[1].fee_percent", "0 to 25"),
            (json!({"installments": {"terms": [{"days": 30, "payments": 2.5}]}}), "installments.terms[0].payments", "2 to 3 payments"),
            (json!({"installments": {"terms": [{"days": "30"}]}}), "installments.terms[0].days", "expected"),
            (json!({"installments": {"terms": [{"days": 60, "fee_percent": "1.234"}]}}), "installments.terms[0].fee_percent", "one point"),
            (json!({"installments": {"terms": [{"days": 60}, {"days": 60}]}}), "installments.terms", "listed twice"),
            (json!({"installments": {"terms": []}}), "installments.terms", "at least one term"),
            (json!({"installments": {"enabled": "yes"}}), "installments.enabled", "boolean"),
            (json!({"country": "CA"}), "country", "unknown field"),
            (json!({"display_name": " "}), "display_name", "enter a display name"),
            (json!({"accent_colour": "blue"}), "accent_colour", "six hex digits"),
            (json!({"logo_url": "http://cdn.example.com/a.png"}), "logo_url", "https://"),
            (json!({"support_email": "help@nowhere"}), "support_email", "dot"),
        ];
        for (patch, field, says) in cases {
            let refused = app.api(&merchant.api_key, Method::PATCH, "/merchant", Some(&patch)).await;
            let message = refused.invalid(field).to_owned();
            assert!(message.to_lowercase().contains(says), "{patch}: {message}");
        }
        assert_eq!(app.api_get(&merchant.api_key, "/merchant").await.ok(200), &before);
    }

    async fn each_merchant_reads_and_changes_only_its_own_settings(app: TestApp) {
        let acme = app.merchant("acme", "US").await;
        let maple = app.merchant("maple", "CA").await;
        let turned_off = json!({"installments": {"enabled": false}});
        app.api(&acme.api_key, Method::PATCH, "/merchant", Some(&turned_off)).await.ok(200);
        let other = app.api_get(&maple.api_key, "/merchant").await;
        assert_eq!(other.ok(200)["slug"], "maple");
        assert_eq!(other.body["installments"]["enabled"], true);
    }
}
