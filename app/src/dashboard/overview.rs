//! `/dashboard/overview`, the first page after sign-in: per currency what customers owe, how
//! much of it is overdue, what is on its way and what came in this month; then what needs
//! someone: payments not yet in the books, and recent failed and returned payments.

use crate::dashboard::DashboardPage;
use crate::dashboard::frame::{
    DashboardFrame, DashboardState, Section, StaffFrame, dashboard_page,
};
use crate::domain::payment::PaymentStatus;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FiguresView {
    pub currency: String,
    pub outstanding: String,
    pub overdue: String,
    pub processing: String,
    pub collected_this_month: String,
    /// What refunds gave back this month, when they gave anything.
    pub refunded_this_month: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttentionRow {
    pub id: String,
    pub date: String,
    pub customer: String,
    pub amount: String,
    pub status: PaymentStatus,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverviewView {
    pub frame: StaffFrame,
    pub month: String,
    pub figures: Vec<FiguresView>,
    pub unreconciled: i64,
    pub accounting_failed: i64,
    pub attention: Vec<AttentionRow>,
    pub attention_days: i64,
    pub waiting_refunds: Vec<WaitingRefundRow>,
    pub more_waiting_refunds: bool,
}

/// A refund the processor has not answered: its money is held until it does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaitingRefundRow {
    pub payment_id: String,
    pub asked: String,
    pub amount: String,
    pub requested_by: String,
}

#[server(endpoint = "dashboard/page/overview")]
pub async fn overview_page() -> Result<DashboardState<OverviewView>, AppError> {
    use crate::dashboard::guard;
    use crate::error::unexpected;
    use crate::services::clock::today;
    use crate::services::{customers, overview};

    let staff = match guard::enter().await? {
        Ok(staff) => staff,
        Err(path) => return Ok(DashboardState::Redirect(path)),
    };
    let merchant = staff.merchant_id();
    let today = today();
    let found = overview::of(&staff.db, merchant, today)
        .await
        .map_err(|error| unexpected("reading the overview", &error))?;
    let payments: Vec<_> = found.failed.iter().chain(&found.returned).collect();
    let ids: Vec<_> = payments.iter().map(|payment| payment.customer).collect();
    let names = customers::names_of(&staff.db, merchant, &ids)
        .await
        .map_err(|error| unexpected("naming the overview's customers", &error))?;
    let attention = payments
        .into_iter()
        .map(|payment| AttentionRow {
            id: payment.id.to_string(),
            date: payment.updated_at.chars().take(10).collect(),
            customer: names.get(&payment.customer).cloned().unwrap_or_default(),
            amount: payment.amount.to_string(),
            status: payment.status,
            reason: match (&payment.return_code, &payment.failure_reason) {
                (Some(code), Some(reason)) => format!("{code}: {reason}"),
                (Some(text), None) | (None, Some(text)) => text.clone(),
                (None, None) => String::new(),
            },
        })
        .collect();
    Ok(DashboardState::show(OverviewView {
        frame: staff.frame(),
        month: format!("{} {}", today.month(), today.year()),
        figures: found
            .figures
            .iter()
            .map(|figures| FiguresView {
                currency: figures.currency.code().to_owned(),
                outstanding: figures.outstanding.to_string(),
                overdue: figures.overdue.to_string(),
                processing: figures.processing.to_string(),
                collected_this_month: figures.collected_this_month.to_string(),
                refunded_this_month: (!figures.refunded_this_month.is_zero())
                    .then(|| figures.refunded_this_month.to_string()),
            })
            .collect(),
        unreconciled: found.unreconciled,
        accounting_failed: found.accounting_failed,
        attention,
        attention_days: overview::ATTENTION_DAYS,
        waiting_refunds: found
            .waiting_refunds
            .into_iter()
            .map(|refund| WaitingRefundRow {
                payment_id: refund.payment.to_string(),
                asked: crate::dashboard::minute_of(&refund.created_at),
                amount: refund.amount.to_string(),
                requested_by: refund.requested_by,
            })
            .collect(),
        more_waiting_refunds: found.more_waiting_refunds,
    }))
}

#[component]
pub fn DashboardOverviewPage() -> impl IntoView {
    dashboard_page(overview_page(), |view| {
        view! { <Overview view /> }.into_any()
    })
}

#[component]
fn Overview(view: OverviewView) -> impl IntoView {
    let figures = if view.figures.is_empty() {
        view! { <p class="muted">"No invoices or payments yet."</p> }.into_any()
    } else {
        view! {
            <div class="overview">
                {view
                    .figures
                    .into_iter()
                    .map(|figures| {
                        let heading_id = format!("figures-{}", figures.currency);
                        let labelled_by = heading_id.clone();
                        view! {
                            <section class="overview__currency" aria-labelledby=labelled_by>
                                <h2 id=heading_id>{figures.currency}</h2>
                                <dl class="facts">
                                    <dt>"Outstanding"</dt>
                                    <dd class="amount">{figures.outstanding}</dd>
                                    <dt>"Of which overdue"</dt>
                                    <dd class="amount">{figures.overdue}</dd>
                                    <dt>"Processing"</dt>
                                    <dd class="amount">{figures.processing}</dd>
                                    <dt>{format!("Collected in {}", view.month)}</dt>
                                    <dd class="amount">{figures.collected_this_month}</dd>
                                    {figures.refunded_this_month.map(|refunded| {
                                        view! {
                                            <dt>{format!("Refunded in {}", view.month)}</dt>
                                            <dd class="amount">{refunded}</dd>
                                        }
                                    })}
                                </dl>
                            </section>
                        }
                    })
                    .collect_view()}
            </div>
        }
        .into_any()
    };
    let unreconciled_link = format!(
        "{}?reconciliation=unreconciled&status=succeeded",
        DashboardPage::Payments.path()
    );
    let unreconciled = match view.unreconciled {
        0 => view! { <p>"Every succeeded payment is reconciled."</p> }.into_any(),
        count => view! {
            <p>
                <a href=unreconciled_link>
                    {if count == 1 {
                        "1 succeeded payment is not yet reconciled".to_owned()
                    } else {
                        format!("{count} succeeded payments are not yet reconciled")
                    }}
                </a>
            </p>
        }
        .into_any(),
    };
    let accounting_failed = (view.accounting_failed > 0).then(|| {
        let link = format!("{}?reconciliation=failed", DashboardPage::Payments.path());
        let count = view.accounting_failed;
        view! {
            <p>
                <a href=link>
                    {if count == 1 {
                        "1 payment was refused by the accounting software: open it to see why, and Retry".to_owned()
                    } else {
                        format!("{count} payments were refused by the accounting software: open each to see why, and Retry")
                    }}
                </a>
            </p>
        }
    });
    let attention = if view.attention.is_empty() {
        view! {
            <p class="muted">
                {format!("No payment failed or came back in the last {} days.", view.attention_days)}
            </p>
        }
        .into_any()
    } else {
        view! {
            <div class="invoices-frame">
                <table class="invoices">
                    <caption class="visually-hidden">
                        {format!("Failed and returned payments of the last {} days", view.attention_days)}
                    </caption>
                    <thead>
                        <tr>
                            <th scope="col">"Confirmation number"</th>
                            <th scope="col">"Changed"</th>
                            <th scope="col">"Customer"</th>
                            <th scope="col" class="amount">"Amount"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Reason"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {view
                            .attention
                            .into_iter()
                            .map(|row| {
                                let href = format!("{}/{}", DashboardPage::Payments.path(), row.id);
                                view! {
                                    <tr>
                                        <th scope="row" data-label="Confirmation number">
                                            <a class="confirmation" href=href>{row.id.clone()}</a>
                                        </th>
                                        <td data-label="Changed">{row.date}</td>
                                        <td data-label="Customer">{row.customer}</td>
                                        <td data-label="Amount" class="amount">{row.amount}</td>
                                        <td data-label="Status">{row.status.label()}</td>
                                        <td data-label="Reason">{row.reason}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };
    let waiting = (!view.waiting_refunds.is_empty()).then(|| {
        view! { <WaitingRefunds rows=view.waiting_refunds more=view.more_waiting_refunds /> }
    });
    view! {
        <DashboardFrame frame=view.frame section=Section::Overview title="Overview".to_owned()>
            {figures}
            <section aria-labelledby="attention-heading">
                <h2 id="attention-heading">"Needs attention"</h2>
                {unreconciled}
                {accounting_failed}
                {waiting}
                {attention}
            </section>
        </DashboardFrame>
    }
}

/// The refunds the processor has not answered, each linked to its payment, where an admin can
/// ask again.
#[component]
fn WaitingRefunds(rows: Vec<WaitingRefundRow>, more: bool) -> impl IntoView {
    let more = more.then(|| {
        view! { <p class="muted">"More refunds are waiting: these are the oldest."</p> }
    });
    view! {
        <div class="invoices-frame">
            <table class="invoices">
                <caption>"Refunds waiting for the processor's answer"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Payment"</th>
                        <th scope="col">"Asked"</th>
                        <th scope="col" class="amount">"Amount"</th>
                        <th scope="col">"By"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|row| {
                            let href = format!("{}/{}", DashboardPage::Payments.path(), row.payment_id);
                            view! {
                                <tr>
                                    <th scope="row" data-label="Payment">
                                        <a class="confirmation" href=href>{row.payment_id.clone()}</a>
                                    </th>
                                    <td data-label="Asked">{row.asked}</td>
                                    <td data-label="Amount" class="amount">{row.amount}</td>
                                    <td data-label="By">{row.requested_by}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        {more}
    }
}
