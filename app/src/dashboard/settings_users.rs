//! `/dashboard/settings/users`: who may open the merchant's dashboard, and as what. An admin
//! adds someone by email address with a role and removes them (never the last admin); a viewer
//! sees the list. Someone added signs in at `/dashboard` with a code sent to that address.

use crate::dashboard::DashboardPage;
use crate::dashboard::fields::TextField;
use crate::dashboard::frame::{
    DashboardFrame, DashboardState, Section, StaffFrame, dashboard_page,
};
use crate::dashboard::notice::DoneNotice;
use crate::dashboard::settings::{SettingsNav, ViewerNotice};
use crate::domain::staff::StaffRole;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub role: StaffRole,
    pub added_on: String,
    /// The user signed in.
    pub is_you: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsersView {
    pub frame: StaffFrame,
    pub users: Vec<UserRow>,
    /// The add form as last typed (refused), to give back.
    pub email: String,
    pub role: String,
    pub email_error: Option<String>,
    /// Why the last removal was refused.
    pub remove_error: Option<String>,
    /// What the last change did.
    pub notice: Option<String>,
    pub may_change: bool,
}

#[server(endpoint = "dashboard/page/settings-users")]
pub async fn users_page(
    #[server(default)] email: String,
    #[server(default)] role: String,
    /// Set when the action sent a form back refused (`add` or `last_admin`).
    #[server(default)]
    refused: Option<String>,
    #[server(default)] done: Option<String>,
) -> Result<DashboardState<UsersView>, AppError> {
    use crate::dashboard::guard;
    use crate::domain::email::EmailAddress;
    use crate::error::unexpected;
    use crate::services::merchant_users;

    let staff = match guard::enter().await? {
        Ok(staff) => staff,
        Err(path) => return Ok(DashboardState::Redirect(path)),
    };
    let users = merchant_users::list(&staff.db, staff.merchant_id())
        .await
        .map_err(|error| unexpected("listing a merchant's users", &error))?;
    let email_error = match refused.as_deref() {
        Some("add") => Some(match EmailAddress::parse(&email) {
            Err(error) => error.to_string(),
            Ok(address) if users.iter().any(|user| user.email == address) => {
                format!("{address} can already open this dashboard.")
            }
            Ok(_) => "Choose whether they are an admin or a viewer.".to_owned(),
        }),
        _ => None,
    };
    let remove_error = (refused.as_deref() == Some("last_admin")).then(|| {
        "That is the only admin: make someone else an admin before removing them, or nobody could change the settings.".to_owned()
    });
    let notice = done.as_deref().and_then(|done| match done {
        "added" => Some("Added. They can sign in at /dashboard with their email address."),
        "removed" => Some("Removed. They are signed out and can no longer open the dashboard."),
        _ => None,
    });
    let adding = refused.as_deref() == Some("add");
    Ok(DashboardState::show(UsersView {
        frame: staff.frame(),
        users: users
            .iter()
            .map(|user| UserRow {
                id: user.id.to_string(),
                email: user.email.to_string(),
                role: user.role,
                added_on: user.created_at.chars().take(10).collect(),
                is_you: user.id == staff.user.id,
            })
            .collect(),
        email: if adding { email } else { String::new() },
        role: if adding { role } else { String::new() },
        email_error,
        remove_error,
        notice: notice.map(str::to_owned),
        may_change: staff.user.role.may_change(),
    }))
}

/// Lets `email` open the dashboard with `role`; a refused form goes back as typed.
#[server(endpoint = "dashboard/user-add")]
pub async fn add_user(email: String, #[server(default)] role: String) -> Result<(), AppError> {
    use crate::dashboard::{encode_query_value, guard};
    use crate::domain::email::EmailAddress;
    use crate::services::merchant_users::{self, MerchantUserError};

    let staff = guard::require_admin().await?;
    let page = DashboardPage::SettingsUsers.path();
    let back = format!(
        "{page}?email={}&role={}&refused=add",
        encode_query_value(&email),
        encode_query_value(&role)
    );
    let (Ok(address), Ok(role)) = (EmailAddress::parse(&email), StaffRole::parse(&role)) else {
        leptos_axum::redirect(&back);
        return Ok(());
    };
    match merchant_users::add(&staff.db, staff.merchant_id(), &address, role).await {
        Ok(_) => leptos_axum::redirect(&format!("{page}?done=added")),
        Err(MerchantUserError::AlreadyAdded(_)) => leptos_axum::redirect(&back),
        Err(error) => return Err(crate::error::unexpected("adding a user", &error)),
    }
    Ok(())
}

/// Removes user `user_id` of the signed-in merchant; the last admin stays.
#[server(endpoint = "dashboard/user-remove")]
pub async fn remove_user(user_id: String) -> Result<(), AppError> {
    use crate::dashboard::guard;
    use crate::domain::ids::MerchantUserId;
    use crate::services::merchant_users::{self, MerchantUserError};

    let staff = guard::require_admin().await?;
    let no_such_user = || AppError::NotFound("There is no such user.".to_owned());
    let id = MerchantUserId::parse(&user_id).map_err(|_| no_such_user())?;
    let page = DashboardPage::SettingsUsers.path();
    match merchant_users::remove(&staff.db, staff.merchant_id(), id).await {
        Ok(()) => leptos_axum::redirect(&format!("{page}?done=removed")),
        Err(MerchantUserError::LastAdmin) => {
            leptos_axum::redirect(&format!("{page}?refused=last_admin"));
        }
        Err(MerchantUserError::NotFound) => return Err(no_such_user()),
        Err(error) => return Err(crate::error::unexpected("removing a user", &error)),
    }
    Ok(())
}

#[component]
pub fn DashboardSettingsUsersPage() -> impl IntoView {
    let add = ServerAction::<AddUser>::new();
    let remove = ServerAction::<RemoveUser>::new();
    let query = leptos_router::hooks::use_query_map()
        .read_untracked()
        .clone();
    let load = users_page(
        query.get("email").unwrap_or_default(),
        query.get("role").unwrap_or_default(),
        query.get("refused"),
        query.get("done"),
    );
    dashboard_page(load, move |view| {
        view! { <Users view add remove /> }.into_any()
    })
}

#[component]
fn Users(
    view: UsersView,
    add: ServerAction<AddUser>,
    remove: ServerAction<RemoveUser>,
) -> impl IntoView {
    let may_change = view.may_change;
    let rows = view
        .users
        .into_iter()
        .map(|user| {
            let remove_form = may_change.then(|| {
                let which = format!(" {}", user.email);
                view! {
                    <ActionForm action=remove attr:class="contact__remove">
                        <input type="hidden" name="user_id" value=user.id.clone() />
                        <button type="submit" class="button button--link">
                            "Remove" <span class="visually-hidden">{which}</span>
                        </button>
                    </ActionForm>
                }
            });
            view! {
                <tr>
                    <th scope="row" data-label="Email address">
                        {user.email.clone()}
                        {user.is_you.then_some(" (you)")}
                    </th>
                    <td data-label="Role">{user.role.label()}</td>
                    <td data-label="Added">{user.added_on}</td>
                    <td data-label="Change">{remove_form}</td>
                </tr>
            }
        })
        .collect_view();
    let add_form = may_change.then(|| {
        let role = if view.role.is_empty() { "viewer".to_owned() } else { view.role.clone() };
        let choice = move |code: &'static str, label: &'static str| {
            let id = format!("role_{code}");
            view! {
                <div class="field field--check">
                    <input id=id.clone() type="radio" name="role" value=code checked=role == code />
                    <label for=id>{label}</label>
                </div>
            }
        };
        view! {
            <section aria-labelledby="add-heading">
                <h2 id="add-heading">"Add someone"</h2>
                <ActionForm action=add attr:novalidate=true attr:class="form">
                    <TextField id="email" label="Email address" kind="email" mode="email" value=view.email.clone() error=view.email_error.clone() />
                    <fieldset class="field">
                        <legend>"Role"</legend>
                        {choice("viewer", "Viewer: sees everything, changes nothing")}
                        {choice("admin", "Admin: changes everything, settings and users too")}
                    </fieldset>
                    <button type="submit" class="button button--secondary">"Add user"</button>
                </ActionForm>
            </section>
        }
    });
    view! {
        <DashboardFrame frame=view.frame section=Section::Settings title="Users".to_owned()>
            <SettingsNav current=DashboardPage::SettingsUsers />
            <ViewerNotice may_change />
            <DoneNotice message=view.notice />
            <p class="field__error" role="alert">{view.remove_error}</p>
            <div class="invoices-frame">
                <table class="invoices">
                    <caption class="visually-hidden">"Who may open this dashboard"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Email address"</th>
                            <th scope="col">"Role"</th>
                            <th scope="col">"Added"</th>
                            <th scope="col"><span class="visually-hidden">"Change"</span></th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {add_form}
        </DashboardFrame>
    }
}
