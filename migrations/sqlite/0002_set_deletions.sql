-- Deletions of backup sets: who asked (once auth exists), whether forced, and what happened to
-- every part. A set may be deleted in several attempts (a part failed the first time).
CREATE TABLE set_deletions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    backup_id   INTEGER NOT NULL,
    at          TEXT    NOT NULL,
    forced      INTEGER NOT NULL,
    outcome     TEXT    NOT NULL
);

CREATE INDEX set_deletions_by_backup ON set_deletions (backup_id);
