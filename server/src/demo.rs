//! The demo a fresh install starts with: a US merchant and a Canadian one, customers with
//! contacts, and invoices in every state a customer meets (open, overdue, partly paid, paid),
//! so that the README's first command shows a portal with something to pay.

use app::domain::email::EmailAddress;
use app::domain::idempotency::IdempotencyKey;
use app::domain::ids::{CustomerId, MerchantId};
use app::domain::installments::InstallmentSettings;
use app::domain::invoice::LineItem;
use app::domain::merchant::{AccentColour, Country, MerchantSlug};
use app::domain::money::{AmountSyntax, Currency, Money};
use app::domain::payment::{PaymentMethodKind, PaymentStatus};
use app::domain::public_url::PublicUrl;
use app::domain::staff::StaffRole;
use app::domain::text::{InvoiceNumber, LegalName, LineDescription, Memo};
use app::services::Database;
use app::services::clock::today;
use app::services::customers::{self, CustomerError, NewCustomer};
use app::services::invoices::{self, InvoiceError, NewInvoice};
use app::services::merchant_users::{self, MerchantUserError};
use app::services::merchants::{self, MerchantError, NewMerchant};
use app::services::page::PageRequest;
use app::services::payments::{self, NewAllocation, NewPayment, PaymentError};
use rust_decimal::Decimal;
use serde::Serialize;
use time::Duration;

pub const DEMO_MERCHANT_SLUG: &str = "northwind";
/// A contact of a customer of both demo merchants: signing in with it shows the choice of
/// whom to pay for.
pub const DEMO_CUSTOMER_EMAIL: &str = "ap@globex.example";
/// Who signs in to the demo merchants' dashboards: an admin of each, and a viewer at Northwind.
pub const DEMO_STAFF: [(&str, &str, StaffRole); 3] = [
    ("northwind", "admin@northwind.example", StaffRole::Admin),
    ("northwind", "viewer@northwind.example", StaffRole::Viewer),
    (
        "maple-wholesale",
        "admin@maplewholesale.example",
        StaffRole::Admin,
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Merchant(#[from] MerchantError),
    #[error(transparent)]
    Customer(#[from] CustomerError),
    #[error(transparent)]
    Invoice(#[from] InvoiceError),
    #[error(transparent)]
    Payment(#[from] PaymentError),
    #[error(transparent)]
    User(#[from] MerchantUserError),
}

/// What the demo holds, for printing.
#[derive(Debug, Serialize)]
pub struct DemoSummary {
    pub merchants: Vec<DemoMerchant>,
    pub customer_email: String,
    /// Who may sign in at /dashboard: (merchant, email address, role).
    pub dashboard_users: Vec<(String, String, String)>,
}

#[derive(Debug, Serialize)]
pub struct DemoMerchant {
    pub name: String,
    pub billing_link: String,
}

/// Seeds the demo when the database has no merchant at all (the first start).
pub async fn seed_if_empty(db: &Database, public_url: &PublicUrl) -> Result<(), DemoError> {
    if merchants::any_exist(db).await? {
        return Ok(());
    }
    let summary = seed(db, public_url, Repair::No).await?;
    for merchant in &summary.merchants {
        tracing::info!(billing_link = %merchant.billing_link, "seeded demo merchant {}", merchant.name);
    }
    tracing::info!(email = %summary.customer_email, "sign in to the demo with this customer email");
    for (merchant, address, role) in &summary.dashboard_users {
        tracing::info!(%merchant, email = %address, %role, "sign in to the demo dashboard at /dashboard");
    }
    Ok(())
}

/// Whether `seed` fills in a demo merchant that exists without any customers (left so by a
/// seeding that was interrupted). Only the explicit `portico demo` does: at start-up another
/// instance may be seeding that very merchant at the same moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repair {
    No,
    EmptyMerchants,
}

/// Seeds each demo merchant that does not exist yet; running it again changes nothing.
pub async fn seed(
    db: &Database,
    public_url: &PublicUrl,
    repair: Repair,
) -> Result<DemoSummary, DemoError> {
    let mut summary = DemoSummary {
        merchants: Vec::new(),
        customer_email: DEMO_CUSTOMER_EMAIL.to_owned(),
        dashboard_users: DEMO_STAFF
            .iter()
            .map(|(slug, address, role)| {
                (
                    (*slug).to_owned(),
                    (*address).to_owned(),
                    role.code().to_owned(),
                )
            })
            .collect(),
    };
    for merchant in [northwind(), maple()] {
        let slug = merchant.profile.slug.clone();
        match merchants::create(db, &merchant.profile).await {
            Ok(id) => seed_books(db, id, &merchant).await?,
            // Already there (an earlier run, or another instance seeding at the same moment).
            Err(MerchantError::SlugTaken(_)) if repair == Repair::EmptyMerchants => {
                if let Some(id) = merchants::find_id(db, &slug).await?
                    && customers::list(db, id, &PageRequest::first(1))
                        .await?
                        .items
                        .is_empty()
                {
                    seed_books(db, id, &merchant).await?;
                }
            }
            Err(MerchantError::SlugTaken(_)) => {}
            Err(error) => return Err(error.into()),
        }
        summary.merchants.push(DemoMerchant {
            name: merchant.profile.display_name.clone(),
            billing_link: public_url.billing_link(&slug),
        });
    }
    Ok(summary)
}

struct DemoBooks {
    profile: NewMerchant,
    customers: Vec<DemoCustomer>,
}

struct DemoCustomer {
    name: &'static str,
    contacts: &'static [&'static str],
    invoices: Vec<DemoInvoice>,
}

struct DemoInvoice {
    number: &'static str,
    /// (description, quantity, unit price): the total is their sum.
    lines: &'static [(&'static str, &'static str, &'static str)],
    /// Days from today: negative is in the past.
    issued: i64,
    due: i64,
    /// How much of it a settled bank payment has paid.
    paid: Option<&'static str>,
    memo: Option<&'static str>,
}

fn northwind() -> DemoBooks {
    let country = Country::UnitedStates;
    DemoBooks {
        profile: profile(
            "northwind",
            "Northwind IT Services LLC",
            "Northwind IT Services",
            country,
            "#1d4ed8",
            "billing@northwind.example",
        ),
        customers: vec![
            DemoCustomer {
                name: "Globex Manufacturing Inc.",
                contacts: &[DEMO_CUSTOMER_EMAIL, "controller@globex.example"],
                invoices: vec![
                    DemoInvoice {
                        number: "NW-1042",
                        lines: &[
                            ("Managed IT support, November", "1", "3800.00"),
                            ("Laptop setup", "3", "150.00"),
                        ],
                        issued: -10,
                        due: 20,
                        paid: None,
                        memo: Some("Thank you for your business."),
                    },
                    DemoInvoice {
                        number: "NW-1031",
                        lines: &[("Firewall licence renewal", "1", "1180.50")],
                        issued: -42,
                        due: -12,
                        paid: None,
                        memo: None,
                    },
                    DemoInvoice {
                        number: "NW-1024",
                        lines: &[("Network cabling, 2nd floor", "16", "150.00")],
                        issued: -50,
                        due: -20,
                        paid: Some("900.00"),
                        memo: None,
                    },
                    DemoInvoice {
                        number: "NW-1017",
                        lines: &[("Managed IT support, September", "1", "650.00")],
                        issued: -70,
                        due: -40,
                        paid: Some("650.00"),
                        memo: None,
                    },
                ],
            },
            DemoCustomer {
                name: "Initech LLC",
                contacts: &["ap@initech.example"],
                invoices: vec![DemoInvoice {
                    number: "NW-1045",
                    lines: &[("Server migration project, phase 1", "1", "12500.00")],
                    issued: -3,
                    due: 27,
                    paid: None,
                    memo: None,
                }],
            },
        ],
    }
}

fn maple() -> DemoBooks {
    let country = Country::Canada;
    DemoBooks {
        profile: profile(
            "maple-wholesale",
            "Maple Wholesale Supply Ltd.",
            "Maple Wholesale Supply",
            country,
            "#b91c1c",
            "ar@maplewholesale.example",
        ),
        customers: vec![
            DemoCustomer {
                name: "Globex Canada ULC",
                contacts: &[DEMO_CUSTOMER_EMAIL],
                invoices: vec![
                    DemoInvoice {
                        number: "MW-2041",
                        lines: &[("Pallets of printer paper", "25", "154.81")],
                        issued: -5,
                        due: 25,
                        paid: None,
                        memo: Some("Delivered to the Mississauga warehouse."),
                    },
                    DemoInvoice {
                        number: "MW-2030",
                        lines: &[("Janitorial supplies, quarterly", "1", "5000.00")],
                        issued: -45,
                        due: -15,
                        paid: Some("1500.00"),
                        memo: None,
                    },
                ],
            },
            DemoCustomer {
                name: "Laurentian Foods Ltd.",
                contacts: &["ap@laurentian.example"],
                invoices: vec![
                    DemoInvoice {
                        number: "MW-2038",
                        lines: &[("Food-grade gloves, cases", "30", "30.50")],
                        issued: -38,
                        due: -8,
                        paid: None,
                        memo: None,
                    },
                    DemoInvoice {
                        number: "MW-2025",
                        lines: &[("Shelving units", "4", "180.10")],
                        issued: -60,
                        due: -30,
                        paid: Some("720.40"),
                        memo: None,
                    },
                ],
            },
        ],
    }
}

fn profile(
    slug: &str,
    legal_name: &str,
    display_name: &str,
    country: Country,
    colour: &str,
    support_email: &str,
) -> NewMerchant {
    NewMerchant {
        slug: MerchantSlug::parse(slug).expect("the demo slugs are valid"),
        legal_name: legal_name.to_owned(),
        display_name: display_name.to_owned(),
        country,
        default_currency: country.home_currency(),
        accent_colour: AccentColour::parse(colour).expect("the demo colours are valid"),
        support_email: Some(support_email.to_owned()),
        logo_url: None,
        payment_methods: PaymentMethodKind::defaults_for(country),
        minimum_partial_payment_minor: merchants::DEFAULT_MINIMUM_PARTIAL_PAYMENT_MINOR,
        installments: InstallmentSettings::standard(true),
    }
}

async fn seed_books(
    db: &Database,
    merchant: MerchantId,
    books: &DemoBooks,
) -> Result<(), DemoError> {
    let currency = books.profile.default_currency;
    let country = books.profile.country;
    for demo in &books.customers {
        let (first, others) = demo
            .contacts
            .split_first()
            .expect("every demo customer has a contact");
        let customer = customers::create(
            db,
            merchant,
            &NewCustomer {
                legal_name: LegalName::parse(demo.name).expect("the demo names are valid"),
                country,
                contact: email(first),
                external_id: None,
            },
        )
        .await?;
        for other in others {
            customers::add_contact(db, merchant, customer.id, &email(other)).await?;
        }
        for invoice in &demo.invoices {
            seed_invoice(db, merchant, customer.id, currency, country, invoice).await?;
        }
    }
    for (slug, address, role) in DEMO_STAFF {
        if slug == books.profile.slug.as_str() {
            match merchant_users::add(db, merchant, &email(address), role).await {
                Ok(_) | Err(MerchantUserError::AlreadyAdded(_)) => {}
                Err(error) => return Err(error.into()),
            }
        }
    }
    Ok(())
}

async fn seed_invoice(
    db: &Database,
    merchant: MerchantId,
    customer: CustomerId,
    currency: Currency,
    country: Country,
    demo: &DemoInvoice,
) -> Result<(), DemoError> {
    let line_items: Vec<LineItem> = demo
        .lines
        .iter()
        .map(|(description, quantity, price)| {
            LineItem::new(
                LineDescription::parse(description).expect("the demo lines are valid"),
                quantity
                    .parse::<Decimal>()
                    .expect("the demo quantities are valid"),
                money(price, currency),
            )
            .expect("the demo lines are valid")
        })
        .collect();
    let total = Money::sum(line_items.iter().map(|line| line.amount), currency)
        .expect("the demo totals are small");
    let today = today();
    let created = invoices::create(
        db,
        merchant,
        &NewInvoice {
            customer,
            number: InvoiceNumber::parse(demo.number).expect("the demo numbers are valid"),
            total,
            issued_on: today + Duration::days(demo.issued),
            due_on: today + Duration::days(demo.due),
            memo: demo
                .memo
                .map(|memo| Memo::parse(memo).expect("the demo memos are valid")),
            line_items,
            external_id: None,
        },
    )
    .await?;
    let Some(paid) = demo.paid else {
        return Ok(());
    };
    let amount = money(paid, currency);
    let method = match country {
        Country::UnitedStates => PaymentMethodKind::UsAch,
        Country::Canada => PaymentMethodKind::CaPad,
    };
    let recorded = payments::record(
        db,
        merchant,
        &NewPayment {
            customer,
            method,
            amount,
            allocations: vec![NewAllocation {
                invoice: created.invoice.id,
                amount,
            }],
            idempotency_key: IdempotencyKey::parse(&format!("demo-{}", demo.number))
                .expect("the demo keys are valid"),
            processor_reference: Some(format!("demo_{}", demo.number.to_lowercase())),
            details: Default::default(),
        },
    )
    .await?;
    let id = recorded.payment().id;
    payments::set_status(db, merchant, id, PaymentStatus::Processing).await?;
    payments::set_status(db, merchant, id, PaymentStatus::Succeeded).await?;
    Ok(())
}

fn email(text: &str) -> EmailAddress {
    EmailAddress::parse(text).expect("the demo emails are valid")
}

fn money(text: &str, currency: Currency) -> Money {
    Money::parse(text, currency, AmountSyntax::Plain).expect("the demo amounts are valid")
}
