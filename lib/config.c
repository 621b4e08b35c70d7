/* config.c: the declarative configuration's decoder: read the JSON file into
 * a struct config, reporting every problem with where it is. The checks
 * across objects are in config_check.c, the encoder in config_encode.c. */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "config_int.h"
#include "duration.h"
#include "ids.h"
#include "msg.h"
#include "nitems.h"
#include "strbuf.h"
#include "xmalloc.h"

#define CONFIG_MAXATTEMPTS	1000
#define CONFIG_MAXRUNNING	100000
#define CONFIG_VERSION		1	/* the only file format version */
#define CONFIG_LOADFLAGS	(JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)

/* RunJob exports these as <dataset>_name too: extra attributes may not. */
static const char *const config_extra_reserved[] = {
	"datasetid", "itemtype", "password"
};

static const char *const config_top_keys[] = {
	"datasets", "jobs", "version", "$schema"
};

static const char *const config_dataset_keys[] = {
	"hostname", "database", "schemaname", "tablename", "username",
	"encryptedpass", "extra"
};

static const char *const config_job_keys[] = {
	"inputs", "outputs", "params", "paused", "max_attempts", "timeout",
	"order", "max_running", "owner", "notify", "notify_on", "tags"
};

/* What a name: value object holds (config_load_kvs). */
enum config_kvs {
	KVS_ATTRS,		/* a dataset's extra attributes */
	KVS_PARAMS,		/* a job's parameters */
	KVS_TAGS		/* a job's tags */
};

static const char *const config_kvs_what[] = {
	"attributes", "parameters", "tags"
};

/* One step of a JSON path: an object key, or an array index. */
struct config_seg {
	const char	*key;		/* NULL for an index */
	size_t		 idx;
};

void
config_err(struct config_load *ld, const char *path, const char *fmt, ...)
{
	struct strbuf	 sb = STRBUF_INIT;
	va_list		 ap;

	if (ld->origin != NULL)
		strbuf_addf(&sb, "%s: ", ld->origin);
	if (path != NULL)
		strbuf_addf(&sb, "%s: ", path);
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	diag_take(ld->d, strbuf_detach(&sb));
}

char *
config_path(const char *parent, const char *key)
{
	char	*q, *p;

	if (ident_valid(key)) {
		if (parent == NULL)
			return xstrdup(key);
		return xasprintf("%s.%s", parent, key);
	}
	q = msg_q(key);
	p = xasprintf("%s[%s]", parent != NULL ? parent : "", q);
	free(q);
	return p;
}

char *
config_path_index(const char *parent, size_t i)
{
	return xasprintf("%s[%zu]", parent != NULL ? parent : "", i);
}

static const char *
config_type(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a real number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "an unknown value";
}

static void
config_unknown_key(struct config_load *ld, const char *path, const char *key,
    const char *const *known, size_t nknown, const char *otherwise)
{
	struct msg_hint	 hint = MSG_HINT_INIT;
	size_t		 i;
	char		*q, *h;

	for (i = 0; i < nknown; i++)
		msg_hint_try(&hint, key, known[i]);
	q = msg_q(key);
	if (hint.best == NULL && otherwise != NULL)
		h = xasprintf(" (%s)", otherwise);
	else
		h = msg_hint_text(&hint);
	config_err(ld, path, "unknown key %s%s", q, h);
	free(h);
	free(q);
}

/* Return whether the key id of parent is a valid identifier, or report. */
static int
config_id_ok(struct config_load *ld, const char *parent, const char *what,
    const char *id)
{
	char	*q;

	if (ident_valid(id))
		return 1;
	q = msg_q(id);
	config_err(ld, parent, "invalid %s %s (" CONFIG_IDRULE ")", what, q);
	free(q);
	return 0;
}

/*
 * Find the first container nested deeper than CONFIG_MAXDEPTH below v (at
 * depth, 1 for the root); return whether there is one, its path in *where.
 * The walk never goes deeper than the limit, whoever built the document.
 */
static int
config_too_deep(json_t *v, int depth, struct config_seg *segs, char **where)
{
	const char	*key;
	json_t		*e;
	size_t		 i;
	char		*p, *np;
	int		 k;

	if (!json_is_object(v) && !json_is_array(v))
		return 0;
	if (depth > CONFIG_MAXDEPTH) {
		p = NULL;
		for (k = 0; k < depth - 1; k++) {
			if (segs[k].key != NULL)
				np = config_path(p, segs[k].key);
			else
				np = config_path_index(p, segs[k].idx);
			free(p);
			p = np;
		}
		*where = p;
		return 1;
	}
	if (json_is_object(v)) {
		json_object_foreach(v, key, e) {
			segs[depth - 1].key = key;
			if (config_too_deep(e, depth + 1, segs, where))
				return 1;
		}
		return 0;
	}
	for (i = 0; i < json_array_size(v); i++) {
		segs[depth - 1].key = NULL;
		segs[depth - 1].idx = i;
		if (config_too_deep(json_array_get(v, i), depth + 1, segs,
		    where))
			return 1;
	}
	return 0;
}

/* Return the shortest text that reads back as x. */
static char *
config_real_text(double x)
{
	char	 buf[64];
	int	 prec;

	for (prec = 15; prec < 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, x);
		if (strtod(buf, NULL) == x)
			break;
	}
	snprintf(buf, sizeof buf, "%.*g", prec, x);
	return xstrdup(buf);
}

/*
 * Return a copy of the value v: a string of at most CONFIG_MAXVALUE bytes
 * without NUL, or with scalars also a number or boolean as its text. On a
 * bad value, report it and return NULL.
 */
static char *
config_value(struct config_load *ld, const char *path, const json_t *v,
    int scalars)
{
	const char	*s;
	size_t		 len;

	if (json_is_string(v)) {
		s = json_string_value(v);
		len = json_string_length(v);
		if (memchr(s, '\0', len) != NULL) {
			config_err(ld, path, "value contains a NUL byte");
			return NULL;
		}
		if (len > CONFIG_MAXVALUE) {
			config_err(ld, path, "value is %zu bytes long, more "
			    "than the limit of %d", len, CONFIG_MAXVALUE);
			return NULL;
		}
		return xstrdup(s);
	}
	if (!scalars) {
		config_err(ld, path, "expected a string, got %s",
		    config_type(v));
		return NULL;
	}
	if (json_is_integer(v))
		return xasprintf("%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
	if (json_is_real(v))
		return config_real_text(json_real_value(v));
	if (json_is_boolean(v))
		return xstrdup(json_is_true(v) ? "true" : "false");
	config_err(ld, path, "expected a string, number or boolean, got %s",
	    config_type(v));
	return NULL;
}

static int
config_extra_name_ok(struct config_load *ld, const char *path,
    const char *name)
{
	size_t	 i;
	char	*q;

	if (!config_id_ok(ld, path, "attribute name", name))
		return 0;
	q = msg_q(name);
	for (i = 0; i < CFG_NATTRS; i++) {
		if (strcmp(name, cfg_attr_names[i]) == 0) {
			config_err(ld, path, "attribute name %s is a standard "
			    "attribute, give it outside \"extra\"", q);
			goto bad;
		}
	}
	for (i = 0; i < nitems(config_extra_reserved); i++) {
		if (strcmp(name, config_extra_reserved[i]) == 0) {
			config_err(ld, path, "attribute name %s is reserved "
			    "(dataflow sets <dataset>_%s itself)", q, name);
			goto bad;
		}
	}
	free(q);
	return 1;
bad:
	free(q);
	return 0;
}

static int
config_param_name_ok(struct config_load *ld, const char *path,
    const char *name)
{
	char	*q;

	if (!config_id_ok(ld, path, "parameter name", name))
		return 0;
	/* The names a host may allow are checked by config_check_env. */
	if (!ident_env_fixed(name))
		return 1;
	q = msg_q(name);
	config_err(ld, path, "parameter name %s is reserved (%s)", q,
	    ident_env_refusal(name, NULL));
	free(q);
	return 0;
}

/* Check the name of a pair of a kind-kvs object; 1 when good. */
static int
config_kv_name_ok(struct config_load *ld, const char *path,
    enum config_kvs kind, const char *name)
{
	switch (kind) {
	case KVS_PARAMS:
		return config_param_name_ok(ld, path, name);
	case KVS_TAGS:
		return config_id_ok(ld, path, "tag name", name);
	default:
		return config_extra_name_ok(ld, path, name);
	}
}

/* Load a name: value object of the given kind (params take scalars). */
static void
config_load_kvs(struct config_load *ld, const char *path, json_t *obj,
    enum config_kvs kind, struct cfg_kv **kvp, size_t *np)
{
	struct cfg_kv	*kv;
	const char	*name;
	json_t		*v;
	size_t		 n = 0;
	char		*kpath, *value;
	int		 ok;

	if (!json_is_object(obj)) {
		config_err(ld, path, "expected an object of %s, got %s",
		    config_kvs_what[kind], config_type(obj));
		return;
	}
	if (kind == KVS_TAGS && json_object_size(obj) > CONFIG_MAXTAGS) {
		config_err(ld, path, "%zu tags, more than the limit of %d",
		    json_object_size(obj), CONFIG_MAXTAGS);
		return;
	}
	kv = xcalloc(json_object_size(obj), sizeof *kv);
	json_object_foreach(obj, name, v) {
		kpath = config_path(path, name);
		ok = config_kv_name_ok(ld, path, kind, name);
		value = config_value(ld, kpath, v, kind == KVS_PARAMS);
		if (ok && value != NULL) {
			kv[n].key = xstrdup(name);
			kv[n].value = value;
			n++;
		} else
			free(value);
		free(kpath);
	}
	*kvp = kv;
	*np = n;
}

static int
config_attr_index(const char *name)
{
	int	 i;

	for (i = 0; i < CFG_NATTRS; i++) {
		if (strcmp(name, cfg_attr_names[i]) == 0)
			return i;
	}
	return -1;
}

static void
config_load_dataset(struct config_load *ld, const char *path, json_t *v,
    struct cfg_dataset *ds)
{
	const char	*key;
	json_t		*e;
	char		*kpath;
	int		 i;

	if (!json_is_object(v)) {
		config_err(ld, path, "expected an object, got %s",
		    config_type(v));
		return;
	}
	json_object_foreach(v, key, e) {
		kpath = config_path(path, key);
		if ((i = config_attr_index(key)) != -1)
			ds->attrs[i] = config_value(ld, kpath, e, 0);
		else if (strcmp(key, "extra") == 0)
			config_load_kvs(ld, kpath, e, KVS_ATTRS, &ds->extra,
			    &ds->nextra);
		else if (strcmp(key, "password") == 0)
			config_err(ld, path, "unknown key \"password\" (give "
			    "the password encrypted, as \"encryptedpass\")");
		else
			config_unknown_key(ld, path, key, config_dataset_keys,
			    nitems(config_dataset_keys),
			    ident_valid(key) ? "extra attributes go in "
			    "\"extra\"" : NULL);
		free(kpath);
	}
}

static void
config_load_datasets(struct config_load *ld, json_t *obj)
{
	struct config		*c = ld->c;
	struct cfg_dataset	 ds;
	const char		*id;
	json_t			*v;
	char			*path;
	int			 ok;

	if (!json_is_object(obj)) {
		config_err(ld, "datasets", "expected an object of datasets "
		    "by id, got %s", config_type(obj));
		return;
	}
	c->datasets = xcalloc(json_object_size(obj), sizeof *c->datasets);
	json_object_foreach(obj, id, v) {
		path = config_path("datasets", id);
		ok = config_id_ok(ld, "datasets", "dataset id", id);
		if (ok && config_pseudo(id) != NULL) {
			config_err(ld, path, "\"%s\" is reserved for %s and "
			    "cannot be declared", id, config_pseudo(id));
			ok = 0;
		}
		memset(&ds, 0, sizeof ds);
		ds.id = xstrdup(id);
		/* Check the body of a rejected dataset too: report it all. */
		config_load_dataset(ld, path, v, &ds);
		if (ok)
			c->datasets[c->ndatasets++] = ds;
		else
			config_dataset_clear(&ds);
		free(path);
	}
}

/*
 * Load a job's inputs or outputs; keep only the entries that name a
 * declared dataset (or "today" as an input) once, and report the others,
 * with their index, so that config_check does not report them again.
 */
static void
config_load_list(struct config_load *ld, const char *path, json_t *arr,
    int outputs, char ***listp, size_t *np)
{
	const char	*what = outputs ? "outputs" : "inputs";
	struct msg_hint	 hint;
	const char	*s;
	json_t		*v, *prev;
	size_t		 i, j, len, n = 0;
	char		**list, *ipath, *q, *h;

	if (!json_is_array(arr)) {
		config_err(ld, path, "expected an array of dataset ids, got %s",
		    config_type(arr));
		return;
	}
	list = xcalloc(json_array_size(arr), sizeof *list);
	json_array_foreach(arr, i, v) {
		ipath = config_path_index(path, i);
		if (!json_is_string(v)) {
			config_err(ld, ipath, "expected a dataset id (a "
			    "string), got %s", config_type(v));
			goto next;
		}
		s = json_string_value(v);
		len = json_string_length(v);
		for (j = 0; j < i; j++) {
			prev = json_array_get(arr, j);
			if (json_is_string(prev) && json_equal(prev, v))
				break;
		}
		q = msg_quote(s, len, MSG_QUOTEMAX);
		if (j < i)
			config_err(ld, ipath, "duplicate dataset %s (also at "
			    "%s[%zu])", q, what, j);
		else if (strlen(s) != len || !ident_valid(s))
			config_err(ld, ipath, "invalid dataset id %s ("
			    CONFIG_IDRULE ")", q);
		else if (config_pseudo(s) != NULL && outputs)
			config_err(ld, ipath, "\"%s\" is %s and cannot be an "
			    "output", s, config_pseudo(s));
		else if (config_pseudo(s) == NULL &&
		    config_dataset(ld->c, s) == NULL) {
			hint = (struct msg_hint)MSG_HINT_INIT;
			for (j = 0; j < ld->c->ndatasets; j++)
				msg_hint_try(&hint, s, ld->c->datasets[j].id);
			h = msg_hint_text(&hint);
			config_err(ld, ipath, "unknown dataset %s%s", q, h);
			free(h);
		} else
			list[n++] = xstrdup(s);
		free(q);
next:
		free(ipath);
	}
	*listp = list;
	*np = n;
}

static void
config_load_int(struct config_load *ld, const char *path, const json_t *v,
    int min, int max, const char *also, int *out)
{
	json_int_t	 n;

	if (!json_is_integer(v)) {
		config_err(ld, path, "expected an integer from %d to %d%s, "
		    "got %s", min, max, also, config_type(v));
		return;
	}
	n = json_integer_value(v);
	if (n < min || n > max) {
		config_err(ld, path, "%" JSON_INTEGER_FORMAT " is out of range "
		    "(%d to %d%s)", n, min, max, also);
		return;
	}
	*out = (int)n;
}

static void
config_load_timeout(struct config_load *ld, const char *path,
    const json_t *v, long *out)
{
	char	*s, *e = NULL;
	long	 secs;

	if (json_is_null(v)) {
		*out = 0;
		return;
	}
	if (json_is_integer(v))
		s = xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_string(v)) {
		if ((s = config_value(ld, path, v, 0)) == NULL)
			return;
	} else {
		config_err(ld, path, "expected a duration such as \"4h\" or a "
		    "number of seconds, got %s", config_type(v));
		return;
	}
	if (duration_parse(s, &secs, &e) == -1) {
		config_err(ld, path, "%s", e != NULL ? e : "invalid duration");
		free(e);
	} else
		*out = secs;
	free(s);
}

static void
config_load_order(struct config_load *ld, const char *path, const json_t *v,
    enum cfg_order *out)
{
	struct msg_hint	 hint = MSG_HINT_INIT;
	size_t		 i;
	char		*s, *q, *h;

	if (!json_is_string(v)) {
		config_err(ld, path, "expected \"oldest-first\", "
		    "\"newest-first\" or \"latest-only\", got %s",
		    config_type(v));
		return;
	}
	if ((s = config_value(ld, path, v, 0)) == NULL)
		return;
	if (config_order_parse(s, out) == -1) {
		for (i = 0; i < nitems(config_order_names); i++)
			msg_hint_try(&hint, s, config_order_names[i]);
		q = msg_q(s);
		if (hint.best != NULL)
			h = msg_hint_text(&hint);
		else
			h = xstrdup(" (expected oldest-first, newest-first or "
			    "latest-only)");
		config_err(ld, path, "unknown order %s%s", q, h);
		free(h);
		free(q);
	}
	free(s);
}

/* A command to run without a shell: a non-empty array of strings. */
static void
config_load_argv(struct config_load *ld, const char *path, json_t *arr,
    char ***argvp, size_t *np)
{
	json_t	*v;
	size_t	 i;
	char	*ipath, *s;

	if (!json_is_array(arr) || json_array_size(arr) == 0 ||
	    json_array_size(arr) > CONFIG_MAXARGV) {
		config_err(ld, path, "expected the command and its arguments "
		    "as an array of 1 to %d strings", CONFIG_MAXARGV);
		return;
	}
	*argvp = xcalloc(json_array_size(arr), sizeof(**argvp));
	*np = 0;
	json_array_foreach(arr, i, v) {
		ipath = config_path_index(path, i);
		if (!json_is_string(v))
			config_err(ld, ipath, "expected a string, got %s",
			    config_type(v));
		else if ((s = config_value(ld, ipath, v, 0)) != NULL) {
			if (i == 0 && *s == '\0')
				config_err(ld, ipath, "the command is empty");
			(*argvp)[(*np)++] = s;
		}
		free(ipath);
	}
}

static void
config_load_job(struct config_load *ld, const char *path, json_t *v,
    struct cfg_job *job)
{
	const char	*key;
	json_t		*e;
	char		*kpath;

	job->max_attempts = CFG_DEFAULT_MAX_ATTEMPTS;
	job->order = ORDER_OLDEST_FIRST;
	if (!json_is_object(v)) {
		config_err(ld, path, "expected an object, got %s",
		    config_type(v));
		return;
	}
	json_object_foreach(v, key, e) {
		kpath = config_path(path, key);
		if (strcmp(key, "inputs") == 0)
			config_load_list(ld, kpath, e, 0, &job->inputs,
			    &job->ninputs);
		else if (strcmp(key, "outputs") == 0)
			config_load_list(ld, kpath, e, 1, &job->outputs,
			    &job->noutputs);
		else if (strcmp(key, "params") == 0)
			config_load_kvs(ld, kpath, e, KVS_PARAMS,
			    &job->params, &job->nparams);
		else if (strcmp(key, "tags") == 0)
			config_load_kvs(ld, kpath, e, KVS_TAGS, &job->tags,
			    &job->ntags);
		else if (strcmp(key, "paused") == 0) {
			if (json_is_boolean(e))
				job->paused = json_is_true(e);
			else
				config_err(ld, kpath, "expected true or "
				    "false, got %s", config_type(e));
		} else if (strcmp(key, "max_attempts") == 0)
			config_load_int(ld, kpath, e, 1, CONFIG_MAXATTEMPTS,
			    "", &job->max_attempts);
		else if (strcmp(key, "max_running") == 0) {
			if (json_is_null(e))
				job->max_running = 0;
			else
				config_load_int(ld, kpath, e, 1,
				    CONFIG_MAXRUNNING, ", or null for no limit",
				    &job->max_running);
		} else if (strcmp(key, "timeout") == 0)
			config_load_timeout(ld, kpath, e, &job->timeout_secs);
		else if (strcmp(key, "order") == 0)
			config_load_order(ld, kpath, e, &job->order);
		else if (strcmp(key, "owner") == 0) {
			free(job->owner);
			job->owner = config_value(ld, kpath, e, 0);
		} else if (strcmp(key, "notify") == 0)
			config_load_argv(ld, kpath, e, &job->notify,
			    &job->nnotify);
		else if (strcmp(key, "notify_on") == 0) {
			if (json_is_string(e) &&
			    strcmp(json_string_value(e), "failure") == 0)
				job->notify_always = false;
			else if (json_is_string(e) &&
			    strcmp(json_string_value(e), "always") == 0)
				job->notify_always = true;
			else
				config_err(ld, kpath, "expected \"failure\" or "
				    "\"always\"");
		} else
			config_unknown_key(ld, path, key, config_job_keys,
			    nitems(config_job_keys), NULL);
		free(kpath);
	}
}

static void
config_load_jobs(struct config_load *ld, json_t *obj)
{
	struct config	*c = ld->c;
	struct cfg_job	 job;
	const char	*id;
	json_t		*v;
	char		*path;
	int		 ok;

	if (!json_is_object(obj)) {
		config_err(ld, "jobs", "expected an object of jobs by id, "
		    "got %s", config_type(obj));
		return;
	}
	c->jobs = xcalloc(json_object_size(obj), sizeof *c->jobs);
	json_object_foreach(obj, id, v) {
		path = config_path("jobs", id);
		ok = config_id_ok(ld, "jobs", "job id", id);
		memset(&job, 0, sizeof job);
		job.id = xstrdup(id);
		config_load_job(ld, path, v, &job);
		if (ok)
			c->jobs[c->njobs++] = job;
		else
			config_job_clear(&job);
		free(path);
	}
}

static void
config_load_top(struct config_load *ld, json_t *root)
{
	const char	*key;
	json_t		*v;
	char		*path;

	json_object_foreach(root, key, v) {
		if (strcmp(key, "datasets") == 0 || strcmp(key, "jobs") == 0)
			continue;
		path = config_path(NULL, key);
		if (strcmp(key, "$schema") == 0) {
			/* For editors that validate against a JSON schema. */
			if (!json_is_string(v))
				config_err(ld, path, "expected a string, got "
				    "%s", config_type(v));
		} else if (strcmp(key, "version") == 0) {
			if (!json_is_integer(v))
				config_err(ld, path, "expected the integer "
				    "%d, got %s", CONFIG_VERSION,
				    config_type(v));
			else if (json_integer_value(v) != CONFIG_VERSION)
				config_err(ld, path, "unsupported version %"
				    JSON_INTEGER_FORMAT " (this dataflow reads "
				    "version %d)", json_integer_value(v),
				    CONFIG_VERSION);
		} else
			config_unknown_key(ld, NULL, key, config_top_keys,
			    nitems(config_top_keys), NULL);
		free(path);
	}
}

struct config *
config_from_json(json_t *root, const char *origin, struct diag *d)
{
	struct diag		 local = { NULL, 0 };
	struct config_seg	 segs[CONFIG_MAXDEPTH];
	struct config_load	 ld;
	struct config		*c;
	json_t			*v;
	char			*where = NULL;
	size_t			 n0;

	if (d == NULL)
		d = &local;
	n0 = d->n;
	c = xcalloc(1, sizeof *c);
	ld.origin = origin;
	ld.d = d;
	ld.c = c;

	if (root == NULL || !json_is_object(root)) {
		config_err(&ld, NULL, "expected an object with \"datasets\" "
		    "and \"jobs\", got %s",
		    root != NULL ? config_type(root) : "nothing");
		goto out;
	}
	if (config_too_deep(root, 1, segs, &where)) {
		config_err(&ld, where, "nested deeper than %d levels",
		    CONFIG_MAXDEPTH);
		free(where);
		goto out;
	}
	config_load_top(&ld, root);
	if ((v = json_object_get(root, "datasets")) != NULL)
		config_load_datasets(&ld, v);
	/* Jobs look their datasets up by id. */
	config_sort(c);
	if ((v = json_object_get(root, "jobs")) != NULL)
		config_load_jobs(&ld, v);
	config_sort(c);
	config_check(c, origin, d);
out:
	if (d->n > n0) {
		config_free(c);
		c = NULL;
	}
	diag_clear(&local);
	return c;
}

struct config *
config_load_string(const char *text, const char *origin, struct diag *d)
{
	struct config	*c;
	json_error_t	 e;
	json_t		*root;

	if (origin == NULL)
		origin = "<string>";
	if ((root = json_loads(text, CONFIG_LOADFLAGS, &e)) == NULL) {
		diag_add(d, "%s:%d:%d: %s", origin, e.line, e.column, e.text);
		return NULL;
	}
	c = config_from_json(root, origin, d);
	json_decref(root);
	return c;
}

struct config *
config_load_file(const char *path, struct diag *d)
{
	struct config	*c;
	struct stat	 st;
	json_error_t	 e;
	const char	*origin = path;
	json_t		*root;
	FILE		*fp;

	if (strcmp(path, "-") == 0) {
		fp = stdin;
		origin = "<stdin>";
	} else if ((fp = fopen(path, "r")) == NULL) {
		diag_add(d, "could not open \"%s\": %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		diag_add(d, "could not read \"%s\": %s", path,
		    strerror(EISDIR));
		if (fp != stdin)
			fclose(fp);
		return NULL;
	}
	root = json_loadf(fp, CONFIG_LOADFLAGS, &e);
	if (fp != stdin)
		fclose(fp);
	if (root == NULL) {
		diag_add(d, "%s:%d:%d: %s", origin, e.line, e.column, e.text);
		return NULL;
	}
	c = config_from_json(root, origin, d);
	json_decref(root);
	return c;
}

