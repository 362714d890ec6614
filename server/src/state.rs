//! What every request shares: the application's state, handed to axum's router and from it to
//! the handlers (each extracts the part it needs, through `FromRef`) and to the server functions
//! (as Leptos context, by `startup`). Built once, in `Application::build`; cheap to clone, since
//! each part is a handle.
//!
//! It lives apart from `startup` so that the modules startup assembles (`api`, `web`) can name
//! it without depending on startup.

use crate::api::rate_limit::ApiRequests;
use crate::worker::Worker;
use app::domain::public_url::PublicUrl;
use app::services::Database;
use app::services::accounting::apps::AccountingApps;
use app::services::checkout::PaymentServices;
use app::services::keys::Keys;
use app::services::mail::{MailFrom, Mailer};
use app::services::processors::Processor;
use app::services::rate_limit::{CardAttempts, SessionOpenings};
use app::services::request::CookiePolicy;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;

/// Everything a request handler or server function may need, shared by all requests.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Database,
    pub mailer: Mailer,
    pub mail_from: MailFrom,
    pub public_url: PublicUrl,
    pub keys: Keys,
    pub cookie_policy: CookiePolicy,
    pub processor: Processor,
    pub session_openings: SessionOpenings,
    pub card_attempts: CardAttempts,
    pub api_requests: ApiRequests,
    pub accounting: AccountingApps,
}

impl AppState {
    pub fn payment_services(&self) -> PaymentServices {
        PaymentServices {
            db: self.db.clone(),
            processor: self.processor.clone(),
            keys: self.keys.clone(),
        }
    }

    pub fn worker(&self) -> Worker {
        Worker {
            payments: self.payment_services(),
            mailer: self.mailer.clone(),
            from: self.mail_from.clone(),
            accounting: self.accounting.clone(),
            public_url: self.public_url.clone(),
        }
    }
}
