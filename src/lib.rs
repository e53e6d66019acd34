//! kassabok facade (placeholder).
