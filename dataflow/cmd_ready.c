/* cmd_ready.c: "dataflow ready": mark externally produced partitions READY. */
#include <err.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "dataflow.h"
#include "db.h"
#include "exitcodes.h"
#include "ids.h"
#include "range.h"
#include "settings.h"
#include "xmalloc.h"

static const char dataset_exists_sql[] =
    "SELECT 1 FROM dataset WHERE datasetid = $1 AND removed IS NULL";

static const char mark_ready_sql[] =
    "INSERT INTO partition_status AS s (datasetid, dataid, status) "
    "SELECT $1, d, 'READY' FROM unnest($2::text[]) AS d "
    "ON CONFLICT (datasetid, dataid) DO UPDATE "
    "SET status = 'READY', run_id = NULL, modified = now() "
    "WHERE s.status <> 'READY'";

static const char audit_ready_sql[] =
    "INSERT INTO audit (who, action, datasetid, dataid, detail) "
    "VALUES ($1, 'ready', $2, $3, $4::jsonb)";

static int
cmd_ready_exec(struct global_opts *g, int argc, char **argv)
{
	enum { OPT_FROM = 256, OPT_TO, OPT_DAILY, OPT_STEP };
	static const struct option longopts[] = {
		{ "from",	required_argument,	NULL, OPT_FROM },
		{ "to",		required_argument,	NULL, OPT_TO },
		{ "daily",	no_argument,		NULL, OPT_DAILY },
		{ "step",	required_argument,	NULL, OPT_STEP },
		{ NULL,		0,			NULL, 0 }
	};
	const char	*from = NULL, *to = NULL, *dataset, *p[4], *errstr;
	char		**ids = NULL, **range = NULL, *array = NULL;
	char		*actor = NULL, *detail = NULL, *errmsg = NULL;
	size_t		 nids = 0, nrange = 0, i;
	struct settings	*s = NULL;
	struct db	*db = NULL;
	struct db_error	 e = { 0 }, ignore = { 0 };
	struct db_result *r;
	json_t		*o;
	long		 step = 0, changed;
	bool		 daily = false, in_tx = false;
	int		 ch, status = EXIT_USAGE;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_FROM:
			from = optarg;
			break;
		case OPT_TO:
			to = optarg;
			break;
		case OPT_DAILY:
			daily = true;
			break;
		case OPT_STEP:
			step = (long)strtonum(optarg, 1, LONG_MAX, &errstr);
			if (errstr != NULL) {
				warnx("--step \"%s\" is %s", optarg, errstr);
				return cmd_usage(&cmd_ready_entry);
			}
			break;
		default:
			return cmd_usage(&cmd_ready_entry);
		}
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
	if ((from != NULL) != (to != NULL) || (from != NULL &&
	    daily == (step > 0)) || (from == NULL && (daily || step > 0))) {
		warnx("a range needs --from, --to and one of --daily or "
		    "--step N");
		return cmd_usage(&cmd_ready_entry);
	}
	if (from == NULL && argc < 2)
		return cmd_usage(&cmd_ready_entry);
	for (i = 1; i < (size_t)argc; i++) {
		if (!dataid_valid(argv[i])) {
			warnx("\"%s\" is not a valid dataid", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (from != NULL) {
		range = range_expand(from, to, daily ? RANGE_DAILY :
		    RANGE_STEP, step, &nrange, &errmsg);
		if (range == NULL) {
			warnx("%s", errmsg);
			free(errmsg);
			return EXIT_USAGE;
		}
	}
	nids = (size_t)argc - 1 + nrange;
	ids = xcalloc(nids + 1, sizeof(*ids));
	for (i = 1; i < (size_t)argc; i++)
		ids[i - 1] = argv[i];
	for (i = 0; i < nrange; i++)
		ids[(size_t)argc - 1 + i] = range[i];

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
	p[1] = array;
	if ((changed = db_exec(db, mark_ready_sql, 2, p, &e)) < 0)
		goto dberr;
	actor = cmd_actor();
	o = json_pack("{s:I, s:I, s:s, s:s}", "requested", (json_int_t)nids,
	    "changed", (json_int_t)changed, "first", ids[0],
	    "last", ids[nids - 1]);
	detail = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	p[0] = actor;
	p[1] = dataset;
	p[2] = nids == 1 ? ids[0] : NULL;
	p[3] = detail;
	if (db_exec(db, audit_ready_sql, 4, p, &e) < 0 ||
	    db_commit(db, &e) == -1)
		goto dberr;
	in_tx = false;
	status = EXIT_OK;
	if (g->json) {
		o = json_pack("{s:s, s:I, s:I}", "dataset", dataset,
		    "requested", (json_int_t)nids, "changed",
		    (json_int_t)changed);
		json_dumpf(o, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(o);
	} else if (g->verbosity > 0) {
		printf("%s: %ld of %zu partition%s marked READY", dataset,
		    changed, nids, nids == 1 ? "" : "s");
		if (nids > 1)
			printf(" (%s .. %s)", ids[0], ids[nids - 1]);
		if ((size_t)changed < nids)
			printf(", %zu already READY", nids - (size_t)changed);
		putchar('\n');
	}
	goto out;
dberr:
	warnx("could not mark partitions READY: %s", e.message);
	status = db_error_exit(&e);
	if (status == EXIT_OK || status == EXIT_SOFTWARE)
		status = EXIT_FAIL;
out:
	if (in_tx)
		db_rollback(db, &ignore);
	db_error_clear(&ignore);
	db_error_clear(&e);
	free(actor);
	free(detail);
	free(array);
	free(ids);
	range_free(range);
	db_close(db);
	settings_free(s);
	return status;
}

const struct cmd_entry cmd_ready_entry = {
	"ready", "DATASET DATAID... | DATASET --from A --to B "
	"(--daily | --step N)",
	"mark partitions of a dataset READY", cmd_ready_exec
};
