-- 001_core.sql: schema version 1 of dataflow: datasets, jobs, partitions,
-- work items (the claim unit), runs and the audit trail.
--
-- Run by "dataflow init" inside one transaction with search_path set to the
-- dataflow schema; never edit a released migration, add a new one.

CREATE TABLE schema_version (
	version		integer PRIMARY KEY,
	description	text NOT NULL,
	applied		timestamptz NOT NULL DEFAULT now()
);

-- A named data set and how to reach it. dataflow hands these attributes to
-- jobs and never interprets them.
CREATE TABLE dataset (
	datasetid	text PRIMARY KEY
			CHECK (datasetid ~ '^[A-Za-z_][A-Za-z0-9_]{0,62}$'),
	hostname	text,
	database	text,
	schemaname	text,
	tablename	text,
	username	text,
	encryptedpass	text,
	extra		jsonb NOT NULL DEFAULT '{}'
			CHECK (jsonb_typeof(extra) = 'object'),
	-- Set when "apply --prune" removed it: hidden, history kept.
	removed		timestamptz,
	created		timestamptz NOT NULL DEFAULT now(),
	modified	timestamptz NOT NULL DEFAULT now()
);

-- The pseudo-dataset whose partition for the current date is always READY.
INSERT INTO dataset (datasetid) VALUES ('today');

CREATE TABLE job (
	jobid		text PRIMARY KEY
			CHECK (jobid ~ '^[A-Za-z_][A-Za-z0-9_]{0,62}$'),
	paused		boolean NOT NULL DEFAULT false,
	max_attempts	integer NOT NULL DEFAULT 3
			CHECK (max_attempts BETWEEN 1 AND 1000),
	timeout_secs	integer CHECK (timeout_secs > 0),
	run_order	text NOT NULL DEFAULT 'oldest-first'
			CHECK (run_order IN ('oldest-first', 'newest-first',
			    'latest-only')),
	max_running	integer CHECK (max_running > 0),
	owner		text,
	params		jsonb NOT NULL DEFAULT '{}'
			CHECK (jsonb_typeof(params) = 'object'),
	removed		timestamptz,
	created		timestamptz NOT NULL DEFAULT now(),
	modified	timestamptz NOT NULL DEFAULT now()
);

-- Inputs (IN) and outputs (OUT) of jobs: OpenDataFlow's job items.
CREATE TABLE job_item (
	jobid		text NOT NULL REFERENCES job ON DELETE CASCADE,
	itemtype	text NOT NULL CHECK (itemtype IN ('IN', 'OUT')),
	datasetid	text NOT NULL REFERENCES dataset,
	PRIMARY KEY (jobid, itemtype, datasetid)
);
CREATE INDEX job_item_dataset ON job_item (datasetid, itemtype);

-- The status of one partition (dataid) of a dataset.
CREATE TABLE partition_status (
	datasetid	text NOT NULL REFERENCES dataset,
	dataid		text NOT NULL CHECK (length(dataid) BETWEEN 1 AND 128),
	status		text NOT NULL CHECK (status IN ('READY', 'RUNNING',
			    'FAILED', 'RESUBMIT')),
	run_id		bigint,		-- the producing run; NULL if external
	modified	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (datasetid, dataid)
);

-- One row per (job, partition) the job may process: the unit of claiming.
-- Its state alone says whether the partition is claimable, so the claim
-- locks and updates the very row that makes it unclaimable: two claimers
-- can never both win it, and the partial index below holds only what is
-- claimable, so the claim costs the same at any amount of history.
--
--   waiting    some input is not READY (yet, or any more)
--   ready      claimable (subject to paused and max_running)
--   running    held by run_id, whose lease keeps it
--   succeeded  done; only a resubmit makes it ready again
--   failed     failures reached max_attempts
CREATE TABLE work (
	jobid		text NOT NULL REFERENCES job ON DELETE CASCADE,
	dataid		text NOT NULL,
	state		text NOT NULL CHECK (state IN ('waiting', 'ready',
			    'running', 'succeeded', 'failed')),
	attempts	integer NOT NULL DEFAULT 0,	-- runs since resubmit
	failures	integer NOT NULL DEFAULT 0,	-- counted failures
	run_id		bigint,		-- holder (running) or last run
	modified	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (jobid, dataid)
);
CREATE INDEX work_claimable ON work (jobid, dataid) WHERE state = 'ready';
CREATE INDEX work_running ON work (jobid) WHERE state = 'running';

-- Run history: one row per execution, never deleted by dataflow.
CREATE TABLE run (
	run_id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	jobid		text NOT NULL,
	dataid		text NOT NULL,
	attempt		integer NOT NULL,
	status		text NOT NULL CHECK (status IN ('RUNNING', 'SUCCEEDED',
			    'FAILED', 'TIMEOUT', 'CANCELLED', 'ABANDONED')),
	host		text NOT NULL,
	pid		integer NOT NULL,
	username	text NOT NULL,
	label		text,
	params		jsonb NOT NULL DEFAULT '{}',
	metrics		jsonb,
	started		timestamptz NOT NULL DEFAULT now(),
	ended		timestamptz,
	heartbeat	timestamptz NOT NULL DEFAULT now(),
	lease_until	timestamptz NOT NULL,
	exit_code	integer,
	signal		integer,
	message		text,		-- why it ended, when not obvious
	stderr_tail	text
);
CREATE INDEX run_job ON run (jobid, run_id);
CREATE INDEX run_live ON run (jobid, lease_until) WHERE status = 'RUNNING';
CREATE INDEX run_label ON run (label, run_id) WHERE label IS NOT NULL;

-- Every manual change (resubmit, pause, apply, ready...): who, when, what.
CREATE TABLE audit (
	audit_id	bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at		timestamptz NOT NULL DEFAULT now(),
	who		text NOT NULL,
	host		text,
	action		text NOT NULL,
	jobid		text,
	datasetid	text,
	dataid		text,
	detail		jsonb,
	reason		text
);
CREATE INDEX audit_at ON audit (at);
