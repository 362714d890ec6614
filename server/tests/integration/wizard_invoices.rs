//! Step 4: the signed-in customer's outstanding invoices, a page at a time, with totals over
//! all of them and each invoice's lines.

use crate::helpers::{Browser, both_databases};
use crate::sign_in::{BUSINESS, DEMO, fill_in_business, sign_in};
use serde_json::json;

both_databases! {
    async fn many_invoices_come_a_page_at_a_time_with_totals_over_all_of_them(app: TestApp) {
        let key = server::admin::create_api_key(&app.db, "northwind").await.unwrap().api_key;
        let customer = app
            .api_post(&key, "/customers", &json!({"name": "Hooli Inc.", "email": "ap@hooli.example", "country": "US"}))
            .await
            .id();
        for n in 0..30 {
            app.api_post(&key, "/invoices", &json!({
                "customer_id": customer, "number": format!("H-{n:03}"), "currency": "USD", "total": "10.00",
                "issued_on": "2026-11-01", "due_on": "2026-12-01",
                "memo": "Monthly licence",
                "line_items": [{"description": "Seat licence", "quantity": "2", "unit_price": "5.00"}],
            }))
            .await
            .ok(201);
        }
        let browser = Browser::new(&app);
        sign_in(&app, &browser, "ap@hooli.example").await;
        fill_in_business(&browser, &BUSINESS).await;

        let (_, first) = browser.page(&format!("{DEMO}/invoices")).await;
        assert_eq!(first.matches("data-label=\"Invoice\"").count(), 25);
        assert!(first.contains("H-000") && !first.contains("H-029"));
        assert!(first.contains("300.00 USD"), "the total covers all 30 invoices");
        assert!(first.contains("2 × Seat licence") && first.contains("Monthly licence"));
        let next = first
            .split("href=\"?after=")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a link to the next page")
            .to_owned();
        let (_, second) = browser.page(&format!("{DEMO}/invoices?after={next}")).await;
        assert_eq!(second.matches("data-label=\"Invoice\"").count(), 5);
        assert!(second.contains("H-029") && !second.contains("H-000"));
        assert!(!second.contains("More invoices"), "the last page has no next");
        assert!(second.contains("First invoices"));

        let (_, forged) = browser.page(&format!("{DEMO}/invoices?after=zz")).await;
        assert!(forged.contains("H-000"), "a cursor the server did not make starts from the first page");

        // Among many invoices, one is found by (part of) its number, in any case.
        let (_, found) = browser.page(&format!("{DEMO}/amounts?number=h-02")).await;
        assert_eq!(found.matches("Select invoice H-").count(), 10, "H-020 to H-029");
        assert!(!found.contains("Select invoice H-001"));
        assert!(found.contains("value=\"h-02\""), "the search box keeps the search");
        let (_, literal) = browser.page(&format!("{DEMO}/invoices?number=%25")).await;
        assert!(literal.contains("No outstanding invoice number contains"), "a % is taken literally");
    }
}
