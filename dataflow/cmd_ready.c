/* cmd_ready.c: "dataflow ready": mark externally produced partitions READY. */
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
#include "progress.h"
#include "ids.h"
#include "ops.h"
#include "settings.h"

/* Say why ops_ready failed; return the exit status. */
static int
ready_fail(const struct db_error *e)
{
	if (strcmp(e->sqlstate, "22023") == 0) {
		warnx("%s", e->message);
		return EXIT_USAGE;
	}
	if (strcmp(e->sqlstate, "DF001") == 0) {
		warnx("%s", e->message);
		return EXIT_CONFIG;
	}
	return cmd_db_fail("mark partitions READY", e);
}

static void
ready_print(const struct global_opts *g, const char *dataset,
    const struct cmd_partitions *cp, long changed, json_t *doc, bool dry_run)
{
	if (g->json) {
		/* A dry run says so; the real one prints the API's document. */
		if (dry_run)
			json_object_set_new(doc, "dry_run", json_true());
		json_dumpf(doc, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
	} else if (g->verbosity > 0 || dry_run) {
		printf("%s%s: %ld of %zu partition%s %s READY", dry_run ?
		    "dry run: " : "", dataset, changed, cp->n, cp->n == 1 ? "" :
		    "s", dry_run ? "would be marked" : "marked");
		if (cp->n > 1)
			printf(" (%s .. %s)", cp->ids[0], cp->ids[cp->n - 1]);
		if ((size_t)changed < cp->n)
			printf(", %zu already READY", cp->n - (size_t)changed);
		putchar('\n');
	}
}

static int
cmd_ready_exec(struct global_opts *g, int argc, char **argv)
{
	enum { OPT_DRY_RUN = 256, OPT_REASON };
	static const struct option longopts[] = {
		CMD_RANGE_OPTIONS,
		{ "dry-run",	no_argument,		NULL, OPT_DRY_RUN },
		{ "reason",	required_argument,	NULL, OPT_REASON },
		{ NULL,		0,			NULL, 0 }
	};
	struct cmd_partitions cp = { 0 };
	const char	*dataset, *reason = NULL;
	char		*actor = NULL;
	struct settings	*s = NULL;
	struct db	*db = NULL;
	struct db_error	 e = { 0 }, ignore = { 0 };
	json_t		*doc = NULL;
	long		 changed;
	bool		 dry_run = false;
	struct progress	*pr;
	int		 ch, rc, status = EXIT_USAGE;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch == OPT_DRY_RUN)
			dry_run = true;
		else if (ch == OPT_REASON)
			reason = optarg;
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

	if ((db = cmd_connect(g, &s, &status)) == NULL)
		goto out;
	actor = actor_name();
	/* A dry run is the real thing, rolled back (as resubmit's). */
	if (dry_run && db_begin(db, &e) == -1) {
		status = cmd_db_fail("mark partitions READY", &e);
		goto out;
	}
	/* One statement: the line shows time passing, then goes. */
	pr = progress_new(STDERR_FILENO, "ready: marking", -1,
	    g->verbosity == 0);
	rc = ops_ready(db, dataset, cp.ids, cp.n, reason, actor, &changed,
	    &doc, &e);
	progress_end(pr);
	if (rc == -1) {
		status = ready_fail(&e);
		goto out;
	}
	status = EXIT_OK;
	ready_print(g, dataset, &cp, changed, doc, dry_run);
out:
	if (dry_run && db != NULL)
		db_rollback(db, &ignore);
	db_error_clear(&ignore);
	json_decref(doc);
	db_error_clear(&e);
	free(actor);
	cmd_partitions_free(&cp);
	db_close(db);
	settings_free(s);
	return status;
}

const struct cmd_entry cmd_ready_entry = {
	"ready", "[--dry-run] [--reason TEXT] DATASET DATAID... | "
	"DATASET --from A --to B (--daily | --step N)",
	"mark partitions of a dataset READY", cmd_ready_exec
};
