-- 002_notify.sql: schema version 2: who to tell when a job's run fails.
-- notify is a command and its arguments, run without a shell by the
-- runjob that ran the job; notify_on says whether only failures or every
-- outcome is told.

ALTER TABLE job
	ADD COLUMN notify text[]
		CHECK (notify IS NULL OR cardinality(notify) BETWEEN 1 AND 32),
	ADD COLUMN notify_on text NOT NULL DEFAULT 'failure'
		CHECK (notify_on IN ('failure', 'always'));
