//! The people of a merchant's staff who may open its dashboard, each with a role. A merchant
//! always keeps at least one admin: the last one cannot be removed or made a viewer.

use crate::domain::email::EmailAddress;
use crate::domain::ids::{MerchantId, MerchantUserId};
use crate::domain::staff::StaffRole;
use crate::services::Database;
use crate::services::clock::{now, timestamp_text};

#[derive(Debug, thiserror::Error)]
pub enum MerchantUserError {
    #[error("{0} can already open this merchant's dashboard")]
    AlreadyAdded(EmailAddress),
    #[error("no such user at this merchant")]
    NotFound,
    #[error("the merchant's last admin cannot be removed")]
    LastAdmin,
    #[error("a stored user row is invalid: {0}")]
    CorruptRow(String),
    #[error("user storage failed")]
    Storage(#[from] sqlx::Error),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantUser {
    pub id: MerchantUserId,
    pub merchant: MerchantId,
    pub email: EmailAddress,
    pub role: StaffRole,
    pub created_at: String,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    merchant_id: String,
    email: String,
    role: String,
    created_at: String,
}

impl TryFrom<UserRow> for MerchantUser {
    type Error = MerchantUserError;

    fn try_from(row: UserRow) -> Result<Self, Self::Error> {
        let corrupt = |column: &str, error: &dyn std::fmt::Display| {
            MerchantUserError::CorruptRow(format!("{column}: {error}"))
        };
        Ok(Self {
            id: MerchantUserId::parse(&row.id).map_err(|error| corrupt("id", &error))?,
            merchant: MerchantId::parse(&row.merchant_id)
                .map_err(|error| corrupt("merchant_id", &error))?,
            email: EmailAddress::parse(&row.email).map_err(|error| corrupt("email", &error))?,
            role: StaffRole::parse(&row.role).map_err(|error| corrupt("role", &error))?,
            created_at: row.created_at,
        })
    }
}

const USER_COLUMNS: &str = "id, merchant_id, email, role, created_at";

/// Lets `email` open `merchant`'s dashboard with `role`.
pub async fn add(
    db: &Database,
    merchant: MerchantId,
    email: &EmailAddress,
    role: StaffRole,
) -> Result<MerchantUser, MerchantUserError> {
    let user = MerchantUser {
        id: MerchantUserId::new_random(),
        merchant,
        email: email.clone(),
        role,
        created_at: timestamp_text(now()),
    };
    // The unique (merchant, email) constraint decides, so that two admins adding the same
    // address at once make one user.
    let inserted = sqlx::query(
        "INSERT INTO merchant_users (id, merchant_id, email, role, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (merchant_id, email) DO NOTHING",
    )
    .bind(user.id.to_string())
    .bind(merchant.to_string())
    .bind(email.as_str())
    .bind(role.code())
    .bind(&user.created_at)
    .execute(db.writer())
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(MerchantUserError::AlreadyAdded(email.clone()));
    }
    Ok(user)
}

/// The user with this id at `merchant`; another merchant's user is `NotFound`.
pub async fn get(
    db: &Database,
    merchant: MerchantId,
    id: MerchantUserId,
) -> Result<MerchantUser, MerchantUserError> {
    let row: Option<UserRow> = sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM merchant_users WHERE merchant_id = $1 AND id = $2"
    ))
    .bind(merchant.to_string())
    .bind(id.to_string())
    .fetch_optional(db.pool())
    .await?;
    row.ok_or(MerchantUserError::NotFound)?.try_into()
}

/// The user a signed-in staff session works as, whatever the merchant.
pub async fn by_id(
    db: &Database,
    id: MerchantUserId,
) -> Result<Option<MerchantUser>, MerchantUserError> {
    let row: Option<UserRow> = sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM merchant_users WHERE id = $1"
    ))
    .bind(id.to_string())
    .fetch_optional(db.pool())
    .await?;
    row.map(MerchantUser::try_from).transpose()
}

/// Every merchant `email` works for, one user each, oldest first.
pub async fn of_address(
    db: &Database,
    email: &EmailAddress,
) -> Result<Vec<MerchantUser>, MerchantUserError> {
    let rows: Vec<UserRow> = sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM merchant_users WHERE email = $1 ORDER BY created_at, id"
    ))
    .bind(email.as_str())
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(MerchantUser::try_from).collect()
}

/// Everyone at `merchant`, oldest first. A merchant's staff is a handful of people, so the
/// list is read whole (capped, so that a runaway script adding users cannot make it huge).
pub async fn list(
    db: &Database,
    merchant: MerchantId,
) -> Result<Vec<MerchantUser>, MerchantUserError> {
    let rows: Vec<UserRow> = sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM merchant_users WHERE merchant_id = $1 ORDER BY created_at, id LIMIT 500"
    ))
    .bind(merchant.to_string())
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(MerchantUser::try_from).collect()
}

/// Removes a user and ends their sessions, in one transaction. The last admin stays: the
/// count is checked in the DELETE itself. (On PostgreSQL two admins removing each other at the
/// very same instant could still both go; `portico merchant add-user` adds an admin back.)
pub async fn remove(
    db: &Database,
    merchant: MerchantId,
    id: MerchantUserId,
) -> Result<(), MerchantUserError> {
    let user = get(db, merchant, id).await?;
    let mut transaction = db.begin_write().await?;
    // Ended, not just unlinked (which the DELETE does): a session left with its proven
    // address would offer the merchant picker to someone who may no longer open this
    // dashboard. First, while the sessions still name the user; undone if the DELETE is not.
    sqlx::query("UPDATE staff_sessions SET ended_at = $2 WHERE user_id = $1 AND ended_at IS NULL")
        .bind(user.id.to_string())
        .bind(timestamp_text(now()))
        .execute(&mut *transaction)
        .await?;
    let removed = sqlx::query(
        "DELETE FROM merchant_users WHERE merchant_id = $1 AND id = $2 \
         AND (role <> 'admin' OR (SELECT COUNT(*) FROM merchant_users WHERE merchant_id = $1 AND role = 'admin') > 1)",
    )
    .bind(merchant.to_string())
    .bind(user.id.to_string())
    .execute(&mut *transaction)
    .await?;
    if removed.rows_affected() == 0 {
        return Err(MerchantUserError::LastAdmin);
    }
    transaction.commit().await?;
    Ok(())
}
