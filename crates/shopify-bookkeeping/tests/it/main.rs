//! Integration tests of `shopify-bookkeeping`: one binary, one module per area.

mod cost;
mod errors;
mod normalize;
mod orders;
mod payouts;
mod sandbox;
mod schema;
mod support;
