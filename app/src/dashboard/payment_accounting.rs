//! A payment's place in the connected accounting software, on its page: the provider's id of
//! what was recorded (and whether it was taken back), or the provider's refusal with
//! **Retry** (admins), which queues the record again once the cause is dealt with (the invoice
//! imported, a deposit account chosen, the period reopened).

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountingFacts {
    /// "In Xero as 3f2b…", one per record.
    pub records: Vec<String>,
    /// The provider's refusal of a `failed` payment.
    pub failure: Option<String>,
}

/// What the payment page shows of `payment`'s accounting.
#[cfg(feature = "ssr")]
pub async fn facts_of(
    db: &crate::services::Database,
    merchant: crate::domain::ids::MerchantId,
    payment: crate::domain::ids::PaymentId,
) -> Result<AccountingFacts, AppError> {
    use crate::error::unexpected;
    use crate::services::accounting::records;

    let records = records::records_of(db, merchant, payment)
        .await
        .map_err(|error| unexpected("reading a payment's accounting records", &error))?
        .into_iter()
        .map(|(provider, external, reversed)| {
            let label = provider.label();
            if reversed {
                format!("Taken back in {label} (was {external})")
            } else {
                format!("In {label} as {external}")
            }
        })
        .collect();
    let failure = records::failure_of(db, merchant, payment)
        .await
        .map_err(|error| unexpected("reading a payment's accounting failure", &error))?;
    Ok(AccountingFacts { records, failure })
}

/// Queues a refused payment's record again.
#[server(endpoint = "dashboard/accounting-retry")]
pub async fn retry_accounting(payment_id: String) -> Result<(), AppError> {
    use crate::dashboard::guard;
    use crate::domain::ids::PaymentId;
    use crate::services::accounting::records;

    let staff = guard::require_admin().await?;
    let not_failed = || {
        AppError::NotFound(
            "This payment is not waiting for a retry in the accounting software.".to_owned(),
        )
    };
    let id = PaymentId::parse(&payment_id).map_err(|_| not_failed())?;
    let retried = records::retry(&staff.db, staff.merchant_id(), id)
        .await
        .map_err(|error| crate::error::unexpected("queueing an accounting record again", &error))?;
    if !retried {
        return Err(not_failed());
    }
    leptos_axum::redirect(&format!(
        "{}?done=retried",
        crate::dashboard::DashboardPage::Payment(id).path()
    ));
    Ok(())
}

/// The accounting facts beside the reconciliation state, with Retry for an admin.
#[component]
pub fn AccountingNote(
    facts: AccountingFacts,
    payment_id: String,
    may_change: bool,
) -> impl IntoView {
    let retry = ServerAction::<RetryAccounting>::new();
    let records = facts
        .records
        .into_iter()
        .map(|record| view! { <p class="muted">{record}</p> })
        .collect_view();
    let failure = facts.failure.map(|failure| {
        view! {
            <div class="accounting-failure">
                <p><strong>"The accounting software refused it: "</strong>{failure}</p>
                {may_change.then(|| view! {
                    <ActionForm action=retry attr:class="form form--inline">
                        <input type="hidden" name="payment_id" value=payment_id.clone() />
                        <button type="submit" class="button">"Retry"</button>
                    </ActionForm>
                })}
            </div>
        }
    });
    view! { {records} {failure} }
}
