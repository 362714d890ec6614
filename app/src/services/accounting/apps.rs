//! Portico's registration with each accounting provider: the client credentials a deployment
//! is given by QuickBooks and Xero, and the provider's endpoints (the real services unless the
//! environment points elsewhere, as the tests do, at local fakes).

use crate::domain::accounting::AccountingProvider;
use secrecy::SecretString;
use std::sync::Arc;
use std::time::Duration;

/// Where a provider's OAuth server and API are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub auth_url: String,
    pub token_url: String,
    pub revoke_url: String,
    pub api_url: String,
    /// Xero's tenant connections; QuickBooks names its company in the callback instead.
    pub connections_url: Option<String>,
}

impl Endpoints {
    /// The real services.
    pub fn production(provider: AccountingProvider) -> Self {
        match provider {
            AccountingProvider::QuickBooks => Self {
                auth_url: "https://appcenter.intuit.com/connect/oauth2".to_owned(),
                token_url: "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer".to_owned(),
                revoke_url: "https://developer.api.intuit.com/v2/oauth2/tokens/revoke".to_owned(),
                api_url: "https://quickbooks.api.intuit.com".to_owned(),
                connections_url: None,
            },
            AccountingProvider::Xero => Self {
                auth_url: "https://login.xero.com/identity/connect/authorize".to_owned(),
                token_url: "https://identity.xero.com/connect/token".to_owned(),
                revoke_url: "https://identity.xero.com/connect/revocation".to_owned(),
                api_url: "https://api.xero.com/api.xro/2.0".to_owned(),
                connections_url: Some("https://api.xero.com/connections".to_owned()),
            },
        }
    }
}

/// One provider's registration.
#[derive(Debug, Clone)]
pub struct ProviderApp {
    pub provider: AccountingProvider,
    pub client_id: String,
    /// `SecretString`'s `Debug` prints no secret.
    pub client_secret: SecretString,
    pub endpoints: Endpoints,
    /// The OAuth scopes asked for, space-separated.
    pub scopes: String,
}

impl ProviderApp {
    /// The scopes each provider needs for importing customers and invoices and recording
    /// payments. Xero apps made since March 2026 take granular scopes (`XERO_SCOPES` changes
    /// them for older apps, which use `accounting.transactions`).
    pub fn default_scopes(provider: AccountingProvider) -> &'static str {
        match provider {
            AccountingProvider::QuickBooks => "com.intuit.quickbooks.accounting",
            AccountingProvider::Xero => {
                "offline_access accounting.contacts.read accounting.settings.read \
                 accounting.invoices.read accounting.payments"
            }
        }
    }
}

/// The environment variables without which a provider cannot be connected.
pub fn credential_variables(provider: AccountingProvider) -> &'static str {
    match provider {
        AccountingProvider::QuickBooks => "QUICKBOOKS_CLIENT_ID and QUICKBOOKS_CLIENT_SECRET",
        AccountingProvider::Xero => "XERO_CLIENT_ID and XERO_CLIENT_SECRET",
    }
}

/// Every provider this deployment is registered with, and the one HTTP client their calls
/// share (its connections are pooled). Cheap to clone.
#[derive(Debug, Clone)]
pub struct AccountingApps {
    apps: Arc<Vec<ProviderApp>>,
    http: reqwest::Client,
}

impl AccountingApps {
    pub fn new(apps: Vec<ProviderApp>) -> Self {
        let http = reqwest::Client::builder()
            // An OAuth server or API that redirects is not followed: a redirect could carry a
            // token elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .user_agent(concat!("Portico/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Self {
            apps: Arc::new(apps),
            http,
        }
    }

    pub fn app(&self, provider: AccountingProvider) -> Option<&ProviderApp> {
        self.apps.iter().find(|app| app.provider == provider)
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }
}
