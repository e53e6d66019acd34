//! SIE 4I: the journal as an `sie_file::SieDocument`.

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
    /// `sie_file::write`. Texts come from provider data (order numbers,
    /// payout ids); write with `CharPolicy::Replace` if they may hold
    /// characters CP437 cannot.
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
                let mut out = Voucher::new(v.series.clone(), v.date, v.text.clone());
                for p in &v.postings {
                    let mut amount = p.amount;
                    amount.rescale(2);
                    out =
                        out.with(Transaction::new(p.account.clone(), amount).text(p.text.clone()));
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
