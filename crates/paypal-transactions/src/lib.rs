//! `paypal-transactions`: placeholder while the crate is written.
