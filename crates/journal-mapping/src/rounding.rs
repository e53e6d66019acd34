//! Rounding SEK to öre, shared by the mapper (postings) and the journal
//! (totals), so neither module depends on the other for it.

use rust_decimal::{Decimal, RoundingStrategy};

/// Rounds SEK to öre, half away from zero: exactly
/// `round_dp_with_strategy(2, MidpointAwayFromZero)`, the same value at the
/// same scale.
///
/// A mapped sale rounds a dozen amounts; the mantissa is divided by the
/// power of ten here (`Decimal`'s general rounding took some 250
/// instructions each).
pub(crate) fn r2(d: Decimal) -> Decimal {
    let scale = d.scale();
    if scale <= 2 {
        // Nothing to round: `round_dp` gives the number as it is.
        return d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    }
    let mantissa = d.mantissa();
    let divisor = 10i128.pow(scale - 2);
    let (quotient, remainder) = (mantissa / divisor, mantissa % divisor);
    // Half or more away from zero (the remainder has the mantissa's sign).
    let rounded = if remainder.unsigned_abs() * 2 >= divisor.unsigned_abs() {
        quotient + mantissa.signum()
    } else {
        quotient
    };
    let mut out = Decimal::from_i128_with_scale(rounded, 2);
    // A zero keeps its sign, as `round_dp` keeps it (an amount that rounds
    // to zero is a positive zero, as there).
    if mantissa == 0 {
        out.set_sign_negative(d.is_sign_negative());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_round_away_from_zero() {
        assert_eq!(r2(Decimal::new(1005, 3)), Decimal::new(101, 2));
        assert_eq!(r2(Decimal::new(-1005, 3)), Decimal::new(-101, 2));
        assert_eq!(r2(Decimal::new(1004, 3)), Decimal::new(100, 2));
    }

    fn general(d: Decimal) -> Decimal {
        d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
    }

    /// The same value, scale and sign as `Decimal`'s own rounding, across
    /// scales, signs, halves and the largest mantissas.
    #[test]
    fn rounds_as_decimals_own_rounding() {
        let mut mantissas: Vec<i128> = vec![
            0,
            1,
            4,
            5,
            6,
            9,
            10,
            49,
            50,
            51,
            99,
            100,
            149,
            150,
            151,
            994,
            995,
            999,
            1_000,
            12_345,
            123_456_789,
            500_000_000_000,
        ];
        mantissas.push((1i128 << 96) - 1);
        mantissas.push((1i128 << 95) + 12_345);
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..2_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            mantissas.push(i128::from(state >> (state % 60)));
        }
        // Negative zeros, which `round_dp` writes as zeros.
        for scale in 0..=28 {
            let mut zero = Decimal::new(0, scale);
            zero.set_sign_negative(true);
            assert_eq!(r2(zero).to_string(), general(zero).to_string(), "{zero:?}");
            assert_eq!(
                r2(zero).is_sign_negative(),
                general(zero).is_sign_negative()
            );
        }
        for m in mantissas {
            for sign in [1i128, -1] {
                for scale in 0..=28 {
                    let Ok(d) = Decimal::try_from_i128_with_scale(sign * m, scale) else {
                        continue;
                    };
                    let (ours, theirs) = (r2(d), general(d));
                    assert_eq!(ours, theirs, "{d}");
                    assert_eq!(ours.to_string(), theirs.to_string(), "{d}");
                    assert_eq!(ours.scale(), theirs.scale(), "{d}");
                    assert_eq!(ours.is_sign_negative(), theirs.is_sign_negative(), "{d}");
                }
            }
        }
    }
}
