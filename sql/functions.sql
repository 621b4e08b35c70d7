-- functions.sql: the server-side logic of dataflow: readiness propagation,
-- the claim, lease renewal and the fenced finish.
--
-- Re-created by every "dataflow init" (CREATE OR REPLACE) after migrations.
-- Each function pins search_path to the dataflow schema it was created in
-- followed by pg_temp (SET search_path FROM CURRENT: "dataflow init" sets
-- it so), so callers' settings and temporary tables cannot redirect it;
-- but for two small ones that the planner inlines into their callers'
-- queries (df_missing_inputs, df_masked_params), which a SET would forbid.
--
-- The three that runjob calls, df_claim, df_renew and df_end_run, are
-- SECURITY DEFINER: they run as the schema's owner, so that the runner role
-- (roles.sql) may claim, renew and finish runs without any right to write
-- a table itself. Whatever they call runs as the owner too, with their
-- pinned search_path; they build no SQL from their arguments.
-- Set-based logic lives here so that RunJob needs one round trip to claim
-- and one to finish.

-- The inputs of the job whose partition p_dataid is not READY. The
-- pseudo-dataset "trigger" is never missing: it has no partitions, a
-- triggered job's work rows are made by df_trigger alone.
--
-- Queries that test many rows use it as NOT EXISTS (SELECT FROM
-- df_missing_inputs(...)), which the planner inlines: the test becomes
-- part of the caller's query and of its cached plan. It alone does not pin
-- search_path, because a SET clause forbids inlining (a function that is
-- not inlined plans its query again at every call: 0.3-0.5 ms per claim in
-- a new session). Only the functions below call it, and their pinned
-- search_path is the one its body is parsed in.
CREATE OR REPLACE FUNCTION df_missing_inputs(p_jobid text, p_dataid text)
RETURNS SETOF text LANGUAGE sql STABLE ROWS 1 AS $$
	SELECT i.datasetid FROM job_item i
	WHERE i.jobid = p_jobid AND i.itemtype = 'IN'
	  AND i.datasetid <> 'trigger'
	  AND NOT EXISTS (SELECT 1 FROM partition_status s
		WHERE s.datasetid = i.datasetid
		  AND s.dataid = p_dataid AND s.status = 'READY')
$$;

-- Whether every input of the job has partition p_dataid READY (true for a
-- job without inputs).
CREATE OR REPLACE FUNCTION df_inputs_ready(p_jobid text, p_dataid text)
RETURNS boolean LANGUAGE sql STABLE
SET search_path FROM CURRENT AS $$
	SELECT NOT EXISTS (SELECT FROM df_missing_inputs(p_jobid, p_dataid))
$$;

-- The state a non-running, non-finished work row should be in now.
CREATE OR REPLACE FUNCTION df_pending_state(p_jobid text, p_dataid text)
RETURNS text LANGUAGE sql STABLE
SET search_path FROM CURRENT AS $$
	SELECT CASE WHEN df_inputs_ready(p_jobid, p_dataid)
	    THEN 'ready' ELSE 'waiting' END
$$;

-- The state of a work row after one outcome of its job on it: the one rule
-- of the row's state machine, for a run that ends (df_end_run) and for
-- what an import says was done (df_import_work). p_succeeded: the job
-- succeeded; p_counts: it failed in a way that counts as an attempt;
-- p_failures: the failures counted before this outcome. Else the row waits
-- for its inputs again, or is ready. No SET clause, so that it is inlined
-- into its callers' statements, like df_missing_inputs: only the functions
-- below call it, with their pinned search_path.
CREATE OR REPLACE FUNCTION df_work_state_after(p_jobid text, p_dataid text,
    p_succeeded boolean, p_counts boolean, p_failures integer,
    p_max_attempts integer)
RETURNS text LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN p_succeeded THEN 'succeeded'
	    WHEN p_counts AND p_failures + 1 >= p_max_attempts THEN 'failed'
	    ELSE df_pending_state(p_jobid, p_dataid) END
$$;

-- Raise DF001 unless p_jobid is a job (not removed): the check the
-- functions that take a job id from a caller open with.
CREATE OR REPLACE FUNCTION df_require_job(p_jobid text)
RETURNS void LANGUAGE plpgsql STABLE
SET search_path FROM CURRENT AS $$
BEGIN
	PERFORM 1 FROM job j WHERE j.jobid = p_jobid AND j.removed IS NULL;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown job "%"', p_jobid
		    USING ERRCODE = 'DF001';
	END IF;
END
$$;

-- The LISTEN/NOTIFY channel of this schema for p_kind: 'work' (payload:
-- a job id whose work may have become claimable) or 'run' (payload:
-- "run_id status jobid" of a triggered partition's run that ended). Named
-- after the schema, so that two installations in one database do not
-- wake each other; a name longer than a channel may be (63 bytes) becomes
-- "df_<md5>.<kind>".
-- Listeners ask it (lib/worker.c) rather than build the name themselves.
CREATE OR REPLACE FUNCTION df_channel(p_kind text)
RETURNS text LANGUAGE sql STABLE
SET search_path FROM CURRENT AS $$
	SELECT CASE WHEN octet_length(current_schema()) + 1 +
	    octet_length(p_kind) <= 63
	    THEN current_schema() || '.' || p_kind
	    ELSE 'df_' || md5(current_schema()) || '.' || p_kind END
$$;

-- Whether the statement running now belongs to a set-based function
-- (df_ready, df_resubmit), which propagates readiness and notifies for
-- all of its rows in a few statements: the row triggers below then stand
-- aside (their WHEN clauses ask this), else a million partitions would
-- cost a million trigger calls. Those functions turn it on for their
-- transaction (set_config, local) around their own writes and off again
-- before they return; an error rolls it back with them. (A function SET
-- clause would be neater, but PostgreSQL lets only a superuser define
-- one for a name it does not know.) A session may set it itself: then
-- its own writes go unpropagated, nobody else's, and the roles write no
-- table but through functions: a runner that skips the propagation of
-- its run's outputs harms no more than one that reports the run failed.
-- No SET clause, so that the planner inlines it into the WHEN clauses.
CREATE OR REPLACE FUNCTION df_set_based()
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT coalesce(current_setting('dataflow.set_based', true), '')
	    = 'on'
$$;

-- Tell the workers of a job that some of its work became claimable. A
-- hint, never state: a woken worker just tries to claim. PostgreSQL
-- sends it at commit, once per job and transaction however many rows.
CREATE OR REPLACE FUNCTION df_work_notify()
RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
	PERFORM pg_notify(df_channel('work'), NEW.jobid);
	RETURN NULL;
END
$$;

-- Row triggers whose WHEN clauses are evaluated by the executor without
-- calling the function: a claim (ready -> running) and a finish (running
-- -> succeeded) cost nothing more. Statement triggers with transition
-- tables would fire, and compile in a new session, on every claim's
-- UPDATE. A slot freed under max_running is announced by df_end_run,
-- which knows the job. The set-based functions (df_set_based) skip these
-- and notify once per job themselves.
DROP TRIGGER IF EXISTS work_ready_inserted ON work;
DROP TRIGGER IF EXISTS work_ready_updated ON work;
CREATE TRIGGER work_ready_inserted
	AFTER INSERT ON work
	FOR EACH ROW WHEN (NEW.state = 'ready' AND NOT df_set_based())
	EXECUTE FUNCTION df_work_notify();
CREATE TRIGGER work_ready_updated
	AFTER UPDATE OF state ON work
	FOR EACH ROW WHEN (NEW.state = 'ready'
	    AND OLD.state IS DISTINCT FROM 'ready' AND NOT df_set_based())
	EXECUTE FUNCTION df_work_notify();

-- Tell the workers of each job in p_jobids that some of its work became
-- claimable: one notification per job, for a statement that changed
-- many rows with the row triggers above skipped.
CREATE OR REPLACE FUNCTION df_work_notify_jobs(p_jobids text[])
RETURNS void LANGUAGE sql
SET search_path FROM CURRENT AS $$
	SELECT pg_notify(df_channel('work'), j)
	FROM (SELECT DISTINCT j FROM unnest(p_jobids) j
	    WHERE j IS NOT NULL) x
$$;

-- Whether a parameter or attribute name looks like it names a secret: the
-- one rule for what is masked in run history, in apply's plan, in the audit
-- trail and in the API (the C side asks it, it does not copy it). A name
-- matches when it contains, in any case, one of: pass (password, passwd,
-- passphrase, passkey), pwd, secret, token, key (api_key, sslkey), auth
-- (AUTH_HEADER, oauth), cred (credentials), cert, dsn (a connection string
-- carries its password) or private. Masking a harmless name (AUTHOR,
-- MONKEY) costs a reader one value; missing a secret leaks it for good, so
-- substrings are matched, not words. No SET clause, so that it is inlined
-- into its callers (df_masked_params, listings); ~* is pg_catalog's.
CREATE OR REPLACE FUNCTION df_secret_name(p_name text)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT p_name ~* '(pass|pwd|secret|token|key|auth|cred|cert|dsn|private)'
$$;

-- The parameters as kept in run history: values of names that look like
-- secrets (df_secret_name) are masked (the job itself gets them unmasked).
-- One row; used as (SELECT m FROM df_masked_params(...) m), which the
-- planner inlines, as df_missing_inputs (as a scalar function with SET it
-- was planned again at every claim: 0.08 ms of a drained partition).
DROP FUNCTION IF EXISTS df_mask_params(jsonb);
CREATE OR REPLACE FUNCTION df_masked_params(p_params jsonb)
RETURNS SETOF jsonb LANGUAGE sql IMMUTABLE ROWS 1 AS $$
	SELECT coalesce(jsonb_object_agg(key, CASE
	    WHEN df_secret_name(key)
	    THEN to_jsonb('***'::text) ELSE value END), '{}'::jsonb)
	FROM jsonb_each(p_params)
$$;

-- One line of apply's plan ('params.NAME: "old" -> "new"', as plan.c
-- writes them) with the values of a secret-looking parameter or extra
-- attribute replaced by what changed: (set), (changed) or (removed).
-- plan.c masks them already (asking df_secret_name); this keeps the
-- audit trail masked whoever writes it, and masks rows written before.
CREATE OR REPLACE FUNCTION df_masked_plan_line(p_line text)
RETURNS text LANGUAGE sql IMMUTABLE
SET search_path FROM CURRENT AS $$
	SELECT CASE WHEN m IS NULL OR NOT df_secret_name(m[2]) THEN p_line
	    ELSE m[1] || '.' || m[2] || ': ' || CASE
		WHEN m[3] IN ('(set)', '(changed)', '(removed)') THEN m[3]
		WHEN m[3] LIKE '(none) -> %' THEN '(set)'
		WHEN m[3] LIKE '% -> (none)' THEN '(removed)'
		ELSE '(changed)' END END
	FROM regexp_match(p_line,
	    '^(params|extra)\.([A-Za-z_][A-Za-z0-9_]*): (.*)$', 's') m
$$;

-- An apply audit record (the plan as JSON: [{action, kind, id, details}])
-- with every detail line through df_masked_plan_line; anything else as it
-- is.
CREATE OR REPLACE FUNCTION df_masked_plan(p_plan jsonb)
RETURNS jsonb LANGUAGE sql IMMUTABLE
SET search_path FROM CURRENT AS $$
	SELECT CASE WHEN jsonb_typeof(p_plan) IS DISTINCT FROM 'array'
	    THEN p_plan ELSE coalesce((
		SELECT jsonb_agg(CASE
		    WHEN jsonb_typeof(c->'details') = 'array'
		    THEN jsonb_set(c, '{details}', (
			SELECT coalesce(jsonb_agg(CASE
			    WHEN jsonb_typeof(d) = 'string'
			    THEN to_jsonb(df_masked_plan_line(d #>> '{}'))
			    ELSE d END ORDER BY k), '[]'::jsonb)
			FROM jsonb_array_elements(c->'details')
			    WITH ORDINALITY AS y(d, k)))
		    ELSE c END ORDER BY o)
		FROM jsonb_array_elements(p_plan) WITH ORDINALITY AS x(c, o)),
	    '[]'::jsonb) END
$$;

-- The one writer of the audit trail: who did action, on what, with what
-- detail and why; returns the record's id. An apply record's plan goes
-- through df_masked_plan, whoever writes it. Not granted to any role: the
-- owner calls it, and the functions that change state, which run as the
-- owner.
CREATE OR REPLACE FUNCTION df_audit(p_who text, p_action text,
    p_detail jsonb DEFAULT NULL, p_jobid text DEFAULT NULL,
    p_datasetid text DEFAULT NULL, p_dataid text DEFAULT NULL,
    p_reason text DEFAULT NULL)
RETURNS bigint LANGUAGE sql
SET search_path FROM CURRENT AS $$
	INSERT INTO audit (who, action, jobid, datasetid, dataid, detail,
	    reason)
	VALUES (p_who, p_action, p_jobid, p_datasetid, p_dataid,
	    CASE WHEN p_action = 'apply' THEN df_masked_plan(p_detail)
		ELSE p_detail END, p_reason)
	RETURNING audit_id
$$;

-- Propagate a partition status change to the work of consuming jobs.
CREATE OR REPLACE FUNCTION df_partition_changed()
RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
	IF TG_OP = 'UPDATE' AND NEW.status IS NOT DISTINCT FROM OLD.status THEN
		RETURN NULL;
	END IF;
	IF NEW.status = 'READY' THEN
		-- Two inputs of one job becoming READY in concurrent
		-- transactions must not each miss the other: serialize
		-- this check per dataid, taking the lock before the
		-- statements below, which then see everything committed.
		-- Only a job with several inputs can race, and the key is
		-- bucketed (256 values): a transaction marking a million
		-- partitions READY holds at most 256 locks, not a million
		-- (which would exhaust the lock table).
		IF EXISTS (SELECT 1 FROM job_item i JOIN job_item o
		    ON o.jobid = i.jobid AND o.itemtype = 'IN'
		    AND o.datasetid <> i.datasetid
		    WHERE i.datasetid = NEW.datasetid AND i.itemtype = 'IN') THEN
			PERFORM pg_advisory_xact_lock(
			    hashtext('dataflow.ready'),
			    hashtext(NEW.dataid) & 255);
		END IF;
		-- A triggered job (input "trigger") gets no new work from
		-- readiness, only its triggered rows waiting on this input.
		INSERT INTO work AS w (jobid, dataid, state)
		SELECT i.jobid, NEW.dataid, 'ready'
		FROM job_item i JOIN job j ON j.jobid = i.jobid
		WHERE i.datasetid = NEW.datasetid AND i.itemtype = 'IN'
		  AND j.removed IS NULL
		  AND NOT EXISTS (SELECT FROM
		      df_missing_inputs(i.jobid, NEW.dataid))
		  AND (NOT EXISTS (SELECT 1 FROM job_item t
			WHERE t.jobid = i.jobid AND t.itemtype = 'IN'
			  AND t.datasetid = 'trigger')
		    OR EXISTS (SELECT 1 FROM work x
			WHERE x.jobid = i.jobid AND x.dataid = NEW.dataid))
		ON CONFLICT (jobid, dataid) DO UPDATE
		SET state = 'ready', modified = now()
		WHERE w.state = 'waiting';
	ELSIF TG_OP = 'UPDATE' AND OLD.status = 'READY' THEN
		-- No longer consumable (being rebuilt, failed, resubmitted).
		UPDATE work w SET state = 'waiting', modified = now()
		FROM job_item i
		WHERE i.datasetid = NEW.datasetid AND i.itemtype = 'IN'
		  AND w.jobid = i.jobid AND w.dataid = NEW.dataid
		  AND w.state = 'ready';
	END IF;
	RETURN NULL;
END
$$;

-- Only a change into or out of READY concerns consumers: the WHEN clauses
-- keep the function from being called for the RUNNING and FAILED writes of
-- every claim and finish (in a new session, calling it to do nothing cost
-- a compilation and 0.3 ms).
DROP TRIGGER IF EXISTS partition_status_changed ON partition_status;
DROP TRIGGER IF EXISTS partition_status_inserted ON partition_status;
DROP TRIGGER IF EXISTS partition_status_updated ON partition_status;
CREATE TRIGGER partition_status_inserted
	AFTER INSERT ON partition_status
	FOR EACH ROW WHEN (NEW.status = 'READY' AND NOT df_set_based())
	EXECUTE FUNCTION df_partition_changed();
CREATE TRIGGER partition_status_updated
	AFTER UPDATE OF status ON partition_status
	FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
	    AND 'READY' IN (OLD.status, NEW.status) AND NOT df_set_based())
	EXECUTE FUNCTION df_partition_changed();

-- df_partition_changed for many partitions of one dataset that became
-- READY (p_dataids), in a few statements: the set-based functions call it
-- after their write, with the row triggers skipped (df_set_based). The
-- per-dataid locks of the multi-input case are taken for the distinct
-- buckets, in ascending order, so that two such calls cannot deadlock on
-- each other, and a row trigger holds one bucket at a time; the INSERT
-- that follows them takes its snapshot after they are held, and so sees
-- every other input that was marked READY before. The workers of each job
-- that got claimable work are notified once. Returns the work rows made
-- or turned ready.
CREATE OR REPLACE FUNCTION df_propagate_ready(p_datasetid text,
    p_dataids text[])
RETURNS bigint LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
DECLARE
	v_bucket	integer;
	v_n		bigint;
	v_jobs		text[];
BEGIN
	IF coalesce(cardinality(p_dataids), 0) = 0 OR NOT EXISTS (
	    SELECT 1 FROM job_item i
	    WHERE i.datasetid = p_datasetid AND i.itemtype = 'IN') THEN
		RETURN 0;
	END IF;
	IF EXISTS (SELECT 1 FROM job_item i JOIN job_item o
	    ON o.jobid = i.jobid AND o.itemtype = 'IN'
	    AND o.datasetid <> i.datasetid
	    WHERE i.datasetid = p_datasetid AND i.itemtype = 'IN') THEN
		FOR v_bucket IN SELECT DISTINCT hashtext(d) & 255
		    FROM unnest(p_dataids) d ORDER BY 1 LOOP
			PERFORM pg_advisory_xact_lock(
			    hashtext('dataflow.ready'), v_bucket);
		END LOOP;
	END IF;
	-- A triggered job (input "trigger") gets no new work from
	-- readiness, only its triggered rows waiting on this input: an
	-- UPDATE of those, an INSERT for the other jobs.
	WITH c AS (
		SELECT i.jobid FROM job_item i JOIN job j ON j.jobid = i.jobid
		WHERE i.datasetid = p_datasetid AND i.itemtype = 'IN'
		  AND j.removed IS NULL
	), x AS (
		INSERT INTO work AS w (jobid, dataid, state)
		SELECT c.jobid, d.d, 'ready'
		FROM c CROSS JOIN unnest(p_dataids) d(d)
		WHERE NOT EXISTS (SELECT 1 FROM job_item t
			WHERE t.jobid = c.jobid AND t.itemtype = 'IN'
			  AND t.datasetid = 'trigger')
		  AND NOT EXISTS (SELECT FROM df_missing_inputs(c.jobid, d.d))
		ON CONFLICT (jobid, dataid) DO UPDATE
		SET state = 'ready', modified = now()
		WHERE w.state = 'waiting'
		RETURNING w.jobid
	), y AS (
		UPDATE work w SET state = 'ready', modified = now()
		FROM c JOIN job_item t ON t.jobid = c.jobid
		    AND t.itemtype = 'IN' AND t.datasetid = 'trigger',
		    unnest(p_dataids) d(d)
		WHERE w.jobid = c.jobid AND w.dataid = d.d
		  AND w.state = 'waiting'
		  AND NOT EXISTS (SELECT FROM df_missing_inputs(c.jobid, d.d))
		RETURNING w.jobid
	), z AS (
		SELECT x.jobid FROM x UNION ALL SELECT y.jobid FROM y
	)
	SELECT count(*), array_agg(DISTINCT z.jobid) INTO v_n, v_jobs FROM z;
	PERFORM df_work_notify_jobs(v_jobs);
	RETURN v_n;
END
$$;

-- df_partition_changed for many partitions that stopped being READY
-- (partition p_dataids[i] of p_datasetids[i]): the consumers' ready work
-- for them waits again. One statement.
CREATE OR REPLACE FUNCTION df_propagate_unready(p_datasetids text[],
    p_dataids text[])
RETURNS bigint LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
DECLARE
	v_n	bigint;
BEGIN
	UPDATE work w SET state = 'waiting', modified = now()
	FROM unnest(p_datasetids, p_dataids) u(datasetid, dataid)
	JOIN job_item i ON i.datasetid = u.datasetid AND i.itemtype = 'IN'
	WHERE w.jobid = i.jobid AND w.dataid = u.dataid
	  AND w.state = 'ready';
	GET DIAGNOSTICS v_n = ROW_COUNT;
	RETURN v_n;
END
$$;

-- Bring the work of one job in line with its inputs and max_attempts, after
-- its configuration changed: create what newly became claimable, re-decide
-- waiting/ready, and apply a new attempt limit. Returns rows touched.
CREATE OR REPLACE FUNCTION df_refresh_job(p_jobid text)
RETURNS bigint LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
DECLARE
	v_max	integer;
	v_first	text;
	v_n	bigint := 0;
	v_k	bigint;
BEGIN
	SELECT max_attempts INTO v_max FROM job
	WHERE jobid = p_jobid AND removed IS NULL;
	IF NOT FOUND THEN
		RETURN 0;
	END IF;
	-- A triggered job's work comes from df_trigger only.
	SELECT min(datasetid) INTO v_first FROM job_item
	WHERE jobid = p_jobid AND itemtype = 'IN'
	HAVING bool_and(datasetid <> 'trigger');
	IF v_first IS NOT NULL THEN
		INSERT INTO work (jobid, dataid, state)
		SELECT p_jobid, s.dataid, 'ready'
		FROM partition_status s
		WHERE s.datasetid = v_first AND s.status = 'READY'
		  AND NOT EXISTS (SELECT FROM
		      df_missing_inputs(p_jobid, s.dataid))
		ON CONFLICT DO NOTHING;
		GET DIAGNOSTICS v_k = ROW_COUNT;
		v_n := v_n + v_k;
	END IF;
	UPDATE work w SET state = CASE
		    WHEN w.failures >= v_max THEN 'failed'
		    ELSE df_pending_state(p_jobid, w.dataid) END,
	    modified = now()
	WHERE w.jobid = p_jobid AND w.state IN ('waiting', 'ready', 'failed')
	  AND w.state IS DISTINCT FROM CASE
		    WHEN w.failures >= v_max THEN 'failed'
		    ELSE df_pending_state(p_jobid, w.dataid) END;
	GET DIAGNOSTICS v_k = ROW_COUNT;
	RETURN v_n + v_k;
END
$$;

-- End one run: record its outcome and move its work and output partitions.
-- Only a RUNNING run can end: this is the fence against a wrapper that was
-- presumed dead. Returns NULL when recorded, else the run's current status
-- ('ABANDONED', 'SUCCEEDED'...) or 'UNKNOWN'. The run's worker, if any,
-- counts it and is idle again (a run abandoned by the reaper counts, but
-- says nothing of its worker's liveness). The end of a triggered
-- partition's run is announced on the schema's 'run' channel (for
-- "trigger --wait"), a slot freed under max_running on 'work'. Not every
-- end: a transaction that notifies holds a database-wide lock from its
-- commit's start to its end (PostgreSQL keeps the queue in commit
-- order), WAL flush included, so notifying finishes commit one at a time.
CREATE OR REPLACE FUNCTION df_end_run(p_run_id bigint, p_status text,
    p_exit_code integer, p_signal integer, p_message text,
    p_metrics jsonb, p_stderr_tail text)
RETURNS text LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
	v_jobid		text;
	v_dataid	text;
	v_worker	bigint;
	v_limited	boolean;
	v_trig		boolean;
	v_now		text;
	v_counts	boolean := p_status IN ('FAILED', 'TIMEOUT', 'ABANDONED');
BEGIN
	UPDATE run SET status = p_status, ended = now(),
	    exit_code = p_exit_code, signal = p_signal, message = p_message,
	    metrics = p_metrics, stderr_tail = p_stderr_tail
	WHERE run_id = p_run_id AND status = 'RUNNING'
	RETURNING jobid, dataid, worker_id INTO v_jobid, v_dataid, v_worker;
	IF NOT FOUND THEN
		SELECT status INTO v_now FROM run WHERE run_id = p_run_id;
		RETURN coalesce(v_now, 'UNKNOWN');
	END IF;

	UPDATE work w SET
	    state = df_work_state_after(w.jobid, w.dataid,
		p_status = 'SUCCEEDED', v_counts, w.failures, j.max_attempts),
	    failures = w.failures + CASE WHEN v_counts THEN 1 ELSE 0 END,
	    modified = now()
	FROM job j
	WHERE w.jobid = v_jobid AND w.dataid = v_dataid
	  AND w.run_id = p_run_id AND w.state = 'running'
	  AND j.jobid = w.jobid
	RETURNING j.max_running IS NOT NULL, w.triggered_by IS NOT NULL
	INTO v_limited, v_trig;

	-- The outputs this run was producing (as marked at claim time).
	UPDATE partition_status SET
	    status = CASE WHEN p_status = 'SUCCEEDED' THEN 'READY'
		ELSE 'FAILED' END,
	    modified = now()
	WHERE run_id = p_run_id AND dataid = v_dataid AND status = 'RUNNING';

	IF v_worker IS NOT NULL THEN
		UPDATE worker k SET processed = k.processed + 1,
		    succeeded = k.succeeded +
			CASE WHEN p_status = 'SUCCEEDED' THEN 1 ELSE 0 END,
		    failed = k.failed +
			CASE WHEN p_status = 'SUCCEEDED' THEN 0 ELSE 1 END,
		    state = CASE WHEN p_status = 'ABANDONED'
			OR k.run_id IS DISTINCT FROM p_run_id
			OR k.state = 'stopped' THEN k.state ELSE 'idle' END,
		    last_seen = CASE WHEN p_status = 'ABANDONED'
			THEN k.last_seen ELSE now() END
		WHERE k.worker_id = v_worker;
	END IF;
	IF v_trig THEN
		PERFORM pg_notify(df_channel('run'),
		    p_run_id || ' ' || p_status || ' ' || v_jobid);
	END IF;
	IF v_limited THEN
		PERFORM pg_notify(df_channel('work'), v_jobid);
	END IF;
	RETURN NULL;
END
$$;

-- Abandon the runs of a job whose lease expired (their wrapper is gone).
-- Returns how many.
CREATE OR REPLACE FUNCTION df_reap(p_jobid text)
RETURNS integer LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
DECLARE
	v_run	bigint;
	v_n	integer := 0;
BEGIN
	FOR v_run IN
		SELECT run_id FROM run
		WHERE jobid = p_jobid AND status = 'RUNNING'
		  AND lease_until < now()
		ORDER BY run_id
		FOR UPDATE SKIP LOCKED
	LOOP
		IF df_end_run(v_run, 'ABANDONED', NULL, NULL,
		    'lease expired: the wrapper stopped renewing it',
		    NULL, NULL) IS NULL THEN
			v_n := v_n + 1;
		END IF;
	END LOOP;
	RETURN v_n;
END
$$;

-- Claim the next partition for a job, in one transaction: reap dead runs,
-- pick the first claimable work row in the job's order, lock it (skipping
-- rows other claimers hold), and mark it and the job's outputs RUNNING
-- under a new run. Returns one row: outcome is 'claimed' (with run_id,
-- dataid, attempt and info: params and datasets for the environment) or
-- why nothing was claimed: 'none' ('noinputs' for a job without inputs),
-- 'paused', 'busy' (max_running reached),
-- and for a requested dataid also 'waiting' (inputs not READY), 'running',
-- 'succeeded', 'failed' (attempts exhausted). With p_dry_run nothing is
-- written and 'claimed' means "would claim".
--
-- The run's parameters are the job's, overridden by the work row's (a
-- triggered partition's), overridden by p_params (runjob --param); its
-- label is p_label, else the work row's. p_worker, a worker_id of
-- df_worker_start, is the worker claiming: the claim is its heartbeat,
-- and it is running the new run, or idle when nothing was claimed.
CREATE OR REPLACE FUNCTION df_claim(p_jobid text, p_dataid text,
    p_today text, p_exclude text[], p_host text, p_pid integer,
    p_user text, p_label text, p_params jsonb, p_lease_secs integer,
    p_dry_run boolean, p_worker bigint DEFAULT NULL,
    OUT outcome text, OUT run_id bigint, OUT dataid text,
    OUT attempt integer, OUT info jsonb)
LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
	v_job	job%ROWTYPE;
	v_work	work%ROWTYPE;
	v_today	boolean;
	v_trig	boolean;
	v_n	integer;
BEGIN
	SELECT * INTO v_job FROM job j
	WHERE j.jobid = p_jobid AND j.removed IS NULL;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown job "%"', p_jobid
		    USING ERRCODE = 'DF001';
	END IF;
	-- The worker is seen, and idle unless the claim below succeeds
	-- (the same row is updated again then, in this transaction).
	IF p_worker IS NOT NULL AND NOT p_dry_run THEN
		UPDATE worker k SET last_seen = now(), state = 'idle'
		WHERE k.worker_id = p_worker AND k.stopped IS NULL;
	END IF;
	IF v_job.paused THEN
		outcome := 'paused';
		RETURN;
	END IF;

	-- The pseudo-dataset "today": its partition for the current date
	-- is READY, which makes that date claimable (once per day).
	v_today := p_today IS NOT NULL AND EXISTS (SELECT 1 FROM job_item i
	    WHERE i.jobid = p_jobid AND i.itemtype = 'IN'
	      AND i.datasetid = 'today');
	IF v_today AND NOT p_dry_run AND NOT EXISTS (
	    SELECT 1 FROM partition_status s
	    WHERE s.datasetid = 'today' AND s.dataid = p_today) THEN
		INSERT INTO partition_status (datasetid, dataid, status)
		VALUES ('today', p_today, 'READY')
		ON CONFLICT DO NOTHING;
	END IF;

	-- Reap only when there is something to reap: the test is one probe of
	-- the run_live index, where calling df_reap would compile and plan it
	-- in every new session to find nothing.
	IF NOT p_dry_run AND EXISTS (SELECT 1 FROM run r
	    WHERE r.jobid = p_jobid AND r.status = 'RUNNING'
	      AND r.lease_until < now()) THEN
		PERFORM df_reap(p_jobid);
	END IF;

	-- A concurrency limit or latest-only needs a decision over all of
	-- the job's runs: serialize this job's claims on its row.
	IF (v_job.max_running IS NOT NULL
	    OR v_job.run_order = 'latest-only') AND NOT p_dry_run THEN
		PERFORM 1 FROM job j WHERE j.jobid = p_jobid
		FOR NO KEY UPDATE;
	END IF;
	IF v_job.max_running IS NOT NULL THEN
		SELECT count(*) INTO v_n FROM work w
		WHERE w.jobid = p_jobid AND w.state = 'running';
		IF v_n >= v_job.max_running THEN
			outcome := 'busy';
			RETURN;
		END IF;
	END IF;

	IF p_dataid IS NOT NULL THEN
		-- One named partition: it becomes work once its inputs are
		-- READY (a job without inputs can run any dataid this way);
		-- a triggered job's only once triggered.
		v_trig := EXISTS (SELECT 1 FROM job_item i
		    WHERE i.jobid = p_jobid AND i.itemtype = 'IN'
		      AND i.datasetid = 'trigger');
		IF NOT p_dry_run AND NOT v_trig
		    AND df_inputs_ready(p_jobid, p_dataid) THEN
			INSERT INTO work (jobid, dataid, state)
			VALUES (p_jobid, p_dataid, 'ready')
			ON CONFLICT DO NOTHING;
		END IF;
		SELECT * INTO v_work FROM work w
		WHERE w.jobid = p_jobid AND w.dataid = p_dataid;
		IF NOT FOUND THEN
			outcome := CASE WHEN NOT v_trig
			    AND df_inputs_ready(p_jobid, p_dataid)
			    THEN 'claimed' ELSE 'waiting' END;
			IF outcome = 'claimed' THEN
				dataid := p_dataid;
				attempt := 1;
			END IF;
			RETURN;
		END IF;
		IF v_work.state <> 'ready' THEN
			outcome := v_work.state;
			RETURN;
		END IF;
		IF NOT p_dry_run THEN
			SELECT * INTO v_work FROM work w
			WHERE w.jobid = p_jobid AND w.dataid = p_dataid
			  AND w.state = 'ready'
			  AND NOT EXISTS (SELECT FROM
			      df_missing_inputs(p_jobid, w.dataid))
			FOR UPDATE SKIP LOCKED;
			IF NOT FOUND THEN
				outcome := 'running';
				RETURN;
			END IF;
		END IF;
	ELSIF v_job.run_order = 'newest-first'
	    OR v_job.run_order = 'latest-only' THEN
		IF p_dry_run THEN
			SELECT * INTO v_work FROM work w
			WHERE w.jobid = p_jobid AND w.state = 'ready'
			  AND w.dataid <> ALL (coalesce(p_exclude, '{}'))
			  AND NOT EXISTS (SELECT FROM
			      df_missing_inputs(p_jobid, w.dataid))
			ORDER BY w.dataid DESC LIMIT 1;
		ELSE
			SELECT * INTO v_work FROM work w
			WHERE w.jobid = p_jobid AND w.state = 'ready'
			  AND w.dataid <> ALL (coalesce(p_exclude, '{}'))
			  AND NOT EXISTS (SELECT FROM
			      df_missing_inputs(p_jobid, w.dataid))
			ORDER BY w.dataid DESC LIMIT 1
			FOR UPDATE SKIP LOCKED;
		END IF;
		IF FOUND AND v_job.run_order = 'latest-only' AND EXISTS (
		    SELECT 1 FROM work w
		    WHERE w.jobid = p_jobid AND w.dataid >= v_work.dataid
		      AND w.state IN ('running', 'succeeded')) THEN
			-- Something at least as new ran: older ones are left.
			outcome := 'none';
			RETURN;
		END IF;
	ELSE
		IF p_dry_run THEN
			SELECT * INTO v_work FROM work w
			WHERE w.jobid = p_jobid AND w.state = 'ready'
			  AND w.dataid <> ALL (coalesce(p_exclude, '{}'))
			  AND NOT EXISTS (SELECT FROM
			      df_missing_inputs(p_jobid, w.dataid))
			ORDER BY w.dataid LIMIT 1;
		ELSE
			SELECT * INTO v_work FROM work w
			WHERE w.jobid = p_jobid AND w.state = 'ready'
			  AND w.dataid <> ALL (coalesce(p_exclude, '{}'))
			  AND NOT EXISTS (SELECT FROM
			      df_missing_inputs(p_jobid, w.dataid))
			ORDER BY w.dataid LIMIT 1
			FOR UPDATE SKIP LOCKED;
		END IF;
	END IF;
	IF v_work.jobid IS NULL THEN
		-- A job without inputs never has work of its own: say so
		-- ('noinputs'; older runjobs read it as 'none').
		outcome := CASE WHEN p_dataid IS NULL AND NOT EXISTS (
		    SELECT 1 FROM job_item i
		    WHERE i.jobid = p_jobid AND i.itemtype = 'IN')
		    THEN 'noinputs' ELSE 'none' END;
		RETURN;
	END IF;

	outcome := 'claimed';
	dataid := v_work.dataid;
	attempt := v_work.attempts + 1;
	IF p_dry_run THEN
		RETURN;
	END IF;

	INSERT INTO run (jobid, dataid, attempt, status, host, pid, username,
	    label, params, lease_until, worker_id, triggered_by)
	VALUES (p_jobid, v_work.dataid, attempt, 'RUNNING', p_host, p_pid,
	    p_user, coalesce(p_label, v_work.label),
	    (SELECT m FROM df_masked_params(v_job.params ||
		coalesce(v_work.params, '{}') || coalesce(p_params, '{}')) m),
	    now() + make_interval(secs => p_lease_secs), p_worker,
	    v_work.triggered_by)
	RETURNING run.run_id INTO run_id;
	IF p_worker IS NOT NULL THEN
		UPDATE worker k SET state = 'running', run_id = df_claim.run_id
		WHERE k.worker_id = p_worker AND k.stopped IS NULL;
	END IF;

	UPDATE work w SET state = 'running', run_id = df_claim.run_id,
	    attempts = w.attempts + 1, modified = now()
	WHERE w.jobid = p_jobid AND w.dataid = v_work.dataid;

	INSERT INTO partition_status AS s (datasetid, dataid, status, run_id)
	SELECT i.datasetid, v_work.dataid, 'RUNNING', df_claim.run_id
	FROM job_item i WHERE i.jobid = p_jobid AND i.itemtype = 'OUT'
	ON CONFLICT ON CONSTRAINT partition_status_pkey DO UPDATE
	SET status = 'RUNNING', run_id = excluded.run_id, modified = now();

	SELECT jsonb_build_object(
	    'params', v_job.params || coalesce(v_work.params, '{}') ||
		coalesce(p_params, '{}'),
	    'timeout', v_job.timeout_secs,
	    'owner', v_job.owner,
	    'notify', to_jsonb(v_job.notify),
	    'notify_on', v_job.notify_on,
	    'datasets', coalesce(jsonb_agg(jsonb_build_object(
		'datasetid', d.datasetid, 'itemtype', i.itemtype,
		'hostname', d.hostname, 'database', d.database,
		'schemaname', d.schemaname, 'tablename', d.tablename,
		'username', d.username, 'encryptedpass', d.encryptedpass,
		'extra', d.extra) ORDER BY i.itemtype, d.datasetid),
		'[]'::jsonb))
	INTO info
	FROM job_item i JOIN dataset d ON d.datasetid = i.datasetid
	WHERE i.jobid = p_jobid AND d.datasetid <> 'today';
END
$$;

-- Keep a run's lease alive. False when the run no longer holds its claim
-- (abandoned and possibly re-run elsewhere): the wrapper must stop. The
-- run's worker, if any, is seen alive too.
CREATE OR REPLACE FUNCTION df_renew(p_run_id bigint, p_lease_secs integer)
RETURNS boolean LANGUAGE sql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
	WITH r AS (
		UPDATE run SET heartbeat = now(),
		    lease_until = now() + make_interval(secs => p_lease_secs)
		WHERE run_id = p_run_id AND status = 'RUNNING'
		RETURNING worker_id
	), k AS (
		UPDATE worker SET last_seen = now()
		WHERE worker_id = (SELECT r.worker_id FROM r)
		  AND stopped IS NULL
	)
	SELECT true FROM r
$$;

-- Register a worker ("runjob --drain/--follow", one per stream) of a
-- job: return its worker_id, for df_claim, df_worker_beat and
-- df_worker_stop. p_beat_secs is how often it promises to be seen (a
-- claim, a renewal, a finish or df_worker_beat): past 2 x p_beat_secs +
-- 30 s without a sign it is shown "gone". Also prunes workers not seen
-- for a week (stopped or gone): no daemon needed.
CREATE OR REPLACE FUNCTION df_worker_start(p_jobid text, p_host text,
    p_pid integer, p_user text, p_mode text, p_stream integer,
    p_beat_secs integer, p_version text)
RETURNS bigint LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
	v_id	bigint;
BEGIN
	PERFORM df_require_job(p_jobid);
	DELETE FROM worker k WHERE k.last_seen < now() - interval '7 days';
	INSERT INTO worker (jobid, host, pid, username, mode, stream,
	    beat_secs, version)
	VALUES (p_jobid, p_host, p_pid, p_user, p_mode, p_stream,
	    least(greatest(p_beat_secs, 1), 86400), p_version)
	RETURNING worker_id INTO v_id;
	RETURN v_id;
END
$$;

-- An idle worker's heartbeat. False when the worker is unknown (pruned)
-- or stopped: it should register again.
CREATE OR REPLACE FUNCTION df_worker_beat(p_worker bigint)
RETURNS boolean LANGUAGE sql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
	WITH k AS (
		UPDATE worker SET last_seen = now()
		WHERE worker_id = p_worker AND stopped IS NULL
		RETURNING true
	)
	SELECT EXISTS (SELECT FROM k)
$$;

-- End as CANCELLED the runs a worker holds without knowing it: its claim
-- committed, but the answer was lost with the connection (the primary
-- failed over, the server crashed, between the commit and the answer), so
-- nothing ran. Their partitions are claimable again, no attempt counted;
-- without this they would wait for the lease to expire and be reaped.
-- Only for a worker whose claim failed: it runs nothing then. True when
-- it ended any.
CREATE OR REPLACE FUNCTION df_worker_release(p_worker bigint)
RETURNS boolean LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
	v_run	bigint;
	v_any	boolean := false;
BEGIN
	FOR v_run IN
		SELECT run_id FROM run
		WHERE worker_id = p_worker AND status = 'RUNNING'
		ORDER BY run_id
		FOR UPDATE
	LOOP
		IF df_end_run(v_run, 'CANCELLED', NULL, NULL,
		    'its claim''s answer was lost with the connection: '
		    'it never ran', NULL, NULL) IS NULL THEN
			v_any := true;
		END IF;
	END LOOP;
	RETURN v_any;
END
$$;

-- A worker's clean exit: stopped, on no run. False when unknown or
-- stopped already.
CREATE OR REPLACE FUNCTION df_worker_stop(p_worker bigint)
RETURNS boolean LANGUAGE sql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
	WITH k AS (
		UPDATE worker SET stopped = now(), last_seen = now(),
		    state = 'stopped'
		WHERE worker_id = p_worker AND stopped IS NULL
		RETURNING true
	)
	SELECT EXISTS (SELECT FROM k)
$$;
