//! Python's and numpy's float arithmetic as matplotlib's tickers meet it (floor division,
//! `10 ** e`, numpy's `round`, printf's `%g`), mirrored bit for bit so that labels agree
//! to the character.

/// Python's (and numpy's) float `divmod`: quotient floored, remainder with the divisor's sign.
pub fn py_divmod(a: f64, b: f64) -> (f64, f64) {
    let mut rem = a % b;
    let mut div = (a - rem) / b;
    if rem != 0.0 {
        if (b < 0.0) != (rem < 0.0) {
            rem += b;
            div -= 1.0;
        }
    } else {
        rem = 0f64.copysign(b);
    }
    let quotient = if div != 0.0 {
        let floored = div.floor();
        if div - floored > 0.5 {
            floored + 1.0
        } else {
            floored
        }
    } else {
        0f64.copysign(a / b)
    };
    (quotient, rem)
}

pub fn py_floordiv(a: f64, b: f64) -> f64 {
    py_divmod(a, b).0
}

/// `10 ** e` for a Python int `e`: exact (then rounded once) for e ≥ 0, C `pow` below.
pub fn py_pow10_int(e: i32) -> f64 {
    if e >= 0 {
        format!("1e{e}").parse().unwrap_or(f64::INFINITY)
    } else {
        10f64.powf(f64::from(e))
    }
}

/// numpy's `round(x, decimals)` for decimals ≥ 0: scale, round half to even, unscale.
pub fn np_round(x: f64, decimals: i32) -> f64 {
    let f = np_power_of_ten(decimals);
    (x * f).round_ties_even() / f
}

/// numpy's `power_of_ten`: a table to 1e8, then repeated multiplication.
fn np_power_of_ten(n: i32) -> f64 {
    const P10: [f64; 9] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8];
    if n < 9 {
        return P10[n.max(0) as usize];
    }
    let mut ret = 1e9;
    for _ in 9..n {
        ret *= 10.0;
    }
    ret
}

/// printf's `%.{precision}g`.
pub fn format_g(x: f64, precision: usize) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let p = precision.max(1);
    let sci = format!("{:.*e}", p - 1, x);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if exp < -4 || exp >= p as i32 {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{sign}{:02}", strip_zeros(mantissa), exp.abs())
    } else {
        let decimals = (p as i32 - 1 - exp).max(0) as usize;
        strip_zeros(&format!("{x:.decimals$}")).to_string()
    }
}

fn strip_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_arithmetic_is_mirrored() {
        assert_eq!(py_divmod(-0.05, 0.2), (-1.0, 0.15000000000000002));
        assert_eq!(py_floordiv(7.0, -2.0), -4.0);
        assert_eq!(format_g(1.7, 10), "1.7");
        assert_eq!(format_g(1.23456789012, 10), "1.23456789");
        assert_eq!(format_g(1.5e-7, 3), "1.5e-07");
        assert_eq!(np_round(0.125, 2), 0.12);
    }
}
