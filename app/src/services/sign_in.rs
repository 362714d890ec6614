//! One-time sign-in codes: sent by email, six digits from the OS CSPRNG, stored only as an
//! HMAC, valid for ten minutes, once, in the session that asked for it, and void after five
//! wrong tries. Sending is rate-limited per address and per client, in the database, so the
//! limits hold across server instances.

use crate::domain::email::EmailAddress;
use crate::domain::merchant::MerchantBranding;
use crate::domain::sign_in::OneTimeCode;
use crate::services::Database;
use crate::services::clock::{now, timestamp_text};
use crate::services::jobs::{self, Job, JobError, NewJob, OutgoingEmail};
use crate::services::keys::Keys;
use crate::services::request::ClientAddress;
use crate::services::sessions::Session;
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
/// The email goes out through the outbox, sealed: the code is in it in the clear.
pub async fn send_code(
    db: &Database,
    keys: &Keys,
    merchant: &MerchantBranding,
    session: &Session,
    email: &EmailAddress,
    client: &ClientAddress,
) -> Result<(), SendError> {
    let at = now();
    // The cool-down is per address: someone who mistyped their address need not wait.
    let latest: Option<(String,)> = sqlx::query_as(
        "SELECT created_at FROM sign_in_codes WHERE session_id = $1 AND email = $2 ORDER BY created_at DESC LIMIT 1",
    )
    .bind(session.id.as_str())
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
    sqlx::query(
        "INSERT INTO sign_in_codes (id, session_id, merchant_id, email, client_address, code_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(session.id.as_str())
    .bind(session.merchant.to_string())
    .bind(email.as_str())
    .bind(&client.0)
    .bind(code_hash(keys, session, &code))
    .bind(timestamp_text(at))
    .bind(timestamp_text(at + CODE_LIFETIME))
    .execute(db.writer())
    .await?;
    // Counted after inserting, so that two sends racing each see the other.
    let hour_ago = timestamp_text(at - Duration::hours(1));
    let (for_address,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM sign_in_codes WHERE merchant_id = $1 AND email = $2 AND created_at > $3",
    )
    .bind(session.merchant.to_string())
    .bind(email.as_str())
    .bind(&hour_ago)
    .fetch_one(db.pool())
    .await?;
    let (for_client,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM sign_in_codes WHERE client_address = $1 AND created_at > $2",
    )
    .bind(&client.0)
    .bind(&hour_ago)
    .fetch_one(db.pool())
    .await?;
    let (for_session,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM sign_in_codes WHERE session_id = $1 AND created_at > $2",
    )
    .bind(session.id.as_str())
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
        delete_code(db, &id).await?;
        return Err(refusal);
    }
    let email_job = NewJob::sealed(
        &Job::Email(code_email(merchant, email, &code, at + CODE_LIFETIME)),
        keys,
    )?;
    let enqueued = {
        // Given back before `delete_code`, which needs the writing connection too.
        let mut connection = db.writer().acquire().await?;
        jobs::enqueue(&mut connection, email_job).await
    };
    if let Err(error) = enqueued {
        // Unsent, the code is useless; it must not count against the customer either.
        delete_code(db, &id).await?;
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
    session: &Session,
    typed: &OneTimeCode,
) -> Result<EmailAddress, VerifyError> {
    let latest: Option<CodeRow> = sqlx::query_as(
        "SELECT id, email, code_hash, failed_attempts, expires_at, used_at, voided_at FROM sign_in_codes \
         WHERE session_id = $1 ORDER BY created_at DESC LIMIT 1",
    )
    .bind(session.id.as_str())
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
        sqlx::query(
            "UPDATE sign_in_codes SET failed_attempts = failed_attempts + 1, \
             voided_at = CASE WHEN failed_attempts + 1 >= $2 THEN $3 ELSE voided_at END WHERE id = $1",
        )
        .bind(&id)
        .bind(MAX_WRONG_ATTEMPTS)
        .bind(timestamp_text(now()))
        .execute(db.writer())
        .await?;
        let (failed,): (i64,) =
            sqlx::query_as("SELECT failed_attempts FROM sign_in_codes WHERE id = $1")
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
    let used = sqlx::query("UPDATE sign_in_codes SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND voided_at IS NULL")
        .bind(&id)
        .bind(timestamp_text(now()))
        .execute(db.writer())
        .await?;
    if used.rows_affected() == 0 {
        return Err(VerifyError::Used);
    }
    EmailAddress::parse(&email).map_err(|_| VerifyError::NoCode)
}

/// Wrong codes typed for one address (at one merchant) in 24 hours, in any session, after
/// which no code for it is checked until the oldest of them is a day old. Five wrong tries
/// void one code, but a new code can be asked for each time: this caps the guesses in total.
pub const WRONG_CODES_PER_ADDRESS_PER_DAY: i64 = 20;

/// The wrong codes typed for `email` at the session's merchant in the last 24 hours.
async fn wrong_codes_today(
    db: &Database,
    session: &Session,
    email: &str,
) -> Result<i64, sqlx::Error> {
    let (wrong,): (i64,) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(failed_attempts), 0) AS BIGINT) FROM sign_in_codes \
         WHERE merchant_id = $1 AND email = $2 AND created_at > $3",
    )
    .bind(session.merchant.to_string())
    .bind(email)
    .bind(timestamp_text(now() - Duration::days(1)))
    .fetch_one(db.pool())
    .await?;
    Ok(wrong)
}

/// When the session may ask for another code, in seconds from now (0: now).
pub async fn resend_wait_seconds(db: &Database, session: &Session) -> Result<i64, sqlx::Error> {
    let latest: Option<(String,)> = sqlx::query_as(
        "SELECT created_at FROM sign_in_codes WHERE session_id = $1 ORDER BY created_at DESC LIMIT 1",
    )
    .bind(session.id.as_str())
    .fetch_optional(db.pool())
    .await?;
    Ok(latest
        .map(|(created_at,)| {
            (RESEND_COOL_DOWN.whole_seconds() - seconds_between(&created_at, now())).max(0)
        })
        .unwrap_or(0))
}

async fn delete_code(db: &Database, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sign_in_codes WHERE id = $1")
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
fn code_message_bytes(session: &Session, code: &OneTimeCode) -> Vec<u8> {
    format!("{}:{}", session.id.as_str(), code.digits()).into_bytes()
}

fn code_hash(keys: &Keys, session: &Session, code: &OneTimeCode) -> String {
    hex::encode(keys.sign(CODE_PURPOSE, &code_message_bytes(session, code)))
}

fn seconds_between(earlier: &str, later: time::OffsetDateTime) -> i64 {
    time::OffsetDateTime::parse(earlier, &time::format_description::well_known::Rfc3339)
        .map(|earlier| (later - earlier).whole_seconds())
        .unwrap_or(0)
}

fn code_email(
    merchant: &MerchantBranding,
    email: &EmailAddress,
    code: &OneTimeCode,
    expires_at: time::OffsetDateTime,
) -> OutgoingEmail {
    let name = &merchant.display_name;
    let digits = code.digits();
    let spaced = format!("{} {}", &digits[..3], &digits[3..]);
    let minutes = CODE_LIFETIME.whole_minutes();
    let plain = format!(
        "Your sign-in code to pay {name}: {digits}\n\n\
         Type it on the page where you entered your email address. It works once, in that \
         browser, for {minutes} minutes.\n\n\
         If you did not ask for it, you can ignore this email: nobody can sign in without the code.\n"
    );
    let accent = merchant.accent_colour.as_str();
    let html = format!(
        "<!doctype html><html lang=\"en\"><body style=\"margin:0;padding:24px;background:#f5f6f8;font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#1f2430\">\
         <div style=\"max-width:480px;margin:0 auto;background:#ffffff;border-radius:12px;padding:32px;border-top:6px solid {accent}\">\
         <p style=\"margin:0 0 8px;font-size:14px;color:#5b6270\">{merchant_html}</p>\
         <h1 style=\"margin:0 0 16px;font-size:22px\">Your sign-in code</h1>\
         <p style=\"margin:0 0 24px\">Type this code on the page where you entered your email address:</p>\
         <p style=\"margin:0 0 24px;font-size:32px;font-weight:700;letter-spacing:6px\">{spaced}</p>\
         <p style=\"margin:0 0 8px;font-size:14px;color:#5b6270\">It works once, in that browser, for {minutes} minutes.</p>\
         <p style=\"margin:0;font-size:14px;color:#5b6270\">If you did not ask for it, you can ignore this email: nobody can sign in without the code.</p>\
         </div></body></html>",
        merchant_html = escape_html(name),
    );
    OutgoingEmail {
        sender_name: name.clone(),
        to: email.as_str().to_owned(),
        reply_to: merchant.support_email.clone(),
        subject: format!("Your sign-in code to pay {name}"),
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
