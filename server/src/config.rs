//! Configuration from environment variables, each with a default that lets a fresh checkout
//! start with no set-up at all. The README's configuration table lists the same variables.

use app::domain::accounting::AccountingProvider;
use app::domain::public_url::{PublicUrl, PublicUrlError};
use app::services::accounting::apps::{Endpoints, ProviderApp};
use http::HeaderName;
use lettre::message::Mailbox;
use secrecy::{ExposeSecret, SecretBox, SecretString};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "PORTICO_MAIL_FROM must be an email address, optionally with a name: Billing <billing@example.com>"
    )]
    MailFrom,
    #[error(
        "PORTICO_CLIENT_IP_HEADER must be an HTTP header name such as X-Forwarded-For, not {0:?}"
    )]
    ClientIpHeader(String),
    #[error("LEPTOS_SITE_ADDR must be an address and port such as 127.0.0.1:3000, not {0:?}")]
    SiteAddr(String),
    #[error(transparent)]
    PublicUrl(#[from] PublicUrlError),
    #[error(
        "PORTICO_SECRET_KEY must be 64 hex digits (32 random bytes); `openssl rand -hex 32` makes one"
    )]
    SecretKeyFormat,
    #[error("the secret key file {path} is not 64 hex digits; delete it to have a new one made")]
    SecretKeyFile { path: PathBuf },
    #[error("could not read or create the secret key file {path}")]
    SecretKeyIo {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("could not draw random bytes for a new secret key")]
    Randomness(#[source] getrandom::Error),
    #[error(
        "PORTICO_FRAME_ANCESTORS holds {0:?}: list https:// origins separated by spaces, or 'self'"
    )]
    FrameAncestor(String),
    #[error("PORTICO_DEMO must be on or off, not {0:?}")]
    Demo(String),
    #[error("PORTICO_BACKGROUND_JOBS must be on or off, not {0:?}")]
    BackgroundJobs(String),
    #[error("{0} needs {1} too: set both, or neither")]
    HalfCredentials(&'static str, &'static str),
    #[error("{0} must be an http:// or https:// URL, not {1:?}")]
    AccountingUrl(String, String),
    #[error("PORTICO_API_REQUESTS_PER_MINUTE must be a whole number from 1 to 1000000, not {0:?}")]
    ApiRequestsPerMinute(String),
}

/// The key behind every signature and every encrypted column. 32 bytes from the OS CSPRNG.
pub struct SecretKey(SecretBox<[u8; 32]>);

impl SecretKey {
    fn from_hex(text: &str) -> Option<Self> {
        let mut bytes = Box::new([0u8; 32]);
        hex::decode_to_slice(text.trim(), bytes.as_mut()).ok()?;
        Some(Self(SecretBox::new(bytes)))
    }

    pub fn expose(&self) -> &[u8; 32] {
        self.0.expose_secret()
    }

    /// Reads the key from `path`, or makes one and stores it there (readable by its owner only)
    /// when the file does not exist yet.
    fn load_or_create(path: &Path) -> Result<Self, ConfigError> {
        let io_error = |source| ConfigError::SecretKeyIo {
            path: path.to_owned(),
            source,
        };
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_hex(&text).ok_or_else(|| ConfigError::SecretKeyFile {
                path: path.to_owned(),
            }),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let mut bytes = [0u8; 32];
                getrandom::fill(&mut bytes).map_err(ConfigError::Randomness)?;
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(io_error)?;
                }
                write_owner_only(path, &hex::encode(bytes)).map_err(io_error)?;
                tracing::info!(file = %path.display(), "generated a new secret key");
                Ok(Self(SecretBox::new(Box::new(bytes))))
            }
            Err(error) => Err(io_error(error)),
        }
    }
}

#[cfg(unix)]
fn write_owner_only(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?
        .write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_owner_only(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

/// Which sites may show Portico in an iframe (the CSP `frame-ancestors` directive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameAncestors {
    /// No site may frame Portico: the safe default until a merchant embeds it.
    None,
    /// These sources (`'self'` or `https://` origins) may.
    Only(Vec<String>),
}

impl FrameAncestors {
    fn parse(text: &str) -> Result<Self, ConfigError> {
        let sources: Vec<&str> = text.split_whitespace().collect();
        if sources.is_empty() || sources == ["'none'"] {
            return Ok(Self::None);
        }
        for source in &sources {
            let is_origin = source
                .strip_prefix("https://")
                .is_some_and(|host| !host.is_empty() && !host.contains(['/', ';', ',', '\'']));
            if *source != "'self'" && !is_origin {
                return Err(ConfigError::FrameAncestor((*source).to_owned()));
            }
        }
        Ok(Self::Only(sources.into_iter().map(str::to_owned).collect()))
    }

    pub fn directive_value(&self) -> String {
        match self {
            Self::None => "'none'".to_owned(),
            Self::Only(sources) => sources.join(" "),
        }
    }
}

pub struct Config {
    /// Where the server listens (`LEPTOS_SITE_ADDR`); port 0 picks a free port.
    pub site_addr: SocketAddr,
    /// `DATABASE_URL`: `sqlite://...` or `postgres://...`. May hold a password.
    pub database_url: SecretString,
    /// The base of links in emails (`PUBLIC_URL`); `None` means the address the server is
    /// listening on, which is known only once it has bound its port.
    pub public_url: Option<PublicUrl>,
    /// `SMTP_URL` in lettre's form; `None` writes mail to `data_dir/outbox`.
    pub smtp_url: Option<SecretString>,
    pub secret_key: SecretKey,
    /// `PORTICO_DATA_DIR`: the SQLite file, the outbox and the generated secret key.
    pub data_dir: PathBuf,
    /// `LEPTOS_SITE_ROOT`: the built site (WASM, JS, CSS, public files).
    pub site_root: PathBuf,
    pub frame_ancestors: FrameAncestors,
    /// `PORTICO_DEMO`: seed a demo merchant when the database has none.
    pub seed_demo: bool,
    /// `PORTICO_MAIL_FROM`: the sender of Portico's emails.
    pub mail_from: Mailbox,
    /// `PORTICO_CLIENT_IP_HEADER`: the header a trusted reverse proxy puts the client's address
    /// in (for per-client rate limits); unset, the connecting socket's address is used.
    pub client_ip_header: Option<HeaderName>,
    /// `PORTICO_BACKGROUND_JOBS`: run the job worker in this process (emails, processor
    /// follow-ups, housekeeping). Off, the jobs wait for an instance that runs it, or for
    /// `portico jobs run`.
    pub background_jobs: bool,
    /// `PORTICO_API_REQUESTS_PER_MINUTE`: what one API key may send to `/api/v1`, per instance.
    pub api_requests_per_minute: u32,
    /// The accounting providers this deployment has client credentials for
    /// (`QUICKBOOKS_*`, `XERO_*`).
    pub accounting: Vec<ProviderApp>,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|value| !value.is_empty()))
    }

    /// Builds the configuration from any source of variables (tests pass a map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let site_addr_text = lookup("LEPTOS_SITE_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
        let site_addr: SocketAddr = site_addr_text
            .parse()
            .map_err(|_| ConfigError::SiteAddr(site_addr_text.clone()))?;
        let data_dir = PathBuf::from(lookup("PORTICO_DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url = lookup("DATABASE_URL").unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                data_dir.join("portico.db").display()
            )
        });
        let public_url = lookup("PUBLIC_URL")
            .map(|url| PublicUrl::parse(&url))
            .transpose()?;
        let secret_key = match lookup("PORTICO_SECRET_KEY") {
            Some(text) => SecretKey::from_hex(&text).ok_or(ConfigError::SecretKeyFormat)?,
            None => SecretKey::load_or_create(&data_dir.join("secret.key"))?,
        };
        let seed_demo = match lookup("PORTICO_DEMO").as_deref() {
            None | Some("on") => true,
            Some("off") => false,
            Some(other) => return Err(ConfigError::Demo(other.to_owned())),
        };
        let background_jobs = match lookup("PORTICO_BACKGROUND_JOBS").as_deref() {
            None | Some("on") => true,
            Some("off") => false,
            Some(other) => return Err(ConfigError::BackgroundJobs(other.to_owned())),
        };
        let api_requests_per_minute = match lookup("PORTICO_API_REQUESTS_PER_MINUTE") {
            None => DEFAULT_API_REQUESTS_PER_MINUTE,
            Some(text) => text
                .parse()
                .ok()
                .filter(|rate| (1..=1_000_000).contains(rate))
                .ok_or(ConfigError::ApiRequestsPerMinute(text))?,
        };
        Ok(Self {
            site_addr,
            database_url: SecretString::from(database_url),
            public_url,
            smtp_url: lookup("SMTP_URL").map(SecretString::from),
            secret_key,
            site_root: PathBuf::from(
                lookup("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            ),
            data_dir,
            frame_ancestors: FrameAncestors::parse(
                &lookup("PORTICO_FRAME_ANCESTORS").unwrap_or_default(),
            )?,
            seed_demo,
            mail_from: lookup("PORTICO_MAIL_FROM")
                .unwrap_or_else(|| "Portico <portico@localhost>".to_owned())
                .parse()
                .map_err(|_| ConfigError::MailFrom)?,
            client_ip_header: lookup("PORTICO_CLIENT_IP_HEADER")
                .map(|name| {
                    HeaderName::try_from(name.as_str())
                        .map_err(|_| ConfigError::ClientIpHeader(name))
                })
                .transpose()?,
            background_jobs,
            api_requests_per_minute,
            accounting: AccountingProvider::ALL
                .into_iter()
                .map(|provider| provider_app(provider, &lookup))
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .flatten()
                .collect(),
        })
    }
}

/// A provider's registration from `<PREFIX>_CLIENT_ID` and `<PREFIX>_CLIENT_SECRET` (neither:
/// not configured), with each endpoint the real service's unless its variable says otherwise.
fn provider_app(
    provider: AccountingProvider,
    lookup: &impl Fn(&str) -> Option<String>,
) -> Result<Option<ProviderApp>, ConfigError> {
    let (prefix, id_name, secret_name): (&str, &'static str, &'static str) = match provider {
        AccountingProvider::QuickBooks => (
            "QUICKBOOKS",
            "QUICKBOOKS_CLIENT_ID",
            "QUICKBOOKS_CLIENT_SECRET",
        ),
        AccountingProvider::Xero => ("XERO", "XERO_CLIENT_ID", "XERO_CLIENT_SECRET"),
    };
    let (client_id, client_secret) = match (lookup(id_name), lookup(secret_name)) {
        (None, None) => return Ok(None),
        (Some(_), None) => return Err(ConfigError::HalfCredentials(id_name, secret_name)),
        (None, Some(_)) => return Err(ConfigError::HalfCredentials(secret_name, id_name)),
        (Some(id), Some(secret)) => (id, SecretString::from(secret)),
    };
    let url = |suffix: &str, default: String| -> Result<String, ConfigError> {
        let name = format!("{prefix}_{suffix}");
        match lookup(&name) {
            None => Ok(default),
            Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
                Ok(url.trim_end_matches('/').to_owned())
            }
            Some(url) => Err(ConfigError::AccountingUrl(name, url)),
        }
    };
    let production = Endpoints::production(provider);
    let endpoints = Endpoints {
        auth_url: url("AUTH_URL", production.auth_url)?,
        token_url: url("TOKEN_URL", production.token_url)?,
        revoke_url: url("REVOKE_URL", production.revoke_url)?,
        api_url: url("API_URL", production.api_url)?,
        connections_url: production
            .connections_url
            .map(|default| url("CONNECTIONS_URL", default))
            .transpose()?,
    };
    Ok(Some(ProviderApp {
        provider,
        client_id,
        client_secret,
        endpoints,
        scopes: lookup(&format!("{prefix}_SCOPES"))
            .unwrap_or_else(|| ProviderApp::default_scopes(provider).to_owned()),
    }))
}

/// Twenty a second: far above what an accounting sync or a batch import sends, well below what
/// would crowd other merchants out of one instance.
pub const DEFAULT_API_REQUESTS_PER_MINUTE: u32 = 1200;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config_from(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_need_no_variables_and_keep_everything_under_the_data_dir() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().to_str().unwrap();
        let config = config_from(&[("PORTICO_DATA_DIR", data)]).unwrap();
        assert_eq!(config.site_addr.to_string(), "127.0.0.1:3000");
        assert!(config.public_url.is_none());
        assert_eq!(
            config.database_url.expose_secret(),
            format!("sqlite://{data}/portico.db?mode=rwc")
        );
        assert!(config.smtp_url.is_none());
        assert_eq!(config.frame_ancestors, FrameAncestors::None);
        assert!(config.seed_demo);
        assert!(config.background_jobs);
        assert_eq!(
            config.api_requests_per_minute,
            DEFAULT_API_REQUESTS_PER_MINUTE
        );
    }

    #[test]
    fn the_generated_secret_key_is_stored_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().to_str().unwrap();
        let first = config_from(&[("PORTICO_DATA_DIR", data)]).unwrap();
        let second = config_from(&[("PORTICO_DATA_DIR", data)]).unwrap();
        assert_eq!(first.secret_key.expose(), second.secret_key.expose());
        assert_ne!(first.secret_key.expose(), &[0u8; 32]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("secret.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_secret_key_from_the_environment_must_be_64_hex_digits() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().to_str().unwrap();
        let good = "ab".repeat(32);
        let config =
            config_from(&[("PORTICO_DATA_DIR", data), ("PORTICO_SECRET_KEY", &good)]).unwrap();
        assert_eq!(config.secret_key.expose(), &[0xab; 32]);
        for bad in ["abc", "zz".repeat(32).as_str()] {
            let result = config_from(&[("PORTICO_DATA_DIR", data), ("PORTICO_SECRET_KEY", bad)]);
            assert!(matches!(result, Err(ConfigError::SecretKeyFormat)));
        }
    }

    #[test]
    fn bad_values_are_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().to_str().unwrap();
        let with = |name, value| config_from(&[("PORTICO_DATA_DIR", data), (name, value)]);
        assert!(matches!(
            with("LEPTOS_SITE_ADDR", "localhost"),
            Err(ConfigError::SiteAddr(_))
        ));
        assert!(matches!(
            with("PUBLIC_URL", "pay.example.com"),
            Err(ConfigError::PublicUrl(_))
        ));
        assert!(matches!(
            with("PORTICO_FRAME_ANCESTORS", "http://insecure.example"),
            Err(ConfigError::FrameAncestor(_))
        ));
        assert!(matches!(
            with("PORTICO_DEMO", "yes"),
            Err(ConfigError::Demo(_))
        ));
        assert!(matches!(
            with("PORTICO_BACKGROUND_JOBS", "maybe"),
            Err(ConfigError::BackgroundJobs(_))
        ));
        for bad in ["0", "ten", "-5", "1000001"] {
            assert!(matches!(
                with("PORTICO_API_REQUESTS_PER_MINUTE", bad),
                Err(ConfigError::ApiRequestsPerMinute(_))
            ));
        }
    }

    #[test]
    fn accounting_providers_need_both_credentials_and_default_to_the_real_services() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().to_str().unwrap();
        let none = config_from(&[("PORTICO_DATA_DIR", data)]).unwrap();
        assert!(none.accounting.is_empty());

        let xero = config_from(&[
            ("PORTICO_DATA_DIR", data),
            ("XERO_CLIENT_ID", "client"),
            ("XERO_CLIENT_SECRET", "secret"),
            ("XERO_API_URL", "http://127.0.0.1:9/api.xro/2.0/"),
        ])
        .unwrap();
        let [app] = xero.accounting.as_slice() else {
            panic!("one provider configured");
        };
        assert_eq!(app.provider, AccountingProvider::Xero);
        assert_eq!(app.endpoints.api_url, "http://127.0.0.1:9/api.xro/2.0");
        assert_eq!(
            app.endpoints.token_url,
            "https://identity.xero.com/connect/token"
        );
        assert!(!format!("{app:?}").contains("secret\""));

        assert!(matches!(
            config_from(&[
                ("PORTICO_DATA_DIR", data),
                ("QUICKBOOKS_CLIENT_ID", "client")
            ]),
            Err(ConfigError::HalfCredentials("QUICKBOOKS_CLIENT_ID", _))
        ));
        assert!(matches!(
            config_from(&[
                ("PORTICO_DATA_DIR", data),
                ("QUICKBOOKS_CLIENT_ID", "client"),
                ("QUICKBOOKS_CLIENT_SECRET", "secret"),
                ("QUICKBOOKS_TOKEN_URL", "oauth.example"),
            ]),
            Err(ConfigError::AccountingUrl(..))
        ));
    }

    #[test]
    fn frame_ancestors_accept_https_origins_and_self() {
        let parsed = FrameAncestors::parse("'self' https://shop.example.com").unwrap();
        assert_eq!(parsed.directive_value(), "'self' https://shop.example.com");
        assert_eq!(
            FrameAncestors::parse("").unwrap().directive_value(),
            "'none'"
        );
    }
}
