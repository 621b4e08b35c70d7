/* config_encode.c: the configuration written as JSON: the file format in
 * canonical form, and the key/value objects (parameters, extra attributes)
 * as the database stores them, both ways. */
#include <stdlib.h>

#include <jansson.h>

#include "config.h"
#include "config_encode.h"
#include "duration.h"
#include "xmalloc.h"

/* Set o[key] to the new reference v; note a failure (bad UTF-8) in *bad. */
static void
config_json_set(json_t *o, const char *key, json_t *v, int *bad)
{
	if (json_object_set_new(o, key, v) == -1)
		*bad = 1;
}

json_t *
config_kv_json(const struct cfg_kv *kv, size_t n, int *bad)
{
	json_t	*o;
	size_t	 i;

	o = json_object();
	for (i = 0; i < n; i++)
		config_json_set(o, kv[i].key, json_string(kv[i].value), bad);
	return o;
}

static json_t *
config_list_json(char **list, size_t n, int *bad)
{
	json_t	*a;
	size_t	 i;

	a = json_array();
	for (i = 0; i < n; i++) {
		if (json_array_append_new(a, json_string(list[i])) == -1)
			*bad = 1;
	}
	return a;
}

static json_t *
config_dataset_json(const struct cfg_dataset *ds, int *bad)
{
	json_t	*o;
	size_t	 i;

	o = json_object();
	for (i = 0; i < CFG_NATTRS; i++) {
		if (ds->attrs[i] != NULL)
			config_json_set(o, cfg_attr_names[i],
			    json_string(ds->attrs[i]), bad);
	}
	if (ds->nextra > 0)
		config_json_set(o, "extra",
		    config_kv_json(ds->extra, ds->nextra, bad), bad);
	return o;
}

static json_t *
config_job_json(const struct cfg_job *job, int *bad)
{
	json_t	*o;
	char	*s;

	o = json_object();
	if (job->ninputs > 0)
		config_json_set(o, "inputs",
		    config_list_json(job->inputs, job->ninputs, bad), bad);
	if (job->noutputs > 0)
		config_json_set(o, "outputs",
		    config_list_json(job->outputs, job->noutputs, bad), bad);
	if (job->nparams > 0)
		config_json_set(o, "params",
		    config_kv_json(job->params, job->nparams, bad), bad);
	if (job->ntags > 0)
		config_json_set(o, "tags",
		    config_kv_json(job->tags, job->ntags, bad), bad);
	if (job->paused)
		config_json_set(o, "paused", json_true(), bad);
	if (job->max_attempts != CFG_DEFAULT_MAX_ATTEMPTS)
		config_json_set(o, "max_attempts",
		    json_integer(job->max_attempts), bad);
	if (job->timeout_secs != 0) {
		s = duration_format(job->timeout_secs);
		config_json_set(o, "timeout", json_string(s), bad);
		free(s);
	}
	if (job->order != ORDER_OLDEST_FIRST)
		config_json_set(o, "order",
		    json_string(config_order_name(job->order)), bad);
	if (job->max_running != 0)
		config_json_set(o, "max_running",
		    json_integer(job->max_running), bad);
	if (job->owner != NULL)
		config_json_set(o, "owner", json_string(job->owner), bad);
	if (job->nnotify > 0)
		config_json_set(o, "notify",
		    config_list_json(job->notify, job->nnotify, bad), bad);
	if (job->notify_always)
		config_json_set(o, "notify_on", json_string("always"), bad);
	return o;
}

/*
 * The canonical form: "datasets" and "jobs" always, in c's order; inside
 * them only the fields that are set and differ from their defaults, in the
 * order of the documentation. Loading it gives back c.
 */
json_t *
config_to_json(const struct config *c)
{
	json_t	*root, *datasets, *jobs;
	size_t	 i;
	int	 bad = 0;

	root = json_object();
	datasets = json_object();
	jobs = json_object();
	for (i = 0; i < c->ndatasets; i++)
		config_json_set(datasets, c->datasets[i].id,
		    config_dataset_json(&c->datasets[i], &bad), &bad);
	for (i = 0; i < c->njobs; i++)
		config_json_set(jobs, c->jobs[i].id,
		    config_job_json(&c->jobs[i], &bad), &bad);
	config_json_set(root, "datasets", datasets, &bad);
	config_json_set(root, "jobs", jobs, &bad);
	if (bad) {
		json_decref(root);
		return NULL;
	}
	return root;
}

char *
config_kv_text(const struct cfg_kv *kv, size_t n)
{
	json_t	*o;
	char	*s;
	int	 bad = 0;

	o = config_kv_json(kv, n, &bad);
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return s;
}

void
config_kv_free(struct cfg_kv *kv, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void
config_kv_from_json(json_t *o, struct cfg_kv **kv, size_t *n)
{
	const char	*key;
	json_t		*v;
	size_t		 i = 0;

	*kv = NULL;
	*n = 0;
	if (!json_is_object(o) || json_object_size(o) == 0)
		return;
	*kv = xcalloc(json_object_size(o), sizeof(**kv));
	json_object_foreach(o, key, v) {
		if (!json_is_string(v))
			continue;
		(*kv)[i].key = xstrdup(key);
		(*kv)[i].value = xstrdup(json_string_value(v));
		i++;
	}
	*n = i;
}
