//! Integration tests: the real application on a random port against a real database, driven
//! over HTTP. Every test runs twice, on SQLite and on PostgreSQL (see `helpers::both_databases`).

mod helpers;

mod billing_link;
mod health;
mod security;
mod storage;
