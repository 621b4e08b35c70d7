/* cmd_explain.c: "dataflow explain": why a job would or would not run its
 * next partitions (or a named one) now. */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataflow.h"
#include "db.h"
#include "exitcodes.h"
#include "ids.h"
#include "listing.h"
#include "settings.h"
#include "table.h"

#define EXPLAIN_LIMIT	10	/* partitions explained by default */

static void
explain_text(const struct db_result *job, const struct db_result *r,
    const char *dataid)
{
	static const char *const headers[] = { "DATAID", "VERDICT", "REASON" };
	struct table	*t;
	const char	*max = db_col(job, 0, "max_running");
	int		 i;

	printf("job %s: %s, %s, max_attempts %s, %s running%s%s\n",
	    db_col(job, 0, "jobid"),
	    strcmp(db_col(job, 0, "paused"), "t") == 0 ? "PAUSED" : "active",
	    db_col(job, 0, "run_order"), db_col(job, 0, "max_attempts"),
	    db_col(job, 0, "running"), max != NULL ? " of max_running " : "",
	    max != NULL ? max : "");
	if (db_rows(r) == 0) {
		printf("nothing pending: every partition of its inputs was "
		    "processed%s\n", dataid != NULL ? "" : " (explain JOB "
		    "DATAID tells about one)");
		return;
	}
	t = table_new(3, headers);
	for (i = 0; i < db_rows(r); i++) {
		table_add(t, db_col(r, i, "dataid"));
		table_add(t, db_col(r, i, "verdict"));
		table_add(t, db_col(r, i, "reason"));
	}
	cmd_table_print(t);
}

static int
cmd_explain_exec(struct global_opts *g, int argc, char **argv)
{
	enum { OPT_LIMIT = 256 };
	static const struct option longopts[] = {
		{ "limit",	required_argument,	NULL, OPT_LIMIT },
		{ NULL,		0,			NULL, 0 }
	};
	struct settings		*s = NULL;
	struct db		*db = NULL;
	struct db_error		 e = { 0 };
	struct db_result	*job = NULL, *r = NULL;
	const char		*jobid, *dataid = NULL;
	char			*json;
	long			 limit = EXPLAIN_LIMIT;
	int			 ch, status;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_LIMIT:
			if (cmd_parse_limit(optarg, &limit) == -1)
				return cmd_usage(&cmd_explain_entry);
			break;
		default:
			return cmd_usage(&cmd_explain_entry);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > 2)
		return cmd_usage(&cmd_explain_entry);
	jobid = argv[0];
	if (!ident_valid(jobid)) {
		warnx("\"%s\" is not a valid job id", jobid);
		return EXIT_USAGE;
	}
	if (argc == 2) {
		dataid = argv[1];
		if (!dataid_valid(dataid)) {
			warnx("\"%s\" is not a valid dataid", dataid);
			return EXIT_USAGE;
		}
	}
	if ((db = cmd_connect(g, &s, &status)) == NULL)
		return status;
	if (g->json) {
		status = listing_explain_json(db, jobid, dataid, limit, &json,
		    &e);
		status = cmd_print_json("explain", status, json, &e);
		goto out;
	}
	if (listing_explain(db, jobid, dataid, limit, &job, &r, &e) == -1) {
		status = cmd_db_fail("explain", &e);
		goto out;
	}
	status = EXIT_OK;
	explain_text(job, r, dataid);
out:
	db_result_free(job);
	db_result_free(r);
	db_error_clear(&e);
	db_close(db);
	settings_free(s);
	return status;
}

const struct cmd_entry cmd_explain_entry = {
	"explain", "[--limit N] JOB [DATAID]",
	"say why a job would or would not run its next partitions now",
	cmd_explain_exec
};
