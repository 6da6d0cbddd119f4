//! Go's `time.Time` as Sprig's date functions see it: the [`Time`] value (UTC instant),
//! Go's `Time.Format` layouts, the template object (`.Unix`, `.Format`, printing), Sprig's
//! date argument rule ([`to_time`]) and `time.Duration` printing. A leaf below `dates`.

use std::fmt::Write as _;

use crate::util::strval;
use gotemplate::{Context, FuncError, GoObject, GoValue};

/// A Go `time.Time` (UTC, second precision plus nanoseconds).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Time {
    pub secs: i64,
    pub nanos: u32,
}

impl Time {
    /// Go's zero time.Time (0001-01-01 00:00:00 UTC).
    pub const ZERO: Time = Time {
        secs: -62_135_596_800,
        nanos: 0,
    };

    /// This time plus a (possibly negative) number of nanoseconds.
    pub fn add_nanos(&self, d: i128) -> Time {
        let total = self.secs as i128 * 1_000_000_000 + self.nanos as i128 + d;
        Time {
            secs: total.div_euclid(1_000_000_000) as i64,
            nanos: total.rem_euclid(1_000_000_000) as u32,
        }
    }

    pub fn now() -> Time {
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Time {
            secs: d.as_secs() as i64,
            nanos: d.subsec_nanos(),
        }
    }

    /// Go's Time.Format with a reference layout (`2006-01-02T15:04:05Z07:00`).
    pub fn format(&self, layout: &str) -> String {
        self.format_in(layout, 0, "UTC")
    }

    /// Go's Time.Format in a zone with this UTC offset (seconds) and abbreviation.
    pub fn format_in(&self, layout: &str, offset: i32, abbr: &str) -> String {
        use chrono::{Datelike, Timelike};
        let dt = chrono::DateTime::from_timestamp(self.secs + offset as i64, self.nanos)
            .unwrap_or_default();
        let sign = if offset < 0 { '-' } else { '+' };
        let abs = offset.unsigned_abs();
        let (oh, om, os) = (abs / 3600, (abs % 3600) / 60, abs % 60);
        let hour12 = if dt.hour().is_multiple_of(12) {
            12
        } else {
            dt.hour() % 12
        };
        let mut out = String::new();
        let mut rest = layout;
        while !rest.is_empty() {
            let Some((std, len)) = next_std(rest) else {
                let mut chars = rest.chars();
                out.extend(chars.next());
                rest = chars.as_str();
                continue;
            };
            let text = match std {
                Std::LongMonth => MONTHS[dt.month0() as usize].to_string(),
                Std::Month => MONTHS[dt.month0() as usize][..3].to_string(),
                Std::NumMonth => dt.month().to_string(),
                Std::ZeroMonth => format!("{:02}", dt.month()),
                Std::LongWeekDay => DAYS[dt.weekday().num_days_from_sunday() as usize].to_string(),
                Std::WeekDay => DAYS[dt.weekday().num_days_from_sunday() as usize][..3].to_string(),
                Std::Day => dt.day().to_string(),
                Std::UnderDay => format!("{:>2}", dt.day()),
                Std::ZeroDay => format!("{:02}", dt.day()),
                Std::UnderYearDay => format!("{:>3}", dt.ordinal()),
                Std::ZeroYearDay => format!("{:03}", dt.ordinal()),
                Std::Hour => format!("{:02}", dt.hour()),
                Std::Hour12 => hour12.to_string(),
                Std::ZeroHour12 => format!("{hour12:02}"),
                Std::Minute => dt.minute().to_string(),
                Std::ZeroMinute => format!("{:02}", dt.minute()),
                Std::Second => dt.second().to_string(),
                Std::ZeroSecond => format!("{:02}", dt.second()),
                Std::LongYear => format!("{:04}", dt.year()),
                Std::Year => format!("{:02}", dt.year().rem_euclid(100)),
                Std::PM => (if dt.hour() >= 12 { "PM" } else { "AM" }).to_string(),
                Std::Pm => (if dt.hour() >= 12 { "pm" } else { "am" }).to_string(),
                Std::TZ => abbr.to_string(),
                Std::Zone {
                    z,
                    colon,
                    minutes,
                    seconds,
                } => {
                    if z && offset == 0 {
                        "Z".to_string()
                    } else {
                        let sep = if colon { ":" } else { "" };
                        let mut t = format!("{sign}{oh:02}");
                        if minutes {
                            t.push_str(&format!("{sep}{om:02}"));
                        }
                        if seconds {
                            t.push_str(&format!("{sep}{os:02}"));
                        }
                        t
                    }
                }
                Std::Frac { sep, digits, trim } => {
                    let f = format!("{:09}", dt.nanosecond());
                    let f = &f[..digits];
                    let f = if trim { f.trim_end_matches('0') } else { f };
                    if f.is_empty() {
                        String::new()
                    } else {
                        format!("{sep}{f}")
                    }
                }
            };
            out.push_str(&text);
            rest = &rest[len..];
        }
        out
    }
}

/// A layout element of Go's `Time.Format`.
#[derive(Clone, Copy)]
enum Std {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    TZ,
    Zone {
        z: bool,
        colon: bool,
        minutes: bool,
        seconds: bool,
    },
    Frac {
        sep: char,
        digits: usize,
        trim: bool,
    },
}

/// The layout element `layout` starts with and its length in bytes, read as Go's
/// `Time.Format` documents them: `January Jan 1 01 Monday Mon 2 _2 02 __2 002 15 3 03 4 04 5
/// 05 2006 06 PM pm MST`, the zone forms (`Z07:00:00 -07:00:00 Z070000 -070000 Z07:00 -07:00
/// Z0700 -0700 Z07 -07`) and fractional seconds (`.` or `,` then a run of `0`s or `9`s not
/// followed by a digit). Anything else is literal.
fn next_std(layout: &str) -> Option<(Std, usize)> {
    let b = layout.as_bytes();
    let has = |p: &str| layout.starts_with(p);
    let at = |i: usize| b.get(i).copied();
    Some(match b[0] {
        b'J' if has("January") => (Std::LongMonth, 7),
        b'J' if has("Jan") => (Std::Month, 3),
        b'M' if has("Monday") => (Std::LongWeekDay, 6),
        b'M' if has("Mon") => (Std::WeekDay, 3),
        b'M' if has("MST") => (Std::TZ, 3),
        b'0' => match at(1) {
            Some(b'1') => (Std::ZeroMonth, 2),
            Some(b'2') => (Std::ZeroDay, 2),
            Some(b'3') => (Std::ZeroHour12, 2),
            Some(b'4') => (Std::ZeroMinute, 2),
            Some(b'5') => (Std::ZeroSecond, 2),
            Some(b'6') => (Std::Year, 2),
            Some(b'0') if at(2) == Some(b'2') => (Std::ZeroYearDay, 3),
            _ => return None,
        },
        b'1' if at(1) == Some(b'5') => (Std::Hour, 2),
        b'1' => (Std::NumMonth, 1),
        b'2' if has("2006") => (Std::LongYear, 4),
        b'2' => (Std::Day, 1),
        b'_' if at(1) == Some(b'2') => {
            // `_2006` is a literal `_` before the year.
            if has("_2006") {
                return None;
            }
            (Std::UnderDay, 2)
        }
        b'_' if has("__2") => (Std::UnderYearDay, 3),
        b'3' => (Std::Hour12, 1),
        b'4' => (Std::Minute, 1),
        b'5' => (Std::Second, 1),
        b'P' if at(1) == Some(b'M') => (Std::PM, 2),
        b'p' if at(1) == Some(b'm') => (Std::Pm, 2),
        b'-' | b'Z' => {
            let z = b[0] == b'Z';
            let zone = |colon, minutes, seconds| Std::Zone {
                z,
                colon,
                minutes,
                seconds,
            };
            let tail = &layout[1..];
            if tail.starts_with("070000") {
                (zone(false, true, true), 7)
            } else if tail.starts_with("07:00:00") {
                (zone(true, true, true), 9)
            } else if tail.starts_with("0700") {
                (zone(false, true, false), 5)
            } else if tail.starts_with("07:00") {
                (zone(true, true, false), 6)
            } else if tail.starts_with("07") {
                (zone(false, false, false), 3)
            } else {
                return None;
            }
        }
        c @ (b'.' | b',') if matches!(at(1), Some(b'0' | b'9')) => {
            let d = b[1];
            let run = b[1..].iter().take_while(|&&x| x == d).count();
            if at(1 + run).is_some_and(|x| x.is_ascii_digit()) {
                return None;
            }
            (
                Std::Frac {
                    sep: c as char,
                    digits: run.min(9),
                    trim: d == b'9',
                },
                1 + run,
            )
        }
        _ => return None,
    })
}

impl GoObject for Time {
    fn type_name(&self) -> &str {
        "time.Time"
    }
    fn kind(&self) -> &str {
        "struct"
    }
    fn has_method(&self, name: &str) -> bool {
        matches!(name, "Unix" | "Nanosecond" | "Format" | "Year" | "UTC")
    }
    fn method(&self, name: &str, args: &[GoValue]) -> Option<Result<GoValue, FuncError>> {
        Some(Ok(match name {
            "Unix" => GoValue::Int(self.secs),
            "Nanosecond" => GoValue::Int(self.nanos as i64),
            "Year" => GoValue::Int(self.format("2006").parse().unwrap_or(0)),
            "Format" => {
                GoValue::from(self.format(args.first().map(strval).unwrap_or_default().as_str()))
            }
            "UTC" => GoValue::object(Time {
                secs: self.secs,
                nanos: self.nanos,
            }),
            _ => return None,
        }))
    }
    fn string(&self) -> Option<String> {
        Some(self.format("2006-01-02 15:04:05.999999999 -0700 MST"))
    }
    /// `MarshalJSON`: RFC 3339 with nanoseconds, trailing zeros of the fraction dropped.
    fn to_value(&self) -> GoValue {
        GoValue::from(self.format("2006-01-02T15:04:05.999999999Z07:00"))
    }
}

/// Sprig's date argument: a time.Time or Unix seconds (int); anything else (float64 values
/// included) means "now", which is recorded as a notice. Times are formatted in UTC.
pub(crate) fn to_time(st: &mut Context<'_>, v: &GoValue) -> Time {
    match v {
        GoValue::Int(i) => Time { secs: *i, nanos: 0 },
        GoValue::Object(o) if o.type_name() == "time.Time" => {
            match (o.method("Unix", &[]), o.method("Nanosecond", &[])) {
                (Some(Ok(GoValue::Int(s))), Some(Ok(GoValue::Int(n)))) => Time {
                    secs: s,
                    nanos: n as u32,
                },
                _ => Time::now(),
            }
        }
        _ => {
            st.notice("now");
            Time::now()
        }
    }
}

/// Go's time.Duration String() for a number of seconds.
pub(crate) fn go_duration(secs: f64) -> String {
    let total = secs as i64;
    if total == 0 {
        return "0s".into();
    }
    let neg = total < 0;
    let t = total.unsigned_abs();
    let (h, m, s) = (t / 3600, (t % 3600) / 60, t % 60);
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if h > 0 {
        let _ = write!(out, "{h}h{m}m{s}s");
    } else if m > 0 {
        let _ = write!(out, "{m}m{s}s");
    } else {
        let _ = write!(out, "{s}s");
    }
    out
}

/// Go's month names (`time.Month.String`), shared by time formatting and parsing.
pub(crate) const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Go's weekday names (`time.Weekday.String`).
pub(crate) const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Go's layout elements, as Helm printed them for 2023-11-14 22:13:20 UTC.
    #[test]
    fn layouts_read_as_gos() {
        let t = Time {
            secs: 1_700_000_000,
            nanos: 0,
        };
        assert_eq!(
            t.format("42|3 4 5|002|__2|_2006|_2|Z07:00:00 -070000 Z0700 -07|.00 ,999 .0000000000"),
            "1314|10 13 20|318|318|_2023|14|Z +000000 Z +00|.00  .000000000"
        );
        assert_eq!(
            t.format("01/02/06 15:04:05 PM pm Mon Monday Jan January MST|1 2 00 07 Z -"),
            "11/14/23 22:13:20 PM pm Tue Tuesday Nov November UTC|11 14 00 07 Z -"
        );
        assert_eq!(
            t.format_in("3:4:5 -07:00:00 Z07:00 MST", 19_800, "IST"),
            "3:43:20 +05:30:00 +05:30 IST"
        );
    }
}
