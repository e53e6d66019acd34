//! `bookkeeping-core`: placeholder while the crate is written.
