#![doc = include_str!("../SIE.md")]
#![deny(missing_docs)]

mod checksum;
pub mod encoding;
mod lex;
mod model;
mod read;
mod validate;
mod write;

pub use checksum::KsummaCheck;
pub use encoding::Encoding;
pub use model::{
    Account, AccountKind, Balance, BalanceKind, Dimension, FiscalYear, Generated, Object, Program,
    SieDocument, Transaction, TransactionKind, Voucher,
};
pub use read::{ParseError, ParseOptions, ParsedFile, parse, parse_file};
pub use validate::{ValidationReport, VoucherReport, validate};
pub use write::{
    AccountSelection, CharPolicy, SieType, TextPolicy, WriteError, WriteOptions, write,
};
