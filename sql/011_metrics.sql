-- 011_metrics.sql: schema version 11: the durations metrics summarises,
-- kept as they happen (docs/PERFORMANCE.md "Listings at scale"), so that
-- a window of a day costs per job its 24 hourly histograms, not its
-- thousands of runs.
--
-- Numbered 11 and written to need nothing of a version 10: it only adds
-- (and re-creates 009's row trigger function on run, which it extends).

-- The upper bounds, in seconds, of a duration's buckets, as Prometheus'
-- le: bucket i counts the durations d with bound[i-1] < d <= bound[i],
-- and one more bucket, after the last bound, the longer ones. Roughly
-- two to two and a half apart, on values a reader knows (a minute, an
-- hour), so that a quantile read from them is off by less than the width
-- of its bucket. The rows below are counted with these: changing them
-- needs a migration that counts again.
CREATE OR REPLACE FUNCTION df_duration_bounds()
RETURNS double precision[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT '{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15,
	    30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 43200,
	    86400}'::double precision[]
$$;

-- The bucket (1-based) of a duration of p_secs: 1 + the bounds below it.
CREATE OR REPLACE FUNCTION df_duration_bucket(p_secs double precision)
RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT width_bucket(p_secs, df_duration_bounds()) + 1 -
	    (p_secs = ANY (df_duration_bounds()))::integer
$$;

-- The hour a run that ended at p_ended is counted in: its start, in UTC
-- whatever the session's time zone (some zones are not whole hours off).
CREATE OR REPLACE FUNCTION df_duration_hour(p_ended timestamptz)
RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT to_timestamp(floor(extract(epoch FROM p_ended) / 3600) * 3600)
$$;

-- The counts of every bucket, in order, from the counts p_n[k] of the
-- buckets p_buckets[k] (repeated buckets add up). PL/pgSQL: a loop costs
-- less than a plan per call, and metrics calls it once per job. No SET
-- clause: its callers pin the search_path.
CREATE OR REPLACE FUNCTION df_duration_counts(p_buckets integer[],
    p_n bigint[])
RETURNS bigint[] LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
	v_counts	bigint[] := array_fill(0::bigint,
			    ARRAY[cardinality(df_duration_bounds()) + 1]);
	k		integer;
BEGIN
	FOR k IN 1 .. cardinality(p_buckets) LOOP
		v_counts[p_buckets[k]] := v_counts[p_buckets[k]] + p_n[k];
	END LOOP;
	RETURN v_counts;
END
$$;

-- Per job and hour (of the end, UTC), its successful runs: how many, the
-- sum, least and greatest of their durations in seconds, and how many in
-- each bucket of df_duration_bounds. Written when a run becomes
-- SUCCEEDED (the row trigger of 009 on run), never when one is purged:
-- the figures of a window are of the runs that finished in it, whatever
-- was deleted since. Each backend adds to one of four rows (pid % 4) of
-- the hour, so that parallel finishes of one job seldom wait for each
-- other's commit; fewer than work_done's sixteen, as metrics reads every
-- row of its window (hours x shards). Keyed by hour first: a window is
-- one range of the key, and the purge cuts the old hours by it.
CREATE TABLE run_durations (
	hour		timestamptz NOT NULL,
	jobid		text NOT NULL,
	shard		smallint NOT NULL CHECK (shard BETWEEN 0 AND 3),
	n		bigint NOT NULL,
	total		double precision NOT NULL,
	lo		double precision NOT NULL,
	hi		double precision NOT NULL,
	counts		bigint[] NOT NULL,
	PRIMARY KEY (hour, jobid, shard)
) WITH (fillfactor = 50);	-- its updates touch no index: HOT

-- Since when run_durations holds every successful run: before, a window
-- reads the runs kept. The upgrade counts the last 7 days; the purge
-- moves it forward when it drops old hours.
CREATE TABLE run_durations_since (
	one		boolean PRIMARY KEY DEFAULT true CHECK (one),
	since		timestamptz NOT NULL
);

-- Count one successful run of p_jobid, from p_started to p_ended (in
-- the update, excluded.total is its duration).
CREATE OR REPLACE FUNCTION df_duration_add(p_jobid text,
    p_started timestamptz, p_ended timestamptz)
RETURNS void LANGUAGE sql
SET search_path FROM CURRENT AS $$
	INSERT INTO run_durations AS h (hour, jobid, shard, n, total, lo, hi,
	    counts)
	SELECT df_duration_hour(p_ended), p_jobid, pg_backend_pid() % 4, 1,
	    d.secs, d.secs, d.secs, array_fill(0::bigint, ARRAY[d.b - 1]) ||
	    1::bigint || array_fill(0::bigint,
		ARRAY[cardinality(df_duration_bounds()) + 1 - d.b])
	FROM (SELECT s.secs, df_duration_bucket(s.secs) AS b
	    FROM (SELECT extract(epoch FROM p_ended - p_started)::
		double precision AS secs) s) d
	ON CONFLICT (hour, jobid, shard) DO UPDATE SET
	    n = h.n + 1, total = h.total + excluded.total,
	    lo = least(h.lo, excluded.lo), hi = greatest(h.hi, excluded.hi),
	    counts[df_duration_bucket(excluded.total)] =
		h.counts[df_duration_bucket(excluded.total)] + 1
$$;

-- 009's row trigger on run, fired (WHEN) only for a finished run's
-- insert or change: the host's counts, and the durations of a run that
-- has just become SUCCEEDED.
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
	IF NEW.status = 'SUCCEEDED' AND NEW.ended IS NOT NULL AND
	    (TG_OP = 'INSERT' OR OLD.status <> 'SUCCEEDED') THEN
		PERFORM df_duration_add(NEW.jobid, NEW.started, NEW.ended);
	END IF;
	RETURN NULL;
END
$$;

-- Count again, from the runs kept that ended since p_since, what
-- run_durations holds: in the upgrade's transaction, and after runs were
-- written with the triggers off (bench/scale). Writers of run wait for
-- the caller's commit.
CREATE OR REPLACE FUNCTION df_durations_refill(p_since timestamptz)
RETURNS void LANGUAGE plpgsql
SET search_path FROM CURRENT SET jit = off AS $$
BEGIN
	LOCK TABLE run IN SHARE MODE;
	DELETE FROM run_durations;
	DELETE FROM run_durations_since;
	INSERT INTO run_durations_since (since)
	VALUES (df_duration_hour(p_since));
	INSERT INTO run_durations (hour, jobid, shard, n, total, lo, hi,
	    counts)
	SELECT g.hour, g.jobid, 0, sum(g.n), sum(g.total), min(g.lo),
	    max(g.hi), df_duration_counts(array_agg(g.bucket), array_agg(g.n))
	FROM (SELECT x.jobid, df_duration_hour(x.ended) AS hour,
		df_duration_bucket(x.secs) AS bucket, count(*) AS n,
		sum(x.secs) AS total, min(x.secs) AS lo, max(x.secs) AS hi
	    FROM job j CROSS JOIN LATERAL (
		SELECT r.jobid, r.ended, extract(epoch FROM
		    r.ended - r.started)::double precision AS secs
		FROM run r
		WHERE r.jobid = j.jobid AND r.status = 'SUCCEEDED'
		  AND r.ended IS NOT NULL
		  AND r.ended >= df_duration_hour(p_since)) x
	    GROUP BY 1, 2, 3) g
	GROUP BY g.hour, g.jobid;
END
$$;
SELECT df_durations_refill(now() - interval '7 days');
