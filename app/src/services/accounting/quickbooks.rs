//! QuickBooks Online (Accounting API v3): the company a token opens, its bank accounts, and
//! revoking the tokens. Every call asks for JSON (QuickBooks answers XML otherwise) and pins
//! `minorversion` (below 75 QuickBooks ignores the figure and answers in 75 anyway).

use crate::domain::accounting::AccountingProvider;
use crate::services::accounting::AccountingError;
use crate::services::accounting::apps::{AccountingApps, ProviderApp};
use crate::services::accounting::connector::{DepositAccount, Tenant, call, send};
use crate::services::accounting::xero::revoked;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

const PROVIDER: AccountingProvider = AccountingProvider::QuickBooks;

/// The minor version of the Accounting API every request is read and answered in.
pub const MINOR_VERSION: &str = "75";

pub struct QuickBooks<'a> {
    pub apps: &'a AccountingApps,
    pub app: &'a ProviderApp,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CompanyInfoAnswer {
    company_info: CompanyInfo,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CompanyInfo {
    company_name: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct QueryAnswer<T> {
    query_response: T,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct AccountRows {
    /// Absent when nothing matched (QuickBooks answers `"QueryResponse":{}`).
    account: Vec<Account>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Account {
    id: String,
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InvoiceAnswer {
    invoice: Invoice,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Invoice {
    customer_ref: Reference,
}

#[derive(Debug, Deserialize)]
struct Reference {
    value: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PaymentAnswer {
    payment: PaymentEntity,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PaymentEntity {
    id: String,
    sync_token: String,
}

/// One Portico payment as QuickBooks records it: one Payment whose lines link each invoice.
pub struct CompanyPayment<'a> {
    /// At most 50 characters, unique in the company; the same for every attempt.
    pub request_id: &'a str,
    /// `(invoice id, amount)` for each invoice paid.
    pub lines: Vec<(&'a str, &'a crate::domain::money::Money)>,
    pub total: &'a crate::domain::money::Money,
    /// `YYYY-MM-DD`.
    pub date: &'a str,
    /// `None`: Undeposited Funds.
    pub deposit_account: Option<&'a str>,
    pub note: &'a str,
}

/// What QuickBooks says in a fault: the data service's `Fault.Error[]` (which can come with a
/// 200), or the gateway's lowercase `fault.error[]` of a 401 or 403.
pub(crate) fn message_of(body: &serde_json::Value) -> Option<String> {
    let error = body
        .pointer("/Fault/Error/0")
        .or_else(|| body.pointer("/fault/error/0"))?;
    let text = |key: &str| {
        error
            .get(key)
            .or_else(|| error.get(key.to_lowercase()))
            .and_then(|value| value.as_str())
            .filter(|text| !text.is_empty())
    };
    Some(match (text("Message"), text("Detail")) {
        (Some(message), Some(detail)) if message != detail => format!("{message}: {detail}"),
        (Some(message), _) => message.to_owned(),
        (None, Some(detail)) => detail.to_owned(),
        (None, None) => "QuickBooks refused the request".to_owned(),
    })
}

impl QuickBooks<'_> {
    fn get(&self, access: &SecretString, realm: &str, path: &str) -> reqwest::RequestBuilder {
        self.apps
            .http()
            .get(format!(
                "{}/v3/company/{realm}/{path}",
                self.app.endpoints.api_url
            ))
            .query(&[("minorversion", MINOR_VERSION)])
            .bearer_auth(access.expose_secret())
            .header("accept", "application/json")
    }

    /// The company `realm` (named by the callback), with its name.
    pub async fn company(
        &self,
        access: &SecretString,
        realm: Option<&str>,
    ) -> Result<Tenant, AccountingError> {
        let realm = realm
            .filter(|realm| !realm.is_empty() && realm.bytes().all(|byte| byte.is_ascii_digit()))
            .ok_or_else(|| AccountingError::Unreadable {
                provider: PROVIDER,
                detail: "the callback named no company (realmId)".to_owned(),
            })?;
        let answer: CompanyInfoAnswer = call(
            PROVIDER,
            self.get(access, realm, &format!("companyinfo/{realm}")),
            message_of,
        )
        .await?;
        Ok(Tenant {
            id: realm.to_owned(),
            name: answer.company_info.company_name,
            connection_id: None,
        })
    }

    /// The active bank accounts of company `realm`, by name.
    pub async fn bank_accounts(
        &self,
        access: &SecretString,
        realm: &str,
    ) -> Result<Vec<DepositAccount>, AccountingError> {
        let request = self.get(access, realm, "query").query(&[(
            "query",
            "select * from Account where AccountType = 'Bank' and Active = true ORDERBY Name MAXRESULTS 1000",
        )]);
        let answer: QueryAnswer<AccountRows> = call(PROVIDER, request, message_of).await?;
        Ok(answer
            .query_response
            .account
            .into_iter()
            .map(|account| DepositAccount {
                id: account.id,
                name: account.name,
            })
            .collect())
    }

    fn post(
        &self,
        access: &SecretString,
        realm: &str,
        path: &str,
        query: &[(&str, &str)],
    ) -> reqwest::RequestBuilder {
        self.apps
            .http()
            .post(format!(
                "{}/v3/company/{realm}/{path}",
                self.app.endpoints.api_url
            ))
            .query(&[("minorversion", MINOR_VERSION)])
            .query(query)
            .bearer_auth(access.expose_secret())
            .header("accept", "application/json")
    }

    /// Records `payment`: its customer is read from the first invoice (every line of one
    /// Payment must be of one customer, as one Portico payment is); answers the Payment's id.
    pub async fn create_payment(
        &self,
        access: &SecretString,
        realm: &str,
        payment: &CompanyPayment<'_>,
    ) -> Result<String, AccountingError> {
        let (first_invoice, _) =
            payment
                .lines
                .first()
                .ok_or_else(|| AccountingError::Unreadable {
                    provider: PROVIDER,
                    detail: "a payment of no invoice".to_owned(),
                })?;
        let invoice: InvoiceAnswer = call(
            PROVIDER,
            self.get(access, realm, &format!("invoice/{first_invoice}")),
            message_of,
        )
        .await?;
        let lines = payment
            .lines
            .iter()
            .map(|(invoice, amount)| {
                Ok(serde_json::json!({
                    "Amount": crate::services::accounting::connector::json_amount(PROVIDER, amount)?,
                    "LinkedTxn": [{ "TxnId": invoice, "TxnType": "Invoice" }],
                }))
            })
            .collect::<Result<Vec<_>, AccountingError>>()?;
        let mut body = serde_json::json!({
            "CustomerRef": { "value": invoice.invoice.customer_ref.value },
            "TotalAmt": crate::services::accounting::connector::json_amount(PROVIDER, payment.total)?,
            "TxnDate": payment.date,
            "PrivateNote": payment.note,
            "Line": lines,
        });
        if let Some(account) = payment.deposit_account {
            body["DepositToAccountRef"] = serde_json::json!({ "value": account });
        }
        let request = self
            .post(
                access,
                realm,
                "payment",
                &[("requestid", payment.request_id)],
            )
            .json(&body);
        let answer: PaymentAnswer = call(PROVIDER, request, message_of).await?;
        Ok(answer.payment.id)
    }

    /// Voids Payment `payment_id` (`operation=update&include=void`, with its current
    /// SyncToken, read first): QuickBooks keeps it with its amounts zeroed, and the invoices
    /// owe again.
    pub async fn void_payment(
        &self,
        access: &SecretString,
        realm: &str,
        request_id: &str,
        payment_id: &str,
    ) -> Result<(), AccountingError> {
        let current: PaymentAnswer = call(
            PROVIDER,
            self.get(access, realm, &format!("payment/{payment_id}")),
            message_of,
        )
        .await?;
        let request = self
            .post(
                access,
                realm,
                "payment",
                &[
                    ("operation", "update"),
                    ("include", "void"),
                    ("requestid", request_id),
                ],
            )
            .json(&serde_json::json!({
                "Id": current.payment.id,
                "SyncToken": current.payment.sync_token,
                "sparse": true,
            }));
        let _: PaymentAnswer = call(PROVIDER, request, message_of).await?;
        Ok(())
    }

    /// Revokes `refresh` (Intuit's revocation takes JSON `{"token"}` with Basic credentials).
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
                .header("accept", "application/json")
                .json(&serde_json::json!({ "token": refresh.expose_secret() })),
        )
        .await?;
        revoked(PROVIDER, status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_read_from_both_of_quickbooks_error_shapes() {
        let data_service = serde_json::json!({
            "Fault": {"Error": [{"Message": "Object Not Found", "Detail": "Object Not Found : Something you're trying to use has been made inactive.", "code": "610", "element": ""}], "type": "ValidationFault"},
            "time": "2026-12-08T09:17:31.892-08:00"
        });
        assert_eq!(
            message_of(&data_service).as_deref(),
            Some(
                "Object Not Found: Object Not Found : Something you're trying to use has been made inactive."
            )
        );
        let gateway = serde_json::json!({
            "warnings": null, "intuitObject": null,
            "fault": {"error": [{"message": "message=AuthenticationFailed; errorCode=003200; statusCode=401", "detail": "Token expired", "code": "3200", "element": null}], "type": "AUTHENTICATION"},
            "time": 1633520295688_i64
        });
        assert_eq!(
            message_of(&gateway).as_deref(),
            Some("message=AuthenticationFailed; errorCode=003200; statusCode=401: Token expired")
        );
        assert_eq!(message_of(&serde_json::json!({"QueryResponse": {}})), None);
    }
}
