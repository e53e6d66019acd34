//! `journal-mapping`: placeholder while the crate is written.
