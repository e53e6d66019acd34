//! Integration tests of provider-http against wiremock servers and raw sockets on loopback.

mod auth;
mod config;
mod errors;
mod limits;
mod pagination;
mod rate_limit;
mod retry;
mod support;
mod surrogates;
mod traces;
