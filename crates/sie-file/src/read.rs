//! Reading SIE 4 files: lenient about layout, strict about amounts, dates and balance.

use std::str::FromStr;

use rust_decimal::Decimal;
use time::{Date, Month};

use crate::checksum::{Ksumma, KsummaCheck};
use crate::encoding::{Encoding, decode_with, detect};
use crate::lex::{Field, LexError, tokenize};
use crate::model::{
    Account, AccountKind, Balance, BalanceKind, Dimension, FiscalYear, Generated, Object,
    SieDocument, Transaction, TransactionKind, Voucher,
};

/// Why a file could not be read. Every variant names the (1-based) line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// A quoted string has no closing quote.
    #[error("line {line}: unterminated quoted string")]
    UnterminatedString {
        /// The line.
        line: usize,
    },
    /// An object list `{...}` has no closing brace.
    #[error("line {line}: object list has no closing `}}`")]
    UnterminatedObjectList {
        /// The line.
        line: usize,
    },
    /// A required field is absent or empty.
    #[error("line {line}: {label} has no {field}")]
    MissingField {
        /// The line.
        line: usize,
        /// The record's label, e.g. `#TRANS`.
        label: String,
        /// The field, e.g. `amount`.
        field: &'static str,
    },
    /// A date is not a valid `YYYYMMDD`.
    #[error("line {line}: {label} has an invalid {field} {value:?} (expected YYYYMMDD)")]
    InvalidDate {
        /// The line.
        line: usize,
        /// The record's label.
        label: String,
        /// The field, e.g. `date`.
        field: &'static str,
        /// The text found.
        value: String,
    },
    /// An amount or quantity is not a plain decimal number such as `-1234.50`.
    #[error(
        "line {line}: {label} has an invalid {field} {value:?} (expected a number such as -1234.50)"
    )]
    InvalidAmount {
        /// The line.
        line: usize,
        /// The record's label.
        label: String,
        /// The field, e.g. `amount`.
        field: &'static str,
        /// The text found.
        value: String,
    },
    /// Another field has a value the format does not allow (an integer that is not one, an
    /// unknown `#KTYP`, an object list with an odd number of items, ...).
    #[error("line {line}: {label} has an invalid {field} {value:?}")]
    InvalidValue {
        /// The line.
        line: usize,
        /// The record's label.
        label: String,
        /// The field.
        field: &'static str,
        /// The text found.
        value: String,
    },
    /// A `#VER` is not followed by a line with `{`.
    #[error("line {line}: #VER is not followed by `{{`")]
    MissingOpeningBrace {
        /// The `#VER` line.
        line: usize,
    },
    /// A record that cannot be inside a voucher came before the voucher's `}`.
    #[error("line {line}: {label} inside the voucher opened on line {opened}: missing `}}`")]
    MissingClosingBrace {
        /// The line of the offending record.
        line: usize,
        /// Its label.
        label: String,
        /// The line of the voucher's `#VER`.
        opened: usize,
    },
    /// The file ended inside a voucher.
    #[error("line {line}: voucher is not closed before the end of the file")]
    UnclosedVoucher {
        /// The `#VER` line.
        line: usize,
    },
    /// A transaction record, `{` or `}` outside a voucher.
    #[error("line {line}: {label} outside a voucher")]
    OutsideVoucher {
        /// The line.
        line: usize,
        /// The label, or the brace.
        label: String,
    },
    /// The `#TRANS` rows of a voucher do not sum to zero.
    #[error("line {line}: voucher {voucher} does not balance: its #TRANS rows sum to {sum}")]
    UnbalancedVoucher {
        /// The `#VER` line.
        line: usize,
        /// Series and number, e.g. `A 52`.
        voucher: String,
        /// What the rows sum to.
        sum: Decimal,
    },
    /// The closing `#KSUMMA` does not match the records.
    #[error("line {line}: #KSUMMA {declared} does not match the computed checksum {computed}")]
    ChecksumMismatch {
        /// The line of the closing `#KSUMMA`.
        line: usize,
        /// The declared value.
        declared: u32,
        /// The computed value.
        computed: u32,
    },
    /// An opening `#KSUMMA` has no closing `#KSUMMA <checksum>` (a truncated file).
    #[error("line {line}: #KSUMMA is opened but the file has no closing #KSUMMA")]
    UnclosedChecksum {
        /// The line of the opening `#KSUMMA`.
        line: usize,
    },
}

impl ParseError {
    /// The 1-based line the error is about.
    pub fn line(&self) -> usize {
        match self {
            Self::UnterminatedString { line }
            | Self::UnterminatedObjectList { line }
            | Self::MissingField { line, .. }
            | Self::InvalidDate { line, .. }
            | Self::InvalidAmount { line, .. }
            | Self::InvalidValue { line, .. }
            | Self::MissingOpeningBrace { line }
            | Self::MissingClosingBrace { line, .. }
            | Self::UnclosedVoucher { line }
            | Self::OutsideVoucher { line, .. }
            | Self::UnbalancedVoucher { line, .. }
            | Self::ChecksumMismatch { line, .. }
            | Self::UnclosedChecksum { line } => *line,
        }
    }
}

/// How to read a file. `ParseOptions::default()` is what [`parse`] uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseOptions {
    /// Accept vouchers whose `#TRANS` rows do not sum to zero (then [`validate`](crate::validate)
    /// reports them). Default `false`: an unbalanced voucher is an error.
    pub allow_unbalanced: bool,
    /// Fail when a file's `#KSUMMA` does not match. Default `true`.
    pub verify_ksumma: bool,
    /// Force an encoding instead of detecting it (see [`detect`](crate::encoding::detect)).
    pub encoding: Option<Encoding>,
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self {
            allow_unbalanced: false,
            verify_ksumma: true,
            encoding: None,
        }
    }
}

/// A file as read: the document plus what the file said about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedFile {
    /// The document.
    pub document: SieDocument,
    /// The encoding the bytes were decoded with.
    pub encoding: Encoding,
    /// `#FORMAT`, e.g. `PC8`.
    pub format: Option<String>,
    /// `#SIETYP`, e.g. 4.
    pub sie_type: Option<u8>,
    /// The `#KSUMMA` check, when the file has a closing `#KSUMMA` with a value.
    pub ksumma: Option<KsummaCheck>,
}

/// Reads an SIE file with the default [`ParseOptions`].
///
/// Never panics, whatever the bytes: it is the entry point for fuzzing.
///
/// # Errors
///
/// A [`ParseError`] naming the line: a bad date or amount, a missing field, a voucher without
/// braces or that does not balance, a `#KSUMMA` that does not match.
///
/// ```
/// use rust_decimal_macros::dec;
///
/// // As an accounting program exports it: CP437 bytes (`\x94` is `ö`), CRLF.
/// let file = b"#FLAGGA 0\r\n#PROGRAM \"Fortnox\" 3.0\r\n#FORMAT PC8\r\n#GEN 20260401\r\n\
///              #SIETYP 4\r\n#FNAMN \"F\x94retaget AB\"\r\n\
///              #VER \"A\" \"12\" 20260331 \"Kv\x84llsf\x94rs\x84ljning\"\r\n{\r\n\
///              #TRANS 1930 {} 1250.00\r\n#TRANS 3001 {} -1000.00\r\n#TRANS 2611 {} -250.00\r\n}\r\n";
/// let doc = sie_file::parse(file)?;
/// assert_eq!(doc.company_name, "Företaget AB");
/// assert_eq!(doc.vouchers[0].text, "Kvällsförsäljning");
/// assert_eq!(doc.vouchers[0].transactions[0].amount, dec!(1250.00));
/// assert!(doc.vouchers[0].is_balanced());
///
/// // A voucher that does not balance names its line.
/// let broken = b"#VER \"A\" 1 20260331 \"x\"\r\n{\r\n#TRANS 1930 {} 1.00\r\n}\r\n";
/// assert!(sie_file::parse(broken).unwrap_err().to_string().contains("line"));
/// # Ok::<(), sie_file::ParseError>(())
/// ```
pub fn parse(input: &[u8]) -> Result<SieDocument, ParseError> {
    parse_file(input, &ParseOptions::default()).map(|parsed| parsed.document)
}

/// Reads an SIE file with `options`, and reports encoding, `#FORMAT`, `#SIETYP` and the
/// `#KSUMMA` check beside the document.
///
/// # Errors
///
/// As [`parse`], except for what `options` relaxes.
pub fn parse_file(input: &[u8], options: &ParseOptions) -> Result<ParsedFile, ParseError> {
    let encoding = options.encoding.unwrap_or_else(|| detect(input));
    let text = decode_with(input, encoding);
    let mut parser = Parser {
        options,
        doc: SieDocument::default(),
        format: None,
        sie_type: None,
        ksumma: KsummaState::NotSeen,
        voucher: None,
    };
    // LF or CRLF; a file with CR alone (old Mac programs) splits on CR.
    let separator = if text.contains('\n') { '\n' } else { '\r' };
    for (index, raw) in text.split(separator).enumerate() {
        parser.line(index + 1, raw.strip_suffix('\r').unwrap_or(raw))?;
    }
    parser.finish(encoding)
}

enum KsummaState {
    NotSeen,
    Open { line: usize, sum: Ksumma },
    Closed(KsummaCheck),
}

struct OpenVoucher {
    line: usize,
    braced: bool,
    voucher: Voucher,
}

struct Parser<'o> {
    options: &'o ParseOptions,
    doc: SieDocument,
    format: Option<String>,
    sie_type: Option<u8>,
    ksumma: KsummaState,
    voucher: Option<OpenVoucher>,
}

/// Labels that end a voucher if they appear inside one.
const TOP_LEVEL: &[&str] = &[
    "#FLAGGA",
    "#PROGRAM",
    "#FORMAT",
    "#GEN",
    "#SIETYP",
    "#ORGNR",
    "#FNAMN",
    "#RAR",
    "#KPTYP",
    "#VALUTA",
    "#KONTO",
    "#KTYP",
    "#SRU",
    "#DIM",
    "#OBJEKT",
    "#IB",
    "#UB",
    "#RES",
    "#VER",
    "#KSUMMA",
    "#PSALDO",
    "#PBUDGET",
    "#OIB",
    "#OUB",
    "#ADRESS",
    "#FNR",
    "#PROSA",
    "#TAXAR",
    "#OMFATTN",
    "#BKOD",
    "#FTYP",
    "#UNDERDIM",
];

impl Parser<'_> {
    fn line(&mut self, line: usize, text: &str) -> Result<(), ParseError> {
        let trimmed = text.trim();
        if trimmed.starts_with('{') {
            return match &mut self.voucher {
                Some(open) if !open.braced => {
                    open.braced = true;
                    Ok(())
                }
                Some(open) => Err(ParseError::MissingClosingBrace {
                    line,
                    label: "{".into(),
                    opened: open.line,
                }),
                None => Err(ParseError::OutsideVoucher {
                    line,
                    label: "{".into(),
                }),
            };
        }
        if trimmed.starts_with('}') {
            return match self.voucher.take() {
                Some(open) if open.braced => self.close_voucher(open),
                Some(open) => Err(ParseError::MissingOpeningBrace { line: open.line }),
                None => Err(ParseError::OutsideVoucher {
                    line,
                    label: "}".into(),
                }),
            };
        }
        if !trimmed.starts_with('#') {
            // Neither a record nor a brace: nothing a reader must act on.
            return Ok(());
        }
        let fields = tokenize(trimmed).map_err(|e| match e {
            LexError::UnterminatedString => ParseError::UnterminatedString { line },
            LexError::UnterminatedObjectList => ParseError::UnterminatedObjectList { line },
        })?;
        let Some((first, args)) = fields.split_first() else {
            return Ok(());
        };
        let raw_label = first.text();
        let label = raw_label.to_ascii_uppercase();
        let rec = Rec {
            line,
            label: &label,
            args,
        };

        if label == "#KSUMMA" {
            return self.ksumma_record(&rec);
        }
        if let KsummaState::Open { sum, .. } = &mut self.ksumma {
            sum.feed(raw_label);
            for field in args {
                match field {
                    Field::Text { value, .. } => sum.feed(value),
                    Field::Objects(items) => items.iter().for_each(|item| sum.feed(item)),
                }
            }
        }

        if let Some(open) = &mut self.voucher {
            if !open.braced {
                return Err(ParseError::MissingOpeningBrace { line: open.line });
            }
            let kind = match label.as_str() {
                "#TRANS" => TransactionKind::Normal,
                "#RTRANS" => TransactionKind::Added,
                "#BTRANS" => TransactionKind::Removed,
                other if TOP_LEVEL.contains(&other) => {
                    return Err(ParseError::MissingClosingBrace {
                        line,
                        label,
                        opened: open.line,
                    });
                }
                _ => return Ok(()),
            };
            let transaction = rec.transaction(kind)?;
            open.voucher.transactions.push(transaction);
            return Ok(());
        }

        self.top_level(&rec)
    }

    fn top_level(&mut self, rec: &Rec<'_>) -> Result<(), ParseError> {
        let doc = &mut self.doc;
        match rec.label {
            "#FLAGGA" => doc.flag = rec.int(0, "flag")?.unwrap_or(0),
            "#PROGRAM" => {
                doc.program.name = rec.opt(0, "program name")?.unwrap_or_default().to_owned();
                doc.program.version = rec.opt(1, "version")?.unwrap_or_default().to_owned();
            }
            "#FORMAT" => self.format = rec.opt(0, "format")?.map(str::to_owned),
            "#SIETYP" => self.sie_type = rec.int(0, "type")?,
            "#GEN" => {
                let date = rec.req_date(0, "date")?;
                let sign = non_empty(rec.opt(1, "sign")?);
                doc.generated = Some(Generated { date, sign });
            }
            "#ORGNR" => doc.org_number = non_empty(rec.opt(0, "organisation number")?),
            "#FNAMN" => doc.company_name = rec.opt(0, "company name")?.unwrap_or("").to_owned(),
            "#KPTYP" => doc.chart_type = non_empty(rec.opt(0, "chart type")?),
            "#VALUTA" => doc.currency = non_empty(rec.opt(0, "currency")?),
            "#RAR" => {
                let index = rec.int(0, "year index")?;
                let start = rec.date(1, "start date")?;
                let end = rec.date(2, "end date")?;
                // BL Administration writes `#RAR 0` without dates: nothing to keep.
                if let (Some(index), Some(start), Some(end)) = (index, start, end) {
                    doc.fiscal_years.push(FiscalYear { index, start, end });
                }
            }
            "#KONTO" => {
                let number = rec.req(0, "account number")?;
                let name = rec.opt(1, "account name")?.unwrap_or("").to_owned();
                account_entry(doc, number).name = name;
            }
            "#KTYP" => {
                let number = rec.req(0, "account number")?;
                let code = rec.req(1, "account type")?;
                let kind = AccountKind::from_code(code)
                    .ok_or_else(|| rec.invalid("account type", code))?;
                account_entry(doc, number).kind = Some(kind);
            }
            "#SRU" => {
                let number = rec.req(0, "account number")?;
                let code = rec.req(1, "SRU code")?.to_owned();
                account_entry(doc, number).sru = Some(code);
            }
            "#DIM" => doc.dimensions.push(Dimension {
                number: rec.req(0, "dimension number")?.to_owned(),
                name: rec.opt(1, "dimension name")?.unwrap_or("").to_owned(),
            }),
            "#OBJEKT" => doc.objects.push(Object {
                dimension: rec.req(0, "dimension number")?.to_owned(),
                id: rec.req(1, "object id")?.to_owned(),
                name: rec.opt(2, "object name")?.unwrap_or("").to_owned(),
            }),
            "#IB" | "#UB" | "#RES" => {
                let kind = match rec.label {
                    "#IB" => BalanceKind::Opening,
                    "#UB" => BalanceKind::Closing,
                    _ => BalanceKind::Result,
                };
                let year = rec
                    .int(0, "year index")?
                    .ok_or_else(|| rec.missing("year index"))?;
                doc.balances.push(Balance {
                    kind,
                    year,
                    account: rec.req(1, "account number")?.to_owned(),
                    amount: rec.req_amount(2, "amount")?,
                    quantity: rec.amount(3, "quantity")?,
                });
            }
            "#VER" => {
                let series = rec.opt(0, "series")?.unwrap_or("").to_owned();
                let number = non_empty(rec.opt(1, "voucher number")?);
                let date = rec.req_date(2, "date")?;
                let text = rec.opt(3, "text")?.unwrap_or("").to_owned();
                let registered = rec.date(4, "registration date")?;
                self.voucher = Some(OpenVoucher {
                    line: rec.line,
                    braced: false,
                    voucher: Voucher {
                        series,
                        number,
                        date,
                        text,
                        registered,
                        transactions: Vec::new(),
                    },
                });
            }
            "#TRANS" | "#RTRANS" | "#BTRANS" => {
                return Err(ParseError::OutsideVoucher {
                    line: rec.line,
                    label: rec.label.to_owned(),
                });
            }
            _ => {}
        }
        Ok(())
    }

    fn ksumma_record(&mut self, rec: &Rec<'_>) -> Result<(), ParseError> {
        let value = rec.opt(0, "checksum")?.filter(|v| !v.is_empty());
        match (&self.ksumma, value) {
            (KsummaState::NotSeen, None) => {
                self.ksumma = KsummaState::Open {
                    line: rec.line,
                    sum: Ksumma::default(),
                };
            }
            (KsummaState::Open { sum, .. }, Some(value)) => {
                let declared: u32 = value.parse().map_err(|_| rec.invalid("checksum", value))?;
                let check = KsummaCheck {
                    declared,
                    computed: sum.value(),
                };
                if self.options.verify_ksumma && !check.is_valid() {
                    return Err(ParseError::ChecksumMismatch {
                        line: rec.line,
                        declared,
                        computed: check.computed,
                    });
                }
                self.ksumma = KsummaState::Closed(check);
            }
            // A closing record without an opening one, a second opening, or a record after
            // the closing one: nothing the checksum can be computed over. Ignored.
            _ => {}
        }
        Ok(())
    }

    fn close_voucher(&mut self, open: OpenVoucher) -> Result<(), ParseError> {
        let voucher = open.voucher;
        if !self.options.allow_unbalanced && !voucher.is_balanced() {
            return Err(ParseError::UnbalancedVoucher {
                line: open.line,
                voucher: voucher_name(&voucher),
                sum: voucher.sum(),
            });
        }
        self.doc.vouchers.push(voucher);
        Ok(())
    }

    fn finish(self, encoding: Encoding) -> Result<ParsedFile, ParseError> {
        if let Some(open) = self.voucher {
            return Err(ParseError::UnclosedVoucher { line: open.line });
        }
        let ksumma = match self.ksumma {
            KsummaState::NotSeen => None,
            KsummaState::Open { line, .. } => {
                if self.options.verify_ksumma {
                    return Err(ParseError::UnclosedChecksum { line });
                }
                None
            }
            KsummaState::Closed(check) => Some(check),
        };
        Ok(ParsedFile {
            document: self.doc,
            encoding,
            format: self.format,
            sie_type: self.sie_type,
            ksumma,
        })
    }
}

/// `A 52`, `A (no number)`.
pub(crate) fn voucher_name(voucher: &Voucher) -> String {
    let series = if voucher.series.is_empty() {
        "(no series)"
    } else {
        &voucher.series
    };
    match &voucher.number {
        Some(number) => format!("{series} {number}"),
        None => format!("{series} (no number)"),
    }
}

fn non_empty(value: Option<&str>) -> Option<String> {
    value.filter(|v| !v.is_empty()).map(str::to_owned)
}

fn account_entry<'d>(doc: &'d mut SieDocument, number: &str) -> &'d mut Account {
    let index = match doc.accounts.iter().position(|a| a.number == number) {
        Some(index) => index,
        None => {
            doc.accounts.push(Account::new(number, ""));
            doc.accounts.len() - 1
        }
    };
    &mut doc.accounts[index]
}

/// One record being read.
struct Rec<'a> {
    line: usize,
    label: &'a str,
    args: &'a [Field],
}

impl Rec<'_> {
    fn missing(&self, field: &'static str) -> ParseError {
        ParseError::MissingField {
            line: self.line,
            label: self.label.to_owned(),
            field,
        }
    }

    fn invalid(&self, field: &'static str, value: &str) -> ParseError {
        ParseError::InvalidValue {
            line: self.line,
            label: self.label.to_owned(),
            field,
            value: value.to_owned(),
        }
    }

    /// The text of field `i`, `None` when the record is shorter.
    fn opt(&self, i: usize, field: &'static str) -> Result<Option<&str>, ParseError> {
        match self.args.get(i) {
            None => Ok(None),
            Some(Field::Text { value, .. }) => Ok(Some(value)),
            Some(Field::Objects(_)) => Err(self.invalid(field, "{...}")),
        }
    }

    /// The text of field `i`, which must be present and non-empty.
    fn req(&self, i: usize, field: &'static str) -> Result<&str, ParseError> {
        self.opt(i, field)?
            .filter(|v| !v.is_empty())
            .ok_or_else(|| self.missing(field))
    }

    fn int<T: FromStr>(&self, i: usize, field: &'static str) -> Result<Option<T>, ParseError> {
        match self.opt(i, field)? {
            None | Some("") => Ok(None),
            Some(value) => value
                .parse()
                .map(Some)
                .map_err(|_| self.invalid(field, value)),
        }
    }

    fn date(&self, i: usize, field: &'static str) -> Result<Option<Date>, ParseError> {
        match self.opt(i, field)? {
            None | Some("") => Ok(None),
            Some(value) => parse_date(value)
                .map(Some)
                .ok_or_else(|| ParseError::InvalidDate {
                    line: self.line,
                    label: self.label.to_owned(),
                    field,
                    value: value.to_owned(),
                }),
        }
    }

    fn req_date(&self, i: usize, field: &'static str) -> Result<Date, ParseError> {
        self.date(i, field)?.ok_or_else(|| self.missing(field))
    }

    fn amount(&self, i: usize, field: &'static str) -> Result<Option<Decimal>, ParseError> {
        match self.opt(i, field)? {
            None | Some("") => Ok(None),
            Some(value) => {
                parse_decimal(value)
                    .map(Some)
                    .ok_or_else(|| ParseError::InvalidAmount {
                        line: self.line,
                        label: self.label.to_owned(),
                        field,
                        value: value.to_owned(),
                    })
            }
        }
    }

    fn req_amount(&self, i: usize, field: &'static str) -> Result<Decimal, ParseError> {
        self.amount(i, field)?.ok_or_else(|| self.missing(field))
    }

    /// `#TRANS account {objects} amount date text quantity sign`.
    fn transaction(&self, kind: TransactionKind) -> Result<Transaction, ParseError> {
        let account = self.req(0, "account number")?.to_owned();
        let objects = match self.args.get(1) {
            Some(Field::Objects(items)) => {
                if items.len() % 2 != 0 {
                    return Err(self.invalid("object list", &items.join(" ")));
                }
                items
                    .chunks_exact(2)
                    .map(|pair| (pair[0].clone(), pair[1].clone()))
                    .collect()
            }
            Some(Field::Text { value, .. }) => return Err(self.invalid("object list", value)),
            None => return Err(self.missing("object list")),
        };
        Ok(Transaction {
            kind,
            account,
            objects,
            amount: self.req_amount(2, "amount")?,
            date: self.date(3, "transaction date")?,
            text: non_empty(self.opt(4, "text")?),
            quantity: self.amount(5, "quantity")?,
        })
    }
}

/// `YYYYMMDD`, nothing else.
pub(crate) fn parse_date(value: &str) -> Option<Date> {
    let bytes = value.as_bytes();
    if bytes.len() != 8 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> u32 {
        bytes[range]
            .iter()
            .fold(0, |acc, b| acc * 10 + u32::from(b - b'0'))
    };
    let year = i32::try_from(number(0..4)).ok()?;
    let month = Month::try_from(u8::try_from(number(4..6)).ok()?).ok()?;
    let day = u8::try_from(number(6..8)).ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

/// Amounts and quantities have at most this many digits before the decimal point (10¹⁸ is
/// far beyond any real amount, and keeps every sum of rows inside `Decimal`'s range).
pub(crate) const MAX_INTEGER_DIGITS: usize = 18;

/// A plain decimal: optional sign, digits, optional `.` and digits. No exponent, no
/// thousands separator, no comma, at most [`MAX_INTEGER_DIGITS`] digits before the point;
/// never through a float.
pub(crate) fn parse_decimal(value: &str) -> Option<Decimal> {
    let (negative, body) = match value.as_bytes().first()? {
        b'-' => (true, &value[1..]),
        b'+' => (false, &value[1..]),
        _ => (false, value),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) {
        return None;
    }
    let int = int.trim_start_matches('0');
    if int.len() > MAX_INTEGER_DIGITS {
        return None;
    }
    let int = if int.is_empty() { "0" } else { int };
    let text = if frac.is_empty() {
        int.to_owned()
    } else {
        format!("{int}.{frac}")
    };
    let magnitude = Decimal::from_str_exact(&text).ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_parse_exactly_or_not_at_all() {
        assert_eq!(parse_decimal("-212.5"), Some(Decimal::new(-2125, 1)));
        assert_eq!(parse_decimal("1063"), Some(Decimal::new(1063, 0)));
        assert_eq!(parse_decimal("+.5"), Some(Decimal::new(5, 1)));
        assert_eq!(parse_decimal("7."), Some(Decimal::new(7, 0)));
        for bad in [
            "", "-", ".", "1,5", "1e5", "12a", "--1", "1.2.3", " 1", "NaN",
        ] {
            assert_eq!(parse_decimal(bad), None, "{bad}");
        }
        assert_eq!(parse_decimal(&"9".repeat(40)), None);
        assert_eq!(parse_decimal(&"9".repeat(19)), None);
        assert_eq!(
            parse_decimal(&format!("-000{}.5", "9".repeat(18))),
            Some(-Decimal::from_str_exact(&format!("{}.5", "9".repeat(18))).unwrap())
        );
    }

    #[test]
    fn dates_are_yyyymmdd() {
        assert_eq!(
            parse_date("20260229"),
            None,
            "2026 is not a leap year, so February has 28 days"
        );
        assert_eq!(
            parse_date("20240229"),
            Some(Date::from_calendar_date(2024, Month::February, 29).unwrap())
        );
        for bad in [
            "2024-02-29",
            "2024022",
            "202402290",
            "20241301",
            "2024010a",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
