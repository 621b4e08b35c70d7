/* config_model.c: the configuration in memory: its names, canonical order,
 * lookups and freeing. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_int.h"
#include "nitems.h"
#include "xmalloc.h"

const char *const cfg_attr_names[CFG_NATTRS] = {
	"hostname", "database", "schemaname", "tablename", "username",
	"encryptedpass"
};

const char *const config_order_names[CONFIG_NORDERS] = {
	"oldest-first", "newest-first", "latest-only"
};

int
config_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
config_cmp_kv(const void *a, const void *b)
{
	const struct cfg_kv	*ka = a, *kb = b;

	return strcmp(ka->key, kb->key);
}

static int
config_cmp_dataset(const void *a, const void *b)
{
	const struct cfg_dataset	*da = a, *db = b;

	return strcmp(da->id, db->id);
}

static int
config_cmp_job(const void *a, const void *b)
{
	const struct cfg_job	*ja = a, *jb = b;

	return strcmp(ja->id, jb->id);
}

void
config_qsort(void *base, size_t n, size_t size,
    int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

void
config_sort(struct config *c)
{
	struct cfg_dataset	*ds;
	struct cfg_job		*job;
	size_t			 i;

	for (i = 0; i < c->ndatasets; i++) {
		ds = &c->datasets[i];
		config_qsort(ds->extra, ds->nextra, sizeof *ds->extra,
		    config_cmp_kv);
	}
	config_qsort(c->datasets, c->ndatasets, sizeof *c->datasets,
	    config_cmp_dataset);
	for (i = 0; i < c->njobs; i++) {
		job = &c->jobs[i];
		config_qsort(job->inputs, job->ninputs, sizeof *job->inputs,
		    config_cmp_str);
		config_qsort(job->outputs, job->noutputs,
		    sizeof *job->outputs, config_cmp_str);
		config_qsort(job->params, job->nparams, sizeof *job->params,
		    config_cmp_kv);
		config_qsort(job->tags, job->ntags, sizeof *job->tags,
		    config_cmp_kv);
	}
	config_qsort(c->jobs, c->njobs, sizeof *c->jobs, config_cmp_job);
}

static int
config_find_dataset(const void *id, const void *elem)
{
	const struct cfg_dataset	*ds = elem;

	return strcmp(id, ds->id);
}

static int
config_find_job(const void *id, const void *elem)
{
	const struct cfg_job	*job = elem;

	return strcmp(id, job->id);
}

const char *
config_pseudo(const char *id)
{
	if (strcmp(id, CONFIG_TODAY) == 0)
		return "the pseudo-dataset of the current date";
	if (strcmp(id, CONFIG_TRIGGER) == 0)
		return "the pseudo-dataset of triggered partitions";
	return NULL;
}

struct cfg_dataset *
config_dataset(const struct config *c, const char *id)
{
	if (c->ndatasets == 0)
		return NULL;
	return bsearch(id, c->datasets, c->ndatasets, sizeof *c->datasets,
	    config_find_dataset);
}

struct cfg_job *
config_job(const struct config *c, const char *id)
{
	if (c->njobs == 0)
		return NULL;
	return bsearch(id, c->jobs, c->njobs, sizeof *c->jobs,
	    config_find_job);
}

const char *
config_order_name(enum cfg_order o)
{
	if ((size_t)o >= nitems(config_order_names))
		return "unknown";
	return config_order_names[o];
}

int
config_order_parse(const char *s, enum cfg_order *o)
{
	size_t	 i;

	for (i = 0; i < nitems(config_order_names); i++) {
		if (strcmp(s, config_order_names[i]) == 0) {
			*o = (enum cfg_order)i;
			return 0;
		}
	}
	return -1;
}

void
config_dataset_clear(struct cfg_dataset *ds)
{
	size_t	 i;

	free(ds->id);
	for (i = 0; i < CFG_NATTRS; i++)
		xfreezero_str(ds->attrs[i]);
	config_kv_free(ds->extra, ds->nextra);
	memset(ds, 0, sizeof *ds);
}

void
config_job_clear(struct cfg_job *job)
{
	size_t	 i;

	free(job->id);
	for (i = 0; i < job->ninputs; i++)
		free(job->inputs[i]);
	free(job->inputs);
	for (i = 0; i < job->noutputs; i++)
		free(job->outputs[i]);
	free(job->outputs);
	config_kv_free(job->params, job->nparams);
	config_kv_free(job->tags, job->ntags);
	free(job->owner);
	for (i = 0; i < job->nnotify; i++)
		free(job->notify[i]);
	free(job->notify);
	memset(job, 0, sizeof *job);
}

void
config_free(struct config *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	for (i = 0; i < c->ndatasets; i++)
		config_dataset_clear(&c->datasets[i]);
	free(c->datasets);
	for (i = 0; i < c->njobs; i++)
		config_job_clear(&c->jobs[i]);
	free(c->jobs);
	free(c);
}
