//! A customer's page in the dashboard: its contacts (added and removed by an admin, the last
//! one kept), its invoices and payments; other merchants' customers are not found.

use crate::dashboard::{ADMIN, MAPLE_ADMIN, VIEWER, post_status, staff};
use crate::helpers::{Browser, TestApp, both_databases};
use crate::sign_in::{DEMO, sign_in};
use crate::wizard_payments::customer_with_invoices;

async fn customer_of_contact(app: &TestApp, email: &str) -> String {
    let (id,): (String,) =
        sqlx::query_as("SELECT customer_id FROM customer_contacts WHERE email = $1")
            .bind(email)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    id
}

async fn contacts_of(app: &TestApp, customer: &str) -> Vec<String> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT email FROM customer_contacts WHERE customer_id = $1 ORDER BY email")
            .bind(customer)
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    rows.into_iter().map(|(email,)| email).collect()
}

both_databases! {
    async fn an_admin_adds_and_removes_contacts_and_the_last_one_stays(app: TestApp) {
        customer_with_invoices(&app, "ap@contacts.example", &[("CON-1", "75.00", "USD")]).await;
        let customer = customer_of_contact(&app, "ap@contacts.example").await;
        let page_path = format!("/dashboard/customers/{customer}");
        let admin = staff(&app, ADMIN).await;
        let (_, list) = admin.page("/dashboard/customers?q=").await;
        assert!(list.contains(&page_path), "the list links to the customer");
        let (_, page) = admin.page(&page_path).await;
        assert!(page.contains("ap@contacts.example") && page.contains("CON-1") && page.contains("75.00 USD"));

        let refused = admin
            .submit(&page_path, "dashboard/contact-add", &[("customer_id", &customer), ("email", "billing@contacts")])
            .await;
        assert!(Browser::error_in(&refused).unwrap_or_default().contains("dot"));
        let back = admin
            .submit(&page_path, "dashboard/contact-add", &[("customer_id", &customer), ("email", "Billing@Contacts.example")])
            .await;
        assert_eq!(back, page_path);
        assert_eq!(contacts_of(&app, &customer).await, ["ap@contacts.example", "billing@contacts.example"]);
        // The new contact can sign in and reach the customer's invoices.
        let contact = Browser::new(&app);
        assert_eq!(sign_in(&app, &contact, "billing@contacts.example").await, format!("{DEMO}/business"));

        let back = admin
            .submit(&page_path, "dashboard/contact-remove", &[("customer_id", &customer), ("email", "ap@contacts.example")])
            .await;
        assert_eq!(back, page_path);
        let last = admin
            .submit(&page_path, "dashboard/contact-remove", &[("customer_id", &customer), ("email", "billing@contacts.example")])
            .await;
        assert!(Browser::error_in(&last).unwrap_or_default().contains("only contact"));
        assert_eq!(contacts_of(&app, &customer).await, ["billing@contacts.example"]);
    }

    async fn viewers_change_no_contact_and_other_merchants_customers_are_not_found(app: TestApp) {
        customer_with_invoices(&app, "ap@guarded.example", &[("GRD-1", "20.00", "USD")]).await;
        let customer = customer_of_contact(&app, "ap@guarded.example").await;
        let page_path = format!("/dashboard/customers/{customer}");

        let viewer = staff(&app, VIEWER).await;
        let (_, page) = viewer.page(&page_path).await;
        assert!(page.contains("ap@guarded.example") && !page.contains("Add contact") && !page.contains(">Remove"));
        let add = [("customer_id", customer.as_str()), ("email", "more@guarded.example")];
        assert_eq!(post_status(&app, &viewer, "dashboard/contact-add", &add).await, 403);

        let maple = staff(&app, MAPLE_ADMIN).await;
        assert_eq!(maple.open(&page_path).await.status(), 404);
        assert_eq!(post_status(&app, &maple, "dashboard/contact-add", &add).await, 404);
        let remove = [("customer_id", customer.as_str()), ("email", "ap@guarded.example")];
        assert_eq!(post_status(&app, &maple, "dashboard/contact-remove", &remove).await, 404);
        assert_eq!(maple.open("/dashboard/customers/not-an-id").await.status(), 404);
        assert_eq!(contacts_of(&app, &customer).await, ["ap@guarded.example"]);
    }
}
