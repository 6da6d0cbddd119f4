//! Sprig integer and float math, conversions and sequences.

use crate::util::{arg_int, arg_str, table, to_f64, to_i64};
use gotemplate::GoValue;

/// Bound on generated sequences (`until`, `untilStep`, `seq`) to keep memory bounded.
const MAX_SEQ: i64 = 10_000_000;

pub(crate) fn register(m: &mut gotemplate::FuncMap) {
    table! { m;
        "add1" [Any] => |_, a| Ok(GoValue::Int(to_i64(&a[0]).wrapping_add(1)));
        "add" [] ...Any => |_, a| Ok(GoValue::Int(a.iter().map(to_i64).fold(0i64, i64::wrapping_add)));
        "sub" [Any, Any] => |_, a| Ok(GoValue::Int(to_i64(&a[0]).wrapping_sub(to_i64(&a[1]))));
        "mul" [Any] ...Any => |_, a| Ok(GoValue::Int(a[1..].iter().map(to_i64).fold(to_i64(&a[0]), i64::wrapping_mul)));
        "div" [Any, Any] => |_, a| { let d = to_i64(&a[1]); if d == 0 { return Err("runtime error: integer divide by zero".into()); } Ok(GoValue::Int(to_i64(&a[0]).wrapping_div(d))) };
        "mod" [Any, Any] => |_, a| { let d = to_i64(&a[1]); if d == 0 { return Err("runtime error: integer divide by zero".into()); } Ok(GoValue::Int(to_i64(&a[0]).wrapping_rem(d))) };
        "max" [Any] ...Any => |_, a| Ok(GoValue::Int(a.iter().map(to_i64).max().unwrap_or(0)));
        "biggest" [Any] ...Any => |_, a| Ok(GoValue::Int(a.iter().map(to_i64).max().unwrap_or(0)));
        "min" [Any] ...Any => |_, a| Ok(GoValue::Int(a.iter().map(to_i64).min().unwrap_or(0)));
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
        "add1f" [Any] => |_, a| Ok(GoValue::Float(dec_op(&[a[0].clone(), GoValue::Int(1)], Op::Add)));
        "addf" [] ...Any => |_, a| { let mut v = vec![GoValue::Float(0.0)]; v.extend(a); Ok(GoValue::Float(dec_op(&v, Op::Add))) };
        "subf" [Any] ...Any => |_, a| Ok(GoValue::Float(dec_op(&a, Op::Sub)));
        "mulf" [Any] ...Any => |_, a| Ok(GoValue::Float(dec_op(&a, Op::Mul)));
        "divf" [Any] ...Any => |_, a| {
            if a[1..].iter().any(|v| to_f64(v) == 0.0) { return Err("decimal division by 0".into()); }
            Ok(GoValue::Float(a[1..].iter().map(to_f64).fold(to_f64(&a[0]), |x, y| x / y)))
        };
        "int" [Any] => |_, a| Ok(GoValue::Int(to_i64(&a[0])));
        "int64" [Any] => |_, a| Ok(GoValue::Int(to_i64(&a[0])));
        "float64" [Any] => |_, a| Ok(GoValue::Float(to_f64(&a[0])));
        "atoi" [Str] => |_, a| Ok(GoValue::Int(atoi(arg_str(&a[0]))));
        "toDecimal" [Any] => |_, a| Ok(GoValue::Int(i64::from_str_radix(&gotemplate::gofmt::sprint_value(&a[0]), 8).unwrap_or(0)));
        "until" [Int] => |_, a| { let n = arg_int(&a[0]); until_step(0, n, if n < 0 { -1 } else { 1 }) };
        "untilStep" [Int, Int, Int] => |_, a| until_step(arg_int(&a[0]), arg_int(&a[1]), arg_int(&a[2]));
        "seq" [] ...Int => |_, a| seq(&a.iter().map(arg_int).collect::<Vec<_>>());
    }
}

fn atoi(s: &str) -> i64 {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if body.is_empty() || !body.bytes().all(|c| c.is_ascii_digit()) {
        return 0;
    }
    s.parse().unwrap_or(0)
}

pub(crate) fn until_step(start: i64, stop: i64, step: i64) -> Result<GoValue, String> {
    let mut v = Vec::new();
    let count = if step == 0 {
        0
    } else {
        ((stop - start) / step).max(0)
    };
    if count > MAX_SEQ {
        return Err(format!(
            "sequence of {count} elements is too large (limit {MAX_SEQ})"
        ));
    }
    if stop < start {
        if step >= 0 {
            return Ok(GoValue::from(v));
        }
        let mut i = start;
        while i > stop {
            v.push(GoValue::Int(i));
            i += step;
        }
        return Ok(GoValue::from(v));
    }
    if step <= 0 {
        return Ok(GoValue::from(v));
    }
    let mut i = start;
    while i < stop {
        v.push(GoValue::Int(i));
        i += step;
    }
    Ok(GoValue::from(v))
}

fn seq(p: &[i64]) -> Result<GoValue, String> {
    let join = |v: GoValue| -> GoValue {
        match v {
            GoValue::List(l) => GoValue::from(
                l.iter()
                    .map(gotemplate::gofmt::sprint_value)
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            other => other,
        }
    };
    Ok(match p.len() {
        1 => {
            let (start, end) = (1, p[0]);
            let inc = if end < start { -1 } else { 1 };
            join(until_step(start, end + inc, inc)?)
        }
        2 => {
            let (start, end) = (p[0], p[1]);
            let step = if end < start { -1 } else { 1 };
            join(until_step(start, end + step, step)?)
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
            join(until_step(start, end + inc, step)?)
        }
        _ => GoValue::from(""),
    })
}

enum Op {
    Add,
    Sub,
    Mul,
}

/// Exact decimal arithmetic on the shortest decimal forms (shopspring/decimal, as Sprig's
/// float functions use), converted back to float64.
fn dec_op(a: &[GoValue], op: Op) -> f64 {
    let parse = |v: &GoValue| -> Option<(i128, u32)> {
        let s = gotemplate::gofmt::format_float(to_f64(v), 'f', -1);
        let (neg, body) = match s.strip_prefix('-') {
            Some(b) => (true, b),
            None => (false, s.as_str()),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        let m: i128 = format!("{int}{frac}").parse().ok()?;
        Some((if neg { -m } else { m }, frac.len() as u32))
    };
    let Some(mut acc) = parse(&a[0]) else {
        return a.iter().map(to_f64).sum();
    };
    for v in &a[1..] {
        let Some((m, s)) = parse(v) else {
            return f64::NAN;
        };
        acc = match op {
            Op::Add | Op::Sub => {
                let scale = acc.1.max(s);
                let x = acc.0.checked_mul(10i128.pow(scale - acc.1));
                let y = m.checked_mul(10i128.pow(scale - s));
                match (x, y) {
                    (Some(x), Some(y)) => {
                        (if matches!(op, Op::Add) { x + y } else { x - y }, scale)
                    }
                    _ => return f64::NAN,
                }
            }
            Op::Mul => match acc.0.checked_mul(m) {
                Some(p) => (p, acc.1 + s),
                None => return f64::NAN,
            },
        };
    }
    let digits = acc.0.unsigned_abs().to_string();
    let scale = acc.1 as usize;
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
    if acc.0 < 0 { -f } else { f }
}
