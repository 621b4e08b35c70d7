/* cmd_ready.c: "dataflow ready": mark externally produced partitions READY. */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "actor.h"
#include "config.h"
#include "dataflow.h"
#include "db.h"
#include "exitcodes.h"
#include "ids.h"
#include "settings.h"
#include "xmalloc.h"

static const char dataset_exists_sql[] =
    "SELECT 1 FROM dataset WHERE datasetid = $1 AND removed IS NULL";

/* One function, so that an operator may mark partitions without any right
 * to write the tables (dataflow(1), ROLES). */
static const char mark_ready_sql[] =
    "SELECT df_ready($1, $2::text[], $3)";

static int
cmd_ready_exec(struct global_opts *g, int argc, char **argv)
{
	enum { OPT_DRY_RUN = 256 };
	static const struct option longopts[] = {
		CMD_RANGE_OPTIONS,
		{ "dry-run",	no_argument,		NULL, OPT_DRY_RUN },
		{ NULL,		0,			NULL, 0 }
	};
	struct cmd_partitions cp = { 0 };
	const char	*dataset, *p[3];
	char		**ids, *array = NULL;
	char		*actor = NULL;
	size_t		 nids;
	struct settings	*s = NULL;
	struct db	*db = NULL;
	struct db_error	 e = { 0 }, ignore = { 0 };
	struct db_result *r;
	json_t		*o;
	long		 changed;
	bool		 in_tx = false, dry_run = false;
	int		 ch, status = EXIT_USAGE;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch == OPT_DRY_RUN)
			dry_run = true;
		else if (cmd_range_option(&cp, ch, optarg) != 1)
			return cmd_usage(&cmd_ready_entry);
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return cmd_usage(&cmd_ready_entry);
	dataset = argv[0];
	if (!ident_valid(dataset)) {
		warnx("\"%s\" is not a valid dataset id", dataset);
		return EXIT_USAGE;
	}
	if (strcmp(dataset, CONFIG_TODAY) == 0) {
		warnx("\"today\" is managed by dataflow itself");
		return EXIT_USAGE;
	}
	if (argc < 2 && !cmd_range_given(&cp))
		return cmd_usage(&cmd_ready_entry);
	if (cmd_partitions(&cp, argv + 1, (size_t)argc - 1) == -1)
		return EXIT_USAGE;
	ids = cp.ids;
	nids = cp.n;

	if ((db = cmd_connect(g, &s, &status)) == NULL)
		goto out;
	status = EXIT_FAIL;
	if (db_begin(db, &e) == -1)
		goto dberr;
	in_tx = true;
	p[0] = dataset;
	if ((r = db_query(db, dataset_exists_sql, 1, p, &e)) == NULL)
		goto dberr;
	if (db_rows(r) == 0) {
		db_result_free(r);
		warnx("unknown dataset \"%s\"", dataset);
		status = EXIT_CONFIG;
		goto out;
	}
	db_result_free(r);
	array = db_text_array((const char *const *)ids, nids);
	actor = actor_name();
	p[1] = array;
	p[2] = actor;
	if ((r = db_query(db, mark_ready_sql, 3, p, &e)) == NULL)
		goto dberr;
	changed = (long)db_int(r, 0, 0, -1);
	db_result_free(r);
	if (changed < 0) {
		/* Removed since the check above. */
		warnx("unknown dataset \"%s\"", dataset);
		status = EXIT_CONFIG;
		goto out;
	}
	/* A dry run is the real thing, rolled back (as resubmit's). */
	if (!dry_run && db_commit(db, &e) == -1)
		goto dberr;
	in_tx = dry_run;
	status = EXIT_OK;
	if (g->json) {
		o = json_pack("{s:s, s:I, s:I, s:b}", "dataset", dataset,
		    "requested", (json_int_t)nids, "changed",
		    (json_int_t)changed, "dry_run", dry_run);
		json_dumpf(o, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(o);
	} else if (g->verbosity > 0 || dry_run) {
		printf("%s%s: %ld of %zu partition%s %s READY", dry_run ?
		    "dry run: " : "", dataset, changed, nids, nids == 1 ? "" :
		    "s", dry_run ? "would be marked" : "marked");
		if (nids > 1)
			printf(" (%s .. %s)", ids[0], ids[nids - 1]);
		if ((size_t)changed < nids)
			printf(", %zu already READY", nids - (size_t)changed);
		putchar('\n');
	}
	goto out;
dberr:
	status = cmd_db_fail("mark partitions READY", &e);
out:
	if (in_tx)
		db_rollback(db, &ignore);
	db_error_clear(&ignore);
	db_error_clear(&e);
	free(actor);
	free(array);
	cmd_partitions_free(&cp);
	db_close(db);
	settings_free(s);
	return status;
}

const struct cmd_entry cmd_ready_entry = {
	"ready", "[--dry-run] DATASET DATAID... | DATASET --from A --to B "
	"(--daily | --step N)",
	"mark partitions of a dataset READY", cmd_ready_exec
};
