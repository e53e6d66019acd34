//! `klarna-settlements`: placeholder while the crate is written.
