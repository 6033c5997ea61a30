-- Sizes of finished snapshots, read once from Elasticsearch's `_status` (which reads the
-- repository: costly on a store that bills per request). A finished snapshot never changes; a
-- deleted and retaken one has a new uuid.
CREATE TABLE snapshot_sizes (
    snapshot TEXT NOT NULL,
    uuid TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    PRIMARY KEY (snapshot, uuid)
);
