/* ops.c: the changes of "dataflow ready", "resubmit", "pause", "resume",
 * "validate" and "apply", shared with the HTTP API: the checks of their
 * input, the df_* call and the --json document. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "catalog.h"
#include "config.h"
#include "config_check.h"
#include "db.h"
#include "diag.h"
#include "ids.h"
#include "listing.h"
#include "ops.h"
#include "plan.h"
#include "xmalloc.h"

/* One function, so that an operator (or the server) may mark partitions
 * without any right on the tables (dataflow(1), ROLES); NULL for an
 * unknown or removed dataset. */
static const char mark_ready_sql[] =
    "SELECT df_ready($1, $2::text[], $3, $4)";

/* df_resubmit (sql/ops.sql) with times as ISO 8601; $7 NULL for every
 * row. */
static const char resubmit_sql[] =
    "SELECT x.jobid, x.dataid, x.depth, x.action, x.old_state, "
    "x.new_state, x.run_id, x.host, to_json(x.since) #>> '{}' AS since, "
    "x.outputs::text AS outputs, x.count "
    "FROM df_resubmit($1, $2::text[], $3::boolean, $4::boolean, $5, $6, "
    "$7::integer) x";

static const char pause_sql[] =
    "SELECT df_set_paused($1, $2::boolean, $3, $4)";

int
ops_refuse(struct db_error *e, const char *fmt, ...)
{
	va_list	 ap;
	char	 buf[512];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	db_error_clear(e);
	e->kind = DB_ERR_QUERY;
	strlcpy(e->sqlstate, "22023", sizeof(e->sqlstate));
	e->message = xstrdup(buf);
	return -1;
}

/* Fill *e as the df_* functions report an unknown object; return -1. */
static int
ops_unknown(struct db_error *e, const char *what, const char *id)
{
	db_error_clear(e);
	e->kind = DB_ERR_QUERY;
	strlcpy(e->sqlstate, "DF001", sizeof(e->sqlstate));
	e->message = xasprintf("unknown %s \"%s\"", what, id);
	return -1;
}

/* Refuse a reason over OPS_REASON_MAX bytes: 0, or -1 with *e filled. */
static int
ops_reason_check(const char *reason, struct db_error *e)
{
	if (reason != NULL && strlen(reason) > OPS_REASON_MAX)
		return ops_refuse(e, "the reason is longer than %d bytes",
		    OPS_REASON_MAX);
	return 0;
}

/* Refuse an invalid job id: 0, or -1 with *e filled. */
static int
ops_job_check(const char *jobid, struct db_error *e)
{
	if (!ident_valid(jobid))
		return ops_refuse(e, "\"%s\" is not a valid job id", jobid);
	return 0;
}

/* Refuse an invalid dataid among ids: 0, or -1 with *e filled. */
static int
ops_ids_check(char *const *ids, size_t n, struct db_error *e)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (!dataid_valid(ids[i]))
			return ops_refuse(e, "\"%s\" is not a valid dataid",
			    ids[i]);
	return 0;
}

int
ops_ready(struct db *db, const char *dataset, char *const *ids, size_t n,
    const char *reason, const char *who, long *changed, json_t **doc,
    struct db_error *e)
{
	struct db_result	*r;
	const char		*p[4];
	char			*array;

	*doc = NULL;
	if (!ident_valid(dataset))
		return ops_refuse(e, "\"%s\" is not a valid dataset id",
		    dataset);
	if (strcmp(dataset, CONFIG_TODAY) == 0)
		return ops_refuse(e, "\"today\" is managed by dataflow "
		    "itself");
	if (n == 0)
		return ops_refuse(e, "no partitions given");
	if (ops_ids_check(ids, n, e) == -1 ||
	    ops_reason_check(reason, e) == -1)
		return -1;
	array = db_text_array((const char *const *)ids, n);
	p[0] = dataset;
	p[1] = array;
	p[2] = who;
	p[3] = reason;
	r = db_query(db, mark_ready_sql, 4, p, e);
	free(array);
	if (r == NULL)
		return -1;
	*changed = (long)db_int(r, 0, 0, -1);
	db_result_free(r);
	if (*changed < 0)
		return ops_unknown(e, "dataset", dataset);
	*doc = json_pack("{s:s, s:I, s:I}", "dataset", dataset, "requested",
	    (json_int_t)n, "changed", (json_int_t)*changed);
	return 0;
}

int
ops_resubmit(struct db *db, const struct ops_resubmit *o,
    struct db_result **rows, struct db_error *e)
{
	struct db_error	 ignore = { 0 };
	const char	*p[7];
	char		*array, nrows[16];

	*rows = NULL;
	if (ops_job_check(o->jobid, e) == -1 ||
	    ops_reason_check(o->reason, e) == -1 ||
	    ops_ids_check(o->ids, o->nids, e) == -1)
		return -1;
	if (o->nids == 0 && !o->failed)
		return ops_refuse(e, "name the partitions: dataids, a range "
		    "or failed");
	if (db_begin(db, e) == -1)
		return -1;
	array = db_text_array((const char *const *)o->ids, o->nids);
	p[0] = o->jobid;
	p[1] = array;
	p[2] = o->failed ? "true" : "false";
	p[3] = o->downstream ? "true" : "false";
	p[4] = o->who;
	p[5] = o->reason;
	snprintf(nrows, sizeof(nrows), "%d", o->max_rows);
	p[6] = o->max_rows > 0 ? nrows : NULL;
	*rows = db_query(db, resubmit_sql, 7, p, e);
	free(array);
	/* A dry run is the real thing, rolled back: exactly what would
	 * change. */
	if (*rows != NULL && !o->dry_run && db_commit(db, e) == 0)
		return 0;
	db_rollback(db, &ignore);
	db_error_clear(&ignore);
	if (*rows != NULL && o->dry_run)
		return 0;
	db_result_free(*rows);
	*rows = NULL;
	return -1;
}

/* Whether row i of a resubmit has action "action". */
static bool
ops_action_is(const struct db_result *r, int i, const char *action)
{
	return strcmp(db_col(r, i, "action"), action) == 0;
}

int
ops_resubmit_refused(const struct db_result *rows)
{
	int	 i, n = 0;

	for (i = 0; i < db_rows(rows); i++)
		n += ops_action_is(rows, i, "refused");
	return n;
}

long long
ops_resubmit_done(const struct db_result *rows, int *shown)
{
	long long	 n = 0, summed = 0;
	int		 i;
	bool		 summary = false;

	for (i = 0; i < db_rows(rows); i++) {
		if (ops_action_is(rows, i, "summary")) {
			summary = true;
			summed += strtoll(db_col(rows, i, "count"), NULL, 10);
		} else
			n += ops_action_is(rows, i, "resubmit");
	}
	if (shown != NULL)
		*shown = (int)n;
	return summary ? summed : n;
}

/* A JSON string, or null for NULL. */
static json_t *
ops_str(const char *v)
{
	return v != NULL ? json_string(v) : json_null();
}

/* A JSON integer of an SQL integer's text, or null for NULL. */
static json_t *
ops_int(const char *v)
{
	return v != NULL ? json_integer(strtoll(v, NULL, 10)) : json_null();
}

/* Row i of a resubmit as an object. */
static json_t *
ops_resubmit_row(const struct db_result *r, int i)
{
	static const char *const strs[] = {
		"jobid", "dataid", "depth", "action", "old_state",
		"new_state", "run_id", "host", "since"
	};
	json_t	*o = json_object();
	size_t	 k;

	for (k = 0; k < sizeof(strs) / sizeof(strs[0]); k++)
		json_object_set_new(o, strs[k], strcmp(strs[k], "depth") == 0 ||
		    strcmp(strs[k], "run_id") == 0 ? ops_int(db_col(r, i,
		    strs[k])) : ops_str(db_col(r, i, strs[k])));
	json_object_set_new(o, "outputs", listing_json_value(db_col(r, i,
	    "outputs")));
	return o;
}

json_t *
ops_resubmit_json(const struct db_result *rows, const struct ops_resubmit *o)
{
	json_t	*a = json_array(), *doc;
	int	 i, nrefused = ops_resubmit_refused(rows);

	for (i = 0; i < db_rows(rows); i++)
		if (!ops_action_is(rows, i, "summary"))
			json_array_append_new(a, ops_resubmit_row(rows, i));
	doc = json_object();
	json_object_set_new(doc, "dry_run", json_boolean(o->dry_run));
	json_object_set_new(doc, "reason", ops_str(o->reason));
	json_object_set_new(doc, "resubmitted",
	    json_integer(ops_resubmit_done(rows, NULL)));
	json_object_set_new(doc, "refused", json_integer(nrefused));
	json_object_set_new(doc, "partitions", a);
	return doc;
}

int
ops_pause(struct db *db, const char *jobid, bool pause, const char *reason,
    const char *who, bool *changed, json_t **doc, struct db_error *e)
{
	struct db_result	*r;
	const char		*p[4];

	*doc = NULL;
	if (ops_job_check(jobid, e) == -1 ||
	    ops_reason_check(reason, e) == -1)
		return -1;
	p[0] = jobid;
	p[1] = pause ? "true" : "false";
	p[2] = who;
	p[3] = reason;
	if ((r = db_query(db, pause_sql, 4, p, e)) == NULL)
		return -1;
	*changed = db_value(r, 0, 0) != NULL &&
	    strcmp(db_value(r, 0, 0), "t") == 0;
	db_result_free(r);
	*doc = json_pack("{s:s, s:b, s:b}", "jobid", jobid, "paused", pause,
	    "changed", *changed);
	return 0;
}

struct config *
ops_config_load(const char *text, const char *origin,
    const char *const *allow, struct diag *d)
{
	struct config	*c;

	if ((c = config_load_string(text, origin, d)) != NULL &&
	    config_check_env(c, origin, allow, d) == -1) {
		config_free(c);
		c = NULL;
	}
	return c;
}

json_t *
ops_config_valid_json(const struct config *c)
{
	return json_pack("{s:b, s:I, s:I}", "valid", 1, "datasets",
	    (json_int_t)c->ndatasets, "jobs", (json_int_t)c->njobs);
}

json_t *
ops_config_errors_json(const struct diag *d)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; i < d->n; i++)
		json_array_append_new(a, json_string(d->msgs[i]));
	return json_pack("{s:b, s:o}", "valid", 0, "errors", a);
}

json_t *
ops_plan_json(const struct plan *p, bool dry_run)
{
	json_t	*o = json_object();

	json_object_set_new(o, "dry_run", json_boolean(dry_run));
	json_object_set_new(o, "changes", plan_to_json(p));
	return o;
}

int
ops_apply(struct db *db, const struct config *want, bool prune,
    bool dry_run, const char *who, json_t **doc, struct db_error *e)
{
	struct catalog_update	 u;
	struct plan		*plan = NULL;

	*doc = NULL;
	memset(&u, 0, sizeof(u));
	u.want = want;
	u.prune = prune;
	u.mode = dry_run ? CATALOG_PLAN : CATALOG_COMMIT;
	u.actor = who;
	if (catalog_update(db, &u, &plan, e) == -1)
		return -1;
	*doc = ops_plan_json(plan, dry_run);
	plan_free(plan);
	return 0;
}
