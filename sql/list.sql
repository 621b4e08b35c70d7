-- list.sql: the JSON documents of the listings (dataflow --json status,
-- runs, show, explain, audit, workers, graph; the API's partitions), each
-- one function built by PostgreSQL, for the commands and the HTTP API
-- alike (lib/listing.c calls them).
--
-- SECURITY DEFINER, so that the server's role needs EXECUTE on these and
-- no table privilege (it cannot read dataset.encryptedpass): each reads
-- only what its document shows. Re-created by every "dataflow init" after
-- observe.sql; each pins search_path to the schema it was created in.
--
-- Pagination: a list with p_page gets "next", an opaque cursor (the last
-- key shown, base64url), only when more rows follow; p_cursor continues
-- after it. Documents are the same without p_page.

-- The cursor of a key, and the key of a cursor (22023 when it is none).
CREATE OR REPLACE FUNCTION df_cursor(p_key text)
RETURNS text LANGUAGE sql IMMUTABLE
SET search_path FROM CURRENT AS $$
	SELECT translate(rtrim(replace(encode(convert_to(p_key, 'UTF8'),
	    'base64'), E'\n', ''), '='), '+/', '-_')
$$;

CREATE OR REPLACE FUNCTION df_uncursor(p_cursor text)
RETURNS text LANGUAGE plpgsql IMMUTABLE
SET search_path FROM CURRENT AS $$
DECLARE
	v	text := translate(p_cursor, '-_', '+/');
BEGIN
	IF p_cursor IS NULL THEN
		RETURN NULL;
	END IF;
	v := v || repeat('=', (4 - length(v) % 4) % 4);
	RETURN convert_from(decode(v, 'base64'), 'UTF8');
EXCEPTION WHEN OTHERS THEN
	RAISE EXCEPTION 'invalid cursor "%"', left(p_cursor, 64)
	    USING ERRCODE = '22023';
END
$$;

-- The same, for a cursor over a bigint key.
CREATE OR REPLACE FUNCTION df_uncursor_id(p_cursor text)
RETURNS bigint LANGUAGE plpgsql IMMUTABLE
SET search_path FROM CURRENT AS $$
BEGIN
	RETURN df_uncursor(p_cursor)::bigint;
EXCEPTION WHEN invalid_text_representation
    OR numeric_value_out_of_range THEN
	RAISE EXCEPTION 'invalid cursor "%"', left(p_cursor, 64)
	    USING ERRCODE = '22023';
END
$$;

-- Raise DF001 "unknown KIND "id"" unless id is NULL or a job (p_kind
-- 'job') or dataset ('dataset') that ever existed: runs and the audit
-- trail outlive them.
CREATE OR REPLACE FUNCTION df_list_known(p_kind text, p_id text)
RETURNS void LANGUAGE plpgsql STABLE
SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
	IF p_id IS NULL THEN
		RETURN;
	END IF;
	IF p_kind = 'job' AND NOT EXISTS (SELECT 1 FROM job j
	    WHERE j.jobid = p_id) THEN
		RAISE EXCEPTION 'unknown job "%"', p_id USING ERRCODE = 'DF001';
	END IF;
	IF p_kind = 'dataset' AND NOT EXISTS (SELECT 1 FROM dataset d
	    WHERE d.datasetid = p_id) THEN
		RAISE EXCEPTION 'unknown dataset "%"', p_id
		    USING ERRCODE = 'DF001';
	END IF;
END
$$;

-- dataflow status: {"jobs": [...]}; NULL for a job named but unknown.
CREATE OR REPLACE FUNCTION df_list_status(p_jobid text)
RETURNS json LANGUAGE sql STABLE
SECURITY DEFINER SET search_path FROM CURRENT AS $$
	SELECT json_build_object('jobs', coalesce(json_agg(json_build_object(
	    'jobid', s.jobid, 'state', CASE WHEN s.paused THEN 'paused'
		WHEN s.running >= s.max_running THEN 'busy'
		WHEN s.running > 0 THEN 'running'
		WHEN s.claimable > 0 THEN 'ready' ELSE 'idle' END,
	    'paused', s.paused, 'order', s.run_order,
	    'max_running', s.max_running, 'max_attempts', s.max_attempts,
	    'owner', s.owner, 'claimable', s.claimable, 'ready', s.ready,
	    'retrying', s.retrying, 'waiting', s.waiting,
	    'running', s.running, 'done', s.done, 'failed', s.failed,
	    'skipped', s.skipped,
	    'oldest', CASE WHEN s.oldest_dataid IS NOT NULL THEN
		json_build_object('dataid', s.oldest_dataid,
		'state', s.oldest_state,
		'since', to_json(s.oldest_since) #>> '{}',
		'lag_secs', round(s.lag_secs::numeric, 3)) END,
	    'last_run', CASE WHEN s.last_run_id IS NOT NULL THEN
		json_build_object('run_id', s.last_run_id,
		'dataid', s.last_dataid, 'status', s.last_status,
		'exit_code', s.last_exit_code, 'signal', s.last_signal,
		'started', to_json(s.last_started) #>> '{}',
		'ended', to_json(s.last_ended) #>> '{}',
		'duration_secs', round(s.last_duration_secs::numeric, 3))
		END) ORDER BY s.jobid), '[]'))
	FROM df_status(p_jobid) s
	HAVING p_jobid IS NULL OR count(*) > 0
$$;

-- dataflow runs: {"runs": [...]} newest first, at most p_limit (NULL:
-- all), after p_cursor; DF001 for a job named that never existed.
CREATE OR REPLACE FUNCTION df_list_runs(p_jobid text, p_label text,
    p_dataid text, p_failed boolean, p_limit bigint, p_cursor text,
    p_page boolean)
RETURNS json LANGUAGE plpgsql STABLE
SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
	v_after	bigint := df_uncursor_id(p_cursor);
BEGIN
	PERFORM df_list_known('job', p_jobid);
	RETURN (WITH k AS (
		SELECT r.*, row_number() OVER (ORDER BY r.run_id DESC) AS n
		FROM run r
		WHERE (p_jobid IS NULL OR r.jobid = p_jobid)
		  AND (p_label IS NULL OR r.label = p_label)
		  AND (p_dataid IS NULL OR r.dataid = p_dataid)
		  AND (NOT p_failed OR r.status IN ('FAILED', 'TIMEOUT',
		      'CANCELLED', 'ABANDONED'))
		  AND (v_after IS NULL OR r.run_id < v_after)
		ORDER BY r.run_id DESC
		LIMIT p_limit + 1
	), x AS (
		SELECT coalesce(json_agg(json_build_object(
		    'run_id', k.run_id, 'jobid', k.jobid, 'dataid', k.dataid,
		    'attempt', k.attempt, 'status', k.status, 'host', k.host,
		    'pid', k.pid, 'user', k.username, 'label', k.label,
		    'started', to_json(k.started) #>> '{}',
		    'ended', to_json(k.ended) #>> '{}',
		    'duration_secs', round(extract(epoch FROM
			coalesce(k.ended, now()) - k.started)::numeric, 3),
		    'exit_code', k.exit_code, 'signal', k.signal,
		    'message', k.message,
		    'params', (SELECT m FROM df_masked_params(k.params) m),
		    'metrics', k.metrics, 'triggered_by', k.triggered_by,
		    'worker', k.worker_id) ORDER BY k.run_id DESC)
		    FILTER (WHERE p_limit IS NULL OR k.n <= p_limit),
		    '[]') AS runs,
		    p_page AND count(*) > p_limit AS more,
		    min(k.run_id) FILTER (WHERE k.n <= p_limit) AS last
		FROM k
	)
	SELECT CASE WHEN x.more THEN json_build_object('runs', x.runs,
	    'next', df_cursor(x.last::text))
	    ELSE json_build_object('runs', x.runs) END
	FROM x);
END
$$;

-- dataflow show: the run as one object, with its lease, stderr tail and
-- the state of its work; NULL for an unknown run.
CREATE OR REPLACE FUNCTION df_list_show(p_run_id bigint)
RETURNS json LANGUAGE sql STABLE
SECURITY DEFINER SET search_path FROM CURRENT AS $$
	SELECT json_build_object(
	    'run_id', r.run_id, 'jobid', r.jobid, 'dataid', r.dataid,
	    'attempt', r.attempt, 'status', r.status, 'host', r.host,
	    'pid', r.pid, 'user', r.username, 'label', r.label,
	    'started', to_json(r.started) #>> '{}',
	    'ended', to_json(r.ended) #>> '{}',
	    'duration_secs', round(extract(epoch FROM
		coalesce(r.ended, now()) - r.started)::numeric, 3),
	    'exit_code', r.exit_code, 'signal', r.signal,
	    'message', r.message,
	    'params', (SELECT m FROM df_masked_params(r.params) m),
	    'metrics', r.metrics, 'triggered_by', r.triggered_by,
	    'worker', r.worker_id,
	    'heartbeat', to_json(r.heartbeat) #>> '{}',
	    'lease_until', to_json(r.lease_until) #>> '{}',
	    'stderr_tail', r.stderr_tail, 'work_state', w.state)
	FROM run r
	LEFT JOIN work w ON w.jobid = r.jobid AND w.dataid = r.dataid
	WHERE r.run_id = p_run_id
$$;

-- dataflow explain: the job and its partitions (df_explain); NULL for an
-- unknown job.
CREATE OR REPLACE FUNCTION df_list_explain(p_jobid text, p_dataid text,
    p_today text, p_limit integer)
RETURNS json LANGUAGE sql STABLE
SECURITY DEFINER SET search_path FROM CURRENT AS $$
	SELECT json_build_object('jobid', s.jobid, 'paused', s.paused,
	    'order', s.run_order, 'max_running', s.max_running,
	    'max_attempts', s.max_attempts, 'running', s.running,
	    'partitions', (SELECT coalesce(json_agg(json_build_object(
		'dataid', x.dataid, 'verdict', x.verdict, 'reason', x.reason,
		'state', x.state, 'attempts', x.attempts,
		'failures', x.failures, 'run_id', x.run_id, 'host', x.host,
		'pid', x.pid, 'since', to_json(x.since) #>> '{}',
		'lease_until', to_json(x.lease_until) #>> '{}',
		'inputs', x.inputs) ORDER BY x.n), '[]')
		FROM df_explain(s.jobid, p_dataid, p_today, p_limit)
		WITH ORDINALITY x(dataid, verdict, reason, state, attempts,
		failures, run_id, host, pid, since, lease_until, inputs, n)))
	FROM df_status(p_jobid) s
$$;

-- dataflow audit: {"entries": [...]} newest first, at most p_limit, after
-- p_cursor. An apply names the objects it changed only in its detail;
-- its secrets are masked when written, df_masked_plan masks rows written
-- before.
CREATE OR REPLACE FUNCTION df_list_audit(p_jobid text, p_datasetid text,
    p_dataid text, p_action text, p_limit bigint, p_cursor text,
    p_page boolean)
RETURNS json LANGUAGE plpgsql STABLE
SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
	v_after	bigint := df_uncursor_id(p_cursor);
BEGIN
	PERFORM df_list_known('job', p_jobid);
	PERFORM df_list_known('dataset', p_datasetid);
	RETURN (WITH k AS (
		SELECT a.*, row_number() OVER (ORDER BY a.audit_id DESC) AS n
		FROM audit a
		WHERE (p_jobid IS NULL OR a.jobid = p_jobid
		    OR (a.action = 'apply' AND a.detail @> jsonb_build_array(
			jsonb_build_object('kind', 'job', 'id', p_jobid))))
		  AND (p_datasetid IS NULL OR a.datasetid = p_datasetid
		    OR (a.action = 'apply' AND a.detail @> jsonb_build_array(
			jsonb_build_object('kind', 'dataset',
			'id', p_datasetid))))
		  AND (p_dataid IS NULL OR a.dataid = p_dataid)
		  AND (p_action IS NULL OR a.action = p_action)
		  AND (v_after IS NULL OR a.audit_id < v_after)
		ORDER BY a.audit_id DESC
		LIMIT p_limit + 1
	), x AS (
		SELECT coalesce(json_agg(json_build_object(
		    'audit_id', k.audit_id, 'at', to_json(k.at) #>> '{}',
		    'who', k.who, 'host', k.host, 'action', k.action,
		    'jobid', k.jobid, 'datasetid', k.datasetid,
		    'dataid', k.dataid, 'reason', k.reason,
		    'detail', CASE WHEN k.action = 'apply' THEN
			df_masked_plan(k.detail) ELSE k.detail END)
		    ORDER BY k.audit_id DESC)
		    FILTER (WHERE p_limit IS NULL OR k.n <= p_limit),
		    '[]') AS entries,
		    p_page AND count(*) > p_limit AS more,
		    min(k.audit_id) FILTER (WHERE k.n <= p_limit) AS last
		FROM k
	)
	SELECT CASE WHEN x.more THEN json_build_object('entries', x.entries,
	    'next', df_cursor(x.last::text))
	    ELSE json_build_object('entries', x.entries) END
	FROM x);
END
$$;

-- dataflow workers --hosts: {"hosts": [...]} (df_workers).
CREATE OR REPLACE FUNCTION df_list_hosts()
RETURNS json LANGUAGE sql STABLE
SECURITY DEFINER SET search_path FROM CURRENT AS $$
	SELECT json_build_object('hosts', coalesce(json_agg(json_build_object(
	    'host', w.host, 'runs', w.runs, 'running', w.running,
	    'stale', w.stale, 'succeeded', w.succeeded, 'failed', w.failed,
	    'timeout', w.timeout, 'cancelled', w.cancelled,
	    'abandoned', w.abandoned,
	    'first_seen', to_json(w.first_seen) #>> '{}',
	    'last_seen', to_json(w.last_seen) #>> '{}',
	    'last_seen_secs', round(w.last_seen_secs::numeric, 3))
	    ORDER BY w.host), '[]'))
	FROM df_workers() w
$$;

-- dataflow workers: {"workers": [...]} newest first; with p_worker only
-- that one, as an object with its latest runs (NULL when unknown).
CREATE OR REPLACE FUNCTION df_list_workers(p_worker bigint)
RETURNS json LANGUAGE sql STABLE
SECURITY DEFINER SET search_path FROM CURRENT AS $$
	WITH w AS (
		SELECT k.worker_id, json_build_object('id', k.worker_id,
		    'job', k.jobid, 'host', k.host, 'user', k.username,
		    'mode', k.mode, 'version', k.version,
		    'started', to_json(k.started) #>> '{}',
		    'last_seen', to_json(k.last_seen) #>> '{}',
		    'stopped', to_json(k.stopped) #>> '{}',
		    'state', k.state, 'dataid', k.dataid,
		    'last_seen_secs', round(k.last_seen_secs::numeric, 3),
		    'pid', k.pid, 'stream', k.stream,
		    'beat_secs', k.beat_secs, 'processed', k.processed,
		    'succeeded', k.succeeded, 'failed', k.failed,
		    'run', k.run_id) AS doc
		FROM df_worker_list(p_worker) k
	)
	SELECT CASE WHEN p_worker IS NULL THEN
		(SELECT json_build_object('workers', coalesce(json_agg(w.doc
		    ORDER BY w.worker_id DESC), '[]')) FROM w)
	    -- One worker: its members, then "runs" (json keeps the order).
	    ELSE (SELECT (left(w.doc::text, -1) || ', "runs" : ' || (
		SELECT coalesce(json_agg(json_build_object(
		    'run_id', r.run_id, 'dataid', r.dataid,
		    'status', r.status, 'duration_secs',
		    round(extract(epoch FROM coalesce(r.ended, now())
		    - r.started)::numeric, 3)) ORDER BY r.run_id DESC),
		    '[]') FROM (SELECT * FROM run r
		    WHERE r.worker_id = p_worker
		    ORDER BY r.run_id DESC LIMIT 10) r)::text || '}')::json
		FROM w) END
$$;

-- dataflow graph: {"nodes": [...], "edges": [...]} of everything or of
-- p_jobid's closure (df_graph), node ids as in the DOT output ("d:" a
-- dataset, "j:" a job); NULL for a job named but unknown.
CREATE OR REPLACE FUNCTION df_list_graph(p_jobid text,
    p_lag_secs double precision)
RETURNS json LANGUAGE sql STABLE
SECURITY DEFINER SET search_path FROM CURRENT AS $$
	SELECT json_build_object(
	    'nodes', coalesce(json_agg(CASE g.kind WHEN 'dataset' THEN
		json_build_object('id', 'd:' || g.name, 'kind', g.kind,
		'name', g.name, 'producer', g.producer)
		ELSE json_build_object('id', 'j:' || g.name, 'kind', g.kind,
		'name', g.name, 'state', g.state, 'paused', g.paused,
		'claimable', g.claimable, 'running', g.running,
		'failed', g.failed,
		'lag_secs', round(g.lag_secs::numeric, 3),
		'last_status', g.last_status) END ORDER BY g.n)
		FILTER (WHERE g.kind <> 'edge'), '[]'),
	    'edges', coalesce(json_agg(json_build_object(
		'from', CASE WHEN g.itemtype = 'IN' THEN 'd:' || g.peer
		    ELSE 'j:' || g.name END,
		'to', CASE WHEN g.itemtype = 'IN' THEN 'j:' || g.name
		    ELSE 'd:' || g.peer END) ORDER BY g.n)
		FILTER (WHERE g.kind = 'edge'), '[]'))
	FROM df_graph(p_jobid, p_lag_secs) WITH ORDINALITY g(kind, name,
	    peer, itemtype, state, paused, claimable, running, failed,
	    lag_secs, last_status, producer, n)
	HAVING p_jobid IS NULL OR bool_or(g.kind = 'job' AND g.name = p_jobid)
$$;

-- The API's partitions of a job: {"jobid", "paused", "partitions":
-- [{"dataid", "state", "attempts", "failures", "run_id", "modified"}]},
-- newest dataid first, those from p_from to p_to (either may be NULL) in
-- state p_state (NULL: any; the states of the grid: "retrying" a ready
-- one after a failed attempt, "skipped" one a latest-only job will never
-- run), at most p_limit after p_cursor. DF001 for an unknown job.
CREATE OR REPLACE FUNCTION df_list_partitions(p_jobid text, p_from text,
    p_to text, p_state text, p_limit bigint, p_cursor text, p_page boolean)
RETURNS json LANGUAGE plpgsql STABLE
SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
	v_after	text := df_uncursor(p_cursor);
	v_job	job%ROWTYPE;
	v_floor	text;
	v_ready	text;
BEGIN
	SELECT * INTO v_job FROM job j
	WHERE j.jobid = p_jobid AND j.removed IS NULL;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown job "%"', p_jobid
		    USING ERRCODE = 'DF001';
	END IF;
	v_floor := df_latest_floor(v_job.jobid, v_job.run_order);
	SELECT max(w.dataid) INTO v_ready FROM work w
	WHERE w.jobid = p_jobid AND w.state = 'ready';
	RETURN (WITH s AS (
		SELECT w.*, CASE
		    WHEN w.state = 'ready' AND v_job.run_order = 'latest-only'
		      AND (w.dataid <= v_floor OR w.dataid < v_ready)
		    THEN 'skipped'
		    WHEN w.state = 'ready' AND w.failures > 0 THEN 'retrying'
		    ELSE w.state END AS shown
		FROM work w
		WHERE w.jobid = p_jobid
		  AND (p_from IS NULL OR w.dataid >= p_from)
		  AND (p_to IS NULL OR w.dataid <= p_to)
		  AND (v_after IS NULL OR w.dataid < v_after)
	), k AS (
		SELECT s.*, row_number() OVER (ORDER BY s.dataid DESC) AS n
		FROM s
		WHERE p_state IS NULL OR s.shown = p_state
		ORDER BY s.dataid DESC
		LIMIT p_limit + 1
	), x AS (
		SELECT coalesce(json_agg(json_build_object(
		    'dataid', k.dataid, 'state', k.shown,
		    'attempts', k.attempts, 'failures', k.failures,
		    'run_id', k.run_id,
		    'modified', to_json(k.modified) #>> '{}')
		    ORDER BY k.dataid DESC)
		    FILTER (WHERE p_limit IS NULL OR k.n <= p_limit),
		    '[]') AS parts,
		    p_page AND count(*) > p_limit AS more,
		    min(k.dataid) FILTER (WHERE k.n <= p_limit) AS last
		FROM k
	)
	SELECT CASE WHEN x.more THEN json_build_object('jobid', v_job.jobid,
	    'paused', v_job.paused, 'partitions', x.parts,
	    'next', df_cursor(x.last))
	    ELSE json_build_object('jobid', v_job.jobid,
	    'paused', v_job.paused, 'partitions', x.parts) END
	FROM x);
END
$$;

-- The stored configuration as the API shows it (GET /api/v1/config, a
-- job's configuration): the rows "dataflow export" reads (lib/catalog.c),
-- without encryptedpass and with secret-looking parameters and extra
-- attributes masked (df_masked_params): a viewer sees no secret.
CREATE OR REPLACE FUNCTION df_list_config_datasets()
RETURNS TABLE (datasetid text, hostname text, database text,
    schemaname text, tablename text, username text, encryptedpass text,
    extra text)
LANGUAGE sql STABLE
SECURITY DEFINER SET search_path FROM CURRENT AS $$
	SELECT d.datasetid, d.hostname, d.database, d.schemaname,
	    d.tablename, d.username, NULL::text,
	    (SELECT m FROM df_masked_params(d.extra) m)::text
	FROM dataset d
	WHERE d.removed IS NULL AND d.datasetid NOT IN ('today', 'trigger')
	ORDER BY d.datasetid
$$;

CREATE OR REPLACE FUNCTION df_list_config_jobs()
RETURNS TABLE (jobid text, paused boolean, max_attempts integer,
    timeout_secs integer, run_order text, max_running integer, owner text,
    params text, notify text, notify_on text, inputs text, outputs text,
    tags text)
LANGUAGE sql STABLE
SECURITY DEFINER SET search_path FROM CURRENT AS $$
	SELECT j.jobid, j.paused, j.max_attempts, j.timeout_secs,
	    j.run_order, j.max_running, j.owner,
	    (SELECT m FROM df_masked_params(j.params) m)::text,
	    array_to_json(j.notify)::text, j.notify_on,
	    (SELECT string_agg(i.datasetid, E'\n' ORDER BY i.datasetid)
	      FROM job_item i WHERE i.jobid = j.jobid AND i.itemtype = 'IN'),
	    (SELECT string_agg(i.datasetid, E'\n' ORDER BY i.datasetid)
	      FROM job_item i WHERE i.jobid = j.jobid AND i.itemtype = 'OUT'),
	    j.tags::text
	FROM job j WHERE j.removed IS NULL ORDER BY j.jobid
$$;

-- The console's pictures of time (SPEC 9): runs by host over the last
-- hours, and each job's backlog. The runs of a window are those still
-- running (run_live) and those that ended in it: the index is made here,
-- with the functions that need it, so that re-running "dataflow init"
-- gives an existing database one too (it is built once).
CREATE INDEX IF NOT EXISTS run_ended ON run (ended);

-- The timeline: {"since", "until", "hours", "limit", "capped", "runs":
-- [...]}, the runs that were running at some time in the last p_hours,
-- oldest first; at most p_limit of them, the newest (those running, then
-- those that ended last), and "capped" true when there were more. Reads
-- the running runs and at most p_limit + 1 others, whatever the window
-- holds.
CREATE OR REPLACE FUNCTION df_list_timeline(p_hours integer, p_limit bigint)
RETURNS json LANGUAGE sql STABLE
SECURITY DEFINER SET search_path FROM CURRENT AS $$
	WITH w AS (
		SELECT now() - make_interval(hours => p_hours) AS since
	), ids AS (
		SELECT r.run_id, 'infinity'::timestamptz AS ended
		FROM run r WHERE r.status = 'RUNNING'
		UNION ALL
		(SELECT r.run_id, r.ended FROM run r, w
		WHERE r.ended >= w.since
		ORDER BY r.ended DESC LIMIT p_limit + 1)
	), k AS (
		SELECT ids.run_id FROM ids
		ORDER BY ids.ended DESC, ids.run_id DESC LIMIT p_limit + 1
	), n AS (
		SELECT count(*) > p_limit AS capped FROM k
	), s AS (
		SELECT r.* FROM run r
		WHERE r.run_id IN (SELECT k.run_id FROM k
		    ORDER BY k.run_id DESC LIMIT p_limit)
	)
	SELECT json_build_object(
	    'since', to_json(w.since) #>> '{}',
	    'until', to_json(now()) #>> '{}',
	    'hours', p_hours, 'limit', p_limit, 'capped', n.capped,
	    'runs', (SELECT coalesce(json_agg(json_build_object(
		'run_id', s.run_id, 'jobid', s.jobid, 'dataid', s.dataid,
		'attempt', s.attempt, 'status', s.status, 'host', s.host,
		'pid', s.pid, 'worker', s.worker_id,
		'started', to_json(s.started) #>> '{}',
		'ended', to_json(s.ended) #>> '{}',
		'duration_secs', round(extract(epoch FROM
		    coalesce(s.ended, now()) - s.started)::numeric, 3))
		ORDER BY s.started, s.run_id), '[]') FROM s))
	FROM w, n
$$;

-- The backlog: {"since", "until", "step_secs", "jobs": [{"jobid",
-- "claimable": [n0, n1, ...]}]}, the partitions of each job (or of
-- p_jobid; DF001 when unknown) that were claimable at p_points + 1
-- instants evenly spread over the last p_hours, the last one now.
--
-- Derived from history, nothing is sampled: a partition claimable now
-- counts from when it became so (its work row's "modified"); one claimed
-- in the window counts from the later of its inputs' becoming READY and
-- its previous attempt's failing, until its run started. Where history
-- does not tell (a partition resubmitted after a success: when is not
-- kept per partition), it counts from its claim, so the line is a lower
-- bound.
CREATE OR REPLACE FUNCTION df_list_backlog(p_jobid text, p_hours integer,
    p_points integer)
RETURNS json LANGUAGE plpgsql STABLE
SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
	v_until	timestamptz := now();
	v_since	timestamptz := now() - make_interval(hours => p_hours);
	v_step	double precision := p_hours * 3600.0 / p_points;
BEGIN
	IF p_jobid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM job j
	    WHERE j.jobid = p_jobid AND j.removed IS NULL) THEN
		RAISE EXCEPTION 'unknown job "%"', p_jobid
		    USING ERRCODE = 'DF001';
	END IF;
	RETURN (WITH j AS (
		SELECT j.jobid FROM job j
		WHERE j.removed IS NULL
		  AND (p_jobid IS NULL OR j.jobid = p_jobid)
	), iv AS (
		-- [f, u): when each partition was claimable.
		SELECT w.jobid, w.modified AS f, NULL::timestamptz AS u
		FROM work w JOIN j USING (jobid)
		WHERE w.state = 'ready'
		UNION ALL
		SELECT r.jobid, least(coalesce(greatest(
		    (SELECT max(ps.modified) FROM job_item i
		      JOIN partition_status ps ON ps.datasetid = i.datasetid
		      AND ps.dataid = r.dataid
		      WHERE i.jobid = r.jobid AND i.itemtype = 'IN'
		      AND ps.status = 'READY' AND ps.modified <= r.started),
		    p.ended), r.started), r.started), r.started
		FROM run r JOIN j USING (jobid)
		LEFT JOIN LATERAL (
			SELECT CASE WHEN q.status = 'SUCCEEDED' THEN r.started
			    ELSE q.ended END AS ended
			FROM run q
			WHERE q.dataid = r.dataid AND q.jobid = r.jobid
			  AND q.run_id < r.run_id
			ORDER BY q.run_id DESC LIMIT 1) p ON true
		WHERE r.started >= v_since
		  AND (r.ended >= v_since OR r.status = 'RUNNING')
	), e AS (
		-- The first instant each one counts at, and the first it
		-- no longer does: +1 and -1 there.
		SELECT iv.jobid, greatest(0, ceil(extract(epoch FROM
		    iv.f - v_since) / v_step))::integer AS i, 1 AS d
		FROM iv
		UNION ALL
		SELECT iv.jobid, ceil(extract(epoch FROM iv.u - v_since)
		    / v_step)::integer, -1
		FROM iv WHERE iv.u IS NOT NULL
	), a AS (
		SELECT e.jobid, e.i, sum(e.d) AS d FROM e
		WHERE e.i <= p_points GROUP BY e.jobid, e.i
	), c AS (
		SELECT j.jobid, g.i, sum(coalesce(a.d, 0)) OVER (PARTITION
		    BY j.jobid ORDER BY g.i) AS n
		FROM j CROSS JOIN generate_series(0, p_points) g(i)
		LEFT JOIN a ON a.jobid = j.jobid AND a.i = g.i
	)
	SELECT json_build_object('since', to_json(v_since) #>> '{}',
	    'until', to_json(v_until) #>> '{}', 'step_secs', v_step,
	    'jobs', coalesce(json_agg(json_build_object('jobid', x.jobid,
		'claimable', x.points) ORDER BY x.jobid), '[]'))
	FROM (SELECT c.jobid, json_agg(c.n ORDER BY c.i) AS points
	    FROM c GROUP BY c.jobid) x);
END
$$;
