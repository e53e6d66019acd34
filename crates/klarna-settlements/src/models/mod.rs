//! Klarna Settlements API v1 objects, as the API sends them.
//!
//! Amounts are integer minor units (`i64`), as in the JSON; dates are RFC 3339
//! UTC instants. Fields that Klarna added after the first version of the API
//! (`charge_amount`, `vat_amount`, `detailed_type`, …) are `Option`, so older
//! payouts still decode. Enums keep values this crate does not know in an
//! `Unknown(String)` variant.

mod enums;
mod payout;
mod transaction;

pub use crate::ids::{CaptureId, MerchantId, OrderId, PaymentReference, RefundId};
pub use enums::{DetailedType, MerchantSettlementType, TransactionType};
pub use payout::{ErrorResponse, Pagination, Payout, PayoutSummary, Totals};
pub use transaction::Transaction;

/// `""` and `null` both mean "absent" for Klarna's optional strings (a return
/// has `"capture_id": ""`).
pub(crate) mod empty_as_none {
    use serde::{Deserialize, Deserializer};

    pub(crate) fn deserialize<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: From<String>,
    {
        let s = Option::<String>::deserialize(d)?;
        Ok(s.filter(|s| !s.trim().is_empty()).map(T::from))
    }

    /// A country code where `""` means absent (Klarna's rows without an
    /// order); anything else must be a valid code.
    pub(crate) fn country<'de, D>(d: D) -> Result<Option<bookkeeping_core::CountryCode>, D::Error>
    where
        D: Deserializer<'de>,
    {
        let s = Option::<String>::deserialize(d)?;
        s.filter(|s| !s.trim().is_empty())
            .map(|s| bookkeeping_core::CountryCode::new(&s).map_err(serde::de::Error::custom))
            .transpose()
    }
}
