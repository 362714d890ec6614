//! When a failed job runs again: exponential back-off with a cap, and a last attempt after
//! which the job is dead-lettered with its error for a person to look at.
//!
//! The delays double from [`FIRST_DELAY_SECONDS`] and stop growing at [`CAP_SECONDS`], so a
//! mail server that is down for an afternoon still gets its messages, and one that never comes
//! back stops being asked after [`MAX_ATTEMPTS`] tries (about six and a half hours in all).

/// The delay after the first failure.
pub const FIRST_DELAY_SECONDS: i64 = 10;
/// No wait between two attempts is longer than this.
pub const CAP_SECONDS: i64 = 3600;
/// The attempt after which a failing job is dead.
pub const MAX_ATTEMPTS: i64 = 15;

/// What to do with a job whose attempt number `attempt` (1 for the first run) failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Run it again this many seconds from now.
    RetryInSeconds(i64),
    /// Stop: it failed [`MAX_ATTEMPTS`] times.
    DeadLetter,
}

pub fn after_failure(attempt: i64) -> AfterFailure {
    if attempt >= MAX_ATTEMPTS {
        return AfterFailure::DeadLetter;
    }
    let doublings = u32::try_from(attempt.saturating_sub(1))
        .unwrap_or(0)
        .min(20);
    let delay = FIRST_DELAY_SECONDS
        .saturating_mul(1_i64 << doublings)
        .min(CAP_SECONDS);
    AfterFailure::RetryInSeconds(delay)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_from_the_first_failure() {
        assert_eq!(after_failure(1), AfterFailure::RetryInSeconds(10));
        assert_eq!(after_failure(2), AfterFailure::RetryInSeconds(20));
        assert_eq!(after_failure(3), AfterFailure::RetryInSeconds(40));
    }

    #[test]
    fn delays_stop_growing_at_the_cap() {
        assert_eq!(after_failure(10), AfterFailure::RetryInSeconds(CAP_SECONDS));
        assert_eq!(
            after_failure(MAX_ATTEMPTS - 1),
            AfterFailure::RetryInSeconds(CAP_SECONDS)
        );
    }

    #[test]
    fn the_last_attempt_dead_letters_the_job() {
        assert_eq!(after_failure(MAX_ATTEMPTS), AfterFailure::DeadLetter);
        assert_eq!(after_failure(i64::MAX), AfterFailure::DeadLetter);
    }

    #[test]
    fn a_nonsense_attempt_number_retries_soon_rather_than_panicking() {
        assert_eq!(after_failure(0), AfterFailure::RetryInSeconds(10));
        assert_eq!(after_failure(-5), AfterFailure::RetryInSeconds(10));
    }

    #[test]
    fn all_retries_together_take_hours_not_days() {
        let total: i64 = (1..MAX_ATTEMPTS)
            .map(|attempt| match after_failure(attempt) {
                AfterFailure::RetryInSeconds(seconds) => seconds,
                AfterFailure::DeadLetter => 0,
            })
            .sum();
        assert!((3 * 3600..24 * 3600).contains(&total), "{total}");
    }
}
