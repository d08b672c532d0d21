//! DynamoDB's number rules, applied to the exact decimal text JSON carried.
//!
//! DynamoDB stores up to 38 significant digits, with magnitudes from 1E-130 to below
//! 1E+126. Checking here turns a server-side ValidationException into an `invalid-input`
//! error that names the attribute, before anything is sent.

const MAX_SIGNIFICANT_DIGITS: usize = 38;
const MIN_EXPONENT: i64 = -130;
const MAX_EXPONENT: i64 = 125;

/// The shape of a decimal number: its significant digits and the power of ten of the first.
#[derive(Debug, PartialEq, Eq)]
pub struct Decimal {
    pub significant_digits: usize,
    /// `None` for zero.
    pub leading_exponent: Option<i64>,
}

/// Parses JSON number text (`-?int(.frac)?([eE][+-]?exp)?`). `None` when it is not one.
pub fn parse(text: &str) -> Option<Decimal> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], parse_exponent(&unsigned[at + 1..])?),
        None => (unsigned, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int_part.is_empty() || !all_digits(int_part) || !all_digits(frac_part) {
        return None;
    }
    if mantissa.contains('.') && frac_part.is_empty() {
        return None;
    }
    let digits: String = int_part.chars().chain(frac_part.chars()).collect();
    let trimmed_front = digits.trim_start_matches('0');
    let significant = trimmed_front.trim_end_matches('0');
    if significant.is_empty() {
        return Some(Decimal {
            significant_digits: 0,
            leading_exponent: None,
        });
    }
    // value = 0.<trimmed_front> * 10^(len(trimmed_front) + exponent - len(frac_part))
    let leading = i64::try_from(trimmed_front.len())
        .ok()?
        .checked_sub(1)?
        .checked_sub(i64::try_from(frac_part.len()).ok()?)?
        .checked_add(exponent)?;
    Some(Decimal {
        significant_digits: significant.len(),
        leading_exponent: Some(leading),
    })
}

fn parse_exponent(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Exponents beyond any i64 are out of DynamoDB's range anyway; saturate, never overflow.
    let magnitude = digits.parse::<i64>().unwrap_or(i64::MAX / 2);
    Some(if text.starts_with('-') {
        -magnitude
    } else {
        magnitude
    })
}

/// Why DynamoDB would refuse `text` as a number, or `None` when it stores it exactly.
pub fn violation(text: &str) -> Option<String> {
    let Some(decimal) = parse(text) else {
        return Some("the number is not a decimal number".into());
    };
    if decimal.significant_digits > MAX_SIGNIFICANT_DIGITS {
        return Some(format!(
            "the number has {} significant digits; DynamoDB stores at most {MAX_SIGNIFICANT_DIGITS} (store it as a string to keep every digit)",
            decimal.significant_digits
        ));
    }
    match decimal.leading_exponent {
        Some(e) if !(MIN_EXPONENT..=MAX_EXPONENT).contains(&e) => Some(
            "the number is outside DynamoDB's number range (1E-130 to 9.9E+125 in magnitude)"
                .into(),
        ),
        _ => None,
    }
}

/// The number's value in one spelling (sign, significant digits, power of ten of the
/// first), so that two texts of one number compare equal: `1`, `1.0` and `10e-1` all give
/// `1e0`, and `0`, `-0` and `0.00` give `0`. `None` when `text` is not a number.
pub fn canonical(text: &str) -> Option<String> {
    let Some(exponent) = parse(text)?.leading_exponent else {
        return Some("0".into());
    };
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let mantissa = unsigned.split(['e', 'E']).next().unwrap_or_default();
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let significant = digits.trim_start_matches('0').trim_end_matches('0');
    let mut canonical = String::with_capacity(significant.len() + 6);
    if text.starts_with('-') {
        canonical.push('-');
    }
    canonical.push_str(significant);
    canonical.push('e');
    canonical.push_str(&exponent.to_string());
    Some(canonical)
}

/// DynamoDB's size of a stored number: one byte per two significant digits, plus one.
pub fn stored_size(text: &str) -> usize {
    let digits = parse(text).map_or(MAX_SIGNIFICANT_DIGITS, |d| d.significant_digits);
    digits.div_ceil(2) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_number_has_one_canonical_spelling() {
        for (a, b) in [
            ("1", "1.0"),
            ("1", "10e-1"),
            ("0", "-0.00"),
            ("-12.5", "-1.25E1"),
        ] {
            assert_eq!(canonical(a), canonical(b), "{a} {b}");
        }
        assert_ne!(canonical("1"), canonical("-1"));
        assert_ne!(canonical("1"), canonical("1.5"));
        assert_ne!(canonical("12"), canonical("1.2"));
        assert_eq!(canonical("x"), None);
    }

    #[test]
    fn counts_significant_digits_and_magnitude() {
        let d = parse("12345.67800").unwrap();
        assert_eq!(d.significant_digits, 8);
        assert_eq!(d.leading_exponent, Some(4));
        assert_eq!(parse("0.00012").unwrap().leading_exponent, Some(-4));
        assert_eq!(parse("-1.5e3").unwrap().leading_exponent, Some(3));
        assert_eq!(parse("0").unwrap().leading_exponent, None);
        assert_eq!(parse("0.000e10").unwrap().leading_exponent, None);
    }

    #[test]
    fn accepts_what_dynamodb_stores() {
        for ok in [
            "0",
            "-0",
            "1",
            "12345678901234567890123456789012345678",
            "1e125",
            "9.99E125",
            "1E-130",
            "-3.25",
        ] {
            assert_eq!(violation(ok), None, "{ok}");
        }
    }

    #[test]
    fn rejects_what_dynamodb_cannot_store() {
        assert!(violation("123456789012345678901234567890123456789")
            .unwrap()
            .contains("39 significant"));
        assert!(violation("1e126").unwrap().contains("range"));
        assert!(violation("1e-131").unwrap().contains("range"));
        assert!(violation("1e99999999999999999999999")
            .unwrap()
            .contains("range"));
        assert!(violation("abc").is_some());
        assert!(violation("1.").is_some());
        assert!(violation("").is_some());
    }

    #[test]
    fn sizes_follow_the_documented_rule() {
        assert_eq!(stored_size("0"), 1);
        assert_eq!(stored_size("7"), 2);
        assert_eq!(stored_size("1234"), 3);
        assert_eq!(stored_size("12345"), 4);
    }
}
