//! End-to-end tests across the workspace: the sandbox month → the provider
//! clients → the journal → SIE 4I. One test binary, one module per area.

mod month_boundary;
mod deadline;
mod hostile;
mod month_close;
mod output;
mod support;
mod vat_reports;
