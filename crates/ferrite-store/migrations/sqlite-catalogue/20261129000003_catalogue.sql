-- The supply catalogue. On SQLite it lives in a database file of its own, so that a long import
-- transaction never holds the lock that sessions and usage counters need.
-- The supply catalogue. Feeds write it (one import = one transaction); the search index is
-- derived from it. Ids are integers assigned by the importer, as Nexar's part ids are numeric.
CREATE TABLE manufacturers (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    name_key     TEXT NOT NULL UNIQUE,     -- lower-cased, punctuation-free: one manufacturer per spelling family
    slug         TEXT NOT NULL UNIQUE,
    homepage_url TEXT
);

CREATE TABLE categories (
    id        INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES categories (id),
    name      TEXT NOT NULL,
    path      TEXT NOT NULL UNIQUE          -- names from the root joined with '/'
);

CREATE TABLE sellers (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    name_key     TEXT NOT NULL UNIQUE,
    slug         TEXT NOT NULL UNIQUE,
    homepage_url TEXT
);

CREATE TABLE attributes (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    shortname  TEXT NOT NULL UNIQUE,
    group_name TEXT,
    units      TEXT
);

CREATE TABLE parts (
    id              INTEGER PRIMARY KEY,
    manufacturer_id INTEGER NOT NULL REFERENCES manufacturers (id),
    mpn             TEXT NOT NULL,
    mpn_key         TEXT NOT NULL,          -- upper-cased, without punctuation or spaces
    description     TEXT,
    category_id     INTEGER REFERENCES categories (id),
    specs           TEXT NOT NULL,          -- JSON [[attribute_id, display_value, si_value|null], ...]
    datasheet_url   TEXT,
    image_url       TEXT,
    content_hash    INTEGER NOT NULL,       -- of everything above: an unchanged part is not rewritten
    updated_at      INTEGER NOT NULL,
    UNIQUE (manufacturer_id, mpn_key)
);
CREATE INDEX parts_mpn_key ON parts (mpn_key);

CREATE TABLE offers (
    id              INTEGER PRIMARY KEY,
    part_id         INTEGER NOT NULL REFERENCES parts (id) ON DELETE CASCADE,
    seller_id       INTEGER NOT NULL REFERENCES sellers (id),
    sku             TEXT NOT NULL,
    feed            TEXT NOT NULL,          -- the feed that last wrote it
    is_authorized   BOOLEAN NOT NULL,
    inventory_level INTEGER,
    moq             INTEGER,
    order_multiple  INTEGER,
    packaging       TEXT,
    prices          TEXT NOT NULL,          -- JSON [[quantity, price, currency], ...]
    price_hash      INTEGER NOT NULL,        -- of prices: tells a price change from a stock change
    click_url       TEXT,
    updated_at      INTEGER NOT NULL,
    content_hash    INTEGER NOT NULL,
    UNIQUE (seller_id, sku)
);
CREATE INDEX offers_part ON offers (part_id);
CREATE INDEX offers_feed ON offers (feed);

-- Stock and prices as they were, one row whenever an import changed them.
CREATE TABLE offer_history (
    offer_id        INTEGER NOT NULL REFERENCES offers (id) ON DELETE CASCADE,
    recorded_at     INTEGER NOT NULL,
    inventory_level INTEGER,
    prices          TEXT NOT NULL,
    PRIMARY KEY (offer_id, recorded_at)
);

-- Bumped by every import that changes something; nodes rebuild their search index when it moves.
CREATE TABLE catalogue_state (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    version    INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
INSERT INTO catalogue_state (id, version, updated_at) VALUES (1, 0, 0);

CREATE TABLE feed_runs (
    id          TEXT PRIMARY KEY,
    feed        TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER NOT NULL,
    succeeded   BOOLEAN NOT NULL,
    report      TEXT NOT NULL            -- JSON
);
CREATE INDEX feed_runs_feed ON feed_runs (feed, started_at);
