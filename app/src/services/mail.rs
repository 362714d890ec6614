//! Outgoing email: SMTP when `SMTP_URL` is set, otherwise an outbox folder of `.eml` files, so
//! that a fresh install works with no mail server and tests can read what was "sent".
//!
//! Every email is sent by a job of the outbox ([`crate::services::jobs`]) and carries a
//! `Message-ID` made from the job's id, so a job run twice (its worker died after sending)
//! sends the same message again, which mail systems recognise as one. The outbox folder writes
//! each message to a file named by its `Message-ID`, so there a repeat replaces the first.

use crate::domain::ids::JobId;
use crate::services::jobs::OutgoingEmail;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Message, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error(
        "SMTP_URL is not a valid SMTP URL (expected smtp://, smtps:// or smtp://...?tls=required)"
    )]
    InvalidSmtpUrl(#[source] lettre::transport::smtp::Error),
    #[error("the SMTP server did not accept the message")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("could not create the outbox folder {path}")]
    CreateOutbox {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("could not write the message to the outbox")]
    Outbox(#[source] std::io::Error),
    #[error("an address cannot be written in an email header")]
    Address(#[from] lettre::address::AddressError),
    #[error("the email could not be built")]
    Message(#[from] lettre::error::Error),
}

/// The address Portico's emails come from (`PORTICO_MAIL_FROM`); each message shows the
/// merchant's name with it and replies go to the merchant's support address.
#[derive(Debug, Clone)]
pub struct MailFrom(pub lettre::message::Mailbox);

impl MailFrom {
    /// The message for the email job `id`: from Portico's address under `email.sender_name`,
    /// with a `Message-ID` that is the same every time the job runs.
    pub fn message(&self, id: JobId, email: &OutgoingEmail) -> Result<Message, MailError> {
        let mut message = Message::builder()
            .from(Mailbox::new(
                Some(email.sender_name.clone()),
                self.0.email.clone(),
            ))
            .to(email.to.parse::<Mailbox>()?)
            .subject(&email.subject)
            .message_id(Some(format!("<{id}@{}>", self.0.email.domain())));
        if let Some(reply_to) = &email.reply_to {
            message = message.reply_to(Mailbox::new(None, reply_to.parse()?));
        }
        Ok(match &email.html_body {
            Some(html) => message.multipart(MultiPart::alternative_plain_html(
                email.body.clone(),
                html.clone(),
            ))?,
            None => message.body(email.body.clone())?,
        })
    }
}

#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox { dir: PathBuf },
}

impl std::fmt::Debug for Mailer {
    // The SMTP transport holds the server's credentials: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Smtp(_) => f.write_str("Mailer::Smtp"),
            Self::Outbox { dir } => write!(f, "Mailer::Outbox({})", dir.display()),
        }
    }
}

/// How long the outbox folder keeps a message: sign-in codes sit in it in the clear.
pub const OUTBOX_KEEPS: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

impl Mailer {
    /// A mailer that sends through the SMTP server named by a lettre URL
    /// (`smtp://user:pass@host:587?tls=required`, `smtps://...`).
    pub fn smtp(url: &SecretString) -> Result<Self, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
            .map_err(MailError::InvalidSmtpUrl)?
            .build();
        Ok(Self::Smtp(transport))
    }

    /// A mailer that writes every message to `dir` as an `.eml` file, readable by its owner
    /// only, and logs its subject.
    pub async fn outbox(dir: &Path) -> Result<Self, MailError> {
        for folder in [dir.to_owned(), partial_dir(dir)] {
            tokio::fs::create_dir_all(&folder)
                .await
                .map_err(|source| MailError::CreateOutbox {
                    path: folder.clone(),
                    source,
                })?;
        }
        Ok(Self::Outbox {
            dir: dir.to_owned(),
        })
    }

    pub async fn send(&self, message: Message) -> Result<(), MailError> {
        match self {
            Self::Smtp(transport) => {
                // Mailer::send is what the job worker calls; this is its SMTP half.
                #[allow(clippy::disallowed_methods)]
                let sent = transport.send(message).await;
                sent?;
            }
            Self::Outbox { dir } => {
                let subject = message
                    .headers()
                    .get_raw("Subject")
                    .unwrap_or_default()
                    .to_owned();
                let name = outbox_file_name(&message);
                let file = dir.join(format!("{name}.eml"));
                // Written beside the outbox, not in it: a reader listing the outbox never
                // meets a file that is about to be renamed.
                let partial = partial_dir(dir).join(format!("{name}.eml"));
                let bytes = message.formatted();
                let written = file.clone();
                tokio::task::spawn_blocking(move || {
                    write_owner_only(&partial, &bytes)?;
                    // A reader never sees half a message, and a repeat replaces the first.
                    std::fs::rename(&partial, &written)
                })
                .await
                .map_err(|error| MailError::Outbox(std::io::Error::other(error)))?
                .map_err(MailError::Outbox)?;
                tracing::info!(%subject, file = %file.display(), "email written to the outbox");
            }
        }
        Ok(())
    }

    /// Deletes the outbox files older than `age`; returns how many. Does nothing for SMTP.
    pub async fn purge_outbox(&self, age: std::time::Duration) -> Result<u64, MailError> {
        let Self::Outbox { dir } = self else {
            return Ok(0);
        };
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || {
            let cutoff = std::time::SystemTime::now()
                .checked_sub(age)
                .unwrap_or(std::time::UNIX_EPOCH);
            let mut deleted = 0;
            // The partial folder holds what a crash left half written.
            for folder in [partial_dir(&dir), dir] {
                for entry in std::fs::read_dir(&folder)? {
                    let entry = entry?;
                    if entry.metadata()?.modified()? < cutoff {
                        std::fs::remove_file(entry.path())?;
                        deleted += 1;
                    }
                }
            }
            Ok(deleted)
        })
        .await
        .map_err(|error| MailError::Outbox(std::io::Error::other(error)))?
        .map_err(MailError::Outbox)
    }
}

/// Where messages are written before they are moved into the outbox `dir`: a folder beside it.
fn partial_dir(dir: &Path) -> PathBuf {
    let mut name = dir.file_name().unwrap_or_default().to_owned();
    name.push(".partial");
    dir.with_file_name(name)
}

/// The message's `Message-ID` as a file name (letters, digits, `.`, `-`, `_`, `@` only).
fn outbox_file_name(message: &Message) -> String {
    let id: String = message
        .headers()
        .get_raw("Message-ID")
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'))
        .collect();
    if id.is_empty() {
        uuid::Uuid::new_v4().to_string()
    } else {
        id
    }
}

#[cfg(unix)]
fn write_owner_only(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_owner_only(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
// These tests are of the sending itself, so they send directly.
#[allow(clippy::disallowed_methods)]
mod tests {
    use super::*;

    fn code_email() -> OutgoingEmail {
        OutgoingEmail {
            sender_name: "Northwind".to_owned(),
            to: "ap@customer.invalid".to_owned(),
            reply_to: Some("billing@northwind.invalid".to_owned()),
            subject: "Your verification code for Northwind".to_owned(),
            body: "123456".to_owned(),
            html_body: None,
            send_before: None,
        }
    }

    fn from() -> MailFrom {
        MailFrom("Portico <billing@portico.invalid>".parse().unwrap())
    }

    fn outbox_files(outbox: &Path) -> Vec<PathBuf> {
        std::fs::read_dir(outbox)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect()
    }

    #[tokio::test]
    async fn outbox_writes_each_message_as_an_eml_file_only_its_owner_reads() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = dir.path().join("outbox");
        let mailer = Mailer::outbox(&outbox).await.unwrap();
        let job = JobId::new_random();

        mailer
            .send(from().message(job, &code_email()).unwrap())
            .await
            .unwrap();

        let files = outbox_files(&outbox);
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].extension().unwrap(), "eml");
        let text = std::fs::read_to_string(&files[0]).unwrap();
        assert!(text.contains("Subject: Your verification code for Northwind"));
        assert!(text.contains("To: ap@customer.invalid"));
        assert!(text.contains(&format!("Message-ID: <{job}@portico.invalid>")));
        assert!(text.contains("From: Northwind <billing@portico.invalid>"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[tokio::test]
    async fn a_job_sending_again_replaces_its_message_instead_of_adding_one() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = dir.path().join("outbox");
        let mailer = Mailer::outbox(&outbox).await.unwrap();
        let job = JobId::new_random();
        for _ in 0..3 {
            mailer
                .send(from().message(job, &code_email()).unwrap())
                .await
                .unwrap();
        }
        mailer
            .send(from().message(JobId::new_random(), &code_email()).unwrap())
            .await
            .unwrap();
        assert_eq!(outbox_files(&outbox).len(), 2);
    }

    #[tokio::test]
    async fn purging_the_outbox_keeps_what_is_younger_than_the_age() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = dir.path().join("outbox");
        let mailer = Mailer::outbox(&outbox).await.unwrap();
        mailer
            .send(from().message(JobId::new_random(), &code_email()).unwrap())
            .await
            .unwrap();
        assert_eq!(mailer.purge_outbox(OUTBOX_KEEPS).await.unwrap(), 0);
        assert_eq!(outbox_files(&outbox).len(), 1);
        assert_eq!(
            mailer
                .purge_outbox(std::time::Duration::ZERO)
                .await
                .unwrap(),
            1
        );
        assert!(outbox_files(&outbox).is_empty());
    }

    #[test]
    fn a_malformed_smtp_url_is_refused_with_a_clear_error() {
        let error = Mailer::smtp(&SecretString::from("http://not-smtp")).unwrap_err();
        assert!(matches!(error, MailError::InvalidSmtpUrl(_)));
    }
}
