//! Writing a [`Journal`](crate::Journal) as CSV and (feature `sie`) as an SIE 4I document.

mod csv;
#[cfg(feature = "sie")]
mod sie;

pub use self::csv::CsvError;
#[cfg(feature = "sie")]
pub(crate) use self::sie::unencodable_review;
#[cfg(feature = "sie")]
pub use self::sie::{SIE_TEXT_LIMIT, SieExport, sie_text};
