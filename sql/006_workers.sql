-- 006_workers.sql: schema version 6: workers and triggers (SPEC §8,
-- docs/DESIGN-service.md). A worker row per "runjob --drain/--follow"
-- process, heartbeating through the calls it makes anyway; the run knows
-- the worker that ran it. The reserved pseudo-dataset "trigger": a job
-- reading it gets its work from "dataflow trigger" alone, each work row
-- carrying its own parameters, label and who triggered it.
--
-- Numbered 6 and written to need nothing of a version 5: it only adds.

-- "trigger" was an ordinary name before: a user's dataset of that name
-- that holds partitions or is some job's output would silently change
-- meaning. Refuse, naming it; an empty one read by jobs is taken over.
DO $$
DECLARE
	v_parts	bigint;
	v_prod	text;
BEGIN
	SELECT count(*) INTO v_parts FROM partition_status
	WHERE datasetid = 'trigger';
	SELECT min(jobid) INTO v_prod FROM job_item
	WHERE datasetid = 'trigger' AND itemtype = 'OUT';
	IF v_parts > 0 OR v_prod IS NOT NULL THEN
		RAISE EXCEPTION 'dataset "trigger" %: the name is now '
		    'reserved for triggered jobs (SPEC 8)',
		    CASE WHEN v_parts > 0
			THEN format('has %s partitions', v_parts)
			ELSE format('is an output of job "%s"', v_prod) END
		    USING ERRCODE = 'DF004',
		    HINT = 'rename that dataset (a new name in the '
			'configuration, "dataflow apply", then move its '
			'partitions) and run "dataflow init" again';
	END IF;
END
$$;
INSERT INTO dataset (datasetid) VALUES ('trigger') ON CONFLICT DO NOTHING;

-- One row per worker process. state is what it last said (running a run,
-- idle, stopped); "gone" is derived when reading (df_worker_list): not
-- stopped and last_seen older than 2 x beat_secs + 30 s. Rows whose
-- last_seen is older than a week are pruned by df_worker_start.
CREATE TABLE worker (
	worker_id	bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	jobid		text NOT NULL,
	host		text NOT NULL,
	pid		integer NOT NULL,
	username	text NOT NULL,
	mode		text NOT NULL CHECK (mode IN ('drain', 'follow')),
	stream		integer CHECK (stream >= 0),
	version		text,
	started		timestamptz NOT NULL DEFAULT now(),
	last_seen	timestamptz NOT NULL DEFAULT now(),
	beat_secs	integer NOT NULL CHECK (beat_secs BETWEEN 1 AND 86400),
	stopped		timestamptz,
	state		text NOT NULL DEFAULT 'idle'
			CHECK (state IN ('running', 'idle', 'stopped')),
	run_id		bigint,		-- the run it is on, or was on
	processed	bigint NOT NULL DEFAULT 0,
	succeeded	bigint NOT NULL DEFAULT 0,
	failed		bigint NOT NULL DEFAULT 0
);
-- No index on last_seen: every claim, renewal and finish of a worker
-- sets it, and staying HOT matters more than pruning (a scan of a
-- week of workers, at each worker's start) going faster.
CREATE INDEX worker_job ON worker (jobid, worker_id);

-- Who ran a run (no foreign key: workers are pruned, runs are history),
-- and who triggered its partition.
ALTER TABLE run
	ADD COLUMN worker_id bigint,
	ADD COLUMN triggered_by text;
CREATE INDEX run_worker ON run (worker_id, run_id)
	WHERE worker_id IS NOT NULL;

-- A triggered partition's own parameters (over the job's static ones,
-- under runjob --param), the caller's label and who triggered it.
ALTER TABLE work
	ADD COLUMN params jsonb
		CHECK (params IS NULL OR jsonb_typeof(params) = 'object'),
	ADD COLUMN label text,
	ADD COLUMN triggered_by text;

-- The counter of generated dataids (YYYYMMDDTHHMMSSZ-NNNNNNNNNNNN).
CREATE SEQUENCE trigger_dataid_seq;

-- df_claim gains a trailing p_worker: a new signature, which CREATE OR
-- REPLACE cannot give; the old one would make 11-argument calls
-- ambiguous. functions.sql creates the new one right after.
DROP FUNCTION IF EXISTS df_claim(text, text, text, text[], text, integer,
    text, text, jsonb, integer, boolean);

-- A job's tags (the configuration's "tags"): "dataflow trigger --match"
-- selects the one job whose tags include the pairs given, by @>.
ALTER TABLE job
	ADD COLUMN tags jsonb NOT NULL DEFAULT '{}'
		CHECK (jsonb_typeof(tags) = 'object');
CREATE INDEX job_tags ON job USING gin (tags jsonb_path_ops);
