-- Requests per app, UTC day (`YYYY-MM-DD`) and outcome: `answered`, or the reason it was refused
-- (`ferrite_core::requests`). Each node counts in memory and adds its counts here in batches.
CREATE TABLE app_requests_daily (
    app_id   TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    day      TEXT NOT NULL,
    outcome  TEXT NOT NULL,
    requests BIGINT NOT NULL,
    PRIMARY KEY (app_id, day, outcome)
);
