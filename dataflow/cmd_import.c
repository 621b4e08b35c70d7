/* cmd_import.c: "dataflow import-opendataflow": read an OpenDataFlow
 * database (its job, dataset and datastatus tables) and import it into
 * dataflow's configuration and partition statuses in one transaction
 * (lib/odf.c); report what was imported. */
#include <sys/stat.h>

#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "actor.h"
#include "config.h"
#include "dataflow.h"
#include "db.h"
#include "exitcodes.h"
#include "ids.h"
#include "odf.h"
#include "plan.h"
#include "progress.h"
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
		if (secrets_open(&sec, g->passkey_file, NULL, true,
		    &errmsg) == -1 ||
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

/* Give every row of r, ncols columns each, to take. */
static void
import_rows(struct odf *o, const struct db_result *r, int ncols,
    void (*take)(struct odf *, const char *const *))
{
	const char	*row[ODF_DATASET_COLS];
	int		 i, j;

	for (i = 0; i < db_rows(r); i++) {
		for (j = 0; j < ncols && j < ODF_DATASET_COLS; j++)
			row[j] = db_value(r, i, j);
		take(o, row);
	}
}

/* Build the configuration of the rows taken, or say why it cannot be. */
static int
import_config(const struct global_opts *g, struct odf *o)
{
	struct diag	 d = { NULL, 0 };
	char		**allow;
	size_t		 i;
	int		 rc;

	allow = cmd_env_allow(g);
	rc = odf_config(o, (const char *const *)allow, &d);
	xfree_strv(allow);
	if (rc == -1) {
		warnx("the OpenDataFlow configuration cannot be imported as "
		    "it is:");
		for (i = 0; i < d.n; i++)
			warnx("  %s", d.msgs[i]);
	}
	diag_clear(&d);
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

static void
import_print_list(const struct global_opts *g, const char *title, json_t *a)
{
	size_t	 i, n = json_array_size(a);

	if (n == 0)
		return;
	printf("%s (%zu):\n", title, n);
	for (i = 0; i < n; i++) {
		if (i == IMPORT_SHOWN && g->verbosity < 2) {
			printf("  ... and %zu more (-v shows all)\n", n - i);
			break;
		}
		printf("  %s\n", json_string_value(json_array_get(a, i)));
	}
}

static void
import_report(const struct global_opts *g, struct odf *o,
    const struct plan *plan, bool dry_run)
{
	json_t	*skipped, *notes, *doc;
	size_t	 nw;

	skipped = odf_fold(&o->skipped);
	notes = odf_fold(&o->notes);
	nw = o->work.n;
	if (g->json) {
		doc = json_pack("{s:b, s:{s:I, s:I, s:I}, "
		    "s:{s:I, s:I, s:I}, s:{s:I, s:I, s:I}, "
		    "s:{s:I, s:I, s:I, s:I, s:I}, s:{s:I, s:I, s:I, s:I, s:I}, "
		    "s:o, s:o}",
		    "dry_run", dry_run,
		    "read", "datasets", (json_int_t)o->nrows_datasets,
		    "job_items", (json_int_t)o->nrows_jobs,
		    "status_rows", (json_int_t)o->nrows_status,
		    "datasets", "imported", (json_int_t)o->want->ndatasets,
		    "added", (json_int_t)import_plan_count(plan, PLAN_DATASET,
		    PLAN_ADD),
		    "updated", (json_int_t)import_plan_count(plan,
		    PLAN_DATASET, PLAN_UPDATE),
		    "jobs", "imported", (json_int_t)o->want->njobs,
		    "added", (json_int_t)import_plan_count(plan, PLAN_JOB,
		    PLAN_ADD),
		    "updated", (json_int_t)import_plan_count(plan, PLAN_JOB,
		    PLAN_UPDATE),
		    "partitions", "imported", (json_int_t)(o->parts.n -
		    o->nparts_kept),
		    "ready", (json_int_t)o->nparts[0],
		    "failed", (json_int_t)o->nparts[1],
		    "resubmit", (json_int_t)o->nparts[2],
		    "running_kept", (json_int_t)o->nparts_kept,
		    "job_partitions", "imported", (json_int_t)(nw -
		    o->nwork_kept),
		    "succeeded", (json_int_t)o->nwork[ODF_SUCCEEDED],
		    "failed", (json_int_t)o->nwork[ODF_FAILED],
		    "rerun", (json_int_t)o->nwork[ODF_RERUN],
		    "running_kept", (json_int_t)o->nwork_kept,
		    "could_not_import", skipped, "notes", notes);
		json_dumpf(doc, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(doc);
		return;
	}
	if (g->verbosity == 0) {
		json_decref(skipped);
		json_decref(notes);
		return;
	}
	printf("%s from OpenDataFlow (%zu dataset rows, %zu job rows, %zu "
	    "status rows read):\n", dry_run ? "dry run: would import" :
	    "imported", o->nrows_datasets, o->nrows_jobs,
	    o->nrows_status);
	printf("  %zu datasets (%zu added, %zu updated)\n",
	    o->want->ndatasets,
	    import_plan_count(plan, PLAN_DATASET, PLAN_ADD),
	    import_plan_count(plan, PLAN_DATASET, PLAN_UPDATE));
	printf("  %zu jobs (%zu added, %zu updated)\n", o->want->njobs,
	    import_plan_count(plan, PLAN_JOB, PLAN_ADD),
	    import_plan_count(plan, PLAN_JOB, PLAN_UPDATE));
	printf("  %zu partition statuses (%zu READY, %zu FAILED, %zu "
	    "RESUBMIT)", o->parts.n, o->nparts[0],
	    o->nparts[1], o->nparts[2]);
	if (o->nsuperseded > 0)
		printf(", %zu older rows of the same partitions",
		    o->nsuperseded);
	printf("\n  %zu job partitions (%zu done, %zu failed once, %zu to "
	    "run again)\n", nw,
	    o->nwork[ODF_SUCCEEDED], o->nwork[ODF_FAILED],
	    o->nwork[ODF_RERUN]);
	if (o->nparts_kept + o->nwork_kept > 0)
		printf("  of which left as they are, running in dataflow now: "
		    "%zu partition statuses, %zu job partitions\n",
		    o->nparts_kept, o->nwork_kept);
	import_print_list(g, "could not import", skipped);
	import_print_list(g, "notes", notes);
	json_decref(skipped);
	json_decref(notes);
}

/*
 * Read the OpenDataFlow database SOURCE (schema: its schema, or NULL) into
 * o, checked. Return EXIT_OK, or the exit status after saying why not.
 */
static int
import_read(const struct global_opts *g, const char *source,
    const char *schema, struct odf *o)
{
	static const char *const tables[] = {
		"dataset", "job", "datastatus"
	};
	struct db		*src;
	struct db_result	*dsr = NULL, *jr = NULL, *sr = NULL, *r;
	struct db_error		 e = { 0 };
	int			 i, status;

	if ((src = import_connect_source(g, source, schema, &status)) == NULL)
		return status;
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
	import_rows(o, dsr, ODF_DATASET_COLS, odf_dataset);
	import_rows(o, jr, ODF_JOB_COLS, odf_job_item);
	if (import_config(g, o) == -1)
		goto out;
	import_rows(o, sr, ODF_STATUS_COLS, odf_status);
	odf_finish(o);
	status = EXIT_OK;
	goto out;
srcerr:
	warnx("could not read the OpenDataFlow tables: %s", e.message);
	status = db_error_exit(&e);
	if (status == EXIT_OK || status == EXIT_SOFTWARE)
		status = EXIT_FAIL;
out:
	db_error_clear(&e);
	db_result_free(dsr);
	db_result_free(jr);
	db_result_free(sr);
	db_close(src);
	return status;
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
	struct odf		*o;
	struct db		*db = NULL;
	struct db_error		 e = { 0 };
	struct settings		*s = NULL;
	struct plan		*plan = NULL;
	const char		*schema = NULL;
	char			*actor = NULL;
	struct progress		*pr;
	bool			 dry_run = false;
	int			 ch, rc, status;

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
	o = odf_new();
	if ((status = import_read(g, argv[optind], schema, o)) != EXIT_OK ||
	    (db = cmd_connect(g, &s, &status)) == NULL)
		goto out;
	actor = actor_name();
	/* Set-based statements: the line shows time passing, then goes. */
	pr = progress_new(STDERR_FILENO, "import-opendataflow: importing", -1,
	    g->verbosity == 0);
	rc = odf_apply(o, db, actor, dry_run, &plan, &e);
	progress_end(pr);
	if (rc == -1) {
		status = cmd_db_fail("import (nothing changed)", &e);
		goto out;
	}
	import_report(g, o, plan, dry_run);
	status = EXIT_OK;
out:
	db_error_clear(&e);
	free(actor);
	plan_free(plan);
	odf_free(o);
	db_close(db);
	settings_free(s);
	return status;
}

const struct cmd_entry cmd_import_entry = {
	"import-opendataflow", "[--dry-run] [--schema NAME] SOURCE",
	"import an OpenDataFlow database", cmd_import_exec
};
