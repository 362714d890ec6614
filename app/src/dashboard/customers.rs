//! `/dashboard/customers`: the access requests waiting for an answer, each with **Approve**
//! (the address becomes a contact of the customer it named, of one the admin finds, or of a new
//! customer made from what the requester said) and **Refuse**; then every customer, found by
//! the start of its name, a page at a time by seek.

use crate::components::{FormMessage, action_result};
use crate::dashboard::DashboardPage;
use crate::dashboard::frame::{
    DashboardFrame, DashboardState, Section, StaffFrame, dashboard_page,
};
use crate::dashboard::notice::DoneNotice;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The value of the **Approve** choice that makes a new customer.
const NEW_CUSTOMER: &str = "new";

/// How many pending requests one page shows (oldest first; answering them shows the next).
#[cfg(feature = "ssr")]
const REQUESTS_SHOWN: i64 = 20;

/// How many customers one request suggests as the one it may belong to.
#[cfg(feature = "ssr")]
const CANDIDATES: u32 = 5;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestView {
    pub id: String,
    pub email: String,
    pub business_name: String,
    pub contact_name: String,
    pub phone: String,
    pub address: String,
    pub requested_at: String,
    /// The customers it may belong to: (id, legal name, contacts).
    pub candidates: Vec<(String, String, String)>,
    /// The first candidate's name starts with the whole name asked for, so it is picked
    /// unless the admin picks another; otherwise a new customer is.
    pub named: bool,
    /// What the admin searched for this request, given back.
    pub find: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerRow {
    pub id: String,
    pub name: String,
    pub country: String,
    pub contacts: String,
    pub since: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomersView {
    pub frame: StaffFrame,
    pub requests: Vec<RequestView>,
    /// More requests are waiting than are shown.
    pub more_requests: bool,
    pub search: String,
    pub rows: Vec<CustomerRow>,
    pub next_page: Option<String>,
    pub may_change: bool,
}

#[server(endpoint = "dashboard/page/customers")]
pub async fn customers_page(
    #[server(default)] q: Option<String>,
    #[server(default)] after: Option<String>,
    #[server(default)] request: Option<String>,
    #[server(default)] find: Option<String>,
) -> Result<DashboardState<CustomersView>, AppError> {
    use crate::dashboard::guard;
    use crate::error::unexpected;
    use crate::services::access_requests;
    use crate::services::customers::{self, Customer};
    use crate::services::page::{Cursor, PageRequest};

    let staff = match guard::enter().await? {
        Ok(staff) => staff,
        Err(path) => return Ok(DashboardState::Redirect(path)),
    };
    let merchant = staff.merchant_id();
    let contacts_of = |customer: &Customer| {
        customer
            .contacts
            .iter()
            .map(|contact| contact.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let pending = access_requests::pending(&staff.db, merchant, REQUESTS_SHOWN + 1)
        .await
        .map_err(|error| unexpected("listing access requests", &error))?;
    let more_requests = pending.len() as i64 > REQUESTS_SHOWN;
    let find = find.unwrap_or_default().trim().to_owned();
    let mut requests = Vec::with_capacity(pending.len());
    for pending in pending.into_iter().take(REQUESTS_SHOWN as usize) {
        let searched = request.as_deref() == Some(pending.id.as_str()) && !find.is_empty();
        let name = if searched {
            find.as_str()
        } else {
            pending.business_name.as_str()
        };
        let page = PageRequest {
            limit: CANDIDATES,
            after: None,
        };
        let mut candidates = customers::search_by_name(&staff.db, merchant, name, &page)
            .await
            .map_err(|error| unexpected("suggesting a request's customer", &error))?;
        // "Globex West LLC" may be filed as "Globex Manufacturing Inc.": failing the whole
        // name, the customers whose name starts with its first word.
        let named = !candidates.items.is_empty();
        let first_word = name.split_whitespace().next().unwrap_or_default();
        if !named && !searched && first_word.chars().count() >= 3 {
            candidates = customers::search_by_name(&staff.db, merchant, first_word, &page)
                .await
                .map_err(|error| unexpected("suggesting a request's customer", &error))?;
        }
        requests.push(RequestView {
            address: [
                pending.address_line1.as_str(),
                pending.city.as_str(),
                pending.region.as_str(),
                pending.postal_code.as_str(),
                pending.country.as_str(),
            ]
            .join(", "),
            candidates: candidates
                .items
                .iter()
                .map(|customer| {
                    (
                        customer.id.to_string(),
                        customer.legal_name.to_string(),
                        contacts_of(customer),
                    )
                })
                .collect(),
            named,
            find: if searched {
                find.clone()
            } else {
                String::new()
            },
            id: pending.id,
            email: pending.email,
            business_name: pending.business_name,
            contact_name: pending.contact_name,
            phone: pending.phone,
            requested_at: pending.created_at.chars().take(10).collect(),
        });
    }

    let search = q.unwrap_or_default().trim().to_owned();
    let page = PageRequest {
        limit: PageRequest::DEFAULT_LIMIT,
        after: after.as_deref().and_then(|text| Cursor::decode(text).ok()),
    };
    let found = if search.is_empty() {
        customers::list(&staff.db, merchant, &page).await
    } else {
        customers::search_by_name(&staff.db, merchant, &search, &page).await
    }
    .map_err(|error| unexpected("listing customers", &error))?;
    let next_page = found.next.map(|cursor| {
        let query = if search.is_empty() {
            String::new()
        } else {
            format!("q={}&", crate::dashboard::encode_query_value(&search))
        };
        format!(
            "{}?{query}after={}",
            DashboardPage::Customers.path(),
            cursor.encode()
        )
    });
    Ok(DashboardState::show(CustomersView {
        frame: staff.frame(),
        requests,
        more_requests,
        rows: found
            .items
            .iter()
            .map(|customer| CustomerRow {
                id: customer.id.to_string(),
                name: customer.legal_name.to_string(),
                country: customer.country.code().to_owned(),
                contacts: contacts_of(customer),
                since: customer.created_at.chars().take(10).collect(),
            })
            .collect(),
        search,
        next_page,
        may_change: staff.user.role.may_change(),
    }))
}

/// Approves request `request_id`: its address becomes a contact of customer `into` (an id of
/// this merchant's) or of a new customer (`new`), and the requester is emailed.
#[server(endpoint = "dashboard/approve")]
pub async fn approve_request(request_id: String, into: String) -> Result<(), AppError> {
    use crate::dashboard::guard;
    use crate::domain::ids::{AccessRequestId, CustomerId};
    use crate::domain::public_url::PublicUrl;
    use crate::services::access_requests::{self, ApproveInto};
    use crate::services::from_context;

    let staff = guard::require_admin().await?;
    let id = AccessRequestId::parse(&request_id).map_err(|_| no_such_request())?;
    let into = if into == NEW_CUSTOMER {
        ApproveInto::NewCustomer
    } else {
        let customer = CustomerId::parse(&into).map_err(|_| no_such_customer())?;
        ApproveInto::Existing(customer)
    };
    let public_url: PublicUrl = from_context()?;
    let billing_link = public_url.billing_link(&staff.merchant.slug);
    let decided_by = staff.user.email.to_string();
    access_requests::approve(
        &staff.db,
        staff.merchant_id(),
        &staff.merchant,
        id,
        into,
        &decided_by,
        &billing_link,
    )
    .await
    .map_err(decision_refused)?;
    leptos_axum::redirect(&format!(
        "{}?decided=approved",
        DashboardPage::Customers.path()
    ));
    Ok(())
}

/// Refuses request `request_id`.
#[server(endpoint = "dashboard/refuse")]
pub async fn refuse_request(request_id: String) -> Result<(), AppError> {
    use crate::dashboard::guard;
    use crate::domain::ids::AccessRequestId;
    use crate::services::access_requests;

    let staff = guard::require_admin().await?;
    let id = AccessRequestId::parse(&request_id).map_err(|_| no_such_request())?;
    let decided_by = staff.user.email.to_string();
    access_requests::refuse(&staff.db, staff.merchant_id(), id, &decided_by)
        .await
        .map_err(decision_refused)?;
    leptos_axum::redirect(&format!(
        "{}?decided=refused",
        DashboardPage::Customers.path()
    ));
    Ok(())
}

#[cfg(feature = "ssr")]
fn no_such_request() -> AppError {
    AppError::NotFound("There is no such access request.".to_owned())
}

#[cfg(feature = "ssr")]
fn no_such_customer() -> AppError {
    AppError::NotFound("There is no such customer.".to_owned())
}

#[cfg(feature = "ssr")]
fn decision_refused(error: crate::services::access_requests::AccessRequestError) -> AppError {
    use crate::services::access_requests::AccessRequestError;
    match error {
        AccessRequestError::NotFound => no_such_request(),
        AccessRequestError::NoSuchCustomer => no_such_customer(),
        AccessRequestError::AlreadyDecided(status) => AppError::Invalid {
            field: "request".to_owned(),
            message: format!(
                "This request was already {}: the first answer stands.",
                if status == "declined" {
                    "refused"
                } else {
                    status.as_str()
                }
            ),
        },
        error => crate::error::unexpected("deciding an access request", &error),
    }
}

#[component]
pub fn DashboardCustomersPage() -> impl IntoView {
    let approve = ServerAction::<ApproveRequest>::new();
    let refuse = ServerAction::<RefuseRequest>::new();
    let query = leptos_router::hooks::use_query_map()
        .read_untracked()
        .clone();
    let decided = query.get("decided");
    let load = customers_page(
        query.get("q"),
        query.get("after"),
        query.get("request"),
        query.get("find"),
    );
    dashboard_page(load, move |view| {
        view! { <CustomersList view approve refuse decided /> }.into_any()
    })
}

#[component]
fn CustomersList(
    view: CustomersView,
    approve: ServerAction<ApproveRequest>,
    refuse: ServerAction<RefuseRequest>,
    decided: Option<String>,
) -> impl IntoView {
    let approved = action_result(approve);
    let refused = action_result(refuse);
    let decision_error = move || {
        [approved.get(), refused.get()]
            .into_iter()
            .find_map(|result| match result {
                Some(Err(error)) => error.message_for("request"),
                _ => None,
            })
    };
    let notice = decided
        .filter(|_| approved.get_untracked().is_none() && refused.get_untracked().is_none())
        .and_then(|decided| match decided.as_str() {
            "approved" => {
                Some("Approved. The requester was emailed that they can now sign in and pay.")
            }
            "refused" => Some("Refused. The requester was not emailed."),
            _ => None,
        });
    let may_change = view.may_change;
    let more = view.more_requests.then(|| {
        view! { <p class="muted">"More requests are waiting: answer these to see them."</p> }
    });
    let requests = if view.requests.is_empty() {
        view! { <p class="muted">"No one is waiting for access."</p> }.into_any()
    } else {
        view.requests
            .into_iter()
            .map(|request| view! { <AccessRequestCard request may_change approve refuse /> })
            .collect_view()
            .into_any()
    };
    let search = view.search.clone();
    view! {
        <DashboardFrame frame=view.frame section=Section::Customers title="Customers".to_owned()>
            <section aria-labelledby="requests-heading">
                <h2 id="requests-heading">"Access requests"</h2>
                <DoneNotice message=notice.map(str::to_owned) />
                <FormMessage result=approved />
                <FormMessage result=refused />
                <p class="field__error" role="alert">{decision_error}</p>
                {requests}
                {more}
            </section>
            <section aria-labelledby="customers-heading">
                <h2 id="customers-heading">"All customers"</h2>
                <form method="get" action=DashboardPage::Customers.path() class="filters" role="search" aria-label="Customers">
                    <div class="field">
                        <label for="q">"Name starts with"</label>
                        <input id="q" name="q" type="search" value=search autocomplete="off" />
                    </div>
                    <button type="submit" class="button button--secondary">"Find customers"</button>
                </form>
                {if view.rows.is_empty() {
                    view! { <p class="muted">"No customers match."</p> }.into_any()
                } else {
                    view! { <CustomersTable rows=view.rows /> }.into_any()
                }}
                {view
                    .next_page
                    .map(|next| view! { <nav class="pager" aria-label="Pages"><a href=next>"More customers →"</a></nav> })}
            </section>
        </DashboardFrame>
    }
}

/// One waiting request: what the requester said, and (for an admin) the two answers.
#[component]
fn AccessRequestCard(
    request: RequestView,
    may_change: bool,
    approve: ServerAction<ApproveRequest>,
    refuse: ServerAction<RefuseRequest>,
) -> impl IntoView {
    let heading_id = format!("request-{}", request.id);
    let labelled_by = heading_id.clone();
    let answers = may_change.then(|| {
        let approve_id = request.id.clone();
        let find_request_id = request.id.clone();
        let refuse_id = request.id.clone();
        let legend = format!("Add {} as a contact of", request.email);
        let new_label = format!("A new customer: {}", request.business_name);
        let find = request.find.clone();
        let find_label = format!("Another customer for {}", request.email);
        let named = request.named;
        let choices = request
            .candidates
            .iter()
            .enumerate()
            .map(|(index, (id, name, contacts))| {
                let choice_id = format!("into-{}-{index}", request.id);
                view! {
                    <div class="choice">
                        <input type="radio" name="into" id=choice_id.clone() value=id.clone() checked=named && index == 0 />
                        <label for=choice_id>
                            {name.clone()}
                            <span class="muted">{format!(" ({contacts})")}</span>
                        </label>
                    </div>
                }
            })
            .collect_view();
        let new_id = format!("into-{}-new", request.id);
        let find_id = format!("find-{}", request.id);
        view! {
            <ActionForm action=approve attr:class="form">
                <input type="hidden" name="request_id" value=approve_id />
                <fieldset class="choices">
                    <legend>{legend}</legend>
                    {choices}
                    <div class="choice">
                        <input type="radio" name="into" id=new_id.clone() value=NEW_CUSTOMER checked=!named />
                        <label for=new_id>{new_label}</label>
                    </div>
                </fieldset>
                <div class="form__actions">
                    <button type="submit" class="button">"Approve"</button>
                </div>
            </ActionForm>
            <form method="get" action=DashboardPage::Customers.path() class="filters" role="search" aria-label=find_label>
                <input type="hidden" name="request" value=find_request_id />
                <div class="field">
                    <label for=find_id.clone()>"Another customer, by name"</label>
                    <input id=find_id name="find" type="search" value=find autocomplete="off" />
                </div>
                <button type="submit" class="button button--secondary">"Find"</button>
            </form>
            <ActionForm action=refuse attr:class="form form--inline">
                <input type="hidden" name="request_id" value=refuse_id />
                <button type="submit" class="button button--secondary">"Refuse"</button>
            </ActionForm>
        }
    });
    view! {
        <article class="request card" aria-labelledby=labelled_by>
            <h3 id=heading_id>{request.email.clone()}</h3>
            <dl class="facts">
                <dt>"Business"</dt>
                <dd>{request.business_name.clone()}</dd>
                <dt>"Contact"</dt>
                <dd>{request.contact_name.clone()}</dd>
                <dt>"Phone"</dt>
                <dd>{request.phone.clone()}</dd>
                <dt>"Address"</dt>
                <dd>{request.address.clone()}</dd>
                <dt>"Asked on"</dt>
                <dd>{request.requested_at.clone()}</dd>
            </dl>
            {answers}
        </article>
    }
}

#[component]
fn CustomersTable(rows: Vec<CustomerRow>) -> impl IntoView {
    view! {
        <div class="invoices-frame">
            <table class="invoices">
                <caption class="visually-hidden">"Customers, oldest first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Country"</th>
                        <th scope="col">"Contacts"</th>
                        <th scope="col">"Customer since"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|row| {
                            let href = format!("{}/{}", DashboardPage::Customers.path(), row.id);
                            view! {
                                <tr>
                                    <th scope="row" data-label="Name">
                                        <a href=href>{row.name}</a>
                                    </th>
                                    <td data-label="Country">{row.country}</td>
                                    <td data-label="Contacts">{row.contacts}</td>
                                    <td data-label="Customer since">{row.since}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
