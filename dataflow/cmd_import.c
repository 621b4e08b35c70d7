/* cmd_import.c: "dataflow import-opendataflow": read an OpenDataFlow
 * database (its job, dataset and datastatus tables) into dataflow's schema,
 * configuration and partition statuses in one transaction. */
#include <sys/stat.h>

#include <ctype.h>
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "catalog.h"
#include "config.h"
#include "dataflow.h"
#include "db.h"
#include "exitcodes.h"
#include "ids.h"
#include "plan.h"
#include "properties.h"
#include "secrets.h"
#include "settings.h"
#include "xmalloc.h"

#define IMPORT_SHOWN	20	/* report lines per list, unless -v */

/* OpenDataFlow's tables as its published DDL makes them (all varchar). */
static const char odf_tables_sql[] =
    "SELECT to_regclass('dataset') IS NOT NULL, "
    "to_regclass('job') IS NOT NULL, "
    "to_regclass('datastatus') IS NOT NULL";

static const char odf_datasets_sql[] =
    "SELECT datasetid::text, hostname::text, database::text, "
    "schemaname::text, tablename::text, username::text, "
    "encryptedpass::text FROM dataset "
    "ORDER BY datasetid COLLATE \"C\", ctid";

/* Newest first, so that of two values of one parameter the newest wins. */
static const char odf_jobs_sql[] =
    "SELECT jobid::text, itemtype::text, datasetid::text, "
    "itemvalue::text FROM job "
    "ORDER BY jobid COLLATE \"C\", modified DESC NULLS LAST, "
    "itemtype COLLATE \"C\", datasetid COLLATE \"C\"";

/* Of the rows of one partition, the newest first: it says its status. */
static const char odf_status_sql[] =
    "SELECT datasetid::text, jobid::text, dataid::text, locktype::text, "
    "status::text FROM datastatus "
    "ORDER BY datasetid COLLATE \"C\", dataid COLLATE \"C\", "
    "modified DESC NULLS LAST, jobid COLLATE \"C\"";

/* A partition being run by dataflow now keeps its status. */
static const char put_partitions_sql[] =
    "INSERT INTO partition_status AS s (datasetid, dataid, status) "
    "SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) "
    "ON CONFLICT (datasetid, dataid) DO UPDATE "
    "SET status = excluded.status, run_id = NULL, modified = now() "
    "WHERE s.status <> 'RUNNING'";

/*
 * What a job did on a partition: succeeded; failed (one failed attempt,
 * retried while attempts remain); rerun (resubmitted: no attempt counted).
 * Runs after the partitions, whose trigger made the consumers' work.
 */
static const char put_work_sql[] =
    "INSERT INTO work AS w (jobid, dataid, state, attempts, failures) "
    "SELECT t.jobid, t.dataid, CASE "
    "    WHEN t.kind = 'succeeded' THEN 'succeeded' "
    "    WHEN t.kind = 'failed' AND j.max_attempts <= 1 THEN 'failed' "
    "    ELSE df_pending_state(t.jobid, t.dataid) END, "
    "  CASE WHEN t.kind = 'rerun' THEN 0 ELSE 1 END, "
    "  CASE WHEN t.kind = 'failed' THEN 1 ELSE 0 END "
    "FROM unnest($1::text[], $2::text[], $3::text[]) AS t(jobid, dataid, "
    "  kind) "
    "JOIN job j ON j.jobid = t.jobid "
    "ON CONFLICT (jobid, dataid) DO UPDATE "
    "SET state = excluded.state, attempts = excluded.attempts, "
    "failures = excluded.failures, run_id = NULL, modified = now() "
    "WHERE w.state <> 'running'";

static const char audit_sql[] =
    "INSERT INTO audit (who, action, detail) "
    "VALUES ($1, 'import-opendataflow', $2::jsonb)";

/* What a status row says a job did on a partition, weakest first. */
enum import_kind {
	KIND_SUCCEEDED,
	KIND_RERUN,
	KIND_FAILED
};

static const char *const import_kind_names[] = {
	"succeeded", "rerun", "failed"
};

/* One job's outcome on one partition, from one status row. */
struct import_work {
	const char		*jobid;		/* owned by the config */
	char			*dataid;
	enum import_kind	 kind;
	bool			 from_output;	/* an OUT row: it wins */
};

/* A list of text arrays, for unnest($1::text[], ...). */
struct import_cols {
	const char	**v[3];
	size_t		  n;
};

struct import {
	const struct global_opts *g;
	struct diag		 skipped;	/* could not import */
	struct diag		 notes;		/* imported, with a change */
	size_t			 nrows_datasets, nrows_jobs, nrows_status;
	size_t			 nparts[3];	/* READY, FAILED, RESUBMIT */
	size_t			 nwork[3];	/* by enum import_kind */
	size_t			 nsuperseded;	/* older rows of a partition */
	size_t			 nparts_kept;	/* running in dataflow now */
	size_t			 nwork_kept;
	struct config		*want;
	struct import_cols	 parts;		/* datasetid, dataid, status */
	struct import_work	*work;
	size_t			 nwork_rows;
	char			**strings;	/* what parts point into */
	size_t			 nstrings;
};

static const char *const part_status_names[] = {
	"READY", "FAILED", "RESUBMIT"
};

/* Keep a copy of s for the life of the import; return it. */
static const char *
import_keep(struct import *imp, const char *s)
{
	imp->strings = xreallocarray(imp->strings, imp->nstrings + 1,
	    sizeof(*imp->strings));
	return imp->strings[imp->nstrings++] = xstrdup(s);
}

static void
import_cols_add(struct import_cols *c, const char *a, const char *b,
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
import_cols_free(struct import_cols *c)
{
	size_t	 i;

	for (i = 0; i < 3; i++)
		free(c->v[i]);
	memset(c, 0, sizeof(*c));
}

static void
import_free(struct import *imp)
{
	size_t	 i;

	diag_clear(&imp->skipped);
	diag_clear(&imp->notes);
	config_free(imp->want);
	import_cols_free(&imp->parts);
	for (i = 0; i < imp->nwork_rows; i++)
		free(imp->work[i].dataid);
	free(imp->work);
	for (i = 0; i < imp->nstrings; i++)
		free(imp->strings[i]);
	free(imp->strings);
}

/* Return whether s is in the n strings of list. */
static bool
import_in(char **list, size_t n, const char *s)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

/* Return s with blanks around it removed and in upper case (a copy). */
static char *
import_norm(const char *s)
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

/*
 * Connect to the OpenDataFlow database: SOURCE is its dataflow.properties
 * (an existing file, its encrypted password opened with the passkey) or a
 * JDBC URL, libpq URI or conninfo.
 */
static struct db *
import_connect_source(const struct global_opts *g, const char *source,
    const char *schema, int *status)
{
	struct properties	*props = NULL, one;
	struct property		 item;
	char			 url[] = "url", origin[] = "SOURCE";
	struct settings		*s = NULL;
	struct secrets		 sec;
	struct db_error		 e = { 0 };
	struct db		*db = NULL;
	struct stat		 st;
	char			*errmsg = NULL, *password = NULL;

	*status = EXIT_CONFIG;
	memset(&sec, 0, sizeof(sec));
	if (stat(source, &st) == 0 && S_ISREG(st.st_mode)) {
		if ((props = properties_load(source, &errmsg)) == NULL)
			goto fail;
		s = settings_from_properties(props, &errmsg);
		properties_free(props);
	} else {
		/* Never quote SOURCE: it may hold a password. */
		memset(&one, 0, sizeof(one));
		item.key = url;
		item.value = xstrdup(source);
		item.line = 1;
		one.path = origin;
		one.items = &item;
		one.n = 1;
		s = settings_from_properties(&one, &errmsg);
		xfreezero_str(item.value);
	}
	if (s == NULL)
		goto fail;
	if (schema != NULL) {
		free(s->schema);
		s->schema = xstrdup(schema);
	}
	if (s->encrypted != NULL) {
		if (secrets_open(&sec, g->passkey_file, true, &errmsg) == -1 ||
		    secrets_db_password(&sec, s, &password, &errmsg) == -1)
			goto fail;
	} else if (s->password != NULL)
		password = xstrdup(s->password);
	db = db_connect(s, password, "dataflow import-opendataflow",
	    DB_SEARCH_PATH, &e);
	if (db == NULL) {
		warnx("could not connect to the OpenDataFlow database: %s",
		    e.message);
		*status = db_error_exit(&e);
		db_error_clear(&e);
		goto out;
	}
	*status = EXIT_OK;
	goto out;
fail:
	warnx("%s", errmsg);
	free(errmsg);
out:
	secrets_close(&sec);
	xfreezero_str(password);
	settings_free(s);
	return db;
}

/* The datasets: one object per valid id, the first row stored of each. */
static void
import_datasets(struct import *imp, struct db_result *r, json_t *datasets)
{
	const char	*id, *v;
	json_t		*o, *js;
	int		 i, j;
	bool		 ok;

	for (i = 0; i < db_rows(r); i++) {
		imp->nrows_datasets++;
		if ((id = db_value(r, i, 0)) == NULL) {
			diag_add(&imp->skipped, "a dataset row without a "
			    "datasetid");
			continue;
		}
		if (strcmp(id, CONFIG_TODAY) == 0) {
			diag_add(&imp->notes, "dataset \"%s\": built into "
			    "dataflow, its row is not needed", id);
			continue;
		}
		if (!ident_valid(id)) {
			diag_add(&imp->skipped, "dataset \"%s\": not a valid "
			    "id ([A-Za-z_][A-Za-z0-9_]*, at most 63 bytes)",
			    id);
			continue;
		}
		if (json_object_get(datasets, id) != NULL) {
			diag_add(&imp->skipped, "dataset \"%s\": another row "
			    "with this id (the first stored was imported)", id);
			continue;
		}
		o = json_object();
		ok = true;
		for (j = 0; j < CFG_NATTRS && ok; j++) {
			if ((v = db_value(r, i, 1 + j)) == NULL)
				continue;
			if (strlen(v) > CONFIG_MAXVALUE ||
			    (js = json_string(v)) == NULL) {
				diag_add(&imp->skipped, "dataset \"%s\": its "
				    "%s is longer than %d bytes or not UTF-8",
				    id, cfg_attr_names[j], CONFIG_MAXVALUE);
				ok = false;
				break;
			}
			json_object_set_new(o, cfg_attr_names[j], js);
		}
		if (ok)
			json_object_set_new(datasets, id, o);
		else {
			json_decref(o);
			/* Jobs using it are left out: mark it as bad. */
			json_object_set_new(datasets, id, json_null());
		}
	}
}

/* Add dataset id to a job's list; return false if the job must go. */
static bool
import_job_item(struct import *imp, json_t *datasets, json_t *job,
    const char *jobid, const char *type, const char *dsid)
{
	const char	*key = strcmp(type, "IN") == 0 ? "inputs" : "outputs";
	json_t		*list, *ds, *v;
	size_t		 k;

	if (dsid == NULL) {
		diag_add(&imp->skipped, "job \"%s\": an %s item without a "
		    "datasetid", jobid, type);
		return true;
	}
	if (strcmp(dsid, CONFIG_TODAY) == 0 && strcmp(type, "OUT") == 0) {
		diag_add(&imp->skipped, "job \"%s\": \"%s\" cannot be an "
		    "output", jobid, CONFIG_TODAY);
		return true;
	}
	if (strcmp(dsid, CONFIG_TODAY) != 0) {
		if (!ident_valid(dsid)) {
			diag_add(&imp->skipped, "job \"%s\": its %s dataset "
			    "\"%s\" is not a valid id", jobid, type, dsid);
			return false;
		}
		ds = json_object_get(datasets, dsid);
		if (ds != NULL && json_is_null(ds)) {
			diag_add(&imp->skipped, "job \"%s\": its %s dataset "
			    "\"%s\" could not be imported", jobid, type, dsid);
			return false;
		}
		if (ds == NULL) {
			/* OpenDataFlow runs such a job (the dataset only
			 * gives it no variables): keep it so. */
			diag_add(&imp->notes, "dataset \"%s\": used by job "
			    "\"%s\" but not in table dataset; created without "
			    "attributes", dsid, jobid);
			json_object_set_new(datasets, dsid, json_object());
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

/*
 * The jobs: items IN and OUT are inputs and outputs, any other itemtype
 * is a variable OpenDataFlow exports (a parameter, itemvalue its value).
 */
static void
import_jobs(struct import *imp, struct db_result *r, json_t *datasets,
    json_t *jobs)
{
	const char	*jobid, *type, *dsid, *value;
	json_t		*job = NULL, *params;
	char		*bad = NULL;
	int		 i;

	for (i = 0; i < db_rows(r); i++) {
		imp->nrows_jobs++;
		jobid = db_value(r, i, 0);
		type = db_value(r, i, 1);
		dsid = db_value(r, i, 2);
		value = db_value(r, i, 3);
		if (jobid == NULL || type == NULL) {
			diag_add(&imp->skipped, "a job row without a jobid "
			    "or itemtype");
			continue;
		}
		if (bad != NULL && strcmp(bad, jobid) == 0)
			continue;
		if (!ident_valid(jobid)) {
			diag_add(&imp->skipped, "job \"%s\": not a valid id "
			    "([A-Za-z_][A-Za-z0-9_]*, at most 63 bytes; "
			    "rename the script or use RunJob --job)", jobid);
			free(bad);
			bad = xstrdup(jobid);
			continue;
		}
		if ((job = json_object_get(jobs, jobid)) == NULL) {
			job = json_object();
			json_object_set_new(jobs, jobid, job);
		}
		if (strcmp(type, "IN") == 0 || strcmp(type, "OUT") == 0) {
			if (!import_job_item(imp, datasets, job, jobid, type,
			    dsid)) {
				json_object_del(jobs, jobid);
				free(bad);
				bad = xstrdup(jobid);
			}
			continue;
		}
		if (!ident_valid(type) || !ident_param_allowed(type)) {
			diag_add(&imp->skipped, "job \"%s\": variable \"%s\" "
			    "is not a valid or allowed parameter name", jobid,
			    type);
			continue;
		}
		if (value == NULL)
			value = "";
		if ((params = json_object_get(job, "params")) == NULL) {
			params = json_object();
			json_object_set_new(job, "params", params);
		}
		if (json_object_get(params, type) != NULL) {
			diag_add(&imp->notes, "job \"%s\": variable \"%s\" set "
			    "twice, the newest value was imported", jobid,
			    type);
			continue;
		}
		if (strlen(value) > CONFIG_MAXVALUE ||
		    json_object_set_new(params, type, json_string(value)) ==
		    -1)
			diag_add(&imp->skipped, "job \"%s\": variable \"%s\": "
			    "value longer than %d bytes or not UTF-8", jobid,
			    type, CONFIG_MAXVALUE);
	}
	free(bad);
}

/* Build and check the configuration the OpenDataFlow tables describe. */
static int
import_config(struct import *imp, struct db_result *dsr,
    struct db_result *jr)
{
	struct diag	 d = { NULL, 0 };
	json_t		*root, *datasets, *jobs, *v;
	const char	*key;
	char		**allow;
	void		*tmp;
	size_t		 i;

	datasets = json_object();
	jobs = json_object();
	import_datasets(imp, dsr, datasets);
	import_jobs(imp, jr, datasets, jobs);
	/* Datasets that could not be imported were kept as null. */
	json_object_foreach_safe(datasets, tmp, key, v)
		if (json_is_null(v))
			json_object_del(datasets, key);
	root = json_pack("{s:o, s:o}", "datasets", datasets, "jobs", jobs);
	imp->want = config_from_json(root, "OpenDataFlow", &d);
	json_decref(root);
	allow = cmd_env_allow(imp->g);
	if (imp->want != NULL && config_check_env(imp->want, "OpenDataFlow",
	    (const char *const *)allow, &d) == -1) {
		config_free(imp->want);
		imp->want = NULL;
	}
	xfree_strv(allow);
	if (imp->want == NULL) {
		warnx("the OpenDataFlow configuration cannot be imported as "
		    "it is:");
		for (i = 0; i < d.n; i++)
			warnx("  %s", d.msgs[i]);
		diag_clear(&d);
		return -1;
	}
	diag_clear(&d);
	for (i = 0; i < imp->want->njobs; i++) {
		const struct cfg_job *j = &imp->want->jobs[i];

		if (j->noutputs == 0 && j->ninputs > 0)
			diag_add(&imp->notes, "job \"%s\" has no outputs: "
			    "OpenDataFlow kept no record of what it finished, "
			    "so every partition its inputs have READY is "
			    "claimable (pause it first if that is wrong)",
			    j->id);
	}
	return 0;
}

static void
import_add_work(struct import *imp, const char *jobid, const char *dataid,
    enum import_kind kind, bool from_output)
{
	struct import_work	*w;

	imp->work = xreallocarray(imp->work, imp->nwork_rows + 1,
	    sizeof(*imp->work));
	w = &imp->work[imp->nwork_rows++];
	w->jobid = jobid;
	w->dataid = xstrdup(dataid);
	w->kind = kind;
	w->from_output = from_output;
}

static int
import_work_cmp(const void *a, const void *b)
{
	const struct import_work *x = a, *y = b;
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

/*
 * Turn the datastatus rows into partition statuses (locktype OUT: the
 * newest row of a partition) and what each job did on each partition
 * (its OUT rows, else its IN rows), following OpenDataFlow's rules.
 */
static void
import_statuses(struct import *imp, struct db_result *r)
{
	const char		*ds, *jobid, *dataid, *prev_ds = NULL;
	const char		*prev_id = NULL, *pst;
	const struct cfg_job	*job;
	enum import_kind	 kind;
	char			*lt = NULL, *st = NULL;
	bool			 out, first;
	int			 i;

	for (i = 0; i < db_rows(r); i++) {
		free(lt);
		free(st);
		imp->nrows_status++;
		ds = db_value(r, i, 0);
		jobid = db_value(r, i, 1);
		dataid = db_value(r, i, 2);
		lt = import_norm(db_value(r, i, 3));
		st = import_norm(db_value(r, i, 4));
		if (ds == NULL || jobid == NULL || dataid == NULL) {
			diag_add(&imp->skipped, "status rows without a "
			    "datasetid, jobid or dataid");
			continue;
		}
		if (strcmp(lt, "IN") != 0 && strcmp(lt, "OUT") != 0) {
			diag_add(&imp->skipped, "status rows of dataset \"%s\" "
			    "with locktype \"%s\" (not IN or OUT)", ds, lt);
			continue;
		}
		out = strcmp(lt, "OUT") == 0;
		if (!dataid_valid(dataid)) {
			diag_add(&imp->skipped, "status rows of dataset \"%s\" "
			    "with an invalid dataid", ds);
			continue;
		}
		if (strcmp(ds, CONFIG_TODAY) != 0 &&
		    config_dataset(imp->want, ds) == NULL) {
			diag_add(&imp->skipped, "status rows of dataset \"%s\" "
			    "(the dataset was not imported)", ds);
			continue;
		}
		job = config_job(imp->want, jobid);

		if (out && strcmp(ds, CONFIG_TODAY) == 0) {
			diag_add(&imp->notes, "status rows of \"%s\": dataflow "
			    "makes those itself", CONFIG_TODAY);
			continue;
		}
		if (out) {
			/* The newest row of a partition decides. */
			first = prev_ds == NULL || strcmp(prev_ds, ds) != 0 ||
			    strcmp(prev_id, dataid) != 0;
			prev_ds = ds;
			prev_id = dataid;
			kind = KIND_FAILED;
			if (strcmp(st, "READY") == 0) {
				pst = "READY";
				kind = KIND_SUCCEEDED;
			} else if (strcmp(st, "FAILED") == 0 ||
			    strcmp(st, "ERROR") == 0)
				pst = "FAILED";
			else if (strcmp(st, "RESUBMIT") == 0 ||
			    strcmp(st, "RERUN") == 0) {
				pst = "RESUBMIT";
				kind = KIND_RERUN;
			} else if (strcmp(st, "RUNNING") == 0) {
				/* No live run stands behind it. */
				pst = "FAILED";
				diag_add(&imp->notes, "%s %s (job %s) was "
				    "RUNNING: imported as FAILED, to be run "
				    "again", ds, dataid, jobid);
			} else {
				diag_add(&imp->skipped, "status rows with "
				    "status \"%s\" (not READY, RUNNING, FAILED "
				    "or RESUBMIT)", st);
				continue;
			}
			if (first)
				import_cols_add(&imp->parts,
				    import_keep(imp, ds),
				    import_keep(imp, dataid), pst);
			else
				imp->nsuperseded++;
			/* The job's own output says what it did. */
			if (job != NULL && import_in(job->outputs,
			    job->noutputs, ds))
				import_add_work(imp, job->id, dataid, kind,
				    true);
			continue;
		}
		/* IN: a job consuming a partition of one of its inputs. */
		if (job == NULL || !import_in(job->inputs, job->ninputs, ds)) {
			diag_add(&imp->skipped, "IN status rows of job \"%s\" "
			    "on dataset \"%s\" (not an input of an imported "
			    "job)", jobid, ds);
			continue;
		}
		if (strcmp(st, "DONE") == 0 || strcmp(st, "READY") == 0)
			import_add_work(imp, job->id, dataid, KIND_SUCCEEDED,
			    false);
		else if (strcmp(st, "RUNNING") == 0) {
			/* With outputs, their rows tell it already. */
			if (job->noutputs == 0)
				diag_add(&imp->notes, "job %s on %s %s was "
				    "RUNNING: imported as failed, to be run "
				    "again", jobid, ds, dataid);
			import_add_work(imp, job->id, dataid, KIND_FAILED,
			    false);
		} else if (strcmp(st, "ERROR") == 0 ||
		    strcmp(st, "FAILED") == 0)
			import_add_work(imp, job->id, dataid, KIND_FAILED,
			    false);
		else
			diag_add(&imp->skipped, "IN status rows with status "
			    "\"%s\" (not RUNNING, DONE or ERROR)", st);
	}
	free(lt);
	free(st);

	/* One outcome per job and partition: the first after sorting. */
	qsort(imp->work, imp->nwork_rows, sizeof(*imp->work),
	    import_work_cmp);
}

/* Put the partitions and work into the database; count what was kept. */
static int
import_write_status(struct import *imp, struct db *db, struct db_error *e)
{
	struct import_cols	 w;
	const char		*p[3];
	char			*a[3] = { NULL, NULL, NULL };
	size_t			 i, k;
	long			 n;
	int			 rc = -1;

	memset(&w, 0, sizeof(w));
	for (i = 0; i < imp->parts.n; i++)
		for (k = 0; k < 3; k++)
			if (strcmp(imp->parts.v[2][i],
			    part_status_names[k]) == 0)
				imp->nparts[k]++;
	for (i = 0; i < imp->nwork_rows; i++) {
		if (i > 0 && strcmp(imp->work[i].jobid,
		    imp->work[i - 1].jobid) == 0 &&
		    strcmp(imp->work[i].dataid, imp->work[i - 1].dataid) == 0)
			continue;
		import_cols_add(&w, imp->work[i].jobid, imp->work[i].dataid,
		    import_kind_names[imp->work[i].kind]);
		imp->nwork[imp->work[i].kind]++;
	}
	if (imp->parts.n > 0) {
		for (k = 0; k < 3; k++)
			p[k] = a[k] = db_text_array(imp->parts.v[k],
			    imp->parts.n);
		if ((n = db_exec(db, put_partitions_sql, 3, p, e)) < 0)
			goto out;
		imp->nparts_kept = imp->parts.n - (size_t)n;
		for (k = 0; k < 3; k++) {
			free(a[k]);
			a[k] = NULL;
		}
	}
	if (w.n > 0) {
		for (k = 0; k < 3; k++)
			p[k] = a[k] = db_text_array(w.v[k], w.n);
		if ((n = db_exec(db, put_work_sql, 3, p, e)) < 0)
			goto out;
		imp->nwork_kept = w.n - (size_t)n;
	}
	rc = 0;
out:
	for (k = 0; k < 3; k++)
		free(a[k]);
	import_cols_free(&w);
	return rc;
}

static size_t
import_plan_count(const struct plan *plan, enum plan_kind kind,
    enum plan_action action)
{
	size_t	 i, n = 0;

	for (i = 0; i < plan->n; i++)
		if (plan->changes[i].kind == kind &&
		    (plan->changes[i].action == action ||
		    (action == PLAN_UPDATE &&
		    (plan->changes[i].action == PLAN_PAUSE ||
		    plan->changes[i].action == PLAN_RESUME))))
			n++;
	return n;
}

static int
import_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort d and fold repeated messages into "message (N times)". */
static json_t *
import_fold(struct diag *d)
{
	json_t	*a = json_array();
	size_t	 i, j;
	char	*s;

	qsort(d->msgs, d->n, sizeof(*d->msgs), import_strcmp);
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

static void
import_print_list(const struct import *imp, const char *title, json_t *a)
{
	size_t	 i, n = json_array_size(a);

	if (n == 0)
		return;
	printf("%s (%zu):\n", title, n);
	for (i = 0; i < n; i++) {
		if (i == IMPORT_SHOWN && imp->g->verbosity < 2) {
			printf("  ... and %zu more (-v shows all)\n", n - i);
			break;
		}
		printf("  %s\n", json_string_value(json_array_get(a, i)));
	}
}

static void
import_report(struct import *imp, const struct plan *plan, bool dry_run)
{
	json_t	*skipped, *notes, *o;
	size_t	 nw;

	skipped = import_fold(&imp->skipped);
	notes = import_fold(&imp->notes);
	nw = imp->nwork[0] + imp->nwork[1] + imp->nwork[2];
	if (imp->g->json) {
		o = json_pack("{s:b, s:{s:I, s:I, s:I}, "
		    "s:{s:I, s:I, s:I}, s:{s:I, s:I, s:I}, "
		    "s:{s:I, s:I, s:I, s:I, s:I}, s:{s:I, s:I, s:I, s:I, s:I}, "
		    "s:o, s:o}",
		    "dry_run", dry_run,
		    "read", "datasets", (json_int_t)imp->nrows_datasets,
		    "job_items", (json_int_t)imp->nrows_jobs,
		    "status_rows", (json_int_t)imp->nrows_status,
		    "datasets", "imported", (json_int_t)imp->want->ndatasets,
		    "added", (json_int_t)import_plan_count(plan, PLAN_DATASET,
		    PLAN_ADD),
		    "updated", (json_int_t)import_plan_count(plan,
		    PLAN_DATASET, PLAN_UPDATE),
		    "jobs", "imported", (json_int_t)imp->want->njobs,
		    "added", (json_int_t)import_plan_count(plan, PLAN_JOB,
		    PLAN_ADD),
		    "updated", (json_int_t)import_plan_count(plan, PLAN_JOB,
		    PLAN_UPDATE),
		    "partitions", "imported", (json_int_t)(imp->parts.n -
		    imp->nparts_kept),
		    "ready", (json_int_t)imp->nparts[0],
		    "failed", (json_int_t)imp->nparts[1],
		    "resubmit", (json_int_t)imp->nparts[2],
		    "running_kept", (json_int_t)imp->nparts_kept,
		    "job_partitions", "imported", (json_int_t)(nw -
		    imp->nwork_kept),
		    "succeeded", (json_int_t)imp->nwork[KIND_SUCCEEDED],
		    "failed", (json_int_t)imp->nwork[KIND_FAILED],
		    "rerun", (json_int_t)imp->nwork[KIND_RERUN],
		    "running_kept", (json_int_t)imp->nwork_kept,
		    "could_not_import", skipped, "notes", notes);
		json_dumpf(o, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(o);
		return;
	}
	if (imp->g->verbosity == 0) {
		json_decref(skipped);
		json_decref(notes);
		return;
	}
	printf("%s from OpenDataFlow (%zu dataset rows, %zu job rows, %zu "
	    "status rows read):\n", dry_run ? "dry run: would import" :
	    "imported", imp->nrows_datasets, imp->nrows_jobs,
	    imp->nrows_status);
	printf("  %zu datasets (%zu added, %zu updated)\n",
	    imp->want->ndatasets,
	    import_plan_count(plan, PLAN_DATASET, PLAN_ADD),
	    import_plan_count(plan, PLAN_DATASET, PLAN_UPDATE));
	printf("  %zu jobs (%zu added, %zu updated)\n", imp->want->njobs,
	    import_plan_count(plan, PLAN_JOB, PLAN_ADD),
	    import_plan_count(plan, PLAN_JOB, PLAN_UPDATE));
	printf("  %zu partition statuses (%zu READY, %zu FAILED, %zu "
	    "RESUBMIT)", imp->parts.n, imp->nparts[0],
	    imp->nparts[1], imp->nparts[2]);
	if (imp->nsuperseded > 0)
		printf(", %zu older rows of the same partitions",
		    imp->nsuperseded);
	printf("\n  %zu job partitions (%zu done, %zu failed once, %zu to "
	    "run again)\n", nw,
	    imp->nwork[KIND_SUCCEEDED], imp->nwork[KIND_FAILED],
	    imp->nwork[KIND_RERUN]);
	if (imp->nparts_kept + imp->nwork_kept > 0)
		printf("  of which left as they are, running in dataflow now: "
		    "%zu partition statuses, %zu job partitions\n",
		    imp->nparts_kept, imp->nwork_kept);
	import_print_list(imp, "could not import", skipped);
	import_print_list(imp, "notes", notes);
	json_decref(skipped);
	json_decref(notes);
}

/* An audit record: what was imported, never where from (a password). */
static char *
import_audit_detail(const struct import *imp)
{
	json_t	*o;
	char	*s;

	o = json_pack("{s:I, s:I, s:I, s:I, s:I}",
	    "datasets", (json_int_t)imp->want->ndatasets,
	    "jobs", (json_int_t)imp->want->njobs,
	    "partitions", (json_int_t)(imp->parts.n - imp->nparts_kept),
	    "job_partitions", (json_int_t)(imp->nwork[0] + imp->nwork[1] +
	    imp->nwork[2] - imp->nwork_kept),
	    "not_imported", (json_int_t)imp->skipped.n);
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

static int
cmd_import_exec(struct global_opts *g, int argc, char **argv)
{
	enum { OPT_DRY_RUN = 256, OPT_SCHEMA };
	static const struct option longopts[] = {
		{ "dry-run",	no_argument,		NULL, OPT_DRY_RUN },
		{ "schema",	required_argument,	NULL, OPT_SCHEMA },
		{ NULL,		0,			NULL, 0 }
	};
	struct import		 imp;
	struct db		*src = NULL, *db = NULL;
	struct db_result	*dsr = NULL, *jr = NULL, *sr = NULL, *r;
	struct db_error		 e = { 0 }, ignore = { 0 };
	struct settings		*s = NULL;
	struct config		*cur = NULL;
	struct plan		*plan = NULL;
	char			**secrets = NULL;
	const char		*schema = NULL, *p[2];
	static const char *const tables[] = {
		"dataset", "job", "datastatus"
	};
	char			*actor = NULL, *detail = NULL;
	bool			 dry_run = false, in_tx = false;
	int			 ch, i, status;

	memset(&imp, 0, sizeof(imp));
	imp.g = g;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_DRY_RUN:
			dry_run = true;
			break;
		case OPT_SCHEMA:
			if (!ident_valid(optarg)) {
				warnx("--schema \"%s\" is not a valid schema "
				    "name", optarg);
				return EXIT_USAGE;
			}
			schema = optarg;
			break;
		default:
			return cmd_usage(&cmd_import_entry);
		}
	}
	if (argc - optind != 1)
		return cmd_usage(&cmd_import_entry);

	/* Everything is read and checked before dataflow's database. */
	if ((src = import_connect_source(g, argv[optind], schema,
	    &status)) == NULL)
		goto out;
	status = EXIT_CONFIG;
	if ((r = db_query(src, odf_tables_sql, 0, NULL, &e)) == NULL)
		goto srcerr;
	for (i = 0; i < 3; i++) {
		if (strcmp(db_value(r, 0, i), "t") != 0) {
			warnx("no OpenDataFlow table \"%s\" in the source's "
			    "schema (--schema names it)", tables[i]);
			db_result_free(r);
			goto out;
		}
	}
	db_result_free(r);
	if ((dsr = db_query(src, odf_datasets_sql, 0, NULL, &e)) == NULL ||
	    (jr = db_query(src, odf_jobs_sql, 0, NULL, &e)) == NULL ||
	    (sr = db_query(src, odf_status_sql, 0, NULL, &e)) == NULL)
		goto srcerr;
	db_close(src);
	src = NULL;
	if (import_config(&imp, dsr, jr) == -1)
		goto out;
	import_statuses(&imp, sr);

	if ((db = cmd_connect(g, &s, &status)) == NULL)
		goto out;
	status = EXIT_FAIL;
	if (db_begin(db, &e) == -1)
		goto dberr;
	in_tx = true;
	if (db_exec(db, "SELECT pg_advisory_xact_lock(hashtext('dataflow'), "
	    "hashtext('apply'))", 0, NULL, &e) < 0 ||
	    catalog_load(db, &cur, &e) == -1 ||
	    catalog_secret_names(db, cur, imp.want, &secrets, &e) == -1)
		goto dberr;
	plan = plan_compute(cur, imp.want, false,
	    (const char *const *)secrets);
	actor = cmd_actor();
	if (catalog_apply(db, imp.want, plan, actor, &e) == -1 ||
	    import_write_status(&imp, db, &e) == -1)
		goto dberr;
	detail = import_audit_detail(&imp);
	p[0] = actor;
	p[1] = detail;
	if (db_exec(db, audit_sql, 2, p, &e) < 0)
		goto dberr;
	if (!dry_run) {
		if (db_commit(db, &e) == -1)
			goto dberr;
		in_tx = false;
	}
	import_report(&imp, plan, dry_run);
	status = EXIT_OK;
	goto out;
srcerr:
	warnx("could not read the OpenDataFlow tables: %s", e.message);
	status = db_error_exit(&e);
	if (status == EXIT_OK || status == EXIT_SOFTWARE)
		status = EXIT_FAIL;
	goto out;
dberr:
	status = cmd_db_fail("import (nothing changed)", &e);
out:
	if (in_tx)
		db_rollback(db, &ignore);
	db_error_clear(&ignore);
	db_error_clear(&e);
	db_result_free(dsr);
	db_result_free(jr);
	db_result_free(sr);
	free(actor);
	free(detail);
	plan_free(plan);
	xfree_strv(secrets);
	config_free(cur);
	import_free(&imp);
	db_close(src);
	db_close(db);
	settings_free(s);
	return status;
}

const struct cmd_entry cmd_import_entry = {
	"import-opendataflow", "[--dry-run] [--schema NAME] SOURCE",
	"import an OpenDataFlow database", cmd_import_exec
};
