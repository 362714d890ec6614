//! `/dashboard/settings/accounting`: the merchant's connection to QuickBooks Online or Xero.
//! An admin connects one (the provider's consent page, then back to
//! `/dashboard/settings/accounting/callback`, which finishes the authorization and comes back
//! here), chooses the account payments are deposited to, connects again when the provider
//! stopped accepting Portico's access, and disconnects (the tokens are revoked there). A
//! viewer sees the connection, unchangeable.
//!
//! Failures come back here as a code (`?failed=declined`), never as text from the address, so
//! that a link cannot make the dashboard say anything it would not; what the provider said
//! goes to the log.

use crate::dashboard::DashboardPage;
use crate::dashboard::frame::{
    DashboardFrame, DashboardState, Section, StaffFrame, dashboard_page,
};
use crate::dashboard::notice::DoneNotice;
use crate::dashboard::settings::{SettingsNav, ViewerNotice};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A provider the merchant could connect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderChoice {
    pub code: String,
    pub label: String,
    /// `None` when this deployment has the provider's client credentials; otherwise the
    /// variables the server needs.
    pub missing_credentials: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountChoice {
    pub id: String,
    pub name: String,
}

/// The merchant's connection as shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionView {
    pub provider_code: String,
    pub provider_label: String,
    /// "company" or "organisation".
    pub tenant_word: String,
    pub tenant_name: String,
    pub needs_reconnect: bool,
    pub connected_by: String,
    pub connected_on: String,
    /// The account chosen, or the provider's default when it has one.
    pub deposit_to: Option<String>,
    pub deposit_account_id: String,
    /// The provider's default deposit, when it has one (QuickBooks' Undeposited Funds).
    pub default_deposit: Option<String>,
    /// The accounts to choose from; empty with `accounts_unavailable` when they could not be
    /// listed just now.
    pub accounts: Vec<AccountChoice>,
    pub accounts_unavailable: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountingView {
    pub frame: StaffFrame,
    pub connection: Option<ConnectionView>,
    pub providers: Vec<ProviderChoice>,
    pub notice: Option<String>,
    pub failure: Option<String>,
    pub may_change: bool,
}

/// Why a connection could not be made or changed, as the code the page is sent back with.
#[cfg(feature = "ssr")]
fn failure_code(error: &crate::services::accounting::AccountingError) -> &'static str {
    use crate::services::accounting::AccountingError as E;
    match error {
        E::NotConfigured(_) => "not_configured",
        E::Refused { .. } | E::Unreadable { .. } => "refused",
        E::Unreachable(..) | E::RateLimited { .. } => "unreachable",
        E::NeedsReconnect(_) => "needs_reconnect",
        E::NotConnected => "not_connected",
        E::UnknownAuthorization => "expired",
        E::AuthorizationRefused(_) => "declined",
        E::OtherProviderConnected(_) => "other_provider",
        E::UnknownAccount => "unknown_account",
        E::Job(_) | E::Crypto | E::Storage(_) => "unexpected",
    }
}

/// What the page says for a failure code; `provider` is the provider concerned.
#[cfg(feature = "ssr")]
fn failure_message(code: &str, provider: &str) -> Option<String> {
    Some(match code {
        "not_configured" => format!(
            "Portico is not set up for {provider} yet: the server needs its client credentials."
        ),
        "refused" => format!(
            "{provider} refused the connection. Try again; if it keeps failing, check Portico's app registration with {provider}."
        ),
        "unreachable" => format!("{provider} did not answer. Nothing changed: try again in a moment."),
        "needs_reconnect" => format!("{provider} no longer accepts Portico's access: connect it again."),
        "not_connected" => "There is no accounting connection any more.".to_owned(),
        "expired" => "That authorization expired or was used already. Nothing was connected: start again.".to_owned(),
        "declined" => format!("{provider} did not connect: access was declined on its page. Nothing was connected."),
        "other_provider" => "Portico is connected to other accounting software already: disconnect it first. Payments go to one set of books.".to_owned(),
        "unknown_account" => "That account is not one of the bank accounts of the connected books any more. Choose another.".to_owned(),
        "unexpected" => "Something went wrong on our side. Please try again in a moment.".to_owned(),
        _ => return None,
    })
}

/// What the accounting services need besides the database, from the server's context.
#[cfg(feature = "ssr")]
struct AccountingDeps {
    keys: crate::services::keys::Keys,
    apps: crate::services::accounting::apps::AccountingApps,
    public_url: crate::domain::public_url::PublicUrl,
}

#[cfg(feature = "ssr")]
impl AccountingDeps {
    fn from_context() -> Result<Self, AppError> {
        use crate::services::from_context;
        Ok(Self {
            keys: from_context()?,
            apps: from_context()?,
            public_url: from_context()?,
        })
    }

    fn context<'a>(
        &'a self,
        db: &'a crate::services::Database,
    ) -> crate::services::accounting::tokens::Context<'a> {
        crate::services::accounting::tokens::Context {
            db,
            keys: &self.keys,
            apps: &self.apps,
            public_url: &self.public_url,
        }
    }
}

/// Logs what a provider or the storage said, and answers the page to go back to.
#[cfg(feature = "ssr")]
fn failed(
    doing: &str,
    provider: Option<crate::domain::accounting::AccountingProvider>,
    error: &crate::services::accounting::AccountingError,
) -> String {
    let code = failure_code(error);
    if code == "unexpected" {
        let _ = crate::error::unexpected(doing, error);
    } else {
        tracing::warn!(error = %crate::error::Chain(error), "{doing}");
    }
    let provider = provider.map(|provider| format!("&provider={}", provider.code()));
    format!(
        "{}?failed={code}{}",
        DashboardPage::SettingsAccounting.path(),
        provider.unwrap_or_default()
    )
}

#[server(endpoint = "dashboard/page/settings-accounting")]
pub async fn accounting_page(
    #[server(default)] done: Option<String>,
    #[server(default)] failed: Option<String>,
    #[server(default)] provider: Option<String>,
) -> Result<DashboardState<AccountingView>, AppError> {
    use crate::dashboard::guard;
    use crate::domain::accounting::{AccountingProvider, ConnectionState};
    use crate::error::unexpected;
    use crate::services::accounting::connector::Connector;
    use crate::services::accounting::{apps, connections, link};

    let staff = match guard::enter().await? {
        Ok(staff) => staff,
        Err(path) => return Ok(DashboardState::Redirect(path)),
    };
    let deps = AccountingDeps::from_context()?;
    let context = deps.context(&staff.db);
    let connection = connections::of_merchant(&staff.db, staff.merchant_id())
        .await
        .map_err(|error| unexpected("reading an accounting connection", &error))?;
    let connection = match connection {
        None => None,
        Some(connection) => {
            let default_deposit = Connector::of(&deps.apps, connection.provider)
                .ok()
                .and_then(|connector| connector.default_deposit())
                .map(str::to_owned);
            let listed = match connection.state {
                ConnectionState::Connected => link::deposit_accounts(context, &connection).await,
                ConnectionState::NeedsReconnect => Err(
                    crate::services::accounting::AccountingError::NeedsReconnect(
                        connection.provider,
                    ),
                ),
            };
            let (accounts, accounts_unavailable) = match listed {
                Ok(accounts) => (accounts, None),
                Err(error) => {
                    tracing::warn!(error = %crate::error::Chain(&error), "listing deposit accounts");
                    (
                        Vec::new(),
                        Some(format!(
                            "The bank accounts of {} cannot be listed just now: {}.",
                            connection.tenant_name,
                            match failure_code(&error) {
                                "needs_reconnect" => "the connection must be made again first",
                                "unreachable" => "it did not answer",
                                _ => "it refused",
                            }
                        )),
                    )
                }
            };
            // Reading the state again: listing the accounts may just have found the
            // refresh token refused.
            let state = connections::of_merchant(&staff.db, staff.merchant_id())
                .await
                .map_err(|error| unexpected("reading an accounting connection", &error))?
                .map_or(connection.state, |now| now.state);
            Some(ConnectionView {
                provider_code: connection.provider.code().to_owned(),
                provider_label: connection.provider.label().to_owned(),
                tenant_word: connection.provider.tenant_word().to_owned(),
                tenant_name: connection.tenant_name.clone(),
                needs_reconnect: state == ConnectionState::NeedsReconnect,
                connected_by: connection.connected_by.clone(),
                connected_on: connection.created_at.chars().take(10).collect(),
                deposit_to: connection
                    .deposit_account_name
                    .clone()
                    .or_else(|| default_deposit.clone()),
                deposit_account_id: connection.deposit_account_id.clone().unwrap_or_default(),
                default_deposit,
                accounts: accounts
                    .into_iter()
                    .map(|account| AccountChoice {
                        id: account.id,
                        name: account.name,
                    })
                    .collect(),
                accounts_unavailable,
            })
        }
    };
    let provider_label = provider
        .as_deref()
        .and_then(|code| AccountingProvider::parse(code).ok())
        .map_or("The accounting software", AccountingProvider::label);
    let notice = match done.as_deref() {
        Some("connected") => connection.as_ref().map(|connection| {
            format!(
                "Connected to {} ({}). Payments will be recorded there.",
                connection.provider_label, connection.tenant_name
            )
        }),
        Some("deposit") => Some("Saved: payments are deposited to the account chosen.".to_owned()),
        Some("disconnected") => Some(format!(
            "Disconnected. {provider_label} no longer accepts Portico's access; payments wait in the dashboard for reconciliation by hand."
        )),
        _ => None,
    };
    Ok(DashboardState::show(AccountingView {
        frame: staff.frame(),
        connection,
        providers: AccountingProvider::ALL
            .into_iter()
            .map(|provider| ProviderChoice {
                code: provider.code().to_owned(),
                label: provider.label().to_owned(),
                missing_credentials: deps
                    .apps
                    .app(provider)
                    .is_none()
                    .then(|| apps::credential_variables(provider).to_owned()),
            })
            .collect(),
        notice,
        failure: failed
            .as_deref()
            .and_then(|code| failure_message(code, provider_label)),
        may_change: staff.user.role.may_change(),
    }))
}

/// Sends the admin to `provider`'s consent page.
#[server(endpoint = "dashboard/accounting-connect")]
pub async fn connect_accounting(provider: String) -> Result<(), AppError> {
    use crate::dashboard::guard;
    use crate::domain::accounting::AccountingProvider;
    use crate::services::accounting::link;

    let staff = guard::require_admin().await?;
    let provider = AccountingProvider::parse(&provider).map_err(|error| AppError::Invalid {
        field: "provider".to_owned(),
        message: error.to_string(),
    })?;
    let deps = AccountingDeps::from_context()?;
    let context = deps.context(&staff.db);
    let next = link::start(context, &staff.session.id, staff.merchant_id(), provider)
        .await
        .unwrap_or_else(|error| {
            failed(
                "starting an accounting authorization",
                Some(provider),
                &error,
            )
        });
    leptos_axum::redirect(&next);
    Ok(())
}

/// Where the provider sends the admin back: finishes the authorization and returns to the
/// settings.
#[server(endpoint = "dashboard/page/settings-accounting-callback")]
pub async fn accounting_callback(
    #[server(default)] state: Option<String>,
    #[server(default)] code: Option<String>,
    #[server(default)] error: Option<String>,
    #[server(default)] realm_id: Option<String>,
) -> Result<DashboardState<()>, AppError> {
    use crate::dashboard::guard;
    use crate::services::accounting::link::{self, Callback};
    use secrecy::SecretString;

    let staff = match guard::enter().await? {
        Ok(staff) => staff,
        Err(path) => return Ok(DashboardState::Redirect(path)),
    };
    staff.require_admin()?;
    let deps = AccountingDeps::from_context()?;
    let context = deps.context(&staff.db);
    let callback = Callback {
        state: SecretString::from(state.unwrap_or_default()),
        code,
        error,
        realm_id,
    };
    let by = staff.user.email.to_string();
    let next = match link::finish(
        context,
        &staff.session.id,
        staff.merchant_id(),
        &by,
        callback,
    )
    .await
    {
        Ok(connection) => format!(
            "{}?done=connected&provider={}",
            DashboardPage::SettingsAccounting.path(),
            connection.provider.code()
        ),
        Err(error) => failed("finishing an accounting authorization", None, &error),
    };
    Ok(DashboardState::Redirect(next))
}

/// Saves the account payments are deposited to.
#[server(endpoint = "dashboard/accounting-deposit")]
pub async fn choose_deposit_account(account_id: String) -> Result<(), AppError> {
    use crate::dashboard::guard;
    use crate::services::accounting::link;

    let staff = guard::require_admin().await?;
    let deps = AccountingDeps::from_context()?;
    let context = deps.context(&staff.db);
    let next =
        match link::choose_deposit_account(context, staff.merchant_id(), account_id.trim()).await {
            Ok(_) => format!("{}?done=deposit", DashboardPage::SettingsAccounting.path()),
            Err(error) => failed("choosing a deposit account", None, &error),
        };
    leptos_axum::redirect(&next);
    Ok(())
}

/// Disconnects the accounting software, revoking Portico's access there.
#[server(endpoint = "dashboard/accounting-disconnect")]
pub async fn disconnect_accounting() -> Result<(), AppError> {
    use crate::dashboard::guard;
    use crate::services::accounting::{connections, link};

    let staff = guard::require_admin().await?;
    let deps = AccountingDeps::from_context()?;
    let context = deps.context(&staff.db);
    let provider = connections::of_merchant(&staff.db, staff.merchant_id())
        .await
        .map_err(|error| crate::error::unexpected("reading an accounting connection", &error))?
        .map(|connection| connection.provider);
    let next = match link::disconnect(context, staff.merchant_id()).await {
        Ok(()) => format!(
            "{}?done=disconnected{}",
            DashboardPage::SettingsAccounting.path(),
            provider
                .map(|provider| format!("&provider={}", provider.code()))
                .unwrap_or_default()
        ),
        Err(error) => failed("disconnecting accounting software", provider, &error),
    };
    leptos_axum::redirect(&next);
    Ok(())
}

#[component]
pub fn DashboardSettingsAccountingPage() -> impl IntoView {
    let connect = ServerAction::<ConnectAccounting>::new();
    let deposit = ServerAction::<ChooseDepositAccount>::new();
    let disconnect = ServerAction::<DisconnectAccounting>::new();
    let query = leptos_router::hooks::use_query_map()
        .read_untracked()
        .clone();
    let load = accounting_page(
        query.get("done"),
        query.get("failed"),
        query.get("provider"),
    );
    dashboard_page(load, move |view| {
        view! { <Accounting view connect deposit disconnect /> }.into_any()
    })
}

#[component]
pub fn DashboardAccountingCallbackPage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map()
        .read_untracked()
        .clone();
    let load = accounting_callback(
        query.get("state"),
        query.get("code"),
        query.get("error"),
        query.get("realmId"),
    );
    dashboard_page(load, |()| ().into_any())
}

#[component]
fn Accounting(
    view: AccountingView,
    connect: ServerAction<ConnectAccounting>,
    deposit: ServerAction<ChooseDepositAccount>,
    disconnect: ServerAction<DisconnectAccounting>,
) -> impl IntoView {
    let may_change = view.may_change;
    let failure = view.failure.map(|failure| {
        view! { <p class="card notice notice--error" role="alert" tabindex="-1" autofocus>{failure}</p> }
    });
    let body = match view.connection {
        Some(connection) => {
            view! { <Connected connection may_change connect deposit disconnect /> }.into_any()
        }
        None => view! { <Providers providers=view.providers may_change connect /> }.into_any(),
    };
    view! {
        <DashboardFrame frame=view.frame section=Section::Settings title="Accounting".to_owned()>
            <SettingsNav current=DashboardPage::SettingsAccounting />
            <ViewerNotice may_change />
            <DoneNotice message=view.notice />
            {failure}
            {body}
        </DashboardFrame>
    }
}

#[component]
fn Providers(
    providers: Vec<ProviderChoice>,
    may_change: bool,
    connect: ServerAction<ConnectAccounting>,
) -> impl IntoView {
    let cards = providers
        .into_iter()
        .map(|provider| {
            let heading_id = format!("provider-{}", provider.code);
            let labelled_by = heading_id.clone();
            let heading = provider.label.clone();
            let connect_label = format!("Connect {}", provider.label);
            let action = match (&provider.missing_credentials, may_change) {
                (Some(variables), _) => view! {
                    <p class="muted">
                        "To connect " {provider.label.clone()} ", the server needs "
                        <code>{variables.clone()}</code>
                        " (see the README's configuration table)."
                    </p>
                }
                .into_any(),
                (None, true) => view! {
                    <ActionForm action=connect>
                        <input type="hidden" name="provider" value=provider.code.clone() />
                        <button type="submit" class="button">{connect_label}</button>
                    </ActionForm>
                }
                .into_any(),
                (None, false) => {
                    view! { <p class="muted">"An admin can connect it."</p> }.into_any()
                }
            };
            view! {
                <section class="card accounting-provider" aria-labelledby=labelled_by>
                    <h2 id=heading_id>{heading}</h2>
                    {action}
                </section>
            }
        })
        .collect_view();
    view! {
        <p>
            "Connect your accounting software and each payment is recorded there as it succeeds, "
            "against the invoices it pays. Without a connection, payments wait on the payments "
            "page to be reconciled by hand."
        </p>
        <div class="accounting-providers">{cards}</div>
    }
}

#[component]
fn Connected(
    connection: ConnectionView,
    may_change: bool,
    connect: ServerAction<ConnectAccounting>,
    deposit: ServerAction<ChooseDepositAccount>,
    disconnect: ServerAction<DisconnectAccounting>,
) -> impl IntoView {
    let label = connection.provider_label.clone();
    let state = if connection.needs_reconnect {
        "Needs connecting again: payments wait until it is"
    } else {
        "Connected"
    };
    let reconnect_label = format!("Connect {label} again");
    let disconnect_label = format!("Disconnect {label}");
    let reconnect = (connection.needs_reconnect && may_change).then(|| {
        view! {
            <ActionForm action=connect>
                <input type="hidden" name="provider" value=connection.provider_code.clone() />
                <button type="submit" class="button">{reconnect_label}</button>
            </ActionForm>
        }
    });
    let chosen = connection.deposit_account_id.clone();
    let options = connection
        .default_deposit
        .iter()
        .map(|default| {
            view! { <option value="" selected=chosen.is_empty()>{format!("{default} ({label}'s default)")}</option> }
                .into_any()
        })
        .chain(connection.accounts.iter().map(|account| {
            view! {
                <option value=account.id.clone() selected=account.id == chosen>{account.name.clone()}</option>
            }
            .into_any()
        }))
        .collect_view();
    let deposit_form = (may_change && connection.accounts_unavailable.is_none()).then(|| {
        view! {
            <ActionForm action=deposit attr:class="form accounting-deposit">
                <label for="deposit-account">"Deposit payments to"</label>
                <select id="deposit-account" name="account_id" required=connection.default_deposit.is_none()>
                    {connection.default_deposit.is_none().then(|| view! {
                        <option value="" selected=chosen.is_empty() disabled>"Choose a bank account"</option>
                    })}
                    {options}
                </select>
                <button type="submit" class="button">"Save account"</button>
            </ActionForm>
        }
    });
    let deposit_to = connection.deposit_to.clone().unwrap_or_else(|| {
        "No account chosen yet: payments are not recorded until one is".to_owned()
    });
    view! {
        <section class="card accounting-connection" aria-labelledby="connection-heading">
            <h2 id="connection-heading">{label.clone()}</h2>
            <dl class="facts">
                <dt>{format!("Connected {}", connection.tenant_word)}</dt>
                <dd>{connection.tenant_name.clone()}</dd>
                <dt>"State"</dt>
                <dd>{state}</dd>
                <dt>"Deposited to"</dt>
                <dd>{deposit_to}</dd>
                <dt>"Connected by"</dt>
                <dd>{format!("{} on {}", connection.connected_by, connection.connected_on)}</dd>
            </dl>
            {connection.accounts_unavailable.clone().map(|message| view! { <p class="muted">{message}</p> })}
            {reconnect}
            {deposit_form}
            {may_change.then(|| view! {
                <ActionForm action=disconnect attr:class="form">
                    <button type="submit" class="button button--secondary">{disconnect_label}</button>
                </ActionForm>
            })}
        </section>
    }
}
