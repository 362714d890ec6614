//! Access requests in the dashboard: an admin approves one (into a customer on file or a new
//! one) and the requester is emailed and can pay; or refuses it. Viewers and other merchants'
//! staff change nothing.

use crate::dashboard::{ADMIN, MAPLE_ADMIN, VIEWER, post_status, staff};
use crate::helpers::{Browser, TestApp, both_databases};
use crate::sign_in::{BUSINESS, DEMO, fill_in_business, sign_in};
use crate::wizard_payments::outbox_text;

const CUSTOMERS: &str = "/dashboard/customers";

/// `email` signs in at Northwind, is not a contact, and asks for access for `business`.
async fn request_access(app: &TestApp, email: &str, business: &str) -> Browser {
    let browser = Browser::new(app);
    assert_eq!(
        sign_in(app, &browser, email).await,
        format!("{DEMO}/business")
    );
    let mut fields = BUSINESS;
    fields[0] = ("business_name", business);
    assert_eq!(
        fill_in_business(&browser, &fields).await,
        format!("{DEMO}/access-requested")
    );
    browser
}

async fn request_id(app: &TestApp, email: &str) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM access_requests WHERE email = $1")
        .bind(email)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    id
}

async fn request_status(app: &TestApp, email: &str) -> (String, Option<String>) {
    sqlx::query_as("SELECT status, decided_by FROM access_requests WHERE email = $1")
        .bind(email)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

async fn customer_named(app: &TestApp, slug: &str, name: &str) -> String {
    let (id,): (String,) = sqlx::query_as(
        "SELECT c.id FROM customers c JOIN merchants m ON m.id = c.merchant_id WHERE m.slug = $1 AND c.legal_name = $2",
    )
    .bind(slug)
    .bind(name)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    id
}

both_databases! {
    async fn an_approved_requester_is_emailed_and_sees_the_customers_invoices(app: TestApp) {
        let requester = request_access(&app, "buyer@globex-east.example", "Globex Manufacturing").await;
        let admin = staff(&app, ADMIN).await;
        let (_, page) = admin.page(CUSTOMERS).await;
        assert!(page.contains("buyer@globex-east.example") && page.contains("Approve") && page.contains("Refuse"));
        // The request names its business: the customer on file whose name starts so is offered.
        let globex = customer_named(&app, "northwind", "Globex Manufacturing Inc.").await;
        assert!(page.contains(&format!("value=\"{globex}\"")), "the named customer is suggested");

        let id = request_id(&app, "buyer@globex-east.example").await;
        let next = admin
            .submit(CUSTOMERS, "dashboard/approve", &[("request_id", &id), ("into", &globex)])
            .await;
        assert_eq!(next, format!("{CUSTOMERS}?decided=approved"));
        let (_, after) = admin.page(&next).await;
        assert!(after.contains("The requester was emailed"));
        assert!(!after.contains(&id), "no longer waiting");
        assert_eq!(request_status(&app, "buyer@globex-east.example").await, ("approved".to_owned(), Some(ADMIN.to_owned())));
        let outbox = outbox_text(&app).await;
        assert!(outbox.contains("Subject: You can now pay Northwind IT Services online"), "{outbox}");
        assert!(outbox.contains("Sign in with this address at http"));

        // The same session carries on; a fresh sign-in reaches the invoices too.
        let (path, _) = requester.page(&format!("{DEMO}/invoices")).await;
        assert_ne!(path, format!("{DEMO}/access-requested"));
        let fresh = Browser::new(&app);
        let next = sign_in(&app, &fresh, "buyer@globex-east.example").await;
        let next = if next == format!("{DEMO}/business") {
            fill_in_business(&fresh, &BUSINESS).await
        } else {
            next
        };
        assert_eq!(next, format!("{DEMO}/invoices"));
        let (_, invoices) = fresh.page(&next).await;
        assert!(invoices.contains("NW-1042"), "Globex's invoices are shown");

        // The first answer stands.
        let again = admin
            .submit(CUSTOMERS, "dashboard/approve", &[("request_id", &id), ("into", "new")])
            .await;
        assert!(Browser::error_in(&again).unwrap_or_default().contains("already approved"));
    }

    async fn approving_into_a_new_customer_skips_the_business_step_and_refusing_keeps_waiting(app: TestApp) {
        request_access(&app, "ap@pendant-publishing.example", "Pendant Publishing LLC").await;
        let refused = request_access(&app, "ap@vandelay.example", "Vandelay Industries").await;
        let admin = staff(&app, ADMIN).await;
        let pendant = request_id(&app, "ap@pendant-publishing.example").await;
        let (_, page) = admin.page(CUSTOMERS).await;
        assert!(page.contains("A new customer: Pendant Publishing LLC"));
        let next = admin
            .submit(CUSTOMERS, "dashboard/approve", &[("request_id", &pendant), ("into", "new")])
            .await;
        assert_eq!(next, format!("{CUSTOMERS}?decided=approved"));
        customer_named(&app, "northwind", "Pendant Publishing LLC").await;
        let (_, list) = admin.page(&format!("{CUSTOMERS}?q=pendant")).await;
        assert!(list.contains("ap@pendant-publishing.example"), "listed with its contact");
        let fresh = Browser::new(&app);
        assert_eq!(
            sign_in(&app, &fresh, "ap@pendant-publishing.example").await,
            format!("{DEMO}/invoices"),
            "what the request said is the customer's profile"
        );

        let vandelay = request_id(&app, "ap@vandelay.example").await;
        let next = admin
            .submit(CUSTOMERS, "dashboard/refuse", &[("request_id", &vandelay)])
            .await;
        assert_eq!(next, format!("{CUSTOMERS}?decided=refused"));
        assert_eq!(request_status(&app, "ap@vandelay.example").await.0, "declined");
        let (path, _) = refused.page(&format!("{DEMO}/invoices")).await;
        assert_eq!(path, format!("{DEMO}/access-requested"));
    }

    async fn an_admin_can_find_another_customer_for_a_request(app: TestApp) {
        request_access(&app, "ap@unnamed.example", "Some Trading Name").await;
        let admin = staff(&app, ADMIN).await;
        let id = request_id(&app, "ap@unnamed.example").await;
        let globex = customer_named(&app, "northwind", "Globex Manufacturing Inc.").await;
        let (_, page) = admin.page(CUSTOMERS).await;
        assert!(!page.contains(&format!("value=\"{globex}\"")), "nothing is named so");
        let (_, found) = admin.page(&format!("{CUSTOMERS}?request={id}&find=glob")).await;
        assert!(found.contains(&format!("value=\"{globex}\"")));
        assert!(found.contains("value=\"glob\""), "the search is given back");
    }

    async fn viewers_and_other_merchants_decide_nothing(app: TestApp) {
        request_access(&app, "ap@waiting.example", "Waiting Co").await;
        let id = request_id(&app, "ap@waiting.example").await;

        let viewer = staff(&app, VIEWER).await;
        let (_, page) = viewer.page(CUSTOMERS).await;
        assert!(page.contains("ap@waiting.example") && !page.contains(">Approve<"), "a viewer sees, is offered nothing");
        assert_eq!(post_status(&app, &viewer, "dashboard/approve", &[("request_id", &id), ("into", "new")]).await, 403);
        assert_eq!(post_status(&app, &viewer, "dashboard/refuse", &[("request_id", &id)]).await, 403);

        let maple = staff(&app, MAPLE_ADMIN).await;
        let (_, page) = maple.page(CUSTOMERS).await;
        assert!(!page.contains("ap@waiting.example"), "another merchant's request is not listed");
        assert_eq!(post_status(&app, &maple, "dashboard/approve", &[("request_id", &id), ("into", "new")]).await, 404);
        assert_eq!(post_status(&app, &maple, "dashboard/refuse", &[("request_id", &id)]).await, 404);

        // Northwind's admin cannot file the address under a Maple customer.
        let admin = staff(&app, ADMIN).await;
        let (foreign,): (String,) = sqlx::query_as(
            "SELECT c.id FROM customers c JOIN merchants m ON m.id = c.merchant_id WHERE m.slug = 'maple-wholesale' LIMIT 1",
        )
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(post_status(&app, &admin, "dashboard/approve", &[("request_id", &id), ("into", &foreign)]).await, 404);
        assert_eq!(post_status(&app, &admin, "dashboard/approve", &[("request_id", "not-an-id"), ("into", "new")]).await, 404);
        assert_eq!(request_status(&app, "ap@waiting.example").await, ("pending".to_owned(), None));
    }
}
