//! The document model: what an SIE 4 file holds, independent of its bytes.
//!
//! Every type is `serde` so a host can store or forward a parsed file; amounts serialize as
//! strings (`rust_decimal`'s default), never as floats.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

/// A whole SIE 4 file: identification, chart of accounts, dimensions, balances and vouchers.
///
/// `#FORMAT` and `#SIETYP` are not fields: the writer always emits `#FORMAT PC8` and
/// `#SIETYP 4` (see [`WriteOptions`](crate::WriteOptions)), and [`parse_file`](crate::parse_file)
/// reports what a file said in [`ParsedFile`](crate::ParsedFile).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SieDocument {
    /// `#FLAGGA`: 0 = not yet imported (what an exporter writes); the importer sets 1.
    pub flag: u8,
    /// `#PROGRAM`: the program that wrote the file.
    pub program: Program,
    /// `#GEN`: when (and by whom) the file was generated. Mandatory when writing.
    pub generated: Option<Generated>,
    /// `#ORGNR`: the company's organisation number, `nnnnnn-nnnn`.
    pub org_number: Option<String>,
    /// `#FNAMN`: the company name. Mandatory when writing.
    pub company_name: String,
    /// `#RAR`: fiscal years; index 0 is the current year, -1 the previous one.
    pub fiscal_years: Vec<FiscalYear>,
    /// `#KPTYP`: the chart type, e.g. `BAS2014` or `EUBAS97`.
    pub chart_type: Option<String>,
    /// `#VALUTA`: the reporting currency (ISO 4217); SEK when absent.
    pub currency: Option<String>,
    /// `#KONTO` (with `#KTYP` and `#SRU`): the chart of accounts, in file order.
    pub accounts: Vec<Account>,
    /// `#DIM`: dimensions (1 = kostnadsställe, 6 = projekt, ...).
    pub dimensions: Vec<Dimension>,
    /// `#OBJEKT`: objects within dimensions.
    pub objects: Vec<Object>,
    /// `#IB`, `#UB` and `#RES`: balances per account and fiscal year.
    pub balances: Vec<Balance>,
    /// `#VER`: the vouchers (verifikationer), in file order.
    pub vouchers: Vec<Voucher>,
}

impl SieDocument {
    /// The account with this number, if the chart of accounts has it.
    pub fn account(&self, number: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.number == number)
    }

    /// The fiscal year with this index (0 = current), if the file has a `#RAR` for it.
    pub fn fiscal_year(&self, index: i32) -> Option<&FiscalYear> {
        self.fiscal_years.iter().find(|y| y.index == index)
    }
}

/// `#PROGRAM name version`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Program {
    /// Program name, e.g. `kassabok`. Mandatory when writing.
    pub name: String,
    /// Program version, e.g. `0.1.0`.
    pub version: String,
}

/// `#GEN date sign`: when the file was generated, and optionally by whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generated {
    /// The generation date.
    pub date: Date,
    /// Who generated it (a signature or name); `None` when absent or empty.
    pub sign: Option<String>,
}

/// `#RAR index start end`: a fiscal year (räkenskapsår).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiscalYear {
    /// 0 for the current year, -1 for the previous one, and so on.
    pub index: i32,
    /// First day of the year.
    pub start: Date,
    /// Last day of the year.
    pub end: Date,
}

impl FiscalYear {
    /// Whether `date` lies within the year, both ends included.
    pub fn contains(&self, date: Date) -> bool {
        self.start <= date && date <= self.end
    }
}

/// An account of the chart: `#KONTO number name`, with its `#KTYP` and `#SRU` when given.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Account {
    /// Account number, e.g. `1930`.
    pub number: String,
    /// Account name, e.g. `Företagskonto`.
    pub name: String,
    /// `#KTYP`: asset, liability, cost or income.
    pub kind: Option<AccountKind>,
    /// `#SRU`: the tax-return (SRU) code.
    pub sru: Option<String>,
}

impl Account {
    /// An account with a number and a name, and no `#KTYP` or `#SRU`.
    pub fn new(number: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            number: number.into(),
            name: name.into(),
            kind: None,
            sru: None,
        }
    }
}

/// `#KTYP` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum AccountKind {
    /// `T`: tillgång.
    Asset,
    /// `S`: skuld (including equity).
    Liability,
    /// `K`: kostnad.
    Cost,
    /// `I`: intäkt.
    Income,
}

impl AccountKind {
    /// The letter SIE uses: `T`, `S`, `K` or `I`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Asset => "T",
            Self::Liability => "S",
            Self::Cost => "K",
            Self::Income => "I",
        }
    }

    /// The kind for an SIE letter (case-insensitive), if it is one.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "T" | "t" => Some(Self::Asset),
            "S" | "s" => Some(Self::Liability),
            "K" | "k" => Some(Self::Cost),
            "I" | "i" => Some(Self::Income),
            _ => None,
        }
    }
}

/// `#DIM number name`: a dimension (1 kostnadsställe, 2 kostnadsbärare, 6 projekt, ...).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Dimension {
    /// Dimension number, e.g. `1`.
    pub number: String,
    /// Dimension name.
    pub name: String,
}

/// `#OBJEKT dimension id name`: an object within a dimension.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Object {
    /// The dimension number it belongs to.
    pub dimension: String,
    /// The object id, e.g. `100` or `P1`.
    pub id: String,
    /// The object name.
    pub name: String,
}

/// Which balance record a [`Balance`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum BalanceKind {
    /// `#IB`: ingående balans (opening balance of a balance-sheet account).
    Opening,
    /// `#UB`: utgående balans (closing balance of a balance-sheet account).
    Closing,
    /// `#RES`: resultat (the year's result on an income-statement account).
    Result,
}

impl BalanceKind {
    /// The SIE label, with its `#`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Opening => "#IB",
            Self::Closing => "#UB",
            Self::Result => "#RES",
        }
    }
}

/// `#IB`, `#UB` or `#RES year account amount quantity`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    /// Which record.
    pub kind: BalanceKind,
    /// Fiscal-year index (0 = current).
    pub year: i32,
    /// Account number.
    pub account: String,
    /// The balance; debit positive, credit negative.
    pub amount: Decimal,
    /// Quantity, when given.
    pub quantity: Option<Decimal>,
}

/// `#VER series number date text registered` with its transactions between `{` and `}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Voucher {
    /// The voucher series (verifikationsserie), e.g. `A`; may be empty.
    pub series: String,
    /// The voucher number; `None` (written as `""`) lets a 4I importer assign it.
    pub number: Option<String>,
    /// The voucher date (verifikationsdatum).
    pub date: Date,
    /// The voucher text (at most 50 characters for Fortnox).
    pub text: String,
    /// The registration date (regdatum), when given.
    pub registered: Option<Date>,
    /// `#TRANS`, `#RTRANS` and `#BTRANS` rows, in order.
    pub transactions: Vec<Transaction>,
}

impl Voucher {
    /// A voucher without a number (the importer assigns one) and without transactions.
    pub fn new(series: impl Into<String>, date: Date, text: impl Into<String>) -> Self {
        Self {
            series: series.into(),
            number: None,
            date,
            text: text.into(),
            registered: None,
            transactions: Vec::new(),
        }
    }

    /// Sets the voucher number (builder style); 4I files usually leave it to the importer.
    #[must_use]
    pub fn number(mut self, number: impl Into<String>) -> Self {
        self.number = Some(number.into());
        self
    }

    /// Adds a transaction (builder style).
    #[must_use]
    pub fn with(mut self, transaction: Transaction) -> Self {
        self.transactions.push(transaction);
        self
    }

    /// The sum of the `#TRANS` rows (`#RTRANS` and `#BTRANS` are excluded, as the spec says).
    /// A balanced voucher sums to zero.
    ///
    /// Never panics: a sum beyond `Decimal`'s range (about 7.9 × 10²⁸) saturates. The reader
    /// and the writer refuse amounts of 10¹⁸ or more, so their vouchers cannot get there.
    pub fn sum(&self) -> Decimal {
        self.transactions
            .iter()
            .filter(|t| t.kind == TransactionKind::Normal)
            .fold(Decimal::ZERO, |sum, t| sum.saturating_add(t.amount))
    }

    /// Whether the `#TRANS` rows sum to zero.
    ///
    /// ```
    /// use rust_decimal_macros::dec;
    /// use sie_file::{Transaction, TransactionKind, Voucher};
    /// use time::macros::date;
    ///
    /// let v = Voucher::new("F", date!(2026 - 03 - 31), "Klarna utbetalning")
    ///     .with(Transaction::new("1930", dec!(980.00)))
    ///     .with(Transaction::new("6570", dec!(20.00)).text("Avgift"))
    ///     .with(Transaction::new("1580", dec!(-1000.00)))
    ///     // A removed row (`#RTRANS`) does not count.
    ///     .with(Transaction::new("1580", dec!(-1.00)).kind(TransactionKind::Removed));
    /// assert_eq!(v.sum(), dec!(0.00));
    /// assert!(v.is_balanced());
    /// ```
    pub fn is_balanced(&self) -> bool {
        self.sum().is_zero()
    }
}

/// Which transaction record a [`Transaction`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum TransactionKind {
    /// `#TRANS`: a row of the voucher.
    #[default]
    Normal,
    /// `#RTRANS`: a row added after registration; the spec wants it followed by an
    /// identical `#TRANS` (add that row yourself; the writer writes rows as given).
    Added,
    /// `#BTRANS`: a row removed after registration (kept for the audit trail).
    Removed,
}

impl TransactionKind {
    /// The SIE label, with its `#`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Normal => "#TRANS",
            Self::Added => "#RTRANS",
            Self::Removed => "#BTRANS",
        }
    }
}

/// `#TRANS account {objects} amount date text quantity`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transaction {
    /// `#TRANS`, `#RTRANS` or `#BTRANS`.
    pub kind: TransactionKind,
    /// Account number.
    pub account: String,
    /// Object list: `(dimension, object id)` pairs, e.g. `("1", "100")`.
    pub objects: Vec<(String, String)>,
    /// Amount; debit positive, credit negative. The writer allows at most 2 decimals.
    pub amount: Decimal,
    /// Transaction date, when it differs from the voucher's.
    pub date: Option<Date>,
    /// Transaction text; `None` when absent or empty.
    pub text: Option<String>,
    /// Quantity, when given.
    pub quantity: Option<Decimal>,
}

impl Transaction {
    /// A plain `#TRANS` row on `account` with `amount`.
    pub fn new(account: impl Into<String>, amount: Decimal) -> Self {
        Self {
            kind: TransactionKind::Normal,
            account: account.into(),
            objects: Vec::new(),
            amount,
            date: None,
            text: None,
            quantity: None,
        }
    }

    /// Sets the row's text (builder style).
    #[must_use]
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    /// Sets the row's own date (builder style).
    #[must_use]
    pub fn date(mut self, date: Date) -> Self {
        self.date = Some(date);
        self
    }

    /// Sets the row's quantity (builder style).
    #[must_use]
    pub fn quantity(mut self, quantity: Decimal) -> Self {
        self.quantity = Some(quantity);
        self
    }

    /// Makes the row an `#RTRANS` or `#BTRANS` (builder style).
    #[must_use]
    pub fn kind(mut self, kind: TransactionKind) -> Self {
        self.kind = kind;
        self
    }

    /// Adds an object `(dimension, id)` to the row (builder style).
    #[must_use]
    pub fn object(mut self, dimension: impl Into<String>, id: impl Into<String>) -> Self {
        self.objects.push((dimension.into(), id.into()));
        self
    }
}
