//! Integration tests of `stripe-invoicing`: one binary, a fresh wiremock
//! server per test, fixtures under `tests/fixtures/stripe/`.

mod client;
mod decode;
mod disputes;
mod month;
mod pagination;
mod payouts;
mod sandbox;
mod support;
