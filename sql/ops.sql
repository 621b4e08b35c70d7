-- ops.sql: the server-side logic of the operations commands: dataflow
-- status, explain, resubmit, pause and resume, one round trip each, and
-- the writes of import-opendataflow.
--
-- Re-created by every "dataflow init" (CREATE OR REPLACE) after migrations,
-- like functions.sql, whose helpers it uses. Each function pins search_path
-- to the dataflow schema it was created in, then pg_temp (SET search_path
-- FROM CURRENT). The read-only ones run as their caller, who needs to read
-- the tables (the operator role, roles.sql); the three that change state,
-- df_ready, df_resubmit and df_set_paused, are SECURITY DEFINER, so that an
-- operator may call them but not write a table.

-- The newest partition a latest-only job has run or is running: df_claim
-- never runs anything at or below it again. NULL for the other orders or
-- when nothing ran yet. As a row, for a FROM clause (LATERAL), where the
-- planner inlines it into the caller's statement (df_status, df_grid: once
-- per job, where a call costs an executor start each): a set-returning
-- SQL function without a SET clause, like df_missing_inputs; only the
-- functions here call it, whose pinned search_path its body is parsed in.
CREATE OR REPLACE FUNCTION df_latest_floor_row(p_jobid text, p_order text)
RETURNS SETOF text LANGUAGE sql STABLE ROWS 1 AS $$
	SELECT CASE WHEN p_order = 'latest-only' THEN (
		SELECT max(w.dataid) FROM work w
		WHERE w.jobid = p_jobid AND w.state IN ('running', 'succeeded'))
	END
$$;

-- The same, as a value.
CREATE OR REPLACE FUNCTION df_latest_floor(p_jobid text, p_order text)
RETURNS text LANGUAGE sql STABLE
SET search_path FROM CURRENT AS $$
	SELECT f FROM df_latest_floor_row(p_jobid, p_order) f
$$;

-- When a pending (ready or waiting) partition of a job started to wait:
-- the last time one of its inputs became READY, or, when none is READY or
-- the job has no inputs, the last change of its work row. As a row,
-- inlined, as df_latest_floor_row.
CREATE OR REPLACE FUNCTION df_pending_since_row(p_jobid text,
    p_dataid text)
RETURNS SETOF timestamptz LANGUAGE sql STABLE ROWS 1 AS $$
	SELECT coalesce((
		SELECT max(s.modified) FROM job_item i
		JOIN partition_status s ON s.datasetid = i.datasetid
		    AND s.dataid = p_dataid AND s.status = 'READY'
		WHERE i.jobid = p_jobid AND i.itemtype = 'IN'), (
		SELECT w.modified FROM work w
		WHERE w.jobid = p_jobid AND w.dataid = p_dataid))
$$;

-- The same, as a value.
CREATE OR REPLACE FUNCTION df_pending_since(p_jobid text, p_dataid text)
RETURNS timestamptz LANGUAGE sql STABLE
SET search_path FROM CURRENT AS $$
	SELECT s FROM df_pending_since_row(p_jobid, p_dataid) s
$$;

-- One row per job (every job not removed, or only p_jobid): its settings,
-- the count of its partitions by state, its oldest pending partition and
-- its last run. Counts:
--   ready      inputs READY, attempts left, not running, not done (for
--              latest-only: at most 1, the newest above what already ran)
--   claimable  ready, or 0 when the job is paused
--   retrying   ready after one or more failed attempts
--   waiting    pending until an input becomes READY (again)
--   running, done (succeeded), failed (attempts exhausted)
--   skipped    latest-only: ready partitions it will never run
-- None reads the job's backlog: the counters of work_done (010) and its
-- running work rows give them, but for a latest-only job, whose ready,
-- retrying and waiting depend on what already ran (its backlog is what
-- lies above that, a few rows), from the index work_pending.
-- The oldest pending partition is the lowest ready or waiting dataid (for
-- latest-only, above what already ran; dataids are never empty), one
-- probe of work_pending each; lag is how long it has waited
-- (df_pending_since).
CREATE OR REPLACE FUNCTION df_status(p_jobid text)
RETURNS TABLE (jobid text, paused boolean, run_order text,
    max_running integer, max_attempts integer, owner text,
    claimable bigint, ready bigint, retrying bigint, waiting bigint,
    running bigint, done bigint, failed bigint, skipped bigint,
    oldest_dataid text, oldest_state text, oldest_since timestamptz,
    lag_secs double precision, last_run_id bigint, last_dataid text,
    last_status text, last_exit_code integer, last_signal integer,
    last_started timestamptz, last_ended timestamptz,
    last_duration_secs double precision)
LANGUAGE sql STABLE
SET search_path FROM CURRENT AS $$
	WITH j AS MATERIALIZED (
		SELECT j.*, f.floor
		FROM job j
		LEFT JOIN LATERAL df_latest_floor_row(j.jobid, j.run_order)
		    f(floor) ON true
		WHERE j.removed IS NULL
		  AND (p_jobid IS NULL OR j.jobid = p_jobid)
	), c AS MATERIALIZED (
		-- Materialized: each probe below runs once per job, not
		-- once per use of its result.
		SELECT j.jobid, n.done, n.waiting, n.failed, r.running,
		    n.pending - n.waiting - n.failed - r.running AS ready_all,
		    n.retry - r.running_retry AS retrying_all, l.*,
		    (SELECT min(w.dataid) FROM work w
		    WHERE w.jobid = j.jobid AND w.state = 'ready'
		      AND w.dataid > coalesce(j.floor, '')) AS oldest_ready,
		    (SELECT min(w.dataid) FROM work w
		    WHERE w.jobid = j.jobid AND w.state = 'waiting'
		      AND w.dataid > coalesce(j.floor, '')) AS oldest_waiting
		FROM j CROSS JOIN LATERAL (
			SELECT coalesce(sum(d.n), 0)::bigint AS done,
			    coalesce(sum(d.pending), 0)::bigint AS pending,
			    coalesce(sum(d.waiting), 0)::bigint AS waiting,
			    coalesce(sum(d.failed), 0)::bigint AS failed,
			    coalesce(sum(d.retry), 0)::bigint AS retry
			FROM work_done d WHERE d.jobid = j.jobid) n
		CROSS JOIN LATERAL (
			SELECT count(*) AS running,
			    count(*) FILTER (WHERE w.failures > 0)
				AS running_retry
			FROM work w
			WHERE w.jobid = j.jobid AND w.state = 'running') r
		LEFT JOIN LATERAL (
			SELECT count(*) FILTER (WHERE w.state = 'ready')
				AS ready_above,
			    count(*) FILTER (WHERE w.state = 'ready'
				AND w.failures > 0) AS retrying_above,
			    count(*) FILTER (WHERE w.state = 'waiting')
				AS waiting_above
			FROM work w
			WHERE j.run_order = 'latest-only'
			  AND w.jobid = j.jobid AND w.state IN ('ready', 'waiting')
			  AND w.dataid > coalesce(j.floor, '')) l ON true
	), k AS (
		SELECT c.*,
		    CASE WHEN j.run_order = 'latest-only'
			THEN least(c.ready_above, 1) ELSE c.ready_all END
			AS ready_n,
		    CASE WHEN j.run_order = 'latest-only'
			THEN c.retrying_above ELSE c.retrying_all END
			AS retrying,
		    CASE WHEN j.run_order = 'latest-only'
			THEN c.waiting_above ELSE c.waiting END AS waiting_n,
		    least(c.oldest_ready, c.oldest_waiting) AS oldest
		FROM c JOIN j ON j.jobid = c.jobid
	)
	SELECT j.jobid, j.paused, j.run_order, j.max_running, j.max_attempts,
	    j.owner,
	    CASE WHEN j.paused THEN 0 ELSE k.ready_n END,
	    k.ready_n, least(k.retrying, k.ready_n), k.waiting_n, k.running,
	    k.done, k.failed, k.ready_all - k.ready_n,
	    k.oldest, o.state, o.since,
	    extract(epoch FROM now() - o.since)::double precision,
	    r.run_id, r.dataid, r.status, r.exit_code, r.signal, r.started,
	    r.ended,
	    extract(epoch FROM coalesce(r.ended, now()) - r.started)::
		double precision
	FROM j
	JOIN k ON k.jobid = j.jobid
	LEFT JOIN LATERAL (
		SELECT CASE WHEN k.oldest = k.oldest_ready THEN 'ready'
		    ELSE 'waiting' END AS state, s.since
		FROM df_pending_since_row(j.jobid, k.oldest) s(since)
		WHERE k.oldest IS NOT NULL) o ON true
	LEFT JOIN LATERAL (
		SELECT * FROM run r
		WHERE r.jobid = j.jobid
		ORDER BY r.run_id DESC LIMIT 1) r ON true
	ORDER BY j.jobid
$$;

-- The inputs of a job for one partition, as a JSON array of
-- {"datasetid", "status", "producer"}: status is NULL when the dataset has
-- no such partition, producer the job that writes the dataset (NULL when
-- it is produced outside dataflow). The "today" input counts as READY for
-- p_today, as df_claim would make it; the "trigger" input as READY for a
-- partition that was triggered (the job has work for it).
CREATE OR REPLACE FUNCTION df_input_status(p_jobid text, p_dataid text,
    p_today text)
RETURNS jsonb LANGUAGE sql STABLE
SET search_path FROM CURRENT AS $$
	SELECT coalesce(jsonb_agg(jsonb_build_object(
	    'datasetid', i.datasetid,
	    'status', CASE WHEN s.status IS NULL AND i.datasetid = 'today'
		AND p_dataid = p_today THEN 'READY'
		WHEN i.datasetid = 'trigger' THEN CASE WHEN EXISTS (
		    SELECT 1 FROM work w WHERE w.jobid = p_jobid
		      AND w.dataid = p_dataid) THEN 'READY' END
		ELSE s.status END,
	    'producer', (SELECT min(o.jobid) FROM job_item o
		JOIN job pj ON pj.jobid = o.jobid AND pj.removed IS NULL
		WHERE o.datasetid = i.datasetid AND o.itemtype = 'OUT'))
	    ORDER BY i.datasetid), '[]'::jsonb)
	FROM job_item i
	LEFT JOIN partition_status s ON s.datasetid = i.datasetid
	    AND s.dataid = p_dataid
	WHERE i.jobid = p_jobid AND i.itemtype = 'IN'
$$;

-- The partitions "explain" lists for a job, first p_limit in its order
-- (descending for newest-first and latest-only): its work not done, its
-- inputs' partitions it has no work for, and today's partition before
-- its work exists. Each part is read in index order and no further than
-- the p_limit-th partition of the work not done, so that the cost is that
-- of the backlog, not of the job's history.
CREATE OR REPLACE FUNCTION df_explain_candidates(p_jobid text, p_today text,
    p_desc boolean, p_today_job boolean, p_limit integer)
RETURNS text[] LANGUAGE plpgsql STABLE
SET search_path FROM CURRENT AS $$
DECLARE
	v_work		text[];
	v_parts		text[];
	v_bound		text;
	v_trig		boolean;
BEGIN
	SELECT coalesce(array_agg(x.dataid), '{}') INTO v_work FROM (
		SELECT w.dataid FROM work w
		WHERE w.jobid = p_jobid AND w.state <> 'succeeded'
		ORDER BY CASE WHEN p_desc THEN NULL ELSE w.dataid END,
		    CASE WHEN p_desc THEN w.dataid END DESC
		LIMIT p_limit) x;
	IF cardinality(v_work) = p_limit THEN
		v_bound := v_work[p_limit];
	END IF;
	v_trig := EXISTS (SELECT 1 FROM job_item t
	    WHERE t.jobid = p_jobid AND t.itemtype = 'IN'
	      AND t.datasetid = 'trigger');
	IF v_trig THEN
		v_parts := '{}';
	ELSIF p_desc THEN
		SELECT coalesce(array_agg(p.dataid), '{}') INTO v_parts
		FROM job_item i CROSS JOIN LATERAL (
			SELECT s.dataid FROM partition_status s
			WHERE s.datasetid = i.datasetid
			  AND (v_bound IS NULL OR s.dataid > v_bound)
			  AND NOT EXISTS (SELECT 1 FROM work w
			    WHERE w.jobid = p_jobid AND w.dataid = s.dataid)
			ORDER BY s.dataid DESC LIMIT p_limit) p
		WHERE i.jobid = p_jobid AND i.itemtype = 'IN';
	ELSE
		SELECT coalesce(array_agg(p.dataid), '{}') INTO v_parts
		FROM job_item i CROSS JOIN LATERAL (
			SELECT s.dataid FROM partition_status s
			WHERE s.datasetid = i.datasetid
			  AND (v_bound IS NULL OR s.dataid < v_bound)
			  AND NOT EXISTS (SELECT 1 FROM work w
			    WHERE w.jobid = p_jobid AND w.dataid = s.dataid)
			ORDER BY s.dataid LIMIT p_limit) p
		WHERE i.jobid = p_jobid AND i.itemtype = 'IN';
	END IF;
	RETURN (SELECT coalesce(array_agg(c.d ORDER BY
	    CASE WHEN p_desc THEN NULL ELSE c.d END,
	    CASE WHEN p_desc THEN c.d END DESC), '{}')
	FROM (SELECT c.d FROM (
		SELECT unnest(v_work)
		UNION
		SELECT unnest(v_parts)
		UNION
		SELECT p_today WHERE p_today_job AND NOT EXISTS (
		    SELECT 1 FROM work w WHERE w.jobid = p_jobid
		      AND w.dataid = p_today)) c(d)
	    ORDER BY CASE WHEN p_desc THEN NULL ELSE c.d END,
		CASE WHEN p_desc THEN c.d END DESC
	    LIMIT p_limit) c);
END
$$;

-- Why a job would or would not run its next candidate partitions now (or
-- only p_dataid): one row per partition in the order the job claims them,
-- at most p_limit. Candidates are its work not yet succeeded and the
-- partitions of its inputs it has no work for. verdict is the first reason
-- that applies, in this order:
--   running    held by run_id on host since a time (lease_until tells
--              whether the wrapper is still alive)
--   done       already succeeded: only a resubmit runs it again
--   exhausted  failed max_attempts times: resubmit to retry
--   waiting    an input is not READY (inputs says which)
--   on-request the job has no inputs: only runjob --dataid runs it
--   paused     the job is paused
--   busy       the job is at max_running
--   skipped    latest-only: a newer partition ran or will run instead
--   next       the next runjob takes it
--   claimable  claimable, after the partitions before it
-- reason says the same in words, with every reason that applies.
CREATE OR REPLACE FUNCTION df_explain(p_jobid text, p_dataid text,
    p_today text, p_limit integer)
RETURNS TABLE (dataid text, verdict text, reason text, state text,
    attempts integer, failures integer, run_id bigint, host text,
    pid integer, since timestamptz, lease_until timestamptz,
    inputs jsonb)
LANGUAGE plpgsql STABLE
SET search_path FROM CURRENT AS $$
#variable_conflict use_variable
DECLARE
	v_job		job%ROWTYPE;
	v_work		work%ROWTYPE;
	v_run		run%ROWTYPE;
	v_d		text;
	v_cands		text[];
	v_in		jsonb;
	v_x		jsonb;
	v_why		text[];
	v_verdicts	text[];
	v_running	bigint;
	v_floor		text;
	v_next		text;
	v_newest	text;
	v_ahead		bigint;
	v_has_inputs	boolean;
	v_today_job	boolean;
	v_today_ready	boolean := false;
	v_inputs_ready	boolean;
	v_desc		boolean;
	v_ts		text := 'YYYY-MM-DD HH24:MI:SSOF';
BEGIN
	SELECT * INTO v_job FROM job j
	WHERE j.jobid = p_jobid AND j.removed IS NULL;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown job "%"', p_jobid
		    USING ERRCODE = 'DF001';
	END IF;
	v_desc := v_job.run_order <> 'oldest-first';
	SELECT count(*) INTO v_running FROM work w
	WHERE w.jobid = p_jobid AND w.state = 'running';
	v_floor := df_latest_floor(p_jobid, v_job.run_order);
	v_has_inputs := EXISTS (SELECT 1 FROM job_item i
	    WHERE i.jobid = p_jobid AND i.itemtype = 'IN');
	v_today_job := EXISTS (SELECT 1 FROM job_item i
	    WHERE i.jobid = p_jobid AND i.itemtype = 'IN'
	      AND i.datasetid = 'today');

	-- Today's partition is claimable before df_claim creates its work:
	-- count it in as ready when its other inputs are.
	IF v_today_job AND p_today IS NOT NULL AND NOT EXISTS (
	    SELECT 1 FROM work w
	    WHERE w.jobid = p_jobid AND w.dataid = p_today) THEN
		v_today_ready := NOT EXISTS (SELECT 1 FROM
		    jsonb_array_elements(df_input_status(p_jobid, p_today,
		    p_today)) e WHERE e->>'status' IS DISTINCT FROM 'READY');
	END IF;

	-- What the next claim takes, as df_claim decides it.
	SELECT CASE WHEN v_desc THEN max(r.d) ELSE min(r.d) END INTO v_next
	FROM (SELECT w.dataid FROM work w
	    WHERE w.jobid = p_jobid AND w.state = 'ready'
	      AND NOT EXISTS (SELECT FROM
	          df_missing_inputs(p_jobid, w.dataid))
	    UNION ALL
	    SELECT p_today WHERE v_today_ready) r(d);
	v_newest := v_next;
	IF v_job.run_order = 'latest-only' AND v_floor >= v_next THEN
		v_next := NULL;
	END IF;

	IF p_dataid IS NOT NULL THEN
		v_cands := ARRAY[p_dataid];
	ELSE
		v_cands := df_explain_candidates(p_jobid, p_today, v_desc,
		    v_today_job, p_limit);
	END IF;

	FOREACH v_d IN ARRAY v_cands LOOP
		v_why := '{}';
		v_verdicts := '{}';
		v_run := NULL;
		SELECT * INTO v_work FROM work w
		WHERE w.jobid = p_jobid AND w.dataid = v_d;
		IF NOT FOUND THEN
			v_work := NULL;
		ELSIF v_work.run_id IS NOT NULL THEN
			SELECT * INTO v_run FROM run r
			WHERE r.run_id = v_work.run_id;
		END IF;
		v_in := df_input_status(p_jobid, v_d, p_today);
		v_inputs_ready := NOT EXISTS (SELECT 1 FROM
		    jsonb_array_elements(v_in) e
		    WHERE e->>'status' IS DISTINCT FROM 'READY');

		IF v_work.state = 'running' THEN
			v_verdicts := v_verdicts || 'running'::text;
			v_why := v_why || format('held by run %s on host %s '
			    '(pid %s) since %s', v_run.run_id, v_run.host,
			    v_run.pid, to_char(v_run.started, v_ts));
			IF v_run.lease_until < now() THEN
				v_why := v_why || format('its lease expired '
				    'at %s: the wrapper is gone and the next '
				    'claim marks the run ABANDONED',
				    to_char(v_run.lease_until, v_ts));
			END IF;
		ELSIF v_work.state = 'succeeded' THEN
			v_verdicts := v_verdicts || 'done'::text;
			v_why := v_why || format('already succeeded (run %s); '
			    '"dataflow resubmit %s %s" runs it again',
			    v_work.run_id, p_jobid, v_d);
		ELSIF v_work.state = 'failed' THEN
			v_verdicts := v_verdicts || 'exhausted'::text;
			v_why := v_why || format('attempts exhausted: failed '
			    '%s times, max_attempts is %s (last: run %s %s%s); '
			    '"dataflow resubmit %s %s" retries it',
			    v_work.failures, v_job.max_attempts,
			    v_run.run_id, v_run.status,
			    CASE WHEN v_run.signal IS NOT NULL
				THEN format(', signal %s', v_run.signal)
				WHEN v_run.exit_code IS NOT NULL
				THEN format(', exit %s', v_run.exit_code)
				ELSE '' END,
			    p_jobid, v_d);
		ELSE
			IF NOT v_inputs_ready THEN
				v_verdicts := v_verdicts || 'waiting'::text;
				FOR v_x IN SELECT e FROM
				    jsonb_array_elements(v_in) e
				    WHERE e->>'status' IS DISTINCT FROM 'READY'
				LOOP
					v_why := v_why || CASE
					    WHEN v_x->>'datasetid' = 'today'
					    THEN format('input "today" makes '
						'only the current date (%s) '
						'claimable', p_today)
					    WHEN v_x->>'datasetid' = 'trigger'
					    THEN format('not triggered '
						'("dataflow trigger %s '
						'--dataid %s" makes it)',
						p_jobid, v_d)
					    WHEN v_x->>'status' IS NULL
					    THEN format('input "%s" has no '
						'partition %s%s',
						v_x->>'datasetid', v_d,
						CASE WHEN v_x->>'producer'
						    IS NULL
						THEN format(' ("dataflow '
						    'ready %s %s" marks it)',
						    v_x->>'datasetid', v_d)
						ELSE format(' (job "%s" '
						    'produces it)',
						    v_x->>'producer') END)
					    ELSE format('input "%s" is %s%s',
						v_x->>'datasetid',
						v_x->>'status',
						CASE WHEN v_x->>'producer'
						    IS NULL THEN ''
						ELSE format(' (produced by '
						    'job "%s")',
						    v_x->>'producer') END)
					    END;
				END LOOP;
			ELSIF v_work.jobid IS NULL AND NOT v_has_inputs THEN
				v_verdicts := v_verdicts || 'on-request'::text;
				v_why := v_why || format('the job has no '
				    'inputs: only "runjob --job %s --dataid %s"'
				    ' runs it', p_jobid, v_d);
			END IF;
			IF v_job.paused THEN
				v_verdicts := v_verdicts || 'paused'::text;
				v_why := v_why || format('the job is paused '
				    '("dataflow resume %s")', p_jobid);
			END IF;
			IF v_job.max_running IS NOT NULL
			    AND v_running >= v_job.max_running THEN
				v_verdicts := v_verdicts || 'busy'::text;
				v_why := v_why || format('max_running is %s '
				    'and %s runs are in progress',
				    v_job.max_running, v_running);
			END IF;
			IF v_job.run_order = 'latest-only'
			    AND v_floor >= v_d THEN
				v_verdicts := v_verdicts || 'skipped'::text;
				v_why := v_why || format('latest-only: '
				    'partition %s, at least as new, already '
				    'ran', v_floor);
			ELSIF v_job.run_order = 'latest-only'
			    AND v_newest > v_d THEN
				v_verdicts := v_verdicts || 'skipped'::text;
				v_why := v_why || format('latest-only: only '
				    'the newest ready partition (%s) runs',
				    v_newest);
			END IF;
			IF cardinality(v_verdicts) = 0 THEN
				IF v_d = v_next THEN
					v_verdicts := v_verdicts ||
					    'next'::text;
					v_why := v_why || 'claimable: the '
					    'next runjob takes it'::text;
				ELSE
					SELECT count(*) INTO v_ahead
					FROM work w
					WHERE w.jobid = p_jobid
					  AND w.state = 'ready'
					  AND CASE WHEN v_desc
					      THEN w.dataid > v_d
					      ELSE w.dataid < v_d END;
					v_verdicts := v_verdicts ||
					    'claimable'::text;
					v_why := v_why || format('claimable '
					    'after %s other partition%s (%s)',
					    v_ahead, CASE WHEN v_ahead = 1
					    THEN '' ELSE 's' END,
					    v_job.run_order);
				END IF;
			END IF;
			IF v_work.failures > 0 THEN
				v_why := v_why || format('failed %s of %s '
				    'attempts (last: run %s %s)',
				    v_work.failures, v_job.max_attempts,
				    v_run.run_id, v_run.status);
			END IF;
		END IF;

		dataid := v_d;
		verdict := v_verdicts[1];
		reason := array_to_string(v_why, '; ');
		state := v_work.state;
		attempts := v_work.attempts;
		failures := v_work.failures;
		run_id := v_work.run_id;
		host := CASE WHEN v_work.state = 'running'
		    THEN v_run.host END;
		pid := CASE WHEN v_work.state = 'running' THEN v_run.pid END;
		since := CASE WHEN v_work.state = 'running'
		    THEN v_run.started
		    WHEN v_work.state IN ('ready', 'waiting')
		    THEN df_pending_since(p_jobid, v_d)
		    ELSE v_work.modified END;
		lease_until := CASE WHEN v_work.state = 'running'
		    THEN v_run.lease_until END;
		inputs := v_in;
		RETURN NEXT;
	END LOOP;
END
$$;

-- Resubmit partitions of a job: p_dataids, plus with p_failed every
-- partition whose attempts are exhausted, plus with p_downstream,
-- transitively, every job that reads an output of a resubmitted job and
-- has work for the same dataid (it ran, runs or will run on what is now
-- stale). Each one's output partitions become RESUBMIT (consumers' ready
-- work turns waiting: nothing consumes stale data) and its work is reset:
-- attempts and failures 0, state ready or waiting as its inputs are now,
-- so that the chain reruns in dependency order. A running partition is
-- refused (and its consumers left alone): returned with the holding run.
-- Every change gets an audit row by p_who with p_reason; above
-- df_resubmit_audit_rows() changes, one row per job instead (count,
-- first and last dataid, states before and after). Rows come back
-- parents first; depth is the distance from p_jobid; count is 1. With
-- p_rows, only the refused rows and the first p_rows others come back,
-- then per job and new state one row of action "summary" whose count is
-- how many of its partitions were resubmitted to that state (depth the
-- least, dataid the first). The caller's transaction can roll it all back
-- for a dry run.
--
-- Set-based for a million partitions: the closure joins each level with
-- the job graph's edges (carrying each row's state, so that a running one
-- stops it without a probe), and every step is one statement over all the
-- partitions (arrays); what the summaries need is counted as the work is
-- written.
DROP FUNCTION IF EXISTS df_resubmit(text, text[], boolean, boolean, text,
    text);
CREATE OR REPLACE FUNCTION df_resubmit(p_jobid text, p_dataids text[],
    p_failed boolean, p_downstream boolean, p_who text, p_reason text,
    p_rows integer DEFAULT NULL)
RETURNS TABLE (jobid text, dataid text, depth integer, action text,
    old_state text, new_state text, run_id bigint, host text,
    since timestamptz, outputs jsonb, count bigint)
LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT
SET jit = off SET work_mem = '256MB' AS $$
#variable_conflict use_variable
DECLARE
	v_jobs		text[];
	v_dataids	text[];
	v_depths	integer[];
	v_old		text[];
	v_sets		text[];
	v_ids		text[];
	v_setjobs	text[];
	v_ready		text[];
	v_sum		jsonb;
	v_n		bigint;
BEGIN
	PERFORM df_require_job(p_jobid);
	-- Resubmits are rare and their trigger cascades may cross: one at
	-- a time, so that two of them cannot deadlock on each other's work.
	PERFORM pg_advisory_xact_lock(hashtext('dataflow'),
	    hashtext('resubmit'));

	-- Everything this command touches, (jobid, dataid) once at its
	-- least depth (in no order: the locks sort, and so do the rows).
	WITH RECURSIVE e(parent, child) AS (
		SELECT DISTINCT o.jobid, c.jobid
		FROM job_item o
		JOIN job_item c ON c.datasetid = o.datasetid
		    AND c.itemtype = 'IN'
		JOIN job cj ON cj.jobid = c.jobid AND cj.removed IS NULL
		WHERE p_downstream AND o.itemtype = 'OUT'
	), t(jobid, dataid, depth, state) AS (
		SELECT p_jobid, d.d, 0, w.state FROM (
			SELECT unnest(coalesce(p_dataids, '{}'))
			UNION
			SELECT w.dataid FROM work w
			WHERE p_failed AND w.jobid = p_jobid
			  AND w.state = 'failed') d(d)
		LEFT JOIN work w ON w.jobid = p_jobid AND w.dataid = d.d
		UNION
		SELECT e.child, t.dataid, t.depth + 1, w.state
		FROM t
		JOIN e ON e.parent = t.jobid
		JOIN work w ON w.jobid = e.child AND w.dataid = t.dataid
		WHERE t.depth < 1000 AND t.state IS DISTINCT FROM 'running')
	SELECT coalesce(array_agg(m.jobid), '{}'),
	    coalesce(array_agg(m.dataid), '{}'),
	    coalesce(array_agg(m.depth), '{}')
	INTO v_jobs, v_dataids, v_depths
	FROM (SELECT t.jobid, t.dataid, min(t.depth) AS depth
	    FROM t GROUP BY t.jobid, t.dataid) m;

	-- Lock their work, in one order so that concurrent resubmits
	-- cannot deadlock: no claim takes it meanwhile, and the states read
	-- (the locked rows' latest) are final.
	SELECT coalesce(array_agg(l.state ORDER BY u.n), '{}') INTO v_old
	FROM unnest(v_jobs, v_dataids) WITH ORDINALITY u(jobid, dataid, n)
	LEFT JOIN (SELECT w.jobid, w.dataid, w.state
	    FROM work w JOIN unnest(v_jobs, v_dataids) x(jobid, dataid)
		ON w.jobid = x.jobid AND w.dataid = x.dataid
	    ORDER BY w.jobid, w.dataid
	    FOR UPDATE OF w) l
	ON l.jobid = u.jobid AND l.dataid = u.dataid;

	-- Their outputs are stale: consumers' ready work waits
	-- (df_propagate_unready: set-based, the row triggers stand aside).
	-- One producer per dataset: what the UPDATE returns is each
	-- partition's stale outputs.
	PERFORM set_config('dataflow.set_based', 'on', true);
	WITH x AS (
		UPDATE partition_status s SET status = 'RESUBMIT',
		    modified = now()
		FROM unnest(v_jobs, v_dataids, v_old) u(jobid, dataid, old)
		JOIN job_item o ON o.jobid = u.jobid AND o.itemtype = 'OUT'
		WHERE u.old IS DISTINCT FROM 'running'
		  AND s.datasetid = o.datasetid AND s.dataid = u.dataid
		  AND s.status IN ('READY', 'FAILED')
		RETURNING u.jobid, s.datasetid, s.dataid
	)
	SELECT array_agg(x.datasetid), array_agg(x.dataid),
	    array_agg(x.jobid)
	INTO v_sets, v_ids, v_setjobs FROM x;
	PERFORM df_propagate_unready(v_sets, v_ids);

	-- Then the work, whose inputs may just have become stale; its
	-- state as df_pending_state decides it: one anti-join finds the
	-- partitions with an input not READY. Counted per job, state
	-- before and after, for the summaries.
	WITH u AS (
		SELECT * FROM unnest(v_jobs, v_dataids, v_depths, v_old)
		    u(jobid, dataid, depth, old)
		WHERE u.old IS DISTINCT FROM 'running'
	), m AS (
		SELECT DISTINCT u.jobid, u.dataid FROM u
		JOIN job_item i ON i.jobid = u.jobid AND i.itemtype = 'IN'
		    AND i.datasetid <> 'trigger'
		WHERE NOT EXISTS (SELECT 1 FROM partition_status s
			WHERE s.datasetid = i.datasetid
			  AND s.dataid = u.dataid AND s.status = 'READY')
	), n AS (
		SELECT u.jobid, u.dataid, u.depth, u.old,
		    CASE WHEN m.jobid IS NULL THEN 'ready'
			ELSE 'waiting' END AS state
		FROM u LEFT JOIN m ON m.jobid = u.jobid
		    AND m.dataid = u.dataid
	), up AS (
		UPDATE work w SET state = n.state, attempts = 0,
		    failures = 0, modified = now()
		FROM n
		WHERE n.old IS NOT NULL
		  AND w.jobid = n.jobid AND w.dataid = n.dataid
		RETURNING w.jobid, w.dataid, w.state, n.old, n.depth
	), ins AS (
		INSERT INTO work AS w (jobid, dataid, state)
		SELECT n.jobid, n.dataid, n.state FROM n
		WHERE n.old IS NULL
		ON CONFLICT ON CONSTRAINT work_pkey DO UPDATE
		SET state = excluded.state, attempts = 0, failures = 0,
		    modified = now()
		RETURNING w.jobid, w.dataid, w.state
	), z AS (
		SELECT up.jobid, up.dataid, up.state, up.old, up.depth
		FROM up
		UNION ALL
		SELECT ins.jobid, ins.dataid, ins.state, NULL, 0 FROM ins
	)
	SELECT coalesce(jsonb_agg(jsonb_build_object('jobid', g.jobid,
		'old', g.old, 'state', g.state, 'n', g.n, 'first', g.first,
		'last', g.last, 'depth', g.depth)), '[]')
	INTO v_sum
	FROM (SELECT z.jobid, z.old, z.state, count(*) AS n,
		min(z.dataid) AS first, max(z.dataid) AS last,
		min(z.depth) AS depth
	    FROM z GROUP BY z.jobid, z.old, z.state) g;
	SELECT array_agg(DISTINCT s.jobid) FILTER (WHERE s.state = 'ready'),
	    coalesce(sum(s.n), 0)
	INTO v_ready, v_n
	FROM jsonb_to_recordset(v_sum) s(jobid text, state text, n bigint);
	PERFORM df_work_notify_jobs(v_ready);
	PERFORM set_config('dataflow.set_based', 'off', true);

	-- The audit trail: a row per partition, or above
	-- df_resubmit_audit_rows() one per job: detail {"requested",
	-- "depth" (the least), "count", "first", "last", "from": {old
	-- state: count}, "to": {new state: count}}.
	IF v_n <= df_resubmit_audit_rows() THEN
		INSERT INTO audit (who, action, jobid, dataid, detail, reason)
		SELECT p_who, 'resubmit', r.jobid, r.dataid,
		    jsonb_build_object('from', r.old_state, 'to', r.new_state,
			'requested', p_jobid, 'depth', r.depth, 'outputs',
			r.outputs),
		    p_reason
		FROM df_resubmit_rows(v_jobs, v_dataids, v_depths, v_old,
		    v_setjobs, v_ids, v_sets, NULL) r
		WHERE r.action = 'resubmit';
	ELSE
		INSERT INTO audit (who, action, jobid, dataid, detail, reason)
		SELECT p_who, 'resubmit', j.jobid, NULL,
		    jsonb_build_object('requested', p_jobid,
			'depth', j.depth, 'count', j.n, 'first', j.first,
			'last', j.last,
			'from', (SELECT jsonb_object_agg(f.old, f.n)
			    FROM (SELECT coalesce(t.old, '(none)') AS old,
				sum(t.n) AS n
				FROM jsonb_to_recordset(v_sum) t(jobid text,
				    old text, n bigint)
				WHERE t.jobid = j.jobid GROUP BY 1) f),
			'to', (SELECT jsonb_object_agg(f.state, f.n)
			    FROM (SELECT t.state, sum(t.n) AS n
				FROM jsonb_to_recordset(v_sum) t(jobid text,
				    state text, n bigint)
				WHERE t.jobid = j.jobid GROUP BY 1) f)),
		    p_reason
		FROM (SELECT s.jobid, min(s.depth) AS depth, sum(s.n) AS n,
			min(s.first) AS first, max(s.last) AS last
		    FROM jsonb_to_recordset(v_sum) s(jobid text, n bigint,
			first text, last text, depth integer)
		    GROUP BY s.jobid) j
		ORDER BY j.depth, j.jobid;
	END IF;

	RETURN QUERY
	SELECT * FROM df_resubmit_rows(v_jobs, v_dataids, v_depths, v_old,
	    v_setjobs, v_ids, v_sets, p_rows)
	UNION ALL
	SELECT s.* FROM (
		SELECT t.jobid, min(t.first), min(t.depth), 'summary', NULL,
		    t.state, NULL::bigint, NULL, NULL::timestamptz,
		    NULL::jsonb, sum(t.n)::bigint
		FROM jsonb_to_recordset(v_sum) t(jobid text, state text,
		    n bigint, first text, depth integer)
		WHERE p_rows IS NOT NULL
		GROUP BY t.jobid, t.state
		ORDER BY 3, 1, 6) s;
END
$$;

-- Above how many resubmitted partitions df_resubmit audits one row per
-- job rather than one per partition.
CREATE OR REPLACE FUNCTION df_resubmit_audit_rows()
RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
	SELECT 10000::bigint
$$;

-- The partitions of a resubmit, parents first, as df_resubmit returns
-- them: p_jobs[i], p_dataids[i] at depth p_depths[i], its work (reset
-- already) in state p_old[i] before, p_sets[k] the stale outputs of
-- p_setjobs[k] at p_ids[k]; with p_rows only the refused and the first
-- p_rows others.
CREATE OR REPLACE FUNCTION df_resubmit_rows(p_jobs text[], p_dataids text[],
    p_depths integer[], p_old text[], p_setjobs text[], p_ids text[],
    p_sets text[], p_rows integer)
RETURNS TABLE (jobid text, dataid text, depth integer, action text,
    old_state text, new_state text, run_id bigint, host text,
    since timestamptz, outputs jsonb, count bigint)
LANGUAGE sql STABLE
SET search_path FROM CURRENT AS $$
	WITH u AS (
		SELECT * FROM unnest(p_jobs, p_dataids, p_depths, p_old)
		    u(jobid, dataid, depth, old)
	), k AS (
		SELECT u.* FROM u WHERE p_rows IS NULL OR u.old = 'running'
		UNION ALL
		SELECT f.* FROM (SELECT u.* FROM u
		    WHERE p_rows IS NOT NULL
		      AND u.old IS DISTINCT FROM 'running'
		    ORDER BY u.depth, u.jobid, u.dataid LIMIT p_rows) f
	), o AS (
		SELECT x.jobid, x.dataid, jsonb_agg(x.datasetid
		    ORDER BY x.datasetid) AS outs
		FROM unnest(p_setjobs, p_ids, p_sets) x(jobid, dataid,
		    datasetid)
		GROUP BY x.jobid, x.dataid
	)
	SELECT k.jobid, k.dataid, k.depth,
	    CASE WHEN k.old = 'running' THEN 'refused' ELSE 'resubmit' END,
	    k.old, CASE WHEN k.old = 'running' THEN NULL ELSE w.state END,
	    h.run_id, h.host, h.started,
	    CASE WHEN k.old = 'running' THEN '[]'::jsonb
		ELSE coalesce(o.outs, '[]'::jsonb) END,
	    1::bigint
	FROM k
	LEFT JOIN work w ON w.jobid = k.jobid AND w.dataid = k.dataid
	LEFT JOIN run h ON h.run_id = w.run_id AND k.old = 'running'
	LEFT JOIN o ON o.jobid = k.jobid AND o.dataid = k.dataid
	ORDER BY k.depth, k.jobid, k.dataid
$$;

-- Pause or resume a job, with an audit row by p_who. Runs in progress go
-- on; a paused job claims nothing. Return whether anything changed.
CREATE OR REPLACE FUNCTION df_set_paused(p_jobid text, p_paused boolean,
    p_who text, p_reason text)
RETURNS boolean LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
	v_was	boolean;
BEGIN
	SELECT j.paused INTO v_was FROM job j
	WHERE j.jobid = p_jobid AND j.removed IS NULL
	FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown job "%"', p_jobid
		    USING ERRCODE = 'DF001';
	END IF;
	IF v_was = p_paused THEN
		RETURN false;
	END IF;
	UPDATE job j SET paused = p_paused, modified = now()
	WHERE j.jobid = p_jobid;
	PERFORM df_audit(p_who,
	    CASE WHEN p_paused THEN 'pause' ELSE 'resume' END,
	    p_jobid => p_jobid, p_reason => p_reason);
	-- Its ready work is claimable again: no work row changed to say so.
	IF NOT p_paused THEN
		PERFORM pg_notify(df_channel('work'), p_jobid);
	END IF;
	RETURN true;
END
$$;

-- Mark partitions p_dataids of an external dataset READY ("dataflow
-- ready"), with one audit row by p_who. Return how many changed (the
-- others were READY already), or NULL when the dataset is unknown, removed
-- or "today", which dataflow manages itself. "trigger" is refused (DF003):
-- its jobs get work from df_trigger. p_reason (may be NULL) goes in the
-- audit row; the three-argument form of version 8 and before is dropped so
-- that a call without a reason has one function to resolve to.
DROP FUNCTION IF EXISTS df_ready(text, text[], text);
CREATE OR REPLACE FUNCTION df_ready(p_datasetid text, p_dataids text[],
    p_who text, p_reason text DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT
SET jit = off AS $$
DECLARE
	v_n		bigint;
	v_changed	text[];
	v_k		integer := coalesce(cardinality(p_dataids), 0);
BEGIN
	IF p_datasetid = 'trigger' THEN
		RAISE EXCEPTION 'the dataset "trigger" has no READY '
		    'partitions: "dataflow trigger JOB" makes work for the '
		    'jobs that read it' USING ERRCODE = 'DF003';
	END IF;
	PERFORM 1 FROM dataset d
	WHERE d.datasetid = p_datasetid AND d.removed IS NULL
	  AND d.datasetid <> 'today';
	IF NOT FOUND OR v_k = 0 THEN
		RETURN NULL;
	END IF;
	-- Set-based (df_set_based): the row triggers stand aside and the
	-- consumers' work is made for all changed partitions at once.
	PERFORM set_config('dataflow.set_based', 'on', true);
	WITH x AS (
		INSERT INTO partition_status AS s (datasetid, dataid, status)
		SELECT p_datasetid, d, 'READY' FROM unnest(p_dataids) AS d
		ON CONFLICT (datasetid, dataid) DO UPDATE
		SET status = 'READY', run_id = NULL, modified = now()
		WHERE s.status <> 'READY'
		RETURNING s.dataid
	)
	SELECT count(*), array_agg(x.dataid) INTO v_n, v_changed FROM x;
	PERFORM df_propagate_ready(p_datasetid, v_changed);
	PERFORM set_config('dataflow.set_based', 'off', true);
	PERFORM df_audit(p_who, 'ready',
	    jsonb_build_object('requested', v_k, 'changed', v_n,
		'first', p_dataids[1], 'last', p_dataids[v_k]),
	    p_datasetid => p_datasetid,
	    p_dataid => CASE WHEN v_k = 1 THEN p_dataids[1] END,
	    p_reason => p_reason);
	RETURN v_n;
END
$$;

-- Import partition statuses (dataflow import-opendataflow): partition
-- p_dataids[i] of dataset p_datasetids[i] gets status p_statuses[i], unless
-- dataflow is producing it now (RUNNING), which keeps its status. Returns
-- how many were written. For the owner only (no role is granted it).
CREATE OR REPLACE FUNCTION df_import_partitions(p_datasetids text[],
    p_dataids text[], p_statuses text[])
RETURNS bigint LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
DECLARE
	v_n	bigint;
BEGIN
	INSERT INTO partition_status AS s (datasetid, dataid, status)
	SELECT * FROM unnest(p_datasetids, p_dataids, p_statuses)
	ON CONFLICT (datasetid, dataid) DO UPDATE
	SET status = excluded.status, run_id = NULL, modified = now()
	WHERE s.status <> 'RUNNING';
	GET DIAGNOSTICS v_n = ROW_COUNT;
	RETURN v_n;
END
$$;

-- Import what jobs did on partitions (dataflow import-opendataflow): job
-- p_jobids[i] on partition p_dataids[i] p_kinds[i], one of 'succeeded',
-- 'failed' (one failed attempt, retried while attempts remain) or 'rerun'
-- (resubmitted: no attempt counted). The state follows df_end_run's rule
-- (df_work_state_after); a partition dataflow runs now is left as it is.
-- Call it after the partitions, whose trigger made the consumers' work.
-- Returns how many were written. For the owner only.
CREATE OR REPLACE FUNCTION df_import_work(p_jobids text[], p_dataids text[],
    p_kinds text[])
RETURNS bigint LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
DECLARE
	v_n	bigint;
BEGIN
	IF EXISTS (SELECT 1 FROM unnest(p_kinds) k
	    WHERE k IS DISTINCT FROM 'succeeded'
	      AND k IS DISTINCT FROM 'failed'
	      AND k IS DISTINCT FROM 'rerun') THEN
		RAISE EXCEPTION 'df_import_work: a kind is not succeeded, '
		    'failed or rerun';
	END IF;
	INSERT INTO work AS w (jobid, dataid, state, attempts, failures)
	SELECT t.jobid, t.dataid,
	    df_work_state_after(t.jobid, t.dataid, t.kind = 'succeeded',
		t.kind = 'failed', 0, j.max_attempts),
	    CASE WHEN t.kind = 'rerun' THEN 0 ELSE 1 END,
	    CASE WHEN t.kind = 'failed' THEN 1 ELSE 0 END
	FROM unnest(p_jobids, p_dataids, p_kinds) AS t(jobid, dataid, kind)
	JOIN job j ON j.jobid = t.jobid
	ON CONFLICT (jobid, dataid) DO UPDATE
	SET state = excluded.state, attempts = excluded.attempts,
	    failures = excluded.failures, run_id = NULL, modified = now()
	WHERE w.state <> 'running';
	GET DIAGNOSTICS v_n = ROW_COUNT;
	RETURN v_n;
END
$$;

-- Return the one job, not removed, whose tags include every pair of
-- p_tags (a JSON object of text values; "dataflow trigger --match", the
-- API's "match"). Errors: DF005 no job has them (naming the pairs),
-- DF006 several have (naming the jobs), 22023 p_tags not a non-empty
-- object of strings.
CREATE OR REPLACE FUNCTION df_match_job(p_tags jsonb)
RETURNS text
LANGUAGE plpgsql STABLE
SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
	v_jobs	text[];
	v_pairs	text;
BEGIN
	IF jsonb_typeof(p_tags) IS DISTINCT FROM 'object'
	    OR p_tags = '{}'::jsonb
	    OR EXISTS (SELECT 1 FROM jsonb_each(p_tags) x
		WHERE jsonb_typeof(x.value) <> 'string') THEN
		RAISE EXCEPTION 'expected a non-empty object of tags'
		    USING ERRCODE = '22023';
	END IF;
	SELECT array_agg(j.jobid ORDER BY j.jobid) INTO v_jobs
	FROM job j WHERE j.removed IS NULL AND j.tags @> p_tags;
	IF coalesce(cardinality(v_jobs), 0) = 1 THEN
		RETURN v_jobs[1];
	END IF;
	SELECT string_agg(x.key || '=' || x.value, ', ' ORDER BY x.key)
	INTO v_pairs FROM jsonb_each_text(p_tags) x;
	IF v_jobs IS NULL THEN
		RAISE EXCEPTION 'no job has the tags %', v_pairs
		    USING ERRCODE = 'DF005';
	END IF;
	RAISE EXCEPTION 'the tags % select several jobs: %', v_pairs,
	    array_to_string(v_jobs, ', ')
	    USING ERRCODE = 'DF006',
	    HINT = 'give more tags, or the job';
END
$$;

-- Trigger partitions of a job whose inputs include "trigger" ("dataflow
-- trigger", the API), all in this transaction: one work row per item of
-- p_items, a JSON array of {"dataid"?: text, "params"?: {NAME: text}}.
-- A given dataid the job already has work for creates nothing (created is
-- false): a retried call never runs twice. A generated dataid is
-- YYYYMMDDTHHMMSSZ-NNNNNNNNNNNN (the transaction's UTC time, then a
-- counter): valid, unique, sorting in trigger order. A row is ready when
-- the job's other inputs are READY for it, else waiting; it keeps its
-- params (over the job's, under runjob --param), p_label and p_who for
-- the run (df_claim). One audit row by p_who. Rows come back in item
-- order with the row's label and state. Errors, and nothing created:
-- DF001 unknown job, DF003 a job that does not read "trigger", 22023 a
-- malformed item (named by its position from 1). Parameter names are
-- checked against the environment rules by the caller (lib/trigger.c),
-- which knows the host's env_allow.
CREATE OR REPLACE FUNCTION df_trigger(p_jobid text, p_items jsonb,
    p_label text, p_who text)
RETURNS TABLE (jobid text, dataid text, label text, created boolean,
    state text)
LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
#variable_conflict use_variable
DECLARE
	v_n		integer;
	v_bad		text;
	v_at		bigint;
	v_ids		text[];
	v_labels	text[];
	v_created	boolean[];
	v_states	text[];
	v_made		bigint;
	v_ready		boolean;
	v_stamp		text := to_char(now() AT TIME ZONE 'UTC',
			    'YYYYMMDD"T"HH24MISS"Z"');
BEGIN
	PERFORM df_require_job(p_jobid);
	PERFORM 1 FROM job_item i WHERE i.jobid = p_jobid
	  AND i.itemtype = 'IN' AND i.datasetid = 'trigger';
	IF NOT FOUND THEN
		RAISE EXCEPTION 'job "%" does not read the dataset "trigger"',
		    p_jobid USING ERRCODE = 'DF003',
		    HINT = 'a job is triggered when "trigger" is one of its '
			'inputs in the configuration';
	END IF;
	IF jsonb_typeof(p_items) IS DISTINCT FROM 'array'
	    OR jsonb_array_length(p_items) = 0 THEN
		RAISE EXCEPTION 'expected a non-empty array of items'
		    USING ERRCODE = '22023';
	END IF;
	v_n := jsonb_array_length(p_items);

	-- Every item is checked before anything is written; the first bad
	-- one is named by its position.
	SELECT x.n, x.bad INTO v_at, v_bad
	FROM (SELECT e.n, CASE
	    WHEN jsonb_typeof(e.item) <> 'object' THEN 'not an object'
	    WHEN EXISTS (SELECT 1 FROM jsonb_object_keys(e.item) k
		WHERE k NOT IN ('dataid', 'params'))
	    THEN 'knows only "dataid" and "params"'
	    WHEN e.item ? 'dataid' AND (jsonb_typeof(e.item->'dataid')
		IS DISTINCT FROM 'string' OR NOT (e.item->>'dataid' ~
		'^[A-Za-z0-9_.:+=@,-]{1,128}$'))
	    THEN 'dataid is not a valid dataid'
	    WHEN jsonb_typeof(coalesce(e.item->'params', '{}')) <> 'object'
	    THEN 'params is not an object'
	    WHEN EXISTS (SELECT 1 FROM jsonb_each(coalesce(e.item->'params',
		'{}')) x
		WHERE NOT x.key ~ '^[A-Za-z_][A-Za-z0-9_]{0,62}$'
		   OR jsonb_typeof(x.value) <> 'string')
	    THEN 'params must map identifiers to strings'
	    END AS bad
	    FROM jsonb_array_elements(p_items) WITH ORDINALITY AS e(item, n)) x
	WHERE x.bad IS NOT NULL ORDER BY x.n LIMIT 1;
	IF v_bad IS NOT NULL THEN
		RAISE EXCEPTION 'item %: %', v_at, v_bad
		    USING ERRCODE = '22023';
	END IF;

	-- One INSERT for all the items, in their order, the row triggers
	-- standing aside (df_set_based) and the job's workers told once. An
	-- item without a dataid gets the next of trigger_dataid_seq; of two
	-- items naming one dataid, the first creates it.
	PERFORM set_config('dataflow.set_based', 'on', true);
	WITH items AS (
		SELECT e.n, CASE WHEN e.item ? 'dataid'
			THEN e.item->>'dataid'
			ELSE v_stamp || '-' || lpad(s.v::text,
			    greatest(12, length(s.v::text)), '0') END AS d,
		    nullif(coalesce(e.item->'params', '{}'), '{}'::jsonb) AS p
		FROM jsonb_array_elements(p_items) WITH ORDINALITY AS e(item, n)
		CROSS JOIN LATERAL (SELECT CASE WHEN e.item ? 'dataid'
		    THEN NULL ELSE nextval('trigger_dataid_seq') END AS v) s
	), firsts AS (
		SELECT i.*, row_number() OVER (PARTITION BY i.d
		    ORDER BY i.n) = 1 AS first
		FROM items i
	), ins AS (
		INSERT INTO work AS w (jobid, dataid, state, params, label,
		    triggered_by)
		SELECT p_jobid, f.d, df_pending_state(p_jobid, f.d), f.p,
		    p_label, p_who
		FROM firsts f WHERE f.first ORDER BY f.n
		ON CONFLICT ON CONSTRAINT work_pkey DO NOTHING
		RETURNING w.dataid, w.label, w.state
	)
	SELECT array_agg(f.d ORDER BY f.n),
	    array_agg(coalesce(ins.label, w.label) ORDER BY f.n),
	    array_agg(f.first AND ins.dataid IS NOT NULL ORDER BY f.n),
	    array_agg(coalesce(ins.state, w.state) ORDER BY f.n),
	    count(*) FILTER (WHERE f.first AND ins.dataid IS NOT NULL),
	    coalesce(bool_or(f.first AND ins.state = 'ready'), false)
	INTO v_ids, v_labels, v_created, v_states, v_made, v_ready
	FROM firsts f
	LEFT JOIN ins ON ins.dataid = f.d
	LEFT JOIN work w ON w.jobid = p_jobid AND w.dataid = f.d;
	PERFORM set_config('dataflow.set_based', 'off', true);
	IF v_ready THEN
		PERFORM df_work_notify_jobs(ARRAY[p_jobid]);
	END IF;

	INSERT INTO audit (who, action, jobid, dataid, detail)
	VALUES (p_who, 'trigger', p_jobid, CASE WHEN v_n = 1 THEN v_ids[1] END,
	    jsonb_build_object('requested', v_n, 'created', v_made,
		'label', p_label, 'first', v_ids[1], 'last', v_ids[v_n]));

	RETURN QUERY
	SELECT p_jobid, u.d, u.l, u.c, u.s
	FROM unnest(v_ids, v_labels, v_created, v_states)
	    WITH ORDINALITY AS u(d, l, c, s, n)
	ORDER BY u.n;
END
$$;
