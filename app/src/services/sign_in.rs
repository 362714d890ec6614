//! One-time sign-in codes: sent by email, six digits from the OS CSPRNG, stored only as an
//! HMAC, valid for ten minutes, once, in the session that asked for it, and void after five
//! wrong tries. Sending is rate-limited per address and per client, in the database, so the
//! limits hold across server instances.
//!
//! The customers at a merchant's billing link and the merchants' staff at the dashboard sign
//! in by the same rules, each with their own sessions and codes (see [`CodeSession`]).

use crate::domain::email::EmailAddress;
use crate::domain::ids::MerchantId;
use crate::domain::merchant::MerchantBranding;
use crate::domain::sign_in::OneTimeCode;
use crate::services::Database;
use crate::services::clock::{now, timestamp_text};
use crate::services::jobs::{self, Job, JobError, NewJob, OutgoingEmail};
use crate::services::keys::Keys;
use crate::services::request::ClientAddress;
use time::Duration;

pub const CODE_LIFETIME: Duration = Duration::minutes(10);
pub const MAX_WRONG_ATTEMPTS: i64 = 5;
/// Between two codes for one session.
pub const RESEND_COOL_DOWN: Duration = Duration::seconds(30);
/// Codes per address (at one merchant) per hour.
pub const SENDS_PER_ADDRESS_PER_HOUR: i64 = 5;
/// Codes per client address per hour, whatever the email addresses.
pub const SENDS_PER_CLIENT_PER_HOUR: i64 = 20;
/// Codes per browser session per hour, whatever the addresses.
pub const SENDS_PER_SESSION_PER_HOUR: i64 = 10;

const CODE_PURPOSE: &str = "sign-in-code";

/// The session a code is asked for in, and whose sign-in it is.
#[derive(Debug, Clone, Copy)]
pub struct CodeSession<'a> {
    /// The session row's id (`sessions.id` or `staff_sessions.id`).
    pub id: &'a str,
    pub audience: Audience,
}

/// Who signs in. The limits per address count at one merchant for customers (an address may
/// be a contact at several), and across the dashboard for staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Customers(MerchantId),
    Staff,
}

impl Audience {
    fn table(self) -> &'static str {
        match self {
            Self::Customers(_) => "sign_in_codes",
            Self::Staff => "staff_sign_in_codes",
        }
    }

    /// The condition naming one address's codes since a time: `$1` is the address, then the
    /// merchant when there is one (see `bind_scope`), then the time.
    fn address_since_condition(self) -> &'static str {
        match self {
            Self::Customers(_) => "email = $1 AND merchant_id = $2 AND created_at > $3",
            Self::Staff => "email = $1 AND created_at > $2",
        }
    }

    fn bind_scope<'q, O>(
        self,
        query: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
        match self {
            Self::Customers(merchant) => query.bind(merchant.to_string()),
            Self::Staff => query,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("a code was sent {waited} seconds ago")]
    CoolDown { seconds_left: i64, waited: i64 },
    #[error("too many codes for this address in the last hour")]
    TooManyForAddress,
    #[error("too many codes from this client in the last hour")]
    TooManyForClient,
    #[error("too many codes for this session in the last hour")]
    TooManyForSession,
    #[error("the code email could not be queued")]
    Queue(#[from] JobError),
    #[error("the system random number generator failed")]
    Random(#[from] getrandom::Error),
    #[error("code storage failed")]
    Storage(#[from] sqlx::Error),
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("no code was sent in this session")]
    NoCode,
    #[error("the code is wrong")]
    Wrong { attempts_left: i64 },
    #[error("the code expired")]
    Expired,
    #[error("the code was already used")]
    Used,
    #[error("too many wrong codes")]
    Locked,
    #[error("too many wrong codes for this address today")]
    TooManyWrongToday,
    #[error("code storage failed")]
    Storage(#[from] sqlx::Error),
}

#[derive(sqlx::FromRow)]
struct CodeRow {
    id: String,
    email: String,
    code_hash: String,
    failed_attempts: i64,
    expires_at: String,
    used_at: Option<String>,
    voided_at: Option<String>,
}

/// Sends a fresh code to `email` for `session`; any earlier code of the session stops working.
/// `compose` writes the email around the code (it comes with its expiry). The email goes out
/// through the outbox, sealed: the code is in it in the clear.
pub async fn send_code(
    db: &Database,
    keys: &Keys,
    session: CodeSession<'_>,
    email: &EmailAddress,
    client: &ClientAddress,
    compose: impl FnOnce(&OneTimeCode, time::OffsetDateTime) -> OutgoingEmail,
) -> Result<(), SendError> {
    let at = now();
    let table = session.audience.table();
    // The cool-down is per address: someone who mistyped their address need not wait.
    let latest: Option<(String,)> = sqlx::query_as(&format!(
        "SELECT created_at FROM {table} WHERE session_id = $1 AND email = $2 ORDER BY created_at DESC LIMIT 1",
    ))
    .bind(session.id)
    .bind(email.as_str())
    .fetch_optional(db.pool())
    .await?;
    if let Some((created_at,)) = latest {
        let cool_down_from = timestamp_text(at - RESEND_COOL_DOWN);
        if created_at > cool_down_from {
            let waited = seconds_between(&created_at, at);
            return Err(SendError::CoolDown {
                seconds_left: (RESEND_COOL_DOWN.whole_seconds() - waited).max(1),
                waited,
            });
        }
    }

    let code = random_code()?;
    let id = uuid::Uuid::new_v4().to_string();
    let created_at = timestamp_text(at);
    let expires_at = timestamp_text(at + CODE_LIFETIME);
    let hash = code_hash(keys, session, &code);
    let inserted = match session.audience {
        Audience::Customers(merchant) => sqlx::query(
            "INSERT INTO sign_in_codes (id, session_id, merchant_id, email, client_address, code_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(session.id)
        .bind(merchant.to_string()),
        Audience::Staff => sqlx::query(
            "INSERT INTO staff_sign_in_codes (id, session_id, email, client_address, code_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(session.id),
    };
    inserted
        .bind(email.as_str())
        .bind(&client.0)
        .bind(hash)
        .bind(created_at)
        .bind(expires_at)
        .execute(db.writer())
        .await?;
    // Counted after inserting, so that two sends racing each see the other.
    let hour_ago = timestamp_text(at - Duration::hours(1));
    let (for_address,): (i64,) = session
        .audience
        .bind_scope(
            sqlx::query_as(&format!(
                "SELECT COUNT(*) FROM {table} WHERE {}",
                session.audience.address_since_condition()
            ))
            .bind(email.as_str()),
        )
        .bind(&hour_ago)
        .fetch_one(db.pool())
        .await?;
    let (for_client,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM {table} WHERE client_address = $1 AND created_at > $2",
    ))
    .bind(&client.0)
    .bind(&hour_ago)
    .fetch_one(db.pool())
    .await?;
    let (for_session,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM {table} WHERE session_id = $1 AND created_at > $2",
    ))
    .bind(session.id)
    .bind(&hour_ago)
    .fetch_one(db.pool())
    .await?;
    let refusal = if for_address > SENDS_PER_ADDRESS_PER_HOUR {
        Some(SendError::TooManyForAddress)
    } else if for_client > SENDS_PER_CLIENT_PER_HOUR {
        Some(SendError::TooManyForClient)
    } else if for_session > SENDS_PER_SESSION_PER_HOUR {
        Some(SendError::TooManyForSession)
    } else {
        None
    };
    if let Some(refusal) = refusal {
        delete_code(db, session.audience, &id).await?;
        return Err(refusal);
    }
    let email_job = NewJob::sealed(&Job::Email(compose(&code, at + CODE_LIFETIME)), keys)?;
    let enqueued = {
        // Given back before `delete_code`, which needs the writing connection too.
        let mut connection = db.writer().acquire().await?;
        jobs::enqueue(&mut connection, email_job).await
    };
    if let Err(error) = enqueued {
        // Unsent, the code is useless; it must not count against the customer either.
        delete_code(db, session.audience, &id).await?;
        return Err(error.into());
    }
    Ok(())
}

/// Checks `typed` against the session's latest code and, when it is right, uses it up and
/// returns the address it proves. Only the latest code counts: asking again replaces the
/// previous one without a trace of failure on it.
pub async fn verify_code(
    db: &Database,
    keys: &Keys,
    session: CodeSession<'_>,
    typed: &OneTimeCode,
) -> Result<EmailAddress, VerifyError> {
    let table = session.audience.table();
    let latest: Option<CodeRow> = sqlx::query_as(&format!(
        "SELECT id, email, code_hash, failed_attempts, expires_at, used_at, voided_at FROM {table} \
         WHERE session_id = $1 ORDER BY created_at DESC LIMIT 1",
    ))
    .bind(session.id)
    .fetch_optional(db.pool())
    .await?;
    let Some(CodeRow {
        id,
        email,
        code_hash: stored_hash,
        failed_attempts,
        expires_at,
        used_at,
        voided_at,
    }) = latest
    else {
        return Err(VerifyError::NoCode);
    };
    if wrong_codes_today(db, session, &email).await? >= WRONG_CODES_PER_ADDRESS_PER_DAY {
        return Err(VerifyError::TooManyWrongToday);
    }
    if used_at.is_some() {
        return Err(VerifyError::Used);
    }
    if voided_at.is_some() || failed_attempts >= MAX_WRONG_ATTEMPTS {
        return Err(VerifyError::Locked);
    }
    if expires_at <= timestamp_text(now()) {
        return Err(VerifyError::Expired);
    }
    let right = hex::decode(&stored_hash)
        .is_ok_and(|tag| keys.verify(CODE_PURPOSE, &code_message_bytes(session, typed), &tag));
    if !right {
        // Counted in the database, so that parallel guesses all count.
        sqlx::query(&format!(
            "UPDATE {table} SET failed_attempts = failed_attempts + 1, \
             voided_at = CASE WHEN failed_attempts + 1 >= $2 THEN $3 ELSE voided_at END WHERE id = $1",
        ))
        .bind(&id)
        .bind(MAX_WRONG_ATTEMPTS)
        .bind(timestamp_text(now()))
        .execute(db.writer())
        .await?;
        let (failed,): (i64,) = sqlx::query_as(&format!(
            "SELECT failed_attempts FROM {table} WHERE id = $1"
        ))
        .bind(&id)
        .fetch_one(db.pool())
        .await?;
        return Err(if failed >= MAX_WRONG_ATTEMPTS {
            VerifyError::Locked
        } else {
            VerifyError::Wrong {
                attempts_left: MAX_WRONG_ATTEMPTS - failed,
            }
        });
    }
    // Conditional, so that two tabs submitting the right code sign in once.
    let used = sqlx::query(&format!(
        "UPDATE {table} SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND voided_at IS NULL"
    ))
    .bind(&id)
    .bind(timestamp_text(now()))
    .execute(db.writer())
    .await?;
    if used.rows_affected() == 0 {
        return Err(VerifyError::Used);
    }
    EmailAddress::parse(&email).map_err(|_| VerifyError::NoCode)
}

/// Wrong codes typed for one address (at one merchant, or at the dashboard) in 24 hours, in any session, after
/// which no code for it is checked until the oldest of them is a day old. Five wrong tries
/// void one code, but a new code can be asked for each time: this caps the guesses in total.
pub const WRONG_CODES_PER_ADDRESS_PER_DAY: i64 = 20;

/// The wrong codes typed for `email` by the session's audience in the last 24 hours.
async fn wrong_codes_today(
    db: &Database,
    session: CodeSession<'_>,
    email: &str,
) -> Result<i64, sqlx::Error> {
    let (wrong,): (i64,) = session
        .audience
        .bind_scope(
            sqlx::query_as(&format!(
                "SELECT CAST(COALESCE(SUM(failed_attempts), 0) AS BIGINT) FROM {} WHERE {}",
                session.audience.table(),
                session.audience.address_since_condition(),
            ))
            .bind(email),
        )
        .bind(timestamp_text(now() - Duration::days(1)))
        .fetch_one(db.pool())
        .await?;
    Ok(wrong)
}

/// When the session may ask for another code, in seconds from now (0: now).
pub async fn resend_wait_seconds(
    db: &Database,
    session: CodeSession<'_>,
) -> Result<i64, sqlx::Error> {
    let latest: Option<(String,)> = sqlx::query_as(&format!(
        "SELECT created_at FROM {} WHERE session_id = $1 ORDER BY created_at DESC LIMIT 1",
        session.audience.table()
    ))
    .bind(session.id)
    .fetch_optional(db.pool())
    .await?;
    Ok(latest
        .map(|(created_at,)| {
            (RESEND_COOL_DOWN.whole_seconds() - seconds_between(&created_at, now())).max(0)
        })
        .unwrap_or(0))
}

async fn delete_code(db: &Database, audience: Audience, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query(&format!("DELETE FROM {} WHERE id = $1", audience.table()))
        .bind(id)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Six uniformly random digits: rejection sampling keeps every code equally likely.
fn random_code() -> Result<OneTimeCode, getrandom::Error> {
    const LIMIT: u32 = u32::MAX - (u32::MAX % 1_000_000);
    loop {
        let number = getrandom::u32()?;
        if number < LIMIT {
            return Ok(OneTimeCode::from_number(number % 1_000_000));
        }
    }
}

/// The code is bound to its session: the same digits typed in another browser are wrong.
fn code_message_bytes(session: CodeSession<'_>, code: &OneTimeCode) -> Vec<u8> {
    format!("{}:{}", session.id, code.digits()).into_bytes()
}

fn code_hash(keys: &Keys, session: CodeSession<'_>, code: &OneTimeCode) -> String {
    hex::encode(keys.sign(CODE_PURPOSE, &code_message_bytes(session, code)))
}

fn seconds_between(earlier: &str, later: time::OffsetDateTime) -> i64 {
    time::OffsetDateTime::parse(earlier, &time::format_description::well_known::Rfc3339)
        .map(|earlier| (later - earlier).whole_seconds())
        .unwrap_or(0)
}

/// The email of a customer's code, in the merchant's name and colour.
pub fn customer_code_email(
    merchant: &MerchantBranding,
    email: &EmailAddress,
    code: &OneTimeCode,
    expires_at: time::OffsetDateTime,
) -> OutgoingEmail {
    code_email(
        CodeEmailLook {
            sender_name: &merchant.display_name,
            purpose: &format!("to pay {}", merchant.display_name),
            accent: merchant.accent_colour.as_str(),
            reply_to: merchant.support_email.clone(),
        },
        email,
        code,
        expires_at,
    )
}

/// The email of a dashboard user's code, in Portico's own name: it may serve several merchants.
pub fn staff_code_email(
    email: &EmailAddress,
    code: &OneTimeCode,
    expires_at: time::OffsetDateTime,
) -> OutgoingEmail {
    code_email(
        CodeEmailLook {
            sender_name: "Portico",
            purpose: "to the Portico dashboard",
            accent: "#1d4ed8",
            reply_to: None,
        },
        email,
        code,
        expires_at,
    )
}

/// What an address that works for no merchant gets instead of a code: the sign-in page says
/// the same to everyone, so only the address's owner learns that it has no access.
pub fn staff_no_access_email(email: &EmailAddress) -> OutgoingEmail {
    OutgoingEmail {
        sender_name: "Portico".to_owned(),
        to: email.as_str().to_owned(),
        reply_to: None,
        subject: "Signing in to the Portico dashboard".to_owned(),
        body: "Someone, perhaps you, asked to sign in to the Portico dashboard with this address, \
               but it cannot open any merchant's dashboard.\n\n\
               If you work for a business that uses Portico, ask one of its admins to add you. \
               If it was not you, you can ignore this email.\n"
            .to_owned(),
        html_body: None,
        send_before: Some(timestamp_text(now() + CODE_LIFETIME)),
    }
}

/// Who a code email comes from and what the code opens.
struct CodeEmailLook<'a> {
    sender_name: &'a str,
    /// Completes "Your sign-in code ...".
    purpose: &'a str,
    accent: &'a str,
    reply_to: Option<String>,
}

fn code_email(
    look: CodeEmailLook<'_>,
    email: &EmailAddress,
    code: &OneTimeCode,
    expires_at: time::OffsetDateTime,
) -> OutgoingEmail {
    let CodeEmailLook {
        sender_name,
        purpose,
        accent,
        reply_to,
    } = look;
    let digits = code.digits();
    let spaced = format!("{} {}", &digits[..3], &digits[3..]);
    let minutes = CODE_LIFETIME.whole_minutes();
    let plain = format!(
        "Your sign-in code {purpose}: {digits}\n\n\
         Type it on the page where you entered your email address. It works once, in that \
         browser, for {minutes} minutes.\n\n\
         If you did not ask for it, you can ignore this email: nobody can sign in without the code.\n"
    );
    let html = format!(
        "<!doctype html><html lang=\"en\"><body style=\"margin:0;padding:24px;background:#f5f6f8;font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#1f2430\">\
         <div style=\"max-width:480px;margin:0 auto;background:#ffffff;border-radius:12px;padding:32px;border-top:6px solid {accent}\">\
         <p style=\"margin:0 0 8px;font-size:14px;color:#5b6270\">{sender_html}</p>\
         <h1 style=\"margin:0 0 16px;font-size:22px\">Your sign-in code</h1>\
         <p style=\"margin:0 0 24px\">Type this code on the page where you entered your email address:</p>\
         <p style=\"margin:0 0 24px;font-size:32px;font-weight:700;letter-spacing:6px\">{spaced}</p>\
         <p style=\"margin:0 0 8px;font-size:14px;color:#5b6270\">It works once, in that browser, for {minutes} minutes.</p>\
         <p style=\"margin:0;font-size:14px;color:#5b6270\">If you did not ask for it, you can ignore this email: nobody can sign in without the code.</p>\
         </div></body></html>",
        sender_html = escape_html(sender_name),
    );
    OutgoingEmail {
        sender_name: sender_name.to_owned(),
        to: email.as_str().to_owned(),
        reply_to,
        subject: format!("Your sign-in code {purpose}"),
        body: plain,
        html_body: Some(html),
        send_before: Some(timestamp_text(expires_at)),
    }
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_codes_are_six_digits() {
        for _ in 0..100 {
            let code = random_code().unwrap();
            assert_eq!(code.digits().len(), 6);
            assert!(code.digits().bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn merchant_names_are_escaped_in_the_html_email() {
        assert_eq!(escape_html("Fish & <Chips>"), "Fish &amp; &lt;Chips&gt;");
    }
}
