//! Rounding SEK to öre, shared by the mapper (postings) and the journal
//! (totals), so neither module depends on the other for it.

use rust_decimal::{Decimal, RoundingStrategy};

/// Rounds SEK to öre, half away from zero.
pub(crate) fn r2(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
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
}
