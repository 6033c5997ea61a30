-- Restores, kept for good: the journaled view (steps, checks, plan, progress) and every event,
-- written before each action like the backup runs.
CREATE TABLE restores (
    restore_id INTEGER PRIMARY KEY AUTOINCREMENT,
    backup_id INTEGER NOT NULL,
    state TEXT NOT NULL,
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    finished_at TEXT,
    view TEXT NOT NULL
);
CREATE INDEX restores_state ON restores (state);

CREATE TABLE restore_events (
    restore_id INTEGER NOT NULL REFERENCES restores (restore_id),
    seq INTEGER NOT NULL,
    at TEXT NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (restore_id, seq)
);
