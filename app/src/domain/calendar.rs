//! Bank business days: the days a scheduled debit or charge may be collected on.
//!
//! A collection never falls on a Saturday, a Sunday or a bank holiday of the merchant's country:
//! the US Federal Reserve's holidays, or the Canadian federal statutory holidays that Payments
//! Canada does not clear on. The rules are the published ones, computed for any year, so that a
//! plan made in December knows the next year's holidays.
//!
//! Observance: in the United States a holiday on a Sunday is observed on the Monday; one on a
//! Saturday is not moved (the Federal Reserve stays open on the Friday before). In Canada a
//! holiday on a weekend is observed on the next weekday that is not itself a holiday, which
//! puts Boxing Day on the Tuesday when Christmas takes the Monday.

use crate::domain::merchant::Country;
use time::{Date, Month, Weekday};

/// The holidays a merchant's collections keep clear of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BankCalendar {
    UsFederalReserve,
    CanadianStatutory,
}

impl BankCalendar {
    pub fn of(country: Country) -> Self {
        match country {
            Country::UnitedStates => Self::UsFederalReserve,
            Country::Canada => Self::CanadianStatutory,
        }
    }

    /// The holiday observed on `date`, by its name, if there is one.
    pub fn holiday_on(self, date: Date) -> Option<&'static str> {
        self.observed(date.year())
            .into_iter()
            .find(|(observed, _)| *observed == date)
            .map(|(_, name)| name)
    }

    pub fn is_business_day(self, date: Date) -> bool {
        !is_weekend(date) && self.holiday_on(date).is_none()
    }

    /// `date` itself when it is a business day, otherwise the first business day after it.
    pub fn on_or_after(self, date: Date) -> Date {
        let mut day = date;
        while !self.is_business_day(day) {
            day = day.next_day().unwrap_or(day);
        }
        day
    }

    /// `date` itself when it is a business day, otherwise the last business day before it.
    pub fn on_or_before(self, date: Date) -> Date {
        let mut day = date;
        while !self.is_business_day(day) {
            day = day.previous_day().unwrap_or(day);
        }
        day
    }

    /// The holidays of `year` on the days they are observed, in date order.
    pub fn observed(self, year: i32) -> Vec<(Date, &'static str)> {
        match self {
            Self::UsFederalReserve => us_federal_reserve(year),
            Self::CanadianStatutory => canadian_statutory(year),
        }
    }
}

fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

fn day(year: i32, month: Month, day: u8) -> Option<Date> {
    Date::from_calendar_date(year, month, day).ok()
}

/// The `nth` (1-based) `weekday` of a month.
fn nth_weekday(year: i32, month: Month, weekday: Weekday, nth: u8) -> Option<Date> {
    let first = day(year, month, 1)?;
    let ahead =
        (weekday.number_days_from_monday() + 7 - first.weekday().number_days_from_monday()) % 7;
    day(year, month, 1 + ahead + 7 * (nth - 1))
}

/// The last `weekday` of a month.
fn last_weekday(year: i32, month: Month, weekday: Weekday) -> Option<Date> {
    let last = day(year, month, month.length(year))?;
    let back =
        (last.weekday().number_days_from_monday() + 7 - weekday.number_days_from_monday()) % 7;
    day(year, month, last.day() - back)
}

/// Easter Sunday of the Gregorian calendar (the anonymous algorithm, as in Meeus).
fn easter_sunday(year: i32) -> Option<Date> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = Month::try_from(u8::try_from((h + l - 7 * m + 114) / 31).ok()?).ok()?;
    let day_of_month = u8::try_from((h + l - 7 * m + 114) % 31 + 1).ok()?;
    day(year, month, day_of_month)
}

fn us_federal_reserve(year: i32) -> Vec<(Date, &'static str)> {
    // A fixed-date holiday on a Sunday is observed on the Monday; on a Saturday it is not moved.
    let fixed = |month, date, name| {
        day(year, month, date).map(|date: Date| {
            let observed = if date.weekday() == Weekday::Sunday {
                date.next_day().unwrap_or(date)
            } else {
                date
            };
            (observed, name)
        })
    };
    let floating = |date: Option<Date>, name| date.map(|date| (date, name));
    let mut holidays: Vec<_> = [
        fixed(Month::January, 1, "New Year's Day"),
        floating(
            nth_weekday(year, Month::January, Weekday::Monday, 3),
            "Martin Luther King Jr. Day",
        ),
        floating(
            nth_weekday(year, Month::February, Weekday::Monday, 3),
            "Washington's Birthday",
        ),
        floating(
            last_weekday(year, Month::May, Weekday::Monday),
            "Memorial Day",
        ),
        fixed(Month::June, 19, "Juneteenth"),
        fixed(Month::July, 4, "Independence Day"),
        floating(
            nth_weekday(year, Month::September, Weekday::Monday, 1),
            "Labor Day",
        ),
        floating(
            nth_weekday(year, Month::October, Weekday::Monday, 2),
            "Columbus Day",
        ),
        fixed(Month::November, 11, "Veterans Day"),
        floating(
            nth_weekday(year, Month::November, Weekday::Thursday, 4),
            "Thanksgiving Day",
        ),
        fixed(Month::December, 25, "Christmas Day"),
    ]
    .into_iter()
    .flatten()
    .collect();
    holidays.sort();
    holidays
}

fn canadian_statutory(year: i32) -> Vec<(Date, &'static str)> {
    let good_friday =
        easter_sunday(year).and_then(|easter| easter.checked_sub(time::Duration::days(2)));
    // Victoria Day: the Monday before May 25.
    let victoria_day = day(year, Month::May, 24).map(|date| {
        let back = date.weekday().number_days_from_monday();
        date.checked_sub(time::Duration::days(i64::from(back)))
            .unwrap_or(date)
    });
    let floating: Vec<(Date, &'static str)> = [
        (good_friday, "Good Friday"),
        (victoria_day, "Victoria Day"),
        (
            nth_weekday(year, Month::September, Weekday::Monday, 1),
            "Labour Day",
        ),
        (
            nth_weekday(year, Month::October, Weekday::Monday, 2),
            "Thanksgiving",
        ),
    ]
    .into_iter()
    .filter_map(|(date, name)| date.map(|date| (date, name)))
    .collect();
    let fixed: Vec<(Date, &'static str)> = [
        (day(year, Month::January, 1), "New Year's Day"),
        (day(year, Month::July, 1), "Canada Day"),
        (
            day(year, Month::September, 30),
            "National Day for Truth and Reconciliation",
        ),
        (day(year, Month::November, 11), "Remembrance Day"),
        (day(year, Month::December, 25), "Christmas Day"),
        (day(year, Month::December, 26), "Boxing Day"),
    ]
    .into_iter()
    .filter_map(|(date, name)| date.map(|date| (date, name)))
    .collect();
    let mut holidays = floating;
    // In date order, so that Christmas takes its Monday before Boxing Day looks for one.
    for (date, name) in fixed {
        let mut observed = date;
        while is_weekend(observed) || holidays.iter().any(|(taken, _)| *taken == observed) {
            observed = observed.next_day().unwrap_or(observed);
        }
        holidays.push((observed, name));
    }
    holidays.sort();
    holidays
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    const US: BankCalendar = BankCalendar::UsFederalReserve;
    const CA: BankCalendar = BankCalendar::CanadianStatutory;

    #[test]
    fn the_federal_reserve_holidays_of_2026_are_its_published_ones() {
        let dates: Vec<Date> = US
            .observed(2026)
            .into_iter()
            .map(|(date, _)| date)
            .collect();
        assert_eq!(
            dates,
            [
                date!(2026 - 01 - 01),
                date!(2026 - 01 - 19),
                date!(2026 - 02 - 16),
                date!(2026 - 05 - 25),
                date!(2026 - 06 - 19),
                // July 4 is a Saturday: the Federal Reserve does not move it.
                date!(2026 - 07 - 04),
                date!(2026 - 09 - 07),
                date!(2026 - 10 - 12),
                date!(2026 - 11 - 11),
                date!(2026 - 11 - 26),
                date!(2026 - 12 - 25),
            ]
        );
    }

    #[test]
    fn a_us_holiday_on_a_sunday_is_observed_on_the_monday() {
        // New Year's Day 2023 was a Sunday; Juneteenth 2022 too.
        assert_eq!(US.holiday_on(date!(2023 - 01 - 02)), Some("New Year's Day"));
        assert_eq!(US.holiday_on(date!(2022 - 06 - 20)), Some("Juneteenth"));
        assert!(US.is_business_day(date!(2026 - 07 - 03)));
    }

    #[test]
    fn the_canadian_holidays_of_2026_include_good_friday_and_victoria_day() {
        let holidays = CA.observed(2026);
        let dates: Vec<Date> = holidays.iter().map(|(date, _)| *date).collect();
        assert_eq!(
            dates,
            [
                date!(2026 - 01 - 01),
                date!(2026 - 04 - 03),
                date!(2026 - 05 - 18),
                date!(2026 - 07 - 01),
                date!(2026 - 09 - 07),
                date!(2026 - 09 - 30),
                date!(2026 - 10 - 12),
                date!(2026 - 11 - 11),
                date!(2026 - 12 - 25),
                // Boxing Day is a Saturday: observed on the Monday.
                date!(2026 - 12 - 28),
            ]
        );
    }

    #[test]
    fn when_christmas_takes_the_monday_boxing_day_takes_the_tuesday() {
        // 2027: Christmas is a Saturday, Boxing Day a Sunday.
        assert_eq!(CA.holiday_on(date!(2027 - 12 - 27)), Some("Christmas Day"));
        assert_eq!(CA.holiday_on(date!(2027 - 12 - 28)), Some("Boxing Day"));
        assert!(CA.is_business_day(date!(2027 - 12 - 29)));
    }

    #[test]
    fn easter_falls_on_its_known_dates() {
        assert_eq!(easter_sunday(2026), Some(date!(2026 - 04 - 05)));
        assert_eq!(easter_sunday(2027), Some(date!(2027 - 03 - 28)));
        assert_eq!(easter_sunday(2038), Some(date!(2038 - 04 - 25)));
    }

    #[test]
    fn a_weekend_or_holiday_moves_to_the_next_or_previous_business_day() {
        // Thanksgiving 2026 is Thursday Nov 26.
        assert_eq!(US.on_or_after(date!(2026 - 11 - 26)), date!(2026 - 11 - 27));
        assert_eq!(
            US.on_or_before(date!(2026 - 11 - 26)),
            date!(2026 - 11 - 25)
        );
        // Saturday Dec 26, 2026 in Canada: Monday is Boxing Day observed.
        assert_eq!(CA.on_or_after(date!(2026 - 12 - 26)), date!(2026 - 12 - 29));
        assert_eq!(CA.on_or_after(date!(2026 - 12 - 02)), date!(2026 - 12 - 02));
    }

    proptest! {
        #[test]
        fn every_year_has_its_holidays_on_weekdays_and_each_once(year in 2000i32..2100) {
            for calendar in [US, CA] {
                let holidays = calendar.observed(year);
                let expected = match calendar {
                    BankCalendar::UsFederalReserve => 11,
                    BankCalendar::CanadianStatutory => 10,
                };
                prop_assert_eq!(holidays.len(), expected);
                for pair in holidays.windows(2) {
                    prop_assert!(pair[0].0 < pair[1].0, "{:?}", holidays);
                }
                if calendar == CA {
                    for (date, name) in &holidays {
                        prop_assert!(!is_weekend(*date), "{} on {}", name, date);
                    }
                }
            }
        }

        #[test]
        fn the_business_day_found_is_one_and_none_is_skipped(
            year in 2000i32..2100, ordinal in 1u16..=365,
        ) {
            let start = Date::from_ordinal_date(year, ordinal).unwrap();
            for calendar in [US, CA] {
                let after = calendar.on_or_after(start);
                prop_assert!(calendar.is_business_day(after));
                prop_assert!(after >= start && (after - start).whole_days() <= 5);
                let mut day = start;
                while day < after {
                    prop_assert!(!calendar.is_business_day(day));
                    day = day.next_day().unwrap();
                }
                let before = calendar.on_or_before(start);
                prop_assert!(calendar.is_business_day(before) && before <= start);
            }
        }
    }
}
