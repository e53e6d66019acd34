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

/// The most characters a spreadsheet cell holds: "Total number of
/// characters that a cell can contain: 32,767 characters" (Microsoft,
/// "Excel specifications and limits"); LibreOffice Calc's limit is higher.
/// A payout of tens of thousands of lines lists them all as its sources,
/// which as one cell was megabytes, repeated on each of its rows: cut off
/// and shown in a spreadsheet as a mangled row.
pub(crate) const MAX_CELL_CHARS: usize = 32_767;

/// The `sources` cell of a voucher: its sources, space-separated, as many
/// as fit in a spreadsheet cell ([`MAX_CELL_CHARS`]) with room to say how
/// many more there are (`… and 31,999 more`); every source stays in
/// [`Voucher::sources`](crate::Voucher::sources).
fn sources_cell(sources: &[bookkeeping_core::SourceRef]) -> String {
    // "… and 18446744073709551615 more" is 33 characters.
    const ROOM: usize = 40;
    let mut cell = String::new();
    let mut chars = 0;
    for (i, source) in sources.iter().enumerate() {
        let text = source.to_string();
        let len = text.chars().count() + usize::from(i > 0);
        if chars + len > MAX_CELL_CHARS - ROOM {
            let rest = sources.len() - i;
            cell.push_str(&format!(" … and {rest} more"));
            return cell;
        }
        if i > 0 {
            cell.push(' ');
        }
        cell.push_str(&text);
        chars += len;
    }
    cell
}

impl Journal {
    /// Writes one row per posting (comma-separated, UTF-8, a header row, `.`
    /// as decimal point, SEK with two decimals), vouchers in journal order.
    /// The `sources` column lists as many of a voucher's sources as a
    /// spreadsheet cell holds (32,767 characters) and says how many more it
    /// has.
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
            let sources = sources_cell(&v.sources);
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
