-- The history reads every run's id, state and times; keeping the end time in a column spares it
-- parsing every run's JSON view.
ALTER TABLE runs ADD COLUMN finished_at TEXT;
UPDATE runs SET finished_at = json_extract(view, '$.finishedAt');
