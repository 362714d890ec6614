//! Integration tests: the real application on a random port against a real database, driven
//! over HTTP. Every test runs twice, on SQLite and on PostgreSQL (see `helpers::both_databases`).

mod fakes;
mod helpers;

mod accounting_connections;
mod accounting_records;
mod admin;
mod api_access;
mod api_customers;
mod api_document;
mod api_errors;
mod api_idempotency;
mod api_invoices;
mod api_merchant;
mod api_payments;
mod api_refunds;

mod billing_link;
mod dashboard;
mod dashboard_access;
mod dashboard_customers;
mod dashboard_invoices;
mod dashboard_overview;
mod dashboard_refunds;
mod dashboard_settings;
mod fuzz;
mod health;
mod installment_concurrency;
mod installments;
mod jobs;
mod security;
mod sign_in;
mod static_files;
mod storage;
mod wizard_invoices;
mod wizard_payments;
