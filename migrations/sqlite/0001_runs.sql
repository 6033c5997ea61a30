-- The run journal. A run's full state is kept as JSON (`view`) next to the columns that are
-- queried; every transition also appends an event whose `seq` is the SSE `id:`.
CREATE TABLE runs (
    backup_id   INTEGER PRIMARY KEY NOT NULL,
    kind        TEXT    NOT NULL DEFAULT 'backup',
    state       TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    view        TEXT    NOT NULL
);

CREATE INDEX runs_by_state ON runs (state);

CREATE TABLE run_events (
    backup_id   INTEGER NOT NULL REFERENCES runs (backup_id),
    seq         INTEGER NOT NULL,
    at          TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    PRIMARY KEY (backup_id, seq)
);
