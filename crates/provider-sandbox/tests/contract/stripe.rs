//! Stripe (filled in below).
