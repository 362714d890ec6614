//! Named places where the fault harness (`scripts/faults.sh`) kills the server, to show that
//! no payment or email is lost or doubled by a crash there. Compiled in only with the
//! `crash-points` feature; in every other build [`reached`] is an empty function.

/// With the `crash-points` feature: when `PORTICO_CRASH_AT` names this point, the process dies
/// on the spot, as under `kill -9` (no destructor runs, no buffer is flushed, nothing is
/// committed that was not committed already).
#[cfg(feature = "crash-points")]
pub fn reached(point: &str) {
    if std::env::var("PORTICO_CRASH_AT").is_ok_and(|armed| armed == point) {
        std::process::abort();
    }
}

#[cfg(not(feature = "crash-points"))]
#[inline(always)]
pub fn reached(_point: &str) {}

/// Every crash point, for the harness to go through.
pub const ALL: [&str; 9] = [
    "confirm.after_payment_insert",
    "confirm.after_processor_call",
    "confirm.after_status_change",
    "worker.after_claim",
    "worker.after_send",
    "worker.before_complete",
    "settlement.after_status_change",
    "refund.after_hold",
    "refund.after_processor_call",
];
