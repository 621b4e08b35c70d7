-- 010_counts.sql: schema version 10: status counts every job's work
-- without reading its backlog (docs/PERFORMANCE.md "Listings at scale").
-- work_done, which counted each job's succeeded work rows, counts the
-- others too, by what status derives from them; the claim (ready to
-- running) still changes no count and writes nothing here.
--
-- Numbered 10 and written to need nothing of a version 9 but work_done
-- and its triggers (009): it only adds, and replaces their function.

-- Per job and shard, besides n (succeeded): pending, its work rows not
-- succeeded; of those, waiting, failed (attempts exhausted) and retry
-- (ready or running after a failed attempt). What status shows follows
-- with the job's running rows (a few, by the index work_pending):
-- ready = pending - waiting - failed - running, retrying = retry - the
-- running ones that failed before.
ALTER TABLE work_done
	ADD COLUMN pending bigint NOT NULL DEFAULT 0,
	ADD COLUMN waiting bigint NOT NULL DEFAULT 0,
	ADD COLUMN failed bigint NOT NULL DEFAULT 0,
	ADD COLUMN retry bigint NOT NULL DEFAULT 0;

-- What a work row counts as: its state, but ready and running are one
-- kind ("queued", or "retry" after a failure), so that the claim moves
-- no row from one kind to another. Inlined (no SET clause).
CREATE OR REPLACE FUNCTION df_work_kind(p_state text, p_failures integer)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN p_state NOT IN ('ready', 'running') THEN p_state
	    WHEN p_failures > 0 THEN 'retry' ELSE 'queued' END
$$;

-- Add n[i] rows of kind kinds[i] to job[i]'s counts, jobs in id order.
-- Each job's change goes to a row of it that no other transaction holds
-- (SKIP LOCKED), the caller's shard first: a transaction that changes the
-- counts of several jobs (a finish: its job's, then its consumers', one
-- output at a time) never waits for a counter row another holds, and so
-- cannot deadlock on them. It waits only when all 16 rows of a job are
-- held (then for its own shard), or when another transaction is creating
-- the same new row.
DROP FUNCTION IF EXISTS df_work_done_add(text[], bigint[]);
CREATE OR REPLACE FUNCTION df_work_done_add(p_jobids text[],
    p_kinds text[], p_n bigint[])
RETURNS void LANGUAGE sql
SET search_path FROM CURRENT AS $$
	WITH u AS (
		SELECT u.jobid,
		    coalesce(sum(u.n) FILTER (WHERE u.kind = 'succeeded'),
			0)::bigint AS n,
		    coalesce(sum(u.n) FILTER (WHERE u.kind <> 'succeeded'),
			0)::bigint AS pending,
		    coalesce(sum(u.n) FILTER (WHERE u.kind = 'waiting'),
			0)::bigint AS waiting,
		    coalesce(sum(u.n) FILTER (WHERE u.kind = 'failed'),
			0)::bigint AS failed,
		    coalesce(sum(u.n) FILTER (WHERE u.kind = 'retry'),
			0)::bigint AS retry
		FROM unnest(p_jobids, p_kinds, p_n) u(jobid, kind, n)
		GROUP BY u.jobid
	)
	INSERT INTO work_done AS d (jobid, shard, n, pending, waiting, failed,
	    retry)
	SELECT u.jobid, coalesce(f.shard, (SELECT s.s
		FROM (SELECT pg_backend_pid() % 16, 0
		    UNION ALL SELECT generate_series(0, 15), 1) s(s, o)
		WHERE NOT EXISTS (SELECT 1 FROM work_done x
		    WHERE x.jobid = u.jobid AND x.shard = s.s)
		ORDER BY s.o, s.s LIMIT 1), pg_backend_pid() % 16),
	    u.n, u.pending, u.waiting, u.failed, u.retry
	FROM u LEFT JOIN LATERAL (SELECT x.shard FROM work_done x
	    WHERE x.jobid = u.jobid
	    ORDER BY x.shard = pg_backend_pid() % 16 DESC, x.shard
	    LIMIT 1 FOR UPDATE SKIP LOCKED) f ON true
	ORDER BY u.jobid
	ON CONFLICT (jobid, shard) DO UPDATE SET n = d.n + excluded.n,
	    pending = d.pending + excluded.pending,
	    waiting = d.waiting + excluded.waiting,
	    failed = d.failed + excluded.failed,
	    retry = d.retry + excluded.retry
$$;

-- Keep work_done exact: statement-level, from the transition tables, one
-- aggregate by job and kind per statement, whatever its size. A
-- statement whose rows change no kind (the claim) writes nothing.
CREATE OR REPLACE FUNCTION df_work_done_count()
RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
DECLARE
	v_jobids	text[];
	v_kinds		text[];
	v_n		bigint[];
BEGIN
	IF TG_OP = 'TRUNCATE' THEN
		DELETE FROM work_done;
		RETURN NULL;
	ELSIF TG_OP = 'INSERT' THEN
		SELECT array_agg(c.jobid), array_agg(c.kind), array_agg(c.n)
		INTO v_jobids, v_kinds, v_n
		FROM (SELECT x.jobid, df_work_kind(x.state, x.failures)
			AS kind, count(*) AS n
		    FROM new_rows x GROUP BY 1, 2) c;
	ELSIF TG_OP = 'DELETE' THEN
		SELECT array_agg(c.jobid), array_agg(c.kind), array_agg(-c.n)
		INTO v_jobids, v_kinds, v_n
		FROM (SELECT o.jobid, df_work_kind(o.state, o.failures)
			AS kind, count(*) AS n
		    FROM old_rows o GROUP BY 1, 2) c;
	ELSE
		SELECT array_agg(c.jobid), array_agg(c.kind), array_agg(c.n)
		INTO v_jobids, v_kinds, v_n
		FROM (SELECT t.jobid, t.kind, sum(t.n)::bigint AS n FROM (
			SELECT o.jobid, df_work_kind(o.state, o.failures)
			    AS kind, -1 AS n
			FROM old_rows o
			UNION ALL
			SELECT x.jobid, df_work_kind(x.state, x.failures), 1
			FROM new_rows x) t
		    GROUP BY 1, 2 HAVING sum(t.n) <> 0) c;
	END IF;
	IF v_jobids IS NOT NULL THEN
		PERFORM df_work_done_add(v_jobids, v_kinds, v_n);
	END IF;
	RETURN NULL;
END
$$;

-- Count work_done again from the rows; df_counts_refill's half for work.
CREATE OR REPLACE FUNCTION df_work_done_refill()
RETURNS void LANGUAGE sql
SET search_path FROM CURRENT AS $$
	DELETE FROM work_done;
	INSERT INTO work_done (jobid, shard, n, pending, waiting, failed,
	    retry)
	SELECT c.jobid, 0,
	    count(*) FILTER (WHERE c.kind = 'succeeded'),
	    count(*) FILTER (WHERE c.kind <> 'succeeded'),
	    count(*) FILTER (WHERE c.kind = 'waiting'),
	    count(*) FILTER (WHERE c.kind = 'failed'),
	    count(*) FILTER (WHERE c.kind = 'retry')
	FROM (SELECT w.jobid, df_work_kind(w.state, w.failures) AS kind
	    FROM work w) c
	GROUP BY c.jobid;
$$;

-- As in 009, with work_done's new columns.
CREATE OR REPLACE FUNCTION df_counts_refill()
RETURNS void LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
	LOCK TABLE work, run IN SHARE MODE;
	PERFORM df_work_done_refill();
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

-- The upgrade counts work alone: host_runs did not change.
LOCK TABLE work IN SHARE MODE;
SELECT df_work_done_refill();
