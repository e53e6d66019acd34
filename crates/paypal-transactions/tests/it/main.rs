//! Integration tests of `paypal-transactions`: one binary, one module per area.

mod auth;
mod common;
mod csv_report;
mod normalize;
mod properties;
mod published;
mod sandbox;
mod search;
mod spec;
mod statement;
