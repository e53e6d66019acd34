//! `shopify-client`: placeholder while the crate is written.
