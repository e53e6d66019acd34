//! Content hashes and derived ids.

use journal_mapping::Voucher;
use sha2::{Digest, Sha256};

/// SHA-256 (hex) of everything a voucher books except its id: kind, provider,
/// series, date, text, postings and sources. Two runs over the same provider
/// data give the same hash; any change at the provider that changes the
/// books changes it.
pub fn content_hash(voucher: &Voucher) -> String {
    let mut value = serde_json::to_value(voucher).unwrap_or(serde_json::Value::Null);
    if let Some(map) = value.as_object_mut() {
        map.remove("id");
    }
    // serde_json's map is ordered by key, so the text is canonical.
    hex(&Sha256::digest(value.to_string().as_bytes()))
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
