//! CSV: one row per posting.

use std::io::Write;

use crate::journal::Journal;

/// Writing CSV failed.
#[derive(Debug, thiserror::Error)]
#[error("journal-mapping: writing CSV: {0}")]
pub struct CsvError(#[from] ::csv::Error);

/// The CSV header.
pub(crate) const HEADER: [&str; 13] = [
    "voucher_id",
    "series",
    "date",
    "kind",
    "provider",
    "voucher_text",
    "account",
    "account_name",
    "amount_sek",
    "foreign_amount",
    "foreign_currency",
    "posting_text",
    "sources",
];

impl Journal {
    /// Writes one row per posting (comma-separated, UTF-8, a header row, `.`
    /// as decimal point, SEK with two decimals), vouchers in journal order.
    ///
    /// # Errors
    /// [`CsvError`] when the writer fails.
    pub fn to_csv<W: Write>(&self, writer: W) -> Result<(), CsvError> {
        let mut w = ::csv::Writer::from_writer(writer);
        w.write_record(HEADER)?;
        let names: std::collections::BTreeMap<&str, &str> = self
            .accounts
            .iter()
            .map(|(a, n)| (a.as_str(), n.as_str()))
            .collect();
        for v in &self.vouchers {
            let sources: Vec<String> = v.sources.iter().map(ToString::to_string).collect();
            let sources = sources.join(" ");
            let date = v.date.to_string();
            for p in &v.postings {
                let mut amount = p.amount;
                amount.rescale(2);
                let (fa, fc) = match &p.foreign {
                    Some(m) => (m.amount().to_string(), m.currency().to_string()),
                    None => (String::new(), String::new()),
                };
                w.write_record([
                    v.id.as_str(),
                    &v.series,
                    &date,
                    v.kind.as_str(),
                    v.provider.as_str(),
                    &v.text,
                    &p.account,
                    names.get(p.account.as_str()).copied().unwrap_or(""),
                    &amount.to_string(),
                    &fa,
                    &fc,
                    &p.text,
                    &sources,
                ])?;
            }
        }
        w.flush().map_err(|e| CsvError(e.into()))?;
        Ok(())
    }
}
