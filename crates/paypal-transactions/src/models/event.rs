//! Transaction event codes (T-codes) and their classes.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A PayPal transaction event code, kept in full as PayPal wrote it (`T0006`).
///
/// `T` + a two-digit event group + a two-digit type; the group decides the class.
///
/// ```
/// use paypal_transactions::models::{EventClass, EventCode};
///
/// assert_eq!(EventCode::new("T0006").class(), EventClass::Payment);
/// assert_eq!(EventCode::new("T1107").class(), EventClass::Refund);
/// assert_eq!(EventCode::new("T9900").class(), EventClass::Unknown("T9900".into()));
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EventCode(String);

/// What a transaction event is, by its event code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventClass {
    /// T00xx: a PayPal-to-PayPal payment (received or sent).
    Payment,
    /// T01xx: a fee that is not part of a payment (chargeback fee, dispute fee, …).
    Fee,
    /// T02xx: one side of a conversion between two currency balances.
    Conversion,
    /// T03xx: money deposited from a bank account into PayPal.
    BankDeposit,
    /// T04xx: a withdrawal from PayPal to a bank account.
    Withdrawal,
    /// T11xx (except the hold events T1105, T1110 and T1111): a reversal or refund.
    Refund,
    /// T12xx chargebacks (T1201, T1202, T1205–T1208).
    Chargeback,
    /// T1200, T1203, T1204: general adjustments, charge-offs, incentive adjustments.
    Adjustment,
    /// T15xx, T21xx, T1105, T1110 and T1111: money placed on hold or released.
    Hold,
    /// T13xx: an authorization; it moves no money.
    Authorization,
    /// Any other code (bonus, card, transfer, display-only …) or one that is not a T-code:
    /// kept as written and reported for review.
    Unknown(String),
}

impl EventCode {
    /// Wraps a code as PayPal wrote it.
    pub fn new(code: impl Into<String>) -> Self {
        Self(code.into())
    }

    /// The code as PayPal wrote it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The event group (`T0006` → 0, `T1107` → 11), when the code is a well-formed T-code.
    pub fn group(&self) -> Option<u8> {
        self.number().map(|n| (n / 100) as u8)
    }

    fn number(&self) -> Option<u16> {
        let digits = self.0.strip_prefix('T')?;
        if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()
    }

    /// The class of the event.
    pub fn class(&self) -> EventClass {
        let Some(n) = self.number() else {
            return EventClass::Unknown(self.0.clone());
        };
        match n {
            // T1105 "Reversal of general account hold" releases a T15xx
            // hold (T1501 "Account hold for open authorization", T1503 in
            // Payouts): it is a hold's other half, not a refund, though it
            // sits in the reversals' group (PayPal's event code table,
            // developer.paypal.com/docs/transaction-search/transaction-event-codes).
            1105 | 1110 | 1111 => EventClass::Hold,
            1200 | 1203 | 1204 => EventClass::Adjustment,
            0..=99 => EventClass::Payment,
            100..=199 => EventClass::Fee,
            200..=299 => EventClass::Conversion,
            300..=399 => EventClass::BankDeposit,
            400..=499 => EventClass::Withdrawal,
            1100..=1199 => EventClass::Refund,
            1200..=1299 => EventClass::Chargeback,
            1300..=1399 => EventClass::Authorization,
            1500..=1599 | 2100..=2199 => EventClass::Hold,
            _ => EventClass::Unknown(self.0.clone()),
        }
    }
}

impl fmt::Display for EventCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for EventCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EventCode({:?})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_by_group() {
        let cases = [
            ("T0000", EventClass::Payment),
            ("T0006", EventClass::Payment),
            ("T0107", EventClass::Fee),
            ("T0114", EventClass::Fee),
            ("T0200", EventClass::Conversion),
            ("T0300", EventClass::BankDeposit),
            ("T0400", EventClass::Withdrawal),
            ("T0403", EventClass::Withdrawal),
            ("T1105", EventClass::Hold),
            ("T1106", EventClass::Refund),
            ("T1107", EventClass::Refund),
            ("T1108", EventClass::Refund),
            ("T1110", EventClass::Hold),
            ("T1111", EventClass::Hold),
            ("T1200", EventClass::Adjustment),
            ("T1201", EventClass::Chargeback),
            ("T1202", EventClass::Chargeback),
            ("T1301", EventClass::Authorization),
            ("T1503", EventClass::Hold),
            ("T2103", EventClass::Hold),
            ("T2000", EventClass::Unknown("T2000".into())),
            ("T0500", EventClass::Unknown("T0500".into())),
            ("X0006", EventClass::Unknown("X0006".into())),
            ("T006", EventClass::Unknown("T006".into())),
            ("", EventClass::Unknown(String::new())),
        ];
        for (code, class) in cases {
            assert_eq!(EventCode::new(code).class(), class, "{code}");
        }
        assert_eq!(EventCode::new("T1107").group(), Some(11));
        assert_eq!(EventCode::new("T1107x").group(), None);
    }
}
