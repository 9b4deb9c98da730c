//! Typed values and comparisons: exact rational frame rates, numbers,
//! ratios, text, booleans, presence.
//!
//! Profiles are written by people ("23.976", "25", "16:9"); files report
//! what FFmpeg says ("24000/1001", "1998:1080"). Everything is parsed into a
//! typed value first and compared as that type, never as strings.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;

/// A value as written in a profile: TOML boolean, integer, float or string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Scalar {
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Bool(b) => write!(f, "{b}"),
            Scalar::Int(i) => write!(f, "{i}"),
            Scalar::Float(x) => write!(f, "{}", trim_float(*x)),
            Scalar::Str(s) => write!(f, "{s}"),
        }
    }
}

/// Formats a float without trailing zeros (`-23`, `0.2`, `23.976`).
pub fn trim_float(x: f64) -> String {
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// An exact, reduced fraction with a positive denominator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rational {
    /// Numerator.
    pub num: i64,
    /// Denominator, > 0.
    pub den: i64,
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 {
        a.abs()
    } else {
        gcd(b, a % b)
    }
}

impl Rational {
    /// `num/den` reduced; `None` when `den` is 0.
    pub fn new(num: i64, den: i64) -> Option<Self> {
        if den == 0 {
            return None;
        }
        let g = gcd(num, den).max(1);
        let sign = if den < 0 { -1 } else { 1 };
        Some(Rational {
            num: sign * num / g,
            den: sign * den / g,
        })
    }

    /// The value as a float.
    pub fn to_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }

    /// Parses a frame rate: `"24000/1001"`, `"25"`, `"25/1"`, or a decimal.
    ///
    /// Decimals that are the NTSC-style ×1000/1001 of a whole number
    /// (`23.976`, `23.98`, `29.97`, `59.94`, `47.952`, `119.88`) mean that
    /// exact rational, as every delivery spec intends; other decimals are
    /// taken exactly (`12.5` = 25/2).
    pub fn parse_rate(s: &str) -> Option<Self> {
        let s = s.trim();
        if let Some(r) = Self::parse_fraction(s, '/') {
            return Some(r);
        }
        let x: f64 = s.parse().ok()?;
        if !x.is_finite() || x <= 0.0 {
            return None;
        }
        if x.fract() != 0.0 {
            let whole = (x * 1.001).round();
            if (x * 1.001 - whole).abs() < 0.01 && (x - whole).abs() > 0.01 {
                return Rational::new(whole as i64 * 1000, 1001);
            }
        }
        Self::from_decimal(s)
    }

    /// Parses an aspect ratio: `"16:9"`, `"1998/1080"` or a decimal (`"1.85"`).
    pub fn parse_ratio(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::parse_fraction(s, ':')
            .or_else(|| Self::parse_fraction(s, '/'))
            .or_else(|| Self::from_decimal(s))
    }

    fn parse_fraction(s: &str, sep: char) -> Option<Self> {
        let (a, b) = s.split_once(sep)?;
        Rational::new(a.trim().parse().ok()?, b.trim().parse().ok()?)
    }

    /// An exact decimal (`"12.5"` = 25/2).
    fn from_decimal(s: &str) -> Option<Self> {
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        if frac.len() > 9 || !frac.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let den = 10i64.pow(frac.len() as u32);
        let digits = format!("{int}{frac}");
        Rational::new(digits.parse().ok()?, den)
    }

    /// Frame-rate notation for people: `23.976`, `29.97`, `25`, `12.5`.
    pub fn rate_string(self) -> String {
        if self.den == 1 {
            return self.num.to_string();
        }
        trim_float(self.to_f64())
    }
}

impl PartialOrd for Rational {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Rational {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.num as i128 * other.den as i128).cmp(&(other.num as i128 * self.den as i128))
    }
}

/// How a field's values are typed and compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text, compared case-insensitively (`prores` = `ProRes`).
    Text,
    /// A number, compared numerically (`25` = `25.0`).
    Number,
    /// A frame rate, compared as an exact rational.
    Rate,
    /// An aspect ratio, compared numerically within 0.005.
    Ratio,
    /// `true` / `false`.
    Bool,
    /// Only present / absent matters.
    Presence,
}

/// One fact read from a file, typed.
#[derive(Debug, Clone, PartialEq)]
pub enum Fact {
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
    /// An exact rational (frame rates, aspect ratios).
    Rational(Rational),
    /// A boolean.
    Bool(bool),
    /// The thing exists (HDR metadata, a sidecar…), with a description.
    Present(String),
    /// The file does not say; the reason in words.
    Absent(String),
}

impl Fact {
    /// The fact for people, with the field's unit where it has one.
    pub fn display(&self, kind: Kind, unit: &str) -> String {
        let v = match self {
            Fact::Text(s) => s.clone(),
            Fact::Number(x) => trim_float(*x),
            Fact::Rational(r) if kind == Kind::Rate => r.rate_string(),
            Fact::Rational(r) => format!("{}:{}", r.num, r.den),
            Fact::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
            Fact::Present(s) => return s.clone(),
            Fact::Absent(_) => return "absent".to_string(),
        };
        with_unit(v, unit)
    }
}

/// `"25"` + `"fps"` → `"25 fps"`.
pub fn with_unit(v: String, unit: &str) -> String {
    if unit.is_empty() {
        v
    } else {
        format!("{v} {unit}")
    }
}

/// A profile value typed for a field of `kind`; `Err` says why it is not.
pub fn typed(kind: Kind, value: &Scalar) -> Result<Fact, String> {
    match (kind, value) {
        (Kind::Text, Scalar::Str(s)) => Ok(Fact::Text(s.clone())),
        (Kind::Text, other) => Ok(Fact::Text(other.to_string())),
        (Kind::Number, Scalar::Int(i)) => Ok(Fact::Number(*i as f64)),
        (Kind::Number, Scalar::Float(x)) => Ok(Fact::Number(*x)),
        (Kind::Number, Scalar::Str(s)) => s
            .trim()
            .parse()
            .map(Fact::Number)
            .map_err(|_| format!("`{s}` is not a number")),
        (Kind::Rate, v) => Rational::parse_rate(&v.to_string())
            .map(Fact::Rational)
            .ok_or_else(|| format!("`{v}` is not a frame rate (write 23.976, 24000/1001 or 25)")),
        (Kind::Ratio, v) => Rational::parse_ratio(&v.to_string())
            .map(Fact::Rational)
            .ok_or_else(|| format!("`{v}` is not an aspect ratio (write 16:9 or 1.85)")),
        (Kind::Bool, Scalar::Bool(b)) => Ok(Fact::Bool(*b)),
        (Kind::Presence, _) => Err("this field only takes `present = true|false`".into()),
        (k, v) => Err(format!("`{v}` is not a valid {k:?} value").to_lowercase()),
    }
}

/// Whether two typed values are equal for a field of `kind`.
pub fn equal(kind: Kind, actual: &Fact, expected: &Fact) -> bool {
    match (actual, expected) {
        (Fact::Text(a), Fact::Text(b)) => a.trim().eq_ignore_ascii_case(b.trim()),
        (Fact::Rational(a), Fact::Rational(b)) if kind == Kind::Ratio => {
            (a.to_f64() - b.to_f64()).abs() <= 0.005
        }
        (Fact::Rational(a), Fact::Rational(b)) => a == b,
        (Fact::Number(a), Fact::Number(b)) => (a - b).abs() <= EPSILON,
        (Fact::Bool(a), Fact::Bool(b)) => a == b,
        _ => false,
    }
}

/// Slack for float comparisons, so −23.2 is within −23 ± 0.2.
pub const EPSILON: f64 = 1e-6;

/// Orders two typed values (numbers and rationals); `None` for other kinds.
pub fn order(actual: &Fact, bound: &Fact) -> Option<Ordering> {
    match (actual, bound) {
        (Fact::Number(a), Fact::Number(b)) => {
            if (a - b).abs() <= EPSILON {
                Some(Ordering::Equal)
            } else {
                a.partial_cmp(b)
            }
        }
        (Fact::Rational(a), Fact::Rational(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

/// The value as a float, for target ± tolerance.
pub fn as_f64(f: &Fact) -> Option<f64> {
    match f {
        Fact::Number(x) => Some(*x),
        Fact::Rational(r) => Some(r.to_f64()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(n: i64, d: i64) -> Rational {
        Rational::new(n, d).unwrap()
    }

    #[test]
    fn ntsc_decimals_are_exact_rationals() {
        assert_eq!(Rational::parse_rate("23.976"), Some(r(24000, 1001)));
        assert_eq!(Rational::parse_rate("23.98"), Some(r(24000, 1001)));
        assert_eq!(Rational::parse_rate("29.97"), Some(r(30000, 1001)));
        assert_eq!(Rational::parse_rate("59.94"), Some(r(60000, 1001)));
        assert_eq!(Rational::parse_rate("24000/1001"), Some(r(24000, 1001)));
        assert_eq!(Rational::parse_rate("25"), Some(r(25, 1)));
        assert_eq!(Rational::parse_rate("50/2"), Some(r(25, 1)));
        assert_eq!(Rational::parse_rate("12.5"), Some(r(25, 2)));
        assert_eq!(Rational::parse_rate("0"), None);
        assert_eq!(Rational::parse_rate("fast"), None);
        assert_eq!(Rational::parse_rate("1/0"), None);
    }

    #[test]
    fn twenty_four_is_not_23_976() {
        let spec = typed(Kind::Rate, &Scalar::Str("23.976".into())).unwrap();
        let ntsc = Fact::Rational(r(24000, 1001));
        let film = Fact::Rational(r(24, 1));
        assert!(equal(Kind::Rate, &ntsc, &spec));
        assert!(!equal(Kind::Rate, &film, &spec));
        assert_eq!(
            order(&ntsc, &Fact::Rational(r(24, 1))),
            Some(Ordering::Less)
        );
    }

    #[test]
    fn rate_strings_for_people() {
        assert_eq!(r(24000, 1001).rate_string(), "23.976");
        assert_eq!(r(30000, 1001).rate_string(), "29.97");
        assert_eq!(r(25, 1).rate_string(), "25");
    }

    #[test]
    fn numbers_compare_numerically() {
        let a = typed(Kind::Number, &Scalar::Str("25.000".into())).unwrap();
        let b = typed(Kind::Number, &Scalar::Int(25)).unwrap();
        assert!(equal(Kind::Number, &a, &b));
        assert!(typed(Kind::Number, &Scalar::Str("x".into())).is_err());
    }

    #[test]
    fn ratios_compare_within_tolerance() {
        let spec = typed(Kind::Ratio, &Scalar::Str("16:9".into())).unwrap();
        assert!(equal(Kind::Ratio, &Fact::Rational(r(1920, 1080)), &spec));
        let flat = typed(Kind::Ratio, &Scalar::Str("1.85".into())).unwrap();
        assert!(equal(Kind::Ratio, &Fact::Rational(r(1998, 1080)), &flat));
        assert!(!equal(Kind::Ratio, &Fact::Rational(r(4, 3)), &spec));
    }

    #[test]
    fn text_is_case_insensitive() {
        assert!(equal(
            Kind::Text,
            &Fact::Text("ProRes".into()),
            &Fact::Text("prores".into())
        ));
    }
}
