//! Timestamps and dates as the database stores them: text that sorts the way time runs.

use time::format_description::FormatItem;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

/// Fixed width, always UTC, always six fractional digits: the text order is the time order,
/// which keyset pagination relies on.
const TIMESTAMP: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");
const DATE: &[FormatItem<'static>] = format_description!("[year]-[month]-[day]");

pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

pub fn today() -> Date {
    now().date()
}

pub fn timestamp_text(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(TIMESTAMP)
        .unwrap_or_default()
}

/// A date as people read it in North America: `Nov 27, 2026`.
pub fn date_for_people(date: Date) -> String {
    date.format(format_description!(
        "[month repr:short] [day padding:none], [year]"
    ))
    .unwrap_or_default()
}

pub fn date_text(date: Date) -> String {
    date.format(DATE).unwrap_or_default()
}

/// The first instant of `date` (UTC) as stored timestamps compare with it: they are RFC 3339
/// text in UTC, so `created_at >= day_start_text(date)` is "on or after that day".
pub fn day_start_text(date: Date) -> String {
    format!("{}T00:00:00", date_text(date))
}

/// The date `days` business days (Monday to Friday; bank holidays are not known here) after
/// `date`.
pub fn add_business_days(date: Date, days: u32) -> Date {
    let mut day = date;
    let mut left = days;
    while left > 0 {
        day = day.next_day().unwrap_or(day);
        if !matches!(
            day.weekday(),
            time::Weekday::Saturday | time::Weekday::Sunday
        ) {
            left -= 1;
        }
    }
    day
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a date must be a real calendar date written YYYY-MM-DD")]
pub struct DateError;

/// Reads an ISO 8601 calendar date (`2026-11-27`), the only form the API accepts: exactly four
/// year digits (no sign, no expanded years), so that stored dates also sort as text.
pub fn parse_date(text: &str) -> Result<Date, DateError> {
    let shape_ok = text.len() == 10
        && text.bytes().enumerate().all(|(index, byte)| match index {
            4 | 7 => byte == b'-',
            _ => byte.is_ascii_digit(),
        });
    if !shape_ok {
        return Err(DateError);
    }
    Date::parse(text, DATE).map_err(|_| DateError)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn business_days_skip_weekends() {
        // 2026-11-27 is a Friday.
        assert_eq!(
            add_business_days(date!(2026 - 11 - 27), 3),
            date!(2026 - 12 - 02)
        );
        assert_eq!(
            add_business_days(date!(2026 - 11 - 28), 1),
            date!(2026 - 11 - 30)
        );
        assert_eq!(
            add_business_days(date!(2026 - 11 - 23), 5),
            date!(2026 - 11 - 30)
        );
        assert_eq!(
            add_business_days(date!(2026 - 11 - 23), 0),
            date!(2026 - 11 - 23)
        );
    }

    #[test]
    fn timestamps_have_a_fixed_width_so_text_order_is_time_order() {
        let early = timestamp_text(datetime!(2026-11-27 09:05:01 UTC));
        let late = timestamp_text(datetime!(2026-11-27 09:05:01.5 UTC));
        assert_eq!(early, "2026-11-27T09:05:01.000000Z");
        assert_eq!(late, "2026-11-27T09:05:01.500000Z");
        assert!(early < late);
    }

    #[test]
    fn dates_for_people_spell_the_month() {
        assert_eq!(
            date_for_people(parse_date("2026-11-07").unwrap()),
            "Nov 7, 2026"
        );
    }

    #[test]
    fn dates_are_iso_8601() {
        let date = parse_date("2026-02-28").unwrap();
        assert_eq!(date_text(date), "2026-02-28");
        assert!(parse_date("2026-02-30").is_err());
        assert!(parse_date("28/02/2026").is_err());
        assert!(parse_date("-0005-01-01").is_err());
        assert!(parse_date("+2026-11-01").is_err());
        assert!(parse_date("2026-1-01").is_err());
    }
}
