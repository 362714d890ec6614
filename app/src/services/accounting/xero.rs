//! Xero (Accounting API 2.0): the tenants a token reaches (its connections endpoint), the bank
//! accounts, and taking the connection back. Every Accounting call names its tenant in
//! `xero-tenant-id` and asks for JSON (Xero answers XML otherwise).

use crate::domain::accounting::AccountingProvider;
use crate::services::accounting::AccountingError;
use crate::services::accounting::apps::{AccountingApps, ProviderApp};
use crate::services::accounting::connector::{DepositAccount, Tenant, call, send};
use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

const PROVIDER: AccountingProvider = AccountingProvider::Xero;

pub struct Xero<'a> {
    pub apps: &'a AccountingApps,
    pub app: &'a ProviderApp,
}

/// One entry of `GET /connections` (Xero's identity API).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct XeroConnection {
    id: String,
    tenant_id: String,
    tenant_type: String,
    tenant_name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Accounts {
    accounts: Vec<Account>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Account {
    #[serde(rename = "AccountID")]
    account_id: String,
    name: String,
    code: Option<String>,
}

/// What Xero says in a refusal: the Accounting API's `Message` (with its first validation
/// error), or the identity layer's `Detail`/`Title`.
pub(crate) fn message_of(body: &serde_json::Value) -> Option<String> {
    if body.get("ErrorNumber").is_some() {
        let message = body.get("Message").and_then(|message| message.as_str())?;
        let validation = body
            .pointer("/Elements/0/ValidationErrors/0/Message")
            .and_then(|message| message.as_str());
        return Some(match validation {
            Some(validation) => format!("{message}: {validation}"),
            None => message.to_owned(),
        });
    }
    ["Detail", "Title", "error"]
        .into_iter()
        .find_map(|key| body.get(key).and_then(|value| value.as_str()))
        .map(str::to_owned)
}

/// The `authentication_event_id` claim of a Xero access token (a JWT): the authorization that
/// made it, by which `GET /connections` lists the tenants this consent connected. A token that
/// is not a readable JWT has none, and every tenant is listed.
fn authentication_event(access: &SecretString) -> Option<String> {
    let payload = access.expose_secret().split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims
        .get("authentication_event_id")?
        .as_str()
        .map(str::to_owned)
}

impl Xero<'_> {
    fn accounting(
        &self,
        access: &SecretString,
        tenant: &str,
        path: &str,
    ) -> reqwest::RequestBuilder {
        self.apps
            .http()
            .get(format!("{}{path}", self.app.endpoints.api_url))
            .bearer_auth(access.expose_secret())
            .header("xero-tenant-id", tenant)
            .header("accept", "application/json")
    }

    /// The organisation this authorization connected (the first, when the admin ticked
    /// several on Xero's consent page).
    pub async fn tenant(&self, access: &SecretString) -> Result<Tenant, AccountingError> {
        let url = self
            .app
            .endpoints
            .connections_url
            .clone()
            .ok_or(AccountingError::NotConfigured(PROVIDER))?;
        let mut request = self
            .apps
            .http()
            .get(url)
            .bearer_auth(access.expose_secret())
            .header("accept", "application/json");
        if let Some(event) = authentication_event(access) {
            request = request.query(&[("authEventId", event)]);
        }
        let connections: Vec<XeroConnection> = call(PROVIDER, request, message_of).await?;
        connections
            .into_iter()
            .find(|connection| connection.tenant_type == "ORGANISATION")
            .map(|connection| Tenant {
                name: connection
                    .tenant_name
                    .unwrap_or_else(|| "Xero organisation".to_owned()),
                id: connection.tenant_id,
                connection_id: Some(connection.id),
            })
            .ok_or_else(|| {
                AccountingError::AuthorizationRefused(
                    "no Xero organisation was connected".to_owned(),
                )
            })
    }

    /// The active bank accounts of `tenant`, by name.
    pub async fn bank_accounts(
        &self,
        access: &SecretString,
        tenant: &str,
    ) -> Result<Vec<DepositAccount>, AccountingError> {
        let request = self.accounting(access, tenant, "/Accounts").query(&[
            ("where", "Status==\"ACTIVE\" AND Type==\"BANK\""),
            ("order", "Name"),
        ]);
        let accounts: Accounts = call(PROVIDER, request, message_of).await?;
        Ok(accounts
            .accounts
            .into_iter()
            .map(|account| DepositAccount {
                name: match account.code {
                    Some(code) if !code.is_empty() => format!("{} ({code})", account.name),
                    _ => account.name,
                },
                id: account.account_id,
            })
            .collect())
    }

    /// Deletes the tenant connection `connection` (204; 404 when it is gone already).
    pub async fn delete_connection(
        &self,
        access: &SecretString,
        connection: &str,
    ) -> Result<(), AccountingError> {
        let Some(url) = &self.app.endpoints.connections_url else {
            return Ok(());
        };
        let status = send(
            PROVIDER,
            self.apps
                .http()
                .delete(format!("{url}/{connection}"))
                .bearer_auth(access.expose_secret()),
        )
        .await?;
        // 401: the access token expired; the revocation that follows ends the connection.
        if status.is_success() || status.as_u16() == 404 || status.as_u16() == 401 {
            return Ok(());
        }
        Err(AccountingError::Refused {
            provider: PROVIDER,
            status: status.as_u16(),
            message: "the tenant connection could not be deleted".to_owned(),
        })
    }

    /// Revokes `refresh` (RFC 7009: a form with the token, the client's Basic credentials).
    pub async fn revoke(&self, refresh: &SecretString) -> Result<(), AccountingError> {
        let status = send(
            PROVIDER,
            self.apps
                .http()
                .post(&self.app.endpoints.revoke_url)
                .basic_auth(
                    &self.app.client_id,
                    Some(self.app.client_secret.expose_secret()),
                )
                .form(&[("token", refresh.expose_secret())]),
        )
        .await?;
        revoked(PROVIDER, status)
    }
}

/// One payment as Xero records it: against one invoice, into one account.
pub struct InvoicePayment<'a> {
    /// At most 128 characters; the same key for every attempt of this payment and invoice.
    pub idempotency_key: &'a str,
    pub invoice_id: &'a str,
    pub account_id: &'a str,
    /// `YYYY-MM-DD`.
    pub date: &'a str,
    pub amount: &'a crate::domain::money::Money,
    pub reference: &'a str,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PaymentsAnswer {
    payments: Vec<PaymentAnswer>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PaymentAnswer {
    #[serde(rename = "PaymentID")]
    payment_id: Option<String>,
    #[serde(default)]
    has_validation_errors: bool,
    #[serde(default)]
    validation_errors: Vec<ValidationError>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ValidationError {
    message: String,
}

impl Xero<'_> {
    fn write(
        &self,
        access: &SecretString,
        tenant: &str,
        method: reqwest::Method,
        path: &str,
        idempotency_key: &str,
    ) -> reqwest::RequestBuilder {
        self.apps
            .http()
            .request(method, format!("{}{path}", self.app.endpoints.api_url))
            .bearer_auth(access.expose_secret())
            .header("xero-tenant-id", tenant)
            .header("accept", "application/json")
            .header("idempotency-key", idempotency_key)
    }

    /// Records `payment` (`PUT /Payments`, one payment per request: a 200 can carry a
    /// validation error per element otherwise); answers Xero's `PaymentID`.
    pub async fn record_invoice_payment(
        &self,
        access: &SecretString,
        tenant: &str,
        payment: &InvoicePayment<'_>,
    ) -> Result<String, AccountingError> {
        let body = serde_json::json!({
            "Payments": [{
                "Invoice": { "InvoiceID": payment.invoice_id },
                "Account": { "AccountID": payment.account_id },
                "Date": payment.date,
                "Amount": crate::services::accounting::connector::json_amount(PROVIDER, payment.amount)?,
                "Reference": payment.reference,
            }]
        });
        let request = self
            .write(
                access,
                tenant,
                reqwest::Method::PUT,
                "/Payments",
                payment.idempotency_key,
            )
            .json(&body);
        let answer: PaymentsAnswer = call(PROVIDER, request, message_of).await?;
        let recorded = answer.payments.into_iter().next();
        match recorded {
            Some(PaymentAnswer {
                payment_id: Some(id),
                has_validation_errors: false,
                ..
            }) => Ok(id),
            Some(refused) => Err(AccountingError::Refused {
                provider: PROVIDER,
                status: 400,
                message: refused
                    .validation_errors
                    .into_iter()
                    .map(|error| error.message)
                    .next()
                    .unwrap_or_else(|| "the payment was not recorded".to_owned()),
            }),
            None => Err(AccountingError::Unreadable {
                provider: PROVIDER,
                detail: "no payment in the answer".to_owned(),
            }),
        }
    }

    /// Deletes payment `payment_id` (`POST /Payments/{id}` with the bare `{"Status":"DELETED"}`,
    /// the `PaymentDelete` schema).
    pub async fn delete_payment(
        &self,
        access: &SecretString,
        tenant: &str,
        idempotency_key: &str,
        payment_id: &str,
    ) -> Result<(), AccountingError> {
        let request = self
            .write(
                access,
                tenant,
                reqwest::Method::POST,
                &format!("/Payments/{payment_id}"),
                idempotency_key,
            )
            .json(&serde_json::json!({ "Status": "DELETED" }));
        let _: serde_json::Value = call(PROVIDER, request, message_of).await?;
        Ok(())
    }
}

/// A revocation's answer: done, or a token the provider no longer knows (revoked already,
/// which is what was asked).
pub(crate) fn revoked(
    provider: AccountingProvider,
    status: reqwest::StatusCode,
) -> Result<(), AccountingError> {
    if status.is_success() || status.as_u16() == 400 {
        return Ok(());
    }
    Err(AccountingError::Refused {
        provider,
        status: status.as_u16(),
        message: "the token could not be revoked".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_authentication_event_is_read_from_the_access_token() {
        let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"authentication_event_id":"d99ecdfe-1ef6-4d3c-a8a9-7f5e8f2a1a11"}"#);
        let token = SecretString::from(format!("eyJhbGciOiJSUzI1NiJ9.{claims}.signature"));
        assert_eq!(
            authentication_event(&token).as_deref(),
            Some("d99ecdfe-1ef6-4d3c-a8a9-7f5e8f2a1a11")
        );
        assert_eq!(
            authentication_event(&SecretString::from("opaque".to_owned())),
            None
        );
    }

    #[test]
    fn refusals_carry_xeros_message_and_first_validation_error() {
        let body = serde_json::json!({
            "ErrorNumber": 10,
            "Type": "ValidationException",
            "Message": "A validation exception occurred",
            "Elements": [{"ValidationErrors": [{"Message": "Account code '090' is not a valid code"}]}]
        });
        assert_eq!(
            message_of(&body).as_deref(),
            Some("A validation exception occurred: Account code '090' is not a valid code")
        );
        let forbidden = serde_json::json!({"Title": "Forbidden", "Status": 403, "Detail": "AuthenticationUnsuccessful"});
        assert_eq!(
            message_of(&forbidden).as_deref(),
            Some("AuthenticationUnsuccessful")
        );
        assert_eq!(message_of(&serde_json::json!({"Accounts": []})), None);
    }
}
