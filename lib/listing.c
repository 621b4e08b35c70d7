/* listing.c: the read-only listings of the operations commands: each one's
 * SQL, once, its rows for the text output and its JSON document, built by
 * PostgreSQL (json_build_object over the same rows) for --json and the
 * HTTP API alike. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "db.h"
#include "exposition.h"
#include "listing.h"
#include "xmalloc.h"

/*
 * df_status (sql/ops.sql), with the one word for what the job is doing,
 * times as ISO 8601 for JSON, and how long ago its last run ended (or
 * started).
 */
#define STATUS_ROWS \
    "SELECT s.jobid, CASE WHEN s.paused THEN 'paused' " \
    "WHEN s.running >= s.max_running THEN 'busy' " \
    "WHEN s.running > 0 THEN 'running' " \
    "WHEN s.claimable > 0 THEN 'ready' ELSE 'idle' END AS state, " \
    "s.paused, s.run_order, s.max_running, " \
    "s.max_attempts, s.owner, s.claimable, s.ready, s.retrying, " \
    "s.waiting, s.running, s.done, s.failed, s.skipped, s.oldest_dataid, " \
    "s.oldest_state, to_json(s.oldest_since) #>> '{}' AS oldest_since, " \
    "s.lag_secs, s.last_run_id, s.last_dataid, s.last_status, " \
    "s.last_exit_code, s.last_signal, " \
    "to_json(s.last_started) #>> '{}' AS last_started, " \
    "to_json(s.last_ended) #>> '{}' AS last_ended, " \
    "s.last_duration_secs, extract(epoch FROM now() - " \
    "coalesce(s.last_ended, s.last_started)) AS last_age_secs " \
    "FROM df_status($1) s"

static const char status_sql[] = STATUS_ROWS;

/* df_list_status (sql/list.sql): NULL for a job named but unknown. */
static const char status_json_sql[] =
    "SELECT df_list_status($1)::text";

/* dataflow status --match: as df_match_job, but any number of jobs. */
static const char match_jobs_sql[] =
    "SELECT j.jobid FROM job j WHERE j.removed IS NULL "
    "AND j.tags @> $1::jsonb ORDER BY j.jobid";

/* df_grid (sql/observe.sql): jobs in dependency order, recent dataids. */
static const char grid_sql[] =
    "SELECT g.jobid, g.paused, g.dataids::text AS dataids, "
    "g.states::text AS states FROM df_grid($1, $2::integer) g";

/*
 * The columns of runs and show; times as ISO 8601 and as epoch. Params
 * are masked when a run is claimed; masking them again here hides secrets
 * of runs recorded before the rule was widened.
 */
#define RUN_COLUMNS \
    "r.run_id, r.jobid, r.dataid, r.attempt, r.status, r.host, r.pid, " \
    "r.username, r.label, to_json(r.started) #>> '{}' AS started, " \
    "floor(extract(epoch FROM r.started))::bigint AS started_epoch, " \
    "to_json(r.ended) #>> '{}' AS ended, " \
    "extract(epoch FROM coalesce(r.ended, now()) - r.started) " \
    "AS duration_secs, r.exit_code, r.signal, " \
    "(SELECT m FROM df_masked_params(r.params) m) AS params, " \
    "r.metrics, r.message, r.triggered_by, r.worker_id "

#define RUNS_ROWS \
    "SELECT " RUN_COLUMNS "FROM run r " \
    "WHERE ($1::text IS NULL OR r.jobid = $1) " \
    "AND ($2::text IS NULL OR r.label = $2) " \
    "AND ($3::text IS NULL OR r.dataid = $3) " \
    "AND (NOT $4::boolean OR r.status IN ('FAILED', 'TIMEOUT', " \
    "'CANCELLED', 'ABANDONED')) " \
    "AND ($6::text IS NULL OR r.run_id < df_uncursor_id($6)) " \
    "ORDER BY r.run_id DESC LIMIT $5::bigint"

static const char runs_sql[] = RUNS_ROWS;

/* df_list_runs (sql/list.sql). */
static const char runs_json_sql[] =
    "SELECT df_list_runs($1, $2, $3, $4::boolean, $5::bigint, $6, "
    "$7::boolean)::text";

#define SHOW_ROW \
    "SELECT " RUN_COLUMNS ", to_json(r.heartbeat) #>> '{}' AS heartbeat, " \
    "to_json(r.lease_until) #>> '{}' AS lease_until, r.stderr_tail, " \
    "w.state AS work_state, w.run_id = r.run_id AS holds_work " \
    "FROM run r LEFT JOIN work w ON w.jobid = r.jobid " \
    "AND w.dataid = r.dataid WHERE r.run_id = $1::bigint"

static const char show_sql[] = SHOW_ROW;

/* df_list_show (sql/list.sql): NULL for an unknown run. */
static const char show_json_sql[] =
    "SELECT df_list_show($1::bigint)::text";

/* Jobs and datasets that ever existed: their runs and trail outlive
 * them. */
static const char job_known_sql[] = "SELECT 1 FROM job WHERE jobid = $1";
static const char dataset_known_sql[] =
    "SELECT 1 FROM dataset WHERE datasetid = $1";

static const char explain_job_sql[] =
    "SELECT s.jobid, s.paused, s.run_order, s.max_running, "
    "s.max_attempts, s.running FROM df_status($1) s";

/* df_explain (sql/ops.sql) with times as ISO 8601. */
static const char explain_sql[] =
    "SELECT x.dataid, x.verdict, x.reason, x.state, x.attempts, "
    "x.failures, x.run_id, x.host, x.pid, "
    "to_json(x.since) #>> '{}' AS since, "
    "to_json(x.lease_until) #>> '{}' AS lease_until, x.inputs "
    "FROM df_explain($1, $2, $3, $4::integer) x";

/* df_list_explain (sql/list.sql): NULL for an unknown job. */
static const char explain_json_sql[] =
    "SELECT df_list_explain($1, $2, $3, $4::integer)::text";

/*
 * An apply names the objects it changed only in its detail. Its secrets
 * are masked when written; df_masked_plan masks rows written before.
 */
#define AUDIT_ROWS \
    "SELECT a.audit_id, to_json(a.at) #>> '{}' AS at, " \
    "floor(extract(epoch FROM a.at))::bigint AS at_epoch, a.who, a.host, " \
    "a.action, a.jobid, a.datasetid, a.dataid, CASE WHEN a.action = " \
    "'apply' THEN df_masked_plan(a.detail) ELSE a.detail END AS detail, " \
    "a.reason FROM audit a " \
    "WHERE ($1::text IS NULL OR a.jobid = $1 OR (a.action = 'apply' " \
    "AND a.detail @> jsonb_build_array(jsonb_build_object('kind', " \
    "'job', 'id', $1::text)))) " \
    "AND ($2::text IS NULL OR a.datasetid = $2 OR (a.action = 'apply' " \
    "AND a.detail @> jsonb_build_array(jsonb_build_object('kind', " \
    "'dataset', 'id', $2::text)))) " \
    "AND ($3::text IS NULL OR a.dataid = $3) " \
    "AND ($4::text IS NULL OR a.action = $4) " \
    "AND ($6::text IS NULL OR a.audit_id < df_uncursor_id($6)) " \
    "ORDER BY a.audit_id DESC LIMIT $5::bigint"

static const char audit_sql[] = AUDIT_ROWS;

/* df_list_audit (sql/list.sql). */
static const char audit_json_sql[] =
    "SELECT df_list_audit($1, $2, $3, $4, $5::bigint, $6, "
    "$7::boolean)::text";

/* df_workers (sql/observe.sql), times as ISO 8601 and as epoch. */
#define WORKERS_ROWS \
    "SELECT w.host, w.runs, w.running, w.stale, w.succeeded, w.failed, " \
    "w.timeout, w.cancelled, w.abandoned, " \
    "to_json(w.first_seen) #>> '{}' AS first_seen, " \
    "floor(extract(epoch FROM w.first_seen))::bigint AS first_seen_epoch, " \
    "to_json(w.last_seen) #>> '{}' AS last_seen, w.last_seen_secs " \
    "FROM df_workers() w"

static const char workers_sql[] = WORKERS_ROWS;

/* df_list_hosts (sql/list.sql). */
static const char workers_json_sql[] = "SELECT df_list_hosts()::text";

/* df_worker_list (sql/observe.sql): registered workers, newest first;
 * times as ISO 8601 text and the start as epoch for the table. */
static const char worker_list_sql[] =
    "SELECT k.worker_id, k.jobid, k.host, k.pid, k.username, k.mode, "
    "k.stream, k.version, to_json(k.started) #>> '{}' AS started, "
    "floor(extract(epoch FROM k.started))::bigint AS started_epoch, "
    "to_json(k.last_seen) #>> '{}' AS last_seen, k.last_seen_secs, "
    "k.beat_secs, to_json(k.stopped) #>> '{}' AS stopped, k.state, "
    "k.run_id, k.dataid, k.processed, k.succeeded, k.failed "
    "FROM df_worker_list($1::bigint) k";

/* df_list_workers (sql/list.sql): every worker, or one (NULL when
 * unknown) with its latest runs. */
static const char worker_list_json_sql[] =
    "SELECT df_list_workers($1::bigint)::text";

/* A worker's latest runs, for "workers show". */
#define WORKER_RUNS \
    "SELECT r.run_id, r.dataid, r.status, " \
    "floor(extract(epoch FROM r.started))::bigint AS started_epoch, " \
    "extract(epoch FROM coalesce(r.ended, now()) - r.started) " \
    "AS duration_secs FROM run r WHERE r.worker_id = $1::bigint " \
    "ORDER BY r.run_id DESC LIMIT 10"

static const char worker_runs_sql[] = WORKER_RUNS;

/* df_graph (sql/observe.sql): nodes, then edges. */
static const char graph_sql[] =
    "SELECT g.kind, g.name, g.peer, g.itemtype, g.state, g.paused, "
    "g.claimable, g.running, g.failed, g.lag_secs, g.last_status, "
    "g.producer FROM df_graph($1, $2::double precision) g";

/* df_list_graph (sql/list.sql): NULL for a job named but unknown. */
static const char graph_json_sql[] =
    "SELECT df_list_graph($1, $2::double precision)::text";

/* df_list_partitions (sql/list.sql). */
static const char partitions_json_sql[] =
    "SELECT df_list_partitions($1, $2, $3, $4, $5::bigint, $6, "
    "$7::boolean)::text";

/* df_metrics (sql/observe.sql): one snapshot, one round trip. */
static const char metrics_sql[] =
    "SELECT df_metrics($1::double precision)::text";

const struct listing_cell listing_cells[] = {
	{ "succeeded",	'#' },
	{ "running",	'R' },
	{ "ready",	'r' },
	{ "retrying",	'f' },
	{ "waiting",	'.' },
	{ "failed",	'F' },
	{ "skipped",	'-' },
};
const size_t listing_ncells = sizeof(listing_cells) / sizeof(listing_cells[0]);

/* Fill *e as the df_* functions report an unknown object; return -1. */
static int
listing_unknown(struct db_error *e, const char *what, const char *id,
    bool quote)
{
	db_error_clear(e);
	e->kind = DB_ERR_QUERY;
	strlcpy(e->sqlstate, "DF001", sizeof(e->sqlstate));
	e->message = xasprintf("unknown %s %s%s%s", what, quote ? "\"" : "",
	    id, quote ? "\"" : "");
	return -1;
}

/* Fill *e with a message about what the database returned; return -1. */
static int
listing_bad(struct db_error *e, const char *message)
{
	db_error_clear(e);
	e->kind = DB_ERR_QUERY;
	e->message = xstrdup(message);
	return -1;
}

/* Run a listing's statement into *rows. Return 0, or -1 with *e filled. */
static int
listing_query(struct db *db, const char *sql, int n, const char *const *p,
    struct db_result **rows, struct db_error *e)
{
	*rows = db_query(db, sql, n, p, e);
	return *rows != NULL ? 0 : -1;
}

char *
listing_json_text(json_t *o)
{
	char	*text, *doc;

	text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(12));
	if (text == NULL)
		return NULL;
	doc = xasprintf("%s\n", text);
	free(text);
	return doc;
}

/*
 * Run a statement returning a JSON document (or no row, or NULL) and set
 * *json to
 * it as the listings print it. Return 0, 1 when there was no row, or -1
 * with *e filled.
 */
static int
listing_doc(struct db *db, const char *sql, int n, const char *const *p,
    char **json, struct db_error *e)
{
	struct db_result	*r;
	json_t			*o;
	int			 rc = -1;

	*json = NULL;
	if ((r = db_query(db, sql, n, p, e)) == NULL)
		return -1;
	if (db_rows(r) == 0 || db_value(r, 0, 0) == NULL)
		rc = 1;
	else if ((o = json_loads(db_value(r, 0, 0), 0, NULL)) == NULL)
		listing_bad(e, "the database returned invalid JSON");
	else {
		if ((*json = listing_json_text(o)) == NULL)
			listing_bad(e, "could not encode the JSON document");
		else
			rc = 0;
		json_decref(o);
	}
	db_result_free(r);
	return rc;
}

/* Return 0 when the query with id finds a row, else -1 with *e filled
 * (unknown what id when it finds none). */
static int
listing_known(struct db *db, const char *sql, const char *what,
    const char *id, struct db_error *e)
{
	struct db_result	*r;
	const char		*p[1] = { id };
	int			 found;

	if ((r = db_query(db, sql, 1, p, e)) == NULL)
		return -1;
	found = db_rows(r) > 0;
	db_result_free(r);
	return found ? 0 : listing_unknown(e, what, id, true);
}

/* Format a limit (0: none, NULL) into buf for a $n::bigint parameter. */
static const char *
listing_limit(long limit, char *buf, size_t len)
{
	if (limit <= 0)
		return NULL;
	snprintf(buf, len, "%ld", limit);
	return buf;
}

int
listing_status(struct db *db, const char *jobid, struct db_result **rows,
    struct db_error *e)
{
	const char	*p[1] = { jobid };

	if (listing_query(db, status_sql, 1, p, rows, e) == -1)
		return -1;
	if (jobid != NULL && db_rows(*rows) == 0) {
		db_result_free(*rows);
		*rows = NULL;
		return listing_unknown(e, "job", jobid, true);
	}
	return 0;
}

int
listing_status_json(struct db *db, const char *jobid, char **json,
    struct db_error *e)
{
	const char	*p[1] = { jobid };
	int		 rc;

	if ((rc = listing_doc(db, status_json_sql, 1, p, json, e)) == 1)
		return listing_unknown(e, "job", jobid, true);
	return rc;
}

int
listing_match_jobs(struct db *db, const char *tags, struct db_result **rows,
    struct db_error *e)
{
	const char	*p[1] = { tags };

	return listing_query(db, match_jobs_sql, 1, p, rows, e);
}

int
listing_grid(struct db *db, const char *jobid, long limit,
    struct db_result **rows, struct db_error *e)
{
	const char	*p[2];
	char		 limbuf[24];

	/* As many as could ever fit: the rest is cut once names are known. */
	snprintf(limbuf, sizeof(limbuf), "%ld", limit < 0 ?
	    LISTING_GRID_WIDTH : limit);
	p[0] = jobid;
	p[1] = limit == 0 ? NULL : limbuf;
	if (listing_query(db, grid_sql, 2, p, rows, e) == -1)
		return -1;
	if (jobid != NULL && db_rows(*rows) == 0) {
		db_result_free(*rows);
		*rows = NULL;
		return listing_unknown(e, "job", jobid, true);
	}
	return 0;
}

char
listing_grid_cell(const char *state)
{
	size_t	 i;

	if (state == NULL)
		return ' ';
	for (i = 0; i < listing_ncells; i++)
		if (strcmp(state, listing_cells[i].state) == 0)
			return listing_cells[i].c;
	return '?';
}

char *
listing_grid_name(const struct db_result *rows, int i)
{
	if (strcmp(db_col(rows, i, "paused"), "t") == 0)
		return xasprintf("%s (paused)", db_col(rows, i, "jobid"));
	return xstrdup(db_col(rows, i, "jobid"));
}

int
listing_grid_width(const struct db_result *rows)
{
	char	*name;
	int	 width = 3, i;	/* "JOB" */

	for (i = 0; i < db_rows(rows); i++) {
		name = listing_grid_name(rows, i);
		if ((int)strlen(name) > width)
			width = (int)strlen(name);
		free(name);
	}
	return width;
}

size_t
listing_grid_ncols(size_t n, long limit, int width)
{
	size_t	 ncols;

	if (limit > 0)
		ncols = (size_t)limit;
	else if (limit == 0)
		ncols = n;
	else if (LISTING_GRID_WIDTH - width - 2 > 0)
		ncols = (size_t)(LISTING_GRID_WIDTH - width - 2);
	else
		ncols = 1;
	return ncols < n ? ncols : n;
}

char *
listing_grid_cells(json_t *states, size_t ncols)
{
	size_t	 n = json_array_size(states), i, first;
	char	*row;

	first = n > ncols ? n - ncols : 0;
	row = xcalloc(n - first + 1, 1);
	for (i = first; i < n; i++)
		row[i - first] = listing_grid_cell(json_string_value(
		    json_array_get(states, i)));
	return row;
}

json_t *
listing_json_value(const char *v)
{
	json_t	*o;

	if (v == NULL || (o = json_loads(v, JSON_DECODE_ANY, NULL)) == NULL)
		return json_null();
	return o;
}

/* The grid document of df_grid's rows. */
static json_t *
listing_grid_doc(const struct db_result *r, long limit)
{
	json_t	*a = json_array(), *o, *ids, *states, *cols;
	size_t	 n, ncols, k;
	char	*row;
	int	 i;

	ids = db_rows(r) > 0 ? listing_json_value(db_col(r, 0, "dataids")) :
	    json_array();
	n = json_array_size(ids);
	ncols = listing_grid_ncols(n, limit, listing_grid_width(r));
	cols = json_array();
	for (k = n - ncols; k < n; k++)
		json_array_append(cols, json_array_get(ids, k));
	json_decref(ids);
	for (i = 0; i < db_rows(r); i++) {
		states = listing_json_value(db_col(r, i, "states"));
		o = json_object();
		json_object_set_new(o, "jobid", json_string(db_col(r, i,
		    "jobid")));
		json_object_set_new(o, "paused", json_boolean(strcmp(db_col(r,
		    i, "paused"), "t") == 0));
		row = listing_grid_cells(states, ncols);
		json_object_set_new(o, "cells", json_string(row));
		free(row);
		/* The states of the columns shown. */
		while (json_array_size(states) > ncols)
			json_array_remove(states, 0);
		json_object_set_new(o, "states", states);
		json_array_append_new(a, o);
	}
	return json_pack("{s:o, s:o}", "dataids", cols, "jobs", a);
}

int
listing_grid_json(struct db *db, const char *jobid, long limit, char **json,
    struct db_error *e)
{
	struct db_result	*r;
	json_t			*o;

	*json = NULL;
	if (listing_grid(db, jobid, limit, &r, e) == -1)
		return -1;
	o = listing_grid_doc(r, limit);
	db_result_free(r);
	*json = listing_json_text(o);
	json_decref(o);
	if (*json == NULL)
		return listing_bad(e, "could not encode the JSON document");
	return 0;
}

/* The parameters of runs_sql for f, into p[6] (limbuf holds the limit). */
static int
listing_runs_params(struct db *db, const struct listing_runs *f,
    const char **p, char *limbuf, size_t len, struct db_error *e)
{
	if (f->jobid != NULL && listing_known(db, job_known_sql, "job",
	    f->jobid, e) == -1)
		return -1;
	p[0] = f->jobid;
	p[1] = f->label;
	p[2] = f->dataid;
	p[3] = f->failed ? "true" : "false";
	p[4] = listing_limit(f->limit, limbuf, len);
	p[5] = f->cursor;
	return 0;
}

int
listing_runs(struct db *db, const struct listing_runs *f,
    struct db_result **rows, struct db_error *e)
{
	const char	*p[6];
	char		 limbuf[24];

	*rows = NULL;
	if (listing_runs_params(db, f, p, limbuf, sizeof(limbuf), e) == -1)
		return -1;
	return listing_query(db, runs_sql, 6, p, rows, e);
}

/* The parameters of a listing's document: limit (0: none) into limbuf,
 * the cursor and whether to page, at p[4..6]. */
static void
listing_page_params(const char **p, long limit, const char *cursor,
    bool page, char *limbuf, size_t len)
{
	p[4] = listing_limit(limit, limbuf, len);
	p[5] = cursor;
	p[6] = page ? "true" : "false";
}

int
listing_runs_json(struct db *db, const struct listing_runs *f, char **json,
    struct db_error *e)
{
	const char	*p[7];
	char		 limbuf[24];

	*json = NULL;
	p[0] = f->jobid;
	p[1] = f->label;
	p[2] = f->dataid;
	p[3] = f->failed ? "true" : "false";
	listing_page_params(p, f->limit, f->cursor, f->page, limbuf,
	    sizeof(limbuf));
	return listing_doc(db, runs_json_sql, 7, p, json, e) == 0 ? 0 : -1;
}

int
listing_show(struct db *db, long long run_id, struct db_result **rows,
    struct db_error *e)
{
	const char	*p[1];
	char		 id[24];

	snprintf(id, sizeof(id), "%lld", run_id);
	p[0] = id;
	if (listing_query(db, show_sql, 1, p, rows, e) == -1)
		return -1;
	if (db_rows(*rows) == 0) {
		db_result_free(*rows);
		*rows = NULL;
		return listing_unknown(e, "run", id, false);
	}
	return 0;
}

int
listing_show_json(struct db *db, long long run_id, char **json,
    struct db_error *e)
{
	const char	*p[1];
	char		 id[24];
	int		 rc;

	snprintf(id, sizeof(id), "%lld", run_id);
	p[0] = id;
	if ((rc = listing_doc(db, show_json_sql, 1, p, json, e)) == 1)
		return listing_unknown(e, "run", id, false);
	return rc;
}

/* The "today" input's partition, as runjob computes it: the local date. */
static void
listing_today(char *buf, size_t len)
{
	struct tm	 tm;
	time_t		 now = time(NULL);

	localtime_r(&now, &tm);
	strftime(buf, len, "%Y-%m-%d", &tm);
}

int
listing_explain(struct db *db, const char *jobid, const char *dataid,
    long limit, struct db_result **job, struct db_result **rows,
    struct db_error *e)
{
	const char	*p[4];
	char		 limbuf[24], today[16];

	*rows = NULL;
	p[0] = jobid;
	if (listing_query(db, explain_job_sql, 1, p, job, e) == -1)
		return -1;
	if (db_rows(*job) == 0) {
		db_result_free(*job);
		*job = NULL;
		return listing_unknown(e, "job", jobid, true);
	}
	listing_today(today, sizeof(today));
	p[1] = dataid;
	p[2] = today;
	p[3] = listing_limit(limit, limbuf, sizeof(limbuf));
	if (listing_query(db, explain_sql, 4, p, rows, e) == -1) {
		db_result_free(*job);
		*job = NULL;
		return -1;
	}
	return 0;
}

int
listing_explain_json(struct db *db, const char *jobid, const char *dataid,
    long limit, char **json, struct db_error *e)
{
	const char	*p[4];
	char		 limbuf[24], today[16];
	int		 rc;

	listing_today(today, sizeof(today));
	p[0] = jobid;
	p[1] = dataid;
	p[2] = today;
	p[3] = listing_limit(limit, limbuf, sizeof(limbuf));
	if ((rc = listing_doc(db, explain_json_sql, 4, p, json, e)) == 1)
		return listing_unknown(e, "job", jobid, true);
	return rc;
}

/* The parameters of audit_sql for f, into p[6] (limbuf holds the limit). */
static int
listing_audit_params(struct db *db, const struct listing_audit *f,
    const char **p, char *limbuf, size_t len, struct db_error *e)
{
	if (f->jobid != NULL && listing_known(db, job_known_sql, "job",
	    f->jobid, e) == -1)
		return -1;
	if (f->datasetid != NULL && listing_known(db, dataset_known_sql,
	    "dataset", f->datasetid, e) == -1)
		return -1;
	p[0] = f->jobid;
	p[1] = f->datasetid;
	p[2] = f->dataid;
	p[3] = f->action;
	p[4] = listing_limit(f->limit, limbuf, len);
	p[5] = f->cursor;
	return 0;
}

int
listing_audit(struct db *db, const struct listing_audit *f,
    struct db_result **rows, struct db_error *e)
{
	const char	*p[6];
	char		 limbuf[24];

	*rows = NULL;
	if (listing_audit_params(db, f, p, limbuf, sizeof(limbuf), e) == -1)
		return -1;
	return listing_query(db, audit_sql, 6, p, rows, e);
}

int
listing_audit_json(struct db *db, const struct listing_audit *f,
    char **json, struct db_error *e)
{
	const char	*p[7];
	char		 limbuf[24];

	*json = NULL;
	p[0] = f->jobid;
	p[1] = f->datasetid;
	p[2] = f->dataid;
	p[3] = f->action;
	listing_page_params(p, f->limit, f->cursor, f->page, limbuf,
	    sizeof(limbuf));
	return listing_doc(db, audit_json_sql, 7, p, json, e) == 0 ? 0 : -1;
}

int
listing_workers(struct db *db, struct db_result **rows, struct db_error *e)
{
	return listing_query(db, workers_sql, 0, NULL, rows, e);
}

int
listing_workers_json(struct db *db, char **json, struct db_error *e)
{
	return listing_doc(db, workers_json_sql, 0, NULL, json, e) == 0 ?
	    0 : -1;
}

int
listing_worker_list(struct db *db, struct db_result **rows,
    struct db_error *e)
{
	const char	*p[1] = { NULL };

	return listing_query(db, worker_list_sql, 1, p, rows, e);
}

int
listing_worker_list_json(struct db *db, char **json, struct db_error *e)
{
	const char	*p[1] = { NULL };

	return listing_doc(db, worker_list_json_sql, 1, p, json, e) == 0 ?
	    0 : -1;
}

int
listing_worker_show(struct db *db, long long id, struct db_result **rows,
    struct db_result **runs, struct db_error *e)
{
	const char	*p[1];
	char		 idbuf[24];

	*runs = NULL;
	snprintf(idbuf, sizeof(idbuf), "%lld", id);
	p[0] = idbuf;
	if (listing_query(db, worker_list_sql, 1, p, rows, e) == -1)
		return -1;
	if (db_rows(*rows) == 0) {
		db_result_free(*rows);
		*rows = NULL;
		return listing_unknown(e, "worker", idbuf, false);
	}
	if (listing_query(db, worker_runs_sql, 1, p, runs, e) == -1) {
		db_result_free(*rows);
		*rows = NULL;
		return -1;
	}
	return 0;
}

int
listing_worker_show_json(struct db *db, long long id, char **json,
    struct db_error *e)
{
	const char	*p[1];
	char		 idbuf[24];
	int		 rc;

	snprintf(idbuf, sizeof(idbuf), "%lld", id);
	p[0] = idbuf;
	if ((rc = listing_doc(db, worker_list_json_sql, 1, p, json, e)) == 1)
		return listing_unknown(e, "worker", idbuf, false);
	return rc;
}

int
listing_graph(struct db *db, const char *jobid, long lag_secs,
    struct db_result **rows, struct db_error *e)
{
	const char	*p[2];
	const char	*kind, *name;
	char		 lagbuf[24];
	int		 i;

	snprintf(lagbuf, sizeof(lagbuf), "%ld", lag_secs);
	p[0] = jobid;
	p[1] = lagbuf;
	if (listing_query(db, graph_sql, 2, p, rows, e) == -1)
		return -1;
	if (jobid == NULL)
		return 0;
	for (i = 0; i < db_rows(*rows); i++) {
		kind = db_col(*rows, i, "kind");
		name = db_col(*rows, i, "name");
		if (strcmp(kind, "job") == 0 && strcmp(name, jobid) == 0)
			return 0;
	}
	db_result_free(*rows);
	*rows = NULL;
	return listing_unknown(e, "job", jobid, true);
}

int
listing_graph_json(struct db *db, const char *jobid, long lag_secs,
    char **json, struct db_error *e)
{
	const char	*p[2];
	char		 lagbuf[24];
	int		 rc;

	snprintf(lagbuf, sizeof(lagbuf), "%ld", lag_secs);
	p[0] = jobid;
	p[1] = lagbuf;
	if ((rc = listing_doc(db, graph_json_sql, 2, p, json, e)) == 1)
		return listing_unknown(e, "job", jobid, true);
	return rc;
}

int
listing_partitions_json(struct db *db, const struct listing_partitions *f,
    char **json, struct db_error *e)
{
	const char	*p[7];
	char		 limbuf[24];

	*json = NULL;
	p[0] = f->jobid;
	p[1] = f->from;
	p[2] = f->to;
	p[3] = f->state;
	listing_page_params(p, f->limit, f->cursor, f->page, limbuf,
	    sizeof(limbuf));
	return listing_doc(db, partitions_json_sql, 7, p, json, e) == 0 ?
	    0 : -1;
}

int
listing_metrics_text(struct db *db, long window_secs, char **text,
    struct db_error *e)
{
	struct db_result	*r;
	const char		*p[1];
	char			 wbuf[24], *errmsg = NULL;

	*text = NULL;
	snprintf(wbuf, sizeof(wbuf), "%ld", window_secs);
	p[0] = wbuf;
	if ((r = db_query(db, metrics_sql, 1, p, e)) == NULL)
		return -1;
	if (db_rows(r) != 1 || db_value(r, 0, 0) == NULL) {
		db_result_free(r);
		return listing_bad(e, "no result");
	}
	*text = exposition_text(db_value(r, 0, 0), window_secs, &errmsg);
	db_result_free(r);
	if (*text == NULL) {
		listing_bad(e, errmsg);
		free(errmsg);
		return -1;
	}
	return 0;
}

/* df_list_timeline (sql/list.sql). */
static const char timeline_json_sql[] =
    "SELECT df_list_timeline($1::integer, $2::bigint)::text";

/* df_list_backlog (sql/list.sql). */
static const char backlog_json_sql[] =
    "SELECT df_list_backlog($1, $2::integer, $3::integer)::text";

int
listing_timeline_json(struct db *db, int hours, long limit, char **json,
    struct db_error *e)
{
	const char	*p[2];
	char		 hbuf[24], lbuf[24];

	snprintf(hbuf, sizeof(hbuf), "%d", hours);
	snprintf(lbuf, sizeof(lbuf), "%ld", limit);
	p[0] = hbuf;
	p[1] = lbuf;
	return listing_doc(db, timeline_json_sql, 2, p, json, e) == 0 ?
	    0 : -1;
}

int
listing_backlog_json(struct db *db, const char *jobid, int hours,
    int points, char **json, struct db_error *e)
{
	const char	*p[3];
	char		 hbuf[24], nbuf[24];

	snprintf(hbuf, sizeof(hbuf), "%d", hours);
	snprintf(nbuf, sizeof(nbuf), "%d", points);
	p[0] = jobid;
	p[1] = hbuf;
	p[2] = nbuf;
	return listing_doc(db, backlog_json_sql, 3, p, json, e) == 0 ?
	    0 : -1;
}
