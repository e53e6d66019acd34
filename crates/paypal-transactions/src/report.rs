//! PayPal's "Activity download" CSV (Activity → Statements → Activity report), read into
//! the same [`StatementLine`]s as the API.
//!
//! Columns are mapped **by header name** (users choose which columns to download; the
//! order differs between accounts). The English headers are required; numbers and dates
//! follow the account's locale, so they are [`ActivityCsvOptions`]. Each row is read on its
//! own: a row that cannot be read becomes a [`ReviewItem`] naming its transaction id, line
//! and column, and the other rows still come through.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use bookkeeping_core::{
    Currency, Money, Provider, ReviewItem, ReviewReason, SourceRef, StatementBatch, StatementClass,
    StatementLine,
};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::models::EventCode;
use crate::models::serde_helpers::parse_money;
use crate::normalize::{build_statements, label, pair_conversions, statement_class};
use crate::{Error, TransactionId};

/// The order of day and month in the `Date` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum DateOrder {
    /// `MM/DD/YYYY` (US accounts).
    #[default]
    MonthFirst,
    /// `DD/MM/YYYY` or `DD.MM.YYYY` (most other locales).
    DayFirst,
}

/// How amounts are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum NumberFormat {
    /// `1,234.56` (English).
    #[default]
    DecimalPoint,
    /// `1.234,56` or `1 234,56` (German, Swedish and similar locales).
    DecimalComma,
}

/// How to read an activity CSV. `YYYY-MM-DD` dates are read whatever the [`DateOrder`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ActivityCsvOptions {
    /// The date order.
    pub date_order: DateOrder,
    /// The number format.
    pub number_format: NumberFormat,
}

impl ActivityCsvOptions {
    /// US English: `MM/DD/YYYY` and `1,234.56`.
    pub fn us() -> Self {
        Self::default()
    }

    /// Continental European: `DD.MM.YYYY` (or `DD/MM/YYYY`) and `1.234,56`.
    pub fn european() -> Self {
        Self {
            date_order: DateOrder::DayFirst,
            number_format: NumberFormat::DecimalComma,
        }
    }

    /// With the date order.
    #[must_use]
    pub fn date_order(mut self, order: DateOrder) -> Self {
        self.date_order = order;
        self
    }

    /// With the number format.
    #[must_use]
    pub fn number_format(mut self, format: NumberFormat) -> Self {
        self.number_format = format;
        self
    }
}

/// `Balance Impact`: whether a row moved money.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BalanceImpact {
    /// Money in.
    Credit,
    /// Money out.
    Debit,
    /// Nothing moved (authorizations, some holds).
    Memo,
    /// Another value, kept as written.
    Unknown(String),
}

/// One row of the activity report.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ActivityRow {
    /// The line in the file (the header is line 1).
    pub line: u64,
    /// `Transaction ID`.
    pub transaction_id: TransactionId,
    /// `Date` + `Time` + `TimeZone`.
    pub booked_at: OffsetDateTime,
    /// `Name`.
    pub name: Option<String>,
    /// `Type`: PayPal's label ("Express Checkout Payment", "General Withdrawal", …).
    pub kind: String,
    /// `Transaction Event Code`, when downloaded, else derived from `Type` when known.
    pub event_code: Option<EventCode>,
    /// `Status` ("Completed", "Pending", …).
    pub status: Option<String>,
    /// `Gross`, signed.
    pub gross: Money,
    /// `Fee`, signed as it hits the balance (negative).
    pub fee: Option<Money>,
    /// `Net`.
    pub net: Option<Money>,
    /// `Balance` after the row, when given (PayPal writes `...` when not applicable).
    pub balance: Option<Money>,
    /// `Balance Impact`.
    pub balance_impact: Option<BalanceImpact>,
    /// `From Email Address`.
    pub from_email: Option<String>,
    /// `To Email Address`.
    pub to_email: Option<String>,
    /// `Reference Txn ID`.
    pub reference_txn_id: Option<TransactionId>,
    /// `Invoice Number`.
    pub invoice_number: Option<String>,
    /// `Subject` or `Item Title`.
    pub subject: Option<String>,
}

/// The rows of an activity report and the rows that could not be read.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct ActivityReport {
    /// The rows, in the file's order.
    pub rows: Vec<ActivityRow>,
    /// Rows that could not be read, one item each.
    pub review: Vec<ReviewItem>,
}

/// The `Type` labels of the English report and their event codes, for reports downloaded
/// without the `Transaction Event Code` column.
const TYPE_CODES: &[(&str, &str)] = &[
    ("General Payment", "T0000"),
    ("Mass Pay Payment", "T0001"),
    ("Subscription Payment", "T0002"),
    ("PreApproved Payment Bill User Payment", "T0003"),
    ("Direct Credit Card Payment", "T0005"),
    ("Express Checkout Payment", "T0006"),
    ("Website Payment", "T0007"),
    ("Mobile Payment", "T0011"),
    ("Virtual Terminal Payment", "T0012"),
    ("Donation Payment", "T0013"),
    ("Chargeback Fee", "T0106"),
    ("Dispute Fee", "T0114"),
    ("General Currency Conversion", "T0200"),
    ("User Initiated Currency Conversion", "T0201"),
    ("Bank Deposit to PP Account", "T0300"),
    ("General Withdrawal", "T0400"),
    ("User Initiated Withdrawal", "T0403"),
    ("Reversal of General Account Hold", "T1105"),
    ("Payment Reversal", "T1106"),
    ("Payment Refund", "T1107"),
    ("Fee Reversal", "T1108"),
    ("Hold on Balance for Dispute Investigation", "T1110"),
    ("Cancellation of Hold for Dispute Resolution", "T1111"),
    ("General Authorization", "T1300"),
    ("Chargeback", "T1201"),
    ("Chargeback Reversal", "T1202"),
    ("Account Hold for Open Authorization", "T1501"),
];

/// Statuses of rows that moved money, when the report has no `Balance Impact` column.
const MOVED: &[&str] = &[
    "completed",
    "reversed",
    "refunded",
    "partially refunded",
    "cleared",
];
/// Statuses of rows that did not (yet) move money.
const NOT_MOVED: &[&str] = &[
    "pending",
    "denied",
    "canceled",
    "cancelled",
    "expired",
    "failed",
    "unclaimed",
    "voided",
];

/// Reads an activity CSV (UTF-8, with or without byte-order mark).
///
/// # Errors
/// [`Error::Csv`] when the header cannot be read or a required column (`Date`, `Time`,
/// `TimeZone`, `Currency`, `Gross`, `Transaction ID`, and `Type` or `Transaction Event
/// Code`) is missing. A bad row is not an error but a review item.
///
/// A month's download from a US-formatted account (Activity → Download,
/// "Balance affecting", as PayPal writes it), read into statements per
/// currency that explain PayPal's own balances:
///
/// ```
/// use bookkeeping_core::{Currency, Money, Provider, SourceRef};
/// use paypal_transactions::read_activity_csv;
/// use paypal_transactions::report::ActivityCsvOptions;
///
/// let csv = include_bytes!("../tests/fixtures/paypal/activity_2026-10_us.csv");
/// let report = read_activity_csv(&csv[..], &ActivityCsvOptions::us())?;
/// let batch = report.statements(&SourceRef::new(Provider::PayPal, "account", "7QW4EXAMPLE2K"));
/// let sek = batch.statements.iter().find(|s| s.currency == Currency::SEK).expect("SEK");
/// assert_eq!(sek.unexplained()?, Some(Money::zero(Currency::SEK)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_activity_csv<R: Read>(
    reader: R,
    options: &ActivityCsvOptions,
) -> Result<ActivityReport, Error> {
    let mut csv = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(reader);
    let headers = csv.headers().map_err(|e| Error::Csv {
        message: "the header row cannot be read".to_owned(),
        source: Some(e),
    })?;
    let columns: HashMap<String, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = h.trim_start_matches('\u{feff}').trim().to_ascii_lowercase();
            (h, i)
        })
        .collect();
    let col = |names: &[&str]| names.iter().find_map(|n| columns.get(*n).copied());
    let required = |name: &str, names: &[&str]| {
        col(names).ok_or_else(|| Error::Csv {
            message: format!("the column {name:?} is missing"),
            source: None,
        })
    };
    let cols = Columns {
        date: required("Date", &["date"])?,
        time: required("Time", &["time"])?,
        zone: required("TimeZone", &["timezone", "time zone"])?,
        currency: required("Currency", &["currency"])?,
        gross: required("Gross", &["gross"])?,
        id: required("Transaction ID", &["transaction id"])?,
        kind: col(&["type", "description"]),
        code: col(&["transaction event code"]),
        name: col(&["name"]),
        status: col(&["status"]),
        fee: col(&["fee"]),
        net: col(&["net"]),
        balance: col(&["balance"]),
        impact: col(&["balance impact"]),
        from: col(&["from email address"]),
        to: col(&["to email address"]),
        reference: col(&["reference txn id"]),
        invoice: col(&["invoice number"]),
        subject: col(&["subject", "item title"]),
    };
    if cols.kind.is_none() && cols.code.is_none() {
        return Err(Error::Csv {
            message: "neither a \"Type\" nor a \"Transaction Event Code\" column".to_owned(),
            source: None,
        });
    }
    let mut report = ActivityReport::default();
    for (i, record) in csv.records().enumerate() {
        let line = i as u64 + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                report.review.push(
                    ReviewItem::new(
                        Provider::PayPal,
                        ReviewReason::Malformed,
                        format!("activity csv line {line} cannot be read: {e}"),
                    )
                    .with_source(SourceRef::new(
                        Provider::PayPal,
                        "activity_csv_line",
                        line.to_string(),
                    )),
                );
                continue;
            }
        };
        if record.iter().all(str::is_empty) {
            continue;
        }
        match read_row(&record, &cols, line, options) {
            Ok(row) => report.rows.push(row),
            Err((field, message)) => {
                let id = record
                    .get(cols.id)
                    .filter(|s| !s.is_empty())
                    .map_or_else(|| format!("line {line}"), str::to_owned);
                report.review.push(
                    ReviewItem::new(
                        Provider::PayPal,
                        ReviewReason::Malformed,
                        format!("activity csv line {line}: {message}"),
                    )
                    .with_source(SourceRef::new(Provider::PayPal, "transaction", id))
                    .with_field(field),
                );
            }
        }
    }
    Ok(report)
}

struct Columns {
    date: usize,
    time: usize,
    zone: usize,
    currency: usize,
    gross: usize,
    id: usize,
    kind: Option<usize>,
    code: Option<usize>,
    name: Option<usize>,
    status: Option<usize>,
    fee: Option<usize>,
    net: Option<usize>,
    balance: Option<usize>,
    impact: Option<usize>,
    from: Option<usize>,
    to: Option<usize>,
    reference: Option<usize>,
    invoice: Option<usize>,
    subject: Option<usize>,
}

type RowError = (&'static str, String);

fn read_row(
    r: &csv::StringRecord,
    c: &Columns,
    line: u64,
    o: &ActivityCsvOptions,
) -> Result<ActivityRow, RowError> {
    let get = |i: usize| r.get(i).unwrap_or("");
    let opt = |i: Option<usize>| i.map(get).filter(|s| !s.is_empty()).map(str::to_owned);
    let id = get(c.id);
    if id.is_empty() {
        return Err(("Transaction ID", "no transaction id".to_owned()));
    }
    let currency = Currency::new(get(c.currency)).map_err(|_| {
        (
            "Currency",
            format!("invalid currency {:?}", get(c.currency)),
        )
    })?;
    let date = parse_date(get(c.date), o.date_order)
        .ok_or_else(|| ("Date", format!("invalid date {:?}", get(c.date))))?;
    let time = parse_time(get(c.time))
        .ok_or_else(|| ("Time", format!("invalid time {:?}", get(c.time))))?;
    let offset = parse_zone(get(c.zone))
        .ok_or_else(|| ("TimeZone", format!("unknown time zone {:?}", get(c.zone))))?;
    let booked_at = PrimitiveDateTime::new(date, time).assume_offset(offset);
    let amount = |field: &'static str, i: usize| -> Result<Option<Money>, RowError> {
        let text = get(i);
        if text.is_empty() || text.trim_matches('.').is_empty() {
            return Ok(None);
        }
        parse_amount(text, currency, o.number_format)
            .map(Some)
            .map_err(|m| (field, m))
    };
    let gross = amount("Gross", c.gross)?.ok_or(("Gross", "no gross amount".to_owned()))?;
    let fee = c.fee.map(|i| amount("Fee", i)).transpose()?.flatten();
    let net = c.net.map(|i| amount("Net", i)).transpose()?.flatten();
    let balance = c
        .balance
        .map(|i| amount("Balance", i))
        .transpose()?
        .flatten();
    let kind = opt(c.kind).unwrap_or_default();
    let event_code = opt(c.code).map(EventCode::new).or_else(|| {
        TYPE_CODES
            .iter()
            .find(|(label, _)| label.eq_ignore_ascii_case(&kind))
            .map(|(_, code)| EventCode::new(*code))
    });
    let balance_impact = opt(c.impact).map(|s| match s.to_ascii_lowercase().as_str() {
        "credit" => BalanceImpact::Credit,
        "debit" => BalanceImpact::Debit,
        "memo" => BalanceImpact::Memo,
        _ => BalanceImpact::Unknown(s),
    });
    Ok(ActivityRow {
        line,
        transaction_id: TransactionId::new(id),
        booked_at,
        name: opt(c.name),
        kind,
        event_code,
        status: opt(c.status),
        gross,
        fee,
        net,
        balance,
        balance_impact,
        from_email: opt(c.from),
        to_email: opt(c.to),
        reference_txn_id: opt(c.reference).map(TransactionId::new),
        invoice_number: opt(c.invoice),
        subject: opt(c.subject),
    })
}

fn parse_date(text: &str, order: DateOrder) -> Option<Date> {
    let parts: Vec<&str> = text.split(['/', '.', '-']).map(str::trim).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let num = |s: &str| s.parse::<u16>().ok();
    let (y, m, d) = if a.len() == 4 {
        (num(a)?, num(b)?, num(c)?)
    } else {
        match order {
            DateOrder::MonthFirst => (num(c)?, num(a)?, num(b)?),
            DateOrder::DayFirst => (num(c)?, num(b)?, num(a)?),
        }
    };
    if y < 1000 {
        return None;
    }
    let month = Month::try_from(u8::try_from(m).ok()?).ok()?;
    Date::from_calendar_date(i32::from(y), month, u8::try_from(d).ok()?).ok()
}

fn parse_time(text: &str) -> Option<Time> {
    let t = text.trim();
    let (clock, pm) = match t.rsplit_once(' ') {
        Some((clock, suffix)) if suffix.eq_ignore_ascii_case("pm") => (clock, Some(true)),
        Some((clock, suffix)) if suffix.eq_ignore_ascii_case("am") => (clock, Some(false)),
        _ => (t, None),
    };
    let parts: Vec<u8> = clock
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let (mut h, m, s) = match parts.as_slice() {
        [h, m] => (*h, *m, 0),
        [h, m, s] => (*h, *m, *s),
        _ => return None,
    };
    match pm {
        Some(_) if h == 0 || h > 12 => return None,
        Some(true) if h != 12 => h += 12,
        Some(false) if h == 12 => h = 0,
        _ => {}
    }
    Time::from_hms(h, m, s).ok()
}

/// The offset of a `TimeZone` value: an abbreviation PayPal uses, or `GMT+01:00`,
/// `UTC+1`, `+0100`.
fn parse_zone(text: &str) -> Option<UtcOffset> {
    let t = text.trim().to_ascii_uppercase();
    let hours: Option<i8> = match t.as_str() {
        "UTC" | "GMT" | "Z" | "WET" => Some(0),
        "CET" | "BST" | "WEST" => Some(1),
        "CEST" | "EET" => Some(2),
        "EEST" | "MSK" => Some(3),
        "EST" => Some(-5),
        "EDT" => Some(-4),
        "CDT" => Some(-5),
        "CST" => Some(-6),
        "MST" => Some(-7),
        "MDT" => Some(-6),
        "PST" => Some(-8),
        "PDT" => Some(-7),
        "JST" => Some(9),
        "AEST" => Some(10),
        "AEDT" => Some(11),
        _ => None,
    };
    if let Some(h) = hours {
        return UtcOffset::from_hms(h, 0, 0).ok();
    }
    let rest = t
        .strip_prefix("GMT")
        .or_else(|| t.strip_prefix("UTC"))
        .unwrap_or(&t);
    let (sign, digits) = match rest.as_bytes().first()? {
        b'+' => (1i8, &rest[1..]),
        b'-' => (-1i8, &rest[1..]),
        _ => return None,
    };
    let (h, m) = match digits.split_once(':') {
        Some((h, m)) => (h.parse::<i8>().ok()?, m.parse::<i8>().ok()?),
        // `get`, not indexing: four bytes of customer-visible text need not
        // be four characters, and a cut inside one would panic.
        None if digits.len() == 4 => (
            digits.get(..2)?.parse().ok()?,
            digits.get(2..)?.parse().ok()?,
        ),
        None if digits.len() <= 2 => (digits.parse().ok()?, 0),
        None => return None,
    };
    UtcOffset::from_hms(sign * h, sign * m, 0).ok()
}

/// Parses a locale-formatted amount (`1,234.56`, `1.234,56`, `1 234,56`, `-46,13`),
/// never through a float.
fn parse_amount(text: &str, currency: Currency, format: NumberFormat) -> Result<Money, String> {
    let cleaned: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\''))
        .collect();
    let normalized = match format {
        NumberFormat::DecimalPoint => cleaned.replace(',', ""),
        NumberFormat::DecimalComma => cleaned.replace('.', "").replace(',', "."),
    };
    let normalized = normalized.replace('\u{2212}', "-");
    parse_money(&normalized, currency).map_err(|_| format!("invalid amount {text:?}"))
}

impl ActivityRow {
    /// Whether the row moved money, and if not known, why.
    fn moved(&self) -> Result<bool, String> {
        match &self.balance_impact {
            Some(BalanceImpact::Memo) => return Ok(false),
            Some(BalanceImpact::Credit | BalanceImpact::Debit) => return Ok(true),
            _ => {}
        }
        let Some(status) = &self.status else {
            return Ok(true);
        };
        let s = status.to_ascii_lowercase();
        if MOVED.contains(&s.as_str()) {
            Ok(true)
        } else if NOT_MOVED.contains(&s.as_str()) {
            Ok(false)
        } else {
            Err(status.clone())
        }
    }
}

impl ActivityReport {
    /// The statement lines of the report, the same as the API gives: gross and fee as
    /// separate lines, conversions paired, withdrawals as transfers; memo rows and
    /// pending, denied or cancelled rows give none. Exact repeats of a row are dropped.
    /// Review items: unknown types or statuses, `Net` ≠ `Gross` + `Fee`, a conversion
    /// without its other side, pending rows, and two different rows with one id.
    pub fn statement_lines(&self) -> (Vec<StatementLine>, Vec<ReviewItem>) {
        lines_of(self.rows.iter())
    }

    /// One statement per currency from the report. The report carries no opening
    /// balance, so it is derived from the first row's `Balance` (balance − gross − fee) and
    /// the closing balance is the last row's; the check then proves that every row in
    /// between adds up to PayPal's running balance. Rows are taken oldest first (a report
    /// listed newest first is read backwards).
    pub fn statements(&self, account: &SourceRef) -> StatementBatch {
        let descending = match (self.rows.first(), self.rows.last()) {
            (Some(a), Some(b)) => a.booked_at > b.booked_at,
            _ => false,
        };
        let (lines, mut review) = if descending {
            lines_of(self.rows.iter().rev())
        } else {
            lines_of(self.rows.iter())
        };
        let mut opening: BTreeMap<Currency, Money> = BTreeMap::new();
        let mut closing: BTreeMap<Currency, Money> = BTreeMap::new();
        let mut sorted = lines.clone();
        sorted.sort_by_key(|l| l.booked_at);
        for l in &sorted {
            let c = l.amount.currency();
            if let Some(b) = l.balance_after {
                if !opening.contains_key(&c)
                    && let Ok(o) = b.checked_sub(&l.amount)
                {
                    opening.insert(c, o);
                }
                closing.insert(c, b);
            }
        }
        let mut batch = build_statements(account, lines, &opening, &closing, true);
        review.append(&mut batch.review);
        batch.review = review;
        batch
    }
}

/// The lines of `rows`, in their order.
fn lines_of<'a>(
    rows: impl Iterator<Item = &'a ActivityRow>,
) -> (Vec<StatementLine>, Vec<ReviewItem>) {
    let mut lines = Vec::new();
    let mut review = Vec::new();
    let mut seen: HashMap<(String, Currency), &ActivityRow> = HashMap::new();
    for row in rows {
        let src = SourceRef::new(Provider::PayPal, "transaction", row.transaction_id.as_str());
        let item = |reason, message: String| {
            ReviewItem::new(Provider::PayPal, reason, message)
                .with_source(src.clone())
                .with_amount(row.gross)
        };
        let (code, class) = match &row.event_code {
            Some(code) => match statement_class(&code.class()) {
                Some(class) => (code.as_str().to_owned(), class),
                // An authorization moves no money.
                None => continue,
            },
            None => (row.kind.clone(), StatementClass::Unknown(row.kind.clone())),
        };
        let moved = match row.moved() {
            Ok(m) => m,
            Err(status) => {
                review.push(
                    item(
                        ReviewReason::UnknownType,
                        format!(
                            "line {}: status {status:?} is not known; booked as reported",
                            row.line
                        ),
                    )
                    .with_field("Status"),
                );
                true
            }
        };
        if !moved {
            let memo = row.balance_impact == Some(BalanceImpact::Memo);
            if !memo
                && row
                    .status
                    .as_deref()
                    .is_some_and(|s| s.eq_ignore_ascii_case("pending"))
            {
                review.push(
                    item(
                        ReviewReason::Incomplete,
                        format!("line {}: pending, not yet on the balance", row.line),
                    )
                    .with_field("Status"),
                );
            }
            continue;
        }
        let key = (row.transaction_id.as_str().to_owned(), row.gross.currency());
        if let Some(prev) = seen.get(&key) {
            let same = ActivityRow {
                line: prev.line,
                ..row.clone()
            } == **prev;
            if !same {
                review.push(item(
                        ReviewReason::AmountMismatch,
                        format!(
                            "line {}: transaction id already on line {} with different content; not booked twice",
                            row.line, prev.line
                        ),
                    ));
            }
            continue;
        }
        seen.insert(key, row);

        if let StatementClass::Unknown(_) = class {
            review.push(
                item(
                    ReviewReason::UnknownType,
                    format!(
                        "line {}: type {:?} is not one kassabok classifies; booked as reported",
                        row.line, row.kind
                    ),
                )
                .with_field("Type"),
            );
        }
        let fee = row.fee.filter(|f| !f.is_zero());
        if let Some(net) = row.net {
            let expected = fee.map_or(Ok(row.gross), |f| row.gross.checked_add(&f));
            if expected.as_ref() != Ok(&net) {
                review.push(
                    item(
                        ReviewReason::AmountMismatch,
                        format!(
                            "line {}: net {net} is not gross {} + fee {}",
                            row.line,
                            row.gross,
                            fee.unwrap_or_else(|| Money::zero(row.gross.currency()))
                        ),
                    )
                    .with_field("Net"),
                );
            }
        }
        let incoming = !row.gross.is_negative();
        let counterparty = row.name.clone().or_else(|| {
            if incoming {
                row.from_email.clone()
            } else {
                row.to_email.clone()
            }
        });
        let base = label(&class, &row.gross);
        let text = match row.subject.as_deref().or(row.invoice_number.as_deref()) {
            Some(s) => format!("{base}: {s}"),
            None => base,
        };
        let related = row
            .reference_txn_id
            .as_ref()
            .filter(|r| *r != &row.transaction_id)
            .map(|r| SourceRef::new(Provider::PayPal, "transaction", r.as_str()));
        let gross_balance = match (row.balance, fee) {
            (Some(b), Some(f)) => b.checked_sub(&f).ok(),
            (b, None) => b,
            (None, Some(_)) => None,
        };
        lines.push(StatementLine {
            source: src.clone(),
            booked_at: row.booked_at,
            amount: row.gross,
            balance_after: gross_balance,
            event_code: code.clone(),
            class,
            counterparty: counterparty.clone(),
            text,
            reference: row.invoice_number.clone(),
            related: related.clone(),
        });
        if let Some(f) = fee {
            lines.push(StatementLine {
                source: src,
                booked_at: row.booked_at,
                amount: f,
                balance_after: row.balance,
                event_code: code.clone(),
                class: StatementClass::Fee,
                counterparty,
                text: if f.is_negative() {
                    format!("PayPal fee {code}")
                } else {
                    format!("PayPal fee refunded {code}")
                },
                reference: row.invoice_number.clone(),
                related,
            });
        }
    }
    review.extend(pair_conversions(&mut lines));
    (lines, review)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;
    use time::macros::{date, offset, time};

    #[test]
    fn dates_in_every_order() {
        assert_eq!(
            parse_date("01/31/2026", DateOrder::MonthFirst),
            Some(date!(2026 - 01 - 31))
        );
        assert_eq!(
            parse_date("31/01/2026", DateOrder::DayFirst),
            Some(date!(2026 - 01 - 31))
        );
        assert_eq!(
            parse_date("31.01.2026", DateOrder::DayFirst),
            Some(date!(2026 - 01 - 31))
        );
        assert_eq!(
            parse_date("2026-01-31", DateOrder::MonthFirst),
            Some(date!(2026 - 01 - 31))
        );
        assert_eq!(parse_date("31/01/2026", DateOrder::MonthFirst), None);
        assert_eq!(parse_date("31/01/26", DateOrder::DayFirst), None);
    }

    #[test]
    fn times_and_zones() {
        assert_eq!(parse_time("14:05:09"), Some(time!(14:05:09)));
        assert_eq!(parse_time("2:05:09 PM"), Some(time!(14:05:09)));
        assert_eq!(parse_time("12:00:00 AM"), Some(time!(00:00:00)));
        assert_eq!(parse_time("25:00:00"), None);
        assert_eq!(parse_zone("CET"), Some(offset!(+1)));
        assert_eq!(parse_zone("CEST"), Some(offset!(+2)));
        assert_eq!(parse_zone("PDT"), Some(offset!(-7)));
        assert_eq!(parse_zone("GMT+01:00"), Some(offset!(+1)));
        assert_eq!(parse_zone("UTC-0530"), Some(offset!(-5:30)));
        assert_eq!(parse_zone("Mars/Olympus"), None);
        // Four bytes that are not four characters: no offset, and no panic.
        assert_eq!(parse_zone("GMT+0\u{bd}0"), None);
        assert_eq!(parse_zone("UTC-\u{e9}12"), None);
    }

    #[test]
    fn amounts_in_both_formats() {
        let p = |t, f| parse_amount(t, Currency::SEK, f).map(|m| m.amount());
        assert_eq!(p("1,234.56", NumberFormat::DecimalPoint), Ok(dec!(1234.56)));
        assert_eq!(p("-46.13", NumberFormat::DecimalPoint), Ok(dec!(-46.13)));
        assert_eq!(p("1.234,56", NumberFormat::DecimalComma), Ok(dec!(1234.56)));
        assert_eq!(
            p("-1 234,56", NumberFormat::DecimalComma),
            Ok(dec!(-1234.56))
        );
        assert_eq!(
            p("1\u{a0}234,56", NumberFormat::DecimalComma),
            Ok(dec!(1234.56))
        );
        assert!(p("12abc", NumberFormat::DecimalPoint).is_err());
        assert!(p("1e3", NumberFormat::DecimalPoint).is_err());
    }
}
