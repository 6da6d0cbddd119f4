//! Go's number formatting as far as YAML output depends on it: `strconv.FormatFloat(f, 'g', -1,
//! 64)` and the `encoding/json` float form that `sigs.k8s.io/yaml` re-reads before emitting.

/// Shortest round-trip decimal digits of `|f|` and the decimal point position: `|f| =
/// 0.d1d2... * 10^dp`.
fn shortest_digits(f: f64) -> (String, i32) {
    digits_of(&format!("{:e}", f.abs()))
}

fn digits_of(s: &str) -> (String, i32) {
    let (mantissa, exp) = s.split_once('e').unwrap_or((s, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    (digits, exp + 1)
}

/// `strconv.FormatFloat(f, 'g', -1, 64)`: `%e` when the decimal exponent is < -4 or >= 6 (Go's
/// threshold for shortest precision), `%f` otherwise.
pub(crate) fn format_float_g(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    let (digits, dp) = shortest_digits(f);
    g_from_digits(f.is_sign_negative(), &digits, dp)
}

/// `strconv.FormatFloat(f, 'g', -1, 32)` (how `sigs.k8s.io/yaml` writes float map keys), with
/// go-yaml's names for the infinities.
pub(crate) fn format_float_g32(f: f64) -> String {
    let f32v = f as f32;
    if f32v.is_nan() {
        return ".nan".to_owned();
    }
    if f32v.is_infinite() {
        return if f32v > 0.0 { ".inf" } else { "-.inf" }.to_owned();
    }
    let (digits, dp) = digits_of(&format!("{:e}", f32v.abs()));
    g_from_digits(f32v.is_sign_negative(), &digits, dp)
}

fn g_from_digits(negative: bool, digits: &str, dp: i32) -> String {
    let sign = if negative { "-" } else { "" };
    let exp = dp - 1;
    if !(-4..6).contains(&exp) {
        format!("{sign}{}", format_e(digits, exp))
    } else {
        format!("{sign}{}", format_f(digits, dp))
    }
}

fn format_e(digits: &str, exp: i32) -> String {
    let mut out = String::with_capacity(digits.len() + 6);
    out.push_str(&digits[..1]);
    if digits.len() > 1 {
        out.push('.');
        out.push_str(&digits[1..]);
    }
    out.push('e');
    out.push(if exp < 0 { '-' } else { '+' });
    let e = exp.unsigned_abs();
    if e < 10 {
        out.push('0');
    }
    out.push_str(&e.to_string());
    out
}

fn format_f(digits: &str, dp: i32) -> String {
    let nd = digits.len() as i32;
    if dp <= 0 {
        format!("0.{}{}", "0".repeat((-dp) as usize), digits)
    } else if dp >= nd {
        format!("{}{}", digits, "0".repeat((dp - nd) as usize))
    } else {
        let (a, b) = digits.split_at(dp as usize);
        format!("{a}.{b}")
    }
}

/// How `sigs.k8s.io/yaml.Marshal` writes a float64: Go's JSON encoding (`%f`, or `%e` outside
/// [1e-6, 1e21)), re-read by go-yaml v2 (integers stay integers: `1.0` -> `1`), then written
/// with `FormatFloat(.., 'g', -1, 64)`. NaN and infinities (which JSON cannot carry) are written
/// as go-yaml writes them.
pub(crate) fn yaml_float(f: f64) -> String {
    if f.is_nan() {
        return ".nan".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.to_owned();
    }
    let abs = f.abs();
    if abs == 0.0 || (1e-6..1e21).contains(&abs) {
        let (digits, dp) = shortest_digits(f);
        let json = format_f(&digits, dp);
        if !json.contains('.') {
            let negative = f.is_sign_negative();
            if let Ok(u) = json.parse::<u64>() {
                // go-yaml reads it back as int/uint: `-0` becomes `0`.
                if !negative || u == 0 {
                    return u.to_string();
                }
                if u <= i64::MAX as u64 + 1 {
                    return format!("-{u}");
                }
            }
        }
    }
    format_float_g(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g_format_matches_go() {
        assert_eq!(format_float_g(0.5), "0.5");
        assert_eq!(format_float_g(1e6), "1e+06");
        assert_eq!(format_float_g(123456.0), "123456");
        assert_eq!(format_float_g(1234567.5), "1.2345675e+06");
        assert_eq!(format_float_g(0.0001), "0.0001");
        assert_eq!(format_float_g(0.00001), "1e-05");
        assert_eq!(format_float_g(-2.5e-300), "-2.5e-300");
        assert_eq!(format_float_g(1e100), "1e+100");
        assert_eq!(format_float_g(0.0), "0");
    }

    #[test]
    fn yaml_float_goes_through_json() {
        assert_eq!(yaml_float(1.0), "1");
        assert_eq!(yaml_float(-0.0), "0");
        assert_eq!(yaml_float(0.5), "0.5");
        assert_eq!(yaml_float(1e21), "1e+21");
        assert_eq!(yaml_float(1e20), "1e+20");
        assert_eq!(yaml_float(1e6), "1000000");
        assert_eq!(yaml_float(1234567.5), "1.2345675e+06");
        assert_eq!(yaml_float(-42.0), "-42");
        assert_eq!(yaml_float(9.223372036854776e18), "9223372036854776000");
        assert_eq!(yaml_float(1e-7), "1e-07");
        assert_eq!(yaml_float(f64::INFINITY), ".inf");
    }
}
