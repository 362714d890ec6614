//! The merchants behind billing links, kept in memory for a few seconds.
//!
//! Every page of the wizard, and every brand stylesheet, starts by finding the merchant its link
//! names; on SQLite that read cost four fifths of step 1's time (the README's page figures). A
//! merchant's name, colour and contact change rarely, and a customer seeing the old ones for
//! [`MERCHANT_CACHE_TTL`] is harmless, so the lookup is kept that long. The database stays the
//! record: nothing is written here but what was just read, a slug that names no merchant is not
//! kept (a new merchant's link works at once), and each server instance keeps its own copy.

use crate::domain::merchant::{MerchantBranding, MerchantId, MerchantSlug};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a merchant read from the database is served from memory.
pub const MERCHANT_CACHE_TTL: Duration = Duration::from_secs(10);

/// More merchants than one instance keeps at once: past this, expired entries are dropped, and
/// if none had expired, all of them.
const CAPACITY: usize = 10_000;

#[derive(Default)]
pub struct MerchantCache {
    entries: Mutex<HashMap<MerchantSlug, Entry>>,
}

struct Entry {
    read_at: Instant,
    merchant_id: MerchantId,
    branding: MerchantBranding,
}

impl MerchantCache {
    /// The merchant at `slug`, if it was read from the database less than the TTL before `now`.
    pub fn get(&self, slug: &MerchantSlug, now: Instant) -> Option<(MerchantId, MerchantBranding)> {
        let entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        entries
            .get(slug)
            .filter(|entry| now.saturating_duration_since(entry.read_at) < MERCHANT_CACHE_TTL)
            .map(|entry| (entry.merchant_id, entry.branding.clone()))
    }

    /// Keeps what was read from the database at `read_at`.
    pub fn put(&self, merchant_id: MerchantId, branding: &MerchantBranding, read_at: Instant) {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.len() >= CAPACITY && !entries.contains_key(&branding.slug) {
            entries.retain(|_, entry| {
                read_at.saturating_duration_since(entry.read_at) < MERCHANT_CACHE_TTL
            });
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(
            branding.slug.clone(),
            Entry {
                read_at,
                merchant_id,
                branding: branding.clone(),
            },
        );
    }

    /// Drops what is kept of `slug`, so that a change the merchant just made shows on this
    /// instance's next page (a read already under way may still keep the old one for the TTL).
    pub fn forget(&self, slug: &MerchantSlug) {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(slug);
    }

    fn len(&self) -> usize {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .len()
    }
}

impl std::fmt::Debug for MerchantCache {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("MerchantCache")
            .field("merchants", &self.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::merchant::{AccentColour, Country};

    fn branding(slug: &str) -> MerchantBranding {
        MerchantBranding {
            slug: MerchantSlug::parse(slug).expect("a valid slug"),
            display_name: format!("{slug} Ltd"),
            accent_colour: AccentColour::parse("#1d4ed8").expect("a valid colour"),
            country: Country::UnitedStates,
            support_email: None,
            logo_url: None,
        }
    }

    #[test]
    fn a_merchant_is_served_from_memory_until_its_ttl_runs_out() {
        let cache = MerchantCache::default();
        let id = MerchantId::new_random();
        let read_at = Instant::now();
        let northwind = branding("northwind");
        cache.put(id, &northwind, read_at);
        assert_eq!(
            cache.get(&northwind.slug, read_at + MERCHANT_CACHE_TTL / 2),
            Some((id, northwind.clone()))
        );
        assert_eq!(
            cache.get(&northwind.slug, read_at + MERCHANT_CACHE_TTL),
            None
        );
    }

    #[test]
    fn a_forgotten_merchant_is_read_again() {
        let cache = MerchantCache::default();
        let now = Instant::now();
        let northwind = branding("northwind");
        cache.put(MerchantId::new_random(), &northwind, now);
        cache.forget(&northwind.slug);
        assert_eq!(cache.get(&northwind.slug, now), None);
    }

    #[test]
    fn an_unknown_slug_is_not_found_in_memory() {
        let cache = MerchantCache::default();
        let slug = MerchantSlug::parse("nobody").expect("a valid slug");
        assert_eq!(cache.get(&slug, Instant::now()), None);
    }

    #[test]
    fn a_full_cache_makes_room_by_dropping_what_expired() {
        let cache = MerchantCache::default();
        let long_ago = Instant::now();
        let now = long_ago + MERCHANT_CACHE_TTL * 2;
        for n in 0..CAPACITY - 1 {
            cache.put(
                MerchantId::new_random(),
                &branding(&format!("old-{n}")),
                long_ago,
            );
        }
        cache.put(MerchantId::new_random(), &branding("fresh"), now);
        assert_eq!(cache.len(), CAPACITY);
        cache.put(MerchantId::new_random(), &branding("newest"), now);
        assert_eq!(cache.len(), 2);
        assert!(cache.get(&branding("fresh").slug, now).is_some());
    }

    #[test]
    fn a_cache_full_of_current_merchants_starts_over_rather_than_grow() {
        let cache = MerchantCache::default();
        let now = Instant::now();
        for n in 0..CAPACITY {
            cache.put(MerchantId::new_random(), &branding(&format!("m-{n}")), now);
        }
        cache.put(MerchantId::new_random(), &branding("one-more"), now);
        assert_eq!(cache.len(), 1);
    }
}
