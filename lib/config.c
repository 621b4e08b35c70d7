/* config.c: the declarative configuration: load and validate the JSON file,
 * check references and cycles, and write it back in canonical form. */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "duration.h"
#include "ids.h"
#include "strbuf.h"
#include "xmalloc.h"

#ifndef nitems
#define nitems(_a)	(sizeof((_a)) / sizeof((_a)[0]))
#endif

#define CONFIG_QUOTEMAX		64	/* bytes of a bad value echoed back */
#define CONFIG_HINTDIST		2	/* largest edit distance of a hint */
#define CONFIG_MAXATTEMPTS	1000
#define CONFIG_MAXRUNNING	100000
#define CONFIG_VERSION		1	/* the only file format version */
#define CONFIG_LOADFLAGS	(JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)
#define CONFIG_IDRULE \
	"expected [A-Za-z_][A-Za-z0-9_]*, at most 63 bytes"

const char *const cfg_attr_names[CFG_NATTRS] = {
	"hostname", "database", "schemaname", "tablename", "username",
	"encryptedpass"
};

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
	"order", "max_running", "owner", "notify", "notify_on"
};

/* Indexed by enum cfg_order. */
static const char *const config_order_names[] = {
	"oldest-first", "newest-first", "latest-only"
};

/* Where messages go while loading or checking one configuration. */
struct config_load {
	const char	*origin;	/* file name, or NULL */
	struct diag	*d;
	struct config	*c;		/* being built */
};

/* One step of a JSON path: an object key, or an array index. */
struct config_seg {
	const char	*key;		/* NULL for an index */
	size_t		 idx;
};

/* The state of a job in the cycle search. */
enum config_color {
	CONFIG_UNSEEN,		/* not seen yet */
	CONFIG_ONSTACK,		/* on the stack */
	CONFIG_DONE		/* done */
};

/* A job's use of a dataset, for the producer and cycle checks. */
struct config_ref {
	const char	*ds;
	size_t		 job;
	int		 out;		/* 1 output, 0 input */
};

struct config_edge {
	size_t		 from;
	size_t		 to;
};

static char	*config_vfmt(const char *, va_list)
		    __attribute__((format(printf, 1, 0)));
static void	 config_err(struct config_load *, const char *, const char *,
		    ...) __attribute__((format(printf, 3, 4)));

static char *
config_vfmt(const char *fmt, va_list ap)
{
	va_list	 aq;
	char	*s;
	int	 n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return xstrdup("(unprintable message)");
	s = xmalloc((size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

/*
 * Make room in array p of n elements of size bytes for one more: the
 * capacity is implied by n (doubled each time n reaches a power of two),
 * so that appending stays linear without a capacity field.
 */
static void *
config_grow(void *p, size_t n, size_t size)
{
	if (n == 0 || (n & (n - 1)) == 0)
		p = xreallocarray(p, n == 0 ? 1 : n * 2, size);
	return p;
}

void
diag_add(struct diag *d, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = config_vfmt(fmt, ap);
	va_end(ap);
	d->msgs = config_grow(d->msgs, d->n, sizeof *d->msgs);
	d->msgs[d->n++] = s;
}

void
diag_clear(struct diag *d)
{
	size_t	 i;

	for (i = 0; i < d->n; i++)
		free(d->msgs[i]);
	free(d->msgs);
	d->msgs = NULL;
	d->n = 0;
}

/* Add "ORIGIN: PATH: message", leaving out the parts that are NULL. */
static void
config_err(struct config_load *ld, const char *path, const char *fmt, ...)
{
	struct strbuf	 sb = STRBUF_INIT;
	va_list		 ap;
	char		*m;

	va_start(ap, fmt);
	m = config_vfmt(fmt, ap);
	va_end(ap);
	if (ld->origin != NULL)
		strbuf_addf(&sb, "%s: ", ld->origin);
	if (path != NULL)
		strbuf_addf(&sb, "%s: ", path);
	strbuf_add(&sb, m);
	diag_add(ld->d, "%s", sb.buf);
	strbuf_free(&sb);
	free(m);
}

/*
 * Return the len bytes of s in double quotes, escaped so that a terminal
 * shows them as they are, and cut after CONFIG_QUOTEMAX bytes (on a UTF-8
 * character boundary) so that a huge bad value does not flood the message.
 */
static char *
config_quote(const char *s, size_t len)
{
	struct strbuf	 sb = STRBUF_INIT;
	unsigned char	 ch;
	size_t		 i, n = len;

	if (n > CONFIG_QUOTEMAX) {
		n = CONFIG_QUOTEMAX;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	strbuf_addc(&sb, '"');
	for (i = 0; i < n; i++) {
		ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\') {
			strbuf_addc(&sb, '\\');
			strbuf_addc(&sb, (char)ch);
		} else if (ch == '\n')
			strbuf_add(&sb, "\\n");
		else if (ch == '\t')
			strbuf_add(&sb, "\\t");
		else if (ch < 0x20 || ch == 0x7f)
			strbuf_addf(&sb, "\\x%02x", ch);
		else
			strbuf_addc(&sb, (char)ch);
	}
	strbuf_addc(&sb, '"');
	if (n < len)
		strbuf_add(&sb, "...");
	return strbuf_detach(&sb);
}

static char *
config_q(const char *s)
{
	return config_quote(s, strlen(s));
}

/* Return the path of key below parent: a.key, or a["odd key"]. */
static char *
config_path(const char *parent, const char *key)
{
	char	*q, *p;

	if (ident_valid(key)) {
		if (parent == NULL)
			return xstrdup(key);
		return xasprintf("%s.%s", parent, key);
	}
	q = config_q(key);
	p = xasprintf("%s[%s]", parent != NULL ? parent : "", q);
	free(q);
	return p;
}

static char *
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

/* Return the optimal string alignment distance of a and b (typo size). */
static size_t
config_distance(const char *a, const char *b)
{
	unsigned char	 m[CONFIG_QUOTEMAX + 1][CONFIG_QUOTEMAX + 1];
	size_t		 la = strlen(a), lb = strlen(b), i, j, v, w;

	if (la > CONFIG_QUOTEMAX || lb > CONFIG_QUOTEMAX)
		return SIZE_MAX;
	for (i = 0; i <= la; i++)
		m[i][0] = (unsigned char)i;
	for (j = 0; j <= lb; j++)
		m[0][j] = (unsigned char)j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			v = m[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if ((w = m[i - 1][j] + 1U) < v)
				v = w;
			if ((w = m[i][j - 1] + 1U) < v)
				v = w;
			/* A transposition of neighbours is one typo. */
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] &&
			    (w = m[i - 2][j - 2] + 1U) < v)
				v = w;
			m[i][j] = (unsigned char)v;
		}
	}
	return m[la][lb];
}

/* Keep in *best the candidate closest to s, if close enough to be a typo. */
static void
config_hint_try(const char *s, const char *cand, const char **best,
    size_t *bestd)
{
	size_t	 dist;

	dist = config_distance(s, cand);
	if (dist > 0 && dist <= CONFIG_HINTDIST && dist < strlen(s) &&
	    dist < *bestd) {
		*best = cand;
		*bestd = dist;
	}
}

/* Return " (did you mean "x"?)" for best, or "" (caller frees). */
static char *
config_hint(const char *best)
{
	if (best == NULL)
		return xstrdup("");
	return xasprintf(" (did you mean \"%s\"?)", best);
}

static void
config_unknown_key(struct config_load *ld, const char *path, const char *key,
    const char *const *known, size_t nknown, const char *otherwise)
{
	const char	*best = NULL;
	size_t		 bestd = SIZE_MAX, i;
	char		*q, *h;

	for (i = 0; i < nknown; i++)
		config_hint_try(key, known[i], &best, &bestd);
	q = config_q(key);
	if (best == NULL && otherwise != NULL)
		h = xasprintf(" (%s)", otherwise);
	else
		h = config_hint(best);
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
	q = config_q(id);
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
	q = config_q(name);
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
	q = config_q(name);
	config_err(ld, path, "parameter name %s is reserved (%s)", q,
	    ident_env_refusal(name, NULL));
	free(q);
	return 0;
}

/* Load a name: value object (extra attributes, or params when params). */
static void
config_load_kvs(struct config_load *ld, const char *path, json_t *obj,
    int params, struct cfg_kv **kvp, size_t *np)
{
	struct cfg_kv	*kv;
	const char	*name;
	json_t		*v;
	size_t		 n = 0;
	char		*kpath, *value;
	int		 ok;

	if (!json_is_object(obj)) {
		config_err(ld, path, "expected an object of %s, got %s",
		    params ? "parameters" : "attributes", config_type(obj));
		return;
	}
	kv = xcalloc(json_object_size(obj), sizeof *kv);
	json_object_foreach(obj, name, v) {
		kpath = config_path(path, name);
		if (params)
			ok = config_param_name_ok(ld, path, name);
		else
			ok = config_extra_name_ok(ld, path, name);
		value = config_value(ld, kpath, v, params);
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
			config_load_kvs(ld, kpath, e, 0, &ds->extra,
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
config_dataset_clear(struct cfg_dataset *ds)
{
	size_t	 i;

	free(ds->id);
	for (i = 0; i < CFG_NATTRS; i++)
		xfreezero_str(ds->attrs[i]);
	for (i = 0; i < ds->nextra; i++) {
		free(ds->extra[i].key);
		free(ds->extra[i].value);
	}
	free(ds->extra);
	memset(ds, 0, sizeof *ds);
}

static void
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
	for (i = 0; i < job->nparams; i++) {
		free(job->params[i].key);
		free(job->params[i].value);
	}
	free(job->params);
	free(job->owner);
	for (i = 0; i < job->nnotify; i++)
		free(job->notify[i]);
	free(job->notify);
	memset(job, 0, sizeof *job);
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
		if (ok && strcmp(id, CONFIG_TODAY) == 0) {
			config_err(ld, path, "\"%s\" is reserved for the "
			    "pseudo-dataset of the current date and cannot be "
			    "declared", CONFIG_TODAY);
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
	const char	*s, *best;
	json_t		*v, *prev;
	size_t		 i, j, len, n = 0, bestd;
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
		q = config_quote(s, len);
		if (j < i)
			config_err(ld, ipath, "duplicate dataset %s (also at "
			    "%s[%zu])", q, what, j);
		else if (strlen(s) != len || !ident_valid(s))
			config_err(ld, ipath, "invalid dataset id %s ("
			    CONFIG_IDRULE ")", q);
		else if (strcmp(s, CONFIG_TODAY) == 0 && outputs)
			config_err(ld, ipath, "\"%s\" is the pseudo-dataset "
			    "of the current date and cannot be an output",
			    CONFIG_TODAY);
		else if (strcmp(s, CONFIG_TODAY) != 0 &&
		    config_dataset(ld->c, s) == NULL) {
			best = NULL;
			bestd = SIZE_MAX;
			for (j = 0; j < ld->c->ndatasets; j++)
				config_hint_try(s, ld->c->datasets[j].id,
				    &best, &bestd);
			h = config_hint(best);
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
	const char	*best = NULL;
	size_t		 bestd = SIZE_MAX, i;
	char		*s, *q;

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
			config_hint_try(s, config_order_names[i], &best,
			    &bestd);
		q = config_q(s);
		if (best != NULL)
			config_err(ld, path, "unknown order %s (did you mean "
			    "\"%s\"?)", q, best);
		else
			config_err(ld, path, "unknown order %s (expected "
			    "oldest-first, newest-first or latest-only)", q);
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
			config_load_kvs(ld, kpath, e, 1, &job->params,
			    &job->nparams);
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

static int
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

static int
config_cmp_ref(const void *a, const void *b)
{
	const struct config_ref	*ra = a, *rb = b;
	int			 r;

	if ((r = strcmp(ra->ds, rb->ds)) != 0)
		return r;
	if (ra->out != rb->out)
		return rb->out - ra->out;	/* producers first */
	return (ra->job > rb->job) - (ra->job < rb->job);
}

static int
config_cmp_edge(const void *a, const void *b)
{
	const struct config_edge	*ea = a, *eb = b;

	if (ea->from != eb->from)
		return (ea->from > eb->from) - (ea->from < eb->from);
	return (ea->to > eb->to) - (ea->to < eb->to);
}

/* qsort, which must not be given a NULL base even for no elements. */
static void
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

/* Report ids that occur twice in the sorted array ids. */
static void
config_check_unique(struct config_load *ld, const char **ids, size_t n,
    const char *section, const char *what)
{
	size_t	 i;
	char	*path;

	for (i = 1; i < n; i++) {
		if (strcmp(ids[i - 1], ids[i]) != 0)
			continue;
		if (i > 1 && strcmp(ids[i - 2], ids[i]) == 0)
			continue;
		path = config_path(section, ids[i]);
		config_err(ld, path, "duplicate %s id", what);
		free(path);
	}
}

/* Report the entries of a job's inputs or outputs that name no dataset. */
static void
config_check_list(struct config_load *ld, const struct cfg_job *job,
    char **list, size_t n, int outputs, const char **dsids, size_t nds)
{
	size_t	 i, j;
	char	*jpath, *path, *q;

	jpath = config_path("jobs", job->id);
	path = config_path(jpath, outputs ? "outputs" : "inputs");
	for (i = 0; i < n; i++) {
		q = config_q(list[i]);
		for (j = 0; j < i; j++) {
			if (strcmp(list[j], list[i]) == 0)
				break;
		}
		if (j < i)
			config_err(ld, path, "duplicate dataset %s", q);
		else if (strcmp(list[i], CONFIG_TODAY) == 0) {
			if (outputs)
				config_err(ld, path, "\"%s\" is the "
				    "pseudo-dataset of the current date and "
				    "cannot be an output", CONFIG_TODAY);
		} else if (nds == 0 || bsearch(&list[i], dsids, nds,
		    sizeof *dsids, config_cmp_str) == NULL)
			config_err(ld, path, "unknown dataset %s", q);
		free(q);
	}
	free(path);
	free(jpath);
}

/* Report the cycle closed by the edge from stack[sp - 1] back to stack[at]. */
static void
config_report_cycle(struct config_load *ld, const struct config *c,
    const size_t *stack, size_t at, size_t sp)
{
	struct strbuf	 sb = STRBUF_INIT;
	size_t		 i;

	strbuf_add(&sb, "cycle:");
	for (i = at; i < sp; i++)
		strbuf_addf(&sb, " %s ->", c->jobs[stack[i]].id);
	strbuf_addf(&sb, " %s", c->jobs[stack[at]].id);
	config_err(ld, NULL, "%s", sb.buf);
	strbuf_free(&sb);
}

/*
 * Depth-first search of the job graph (off/adj: edges by source job), with
 * an explicit stack so that a long chain of jobs cannot exhaust the C stack;
 * every edge back to a job on the stack closes a cycle.
 */
static void
config_find_cycles(struct config_load *ld, const struct config *c,
    const size_t *off, const size_t *adj)
{
	unsigned char	*color;
	size_t		*stack, *next, *pos, sp, r, u, v;

	color = xcalloc(c->njobs, sizeof *color);
	stack = xcalloc(c->njobs, sizeof *stack);
	next = xcalloc(c->njobs, sizeof *next);
	pos = xcalloc(c->njobs, sizeof *pos);
	for (r = 0; r < c->njobs; r++) {
		if (color[r] != CONFIG_UNSEEN)
			continue;
		sp = 0;
		stack[sp] = r;
		next[sp] = off[r];
		pos[r] = sp++;
		color[r] = CONFIG_ONSTACK;
		while (sp > 0) {
			u = stack[sp - 1];
			if (next[sp - 1] == off[u + 1]) {
				color[u] = CONFIG_DONE;
				sp--;
				continue;
			}
			v = adj[next[sp - 1]++];
			if (color[v] == CONFIG_UNSEEN) {
				stack[sp] = v;
				next[sp] = off[v];
				pos[v] = sp++;
				color[v] = CONFIG_ONSTACK;
			} else if (color[v] == CONFIG_ONSTACK)
				config_report_cycle(ld, c, stack, pos[v], sp);
		}
	}
	free(pos);
	free(next);
	free(stack);
	free(color);
}

/*
 * Check who produces what: one producer per dataset, no job reading its own
 * output, and no cycle through several jobs.
 */
static void
config_check_graph(struct config_load *ld, const struct config *c)
{
	struct config_ref	*refs;
	struct config_edge	*edges;
	struct strbuf		 sb = STRBUF_INIT;
	const struct cfg_job	*job;
	size_t			 nrefs = 0, nedges = 0, i, j, g, e, p, q;
	size_t			 nprod, *off, *adj, n;
	char			*path, *qd;

	n = 0;
	for (i = 0; i < c->njobs; i++)
		n += c->jobs[i].ninputs + c->jobs[i].noutputs;
	refs = xcalloc(n, sizeof *refs);
	for (i = 0; i < c->njobs; i++) {
		job = &c->jobs[i];
		for (j = 0; j < job->ninputs + job->noutputs; j++) {
			refs[nrefs].out = j >= job->ninputs;
			refs[nrefs].ds = refs[nrefs].out ?
			    job->outputs[j - job->ninputs] : job->inputs[j];
			refs[nrefs].job = i;
			if (strcmp(refs[nrefs].ds, CONFIG_TODAY) != 0)
				nrefs++;
		}
	}
	config_qsort(refs, nrefs, sizeof *refs, config_cmp_ref);
	/* Drop repeats, reported already by config_check_list. */
	for (i = j = 0; i < nrefs; i++) {
		if (j > 0 && config_cmp_ref(&refs[j - 1], &refs[i]) == 0)
			continue;
		refs[j++] = refs[i];
	}
	nrefs = j;

	edges = NULL;
	for (g = 0; g < nrefs; g = e) {
		for (e = g; e < nrefs && strcmp(refs[e].ds, refs[g].ds) == 0;)
			e++;
		for (nprod = 0; g + nprod < e && refs[g + nprod].out;)
			nprod++;
		if (nprod > 1) {
			strbuf_add(&sb, "output of more than one job:");
			for (p = g; p < g + nprod; p++)
				strbuf_addf(&sb, "%s %s", p > g ? "," : "",
				    c->jobs[refs[p].job].id);
			path = config_path("datasets", refs[g].ds);
			config_err(ld, path, "%s", sb.buf);
			free(path);
			strbuf_free(&sb);
		}
		for (p = g; p < g + nprod; p++) {
			for (q = g + nprod; q < e; q++) {
				if (refs[p].job != refs[q].job) {
					edges = config_grow(edges, nedges,
					    sizeof *edges);
					edges[nedges].from = refs[p].job;
					edges[nedges++].to = refs[q].job;
					continue;
				}
				job = &c->jobs[refs[p].job];
				path = config_path("jobs", job->id);
				qd = config_q(refs[p].ds);
				config_err(ld, path, "dataset %s is both an "
				    "input and an output (cycle: %s -> %s)",
				    qd, job->id, job->id);
				free(qd);
				free(path);
			}
		}
	}

	config_qsort(edges, nedges, sizeof *edges, config_cmp_edge);
	off = xcalloc(c->njobs + 1, sizeof *off);
	adj = xcalloc(nedges, sizeof *adj);
	for (i = j = 0; i < nedges; i++) {
		if (i > 0 && config_cmp_edge(&edges[i - 1], &edges[i]) == 0)
			continue;
		off[edges[i].from + 1]++;
		adj[j++] = edges[i].to;
	}
	for (i = 0; i < c->njobs; i++)
		off[i + 1] += off[i];
	config_find_cycles(ld, c, off, adj);

	free(adj);
	free(off);
	free(edges);
	free(refs);
}

/* Set up ld for a check of a loaded configuration that reports into d, or
 * into local when d is NULL; return the list the findings go to. */
static struct diag *
config_checker(struct config_load *ld, const char *origin, struct diag *d,
    struct diag *local)
{
	ld->origin = origin;
	ld->d = d != NULL ? d : local;
	ld->c = NULL;
	return ld->d;
}

int
config_check(const struct config *c, const char *origin, struct diag *d)
{
	struct diag		 local = { NULL, 0 };
	struct config_load	 ld;
	const char		**dsids, **jobids;
	const struct cfg_job	*job;
	size_t			 n0, i;
	int			 rc;

	d = config_checker(&ld, origin, d, &local);
	n0 = d->n;

	dsids = xcalloc(c->ndatasets, sizeof *dsids);
	for (i = 0; i < c->ndatasets; i++)
		dsids[i] = c->datasets[i].id;
	config_qsort(dsids, c->ndatasets, sizeof *dsids, config_cmp_str);
	config_check_unique(&ld, dsids, c->ndatasets, "datasets", "dataset");
	jobids = xcalloc(c->njobs, sizeof *jobids);
	for (i = 0; i < c->njobs; i++)
		jobids[i] = c->jobs[i].id;
	config_qsort(jobids, c->njobs, sizeof *jobids, config_cmp_str);
	config_check_unique(&ld, jobids, c->njobs, "jobs", "job");

	for (i = 0; i < c->njobs; i++) {
		job = &c->jobs[i];
		config_check_list(&ld, job, job->inputs, job->ninputs, 0,
		    dsids, c->ndatasets);
		config_check_list(&ld, job, job->outputs, job->noutputs, 1,
		    dsids, c->ndatasets);
	}
	config_check_graph(&ld, c);

	rc = d->n > n0 ? -1 : 0;
	free(jobids);
	free(dsids);
	diag_clear(&local);
	return rc;
}

/* Report a refused variable name, and what at path makes it (NULL: the
 * name itself, a parameter). */
static void
config_env_err(struct config_load *ld, const char *path, const char *what,
    const char *name, const char *why)
{
	const char	*hint = ident_env_fixed(name) ? "" : "; a host may "
	    "allow it with env_allow= in dataflow.properties";

	if (what == NULL)
		config_err(ld, path, "variable %s is never exported to jobs "
		    "(%s)%s", name, why, hint);
	else
		config_err(ld, path, "%s makes variable %s, which is never "
		    "exported to jobs (%s)%s", what, name, why, hint);
}

/* The names RunJob exports for every dataset D as D_name. */
static const char *const config_std_vars[] = {
	"datasetid", "hostname", "database", "schemaname", "tablename",
	"username", "encryptedpass", "itemtype", "password"
};

static void
config_check_dataset_env(struct config_load *ld, const struct cfg_dataset *ds,
    const char *const *allow)
{
	const char	*why;
	size_t		 i;
	char		*name, *path, *what;

	path = config_path("datasets", ds->id);
	for (i = 0; i < nitems(config_std_vars); i++) {
		name = xasprintf("%s_%s", ds->id, config_std_vars[i]);
		why = ident_env_refusal(name, allow);
		if (why != NULL) {
			what = xasprintf("dataset id \"%s\"", ds->id);
			config_env_err(ld, path, what, name, why);
			free(what);
		}
		free(name);
		if (why != NULL)
			break;
	}
	for (i = 0; i < ds->nextra; i++) {
		name = xasprintf("%s_%s", ds->id, ds->extra[i].key);
		if ((why = ident_env_refusal(name, allow)) != NULL) {
			what = xasprintf("extra attribute \"%s\"",
			    ds->extra[i].key);
			config_env_err(ld, path, what, name, why);
			free(what);
		}
		free(name);
	}
	free(path);
}

int
config_check_env(const struct config *c, const char *origin,
    const char *const *allow, struct diag *d)
{
	struct diag		 local = { NULL, 0 };
	struct config_load	 ld;
	const struct cfg_job	*job;
	const char		*why;
	size_t			 n0, i, k;
	char			*path, *what;

	d = config_checker(&ld, origin, d, &local);
	n0 = d->n;
	for (i = 0; i < c->ndatasets; i++)
		config_check_dataset_env(&ld, &c->datasets[i], allow);
	for (i = 0; i < c->njobs; i++) {
		job = &c->jobs[i];
		for (k = 0; k < job->nparams; k++) {
			why = ident_env_refusal(job->params[k].key, allow);
			if (why == NULL)
				continue;
			what = config_path("jobs", job->id);
			path = config_path(what, "params");
			config_env_err(&ld, path, NULL, job->params[k].key,
			    why);
			free(path);
			free(what);
		}
	}
	diag_clear(&local);
	return d->n > n0 ? -1 : 0;
}

/* Set o[key] to the new reference v; note a failure (bad UTF-8) in *bad. */
static void
config_json_set(json_t *o, const char *key, json_t *v, int *bad)
{
	if (json_object_set_new(o, key, v) == -1)
		*bad = 1;
}

static json_t *
config_kvs_json(const struct cfg_kv *kv, size_t n, int *bad)
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
		    config_kvs_json(ds->extra, ds->nextra, bad), bad);
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
		    config_kvs_json(job->params, job->nparams, bad), bad);
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
