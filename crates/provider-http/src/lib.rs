//! `provider-http`: placeholder while the crate is written.
