//! The OAuth 2.0 authorization-code flow both providers use (through the `oauth2` crate): the
//! address the admin is sent to (with `state`, and a PKCE challenge where the provider takes
//! one), the exchange of the code that comes back, and refreshes. Both providers rotate
//! refresh tokens: every refresh answers a new one, which replaces the old.

use crate::domain::accounting::AccountingProvider;
use crate::services::accounting::AccountingError;
use crate::services::accounting::apps::{AccountingApps, ProviderApp};
use crate::services::clock::now;
use oauth2::basic::{BasicClient, BasicErrorResponseType};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError, Scope,
    TokenResponse, TokenUrl,
};
use secrecy::{ExposeSecret, SecretString};
use time::{Duration, OffsetDateTime};

type Client = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// What a token request answers: the access token, when it stops working, and the refresh
/// token that now replaces any earlier one.
pub struct Tokens {
    pub access: SecretString,
    pub refresh: SecretString,
    pub access_expires_at: OffsetDateTime,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("access_expires_at", &self.access_expires_at)
            .finish_non_exhaustive()
    }
}

/// An authorization to send the admin to, with what must be kept to finish it.
pub struct Authorization {
    pub url: String,
    pub state: SecretString,
    pub pkce_verifier: Option<SecretString>,
}

/// Whether the provider takes a PKCE challenge. Xero documents PKCE; Intuit's discovery
/// document advertises no `code_challenge_methods_supported`, so QuickBooks relies on `state`.
fn takes_pkce(provider: AccountingProvider) -> bool {
    match provider {
        AccountingProvider::Xero => true,
        AccountingProvider::QuickBooks => false,
    }
}

fn client(app: &ProviderApp, redirect_url: &str) -> Result<Client, AccountingError> {
    let unreadable = |what: &str| AccountingError::Unreadable {
        provider: app.provider,
        detail: format!("the configured {what} is not a URL"),
    };
    Ok(BasicClient::new(ClientId::new(app.client_id.clone()))
        .set_client_secret(ClientSecret::new(
            app.client_secret.expose_secret().to_owned(),
        ))
        .set_auth_uri(
            AuthUrl::new(app.endpoints.auth_url.clone()).map_err(|_| unreadable("auth URL"))?,
        )
        .set_token_uri(
            TokenUrl::new(app.endpoints.token_url.clone()).map_err(|_| unreadable("token URL"))?,
        )
        .set_redirect_uri(
            RedirectUrl::new(redirect_url.to_owned()).map_err(|_| unreadable("redirect URL"))?,
        ))
}

/// The address that asks the admin to let Portico in, coming back to `redirect_url`.
pub fn authorization(
    app: &ProviderApp,
    redirect_url: &str,
) -> Result<Authorization, AccountingError> {
    let client = client(app, redirect_url)?;
    let mut request = client.authorize_url(CsrfToken::new_random).add_scopes(
        app.scopes
            .split_whitespace()
            .map(|scope| Scope::new(scope.to_owned())),
    );
    let mut pkce_verifier = None;
    if takes_pkce(app.provider) {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        request = request.set_pkce_challenge(challenge);
        pkce_verifier = Some(SecretString::from(verifier.into_secret()));
    }
    let (url, state) = request.url();
    Ok(Authorization {
        url: url.to_string(),
        state: SecretString::from(state.into_secret()),
        pkce_verifier,
    })
}

/// Exchanges the code the provider sent back for tokens.
pub async fn exchange(
    apps: &AccountingApps,
    app: &ProviderApp,
    redirect_url: &str,
    code: &str,
    pkce_verifier: Option<SecretString>,
) -> Result<Tokens, AccountingError> {
    let client = client(app, redirect_url)?;
    let mut request = client.exchange_code(AuthorizationCode::new(code.to_owned()));
    if let Some(verifier) = pkce_verifier {
        request =
            request.set_pkce_verifier(PkceCodeVerifier::new(verifier.expose_secret().to_owned()));
    }
    let answer = request.request_async(apps.http()).await;
    tokens_of(app.provider, answer, None)
}

/// Trades `refresh` for new tokens. `invalid_grant` (revoked, expired, or rotated away by an
/// earlier refresh) is [`AccountingError::NeedsReconnect`].
pub async fn refresh(
    apps: &AccountingApps,
    app: &ProviderApp,
    redirect_url: &str,
    refresh: &SecretString,
) -> Result<Tokens, AccountingError> {
    let client = client(app, redirect_url)?;
    let token = RefreshToken::new(refresh.expose_secret().to_owned());
    let answer = client
        .exchange_refresh_token(&token)
        .request_async(apps.http())
        .await;
    tokens_of(app.provider, answer, Some(refresh))
}

type Answer = Result<
    oauth2::basic::BasicTokenResponse,
    RequestTokenError<
        oauth2::HttpClientError<reqwest::Error>,
        oauth2::StandardErrorResponse<BasicErrorResponseType>,
    >,
>;

fn tokens_of(
    provider: AccountingProvider,
    answer: Answer,
    refreshed: Option<&SecretString>,
) -> Result<Tokens, AccountingError> {
    match answer {
        Ok(response) => {
            // A provider that does not rotate on this refresh keeps the token it had.
            let refresh = match (response.refresh_token(), refreshed) {
                (Some(token), _) => SecretString::from(token.secret().to_owned()),
                (None, Some(old)) => old.clone(),
                (None, None) => {
                    return Err(AccountingError::Unreadable {
                        provider,
                        detail: "no refresh token came with the access token".to_owned(),
                    });
                }
            };
            // Providers say 30 minutes (Xero) and an hour (QuickBooks); without a figure, the
            // shorter.
            let lifetime = response
                .expires_in()
                .map(|lifetime| Duration::seconds(lifetime.as_secs().min(86_400) as i64))
                .unwrap_or(Duration::minutes(30));
            Ok(Tokens {
                access: SecretString::from(response.access_token().secret().to_owned()),
                refresh,
                access_expires_at: now() + lifetime,
            })
        }
        Err(RequestTokenError::ServerResponse(error))
            if *error.error() == BasicErrorResponseType::InvalidGrant && refreshed.is_some() =>
        {
            Err(AccountingError::NeedsReconnect(provider))
        }
        Err(RequestTokenError::ServerResponse(error)) => Err(AccountingError::Refused {
            provider,
            status: 400,
            message: match error.error_description() {
                Some(description) => format!("{}: {description}", error.error()),
                None => error.error().to_string(),
            },
        }),
        Err(RequestTokenError::Request(oauth2::HttpClientError::Reqwest(error))) => {
            Err(AccountingError::Unreachable(provider, *error))
        }
        Err(RequestTokenError::Request(error)) => Err(AccountingError::Unreadable {
            provider,
            detail: error.to_string(),
        }),
        Err(RequestTokenError::Parse(error, _)) => Err(AccountingError::Unreadable {
            provider,
            detail: error.to_string(),
        }),
        Err(RequestTokenError::Other(detail)) => {
            Err(AccountingError::Unreadable { provider, detail })
        }
    }
}
