//! `provider-sandbox`: placeholder while the crate is written.
