//! `/api/v1/customers`: the businesses a merchant bills, and who may pay for them.

use crate::api::document;
use crate::api::extract::{ApiJson, ApiMerchant, ApiQuery};
use crate::api::problem::{Problem, ProblemType};
use crate::api::{ListQuery, page_request};
use app::domain::email::EmailAddress;
use app::domain::ids::CustomerId;
use app::domain::merchant::Country;
use app::domain::text::{ExternalId, LegalName};
use app::services::Database;
use app::services::customers::{self, Customer, CustomerError, NewCustomer};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A customer to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCustomerBody {
    /// The business's legal name.
    #[schema(value_type = document::LegalName)]
    pub name: String,
    /// The first contact: an email address allowed to pay for this customer.
    #[schema(value_type = document::EmailAddress)]
    pub email: String,
    /// Where the business is.
    #[schema(value_type = document::CountryCode)]
    pub country: String,
    /// The customer's id in your accounting software; no other customer of yours may have it.
    #[schema(value_type = Option<document::ExternalId>)]
    pub external_id: Option<String>,
}

/// A contact email to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContactBody {
    /// The address to allow.
    #[schema(value_type = document::EmailAddress)]
    pub email: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerBody {
    pub id: String,
    pub name: String,
    #[schema(value_type = document::CountryCode)]
    pub country: String,
    /// The email addresses allowed to pay for this customer.
    pub contacts: Vec<String>,
    /// Whether a contact has filled in the business details on a first visit.
    pub profile_completed: bool,
    pub external_id: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerList {
    pub data: Vec<CustomerBody>,
    /// Pass as `cursor` to read the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl From<Customer> for CustomerBody {
    fn from(customer: Customer) -> Self {
        Self {
            id: customer.id.to_string(),
            name: customer.legal_name.into(),
            country: customer.country.code().to_owned(),
            contacts: customer.contacts.into_iter().map(String::from).collect(),
            profile_completed: customer.profile_completed,
            external_id: customer.external_id.map(String::from),
            created_at: customer.created_at,
        }
    }
}

fn problem(error: CustomerError) -> Problem {
    match error {
        CustomerError::NotFound => Problem::not_found("customer"),
        CustomerError::ExternalIdTaken(id) => Problem::about(
            ProblemType::Conflict,
            "external_id",
            format!("Another customer already has the external id “{id}”."),
        ),
        CustomerError::ContactNotFound(email) => Problem::new(
            ProblemType::NotFound,
            format!("{email} is not a contact of this customer."),
        ),
        CustomerError::LastContact => Problem::conflict(
            "A customer keeps at least one contact email: add the new one before removing the last.",
        ),
        error @ (CustomerError::CorruptRow(_) | CustomerError::Storage(_)) => {
            Problem::internal("customer request", &error)
        }
    }
}

pub(crate) fn parse_customer_id(text: &str) -> Result<CustomerId, Problem> {
    CustomerId::parse(text).map_err(|_| Problem::not_found("customer"))
}

/// Create a customer with its first contact email.
#[utoipa::path(
    post, path = "/api/v1/customers", tag = "customers",
    request_body = NewCustomerBody,
    responses(
        (status = 201, description = "The customer was created", body = CustomerBody),
        (status = 400, response = document::BadRequest),
        (status = 401, response = document::Unauthorized),
        (status = 409, response = document::Conflict),
        (status = 413, response = document::PayloadTooLarge),
        (status = 415, response = document::UnsupportedMediaType),
        (status = 422, response = document::ValidationFailed),
        (status = 500, response = document::InternalError),
    ),
    security(("api_key" = []))
)]
pub async fn create_customer(
    ApiMerchant(merchant): ApiMerchant,
    State(db): State<Database>,
    ApiJson(body): ApiJson<NewCustomerBody>,
) -> Result<(StatusCode, Json<CustomerBody>), Problem> {
    let customer = NewCustomer {
        legal_name: LegalName::parse(&body.name)
            .map_err(|error| Problem::invalid("name", error))?,
        contact: EmailAddress::parse(&body.email)
            .map_err(|error| Problem::invalid("email", error))?,
        country: Country::parse(&body.country)
            .map_err(|error| Problem::invalid("country", error))?,
        external_id: body
            .external_id
            .as_deref()
            .map(ExternalId::parse)
            .transpose()
            .map_err(|error| Problem::invalid("external_id", error))?,
    };
    let created = customers::create(&db, merchant, &customer)
        .await
        .map_err(problem)?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// List customers, oldest first.
#[utoipa::path(
    get, path = "/api/v1/customers", tag = "customers",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of customers", body = CustomerList),
        (status = 400, response = document::BadRequest),
        (status = 401, response = document::Unauthorized),
        (status = 422, response = document::ValidationFailed),
        (status = 500, response = document::InternalError),
    ),
    security(("api_key" = []))
)]
pub async fn list_customers(
    ApiMerchant(merchant): ApiMerchant,
    State(db): State<Database>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<CustomerList>, Problem> {
    let page = page_request(query.limit.as_deref(), query.cursor.as_deref())?;
    let found = customers::list(&db, merchant, &page)
        .await
        .map_err(problem)?;
    Ok(Json(CustomerList {
        data: found.items.into_iter().map(CustomerBody::from).collect(),
        next_cursor: found.next.map(|cursor| cursor.encode()),
    }))
}

/// Read one customer.
#[utoipa::path(
    get, path = "/api/v1/customers/{id}", tag = "customers",
    params(("id" = document::Id, Path, description = "The customer's id")),
    responses(
        (status = 200, description = "The customer", body = CustomerBody),
        (status = 400, response = document::BadRequest),
        (status = 401, response = document::Unauthorized),
        (status = 404, response = document::NotFound),
        (status = 500, response = document::InternalError),
    ),
    security(("api_key" = []))
)]
pub async fn get_customer(
    ApiMerchant(merchant): ApiMerchant,
    State(db): State<Database>,
    Path(id): Path<String>,
) -> Result<Json<CustomerBody>, Problem> {
    let id = parse_customer_id(&id)?;
    let customer = customers::get(&db, merchant, id).await.map_err(problem)?;
    Ok(Json(customer.into()))
}

/// Allow another email address to pay for this customer. Adding one it already has changes
/// nothing.
#[utoipa::path(
    post, path = "/api/v1/customers/{id}/contacts", tag = "customers",
    request_body = NewContactBody,
    params(("id" = document::Id, Path, description = "The customer's id")),
    responses(
        (status = 200, description = "The customer with its contacts", body = CustomerBody),
        (status = 400, response = document::BadRequest),
        (status = 401, response = document::Unauthorized),
        (status = 404, response = document::NotFound),
        (status = 409, response = document::Conflict),
        (status = 413, response = document::PayloadTooLarge),
        (status = 415, response = document::UnsupportedMediaType),
        (status = 422, response = document::ValidationFailed),
        (status = 500, response = document::InternalError),
    ),
    security(("api_key" = []))
)]
pub async fn add_contact(
    ApiMerchant(merchant): ApiMerchant,
    State(db): State<Database>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewContactBody>,
) -> Result<Json<CustomerBody>, Problem> {
    let id = parse_customer_id(&id)?;
    let email =
        EmailAddress::parse(&body.email).map_err(|error| Problem::invalid("email", error))?;
    let customer = customers::add_contact(&db, merchant, id, &email)
        .await
        .map_err(problem)?;
    Ok(Json(customer.into()))
}

/// Which contact to remove. In the query string, not the path, so that email addresses never
/// reach the request log (which records paths only).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ContactQuery {
    /// The contact email to remove.
    #[param(value_type = document::EmailAddress)]
    pub email: String,
}

/// Stop an email address from paying for this customer. The last contact cannot be removed.
#[utoipa::path(
    delete, path = "/api/v1/customers/{id}/contacts", tag = "customers",
    params(("id" = document::Id, Path, description = "The customer's id"), ContactQuery),
    responses(
        (status = 200, description = "The customer with its remaining contacts", body = CustomerBody),
        (status = 400, response = document::BadRequest),
        (status = 401, response = document::Unauthorized),
        (status = 404, response = document::NotFound),
        (status = 409, response = document::Conflict),
        (status = 422, response = document::ValidationFailed),
        (status = 500, response = document::InternalError),
    ),
    security(("api_key" = []))
)]
pub async fn remove_contact(
    ApiMerchant(merchant): ApiMerchant,
    State(db): State<Database>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ContactQuery>,
) -> Result<Json<CustomerBody>, Problem> {
    let id = parse_customer_id(&id)?;
    let email =
        EmailAddress::parse(&query.email).map_err(|error| Problem::invalid("email", error))?;
    let customer = customers::remove_contact(&db, merchant, id, &email)
        .await
        .map_err(problem)?;
    Ok(Json(customer.into()))
}
