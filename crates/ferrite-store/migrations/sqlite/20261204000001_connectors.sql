-- Live distributor connectors (`[[connectors]]`): what each has spent of its budget, how it fares,
-- and the MPNs waiting for it.
--
-- Calls are counted per period (the minute and the UTC day they fall in). A call is made only
-- once its count is taken here, in the transaction that checks both periods' budgets, so nodes
-- sharing the database never spend more than the budget together.
CREATE TABLE connector_calls (
    connector    TEXT NOT NULL,
    period       TEXT NOT NULL,                          -- 'minute' or 'day'
    window_start INTEGER NOT NULL,                        -- ms since the epoch
    calls        INTEGER NOT NULL,
    PRIMARY KEY (connector, period)
);

-- How each connector fares: calls and failures in all, failures in a row (its backoff grows with
-- them), the last success and failure, and until when it rests after one.
CREATE TABLE connector_health (
    connector       TEXT PRIMARY KEY,
    calls           INTEGER NOT NULL DEFAULT 0,
    failures        INTEGER NOT NULL DEFAULT 0,
    failures_in_row INTEGER NOT NULL DEFAULT 0,
    last_success_at INTEGER,
    last_failure_at INTEGER,
    last_error      TEXT,
    resting_until   INTEGER
);

-- MPNs that API answers touched whose offers from the connector were missing or older than its
-- `max_age`, with how often they were asked for: the scheduler spends the budget on the most
-- asked first.
CREATE TABLE connector_queue (
    connector TEXT NOT NULL,
    mpn       TEXT NOT NULL,
    requests  INTEGER NOT NULL,
    queued_at INTEGER NOT NULL,
    PRIMARY KEY (connector, mpn)
);
CREATE INDEX connector_queue_by_requests ON connector_queue (connector, requests DESC, queued_at);

-- When each connector last looked an MPN up (by its key) and how many parts it found: an MPN
-- looked up within the connector's `max_age` is not asked for again, found or not.
CREATE TABLE connector_lookups (
    connector    TEXT NOT NULL,
    mpn_key      TEXT NOT NULL,
    looked_up_at INTEGER NOT NULL,
    parts        INTEGER NOT NULL,
    PRIMARY KEY (connector, mpn_key)
);
