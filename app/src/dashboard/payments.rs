//! `/dashboard/payments`: every payment of the merchant, newest first, filtered by status,
//! method, reconciliation state and dates, or found by its confirmation number; a page at a
//! time by seek. A bookkeeper ticks payments and marks them reconciled (or takes the mark
//! back), and exports what the filters show as CSV.

use crate::components::{FormMessage, action_result};
use crate::dashboard::fields::{SelectField, TextField};
use crate::dashboard::frame::{
    DashboardFrame, DashboardState, Section, StaffFrame, dashboard_page,
};
use crate::dashboard::notice::DoneNotice;
use crate::dashboard::{DashboardPage, encode_query_value};
use crate::domain::payment::{PaymentMethodKind, PaymentStatus};
use crate::domain::reconciliation::Reconciliation;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The list's filters, as typed (given back as they were, refused or not).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PaymentFilters {
    pub confirmation: String,
    pub status: String,
    pub method: String,
    pub reconciliation: String,
    pub from: String,
    pub to: String,
}

impl PaymentFilters {
    /// The query string that reproduces these filters (without a page cursor).
    pub fn query(&self) -> String {
        let pairs = [
            ("confirmation", &self.confirmation),
            ("status", &self.status),
            ("method", &self.method),
            ("reconciliation", &self.reconciliation),
            ("from", &self.from),
            ("to", &self.to),
        ];
        pairs
            .iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(name, value)| format!("{name}={}", encode_query_value(value)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentRow {
    pub id: String,
    pub date: String,
    pub customer: String,
    pub method: String,
    pub amount: String,
    pub status: PaymentStatus,
    pub reconciliation: Reconciliation,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentsView {
    pub frame: StaffFrame,
    pub filters: PaymentFilters,
    /// A filter that was refused: (field, message).
    pub refused: Option<(String, String)>,
    pub rows: Vec<PaymentRow>,
    /// The address of the next page, if there is one.
    pub next_page: Option<String>,
    pub may_change: bool,
}

#[server(endpoint = "dashboard/page/payments")]
#[allow(clippy::too_many_arguments)]
pub async fn payments_page(
    #[server(default)] confirmation: Option<String>,
    #[server(default)] status: Option<String>,
    #[server(default)] method: Option<String>,
    #[server(default)] reconciliation: Option<String>,
    #[server(default)] from: Option<String>,
    #[server(default)] to: Option<String>,
    #[server(default)] after: Option<String>,
) -> Result<DashboardState<PaymentsView>, AppError> {
    use crate::dashboard::guard;
    use crate::domain::ids::PaymentId;
    use crate::error::unexpected;
    use crate::services::page::{Cursor, Page, PageRequest};
    use crate::services::payments::{self, PaymentError};

    let staff = match guard::enter().await? {
        Ok(staff) => staff,
        Err(path) => return Ok(DashboardState::Redirect(path)),
    };
    let filters = PaymentFilters {
        confirmation: confirmation.unwrap_or_default().trim().to_owned(),
        status: status.unwrap_or_default(),
        method: method.unwrap_or_default(),
        reconciliation: reconciliation.unwrap_or_default(),
        from: from.unwrap_or_default(),
        to: to.unwrap_or_default(),
    };
    let mut view = PaymentsView {
        frame: staff.frame(),
        filters: filters.clone(),
        refused: None,
        rows: Vec::new(),
        next_page: None,
        may_change: staff.user.role.may_change(),
    };
    let found = if filters.confirmation.is_empty() {
        let filter = match parse_filter(&filters) {
            Ok(filter) => filter,
            Err(refused) => {
                view.refused = Some(refused);
                return Ok(DashboardState::show(view));
            }
        };
        let page = PageRequest {
            limit: PageRequest::DEFAULT_LIMIT,
            after: after.as_deref().and_then(|text| Cursor::decode(text).ok()),
        };
        payments::list(&staff.db, staff.merchant_id(), &filter, &page)
            .await
            .map_err(|error| unexpected("listing a merchant's payments", &error))?
    } else {
        let Ok(id) = PaymentId::parse(&filters.confirmation) else {
            view.refused = Some((
                "confirmation".to_owned(),
                "A confirmation number has 32 letters and digits in groups, like 0b6f5c1e-8d8a-4f0e-9a55-3f0c2b7d9e11: copy it from the receipt.".to_owned(),
            ));
            return Ok(DashboardState::show(view));
        };
        match payments::get(&staff.db, staff.merchant_id(), id).await {
            Ok(payment) => Page {
                items: vec![payment],
                next: None,
            },
            Err(PaymentError::NotFound) => {
                view.refused = Some((
                    "confirmation".to_owned(),
                    "No payment of yours has this confirmation number.".to_owned(),
                ));
                return Ok(DashboardState::show(view));
            }
            Err(error) => return Err(unexpected("finding a payment", &error)),
        }
    };
    let customers: Vec<_> = found.items.iter().map(|payment| payment.customer).collect();
    let names = crate::services::customers::names_of(&staff.db, staff.merchant_id(), &customers)
        .await
        .map_err(|error| unexpected("naming a page's customers", &error))?;
    view.rows = found
        .items
        .into_iter()
        .map(|payment| PaymentRow {
            id: payment.id.to_string(),
            date: payment.created_at.chars().take(10).collect(),
            customer: names.get(&payment.customer).cloned().unwrap_or_default(),
            method: payment.instrument_label.clone().unwrap_or_else(|| {
                crate::domain::checkout::method_label(payment.method).to_owned()
            }),
            amount: payment.amount.to_string(),
            status: payment.status,
            reconciliation: payment.reconciliation,
        })
        .collect();
    view.next_page = found.next.map(|cursor| {
        let query = filters.query();
        let separator = if query.is_empty() { "" } else { "&" };
        format!(
            "{}?{query}{separator}after={}",
            DashboardPage::Payments.path(),
            cursor.encode()
        )
    });
    Ok(DashboardState::show(view))
}

/// The list filters as the service takes them, or the first one refused.
#[cfg(feature = "ssr")]
pub fn parse_filter(
    filters: &PaymentFilters,
) -> Result<crate::services::payments::PaymentFilter, (String, String)> {
    let refuse = |field: &str, message: &str| (field.to_owned(), message.to_owned());
    let date = |text: &str, field: &str| -> Result<Option<time::Date>, (String, String)> {
        if text.is_empty() {
            return Ok(None);
        }
        time::Date::parse(
            text,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .map(Some)
        .map_err(|_| refuse(field, "Enter a date as YYYY-MM-DD, for example 2026-12-01."))
    };
    let from = date(&filters.from, "from")?;
    let to = date(&filters.to, "to")?;
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        return Err(refuse("to", "The end date is before the start date."));
    }
    Ok(crate::services::payments::PaymentFilter {
        customer: None,
        status: (!filters.status.is_empty())
            .then(|| PaymentStatus::parse(&filters.status))
            .transpose()
            .map_err(|error| refuse("status", &error.to_string()))?,
        method: (!filters.method.is_empty())
            .then(|| PaymentMethodKind::parse(&filters.method))
            .transpose()
            .map_err(|error| refuse("method", &error.to_string()))?,
        reconciliation: (!filters.reconciliation.is_empty())
            .then(|| Reconciliation::parse(&filters.reconciliation))
            .transpose()
            .map_err(|error| refuse("reconciliation", &error.to_string()))?,
        from,
        to,
        newest_first: true,
    })
}

/// Marks the ticked payments (`payment[]`) reconciled or unreconciled (`mark`), then returns
/// to the list with the filters it showed (carried as hidden fields).
#[server(endpoint = "dashboard/reconcile")]
pub async fn mark_payments(
    #[server(default)] payment: Vec<String>,
    mark: String,
    #[server(default)] filters: PaymentFilters,
) -> Result<(), AppError> {
    use crate::dashboard::guard;
    use crate::domain::ids::PaymentId;
    use crate::services::reconciliation::{self as reconcile, Mark};

    let staff = guard::require_admin().await?;
    let mark = match mark.as_str() {
        "reconciled" => Mark::Reconciled,
        "unreconciled" => Mark::Unreconciled,
        _ => {
            return Err(AppError::Invalid {
                field: "mark".to_owned(),
                message: "Choose Mark reconciled or Mark unreconciled.".to_owned(),
            });
        }
    };
    if payment.is_empty() {
        return Err(AppError::Invalid {
            field: "payment".to_owned(),
            message: "Tick at least one payment first.".to_owned(),
        });
    }
    let ids = payment
        .iter()
        .map(|id| PaymentId::parse(id))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| AppError::NotFound("There is no such payment.".to_owned()))?;
    let by = staff.user.email.to_string();
    let changed = reconcile::mark(&staff.db, staff.merchant_id(), &ids, mark, &by)
        .await
        .map_err(|error| refused_mark(error, "payment", "A ticked payment"))?;
    let query = filters.query();
    let separator = if query.is_empty() { "" } else { "&" };
    leptos_axum::redirect(&format!(
        "{}?{query}{separator}marked={changed}",
        DashboardPage::Payments.path()
    ));
    Ok(())
}

/// Why marking `subject` ("This payment", "A ticked payment") was refused, said beside the
/// form's `field`; the payment page and the list's selection say it alike.
#[cfg(feature = "ssr")]
pub(crate) fn refused_mark(
    error: crate::services::reconciliation::ReconcileError,
    field: &str,
    subject: &str,
) -> AppError {
    use crate::services::reconciliation::{MAX_SELECTION, ReconcileError};
    let invalid = |message: String| AppError::Invalid {
        field: field.to_owned(),
        message,
    };
    match error {
        ReconcileError::NotFound => AppError::NotFound("There is no such payment.".to_owned()),
        ReconcileError::Automatic(state) => invalid(format!(
            "{subject} is {}: the accounting connection keeps its state.",
            state.label().to_lowercase()
        )),
        ReconcileError::NotSettled(status) => invalid(format!(
            "{subject} is {}: only succeeded and refunded payments can be marked reconciled.",
            status.label().to_lowercase()
        )),
        ReconcileError::TooMany => {
            invalid(format!("Tick at most {MAX_SELECTION} payments at a time."))
        }
        error @ ReconcileError::Storage(_) => crate::error::unexpected("marking payments", &error),
    }
}

#[component]
pub fn DashboardPaymentsPage() -> impl IntoView {
    let mark = ServerAction::<MarkPayments>::new();
    let query = leptos_router::hooks::use_query_map()
        .read_untracked()
        .clone();
    let arg = |name: &str| query.get(name);
    let marked = arg("marked");
    let load = payments_page(
        arg("confirmation"),
        arg("status"),
        arg("method"),
        arg("reconciliation"),
        arg("from"),
        arg("to"),
        arg("after"),
    );
    dashboard_page(load, move |view| {
        view! { <PaymentsList view mark marked /> }.into_any()
    })
}

#[component]
fn PaymentsList(
    view: PaymentsView,
    mark: ServerAction<MarkPayments>,
    marked: Option<String>,
) -> impl IntoView {
    let result = action_result(mark);
    let refused = view.refused.clone();
    let error_of = move |field: &str| {
        refused
            .as_ref()
            .filter(|(refused, _)| refused == field)
            .map(|(_, message)| message.clone())
    };
    let filters = view.filters.clone();
    let kept = [
        ("confirmation", filters.confirmation.clone()),
        ("status", filters.status.clone()),
        ("method", filters.method.clone()),
        ("reconciliation", filters.reconciliation.clone()),
        ("from", filters.from.clone()),
        ("to", filters.to.clone()),
    ];
    let marked = marked
        .filter(|_| result.get_untracked().is_none())
        .map(|count| match count.as_str() {
            "1" => "1 payment changed.".to_owned(),
            count => format!("{count} payments changed."),
        });
    let empty = view.rows.is_empty();
    let may_change = view.may_change;
    // The export takes the list's filters; a confirmation search shows one payment, and
    // exporting "everything" from there would surprise, so the link is left out.
    let export = filters
        .confirmation
        .is_empty()
        .then(|| format!("/dashboard/payments.csv?{}", filters.query()));
    view! {
        <DashboardFrame frame=view.frame section=Section::Payments title="Payments".to_owned()>
            <p class="dashboard__quick">
                <a href=format!("{}?reconciliation=unreconciled", DashboardPage::Payments.path())>
                    "Not yet reconciled"
                </a>
                <a href=DashboardPage::Payments.path()>"All payments"</a>
                {export.map(|href| view! { <a href=href>"Export CSV"</a> })}
            </p>
            <form method="get" action=DashboardPage::Payments.path() class="filters" role="search">
                <TextField
                    id="confirmation"
                    label="Confirmation number"
                    value=filters.confirmation.clone()
                    error=error_of("confirmation")
                />
                <SelectField
                    id="status"
                    label="Status"
                    value=filters.status.clone()
                    options=PaymentStatus::ALL.iter().map(|status| (status.code(), status.label())).collect()
                    error=error_of("status")
                />
                <SelectField
                    id="method"
                    label="Method"
                    value=filters.method.clone()
                    options=PaymentMethodKind::ALL
                        .iter()
                        .map(|method| (method.code(), crate::domain::checkout::method_label(*method)))
                        .collect()
                    error=error_of("method")
                />
                <SelectField
                    id="reconciliation"
                    label="Reconciliation"
                    value=filters.reconciliation.clone()
                    options=Reconciliation::ALL.iter().map(|state| (state.code(), state.label())).collect()
                    error=error_of("reconciliation")
                />
                <TextField id="from" label="From" kind="date" value=filters.from.clone() error=error_of("from") />
                <TextField id="to" label="To" kind="date" value=filters.to.clone() error=error_of("to") />
                <button type="submit" class="button button--secondary">"Show payments"</button>
            </form>
            <DoneNotice message=marked />
            <ActionForm action=mark attr:class="selection">
                {kept
                    .into_iter()
                    .map(|(name, value)| {
                        view! { <input type="hidden" name=format!("filters[{name}]") value=value /> }
                    })
                    .collect_view()}
                <FormMessage result />
                <p class="field__error" role="alert">
                    {move || match result.get() {
                        Some(Err(error)) => ["payment", "mark"]
                            .into_iter()
                            .find_map(|field| error.message_for(field)),
                        _ => None,
                    }}
                </p>
                {if empty {
                    view! { <p class="muted">"No payments match these filters."</p> }.into_any()
                } else {
                    view! { <PaymentsTable rows=view.rows may_change /> }.into_any()
                }}
                {(may_change && !empty)
                    .then(|| {
                        view! {
                            <div class="selection__actions">
                                <button type="submit" class="button" name="mark" value="reconciled">
                                    "Mark reconciled"
                                </button>
                                <button type="submit" class="button button--secondary" name="mark" value="unreconciled">
                                    "Mark unreconciled"
                                </button>
                            </div>
                        }
                    })}
            </ActionForm>
            {view
                .next_page
                .map(|next| view! { <nav class="pager" aria-label="Pages"><a href=next>"Older payments →"</a></nav> })}
        </DashboardFrame>
    }
}

#[component]
fn PaymentsTable(rows: Vec<PaymentRow>, may_change: bool) -> impl IntoView {
    view! {
        <div class="invoices-frame">
            <table class="invoices payments">
                <caption class="visually-hidden">"Payments, newest first"</caption>
                <thead>
                    <tr>
                        {may_change.then(|| view! { <th scope="col"><span class="visually-hidden">"Select"</span></th> })}
                        <th scope="col">"Confirmation number"</th>
                        <th scope="col">"Date"</th>
                        <th scope="col">"Customer"</th>
                        <th scope="col">"Method"</th>
                        <th scope="col" class="amount">"Amount"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Reconciliation"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|row| {
                            let box_id = format!("select-{}", row.id);
                            let href = format!("{}/{}", DashboardPage::Payments.path(), row.id);
                            view! {
                                <tr>
                                    {may_change
                                        .then(|| {
                                            view! {
                                                <td data-label="Select">
                                                    <input
                                                        type="checkbox"
                                                        name="payment[]"
                                                        value=row.id.clone()
                                                        id=box_id.clone()
                                                        disabled=!row.reconciliation.is_manual()
                                                    />
                                                    <label for=box_id class="visually-hidden">
                                                        {format!("Select payment {}", row.id)}
                                                    </label>
                                                </td>
                                            }
                                        })}
                                    <th scope="row" data-label="Confirmation number">
                                        <a class="confirmation" href=href>{row.id.clone()}</a>
                                    </th>
                                    <td data-label="Date">{row.date}</td>
                                    <td data-label="Customer">{row.customer}</td>
                                    <td data-label="Method">{row.method}</td>
                                    <td data-label="Amount" class="amount">{row.amount}</td>
                                    <td data-label="Status">{row.status.label()}</td>
                                    <td data-label="Reconciliation">{row.reconciliation.label()}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
