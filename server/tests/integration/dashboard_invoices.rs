//! The dashboard's invoices: the list (found by number or customer, filtered by status, overdue
//! among them), an invoice's page, and what an admin does there (creates one, voids one,
//! revokes its links); viewers change nothing and other merchants' invoices are not found.

use crate::dashboard::{ADMIN, MAPLE_ADMIN, VIEWER, post_status, staff};
use crate::helpers::{Browser, TestApp, both_databases};
use crate::wizard_payments::customer_with_invoices;

const NEW: &str = "/dashboard/invoices/new";

async fn customer_of_contact(app: &TestApp, email: &str) -> String {
    let (id,): (String,) =
        sqlx::query_as("SELECT customer_id FROM customer_contacts WHERE email = $1")
            .bind(email)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    id
}

async fn invoice_numbered(app: &TestApp, number: &str) -> Option<(String, i64, Option<String>)> {
    sqlx::query_as("SELECT id, total_minor, voided_at FROM invoices WHERE number = $1")
        .bind(number)
        .fetch_optional(app.db.pool())
        .await
        .unwrap()
}

/// The path of the payment link an invoice's page shows.
fn payment_link_in(page: &str) -> String {
    let field = &page[page
        .find("id=\"payment-link\"")
        .expect("the page shows a payment link")..];
    let start = field
        .find("value=\"")
        .expect("the link is the field's value")
        + "value=\"".len();
    let link = field[start..].split('"').next().unwrap();
    let path = link
        .find("/pay/northwind/i/")
        .expect("a link to pay the invoice");
    link[path..].to_owned()
}

both_databases! {
    async fn an_admin_creates_an_invoice_from_its_lines_and_finds_it(app: TestApp) {
        customer_with_invoices(&app, "ap@billed.example", &[("BIL-1", "10.00", "USD")]).await;
        let customer = customer_of_contact(&app, "ap@billed.example").await;
        let admin = staff(&app, ADMIN).await;
        let form = format!("{NEW}?customer={customer}");
        let (_, page) = admin.page(&form).await;
        assert!(page.contains("Invoice number") && page.contains("Create invoice"));

        let next = admin
            .submit(&form, "dashboard/invoice-create", &[
                ("form[customer_id]", customer.as_str()),
                ("form[number]", "DASH-100"),
                ("form[currency]", "USD"),
                ("form[issued_on]", "2026-11-01"),
                ("form[due_on]", "2026-12-01"),
                ("form[lines][0][description]", "Support hours"),
                ("form[lines][0][quantity]", "2.5"),
                ("form[lines][0][unit_price]", "$40"),
                ("form[lines][1][description]", "Licence"),
                ("form[lines][1][quantity]", "1"),
                ("form[lines][1][unit_price]", "1,000.00"),
                ("form[total]", ""),
                ("form[memo]", "PO 4471"),
            ])
            .await;
        let (id, total, _) = invoice_numbered(&app, "DASH-100").await.expect("created");
        assert_eq!(next, format!("/dashboard/invoices/{id}"));
        assert_eq!(total, 110_000, "the lines add up to 1,100.00");
        let (_, page) = admin.page(&next).await;
        assert!(page.contains("Support hours") && page.contains("1,100.00") && page.contains("PO 4471"));
        assert!(page.contains("Created for"));
        payment_link_in(&page);

        let (_, by_number) = admin.page("/dashboard/invoices?search=dash-1").await;
        assert!(by_number.contains(&next));
        let (_, by_customer) = admin.page("/dashboard/invoices?search=BILLED").await;
        assert!(by_customer.contains(&next) && by_customer.contains("BIL-1"));
        let (_, other) = admin.page("/dashboard/invoices?search=no-such-thing").await;
        assert!(!other.contains(&next) && other.contains("No invoices match"));
    }

    async fn a_refused_invoice_form_keeps_what_was_typed_and_says_why(app: TestApp) {
        customer_with_invoices(&app, "ap@typos.example", &[("TYP-1", "10.00", "USD")]).await;
        let customer = customer_of_contact(&app, "ap@typos.example").await;
        let admin = staff(&app, ADMIN).await;
        let form = format!("{NEW}?customer={customer}");
        let fields = |number: &'static str, quantity: &'static str, due_on: &'static str| {
            vec![
                ("form[customer_id]", customer.clone()),
                ("form[number]", number.to_owned()),
                ("form[currency]", "USD".to_owned()),
                ("form[issued_on]", "2026-11-01".to_owned()),
                ("form[due_on]", due_on.to_owned()),
                ("form[lines][0][description]", "Widgets".to_owned()),
                ("form[lines][0][quantity]", quantity.to_owned()),
                ("form[lines][0][unit_price]", "3.00".to_owned()),
                ("form[memo]", "Keep this memo".to_owned()),
            ]
        };
        let typed = fields("  ", "lots", "2026-10-01");
        let borrowed: Vec<(&str, &str)> = typed.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let back = admin.submit(&form, "dashboard/invoice-create", &borrowed).await;
        assert!(back.starts_with(NEW) && back.contains("refused=form"), "{back}");
        let (_, page) = admin.page(&back).await;
        assert!(page.contains("Keep this memo") && page.contains("Widgets"), "what was typed is kept");
        assert!(page.contains("A quantity must be a decimal number"));
        assert!(page.contains("The due date is before the issue date."));
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM invoices WHERE customer_id = $1")
            .bind(&customer)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(count, 1, "nothing was created");

        // A number another invoice has is refused beside the number, after the form parsed.
        let taken = fields("TYP-1", "2", "2026-12-01");
        let borrowed: Vec<(&str, &str)> = taken.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let back = admin.submit(&form, "dashboard/invoice-create", &borrowed).await;
        assert!(back.contains("refused=number"), "{back}");
        let (_, page) = admin.page(&back).await;
        assert!(page.contains("Another invoice already has this number."));
    }

    async fn an_admin_voids_an_invoice_and_revokes_its_links_and_the_history_says_who(app: TestApp) {
        let invoices = customer_with_invoices(
            &app,
            "ap@voided.example",
            &[("VOI-1", "30.00", "USD"), ("VOI-2", "40.00", "USD")],
        )
        .await;
        let admin = staff(&app, ADMIN).await;
        let first = format!("/dashboard/invoices/{}", invoices[0]);
        let (_, page) = admin.page(&first).await;
        let old_link = payment_link_in(&page);
        let next = admin
            .submit(&first, "dashboard/invoice-revoke-link", &[("invoice_id", &invoices[0])])
            .await;
        assert_eq!(next, format!("{first}?revoked=1"));
        let (_, page) = admin.page(&next).await;
        let new_link = payment_link_in(&page);
        assert_ne!(new_link, old_link, "a new link replaces the old");
        assert!(page.contains(&format!("Payment links revoked by {ADMIN}")));
        assert!(Browser::new(&app).page(&old_link).await.1.contains("withdrawn"));
        assert!(!Browser::new(&app).page(&new_link).await.1.contains("withdrawn"));

        let second = format!("/dashboard/invoices/{}", invoices[1]);
        assert_eq!(
            admin.submit(&second, "dashboard/invoice-void", &[("invoice_id", &invoices[1])]).await,
            second
        );
        let (_, page) = admin.page(&second).await;
        assert!(page.contains("Void") && page.contains(&format!("Voided by {ADMIN}")));
        assert!(!page.contains("/pay/northwind/i/"), "a void invoice has no link");
        assert!(invoice_numbered(&app, "VOI-2").await.unwrap().2.is_some());
        let (_, void_list) = admin.page("/dashboard/invoices?status=void").await;
        assert!(void_list.contains(&second) && !void_list.contains(&first));
        let (_, refused) = admin.page("/dashboard/invoices?status=lost").await;
        assert!(refused.contains("The status must be one of"));
    }

    async fn only_an_invoice_page_with_its_copy_button_loads_the_wasm(app: TestApp) {
        let invoices = customer_with_invoices(&app, "ap@copy.example", &[("COPY-1", "30.00", "USD")]).await;
        let admin = staff(&app, ADMIN).await;
        let (_, page) = admin.page(&format!("/dashboard/invoices/{}", invoices[0])).await;
        assert!(page.contains("/pkg/portico.js"), "the copy button is an island");
        assert!(page.contains("<leptos-island"));
        assert!(page.contains("Link to this invoice"));
        for plain in ["/dashboard/invoices", "/dashboard/payments", "/dashboard/overview", NEW] {
            let (_, page) = admin.page(plain).await;
            assert!(!page.contains("/pkg/portico.js"), "{plain} loads no WASM");
        }
    }

    async fn the_overdue_filter_lists_past_due_invoices_that_still_owe(app: TestApp) {
        let invoices = customer_with_invoices(&app, "ap@late.example", &[("LATE-1", "55.00", "USD")]).await;
        sqlx::query("UPDATE invoices SET issued_on = '2020-01-01', due_on = '2020-02-01' WHERE id = $1")
            .bind(&invoices[0])
            .execute(app.db.writer())
            .await
            .unwrap();
        let admin = staff(&app, ADMIN).await;
        let path = format!("/dashboard/invoices/{}", invoices[0]);
        let (_, overdue) = admin.page("/dashboard/invoices?status=overdue").await;
        assert!(overdue.contains(&path) && overdue.contains("Open, overdue"));
        let (_, paid) = admin.page("/dashboard/invoices?status=paid").await;
        assert!(!paid.contains(&path));
    }

    async fn viewers_change_no_invoice_and_other_merchants_invoices_are_not_found(app: TestApp) {
        let invoices = customer_with_invoices(&app, "ap@watched.example", &[("WAT-1", "12.00", "USD")]).await;
        let customer = customer_of_contact(&app, "ap@watched.example").await;
        let path = format!("/dashboard/invoices/{}", invoices[0]);
        let invoice = [("invoice_id", invoices[0].as_str())];
        let create = [
            ("form[customer_id]", customer.as_str()),
            ("form[number]", "WAT-2"),
            ("form[currency]", "USD"),
            ("form[issued_on]", "2026-11-01"),
            ("form[due_on]", "2026-12-01"),
            ("form[total]", "5.00"),
        ];

        let viewer = staff(&app, VIEWER).await;
        let (_, page) = viewer.page(&path).await;
        assert!(page.contains("WAT-1") && !page.contains("Void invoice") && !page.contains("Revoke payment links"));
        assert_eq!(post_status(&app, &viewer, "dashboard/invoice-void", &invoice).await, 403);
        assert_eq!(post_status(&app, &viewer, "dashboard/invoice-revoke-link", &invoice).await, 403);
        assert_eq!(post_status(&app, &viewer, "dashboard/invoice-create", &create).await, 403);
        assert!(invoice_numbered(&app, "WAT-2").await.is_none());
        assert!(invoice_numbered(&app, "WAT-1").await.unwrap().2.is_none());

        let maple = staff(&app, MAPLE_ADMIN).await;
        assert_eq!(maple.open(&path).await.status(), 404);
        assert_eq!(maple.open("/dashboard/invoices/not-an-id").await.status(), 404);
        let (_, list) = maple.page("/dashboard/invoices?search=WAT").await;
        assert!(!list.contains(&path));
        assert_eq!(post_status(&app, &maple, "dashboard/invoice-void", &invoice).await, 404);
        assert_eq!(post_status(&app, &maple, "dashboard/invoice-revoke-link", &invoice).await, 404);
        assert_eq!(post_status(&app, &maple, "dashboard/invoice-create", &create).await, 404);
        assert_eq!(maple.open(&format!("{NEW}?customer={customer}")).await.status(), 404);
        assert!(invoice_numbered(&app, "WAT-2").await.is_none());
    }
}
