//! Integration tests of journal-mapping: one binary, one module per theme.
#![allow(missing_docs)]

mod absurd;
mod events;
mod export;
mod helpers;
mod markdown;
mod properties;
mod rules;
mod snapshots;
