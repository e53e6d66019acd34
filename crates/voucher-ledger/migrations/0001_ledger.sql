-- Migration 1: the ledger. Written in the SQL both SQLite and PostgreSQL
-- accept (TEXT, BIGINT, ON CONFLICT), so one file serves both backends.
-- Dates are ISO 8601 text (YYYY-MM-DD), timestamps RFC 3339 in UTC.

-- One batch per run that exported anything: 'pending' from the moment it
-- is recorded until its file is delivered, then 'delivered'.
CREATE TABLE batches (
    company      TEXT   NOT NULL,
    number       BIGINT NOT NULL,
    period       TEXT   NOT NULL,
    status       TEXT   NOT NULL CHECK (status IN ('pending', 'delivered')),
    generated    TEXT   NOT NULL,
    series       TEXT   NOT NULL,
    accounts     TEXT   NOT NULL,
    recorded_at  TEXT   NOT NULL,
    delivered_at TEXT,
    PRIMARY KEY (company, number)
);

-- Every voucher exported, with the full voucher as exported (JSON), so a
-- stopped run rewrites the same file and a correction reverses exactly what
-- was booked.
CREATE TABLE exported_vouchers (
    company      TEXT   NOT NULL,
    export_id    TEXT   NOT NULL,
    source_id    TEXT   NOT NULL,
    role         TEXT   NOT NULL CHECK (role IN ('original', 'reversal', 'replacement')),
    content_hash TEXT   NOT NULL,
    series       TEXT   NOT NULL,
    number       BIGINT,
    batch        BIGINT NOT NULL,
    position     BIGINT NOT NULL,
    voucher_date TEXT   NOT NULL,
    voucher      TEXT   NOT NULL,
    PRIMARY KEY (company, export_id),
    FOREIGN KEY (company, batch) REFERENCES batches (company, number)
);
CREATE INDEX exported_vouchers_batch ON exported_vouchers (company, batch, position);

-- What the books hold now for each journal voucher: the content booked
-- (NULL once reversed without replacement) and the export that books it.
CREATE TABLE voucher_state (
    company        TEXT   NOT NULL,
    source_id      TEXT   NOT NULL,
    source_date    TEXT   NOT NULL,
    content_hash   TEXT,
    current_export TEXT   NOT NULL,
    exports        BIGINT NOT NULL,
    PRIMARY KEY (company, source_id)
);

-- How far each source got for a period.
CREATE TABLE source_progress (
    company    TEXT   NOT NULL,
    period     TEXT   NOT NULL,
    source     TEXT   NOT NULL,
    records    BIGINT NOT NULL,
    cursor     TEXT,
    complete   BIGINT NOT NULL,
    updated_at TEXT   NOT NULL,
    PRIMARY KEY (company, period, source)
);

-- Months closed for good (the VAT return is filed): nothing new is dated in them.
CREATE TABLE period_locks (
    company   TEXT NOT NULL,
    month     TEXT NOT NULL,
    locked_at TEXT NOT NULL,
    PRIMARY KEY (company, month)
);
