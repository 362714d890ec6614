//! Outgoing email: SMTP when `SMTP_URL` is set, otherwise an outbox folder of `.eml` files, so
//! that a fresh install works with no mail server and tests can read what was "sent".

use lettre::transport::file::AsyncFileTransport;
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
    Outbox(#[from] lettre::transport::file::Error),
}

/// The address Portico's emails come from (`PORTICO_MAIL_FROM`); each message shows the
/// merchant's name with it and replies go to the merchant's support address.
#[derive(Debug, Clone)]
pub struct MailFrom(pub lettre::message::Mailbox);

#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox {
        transport: AsyncFileTransport<Tokio1Executor>,
        dir: PathBuf,
    },
}

impl std::fmt::Debug for Mailer {
    // The SMTP transport holds the server's credentials: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Smtp(_) => f.write_str("Mailer::Smtp"),
            Self::Outbox { dir, .. } => write!(f, "Mailer::Outbox({})", dir.display()),
        }
    }
}

impl Mailer {
    /// A mailer that sends through the SMTP server named by a lettre URL
    /// (`smtp://user:pass@host:587?tls=required`, `smtps://...`).
    pub fn smtp(url: &SecretString) -> Result<Self, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
            .map_err(MailError::InvalidSmtpUrl)?
            .build();
        Ok(Self::Smtp(transport))
    }

    /// A mailer that writes every message to `dir` as an `.eml` file and logs its subject.
    pub async fn outbox(dir: &Path) -> Result<Self, MailError> {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|source| MailError::CreateOutbox {
                path: dir.to_owned(),
                source,
            })?;
        Ok(Self::Outbox {
            transport: AsyncFileTransport::new(dir),
            dir: dir.to_owned(),
        })
    }

    pub async fn send(&self, message: Message) -> Result<(), MailError> {
        match self {
            Self::Smtp(transport) => {
                transport.send(message).await?;
            }
            Self::Outbox { transport, dir } => {
                let subject = message
                    .headers()
                    .get_raw("Subject")
                    .unwrap_or_default()
                    .to_owned();
                let id = transport.send(message).await?;
                tracing::info!(
                    %subject,
                    file = %dir.join(format!("{id}.eml")).display(),
                    "email written to the outbox"
                );
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn outbox_writes_each_message_as_an_eml_file() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = dir.path().join("outbox");
        let mailer = Mailer::outbox(&outbox).await.unwrap();
        let message = Message::builder()
            .from("Portico <billing@portico.invalid>".parse().unwrap())
            .to("ap@customer.invalid".parse().unwrap())
            .subject("Your verification code for Northwind")
            .body("123456".to_owned())
            .unwrap();

        mailer.send(message).await.unwrap();

        let files: Vec<_> = std::fs::read_dir(&outbox)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].extension().unwrap(), "eml");
        let text = std::fs::read_to_string(&files[0]).unwrap();
        assert!(text.contains("Subject: Your verification code for Northwind"));
        assert!(text.contains("To: ap@customer.invalid"));
    }

    #[test]
    fn a_malformed_smtp_url_is_refused_with_a_clear_error() {
        let error = Mailer::smtp(&SecretString::from("http://not-smtp")).unwrap_err();
        assert!(matches!(error, MailError::InvalidSmtpUrl(_)));
    }
}
