//! Integration tests of bookkeeping-core: one binary, one module per area.

mod money_props;
mod records;
