//! SIE 4I: the journal as an `sie_file::SieDocument`.

use bookkeeping_core::text::printable;
use bookkeeping_core::{ReviewItem, ReviewReason};
use sie_file::encoding::{cp437_byte, replacement};
use sie_file::{Account, FiscalYear, Generated, Program, SieDocument, Transaction, Voucher};
use time::Date;

use crate::journal::Journal;

/// What the SIE file says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SieExport {
    /// `#FNAMN`.
    pub company_name: String,
    /// `#ORGNR`, `nnnnnn-nnnn`.
    pub org_nr: Option<String>,
    /// `#PROGRAM` name.
    pub program: String,
    /// `#PROGRAM` version.
    pub program_version: String,
    /// `#GEN` date (pass it in: the output must not depend on the clock).
    pub generated: Date,
    /// `#KPTYP`, e.g. `BAS2014`.
    pub chart_type: Option<String>,
    /// Write `#KONTO` for the accounts used.
    pub include_accounts: bool,
    /// `#RAR 0`: the fiscal year (first and last day), for importers that
    /// check every voucher date against it.
    pub fiscal_year: Option<(Date, Date)>,
}

impl SieExport {
    /// kassabok's defaults for a company: program `kassabok` with this crate's
    /// version, accounts included.
    pub fn new(company_name: impl Into<String>, generated: Date) -> Self {
        SieExport {
            company_name: company_name.into(),
            org_nr: None,
            program: "kassabok".into(),
            program_version: env!("CARGO_PKG_VERSION").into(),
            generated,
            chart_type: None,
            include_accounts: true,
            fiscal_year: None,
        }
    }
}

impl Journal {
    /// The journal as an SIE 4I document: vouchers without numbers (the
    /// importer assigns them) in the policy's series, one `#TRANS` per
    /// posting, and `#KONTO` for the accounts used. Write it with
    /// `sie_file::write`.
    ///
    /// Voucher and posting texts come from provider data (document numbers,
    /// payout ids) and are written as [`sie_text`] gives them, so a character
    /// CP437 cannot hold never stops the file: the mapper has already added a
    /// review item naming the provider, the object and the text for each
    /// voucher this changes. What the host supplies (`export`'s company name,
    /// the chart's account names) is written as it is, and
    /// `CharPolicy::Error` refuses it with an error naming the record.
    pub fn to_sie(&self, export: &SieExport) -> SieDocument {
        let accounts = if export.include_accounts {
            self.accounts
                .iter()
                .map(|(n, name)| Account::new(n.clone(), name.clone()))
                .collect()
        } else {
            Vec::new()
        };
        let vouchers = self
            .vouchers
            .iter()
            .map(|v| {
                let mut out = Voucher::new(v.series.clone(), v.date, sie_text(&v.text));
                for p in &v.postings {
                    let mut amount = p.amount;
                    amount.rescale(2);
                    out = out
                        .with(Transaction::new(p.account.clone(), amount).text(sie_text(&p.text)));
                }
                out
            })
            .collect();
        SieDocument {
            flag: 0,
            program: Program {
                name: export.program.clone(),
                version: export.program_version.clone(),
            },
            generated: Some(Generated {
                date: export.generated,
                sign: None,
            }),
            org_number: export.org_nr.clone(),
            company_name: export.company_name.clone(),
            chart_type: export.chart_type.clone(),
            fiscal_years: export
                .fiscal_year
                .map(|(start, end)| FiscalYear {
                    index: 0,
                    start,
                    end,
                })
                .into_iter()
                .collect(),
            accounts,
            vouchers,
            ..SieDocument::default()
        }
    }
}

/// The longest text [`sie_text`] makes longer by a replacement: 50
/// characters, the SIE writer's default limit (Fortnox's).
pub const SIE_TEXT_LIMIT: usize = 50;

/// `text` as an SIE file can hold it: control, bidi and zero-width characters
/// removed (line breaks become spaces, see [`printable`]), and each character
/// CP437 lacks written as [`sie_file::encoding::replacement`] gives it (`€` as
/// `EUR`, `…` as `...`, an emoji as `?`). Never longer, in characters, than
/// `text` or [`SIE_TEXT_LIMIT`], whichever is more, so a replacement cannot
/// push a text over the writer's default limit.
///
/// ```
/// use journal_mapping::export::sie_text;
///
/// assert_eq!(sie_text("Kaffe åäö"), "Kaffe åäö");
/// assert_eq!(sie_text("#1001 🎉\r\n#VER"), "#1001 ?  #VER");
/// assert_eq!(sie_text("10 € rabatt"), "10 EUR rabatt");
/// ```
pub fn sie_text(text: &str) -> String {
    let shown = printable(text);
    if shown.chars().all(|c| cp437_byte(c).is_some()) {
        return shown.into_owned();
    }
    let limit = text.chars().count().max(SIE_TEXT_LIMIT);
    let mut out = String::with_capacity(shown.len());
    for c in shown.chars() {
        match cp437_byte(c) {
            Some(_) => out.push(c),
            None => out.push_str(replacement(c)),
        }
    }
    match out.char_indices().nth(limit) {
        Some((end, _)) => out[..end].to_owned(),
        None => out,
    }
}

/// The review item for a voucher whose texts [`sie_text`] changes: the
/// provider, the object behind the voucher, which text and how it is written.
pub(crate) fn unencodable_review(v: &crate::Voucher) -> Option<ReviewItem> {
    let changed = |t: &str| -> Option<String> {
        let written = sie_text(t);
        (written != t).then_some(written)
    };
    let mut fields = Vec::new();
    let mut written = None;
    if let Some(w) = changed(&v.text) {
        fields.push("voucher text".to_owned());
        written = Some(w);
    }
    for p in &v.postings {
        if let Some(w) = changed(&p.text) {
            fields.push(format!("posting text (account {})", p.account));
            written.get_or_insert(w);
        }
    }
    let written = written?;
    let mut item = ReviewItem::new(
        v.provider,
        ReviewReason::Other,
        format!(
            "written to the SIE file as \"{written}\": characters that SIE's character set (CP437) cannot hold, or control characters, were replaced; the journal CSV keeps the original"
        ),
    )
    .with_field(fields.join(", "));
    if let Some(source) = v.sources.first() {
        item = item.with_source(source.clone());
    }
    Some(item)
}
