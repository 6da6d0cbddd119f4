//! Sprig's date functions: `now`, `date`, `dateInZone`, `htmlDate`, `htmlDateInZone`,
//! `unixEpoch`, `ago`, `duration`, and date arithmetic and parsing (`toDate`, `mustToDate`,
//! `dateModify`, `mustDateModify`, `durationRound`).
//!
//! Go's `time.Parse` layouts and `time.ParseDuration` syntax are reproduced here, and zones for
//! `dateInZone`/`htmlDateInZone` are loaded from the system zone database (TZif files under
//! `/usr/share/zoneinfo`, as Go's LoadLocation does); formatting and the `time.Time` object live
//! in `time` ([`Time`]). Times are instants in UTC: Helm runs
//! with `Local` = UTC in CI, so `toDate` parses in UTC; an explicit offset in the text shifts
//! the instant (Go would also keep the offset for printing, which we do not).

use crate::time::{Time, go_duration, to_time};
use crate::util::{arg_str, ok_str, table};
use gotemplate::GoValue;
use gotemplate::gofmt::quote_go;

pub(crate) fn register(m: &mut gotemplate::FuncMap) {
    table! { m;
        "toDate" [Str, Str] => |_, a| Ok(GoValue::object(
            parse_time(arg_str(&a[0]), arg_str(&a[1])).unwrap_or(Time::ZERO)
        ));
        "mustToDate" [Str, Str] => |_, a| parse_time(arg_str(&a[0]), arg_str(&a[1])).map(GoValue::object);
        "dateModify" [Str, Any] => |_, a| {
            let t = time_arg(&a[1])?;
            Ok(GoValue::object(match parse_duration(arg_str(&a[0])) {
                Ok(d) => t.add_nanos(d),
                Err(_) => t,
            }))
        };
        "mustDateModify" [Str, Any] => |_, a| {
            let t = time_arg(&a[1])?;
            match parse_duration(arg_str(&a[0])) {
                Ok(d) => Ok(GoValue::object(t.add_nanos(d))),
                Err(e) => Err(e),
            }
        };
        "durationRound" [Any] => |st, a| {
            let nanos: i128 = match &a[0] {
                GoValue::String(s) => parse_duration(s).unwrap_or(0),
                // Sprig takes int64 only: a template's int or a values float is 0.
                GoValue::Int64(i) => *i as i128,
                GoValue::Object(o) if o.type_name() == "time.Time" => {
                    st.notice("durationRound");
                    let t = to_time(st, &a[0]);
                    let now = Time::now();
                    (now.secs as i128 - t.secs as i128) * 1_000_000_000 + now.nanos as i128 - t.nanos as i128
                }
                _ => 0,
            };
            Ok(GoValue::from(duration_round(nanos)))
        };
        "now" [] => |st, _| { st.notice("now"); Ok(GoValue::object(Time::now())) };
        "date" [Str, Any] => |st, a| ok_str(to_time(st, &a[1]).format(arg_str(&a[0])));
        "dateInZone" [Str, Any, Str] => |st, a| {
            let t = to_time(st, &a[1]);
            ok_str(format_in_zone(&t, arg_str(&a[0]), arg_str(&a[2])))
        };
        "htmlDate" [Any] => |st, a| ok_str(to_time(st, &a[0]).format("2006-01-02"));
        "unixEpoch" [Any] => |st, a| ok_str(to_time(st, &a[0]).secs.to_string());
        "ago" [Any] => |st, a| { st.notice("ago"); ok_str(go_duration((Time::now().secs - to_time(st, &a[0]).secs) as f64)) };
        "duration" [Any] => |_, a| {
            // Sprig: a string through strconv.ParseInt(s, 10, 64), an int64; anything else 0.
            let n = match &a[0] {
                GoValue::String(s) => match gotemplate::strconv::parse_int(s, false) {
                    Ok(n) => n,
                    Err(gotemplate::strconv::NumError::Range) if s.starts_with('-') => i64::MIN,
                    Err(gotemplate::strconv::NumError::Range) => i64::MAX,
                    Err(_) => 0,
                },
                GoValue::Int64(n) => *n,
                _ => 0,
            };
            ok_str(go_duration(n as f64))
        };
        "htmlDateInZone" [Any, Str] => |st, a| {
            let t = to_time(st, &a[0]);
            Ok(GoValue::from(format_in_zone(&t, "2006-01-02", arg_str(&a[1]))))
        };
    }
}

/// Where Go's time.LoadLocation looks for zone files on Unix (without `$ZONEINFO`).
const ZONEINFO_DIRS: [&str; 3] = [
    "/usr/share/zoneinfo/",
    "/usr/share/lib/zoneinfo/",
    "/usr/lib/locale/TZ/",
];

/// Go's time.LoadLocation from the system zone database: `None` for UTC (also `Local`, which
/// Helm runs as UTC in CI) and for names Go cannot load, where Sprig falls back to UTC.
fn load_zone(name: &str) -> Option<tz::TimeZone> {
    if matches!(name, "" | "UTC" | "Local") || name.contains("..") || name.starts_with(['/', '\\'])
    {
        return None;
    }
    ZONEINFO_DIRS
        .iter()
        .find_map(|dir| std::fs::read(format!("{dir}{name}")).ok())
        .and_then(|bytes| tz::TimeZone::from_tz_data(&bytes).ok())
}

/// The UTC offset (seconds) and abbreviation of `zone` at `t`.
fn zone_at(zone: &tz::TimeZone, t: &Time) -> (i32, String) {
    match zone.find_local_time_type(t.secs) {
        Ok(ltt) => (ltt.ut_offset(), ltt.time_zone_designation().to_string()),
        Err(_) => (0, "UTC".to_string()),
    }
}

/// Sprig's dateInZone: `t` formatted with Go `layout` in the named zone (UTC if unknown).
fn format_in_zone(t: &Time, layout: &str, zone: &str) -> String {
    match load_zone(zone) {
        Some(z) => {
            let (offset, abbr) = zone_at(&z, t);
            t.format_in(layout, offset, &abbr)
        }
        None => t.format(layout),
    }
}

fn time_arg(v: &GoValue) -> Result<Time, String> {
    match v {
        GoValue::Object(o) if o.type_name() == "time.Time" => {
            match (o.method("Unix", &[]), o.method("Nanosecond", &[])) {
                (Some(Ok(GoValue::Int(s))), Some(Ok(GoValue::Int(n)))) => Ok(Time {
                    secs: s,
                    nanos: n as u32,
                }),
                _ => Err("wrong type for value; expected time.Time".into()),
            }
        }
        other => Err(format!(
            "wrong type for value; expected time.Time; got {}",
            crate::util::kind(other)
        )),
    }
}

/// Sprig's durationRound: the largest whole unit (y=365d, mo=30d, d, h, m, s), truncated.
fn duration_round(nanos: i128) -> String {
    let u = nanos.unsigned_abs();
    let second: u128 = 1_000_000_000;
    let units: [(u128, &str); 6] = [
        (second * 3600 * 24 * 365, "y"),
        (second * 3600 * 24 * 30, "mo"),
        (second * 3600 * 24, "d"),
        (second * 3600, "h"),
        (second * 60, "m"),
        (second, "s"),
    ];
    for (size, name) in units {
        if u > size {
            return format!("{}{name}", u / size);
        }
    }
    "0s".into()
}

/// Go's time.ParseDuration, in nanoseconds.
pub(super) fn parse_duration(text: &str) -> Result<i128, String> {
    let invalid = || format!("time: invalid duration {}", quote_go(text));
    let mut s = text;
    let mut neg = false;
    if let Some(rest) = s.strip_prefix('-') {
        neg = true;
        s = rest;
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest;
    }
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: f64 = 0.0;
    let mut total_int: i128 = 0;
    while !s.is_empty() {
        let int_len = s.bytes().take_while(u8::is_ascii_digit).count();
        let (int_part, rest) = s.split_at(int_len);
        let (frac_part, rest) = match rest.strip_prefix('.') {
            Some(r) => {
                let n = r.bytes().take_while(u8::is_ascii_digit).count();
                r.split_at(n)
            }
            None => ("", rest),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(invalid());
        }
        let unit_len = rest
            .char_indices()
            .find(|(_, c)| *c == '.' || c.is_ascii_digit())
            .map_or(rest.len(), |(i, _)| i);
        let (unit, rest) = rest.split_at(unit_len);
        if unit.is_empty() {
            return Err(format!("time: missing unit in duration {}", quote_go(text)));
        }
        let scale: i128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    quote_go(unit),
                    quote_go(text)
                ));
            }
        };
        let whole: i128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| invalid())?
        };
        total_int = whole
            .checked_mul(scale)
            .and_then(|v| total_int.checked_add(v))
            .ok_or_else(invalid)?;
        if !frac_part.is_empty() {
            let frac: f64 = format!("0.{frac_part}").parse().map_err(|_| invalid())?;
            total += frac * scale as f64;
        }
        if total_int > i64::MAX as i128 {
            return Err(invalid());
        }
        s = rest;
    }
    let v = total_int + total as i128;
    if v > i64::MAX as i128 {
        return Err(invalid());
    }
    Ok(if neg { -v } else { v })
}

use crate::time::{DAYS, MONTHS};

/// Layout elements Go recognises, longest first where prefixes overlap.
const ELEMENTS: [&str; 34] = [
    "January",
    "Monday",
    "2006",
    "-07:00:00",
    "Z07:00:00",
    "-07:00",
    "Z07:00",
    "-0700",
    "Z0700",
    "-07",
    "Z07",
    "Jan",
    "Mon",
    "MST",
    "002",
    "__2",
    "01",
    "02",
    "_2",
    "03",
    "04",
    "05",
    "06",
    "15",
    "PM",
    "pm",
    "1",
    "2",
    "3",
    "4",
    "5",
    ".000",
    ".999",
    ",000",
];

/// Go's time.Parse (in UTC): the element at the start of `layout`, if any.
fn layout_element(layout: &str) -> Option<&'static str> {
    for e in ELEMENTS {
        if let Some(rest) = layout.strip_prefix(e) {
            // Go: "Jan"/"Mon" must not be followed by a lower-case letter ("Janet").
            if matches!(e, "Jan" | "Mon") && rest.starts_with(|c: char| c.is_ascii_lowercase()) {
                return None;
            }
            if e.starts_with(['.', ',']) {
                // Fractional seconds: a run of 0s or 9s after the separator, not followed by a digit.
                let digit = e.as_bytes()[1];
                let n = 1 + layout[1..].bytes().take_while(|b| *b == digit).count();
                if layout[n..].starts_with(|c: char| c.is_ascii_digit()) {
                    return None;
                }
                return Some(e);
            }
            return Some(e);
        }
    }
    None
}

fn take_digits(s: &str, min: usize, max: usize) -> Option<(i64, &str)> {
    let n = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if n < min {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

fn take_name<'a>(s: &'a str, names: &[&str], short: bool) -> Option<(usize, &'a str)> {
    for (i, name) in names.iter().enumerate() {
        let name = if short { &name[..3] } else { name };
        if s.len() >= name.len() && s[..name.len()].eq_ignore_ascii_case(name) {
            return Some((i, &s[name.len()..]));
        }
    }
    None
}

/// Go's time.Parse(layout, value) with the result in UTC.
pub(super) fn parse_time(layout: &str, value: &str) -> Result<Time, String> {
    let err_at = |rest_v: &str, elem: &str| {
        format!(
            "parsing time {} as {}: cannot parse {} as {}",
            quote_go(value),
            quote_go(layout),
            quote_go(rest_v),
            quote_go(elem)
        )
    };
    let (mut year, mut month, mut day, mut hour, mut min, mut sec) =
        (0i64, 1i64, 1i64, 0i64, 0i64, 0i64);
    let mut nanos: i64 = 0;
    let mut offset_secs: i64 = 0;
    let mut pm: Option<bool> = None;
    let mut yday: Option<i64> = None;
    let mut l = layout;
    let mut v = value;
    while !l.is_empty() {
        let Some(elem) = layout_element(l) else {
            let c = l.chars().next().unwrap_or_default();
            if !v.starts_with(c) {
                return Err(err_at(v, &l[..l.len().min(c.len_utf8())]));
            }
            l = &l[c.len_utf8()..];
            v = &v[c.len_utf8()..];
            continue;
        };
        let fail = |v: &str| err_at(v, elem);
        let before = v;
        match elem {
            "2006" => {
                let (n, r) = take_digits(v, 4, 4).ok_or_else(|| fail(v))?;
                year = n;
                v = r;
            }
            "06" => {
                let (n, r) = take_digits(v, 2, 2).ok_or_else(|| fail(v))?;
                year = if n >= 69 { 1900 + n } else { 2000 + n };
                v = r;
            }
            "January" | "Jan" => {
                let (i, r) = take_name(v, &MONTHS, elem == "Jan").ok_or_else(|| fail(v))?;
                month = i as i64 + 1;
                v = r;
            }
            "Monday" | "Mon" => {
                let (_, r) = take_name(v, &DAYS, elem == "Mon").ok_or_else(|| fail(v))?;
                v = r;
            }
            "01" | "1" | "02" | "2" | "_2" | "15" | "03" | "3" | "04" | "4" | "05" | "5" => {
                let mut s = v;
                if elem == "_2" && s.starts_with(' ') {
                    s = &s[1..];
                }
                let fixed = elem.len() == 2 && elem != "_2" && elem != "15";
                let (n, r) = take_digits(s, if fixed { 2 } else { 1 }, 2).ok_or_else(|| fail(v))?;
                let range_err =
                    |what: &str| format!("parsing time {}: {what} out of range", quote_go(value));
                match elem {
                    "01" | "1" => {
                        if !(1..=12).contains(&n) {
                            return Err(range_err("month"));
                        }
                        month = n;
                    }
                    "02" | "2" | "_2" => day = n,
                    "15" => {
                        if n > 23 {
                            return Err(range_err("hour"));
                        }
                        hour = n;
                    }
                    "03" | "3" => {
                        if n > 12 {
                            return Err(range_err("hour"));
                        }
                        hour = n;
                    }
                    "04" | "4" => {
                        if n > 59 {
                            return Err(range_err("minute"));
                        }
                        min = n;
                    }
                    _ => {
                        if n > 59 {
                            return Err(range_err("second"));
                        }
                        sec = n;
                        // Go accepts fractional seconds after seconds even if the layout has none.
                        let layout_has_frac = l[elem.len()..].starts_with(['.', ',']);
                        if !layout_has_frac
                            && r.len() > 1
                            && r.starts_with(['.', ','])
                            && r.as_bytes()[1].is_ascii_digit()
                        {
                            let n = 1 + r[1..].bytes().take_while(u8::is_ascii_digit).count();
                            nanos = frac_nanos(&r[1..n]);
                            v = &r[n..];
                            l = &l[elem.len()..];
                            continue;
                        }
                    }
                }
                v = r;
            }
            "002" | "__2" => {
                let mut s = v;
                if elem == "__2" {
                    s = s.trim_start_matches(' ');
                }
                let (n, r) =
                    take_digits(s, if elem == "002" { 3 } else { 1 }, 3).ok_or_else(|| fail(v))?;
                yday = Some(n);
                v = r;
            }
            "PM" | "pm" => {
                let t = v.get(..2).ok_or_else(|| fail(v))?;
                pm = Some(match t.to_ascii_uppercase().as_str() {
                    "PM" => true,
                    "AM" => false,
                    _ => return Err(fail(v)),
                });
                v = &v[2..];
            }
            "MST" => {
                let n = v.bytes().take_while(u8::is_ascii_uppercase).count();
                if n < 3 {
                    return Err(fail(v));
                }
                v = &v[n..];
            }
            ".000" | ",000" | ".999" => {
                let width = 1 + l[1..].bytes().take_while(|b| *b == l.as_bytes()[1]).count();
                let optional = elem == ".999";
                if v.starts_with(['.', ',']) {
                    let digits = v[1..].bytes().take_while(u8::is_ascii_digit).count();
                    if !optional && digits != width - 1 {
                        return Err(fail(v));
                    }
                    nanos = frac_nanos(&v[1..1 + digits]);
                    v = &v[1 + digits..];
                } else if !optional {
                    return Err(fail(v));
                }
                l = &l[width..];
                continue;
            }
            _ => {
                // Zone offsets.
                if elem.starts_with('Z') && v.starts_with('Z') {
                    v = &v[1..];
                } else {
                    let sign = match v.as_bytes().first() {
                        Some(b'+') => 1,
                        Some(b'-') => -1,
                        _ => return Err(fail(v)),
                    };
                    let body = &v[1..];
                    let colon = elem.contains(':');
                    let parts = elem.trim_start_matches(['Z', '-']).split(':').count().max(
                        match elem.trim_start_matches(['Z', '-']).len() {
                            4 => 2,
                            _ => 1,
                        },
                    );
                    let mut rest = body;
                    let mut fields = [0i64; 3];
                    for (i, field) in fields.iter_mut().enumerate().take(parts) {
                        if i > 0 && colon {
                            rest = rest.strip_prefix(':').ok_or_else(|| fail(v))?;
                        }
                        let (n, r) = take_digits(rest, 2, 2).ok_or_else(|| fail(v))?;
                        *field = n;
                        rest = r;
                    }
                    offset_secs = sign * (fields[0] * 3600 + fields[1] * 60 + fields[2]);
                    v = rest;
                }
            }
        }
        let _ = before;
        l = &l[elem.len()..];
    }
    if !v.is_empty() {
        return Err(format!(
            "parsing time {}: extra text: {}",
            quote_go(value),
            quote_go(v)
        ));
    }
    if let Some(p) = pm {
        if p && hour < 12 {
            hour += 12;
        } else if !p && hour == 12 {
            hour = 0;
        }
    }
    let date = if let Some(yd) = yday {
        chrono::NaiveDate::from_yo_opt(year as i32, yd as u32)
            .ok_or_else(|| format!("parsing time {}: day-of-year out of range", quote_go(value)))?
    } else {
        chrono::NaiveDate::from_ymd_opt(year as i32, month as u32, day as u32)
            .ok_or_else(|| format!("parsing time {}: day out of range", quote_go(value)))?
    };
    let secs = date
        .and_hms_opt(hour as u32, min as u32, sec as u32)
        .ok_or_else(|| format!("parsing time {}: hour out of range", quote_go(value)))?
        .and_utc()
        .timestamp()
        - offset_secs;
    Ok(Time {
        secs,
        nanos: nanos as u32,
    })
}

fn frac_nanos(digits: &str) -> i64 {
    let mut d: String = digits.chars().take(9).collect();
    while d.len() < 9 {
        d.push('0');
    }
    d.parse().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_a_zone_from_tzif_data() {
        let data = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/zoneinfo/Europe/Paris"
        ))
        .unwrap();
        let paris = tz::TimeZone::from_tz_data(&data).unwrap();
        let layout = "2006-01-02 15:04 MST -07:00 Z0700 -07";
        let winter = Time {
            secs: 1_700_000_000,
            nanos: 0,
        }; // 2023-11-14T22:13:20Z
        let (off, abbr) = zone_at(&paris, &winter);
        assert_eq!(
            winter.format_in(layout, off, &abbr),
            "2023-11-14 23:13 CET +01:00 +0100 +01"
        );
        let summer = Time {
            secs: 1_690_000_000,
            nanos: 0,
        }; // 2023-07-22T04:26:40Z
        let (off, abbr) = zone_at(&paris, &summer);
        assert_eq!(
            summer.format_in(layout, off, &abbr),
            "2023-07-22 06:26 CEST +02:00 +0200 +02"
        );
        // Names Go cannot load fall back to UTC, as in Sprig's own test.
        assert_eq!(
            format_in_zone(&winter, "02 Jan 06 15:04 -0700", "foobar"),
            "14 Nov 23 22:13 +0000"
        );
        assert_eq!(
            format_in_zone(&winter, "Z07:00 MST", "../etc/passwd"),
            "Z UTC"
        );
    }

    #[test]
    fn parse_duration_like_go() {
        assert_eq!(parse_duration("-1.5h").unwrap(), -5_400_000_000_000);
        assert_eq!(parse_duration("1h30m").unwrap(), 5_400_000_000_000);
        assert_eq!(parse_duration("300ms").unwrap(), 300_000_000);
        assert_eq!(parse_duration("0").unwrap(), 0);
        assert_eq!(
            parse_duration("1d").unwrap_err(),
            "time: unknown unit \"d\" in duration \"1d\""
        );
        assert_eq!(
            parse_duration("1").unwrap_err(),
            "time: missing unit in duration \"1\""
        );
        assert_eq!(
            parse_duration("").unwrap_err(),
            "time: invalid duration \"\""
        );
    }

    #[test]
    fn duration_round_like_sprig() {
        let h = 3_600_000_000_000i128;
        assert_eq!(duration_round(parse_duration("2h5s").unwrap()), "2h");
        assert_eq!(duration_round(24 * h * 400), "1y");
        assert_eq!(duration_round(24 * h * 45), "1mo");
        assert_eq!(duration_round(-3 * h - 1), "3h");
        assert_eq!(duration_round(h), "60m"); // Sprig compares with '>', so exactly 1h is 60m
        assert_eq!(duration_round(0), "0s");
    }

    #[test]
    fn parse_time_layouts() {
        let t = parse_time("2006-01-02", "2017-12-31").unwrap();
        assert_eq!(
            t.format("2006-01-02T15:04:05Z07:00"),
            "2017-12-31T00:00:00Z"
        );
        let t = parse_time("2006-01-02T15:04:05Z07:00", "2021-03-04T05:06:07.5+02:00").unwrap();
        assert_eq!(
            t.format("2006-01-02T15:04:05.000Z07:00"),
            "2021-03-04T03:06:07.500Z"
        );
        let t = parse_time("Jan _2 3:04PM 2006", "Feb  3 4:05PM 2010").unwrap();
        assert_eq!(t.format("2006-01-02 15:04"), "2010-02-03 16:05");
        assert_eq!(
            parse_time("2006-01-02", "2017-1-31").unwrap_err(),
            "parsing time \"2017-1-31\" as \"2006-01-02\": cannot parse \"1-31\" as \"01\""
        );
        assert_eq!(
            parse_time("2006-01-02", "2017-02-30").unwrap_err(),
            "parsing time \"2017-02-30\": day out of range"
        );
        assert_eq!(
            parse_time("2006", "2017x").unwrap_err(),
            "parsing time \"2017x\": extra text: \"x\""
        );
    }
}
