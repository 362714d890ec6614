//! An in-process rate limiter keyed by text (a client's address, an API key's hash): a token
//! bucket per key. It guards work that happens before any database-backed limit can count, such
//! as opening a session or answering an API request, so a flood costs the server memory and a
//! lock, never a database write. Each server instance counts on its own: several instances
//! together allow their sum.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How many requests a key may make: `burst` at once, then one every `refill_every`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub burst: u32,
    pub refill_every: Duration,
}

/// A refused request: when the key may try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

impl RetryAfter {
    /// Whole seconds, rounded up and at least one, as `Retry-After` states them.
    pub fn seconds(&self) -> u64 {
        self.0.as_secs() + u64::from(self.0.subsec_nanos() > 0)
    }
}

/// Keys beyond this many make the limiter forget every key whose bucket is full again (those
/// are the same as unknown keys), so memory stays bounded by the keys active in one burst.
const PRUNE_ABOVE_KEYS: usize = 10_000;

#[derive(Clone)]
pub struct RateLimiter {
    rate: Rate,
    /// Per key, the time its bucket is full again (the generic cell rate algorithm's
    /// "theoretical arrival time"): each request pushes it `refill_every` later, and a request
    /// is allowed while it lies less than a burst's worth of refills ahead. Integer time, so the
    /// figures are exact.
    full_at: Arc<Mutex<HashMap<String, Instant>>>,
}

impl RateLimiter {
    pub fn new(rate: Rate) -> Self {
        Self {
            rate,
            full_at: Arc::default(),
        }
    }

    /// Takes one request's token for `key` now, or says how long until one is free.
    pub fn check(&self, key: &str) -> Result<(), RetryAfter> {
        self.check_at(key, Instant::now())
    }

    fn check_at(&self, key: &str, now: Instant) -> Result<(), RetryAfter> {
        let tolerance = self.rate.refill_every * self.rate.burst.saturating_sub(1);
        let mut full_at = self
            .full_at
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if full_at.len() > PRUNE_ABOVE_KEYS {
            full_at.retain(|_, at| *at > now);
        }
        let current = full_at.get(key).copied().unwrap_or(now).max(now);
        let ahead = current - now;
        if ahead > tolerance {
            return Err(RetryAfter(ahead - tolerance));
        }
        full_at.insert(key.to_owned(), current + self.rate.refill_every);
        Ok(())
    }
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter")
            .field("rate", &self.rate)
            .finish_non_exhaustive()
    }
}

/// The limiter on sessions opened per client (its address, as [`super::request::ClientAddress`]
/// counts it). A real visitor opens one per merchant and per 30 idle minutes; an office behind
/// one address opens a few dozen a day.
#[derive(Debug, Clone)]
pub struct SessionOpenings(pub RateLimiter);

impl SessionOpenings {
    pub const RATE: Rate = Rate {
        burst: 30,
        refill_every: Duration::from_secs(10),
    };

    pub fn new() -> Self {
        Self(RateLimiter::new(Self::RATE))
    }
}

impl Default for SessionOpenings {
    fn default() -> Self {
        Self::new()
    }
}

/// The limiter on cards entered (each one a tokenization at the processor): card testers try
/// hundreds of stolen numbers through any form that says which ones work. A customer whose
/// card is refused tries another two or three; past that the session, or the client's network,
/// waits.
#[derive(Debug, Clone)]
pub struct CardAttempts {
    pub per_session: RateLimiter,
    pub per_client: RateLimiter,
}

impl CardAttempts {
    pub const PER_SESSION: Rate = Rate {
        burst: 5,
        refill_every: Duration::from_secs(10 * 60),
    };
    pub const PER_CLIENT: Rate = Rate {
        burst: 20,
        refill_every: Duration::from_secs(3 * 60),
    };

    pub fn new() -> Self {
        Self {
            per_session: RateLimiter::new(Self::PER_SESSION),
            per_client: RateLimiter::new(Self::PER_CLIENT),
        }
    }

    /// Takes one attempt for the session and one for the client, or says when to come back.
    pub fn check(&self, session: &str, client: &str) -> Result<(), RetryAfter> {
        self.per_session.check(session)?;
        self.per_client.check(client)
    }
}

impl Default for CardAttempts {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(burst: u32, seconds: u64) -> RateLimiter {
        RateLimiter::new(Rate {
            burst,
            refill_every: Duration::from_secs(seconds),
        })
    }

    #[test]
    fn a_key_gets_its_burst_then_waits_for_the_refill() {
        let limiter = limiter(3, 10);
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check_at("a", start), Ok(()));
        }
        let refused = limiter.check_at("a", start).unwrap_err();
        assert_eq!(refused.seconds(), 10);
        let later = start + Duration::from_secs(4);
        assert_eq!(limiter.check_at("a", later).unwrap_err().seconds(), 6);
        assert_eq!(
            limiter.check_at("a", start + Duration::from_secs(10)),
            Ok(())
        );
        assert!(
            limiter
                .check_at("a", start + Duration::from_secs(10))
                .is_err()
        );
    }

    #[test]
    fn keys_are_counted_apart() {
        let limiter = limiter(1, 60);
        let now = Instant::now();
        assert_eq!(limiter.check_at("a", now), Ok(()));
        assert!(limiter.check_at("a", now).is_err());
        assert_eq!(limiter.check_at("b", now), Ok(()));
    }

    #[test]
    fn a_bucket_never_holds_more_than_its_burst() {
        let limiter = limiter(2, 1);
        let start = Instant::now();
        assert_eq!(limiter.check_at("a", start), Ok(()));
        let much_later = start + Duration::from_secs(3600);
        assert_eq!(limiter.check_at("a", much_later), Ok(()));
        assert_eq!(limiter.check_at("a", much_later), Ok(()));
        assert!(limiter.check_at("a", much_later).is_err());
    }

    #[test]
    fn idle_keys_are_forgotten_once_there_are_many() {
        let limiter = limiter(1, 1);
        let start = Instant::now();
        for key in 0..=PRUNE_ABOVE_KEYS {
            assert_eq!(limiter.check_at(&key.to_string(), start), Ok(()));
        }
        let refilled = start + Duration::from_secs(2);
        assert_eq!(limiter.check_at("new", refilled), Ok(()));
        assert_eq!(limiter.full_at.lock().unwrap().len(), 1);
    }

    #[test]
    fn retry_after_rounds_up_to_a_whole_second() {
        assert_eq!(RetryAfter(Duration::from_millis(1)).seconds(), 1);
        assert_eq!(RetryAfter(Duration::from_secs(2)).seconds(), 2);
        assert_eq!(RetryAfter(Duration::from_millis(2001)).seconds(), 3);
    }
}
