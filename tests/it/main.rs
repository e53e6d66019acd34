//! End-to-end tests across the workspace: the sandbox month → the provider
//! clients → the journal → SIE 4I. One test binary, one module per area.

mod close_api;
mod deadline;
mod hostile;
mod late_capture;
mod ledger;
mod month_boundary;
mod month_close;
mod output;
mod payment_before_order;
mod support;
mod vat_reports;
