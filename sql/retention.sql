-- retention.sql: bounded history ("dataflow purge", SPEC §10): delete
-- finished runs, audit rows and workers older than a cut, in batches that
-- the caller commits one by one, so that no lock is held for long.
--
-- Re-created by every "dataflow init" (CREATE OR REPLACE) after migrations,
-- like functions.sql. For the schema's owner only (no role is granted
-- them): purging deletes history and the audit trail, which an operator
-- may read but not rewrite.

-- The next at most p_batch runs after run p_after (run_id order, which is
-- start order), each with whether purge may delete it: finished (not
-- RUNNING) before p_before, not its (job, dataid)'s latest run, and no
-- work row, output partition or worker points at it. Deleting such a run
-- changes nothing that decides a claim (the work table alone does, and a
-- work row points at its partition's latest run at most), what explain
-- says of a pending partition, or the runs a worker is shown on. Inlined
-- into df_purge_runs (no SET clause), whose search_path is pinned.
CREATE OR REPLACE FUNCTION df_purge_scan(p_before timestamptz,
    p_after bigint, p_batch integer)
RETURNS TABLE (run_id bigint, started timestamptz, purgeable boolean)
LANGUAGE sql STABLE AS $$
	SELECT r.run_id, r.started,
	    r.status <> 'RUNNING' AND r.ended < p_before
	    AND EXISTS (SELECT 1 FROM run n WHERE n.jobid = r.jobid
		AND n.dataid = r.dataid AND n.run_id > r.run_id)
	    AND NOT EXISTS (SELECT 1 FROM work w WHERE w.jobid = r.jobid
		AND w.dataid = r.dataid AND w.run_id = r.run_id)
	    AND NOT EXISTS (SELECT 1 FROM job_item o
		JOIN partition_status s ON s.datasetid = o.datasetid
		WHERE o.jobid = r.jobid AND o.itemtype = 'OUT'
		  AND s.dataid = r.dataid AND s.run_id = r.run_id)
	    AND r.run_id NOT IN (SELECT k.run_id FROM worker k
		WHERE k.run_id IS NOT NULL)
	FROM run r
	WHERE r.run_id > p_after
	ORDER BY r.run_id
	LIMIT p_batch
$$;

-- Drop the hours of run_durations that start before p_before's hour, and
-- say that it holds every run from that hour on (run_durations_since).
CREATE OR REPLACE FUNCTION df_purge_durations(p_before timestamptz)
RETURNS void LANGUAGE sql
SET search_path FROM CURRENT AS $$
	WITH d AS (
		DELETE FROM run_durations x
		WHERE x.hour < df_duration_hour(p_before)
	)
	UPDATE run_durations_since SET since = greatest(since,
	    df_duration_hour(p_before))
$$;

-- One batch of the purge of runs: delete (or with p_dry_run only count)
-- the purgeable runs among the p_batch after run p_after. Returns how
-- many, the last run_id looked at (the next call's p_after) and whether
-- the purge is done: no run after it, or every run looked at started at
-- or after p_before (later ones did too). The caller commits each batch.
-- The first batch (p_after 0) also drops the hours of run_durations
-- before p_before that are more than 7 days old (metrics' windows up to
-- a week keep their figures whatever the runs purged; a longer window
-- reads the runs kept from there).
CREATE OR REPLACE FUNCTION df_purge_runs(p_before timestamptz,
    p_after bigint, p_batch integer, p_dry_run boolean,
    OUT purged bigint, OUT last_run_id bigint, OUT done boolean)
LANGUAGE plpgsql
SET search_path FROM CURRENT SET jit = off AS $$
BEGIN
	IF coalesce(p_after, 0) = 0 AND NOT p_dry_run THEN
		PERFORM df_purge_durations(least(p_before,
		    now() - interval '7 days'));
	END IF;
	WITH b AS MATERIALIZED (
		SELECT * FROM df_purge_scan(p_before, coalesce(p_after, 0),
		    greatest(p_batch, 1))
	), d AS (
		DELETE FROM run r USING b
		WHERE r.run_id = b.run_id AND b.purgeable AND NOT p_dry_run
		RETURNING r.run_id
	)
	SELECT CASE WHEN p_dry_run
		THEN count(*) FILTER (WHERE b.purgeable)
		ELSE (SELECT count(*) FROM d) END,
	    max(b.run_id), coalesce(bool_and(b.started >= p_before), true)
	INTO purged, last_run_id, done FROM b;
END
$$;

-- One batch of the purge of the audit trail: delete (or count) at most
-- p_batch audit rows older than p_before, oldest first. Returns how many;
-- fewer than p_batch means done. A dry run counts them all at once.
CREATE OR REPLACE FUNCTION df_purge_audit(p_before timestamptz,
    p_batch integer, p_dry_run boolean)
RETURNS bigint LANGUAGE sql
SET search_path FROM CURRENT AS $$
	WITH a AS (
		SELECT x.audit_id FROM audit x WHERE x.at < p_before
		ORDER BY x.at
		LIMIT CASE WHEN p_dry_run THEN NULL ELSE greatest(p_batch, 1) END
	), d AS (
		DELETE FROM audit x USING a
		WHERE x.audit_id = a.audit_id AND NOT p_dry_run
		RETURNING x.audit_id
	)
	SELECT CASE WHEN p_dry_run THEN (SELECT count(*) FROM a)
	    ELSE (SELECT count(*) FROM d) END
$$;

-- Delete (or count) the workers last seen before p_before that are not
-- live: stopped, or gone (silent for more than 2 x beat_secs + 30 s, as
-- df_worker_list derives it). df_worker_start prunes those of more than a
-- week; this is for a shorter history. Returns how many.
CREATE OR REPLACE FUNCTION df_purge_workers(p_before timestamptz,
    p_dry_run boolean)
RETURNS bigint LANGUAGE sql
SET search_path FROM CURRENT AS $$
	WITH k AS (
		SELECT x.worker_id FROM worker x
		WHERE x.last_seen < p_before AND (x.stopped IS NOT NULL
		    OR x.last_seen < now() - make_interval(
			secs => 2 * x.beat_secs + 30))
	), d AS (
		DELETE FROM worker x USING k
		WHERE x.worker_id = k.worker_id AND NOT p_dry_run
		RETURNING x.worker_id
	)
	SELECT CASE WHEN p_dry_run THEN (SELECT count(*) FROM k)
	    ELSE (SELECT count(*) FROM d) END
$$;
