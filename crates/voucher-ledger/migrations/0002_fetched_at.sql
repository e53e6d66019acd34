-- Migration 2: when the data of a batch's run was read from the providers
-- (RFC 3339, UTC; NULL for batches of runs that did not say). A run whose
-- data was read before that of a batch already exported for an overlapping
-- period is refused: its older journal would reverse what the newer one
-- booked.
ALTER TABLE batches ADD COLUMN fetched_at TEXT;
