//! Klarna's CSV reports, read by column name.
//!
//! - [`parse_payout_report`]: the payout-with-transactions report
//!   (`reports/payout-with-transactions`, the Merchant Portal, SFTP). Columns
//!   are configurable per merchant, so every column is found by its name and
//!   unknown columns are ignored; the delimiter (`;`, `,`, tab, `|`) and the
//!   decimal form (`1 234,50`, `1,234.50`, `1234.50`) are detected. Columns
//!   are read by the names Klarna documents for the report
//!   (<https://docs.klarna.com/payments/after-payments/settlements/settlement-files/>):
//!   header fields `settlement_currency`, `total_*_amount` (with
//!   `total_commission_reversal_amount` and `total_deposit_amount`),
//!   `opening_debt_balance`, `closing_debt_balance`; body fields
//!   `posting_currency`, `tax_rate` and `tax_amount` (VAT on Klarna's fees)
//!   and the JSON transaction's names for the rest. The JSON API's names
//!   (`currency_code`, `vat_rate`, `vat_amount`, `*_debt_balance_amount`) are
//!   read as aliases, and a merchant who renamed columns in Klarna's report
//!   configurator passes the renames in [`ReportColumns`]. Header columns may
//!   repeat on every row. CSV amounts are decimals in major units (unlike the
//!   JSON's minor units) and are converted by the currency's exponent,
//!   exactly.
//! - [`parse_sales_report`]: Klarna's sales documents (one row per order line)
//!   with VAT, into [`Sale`]s and [`Refund`]s, one per order, type and capture
//!   (an order captured in parts on different days is booked in each day's
//!   month).
//!
//! A row that cannot be read is a [`Listed::Malformed`] or a review item
//! naming the row and column; the other rows still come through.

use std::collections::HashMap;
use std::str::FromStr;

use bookkeeping_core::{
    CountryCode, Currency, Customer, EuConsumerVat, LineKind, Money, Payment, PaymentChannel,
    Period, Provider, RecordStream, Refund, ReviewItem, ReviewReason, Sale, SaleLine, SalesRecord,
    SalesSource, Source, SourceRef, TaxTreatment, VatRate, stockholm_date,
};
use futures::StreamExt;
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use crate::listed::decode_item;
use crate::models::{Payout, Transaction};
use crate::normalize::ExpectedSale;
use provider_http::Listed;

/// A CSV report that cannot be read at all (a bad single row is not an
/// error: it is reported with the row).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The report has no header line.
    #[error("klarna: csv report: empty")]
    Empty,
    /// The CSV itself is broken (unbalanced quotes, invalid UTF-8).
    #[error("klarna: csv report: line {line}: {source}")]
    Csv {
        /// The line, 1-based, when known.
        line: u64,
        /// The csv crate's error.
        #[source]
        source: csv::Error,
    },
    /// A column the report cannot do without.
    #[error("klarna: csv report: no column {0:?}")]
    MissingColumn(&'static str),
}

/// The decimal separator a report uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecimalSeparator {
    /// `1234.50`, `1,234.50`.
    Point,
    /// `1234,50`, `1 234,50` (Swedish), `1.234,50`.
    Comma,
}

/// How a report was written: what was detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CsvFormat {
    /// The field delimiter.
    pub delimiter: u8,
    /// The decimal separator.
    pub decimal: DecimalSeparator,
}

/// A payout-with-transactions report.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PayoutReport {
    /// The payout from the header columns (totals, payment reference, payout
    /// date, currency), when the report has total columns.
    pub payout: Option<Listed<Payout>>,
    /// One per transaction row, in order.
    pub transactions: Vec<Listed<Transaction>>,
    /// The columns, as written.
    pub columns: Vec<String>,
    /// What was detected.
    pub format: CsvFormat,
}

/// Columns a merchant renamed in Klarna's report configurator: each
/// merchant name is read as the documented name it stands for.
///
/// ```
/// use klarna_settlements::report::{ReportColumns, parse_payout_report_with};
///
/// let columns = ReportColumns::default().rename("Belopp", "amount");
/// let csv = "payment_reference;settlement_currency;type;order_id;Belopp;posting_currency;\
///            purchase_country;sale_date;capture_date\n\
///            K7Q2M9XB;SEK;SALE;9a0e4c6b-2f37-4d1b-8f64-0c9a3b8e7d21;1 249,00;SEK;SE;\
///            2026-02-27T10:15:02Z;2026-02-28T08:01:44Z\n";
/// let report = parse_payout_report_with(csv.as_bytes(), &columns).unwrap();
/// let sale = report.transactions[0].item().unwrap();
/// assert_eq!(sale.amount, 124_900);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportColumns {
    renames: HashMap<String, String>,
}

impl ReportColumns {
    /// Reads the column `merchant_name` (compared without case) as Klarna's
    /// documented column `documented`.
    #[must_use]
    pub fn rename(mut self, merchant_name: &str, documented: &str) -> Self {
        self.renames.insert(
            merchant_name.trim().to_ascii_lowercase(),
            documented.trim().to_ascii_lowercase(),
        );
        self
    }

    fn documented(&self, column: String) -> String {
        self.renames.get(&column).cloned().unwrap_or(column)
    }
}

/// A data row: its line in the file and its fields.
type Row = (u64, Vec<String>);

struct Table {
    columns: Vec<String>,
    index: HashMap<String, usize>,
    rows: Vec<Row>,
    format: CsvFormat,
}

impl Table {
    fn get<'r>(&self, row: &'r [String], names: &[&str]) -> Option<&'r str> {
        names.iter().find_map(|n| {
            let i = *self.index.get(*n)?;
            row.get(i).map(|s| s.trim()).filter(|s| !s.is_empty())
        })
    }

    fn has(&self, names: &[&str]) -> bool {
        names.iter().any(|n| self.index.contains_key(*n))
    }
}

fn detect_delimiter(header: &str) -> u8 {
    let mut counts = [(b';', 0usize), (b',', 0), (b'\t', 0), (b'|', 0)];
    let mut quoted = false;
    for b in header.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(c) = counts.iter_mut().find(|(d, _)| *d == b) {
            c.1 += 1;
        }
    }
    // The first with the highest count; `;` wins ties (Klarna's default).
    counts
        .iter()
        .fold((b';', 0), |best, c| if c.1 > best.1 { *c } else { best })
        .0
}

fn clean_number(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}' && *c != '\'')
        .map(|c| if c == '\u{2212}' { '-' } else { c })
        .collect()
}

/// What one value says about the decimal separator, if anything.
fn decimal_hint(value: &str) -> Option<DecimalSeparator> {
    let s = clean_number(value);
    let last_comma = s.rfind(',');
    let last_point = s.rfind('.');
    match (last_comma, last_point) {
        (Some(c), Some(p)) => Some(if c > p {
            DecimalSeparator::Comma
        } else {
            DecimalSeparator::Point
        }),
        (Some(i), None) | (None, Some(i)) => {
            let sep = if last_comma.is_some() { ',' } else { '.' };
            let digits_after = s.len() - i - 1;
            // Two separators of one kind are grouping; `1,234` is ambiguous.
            if s.matches(sep).count() > 1 {
                Some(if sep == ',' {
                    DecimalSeparator::Point
                } else {
                    DecimalSeparator::Comma
                })
            } else if digits_after == 3 {
                None
            } else if sep == ',' {
                Some(DecimalSeparator::Comma)
            } else {
                Some(DecimalSeparator::Point)
            }
        }
        (None, None) => None,
    }
}

/// Parses a decimal written with `decimal` as the separator; the other
/// separator, spaces and apostrophes are grouping.
pub fn parse_decimal(value: &str, decimal: DecimalSeparator) -> Option<Decimal> {
    let s = clean_number(value);
    let (dec, group) = match decimal {
        DecimalSeparator::Point => ('.', ','),
        DecimalSeparator::Comma => (',', '.'),
    };
    let s: String = s
        .chars()
        .filter(|c| *c != group)
        .map(|c| if c == dec { '.' } else { c })
        .collect();
    if s.is_empty() {
        return None;
    }
    Decimal::from_str(&s).ok()
}

fn read_table(
    bytes: &[u8],
    amount_columns: &[&str],
    renames: &ReportColumns,
) -> Result<Table, ReportError> {
    let bytes = provider_http::strip_bom(bytes);
    let text = String::from_utf8_lossy(bytes);
    let header = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .ok_or(ReportError::Empty)?;
    let delimiter = detect_delimiter(header);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let columns: Vec<String> = reader
        .headers()
        .map_err(|source| ReportError::Csv { line: 1, source })?
        .iter()
        .map(|h| renames.documented(h.trim().to_ascii_lowercase()))
        .collect();
    let index = columns
        .iter()
        .enumerate()
        .map(|(i, c)| (c.clone(), i))
        .collect::<HashMap<_, _>>();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|source| ReportError::Csv {
            line: source.position().map_or(0, |p| p.line()),
            source,
        })?;
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let line = record.position().map_or(0, |p| p.line());
        rows.push((line, record.iter().map(str::to_owned).collect::<Vec<_>>()));
    }
    let amount_idx: Vec<usize> = amount_columns
        .iter()
        .filter_map(|c| index.get(*c).copied())
        .chain(
            columns
                .iter()
                .enumerate()
                .filter(|(_, c)| c.starts_with("total_"))
                .map(|(i, _)| i),
        )
        .collect();
    let decimal = rows
        .iter()
        .flat_map(|(_, r)| amount_idx.iter().filter_map(|i| r.get(*i)))
        .find_map(|v| decimal_hint(v))
        .unwrap_or(if delimiter == b',' {
            DecimalSeparator::Point
        } else {
            DecimalSeparator::Comma
        });
    Ok(Table {
        columns,
        index,
        rows,
        format: CsvFormat { delimiter, decimal },
    })
}

/// `2025-02-28T08:01:44Z`, `2025-02-28 08:01:44`, `2025-02-28` → RFC 3339 UTC.
fn datetime_text(value: &str) -> String {
    let v = value.trim();
    if v.len() == 10 {
        return format!("{v}T00:00:00Z");
    }
    let v = v.replacen(' ', "T", 1);
    // Bytes, not a `str` slice: the cell is text from the file, and a cut
    // six bytes from its end may fall inside a character (a U+2212 minus).
    let tail = &v.as_bytes()[v.len().saturating_sub(6)..];
    let has_offset = v.ends_with('Z') || tail.iter().any(|b| matches!(b, b'+' | b'-'));
    if has_offset { v } else { format!("{v}Z") }
}

/// A decimal in major units → minor units of `currency`, exactly; else the
/// text as it was (so decoding names the field).
fn minor_value(text: &str, currency: Option<Currency>, decimal: DecimalSeparator) -> Value {
    let minor = currency
        .zip(parse_decimal(text, decimal))
        .and_then(|(c, d)| Money::new(d, c).to_minor_units().ok());
    minor.map_or_else(|| Value::String(text.to_owned()), Value::from)
}

/// A JSON transaction field and the CSV columns it is read from: Klarna's
/// documented report name first, then aliases (the JSON API's names).
type Column = (&'static str, &'static [&'static str]);

const TRANSACTION_AMOUNTS: [Column; 3] = [
    ("amount", &["amount"]),
    ("vat_amount", &["tax_amount", "vat_amount"]),
    (
        "tax_in_currency_of_registration_country",
        &["tax_in_currency_of_registration_country"],
    ),
];
const TRANSACTION_RATE: Column = ("vat_rate", &["tax_rate", "vat_rate"]);
const TRANSACTION_INTEGERS: [&str; 2] = [
    "initial_number_of_installments",
    "initial_payment_method_monthly_downpayments",
];
const TRANSACTION_DATES: [&str; 2] = ["sale_date", "capture_date"];
const TRANSACTION_TEXT: [Column; 20] = [
    ("type", &["type"]),
    ("detailed_type", &["detailed_type"]),
    ("capture_id", &["capture_id"]),
    ("refund_id", &["refund_id"]),
    ("payment_reference", &["payment_reference"]),
    ("order_id", &["order_id"]),
    ("short_order_id", &["short_order_id"]),
    ("merchant_reference1", &["merchant_reference1"]),
    ("merchant_reference2", &["merchant_reference2"]),
    (
        "merchant_capture_reference",
        &["merchant_capture_reference"],
    ),
    ("merchant_refund_reference", &["merchant_refund_reference"]),
    ("currency_code", &["posting_currency", "currency_code"]),
    ("purchase_country", &["purchase_country"]),
    ("shipping_country", &["shipping_country"]),
    (
        "currency_code_of_registration_country",
        &["currency_code_of_registration_country"],
    ),
    (
        "initial_payment_method_type",
        &["initial_payment_method_type"],
    ),
    ("klarna_comment", &["klarna_comment"]),
    ("reversal_reference", &["reversal_reference"]),
    ("payout", &["payout"]),
    ("merchant_id", &["merchant_id"]),
];

/// The payout's currency: the header's `settlement_currency`, else a
/// transaction's currency.
const PAYOUT_CURRENCY: &[&str] = &["settlement_currency", "currency_code", "posting_currency"];

/// The JSON totals and the report's header columns they are read from.
const TOTALS: [Column; 19] = [
    ("sale_amount", &["total_sale_amount"]),
    ("return_amount", &["total_return_amount"]),
    ("reversal_amount", &["total_reversal_amount"]),
    ("fee_amount", &["total_fee_amount"]),
    ("fee_correction_amount", &["total_fee_correction_amount"]),
    ("holdback_amount", &["total_holdback_amount"]),
    ("release_amount", &["total_release_amount"]),
    ("repay_amount", &["total_repay_amount"]),
    ("tax_amount", &["total_tax_amount"]),
    ("commission_amount", &["total_commission_amount"]),
    (
        "commission_reversal_amount",
        &["total_commission_reversal_amount"],
    ),
    ("charge_amount", &["total_charge_amount"]),
    ("credit_amount", &["total_credit_amount"]),
    ("fee_refund_amount", &["total_fee_refund_amount"]),
    ("tax_refund_amount", &["total_tax_refund_amount"]),
    ("settlement_amount", &["total_settlement_amount"]),
    ("deposit_amount", &["total_deposit_amount"]),
    (
        "opening_debt_balance_amount",
        &[
            "opening_debt_balance",
            "total_opening_debt_balance_amount",
            "opening_debt_balance_amount",
        ],
    ),
    (
        "closing_debt_balance_amount",
        &[
            "closing_debt_balance",
            "total_closing_debt_balance_amount",
            "closing_debt_balance_amount",
        ],
    ),
];

/// Every column that holds an amount, for detecting the decimal separator.
fn amount_columns() -> Vec<&'static str> {
    TRANSACTION_AMOUNTS
        .iter()
        .chain(&TOTALS)
        .flat_map(|(_, names)| names.iter().copied())
        .collect()
}

/// A VAT rate cell → Klarna's hundredths of a percent (`25` or `25,00` →
/// `2500`; `2500` stays).
fn rate_hundredths(text: &str, decimal: DecimalSeparator) -> Option<i64> {
    let d = parse_decimal(text, decimal)?;
    let h = if d.abs() <= Decimal::ONE_HUNDRED {
        d * Decimal::ONE_HUNDRED
    } else {
        d
    };
    (h.fract().is_zero())
        .then(|| i64::try_from(h).ok())
        .flatten()
}

/// Reads a payout-with-transactions CSV report.
///
/// # Errors
/// [`ReportError`] when the file has no header or is not CSV; a bad row is a
/// [`Listed::Malformed`] naming the row (`line 7`) and column.
///
/// A report with Klarna's documented column names (settlement-files, "Fields
/// description"), Swedish number format, read and reconciled: the sale, the
/// fee with its VAT and the commission and its return explain the payout.
///
/// ```
/// use klarna_settlements::Listed;
/// use klarna_settlements::normalize::normalize_payout;
/// use klarna_settlements::report::parse_payout_report;
///
/// let csv = include_bytes!("../tests/fixtures/klarna/payout-report-documented-columns.csv");
/// let report = parse_payout_report(csv)?;
/// let Some(Listed::Item(payout)) = &report.payout else { panic!("{:?}", report.payout) };
/// assert_eq!(payout.totals.settlement_amount, 99_887); // minor units: 998,87 SEK
/// let normalized = normalize_payout(payout, &report.transactions);
/// assert!(normalized.reconciles() && normalized.review.is_empty());
/// let fee = normalized.payout.as_ref().and_then(|p| p.fees().next()).expect("a fee");
/// assert_eq!(fee.vat.map(|v| v.to_string()), Some("6.23 SEK".to_owned()));
/// # Ok::<(), klarna_settlements::report::ReportError>(())
/// ```
pub fn parse_payout_report(bytes: &[u8]) -> Result<PayoutReport, ReportError> {
    parse_payout_report_with(bytes, &ReportColumns::default())
}

/// Reads a payout-with-transactions CSV report whose columns the merchant
/// renamed (see [`ReportColumns`]).
///
/// # Errors
/// As [`parse_payout_report`].
pub fn parse_payout_report_with(
    bytes: &[u8],
    columns: &ReportColumns,
) -> Result<PayoutReport, ReportError> {
    let table = read_table(bytes, &amount_columns(), columns)?;
    let rows: Vec<&Row> = table.rows.iter().collect();
    Ok(report_from(&table, &rows))
}

/// Reads a report with several payouts (`payouts-summary-with-transactions`):
/// rows are grouped by `payment_reference`, in the order the payouts first
/// appear, and each group is read as by [`parse_payout_report`]. Rows without
/// a payment reference form a group of their own, so nothing is lost.
///
/// # Errors
/// As [`parse_payout_report`].
pub fn parse_payouts_report(bytes: &[u8]) -> Result<Vec<PayoutReport>, ReportError> {
    parse_payouts_report_with(bytes, &ReportColumns::default())
}

/// Reads a report with several payouts whose columns the merchant renamed
/// (see [`ReportColumns`]).
///
/// # Errors
/// As [`parse_payout_report`].
pub fn parse_payouts_report_with(
    bytes: &[u8],
    columns: &ReportColumns,
) -> Result<Vec<PayoutReport>, ReportError> {
    let table = read_table(bytes, &amount_columns(), columns)?;
    // Each group's place by reference: a report of many payouts (or one
    // that gives every row a reference of its own) is grouped in linear
    // time, the groups in the order their payouts first appear.
    let mut groups: Vec<Vec<&Row>> = Vec::new();
    let mut index: HashMap<Option<&str>, usize> = HashMap::new();
    for entry in &table.rows {
        let reference = table.get(&entry.1, &["payment_reference"]);
        let at = *index.entry(reference).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[at].push(entry);
    }
    Ok(groups
        .iter()
        .map(|rows| report_from(&table, rows))
        .collect())
}

fn report_from(table: &Table, rows: &[&Row]) -> PayoutReport {
    let dec = table.format.decimal;
    let header_currency = rows
        .iter()
        .find_map(|(_, r)| table.get(r, PAYOUT_CURRENCY))
        .and_then(|c| Currency::new(c).ok());

    let mut transactions = Vec::new();
    let mut header_row = None;
    for (line, row) in rows.iter().map(|e| (&e.0, &e.1)) {
        if table.get(row, &["type"]).is_none() {
            // A row without a transaction type carries only header fields.
            header_row.get_or_insert(row);
            continue;
        }
        header_row.get_or_insert(row);
        let currency = table
            .get(row, &["posting_currency", "currency_code"])
            .and_then(|c| Currency::new(c).ok())
            .or(header_currency);
        let mut obj = Map::new();
        for (field, names) in TRANSACTION_TEXT {
            if let Some(v) = table.get(row, names) {
                obj.insert(field.to_owned(), Value::String(v.to_owned()));
            }
        }
        if !obj.contains_key("currency_code")
            && let Some(c) = header_currency
        {
            obj.insert(
                "currency_code".to_owned(),
                Value::String(c.code().to_owned()),
            );
        }
        for (field, names) in TRANSACTION_AMOUNTS {
            if let Some(v) = table.get(row, names) {
                obj.insert(field.to_owned(), minor_value(v, currency, dec));
            }
        }
        for col in TRANSACTION_INTEGERS {
            if let Some(v) = table.get(row, &[col]) {
                let value = v
                    .parse::<i64>()
                    .map_or_else(|_| Value::String(v.to_owned()), Value::from);
                obj.insert(col.to_owned(), value);
            }
        }
        if let Some(v) = table.get(row, TRANSACTION_RATE.1) {
            let value =
                rate_hundredths(v, dec).map_or_else(|| Value::String(v.to_owned()), Value::from);
            obj.insert(TRANSACTION_RATE.0.to_owned(), value);
        }
        for col in TRANSACTION_DATES {
            if let Some(v) = table.get(row, &[col]) {
                obj.insert(col.to_owned(), Value::String(datetime_text(v)));
            }
        }
        let listed = decode_item::<Transaction>(
            "report_row",
            &["/capture_id", "/refund_id", "/order_id"],
            Value::Object(obj),
        );
        transactions.push(match listed {
            Listed::Malformed(mut m) => {
                m.id = Some(format!("line {line}"));
                Listed::Malformed(m)
            }
            ok => ok,
        });
    }

    let has_totals = TOTALS.iter().any(|(_, names)| table.has(names));
    let payout = match header_row {
        Some(row) if has_totals => {
            let mut totals = Map::new();
            for (field, names) in TOTALS {
                if let Some(v) = table.get(row, names) {
                    totals.insert(field.to_owned(), minor_value(v, header_currency, dec));
                }
            }
            let mut obj = Map::new();
            obj.insert("totals".to_owned(), Value::Object(totals));
            for col in ["payment_reference", "merchant_id"] {
                if let Some(v) = table.get(row, &[col]) {
                    obj.insert(col.to_owned(), Value::String(v.to_owned()));
                }
            }
            if let Some(c) = header_currency {
                obj.insert(
                    "currency_code".to_owned(),
                    Value::String(c.code().to_owned()),
                );
            }
            if let Some(v) = table.get(row, &["payout_date"]) {
                obj.insert("payout_date".to_owned(), Value::String(datetime_text(v)));
            }
            // Columns are configurable: a report without these two still
            // names its payout; the type is then unknown, the merchant empty.
            obj.insert(
                "merchant_settlement_type".to_owned(),
                Value::String(
                    table
                        .get(row, &["merchant_settlement_type"])
                        .unwrap_or("")
                        .to_owned(),
                ),
            );
            obj.entry("merchant_id")
                .or_insert_with(|| Value::String(String::new()));
            Some(decode_item::<Payout>(
                "payout",
                &["/payment_reference"],
                Value::Object(obj),
            ))
        }
        _ => None,
    };
    PayoutReport {
        payout,
        transactions,
        columns: table.columns.clone(),
        format: table.format,
    }
}

/// Klarna's sales documents with VAT: sales and refunds per order.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SalesReport {
    /// Whether the report has VAT columns. Without them no [`Sale`] is made:
    /// the sales must come from the shop's own report, matched through
    /// [`expected`](SalesReport::expected).
    pub carries_vat: bool,
    /// Sales, refunds and review items, in the report's order.
    pub records: Vec<SalesRecord>,
    /// The documents of the report, for matching with the shop's report.
    pub expected: Vec<ExpectedSale>,
    /// What was detected.
    pub format: CsvFormat,
}

const SALES_AMOUNT: &[&str] = &["total_amount", "amount"];
const SALES_VAT: &[&str] = &["total_tax_amount", "tax_amount", "vat_amount"];
const SALES_RATE: &[&str] = &["tax_rate", "vat_rate"];
const SALES_DATE: &[&str] = &["capture_date", "sale_date", "created_at", "date"];

/// The capture a sales report row belongs to, besides its order and type:
/// the Stockholm day of its capture date. Not its `capture_id`, even when
/// the report has that column: the settlement's transactions always date
/// their capture (`capture_date` is required there) but give a `RETURN` no
/// capture id, and a settlement line must name the same document whichever
/// columns the shop's report was exported with. Captures of one order on
/// one day are one document: they are booked in the same month.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Capture {
    /// The Stockholm day of the row's capture date.
    Day(Date),
    /// The row cannot be dated, and is not booked.
    Undated,
}

/// The id of the document of `order_id` keyed by `capture`: stable across
/// reports, whatever range they cover, since it is made of the row's own
/// cells.
fn document_id(order_id: &str, capture: &Capture) -> String {
    match capture {
        Capture::Day(day) => format!("{order_id}/{day}"),
        Capture::Undated => order_id.to_owned(),
    }
}

/// The id [`parse_sales_report`] gives the document of `order_id` captured
/// at `captured_at`, for a settlement line of that capture to name.
pub(crate) fn capture_document_id(order_id: &str, captured_at: OffsetDateTime) -> String {
    document_id(order_id, &Capture::Day(stockholm_date(captured_at)))
}

/// The sale document a refund at `at` returns, of its order's `sales` in
/// the report: a RETURN row does not name its capture, so the last capture
/// at or before the refund (what can have been returned), else the first.
/// `None` when the report has no sale of the order (captured in an earlier
/// report): the refund then names the order itself.
fn returned_sale(sales: &[(OffsetDateTime, SourceRef)], at: OffsetDateTime) -> Option<&SourceRef> {
    sales
        .iter()
        .filter(|(s, _)| *s <= at)
        .max_by_key(|(s, _)| *s)
        .or_else(|| sales.iter().min_by_key(|(s, _)| *s))
        .map(|(_, s)| s)
}

struct Doc {
    refund: bool,
    order_id: String,
    /// [`document_id`]: the sale's or refund's [`SourceRef`] id.
    id: String,
    reference: Option<String>,
    currency: Option<Currency>,
    occurred_at: Option<OffsetDateTime>,
    country: Option<CountryCode>,
    lines: Vec<SaleLine>,
    /// Items that keep the document from being booked (but a
    /// [`ReviewReason::TaxTreatment`] one).
    problems: Vec<ReviewItem>,
    gross: Vec<Money>,
}

impl Doc {
    fn new(refund: bool, order_id: &str, capture: &Capture, reference: Option<&str>) -> Self {
        Doc {
            refund,
            order_id: order_id.to_owned(),
            id: document_id(order_id, capture),
            reference: reference.map(str::to_owned),
            currency: None,
            occurred_at: None,
            country: None,
            lines: Vec::new(),
            problems: Vec::new(),
            gross: Vec::new(),
        }
    }

    fn source(&self) -> SourceRef {
        let kind = if self.refund { "refund" } else { "order" };
        SourceRef::new(Provider::Klarna, kind, self.id.clone())
    }

    /// Dates the document by its earliest row (all of them are on one
    /// day).
    fn date(&mut self, at: OffsetDateTime) {
        self.occurred_at = Some(self.occurred_at.map_or(at, |first| first.min(at)));
    }
}

fn line_kind(line_type: Option<&str>) -> LineKind {
    match line_type.map(str::to_ascii_lowercase).as_deref() {
        Some("physical") | None => LineKind::Goods,
        Some("digital") => LineKind::Service,
        Some("shipping_fee") => LineKind::Shipping,
        Some("discount") => LineKind::Discount,
        Some("gift_card") | Some("store_credit") => LineKind::GiftCard,
        Some(_) => LineKind::Other,
    }
}

/// The treatment of a line sold to `country` at `rate`, by the shop's EU
/// consumer scheme; `None` when they do not decide it. The rate does not
/// say the scheme: 25 % is Sweden's rate and Denmark's and Croatia's, and a
/// shop below the threshold charges Swedish 12 % to a German consumer.
fn treatment(
    country: Option<CountryCode>,
    rate: VatRate,
    scheme: EuConsumerVat,
) -> Option<TaxTreatment> {
    let c = country?;
    if c.is_sweden() {
        Some(TaxTreatment::Domestic)
    } else if c.is_eu() {
        match scheme {
            _ if rate.is_zero() => None,
            EuConsumerVat::Oss => Some(TaxTreatment::EuOss { country: c }),
            EuConsumerVat::SwedishVat if rate.is_swedish() => Some(TaxTreatment::EuB2cSwedishVat),
            _ => None,
        }
    } else if rate.is_zero() {
        Some(TaxTreatment::ExportOutsideEu)
    } else {
        None
    }
}

/// Reads Klarna's sales documents: one row per order line, columns by name
/// (`order_id`; `total_amount` VAT included; `total_tax_amount` and
/// `tax_rate` (`25`, `25,00` or Klarna's `2500`); `capture_date`;
/// `currency_code`; `type` `SALE` or `RETURN`; `merchant_reference1`;
/// `shipping_country` or `purchase_country`; `name`; `line_type` as Klarna's
/// order line types `physical`, `shipping_fee`, `discount`…).
///
/// Rows are grouped into one document per order, type and capture day (the
/// Stockholm day of the row's `capture_date`). A merchant may capture an
/// order in parts, on different days (and return it in parts): each day's
/// capture is booked in its own month, as Klarna settles each on its own,
/// and a month's close does not depend on the day it runs. A row without a
/// readable date is a document of its own that is not booked. The
/// [`Sale`]'s id (kind `order`) and the [`Refund`]'s (kind `refund`) are
/// `{order_id}/{YYYY-MM-DD}`, made of the rows alone, so a capture has the
/// same id in every report that holds it; a settlement's `SALE` line names
/// the sale of its capture day the same way (`capture_id` is not used: a
/// settlement gives a `RETURN` none, and a shop's export may leave the
/// column out). The payment's reference stays Klarna's `order_id`; each
/// captured sale is one [`SalesReport::expected`] of that order. A refund's
/// [`Refund::sale`] is the order's last sale document at or before the
/// refund (a `RETURN` row does not name its capture), else its first; the
/// order itself when the report has no sale of it. Grouping is by hash:
/// linear in the rows.
///
/// Without VAT columns the report makes no sales, only
/// [`SalesReport::expected`]. A document with a row that cannot be read, or
/// without a VAT rate, becomes a review item instead of a sale: a sale is
/// never booked with a guessed VAT.
///
/// Sales to consumers in other EU countries are read as under OSS
/// ([`EuConsumerVat::Oss`], the default, as Shopify's); a shop below the
/// threshold reads its report with [`parse_sales_report_with`].
///
/// # Errors
/// [`ReportError`] when the file has no header, is not CSV, or has no
/// `order_id` or amount column.
pub fn parse_sales_report(bytes: &[u8]) -> Result<SalesReport, ReportError> {
    parse_sales_report_with(bytes, EuConsumerVat::Oss)
}

/// [`parse_sales_report`] for a shop whose EU consumer sales are reported
/// under `scheme`: under OSS a sale to another EU country carries its
/// country's VAT ([`TaxTreatment::EuOss`]); below the threshold Swedish VAT
/// ([`TaxTreatment::EuB2cSwedishVat`]), and a line at another rate is a
/// review item, never guessed.
///
/// ```
/// use bookkeeping_core::{EuConsumerVat, SalesRecord, TaxTreatment};
/// use klarna_settlements::report::parse_sales_report_with;
///
/// let csv = "order_id;type;capture_date;currency_code;shipping_country;total_amount;tax_rate;total_tax_amount\n\
///            o1;SALE;2026-03-02T10:00:00Z;SEK;DK;125,00;25;25,00\n";
/// let oss = parse_sales_report_with(csv.as_bytes(), EuConsumerVat::Oss)?;
/// let below = parse_sales_report_with(csv.as_bytes(), EuConsumerVat::SwedishVat)?;
/// let treatment = |r: &SalesRecord| match r {
///     SalesRecord::Sale(s) => Some(s.lines[0].treatment.clone()),
///     _ => None,
/// };
/// assert!(matches!(treatment(&oss.records[0]), Some(TaxTreatment::EuOss { .. })));
/// assert_eq!(treatment(&below.records[0]), Some(TaxTreatment::EuB2cSwedishVat));
/// # Ok::<(), klarna_settlements::report::ReportError>(())
/// ```
///
/// # Errors
/// As [`parse_sales_report`].
pub fn parse_sales_report_with(
    bytes: &[u8],
    scheme: EuConsumerVat,
) -> Result<SalesReport, ReportError> {
    let table = read_table(
        bytes,
        &[
            "total_amount",
            "amount",
            "total_tax_amount",
            "tax_amount",
            "vat_amount",
        ],
        &ReportColumns::default(),
    )?;
    let dec = table.format.decimal;
    if !table.has(&["order_id"]) {
        return Err(ReportError::MissingColumn("order_id"));
    }
    if !table.has(SALES_AMOUNT) {
        return Err(ReportError::MissingColumn("total_amount"));
    }
    let carries_vat = table.has(SALES_VAT) && table.has(SALES_RATE);
    let mut docs: Vec<Doc> = Vec::new();
    // Each document's place in `docs`, by (order, refund, capture): a
    // hostile report of many orders is grouped in linear time, and the
    // documents keep the order of their first rows.
    let mut index: HashMap<(String, bool, Capture), usize> = HashMap::new();
    for (line, row) in &table.rows {
        let Some(order_id) = table.get(row, &["order_id"]) else {
            // A row without an order cannot be grouped: it is a review item
            // of its own, so nothing is lost.
            let mut doc = Doc::new(false, &format!("line {line}"), &Capture::Undated, None);
            doc.problems.push(
                ReviewItem::new(
                    Provider::Klarna,
                    ReviewReason::Malformed,
                    format!("sales report line {line} has no order_id"),
                )
                .with_field("order_id"),
            );
            docs.push(doc);
            continue;
        };
        let kind = table
            .get(row, &["type"])
            .unwrap_or("SALE")
            .to_ascii_uppercase();
        let refund = matches!(kind.as_str(), "RETURN" | "REFUND");
        let at = table
            .get(row, SALES_DATE)
            .and_then(|d| OffsetDateTime::parse(&datetime_text(d), &Rfc3339).ok());
        let capture = match at {
            Some(at) => Capture::Day(stockholm_date(at)),
            None => Capture::Undated,
        };
        let pos = *index
            .entry((order_id.to_owned(), refund, capture))
            .or_insert_with_key(|(_, _, capture)| {
                let reference = table.get(row, &["merchant_reference1"]);
                docs.push(Doc::new(refund, order_id, capture, reference));
                docs.len() - 1
            });
        let doc = &mut docs[pos];
        if let Some(at) = at {
            doc.date(at);
        }
        let source = doc.source();
        let problem = |field: &str, reason: ReviewReason, msg: String| {
            ReviewItem::new(Provider::Klarna, reason, msg)
                .with_source(source.clone())
                .with_field(field.to_owned())
        };
        if !matches!(kind.as_str(), "SALE" | "RETURN" | "REFUND") {
            doc.problems.push(problem(
                "type",
                ReviewReason::UnknownType,
                format!("line {line}: document type {kind:?} is not known"),
            ));
        }
        let currency = match table.get(row, &["currency_code"]).map(Currency::new) {
            Some(Ok(c)) if c.is_known() => c,
            _ => {
                doc.problems.push(problem(
                    "currency_code",
                    ReviewReason::Currency,
                    format!("line {line}: no known currency"),
                ));
                continue;
            }
        };
        doc.currency.get_or_insert(currency);
        if doc.country.is_none() {
            doc.country = table
                .get(row, &["shipping_country", "purchase_country"])
                .and_then(|c| CountryCode::new(c).ok());
        }
        let Some(gross) = table
            .get(row, SALES_AMOUNT)
            .and_then(|v| parse_decimal(v, dec))
            .map(|d| Money::new(d, currency))
            .filter(Money::is_minor_unit_exact)
        else {
            doc.problems.push(problem(
                "total_amount",
                ReviewReason::Malformed,
                format!("line {line}: the amount cannot be read"),
            ));
            continue;
        };
        doc.gross.push(gross);
        if !carries_vat {
            continue;
        }
        let vat = table
            .get(row, SALES_VAT)
            .and_then(|v| parse_decimal(v, dec))
            .map(|d| Money::new(d, currency));
        let rate = table
            .get(row, SALES_RATE)
            .and_then(|v| rate_hundredths(v, dec))
            .map(|h| VatRate::from_percent(Decimal::new(h, 2)));
        let (Some(vat), Some(rate)) = (vat, rate) else {
            doc.problems.push(
                problem(
                    "tax_rate",
                    ReviewReason::VatRate,
                    format!("line {line}: no VAT rate or VAT amount"),
                )
                .with_amount(gross),
            );
            continue;
        };
        let Ok(net) = gross.checked_sub(&vat) else {
            continue;
        };
        let treatment = match treatment(doc.country, rate, scheme) {
            Some(t) => t,
            None => {
                doc.problems.push(problem(
                    "shipping_country",
                    ReviewReason::TaxTreatment,
                    format!(
                        "line {line}: tax treatment for country {} at {rate} cannot be decided",
                        doc.country.map_or("unknown".to_owned(), |c| c.to_string())
                    ),
                ));
                TaxTreatment::Undetermined {
                    reason: "country and VAT rate do not decide it".to_owned(),
                }
            }
        };
        doc.lines.push(SaleLine {
            kind: line_kind(table.get(row, &["line_type", "order_line_type"])),
            description: table
                .get(row, &["name", "description", "reference"])
                .unwrap_or("")
                .into(),
            net,
            vat,
            vat_rate: Some(rate),
            treatment,
        });
    }

    // The dated sale documents of each order, for a refund's link to its sale.
    let mut sales_of: HashMap<String, Vec<(OffsetDateTime, SourceRef)>> = HashMap::new();
    for doc in docs.iter().filter(|d| !d.refund) {
        if let Some(at) = doc.occurred_at {
            let sales = sales_of.entry(doc.order_id.clone()).or_default();
            sales.push((at, doc.source()));
        }
    }
    let mut records = Vec::new();
    let mut expected = Vec::new();
    for doc in docs {
        let currency = doc.currency;
        let total = currency.and_then(|c| Money::sum(c, &doc.gross).ok());
        if let (Some(total), Some(at)) = (total, doc.occurred_at)
            && !doc.refund
        {
            // One per capture, as Klarna settles each capture on its own
            // (as `normalize::expected_sales` has one per SALE transaction);
            // `order` is Klarna's order, which the shop's report knows.
            expected.push(ExpectedSale {
                order: SourceRef::new(Provider::Klarna, "order", doc.order_id.clone()),
                merchant_reference: doc.reference.clone(),
                merchant_reference2: None,
                amount: total,
                captured_at: at,
                payment_reference: None,
            });
        }
        let source = doc.source();
        let said = doc.problems;
        let blocking = said
            .iter()
            .any(|p| !matches!(p.reason, ReviewReason::TaxTreatment));
        if !carries_vat {
            records.extend(said.into_iter().map(SalesRecord::Review));
            continue;
        }
        let (Some(currency), Some(occurred_at), Some(total)) = (currency, doc.occurred_at, total)
        else {
            records.push(SalesRecord::Review(
                ReviewItem::new(
                    Provider::Klarna,
                    ReviewReason::Malformed,
                    "sales document without currency or date is not booked",
                )
                .with_source(source)
                .with_field("capture_date"),
            ));
            records.extend(said.into_iter().map(SalesRecord::Review));
            continue;
        };
        if blocking || doc.lines.is_empty() {
            let mut item = ReviewItem::new(
                Provider::Klarna,
                ReviewReason::Incomplete,
                "sales document is not booked: a line could not be used",
            )
            .with_source(source)
            .with_amount(total);
            item.field = None;
            records.push(SalesRecord::Review(item));
            records.extend(said.into_iter().map(SalesRecord::Review));
            continue;
        }
        records.extend(said.into_iter().map(SalesRecord::Review));
        let document_number = doc
            .reference
            .clone()
            .unwrap_or_else(|| doc.order_id.clone());
        let customer = Customer {
            country: doc.country,
            vat_number: None,
        };
        // The payment's reference is Klarna's order id, as a settlement
        // transaction carries it.
        let payments = vec![Payment {
            gateway: "Klarna".into(),
            channel: PaymentChannel::Provider(Provider::Klarna),
            amount: total,
            reference: Some(doc.order_id.as_str().into()),
            processed_at: Some(occurred_at),
        }];
        if doc.refund {
            let sales = sales_of.get(&doc.order_id).map_or(&[][..], Vec::as_slice);
            let sale = returned_sale(sales, occurred_at)
                .cloned()
                .unwrap_or_else(|| SourceRef::new(Provider::Klarna, "order", doc.order_id.clone()));
            records.push(SalesRecord::Refund(Refund {
                source,
                sale,
                document_number: document_number.into(),
                occurred_at,
                currency,
                lines: doc.lines,
                customer,
                payments,
                // A RETURN row does not date the capture it returns.
                sale_occurred_at: None,
            }));
        } else {
            records.push(SalesRecord::Sale(Sale {
                source,
                document_number: document_number.into(),
                occurred_at,
                currency,
                lines: doc.lines,
                customer,
                payments,
                test: false,
            }));
        }
    }
    Ok(SalesReport {
        carries_vat,
        records,
        expected,
        format: table.format,
    })
}

impl Source for SalesReport {
    fn provider(&self) -> Provider {
        Provider::Klarna
    }
}

impl SalesSource for SalesReport {
    /// The sales and refunds of the report that occurred in `period`, and
    /// every review item of the report.
    fn sales<'a>(&'a self, period: &'a Period) -> RecordStream<'a, SalesRecord> {
        let records: Vec<_> = self
            .records
            .iter()
            .filter(|r| match r {
                SalesRecord::Sale(s) => period.contains(s.occurred_at),
                SalesRecord::Refund(r) => period.contains(r.occurred_at),
                _ => true,
            })
            .cloned()
            .map(Ok)
            .collect();
        futures::stream::iter(records).boxed()
    }
}
