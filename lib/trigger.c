/* trigger.c: the client side of "dataflow trigger": the items from the
 * command line or a request body, checked as runjob checks --param, the
 * call of df_trigger (sql/ops.sql) and the wait for the runs. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "config.h"
#include "db.h"
#include "exitcodes.h"
#include "ids.h"
#include "run.h"
#include "trigger.h"
#include "worker.h"
#include "xmalloc.h"

#define TRIGGER_MATCH_SQL "SELECT %s.df_match_job($1::jsonb)"

#define TRIGGER_SQL \
    "SELECT jobid, dataid, label, created, state " \
    "FROM %s.df_trigger($1, $2::jsonb, $3, $4)"

/*
 * The latest run of each partition, in order: ended when the work is not
 * running, has been attempted since it was made or resubmitted, and its
 * run is over.
 */
#define TRIGGER_RUNS_SQL \
    "SELECT r.status, r.exit_code, r.signal, " \
    "w.state IS DISTINCT FROM 'running' AND w.attempts > 0 " \
    "AND r.ended IS NOT NULL AS ended " \
    "FROM unnest($1::text[], $2::text[]) WITH ORDINALITY u(jobid, dataid, n) " \
    "LEFT JOIN %s.work w ON w.jobid = u.jobid AND w.dataid = u.dataid " \
    "LEFT JOIN %s.run r ON r.run_id = w.run_id " \
    "ORDER BY u.n"

struct trigger_items {
	json_t	*items;		/* [{"dataid"?, "params": {}}] */
	json_t	*over;		/* --param: {NAME: VALUE}, over every item */
	bool	 loaded;	/* a params file was taken */
};

struct trigger_items *
trigger_items_new(void)
{
	struct trigger_items	*ti;

	ti = xcalloc(1, sizeof(*ti));
	ti->items = json_pack("[{s:{}}]", "params");
	ti->over = json_object();
	return ti;
}

void
trigger_items_free(struct trigger_items *ti)
{
	if (ti == NULL)
		return;
	json_decref(ti->items);
	json_decref(ti->over);
	free(ti);
}

/* Check a parameter name: NULL when it may be given, else why not. */
static char *
trigger_name_refusal(const char *name, const char *const *allow)
{
	const char	*why;

	if ((why = ident_env_refusal(name, allow)) == NULL)
		return NULL;
	if (!ident_valid(name))
		return xasprintf("\"%.64s\" is not a valid parameter name",
		    name);
	return xasprintf("%s: the name is reserved (%s)%s", name, why,
	    ident_env_fixed(name) ? "" : "; a host may allow it with "
	    "env_allow=");
}

/* Return a value's text (a string, or a number or boolean as JSON writes
 * it), or NULL with *errp. */
static char *
trigger_value(const char *name, json_t *v, char **errp)
{
	/* The JSON was read without JSON_ALLOW_NUL: no NUL inside. */
	if (json_is_number(v) || json_is_boolean(v))
		return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	if (!json_is_string(v)) {
		*errp = xasprintf("%s: expected a string, number or boolean",
		    name);
		return NULL;
	}
	if (json_string_length(v) > CONFIG_MAXVALUE) {
		*errp = xasprintf("%s: value longer than %d bytes", name,
		    CONFIG_MAXVALUE);
		return NULL;
	}
	return xstrdup(json_string_value(v));
}

/* Turn one object of a params file into an item; NULL with *errp. */
static json_t *
trigger_item(json_t *o, const char *const *allow, char **errp)
{
	json_t		*params, *v;
	const char	*name;
	char		*why, *value;

	if (!json_is_object(o)) {
		*errp = xstrdup("expected an object of parameters");
		return NULL;
	}
	params = json_object();
	json_object_foreach(o, name, v) {
		if ((why = trigger_name_refusal(name, allow)) != NULL ||
		    (value = trigger_value(name, v, &why)) == NULL) {
			*errp = why;
			json_decref(params);
			return NULL;
		}
		json_object_set_new(params, name, json_string(value));
		free(value);
	}
	return json_pack("{s:o}", "params", params);
}

int
trigger_items_load(struct trigger_items *ti, const char *text, size_t len,
    const char *const *allow, char **errp)
{
	json_error_t	 jerr;
	json_t		*root, *items, *item, *o;
	char		*why = NULL;
	size_t		 i;
	bool		 bad = false;

	if (ti->loaded) {
		*errp = xstrdup("only one params file");
		return -1;
	}
	if ((root = json_loadb(text, len, JSON_REJECT_DUPLICATES |
	    JSON_DECODE_ANY, &jerr)) == NULL) {
		*errp = xasprintf("line %d, column %d: %s", jerr.line,
		    jerr.column, jerr.text);
		return -1;
	}
	if (json_is_array(root) && (json_array_size(root) == 0 ||
	    json_array_size(root) > TRIGGER_MAXITEMS)) {
		*errp = xasprintf("expected 1 to %d objects, got %zu",
		    TRIGGER_MAXITEMS, json_array_size(root));
		json_decref(root);
		return -1;
	}
	items = json_array();
	if (!json_is_array(root)) {
		if ((item = trigger_item(root, allow, errp)) == NULL)
			bad = true;
		else
			json_array_append_new(items, item);
	}
	json_array_foreach(root, i, o) {
		if ((item = trigger_item(o, allow, &why)) == NULL) {
			*errp = xasprintf("item %zu: %s", i + 1, why);
			free(why);
			bad = true;
			break;
		}
		json_array_append_new(items, item);
	}
	json_decref(root);
	if (bad) {
		json_decref(items);
		return -1;
	}
	json_decref(ti->items);
	ti->items = items;
	ti->loaded = true;
	return 0;
}

int
trigger_items_param(struct trigger_items *ti, const char *arg,
    const char *const *allow, char **errp)
{
	const char	*eq = strchr(arg, '=');
	char		*name, *why;

	if (eq == NULL) {
		*errp = xasprintf("--param \"%s\": expected NAME=VALUE", arg);
		return -1;
	}
	name = xstrndup(arg, (size_t)(eq - arg));
	if ((why = trigger_name_refusal(name, allow)) == NULL &&
	    strlen(eq + 1) > CONFIG_MAXVALUE)
		why = xasprintf("%s: value longer than %d bytes", name,
		    CONFIG_MAXVALUE);
	if (why != NULL) {
		*errp = xasprintf("--param %s", why);
		free(why);
		free(name);
		return -1;
	}
	json_object_set_new(ti->over, name, json_string(eq + 1));
	free(name);
	return 0;
}

int
trigger_items_dataid(struct trigger_items *ti, const char *dataid,
    char **errp)
{
	if (!dataid_valid(dataid)) {
		*errp = xasprintf("\"%.128s\" is not a valid dataid", dataid);
		return -1;
	}
	if (json_array_size(ti->items) != 1) {
		*errp = xasprintf("--dataid names one partition, the params "
		    "file has %zu", json_array_size(ti->items));
		return -1;
	}
	json_object_set_new(json_array_get(ti->items, 0), "dataid",
	    json_string(dataid));
	return 0;
}

size_t
trigger_items_count(const struct trigger_items *ti)
{
	return json_array_size(ti->items);
}

char *
trigger_items_json(const struct trigger_items *ti)
{
	json_t	*all, *item, *copy;
	char	*s;
	size_t	 i;

	all = json_array();
	json_array_foreach(ti->items, i, item) {
		copy = json_deep_copy(item);
		json_object_update(json_object_get(copy, "params"), ti->over);
		json_array_append_new(all, copy);
	}
	s = json_dumps(all, JSON_COMPACT);
	json_decref(all);
	return s;
}

static char *
trigger_strdup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

int
trigger_tag_parse(const char *arg, struct cfg_kv *kv, char **errp)
{
	const char	*eq = strchr(arg, '=');

	if (eq == NULL || eq == arg) {
		*errp = xasprintf("--match \"%.64s\": expected TAG=VALUE",
		    arg);
		return -1;
	}
	kv->key = xstrndup(arg, (size_t)(eq - arg));
	if (!ident_valid(kv->key))
		*errp = xasprintf("--match: \"%.64s\" is not a valid tag "
		    "name", kv->key);
	else if (strlen(eq + 1) > CONFIG_MAXVALUE)
		*errp = xasprintf("--match %s: value longer than %d bytes",
		    kv->key, CONFIG_MAXVALUE);
	else {
		kv->value = xstrdup(eq + 1);
		return 0;
	}
	free(kv->key);
	kv->key = NULL;
	return -1;
}

/* Return the one job whose tags include t's (caller frees), or NULL with
 * *e filled (df_match_job's DF005, DF006). */
static char *
trigger_match(struct db *db, const struct trigger_target *t,
    struct db_error *e)
{
	struct db_result	*r;
	const char		*params[1];
	char			*tags, *sql, *jobid = NULL;

	tags = config_kv_text(t->tags, t->ntags);
	params[0] = tags;
	sql = xasprintf(TRIGGER_MATCH_SQL, db_schema(db));
	r = db_query(db, sql, 1, params, e);
	free(sql);
	free(tags);
	if (r == NULL)
		return NULL;
	if (db_rows(r) == 1 && db_value(r, 0, 0) != NULL)
		jobid = xstrdup(db_value(r, 0, 0));
	else {
		db_error_clear(e);
		e->kind = DB_ERR_QUERY;
		e->message = xstrdup("df_match_job returned no job");
	}
	db_result_free(r);
	return jobid;
}

int
trigger_make(struct db *db, const struct trigger_target *t,
    const struct trigger_items *ti, const char *label, const char *who,
    struct trigger_result *res, struct db_error *e)
{
	struct db_result	*r;
	struct trigger_part	*p;
	const char		*params[4];
	char			*items, *sql, *matched = NULL;
	int			 i;

	memset(res, 0, sizeof(*res));
	if (t->jobid == NULL &&
	    (matched = trigger_match(db, t, e)) == NULL)
		return -1;
	items = trigger_items_json(ti);
	params[0] = t->jobid != NULL ? t->jobid : matched;
	params[1] = items;
	params[2] = label;
	params[3] = who;
	sql = xasprintf(TRIGGER_SQL, db_schema(db));
	r = db_query(db, sql, 4, params, e);
	free(sql);
	free(items);
	free(matched);
	if (r == NULL)
		return -1;
	res->parts = xcalloc((size_t)db_rows(r) + 1, sizeof(*res->parts));
	for (i = 0; i < db_rows(r); i++) {
		p = &res->parts[res->nparts++];
		p->jobid = trigger_strdup(db_value(r, i, 0));
		p->dataid = trigger_strdup(db_value(r, i, 1));
		p->label = trigger_strdup(db_value(r, i, 2));
		p->created = db_value(r, i, 3) != NULL &&
		    strcmp(db_value(r, i, 3), "t") == 0;
		p->state = trigger_strdup(db_value(r, i, 4));
	}
	db_result_free(r);
	return 0;
}

void
trigger_result_clear(struct trigger_result *res)
{
	size_t	 i;

	for (i = 0; i < res->nparts; i++) {
		free(res->parts[i].jobid);
		free(res->parts[i].dataid);
		free(res->parts[i].label);
		free(res->parts[i].state);
	}
	free(res->parts);
	memset(res, 0, sizeof(*res));
}

json_t *
trigger_result_json(const struct trigger_result *res)
{
	const struct trigger_part	*p;
	json_t				*a = json_array();
	size_t				 i;

	for (i = 0; i < res->nparts; i++) {
		p = &res->parts[i];
		json_array_append_new(a, json_pack("{s:s?, s:s?, s:s?, s:b}",
		    "job", p->jobid, "dataid", p->dataid, "label", p->label,
		    "created", p->created));
	}
	return a;
}

/*
 * Look at the runs of res's partitions: return 1 when all ended (*status
 * as trigger_wait says), 0 when some did not, -1 with *e filled.
 */
static int
trigger_check(struct db *db, const struct trigger_result *res, int *status,
    struct db_error *e)
{
	struct db_result	*r;
	const char		**jobs, **ids, *p[2], *st;
	char			*ja, *da, *sql;
	size_t			 i;
	int			 ended = 1, k, x;

	jobs = xcalloc(res->nparts + 1, sizeof(*jobs));
	ids = xcalloc(res->nparts + 1, sizeof(*ids));
	for (i = 0; i < res->nparts; i++) {
		jobs[i] = res->parts[i].jobid;
		ids[i] = res->parts[i].dataid;
	}
	p[0] = ja = db_text_array(jobs, res->nparts);
	p[1] = da = db_text_array(ids, res->nparts);
	sql = xasprintf(TRIGGER_RUNS_SQL, db_schema(db), db_schema(db));
	r = db_query(db, sql, 2, p, e);
	free(sql);
	free(ja);
	free(da);
	free(jobs);
	free(ids);
	if (r == NULL)
		return -1;
	*status = EXIT_OK;
	for (k = 0; k < db_rows(r); k++) {
		if ((st = db_value(r, k, 3)) == NULL || strcmp(st, "t") != 0) {
			ended = 0;
			break;
		}
		/* As RunJob exited for it (the same rule: lib/run.c). */
		x = run_exit_recorded(db_value(r, k, 0),
		    (int)db_int(r, k, 1, -1), (int)db_int(r, k, 2, 0));
		if (x == -1)
			x = EXIT_SOFTWARE;
		if (x != EXIT_OK)
			*status = x;
	}
	db_result_free(r);
	return ended;
}

static int64_t
trigger_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
trigger_wait(struct db *db, const struct trigger_result *res,
    long timeout_ms, long recheck_ms, int *status, struct db_error *e)
{
	struct worker_wait	*w;
	int64_t			 deadline = trigger_now_ms() + timeout_ms;
	int64_t			 left;
	int			 rc = -1;

	*status = EXIT_OK;
	if (res->nparts == 0)
		return 1;
	/* Listen first: a run that ends after the check is not missed. */
	w = worker_wait_new("run", res->parts[0].jobid);
	if (worker_listen(db, w, e) == -1)
		goto out;
	for (;;) {
		if ((rc = trigger_check(db, res, status, e)) != 0)
			break;
		left = recheck_ms;
		if (timeout_ms >= 0) {
			left = deadline - trigger_now_ms();
			if (left <= 0)
				break;
			if (left > recheck_ms)
				left = recheck_ms;
		}
		if (worker_wait(db, w, (long)left, NULL, e) == WORKER_FAILED) {
			rc = -1;
			break;
		}
	}
out:
	worker_wait_free(w);
	return rc;
}
