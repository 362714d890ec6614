//! The Portico server: configuration, start-up, the HTTP routes that are not Leptos pages, and
//! the admin CLI's commands. `main.rs` only parses the command line and calls in here.

pub mod admin;
pub mod api;
pub mod config;
pub mod database;
pub mod demo;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod web;
pub mod worker;
