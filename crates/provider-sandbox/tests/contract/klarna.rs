//! Klarna (filled in below).
