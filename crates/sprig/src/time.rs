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
        let (oh, om) = (
            offset.unsigned_abs() / 3600,
            (offset.unsigned_abs() % 3600) / 60,
        );
        let zone = |colon: bool, z: bool, minutes: bool| {
            if z && offset == 0 {
                return "Z".to_string();
            }
            match (minutes, colon) {
                (false, _) => format!("{sign}{oh:02}"),
                (true, true) => format!("{sign}{oh:02}:{om:02}"),
                (true, false) => format!("{sign}{oh:02}{om:02}"),
            }
        };
        let mut out = String::new();
        let mut rest = layout;
        while !rest.is_empty() {
            let trimmed_frac = |digits: usize| {
                let f = format!("{:09}", dt.nanosecond());
                let f = f[..digits].trim_end_matches('0');
                if f.is_empty() {
                    String::new()
                } else {
                    format!(".{f}")
                }
            };
            let tokens: [(&str, &dyn Fn() -> String); 31] = [
                ("January", &|| MONTHS[dt.month0() as usize].to_string()),
                ("Monday", &|| {
                    DAYS[dt.weekday().num_days_from_sunday() as usize].to_string()
                }),
                ("2006", &|| format!("{:04}", dt.year())),
                ("Jan", &|| MONTHS[dt.month0() as usize][..3].to_string()),
                ("Mon", &|| {
                    DAYS[dt.weekday().num_days_from_sunday() as usize][..3].to_string()
                }),
                ("MST", &|| abbr.to_string()),
                ("Z07:00", &|| zone(true, true, true)),
                ("-07:00", &|| zone(true, false, true)),
                ("-0700", &|| zone(false, false, true)),
                ("Z0700", &|| zone(false, true, true)),
                ("-07", &|| zone(false, false, false)),
                ("Z07", &|| zone(false, true, false)),
                (".999999999", &|| trimmed_frac(9)),
                (".999999", &|| trimmed_frac(6)),
                (".999", &|| trimmed_frac(3)),
                (".000000000", &|| format!(".{:09}", dt.nanosecond())),
                (".000000", &|| format!(".{:06}", dt.nanosecond() / 1000)),
                (".000", &|| format!(".{:03}", dt.nanosecond() / 1_000_000)),
                ("01", &|| format!("{:02}", dt.month())),
                ("02", &|| format!("{:02}", dt.day())),
                ("_2", &|| format!("{:>2}", dt.day())),
                ("15", &|| format!("{:02}", dt.hour())),
                ("03", &|| {
                    format!(
                        "{:02}",
                        if dt.hour().is_multiple_of(12) {
                            12
                        } else {
                            dt.hour() % 12
                        }
                    )
                }),
                ("04", &|| format!("{:02}", dt.minute())),
                ("05", &|| format!("{:02}", dt.second())),
                ("06", &|| format!("{:02}", dt.year() % 100)),
                ("PM", &|| {
                    if dt.hour() >= 12 {
                        "PM".into()
                    } else {
                        "AM".into()
                    }
                }),
                ("pm", &|| {
                    if dt.hour() >= 12 {
                        "pm".into()
                    } else {
                        "am".into()
                    }
                }),
                ("1", &|| dt.month().to_string()),
                ("2", &|| dt.day().to_string()),
                ("3", &|| {
                    (if dt.hour().is_multiple_of(12) {
                        12
                    } else {
                        dt.hour() % 12
                    })
                    .to_string()
                }),
            ];
            if let Some((tok, f)) = tokens.iter().find(|(t, _)| rest.starts_with(t)) {
                out.push_str(&f());
                rest = &rest[tok.len()..];
            } else {
                let mut chars = rest.chars();
                out.extend(chars.next());
                rest = chars.as_str();
            }
        }
        out
    }
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
