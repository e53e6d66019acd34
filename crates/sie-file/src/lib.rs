//! `sie-file`: placeholder while the crate is written.
