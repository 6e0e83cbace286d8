-- The charge batches committed lately, by the id their node gave them, with what was decided
-- (`c60/100 r60/100`: charged or refused, used and limit, per charge). A node that loses the
-- reply to a commit sends the batch again under the same id: the key refuses a second charge
-- and the row answers the first one's outcomes. A retry comes within milliseconds; rows older
-- than ten minutes are removed by a once-a-minute job (`Store::forget_old_charge_batches`). SQLite needs none of this: its commit is local,
-- and an error from it means nothing was written.
CREATE TABLE charge_batches (
    id TEXT PRIMARY KEY,
    committed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    outcomes TEXT NOT NULL
);
CREATE INDEX charge_batches_committed_at ON charge_batches (committed_at);
