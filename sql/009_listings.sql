-- 009_listings.sql: schema version 9: listings that do not read every row
-- (SPEC §10, docs/PERFORMANCE.md "Listings at scale"). status, metrics,
-- the grid and explain cost the same at ten million runs as at a
-- thousand: they read what is pending, recent or counted, never history.
--
-- Numbered 9 and written to need nothing of a version 8: it only adds.

-- What df_status counts by reading: the work rows not yet done (a few
-- percent of a job's partitions), with what the counts test, so that
-- the scan needs no heap fetch once vacuum has been.
CREATE INDEX work_pending ON work (jobid, state, dataid) INCLUDE (failures)
	WHERE state <> 'succeeded';

-- What it counts without reading: each job's succeeded work rows, as
-- the sum of its rows here. A statement adds its change to one row of
-- the job, chosen by its backend's pid, so that parallel finishes of one
-- job seldom wait for each other's commit; the claim (ready to running)
-- changes no count and never writes here.
CREATE TABLE work_done (
	jobid		text NOT NULL,
	shard		smallint NOT NULL CHECK (shard BETWEEN 0 AND 15),
	n		bigint NOT NULL,
	PRIMARY KEY (jobid, shard)
) WITH (fillfactor = 50);	-- its updates touch no index: HOT

-- Add n[i] to job[i]'s count, in the caller's shard, in one order.
CREATE OR REPLACE FUNCTION df_work_done_add(p_jobids text[], p_n bigint[])
RETURNS void LANGUAGE sql
SET search_path FROM CURRENT AS $$
	INSERT INTO work_done AS d (jobid, shard, n)
	SELECT u.jobid, pg_backend_pid() % 16, u.n
	FROM unnest(p_jobids, p_n) u(jobid, n)
	WHERE u.n <> 0
	ORDER BY u.jobid
	ON CONFLICT (jobid, shard) DO UPDATE SET n = d.n + excluded.n
$$;

-- Keep work_done exact: statement-level, from the transition tables, so
-- that ready or resubmit of a million rows is one aggregate. No foreign
-- key to job: a deleted job's cascade brings its sum back to 0 itself.
-- The trigger of every event; each branch reads only the transition
-- tables its event has (a trigger names no other). A claim (ready to
-- running) moves no count and writes nothing.
CREATE OR REPLACE FUNCTION df_work_done_count()
RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
DECLARE
	v_jobids	text[];
	v_n		bigint[];
BEGIN
	IF TG_OP = 'TRUNCATE' THEN
		DELETE FROM work_done;
		RETURN NULL;
	ELSIF TG_OP = 'INSERT' THEN
		SELECT array_agg(w.jobid), array_agg(w.n) INTO v_jobids, v_n
		FROM (SELECT x.jobid, count(*) AS n FROM new_rows x
		    WHERE x.state = 'succeeded' GROUP BY x.jobid) w;
	ELSIF TG_OP = 'DELETE' THEN
		SELECT array_agg(w.jobid), array_agg(-w.n) INTO v_jobids, v_n
		FROM (SELECT x.jobid, count(*) AS n FROM old_rows x
		    WHERE x.state = 'succeeded' GROUP BY x.jobid) w;
	ELSE
		SELECT array_agg(w.jobid), array_agg(w.n) INTO v_jobids, v_n
		FROM (SELECT c.jobid, sum(c.n)::bigint AS n FROM (
			SELECT o.jobid, -1 AS n FROM old_rows o
			WHERE o.state = 'succeeded'
			UNION ALL
			SELECT x.jobid, 1 FROM new_rows x
			WHERE x.state = 'succeeded') c
		    GROUP BY c.jobid) w;
	END IF;
	IF v_jobids IS NOT NULL THEN
		PERFORM df_work_done_add(v_jobids, v_n);
	END IF;
	RETURN NULL;
END
$$;

CREATE TRIGGER work_done_insert AFTER INSERT ON work
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION df_work_done_count();
CREATE TRIGGER work_done_update AFTER UPDATE ON work
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION df_work_done_count();
CREATE TRIGGER work_done_delete AFTER DELETE ON work
	REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION df_work_done_count();
CREATE TRIGGER work_done_truncate AFTER TRUNCATE ON work
	FOR EACH STATEMENT EXECUTE FUNCTION df_work_done_count();

-- A job's finished runs by status and end: its last success and last
-- failure (one probe per status, backwards) and the successful runs that
-- ended in metrics' window (a range), without reading its history. Only
-- ended runs: a claim's insert does not touch it. With the start, so that
-- the durations come from the index alone.
CREATE INDEX run_job_end ON run (jobid, status, ended) INCLUDE (started)
	WHERE ended IS NOT NULL;

-- Per host, its finished runs by status and when it was first and last
-- seen in them, as the sum (min, max) of its rows here: "workers --hosts"
-- and metrics' host series read these and the live runs (run_live), not
-- the history. Written when a run finishes or is purged, never by the
-- claim (a run starts RUNNING) or a renewal. A purge lowers the counts
-- but keeps first_seen: when the host was first seen, not its oldest run
-- kept. Sharded by backend as work_done.
CREATE TABLE host_runs (
	host		text NOT NULL,
	shard		smallint NOT NULL CHECK (shard BETWEEN 0 AND 15),
	succeeded	bigint NOT NULL DEFAULT 0,
	failed		bigint NOT NULL DEFAULT 0,
	timeout		bigint NOT NULL DEFAULT 0,
	cancelled	bigint NOT NULL DEFAULT 0,
	abandoned	bigint NOT NULL DEFAULT 0,
	first_seen	timestamptz,
	last_seen	timestamptz,
	PRIMARY KEY (host, shard)
) WITH (fillfactor = 50);

-- Add p_sign times one run of p_status (not RUNNING) to p_host's counts,
-- and its times to first_seen and last_seen when p_sign is 1.
CREATE OR REPLACE FUNCTION df_host_count(p_host text, p_status text,
    p_sign integer, p_started timestamptz, p_seen timestamptz)
RETURNS void LANGUAGE sql
SET search_path FROM CURRENT AS $$
	INSERT INTO host_runs AS h (host, shard, succeeded, failed, timeout,
	    cancelled, abandoned, first_seen, last_seen)
	VALUES (p_host, pg_backend_pid() % 16,
	    p_sign * (p_status = 'SUCCEEDED')::integer,
	    p_sign * (p_status = 'FAILED')::integer,
	    p_sign * (p_status = 'TIMEOUT')::integer,
	    p_sign * (p_status = 'CANCELLED')::integer,
	    p_sign * (p_status = 'ABANDONED')::integer,
	    CASE WHEN p_sign > 0 THEN p_started END,
	    CASE WHEN p_sign > 0 THEN p_seen END)
	ON CONFLICT (host, shard) DO UPDATE SET
	    succeeded = h.succeeded + excluded.succeeded,
	    failed = h.failed + excluded.failed,
	    timeout = h.timeout + excluded.timeout,
	    cancelled = h.cancelled + excluded.cancelled,
	    abandoned = h.abandoned + excluded.abandoned,
	    first_seen = least(h.first_seen, excluded.first_seen),
	    last_seen = greatest(h.last_seen, excluded.last_seen)
$$;

-- A row trigger, fired (WHEN) only for a finished run's insert or change:
-- the claim's insert and the renewal's update cost it nothing.
CREATE OR REPLACE FUNCTION df_host_runs_row()
RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
	IF TG_OP = 'UPDATE' AND OLD.status <> 'RUNNING' THEN
		PERFORM df_host_count(OLD.host, OLD.status, -1, NULL, NULL);
	END IF;
	IF NEW.status <> 'RUNNING' THEN
		PERFORM df_host_count(NEW.host, NEW.status, 1, NEW.started,
		    greatest(NEW.started, NEW.heartbeat, NEW.ended));
	END IF;
	RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION df_host_runs_delete()
RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
	INSERT INTO host_runs AS h (host, shard, succeeded, failed, timeout,
	    cancelled, abandoned)
	SELECT o.host, pg_backend_pid() % 16,
	    -count(*) FILTER (WHERE o.status = 'SUCCEEDED'),
	    -count(*) FILTER (WHERE o.status = 'FAILED'),
	    -count(*) FILTER (WHERE o.status = 'TIMEOUT'),
	    -count(*) FILTER (WHERE o.status = 'CANCELLED'),
	    -count(*) FILTER (WHERE o.status = 'ABANDONED')
	FROM old_rows o WHERE o.status <> 'RUNNING'
	GROUP BY o.host ORDER BY o.host
	ON CONFLICT (host, shard) DO UPDATE SET
	    succeeded = h.succeeded + excluded.succeeded,
	    failed = h.failed + excluded.failed,
	    timeout = h.timeout + excluded.timeout,
	    cancelled = h.cancelled + excluded.cancelled,
	    abandoned = h.abandoned + excluded.abandoned;
	RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION df_host_runs_truncate()
RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
	DELETE FROM host_runs;
	RETURN NULL;
END
$$;

CREATE TRIGGER host_runs_insert AFTER INSERT ON run
	FOR EACH ROW WHEN (NEW.status <> 'RUNNING')
	EXECUTE FUNCTION df_host_runs_row();
CREATE TRIGGER host_runs_update AFTER UPDATE ON run
	FOR EACH ROW WHEN (OLD.status <> 'RUNNING' OR NEW.status <> 'RUNNING')
	EXECUTE FUNCTION df_host_runs_row();
CREATE TRIGGER host_runs_delete AFTER DELETE ON run
	REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION df_host_runs_delete();
CREATE TRIGGER host_runs_truncate AFTER TRUNCATE ON run
	FOR EACH STATEMENT EXECUTE FUNCTION df_host_runs_truncate();

-- Count again, from the rows, what the counters hold: in the upgrade's
-- transaction, and after rows were written with the triggers off
-- (session_replication_role = replica: bench/scale, a restore of some
-- tables only). Writers of work and run wait for the caller's commit, so
-- that no change is counted twice or lost.
CREATE OR REPLACE FUNCTION df_counts_refill()
RETURNS void LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
	LOCK TABLE work, run IN SHARE MODE;
	DELETE FROM work_done;
	INSERT INTO work_done (jobid, shard, n)
	SELECT w.jobid, 0, count(*) FROM work w
	WHERE w.state = 'succeeded'
	GROUP BY w.jobid;
	DELETE FROM host_runs;
	INSERT INTO host_runs (host, shard, succeeded, failed, timeout,
	    cancelled, abandoned, first_seen, last_seen)
	SELECT r.host, 0,
	    count(*) FILTER (WHERE r.status = 'SUCCEEDED'),
	    count(*) FILTER (WHERE r.status = 'FAILED'),
	    count(*) FILTER (WHERE r.status = 'TIMEOUT'),
	    count(*) FILTER (WHERE r.status = 'CANCELLED'),
	    count(*) FILTER (WHERE r.status = 'ABANDONED'),
	    min(r.started) FILTER (WHERE r.status <> 'RUNNING'),
	    max(greatest(r.started, r.heartbeat, r.ended))
		FILTER (WHERE r.status <> 'RUNNING')
	FROM run r
	GROUP BY r.host;
END
$$;
SELECT df_counts_refill();
