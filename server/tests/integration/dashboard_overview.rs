//! The dashboard's overview: its figures agree with the invoices and payments one by one, each
//! merchant sees only its own, and what needs attention is listed.

use crate::dashboard::{ADMIN, MAPLE_ADMIN, staff};
use crate::helpers::{TestApp, both_databases};
use app::domain::ids::MerchantId;
use app::domain::money::Money;
use app::domain::payment::PaymentStatus;
use app::services::clock::{date_text, today};
use app::services::invoices::{self, InvoiceFilter};
use app::services::page::PageRequest;
use app::services::payments::{self, PaymentFilter};
use std::collections::BTreeMap;

const OVERVIEW: &str = "/dashboard/overview";

async fn merchant_of(app: &TestApp, slug: &str) -> MerchantId {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM merchants WHERE slug = $1")
        .bind(slug)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    MerchantId::parse(&id).unwrap()
}

/// Adds `amount` to the running total of its currency.
fn add(sums: &mut BTreeMap<String, Money>, amount: Money) {
    let code = amount.currency().code().to_owned();
    let sum = sums
        .remove(&code)
        .unwrap_or_else(|| Money::zero(amount.currency()));
    sums.insert(code, sum.checked_add(amount).unwrap());
}

/// The overview's figures worked out the long way: every invoice's balance, every payment.
async fn figures_one_by_one(app: &TestApp, merchant: MerchantId) -> [BTreeMap<String, Money>; 4] {
    let today = today();
    let month_start = date_text(today.replace_day(1).unwrap());
    let [mut outstanding, mut overdue, mut processing, mut collected] = Default::default();
    let mut page = PageRequest {
        limit: 100,
        after: None,
    };
    loop {
        let found = invoices::list(&app.db, merchant, &InvoiceFilter::default(), &page)
            .await
            .unwrap();
        for invoice in &found.items {
            if !invoice.standing.balance_due.is_zero() {
                add(&mut outstanding, invoice.standing.balance_due);
                if invoice.is_overdue(today) {
                    add(&mut overdue, invoice.standing.balance_due);
                }
            }
        }
        let Some(next) = found.next else { break };
        page.after = Some(next);
    }
    let mut page = PageRequest {
        limit: 100,
        after: None,
    };
    loop {
        let found = payments::list(&app.db, merchant, &PaymentFilter::default(), &page)
            .await
            .unwrap();
        for payment in &found.items {
            match payment.status {
                PaymentStatus::Pending | PaymentStatus::Processing => {
                    add(&mut processing, payment.amount)
                }
                // Counted before refunds, which the overview shows beside it.
                PaymentStatus::Succeeded | PaymentStatus::Refunded => {
                    let day = payment
                        .settles_on
                        .clone()
                        .unwrap_or_else(|| payment.created_at[..10].to_owned());
                    if day >= month_start {
                        add(&mut collected, payment.amount);
                    }
                }
                _ => {}
            }
        }
        let Some(next) = found.next else { break };
        page.after = Some(next);
    }
    [outstanding, overdue, processing, collected]
}

both_databases! {
    async fn the_overview_adds_up_what_the_invoices_and_payments_say_one_by_one(app: TestApp) {
        for slug in ["northwind", "maple-wholesale"] {
            let merchant = merchant_of(&app, slug).await;
            let overview = app::services::overview::of(&app.db, merchant, today()).await.unwrap();
            let [outstanding, overdue, processing, collected] = figures_one_by_one(&app, merchant).await;
            assert!(!outstanding.is_empty(), "the demo has open invoices at {slug}");
            for figures in &overview.figures {
                let code = figures.currency.code();
                let expected = |sums: &BTreeMap<String, Money>| sums.get(code).copied().unwrap_or_else(|| Money::zero(figures.currency));
                assert_eq!(figures.outstanding, expected(&outstanding), "{slug} {code} outstanding");
                assert_eq!(figures.overdue, expected(&overdue), "{slug} {code} overdue");
                assert_eq!(figures.processing, expected(&processing), "{slug} {code} processing");
                assert_eq!(figures.collected_this_month, expected(&collected), "{slug} {code} collected");
            }
            for code in outstanding.keys() {
                assert!(overview.figures.iter().any(|figures| figures.currency.code() == code), "{code} is shown");
            }
        }
    }

    async fn each_merchant_sees_its_own_figures_and_what_needs_attention(app: TestApp) {
        let northwind = merchant_of(&app, "northwind").await;
        let overview = app::services::overview::of(&app.db, northwind, today()).await.unwrap();
        let admin = staff(&app, ADMIN).await;
        let (path, page) = admin.page(OVERVIEW).await;
        assert_eq!(path, OVERVIEW);
        for figures in &overview.figures {
            assert!(page.contains(&figures.outstanding.to_string()), "{} shown", figures.outstanding);
            assert!(page.contains(&figures.overdue.to_string()), "{} shown", figures.overdue);
        }
        assert!(page.contains("Needs attention"));
        if overview.unreconciled > 0 {
            assert!(page.contains("not yet reconciled"));
            assert!(page.contains("/dashboard/payments?reconciliation=unreconciled&amp;status=succeeded"));
        }
        for payment in overview.failed.iter().chain(&overview.returned) {
            assert!(page.contains(&payment.id.to_string()), "{} needs attention", payment.id);
        }

        let maple = staff(&app, MAPLE_ADMIN).await;
        let (_, page) = maple.page(OVERVIEW).await;
        assert!(page.contains("<h2 id=\"figures-CAD\">CAD</h2>"));
        assert!(!page.contains("figures-USD"), "Northwind's dollars are not Maple's");
        for payment in overview.failed.iter().chain(&overview.returned) {
            assert!(!page.contains(&payment.id.to_string()));
        }
    }
}
