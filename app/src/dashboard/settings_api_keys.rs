//! `/dashboard/settings/api-keys`: the keys the merchant's software calls the REST API with.
//! An admin issues one (shown once, on the page the issue leads to, and never again: only its
//! hash is kept) and revokes one (it stops working with the next request). A viewer sees the
//! list: each key's hint, when it was issued and whether it still works.

use crate::components::CopyField;
use crate::dashboard::DashboardPage;
use crate::dashboard::frame::{
    DashboardFrame, DashboardState, Section, StaffFrame, dashboard_page,
};
use crate::dashboard::notice::DoneNotice;
use crate::dashboard::settings::{SettingsNav, ViewerNotice};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKeyRow {
    pub id: String,
    pub hint: String,
    pub issued_on: String,
    pub revoked_on: Option<String>,
}

/// A key just issued, to show this once. Kept out of `Debug` output.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct NewKey {
    pub id: String,
    pub secret: String,
}

impl std::fmt::Debug for NewKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("NewKey")
            .field("id", &self.id)
            .field("secret", &"[redacted]")
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKeysView {
    pub frame: StaffFrame,
    pub keys: Vec<ApiKeyRow>,
    pub new_key: Option<NewKey>,
    pub notice: Option<String>,
    pub may_change: bool,
}

#[server(endpoint = "dashboard/page/settings-api-keys")]
pub async fn api_keys_page(
    #[server(default)] done: Option<String>,
) -> Result<DashboardState<ApiKeysView>, AppError> {
    use crate::dashboard::guard;
    use crate::error::unexpected;
    use crate::services::keys::Keys;
    use crate::services::{api_key_reveals, api_keys, from_context};
    use secrecy::ExposeSecret;

    let staff = match guard::enter().await? {
        Ok(staff) => staff,
        Err(path) => return Ok(DashboardState::Redirect(path)),
    };
    let keys: Keys = from_context()?;
    let new_key = api_key_reveals::take(&staff.db, &keys, &staff.session.id)
        .await
        .map_err(|error| unexpected("showing a new API key", &error))?
        .map(|reveal| NewKey {
            id: reveal.id.to_string(),
            secret: reveal.secret.expose_secret().to_owned(),
        });
    let listed = api_keys::list(&staff.db, staff.merchant_id())
        .await
        .map_err(|error| unexpected("listing a merchant's API keys", &error))?;
    let notice = match done.as_deref() {
        Some("issued") if new_key.is_none() => Some(
            "The new key was shown once already. If nobody copied it, revoke it and issue another.",
        ),
        Some("revoked") => Some("Revoked. Requests with that key are refused from now on."),
        _ => None,
    };
    let day = |timestamp: &str| timestamp.chars().take(10).collect::<String>();
    Ok(DashboardState::show(ApiKeysView {
        frame: staff.frame(),
        keys: listed
            .iter()
            .map(|key| ApiKeyRow {
                id: key.id.to_string(),
                hint: key.hint.clone(),
                issued_on: day(&key.created_at),
                revoked_on: key.revoked_at.as_deref().map(day),
            })
            .collect(),
        new_key,
        notice: notice.map(str::to_owned),
        may_change: staff.user.role.may_change(),
    }))
}

/// Issues a key and opens the page that shows it, once.
#[server(endpoint = "dashboard/api-key-issue")]
pub async fn issue_api_key() -> Result<(), AppError> {
    use crate::dashboard::guard;
    use crate::services::keys::Keys;
    use crate::services::{api_key_reveals, from_context};

    let staff = guard::require_admin().await?;
    let keys: Keys = from_context()?;
    api_key_reveals::issue(&staff.db, &keys, staff.merchant_id(), &staff.session.id)
        .await
        .map_err(|error| crate::error::unexpected("issuing an API key", &error))?;
    leptos_axum::redirect(&format!(
        "{}?done=issued",
        DashboardPage::SettingsApiKeys.path()
    ));
    Ok(())
}

/// Revokes key `key_id` of the signed-in merchant.
#[server(endpoint = "dashboard/api-key-revoke")]
pub async fn revoke_api_key(key_id: String) -> Result<(), AppError> {
    use crate::dashboard::guard;
    use crate::domain::ids::ApiKeyId;
    use crate::services::api_keys::{self, ApiKeyError};

    let staff = guard::require_admin().await?;
    let no_such_key = || AppError::NotFound("There is no such API key still working.".to_owned());
    let id = ApiKeyId::parse(&key_id).map_err(|_| no_such_key())?;
    match api_keys::revoke(&staff.db, staff.merchant_id(), id).await {
        Ok(()) => {}
        Err(ApiKeyError::NotFound) => return Err(no_such_key()),
        Err(error) => return Err(crate::error::unexpected("revoking an API key", &error)),
    }
    leptos_axum::redirect(&format!(
        "{}?done=revoked",
        DashboardPage::SettingsApiKeys.path()
    ));
    Ok(())
}

#[component]
pub fn DashboardSettingsApiKeysPage() -> impl IntoView {
    let issue = ServerAction::<IssueApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let query = leptos_router::hooks::use_query_map()
        .read_untracked()
        .clone();
    let load = api_keys_page(query.get("done"));
    dashboard_page(load, move |view| {
        view! { <ApiKeys view issue revoke /> }.into_any()
    })
}

#[component]
fn ApiKeys(
    view: ApiKeysView,
    issue: ServerAction<IssueApiKey>,
    revoke: ServerAction<RevokeApiKey>,
) -> impl IntoView {
    let may_change = view.may_change;
    let new_key = view.new_key.map(|key| {
        view! {
            <section class="new-key" aria-labelledby="new-key-heading">
                <h2 id="new-key-heading">"Your new API key"</h2>
                <p>
                    <strong>"Copy it now: it is shown only this once."</strong>
                    " Portico keeps only a fingerprint of it, so nobody can show it again."
                </p>
                <CopyField
                    id="new-key-secret"
                    label="API key"
                    text=key.secret
                    copy_label="Copy key"
                    copied="Key copied to the clipboard."
                    multiline=true
                />
                <p class="muted">"Send it as " <code>"Authorization: Bearer <key>"</code> " to " <code>"/api/v1"</code> "."</p>
            </section>
        }
    });
    let rows = view
        .keys
        .into_iter()
        .map(|key| {
            let state = match &key.revoked_on {
                Some(day) => format!("Revoked {day}"),
                None => "Working".to_owned(),
            };
            let revoke_form = (may_change && key.revoked_on.is_none()).then(|| {
                let which = format!(" {}", key.hint);
                view! {
                    <ActionForm action=revoke attr:class="contact__remove">
                        <input type="hidden" name="key_id" value=key.id.clone() />
                        <button type="submit" class="button button--link">
                            "Revoke" <span class="visually-hidden">{which}</span>
                        </button>
                    </ActionForm>
                }
            });
            view! {
                <tr>
                    <th scope="row" data-label="Key"><code>{key.hint.clone()}</code></th>
                    <td data-label="Issued">{key.issued_on}</td>
                    <td data-label="State">{state}</td>
                    <td data-label="Change">{revoke_form}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <DashboardFrame frame=view.frame section=Section::Settings title="API keys".to_owned()>
            <SettingsNav current=DashboardPage::SettingsApiKeys />
            <ViewerNotice may_change />
            <DoneNotice message=view.notice />
            {new_key}
            <div class="invoices-frame">
                <table class="invoices">
                    <caption class="visually-hidden">"The merchant's API keys, newest first"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Key"</th>
                            <th scope="col">"Issued"</th>
                            <th scope="col">"State"</th>
                            <th scope="col"><span class="visually-hidden">"Change"</span></th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {may_change.then(|| view! {
                <ActionForm action=issue attr:class="form">
                    <button type="submit" class="button">"Issue a new key"</button>
                </ActionForm>
            })}
        </DashboardFrame>
    }
}
