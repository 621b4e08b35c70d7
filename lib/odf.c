/* odf.c: OpenDataFlow's rows into dataflow's configuration, partition
 * statuses and work, following OpenDataFlow's rules; written through the
 * df_import_* functions of sql/ops.sql. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "catalog.h"
#include "config.h"
#include "db.h"
#include "ids.h"
#include "odf.h"
#include "plan.h"
#include "xmalloc.h"

/* Each returns how many rows it wrote; the others were running. */
static const char put_partitions_sql[] =
    "SELECT df_import_partitions($1::text[], $2::text[], $3::text[])";
static const char put_work_sql[] =
    "SELECT df_import_work($1::text[], $2::text[], $3::text[])";

static const char *const odf_kind_names[ODF_NKINDS] = {
	"succeeded", "rerun", "failed"
};

static const char *const odf_part_status_names[] = {
	"READY", "FAILED", "RESUBMIT"
};

struct odf_work {
	const char	*jobid;		/* owned by o->want */
	char		*dataid;
	enum odf_kind	 kind;
	bool		 from_output;	/* an OUT row: it wins */
};

struct odf *
odf_new(void)
{
	struct odf	*o;

	o = xcalloc(1, sizeof(*o));
	o->datasets = json_object();
	o->jobs = json_object();
	return o;
}

static void
odf_cols_add(struct odf_cols *c, const char *a, const char *b,
    const char *d)
{
	size_t	 i;

	for (i = 0; i < 3; i++)
		c->v[i] = xreallocarray(c->v[i], c->n + 1, sizeof(*c->v[i]));
	c->v[0][c->n] = a;
	c->v[1][c->n] = b;
	c->v[2][c->n] = d;
	c->n++;
}

static void
odf_cols_free(struct odf_cols *c)
{
	size_t	 i;

	for (i = 0; i < 3; i++)
		free(c->v[i]);
	memset(c, 0, sizeof(*c));
}

void
odf_free(struct odf *o)
{
	size_t	 i;

	if (o == NULL)
		return;
	diag_clear(&o->skipped);
	diag_clear(&o->notes);
	config_free(o->want);
	odf_cols_free(&o->parts);
	odf_cols_free(&o->work);
	json_decref(o->datasets);
	json_decref(o->jobs);
	free(o->bad_job);
	free(o->prev_ds);
	free(o->prev_id);
	for (i = 0; i < o->nrows; i++)
		free(o->rows[i].dataid);
	free(o->rows);
	for (i = 0; i < o->nstrings; i++)
		free(o->strings[i]);
	free(o->strings);
	free(o);
}

/* Keep a copy of s for the life of the import; return it. */
static const char *
odf_keep(struct odf *o, const char *s)
{
	o->strings = xreallocarray(o->strings, o->nstrings + 1,
	    sizeof(*o->strings));
	return o->strings[o->nstrings++] = xstrdup(s);
}

/* Return whether s is in the n strings of list. */
static bool
odf_in(char **list, size_t n, const char *s)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

/* Return s with blanks around it removed and in upper case (a copy). */
static char *
odf_norm(const char *s)
{
	char	*t, *p;
	size_t	 len;

	if (s == NULL)
		return xstrdup("");
	while (isspace((unsigned char)*s))
		s++;
	t = xstrdup(s);
	len = strlen(t);
	while (len > 0 && isspace((unsigned char)t[len - 1]))
		t[--len] = '\0';
	for (p = t; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	return t;
}

/* A dataset: one object per valid id, the first row taken of each. */
void
odf_dataset(struct odf *o, const char *const *row)
{
	const char	*id = row[0], *v;
	json_t		*obj, *js;
	int		 j;
	bool		 ok;

	o->nrows_datasets++;
	if (id == NULL) {
		diag_add(&o->skipped, "a dataset row without a datasetid");
		return;
	}
	if (strcmp(id, CONFIG_TODAY) == 0) {
		diag_add(&o->notes, "dataset \"%s\": built into dataflow, its "
		    "row is not needed", id);
		return;
	}
	if (!ident_valid(id)) {
		diag_add(&o->skipped, "dataset \"%s\": not a valid id "
		    "([A-Za-z_][A-Za-z0-9_]*, at most 63 bytes)", id);
		return;
	}
	if (json_object_get(o->datasets, id) != NULL) {
		diag_add(&o->skipped, "dataset \"%s\": another row with this "
		    "id (the first stored was imported)", id);
		return;
	}
	obj = json_object();
	ok = true;
	for (j = 0; j < CFG_NATTRS && ok; j++) {
		if ((v = row[1 + j]) == NULL)
			continue;
		if (strlen(v) > CONFIG_MAXVALUE ||
		    (js = json_string(v)) == NULL) {
			diag_add(&o->skipped, "dataset \"%s\": its %s is "
			    "longer than %d bytes or not UTF-8", id,
			    cfg_attr_names[j], CONFIG_MAXVALUE);
			ok = false;
			break;
		}
		json_object_set_new(obj, cfg_attr_names[j], js);
	}
	if (ok)
		json_object_set_new(o->datasets, id, obj);
	else {
		json_decref(obj);
		/* Jobs using it are left out: mark it as bad. */
		json_object_set_new(o->datasets, id, json_null());
	}
}

/* Add dataset id to a job's list; return false if the job must go. */
static bool
odf_job_dataset(struct odf *o, json_t *job, const char *jobid,
    const char *type, const char *dsid)
{
	const char	*key = strcmp(type, "IN") == 0 ? "inputs" : "outputs";
	json_t		*list, *ds, *v;
	size_t		 k;

	if (dsid == NULL) {
		diag_add(&o->skipped, "job \"%s\": an %s item without a "
		    "datasetid", jobid, type);
		return true;
	}
	if (strcmp(dsid, CONFIG_TODAY) == 0 && strcmp(type, "OUT") == 0) {
		diag_add(&o->skipped, "job \"%s\": \"%s\" cannot be an "
		    "output", jobid, CONFIG_TODAY);
		return true;
	}
	if (strcmp(dsid, CONFIG_TODAY) != 0) {
		if (!ident_valid(dsid)) {
			diag_add(&o->skipped, "job \"%s\": its %s dataset "
			    "\"%s\" is not a valid id", jobid, type, dsid);
			return false;
		}
		ds = json_object_get(o->datasets, dsid);
		if (ds != NULL && json_is_null(ds)) {
			diag_add(&o->skipped, "job \"%s\": its %s dataset "
			    "\"%s\" could not be imported", jobid, type, dsid);
			return false;
		}
		if (ds == NULL) {
			/* OpenDataFlow runs such a job (the dataset only
			 * gives it no variables): keep it so. */
			diag_add(&o->notes, "dataset \"%s\": used by job "
			    "\"%s\" but not in table dataset; created without "
			    "attributes", dsid, jobid);
			json_object_set_new(o->datasets, dsid, json_object());
		}
	}
	if ((list = json_object_get(job, key)) == NULL) {
		list = json_array();
		json_object_set_new(job, key, list);
	}
	json_array_foreach(list, k, v)
		if (strcmp(json_string_value(v), dsid) == 0)
			return true;
	json_array_append_new(list, json_string(dsid));
	return true;
}

/* A variable of a job: one of its parameters. */
static void
odf_job_param(struct odf *o, json_t *job, const char *jobid,
    const char *name, const char *value)
{
	json_t	*params;

	if (!ident_valid(name) || !ident_param_allowed(name)) {
		diag_add(&o->skipped, "job \"%s\": variable \"%s\" is not a "
		    "valid or allowed parameter name", jobid, name);
		return;
	}
	if (value == NULL)
		value = "";
	if ((params = json_object_get(job, "params")) == NULL) {
		params = json_object();
		json_object_set_new(job, "params", params);
	}
	if (json_object_get(params, name) != NULL) {
		diag_add(&o->notes, "job \"%s\": variable \"%s\" set twice, "
		    "the newest value was imported", jobid, name);
		return;
	}
	if (strlen(value) > CONFIG_MAXVALUE ||
	    json_object_set_new(params, name, json_string(value)) == -1)
		diag_add(&o->skipped, "job \"%s\": variable \"%s\": value "
		    "longer than %d bytes or not UTF-8", jobid, name,
		    CONFIG_MAXVALUE);
}

void
odf_job_item(struct odf *o, const char *const *row)
{
	const char	*jobid = row[0], *type = row[1];
	json_t		*job;

	o->nrows_jobs++;
	if (jobid == NULL || type == NULL) {
		diag_add(&o->skipped, "a job row without a jobid or itemtype");
		return;
	}
	if (o->bad_job != NULL && strcmp(o->bad_job, jobid) == 0)
		return;
	if (!ident_valid(jobid)) {
		diag_add(&o->skipped, "job \"%s\": not a valid id "
		    "([A-Za-z_][A-Za-z0-9_]*, at most 63 bytes; rename the "
		    "script or use RunJob --job)", jobid);
		free(o->bad_job);
		o->bad_job = xstrdup(jobid);
		return;
	}
	if ((job = json_object_get(o->jobs, jobid)) == NULL) {
		job = json_object();
		json_object_set_new(o->jobs, jobid, job);
	}
	if (strcmp(type, "IN") != 0 && strcmp(type, "OUT") != 0) {
		odf_job_param(o, job, jobid, type, row[3]);
		return;
	}
	if (!odf_job_dataset(o, job, jobid, type, row[2])) {
		json_object_del(o->jobs, jobid);
		free(o->bad_job);
		o->bad_job = xstrdup(jobid);
	}
}

int
odf_config(struct odf *o, const char *const *allow, struct diag *d)
{
	json_t		*root, *v;
	const char	*key;
	void		*tmp;
	size_t		 i;

	/* Datasets that could not be imported were kept as null. */
	json_object_foreach_safe(o->datasets, tmp, key, v)
		if (json_is_null(v))
			json_object_del(o->datasets, key);
	root = json_pack("{s:O, s:O}", "datasets", o->datasets, "jobs",
	    o->jobs);
	config_free(o->want);
	o->want = config_from_json(root, "OpenDataFlow", d);
	json_decref(root);
	if (o->want != NULL && config_check_env(o->want, "OpenDataFlow",
	    allow, d) == -1) {
		config_free(o->want);
		o->want = NULL;
	}
	if (o->want == NULL)
		return -1;
	for (i = 0; i < o->want->njobs; i++) {
		const struct cfg_job *j = &o->want->jobs[i];

		if (j->noutputs == 0 && j->ninputs > 0)
			diag_add(&o->notes, "job \"%s\" has no outputs: "
			    "OpenDataFlow kept no record of what it finished, "
			    "so every partition its inputs have READY is "
			    "claimable (pause it first if that is wrong)",
			    j->id);
	}
	return 0;
}

static void
odf_add_work(struct odf *o, const char *jobid, const char *dataid,
    enum odf_kind kind, bool from_output)
{
	struct odf_work	*w;

	o->rows = xreallocarray(o->rows, o->nrows + 1, sizeof(*o->rows));
	w = &o->rows[o->nrows++];
	w->jobid = jobid;
	w->dataid = xstrdup(dataid);
	w->kind = kind;
	w->from_output = from_output;
}

/*
 * An OUT row: the newest row of a partition says its status, and what
 * the job that has the dataset as an output did.
 */
static void
odf_status_out(struct odf *o, const struct cfg_job *job, const char *ds,
    const char *jobid, const char *dataid, const char *st)
{
	enum odf_kind	 kind = ODF_FAILED;
	const char	*pst;
	bool		 first;

	first = o->prev_ds == NULL || strcmp(o->prev_ds, ds) != 0 ||
	    strcmp(o->prev_id, dataid) != 0;
	free(o->prev_ds);
	free(o->prev_id);
	o->prev_ds = xstrdup(ds);
	o->prev_id = xstrdup(dataid);
	if (strcmp(st, "READY") == 0) {
		pst = "READY";
		kind = ODF_SUCCEEDED;
	} else if (strcmp(st, "FAILED") == 0 || strcmp(st, "ERROR") == 0)
		pst = "FAILED";
	else if (strcmp(st, "RESUBMIT") == 0 || strcmp(st, "RERUN") == 0) {
		pst = "RESUBMIT";
		kind = ODF_RERUN;
	} else if (strcmp(st, "RUNNING") == 0) {
		/* No live run stands behind it. */
		pst = "FAILED";
		diag_add(&o->notes, "%s %s (job %s) was RUNNING: imported as "
		    "FAILED, to be run again", ds, dataid, jobid);
	} else {
		diag_add(&o->skipped, "status rows with status \"%s\" (not "
		    "READY, RUNNING, FAILED or RESUBMIT)", st);
		return;
	}
	if (first)
		odf_cols_add(&o->parts, odf_keep(o, ds), odf_keep(o, dataid),
		    pst);
	else
		o->nsuperseded++;
	/* The job's own output says what it did. */
	if (job != NULL && odf_in(job->outputs, job->noutputs, ds))
		odf_add_work(o, job->id, dataid, kind, true);
}

/* An IN row: a job consuming a partition of one of its inputs. */
static void
odf_status_in(struct odf *o, const struct cfg_job *job, const char *ds,
    const char *jobid, const char *dataid, const char *st)
{
	if (job == NULL || !odf_in(job->inputs, job->ninputs, ds)) {
		diag_add(&o->skipped, "IN status rows of job \"%s\" on "
		    "dataset \"%s\" (not an input of an imported job)", jobid,
		    ds);
		return;
	}
	if (strcmp(st, "DONE") == 0 || strcmp(st, "READY") == 0)
		odf_add_work(o, job->id, dataid, ODF_SUCCEEDED, false);
	else if (strcmp(st, "RUNNING") == 0) {
		/* With outputs, their rows tell it already. */
		if (job->noutputs == 0)
			diag_add(&o->notes, "job %s on %s %s was RUNNING: "
			    "imported as failed, to be run again", jobid, ds,
			    dataid);
		odf_add_work(o, job->id, dataid, ODF_FAILED, false);
	} else if (strcmp(st, "ERROR") == 0 || strcmp(st, "FAILED") == 0)
		odf_add_work(o, job->id, dataid, ODF_FAILED, false);
	else
		diag_add(&o->skipped, "IN status rows with status \"%s\" (not "
		    "RUNNING, DONE or ERROR)", st);
}

void
odf_status(struct odf *o, const char *const *row)
{
	const char	*ds = row[0], *jobid = row[1], *dataid = row[2];
	char		*lt, *st;

	o->nrows_status++;
	lt = odf_norm(row[3]);
	st = odf_norm(row[4]);
	if (ds == NULL || jobid == NULL || dataid == NULL)
		diag_add(&o->skipped, "status rows without a datasetid, jobid "
		    "or dataid");
	else if (strcmp(lt, "IN") != 0 && strcmp(lt, "OUT") != 0)
		diag_add(&o->skipped, "status rows of dataset \"%s\" with "
		    "locktype \"%s\" (not IN or OUT)", ds, lt);
	else if (!dataid_valid(dataid))
		diag_add(&o->skipped, "status rows of dataset \"%s\" with an "
		    "invalid dataid", ds);
	else if (strcmp(ds, CONFIG_TODAY) != 0 &&
	    config_dataset(o->want, ds) == NULL)
		diag_add(&o->skipped, "status rows of dataset \"%s\" (the "
		    "dataset was not imported)", ds);
	else if (strcmp(lt, "OUT") == 0 && strcmp(ds, CONFIG_TODAY) == 0)
		diag_add(&o->notes, "status rows of \"%s\": dataflow makes "
		    "those itself", CONFIG_TODAY);
	else if (strcmp(lt, "OUT") == 0)
		odf_status_out(o, config_job(o->want, jobid), ds, jobid,
		    dataid, st);
	else
		odf_status_in(o, config_job(o->want, jobid), ds, jobid,
		    dataid, st);
	free(lt);
	free(st);
}

static int
odf_work_cmp(const void *a, const void *b)
{
	const struct odf_work	*x = a, *y = b;
	int			 c;

	if ((c = strcmp(x->jobid, y->jobid)) != 0)
		return c;
	if ((c = strcmp(x->dataid, y->dataid)) != 0)
		return c;
	/* The row that decides first: an output's, then the worst. */
	if (x->from_output != y->from_output)
		return x->from_output ? -1 : 1;
	return (int)y->kind - (int)x->kind;
}

void
odf_finish(struct odf *o)
{
	const struct odf_work	*w;
	size_t			 i, k;

	memset(o->nparts, 0, sizeof(o->nparts));
	for (i = 0; i < o->parts.n; i++)
		for (k = 0; k < 3; k++)
			if (strcmp(o->parts.v[2][i],
			    odf_part_status_names[k]) == 0)
				o->nparts[k]++;
	/* One outcome per job and partition: the first after sorting. */
	if (o->nrows > 1)
		qsort(o->rows, o->nrows, sizeof(*o->rows), odf_work_cmp);
	odf_cols_free(&o->work);
	memset(o->nwork, 0, sizeof(o->nwork));
	for (i = 0; i < o->nrows; i++) {
		w = &o->rows[i];
		if (i > 0 && strcmp(w->jobid, w[-1].jobid) == 0 &&
		    strcmp(w->dataid, w[-1].dataid) == 0)
			continue;
		odf_cols_add(&o->work, w->jobid, w->dataid,
		    odf_kind_names[w->kind]);
		o->nwork[w->kind]++;
	}
}

/* Write the rows of c with sql; set *kept to how many it left alone. */
static int
odf_put(struct db *db, const char *sql, const struct odf_cols *c,
    size_t *kept, struct db_error *e)
{
	struct db_result	*r;
	const char		*p[3];
	char			*a[3];
	size_t			 k;
	long long		 n;

	*kept = 0;
	if (c->n == 0)
		return 0;
	for (k = 0; k < 3; k++)
		p[k] = a[k] = db_text_array(c->v[k], c->n);
	r = db_query(db, sql, 3, p, e);
	for (k = 0; k < 3; k++)
		free(a[k]);
	if (r == NULL)
		return -1;
	n = db_int(r, 0, 0, 0);
	db_result_free(r);
	*kept = c->n - (size_t)n;
	return 0;
}

/* An audit record: what was imported, never where from (a password). */
static char *
odf_audit_detail(const struct odf *o)
{
	json_t	*obj;
	char	*s;

	obj = json_pack("{s:I, s:I, s:I, s:I, s:I}",
	    "datasets", (json_int_t)o->want->ndatasets,
	    "jobs", (json_int_t)o->want->njobs,
	    "partitions", (json_int_t)(o->parts.n - o->nparts_kept),
	    "job_partitions", (json_int_t)(o->work.n - o->nwork_kept),
	    "not_imported", (json_int_t)o->skipped.n);
	s = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	return s;
}

struct odf_hook {
	struct odf	*o;
	const char	*actor;
};

/* The partitions, then the work (the partitions' trigger made the
 * consumers' work), then the audit record. */
static int
odf_write(struct db *db, const struct plan *plan, void *arg,
    struct db_error *e)
{
	struct odf_hook	*h = arg;
	struct odf	*o = h->o;
	char		*detail;
	int		 rc;

	(void)plan;
	if (odf_put(db, put_partitions_sql, &o->parts, &o->nparts_kept,
	    e) == -1 ||
	    odf_put(db, put_work_sql, &o->work, &o->nwork_kept, e) == -1)
		return -1;
	detail = odf_audit_detail(o);
	rc = catalog_audit(db, h->actor, "import-opendataflow", detail, e);
	free(detail);
	return rc;
}

int
odf_apply(struct odf *o, struct db *db, const char *actor, bool dry_run,
    struct plan **planp, struct db_error *e)
{
	struct odf_hook		 h = { o, actor };
	struct catalog_update	 u;

	memset(&u, 0, sizeof(u));
	u.want = o->want;
	/* A dry run writes too, to count what was running. */
	u.mode = dry_run ? CATALOG_TRY : CATALOG_COMMIT;
	u.actor = actor;
	u.applied = odf_write;
	u.arg = &h;
	return catalog_update(db, &u, planp, e);
}

static int
odf_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

json_t *
odf_fold(struct diag *d)
{
	json_t	*a = json_array();
	size_t	 i, j;
	char	*s;

	if (d->n > 1)
		qsort(d->msgs, d->n, sizeof(*d->msgs), odf_strcmp);
	for (i = 0; i < d->n; i = j) {
		for (j = i + 1; j < d->n && strcmp(d->msgs[i], d->msgs[j]) ==
		    0; j++)
			;
		if (j - i > 1) {
			s = xasprintf("%s (%zu times)", d->msgs[i], j - i);
			json_array_append_new(a, json_string(s));
			free(s);
		} else
			json_array_append_new(a, json_string(d->msgs[i]));
	}
	return a;
}
