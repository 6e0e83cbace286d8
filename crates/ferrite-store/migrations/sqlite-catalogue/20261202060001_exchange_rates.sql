-- The latest exchange rates a rate feed gave (one row): every node converts at them, and a
-- restart starts from them rather than from the built-in table.
CREATE TABLE exchange_rates (
    id         BIGINT PRIMARY KEY CHECK (id = 1),
    -- The day the rates hold for (YYYY-MM-DD), as the feed dates them.
    rate_date  TEXT NOT NULL,
    -- The feed's URL.
    source     TEXT NOT NULL,
    -- JSON {"EUR": 0.93, ...}: units of each currency per US dollar.
    rates      TEXT NOT NULL,
    -- When a node last had an answer from the feed (ms since the epoch): the next fetch is due a
    -- refresh period later, whichever node makes it.
    fetched_at BIGINT NOT NULL
);
