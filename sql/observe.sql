-- observe.sql: the server-side logic of the observability commands:
-- dataflow metrics, workers, graph and status --grid, one round trip each.
--
-- Re-created by every "dataflow init" (CREATE OR REPLACE) after ops.sql,
-- whose df_status it builds on. Each function pins search_path to the
-- dataflow schema it was created in (SET search_path FROM CURRENT).

-- Per host that ever ran a job, from the run history: runs started, live
-- runs (lease held), stale ones (RUNNING, lease expired: the wrapper is
-- gone and the next claim of that job marks them ABANDONED), runs by final
-- status, and when the host was first and last seen (a run's start, end
-- or heartbeat). The finished runs from their counters (host_runs), the
-- running ones from the runs themselves (the partial index run_live): the
-- cost is that of the hosts and the live runs, not of the history. A host
-- whose runs were all purged is gone; first_seen survives a purge.
CREATE OR REPLACE FUNCTION df_workers()
RETURNS TABLE (host text, runs bigint, running bigint, stale bigint,
    succeeded bigint, failed bigint, timeout bigint, cancelled bigint,
    abandoned bigint, first_seen timestamptz, last_seen timestamptz,
    last_seen_secs double precision)
LANGUAGE sql STABLE
SET search_path FROM CURRENT AS $$
	WITH f AS (
		SELECT h.host, sum(h.succeeded)::bigint AS succeeded,
		    sum(h.failed)::bigint AS failed,
		    sum(h.timeout)::bigint AS timeout,
		    sum(h.cancelled)::bigint AS cancelled,
		    sum(h.abandoned)::bigint AS abandoned,
		    min(h.first_seen) AS first_seen,
		    max(h.last_seen) AS last_seen
		FROM host_runs h
		GROUP BY h.host
	), l AS (
		SELECT r.host,
		    count(*) FILTER (WHERE r.lease_until >= now()) AS running,
		    count(*) FILTER (WHERE r.lease_until < now()) AS stale,
		    min(r.started) AS first_seen,
		    max(greatest(r.started, r.heartbeat, r.ended)) AS last_seen
		FROM run r
		WHERE r.status = 'RUNNING'
		GROUP BY r.host
	), h AS (
		SELECT coalesce(f.host, l.host) AS host,
		    coalesce(f.succeeded, 0) AS succeeded,
		    coalesce(f.failed, 0) AS failed,
		    coalesce(f.timeout, 0) AS timeout,
		    coalesce(f.cancelled, 0) AS cancelled,
		    coalesce(f.abandoned, 0) AS abandoned,
		    coalesce(l.running, 0) AS running,
		    coalesce(l.stale, 0) AS stale,
		    least(f.first_seen, l.first_seen) AS first_seen,
		    greatest(f.last_seen, l.last_seen) AS last_seen
		FROM f FULL JOIN l ON l.host = f.host
	)
	SELECT h.host, h.succeeded + h.failed + h.timeout + h.cancelled
		+ h.abandoned + h.running + h.stale,
	    h.running, h.stale, h.succeeded, h.failed, h.timeout,
	    h.cancelled, h.abandoned, h.first_seen, h.last_seen,
	    greatest(extract(epoch FROM now() - h.last_seen), 0)::
		double precision
	FROM h
	WHERE h.succeeded + h.failed + h.timeout + h.cancelled + h.abandoned
	    + h.running + h.stale > 0
	ORDER BY h.host
$$;

-- The registered workers (runjob --drain/--follow, one per stream), or
-- only p_worker, newest first. state is the stored one, but "stopped"
-- once stopped and "gone" when its heartbeat lapsed: not stopped and not
-- seen for 2 x beat_secs + 30 s (a SIGKILLed worker is never shown
-- running forever). run_id and dataid: the run it is on (running), or
-- was on when it vanished (gone); otherwise null.
CREATE OR REPLACE FUNCTION df_worker_list(p_worker bigint)
RETURNS TABLE (worker_id bigint, jobid text, host text, pid integer,
    username text, mode text, stream integer, version text,
    started timestamptz, last_seen timestamptz,
    last_seen_secs double precision, beat_secs integer,
    stopped timestamptz, state text, run_id bigint, dataid text,
    processed bigint, succeeded bigint, failed bigint)
LANGUAGE sql STABLE
SET search_path FROM CURRENT AS $$
	SELECT k.worker_id, k.jobid, k.host, k.pid, k.username, k.mode,
	    k.stream, k.version, k.started, k.last_seen,
	    greatest(extract(epoch FROM now() - k.last_seen), 0)::
		double precision,
	    k.beat_secs, k.stopped, s.state,
	    CASE WHEN s.state = 'running' OR (s.state = 'gone'
		AND k.state = 'running') THEN k.run_id END,
	    CASE WHEN s.state = 'running' OR (s.state = 'gone'
		AND k.state = 'running') THEN r.dataid END,
	    k.processed, k.succeeded, k.failed
	FROM worker k
	CROSS JOIN LATERAL (SELECT CASE
		WHEN k.stopped IS NOT NULL THEN 'stopped'
		WHEN k.last_seen < now() - make_interval(
		    secs => 2 * k.beat_secs + 30) THEN 'gone'
		ELSE k.state END AS state) s
	LEFT JOIN run r ON r.run_id = k.run_id
	WHERE p_worker IS NULL OR k.worker_id = p_worker
	ORDER BY k.worker_id DESC
$$;

-- The quantiles p_qs of the durations counted p_counts by the buckets of
-- df_duration_bounds (sql/011_metrics.sql), the least p_lo and the
-- greatest p_hi: as Prometheus' histogram_quantile, the bucket the rank
-- falls in and linear interpolation inside it, but between the observed
-- least and greatest rather than the bucket's bounds where those are
-- closer (so that one run, or runs of one duration, give it exactly).
-- NULL when nothing was counted. PL/pgSQL: a loop over 26 numbers costs
-- a twentieth of the same in SQL (a plan per call). No SET clause, for
-- its cost per call: df_metrics, its caller, pins the search_path.
CREATE OR REPLACE FUNCTION df_duration_quantiles(p_counts bigint[],
    p_lo double precision, p_hi double precision, p_qs double precision[])
RETURNS double precision[] LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
	v_bounds	double precision[] := df_duration_bounds();
	v_q		double precision[] := '{}';
	v_n		bigint := 0;
	v_cum		bigint;
	v_rank		double precision;
	v_lower		double precision;
	v_upper		double precision;
	i		integer;
	k		integer;
BEGIN
	FOR i IN 1 .. cardinality(p_counts) LOOP
		v_n := v_n + p_counts[i];
	END LOOP;
	IF v_n = 0 THEN
		RETURN NULL;
	END IF;
	FOR k IN 1 .. cardinality(p_qs) LOOP
		v_rank := p_qs[k] * v_n;
		v_cum := 0;
		FOR i IN 1 .. cardinality(p_counts) LOOP
			v_cum := v_cum + p_counts[i];
			CONTINUE WHEN p_counts[i] = 0 OR v_cum < v_rank;
			v_lower := greatest(coalesce(v_bounds[i - 1], 0), p_lo);
			v_upper := least(coalesce(v_bounds[i], p_hi), p_hi);
			v_q := v_q || v_lower + (v_upper - v_lower) *
			    (v_rank - (v_cum - p_counts[i])) / p_counts[i];
			EXIT;
		END LOOP;
	END LOOP;
	RETURN v_q;
END
$$;

-- The first hour of run_durations (sql/011_metrics.sql) that starts at or
-- after p_at. Inlined: the planner sees the value, and so how few of the
-- hours a window reads (an index range, not the whole table).
CREATE OR REPLACE FUNCTION df_duration_hour_at(p_at timestamptz)
RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT to_timestamp(ceil(extract(epoch FROM p_at) / 3600) * 3600)
$$;

-- Per job, its successful runs that ended at or after p_from: how many,
-- the sum of their durations in seconds, and the quantiles 0.5, 0.9 and
-- 0.99 of those (estimated, df_duration_quantiles). The whole hours of
-- run_durations from the first that starts at or after p_from (and not
-- before run_durations_since), and before that hour the runs themselves
-- (a range of run_job_end per job, at most an hour of a day's window):
-- the count and the sum are exact whatever the window. A job's hourly
-- rows add up by subscript (one term per bucket of df_duration_bounds,
-- 26), which costs a tenth of unnesting them. Inlined into df_metrics
-- (no SET clause), whose search_path is pinned.
CREATE OR REPLACE FUNCTION df_duration_window(p_from timestamptz)
RETURNS TABLE (jobid text, n bigint, total double precision,
    q double precision[])
LANGUAGE sql STABLE AS $$
	WITH h AS MATERIALIZED (
		SELECT greatest(df_duration_hour_at(p_from),
		    (SELECT s.since FROM run_durations_since s)) AS h0
	), e AS (
		SELECT x.jobid, df_duration_bucket(x.secs) AS bucket,
		    count(*) AS n, sum(x.secs) AS total, min(x.secs) AS lo,
		    max(x.secs) AS hi
		FROM job j CROSS JOIN LATERAL (
			SELECT r.jobid, extract(epoch FROM r.ended - r.started)::
			    double precision AS secs
			FROM run r
			WHERE r.jobid = j.jobid AND r.status = 'SUCCEEDED'
			  AND r.ended IS NOT NULL AND r.ended >= p_from
			  AND r.ended < (SELECT h.h0 FROM h)) x
		WHERE j.removed IS NULL
		GROUP BY 1, 2
	), a AS (
		SELECT x.jobid, x.n, x.total, x.lo, x.hi, x.counts
		FROM run_durations x
		WHERE x.hour >= df_duration_hour_at(p_from)
		  AND x.hour >= (SELECT h.h0 FROM h)
		UNION ALL
		SELECT e.jobid, sum(e.n)::bigint, sum(e.total), min(e.lo),
		    max(e.hi), df_duration_counts(array_agg(e.bucket),
		    array_agg(e.n))
		FROM e GROUP BY e.jobid
	)
	SELECT a.jobid, sum(a.n)::bigint, sum(a.total), df_duration_quantiles(
	    ARRAY[sum(a.counts[1]), sum(a.counts[2]), sum(a.counts[3]),
	    sum(a.counts[4]), sum(a.counts[5]), sum(a.counts[6]),
	    sum(a.counts[7]), sum(a.counts[8]), sum(a.counts[9]),
	    sum(a.counts[10]), sum(a.counts[11]), sum(a.counts[12]),
	    sum(a.counts[13]), sum(a.counts[14]), sum(a.counts[15]),
	    sum(a.counts[16]), sum(a.counts[17]), sum(a.counts[18]),
	    sum(a.counts[19]), sum(a.counts[20]), sum(a.counts[21]),
	    sum(a.counts[22]), sum(a.counts[23]), sum(a.counts[24]),
	    sum(a.counts[25]), sum(a.counts[26])]::bigint[],
	    min(a.lo), max(a.hi), '{0.5, 0.9, 0.99}')
	FROM a GROUP BY a.jobid
$$;

-- Everything "dataflow metrics" exposes, as one JSON document, so that
-- one scrape reads one snapshot:
--   jobs   per job (df_status): its counts, the age of its oldest pending
--          partition (0 when none), the end of its last successful and
--          last failed (FAILED, TIMEOUT, ABANDONED) run as epoch seconds
--          (null when none), and its successful runs that ended in the
--          last p_window_secs: count, sum of durations and the 0.5, 0.9
--          and 0.99 quantiles (observed durations; null when none)
--   hosts  df_workers, with last_seen as epoch seconds
--   workers  per job and state (df_worker_list: running, idle, gone;
--            stopped ones are left out), the number of workers
CREATE OR REPLACE FUNCTION df_metrics(p_window_secs double precision)
RETURNS jsonb LANGUAGE sql STABLE
SET search_path FROM CURRENT SET jit = off AS $$
	-- Per job, by the index run_job_end: one probe backwards per
	-- status; the window's durations by df_duration_window.
	WITH r AS (
		SELECT j.jobid,
		    extract(epoch FROM (SELECT max(x.ended) FROM run x
			WHERE x.jobid = j.jobid AND x.status = 'SUCCEEDED'
			  AND x.ended IS NOT NULL)) AS last_success,
		    extract(epoch FROM (SELECT max(m.ended) FROM unnest(
			ARRAY['FAILED', 'TIMEOUT', 'ABANDONED']) f(status)
			CROSS JOIN LATERAL (SELECT max(x.ended) AS ended
			    FROM run x WHERE x.jobid = j.jobid
			      AND x.status = f.status
			      AND x.ended IS NOT NULL) m)) AS last_failure,
		    t.n, t.total, t.q
		FROM job j LEFT JOIN df_duration_window(now() - make_interval(
		    secs => p_window_secs)) t ON t.jobid = j.jobid
		WHERE j.removed IS NULL
	)
	SELECT jsonb_build_object(
	    'jobs', coalesce((
		SELECT jsonb_agg(jsonb_build_object(
		    'jobid', s.jobid, 'paused', s.paused,
		    'claimable', s.claimable, 'retrying', s.retrying,
		    'waiting', s.waiting, 'running', s.running,
		    'succeeded', s.done, 'failed', s.failed,
		    'oldest_age_secs', coalesce(s.lag_secs, 0),
		    'last_success', r.last_success,
		    'last_failure', r.last_failure,
		    'duration_count', coalesce(r.n, 0),
		    'duration_sum', coalesce(r.total, 0),
		    'quantiles', to_jsonb(r.q)) ORDER BY s.jobid)
		FROM df_status(NULL) s
		LEFT JOIN r ON r.jobid = s.jobid), '[]'::jsonb),
	    'hosts', coalesce((
		SELECT jsonb_agg(jsonb_build_object(
		    'host', w.host, 'runs', w.runs, 'running', w.running,
		    'succeeded', w.succeeded, 'failed', w.failed,
		    'timeout', w.timeout, 'cancelled', w.cancelled,
		    'abandoned', w.abandoned,
		    'last_seen', extract(epoch FROM w.last_seen))
		    ORDER BY w.host)
		FROM df_workers() w), '[]'::jsonb),
	    'workers', coalesce((
		SELECT jsonb_agg(jsonb_build_object(
		    'jobid', k.jobid, 'state', k.state, 'count', k.n)
		    ORDER BY k.jobid, k.state)
		FROM (SELECT l.jobid, l.state, count(*) AS n
		    FROM df_worker_list(NULL) l
		    WHERE l.state <> 'stopped'
		    GROUP BY l.jobid, l.state) k), '[]'::jsonb))
$$;

-- The graph of datasets and jobs, or with p_jobid only that job and its
-- upstream and downstream closure (every node from which it can be
-- reached, and every node reachable from it). Rows, by kind:
--   job      name, state, paused, claimable, running, failed, lag_secs,
--            last_status; state is the first that applies of
--            failed   partitions with attempts exhausted, or the last run
--                     FAILED, TIMEOUT or ABANDONED
--            running  runs in progress
--            paused   the job is paused
--            lagging  its oldest pending partition waited p_lag_secs+
--            ready    something is claimable
--            idle
--   dataset  name, producer (its live producing job; NULL: external)
--   edge     name (the job), peer (the dataset), itemtype: IN is an
--            edge dataset -> job, OUT job -> dataset
-- Removed jobs and datasets are left out, and "today" unless read.
CREATE OR REPLACE FUNCTION df_graph(p_jobid text, p_lag_secs double precision)
RETURNS TABLE (kind text, name text, peer text, itemtype text,
    state text, paused boolean, claimable bigint, running bigint,
    failed bigint, lag_secs double precision, last_status text,
    producer text)
LANGUAGE sql STABLE
SET search_path FROM CURRENT AS $$
	WITH RECURSIVE items AS (
		SELECT i.jobid, i.itemtype, i.datasetid
		FROM job_item i
		JOIN job j ON j.jobid = i.jobid AND j.removed IS NULL
		JOIN dataset d ON d.datasetid = i.datasetid
		    AND d.removed IS NULL
	), e(src, dst) AS (
		SELECT CASE WHEN it.itemtype = 'IN' THEN 'd:' || it.datasetid
			ELSE 'j:' || it.jobid END,
		    CASE WHEN it.itemtype = 'IN' THEN 'j:' || it.jobid
			ELSE 'd:' || it.datasetid END
		FROM items it
	), up(n) AS (
		SELECT 'j:' || p_jobid
		UNION
		SELECT e.src FROM e JOIN up ON e.dst = up.n
	), down(n) AS (
		SELECT 'j:' || p_jobid
		UNION
		SELECT e.dst FROM e JOIN down ON e.src = down.n
	), sel(n) AS (
		SELECT up.n FROM up WHERE p_jobid IS NOT NULL
		UNION
		SELECT down.n FROM down WHERE p_jobid IS NOT NULL
		UNION
		SELECT 'j:' || j.jobid FROM job j
		WHERE p_jobid IS NULL AND j.removed IS NULL
		UNION
		SELECT 'd:' || d.datasetid FROM dataset d
		WHERE p_jobid IS NULL AND d.removed IS NULL
		  AND (d.datasetid <> 'today' OR EXISTS (SELECT 1 FROM items it
		    WHERE it.datasetid = 'today'))
	)
	SELECT g.* FROM (
		SELECT 'dataset' AS kind, d.datasetid AS name, NULL AS peer,
		    NULL AS itemtype, NULL AS state, NULL::boolean AS paused,
		    NULL::bigint AS claimable, NULL::bigint AS running,
		    NULL::bigint AS failed, NULL::double precision AS lag_secs,
		    NULL AS last_status,
		    (SELECT min(it.jobid) FROM items it
		    WHERE it.datasetid = d.datasetid AND it.itemtype = 'OUT')
			AS producer
		FROM dataset d
		WHERE 'd:' || d.datasetid IN (SELECT sel.n FROM sel)
		UNION ALL
		SELECT 'job', s.jobid, NULL, NULL,
		    CASE WHEN s.failed > 0 OR s.last_status IN ('FAILED',
			    'TIMEOUT', 'ABANDONED') THEN 'failed'
			WHEN s.running > 0 THEN 'running'
			WHEN s.paused THEN 'paused'
			WHEN s.lag_secs >= p_lag_secs THEN 'lagging'
			WHEN s.claimable > 0 THEN 'ready'
			ELSE 'idle' END,
		    s.paused, s.claimable, s.running, s.failed, s.lag_secs,
		    s.last_status, NULL
		FROM df_status(NULL) s
		WHERE 'j:' || s.jobid IN (SELECT sel.n FROM sel)
		UNION ALL
		SELECT 'edge', it.jobid, it.datasetid, it.itemtype, NULL, NULL,
		    NULL, NULL, NULL, NULL, NULL, NULL
		FROM items it
		WHERE 'j:' || it.jobid IN (SELECT sel.n FROM sel)
		  AND 'd:' || it.datasetid IN (SELECT sel.n FROM sel)) g
	ORDER BY CASE g.kind WHEN 'dataset' THEN 1 WHEN 'job' THEN 2
	    ELSE 3 END, g.name, g.peer
$$;

-- The status grid: for each job (every job not removed, or only p_jobid),
-- in dependency order (a job after those producing its inputs, then by
-- id), the state of its work on each of the p_limit newest dataids any of
-- these jobs has work for (all with NULL), oldest first. dataids is the
-- same array on every row; states holds, per dataid, the work's state,
-- "retrying" for ready after a failed attempt, "skipped" for a ready
-- partition a latest-only job will never run, or null for no work.
-- A job's cells are its work rows from the oldest of these dataids to the
-- newest, one range of the primary key: each of its dataids there is
-- among them.
CREATE OR REPLACE FUNCTION df_grid(p_jobid text, p_limit integer)
RETURNS TABLE (jobid text, paused boolean, depth integer, dataids jsonb,
    states jsonb)
LANGUAGE sql STABLE
SET search_path FROM CURRENT AS $$
	WITH RECURSIVE jobs AS (
		SELECT j.jobid, j.paused, j.run_order, f.floor,
		    (SELECT max(w.dataid) FROM work w WHERE w.jobid = j.jobid
		      AND w.state = 'ready') AS newest_ready
		FROM job j
		LEFT JOIN LATERAL df_latest_floor_row(j.jobid, j.run_order)
		    f(floor) ON true
		WHERE j.removed IS NULL
		  AND (p_jobid IS NULL OR j.jobid = p_jobid)
	), d AS (
		-- The newest p_limit of all are among each job's newest
		-- p_limit: a short backward scan of the primary key per job.
		SELECT x.dataid FROM (
			SELECT DISTINCT t.dataid FROM jobs
			CROSS JOIN LATERAL (SELECT w.dataid FROM work w
			    WHERE w.jobid = jobs.jobid
			    ORDER BY w.dataid DESC LIMIT p_limit) t) x
		ORDER BY x.dataid DESC
		LIMIT p_limit
	), cols AS (
		SELECT coalesce(jsonb_agg(d.dataid ORDER BY d.dataid),
		    '[]'::jsonb) AS dataids, min(d.dataid) AS lo,
		    max(d.dataid) AS hi
		FROM d
	), dep(jobid, depth) AS (
		-- UNION keeps one row per (job, depth): polynomial in any
		-- graph; the bound guards against a cycle.
		SELECT j.jobid, 0 FROM job j WHERE j.removed IS NULL
		UNION
		SELECT c.jobid, dep.depth + 1
		FROM dep
		JOIN job_item o ON o.jobid = dep.jobid AND o.itemtype = 'OUT'
		JOIN job_item c ON c.datasetid = o.datasetid
		    AND c.itemtype = 'IN'
		JOIN job cj ON cj.jobid = c.jobid AND cj.removed IS NULL
		WHERE dep.depth < 1000
	)
	SELECT j.jobid, j.paused,
	    (SELECT max(dep.depth) FROM dep
	    WHERE dep.jobid = j.jobid)::integer,
	    cols.dataids,
	    coalesce((SELECT jsonb_agg(CASE
		    WHEN w.state = 'ready' AND j.run_order = 'latest-only'
		      AND (w.dataid <= j.floor OR w.dataid < j.newest_ready)
		    THEN 'skipped'
		    WHEN w.state = 'ready' AND w.failures > 0
		    THEN 'retrying'
		    ELSE w.state END ORDER BY d.dataid)
		FROM d
		LEFT JOIN (SELECT w.dataid, w.state, w.failures FROM work w
		    WHERE w.jobid = j.jobid
		      AND w.dataid BETWEEN cols.lo AND cols.hi) w
		    ON w.dataid = d.dataid), '[]'::jsonb)
	FROM jobs j CROSS JOIN cols
	ORDER BY 3, 1
$$;
