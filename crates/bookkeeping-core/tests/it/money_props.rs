//! Property tests for money: the invariants every voucher relies on.

use bookkeeping_core::{Currency, Money, MoneyError, Rounding};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn currency() -> impl Strategy<Value = Currency> {
    prop_oneof![
        Just(Currency::SEK),
        Just(Currency::EUR),
        Just(Currency::JPY),
        Just(Currency::KWD),
        Just(Currency::new("CLF").unwrap()),
    ]
}

proptest! {
    #[test]
    fn minor_units_round_trip(minor in -1_000_000_000_000i64..1_000_000_000_000, cur in currency()) {
        let m = Money::from_minor_units(minor, cur).unwrap();
        prop_assert_eq!(m.to_minor_units().unwrap(), minor);
        prop_assert!(m.is_minor_unit_exact());
        // Through the serde string form too.
        let json = serde_json::to_string(&m).unwrap();
        let back: Money = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, m);
    }

    #[test]
    fn allocation_sums_exactly(
        minor in -10_000_000_000i64..10_000_000_000,
        weights in prop::collection::vec(0u32..1_000_000, 1..12),
        cur in currency(),
    ) {
        prop_assume!(weights.iter().any(|w| *w > 0));
        let total = Money::from_minor_units(minor, cur).unwrap();
        let weights: Vec<Decimal> = weights.into_iter().map(Decimal::from).collect();
        let parts = total.allocate(&weights).unwrap();
        prop_assert_eq!(parts.len(), weights.len());
        prop_assert_eq!(Money::sum(cur, &parts).unwrap(), total);
        for (p, w) in parts.iter().zip(&weights) {
            prop_assert!(p.is_minor_unit_exact());
            if w.is_zero() {
                prop_assert!(p.is_zero());
            }
            // Every part is within one minor unit of its exact share.
            let exact = total.amount() * *w / weights.iter().sum::<Decimal>();
            let unit = Decimal::new(1, cur.exponent().unwrap());
            prop_assert!((p.amount() - exact).abs() < unit);
        }
    }

    #[test]
    fn currencies_never_mix(a in -1_000_000i64..1_000_000, b in -1_000_000i64..1_000_000) {
        let sek = Money::from_minor_units(a, Currency::SEK).unwrap();
        let eur = Money::from_minor_units(b, Currency::EUR).unwrap();
        let mismatch = MoneyError::CurrencyMismatch { left: Currency::SEK, right: Currency::EUR };
        prop_assert_eq!(sek.checked_add(&eur), Err(mismatch.clone()));
        prop_assert_eq!(sek.checked_sub(&eur), Err(mismatch));
        prop_assert!(Money::sum(Currency::SEK, [&sek, &eur]).is_err());
    }

    #[test]
    fn rounding_lands_on_minor_units(units in -1_000_000_000i64..1_000_000_000, scale in 0u32..8, cur in currency()) {
        let m = Money::new(Decimal::new(units, scale), cur);
        for r in [Rounding::MidpointAwayFromZero, Rounding::MidpointNearestEven, Rounding::TowardZero] {
            let rounded = m.round(r).unwrap();
            prop_assert!(rounded.is_minor_unit_exact());
            let unit = Decimal::new(1, cur.exponent().unwrap());
            prop_assert!((rounded.amount() - m.amount()).abs() < unit);
        }
    }
}
