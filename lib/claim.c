/* claim.c: the client side of claiming, renewing and finishing runs; the
 * logic itself is set-based and lives in sql/functions.sql. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "claim.h"
#include "config_encode.h"
#include "db.h"
#include "schema.h"
#include "strbuf.h"
#include "xmalloc.h"

/*
 * The statements name the schema of their df_* function (%s, the quoted
 * identifier from db_schema), so that they need no session search_path:
 * each is one autocommitted statement, right for PgBouncer's transaction
 * pooling. The functions pin their own search_path.
 */
/*
 * The claim, gated by the schema's version in the same statement (no round
 * trip of its own): df_claim is called only when the database's schema is
 * the one this build knows ($13), else the row says which it is. OFFSET 0
 * keeps the subquery from being flattened, so its filter, which names no
 * column of df_claim, stays a one-time filter evaluated before the
 * function (flattened, it became a join filter applied after the claim).
 */
#define CLAIM_SQL \
    "SELECT c.outcome, c.run_id, c.dataid, c.attempt, c.info, v.version " \
    "FROM (SELECT max(version) AS version FROM %s.schema_version) v " \
    "LEFT JOIN LATERAL (SELECT * FROM %s.df_claim(" \
    "$1, $2, $3, $4::text[], $5, $6::integer, $7, $8, $9::jsonb, " \
    "$10::integer, $11::boolean, $12::bigint) " \
    "WHERE v.version = $13::integer OFFSET 0) c ON true"

#define FINISH_SQL \
    "SELECT %s.df_end_run($1::bigint, $2, $3::integer, $4::integer, $5, " \
    "$6::jsonb, $7)"

#define RENEW_SQL \
    "SELECT %s.df_renew($1::bigint, $2::integer)"

static const struct {
	const char		*name;
	enum claim_outcome	 outcome;
} claim_outcomes[] = {
	{ "claimed",	CLAIM_CLAIMED },
	{ "none",	CLAIM_NONE },
	{ "noinputs",	CLAIM_NOINPUTS },
	{ "paused",	CLAIM_PAUSED },
	{ "busy",	CLAIM_BUSY },
	{ "waiting",	CLAIM_WAITING },
	{ "running",	CLAIM_HELD },
	{ "succeeded",	CLAIM_DONE },
	{ "failed",	CLAIM_EXHAUSTED },
};

const char *
claim_outcome_text(enum claim_outcome o)
{
	switch (o) {
	case CLAIM_CLAIMED:
		return "claimed";
	case CLAIM_NONE:
		return "nothing to do";
	case CLAIM_NOINPUTS:
		return "nothing to do (a job without inputs runs only "
		    "with --dataid ID)";
	case CLAIM_PAUSED:
		return "job is paused";
	case CLAIM_BUSY:
		return "job is at its max_running limit";
	case CLAIM_WAITING:
		return "inputs are not all READY";
	case CLAIM_HELD:
		return "partition is being run by another run";
	case CLAIM_DONE:
		return "partition already succeeded (resubmit to rerun)";
	case CLAIM_EXHAUSTED:
		return "partition failed max_attempts times "
		    "(resubmit to retry)";
	}
	return "unknown";
}

static char *
claim_json_strdup(json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);

	return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

/* Parse the info document df_claim returns. Return 0 or -1. */
static int
claim_parse_info(const char *text, struct claim *c)
{
	json_error_t	 jerr;
	json_t		*root, *ds, *d;
	size_t		 i, j;

	if ((root = json_loads(text, 0, &jerr)) == NULL)
		return -1;
	config_kv_from_json(json_object_get(root, "params"), &c->params,
	    &c->nparams);
	if (json_is_integer(json_object_get(root, "timeout")))
		c->timeout_secs = (long)json_integer_value(
		    json_object_get(root, "timeout"));
	c->owner = claim_json_strdup(root, "owner");
	c->notify_always = json_is_string(json_object_get(root,
	    "notify_on")) && strcmp(json_string_value(json_object_get(root,
	    "notify_on")), "always") == 0;
	ds = json_object_get(root, "notify");
	if (json_is_array(ds) && json_array_size(ds) > 0) {
		c->notify = xcalloc(json_array_size(ds), sizeof(*c->notify));
		json_array_foreach(ds, i, d)
			if (json_is_string(d))
				c->notify[c->nnotify++] =
				    xstrdup(json_string_value(d));
	}
	ds = json_object_get(root, "datasets");
	if (json_is_array(ds) && json_array_size(ds) > 0) {
		c->datasets = xcalloc(json_array_size(ds),
		    sizeof(*c->datasets));
		json_array_foreach(ds, i, d) {
			struct claim_dataset *cd = &c->datasets[i];
			const char *type;

			cd->id = claim_json_strdup(d, "datasetid");
			type = json_string_value(json_object_get(d,
			    "itemtype"));
			strlcpy(cd->itemtype, type != NULL ? type : "",
			    sizeof(cd->itemtype));
			for (j = 0; j < CFG_NATTRS; j++)
				cd->attrs[j] = claim_json_strdup(d,
				    cfg_attr_names[j]);
			config_kv_from_json(json_object_get(d, "extra"),
			    &cd->extra, &cd->nextra);
			c->ndatasets++;
		}
	}
	json_decref(root);
	return 0;
}

/*
 * Whether the database's schema version is not the one this build knows:
 * then *e says so, with the fix (78: a configuration error).
 */
static bool
claim_schema_skew(long long version, struct db_error *e)
{
	if (version == SCHEMA_VERSION)
		return false;
	e->kind = DB_ERR_SCHEMA;
	strlcpy(e->sqlstate, CLAIM_SKEW_STATE, sizeof(e->sqlstate));
	if (version > SCHEMA_VERSION)
		e->message = xasprintf("the database's dataflow schema is "
		    "version %lld, newer than this runjob's %d: install the "
		    "dataflow that upgraded it on this host", version,
		    SCHEMA_VERSION);
	else
		e->message = xasprintf("the database's dataflow schema is "
		    "version %lld, older than this runjob's %d: run "
		    "\"dataflow init\" to upgrade it", version,
		    SCHEMA_VERSION);
	return true;
}

int
claim_next(struct db *db, const struct claim_request *req, struct claim *c,
    struct db_error *e)
{
	struct db_result	*r = NULL;
	char			 pid[16], lease[24], worker[24];
	char			*exclude, *params, *sql;
	const char		*p[13], *outcome, *v;
	char			 known[16];
	size_t			 i;
	int			 rc = -1;

	memset(c, 0, sizeof(*c));
	exclude = db_text_array(req->exclude, req->nexclude);
	params = config_kv_text(req->params, req->nparams);
	snprintf(pid, sizeof(pid), "%d", req->pid);
	snprintf(lease, sizeof(lease), "%ld", req->lease_secs);
	p[0] = req->jobid;
	p[1] = req->dataid;
	p[2] = req->today;
	p[3] = exclude;
	p[4] = req->host;
	p[5] = pid;
	p[6] = req->user;
	p[7] = req->label;
	p[8] = params;
	p[9] = lease;
	p[10] = req->dry_run ? "true" : "false";
	p[11] = NULL;
	if (req->worker_id > 0) {
		snprintf(worker, sizeof(worker), "%lld", req->worker_id);
		p[11] = worker;
	}

	snprintf(known, sizeof(known), "%d", SCHEMA_VERSION);
	p[12] = known;

	sql = xasprintf(CLAIM_SQL, db_schema(db), db_schema(db));
	r = db_query(db, sql, 13, p, e);
	free(sql);
	if (r == NULL)
		goto out;
	if (db_rows(r) == 1 && claim_schema_skew(db_int(r, 0, 5, 0), e))
		goto out;
	if (db_rows(r) != 1 || (outcome = db_value(r, 0, 0)) == NULL) {
		e->kind = DB_ERR_QUERY;
		e->message = xstrdup("df_claim returned no outcome");
		goto out;
	}
	c->outcome = CLAIM_NONE;
	for (i = 0; i < sizeof(claim_outcomes) / sizeof(claim_outcomes[0]);
	    i++)
		if (strcmp(outcome, claim_outcomes[i].name) == 0)
			c->outcome = claim_outcomes[i].outcome;
	c->run_id = db_int(r, 0, 1, 0);
	if ((v = db_value(r, 0, 2)) != NULL)
		c->dataid = xstrdup(v);
	c->attempt = (int)db_int(r, 0, 3, 0);
	if ((v = db_value(r, 0, 4)) != NULL &&
	    claim_parse_info(v, c) == -1) {
		e->kind = DB_ERR_QUERY;
		e->message = xstrdup("df_claim returned malformed info");
		goto out;
	}
	rc = 0;
out:
	if (rc == -1)
		claim_clear(c);
	db_result_free(r);
	free(exclude);
	free(params);
	return rc;
}

void
claim_clear(struct claim *c)
{
	size_t	 i, j;

	free(c->dataid);
	free(c->owner);
	for (i = 0; i < c->nnotify; i++)
		free(c->notify[i]);
	free(c->notify);
	config_kv_free(c->params, c->nparams);
	for (i = 0; i < c->ndatasets; i++) {
		free(c->datasets[i].id);
		for (j = 0; j < CFG_NATTRS; j++)
			free(c->datasets[i].attrs[j]);
		config_kv_free(c->datasets[i].extra, c->datasets[i].nextra);
	}
	free(c->datasets);
	memset(c, 0, sizeof(*c));
}

int
claim_finish(struct db *db, long long run_id, const struct run_end *end,
    long timeout_ms, char **fenced_by, struct db_error *e)
{
	struct db_result	*r;
	char			 id[24], code[16], sig[16], *sql;
	const char		*p[7], *v;
	int			 rc;

	snprintf(id, sizeof(id), "%lld", run_id);
	snprintf(code, sizeof(code), "%d", end->exit_code);
	snprintf(sig, sizeof(sig), "%d", end->signo);
	p[0] = id;
	p[1] = end->status;
	p[2] = end->exit_code >= 0 ? code : NULL;
	p[3] = end->signo > 0 ? sig : NULL;
	p[4] = end->message;
	p[5] = end->metrics_json;
	p[6] = end->stderr_tail;
	sql = xasprintf(FINISH_SQL, db_schema(db));
	r = db_query_timeout(db, sql, 7, p, timeout_ms, e);
	free(sql);
	if (r == NULL)
		return -1;
	v = db_value(r, 0, 0);
	rc = 0;
	/*
	 * The run had already ended. With the status we are recording, it
	 * was this very outcome: an earlier attempt committed and only its
	 * answer was lost with the connection (nobody else ends a run with
	 * its own outcome; a reaper says ABANDONED). Otherwise someone else
	 * owns the claim now.
	 */
	if (v != NULL && strcmp(v, end->status) != 0) {
		if (fenced_by != NULL)
			*fenced_by = xstrdup(v);
		rc = 1;
	}
	db_result_free(r);
	return rc;
}

int
claim_renew(struct db *db, long long run_id, long lease_secs,
    long timeout_ms, struct db_error *e)
{
	struct db_result	*r;
	char			 id[24], lease[24], *sql;
	const char		*p[2], *v;
	int			 held;

	snprintf(id, sizeof(id), "%lld", run_id);
	snprintf(lease, sizeof(lease), "%ld", lease_secs);
	p[0] = id;
	p[1] = lease;
	sql = xasprintf(RENEW_SQL, db_schema(db));
	r = db_query_timeout(db, sql, 2, p, timeout_ms, e);
	free(sql);
	if (r == NULL)
		return -1;
	v = db_value(r, 0, 0);
	held = v != NULL && strcmp(v, "t") == 0;
	db_result_free(r);
	return held;
}
