//! Content hashes and derived ids.

use journal_mapping::Voucher;
use sha2::{Digest, Sha256};

/// SHA-256 (hex) of a whole voucher but its id, texts included: the hash a
/// ledger stored before [`booking_hash`], still read for the vouchers it
/// stored then ([`same_booking`]). Two runs over the same provider data give
/// the same hash; any change at the provider that changes the books, or
/// only a text, changes it.
pub fn content_hash(voucher: &Voucher) -> String {
    let mut value = serde_json::to_value(voucher).unwrap_or(serde_json::Value::Null);
    if let Some(map) = value.as_object_mut() {
        map.remove("id");
    }
    // serde_json's map is ordered by key, so the text is canonical.
    hex(&Sha256::digest(value.to_string().as_bytes()))
}

/// The prefix of a [`booking_hash`]: a stored hash without it is a
/// [`content_hash`], written by a ledger before booking hashes.
const BOOKING: &str = "b1:";

/// SHA-256 (hex, behind `b1:`) of what a voucher books: kind, provider,
/// series, date, each posting's account, SEK amount and foreign amount, and
/// the sources. Not its id and not its texts: a voucher whose wording alone
/// changed (a provider's edited description, a newer kassabok's posting
/// text) books the same, and a re-run must not reverse and rebook it.
/// What the ledger stores and compares ([`same_booking`]).
pub fn booking_hash(voucher: &Voucher) -> String {
    let postings: Vec<serde_json::Value> = voucher
        .postings
        .iter()
        .map(|p| serde_json::json!([p.account, p.amount.to_string(), p.foreign]))
        .collect();
    let value = serde_json::json!({
        "kind": voucher.kind,
        "provider": voucher.provider,
        "series": voucher.series,
        "date": voucher.date.to_string(),
        "postings": postings,
        "sources": voucher.sources,
    });
    format!(
        "{BOOKING}{}",
        hex(&Sha256::digest(value.to_string().as_bytes()))
    )
}

/// Whether `voucher` books what the stored hash says was booked: a
/// [`booking_hash`] is compared as one; a hash a ledger stored before them
/// (a [`content_hash`], texts included) is compared as that, so a ledger
/// kept across the upgrade sees its vouchers unchanged, not all changed.
pub fn same_booking(stored: &str, voucher: &Voucher) -> bool {
    if stored.starts_with(BOOKING) {
        stored == booking_hash(voucher)
    } else {
        stored == content_hash(voucher)
    }
}

/// The id of the `n`-th correction voucher (`role`) of a journal voucher:
/// deterministic, so a resumed run plans the same ids.
pub(crate) fn derived_id(source_id: &str, role: &str, n: i64) -> String {
    let mut h = Sha256::new();
    for part in [source_id, role, &n.to_string()] {
        h.update(part.as_bytes());
        h.update([0xff]);
    }
    hex(&h.finalize()[..8])
}

/// The PostgreSQL advisory-lock key of a company.
pub(crate) fn lock_key(company: &str) -> i64 {
    let digest = Sha256::digest(format!("kassabok-ledger\u{ff}{company}").as_bytes());
    let mut eight = [0_u8; 8];
    eight.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(eight)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
