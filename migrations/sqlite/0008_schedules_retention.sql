-- Schedules, their fires, the retention policy, pins and retention's deletions. Everything is
-- keyed by the cluster's configured name, so that several clusters need no migration later.
CREATE TABLE schedules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    cluster TEXT NOT NULL,
    name TEXT NOT NULL,
    cron TEXT NOT NULL,
    timezone TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    -- Every fire due at or before this time was handled (started, joined, skipped or missed).
    handled_until TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (cluster, name)
);

-- One row per fire: what it did. `joined`: another fire's run covered it.
CREATE TABLE schedule_fires (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    schedule_id INTEGER NOT NULL,
    due_at TEXT NOT NULL,
    at TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('started', 'joined', 'skipped', 'missed')),
    backup_id INTEGER,
    detail TEXT
);
CREATE INDEX schedule_fires_by_schedule ON schedule_fires (schedule_id, seq);

CREATE TABLE retention_policies (
    cluster TEXT PRIMARY KEY,
    policy TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    saved_by TEXT NOT NULL
);

CREATE TABLE pins (
    cluster TEXT NOT NULL,
    backup_id INTEGER NOT NULL,
    pinned_by TEXT NOT NULL,
    pinned_at TEXT NOT NULL,
    PRIMARY KEY (cluster, backup_id)
);

-- A set retention decided to delete, journaled before the first part is deleted: a deletion
-- cut short (a failed part, a crash) is finished by the next pass.
CREATE TABLE retention_deletions (
    cluster TEXT NOT NULL,
    backup_id INTEGER NOT NULL,
    reason TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    done_at TEXT,
    last_error TEXT,
    PRIMARY KEY (cluster, backup_id)
);

-- One-time facts about this database (`sample_schedule`: the sample was created once, so a
-- deleted sample is not created again).
CREATE TABLE console_flags (
    name TEXT PRIMARY KEY,
    set_at TEXT NOT NULL
);
