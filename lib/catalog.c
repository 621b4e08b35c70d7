/* catalog.c: read the datasets and jobs from the database into a struct
 * config, and apply a plan to the database in one transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "catalog.h"
#include "config.h"
#include "config_encode.h"
#include "db.h"
#include "plan.h"
#include "schema.h"
#include "strbuf.h"
#include "xmalloc.h"

static const char load_datasets_sql[] =
    "SELECT datasetid, hostname, database, schemaname, tablename, "
    "username, encryptedpass, extra::text FROM dataset "
    "WHERE removed IS NULL AND datasetid NOT IN ('today', 'trigger') "
    "ORDER BY datasetid";

static const char load_jobs_sql[] =
    "SELECT j.jobid, j.paused, j.max_attempts, j.timeout_secs, "
    "j.run_order, j.max_running, j.owner, j.params::text, "
    "array_to_json(j.notify)::text, j.notify_on, "
    "(SELECT string_agg(i.datasetid, E'\\n' ORDER BY i.datasetid) "
    "  FROM job_item i WHERE i.jobid = j.jobid AND i.itemtype = 'IN'), "
    "(SELECT string_agg(i.datasetid, E'\\n' ORDER BY i.datasetid) "
    "  FROM job_item i WHERE i.jobid = j.jobid AND i.itemtype = 'OUT'), "
    "j.tags::text "
    "FROM job j WHERE j.removed IS NULL ORDER BY j.jobid";

/* The same rows for the API: no encryptedpass, secrets masked
 * (sql/list.sql). */
static const char load_public_datasets_sql[] =
    "SELECT * FROM df_list_config_datasets()";
static const char load_public_jobs_sql[] =
    "SELECT * FROM df_list_config_jobs()";

static const char upsert_dataset_sql[] =
    "INSERT INTO dataset (datasetid, hostname, database, schemaname, "
    "tablename, username, encryptedpass, extra) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb) "
    "ON CONFLICT (datasetid) DO UPDATE SET hostname = excluded.hostname, "
    "database = excluded.database, schemaname = excluded.schemaname, "
    "tablename = excluded.tablename, username = excluded.username, "
    "encryptedpass = excluded.encryptedpass, extra = excluded.extra, "
    "removed = NULL, modified = now()";

static const char upsert_job_sql[] =
    "INSERT INTO job (jobid, paused, max_attempts, timeout_secs, "
    "run_order, max_running, owner, params, notify, notify_on, tags) "
    "VALUES ($1, $2::boolean, $3::integer, $4::integer, $5, $6::integer, "
    "$7, $8::jsonb, $9::text[], $10, $11::jsonb) "
    "ON CONFLICT (jobid) DO UPDATE SET paused = excluded.paused, "
    "max_attempts = excluded.max_attempts, "
    "timeout_secs = excluded.timeout_secs, run_order = excluded.run_order, "
    "max_running = excluded.max_running, owner = excluded.owner, "
    "params = excluded.params, notify = excluded.notify, "
    "notify_on = excluded.notify_on, tags = excluded.tags, "
    "removed = NULL, modified = now()";

static const char delete_items_sql[] =
    "DELETE FROM job_item WHERE jobid = $1";

static const char insert_items_sql[] =
    "INSERT INTO job_item (jobid, itemtype, datasetid) "
    "SELECT $1, $2, unnest($3::text[])";

static const char remove_job_sql[] =
    "UPDATE job SET removed = now(), modified = now() WHERE jobid = $1";

static const char remove_dataset_sql[] =
    "UPDATE dataset SET removed = now(), modified = now() "
    "WHERE datasetid = $1";

static const char refresh_job_sql[] = "SELECT df_refresh_job($1)";

/* Returns the record's id. */
static const char audit_sql[] = "SELECT df_audit($1, $2, $3::jsonb)";

static const char secret_names_sql[] =
    "SELECT DISTINCT n FROM unnest($1::text[]) n WHERE df_secret_name(n)";

/* Fill kv from a JSON object text of strings. */
static void
catalog_kv(const char *text, struct cfg_kv **kv, size_t *n)
{
	json_t	*o;

	*kv = NULL;
	*n = 0;
	if (text == NULL || (o = json_loads(text, 0, NULL)) == NULL)
		return;
	config_kv_from_json(o, kv, n);
	json_decref(o);
}

/* Split a newline-separated list (NULL: empty) into an array. */
static void
catalog_list(const char *text, char ***v, size_t *n)
{
	const char	*p, *nl;

	*v = NULL;
	*n = 0;
	if (text == NULL || *text == '\0')
		return;
	for (p = text; p != NULL; p = nl != NULL ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		*v = xreallocarray(*v, *n + 1, sizeof(**v));
		(*v)[(*n)++] = nl != NULL ? xstrndup(p, (size_t)(nl - p)) :
		    xstrdup(p);
	}
}

/* Fill an argv from a JSON array text of strings (NULL: none). */
static void
catalog_argv(const char *text, char ***v, size_t *n)
{
	json_t	*a, *e;
	size_t	 i;

	*v = NULL;
	*n = 0;
	if (text == NULL || (a = json_loads(text, 0, NULL)) == NULL)
		return;
	if (json_is_array(a) && json_array_size(a) > 0) {
		*v = xcalloc(json_array_size(a), sizeof(**v));
		json_array_foreach(a, i, e)
			if (json_is_string(e))
				(*v)[(*n)++] = xstrdup(json_string_value(e));
	}
	json_decref(a);
}

static char *
catalog_strdup_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* catalog_load with the statements that read the datasets and jobs. */
static int
catalog_load_rows(struct db *db, const char *datasets_sql,
    const char *jobs_sql, struct config **out, struct db_error *e)
{
	struct db_result	*r = NULL;
	struct config		*c;
	const char		*v;
	int			 i, j, rc = -1;

	c = xcalloc(1, sizeof(*c));
	if ((r = db_query(db, datasets_sql, 0, NULL, e)) == NULL)
		goto out;
	c->datasets = xcalloc((size_t)db_rows(r) + 1, sizeof(*c->datasets));
	for (i = 0; i < db_rows(r); i++) {
		struct cfg_dataset *d = &c->datasets[c->ndatasets++];

		d->id = xstrdup(db_value(r, i, 0));
		for (j = 0; j < CFG_NATTRS; j++)
			d->attrs[j] = catalog_strdup_null(db_value(r, i,
			    1 + j));
		catalog_kv(db_value(r, i, 7), &d->extra, &d->nextra);
	}
	db_result_free(r);

	if ((r = db_query(db, jobs_sql, 0, NULL, e)) == NULL)
		goto out;
	c->jobs = xcalloc((size_t)db_rows(r) + 1, sizeof(*c->jobs));
	for (i = 0; i < db_rows(r); i++) {
		struct cfg_job *jb = &c->jobs[c->njobs++];

		jb->id = xstrdup(db_value(r, i, 0));
		jb->paused = strcmp(db_value(r, i, 1), "t") == 0;
		jb->max_attempts = (int)db_int(r, i, 2, 0);
		jb->timeout_secs = (long)db_int(r, i, 3, 0);
		if (config_order_parse(db_value(r, i, 4), &jb->order) == -1)
			jb->order = ORDER_OLDEST_FIRST;
		jb->max_running = (int)db_int(r, i, 5, 0);
		jb->owner = catalog_strdup_null(db_value(r, i, 6));
		catalog_kv(db_value(r, i, 7), &jb->params, &jb->nparams);
		catalog_argv(db_value(r, i, 8), &jb->notify, &jb->nnotify);
		jb->notify_always = (v = db_value(r, i, 9)) != NULL &&
		    strcmp(v, "always") == 0;
		catalog_list(db_value(r, i, 10), &jb->inputs, &jb->ninputs);
		catalog_list(db_value(r, i, 11), &jb->outputs, &jb->noutputs);
		catalog_kv(db_value(r, i, 12), &jb->tags, &jb->ntags);
	}
	config_sort(c);
	*out = c;
	c = NULL;
	rc = 0;
out:
	db_result_free(r);
	config_free(c);
	return rc;
}

int
catalog_load(struct db *db, struct config **out, struct db_error *e)
{
	return catalog_load_rows(db, load_datasets_sql, load_jobs_sql, out, e);
}

int
catalog_load_public(struct db *db, struct config **out, struct db_error *e)
{
	return catalog_load_rows(db, load_public_datasets_sql,
	    load_public_jobs_sql, out, e);
}

static int
catalog_put_dataset(struct db *db, const struct cfg_dataset *d,
    struct db_error *e)
{
	const char	*p[8];
	char		*extra;
	int		 j;
	long		 n;

	p[0] = d->id;
	for (j = 0; j < CFG_NATTRS; j++)
		p[1 + j] = d->attrs[j];
	extra = config_kv_text(d->extra, d->nextra);
	p[7] = extra;
	n = db_exec(db, upsert_dataset_sql, 8, p, e);
	free(extra);
	return n < 0 ? -1 : 0;
}

static int
catalog_put_items(struct db *db, const char *jobid, const char *type,
    char **ids, size_t n, struct db_error *e)
{
	const char	*p[3];
	char		*array;
	long		 rc;

	if (n == 0)
		return 0;
	array = db_text_array((const char *const *)ids, n);
	p[0] = jobid;
	p[1] = type;
	p[2] = array;
	rc = db_exec(db, insert_items_sql, 3, p, e);
	free(array);
	return rc < 0 ? -1 : 0;
}

static int
catalog_put_job(struct db *db, const struct cfg_job *j, struct db_error *e)
{
	const char	*p[11];
	char		 attempts[16], timeout[24], running[16];
	char		*params, *tags, *notify = NULL;
	long		 n;

	snprintf(attempts, sizeof(attempts), "%d", j->max_attempts);
	snprintf(timeout, sizeof(timeout), "%ld", j->timeout_secs);
	snprintf(running, sizeof(running), "%d", j->max_running);
	params = config_kv_text(j->params, j->nparams);
	p[0] = j->id;
	p[1] = j->paused ? "true" : "false";
	p[2] = attempts;
	p[3] = j->timeout_secs > 0 ? timeout : NULL;
	p[4] = config_order_name(j->order);
	p[5] = j->max_running > 0 ? running : NULL;
	p[6] = j->owner;
	p[7] = params;
	if (j->nnotify > 0)
		notify = db_text_array((const char *const *)j->notify,
		    j->nnotify);
	p[8] = notify;
	p[9] = j->notify_always ? "always" : "failure";
	tags = config_kv_text(j->tags, j->ntags);
	p[10] = tags;
	n = db_exec(db, upsert_job_sql, 11, p, e);
	free(params);
	free(tags);
	free(notify);
	if (n < 0)
		return -1;
	p[0] = j->id;
	if (db_exec(db, delete_items_sql, 1, p, e) < 0 ||
	    catalog_put_items(db, j->id, "IN", j->inputs, j->ninputs,
	    e) == -1 ||
	    catalog_put_items(db, j->id, "OUT", j->outputs, j->noutputs,
	    e) == -1)
		return -1;
	return 0;
}

/* The plan as a JSON document, for the audit trail (secrets are masked
 * in plan details already). */
static char *
catalog_plan_json(const struct plan *plan)
{
	json_t	*a;
	char	*s;

	a = plan_to_json(plan);
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

/* Append the parameter and extra attribute names of c to v. */
static void
catalog_add_names(const struct config *c, const char ***v, size_t *n)
{
	size_t	 i, k;

	if (c == NULL)
		return;
	for (i = 0; i < c->ndatasets; i++) {
		*v = xreallocarray(*v, *n + c->datasets[i].nextra + 1,
		    sizeof **v);
		for (k = 0; k < c->datasets[i].nextra; k++)
			(*v)[(*n)++] = c->datasets[i].extra[k].key;
	}
	for (i = 0; i < c->njobs; i++) {
		*v = xreallocarray(*v, *n + c->jobs[i].nparams + 1,
		    sizeof **v);
		for (k = 0; k < c->jobs[i].nparams; k++)
			(*v)[(*n)++] = c->jobs[i].params[k].key;
	}
}

int
catalog_secret_names(struct db *db, const struct config *a,
    const struct config *b, char ***out, struct db_error *e)
{
	struct db_result	*r;
	const char		**v = NULL, *p[1];
	char			*arr, **names;
	size_t			 n = 0;
	int			 i;

	*out = NULL;
	catalog_add_names(a, &v, &n);
	catalog_add_names(b, &v, &n);
	arr = db_text_array(v, n);
	free(v);
	p[0] = arr;
	r = db_query(db, secret_names_sql, 1, p, e);
	free(arr);
	if (r == NULL)
		return -1;
	names = xcalloc((size_t)db_rows(r) + 1, sizeof *names);
	for (i = 0; i < db_rows(r); i++)
		names[i] = xstrdup(db_value(r, i, 0));
	db_result_free(r);
	*out = names;
	return 0;
}


int
catalog_apply(struct db *db, const struct config *want,
    const struct plan *plan, const char *actor, struct db_error *e)
{
	const struct plan_change	*ch;
	const char			*p[1];
	char				*detail = NULL;
	size_t				 i;
	int				 pass, rc = -1;

	if (plan->n == 0)
		return 0;
	/* Datasets before the jobs that refer to them; removals last. */
	for (pass = 0; pass < 3; pass++) {
		for (i = 0; i < plan->n; i++) {
			ch = &plan->changes[i];
			if ((pass == 0) != (ch->kind == PLAN_DATASET) &&
			    pass != 2)
				continue;
			if ((pass == 2) != (ch->action == PLAN_REMOVE))
				continue;
			p[0] = ch->id;
			if (ch->action == PLAN_REMOVE) {
				if (db_exec(db, ch->kind == PLAN_JOB ?
				    remove_job_sql : remove_dataset_sql, 1, p,
				    e) < 0)
					goto out;
			} else if (ch->kind == PLAN_DATASET) {
				if (catalog_put_dataset(db,
				    config_dataset(want, ch->id), e) == -1)
					goto out;
			} else {
				if (catalog_put_job(db,
				    config_job(want, ch->id), e) == -1)
					goto out;
				if (db_exec(db, refresh_job_sql, 1, p, e) < 0)
					goto out;
			}
		}
	}
	/* The plan is masked already; df_audit keeps the trail so. */
	detail = catalog_plan_json(plan);
	if (catalog_audit(db, actor, "apply", detail, e) == -1)
		goto out;
	rc = 0;
out:
	free(detail);
	return rc;
}

int
catalog_audit(struct db *db, const char *who, const char *action,
    const char *detail, struct db_error *e)
{
	const char	*p[3] = { who, action, detail };

	return db_exec(db, audit_sql, 3, p, e) < 0 ? -1 : 0;
}

int
catalog_update(struct db *db, const struct catalog_update *u,
    struct plan **planp, struct db_error *e)
{
	struct config	*cur = NULL;
	struct plan	*plan = NULL;
	struct db_error	 ignore = { 0 };
	char		**secrets = NULL;
	bool		 committed = false;
	int		 rc = -1;

	*planp = NULL;
	if (db_begin(db, e) == -1)
		return -1;
	/* Concurrent applies are serialized: each plans against what the
	 * previous one left. */
	if (schema_lock(db, "apply", e) == -1 ||
	    catalog_load(db, &cur, e) == -1 ||
	    catalog_secret_names(db, cur, u->want, &secrets, e) == -1)
		goto out;
	plan = plan_compute(cur, u->want, u->prune,
	    (const char *const *)secrets);
	if (u->planned != NULL)
		u->planned(plan, u->arg);
	if (u->mode != CATALOG_PLAN &&
	    (catalog_apply(db, u->want, plan, u->actor, e) == -1 ||
	    (u->applied != NULL && u->applied(db, plan, u->arg, e) == -1)))
		goto out;
	if (u->mode == CATALOG_COMMIT) {
		if (db_commit(db, e) == -1)
			goto out;
		committed = true;
	}
	*planp = plan;
	plan = NULL;
	rc = 0;
out:
	if (!committed)
		db_rollback(db, &ignore);
	db_error_clear(&ignore);
	plan_free(plan);
	xfree_strv(secrets);
	config_free(cur);
	return rc;
}
