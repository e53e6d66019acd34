//! Vouchers (verifikationer) and their postings.

use std::fmt;

use bookkeeping_core::{Money, Provider, SourceRef};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::chart::Role;

/// What a voucher records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum VoucherKind {
    /// One sale (order, invoice).
    Sale,
    /// One refund.
    Refund,
    /// The sales and refunds of a day.
    SalesDay,
    /// An invoice paid through a provider (1510 → clearing).
    InvoicePayment,
    /// A payout (or the part of one that falls in a month).
    Payout,
    /// A day of a bank-like balance (PayPal).
    Statement,
    /// Currency conversions within a provider balance.
    Conversion,
    /// A lost dispute.
    DisputeLost,
    /// A provider's bill outside its payouts (subscription, apps).
    Fee,
    /// Kontantmetod: the sales still unpaid at the fiscal year end, booked
    /// as claims (5 kap. 2 § BFL).
    YearEndClaims,
}

impl VoucherKind {
    /// A stable lower-case name, used in ids and CSV.
    pub fn as_str(&self) -> &'static str {
        match self {
            VoucherKind::Sale => "sale",
            VoucherKind::Refund => "refund",
            VoucherKind::SalesDay => "sales_day",
            VoucherKind::InvoicePayment => "invoice_payment",
            VoucherKind::Payout => "payout",
            VoucherKind::Statement => "statement",
            VoucherKind::Conversion => "conversion",
            VoucherKind::DisputeLost => "dispute_lost",
            VoucherKind::Fee => "fee",
            VoucherKind::YearEndClaims => "year_end_claims",
        }
    }
}

/// A voucher id, deterministic from the voucher's kind, date, group and
/// sorted sources: re-running a period yields the same ids, so a host can
/// deduplicate. 16 hex digits of a 64-bit FNV-1a hash (stable by definition,
/// unlike `DefaultHasher`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VoucherId(pub String);

impl VoucherId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for VoucherId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// 64-bit FNV-1a.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Fnv {
    pub(crate) fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    pub(crate) fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    /// Writes a field followed by a separator that cannot occur in it.
    pub(crate) fn field(&mut self, s: &str) {
        self.write(s.as_bytes());
        self.write(&[0xff]);
    }
    pub(crate) fn finish(&self) -> u64 {
        self.0
    }
    /// Writes a value's `Display` text as a field, as [`field`](Self::field)
    /// of its `to_string()` would, without the `String`: FNV reads the text
    /// as one stream of bytes, however `Display` splits it.
    pub(crate) fn display_field(&mut self, value: &impl fmt::Display) {
        use fmt::Write as _;
        // Writing into the hash cannot fail.
        let _ = write!(self, "{value}");
        self.write(&[0xff]);
    }
}

impl fmt::Write for Fnv {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.write(s.as_bytes());
        Ok(())
    }
}

/// One row of a voucher: account, SEK amount (debit positive, credit
/// negative), the foreign amount when the money was in another currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Posting {
    /// The account number.
    pub account: String,
    /// What the account is used for here.
    pub role: Role,
    /// SEK, two decimals; debit positive, credit negative.
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    /// The amount in the original currency, when it was not SEK.
    pub foreign: Option<Money>,
    /// A short text.
    pub text: String,
}

/// A balanced voucher (verifikation): never edited; a correction is a new one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Voucher {
    /// Deterministic id.
    pub id: VoucherId,
    /// What it records.
    pub kind: VoucherKind,
    /// The provider it belongs to.
    pub provider: Provider,
    /// The series (e.g. `F`).
    pub series: String,
    /// The voucher date (Europe/Stockholm).
    pub date: Date,
    /// The text, at most the policy's text limit.
    pub text: String,
    /// The rows, sorted by account.
    pub postings: Vec<Posting>,
    /// The provider objects behind it (the underlag), sorted.
    pub sources: Vec<SourceRef>,
}

impl Voucher {
    /// The sum of the postings (zero: every voucher balances).
    pub fn sum(&self) -> Decimal {
        self.postings.iter().map(|p| p.amount).sum()
    }

    /// Whether the postings sum to zero.
    pub fn is_balanced(&self) -> bool {
        self.sum().is_zero()
    }

    /// The SEK amount on `account` (sum of its postings).
    pub fn amount_on(&self, account: &str) -> Decimal {
        self.postings
            .iter()
            .filter(|p| p.account == account)
            .map(|p| p.amount)
            .sum()
    }
}

/// Cuts `text` to at most `limit` characters.
pub(crate) fn limit_text(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        text.to_owned()
    } else {
        text.chars().take(limit).collect()
    }
}

#[cfg(test)]
mod fnv_tests {
    use super::*;

    /// A voucher id is stable across versions: hashing a value's text as it
    /// is written gives the hash of its `to_string()`.
    #[test]
    fn display_field_hashes_the_text() {
        let source = SourceRef::new(Provider::Shopify, "order", "gid://shopify/Order/1");
        let (mut streamed, mut whole) = (Fnv::new(), Fnv::new());
        streamed.display_field(&source);
        whole.field(&source.to_string());
        assert_eq!(streamed.finish(), whole.finish());
        // 64-bit FNV-1a of "a" then the separator, as published.
        let mut a = Fnv::new();
        a.write(b"a");
        assert_eq!(a.finish(), 0xaf63_dc4c_8601_ec8c);
    }
}
