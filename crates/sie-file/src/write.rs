//! Writing SIE 4I (and 4E) files that importers accept: CP437, CRLF, strict fields.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use time::Date;

use crate::checksum::Ksumma;
use crate::encoding::{cp437_byte, replacement};
use crate::lex::quote;
use crate::model::{SieDocument, Transaction, Voucher};
use crate::read::{MAX_INTEGER_DIGITS, voucher_name};

/// Which flavour of SIE 4 to write. Both say `#SIETYP 4`; the file extension tells them apart
/// (`.si` for 4I, `.se` for 4E).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum SieType {
    /// 4I: vouchers for import into a bookkeeping program. Voucher numbers may be empty.
    #[default]
    I4,
    /// 4E: a full export of the year. Requires `#RAR` and a number on every voucher.
    E4,
}

/// What to do with a text longer than [`WriteOptions::text_limit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum TextPolicy {
    /// Refuse to write: [`WriteError::TextTooLong`].
    #[default]
    Error,
    /// Cut the text to the limit (counted in characters).
    Truncate,
}

/// What to do with a character CP437 cannot hold (or a control character such as a line
/// break, which cannot be inside a field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum CharPolicy {
    /// Refuse to write: [`WriteError::Unencodable`].
    #[default]
    Error,
    /// Write the documented replacement (see [`replacement`](crate::encoding::replacement)):
    /// `€` → `EUR`, `–` → `-`, curly quotes → straight ones, a line break → a space, any
    /// other character → `?`. Never mojibake.
    Replace,
}

/// Which `#KONTO` records to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum AccountSelection {
    /// Every account of [`SieDocument::accounts`].
    #[default]
    All,
    /// Only the accounts of [`SieDocument::accounts`] that a transaction or balance uses
    /// (for importers such as Fribok that check every account against their chart).
    Used,
    /// No `#KONTO` at all (the receiving chart owns the names, as in Fortnox). Not allowed
    /// for 4E.
    None,
}

/// How to write a file. `WriteOptions::default()` writes SIE 4I for Fortnox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteOptions {
    /// 4I (default) or 4E.
    pub sie_type: SieType,
    /// Longest voucher or transaction text, in characters. Default 50 (Fortnox's limit).
    pub text_limit: usize,
    /// What to do with a longer text. Default: an error.
    pub overlong_text: TextPolicy,
    /// What to do with a character CP437 cannot hold. Default: an error.
    pub unencodable: CharPolicy,
    /// Write `#KSUMMA` records (opening after `#FLAGGA`, closing with the CRC-32 last).
    /// Default `false`: the checksum is optional and some importers do not check it.
    pub include_ksumma: bool,
    /// Which `#KONTO` records to write. Default: all of the document's.
    pub accounts: AccountSelection,
}

impl Default for WriteOptions {
    fn default() -> Self {
        Self {
            sie_type: SieType::I4,
            text_limit: 50,
            overlong_text: TextPolicy::Error,
            unencodable: CharPolicy::Error,
            include_ksumma: false,
            accounts: AccountSelection::All,
        }
    }
}

/// Why a document could not be written. Each variant names the record or voucher.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// A mandatory record has no value in the document.
    #[error("{label} is required: {hint}")]
    MissingRequired {
        /// The label, e.g. `#GEN`.
        label: &'static str,
        /// What to set.
        hint: &'static str,
    },
    /// A voucher's `#TRANS` rows do not sum to zero.
    #[error("voucher {voucher} (index {index}) does not balance: its #TRANS rows sum to {sum}")]
    Unbalanced {
        /// Index in [`SieDocument::vouchers`].
        index: usize,
        /// Series and number.
        voucher: String,
        /// What the rows sum to.
        sum: Decimal,
    },
    /// A voucher without transactions (importers reject it; it records nothing).
    #[error("voucher {voucher} (index {index}) has no transactions")]
    EmptyVoucher {
        /// Index in [`SieDocument::vouchers`].
        index: usize,
        /// Series and number.
        voucher: String,
    },
    /// 4E requires a number on every voucher.
    #[error("voucher {voucher} (index {index}) has no number, which SIE 4E requires")]
    MissingVoucherNumber {
        /// Index in [`SieDocument::vouchers`].
        index: usize,
        /// Series and number.
        voucher: String,
    },
    /// A text is longer than [`WriteOptions::text_limit`] and the policy is
    /// [`TextPolicy::Error`].
    #[error("{context}: text is {length} characters, over the limit of {limit}")]
    TextTooLong {
        /// Where, e.g. `voucher A 12 (index 3) text`.
        context: String,
        /// Its length in characters.
        length: usize,
        /// The limit.
        limit: usize,
    },
    /// A character CP437 cannot hold, and the policy is [`CharPolicy::Error`].
    #[error("{context}: character {character:?} in {value:?} cannot be written in CP437 (PC8)")]
    Unencodable {
        /// Where.
        context: String,
        /// The character.
        character: char,
        /// The value it is in (its first 60 characters), so that the record it came from
        /// (a provider's document number, a line name) can be found; shown escaped.
        value: String,
    },
    /// An amount with more than 2 decimals (SIE allows 2; round it yourself, explicitly).
    #[error("{context}: amount {amount} has more than 2 decimals")]
    TooManyDecimals {
        /// Where.
        context: String,
        /// The amount.
        amount: Decimal,
    },
    /// A value the format cannot carry where it must go.
    #[error("{context}: {value:?} {reason}")]
    InvalidValue {
        /// Where.
        context: String,
        /// The value.
        value: String,
        /// Why, e.g. `must not be empty`.
        reason: &'static str,
    },
}

/// Writes `doc` as an SIE 4 file: CP437 bytes with CRLF line ends.
///
/// # Errors
///
/// A [`WriteError`] when the document lacks a mandatory record (`#PROGRAM`, `#GEN`,
/// `#FNAMN`, and for 4E `#RAR`), a voucher is empty or does not balance, a text is too long or holds a
/// character CP437 cannot, or an amount has more than 2 decimals. Nothing is written
/// half-way: the bytes are returned only when the whole document is valid.
///
/// ```
/// use rust_decimal_macros::dec;
/// use sie_file::{Program, SieDocument, Transaction, Voucher, WriteError, WriteOptions};
/// use time::macros::date;
///
/// let mut doc = SieDocument {
///     program: Program { name: "kassabok".into(), version: "0.1.0".into() },
///     company_name: "Företaget AB".into(),
///     ..SieDocument::default()
/// };
/// doc.generated = Some(sie_file::Generated { date: date!(2026 - 04 - 01), sign: None });
/// // A voucher whose rows do not sum to zero is never written.
/// doc.vouchers.push(
///     Voucher::new("F", date!(2026 - 03 - 31), "Stripe utbetalning")
///         .with(Transaction::new("1930", dec!(100.00)))
///         .with(Transaction::new("1580", dec!(-99.99))),
/// );
/// let err = sie_file::write(&doc, &WriteOptions::default()).unwrap_err();
/// assert!(matches!(err, WriteError::Unbalanced { .. }), "{err}");
///
/// doc.vouchers[0].transactions[1].amount = dec!(-100.00);
/// let bytes = sie_file::write(&doc, &WriteOptions::default())?;
/// assert!(bytes.starts_with(b"#FLAGGA 0\r\n"));
/// # Ok::<(), WriteError>(())
/// ```
pub fn write(doc: &SieDocument, options: &WriteOptions) -> Result<Vec<u8>, WriteError> {
    let mut w = Writer {
        options,
        out: Vec::new(),
        ksumma: None,
    };
    w.document(doc)?;
    Ok(w.out)
}

/// One field of a record to write.
enum Out {
    /// Written as it is (already checked to be a safe bare token).
    Bare(String),
    /// Written in quotes, with escapes.
    Quoted(String),
    /// An object list.
    Objects(Vec<(String, String)>),
}

struct Writer<'o> {
    options: &'o WriteOptions,
    out: Vec<u8>,
    ksumma: Option<Ksumma>,
}

impl Writer<'_> {
    fn document(&mut self, doc: &SieDocument) -> Result<(), WriteError> {
        let e4 = self.options.sie_type == SieType::E4;
        if doc.program.name.is_empty() {
            return Err(WriteError::MissingRequired {
                label: "#PROGRAM",
                hint: "set SieDocument::program.name",
            });
        }
        let Some(generated) = &doc.generated else {
            return Err(WriteError::MissingRequired {
                label: "#GEN",
                hint: "set SieDocument::generated",
            });
        };
        if doc.company_name.is_empty() {
            return Err(WriteError::MissingRequired {
                label: "#FNAMN",
                hint: "set SieDocument::company_name",
            });
        }
        if e4 && doc.fiscal_years.is_empty() {
            return Err(WriteError::MissingRequired {
                label: "#RAR",
                hint: "SIE 4E needs SieDocument::fiscal_years",
            });
        }
        if e4 && self.options.accounts == AccountSelection::None {
            return Err(WriteError::MissingRequired {
                label: "#KONTO",
                hint: "SIE 4E needs the chart of accounts: AccountSelection::All or Used",
            });
        }
        for (index, voucher) in doc.vouchers.iter().enumerate() {
            if voucher.transactions.is_empty() {
                return Err(WriteError::EmptyVoucher {
                    index,
                    voucher: voucher_name(voucher),
                });
            }
            if !voucher.is_balanced() {
                return Err(WriteError::Unbalanced {
                    index,
                    voucher: voucher_name(voucher),
                    sum: voucher.sum(),
                });
            }
            if e4 && voucher.number.as_deref().is_none_or(str::is_empty) {
                return Err(WriteError::MissingVoucherNumber {
                    index,
                    voucher: voucher_name(voucher),
                });
            }
        }

        self.record("#FLAGGA", vec![Out::Bare(doc.flag.to_string())]);
        if self.options.include_ksumma {
            self.record("#KSUMMA", vec![]);
            self.ksumma = Some(Ksumma::default());
        }
        let program = vec![
            Out::Quoted(self.text("#PROGRAM name", &doc.program.name, false)?),
            self.token("#PROGRAM version", &doc.program.version)?,
        ];
        self.record("#PROGRAM", program);
        self.record("#FORMAT", vec![Out::Bare("PC8".into())]);
        let mut gen_fields = vec![Out::Bare(date("#GEN date", generated.date)?)];
        if let Some(sign) = generated.sign.as_deref().filter(|s| !s.is_empty()) {
            gen_fields.push(Out::Quoted(self.text("#GEN sign", sign, false)?));
        }
        self.record("#GEN", gen_fields);
        self.record("#SIETYP", vec![Out::Bare("4".into())]);
        if let Some(org) = doc.org_number.as_deref().filter(|s| !s.is_empty()) {
            if !is_org_number(org) {
                return Err(WriteError::InvalidValue {
                    context: "#ORGNR".into(),
                    value: org.to_owned(),
                    reason: "is not an organisation number of the form nnnnnn-nnnn",
                });
            }
            self.record("#ORGNR", vec![Out::Bare(org.to_owned())]);
        }
        let name = Out::Quoted(self.text("#FNAMN", &doc.company_name, false)?);
        self.record("#FNAMN", vec![name]);
        for year in &doc.fiscal_years {
            let fields = vec![
                Out::Bare(year.index.to_string()),
                Out::Bare(date("#RAR start", year.start)?),
                Out::Bare(date("#RAR end", year.end)?),
            ];
            self.record("#RAR", fields);
        }
        if let Some(kptyp) = doc.chart_type.as_deref().filter(|s| !s.is_empty()) {
            let kptyp = self.token("#KPTYP", kptyp)?;
            self.record("#KPTYP", vec![kptyp]);
        }
        if let Some(currency) = doc.currency.as_deref().filter(|s| !s.is_empty()) {
            let currency = self.bare("#VALUTA", currency)?;
            self.record("#VALUTA", vec![currency]);
        }
        self.accounts(doc)?;
        for dim in &doc.dimensions {
            let fields = vec![
                self.bare("#DIM number", &dim.number)?,
                Out::Quoted(self.text("#DIM name", &dim.name, false)?),
            ];
            self.record("#DIM", fields);
        }
        for object in &doc.objects {
            let ctx = format!("#OBJEKT {} {}", object.dimension, object.id);
            let fields = vec![
                self.bare(&ctx, &object.dimension)?,
                Out::Quoted(self.id(&ctx, &object.id)?),
                Out::Quoted(self.text(&ctx, &object.name, false)?),
            ];
            self.record("#OBJEKT", fields);
        }
        for balance in &doc.balances {
            let label = balance.kind.label();
            let ctx = format!("{label} {} {}", balance.year, balance.account);
            let mut fields = vec![
                Out::Bare(balance.year.to_string()),
                self.bare(&ctx, &balance.account)?,
                Out::Bare(amount(&ctx, balance.amount)?),
            ];
            if let Some(quantity) = balance.quantity {
                fields.push(Out::Bare(quantity_text(&ctx, quantity)?));
            }
            self.record(label, fields);
        }
        for (index, voucher) in doc.vouchers.iter().enumerate() {
            self.voucher(index, voucher)?;
        }
        if let Some(ksumma) = self.ksumma.take() {
            self.record("#KSUMMA", vec![Out::Bare(ksumma.value().to_string())]);
        }
        Ok(())
    }

    fn accounts(&mut self, doc: &SieDocument) -> Result<(), WriteError> {
        let used: BTreeSet<&str> = match self.options.accounts {
            AccountSelection::None => return Ok(()),
            AccountSelection::All => BTreeSet::new(),
            AccountSelection::Used => doc
                .vouchers
                .iter()
                .flat_map(|v| v.transactions.iter().map(|t| t.account.as_str()))
                .chain(doc.balances.iter().map(|b| b.account.as_str()))
                .collect(),
        };
        let all = self.options.accounts == AccountSelection::All;
        for account in doc
            .accounts
            .iter()
            .filter(|a| all || used.contains(a.number.as_str()))
        {
            let ctx = format!("#KONTO {}", account.number);
            let number = self.bare(&ctx, &account.number)?;
            let name = Out::Quoted(self.text(&ctx, &account.name, false)?);
            self.record("#KONTO", vec![number, name]);
            if let Some(kind) = account.kind {
                let number = self.bare(&ctx, &account.number)?;
                self.record("#KTYP", vec![number, Out::Bare(kind.code().into())]);
            }
            if let Some(sru) = account.sru.as_deref() {
                let number = self.bare(&ctx, &account.number)?;
                let sru = self.bare(&format!("#SRU {}", account.number), sru)?;
                self.record("#SRU", vec![number, sru]);
            }
        }
        Ok(())
    }

    fn voucher(&mut self, index: usize, voucher: &Voucher) -> Result<(), WriteError> {
        let ctx = format!("voucher {} (index {index})", voucher_name(voucher));
        let mut fields = vec![
            Out::Quoted(self.text(&format!("{ctx} series"), &voucher.series, false)?),
            Out::Quoted(self.text(
                &format!("{ctx} number"),
                voucher.number.as_deref().unwrap_or(""),
                false,
            )?),
            Out::Bare(date(&ctx, voucher.date)?),
            Out::Quoted(self.text(&format!("{ctx} text"), &voucher.text, true)?),
        ];
        if let Some(registered) = voucher.registered {
            fields.push(Out::Bare(date(&ctx, registered)?));
        }
        self.record("#VER", fields);
        self.line("{");
        for (row, transaction) in voucher.transactions.iter().enumerate() {
            let ctx = format!("{ctx} row {}", row + 1);
            self.transaction(&ctx, transaction)?;
        }
        self.line("}");
        Ok(())
    }

    fn transaction(&mut self, ctx: &str, t: &Transaction) -> Result<(), WriteError> {
        let mut objects = Vec::with_capacity(t.objects.len());
        for (dimension, id) in &t.objects {
            let dimension = self.bare_str(ctx, dimension)?;
            objects.push((dimension, self.id(ctx, id)?));
        }
        let mut fields = vec![
            self.bare(ctx, &t.account)?,
            Out::Objects(objects),
            Out::Bare(amount(ctx, t.amount)?),
        ];
        let text = t.text.as_deref().filter(|s| !s.is_empty());
        if t.date.is_some() || text.is_some() || t.quantity.is_some() {
            fields.push(match t.date {
                Some(d) => Out::Bare(date(ctx, d)?),
                None => Out::Quoted(String::new()),
            });
        }
        if text.is_some() || t.quantity.is_some() {
            let text = match text {
                Some(text) => self.text(&format!("{ctx} text"), text, true)?,
                None => String::new(),
            };
            fields.push(Out::Quoted(text));
        }
        if let Some(quantity) = t.quantity {
            fields.push(Out::Bare(quantity_text(ctx, quantity)?));
        }
        self.record(t.kind.label(), fields);
        Ok(())
    }

    /// Checks a text for CP437 (replacing when asked) and, for voucher and row texts, the
    /// length limit.
    fn text(&self, ctx: &str, value: &str, limited: bool) -> Result<String, WriteError> {
        let mut text = String::with_capacity(value.len());
        for c in value.chars() {
            if cp437_byte(c).is_some() {
                text.push(c);
            } else if self.options.unencodable == CharPolicy::Replace {
                text.push_str(replacement(c));
            } else {
                return Err(unencodable(ctx, c, value));
            }
        }
        let length = text.chars().count();
        if limited && length > self.options.text_limit {
            match self.options.overlong_text {
                TextPolicy::Error => {
                    return Err(WriteError::TextTooLong {
                        context: ctx.to_owned(),
                        length,
                        limit: self.options.text_limit,
                    });
                }
                TextPolicy::Truncate => text = text.chars().take(self.options.text_limit).collect(),
            }
        }
        Ok(text)
    }

    /// An object id: quoted, but never empty (a reader could not tell it from a missing one).
    fn id(&self, ctx: &str, value: &str) -> Result<String, WriteError> {
        if value.is_empty() {
            return Err(WriteError::InvalidValue {
                context: ctx.to_owned(),
                value: String::new(),
                reason: "must not be empty",
            });
        }
        self.text(ctx, value, false)
    }

    /// A value that must be written without quotes (account numbers, `#ORGNR`, ...): non-empty,
    /// no spaces, quotes or braces, CP437 only. Never replaced: a changed account number
    /// would book money elsewhere.
    fn bare(&self, ctx: &str, value: &str) -> Result<Out, WriteError> {
        self.bare_str(ctx, value).map(Out::Bare)
    }

    fn bare_str(&self, ctx: &str, value: &str) -> Result<String, WriteError> {
        let invalid = |reason| WriteError::InvalidValue {
            context: ctx.to_owned(),
            value: value.to_owned(),
            reason,
        };
        if value.is_empty() {
            return Err(invalid("must not be empty"));
        }
        if let Some(c) = value.chars().find(|c| cp437_byte(*c).is_none()) {
            return Err(unencodable(ctx, c, value));
        }
        if !is_bare(value) {
            return Err(invalid(
                "must not contain spaces, quotes, braces or backslashes",
            ));
        }
        Ok(value.to_owned())
    }

    /// Bare when it can be, quoted otherwise.
    fn token(&self, ctx: &str, value: &str) -> Result<Out, WriteError> {
        let text = self.text(ctx, value, false)?;
        Ok(if is_bare(&text) {
            Out::Bare(text)
        } else {
            Out::Quoted(text)
        })
    }

    fn record(&mut self, label: &str, fields: Vec<Out>) {
        let mut line = String::from(label);
        if let Some(ksumma) = &mut self.ksumma {
            ksumma.feed(label);
        }
        for field in &fields {
            line.push(' ');
            match field {
                Out::Bare(value) => line.push_str(value),
                Out::Quoted(value) => line.push_str(&quote(value)),
                Out::Objects(pairs) => {
                    line.push('{');
                    for (i, (dimension, id)) in pairs.iter().enumerate() {
                        if i > 0 {
                            line.push(' ');
                        }
                        line.push_str(dimension);
                        line.push(' ');
                        line.push_str(&quote(id));
                    }
                    line.push('}');
                }
            }
            if let Some(ksumma) = &mut self.ksumma {
                match field {
                    Out::Bare(value) | Out::Quoted(value) => ksumma.feed(value),
                    Out::Objects(pairs) => {
                        for (dimension, id) in pairs {
                            ksumma.feed(dimension);
                            ksumma.feed(id);
                        }
                    }
                }
            }
        }
        self.line(&line);
    }

    fn line(&mut self, line: &str) {
        // Every character was checked by `text` or `bare`; `?` is a last resort that cannot
        // be reached.
        self.out
            .extend(line.chars().map(|c| cp437_byte(c).unwrap_or(b'?')));
        self.out.extend_from_slice(b"\r\n");
    }
}

/// `nnnnnn-nnnn`, the only form the spec allows (and importers check).
fn is_org_number(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() == 11
        && bytes[6] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 6 || b.is_ascii_digit())
}

fn is_bare(value: &str) -> bool {
    !value.is_empty()
        && value
            .chars()
            .all(|c| !c.is_whitespace() && !matches!(c, '"' | '{' | '}' | '\\') && !c.is_control())
}

/// `YYYYMMDD`.
fn date(ctx: &str, date: Date) -> Result<String, WriteError> {
    if !(0..=9999).contains(&date.year()) {
        return Err(WriteError::InvalidValue {
            context: ctx.to_owned(),
            value: date.to_string(),
            reason: "has a year outside 0000-9999",
        });
    }
    Ok(format!(
        "{:04}{:02}{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    ))
}

/// Exactly 2 decimals, decimal point, minus for credits; more decimals is an error.
fn amount(ctx: &str, amount: Decimal) -> Result<String, WriteError> {
    let mut value = amount.normalize();
    check_size(ctx, value)?;
    if value.scale() > 2 {
        return Err(WriteError::TooManyDecimals {
            context: ctx.to_owned(),
            amount,
        });
    }
    if value.is_zero() {
        return Ok("0.00".into());
    }
    value.rescale(2);
    Ok(value.to_string())
}

/// Quantities keep the decimals they have (no trailing zeros).
fn quantity_text(ctx: &str, quantity: Decimal) -> Result<String, WriteError> {
    check_size(ctx, quantity)?;
    Ok(if quantity.is_zero() {
        "0".into()
    } else {
        quantity.normalize().to_string()
    })
}

/// At most [`MAX_INTEGER_DIGITS`] digits before the point, as the reader accepts.
fn check_size(ctx: &str, value: Decimal) -> Result<(), WriteError> {
    let limit = Decimal::from_i128_with_scale(10i128.pow(MAX_INTEGER_DIGITS as u32), 0);
    if value.abs() >= limit {
        return Err(WriteError::InvalidValue {
            context: ctx.to_owned(),
            value: value.to_string(),
            reason: "is too large (at most 18 digits before the point)",
        });
    }
    Ok(())
}

fn unencodable(ctx: &str, character: char, value: &str) -> WriteError {
    WriteError::Unencodable {
        context: ctx.to_owned(),
        character,
        value: value.chars().take(60).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_have_two_decimals() {
        assert_eq!(amount("x", Decimal::new(98, 0)).unwrap(), "98.00");
        assert_eq!(amount("x", Decimal::new(-2125, 1)).unwrap(), "-212.50");
        assert_eq!(amount("x", Decimal::new(-0, 2)).unwrap(), "0.00");
        assert_eq!(amount("x", Decimal::new(12_3400, 4)).unwrap(), "12.34");
        assert_eq!(
            amount("row 1", Decimal::new(12_345, 3))
                .unwrap_err()
                .to_string(),
            "row 1: amount 12.345 has more than 2 decimals"
        );
    }

    #[test]
    fn organisation_numbers() {
        assert!(is_org_number("556677-8899"));
        for bad in [
            "5566778899",
            "16556677-8899",
            "556677 8899",
            "55667a-8899",
            "",
        ] {
            assert!(!is_org_number(bad), "{bad}");
        }
    }

    #[test]
    fn quantities_and_dates() {
        assert_eq!(quantity_text("x", Decimal::new(1500, 3)).unwrap(), "1.5");
        assert_eq!(quantity_text("x", Decimal::new(-3, 0)).unwrap(), "-3");
        let huge = Decimal::from_i128_with_scale(10i128.pow(18), 0);
        assert_eq!(
            amount("row 2", -huge).unwrap_err().to_string(),
            "row 2: \"-1000000000000000000\" is too large (at most 18 digits before the point)"
        );
        assert!(quantity_text("x", huge).is_err());
        assert!(amount("x", huge - Decimal::ONE).is_ok());
        let d = Date::from_calendar_date(2026, time::Month::January, 5).unwrap();
        assert_eq!(date("x", d).unwrap(), "20260105");
    }
}
