-- The supply catalogue. Feeds write it (one import = one transaction); the search index is
-- derived from it. Ids are integers assigned by the importer, as Nexar's part ids are numeric.
CREATE TABLE manufacturers (
    id           BIGINT PRIMARY KEY,
    name         TEXT NOT NULL,
    name_key     TEXT NOT NULL UNIQUE,     -- lower-cased, punctuation-free: one manufacturer per spelling family
    slug         TEXT NOT NULL UNIQUE,
    homepage_url TEXT
);

CREATE TABLE categories (
    id        BIGINT PRIMARY KEY,
    parent_id BIGINT REFERENCES categories (id),
    name      TEXT NOT NULL,
    path      TEXT NOT NULL UNIQUE          -- names from the root joined with '/'
);

CREATE TABLE sellers (
    id           BIGINT PRIMARY KEY,
    name         TEXT NOT NULL,
    name_key     TEXT NOT NULL UNIQUE,
    slug         TEXT NOT NULL UNIQUE,
    homepage_url TEXT
);

CREATE TABLE attributes (
    id         BIGINT PRIMARY KEY,
    name       TEXT NOT NULL,
    shortname  TEXT NOT NULL UNIQUE,
    group_name TEXT,
    units      TEXT
);

CREATE TABLE parts (
    id              BIGINT PRIMARY KEY,
    manufacturer_id BIGINT NOT NULL REFERENCES manufacturers (id),
    mpn             TEXT NOT NULL,
    mpn_key         TEXT NOT NULL,          -- upper-cased, without punctuation or spaces
    description     TEXT,
    category_id     BIGINT REFERENCES categories (id),
    specs           TEXT NOT NULL,          -- JSON [[attribute_id, display_value, si_value|null], ...]
    datasheet_url   TEXT,
    image_url       TEXT,
    content_hash    BIGINT NOT NULL,       -- of everything above: an unchanged part is not rewritten
    updated_at      BIGINT NOT NULL,
    UNIQUE (manufacturer_id, mpn_key)
);
CREATE INDEX parts_mpn_key ON parts (mpn_key);

CREATE TABLE offers (
    id              BIGINT PRIMARY KEY,
    part_id         BIGINT NOT NULL REFERENCES parts (id) ON DELETE CASCADE,
    seller_id       BIGINT NOT NULL REFERENCES sellers (id),
    sku             TEXT NOT NULL,
    feed            TEXT NOT NULL,          -- the feed that last wrote it
    is_authorized   BOOLEAN NOT NULL,
    inventory_level BIGINT,
    moq             BIGINT,
    order_multiple  BIGINT,
    packaging       TEXT,
    prices          TEXT NOT NULL,          -- JSON [[quantity, price, currency], ...]
    price_hash      BIGINT  NOT NULL,        -- of prices: tells a price change from a stock change
    click_url       TEXT,
    updated_at      BIGINT NOT NULL,
    content_hash    BIGINT NOT NULL,
    UNIQUE (seller_id, sku)
);
CREATE INDEX offers_part ON offers (part_id);
CREATE INDEX offers_feed ON offers (feed);

-- Stock and prices as they were, one row whenever an import changed them.
CREATE TABLE offer_history (
    offer_id        BIGINT NOT NULL REFERENCES offers (id) ON DELETE CASCADE,
    recorded_at     BIGINT NOT NULL,
    inventory_level BIGINT,
    prices          TEXT NOT NULL,
    PRIMARY KEY (offer_id, recorded_at)
);

-- Bumped by every import that changes something; nodes rebuild their search index when it moves.
CREATE TABLE catalogue_state (
    id         BIGINT PRIMARY KEY CHECK (id = 1),
    version    BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
INSERT INTO catalogue_state (id, version, updated_at) VALUES (1, 0, 0);

CREATE TABLE feed_runs (
    id          TEXT PRIMARY KEY,
    feed        TEXT NOT NULL,
    started_at  BIGINT NOT NULL,
    finished_at BIGINT NOT NULL,
    succeeded   BOOLEAN NOT NULL,
    report      TEXT NOT NULL            -- JSON
);
CREATE INDEX feed_runs_feed ON feed_runs (feed, started_at);
