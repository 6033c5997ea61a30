-- Single sign-on identities are kept by the provider's stable `sub`, with the display name
-- beside it: two people may share a display name, and a name may change.
ALTER TABLE sessions ADD COLUMN subject TEXT;
CREATE INDEX sessions_user ON sessions (user_name);
CREATE INDEX sessions_subject ON sessions (subject);

-- The audit log gains `actor_id` (the `sub`) and the outcome `attempted` (written before an
-- action's work, its outcome after). SQLite cannot change a CHECK in place: the table is
-- copied into its new shape, entries and sequence numbers unchanged. Dropping the old table
-- fires no DELETE trigger.
CREATE TABLE audit_log_v2 (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    actor_id TEXT,
    actor_kind TEXT NOT NULL,
    address TEXT,
    action TEXT NOT NULL,
    target TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('attempted', 'ok', 'refused', 'failed')),
    detail TEXT
);
INSERT INTO audit_log_v2 (seq, at, actor, actor_id, actor_kind, address, action, target, outcome, detail)
    SELECT seq, at, actor, NULL, actor_kind, address, action, target, outcome, detail FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_v2 RENAME TO audit_log;
CREATE INDEX audit_log_action ON audit_log (action);
CREATE INDEX audit_log_actor ON audit_log (actor);
CREATE INDEX audit_log_actor_id ON audit_log (actor_id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
