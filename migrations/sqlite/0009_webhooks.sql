-- Alert webhooks and their deliveries. A hook's URL and secret are secrets: the API, the
-- pages and the logs never show them (the answers say the scheme and host only).
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    cluster TEXT NOT NULL,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    secret TEXT,
    format TEXT NOT NULL CHECK (format IN ('generic', 'slack', 'teams')),
    -- JSON array of event names.
    events TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (cluster, name)
);

-- One row per event sent to a hook: journaled before the first attempt, so a restart does not
-- lose it; retried with back-off for an hour.
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    hook_id INTEGER NOT NULL,
    event TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    -- When the next attempt is due; NULL once delivered or given up.
    next_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'gave_up')),
    last_status INTEGER,
    last_error TEXT,
    ended_at TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_at);
CREATE INDEX webhook_deliveries_by_hook ON webhook_deliveries (hook_id, id);
