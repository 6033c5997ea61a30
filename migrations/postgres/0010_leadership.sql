-- Several replicas on one PostgreSQL: the one row naming the leader (ARCHITECTURE decision
-- 91). A replica leads while `expires_at` (the database's clock) is ahead; it renews every
-- third of the lease. Taking over bumps `epoch`, the fencing token every leader-only journal
-- write checks in its own transaction (`SELECT epoch … FOR SHARE`), so an old leader that
-- wakes up cannot write — and, since the console journals before it acts, cannot act.
-- `token` is the term's secret: followers forward starts and confirmations to `holder_url`
-- with it, and the leader trusts the forwarded caller's address only with it.
CREATE TABLE leadership (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    holder TEXT,
    holder_url TEXT,
    token TEXT,
    epoch BIGINT NOT NULL DEFAULT 0,
    since TEXT,
    expires_at TIMESTAMPTZ NOT NULL DEFAULT '-infinity'
);
INSERT INTO leadership (id) VALUES (1);

-- Runs are written by whichever replica leads: every write of a run takes the next `rev`, so
-- a follower (or a new leader) reads only the runs changed since it last looked.
CREATE SEQUENCE runs_rev;
ALTER TABLE runs ADD COLUMN rev BIGINT NOT NULL DEFAULT 0;
CREATE INDEX runs_by_rev ON runs (rev);
CREATE FUNCTION runs_next_rev() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.rev := nextval('runs_rev');
    RETURN NEW;
END;
$$;
CREATE TRIGGER runs_rev BEFORE INSERT OR UPDATE ON runs
    FOR EACH ROW EXECUTE FUNCTION runs_next_rev();
