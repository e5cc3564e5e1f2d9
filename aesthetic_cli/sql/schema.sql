-- The warehouse. One table per canonical dataset (SPEC §1) plus the import ledger. Money is
-- DECIMAL(18, 2): exact to the cent, so a day of 0.1 + 0.2 - 0.3 nets to 0.00 and is no deal.
-- Every loaded row keeps the batch that brought it and its row number in the source sheet,
-- so any number in a report can be traced back to a cell. Fact rows carry row_key (md5 of their
-- natural key and rank) without an index: the importer's anti-join keeps keys unique, and an ART
-- index would hold every key in memory, which at 10M order lines costs more than it saves.

CREATE SEQUENCE IF NOT EXISTS batch_seq START 1;

CREATE TABLE IF NOT EXISTS import_batches (
    batch_id      INTEGER PRIMARY KEY,
    file_name     VARCHAR NOT NULL,
    file_path     VARCHAR NOT NULL,
    sha256        VARCHAR NOT NULL,
    options_key   VARCHAR NOT NULL,   -- dataset, clinic, sheet, unit, mapping: same file + same options = same import
    dataset       VARCHAR NOT NULL,
    clinic        VARCHAR,
    sheet         VARCHAR,
    amount_unit   VARCHAR NOT NULL,
    rows_read     INTEGER NOT NULL,
    rows_loaded   INTEGER NOT NULL,
    rows_updated  INTEGER NOT NULL,
    duplicates    INTEGER NOT NULL,
    rejected      INTEGER NOT NULL,
    blanked       INTEGER NOT NULL,
    skipped       INTEGER NOT NULL,   -- blank and totals rows
    date_min      DATE,
    date_max      DATE,
    imported_at   TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS rejects (
    batch_id   INTEGER NOT NULL,
    file_name  VARCHAR NOT NULL,
    sheet      VARCHAR,
    row_number INTEGER NOT NULL,
    "column"   VARCHAR NOT NULL,
    field      VARCHAR NOT NULL,
    value      VARCHAR,
    reason     VARCHAR NOT NULL,
    severity   VARCHAR NOT NULL       -- rejected: the row was not loaded; blanked: loaded with this cell empty
);

CREATE TABLE IF NOT EXISTS known_names (
    kind     VARCHAR NOT NULL,        -- channel | consultant
    name     VARCHAR NOT NULL,
    batch_id INTEGER NOT NULL,
    PRIMARY KEY (kind, name)
);

CREATE TABLE IF NOT EXISTS customers (
    customer_id VARCHAR PRIMARY KEY, name VARCHAR, phone VARCHAR, gender VARCHAR, birth_date DATE,
    registered_at DATE, source_channel VARCHAR, referrer_id VARCHAR, owner_consultant VARCHAR,
    member_level VARCHAR, clinic VARCHAR,
    batch_id INTEGER NOT NULL, source_row INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS leads (
    lead_date DATE NOT NULL, channel VARCHAR NOT NULL, online_consultant VARCHAR, phone VARCHAR,
    customer_id VARCHAR, appointment_date DATE, arrived BOOLEAN, lead_id VARCHAR, name VARCHAR,
    intended_item VARCHAR, clinic VARCHAR NOT NULL,
    row_key UHUGEINT NOT NULL, batch_id INTEGER NOT NULL, source_row INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS visits (
    visit_date DATE NOT NULL, customer_id VARCHAR NOT NULL, visit_type VARCHAR, channel VARCHAR,
    consultant VARCHAR, online_consultant VARCHAR, department VARCHAR, intended_item VARCHAR,
    no_deal_reason VARCHAR, clinic VARCHAR NOT NULL,
    row_key UHUGEINT NOT NULL, batch_id INTEGER NOT NULL, source_row INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS orders (
    order_date DATE NOT NULL, customer_id VARCHAR NOT NULL, item VARCHAR NOT NULL,
    paid_amount DECIMAL(18, 2) NOT NULL, order_id VARCHAR, department VARCHAR, quantity DOUBLE,
    list_amount DECIMAL(18, 2), payment_method VARCHAR, consultant VARCHAR, doctor VARCHAR, kind VARCHAR,
    clinic VARCHAR NOT NULL,
    line_kind VARCHAR NOT NULL,       -- sale | refund | topup (SPEC §2 order line kind)
    stored_value BOOLEAN NOT NULL,    -- paid from a stored-value card: not cash in
    row_key UHUGEINT NOT NULL, batch_id INTEGER NOT NULL, source_row INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS treatments (
    treatment_date DATE NOT NULL, customer_id VARCHAR NOT NULL, item VARCHAR NOT NULL,
    consumed_amount DECIMAL(18, 2), sessions DOUBLE, operator VARCHAR, clinic VARCHAR NOT NULL,
    row_key UHUGEINT NOT NULL, batch_id INTEGER NOT NULL, source_row INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS spend (
    period DATE NOT NULL,             -- a day, or the first day of a month for monthly figures
    channel VARCHAR NOT NULL, amount DECIMAL(18, 2) NOT NULL, impressions DOUBLE, clicks DOUBLE,
    inquiries DOUBLE, clinic VARCHAR NOT NULL,
    batch_id INTEGER NOT NULL, source_row INTEGER NOT NULL,
    PRIMARY KEY (clinic, period, channel)
);

CREATE TABLE IF NOT EXISTS cards (
    card_id VARCHAR PRIMARY KEY, customer_id VARCHAR NOT NULL, opened_at DATE, card_type VARCHAR,
    recharge_total DECIMAL(18, 2), bonus_total DECIMAL(18, 2), balance DECIMAL(18, 2), last_used_at DATE, clinic VARCHAR,
    batch_id INTEGER NOT NULL, source_row INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS items (
    item VARCHAR PRIMARY KEY, department VARCHAR, role VARCHAR, list_price DECIMAL(18, 2), unit_cost DECIMAL(18, 2),
    clinic VARCHAR,
    batch_id INTEGER NOT NULL, source_row INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS staff (
    name VARCHAR PRIMARY KEY, role VARCHAR, department VARCHAR, clinic VARCHAR,
    batch_id INTEGER NOT NULL, source_row INTEGER NOT NULL
);

-- Saved target plans (aesops targets split --save): one per year, replaced whole.
CREATE TABLE IF NOT EXISTS target_plans (
    year        INTEGER PRIMARY KEY,
    total       BIGINT NOT NULL,
    params      VARCHAR NOT NULL,      -- JSON: how the plan was made
    saved_at    TIMESTAMP NOT NULL
);

-- Daily targets per dimension (all | clinic | department | consultant), whole yuan, plus the
-- month's planned levers for scope 'all'.
CREATE TABLE IF NOT EXISTS target_days (
    year      INTEGER NOT NULL,
    day       DATE NOT NULL,
    dimension VARCHAR NOT NULL,
    key       VARCHAR NOT NULL,
    target    BIGINT NOT NULL,
    PRIMARY KEY (year, day, dimension, key)
);

CREATE TABLE IF NOT EXISTS target_levers (
    year INTEGER NOT NULL, month DATE NOT NULL, target BIGINT NOT NULL, visitors DOUBLE,
    close_rate DOUBLE, ticket DOUBLE, frequency DOUBLE,
    PRIMARY KEY (year, month)
);

-- Undo (aesops batches drop N): the versions of upserted rows that batch N replaced, each with
-- replaced_by = N. Same columns as the table, whatever its types, hence CREATE ... AS.
CREATE TABLE IF NOT EXISTS customers_prior AS SELECT *, NULL::INTEGER AS replaced_by FROM customers LIMIT 0;
CREATE TABLE IF NOT EXISTS cards_prior AS SELECT *, NULL::INTEGER AS replaced_by FROM cards LIMIT 0;
CREATE TABLE IF NOT EXISTS items_prior AS SELECT *, NULL::INTEGER AS replaced_by FROM items LIMIT 0;
CREATE TABLE IF NOT EXISTS staff_prior AS SELECT *, NULL::INTEGER AS replaced_by FROM staff LIMIT 0;
CREATE TABLE IF NOT EXISTS spend_prior AS SELECT *, NULL::INTEGER AS replaced_by FROM spend LIMIT 0;
-- Appended lines a later export updated (a lead booked, a visit's consultant corrected): load._update_changed.
CREATE TABLE IF NOT EXISTS orders_prior AS SELECT *, NULL::INTEGER AS replaced_by FROM orders LIMIT 0;
CREATE TABLE IF NOT EXISTS leads_prior AS SELECT *, NULL::INTEGER AS replaced_by FROM leads LIMIT 0;
CREATE TABLE IF NOT EXISTS visits_prior AS SELECT *, NULL::INTEGER AS replaced_by FROM visits LIMIT 0;
CREATE TABLE IF NOT EXISTS treatments_prior AS SELECT *, NULL::INTEGER AS replaced_by FROM treatments LIMIT 0;
