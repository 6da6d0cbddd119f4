//! Sprig integer and float math, conversions and sequences.

use crate::util::{arg_int, arg_str, table, to_f64, to_i64};
use gotemplate::GoValue;

pub(crate) fn register(m: &mut gotemplate::FuncMap) {
    table! { m;
        "add1" [Any] => |_, a| Ok(GoValue::Int64(to_i64(&a[0]).wrapping_add(1)));
        "add" [] ...Any => |_, a| Ok(GoValue::Int64(a.iter().map(to_i64).fold(0i64, i64::wrapping_add)));
        "sub" [Any, Any] => |_, a| Ok(GoValue::Int64(to_i64(&a[0]).wrapping_sub(to_i64(&a[1]))));
        "mul" [Any] ...Any => |_, a| Ok(GoValue::Int64(a[1..].iter().map(to_i64).fold(to_i64(&a[0]), i64::wrapping_mul)));
        "div" [Any, Any] => |_, a| { let d = to_i64(&a[1]); if d == 0 { return Err("runtime error: integer divide by zero".into()); } Ok(GoValue::Int64(to_i64(&a[0]).wrapping_div(d))) };
        "mod" [Any, Any] => |_, a| { let d = to_i64(&a[1]); if d == 0 { return Err("runtime error: integer divide by zero".into()); } Ok(GoValue::Int64(to_i64(&a[0]).wrapping_rem(d))) };
        "max" [Any] ...Any => |_, a| Ok(GoValue::Int64(a.iter().map(to_i64).max().unwrap_or(0)));
        "biggest" [Any] ...Any => |_, a| Ok(GoValue::Int64(a.iter().map(to_i64).max().unwrap_or(0)));
        "min" [Any] ...Any => |_, a| Ok(GoValue::Int64(a.iter().map(to_i64).min().unwrap_or(0)));
        "maxf" [Any] ...Any => |_, a| Ok(GoValue::Float(a.iter().map(to_f64).fold(f64::NEG_INFINITY, f64::max)));
        "minf" [Any] ...Any => |_, a| Ok(GoValue::Float(a.iter().map(to_f64).fold(f64::INFINITY, f64::min)));
        "floor" [Any] => |_, a| Ok(GoValue::Float(to_f64(&a[0]).floor()));
        "ceil" [Any] => |_, a| Ok(GoValue::Float(to_f64(&a[0]).ceil()));
        "round" [Any, Int] ...Float => |_, a| {
            let round_on = a.get(2).map(to_f64).unwrap_or(0.5);
            let pow = 10f64.powf(arg_int(&a[1]) as f64);
            let digit = pow * to_f64(&a[0]);
            let frac = digit.fract();
            let r = if frac >= round_on { digit.ceil() } else { digit.floor() };
            Ok(GoValue::Float(r / pow))
        };
        "add1f" [Any] => |_, a| check_decimals(&a).map(|_| GoValue::Float(dec_op(&[a[0].clone(), GoValue::Int(1)], Op::Add)));
        "addf" [] ...Any => |_, a| { check_decimals(&a)?; let mut v = vec![GoValue::Float(0.0)]; v.extend(a); Ok(GoValue::Float(dec_op(&v, Op::Add))) };
        "subf" [Any] ...Any => |_, a| check_decimals(&a).map(|_| GoValue::Float(dec_op(&a, Op::Sub)));
        "mulf" [Any] ...Any => |_, a| check_decimals(&a).map(|_| GoValue::Float(dec_op(&a, Op::Mul)));
        "divf" [Any] ...Any => |_, a| {
            check_decimals(&a)?;
            if a[1..].iter().any(|v| to_f64(v) == 0.0) { return Err("decimal division by 0".into()); }
            Ok(GoValue::Float(a[1..].iter().fold(to_f64(&a[0]), |x, y| dec_div(x, to_f64(y)))))
        };
        "int" [Any] => |_, a| Ok(GoValue::Int(to_i64(&a[0])));
        "int64" [Any] => |_, a| Ok(GoValue::Int64(to_i64(&a[0])));
        "float64" [Any] => |_, a| Ok(GoValue::Float(to_f64(&a[0])));
        "atoi" [Str] => |_, a| Ok(GoValue::Int(atoi(arg_str(&a[0]))));
        "toDecimal" [Any] => |_, a| Ok(GoValue::Int64(i64::from_str_radix(&gotemplate::gofmt::sprint_value(&a[0]), 8).unwrap_or(0)));
        "until" [Int] => |c, a| { let n = arg_int(&a[0]); until_step(c, 0, n, if n < 0 { -1 } else { 1 }) };
        "untilStep" [Int, Int, Int] => |c, a| until_step(c, arg_int(&a[0]), arg_int(&a[1]), arg_int(&a[2]));
        "seq" [] ...Int => |c, a| seq(c, &a.iter().map(arg_int).collect::<Vec<_>>());
    }
}

/// Go's strconv.Atoi with the error ignored: 0 for a syntax error, the clamped value for one
/// out of range.
fn atoi(s: &str) -> i64 {
    match gotemplate::strconv::parse_int(s, false) {
        Ok(i) => i,
        Err(gotemplate::strconv::NumError::Range) => {
            if s.starts_with('-') {
                i64::MIN
            } else {
                i64::MAX
            }
        }
        Err(_) => 0,
    }
}

/// Sprig's `untilStep` as a Go `[]int`.
pub(crate) fn until_step(
    c: &gotemplate::Context<'_>,
    start: i64,
    stop: i64,
    step: i64,
) -> Result<GoValue, String> {
    let count = if step == 0 {
        0
    } else {
        (i128::from(stop) - i128::from(start)) / i128::from(step)
    };
    crate::util::check_len(c, "untilStep", count.max(0) as u128)?;
    let list = until_step_items(start, stop, step)?;
    Ok(GoValue::typed_list("[]int", list))
}

fn until_step_items(start: i64, stop: i64, step: i64) -> Result<Vec<GoValue>, String> {
    let mut v = Vec::new();
    if stop < start {
        if step >= 0 {
            return Ok(v);
        }
        let mut i = start;
        while i > stop {
            v.push(GoValue::Int(i));
            let Some(next) = i.checked_add(step) else {
                break;
            };
            i = next;
        }
        return Ok(v);
    }
    if step <= 0 {
        return Ok(v);
    }
    let mut i = start;
    while i < stop {
        v.push(GoValue::Int(i));
        let Some(next) = i.checked_add(step) else {
            break;
        };
        i = next;
    }
    Ok(v)
}

fn seq(c: &gotemplate::Context<'_>, p: &[i64]) -> Result<GoValue, String> {
    let join = |v: GoValue| -> GoValue {
        match v.list_items() {
            Some(l) => GoValue::from(
                l.iter()
                    .map(gotemplate::gofmt::sprint_value)
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            None => v,
        }
    };
    Ok(match p.len() {
        1 => {
            let (start, end) = (1, p[0]);
            let inc = if end < start { -1 } else { 1 };
            join(until_step(c, start, end.saturating_add(inc), inc)?)
        }
        2 => {
            let (start, end) = (p[0], p[1]);
            let step = if end < start { -1 } else { 1 };
            join(until_step(c, start, end.saturating_add(step), step)?)
        }
        3 => {
            let (start, step, end) = (p[0], p[1], p[2]);
            let mut inc = 1;
            if end < start {
                inc = -1;
                if step > 0 {
                    return Ok(GoValue::from(""));
                }
            }
            join(until_step(c, start, end.saturating_add(inc), step)?)
        }
        _ => GoValue::from(""),
    })
}

/// shopspring/decimal's NewFromFloat refuses NaN and infinities (a panic Go reports).
fn check_decimals(a: &[GoValue]) -> Result<(), String> {
    for v in a {
        let f = to_f64(v);
        if !f.is_finite() {
            return Err(format!(
                "Cannot create a Decimal from {}",
                gotemplate::gofmt::format_float(f, 'g', -1)
            ));
        }
    }
    Ok(())
}

/// shopspring/decimal's `Div` (rounded to 16 decimal places, half away from zero) of the
/// shortest decimal forms of `a` and `b`, back to float64: `divf 1 3` is 0.3333333333333333.
fn dec_div(a: f64, b: f64) -> f64 {
    use num_bigint::BigInt;
    let (Some((ma, sa)), Some((mb, sb))) = (decimal_of(a), decimal_of(b)) else {
        return a / b;
    };
    // a / b = (ma / 10^sa) / (mb / 10^sb); scaled by 10^16: ma * 10^(sb + 16 - sa) / mb.
    let exp = i64::from(sb) + 16 - i64::from(sa);
    let ten = BigInt::from(10u8);
    let (num, den) = if exp >= 0 {
        (ma * ten.pow(exp as u32), mb)
    } else {
        (ma, mb * ten.pow((-exp) as u32))
    };
    if den == BigInt::ZERO {
        return a / b;
    }
    let (q, r) = (&num / &den, &num % &den);
    // Half away from zero, as decimal's DivRound.
    let q = if r.magnitude() * 2u8 >= *den.magnitude() {
        if (num.sign() == num_bigint::Sign::Minus) != (den.sign() == num_bigint::Sign::Minus) {
            q - 1
        } else {
            q + 1
        }
    } else {
        q
    };
    decimal_to_f64(&q, 16)
}

/// A float as shopspring/decimal's `NewFromFloat` holds it: the shortest decimal text, as an
/// integer mantissa and a count of fraction digits (None for NaN and infinities).
fn decimal_of(f: f64) -> Option<(num_bigint::BigInt, u32)> {
    let s = gotemplate::gofmt::format_float(f, 'f', -1);
    let (int, frac) = s.split_once('.').unwrap_or((s.as_str(), ""));
    let m = format!("{int}{frac}").parse().ok()?;
    Some((m, frac.len() as u32))
}

/// `mantissa / 10^scale` as the nearest float (decimal's `Float64`).
fn decimal_to_f64(mantissa: &num_bigint::BigInt, scale: u32) -> f64 {
    let digits = mantissa.magnitude().to_string();
    let scale = scale as usize;
    let text = if scale == 0 {
        digits
    } else if digits.len() > scale {
        format!(
            "{}.{}",
            &digits[..digits.len() - scale],
            &digits[digits.len() - scale..]
        )
    } else {
        format!("0.{}{}", "0".repeat(scale - digits.len()), digits)
    };
    let f: f64 = text.parse().unwrap_or(0.0);
    if mantissa.sign() == num_bigint::Sign::Minus {
        -f
    } else {
        f
    }
}

enum Op {
    Add,
    Sub,
    Mul,
}

/// Exact decimal arithmetic on the shortest decimal forms (shopspring/decimal, as Sprig's
/// float functions use), converted back to float64.
fn dec_op(a: &[GoValue], op: Op) -> f64 {
    use num_bigint::BigInt;
    let Some(mut acc) = decimal_of(to_f64(&a[0])) else {
        return a.iter().map(to_f64).sum();
    };
    for v in &a[1..] {
        let Some((m, s)) = decimal_of(to_f64(v)) else {
            return f64::NAN;
        };
        acc = match op {
            Op::Add | Op::Sub => {
                let scale = acc.1.max(s);
                let x = acc.0 * BigInt::from(10u8).pow(scale - acc.1);
                let y = m * BigInt::from(10u8).pow(scale - s);
                (if matches!(op, Op::Add) { x + y } else { x - y }, scale)
            }
            Op::Mul => (acc.0 * m, acc.1 + s),
        };
    }
    decimal_to_f64(&acc.0, acc.1)
}
