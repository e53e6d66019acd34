//! `stripe-invoicing`: placeholder while the crate is written.
